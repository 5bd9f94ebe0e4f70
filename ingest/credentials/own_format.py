"""The project's own credential format: records checked against its JSON Schemas, then built.

The JSON Schemas are ``ontologies/schemas/credential.schema.json`` and ``issuer.schema.json``
(draft 2020-12); every record is validated before any object is built.

A record is an **issuer** when its ``type`` is one of the issuer types (``institution``,
``consortium``, ``region``, ``industry_body``) — the same object that may be embedded as a
credential's ``issuer`` — and a **credential** otherwise. An issuer that appears more than once
(top-level or embedded) must be described identically each time.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from graph.model.credential_documents import credential_from_document, issuer_from_document
from graph.model.credentials import Credential, Issuer, IssuerType
from ingest.credentials.documents import SourceDocument
from ingest.credentials.formats import CredentialFile, Format, Located
from ingest.errors import IngestError

__all__ = [
    "CredentialSchemas",
    "load_credential_schemas",
    "read_credwalk_documents",
]

logger = logging.getLogger(__name__)


_ISSUER_TYPES = frozenset(t.value for t in IssuerType)


_SCALE = re.compile(r"^(\d+)-(\d+)$")


@dataclass(frozen=True, slots=True)
class CredentialSchemas:
    """Validators of the own format's credential and issuer records."""

    credential: Draft202012Validator
    issuer: Draft202012Validator


@functools.cache
def _load_schemas(schemas_dir: str) -> CredentialSchemas:
    resources: dict[str, Resource[Any]] = {}
    documents: dict[str, dict[str, Any]] = {}
    for name in ("credential", "issuer"):
        path = Path(schemas_dir) / f"{name}.schema.json"
        try:
            document = json.loads(path.read_bytes())
        except (OSError, ValueError) as e:
            raise IngestError(f"cannot read the schema: {e}", source=str(path)) from e
        Draft202012Validator.check_schema(document)
        documents[name] = document
        resources[document["$id"]] = Resource.from_contents(document)
    registry: Registry[Any] = Registry().with_resources(resources.items())
    return CredentialSchemas(
        credential=Draft202012Validator(documents["credential"], registry=registry),
        issuer=Draft202012Validator(documents["issuer"], registry=registry),
    )


def load_credential_schemas(schemas_dir: Path) -> CredentialSchemas:
    """Return the validators of the schemas in ``schemas_dir`` (read once per folder).

    Raises
    ------
    IngestError
        If a schema file is missing or not valid JSON.
    """
    return _load_schemas(str(schemas_dir.resolve()))


def _yaml_line(document: SourceDocument, steps: Sequence[Any]) -> int | None:
    """Return the line of the YAML node at ``steps`` (the record's line for JSON records)."""
    node = document.node
    if node is None:
        return document.line
    for step in steps:
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        elif isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == step), None)
            if found is None:
                break
            node = found
        else:
            break
    return int(node.start_mark.line) + 1


def _json_path(parts: Sequence[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _schema_error(document: SourceDocument, error: ValidationError, *, kind: str) -> IngestError:
    parts = list(error.absolute_path)
    key: str | None = None
    instance, expected, schema = error.instance, error.validator_value, error.schema
    if error.validator == "required" and isinstance(instance, Mapping):
        required = expected if isinstance(expected, list) else []
        key = next((k for k in required if k not in instance), None)
    elif error.validator == "additionalProperties" and isinstance(instance, Mapping):
        allowed = set(schema.get("properties", {})) if isinstance(schema, Mapping) else set()
        key = next((k for k in instance if k not in allowed), None)
    field = _json_path([*parts, key] if key is not None else parts)
    record_id = document.value.get("id") if isinstance(document.value, Mapping) else None
    who = f"{document.where}" + (f" ({kind} {record_id})" if record_id else f" ({kind})")
    detail: Any = expected if isinstance(expected, str | int | float | bool) else None
    if isinstance(expected, list) and all(isinstance(v, str) for v in expected):
        detail = list(expected)
    line = _yaml_line(
        document, [*parts, key] if error.validator == "additionalProperties" else parts
    )
    described = schema.get("description") if isinstance(schema, Mapping) else None
    hint = f"; expected: {described.rstrip('.')}" if described else ""
    if error.validator != "pattern":
        hint = ""
    return IngestError(
        f"{who}: field {field}: {error.message}{hint}",
        source=document.source,
        line=line,
        record=document.index,
        id=record_id,
        field=field,
        constraint=str(error.validator),
        expected=detail,
    )


def _check_levels(document: SourceDocument, record: Mapping[str, Any]) -> None:
    scale = _SCALE.match(str(record.get("level_scale", "1-8")))
    if scale is None:
        return
    low, high = int(scale.group(1)), int(scale.group(2))
    for i, skill in enumerate(record.get("skills", ())):
        level = skill.get("level")
        if level is not None and not low <= level <= high:
            field = f"$.skills[{i}].level"
            raise IngestError(
                f"{document.where} (credential {record.get('id')}): field {field}: level {level}"
                f" is outside the credential's level scale {low}-{high}",
                source=document.source,
                line=_yaml_line(document, ["skills", i, "level"]),
                record=document.index,
                id=record.get("id"),
                field=field,
            )


def read_credwalk_documents(
    documents: Sequence[SourceDocument], *, schemas: CredentialSchemas
) -> CredentialFile:
    """Validate and read records of the project's own format.

    Raises
    ------
    IngestError
        If a record is not an object, breaks its schema (the message names the record, its id,
        the JSON path of the field and what was expected), has a skill level outside its level
        scale, repeats an id, or describes an issuer differently from another record.
    """
    source = documents[0].source if documents else ""
    issuers: dict[str, tuple[Located[Issuer], SourceDocument]] = {}
    credentials: dict[str, tuple[Located[Credential], SourceDocument]] = {}
    for document in documents:
        record = document.value
        if not isinstance(record, Mapping):
            raise IngestError(
                f"{document.where}: expected an object, found {type(record).__name__}",
                source=document.source,
                line=document.line,
                record=document.index,
            )
        is_issuer = record.get("type") in _ISSUER_TYPES
        validator = schemas.issuer if is_issuer else schemas.credential
        error = best_match(validator.iter_errors(record))
        if error is not None:
            if record.get("type") == "Issuer":
                error.message += (
                    "; an issuer record's type is its kind: institution, consortium, region"
                    " or industry_body"
                )
            raise _schema_error(document, error, kind="issuer" if is_issuer else "credential")
        if is_issuer:
            _add_issuer(issuers, issuer_from_document(record), document)
            continue
        _check_levels(document, record)
        credential = credential_from_document(record)
        if isinstance(record["issuer"], Mapping):
            _add_issuer(issuers, issuer_from_document(record["issuer"]), document)
        if credential.id in credentials:
            first = credentials[credential.id][1]
            raise IngestError(
                f"{document.where}: credential {credential.id} is already described by"
                f" {first.where}",
                source=document.source,
                line=document.line,
                record=document.index,
                id=credential.id,
                field="$.id",
            )
        credentials[credential.id] = (
            Located(credential, document.source, document.index, document.line, credential.id),
            document,
        )
    logger.info(
        "read %d credentials and %d issuers from %s", len(credentials), len(issuers), source
    )
    return CredentialFile(
        source=source,
        format=Format.CREDWALK,
        issuers=tuple(item for item, _ in issuers.values()),
        credentials=tuple(item for item, _ in credentials.values()),
    )


def _add_issuer(
    issuers: dict[str, tuple[Located[Issuer], SourceDocument]],
    issuer: Issuer,
    document: SourceDocument,
) -> None:
    known = issuers.get(issuer.id)
    if known is None:
        located = Located(issuer, document.source, document.index, document.line, issuer.id)
        issuers[issuer.id] = (located, document)
    elif known[0].value != issuer:
        raise IngestError(
            f"{document.where}: issuer {issuer.id} is described differently in {known[1].where}",
            source=document.source,
            line=document.line,
            record=document.index,
            id=issuer.id,
            field="$.issuer",
        )
