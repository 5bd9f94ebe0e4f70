"""The composition root: everything a process needs, built from settings in one place.

:func:`build_runtime` builds the store and the embedder, and (on first use) the reference data,
the JSON-LD document loader and the proof-issuing identity. The app (``api.main``), the CLI
(``api.cli.common``) and the scripts take them from here; nothing else builds them.
"""

from __future__ import annotations

import logging
import os
from functools import cached_property
from typing import TYPE_CHECKING

from graph.embeddings import (
    CachedEmbedder,
    Embedder,
    EmbeddingCache,
    QueryTunedEmbedder,
    SentenceTransformerEmbedder,
    is_default_model,
)
from graph.ontologies import query_model
from graph.registry import create_store
from graph.settings import Settings
from graph.store import GraphStore

if TYPE_CHECKING:
    from graph.jsonld import PinnedDocumentLoader
    from graph.proofs.issuer import ProofIssuer
    from graph.reference import ReferenceData

__all__ = ["Runtime", "build_runtime"]

logger = logging.getLogger(__name__)


class Runtime:
    """What a process needs to serve requests: settings, a store, an embedder, reference data.

    The reference data (when not given), the document loader and the issuing identity are
    built on first use and kept, so the resolved contexts are reused by every request. A
    command that reads a concept never loads the qualification frameworks (``credwalk
    concept URI`` starts faster; ``scripts/dev bench cli``).
    """

    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        embedder: Embedder,
        reference: ReferenceData | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        if reference is not None:
            self.__dict__["reference"] = reference  # what the cached property would keep

    def __repr__(self) -> str:
        return f"Runtime(store={self.store!r}, embedder={self.embedder!r})"

    @cached_property
    def reference(self) -> ReferenceData:
        """Jurisdictions and qualification frameworks, from ``settings.ontologies_dir``.

        Raises
        ------
        InvalidInputError
            When a file there is not valid (naming the file, line and column).
        """
        from graph.reference import load_reference_data

        return load_reference_data(self.settings.ontologies_dir, base_iri=self.settings.base_iri)

    @cached_property
    def document_loader(self) -> PinnedDocumentLoader:
        """The JSON-LD document loader: pinned contexts only, from packages or the cache."""
        # Imported here: JSON-LD (pyld) costs a command that signs nothing its start-up time.
        from graph.jsonld import PinnedDocumentLoader, load_manifest

        manifest = self.settings.context_manifest
        logger.info(
            "pinned JSON-LD contexts from %s, cache %s", manifest, self.settings.context_cache
        )
        return PinnedDocumentLoader(load_manifest(manifest), cache_dir=self.settings.context_cache)

    @cached_property
    def proof_issuer(self) -> ProofIssuer:
        """The issuing identity (no I/O: keys are created on first signature).

        Raises
        ------
        InvalidInputError
            If ``did_web_domain`` is set but is not a host name (raised at every access).
        """
        from graph.proofs.issuer import ProofIssuer, did_web
        from graph.proofs.keys import KeyStore

        if self.settings.did_web_domain:
            did_web(self.settings.did_web_domain)
        return ProofIssuer(
            keys=KeyStore(self.settings.key_dir),
            loader=self.document_loader,
            base_iri=self.settings.base_iri,
            did_web_domain=self.settings.did_web_domain or None,
        )

    @cached_property
    def session_secret(self) -> str:
        """The key that signs session cookies: the setting, else one kept in ``key_dir``.

        A new random secret is written on first use (readable by the user only), so sessions
        survive a restart and several processes on one machine share them.
        """
        if self.settings.session_secret is not None:
            return self.settings.session_secret.get_secret_value()
        path = self.settings.key_dir / "session-secret"
        try:
            return path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            pass
        import secrets

        # The key directory also holds the signing keys, which refuse a folder others can read.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f"session-secret.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            # A hard link appears whole or not at all: of two processes starting at once, one
            # links its secret and both read that one.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text(encoding="ascii").strip()

    def open_store(self) -> GraphStore:
        """Return the store, opened now if it is not open yet.

        Raises
        ------
        BackendUnavailableError
            When the store cannot be opened now.
        """
        if not self.store.is_open:
            self.store.open()
        return self.store

    def check_store(self) -> None:
        """Open the store if it is not open, and check that it answers.

        Raises
        ------
        BackendUnavailableError
            When the store cannot be opened or does not answer.
        """
        self.open_store().check()

    def close(self) -> None:
        """Close the store and the embedding cache."""
        self.store.close()
        if isinstance(self.embedder, CachedEmbedder):
            self.embedder.cache.close()


def configured_embedder(settings: Settings) -> Embedder:
    """The model of the settings; queries through the ESCO-tuned layers for the default one."""
    model = SentenceTransformerEmbedder(settings.embedding_model, device=settings.embedding_device)
    delta = query_model(settings.ontologies_dir)
    if settings.query_model and is_default_model(settings.embedding_model) and delta.exists():
        return QueryTunedEmbedder(model, delta)
    return model


def build_runtime(settings: Settings) -> Runtime:
    """Build (without opening) the store and the cached embedder named by ``settings``.

    The reference data is loaded on first use (:attr:`Runtime.reference`).
    """
    store = create_store(
        settings.store,
        user=settings.neo4j_user,
        password=settings.neo4j_password,
        database=settings.neo4j_database,
        namespace=settings.neo4j_namespace,
    )
    embedder = CachedEmbedder(
        configured_embedder(settings), EmbeddingCache(settings.embedding_cache)
    )
    return Runtime(settings=settings, store=store, embedder=embedder)
