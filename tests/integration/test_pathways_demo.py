"""End to end over the demo catalogue: an assessed learner's pathway to data analyst.

Aoife lives in Ireland and wants to work as a data analyst (ESCO) in the Netherlands. Her
onboarding assessments show she is good at statistics and at querying databases; the demo
catalogue (ontologies/demo/credentials.json) holds ~40 real-looking micro-credentials over the
real ESCO skills of the demo slice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from graph.algorithms.gaps import Coverage
from graph.algorithms.pathways import Constraints, Method
from graph.backends.embedded import EmbeddedStore
from graph.errors import NoPathwayError
from graph.model.learners import AssessmentResult, CompetenceSource, Learner
from graph.services.pathways.learners import create_learner, get_learner, import_assessments
from graph.services.pathways.planning import (
    PathwayReport,
    PathwayRequest,
    find_pathways,
    gap_analysis,
)
from graph.services.pathways.targets import parse_target
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import DemoCatalogue, load_demo_catalogue

DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
SKILL = "http://data.europa.eu/esco/skill/"
STATISTICS = SKILL + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
APPLY_STATISTICS = SKILL + "382c11ed-20d5-4ae7-b60e-15fec527fa6c"
INTERPRET_DATA = SKILL + "1e77e42a-181f-4b48-8e74-201ce50ffc29"
CALCULATIONS = SKILL + "31c69100-b612-4a61-8db5-fd314318854c"
DATA_SAMPLES = SKILL + "4a193795-fa63-414e-9f2e-bfdb3924571e"
USE_DATABASES = SKILL + "4463a721-69f3-413d-8321-43e3af13a4f1"
QUERY_LANGUAGES = SKILL + "9cf681c7-89ec-470c-b651-7fe03786f586"
DATA_MODELS = SKILL + "fecf8a0d-62c4-4e71-9b03-0f4fc2ad7bf5"
INFORMATION_STRUCTURE = SKILL + "03ff0d53-573a-47a0-a0ad-1995815a4339"
DATA_MINING = SKILL + "25f0ea33-b4a2-4f31-b7b4-7d20e827b180"
ALLIANCE = "https://www.data-skills-alliance.example/credentials/"
DELTA = "https://www.hogeschool-delta.example/credentials/"
RUHR = "https://www.hs-niederrhein-ruhr.example/credentials/"
TODAY = dt.date(2026, 6, 1)
ONBOARDING = dt.date(2026, 2, 1)
LEARNER = "urn:example:learner:aoife"


def passed(skill: str, *levels: int, failed: int | None = None) -> list[AssessmentResult]:
    results = [
        AssessmentResult(skill, lv, ONBOARDING, passed=True, assessor="urn:example:assessor:1")
        for lv in levels
    ]
    if failed is not None:
        results.append(AssessmentResult(skill, failed, ONBOARDING, passed=False))
    return results


ASSESSMENTS = [
    *passed(STATISTICS, 3, 4, failed=5),
    AssessmentResult(APPLY_STATISTICS, 3, ONBOARDING, score=0.8),
    AssessmentResult(APPLY_STATISTICS, 4, ONBOARDING, score=0.7),
    *passed(INTERPRET_DATA, 3),
    *passed(CALCULATIONS, 4),
    *passed(DATA_SAMPLES, 3),
    *passed(USE_DATABASES, 2, failed=3),
    *passed(QUERY_LANGUAGES, 3),
    *passed(DATA_MODELS, 3),
    *passed(INFORMATION_STRUCTURE, 3),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GraphStore, DemoCatalogue]]:
    store = EmbeddedStore(tmp_path_factory.mktemp("demo") / "store.db")
    store.open()
    catalogue = load_demo_catalogue(store)
    learner = Learner(LEARNER, jurisdiction="IE", target_jurisdiction="NL")
    create_learner(store, learner, actor=ADMIN, reference=catalogue.reference)
    import_assessments(store, LEARNER, ASSESSMENTS, actor=ADMIN)
    yield store, catalogue
    store.close()


def search(demo: tuple[GraphStore, DemoCatalogue], target: str, **options: object) -> PathwayReport:
    store, catalogue = demo
    return find_pathways(
        store,
        learner=get_learner(store, LEARNER, actor=ADMIN),
        target=parse_target(target),
        reference=catalogue.reference,
        request=PathwayRequest(as_of=TODAY, **options),  # type: ignore[arg-type]
    )


def test_assessment_results_become_scored_competences(
    demo: tuple[GraphStore, DemoCatalogue],
) -> None:
    learner = get_learner(demo[0], LEARNER, actor=ADMIN)
    levels = {c.skill: c.level for c in learner.competences}
    assert levels[STATISTICS] == 4  # passed 3 and 4, failed 5
    assert levels[APPLY_STATISTICS] == 4  # scores 0.8 and 0.7 reach the pass mark
    assert levels[USE_DATABASES] == 2
    assert all(c.source is CompetenceSource.ASSESSMENT for c in learner.competences)


def test_the_gap_to_data_analyst(demo: tuple[GraphStore, DemoCatalogue]) -> None:
    store, _ = demo
    report = gap_analysis(
        store,
        learner=get_learner(store, LEARNER, actor=ADMIN),
        target=parse_target(f"occupation:{DATA_ANALYST}"),
        as_of=TODAY,
    )
    essential = [i for i in report.analysis.items if i.requirement.required]
    assert len(essential) == 30
    covered = {i.requirement.skill for i in essential if i.coverage is Coverage.COVERED}
    assert covered == {
        STATISTICS,
        APPLY_STATISTICS,
        INTERPRET_DATA,
        CALCULATIONS,
        DATA_SAMPLES,
        USE_DATABASES,
        QUERY_LANGUAGES,
        DATA_MODELS,
        INFORMATION_STRUCTURE,
    }
    statistics = next(i for i in essential if i.requirement.skill == STATISTICS)
    assert statistics.evidence[0].source == "assessment"
    assert statistics.evidence[0].score == pytest.approx(4 * 2 ** (-120 / 365.25 / 5), abs=1e-3)
    assert DATA_MINING in {r.skill for r in report.analysis.gap}


def test_the_best_pathway_and_its_alternatives(demo: tuple[GraphStore, DemoCatalogue]) -> None:
    _, catalogue = demo
    report = search(demo, f"occupation:{DATA_ANALYST}", alternatives=3)
    assert report.jurisdiction == "NL"
    best = report.plans[0].pathway
    assert best.method is Method.EXACT and best.bound.gap == 0.0
    steps = [s.credential for s in best.steps]
    # Statistics and databases are assessed; what is left needs visualisation, data quality
    # (either delivery), data integration, and big data, which requires the databases module.
    assert set(steps) - {ALLIANCE + "data-quality-cleansing", DELTA + "data-quality-cleansing"} == {
        ALLIANCE + "data-visualisation-business-intelligence",
        RUHR + "datenintegration-datenprozesse",
        DELTA + "databases-querying-analysts",
        DELTA + "big-data-data-mining",
    }
    assert steps.index(DELTA + "databases-querying-analysts") < steps.index(
        DELTA + "big-data-data-mining"
    )
    big_data = best.steps[steps.index(DELTA + "big-data-data-mining")]
    assert big_data.after == (DELTA + "databases-querying-analysts",)
    assert DATA_MINING in big_data.covers
    costs = {c.id: c.cost.amount for c in catalogue.credentials if c.cost}
    assert best.cost == sum(costs[s] for s in steps)
    recognised = {c.id: set(c.recognized_in) for c in catalogue.credentials}
    assert all(recognised[s] & {"NL", "EU"} for s in steps)
    explanation = report.plans[0].explanations[steps.index(DELTA + "big-data-data-mining")]
    assert "data mining" in explanation and "Databases and Querying" in explanation
    last = report.plans[0].offramps[-1].occupations[0]
    assert (last.uri, last.coverage, last.qualifies) == (DATA_ANALYST, 1.0, True)
    others = [p.pathway for p in report.plans[1:]]
    assert others and all(p.cost >= best.cost for p in others)
    # the heuristic finds a pathway no better than the optimum, and says how far it may be
    heuristic = search(demo, f"occupation:{DATA_ANALYST}", method=Method.HEURISTIC)
    rough = heuristic.plans[0].pathway
    assert rough.method is Method.HEURISTIC and rough.objective >= best.objective - 1e-9
    assert rough.bound.lower is not None and rough.bound.lower <= best.objective + 1e-9


@pytest.mark.parametrize(
    ("constraints", "binding"),
    [
        (Constraints(max_cost=2000), "max_cost"),
        (Constraints(max_eqf_level=5), "max_eqf_level"),
        (Constraints(language="en"), "language"),
    ],
    ids=["budget", "eqf", "language"],
)
def test_binding_constraints_are_named(
    demo: tuple[GraphStore, DemoCatalogue], constraints: Constraints, binding: str
) -> None:
    best = search(demo, f"occupation:{DATA_ANALYST}").plans[0].pathway
    with pytest.raises(NoPathwayError) as caught:
        search(demo, f"occupation:{DATA_ANALYST}", constraints=constraints)
    details = caught.value.details
    assert details["field"] == binding
    if binding == "max_cost":
        assert details["least_cost"] == best.cost
    else:  # the data integration module is German and at EQF 6
        assert SKILL + "2daec0e6-f0c1-43e8-8178-aedba99130ec" in details["uncovered_skills"]


def test_a_credential_target_is_earned_on_its_modules(
    demo: tuple[GraphStore, DemoCatalogue],
) -> None:
    certificate = ALLIANCE + "data-analytics-professional-certificate"
    best = search(demo, f"credential:{certificate}", alternatives=1).plans[0].pathway
    steps = [s.credential for s in best.steps]
    # awarded on its four modules: they come first, and it costs nothing on top of them
    assert steps[-1] == certificate and len(steps) == 5
    assert best.steps[-1].cost == 0 and len(best.steps[-1].after) == 4
    assert best.cost == 1800


def test_a_credential_not_recognised_here_is_replaced_by_its_skills(
    demo: tuple[GraphStore, DemoCatalogue],
) -> None:
    us_course = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
    report = search(demo, f"credential:{us_course}", alternatives=1)
    assert report.notes and "not available here (jurisdiction)" in report.notes[0]
    steps = [s.credential for s in report.plans[0].pathway.steps]
    assert us_course not in steps and DELTA + "databases-querying-analysts" in steps


def test_offramps_name_the_stacks_completed_on_the_way(
    demo: tuple[GraphStore, DemoCatalogue],
) -> None:
    store, catalogue = demo
    newcomer = Learner("urn:example:learner:new", target_jurisdiction="NL")
    report = find_pathways(
        store,
        learner=newcomer,
        target=parse_target(f"occupation:{DATA_ANALYST}"),
        reference=catalogue.reference,
        request=PathwayRequest(as_of=TODAY, alternatives=1),
    )
    plan = report.plans[0]
    completed = [r for r in plan.offramps if r.awards]
    assert [r.awards for r in completed] == [
        (ALLIANCE + "data-analytics-professional-certificate",)
    ]
    assert plan.offramps[-1].occupations[0].qualifies
