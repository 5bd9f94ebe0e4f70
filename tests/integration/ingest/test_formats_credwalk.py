"""The project's own format in every syntax it accepts, through read_credential_file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from graph.jsonld import PinnedDocumentLoader
from graph.model.credential_documents import credential_to_document
from ingest.credentials.formats import Format
from ingest.credentials.reader import read_credential_file

SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"
COLLEGE = "https://college.example"
RECORDS = [
    {"id": COLLEGE, "name": "Example College", "type": "institution", "jurisdiction": "IE"},
    {"id": f"{COLLEGE}/c/1", "type": "MicroCredential", "title": "Welding 1", "issuer": COLLEGE,
     "level": {"framework": "EQF", "value": "4"}, "credits": {"value": 5.0, "unit": "ECTS"},
     "skills": [{"uri": SKILL, "level": 3, "status": "confirmed"}],
     "stacks_into": [f"{COLLEGE}/c/2"]},
    {"id": f"{COLLEGE}/c/2", "type": "MicroCredential", "title": "Welding 2", "issuer": COLLEGE,
     "prerequisites": [{"credential": f"{COLLEGE}/c/1"}], "valid_from": "2026-01-10"},
]  # fmt: skip


def _files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "json": json.dumps(RECORDS, indent=2),
        "jsonl": "\n".join(json.dumps(r) for r in RECORDS) + "\n",
        "yaml": yaml.safe_dump(RECORDS, sort_keys=False),
        "yml": yaml.safe_dump_all(RECORDS, sort_keys=False),
    }
    paths = {}
    for suffix, text in files.items():
        paths[suffix] = tmp_path / f"credentials.{suffix}"
        paths[suffix].write_text(text, encoding="utf-8")
    return paths


@pytest.mark.parametrize("suffix", ["json", "jsonl", "yaml", "yml"])
def test_every_syntax_reads_the_same_objects(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader, suffix: str
) -> None:
    result = read_credential_file(_files(tmp_path)[suffix], loader=pinned_loader)
    assert result.format is Format.CREDWALK
    assert [i.value.name for i in result.issuers] == ["Example College"]
    assert [credential_to_document(c.value) for c in result.credentials] == RECORDS[1:]
    assert [c.index for c in result.credentials] == [1, 2]
    assert all(c.line is not None and c.line > 1 for c in result.credentials)


def test_json_lines_records_know_their_line(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    result = read_credential_file(_files(tmp_path)["jsonl"], loader=pinned_loader)
    assert [c.line for c in result.credentials] == [2, 3]
    assert result.issuers[0].line == 1
