"""How an onboarding attempt goes on: the next item, the estimates, the status (pure).

The levels of a skill are those its pool has items of; the estimate and the choice of the next
level are :mod:`graph.algorithms.adaptive`'s with its default model and stop rule. A skill is
settled when the estimate is, after 12 items, or when its pool is used up.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.algorithms import adaptive
from graph.model.onboarding import (
    Attempt,
    AttemptStatus,
    Item,
    PoolItem,
    Question,
    SkillResult,
)

__all__ = ["next_question", "results", "status_of"]


def _scored(attempt: Attempt, skill: str) -> list[adaptive.Answer]:
    return [
        adaptive.Answer(a.level, a.right)
        for a in attempt.answers
        if a.skill == skill and a.right is not None
    ]


def _levels(attempt: Attempt, skill: str) -> list[int]:
    return sorted({p.level for p in attempt.pool if p.skill == skill})


def _result(attempt: Attempt, skill: str) -> SkillResult:
    asked = [a for a in attempt.answers if a.skill == skill]
    found = adaptive.estimate(_levels(attempt, skill), _scored(attempt, skill))
    settled = found.settled or len(asked) >= adaptive.DEFAULT_STOP.max_items
    if not settled and not any(a.right is None for a in asked):
        settled = not _unused(attempt, skill)
    return SkillResult(skill, found.level, found.confidence, len(asked), settled)


def _unused(attempt: Attempt, skill: str) -> list[PoolItem]:
    used = {a.item for a in attempt.answers}
    return [p for p in attempt.pool if p.skill == skill and p.item not in used]


def results(attempt: Attempt) -> list[SkillResult]:
    """The estimate of every skill of the attempt, in the attempt's skill order."""
    return [_result(attempt, skill) for skill in attempt.skills]


def next_question(attempt: Attempt, items: Sequence[Item]) -> Question | None:
    """The next item to ask (of ``items``, the pool's versions), or None when none is due.

    Skills go in order; a skill waiting for a task's rating is passed over, and so is a settled
    one. Within a skill the level is :func:`graph.algorithms.adaptive.next_level`'s, and the
    item the first unused one of that level in IRI order.
    """
    if attempt.finished_at is not None:
        return None
    by_id = {(i.id, i.version): i for i in items}
    for skill in attempt.skills:
        if any(a.skill == skill and a.right is None for a in attempt.answers):
            continue
        if _result(attempt, skill).settled:
            continue
        unused = _unused(attempt, skill)
        belief = adaptive.belief(_levels(attempt, skill), _scored(attempt, skill))
        level = adaptive.next_level(belief, [p.level for p in unused])
        chosen = min((p for p in unused if p.level == level), key=lambda p: p.item)
        item = by_id[(chosen.item, chosen.version)]
        return Question(
            item.id, item.version, item.skill, item.level, item.kind, item.prompt, item.options
        )
    return None


def status_of(attempt: Attempt, question: Question | None) -> AttemptStatus:
    """Finished once ``finished_at`` is set; waiting when no item is due but ratings are."""
    if attempt.finished_at is not None:
        return AttemptStatus.FINISHED
    if question is None and any(a.right is None for a in attempt.answers):
        return AttemptStatus.AWAITING_RATING
    return AttemptStatus.OPEN
