"""The dump format: a whole store as JSON Lines that round-trips exactly (format version 1).

A dump is UTF-8 text, one JSON object a line (keys sorted, no blank line). Line 1 is the
header::

    {"credwalk": "0.1.0", "dimension": 384, "embedding_model": "all-MiniLM-L6-v2",
     "format": "credwalk-dump", "format_version": 1}

``embedding_model`` and ``dimension`` are those of the texts' vectors (both null when no text
has one). Then one line per item, its kind in ``"item"``, the kinds in the order
:meth:`~graph.store.GraphStore.dump` yields them:

- ``scheme``: ``uri``, ``framework``, ``title``, ``version``, ``publisher``, ``jurisdiction``;
- ``concept``: the concept's document (:func:`graph.model.concept_documents.concept_document`);
- ``text``: ``uri`` (its concept), ``field``, ``lang``, ``text``, ``terms`` and ``vector``:
  base64 of the little-endian float32 values, bit-exact (null: indexed lexically only); the
  texts of one concept are on consecutive lines;
- ``record``: ``uri``, ``kind``, ``version``, ``body``, ``index``;
- ``relation``: ``source``, ``type``, ``target``, and ``level``, ``weight``, ``status``,
  ``provenance`` when set.

The last line is the trailer, ``{"counts": {"concepts": 2, "records": 5, "relations": 3,
"schemes": 1, "texts": 4}, "item": "end"}``, counting the lines before it: a file without it,
or holding other counts, was cut short or changed.

Nothing in a dump differs between two dumps of equal stores (no time, no backend name): they
are byte-identical. Reading names the line, the field and what was expected of anything wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import IO, Any

import numpy as np

from graph.errors import InvalidInputError
from graph.model.concept_documents import (
    concept_document,
    concept_from_document,
    dumps,
    relation_from_props,
    relation_props_document,
    scheme_document,
)
from graph.model.concepts import (
    Concept,
    ConceptScheme,
    LabelKind,
    NodeKind,
    ProvenanceKind,
    Relation,
    RelationType,
    SkillType,
)
from graph.store import DumpItem, IndexedText, Record, StoreContents, TextField, Vector

__all__ = [
    "COUNTED",
    "END",
    "FORMAT",
    "FORMAT_VERSION",
    "ITEM_KINDS",
    "MAX_LINE_BYTES",
    "DumpHeader",
    "bad_line",
    "is_trailer",
    "item_line",
    "parse_header",
    "parse_item",
    "parse_trailer",
    "read_documents",
    "trailer_line",
]

FORMAT = "credwalk-dump"
FORMAT_VERSION = 1
#: The kinds of item lines, in the order a dump lists them.
ITEM_KINDS = ("scheme", "concept", "text", "record", "relation")
#: The names of the trailer's counts, one per kind of item.
COUNTED = tuple(f"{kind}s" for kind in ITEM_KINDS)
#: The ``"item"`` of the trailer, the last line.
END = "end"
#: The longest line read (a record's document is the largest item; a proof is a few KiB).
MAX_LINE_BYTES = 16 * 2**20


@dataclass(frozen=True, slots=True)
class DumpHeader:
    """The first line of a dump: the vectors' model and length, and who wrote it."""

    embedding_model: str | None
    dimension: int | None
    credwalk: str
    format_version: int = FORMAT_VERSION

    @classmethod
    def of(cls, contents: StoreContents) -> DumpHeader:
        """The header of a dump of a store holding ``contents``, written by this credwalk."""
        return cls(
            embedding_model=contents.embedding_model,
            dimension=contents.dimension,
            credwalk=_credwalk_version(),
        )

    def line(self) -> bytes:
        """The header as a line of the dump."""
        document = {
            "format": FORMAT,
            "format_version": self.format_version,
            "credwalk": self.credwalk,
            "embedding_model": self.embedding_model,
            "dimension": self.dimension,
        }
        return (dumps(document) + "\n").encode("utf-8")


def _credwalk_version() -> str:
    try:
        return metadata.version("credwalk")
    except metadata.PackageNotFoundError:
        return "unknown"


def bad_line(line: int, message: str, **details: Any) -> InvalidInputError:
    """The error for line ``line`` of a dump (``details``: field, expected, ...)."""
    return InvalidInputError(f"line {line}: {message}", details={"line": line, **details})


# -- writing ---------------------------------------------------------------------------------


def item_line(item: DumpItem) -> tuple[str, bytes]:
    """The kind of ``item`` (``"concept"``, ...) and its line in a dump."""
    kind, document = _document(item)
    return kind, (dumps({"item": kind, **document}) + "\n").encode("utf-8")


def _document(item: DumpItem) -> tuple[str, dict[str, Any]]:
    if isinstance(item, ConceptScheme):
        return "scheme", scheme_document(item)
    if isinstance(item, Concept):
        return "concept", concept_document(item)
    if isinstance(item, IndexedText):
        vector = item.vector
        return "text", {
            "uri": item.uri,
            "field": item.field.value,
            "lang": item.lang,
            "text": item.text,
            "terms": list(item.terms),
            "vector": None if vector is None else _encode_vector(vector),
        }
    if isinstance(item, Record):
        return "record", {
            "uri": item.uri,
            "kind": item.kind.value,
            "version": item.version,
            "body": dict(item.body),
            "index": dict(item.index),
        }
    if isinstance(item, Relation):
        key = {"source": item.source, "type": item.type.value, "target": item.target}
        return "relation", {**key, **relation_props_document(item)}
    raise TypeError(f"not an item of a dump: {type(item).__name__}")


def _encode_vector(vector: Vector) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


# -- reading: lines --------------------------------------------------------------------------


def read_documents(
    stream: IO[bytes], *, on_line: Callable[[bytes], object] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, JSON object) for each line of ``stream``.

    ``on_line`` sees every line's bytes as read (a digest of the file).

    Raises
    ------
    InvalidInputError
        For a line that is too long, not UTF-8, empty, not JSON or not a JSON object.
    """
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if on_line is not None:
            on_line(raw)
        if len(raw) > MAX_LINE_BYTES:
            raise bad_line(number, f"is longer than {MAX_LINE_BYTES // 2**20} MiB")
        yield number, _object_of(number, raw)


def _object_of(number: int, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise bad_line(number, f"is not UTF-8 ({e.reason} at byte {e.start})") from e
    if not text.strip():
        raise bad_line(number, "is empty; expected a JSON object")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        ending = (
            ""
            if raw.endswith(b"\n")
            else " (the file ends in the middle of this line: it looks truncated)"
        )
        raise bad_line(
            number, f"is not JSON: {e.msg} at column {e.colno}{ending}", column=e.colno
        ) from e
    if not isinstance(document, dict):
        raise bad_line(number, f"expected a JSON object, got {type(document).__name__}")
    return document


# -- reading: fields -------------------------------------------------------------------------

#: A field's test and what it expects, in words.
_Check = tuple[Callable[[Any], bool], str]


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _one_of(values: Iterator[str] | tuple[str, ...]) -> _Check:
    allowed = frozenset(values)
    return (
        lambda value: isinstance(value, str) and value in allowed,
        "one of " + ", ".join(sorted(allowed)),
    )


def _is_labels(value: Any) -> bool:
    kinds = {k.value for k in LabelKind}
    return isinstance(value, list) and all(
        isinstance(x, list) and len(x) == 3 and _is_strings(x) and x[2] in kinds for x in value
    )


def _is_descriptions(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(x, list) and len(x) == 2 and _is_strings(x) for x in value
    )


def _is_terms(value: Any) -> bool:
    # The stores keep a text's terms joined by spaces: a term is one word.
    return _is_strings(value) and all(term.split() == [term] for term in value)


def _is_index(value: Any) -> bool:
    return isinstance(value, dict) and all(
        v is None or isinstance(v, str | int | float | bool) for v in value.values()
    )


_PROVENANCE_KINDS = {k.value for k in ProvenanceKind}


def _is_provenance(value: Any) -> bool:
    if not isinstance(value, dict) or not {"kind", "agent", "at"} <= value.keys():
        return False
    optional = {"source": str, "model": str, "score": int | float}
    return (
        value["kind"] in _PROVENANCE_KINDS
        and isinstance(value["agent"], str)
        and isinstance(value["at"], str)
        and value.keys() <= {"kind", "agent", "at", *optional}
        and all(value.get(k) is None or isinstance(value[k], t) for k, t in optional.items())
    )


_STRING: _Check = (lambda value: isinstance(value, str), "a string")
_STRINGS: _Check = (_is_strings, "a list of strings")
_OBJECT: _Check = (lambda value: isinstance(value, dict), "a JSON object")
_CONCEPT_KINDS = tuple(k.value for k in NodeKind if k.is_concept)
_RECORD_KINDS = tuple(k.value for k in NodeKind if not k.is_concept)

#: Per item kind: its required fields and its optional ones (null is the same as absent).
_FIELDS: dict[str, tuple[dict[str, _Check], dict[str, _Check]]] = {
    "scheme": (
        {"uri": _STRING, "framework": _STRING, "title": _STRING},
        {"version": _STRING, "publisher": _STRING, "jurisdiction": _STRING},
    ),
    "concept": (
        {
            "uri": _STRING,
            "kind": _one_of(_CONCEPT_KINDS),
            "framework": _STRING,
            "labels": (_is_labels, "a list of [text, lang, preferred|alternative|hidden]"),
            "descriptions": (_is_descriptions, "a list of [text, lang]"),
            "schemes": _STRINGS,
            "collections": _STRINGS,
            "status": _STRING,
            "replaced_by": _STRINGS,
        },
        {
            "skill_type": _one_of(tuple(t.value for t in SkillType)),
            "reuse_level": _STRING,
            "code": _STRING,
            "isco_group": _STRING,
            "modified": _STRING,
            "framework_version": _STRING,
        },
    ),
    "text": (
        {
            "uri": _STRING,
            "field": _one_of(tuple(f.value for f in TextField)),
            "lang": _STRING,
            "text": _STRING,
            "terms": (_is_terms, "a list of terms (strings of one word each)"),
        },
        {"vector": (lambda value: isinstance(value, str), "a string (base64) or null")},
    ),
    "record": (
        {
            "uri": _STRING,
            "kind": _one_of(_RECORD_KINDS),
            "version": (lambda value: _is_integer(value) and value >= 1, "an integer from 1"),
            "body": _OBJECT,
            "index": (_is_index, "an object of strings, numbers, booleans or nulls"),
        },
        {},
    ),
    "relation": (
        {
            "source": _STRING,
            "type": _one_of(tuple(t.value for t in RelationType)),
            "target": _STRING,
        },
        {
            "level": (_is_integer, "an integer"),
            "weight": (_is_number, "a number"),
            "status": _STRING,
            "provenance": (
                _is_provenance,
                "an object with kind (declared|computed), agent and at, and optionally "
                "source, model (strings) and score (a number)",
            ),
        },
    ),
}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(
    number: int, what: str, document: Mapping[str, Any], fields: tuple[dict[str, _Check], ...]
) -> dict[str, Any]:
    """The fields of ``document`` (``fields``: required, optional), each of its type.

    Optional fields that are null are left out, as if absent.
    """
    required, optional = fields
    known = {**required, **optional}
    for name in document:
        if name not in known:
            raise bad_line(
                number,
                f"{what} has an unknown field {name!r}; its fields are {', '.join(known)}",
                item=what,
                field=name,
            )
    for name, (test, expected) in known.items():
        if name not in document:
            if name in required:
                raise bad_line(
                    number,
                    f"{what} has no field {name!r} ({expected})",
                    item=what,
                    field=name,
                    expected=expected,
                )
            continue
        value = document[name]
        if value is None and name in optional:
            continue
        if not test(value):
            raise bad_line(
                number,
                f"{what} field {name!r}: expected {expected}, got {_shown(value)}",
                item=what,
                field=name,
                expected=expected,
            )
    return {name: value for name, value in document.items() if value is not None}


# -- reading: the header and the items -------------------------------------------------------

_HEADER_FIELDS: tuple[dict[str, _Check], dict[str, _Check]] = (
    {
        "format": (lambda value: value == FORMAT, f"{FORMAT!r} (a dump of credwalk export)"),
        "format_version": (_is_integer, "an integer"),
        "credwalk": _STRING,
    },
    {
        "embedding_model": _STRING,
        "dimension": (lambda value: _is_integer(value) and value >= 1, "an integer from 1"),
    },
)

_TRAILER_FIELDS: tuple[dict[str, _Check], dict[str, _Check]] = (
    {
        "counts": (
            lambda value: (
                isinstance(value, dict)
                and value.keys() == set(COUNTED)
                and all(_is_integer(n) and n >= 0 for n in value.values())
            ),
            "an object counting " + ", ".join(COUNTED) + " (whole numbers)",
        ),
    },
    {},
)


def parse_header(document: Mapping[str, Any]) -> DumpHeader:
    """Read line 1 of a dump.

    Raises
    ------
    InvalidInputError
        When it is not a header of a dump this credwalk reads, naming the field.
    """
    fields = _checked(1, "the header", document, _HEADER_FIELDS)
    version = fields["format_version"]
    if version != FORMAT_VERSION:
        raise bad_line(
            1,
            f"the header field 'format_version': expected {FORMAT_VERSION}, got {version} "
            "(a dump of another credwalk version)",
            field="format_version",
            expected=str(FORMAT_VERSION),
        )
    model, dimension = fields.get("embedding_model"), fields.get("dimension")
    if (model is None) != (dimension is None):
        raise bad_line(
            1,
            "the header names an embedding model and a dimension together, or neither",
            field="dimension" if dimension is None else "embedding_model",
        )
    return DumpHeader(
        embedding_model=model,
        dimension=dimension,
        credwalk=fields["credwalk"],
        format_version=version,
    )


def is_trailer(document: Mapping[str, Any]) -> bool:
    """Whether ``document`` is the last line of a dump (its ``"item"`` is ``"end"``)."""
    return document.get("item") == END


def trailer_line(counts: Mapping[str, int]) -> bytes:
    """The last line of a dump whose items are ``counts`` (by :data:`COUNTED` name)."""
    return (dumps({"item": END, "counts": {k: counts.get(k, 0) for k in COUNTED}}) + "\n").encode()


def parse_trailer(number: int, document: Mapping[str, Any]) -> dict[str, int]:
    """Read the trailer (line ``number``): the counts of the items before it.

    Raises
    ------
    InvalidInputError
        When its counts are missing or not whole numbers of each kind.
    """
    fields = _checked(
        number, "the end line", {k: v for k, v in document.items() if k != "item"}, _TRAILER_FIELDS
    )
    return dict(fields["counts"])


def parse_item(
    number: int, document: Mapping[str, Any], header: DumpHeader
) -> tuple[str, DumpItem]:
    """Read an item line: its kind and the item.

    Raises
    ------
    InvalidInputError
        For an unknown kind, an unknown or missing field, a value of the wrong type, or a
        vector that is not ``header.dimension`` finite float32 values.
    """
    kind = document.get("item")
    if not isinstance(kind, str) or kind not in _FIELDS:
        expected = "one of " + ", ".join((*ITEM_KINDS, END))
        raise bad_line(
            number,
            f"field 'item': expected {expected}, got {_shown(kind)}",
            field="item",
            expected=expected,
        )
    fields = _checked(
        number, kind, {k: v for k, v in document.items() if k != "item"}, _FIELDS[kind]
    )
    return kind, _build(number, kind, fields, header)


def _build(number: int, kind: str, d: dict[str, Any], header: DumpHeader) -> DumpItem:
    if kind == "scheme":
        return ConceptScheme(**d)
    if kind == "concept":
        return concept_from_document(d)
    if kind == "text":
        vector = d.get("vector")
        return IndexedText(
            uri=d["uri"],
            field=TextField(d["field"]),
            lang=d["lang"],
            text=d["text"],
            terms=tuple(d["terms"]),
            vector=None if vector is None else _decode_vector(number, vector, header),
        )
    if kind == "record":
        return Record(d["uri"], NodeKind(d["kind"]), d["body"], d["index"], version=d["version"])
    props = {k: v for k, v in d.items() if k not in {"source", "type", "target"}}
    return relation_from_props(d["source"], d["type"], d["target"], props)


def _decode_vector(number: int, text: str, header: DumpHeader) -> Vector:
    dimension = header.dimension
    if dimension is None:
        raise bad_line(
            number,
            "text field 'vector': expected null, as the header names no embedding model",
            item="text",
            field="vector",
            expected="null",
        )
    expected = f"base64 of {dimension} little-endian float32 values ({4 * dimension} bytes)"
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise bad_line(
            number,
            f"text field 'vector': expected {expected}, got text that is not base64",
            item="text",
            field="vector",
            expected=expected,
        ) from e
    if len(raw) != 4 * dimension:
        raise bad_line(
            number,
            f"text field 'vector': expected {expected}, got {len(raw)} bytes",
            item="text",
            field="vector",
            expected=expected,
        )
    vector = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.isfinite(vector).all():
        raise bad_line(
            number,
            "text field 'vector': expected finite values, got a NaN or an infinity",
            item="text",
            field="vector",
            expected="finite values",
        )
    return vector
