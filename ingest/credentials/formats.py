"""Credential formats: what a reader returns, and recognising the format of a record.

Every credential reader (the project's own format, CTDL, Open Badges 3.0, ELM) takes the records
of one file (:class:`~ingest.credentials.documents.SourceDocument`, with the line where each
starts) and returns a :class:`CredentialFile`: model objects, each with the file, record and line
it came from, and the records it skipped with the reason. :func:`detect_format` recognises the
format of a record. Readers are pure: they read records and return objects; they never touch a
store.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from graph.errors import NotFoundError
from graph.model.concepts import Concept, ConceptScheme, Relation
from graph.model.credentials import Credential, Issuer

__all__ = ["CredentialFile", "Format", "Located", "Skipped", "T", "detect_format", "jws_payload"]


T = TypeVar("T")


class Format(StrEnum):
    """The formats of credential files; ``JSON_SCHEMA`` and ``XML`` are recognised to be skipped."""

    CREDWALK = "credwalk"
    CTDL = "ctdl"
    OPEN_BADGES = "open_badges"
    ELM = "elm"
    JSON_SCHEMA = "json_schema"
    XML = "xml"


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
