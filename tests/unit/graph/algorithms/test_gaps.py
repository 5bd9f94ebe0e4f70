"""Gap analysis over the real ESCO skill hierarchy of the bundled demo slice."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph.algorithms.gaps import Basis, Coverage, Held, Requirement, skill_gaps
from graph.model.concepts import RelationType
from ingest.demo import read_demo_slice

ONTOLOGIES = Path(__file__).resolve().parents[4] / "ontologies"
SKILL = "http://data.europa.eu/esco/skill/"
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
PROGRAMMING = SKILL + "21d2f96d-35f7-4e3f-9745-c533d2dd6e97"  # computer programming
JAVA = SKILL + "19a8293b-8e95-4de3-983f-77484079c389"
SQL = SKILL + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"


@pytest.fixture(scope="module")
def hierarchy() -> nx.MultiDiGraph:
    """The slice's concepts with their broader edges, as ``GraphStore.subgraph`` shapes them."""
    data = read_demo_slice(ONTOLOGIES)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((uri, {"kind": c.kind.value}) for uri, c in data.concepts.items())
    graph.add_edges_from(
        (r.source, r.target, r.type.value) for r in data.relations if r.type is RelationType.BROADER
    )
    return graph


def coverage(result: object) -> dict[str, str]:
    return {i.requirement.skill: i.coverage.value for i in result.items}  # type: ignore[attr-defined]


def test_the_slice_has_the_hierarchy_these_tests_rely_on(hierarchy: nx.MultiDiGraph) -> None:
    assert hierarchy.has_edge(PYTHON, PROGRAMMING, key="broader")
    assert hierarchy.has_edge(JAVA, PROGRAMMING, key="broader")
    assert hierarchy.nodes[PROGRAMMING]["kind"] == "skill"
    assert not hierarchy.has_edge(SQL, PROGRAMMING, key="broader")


def test_covered_requirements_keep_their_evidence(hierarchy: nx.MultiDiGraph) -> None:
    held = [
        Held(PYTHON, 3.2, "assessment", "passed level 4 in 2024"),
        Held(PYTHON, 1.0, "self_declared"),
        Held(SQL, None, "credential", "https://example.org/c/sql"),
    ]
    result = skill_gaps(
        hierarchy, requirements=[Requirement(PYTHON, 3), Requirement(SQL, 5)], held=held
    )
    assert coverage(result) == {PYTHON: "covered", SQL: "covered"}  # no level: any level
    python = result.items[0]
    assert [h.source for h in python.evidence] == ["assessment"]  # only what meets the level
    assert result.gap == ()


def test_partial_coverage_says_how(hierarchy: nx.MultiDiGraph) -> None:
    held = [Held(JAVA, 4.0, "assessment"), Held(PYTHON, 2.0, "self_declared")]
    needs = [Requirement(PYTHON, 3), Requirement(PROGRAMMING, 3), Requirement(SQL, 2)]
    result = skill_gaps(hierarchy, requirements=needs, held=held)
    assert coverage(result) == {PYTHON: "partial", PROGRAMMING: "partial", SQL: "missing"}
    python = {(r.basis, r.held.skill) for r in result.items[0].related}
    assert python == {
        (Basis.LOWER_LEVEL, PYTHON),  # held, but at 2 of 3
        (Basis.SIBLING, JAVA),  # both narrower than "computer programming"
    }
    programming = result.items[1].related
    assert {(r.basis, r.held.skill, r.hops) for r in programming} == {
        (Basis.NARROWER, JAVA, 1),
        (Basis.NARROWER, PYTHON, 1),
    }
    assert [r.requirement.skill for r in result.of(Coverage.MISSING)] == [SQL]
    assert [r.skill for r in result.gap] == [PYTHON, PROGRAMMING, SQL]


def test_siblings_under_a_skill_group_do_not_count(hierarchy: nx.MultiDiGraph) -> None:
    # SQL and Python share only the skill group "software and applications development".
    result = skill_gaps(hierarchy, requirements=[Requirement(PYTHON)], held=[Held(SQL, 5.0, "x")])
    assert coverage(result) == {PYTHON: "missing"}


def test_similarity_counts_above_the_threshold_only(hierarchy: nx.MultiDiGraph) -> None:
    held = [Held(JAVA, 4.0, "assessment")]
    similarity = {SQL: {JAVA: 0.72}}
    close = skill_gaps(hierarchy, requirements=[Requirement(SQL)], held=held, similarity=similarity)
    (related,) = close.items[0].related
    assert (related.basis, related.strength) == (Basis.SIMILAR, 0.72)
    far = skill_gaps(
        hierarchy,
        requirements=[Requirement(SQL)],
        held=held,
        similarity=similarity,
        similarity_threshold=0.8,
    )
    assert coverage(far) == {SQL: "missing"}
