"""The project's own credential format: what a valid file yields, and what an invalid one says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from graph.model.credential_documents import credential_to_document
from graph.model.credentials import (
    CredentialSkill,
    Credits,
    IssuerType,
    Money,
    Prerequisite,
    QualificationLevel,
    SkillStatus,
)
from graph.ontologies import ONTOLOGIES_DIR
from ingest.credentials.documents import parse_documents
from ingest.credentials.formats import CredentialFile, Format
from ingest.credentials.own_format import CredentialSchemas, read_credwalk_documents
from ingest.errors import IngestError

SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"
OTHER_SKILL = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"

#: The example of DESIGN.md, with its "…" filled in.
DESIGN_EXAMPLE: dict[str, Any] = {
    "id": "https://issuer.example/credentials/data-analysis-101",
    "type": "MicroCredential",
    "title": "Data analysis with Python",
    "description": "Cleaning, exploring and plotting data with pandas.",
    "language": "en",
    "issuer": {
        "id": "https://issuer.example",
        "name": "Example Institute of Technology",
        "type": "institution",
        "jurisdiction": "IE",
    },
    "jurisdiction": "IE",
    "recognized_in": ["IE", "EU"],
    "level": {"framework": "EQF", "value": 5},
    "credits": {"value": 5, "unit": "ECTS"},
    "hours": 125,
    "cost": {"amount": 450, "currency": "EUR"},
    "learning_outcomes": ["Clean a data set with pandas"],
    "skills": [{"uri": SKILL, "level": 3, "status": "confirmed"}],
    "prerequisites": [
        {"credential": "https://issuer.example/credentials/intro"},
        {"skill": OTHER_SKILL, "level": 2},
    ],
    "stacks_into": ["https://issuer.example/credentials/data-certificate"],
}


def read(text: str, schemas: CredentialSchemas, syntax: str | None = None) -> CredentialFile:
    return read_credwalk_documents(
        parse_documents(text, source="f", syntax=syntax), schemas=schemas
    )


def test_the_schemas_are_valid_draft_2020_12() -> None:
    for name in ("credential", "issuer"):
        schema = json.loads((ONTOLOGIES_DIR / "schemas" / f"{name}.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_design_example_reads_into_a_credential_and_its_issuer(
    schemas: CredentialSchemas,
) -> None:
    result = read(json.dumps(DESIGN_EXAMPLE), schemas)
    assert result.format is Format.CREDWALK
    (item,) = result.credentials
    credential = item.value
    assert credential.title == "Data analysis with Python"
    assert credential.issuer == "https://issuer.example"
    assert credential.levels == (QualificationLevel("EQF", "5"),)
    assert credential.eqf_level() == 5
    assert credential.credits == Credits(5.0, "ECTS")
    assert credential.cost == Money(450.0, "EUR")
    assert credential.hours == 125.0
    assert credential.recognized_in == ("IE", "EU")
    assert credential.skills == (CredentialSkill(SKILL, 3, SkillStatus.CONFIRMED),)
    assert credential.prerequisites == (
        Prerequisite(credential="https://issuer.example/credentials/intro"),
        Prerequisite(skill=OTHER_SKILL, level=2),
    )
    (issuer,) = result.issuers
    assert issuer.value.name == "Example Institute of Technology"
    assert issuer.value.type is IssuerType.INSTITUTION
    assert (item.index, item.line, item.pointer) == (0, 1, credential.id)


def test_a_credential_written_back_validates_and_reads_the_same(
    schemas: CredentialSchemas,
) -> None:
    credential = read(json.dumps(DESIGN_EXAMPLE), schemas).credentials[0].value
    document = credential_to_document(credential)
    assert not list(schemas.credential.iter_errors(document))
    assert read(json.dumps(document), schemas).credential(credential.id) == credential


def test_top_level_issuers_and_credentials_by_issuer_id(schemas: CredentialSchemas) -> None:
    text = """
- id: https://consortium.example
  name: Example Consortium
  type: consortium
  jurisdiction: EU
- id: https://consortium.example/credentials/welding-1
  title: Welding 1
  issuer: https://consortium.example
  skills:
    - uri: http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9
      status: suggested
"""
    result = read(text, schemas, syntax="yaml")
    assert [i.value.type for i in result.issuers] == [IssuerType.CONSORTIUM]
    (credential,) = result.credentials
    assert credential.line == 6
    assert credential.value.issuer == "https://consortium.example"
    assert credential.value.skills[0].status is SkillStatus.SUGGESTED
    assert credential.value.confirmed_skills == ()


def _error(text: str, schemas: CredentialSchemas, syntax: str | None = None) -> IngestError:
    with pytest.raises(IngestError) as info:
        read(text, schemas, syntax)
    return info.value


def test_a_schema_violation_names_the_record_its_id_line_field_and_expectation(
    schemas: CredentialSchemas,
) -> None:
    bad = {**DESIGN_EXAMPLE, "id": "urn:x:2", "skills": [{"uri": SKILL, "status": "approved"}]}
    text = json.dumps([DESIGN_EXAMPLE, bad], indent=1)
    error = _error(text, schemas)
    assert error.details["record"] == 1
    assert error.details["id"] == "urn:x:2"
    assert error.details["field"] == "$.skills[0].status"
    assert error.details["expected"] == ["suggested", "confirmed", "rejected"]
    assert error.line == text.splitlines().index(" {", 2) + 1
    assert "record 1" in error.message and "urn:x:2" in error.message
    assert "'approved' is not one of" in error.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": None}, "$.title", "'title' is a required property"),
        ({"titel": "Typo"}, "$.titel", "'titel' was unexpected"),
        ({"credits": {"value": -1}}, "$.credits.value", "less than the minimum"),
        ({"cost": {"amount": 5, "currency": "euro"}}, "$.cost.currency", "does not match"),
        ({"jurisdiction": "Ireland"}, "$.jurisdiction", "does not match"),
        ({"issuer": {"id": "https://x.example", "name": "X", "type": "school"}}, "$.issuer", ""),
        ({"skills": [{"uri": SKILL, "level": 9}]}, "$.skills[0].level", "outside"),
    ],
    ids=["missing", "unknown-field", "negative", "currency", "jurisdiction", "issuer", "scale"],
)
def test_schema_violations_name_the_field(
    schemas: CredentialSchemas, change: dict[str, Any], field: str, words: str
) -> None:
    record = {k: v for k, v in {**DESIGN_EXAMPLE, **change}.items() if v is not None}
    error = _error(json.dumps(record), schemas)
    assert error.details["field"].startswith(field)
    assert words in error.message


def test_a_yaml_error_names_the_line_of_the_field(schemas: CredentialSchemas) -> None:
    text = "id: urn:x:1\ntitle: X\nissuer: urn:org:1\ncredits:\n  value: 3\n  unit: hours\n"
    error = _error(text, schemas, syntax="yaml")
    assert error.details["field"] == "$.credits.unit"
    assert error.line == 6


def test_an_issuer_typed_issuer_gets_a_hint(schemas: CredentialSchemas) -> None:
    error = _error('{"id": "https://x.example", "name": "X", "type": "Issuer"}', schemas)
    assert "institution, consortium, region or industry_body" in error.message


def test_nothing_is_returned_when_a_later_record_fails(schemas: CredentialSchemas) -> None:
    records = [DESIGN_EXAMPLE] * 1 + [{"id": "urn:x:9"}]
    error = _error("\n".join(json.dumps(r) for r in records), schemas, syntax="jsonl")
    assert (error.details["record"], error.line) == (1, 2)


def test_a_repeated_credential_id_is_an_error(schemas: CredentialSchemas) -> None:
    error = _error(json.dumps([DESIGN_EXAMPLE, DESIGN_EXAMPLE]), schemas)
    assert "already described by record 0" in error.message


def test_an_issuer_described_two_ways_is_an_error(schemas: CredentialSchemas) -> None:
    other = {
        **DESIGN_EXAMPLE,
        "id": "urn:x:2",
        "issuer": {**DESIGN_EXAMPLE["issuer"], "name": "Another name"},
    }
    error = _error(json.dumps([DESIGN_EXAMPLE, other]), schemas)
    assert "described differently" in error.message
    assert error.details["record"] == 1


def test_a_record_that_is_not_an_object_is_an_error(schemas: CredentialSchemas) -> None:
    assert "expected an object" in _error('["urn:x:1"]', schemas).message
