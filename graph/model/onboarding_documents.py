"""Document forms of onboarding items and attempts (what the store keeps).

Items: ``{"id", "version", "skill", "level", "kind", "prompt", "author", "written_at",
"options", "answer", "accepted", "rubric"}``; attempts: ``{"id", "learner", "target",
"skills", "pool": [{"item", "version", "skill", "level"}], "started_at", "finished_at",
"answers": [{"item", "version", "skill", "level", "response", "answered_at", "right", "score",
"rated_by"}]}``. These are written by the service after its checks, so reading trusts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.model._documents import drop_empty
from graph.model.onboarding import Attempt, GivenAnswer, Item, ItemKind, PoolItem

__all__ = [
    "attempt_from_document",
    "attempt_to_document",
    "item_from_document",
    "item_to_document",
]


def item_to_document(item: Item) -> dict[str, Any]:
    """The stored form of an item version, key included."""
    return drop_empty(
        {
            "id": item.id,
            "version": item.version,
            "skill": item.skill,
            "level": item.level,
            "kind": item.kind.value,
            "prompt": item.prompt,
            "author": item.author,
            "written_at": item.written_at,
            "options": list(item.options),
            "answer": item.answer,
            "accepted": list(item.accepted),
            "rubric": item.rubric,
        }
    )


def item_from_document(document: Mapping[str, Any]) -> Item:
    """An item version from its stored form."""
    return Item(
        id=document["id"],
        version=int(document["version"]),
        skill=document["skill"],
        level=int(document["level"]),
        kind=ItemKind(document["kind"]),
        prompt=document["prompt"],
        author=document["author"],
        written_at=document["written_at"],
        options=tuple(document.get("options", ())),
        answer=document.get("answer"),
        accepted=tuple(document.get("accepted", ())),
        rubric=document.get("rubric"),
    )


def _answer_to_document(answer: GivenAnswer) -> dict[str, Any]:
    return {
        "item": answer.item,
        "version": answer.version,
        "skill": answer.skill,
        "level": answer.level,
        "response": answer.response,
        "answered_at": answer.answered_at,
        "right": answer.right,
        "score": answer.score,
        "rated_by": answer.rated_by,
    }


def attempt_to_document(attempt: Attempt) -> dict[str, Any]:
    """The stored form of an attempt, every answer included."""
    return {
        "id": attempt.id,
        "learner": attempt.learner,
        "target": attempt.target,
        "skills": list(attempt.skills),
        "pool": [
            {"item": p.item, "version": p.version, "skill": p.skill, "level": p.level}
            for p in attempt.pool
        ],
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "answers": [_answer_to_document(a) for a in attempt.answers],
    }


def attempt_from_document(document: Mapping[str, Any]) -> Attempt:
    """An attempt from its stored form."""
    return Attempt(
        id=document["id"],
        learner=document["learner"],
        target=document["target"],
        skills=tuple(document["skills"]),
        pool=tuple(
            PoolItem(p["item"], int(p["version"]), p["skill"], int(p["level"]))
            for p in document["pool"]
        ),
        started_at=document["started_at"],
        finished_at=document.get("finished_at"),
        answers=tuple(
            GivenAnswer(
                item=a["item"],
                version=int(a["version"]),
                skill=a["skill"],
                level=int(a["level"]),
                response=a["response"],
                answered_at=a["answered_at"],
                right=a.get("right"),
                score=a.get("score"),
                rated_by=a.get("rated_by"),
            )
            for a in document["answers"]
        ),
    )
