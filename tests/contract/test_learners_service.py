"""Storing learners, importing assessments, gaps and pathways, on every backend."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import networkx as nx
import pytest

from graph.algorithms.gaps import Basis, Coverage
from graph.algorithms.pathways import Constraints
from graph.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NoPathwayError,
    NotFoundError,
)
from graph.model.concepts import NodeKind, RelationType
from graph.model.credentials import Credential, CredentialSkill, Issuer
from graph.model.learners import AssessmentResult, Competence, CompetenceSource, Learner
from graph.reference import ReferenceData, load_reference_data
from graph.services.catalogue.credentials import save_catalogue
from graph.services.concepts import skill_groups
from graph.services.pathways.learners import (
    create_learner,
    declare_competence,
    get_learner,
    held_skills,
    import_assessments,
    replace_learner,
)
from graph.services.pathways.planning import PathwayRequest, find_pathways, gap_analysis
from graph.services.pathways.targets import parse_target
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN, as_assessor, as_learner
from tests.fixtures.demo_catalogue import load_demo_catalogue

ONTOLOGIES = Path(__file__).resolve().parents[2] / "ontologies"
SKILL = "http://data.europa.eu/esco/skill/"
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
PROGRAMMING = SKILL + "21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
SQL = SKILL + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
TODAY = dt.date(2026, 6, 1)
LEARNER = Learner(
    id="urn:example:learner:42",
    jurisdiction="ie",
    target_jurisdiction="nl",
    competences=(Competence(SQL, 3, CompetenceSource.SELF_DECLARED, dt.date(2026, 1, 10)),),
    credentials=("https://nowhere.example/credentials/unknown",),
)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_reference_data(ONTOLOGIES, base_iri="https://credwalk.org/id")


def test_create_read_and_replace(loaded_store: GraphStore, reference: ReferenceData) -> None:
    saved = create_learner(loaded_store, LEARNER, actor=ADMIN, reference=reference)
    assert saved.unresolved == ("https://nowhere.example/credentials/unknown",)
    stored = get_learner(loaded_store, LEARNER.id, actor=ADMIN)
    assert (stored.jurisdiction, stored.target_jurisdiction) == ("IE", "NL")
    assert stored.competences == LEARNER.competences
    record = loaded_store.get_record(LEARNER.id, kind=NodeKind.LEARNER)
    assert record.index["target_jurisdiction"] == "NL"
    with pytest.raises(ConflictError):
        create_learner(loaded_store, LEARNER, actor=ADMIN, reference=reference)
    moved = dataclasses.replace(LEARNER, target_jurisdiction="DE")
    replace_learner(loaded_store, moved, actor=ADMIN, reference=reference)
    assert get_learner(loaded_store, LEARNER.id, actor=ADMIN).target_jurisdiction == "DE"
    with pytest.raises(NotFoundError):
        replace_learner(
            loaded_store,
            dataclasses.replace(LEARNER, id="urn:example:nobody"),
            actor=ADMIN,
            reference=reference,
        )


def test_results_are_the_assessors_not_the_learners(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    learner = as_learner(LEARNER.id)
    result = AssessmentResult(PYTHON, 4, dt.date(2026, 3, 1), passed=True)
    with pytest.raises(InvalidInputError, match="recorded by assessors") as refused:
        create_learner(
            loaded_store,
            dataclasses.replace(LEARNER, assessments=(result,)),
            actor=learner,
            reference=reference,
        )
    assert refused.value.details["field"] == "assessments"
    create_learner(loaded_store, LEARNER, actor=learner, reference=reference)
    recorded = import_assessments(
        loaded_store, LEARNER.id, [result], actor=as_assessor("https://assessors.example/1")
    ).assessments
    assert [r.assessor for r in recorded] == ["https://assessors.example/1"]
    # Sent back without its results, the record keeps them; with changed ones it is refused.
    moved = dataclasses.replace(LEARNER, target_jurisdiction="DE")
    replace_learner(loaded_store, moved, actor=learner, reference=reference)
    kept = get_learner(loaded_store, LEARNER.id, actor=learner)
    assert kept.assessments == recorded and kept.target_jurisdiction == "DE"
    forged = dataclasses.replace(recorded[0], level=8)
    with pytest.raises(InvalidInputError, match="recorded by assessors"):
        replace_learner(
            loaded_store,
            dataclasses.replace(moved, assessments=(forged,)),
            actor=learner,
            reference=reference,
        )
    replace_learner(
        loaded_store,
        dataclasses.replace(moved, assessments=recorded),
        actor=learner,
        reference=reference,
    )
    assert get_learner(loaded_store, LEARNER.id, actor=ADMIN).assessments == recorded


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"competences": (Competence(SKILL + "nope", 2),)}, "competences[0].skill"),
        ({"competences": (Competence(SQL, 9),)}, "competences[0].level"),
        ({"jurisdiction": "XX"}, "jurisdiction"),
        ({"target_jurisdiction": "Atlantis"}, "target_jurisdiction"),
        ({"id": "learner 42"}, "id"),
        (
            {"assessments": (AssessmentResult(SQL, 3, TODAY, score=1.5),)},
            "assessments[0].score",
        ),
    ],
    ids=["unknown-skill", "level-9", "jurisdiction", "target-jurisdiction", "id", "score"],
)
def test_bad_learners_write_nothing(
    loaded_store: GraphStore, reference: ReferenceData, change: dict[str, object], field: str
) -> None:
    before = loaded_store.stats()
    with pytest.raises(InvalidInputError) as caught:
        create_learner(
            loaded_store,
            dataclasses.replace(LEARNER, **change),  # type: ignore[arg-type]
            actor=ADMIN,
            reference=reference,
        )
    assert caught.value.details["field"] == field
    assert loaded_store.stats() == before
    assert loaded_store.list_records(kind=NodeKind.LEARNER) == []


def test_assessment_results_become_competences(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    create_learner(loaded_store, LEARNER, actor=ADMIN, reference=reference)
    results = [
        AssessmentResult(PYTHON, 2, dt.date(2026, 1, 10), passed=True, assessor="urn:x:a"),
        AssessmentResult(PYTHON, 3, dt.date(2026, 1, 10), score=0.8),
        AssessmentResult(PYTHON, 4, dt.date(2026, 1, 10), score=0.3),
    ]
    import_assessments(loaded_store, LEARNER.id, results, actor=ADMIN)
    learner = get_learner(loaded_store, LEARNER.id, actor=ADMIN)
    assessed = [c for c in learner.competences if c.source is CompetenceSource.ASSESSMENT]
    assert [(c.skill, c.level) for c in assessed] == [(PYTHON, 3)]
    assert len(learner.assessments) == 3
    # a retest that fails level 3 brings the skill down to level 2
    import_assessments(
        loaded_store, LEARNER.id, [AssessmentResult(PYTHON, 3, TODAY, passed=False)], actor=ADMIN
    )
    assessed = [
        c
        for c in get_learner(loaded_store, LEARNER.id, actor=ADMIN).competences
        if c.source is CompetenceSource.ASSESSMENT
    ]
    assert [(c.skill, c.level) for c in assessed] == [(PYTHON, 2)]
    before = get_learner(loaded_store, LEARNER.id, actor=ADMIN)
    with pytest.raises(InvalidInputError) as caught:
        import_assessments(
            loaded_store,
            LEARNER.id,
            [AssessmentResult(SKILL + "nope", 2, TODAY, True)],
            actor=ADMIN,
        )
    assert caught.value.details["field"] == "results[0].skill"
    assert get_learner(loaded_store, LEARNER.id, actor=ADMIN) == before
    with pytest.raises(NotFoundError):
        import_assessments(loaded_store, "urn:example:nobody", results, actor=ADMIN)


def test_credentials_held_count_as_held_skills(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    issuer = Issuer("https://www.ucd.ie", "University College Dublin", jurisdiction="IE")
    course = Credential(
        id="https://nowhere.example/credentials/unknown",
        title="Python",
        issuer=issuer.id,
        skills=(CredentialSkill(PYTHON, level=4),),
    )
    create_learner(loaded_store, LEARNER, actor=ADMIN, reference=reference)
    save_catalogue(
        loaded_store, actor=ADMIN, issuers=[issuer], credentials=[course], reference=reference
    )
    held = {(h.skill, h.source, h.score) for h in held_skills(loaded_store, LEARNER, as_of=TODAY)}
    assert (PYTHON, "credential", 4.0) in held
    assert any(s == SQL and src == "self_declared" for s, src, _ in held)


def test_gap_analysis_reads_the_hierarchy_from_the_store(loaded_store: GraphStore) -> None:
    learner = Learner(
        id="urn:example:learner:7",
        competences=(Competence(PYTHON, 4, CompetenceSource.ASSESSMENT, TODAY),),
    )
    target = parse_target(f"skills:{PROGRAMMING}@3,{PYTHON}@3,{SQL}")
    report = gap_analysis(loaded_store, learner=learner, target=target, as_of=TODAY)
    coverage = {i.requirement.skill: i.coverage for i in report.analysis.items}
    assert coverage == {
        PROGRAMMING: Coverage.PARTIAL,
        PYTHON: Coverage.COVERED,
        SQL: Coverage.MISSING,
    }
    (related,) = report.analysis.items[0].related
    assert (related.basis, related.held.skill) == (Basis.NARROWER, PYTHON)
    assert report.labels[PYTHON] == "Python (computer programming)"
    with pytest.raises(NotFoundError) as caught:
        gap_analysis(loaded_store, learner=learner, target=parse_target("occupation:urn:x:none"))
    assert caught.value.details["field"] == "target"


def test_pathways_over_the_demo_catalogue(store: GraphStore) -> None:
    catalogue = load_demo_catalogue(store)
    learner = Learner("urn:example:learner:1", jurisdiction="IE", target_jurisdiction="NL")
    target = parse_target(f"occupation:{DATA_ANALYST}")
    report = find_pathways(
        store,
        learner=learner,
        target=target,
        reference=catalogue.reference,
        request=PathwayRequest(alternatives=2, as_of=TODAY),
    )
    best = report.plans[0].pathway
    assert best.method.value == "exact" and report.jurisdiction == "NL"
    assert len(best.covers) == 30  # every essential skill of the data analyst
    by_id = {c.id: c for c in catalogue.credentials}
    for step in best.steps:  # recognised in NL: by NL itself or by the EU
        assert {"NL", "EU"} & set(by_id[step.credential].recognized_in)
    assert report.plans[1].pathway.cost >= best.cost
    with pytest.raises(NoPathwayError) as caught:
        find_pathways(
            store,
            learner=learner,
            target=target,
            reference=catalogue.reference,
            request=PathwayRequest(constraints=Constraints(jurisdiction="US"), as_of=TODAY),
        )
    assert caught.value.details["uncovered_skills"]
    assert caught.value.details["binding"] == ["jurisdiction"]


def test_a_learner_declares_one_competence_and_nothing_else_changes(
    loaded_store: GraphStore, reference: ReferenceData
) -> None:
    learner = as_learner(LEARNER.id)
    first = declare_competence(
        loaded_store, LEARNER.id, skill=PYTHON, level=3, actor=learner, reference=reference
    )
    assert [c.skill for c in first.learner.competences] == [PYTHON]  # the record is created
    create = dataclasses.replace(LEARNER, id="urn:example:learner:43")
    create_learner(loaded_store, create, actor=ADMIN, reference=reference)
    other = as_learner(create.id)
    with pytest.raises(ForbiddenError):
        declare_competence(
            loaded_store, create.id, skill=PYTHON, level=3, actor=learner, reference=reference
        )
    declare_competence(
        loaded_store, create.id, skill=SQL, level=6, actor=other, reference=reference, today=TODAY
    )
    stored = get_learner(loaded_store, create.id, actor=ADMIN)
    assert stored.competences == (Competence(SQL, 6, CompetenceSource.SELF_DECLARED, TODAY),)
    for skill, level, field in ((DATA_ANALYST, 3, "skill"), (PYTHON, 9, "level")):
        with pytest.raises(InvalidInputError) as refused:
            declare_competence(
                loaded_store, create.id, skill=skill, level=level, actor=other, reference=reference
            )
        assert refused.value.details["field"] == field
    assert get_learner(loaded_store, create.id, actor=ADMIN) == stored


def test_skill_groups_are_the_nearest_groups_above(loaded_store: GraphStore) -> None:
    skills = [PYTHON, PROGRAMMING, SQL]
    groups = skill_groups(loaded_store, skills)
    broader = loaded_store.subgraph(
        kinds=[NodeKind.SKILL, NodeKind.SKILL_GROUP], relation_types=[RelationType.BROADER]
    )
    for skill in skills:
        hops = nx.single_source_shortest_path_length(broader, skill)
        reachable = {n: d for n, d in hops.items() if broader.nodes[n]["kind"] == "skill_group"}
        group, label = groups[skill]
        assert hops[group] == min(reachable.values())
        assert label == loaded_store.get_concept(group).preferred_label("en")
