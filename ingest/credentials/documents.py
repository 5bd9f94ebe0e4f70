"""Credential files parsed into records that know where they start.

A file is read under a size limit (:func:`read_text`) and parsed as JSON (one value or an array,
whose items are the records), JSON Lines or YAML (one document, a list, or several documents)
into :class:`SourceDocument` records, so that every record knows the line where it starts and
every syntax error names its line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import PayloadTooLargeError
from ingest.errors import IngestError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SourceDocument",
    "parse_documents",
    "read_source_documents",
    "read_text",
]


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


def file_syntax(path: Path) -> str | None:
    return _SYNTAX.get(path.suffix.lower())


def read_source_documents(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[SourceDocument]:
    """Read a JSON, JSON Lines or YAML file into records (see :func:`parse_documents`)."""
    text = read_text(path, max_bytes=max_bytes)
    return parse_documents(text, source=str(path), syntax=file_syntax(path))


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
