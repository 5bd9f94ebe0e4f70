"""Bad credential files: errors name the file, line, column or field; nothing is returned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import PayloadTooLargeError
from graph.jsonld import PinnedDocumentLoader
from ingest.credentials.reader import read_credential_file
from ingest.errors import IngestError

GOOD = {"id": "urn:x:1", "title": "Welding 1", "issuer": "urn:org:1"}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _error(path: Path, loader: PinnedDocumentLoader, words: str) -> IngestError:
    with pytest.raises(IngestError, match=words) as info:
        read_credential_file(path, loader=loader)
    assert info.value.source == str(path)
    return info.value


def test_invalid_json_names_line_and_column(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    path = _write(tmp_path, "bad.json", '[\n  {"id": "urn:x:1",\n   "title" "x"}\n]\n')
    error = _error(path, pinned_loader, "invalid JSON")
    assert (error.line, error.column) == (3, 12)
    assert str(path) in error.message and "line 3, column 12" in error.message


def test_invalid_yaml_names_line_and_column(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    path = _write(tmp_path, "bad.yaml", "id: urn:x:1\ntitle: x\n  issuer: urn:org:1\n")
    error = _error(path, pinned_loader, "invalid YAML")
    assert (error.line, error.column) == (3, 9)


def test_text_that_is_not_utf8_names_the_byte(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    path = _write(
        tmp_path, "latin1.json", '{"id": "urn:x:1",\n "title": "Soud\xe9"}'.encode("latin-1")
    )
    error = _error(path, pinned_loader, "not UTF-8")
    assert (error.line, error.column) == (2, 16)


def test_a_schema_violation_in_json_lines_names_record_line_and_field(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    bad = {**GOOD, "id": "urn:x:2", "credits": {"value": 5, "unit": "points"}}
    path = _write(tmp_path, "c.jsonl", "\n".join(json.dumps(r) for r in (GOOD, bad)) + "\n")
    error = _error(path, pinned_loader, r"record 1 \(credential urn:x:2\): field \$\.credits\.unit")
    assert (error.line, error.details["record"], error.details["id"]) == (2, 1, "urn:x:2")
    assert error.details["expected"] == ["ECTS", "credit_hours", "notional_hours"]


def test_an_oversized_file_is_refused(tmp_path: Path, pinned_loader: PinnedDocumentLoader) -> None:
    records = [{**GOOD, "id": f"urn:x:{n}"} for n in range(100)]
    path = _write(tmp_path, "big.json", json.dumps(records))
    with pytest.raises(PayloadTooLargeError, match="larger than the limit of 1000 bytes") as info:
        read_credential_file(path, loader=pinned_loader, max_bytes=1000)
    assert info.value.details == {"source": str(path), "limit": 1000}
    assert read_credential_file(path, loader=pinned_loader, max_bytes=100_000) is not None


SCHEMA_ORG = {"@context": "https://schema.org/", "@type": "Course", "name": "x"}
CTDL = {"@context": "https://credreg.net/ctdl/schema/context/json"}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (json.dumps(SCHEMA_ORG), "https://schema.org/ is not pinned"),
        ("42", "not a format credwalk reads"),
        (json.dumps([GOOD, CTDL]), "a file holds one format"),
    ],
    ids=["unknown-json-ld", "scalar", "mixed"],
)
def test_unknown_and_mixed_formats_are_refused(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader, content: str, words: str
) -> None:
    _error(_write(tmp_path, "x.json", content), pinned_loader, words)


def test_an_unpinned_context_in_a_badge_is_named(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    badge = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://badges.example/context.json",
        ],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"]},
    }
    path = _write(tmp_path, "badge.json", json.dumps(badge, indent=2))
    error = _error(path, pinned_loader, r"https://badges\.example/context\.json is not pinned")
    assert error.details["url"] == "https://badges.example/context.json"
    assert error.details["reason"] == "context_not_pinned"


def test_a_missing_file_is_an_ingest_error(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    _error(tmp_path / "missing.json", pinned_loader, "cannot read the file")
