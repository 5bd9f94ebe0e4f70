"""Explained equivalence, equivalents across borders and the advisor comparison, on every backend.

The credentials are the demo catalogue's (ontologies/demo/credentials.json), written for the
project to hold the cases an advisor meets: the same curriculum under two issuers, a subset, a
different field and the same skills at different levels.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.algorithms.equivalence import MatchKind, Verdict
from graph.errors import InvalidInputError, NotFoundError
from graph.reference import ReferenceData
from graph.services.equivalence.comparison import compare_credentials
from graph.services.equivalence.equivalents import credential_equivalence, equivalents
from graph.store import GraphStore
from tests.fixtures.demo_catalogue import load_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder

MAG_DE = "https://www.sla-ruhr.example/credentials/mag-schweissen-kehlnaehte"
MAG_SCT = "https://www.glenmore-college.example/credentials/mag-welding-fillet-welds"
DATABASES_NL = "https://www.hogeschool-delta.example/credentials/databases-querying-analysts"
SQL_US = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
COOKING_FR = (
    "https://www.aura-metiers-restauration.example/credentials/techniques-culinaires-de-base"
)
PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
QUALITY_EU = "https://www.data-skills-alliance.example/credentials/data-quality-cleansing"
QUALITY_NL = "https://www.hogeschool-delta.example/credentials/data-quality-cleansing"
QUALITY_DE = "https://www.hs-niederrhein-ruhr.example/credentials/datenqualitaetsmanagement"


@pytest.fixture
def reference(store: GraphStore) -> ReferenceData:
    return load_demo_catalogue(store).reference


def test_the_same_curriculum_under_two_issuers_is_equivalent(
    store: GraphStore, reference: ReferenceData
) -> None:
    result = credential_equivalence(store, MAG_DE, MAG_SCT, reference=reference)
    assert result.verdict is Verdict.EQUIVALENT and result.score == 1.0
    assert result.a_covers_b == result.b_covers_a == 1.0
    assert len(result.matched) == 13
    assert {m.kind for m in result.matched} == {MatchKind.EXACT}
    assert result.missing_in_a == result.missing_in_b == ()
    # DQR 4 and SCQF 6 meet at EQF 4 through their referencing, not by their numbers
    assert (result.level.a, result.level.b, result.level.difference) == ("DQR 4", "SCQF 6", 0)
    assert "both referenced to EQF 4" in result.level.explanation
    assert result.credits.ratio == 1.0
    assert result.a.issuer_type == "industry_body" and result.b.issuer_type == "institution"


def test_a_subset_is_partial_in_the_right_direction(
    store: GraphStore, reference: ReferenceData
) -> None:
    result = credential_equivalence(store, DATABASES_NL, SQL_US, reference=reference)
    assert result.verdict is Verdict.PARTIALLY_EQUIVALENT
    assert result.a_covers_b == 1.0 and result.b_covers_a < 0.5
    assert result.missing_in_a == ()
    assert {s.label for s in result.missing_in_b} >= {"data models", "normalise data"}
    assert any("covers 100% of B's 4 skills" in line for line in result.explanation)
    swapped = credential_equivalence(store, SQL_US, DATABASES_NL, reference=reference)
    assert (swapped.a_covers_b, swapped.b_covers_a) == (result.b_covers_a, result.a_covers_b)
    assert swapped.score == result.score
    assert result.level.difference is None and result.level.factor == 1.0


def test_a_different_field_is_not_equivalent(store: GraphStore, reference: ReferenceData) -> None:
    result = credential_equivalence(
        store, COOKING_FR, PYTHON_IE, reference=reference, embedder=HashingEmbedder()
    )
    assert result.verdict is Verdict.NOT_EQUIVALENT and result.score == 0.0
    assert result.matched == ()
    assert len(result.missing_in_a) == result.b.skills


def test_a_level_mismatch_lowers_the_verdict(store: GraphStore, reference: ReferenceData) -> None:
    result = credential_equivalence(store, QUALITY_EU, QUALITY_DE, reference=reference)
    assert result.b_covers_a == 1.0  # the master's module teaches every skill, and more deeply
    assert result.a_covers_b < 1.0  # the EQF 5 module reaches lower proficiency levels
    assert result.level.difference == -2 and result.level.factor == 0.75
    assert result.score == pytest.approx(result.skill_score * 0.75, abs=1e-6)
    assert result.verdict is Verdict.PARTIALLY_EQUIVALENT
    same_level = credential_equivalence(store, QUALITY_EU, QUALITY_NL, reference=reference)
    assert same_level.verdict is Verdict.EQUIVALENT


def test_unknown_credentials_are_not_found(store: GraphStore, reference: ReferenceData) -> None:
    with pytest.raises(NotFoundError) as raised:
        credential_equivalence(store, MAG_DE, "https://nowhere.example/c/1", reference=reference)
    assert raised.value.details["uri"] == "https://nowhere.example/c/1"


def test_equivalents_in_another_jurisdiction(store: GraphStore, reference: ReferenceData) -> None:
    embedder = HashingEmbedder()
    found = equivalents(
        store, MAG_DE, reference=reference, embedder=embedder, jurisdiction="GB", top=3
    )
    assert found.jurisdiction == "GB"
    assert [r.b.id for r in found.results][:1] == [MAG_SCT]  # GB holds GB-SCT
    assert all(r.b.jurisdiction in {"GB-SCT", "GB-ENG"} for r in found.results)
    scores = [r.score for r in found.results]
    assert scores == sorted(scores, reverse=True)
    python = equivalents(
        store, PYTHON_IE, reference=reference, embedder=embedder, jurisdiction="US"
    )
    assert python.results[0].b.id == PYTHON_US
    # the ranked explanation is the pairwise one, whichever question led to it
    direct = credential_equivalence(
        store, PYTHON_IE, PYTHON_US, reference=reference, embedder=embedder
    )
    assert python.results[0].score == direct.score
    assert python.results[0].explanation == direct.explanation


def test_equivalents_by_industry_and_issuer_type(
    store: GraphStore, reference: ReferenceData
) -> None:
    by_industry = equivalents(store, PYTHON_IE, reference=reference, industry="nace:J6", top=20)
    assert by_industry.results
    assert all((r.b.industry or "").startswith("nace:J6") for r in by_industry.results)
    assert PYTHON_IE not in {r.b.id for r in by_industry.results}
    consortia = equivalents(store, QUALITY_NL, reference=reference, issuer_type="consortium")
    assert consortia.results[0].b.id == QUALITY_EU and consortia.results[0].score == 1.0
    assert {r.b.issuer_type for r in consortia.results} == {"consortium"}


def test_equivalents_reject_an_unknown_jurisdiction(
    store: GraphStore, reference: ReferenceData
) -> None:
    with pytest.raises(NotFoundError) as raised:
        equivalents(store, MAG_DE, reference=reference, jurisdiction="XX")
    assert raised.value.details == {"field": "jurisdiction", "value": "XX"}


def test_compare_two_to_four_credentials(store: GraphStore, reference: ReferenceData) -> None:
    result = compare_credentials(store, [DATABASES_NL, SQL_US, QUALITY_EU], reference=reference)
    assert [c.id for c in result.credentials] == [DATABASES_NL, SQL_US, QUALITY_EU]
    rows = {row.skill.label: row for row in result.skills}
    assert rows["SQL"].status == ("full", "partial", "missing")  # level 4, 3, none
    assert rows["SQL"].levels == (4, 3, None)
    assert rows["normalise data"].status == ("full", "missing", "full")
    assert {s.label for s in result.missing} >= {"SQL", "perform data cleansing"}
    assert len(result.pairs) == 3
    assert [c.issuer_type for c in result.credentials] == ["institution"] * 2 + ["consortium"]
    assert any("states no level" in line for line in result.levels)
    with pytest.raises(InvalidInputError) as raised:
        compare_credentials(store, [SQL_US], reference=reference)
    assert raised.value.details["field"] == "ids"
    with pytest.raises(InvalidInputError):
        compare_credentials(
            store, [SQL_US, MAG_DE, MAG_SCT, PYTHON_IE, PYTHON_US], reference=reference
        )


def test_equivalents_read_the_store_a_bounded_number_of_times(
    store: GraphStore, reference: ReferenceData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few store calls per question, not one per skill, neighbour or candidate (issue 20).

    On a networked store each call is a round trip; reading per skill made equivalents of one
    credential 20-60 of them.
    """
    calls: list[str] = []
    for name in ("relations", "relations_of", "missing_nodes", "get_records", "get_concepts"):
        method = getattr(store, name)

        def counted(*args: object, _method: Any = method, _name: str = name, **kw: object) -> Any:
            calls.append(_name)
            return _method(*args, **kw)

        monkeypatch.setattr(store, name, counted)
    for credential in (PYTHON_IE, MAG_DE, QUALITY_NL, DATABASES_NL):
        calls.clear()
        found = equivalents(store, credential, reference=reference, embedder=HashingEmbedder())
        assert found.results
        assert len(calls) <= 10, calls
