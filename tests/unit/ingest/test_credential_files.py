"""Parsing credential files: records with their lines, and syntax errors with line and column."""

from __future__ import annotations

import pytest

from ingest.credentials.documents import parse_documents
from ingest.errors import IngestError

ARRAY = """[
  {"id": "urn:a", "title": "A"},

  {"id": "urn:b",
   "title": "B"},
  {"id": "urn:c", "title": "C"}
]
"""


def test_a_json_array_is_split_into_records_that_know_their_line() -> None:
    records = parse_documents(ARRAY, source="f.json", syntax="json")
    assert [(r.index, r.line, r.value["id"]) for r in records] == [
        (0, 2, "urn:a"),
        (1, 4, "urn:b"),
        (2, 6, "urn:c"),
    ]
    assert all(r.source == "f.json" for r in records)


def test_a_single_json_object_is_one_record() -> None:
    records = parse_documents('\n\n  {"id": "urn:a"}\n', source="f.json")
    assert [(r.index, r.line) for r in records] == [(0, 3)]


def test_an_empty_array_holds_no_records() -> None:
    assert parse_documents("[ ]", source="f.json") == []


def test_json_lines_records_are_numbered_by_line_and_blank_lines_are_skipped() -> None:
    text = '{"id": "urn:a"}\n\n{"id": "urn:b"}\n'
    records = parse_documents(text, source="f.jsonl", syntax="jsonl")
    assert [(r.index, r.line, r.value["id"]) for r in records] == [(0, 1, "urn:a"), (1, 3, "urn:b")]


def test_a_json_file_holding_json_lines_is_read_as_json_lines() -> None:
    records = parse_documents('{"id": "urn:a"}\n{"id": "urn:b"}\n', source="f.json")
    assert [r.line for r in records] == [1, 2]


def test_yaml_lists_and_several_documents_are_records_with_their_lines() -> None:
    text = "- id: urn:a\n  title: A\n- id: urn:b\n  title: B\n---\nid: urn:c\ntitle: C\n"
    records = parse_documents(text, source="f.yaml", syntax="yaml")
    assert [(r.line, r.value["id"]) for r in records] == [(1, "urn:a"), (3, "urn:b"), (6, "urn:c")]


def test_yaml_keeps_country_codes_and_dates_as_text() -> None:
    # YAML 1.1 would read NO (Norway) as false and a date as a date object.
    (record,) = parse_documents(
        "jurisdiction: NO\nvalid_from: 2026-01-10\nflag: true\n", source="f.yaml", syntax="yaml"
    )
    assert record.value == {"jurisdiction": "NO", "valid_from": "2026-01-10", "flag": True}


@pytest.mark.parametrize(
    ("text", "syntax", "line", "column", "words"),
    [
        ('[\n  {"id": "urn:a",\n   "title": }\n]', "json", 3, 13, "invalid JSON"),
        ('[\n  {"id": "urn:a"}\n  {"id": "urn:b"}\n]', "json", 3, 3, "expected ',' or ']'"),
        ('{"id": "urn:a"}\n{"id": }\n', "jsonl", 2, 8, "invalid JSON"),
        ('{"id": "urn:a"} {"id": "urn:b"}\n', "jsonl", 1, 17, "more than one value"),
        ("id: urn:a\ntitle: [unclosed\n", "yaml", 3, 1, "invalid YAML"),
        ("a: &x 1\nb: *x\n", "yaml", 2, 4, "aliases are not accepted"),
        ('{"cost": NaN}', "json", 1, 1, "NaN is not a JSON number"),
        ('{"id": "urn:a", "id": "urn:b"}', "json", 1, 1, "duplicate key 'id'"),
    ],
    ids=[
        "json-value",
        "json-missing-comma",
        "jsonl",
        "jsonl-two-values",
        "yaml",
        "yaml-alias",
        "nan",
        "duplicate-key",
    ],
)
def test_syntax_errors_name_the_line_and_column(
    text: str, syntax: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(IngestError, match=words) as info:
        parse_documents(text, source="bad.file", syntax=syntax)
    assert (info.value.source, info.value.line, info.value.column) == ("bad.file", line, column)


def test_an_empty_file_is_an_error() -> None:
    with pytest.raises(IngestError, match="empty"):
        parse_documents("  \n", source="f.json", syntax="json")
