"""The career overview on every backend: events in order, how levels were established, targets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from graph.errors import ForbiddenError, InvalidInputError
from graph.model.accounts import Actor, ConsentScope
from graph.model.concepts import NodeKind
from graph.model.impact import ImpactCertificate, ImpactClaim, ImpactSkill
from graph.model.learner_documents import learner_from_document
from graph.model.learners import AssessmentResult, Competence, CompetenceSource, Learner
from graph.reference import ReferenceData, load_reference_data
from graph.services.accounts import create_user, grant_consent, user_iri
from graph.services.career.overview import career_overview
from graph.services.impact.claims import claim_record
from graph.services.pathways.learners import create_learner, import_assessments, replace_learner
from graph.store import GraphBatch, GraphStore
from tests.fixtures.actors import ADMIN, as_assessor, as_learner

ONTOLOGIES = Path(__file__).resolve().parents[2] / "ontologies"
SKILL = "http://data.europa.eu/esco/skill/"
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
USE_DATABASES = SKILL + "4463a721-69f3-413d-8321-43e3af13a4f1"
CLEANSING = SKILL + "50b100ea-74fd-4706-99db-3e4ca55e51b8"
STATISTICS = SKILL + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
ID = "urn:example:learner:career"
ASSESSOR = "https://assessors.example/aoife"
BASE = "https://credwalk.org/id"


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_reference_data(ONTOLOGIES, base_iri="https://credwalk.org/id")


def _history(store: GraphStore, reference: ReferenceData) -> None:
    learner = Learner(
        id=ID,
        competences=(Competence(PYTHON, 3, CompetenceSource.SELF_DECLARED, dt.date(2014, 3, 1)),),
    )
    create_learner(store, learner, actor=as_learner(ID), reference=reference)
    results = [
        AssessmentResult(USE_DATABASES, 2, dt.date(2016, 9, 15), passed=True),
        AssessmentResult(USE_DATABASES, 3, dt.date(2018, 10, 1), score=0.7),
        AssessmentResult(USE_DATABASES, 4, dt.date(2021, 2, 1), score=0.2),
        AssessmentResult(CLEANSING, 3, dt.date(2020, 4, 20), passed=True),
    ]
    import_assessments(store, ID, results, actor=as_assessor(ASSESSOR))


def test_levels_are_in_order_with_how_each_was_established(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    _history(loaded_store, reference)
    found = career_overview(loaded_store, ID, actor=as_learner(ID), targets=[DATA_ANALYST])
    steps = [(s.date, s.skill, s.level) for s in found.steps]
    assert steps == [
        (dt.date(2014, 3, 1), PYTHON, 3),
        (dt.date(2016, 9, 15), USE_DATABASES, 2),
        (dt.date(2018, 10, 1), USE_DATABASES, 3),
        (dt.date(2020, 4, 20), CLEANSING, 3),
    ]  # the failed level 4 of 2021 changes nothing
    by = {(s.skill, s.level): s.established_by for s in found.steps}
    databases, python = by[(USE_DATABASES, 3)], by[(PYTHON, 3)]
    assert databases is not None and databases.by == ASSESSOR
    assert databases.evidence == "scored 0.70 at level 3"
    assert python is not None and python.source == "self_declared"
    dates = [o.date for o in found.observations]
    assert None not in dates and dates == sorted(d for d in dates if d is not None)
    assert len(found.observations) == 5  # four results and the declared competence
    assert found.labels[USE_DATABASES] == "use databases"
    assert found.group_of[USE_DATABASES]  # an ESCO skill group above it
    # Coverage of the data analyst's essential skills grows at each date one of them is added.
    (target,) = found.targets
    assert target.occupation == DATA_ANALYST and target.label == "data analyst"
    essential = len(target.essential)
    assert [(p.date, p.covered, p.total) for p in target.points] == [
        (dt.date(2016, 9, 15), 1, essential),
        (dt.date(2020, 4, 20), 2, essential),
    ]
    radar = {a.skill: a for a in found.radar}
    assert radar[USE_DATABASES].held == 3 and radar[USE_DATABASES].covered
    assert radar[STATISTICS].held is None and not radar[STATISTICS].covered


def test_coverage_changes_when_a_competence_is_added(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    _history(loaded_store, reference)
    before = career_overview(loaded_store, ID, actor=ADMIN, targets=[DATA_ANALYST]).targets[0]
    learner = dataclasses.replace(
        career_learner(loaded_store),
        competences=(
            Competence(PYTHON, 3, CompetenceSource.SELF_DECLARED, dt.date(2014, 3, 1)),
            Competence(STATISTICS, 4, CompetenceSource.ENDORSED, dt.date(2023, 5, 2), "manager"),
        ),
    )
    replace_learner(loaded_store, learner, actor=as_learner(ID), reference=reference)
    after = career_overview(loaded_store, ID, actor=ADMIN, targets=[DATA_ANALYST]).targets[0]
    assert after.points[:-1] == before.points
    assert (after.points[-1].date, after.points[-1].covered) == (dt.date(2023, 5, 2), 3)


def career_learner(store: GraphStore) -> Learner:
    return learner_from_document(store.get_record(ID, kind=NodeKind.LEARNER).body)


def _claim(number: int, certificate: ImpactCertificate | None) -> ImpactClaim:
    return ImpactClaim(
        id=f"urn:example:impact:{number}",
        claimant=ID,
        author=ID,
        title=f"Cut report time by half ({number})",
        beneficiary="the finance team",
        outcome="reports in two days instead of four",
        start="2021-06-01",
        end=None,
        skills=(ImpactSkill(STATISTICS, "statistics"),),
        evidence=(),
        endorsers=("urn:example:user:manager",),
        created_at="2021-12-01T09:00:00Z",
        certificate=certificate,
    )


def test_impact_certificates_and_undated_sources_take_their_place(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    _history(loaded_store, reference)
    issued = ImpactCertificate({}, "2022-02-02T10:00:00Z", "did:key:z#z", "urn:status:1", 7)
    # as the impact service writes them: one issued, one still awaiting its endorser
    loaded_store.write(
        GraphBatch(records=[claim_record(_claim(1, issued)), claim_record(_claim(2, None))])
    )
    found = career_overview(loaded_store, ID, actor=ADMIN)
    last = found.steps[-1]
    assert (last.date, last.skill, last.level) == (dt.date(2022, 2, 2), STATISTICS, None)
    assert last.established_by is not None and last.established_by.source == "impact"
    assert [(a.kind, a.title) for a in found.achievements] == [
        ("impact", "Cut report time by half (1)")
    ]


def test_private_by_default_and_open_by_the_overview_consent(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    _history(loaded_store, reference)
    create_user(loaded_store, actor=ADMIN, name="mentor", password=None, base_iri=BASE)
    grantee = user_iri("mentor", base_iri=BASE)
    mentor = Actor(user=grantee, name="mentor", grants=())
    with pytest.raises(ForbiddenError):
        career_overview(loaded_store, ID, actor=mentor)

    def consent(*scopes: ConsentScope) -> None:
        grant_consent(
            loaded_store, actor=ADMIN, learner=ID, grantee=grantee, scopes=scopes, base_iri=BASE
        )

    consent(ConsentScope.COMPETENCES, ConsentScope.PROOFS)
    with pytest.raises(ForbiddenError):  # competences and proofs alone do not open it
        career_overview(loaded_store, ID, actor=mentor)
    consent(ConsentScope.OVERVIEW)
    assert len(career_overview(loaded_store, ID, actor=mentor).steps) == 4
    with pytest.raises(InvalidInputError) as bad:
        career_overview(loaded_store, ID, actor=mentor, targets=[PYTHON])
    assert bad.value.details["field"] == "target"
