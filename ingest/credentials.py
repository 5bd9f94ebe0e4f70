"""Reading a credential file of any format, and the project's own format.

A file is read under a size limit and parsed as JSON (one value or an array, whose items are the
records), JSON Lines or YAML (one document, a list, or several documents), so that every record
knows the line where it starts and every syntax error names its line and column. Then
:func:`read_credential_file` recognises the format (own, CTDL JSON-LD, Open Badges 3.0, ELM)
and hands the records to the matching reader. Any error rejects the whole file.

The own format's JSON Schemas are ``ontologies/schemas/credential.schema.json`` and
``issuer.schema.json`` (draft 2020-12); every record is validated before any object is built.

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

from graph.errors import PayloadTooLargeError
from graph.jsonld import PinnedDocumentLoader
from graph.model.credential_documents import credential_from_document, issuer_from_document
from graph.model.credentials import Credential, Issuer, IssuerType
from graph.reference.jurisdictions import Jurisdictions
from ingest.ctdl import read_ctdl
from ingest.elm import read_elm, read_elm_turtle
from ingest.errors import IngestError
from ingest.formats import (
    CredentialFile,
    Format,
    Located,
    Skipped,
    SourceDocument,
    detect_format,
    stand_in_loader,
)
from ingest.open_badges import read_open_badges

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ONTOLOGIES_DIR",
    "CredentialSchemas",
    "load_credential_schemas",
    "parse_documents",
    "read_credential_file",
    "read_credwalk_documents",
    "read_source_documents",
    "read_text",
]

logger = logging.getLogger(__name__)

#: The project's ``ontologies/`` folder (the default of ``Settings.ontologies_dir``).
ONTOLOGIES_DIR = Path(__file__).resolve().parents[1] / "ontologies"
_ISSUER_TYPES = frozenset(t.value for t in IssuerType)
_SCALE = re.compile(r"^(\d+)-(\d+)$")
#: Default size limit of one credential file; the largest published example is 150 KiB.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the UTF-8 text of a file no larger than ``max_bytes``.

    Raises
    ------
    PayloadTooLargeError
        If the file is larger than ``max_bytes`` (``details["limit"]``).
    IngestError
        If the file cannot be read or is not UTF-8 (with the line and column of the bad byte).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as e:
        raise IngestError(f"cannot read the file: {e.strerror or e}", source=str(path)) from e
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"{path}: the file is larger than the limit of {max_bytes} bytes",
            details={"source": str(path), "limit": max_bytes},
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise IngestError(
            "the file is not UTF-8 text", source=str(path), line=line, column=column
        ) from e


_SYNTAX = {".json": "json", ".jsonld": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".yaml": "yaml", ".yml": "yaml"}  # fmt: skip


def _syntax(path: Path) -> str | None:
    return _SYNTAX.get(path.suffix.lower())


def read_source_documents(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[SourceDocument]:
    """Read a JSON, JSON Lines or YAML file into records (see :func:`parse_documents`)."""
    text = read_text(path, max_bytes=max_bytes)
    return parse_documents(text, source=str(path), syntax=_syntax(path))


def parse_documents(text: str, *, source: str, syntax: str | None = None) -> list[SourceDocument]:
    """Split a file's text into records, each with the line where it starts.

    A JSON file holds one value, or an array whose items are the records; JSON Lines one value
    per line; YAML one document, a list (whose items are the records), or several documents.
    ``syntax`` is ``"json"``, ``"jsonl"``, ``"yaml"`` or None to guess from the text.

    Raises
    ------
    IngestError
        On a syntax error (with its line and column), NaN/Infinity, duplicate keys or YAML
        aliases (which could make a small file expand to a huge one).
    """
    if syntax is None:
        stripped = text.lstrip()
        syntax = "json" if stripped[:1] in ("{", "[") else "yaml"
    if syntax == "jsonl":
        return _parse_json_lines(text, source=source)
    if syntax == "yaml":
        return _parse_yaml(text, source=source)
    try:
        return _parse_json(text, source=source)
    except IngestError as e:
        # A .json file may hold JSON Lines; say so only when its first line is a whole value.
        if e.details.get("reason") == "extra_data" and _first_line_is_value(text):
            return _parse_json_lines(text, source=source)
        raise


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
_WS = re.compile(r"[ \t\r\n]*")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decode_at(text: str, offset: int, *, source: str, line_base: int = 0) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, offset)
    except json.JSONDecodeError as e:
        raise IngestError(
            f"invalid JSON: {e.msg}", source=source, line=e.lineno + line_base, column=e.colno
        ) from e
    except ValueError as e:
        # Raised by the hooks: the decoder does not say where, so name the record's start.
        line, column = _position(text, offset)
        raise IngestError(
            f"invalid JSON: {e}", source=source, line=line + line_base, column=column
        ) from e


def _parse_json(text: str, *, source: str) -> list[SourceDocument]:
    start = _WS.match(text, 0)
    offset = start.end() if start else 0
    if offset >= len(text):
        raise IngestError("the file is empty", source=source)
    if text[offset] != "[":
        value, end = _decode_at(text, offset, source=source)
        _expect_end(text, end, source=source)
        return [SourceDocument(value, source, 0, _position(text, offset)[0])]
    documents: list[SourceDocument] = []
    offset = _skip_ws(text, offset + 1)
    if text[offset : offset + 1] == "]":
        _expect_end(text, offset + 1, source=source)
        return documents
    while True:
        value, end = _decode_at(text, offset, source=source)
        documents.append(SourceDocument(value, source, len(documents), _position(text, offset)[0]))
        offset = _skip_ws(text, end)
        char = text[offset : offset + 1]
        if char == "]":
            _expect_end(text, offset + 1, source=source)
            return documents
        if char != ",":
            line, column = _position(text, offset)
            raise IngestError(
                "invalid JSON: expected ',' or ']' after an array item",
                source=source,
                line=line,
                column=column,
            )
        offset = _skip_ws(text, offset + 1)


def _skip_ws(text: str, offset: int) -> int:
    found = _WS.match(text, offset)
    return found.end() if found else offset


def _expect_end(text: str, offset: int, *, source: str) -> None:
    offset = _skip_ws(text, offset)
    if offset < len(text):
        line, column = _position(text, offset)
        raise IngestError(
            "invalid JSON: extra data after the top-level value",
            source=source,
            line=line,
            column=column,
            reason="extra_data",
        )


def _first_line_is_value(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


def _parse_json_lines(text: str, *, source: str) -> list[SourceDocument]:
    documents: list[SourceDocument] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        value, end = _decode_at(line, 0, source=source, line_base=number - 1)
        rest = line[end:]
        if rest.strip():
            raise IngestError(
                "invalid JSON Lines: more than one value on the line",
                source=source,
                line=number,
                column=end + len(rest) - len(rest.lstrip()) + 1,
            )
        documents.append(SourceDocument(value, source, len(documents), number))
    if not documents:
        raise IngestError("the file is empty", source=source)
    return documents


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML without the YAML 1.1 surprises: ``NO`` stays a string, dates stay text."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _parse_yaml(text: str, *, source: str) -> list[SourceDocument]:
    loader = _YamlLoader(text)
    documents: list[SourceDocument] = []
    try:
        for event in yaml.parse(text, Loader=_YamlLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise IngestError(
                    "YAML aliases are not accepted in credential files",
                    source=source,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            for item in items:
                value = loader.construct_document(item)
                documents.append(
                    SourceDocument(value, source, len(documents), item.start_mark.line + 1, item)
                )
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise IngestError(
            f"invalid YAML: {e.problem or e.context}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from e
    except yaml.YAMLError as e:
        raise IngestError(f"invalid YAML: {e}", source=source) from e
    finally:
        loader.dispose()
    if not documents:
        raise IngestError("the file is empty", source=source)
    return documents


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


def _file_format(documents: Sequence[SourceDocument], *, loader: PinnedDocumentLoader) -> Format:
    found: Format | None = None
    for document in documents:
        fmt = detect_format(document.value)
        if fmt is None:
            value = document.value
            contexts = value.get("@context") if isinstance(value, Mapping) else None
            urls = [
                c
                for c in (contexts if isinstance(contexts, list) else [contexts])
                if isinstance(c, str)
            ]
            unpinned = [u for u in urls if u not in loader.manifest.entries]
            hint = f"; its @context {unpinned[0]} is not pinned" if unpinned else ""
            raise IngestError(
                f"{document.where}: not a format credwalk reads (own JSON/YAML, CTDL JSON-LD,"
                f" Open Badges 3.0, ELM){hint}",
                source=document.source,
                line=document.line,
                record=document.index,
                reason="unknown_format",
                url=unpinned[0] if unpinned else None,
            )
        if found is not None and fmt is not found:
            raise IngestError(
                f"{document.where}: is {fmt.value} but the records before it are {found.value};"
                " a file holds one format",
                source=document.source,
                line=document.line,
                record=document.index,
                reason="mixed_formats",
            )
        found = fmt
    assert found is not None  # parse_documents never returns no records
    return found


def read_credential_file(
    path: Path,
    *,
    loader: PinnedDocumentLoader,
    ontologies_dir: Path = ONTOLOGIES_DIR,
    jurisdictions: Jurisdictions | None = None,
    language: str = "en",
    max_bytes: int = DEFAULT_MAX_BYTES,
    base: str | None = None,
) -> CredentialFile:
    """Read a credential file of any supported format; nothing is returned if anything fails.

    JSON and YAML records are recognised by :func:`ingest.formats.detect_format`; a Turtle file
    (``.ttl``) is read as ELM RDF; XML (the ELM v2 diploma supplement) and JSON Schemas are
    skipped with the reason in ``skipped``.

    Parameters
    ----------
    path : Path
        A JSON, JSON Lines or YAML file.
    loader : PinnedDocumentLoader
        Serves the JSON-LD contexts; only pinned ones are ever used.
    ontologies_dir : Path
        The project's ``ontologies/`` folder (schemas, the CTDL context stand-in).
    jurisdictions : Jurisdictions, optional
        Resolves country names and EU country IRIs; without it only two-letter codes are kept.
    language : str
        The language to pick from multilingual texts when there is a choice.
    max_bytes : int
        The size limit of the file.
    base : str, optional
        Base IRI for relative IRIs in JSON-LD (default: the file's ``file:`` URI).

    Raises
    ------
    PayloadTooLargeError
        If the file is larger than ``max_bytes``.
    IngestError
        On invalid JSON/YAML (with line and column), an unknown format, an unpinned JSON-LD
        context (``details["url"]``), or an invalid record.
    """
    source = str(path)
    text = read_text(path, max_bytes=max_bytes)
    head = text.lstrip()[:200]
    if head.startswith("<"):
        reason = "XML (e.g. an ELM v2 / Europass XML diploma supplement) is not read"
        logger.info("skipped %s: %s", source, reason)
        return CredentialFile(source, Format.XML, skipped=(Skipped(source, 0, 1, reason),))
    if path.suffix.lower() == ".ttl" or re.match(r"(?i)@?prefix\s", head):
        return read_elm_turtle(text, source=source, jurisdictions=jurisdictions, language=language)
    documents = parse_documents(text, source=source, syntax=_syntax(path))
    if not documents:
        return CredentialFile(source, Format.CREDWALK)
    fmt = _file_format(documents, loader=loader)
    if fmt is Format.JSON_SCHEMA:
        reason = "a JSON Schema, not a credential document"
        logger.info("skipped %s: %s", source, reason)
        skipped = tuple(Skipped(source, d.index, d.line, reason) for d in documents)
        return CredentialFile(source=source, format=fmt, skipped=skipped)
    if fmt is Format.CREDWALK:
        schemas = load_credential_schemas(ontologies_dir / "schemas")
        return read_credwalk_documents(documents, schemas=schemas)
    options: dict[str, Any] = {"jurisdictions": jurisdictions, "language": language}
    if fmt is Format.CTDL:
        manifest = ontologies_dir / "contexts" / "manifest.json"
        ctdl_loader = stand_in_loader(loader, manifest_path=manifest)
        return read_ctdl(
            documents, loader=ctdl_loader, base=base or path.resolve().as_uri(), **options
        )
    if fmt is Format.OPEN_BADGES:
        return read_open_badges(documents, loader=loader, **options)
    return read_elm(documents, loader=loader, **options)
