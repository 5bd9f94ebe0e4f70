"""The adaptive onboarding test: estimate a learner's level of one skill from few items.

**The model** (documented here once; :class:`ResponseModel` and :class:`StopRule` hold its
parameters). A learner has a true level ``L`` of a skill: 0 (below every level the bank
tests) or one of the ``levels`` the item bank has items for (on the 1-8 scale of
:data:`graph.model.learners.LEVEL_SCALE`). An item has a level ``b``; the learner *masters* it
when ``L >= b``. Answers are noisy: a learner who masters an item still gets it wrong with
probability ``slip``, one who does not gets it right with probability ``guess``.

1. **Belief.** Start from a uniform belief over the states ``(0, *levels)``; after each
   answer, Bayes' rule: ``p(L) ∝ p(L) * (1 - slip if L >= b else guess)`` for a right answer,
   ``p(L) ∝ p(L) * (slip if L >= b else 1 - guess)`` for a wrong one.
2. **Next item.** Of the levels that still have unused items, the one whose answer is
   expected to leave the least uncertainty (lowest expected entropy of the belief); ties go
   to the lower level. With a uniform belief that is the middle of the scale: the test
   starts in the middle and moves up after right answers, down after wrong ones.
3. **Stop** when the belief holds ``confidence`` (default 0.95) within ``tolerance`` levels
   (default 0: the exact level) of its most likely state, or after ``max_items`` items
   (default 12), or when no item is left.
4. **Result.** The most likely state (ties: the lower) with the belief's mass within
   ``tolerance`` of it as the confidence. A state of 0 means no level is established.

Everything here is pure: the caller keeps the answers and asks again.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Answer",
    "Estimate",
    "ResponseModel",
    "StopRule",
    "belief",
    "estimate",
    "is_settled",
    "next_level",
    "simulate",
]

_ROUND = 12


@dataclass(frozen=True, slots=True)
class ResponseModel:
    """How noisy answers are: wrong despite mastery (``slip``), right without it (``guess``)."""

    slip: float = 0.1
    guess: float = 0.2

    def __post_init__(self) -> None:
        if not (0.0 <= self.slip < 0.5 and 0.0 <= self.guess < 0.5):
            raise ValueError("slip and guess must be in [0, 0.5)")

    def p_right(self, level: int, item_level: int) -> float:
        """The probability that a learner of ``level`` answers an item of ``item_level`` right."""
        return 1.0 - self.slip if level >= item_level else self.guess


@dataclass(frozen=True, slots=True)
class StopRule:
    """When the test of one skill stops (step 3 of the model)."""

    confidence: float = 0.95
    tolerance: int = 0
    max_items: int = 12

    def __post_init__(self) -> None:
        if not 0.0 < self.confidence <= 1.0:
            raise ValueError("confidence must be in (0, 1]")
        if self.tolerance < 0 or self.max_items < 1:
            raise ValueError("tolerance must be >= 0 and max_items >= 1")


@dataclass(frozen=True, slots=True)
class Answer:
    """One scored answer: the item's level and whether it was right."""

    level: int
    right: bool


@dataclass(frozen=True, slots=True)
class Estimate:
    """The result of a skill's test: level (None: below every tested level), confidence."""

    level: int | None
    confidence: float
    items: int
    settled: bool


DEFAULT_MODEL = ResponseModel()
DEFAULT_STOP = StopRule()


def _states(levels: Sequence[int]) -> tuple[int, ...]:
    found = sorted(set(levels))
    if not found or found[0] < 1:
        raise ValueError("levels must be a non-empty set of levels >= 1")
    return (0, *found)


def belief(
    levels: Sequence[int], answers: Sequence[Answer], *, model: ResponseModel = DEFAULT_MODEL
) -> dict[int, float]:
    """The belief over the states ``(0, *levels)`` after ``answers`` (step 1).

    Examples
    --------
    >>> b = belief([1, 2], [Answer(2, True)], model=ResponseModel(slip=0.1, guess=0.2))
    >>> {k: round(v, 4) for k, v in b.items()}
    {0: 0.1538, 1: 0.1538, 2: 0.6923}
    """
    states = _states(levels)
    weights = dict.fromkeys(states, 1.0)
    for answer in answers:
        for state in states:
            p = model.p_right(state, answer.level)
            weights[state] *= p if answer.right else 1.0 - p
    total = sum(weights.values())
    return {state: w / total for state, w in weights.items()}


def _entropy(probabilities: Sequence[float]) -> float:
    return -sum(p * math.log(p) for p in probabilities if p > 0.0)


def _expected_entropy(current: Mapping[int, float], item_level: int, model: ResponseModel) -> float:
    right = {s: p * model.p_right(s, item_level) for s, p in current.items()}
    wrong = {s: p - right[s] for s, p in current.items()}
    expected = 0.0
    for branch in (right, wrong):
        mass = sum(branch.values())
        if mass > 0.0:
            expected += mass * _entropy([p / mass for p in branch.values()])
    return expected


def next_level(
    current: Mapping[int, float],
    available: Sequence[int],
    *,
    model: ResponseModel = DEFAULT_MODEL,
) -> int | None:
    """The level of the next item among ``available`` levels (step 2); None when none is."""
    candidates = sorted(set(available))
    if not candidates:
        return None
    return min(candidates, key=lambda b: (round(_expected_entropy(current, b, model), _ROUND), b))


def _mode(current: Mapping[int, float], tolerance: int) -> tuple[int, float]:
    states = sorted(current)

    def mass(centre: int) -> float:
        i = states.index(centre)
        return sum(current[s] for s in states[max(0, i - tolerance) : i + tolerance + 1])

    best = min(states, key=lambda s: (-round(current[s], _ROUND), s))
    return best, mass(best)


def is_settled(current: Mapping[int, float], *, rule: StopRule = DEFAULT_STOP) -> bool:
    """Whether the belief already holds ``rule.confidence`` near its most likely state."""
    return _mode(current, rule.tolerance)[1] >= rule.confidence - 1e-12


def estimate(
    levels: Sequence[int],
    answers: Sequence[Answer],
    *,
    model: ResponseModel = DEFAULT_MODEL,
    rule: StopRule = DEFAULT_STOP,
) -> Estimate:
    """The level and confidence after ``answers`` (step 4), and whether the test may stop."""
    current = belief(levels, answers, model=model)
    level, confidence = _mode(current, rule.tolerance)
    settled = confidence >= rule.confidence - 1e-12 or len(answers) >= rule.max_items
    return Estimate(level=level or None, confidence=confidence, items=len(answers), settled=settled)


def simulate(
    true_level: int,
    levels: Sequence[int],
    *,
    rng: random.Random,
    model: ResponseModel = DEFAULT_MODEL,
    rule: StopRule = DEFAULT_STOP,
    noise: ResponseModel | None = None,
    items_per_level: int = 3,
) -> Estimate:
    """Run one test for a simulated learner of ``true_level`` answering with ``noise``.

    ``noise`` (default ``model``) is how the simulated learner really answers; a bank of
    ``items_per_level`` items per level is used without repeating an item.
    """
    answering = noise or model
    left = dict.fromkeys(sorted(set(levels)), items_per_level)
    answers: list[Answer] = []
    while True:
        result = estimate(levels, answers, model=model, rule=rule)
        if result.settled:
            return result
        level = next_level(
            belief(levels, answers, model=model), [b for b, n in left.items() if n], model=model
        )
        if level is None:
            return result
        left[level] -= 1
        right = rng.random() < answering.p_right(true_level, level)
        answers.append(Answer(level, right))
