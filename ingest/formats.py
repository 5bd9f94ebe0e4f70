"""Credential formats: what a reader returns, format detection, and linked-data reading.

Every credential reader (the project's own format, CTDL, Open Badges 3.0, ELM) takes the records
of one file (:class:`SourceDocument`, parsed by :mod:`ingest.credentials` with the line where
each starts) and returns a :class:`CredentialFile`: model objects, each with the file, record and
line it came from, and the records it skipped with the reason. This module holds what the readers
share:

- recognising the format of a record (:func:`detect_format`);
- JSON-LD flattening through a pinned document loader, never through pyld's process-wide
  context cache (:func:`flatten_jsonld`), helpers to read the flattened nodes (:class:`NodeMap`),
  and local stand-ins for contexts that are not available offline (:func:`stand_in_loader`);
- language tags and country codes as the readers find them (names, ISO 639-2, EU IRIs).

Readers are pure: they read records and return objects; they never touch a store.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from graph.errors import CredwalkError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.model.concepts import Concept, ConceptScheme, Relation
from graph.model.credentials import Credential, Issuer
from graph.reference.jurisdictions import Jurisdictions
from ingest.errors import IngestError

__all__ = [
    "CredentialFile",
    "DocumentLoader",
    "Format",
    "Located",
    "NodeMap",
    "Skipped",
    "SourceDocument",
    "StandInDocumentLoader",
    "context_resolver",
    "country_code",
    "detect_format",
    "flatten_jsonld",
    "jws_payload",
    "language_tag",
    "stand_in_loader",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: A pyld document loader: ``(url, options) -> RemoteDocument``.
DocumentLoader = Callable[[str, Mapping[str, Any] | None], dict[str, Any]]


class Format(StrEnum):
    """The formats of credential files; ``JSON_SCHEMA`` and ``XML`` are recognised to be skipped."""

    CREDWALK = "credwalk"
    CTDL = "ctdl"
    OPEN_BADGES = "open_badges"
    ELM = "elm"
    JSON_SCHEMA = "json_schema"
    XML = "xml"


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One record of a file: a top-level value (or array item, line, YAML document).

    ``line`` is the 1-based line where the record starts; ``node`` is the YAML node of a YAML
    record, so that errors can name the line of a field.
    """

    value: Any
    source: str
    index: int
    line: int | None = None
    node: Any = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        """A short description of the record for messages."""
        return f"record {self.index}"


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A model object and where it was read: ``pointer`` is its IRI or JSON path in the record."""

    value: T
    source: str
    index: int
    line: int | None = None
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record or resource a reader did not turn into model objects, and why."""

    source: str
    index: int
    line: int | None
    reason: str
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class CredentialFile:
    """Everything read from one file; a file with any error is rejected whole, never partly.

    Competency frameworks (CTDL-ASN) come as concept ``schemes``, ``concepts`` (skills of the
    issuer's own framework) and their ``relations``.
    """

    source: str
    format: Format
    issuers: tuple[Located[Issuer], ...] = ()
    credentials: tuple[Located[Credential], ...] = ()
    schemes: tuple[Located[ConceptScheme], ...] = ()
    concepts: tuple[Located[Concept], ...] = ()
    relations: tuple[Relation, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    def credential(self, credential_id: str) -> Credential:
        """Return the credential with this id.

        Raises
        ------
        NotFoundError
            If the file holds no such credential.
        """
        for item in self.credentials:
            if item.value.id == credential_id:
                return item.value
        raise NotFoundError(f"{self.source} holds no credential {credential_id}")

    def issuer(self, issuer_id: str) -> Issuer | None:
        """Return the issuer with this id if the file describes it."""
        return next((i.value for i in self.issuers if i.value.id == issuer_id), None)


# --- format detection -------------------------------------------------------------------------


def _contexts(value: Mapping[str, Any]) -> list[str]:
    context = value.get("@context")
    items = context if isinstance(context, list) else [context]
    return [c for c in items if isinstance(c, str)]


def _types(value: Mapping[str, Any]) -> set[str]:
    found = value.get("type", value.get("@type"))
    return {t for t in (found if isinstance(found, list) else [found]) if isinstance(t, str)}


def _has_ctdl_keys(value: Mapping[str, Any]) -> bool:
    nodes = [value, *(n for n in value.get("@graph", ()) if isinstance(n, Mapping))]
    return any(key.startswith(("ceterms:", "ceasn:")) for node in nodes for key in node)


def jws_payload(payload: str) -> Any:
    """Return the JSON value of a JWS JSON serialisation's ``payload``.

    The payload is base64url unless the header says ``b64: false`` (as EDC's do), in which case
    it is the JSON text itself.

    Raises
    ------
    json.JSONDecodeError
        If the payload is not JSON (a ``ValueError``; its position is in the payload).
    """
    if not payload.lstrip().startswith(("{", "[")):
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            padded = payload + "=" * (-len(payload) % 4)
            payload = base64.urlsafe_b64decode(padded).decode("utf-8")
    return json.loads(payload)


def detect_format(value: Any) -> Format | None:
    """Return the format of one record, or None when it is not one credwalk reads.

    - ELM: the EDC context, ``EuropeanDigitalCredential``, the ``{"credential": ...}`` upload
      wrapper or a JWS JSON serialisation (``payload``) of one;
    - Open Badges 3.0: an OB 3.0 context or an OB credential/achievement type;
    - a JSON Schema (``$schema``; CTDL publishes some), recognised in order to be skipped;
    - the project's own format: an object with no ``@context``.
    """
    if not isinstance(value, Mapping):
        return None
    if isinstance(value.get("payload"), str) and ("signatures" in value or "protected" in value):
        try:
            inner = jws_payload(value["payload"])
        except ValueError:
            return None
        return Format.ELM if detect_format(inner) is Format.ELM else None
    if set(value) == {"credential"} and isinstance(value["credential"], Mapping):
        return Format.ELM if detect_format(value["credential"]) is Format.ELM else None
    contexts, types = _contexts(value), _types(value)
    if any("data.europa.eu/snb/model/context" in c for c in contexts) or (
        "EuropeanDigitalCredential" in types
    ):
        return Format.ELM
    ob_types = {"OpenBadgeCredential", "AchievementCredential", "Achievement"}
    if any("purl.imsglobal.org/spec/ob/v3p0" in c for c in contexts) or types & ob_types:
        return Format.OPEN_BADGES
    if "$schema" in value:
        return Format.JSON_SCHEMA
    if any("credreg.net/ctdl" in c for c in contexts) or _has_ctdl_keys(value):
        return Format.CTDL
    if "@context" not in value and "@graph" not in value:
        return Format.CREDWALK
    return None


# --- JSON-LD --------------------------------------------------------------------------------


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


# --- small vocabularies shared by the readers ---------------------------------------------------

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))*$")
#: English names and ISO 639-2 codes of the languages credentials are mostly published in.
_LANGUAGE_NAMES = """
en english eng|fr french fra fre|de german deu ger|es spanish spa|it italian ita|nl dutch nld dut
pt portuguese por|pl polish pol|ga irish gle|el greek ell gre|sv swedish swe|da danish dan
fi finnish fin|cs czech ces cze|sk slovak slk slo|sl slovenian slv|hu hungarian hun
ro romanian ron rum|bg bulgarian bul|hr croatian hrv|et estonian est|lv latvian lav
lt lithuanian lit|mt maltese mlt|no norwegian nor|is icelandic isl ice|tr turkish tur
uk ukrainian ukr
"""
_LANGUAGES = {
    name: words[0]
    for entry in _LANGUAGE_NAMES.replace("\n", "|").split("|")
    if (words := entry.split())
    for name in words[1:]
}


def language_tag(value: str | None) -> str | None:
    """Return a BCP 47 tag (``en``, ``en-US``) for a tag, an English name or an ISO 639-2 code.

    Accepts an EU language authority IRI (``.../language/ENG``); returns None if unknown.
    """
    if not value:
        return None
    raw = value.strip().rsplit("/", 1)[-1]
    known = _LANGUAGES.get(raw.casefold())
    if known is not None:
        return known
    if not _TAG.match(raw) or len(raw.split("-")[0]) == 3:
        return None
    primary, *rest = re.split(r"[-_]", raw)
    return "-".join([primary.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


def country_code(value: str | None, jurisdictions: Jurisdictions | None) -> str | None:
    """Return the jurisdiction code of a country code, EU authority IRI or English name.

    Without a jurisdiction table only two-letter codes are recognised.
    """
    if not value or not value.strip():
        return None
    raw = value.strip()
    if jurisdictions is None:
        return raw.upper() if re.fullmatch(r"[A-Za-z]{2}", raw) else None
    try:
        return jurisdictions.normalise(raw)
    except CredwalkError:
        folded = raw.casefold()
        return next((j.code for j in jurisdictions if j.name.casefold() == folded), None)
