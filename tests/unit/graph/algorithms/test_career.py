"""The career rule of graph.algorithms.career, on hand-computed cases."""

from __future__ import annotations

import datetime as dt

from graph.algorithms.career import (
    Observation,
    coverage_over_time,
    groups_over_time,
    held_at,
    level_steps,
    radar_axes,
)

D = dt.date


def test_assessments_follow_the_multi_level_rule() -> None:
    steps = level_steps(
        [
            Observation("s", "assessment", D(2020, 1, 1), 2),
            Observation("s", "assessment", D(2021, 1, 1), 3),
            Observation("s", "assessment", D(2022, 1, 1), 3, passed=False),  # a retest failed
        ]
    )
    assert [(s.date, s.level, s.held) for s in steps] == [
        (D(2020, 1, 1), 2, True),
        (D(2021, 1, 1), 3, True),
        (D(2022, 1, 1), 2, True),  # level 3's latest result fails: back to 2
    ]


def test_a_retaken_test_replaces_but_a_proof_stands() -> None:
    steps = level_steps(
        [
            Observation("s", "onboarding_test", D(2020, 1, 1), 4, confidence=0.9),
            Observation("s", "onboarding_test", D(2021, 1, 1), 2),
            Observation("t", "proof", D(2020, 6, 1), 5),
            Observation("t", "proof", D(2023, 6, 1), 3),
        ]
    )
    assert [(s.date, s.skill, s.level) for s in steps] == [
        (D(2020, 1, 1), "s", 4),
        (D(2020, 6, 1), "t", 5),
        (D(2021, 1, 1), "s", 2),
    ]
    first = steps[0].established_by
    assert first is not None and first.confidence == 0.9


def test_undated_come_first_and_one_step_per_day() -> None:
    steps = level_steps(
        [
            Observation("s", "self_declared", D(2020, 1, 1), 2),
            Observation("s", "endorsed", D(2020, 1, 1), 4),
            Observation("c", "credential", None, None),
        ]
    )
    assert [(s.date, s.skill, s.level) for s in steps] == [
        (None, "c", None),
        (D(2020, 1, 1), "s", 4),
    ]
    assert set(held_at(steps, D(2019, 1, 1))) == {"c"}


def test_coverage_counts_levels_and_any_level() -> None:
    steps = level_steps(
        [
            Observation("a", "self_declared", D(2020, 1, 1), 2),
            Observation("b", "proof", D(2021, 1, 1), 3),
            Observation("a", "self_declared", D(2022, 1, 1), 4),
            Observation("x", "proof", D(2023, 1, 1), 4),
        ]
    )
    points = coverage_over_time(steps, {"a": 3, "b": None, "c": None})
    assert [(p.date, p.covered, p.total) for p in points] == [
        (D(2021, 1, 1), 1, 3),
        (D(2022, 1, 1), 2, 3),
    ]
    assert round(points[-1].share, 4) == 0.6667


def test_groups_and_radar() -> None:
    steps = level_steps(
        [
            Observation("a", "proof", D(2020, 1, 1), 2),
            Observation("b", "proof", D(2021, 1, 1), 5),
            Observation("c", "credential", D(2021, 1, 1), None),
        ]
    )
    series = groups_over_time(steps, {"a": "g", "b": "g", "c": "g"})
    assert [(p.date, p.skills, p.mean_level) for p in series["g"]] == [
        (D(2020, 1, 1), 1, 2.0),
        (D(2021, 1, 1), 3, 3.5),
    ]
    axes = radar_axes(held_at(steps), [("a", 3), ("c", None), ("z", None)])
    assert [(x.skill, x.held, x.covered) for x in axes] == [
        ("a", 2, False),
        ("c", 1, True),
        ("z", None, False),
    ]
