"""Onboarding tests: item banks per skill and level, attempts, and how an attempt goes on.

An **item** tests one skill at one level (1-8) and is one of three kinds:

- ``multiple_choice``: options, and the key is the index of the right one;
- ``short_answer``: the key is the rubric, the accepted answers (an answer is right when, with
  case, accents and punctuation ignored, it equals one of them);
- ``task``: the key is the rubric an assessor rates the learner's evidence by (a score in
  [0, 1]; right when it reaches 0.5).

An item without its key is refused. Items are versioned: revising one writes a new version,
and the earlier stays (attempts name the version they were asked).

An **attempt** is one learner's adaptive test for a target (an occupation or a credential): the
skills of the target that the bank has items for, and the items it may ask, fixed when it
starts. It asks one item at a time, skill by skill, chosen by
:mod:`graph.algorithms.adaptive` (:mod:`graph.services.onboarding.progress`); a task's answer
waits for its rating, and the test goes on with the other skills meanwhile. It finishes when
every skill is settled; its result per skill is a level (or none) with a confidence. Every
attempt is kept.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "Attempt",
    "AttemptStatus",
    "GivenAnswer",
    "Item",
    "ItemKind",
    "PoolItem",
    "Question",
    "SkillResult",
    "normalise_answer",
]

#: A task's rating that counts as right.
PASS_MARK = 0.5


class ItemKind(StrEnum):
    """What an item asks for."""

    MULTIPLE_CHOICE = "multiple_choice"
    SHORT_ANSWER = "short_answer"
    TASK = "task"


@dataclass(frozen=True, slots=True)
class Item:
    """One version of an item of the bank, with its key (never shown to learners)."""

    id: str
    version: int
    skill: str
    level: int
    kind: ItemKind
    prompt: str
    author: str
    written_at: str
    options: tuple[str, ...] = ()
    answer: int | None = None
    accepted: tuple[str, ...] = ()
    rubric: str | None = None


@dataclass(frozen=True, slots=True)
class PoolItem:
    """An item an attempt may ask: which version, of which skill and level."""

    item: str
    version: int
    skill: str
    level: int


@dataclass(frozen=True, slots=True)
class GivenAnswer:
    """A learner's answer to an item; ``right`` None while a task waits for its rating."""

    item: str
    version: int
    skill: str
    level: int
    response: str
    answered_at: str
    right: bool | None = None
    score: float | None = None
    rated_by: str | None = None


class AttemptStatus(StrEnum):
    """Where an attempt is."""

    OPEN = "open"
    AWAITING_RATING = "awaiting_rating"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class SkillResult:
    """What a finished (or running) attempt says of one skill."""

    skill: str
    level: int | None
    confidence: float
    items: int
    settled: bool


@dataclass(frozen=True, slots=True)
class Attempt:
    """One learner's adaptive test for a target; ``finished_at`` set once it is over."""

    id: str
    learner: str
    target: str
    skills: tuple[str, ...]
    pool: tuple[PoolItem, ...]
    started_at: str
    answers: tuple[GivenAnswer, ...] = ()
    finished_at: str | None = None

    def with_answer(self, answer: GivenAnswer) -> Attempt:
        """The attempt with ``answer`` added."""
        return replace(self, answers=(*self.answers, answer))


@dataclass(frozen=True, slots=True)
class Question:
    """The next item to ask, as a learner sees it (no key)."""

    item: str
    version: int
    skill: str
    level: int
    kind: ItemKind
    prompt: str
    options: tuple[str, ...]


def normalise_answer(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces.

    Examples
    --------
    >>> normalise_answer("  Café-Au  LAIT! ")
    'cafe au lait'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())
