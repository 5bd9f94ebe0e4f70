"""Backup and restore of a whole store, on every backend: export, import, export again.

A store holding something of every kind (tests/fixtures/full_store.py) is exported, imported
into a fresh store and exported again: the two dumps are the same bytes. A dump that is wrong
is refused naming its line, its field and what was expected, and nothing is written.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.errors import BackendUnavailableError, ConflictError, ForbiddenError, InvalidInputError
from graph.jsonld import PinnedDocumentLoader
from graph.model.concepts import NodeKind
from graph.services.backup.exporting import export_store, write_dump
from graph.services.backup.restoring import import_dump
from graph.store import GraphBatch, GraphStore, Record
from tests.fixtures.actors import ADMIN, as_learner
from tests.fixtures.full_store import answers, assert_same, fill_store

NOBODY_ADMIN = as_learner("urn:example:learner:backup")


def _export(store: GraphStore) -> bytes:
    out = io.BytesIO()
    export_store(store, out, actor=ADMIN)
    return out.getvalue()


def test_export_import_export_gives_the_same_lines(
    store: GraphStore, other_store: GraphStore, tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    full = fill_store(store, keys=tmp_path / "keys", loader=pinned_loader)
    summary = write_dump(store, tmp_path / "dump.jsonl", actor=ADMIN)
    first = (tmp_path / "dump.jsonl").read_bytes()
    assert (tmp_path / "dump.jsonl").stat().st_mode & 0o777 == 0o600
    assert first == _export(store)  # two exports of one store are the same bytes
    restored = import_dump(other_store, tmp_path / "dump.jsonl", actor=ADMIN)
    assert restored.counts == summary.counts and restored.sha256 == summary.sha256
    assert _export(other_store) == first
    lines = [json.loads(line) for line in first.splitlines()]
    header, trailer, items = lines[0], lines[-1], lines[1:-1]
    assert (header["format"], header["format_version"]) == ("credwalk-dump", 1)
    assert (header["embedding_model"], header["dimension"]) == ("test/hashing-384", 384)
    assert trailer == {"item": "end", "counts": summary.counts}
    assert sum(summary.counts.values()) == len(items)
    kinds = {line["kind"] for line in items if line["item"] == "record"}
    assert kinds == {kind.value for kind in NodeKind if not kind.is_concept}
    assert_same(answers(other_store, full, pinned_loader), answers(store, full, pinned_loader))


def test_only_an_administrator_exports_or_imports(store: GraphStore) -> None:
    with pytest.raises(ForbiddenError):
        export_store(store, io.BytesIO(), actor=NOBODY_ADMIN)
    with pytest.raises(ForbiddenError):
        import_dump(store, io.BytesIO(_small_dump()), actor=NOBODY_ADMIN)
    assert store.is_empty()


# -- bad input: the line, the field, what was expected; nothing written ------------------------


def _small_dump() -> bytes:
    """A valid dump by hand: one of each item, lines 1-8."""
    lines = [
        {"format": "credwalk-dump", "format_version": 1, "credwalk": "test"},
        {"item": "scheme", "uri": "urn:s", "framework": "esco", "title": "S"},
        {
            "item": "concept", "uri": "urn:c", "kind": "skill", "framework": "esco",
            "labels": [["use SQL", "en", "preferred"]], "descriptions": [], "schemes": ["urn:s"],
            "collections": [], "status": "released", "replaced_by": [],
        },
        {
            "item": "text", "uri": "urn:c", "field": "preferred", "lang": "en",
            "text": "use SQL", "terms": ["use", "sql"], "vector": None,
        },
        {"item": "record", "uri": "urn:l", "kind": "learner", "version": 3, "body": {},
         "index": {}},
        {"item": "record", "uri": "urn:k", "kind": "credential", "version": 1, "body": {"a": 1.5},
         "index": {}},
        {"item": "relation", "source": "urn:k", "type": "certifies_skill", "target": "urn:c"},
        {"item": "end", "counts": {"schemes": 1, "concepts": 1, "texts": 1, "records": 2,
                                   "relations": 1}},
    ]  # fmt: skip
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def _edit(line: int, change: Callable[[dict[str, Any]], None]) -> bytes:
    lines = _small_dump().splitlines(keepends=True)
    document = json.loads(lines[line - 1])
    change(document)
    lines[line - 1] = json.dumps(document).encode() + b"\n"
    return b"".join(lines)


def _set(**fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda document: document.update(fields)


BAD_DUMPS = {
    "truncated in a line": (
        _small_dump()[: _small_dump().index(b'"kind": "learner"')],
        5,
        None,
        "truncated",
    ),
    "truncated between lines": (
        b"".join(_small_dump().splitlines(keepends=True)[:-1]),
        7,
        "item",
        "without its end line",
    ),
    "a version that is a string": (
        _edit(5, _set(version="3")),
        5,
        "version",
        'expected an integer from 1, got "3"',
    ),
    "an unknown record kind": (
        _edit(6, _set(kind="widget")),
        6,
        "kind",
        "expected one of account, ",
    ),
    "an unknown item": (_edit(7, _set(item="widget")), 7, "item", "expected one of scheme"),
    "a missing field": (
        _edit(2, lambda d: d.pop("title")),
        2,
        "title",
        "scheme has no field 'title'",
    ),
    "a vector with no model": (_edit(4, _set(vector="AACAPw==")), 4, "vector", "expected null"),
    "a relation to nowhere": (
        _edit(7, _set(target="urn:nowhere")),
        7,
        "target",
        "expected the IRI of a concept or record of the dump",
    ),
    "counts that differ": (
        _edit(8, lambda d: d["counts"].update(records=3)),
        8,
        "counts",
        "where its end line counts 3 records",
    ),
    "another format": (_edit(1, _set(format="other")), 1, "format", "'credwalk-dump'"),
}


def test_the_small_dump_is_valid(store: GraphStore) -> None:
    import_dump(store, io.BytesIO(_small_dump()), actor=ADMIN)
    record = store.get_record("urn:l", kind=NodeKind.LEARNER)
    assert record.version == 3
    assert _export(store).splitlines()[-1] == (
        b'{"counts":{"concepts":1,"records":2,"relations":1,"schemes":1,"texts":1},"item":"end"}'
    )


@pytest.mark.parametrize(("dump", "line", "field", "says"), BAD_DUMPS.values(), ids=BAD_DUMPS)
def test_a_bad_dump_is_refused_naming_the_line_and_nothing_is_written(
    store: GraphStore, dump: bytes, line: int, field: str | None, says: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        import_dump(store, io.BytesIO(dump), actor=ADMIN)
    error = raised.value
    assert error.message.startswith(f"line {line}: "), error.message
    assert says in error.message, error.message
    assert error.details["line"] == line
    if field is not None:
        assert error.details["field"] == field
    assert store.is_empty()


def test_a_store_that_is_not_empty_takes_no_dump(store: GraphStore) -> None:
    store.write(GraphBatch(records=[Record("urn:l", NodeKind.LEARNER, {"n": 1}, {})]))
    with pytest.raises(ConflictError, match="not empty"):
        import_dump(store, io.BytesIO(_small_dump()), actor=ADMIN)
    learner = store.get_record("urn:l", kind=NodeKind.LEARNER)
    assert (learner.body, learner.version) == ({"n": 1}, 1)
    assert store.missing_nodes(["urn:c", "urn:k"]) == {"urn:c", "urn:k"}


def test_a_write_that_fails_part_of_the_way_leaves_the_store_empty(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = store.write
    calls: list[GraphBatch] = []

    def failing(batch: GraphBatch) -> Any:
        calls.append(batch)
        if batch.records:
            raise BackendUnavailableError("the backend went away")
        return write(batch)

    monkeypatch.setattr(store, "write", failing)
    with pytest.raises(BackendUnavailableError, match="stopped after writing 1 schemes") as raised:
        import_dump(store, io.BytesIO(_small_dump()), actor=ADMIN)
    assert raised.value.details["emptied"] is True
    assert len(calls) == 4  # scheme, concept, text, then the records failed
    assert store.is_empty()
