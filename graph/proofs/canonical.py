"""RDFC-1.0 (URDNA2015) canonical N-Quads of JSON-LD, with pinned contexts and a safe mode.

Data Integrity signs the canonical RDF of a document, so anything JSON-LD drops on the way to
RDF is not signed. Safe mode refuses such documents instead of signing less than they say.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from pyld import jsonld

from graph.errors import CredwalkError, InvalidInputError
from graph.jsonld import PinnedDocumentLoader

__all__ = ["canonicalize"]

logger = logging.getLogger(__name__)

#: A vocabulary no real document uses; terms that only expand through it were undefined.
_UNDEFINED_VOCAB = "urn:credwalk:undefined-term:"
_UNDEFINED_TERM = re.compile(re.escape(_UNDEFINED_VOCAB) + r"([^>]*)>")
# pyld resolves relative IRIs against this placeholder when a document has no base, where
# other processors drop them: such IRIs make signatures that other verifiers cannot reproduce.
_PLACEHOLDER_BASE = str(getattr(jsonld, "DEFAULT_BASE_IRI", "http://example.org/base/"))
_RELATIVE_IRI = re.compile("<" + re.escape(_PLACEHOLDER_BASE) + r"([^>]*)>")


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not c for c in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _to_nquads(document: Mapping[str, Any], loader: PinnedDocumentLoader) -> str:
    options = {
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": loader.context_resolver(),
    }
    try:
        return str(jsonld.to_rdf(dict(document), options))
    except jsonld.JsonLdError as e:
        chain = _causes(e)
        ours = [c for c in chain if isinstance(c, CredwalkError)]
        if ours:
            # Re-raise a copy so the message names the URL, not pyld's generic wording.
            raise type(ours[0])(ours[0].message, details=ours[0].details) from e
        # pyld wraps the real reason ("tried to redefine a protected term") in generic errors.
        root = [c for c in chain if isinstance(c, jsonld.JsonLdError)][-1]
        reason = root.args[0] if root.args else str(root)
        raise InvalidInputError(
            f"document is not valid JSON-LD: {reason}",
            details={"reason": "jsonld", "jsonld_code": getattr(root, "code", None)},
        ) from e


def _with_undefined_vocab(document: Mapping[str, Any]) -> dict[str, Any]:
    probe = dict(document)
    context = document.get("@context")
    contexts = [] if context is None else list(context) if isinstance(context, list) else [context]
    probe["@context"] = [*contexts, {"@vocab": _UNDEFINED_VOCAB}]
    return probe


def canonicalize(
    document: Mapping[str, Any], *, loader: PinnedDocumentLoader, safe: bool = True
) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document.

    Parameters
    ----------
    document : mapping
        A JSON-LD document (compacted, with ``@context``).
    loader : PinnedDocumentLoader
        Serves the contexts; any other URL fails.
    safe : bool, default True
        Refuse documents with properties or types no context defines (JSON-LD silently drops
        them, so a signature would not cover them and they could be changed undetected), and
        documents with relative IRIs (which JSON-LD processors treat differently).

    Raises
    ------
    NotFoundError
        If a context URL is unpinned or unavailable (``details["url"]`` names it).
    InvalidInputError
        If a cached context fails its hash check, the document is not valid JSON-LD
        (``details["reason"] == "jsonld"``), or in safe mode uses undefined terms
        (``details["reason"] == "undefined_terms"``, ``details["terms"]``) or relative IRIs
        (``details["reason"] == "relative_iri"``).

    Notes
    -----
    Safe mode expands once with an extra lowest-priority ``@vocab``; only if that vocabulary
    was used (an undefined term, or a term mapped by a context's own ``@vocab``) does it expand
    a second time without it and compare the number of quads.

    Examples
    --------
    >>> from graph.jsonld import ContextManifest
    >>> loader = PinnedDocumentLoader(ContextManifest())
    >>> print(canonicalize({"@context": {"name": "https://schema.org/name"},
    ...                     "@id": "urn:x", "name": "Ada"}, loader=loader), end="")
    <urn:x> <https://schema.org/name> "Ada" .
    >>> canonicalize({"@context": {}, "@id": "urn:x", "nmae": "Ada"}, loader=loader)
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInputError: document uses terms no context defines: nmae
    """
    if safe:
        nquads = _to_nquads(_with_undefined_vocab(document), loader=loader)
        if _UNDEFINED_VOCAB in nquads:
            plain = _to_nquads(document, loader=loader)
            if len(set(plain.splitlines())) != len(set(nquads.splitlines())):
                terms = sorted(set(_UNDEFINED_TERM.findall(nquads)))
                raise InvalidInputError(
                    f"document uses terms no context defines: {', '.join(terms)}",
                    details={"reason": "undefined_terms", "terms": terms},
                )
            nquads = plain
        relative = sorted(set(_RELATIVE_IRI.findall(nquads)))
        if relative:
            raise InvalidInputError(
                f"document uses relative IRIs: {', '.join(relative)}",
                details={"reason": "relative_iri", "iris": relative},
            )
    else:
        nquads = _to_nquads(document, loader=loader)
    options = {
        "algorithm": "URDNA2015",
        "inputFormat": "application/n-quads",
        "format": "application/n-quads",
    }
    return str(jsonld.normalize(nquads, options))
