"""What the API and the CLI need to sign and verify, built from settings in one place.

The document loader serves only the contexts pinned in ``<ontologies_dir>/contexts/
manifest.json``: from their registry package (``cert-schema``) or from ``settings.context_cache``
(``credwalk contexts seed DIR`` fills it once from a folder of context files). Nothing is ever
fetched. Loaders are cached per (manifest, cache folder), so the resolved contexts are reused
across requests.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from graph.jsonld import PinnedDocumentLoader, load_manifest
from graph.proofs.issuer import ProofIssuer, did_web
from graph.proofs.keys import KeyStore
from graph.settings import Settings

__all__ = ["document_loader", "manifest_path", "proof_issuer"]

logger = logging.getLogger(__name__)


def manifest_path(settings: Settings) -> Path:
    """The context manifest of the configured ontologies folder."""
    return settings.ontologies_dir / "contexts" / "manifest.json"


@lru_cache(maxsize=8)
def _loader(manifest: Path, cache_dir: Path) -> PinnedDocumentLoader:
    logger.info("pinned JSON-LD contexts from %s, cache %s", manifest, cache_dir)
    return PinnedDocumentLoader(load_manifest(manifest), cache_dir=cache_dir)


def document_loader(settings: Settings) -> PinnedDocumentLoader:
    """The pinned, offline document loader of ``settings``."""
    return _loader(manifest_path(settings), settings.context_cache)


def proof_issuer(settings: Settings) -> ProofIssuer:
    """The issuing identity of ``settings`` (no I/O: keys are created on first signature).

    Raises
    ------
    InvalidInputError
        If ``did_web_domain`` is set but is not a host name.
    """
    if settings.did_web_domain:
        did_web(settings.did_web_domain)
    return ProofIssuer(
        keys=KeyStore(settings.key_dir),
        loader=document_loader(settings),
        base_iri=settings.base_iri,
        did_web_domain=settings.did_web_domain or None,
    )
