"""Recognition decisions: recorded, checked, shown beside computed equivalence, exported as CTDL."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.credentials import Credits
from graph.reference import ReferenceData
from graph.services.catalogue.credentials import get_credential
from graph.services.equivalence.equivalents import credential_equivalence
from graph.services.equivalence.recognition import (
    RecognitionDecision,
    RecognitionOutcome,
    decisions_for,
    get_decision,
    list_decisions,
    record_decision,
    transfer_value_profile,
)
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import BASE_IRI, load_demo_catalogue

PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
MAG_DE = "https://www.sla-ruhr.example/credentials/mag-schweissen-kehlnaehte"
LTU = "https://www.liffey-tu.example"
DECISION = RecognitionDecision(
    id="",
    authority=LTU,
    authority_name="Liffey Technological University",
    credential=PYTHON_US,
    outcome=RecognitionOutcome.PARTIAL,
    to_jurisdiction="ie",
    target=PYTHON_IE,
    credits=Credits(5, "ECTS"),
    valid_from="2025-09-01",
    valid_until="2028-08-31",
    decided_by="Admissions and Recognition Committee",
    decided_at="2025-06-12T10:00:00+00:00",
    source="https://www.liffey-tu.example/recognition/2025/014",
)


@pytest.fixture
def reference(store: GraphStore) -> ReferenceData:
    return load_demo_catalogue(store).reference


def _record(store: GraphStore, reference: ReferenceData, **changes: Any) -> RecognitionDecision:
    return record_decision(
        store, replace(DECISION, **changes), actor=ADMIN, reference=reference, base_iri=BASE_IRI
    )


def test_a_decision_is_shown_and_overrides_nothing(
    store: GraphStore, reference: ReferenceData
) -> None:
    before = credential_equivalence(store, PYTHON_US, PYTHON_IE, reference=reference)
    stored = _record(store, reference)
    assert stored.id.startswith(f"{BASE_IRI}/recognition/")
    assert stored.to_jurisdiction == "IE" and stored.from_jurisdiction == "US"
    assert get_decision(store, stored.id) == stored
    after = credential_equivalence(store, PYTHON_US, PYTHON_IE, reference=reference)
    assert (after.score, after.verdict, after.matched) == (
        before.score,
        before.verdict,
        before.matched,
    )
    assert [n.decision for n in after.recognitions] == [stored]
    assert after.recognitions[0].status in {"current", "expired"}  # depends on today
    assert any("Declared by Liffey" in line for line in after.explanation)
    # recorded twice, stored once
    assert _record(store, reference) == stored
    assert decisions_for(store, [PYTHON_IE]) == [stored]


def test_contradictory_decisions_are_rejected_with_the_reason(
    store: GraphStore, reference: ReferenceData
) -> None:
    first = _record(store, reference)
    with pytest.raises(ConflictError, match="contradicts partial recognition") as raised:
        _record(store, reference, outcome=RecognitionOutcome.FULL, credits=Credits(10, "ECTS"))
    assert raised.value.details == {"existing": first.id, "reason": "contradicts"}
    # a later period does not overlap, and another jurisdiction is another question
    later = _record(
        store,
        reference,
        outcome=RecognitionOutcome.FULL,
        valid_from="2028-09-01",
        valid_until=None,
    )
    elsewhere = _record(store, reference, to_jurisdiction="GB-SCT", target=None)
    assert len(list_decisions(store, credential=PYTHON_US)) == 3
    # superseding is how a decision changes
    revised = _record(
        store,
        reference,
        outcome=RecognitionOutcome.CONDITIONAL,
        conditions=("pass a practical assessment in object-oriented programming",),
        supersedes=first.id,
    )
    notes = credential_equivalence(store, PYTHON_US, PYTHON_IE, reference=reference).recognitions
    status = {n.decision.id: n.status for n in notes}
    assert status[first.id] == "superseded"
    assert {later.id, revised.id} <= set(status) and elsewhere.id not in status
    with pytest.raises(ConflictError):
        record_decision(
            store,
            replace(first, note="edited"),
            actor=ADMIN,
            reference=reference,
            base_iri=BASE_IRI,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": RecognitionOutcome.CONDITIONAL}, "conditions"),
        ({"conditions": ("an interview",)}, "outcome"),
        ({"credits": Credits(12, "ECTS")}, "credits.value"),
        ({"credits": Credits(2, "units")}, "credits.unit"),
        ({"valid_until": "2024-01-01"}, "valid_until"),
        ({"to_jurisdiction": "Atlantis"}, "to_jurisdiction"),
        ({"authority": "Liffey TU"}, "authority"),
    ],
    ids=[
        "no-conditions",
        "conditions-not-conditional",
        "too-many-credits",
        "unit",
        "period",
        "jurisdiction",
        "authority",
    ],
)
def test_malformed_decisions_name_the_field(
    store: GraphStore, reference: ReferenceData, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _record(store, reference, credential=PYTHON_IE, target=None, **changes)
    assert raised.value.details["field"] == field
    assert list_decisions(store) == []


def test_unknown_credentials_and_superseded_decisions(
    store: GraphStore, reference: ReferenceData
) -> None:
    with pytest.raises(NotFoundError):
        _record(store, reference, credential="https://nowhere.example/c")
    with pytest.raises(NotFoundError):
        _record(store, reference, target="https://nowhere.example/c")
    with pytest.raises(NotFoundError):
        _record(store, reference, supersedes=f"{BASE_IRI}/recognition/none")


def _registry_validator(schema_path: Path) -> Draft4Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # The registry's schema refers to definitions it does not define (ceterms:ownedBy,
    # schema:QuantitativeValue, ...); they accept anything here, as an unknown term would.
    text = json.dumps(schema)
    for name in sorted(set(_refs(text)) - set(schema["definitions"])):
        schema["definitions"][name] = {}
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def _refs(text: str) -> list[str]:
    marker = '"$ref": "#/definitions/'
    found = []
    start = text.find(marker)
    while start >= 0:
        end = text.index('"', start + len(marker))
        found.append(text[start + len(marker) : end])
        start = text.find(marker, end)
    return found


def test_export_as_ctdl_transfer_value_profile(
    store: GraphStore, reference: ReferenceData, shared_data: Path
) -> None:
    decision = _record(
        store,
        reference,
        outcome=RecognitionOutcome.CONDITIONAL,
        conditions=("a practical welding test at the college",),
        credential=MAG_DE,
        target=None,
        credits=None,
        to_jurisdiction="GB-SCT",
    )
    profile = transfer_value_profile(decision, get_credential(store, MAG_DE))
    validator = _registry_validator(shared_data / "ctdl/json-schemas/transfer_value_profile.json")
    assert sorted(e.message for e in validator.iter_errors(profile)) == []
    assert profile["ceterms:transferValueFrom"] == [MAG_DE]
    assert profile["ceterms:ctid"].startswith("ce-") and len(profile["ceterms:ctid"]) == 39
    assert "a practical welding test" in profile["ceterms:description"]["en"]
    with_credits = _record(store, reference)
    exported = transfer_value_profile(with_credits, get_credential(store, PYTHON_US))
    assert list(validator.iter_errors(exported)) == []
    assert exported["ceterms:transferValue"][0]["schema:value"] == 5
    assert exported["ceterms:transferValueFor"] == [PYTHON_IE]
    assert exported["ceterms:startDate"] == "2025-09-01"
    # a document the registry's schema rejects is rejected: the check can fail
    broken = {k: v for k, v in exported.items() if k != "ceterms:ctid"}
    assert [e.validator for e in validator.iter_errors(broken)] == ["required"]
