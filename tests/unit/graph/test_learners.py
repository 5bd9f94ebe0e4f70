"""Learners: the rule from assessment results to competence scores, and the document form."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from graph.errors import InvalidInputError
from graph.model.learner_documents import learner_from_document, learner_to_document
from graph.model.learners import (
    AssessmentResult,
    Competence,
    CompetenceRule,
    CompetenceSource,
    Learner,
    competence_score,
    competences_from_assessments,
)

SCHEMAS = Path(__file__).resolve().parents[3] / "ontologies" / "schemas"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
D1, D2 = date(2025, 3, 1), date(2025, 9, 1)


def result(level: int, when: date = D1, **kw: Any) -> AssessmentResult:
    return AssessmentResult(PYTHON, level, when, **kw)


@pytest.mark.parametrize(
    ("results", "level"),
    [
        ([result(2, passed=True), result(3, passed=True), result(4, passed=False)], 3),
        ([result(2, score=0.9), result(3, score=0.49), result(4, score=0.2)], 2),
        ([result(5, passed=True), result(2, passed=False)], 5),  # the highest pass counts
        ([result(4, D1, passed=True), result(4, D2, passed=False)], None),  # retest replaces
        ([result(4, D1, passed=False), result(4, D2, score=0.7)], 4),
        ([result(3, D1, passed=False), result(3, D1, passed=True)], 3),  # same day: a pass wins
        ([result(1, passed=False)], None),
    ],
    ids=[
        "highest-pass",
        "scores",
        "skip-levels",
        "retest-fails",
        "retest-passes",
        "same-day",
        "none",
    ],
)
def test_highest_level_whose_latest_result_passes(
    results: list[AssessmentResult], level: int | None
) -> None:
    found = competences_from_assessments(results)
    assert [c.level for c in found] == ([] if level is None else [level])
    if found:
        assert found[0].source is CompetenceSource.ASSESSMENT
        assert found[0].evidence and f"level {level}" in found[0].evidence


def test_pass_mark_is_a_parameter() -> None:
    results = [result(3, score=0.6)]
    assert competences_from_assessments(results)[0].level == 3
    assert competences_from_assessments(results, rule=CompetenceRule(pass_mark=0.7)) == ()


@pytest.mark.parametrize(
    ("when", "as_of", "score"),
    [
        (date(2020, 1, 1), date(2020, 1, 1), 4.0),
        (date(2020, 1, 1), date(2025, 1, 1), 2.0),  # one half-life: half the level
        (date(2020, 1, 1), date(2030, 1, 2), 1.0),
        (date(2026, 1, 1), date(2025, 1, 1), 4.0),  # evidence from the future does not grow
        (None, date(2040, 1, 1), 4.0),  # undated evidence does not decay
    ],
    ids=["fresh", "half-life", "two-half-lives", "future", "undated"],
)
def test_scores_decay_with_the_age_of_evidence(
    when: date | None, as_of: date, score: float
) -> None:
    competence = Competence(PYTHON, 4, CompetenceSource.ASSESSMENT, when)
    assert competence_score(competence, as_of=as_of) == pytest.approx(score, abs=0.01)


def test_no_level_counts_at_any_level_and_decay_can_be_off() -> None:
    assert competence_score(Competence(PYTHON), as_of=D1) is None
    old = Competence(PYTHON, 4, CompetenceSource.ASSESSMENT, date(2000, 1, 1))
    assert competence_score(old, as_of=D2, rule=CompetenceRule(half_life_years=None)) == 4.0


def test_new_results_rederive_only_their_skills() -> None:
    learner = Learner(
        id="urn:example:learner:1",
        competences=(
            Competence(SQL, 3, CompetenceSource.SELF_DECLARED),
            Competence(PYTHON, 2, CompetenceSource.ASSESSMENT, D1),
            Competence(PYTHON, 5, CompetenceSource.ENDORSED),
        ),
        assessments=(result(2, D1, passed=True),),
    )
    updated = learner.with_assessments([result(3, D2, passed=True)])
    assert len(updated.assessments) == 2
    by = {(c.skill, c.source): c.level for c in updated.competences}
    assert by == {
        (SQL, CompetenceSource.SELF_DECLARED): 3,
        (PYTHON, CompetenceSource.ENDORSED): 5,
        (PYTHON, CompetenceSource.ASSESSMENT): 3,
    }


DOCUMENT = {
    "id": "urn:example:learner:42",
    "jurisdiction": "IE",
    "target_jurisdiction": "NL",
    "competences": [
        {"skill": SQL, "level": 3, "source": "credential", "date": "2026-01-10", "evidence": "x"}
    ],
    "credentials": ["https://www.liffey-tu.example/credentials/programming-fundamentals-python"],
    "assessments": [
        {"skill": PYTHON, "level": 3, "passed": True, "date": "2026-01-10", "assessor": "a"},
        {"skill": PYTHON, "level": 4, "score": 0.4, "date": "2026-01-10"},
    ],
}


@pytest.fixture(scope="module")
def schema() -> Draft202012Validator:
    documents = {
        name: json.loads((SCHEMAS / f"{name}.schema.json").read_text())
        for name in ("learner", "issuer")
    }
    registry: Registry[Any] = Registry().with_resources(
        (d["$id"], Resource.from_contents(d)) for d in documents.values()
    )
    Draft202012Validator.check_schema(documents["learner"])
    return Draft202012Validator(documents["learner"], registry=registry)


def test_document_round_trip_and_schema(schema: Draft202012Validator) -> None:
    learner = learner_from_document(DOCUMENT)
    assert learner.competences[0].date == date(2026, 1, 10)
    assert learner.assessments[1].passed is None and learner.assessments[1].score == 0.4
    # the assessed competence is derived from the results: level 3 passed, level 4 not
    (assessed,) = [c for c in learner.competences if c.source is CompetenceSource.ASSESSMENT]
    assert (assessed.skill, assessed.level, assessed.date) == (PYTHON, 3, date(2026, 1, 10))
    document = learner_to_document(learner)
    assert {k: v for k, v in document.items() if k != "competences"} == {
        k: v for k, v in DOCUMENT.items() if k != "competences"
    }
    assert learner_from_document(document) == learner
    schema.validate(document)


def test_stated_assessed_levels_give_way_to_the_results() -> None:
    claimed = {**DOCUMENT, "competences": [{"skill": PYTHON, "level": 8, "source": "assessment"}]}
    learner = learner_from_document(claimed)
    assert [(c.skill, c.level) for c in learner.competences] == [(PYTHON, 3)]
    reported = {
        "id": "urn:x:1",
        "competences": [{"skill": SQL, "level": 4, "source": "assessment"}],
    }
    assert learner_from_document(reported).competences[0].level == 4  # no results: kept


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"competences": [{"skill": SQL, "level": 9}]}, "competences[0].level"),
        ({"competences": [{"skill": SQL, "level": 0}]}, "competences[0].level"),
        ({"competences": [{"skill": SQL, "source": "rumour"}]}, "competences[0].source"),
        ({"competences": [{"skill": SQL, "date": "10/01/2026"}]}, "competences[0].date"),
        (
            {"assessments": [{"skill": SQL, "level": 2, "date": "2026-01-10"}]},
            "assessments[0].passed",
        ),
        (
            {"assessments": [{"skill": SQL, "level": 2, "date": "2026-01-10", "score": 1.5}]},
            "assessments[0].score",
        ),
        ({"id": None}, "id"),
    ],
    ids=["level-9", "level-0", "source", "date", "no-result", "score", "no-id"],
)
def test_bad_documents_name_the_field(
    schema: Draft202012Validator, change: dict[str, Any], field: str
) -> None:
    document = {**DOCUMENT, **change}
    if document["id"] is None:
        del document["id"]
    with pytest.raises(InvalidInputError) as caught:
        learner_from_document(document)
    assert caught.value.details["field"] == field
    assert not schema.is_valid(document)  # the published schema rejects it too
