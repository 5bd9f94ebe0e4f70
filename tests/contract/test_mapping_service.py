"""Curriculum mapping with decisions that re-runs never overturn, on every backend."""

from __future__ import annotations

import dataclasses

import pytest

from graph.errors import ConflictError, InvalidInputError, NotFoundError, UnauthenticatedError
from graph.model.accounts import ANONYMOUS
from graph.model.credentials import Credential, Issuer, IssuerType, SkillStatus
from graph.services.catalogue.credentials import get_credential, save_catalogue
from graph.services.catalogue.mapping import decide_skill, map_outcomes, suggest_skills
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN, admin_named
from tests.fixtures.embedders import HashingEmbedder

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
ISSUER = Issuer("https://www.ucd.ie", "University College Dublin", IssuerType.INSTITUTION, "IE")
COURSE = Credential(
    id="https://www.ucd.ie/credentials/data-programming",
    title="Programming for data analysis",
    issuer=ISSUER.id,
    learning_outcomes=(
        "Write Python programs that clean and analyse data",
        "Query relational databases with SQL",
    ),
)


@pytest.fixture
def course(loaded_store: GraphStore) -> Credential:
    save_catalogue(loaded_store, actor=ADMIN, issuers=[ISSUER], credentials=[COURSE])
    return COURSE


def test_outcomes_map_to_skills_with_bands_and_reasons(loaded_store: GraphStore) -> None:
    mapping = map_outcomes(loaded_store, HashingEmbedder(), COURSE.learning_outcomes, top=3)
    assert mapping.method == "hybrid" and mapping.model == "test/hashing-384"
    first, second = mapping.outcomes
    assert PYTHON in {m.uri for m in first.matches}
    assert second.matches[0].uri == SQL
    for match in first.matches:
        assert 0 <= match.score <= 1 and match.band in {"high", "medium", "low"}
        assert "outcome 1" in match.reason and "matched the" in match.reason
    assert {s.uri for s in mapping.suggestions} >= {PYTHON, SQL}
    assert mapping.suggestions == sorted(mapping.suggestions, key=lambda s: (-s.score, s.uri))


def test_suggestions_are_stored_and_decisions_survive_reruns(
    loaded_store: GraphStore, course: Credential
) -> None:
    embedder = HashingEmbedder()
    _, suggested = suggest_skills(loaded_store, embedder, course.id, actor=ADMIN, top=3)
    states = {s.uri: s for s in suggested.skills}
    assert states[PYTHON].status is SkillStatus.SUGGESTED
    assert states[PYTHON].model == "test/hashing-384" and states[PYTHON].evidence
    assert get_credential(loaded_store, course.id) == suggested

    decide_skill(
        loaded_store, course.id, PYTHON, accept=True, actor=admin_named("registrar@ucd.ie"), level=4
    )
    decide_skill(loaded_store, course.id, SQL, accept=False, actor=admin_named("registrar@ucd.ie"))
    _, rerun = suggest_skills(loaded_store, embedder, course.id, actor=ADMIN, top=3)
    states = {s.uri: s for s in rerun.skills}
    assert states[PYTHON].status is SkillStatus.CONFIRMED
    assert states[PYTHON].decided_by == "registrar@ucd.ie" and states[PYTHON].level == 4
    assert states[PYTHON].decided_at is not None
    assert states[SQL].status is SkillStatus.REJECTED
    assert [s.uri for s in rerun.skills].count(SQL) == 1
    assert get_credential(loaded_store, course.id).confirmed_skills == (states[PYTHON],)


def test_a_decision_is_not_silently_flipped(loaded_store: GraphStore, course: Credential) -> None:
    decide_skill(loaded_store, course.id, SQL, accept=False, actor=admin_named("registrar@ucd.ie"))
    with pytest.raises(ConflictError, match=r"rejected by registrar@ucd\.ie"):
        decide_skill(loaded_store, course.id, SQL, accept=True, actor=admin_named("someone else"))
    assert {s.uri: s.status for s in get_credential(loaded_store, course.id).skills}[SQL] is (
        SkillStatus.REJECTED
    )


def test_bad_decisions(loaded_store: GraphStore, course: Credential) -> None:
    with pytest.raises(UnauthenticatedError):
        decide_skill(loaded_store, course.id, SQL, accept=True, actor=ANONYMOUS)
    with pytest.raises(NotFoundError):
        decide_skill(
            loaded_store,
            course.id,
            "http://data.europa.eu/esco/skill/x",
            accept=True,
            actor=admin_named("a"),
        )
    with pytest.raises(NotFoundError):
        decide_skill(
            loaded_store, "https://nowhere.example/c", SQL, accept=True, actor=admin_named("a")
        )


def test_a_credential_without_outcomes_cannot_be_mapped(
    loaded_store: GraphStore, course: Credential
) -> None:
    bare = dataclasses.replace(
        course, id="https://www.ucd.ie/credentials/bare", learning_outcomes=()
    )
    save_catalogue(loaded_store, actor=ADMIN, credentials=[bare])
    with pytest.raises(InvalidInputError, match="no learning outcomes"):
        suggest_skills(loaded_store, HashingEmbedder(), bare.id, actor=ADMIN)


def test_other_languages_fall_back_clearly_with_an_english_model(loaded_store: GraphStore) -> None:
    mapping = map_outcomes(loaded_store, HashingEmbedder(), ["Programmer en Python"], language="fr")
    assert mapping.method == "lexical" and mapping.model is None
    assert mapping.note is not None and "English-only" in mapping.note
