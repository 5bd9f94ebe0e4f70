"""Reading JSON-LD credentials: flattening through pinned contexts, and the flattened nodes.

JSON-LD is flattened through a pinned document loader, never through pyld's process-wide
context cache (:func:`flatten_jsonld`); :class:`NodeMap` reads the flattened nodes; local
stand-ins replace contexts that are not available offline (:func:`stand_in_loader`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from graph.errors import CredwalkError
from graph.jsonld import PinnedDocumentLoader
from ingest.credentials.documents import SourceDocument
from ingest.errors import IngestError

__all__ = [
    "DocumentLoader",
    "NodeMap",
    "StandInDocumentLoader",
    "context_resolver",
    "flatten_jsonld",
    "stand_in_loader",
]

logger = logging.getLogger(__name__)


#: A pyld document loader: ``(url, options) -> RemoteDocument``.
DocumentLoader = Callable[[str, Mapping[str, Any] | None], dict[str, Any]]


_POSITION = frozenset({"source", "line", "column"})


def _credwalk_cause(error: BaseException) -> CredwalkError | None:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not s for s in seen):
        if isinstance(current, CredwalkError):
            return current
        seen.append(current)
        current = current.__cause__ or current.__context__
    return None


def flatten_jsonld(
    value: Mapping[str, Any],
    *,
    document: SourceDocument,
    loader: DocumentLoader,
    resolver: Any,
    base: str | None = None,
) -> NodeMap:
    """Flatten a JSON-LD record through ``loader`` and return its nodes by ``@id``.

    ``resolver`` is a pyld ``ContextResolver`` with a private cache (never pyld's process-wide
    one, where a context resolved through another loader could stand in for a pinned one).
    Nodes of named graphs (CTDL registry envelopes) are included with the default graph's.

    Raises
    ------
    IngestError
        If a context is not pinned or not available (``details["url"]`` names it), or the
        record is not valid JSON-LD.
    """
    options: dict[str, Any] = {"documentLoader": loader, "contextResolver": resolver}
    if base is not None:
        options["base"] = base
    try:
        flat = jsonld.flatten(dict(value), None, options)
    except jsonld.JsonLdError as e:
        ours = _credwalk_cause(e)
        if ours is not None:
            # The loader's error names the URL; keep its details, in the file's terms.
            details = {k: v for k, v in ours.details.items() if k not in _POSITION}
            raise IngestError(
                f"{document.where}: {ours.message}",
                source=document.source,
                line=document.line,
                record=document.index,
                **details,
            ) from e
        root = e
        while isinstance(root.__cause__, jsonld.JsonLdError):
            root = root.__cause__
        raise IngestError(
            f"{document.where}: not valid JSON-LD: {root.args[0] if root.args else root}",
            source=document.source,
            line=document.line,
            record=document.index,
            reason="jsonld",
        ) from e
    return NodeMap(flat)


def context_resolver(loader: DocumentLoader) -> Any:
    """Return a pyld context resolver over ``loader`` with its own private cache."""
    return ContextResolver({}, loader)


class NodeMap:
    """The nodes of a flattened JSON-LD document, by ``@id``, with typed accessors."""

    def __init__(self, flat: Sequence[Mapping[str, Any]]) -> None:
        self.nodes: dict[str, Mapping[str, Any]] = {}
        for node in flat:
            if "@id" in node:
                self.nodes[node["@id"]] = node
            for inner in node.get("@graph", ()):
                if "@id" in inner:
                    self.nodes[inner["@id"]] = inner

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self.nodes.values())

    def get(self, node_id: str) -> Mapping[str, Any] | None:
        """Return the node with this ``@id``, if the document describes it."""
        return self.nodes.get(node_id)

    def objects(self, node: Mapping[str, Any], prop: str) -> list[Mapping[str, Any]]:
        """Return the nodes ``node`` points to through ``prop`` that the document describes."""
        found = [self.nodes.get(ref) for ref in self.refs(node, prop)]
        return [n for n in found if n is not None]

    @staticmethod
    def refs(node: Mapping[str, Any], prop: str) -> list[str]:
        """Return the IRIs (or plain strings) ``node`` has for ``prop``."""
        out: list[str] = []
        for item in node.get(prop, ()):
            if "@id" in item:
                out.append(str(item["@id"]))
            elif isinstance(item.get("@value"), str):
                out.append(item["@value"])
        return out

    @staticmethod
    def literals(node: Mapping[str, Any], prop: str) -> list[tuple[Any, str | None]]:
        """Return the literal values of ``prop`` with their language tags."""
        return [
            (item["@value"], item.get("@language"))
            for item in node.get(prop, ())
            if "@value" in item
        ]

    @staticmethod
    def text(
        node: Mapping[str, Any], prop: str, language: str = "en"
    ) -> tuple[str, str | None] | None:
        """Return one text of ``prop``: in ``language`` if there is one, else the first.

        The result keeps the language tag of the chosen text.
        """
        values = [
            (str(v).strip(), lang)
            for v, lang in NodeMap.literals(node, prop)
            if isinstance(v, str) and v.strip()
        ]
        if not values:
            return None
        primary = language.split("-")[0].lower()
        for text, lang in values:
            if lang is not None and lang.split("-")[0].lower() == primary:
                return text, lang
        untagged = [v for v in values if v[1] is None]
        return untagged[0] if untagged else values[0]

    @staticmethod
    def types(node: Mapping[str, Any]) -> list[str]:
        """Return the local names of the node's types (``.../Course`` -> ``Course``)."""
        return [re.split(r"[/#:]", t)[-1] for t in node.get("@type", ())]


class StandInDocumentLoader:
    """A pyld document loader: the pinned loader, plus local stand-ins for listed context URLs.

    A stand-in is a project-authored context served in place of a published one that is not
    available offline (the CTDL context). Only the URLs of the manifest's ``stand_ins`` section
    get one (see :func:`stand_in_loader`); every other URL goes to the pinned loader.

    Parameters
    ----------
    pinned : PinnedDocumentLoader
        Serves every URL that has no stand-in.
    stand_ins : mapping of str to str
        Context URL -> the JSON text of its stand-in, already checked against its pinned hash.
    """

    def __init__(self, pinned: PinnedDocumentLoader, stand_ins: Mapping[str, str]) -> None:
        self.pinned = pinned
        self.manifest = pinned.manifest
        self.stand_ins: Mapping[str, str] = MappingProxyType(dict(stand_ins))
        # A private cache: contexts resolved here never reach pyld's process-wide one.
        self.resolver = context_resolver(self)

    def __repr__(self) -> str:
        return f"StandInDocumentLoader(stand_ins={sorted(self.stand_ins)}, pinned={self.pinned!r})"

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return the RemoteDocument of ``url``: its stand-in, or the pinned context."""
        text = self.stand_ins.get(url)
        if text is None:
            return self.pinned(url, options)
        logger.debug("context %s served by its local stand-in", url)
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads(text),
            "tag": "static",
        }


def stand_in_loader(pinned: PinnedDocumentLoader, *, manifest_path: Path) -> StandInDocumentLoader:
    """Return a loader that also serves the stand-ins pinned in the manifest's ``stand_ins``.

    Each entry maps a context URL to a file next to the manifest and the SHA-256 of its bytes.

    Raises
    ------
    IngestError
        If the manifest has no valid ``stand_ins`` section, or a stand-in file is missing or
        does not match its pinned SHA-256.
    """
    try:
        entries = json.loads(manifest_path.read_bytes())["stand_ins"]
        pins = {url: (str(e["file"]), str(e["sha256"])) for url, e in entries.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise IngestError(f"no valid 'stand_ins' section: {e}", source=str(manifest_path)) from e
    stand_ins: dict[str, str] = {}
    for url, (name, sha256) in pins.items():
        path = manifest_path.parent / name
        try:
            data = path.read_bytes()
        except OSError as e:
            raise IngestError(f"the stand-in for {url} is missing", source=str(path)) from e
        if hashlib.sha256(data).hexdigest() != sha256:
            raise IngestError(
                f"the stand-in for {url} does not match its pinned SHA-256",
                source=str(path),
                url=url,
                reason="context_hash_mismatch",
            )
        stand_ins[url] = data.decode("utf-8")
    return StandInDocumentLoader(pinned, stand_ins)
