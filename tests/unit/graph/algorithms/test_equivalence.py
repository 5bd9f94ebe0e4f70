"""Skill-set coverage, the equivalence score and the verdict, on real ESCO skill relations.

The hierarchy used here is a piece of ESCO (v1.1.1): Python and JavaScript are narrower than
computer programming, SQL narrower than query languages.
"""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.algorithms.equivalence import (
    MatchKind,
    Thresholds,
    Verdict,
    ancestor_index,
    coverage_index,
    equivalence_score,
    level_factor,
    skill_coverage,
    verdict,
)

ESCO = "http://data.europa.eu/esco/skill/"
PROGRAMMING = ESCO + "21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
PYTHON = ESCO + "ccd0a1d9-afda-43d9-b901-96344886e14d"
JAVASCRIPT = ESCO + "3cd569a2-4f88-4c1e-9995-8dce8c5e51a7"
WEB_PROGRAMMING = ESCO + "69bbd53f-fbb0-4476-b4b2-ef7844464e28"
QUERY_LANGUAGES = ESCO + "9cf681c7-89ec-470c-b651-7fe03786f586"
SQL = ESCO + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
DEBUG = ESCO + "2522a6ce-3202-4ac8-9f5b-b9cb5a3a83a1"
DEBUG_TOOLS = ESCO + "6014921e-1d25-4039-adc2-04852d61880e"
COOKING = ESCO + "f3934441-4bff-4076-9945-e6c51a01c467"


@pytest.fixture
def hierarchy() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for narrower, broader in [
        (PYTHON, PROGRAMMING),
        (JAVASCRIPT, PROGRAMMING),
        (JAVASCRIPT, WEB_PROGRAMMING),
        (WEB_PROGRAMMING, PROGRAMMING),
        (SQL, QUERY_LANGUAGES),
    ]:
        graph.add_edge(narrower, broader, key="broader")
    graph.add_node(COOKING)
    return graph


def test_identical_sets_cover_each_other_fully(hierarchy: nx.MultiDiGraph) -> None:
    skills = {PYTHON: 4, SQL: 3, DEBUG: 3}
    coverage = skill_coverage(hierarchy, skills, dict(skills))
    assert coverage.share == 1.0 and coverage.missing == ()
    assert {p.kind for p in coverage.pairs} == {MatchKind.EXACT}
    assert equivalence_score(coverage.share, coverage.share) == 1.0


def test_a_subset_covers_in_one_direction_only(hierarchy: nx.MultiDiGraph) -> None:
    small = {SQL: 3}
    large = {SQL: 3, QUERY_LANGUAGES: 3, DEBUG: 2, PYTHON: 3}
    assert skill_coverage(hierarchy, small, large).share == 1.0
    reverse = skill_coverage(hierarchy, large, small)
    # SQL itself, plus query languages through SQL (narrower, 0.8); debug and Python missing
    assert reverse.share == pytest.approx((1.0 + 0.8) / 4)
    assert set(reverse.missing) == {DEBUG, PYTHON}
    score = equivalence_score(1.0, reverse.share)
    assert verdict(score) is Verdict.PARTIALLY_EQUIVALENT


def test_narrower_counts_more_than_broader(hierarchy: nx.MultiDiGraph) -> None:
    narrower = skill_coverage(hierarchy, {PROGRAMMING: None}, {PYTHON: None})
    broader = skill_coverage(hierarchy, {PYTHON: None}, {PROGRAMMING: None})
    assert narrower.pairs[0].kind is MatchKind.NARROWER
    assert broader.pairs[0].kind is MatchKind.BROADER
    assert narrower.share == 0.8 and broader.share == 0.6


def test_hops_beyond_the_limit_do_not_match(hierarchy: nx.MultiDiGraph) -> None:
    # Python and web programming are siblings, not one broader step apart
    siblings = skill_coverage(hierarchy, {WEB_PROGRAMMING: None}, {PYTHON: None})
    assert siblings.share == 0.0 and siblings.missing == (WEB_PROGRAMMING,)
    chain = nx.MultiDiGraph()
    chain.add_edge(JAVASCRIPT, WEB_PROGRAMMING, key="broader")
    chain.add_edge(WEB_PROGRAMMING, PROGRAMMING, key="broader")
    assert skill_coverage(chain, {PROGRAMMING: None}, {JAVASCRIPT: None}).share == 0.0
    two = skill_coverage(chain, {PROGRAMMING: None}, {JAVASCRIPT: None}, max_hops=2)
    assert two.pairs[0].kind is MatchKind.NARROWER
    assert two.pairs[0].similarity == pytest.approx(0.64)


def test_a_lower_level_gives_partial_credit(hierarchy: nx.MultiDiGraph) -> None:
    coverage = skill_coverage(hierarchy, {PYTHON: 6}, {PYTHON: 4}, level_step=0.15)
    pair = coverage.pairs[0]
    assert pair.kind is MatchKind.EXACT and pair.partial
    assert pair.credit == pytest.approx(0.7)
    assert skill_coverage(hierarchy, {PYTHON: 4}, {PYTHON: 6}).share == 1.0
    assert skill_coverage(hierarchy, {PYTHON: None}, {PYTHON: 2}).share == 1.0


def test_semantically_close_pairs_count_above_the_threshold(hierarchy: nx.MultiDiGraph) -> None:
    pairs = {(DEBUG, DEBUG_TOOLS): 0.82}
    found = skill_coverage(hierarchy, {DEBUG_TOOLS: None}, {DEBUG: None}, similarity=pairs)
    assert found.pairs[0].kind is MatchKind.CLOSE
    assert found.pairs[0].similarity == pytest.approx(0.82)
    assert found.share == pytest.approx(0.8 * 0.82)
    below = skill_coverage(
        hierarchy, {DEBUG_TOOLS: None}, {DEBUG: None}, similarity=pairs, close_threshold=0.9
    )
    assert below.share == 0.0
    by_function = skill_coverage(
        hierarchy, {DEBUG_TOOLS: None}, {DEBUG: None}, similarity=lambda a, b: 0.75
    )
    assert by_function.pairs[0].kind is MatchKind.CLOSE


def test_the_best_match_wins_and_exact_beats_close(hierarchy: nx.MultiDiGraph) -> None:
    coverage = skill_coverage(
        hierarchy,
        {PROGRAMMING: None},
        {PROGRAMMING: None, PYTHON: None},
        similarity={(PROGRAMMING, PYTHON): 0.99},
    )
    assert coverage.pairs[0].offered == PROGRAMMING
    assert coverage.pairs[0].kind is MatchKind.EXACT


def test_different_fields_share_nothing(hierarchy: nx.MultiDiGraph) -> None:
    forward = skill_coverage(hierarchy, {COOKING: 3}, {PYTHON: 4, SQL: 3})
    backward = skill_coverage(hierarchy, {PYTHON: 4, SQL: 3}, {COOKING: 3})
    assert forward.share == backward.share == 0.0
    assert verdict(equivalence_score(forward.share, backward.share)) is Verdict.NOT_EQUIVALENT


def test_weights_and_empty_requirements(hierarchy: nx.MultiDiGraph) -> None:
    weighted = skill_coverage(
        hierarchy, {PYTHON: None, COOKING: None}, {PYTHON: None}, weights={PYTHON: 3.0}
    )
    assert weighted.share == pytest.approx(0.75)
    assert skill_coverage(hierarchy, {}, {PYTHON: None}).share == 0.0


@pytest.mark.parametrize(
    ("difference", "factor"), [(0, 1.0), (1, 0.9), (-1, 0.9), (2, 0.75), (4, 0.6), (None, 1.0)]
)
def test_level_factor(difference: int | None, factor: float) -> None:
    assert level_factor(difference) == factor


def test_thresholds_are_stated_and_checked() -> None:
    strict = Thresholds(equivalent=0.9, partial=0.5)
    assert verdict(0.85, strict) is Verdict.PARTIALLY_EQUIVALENT
    assert verdict(0.85) is Verdict.EQUIVALENT
    assert verdict(0.8) is Verdict.EQUIVALENT and verdict(0.4) is Verdict.PARTIALLY_EQUIVALENT
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(equivalent=0.3, partial=0.5)


def test_the_coverage_index_agrees_with_skill_coverage(hierarchy: nx.MultiDiGraph) -> None:
    skills = [
        PROGRAMMING,
        PYTHON,
        JAVASCRIPT,
        WEB_PROGRAMMING,
        QUERY_LANGUAGES,
        SQL,
        DEBUG,
        COOKING,
    ]
    ancestors = ancestor_index(hierarchy)
    rng = random.Random(5)
    for _ in range(200):
        fixed = {s: rng.choice([None, 2, 4, 6]) for s in rng.sample(skills, rng.randint(1, 5))}
        other = {s: rng.choice([None, 2, 4, 6]) for s in rng.sample(skills, rng.randint(1, 5))}
        index = coverage_index(fixed, ancestors=ancestors)
        assert index.share_of(other) == skill_coverage(hierarchy, other, fixed).share
        assert index.share_by(other) == skill_coverage(hierarchy, fixed, other).share
        assert skill_coverage(hierarchy, other, fixed, ancestors=ancestors) == skill_coverage(
            hierarchy, other, fixed
        )
