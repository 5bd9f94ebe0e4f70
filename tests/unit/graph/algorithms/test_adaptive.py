"""The adaptive test: belief by hand, where it starts and moves, when it stops, by simulation."""

from __future__ import annotations

import random

import pytest

from graph.algorithms.adaptive import (
    Answer,
    ResponseModel,
    StopRule,
    belief,
    estimate,
    next_level,
    simulate,
)

MODEL = ResponseModel(slip=0.1, guess=0.2)


def test_belief_after_three_answers_matches_the_hand_computation() -> None:
    # States 0..3. Right at 2, right at 3, right at 3: the weights are
    # 0: .2*.2*.2 = .008, 1: .008, 2: .9*.2*.2 = .036, 3: .9**3 = .729 (sum .781).
    answers = [Answer(2, True), Answer(3, True), Answer(3, True)]
    got = belief([1, 2, 3], answers, model=MODEL)
    assert got == pytest.approx(
        {0: 0.008 / 0.781, 1: 0.008 / 0.781, 2: 0.036 / 0.781, 3: 0.729 / 0.781}
    )
    result = estimate([1, 2, 3], answers, model=MODEL, rule=StopRule(confidence=0.9))
    assert (result.level, result.items, result.settled) == (3, 3, True)
    assert result.confidence == pytest.approx(0.729 / 0.781)  # 0.933
    # Not settled at the default 0.95, nor within one level at 0.99 (.765/.781 = .98).
    assert not estimate([1, 2, 3], answers, model=MODEL).settled
    near = estimate([1, 2, 3], answers, model=MODEL, rule=StopRule(confidence=0.99, tolerance=1))
    assert near.confidence == pytest.approx(0.765 / 0.781)
    assert not near.settled


def test_starts_in_the_middle_and_moves_up_after_right_down_after_wrong() -> None:
    uniform = belief([1, 2, 3], [], model=MODEL)
    assert next_level(uniform, [1, 2, 3], model=MODEL) == 2
    assert next_level(belief([1, 2, 3], [Answer(2, True)], model=MODEL), [1, 2, 3]) == 3
    assert next_level(belief([1, 2, 3], [Answer(2, False)], model=MODEL), [1, 2, 3]) == 1
    # A level without items left is not chosen; no level left: no next item.
    assert next_level(uniform, [1, 3], model=MODEL) in {1, 3}
    assert next_level(uniform, [], model=MODEL) is None


def test_all_wrong_gives_no_level_and_twelve_items_stop_the_test() -> None:
    wrong = [Answer(1, False)] * 4
    result = estimate(range(1, 9), wrong, model=MODEL)
    assert result.level is None and result.settled
    flip = [Answer(4, i % 2 == 0) for i in range(12)]
    capped = estimate(range(1, 9), flip, model=MODEL)
    assert capped.settled and capped.confidence < 0.95


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="slip"):
        ResponseModel(slip=0.6)
    with pytest.raises(ValueError, match="confidence"):
        StopRule(confidence=0.0)
    with pytest.raises(ValueError, match="levels"):
        belief([], [])


def test_simulated_learners_are_placed_at_their_level() -> None:
    rng = random.Random(7)
    results = [(level, simulate(level, range(1, 9), rng=rng)) for level in [1, 4, 8] * 40]
    exact = sum(r.level == level for level, r in results) / len(results)
    assert exact >= 0.85
    assert max(r.items for _, r in results) <= 12
