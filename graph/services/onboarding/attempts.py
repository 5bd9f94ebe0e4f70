"""A learner's adaptive onboarding test: start, answer, rating of tasks, and its result.

An attempt is a record of kind ``onboarding`` (index ``record`` = ``attempt``), rewritten with
each answer under a version check. When it finishes, its per-skill results become competences
of source ``onboarding_test`` (level, confidence, date) in the learner's record, in the same
write; an earlier test's competence of a skill tested again is replaced, and those of other
sources stay. Every attempt is kept; a learner may take the test for a target again once the
waiting period after their last one is over.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor, ConsentScope
from graph.model.concepts import NodeKind
from graph.model.learner_documents import learner_from_document
from graph.model.learners import Competence, CompetenceSource, Learner
from graph.model.onboarding import (
    PASS_MARK,
    Attempt,
    AttemptStatus,
    GivenAnswer,
    Item,
    ItemKind,
    PoolItem,
    Question,
    SkillResult,
    normalise_answer,
)
from graph.model.onboarding_documents import (
    attempt_from_document,
    attempt_to_document,
    item_from_document,
)
from graph.services import policy
from graph.services.learner_access import require_learner_reader
from graph.services.onboarding.items import latest_items
from graph.services.onboarding.progress import next_question, results, status_of
from graph.services.pathways.learners import learner_record
from graph.services.pathways.targets import parse_target, resolve_target
from graph.services.proofs.submissions import timestamp
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "DEFAULT_WAIT",
    "AttemptView",
    "TaskToRate",
    "answer_item",
    "attempt_iri",
    "get_attempt",
    "list_attempts",
    "rate_answer",
    "start_attempt",
    "tasks_to_rate",
]

#: How long a learner waits after a test before taking it again for the same target.
DEFAULT_WAIT = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class AttemptView:
    """An attempt as shown: its status, the next question (no key), the estimates so far."""

    attempt: Attempt
    status: AttemptStatus
    question: Question | None
    results: tuple[SkillResult, ...]
    untested: tuple[str, ...]


def attempt_iri(ref: str, *, base_iri: str) -> str:
    """The IRI of attempt ``ref`` (an IRI, or the short id at the end of one)."""
    return ref if ":" in ref else f"{base_iri}/onboarding-attempt/{ref}"


def _record(attempt: Attempt, status: AttemptStatus, untested: tuple[str, ...]) -> Record:
    body = {**attempt_to_document(attempt), "untested": list(untested)}
    return Record(
        uri=attempt.id,
        kind=NodeKind.ONBOARDING,
        body=body,
        index={
            "record": "attempt",
            "learner": attempt.learner,
            "target": attempt.target,
            "status": status.value,
            "unrated": any(a.right is None for a in attempt.answers),
        },
    )


def _pool_items(store: GraphStore, attempt: Attempt) -> list[Item]:
    uris = [f"{p.item}/v{p.version}" for p in attempt.pool]
    return [
        item_from_document(r.body)
        for r in store.get_records(uris, kind=NodeKind.ONBOARDING).values()
    ]


def _view(store: GraphStore, attempt: Attempt, untested: tuple[str, ...]) -> AttemptView:
    question = next_question(attempt, _pool_items(store, attempt))
    return AttemptView(
        attempt, status_of(attempt, question), question, tuple(results(attempt)), untested
    )


def _load(store: GraphStore, attempt: str) -> tuple[Attempt, tuple[str, ...], int]:
    record = store.get_records([attempt], kind=NodeKind.ONBOARDING).get(attempt)
    if record is None or record.index.get("record") != "attempt":
        raise NotFoundError(f"no onboarding attempt {attempt}", details={"uri": attempt})
    untested = tuple(record.body.get("untested", ()))
    return attempt_from_document(record.body), untested, record.version or 1


def _previous(store: GraphStore, learner: str, target: str) -> list[Record]:
    return store.list_records(
        kind=NodeKind.ONBOARDING,
        where={"record": "attempt", "learner": learner, "target": target},
    )


def _check_retake(
    store: GraphStore, learner: str, target: str, now: datetime, wait: dt.timedelta
) -> None:
    for record in _previous(store, learner, target):
        finished = record.body.get("finished_at")
        if finished is None:
            raise ConflictError(
                f"an attempt for {target} is still open: {record.uri}; answer it first",
                details={"field": "target", "attempt": record.uri},
            )
        again = datetime.fromisoformat(finished.replace("Z", "+00:00")) + wait
        if again > now:
            raise ConflictError(
                f"the last test for {target} finished on {finished[:10]}; it may be taken "
                f"again from {again.date().isoformat()}",
                details={"field": "target", "retry_after": again.isoformat()},
            )


def _pool(items: list[Item]) -> tuple[PoolItem, ...]:
    return tuple(PoolItem(i.id, i.version, i.skill, i.level) for i in items)


def start_attempt(
    store: GraphStore,
    learner: str,
    *,
    target: str,
    actor: Actor,
    base_iri: str,
    now: datetime | None = None,
    wait: dt.timedelta = DEFAULT_WAIT,
) -> AttemptView:
    """Start an adaptive test of the learner for a target's skills that the bank has items of.

    ``target`` is ``occupation:IRI`` or ``credential:IRI`` (as for gaps and pathways).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner themself.
    NotFoundError
        No such learner record, or an unknown target.
    InvalidInputError
        A malformed target, or one none of whose skills the bank has items for.
    ConflictError
        An attempt for the target is open, or the waiting period after the last is not over.
    """
    policy.require_learner_owner(actor, learner, action="take an onboarding test")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if not store.get_records([learner], kind=NodeKind.LEARNER):
        raise NotFoundError(f"no learner {learner}", details={"uri": learner})
    spec = resolve_target(store, parse_target(target))
    skills = list(dict.fromkeys(r.skill for r in spec.requirements))
    items = latest_items(store, skills)
    tested = tuple(s for s in skills if any(i.skill == s for i in items))
    if not tested:
        raise InvalidInputError(
            f"target: the item bank has no item for any of the {len(skills)} skills of {target}",
            details={"field": "target"},
        )
    _check_retake(store, learner, str(spec.target), moment, wait)
    attempt = Attempt(
        id=f"{base_iri}/onboarding-attempt/{uuid.uuid4()}",
        learner=learner,
        target=str(spec.target),
        skills=tested,
        pool=_pool(items),
        started_at=timestamp(moment),
    )
    untested = tuple(s for s in skills if s not in tested)
    store.write(
        GraphBatch(
            records=[_record(attempt, AttemptStatus.OPEN, untested)], expect={attempt.id: None}
        )
    )
    return _view(store, attempt, untested)


def _score(item: Item, response: str) -> bool | None:
    if item.kind is ItemKind.TASK:
        if not response.strip():
            raise InvalidInputError(
                "response: describe the evidence of the task", details={"field": "response"}
            )
        return None
    if item.kind is ItemKind.SHORT_ANSWER:
        return normalise_answer(response) in {normalise_answer(a) for a in item.accepted}
    try:
        chosen = int(response)
    except ValueError:
        chosen = -1
    if not 0 <= chosen < len(item.options):
        raise InvalidInputError(
            f"response: the index of an option (0-{len(item.options) - 1}), got {response!r}",
            details={"field": "response"},
        )
    return chosen == item.answer


def _competences(learner: Learner, attempt: Attempt, found: tuple[SkillResult, ...]) -> Learner:
    day = dt.date.fromisoformat((attempt.finished_at or attempt.started_at)[:10])
    tested = set(attempt.skills)
    kept = tuple(
        c
        for c in learner.competences
        if not (c.source is CompetenceSource.ONBOARDING_TEST and c.skill in tested)
    )
    scored = tuple(
        Competence(
            skill=r.skill,
            level=r.level,
            source=CompetenceSource.ONBOARDING_TEST,
            date=day,
            evidence=f"onboarding test {attempt.id}: level {r.level} with confidence "
            f"{r.confidence:.2f} after {r.items} items",
            confidence=round(r.confidence, 4),
        )
        for r in found
        if r.level is not None
    )
    return replace(learner, competences=kept + scored)


def _save(
    store: GraphStore, attempt: Attempt, untested: tuple[str, ...], version: int, now: datetime
) -> AttemptView:
    """Write the attempt (and, once it is over, the learner's competences) in one batch."""
    view = _view(store, attempt, untested)
    if view.question is not None or view.status is AttemptStatus.AWAITING_RATING:
        store.write(
            GraphBatch(
                records=[_record(attempt, view.status, untested)], expect={attempt.id: version}
            )
        )
        return view
    finished = replace(attempt, finished_at=timestamp(now))
    record = store.get_record(attempt.learner, kind=NodeKind.LEARNER)
    learner = _competences(learner_from_document(record.body), finished, view.results)
    store.write(
        GraphBatch(
            records=[_record(finished, AttemptStatus.FINISHED, untested), learner_record(learner)],
            expect={attempt.id: version, learner.id: record.version},
        )
    )
    return _view(store, finished, untested)


def _open(store: GraphStore, attempt_id: str) -> tuple[Attempt, tuple[str, ...], int]:
    attempt, untested, version = _load(store, attempt_id)
    if attempt.finished_at is not None:
        raise ConflictError(
            f"the attempt {attempt.id} finished at {attempt.finished_at}; it takes no more answers",
            details={"field": "attempt", "attempt": attempt.id, "finished_at": attempt.finished_at},
        )
    return attempt, untested, version


def answer_item(
    store: GraphStore,
    attempt_id: str,
    *,
    item: str,
    response: str,
    actor: Actor,
    now: datetime | None = None,
) -> AttemptView:
    """Record the learner's answer to the question asked now, and say what comes next.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the attempt's learner.
    NotFoundError
        No such attempt.
    ConflictError
        The attempt is finished; nothing is written.
    InvalidInputError
        An answer to another item than the one asked now, or a response of the wrong form.
    StaleVersionError
        Another answer landed in between; nothing is written.
    """
    attempt, untested, version = _load(store, attempt_id)
    policy.require_learner_owner(actor, attempt.learner, action="answer this onboarding test")
    attempt, untested, version = _open(store, attempt_id)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    asked = _view(store, attempt, untested).question
    if asked is None or asked.item != item:
        due = (
            "no item is due (tasks wait for their rating)"
            if asked is None
            else f"{asked.item} is asked now"
        )
        raise InvalidInputError(
            f"item: {item} is not the question of this attempt; {due}", details={"field": "item"}
        )
    chosen = next(
        i for i in _pool_items(store, attempt) if i.id == asked.item and i.version == asked.version
    )
    right = _score(chosen, response)
    given = GivenAnswer(
        chosen.id,
        chosen.version,
        chosen.skill,
        chosen.level,
        response,
        timestamp(moment),
        right=right,
    )
    return _save(store, attempt.with_answer(given), untested, version, moment)


def rate_answer(
    store: GraphStore,
    attempt_id: str,
    *,
    item: str,
    score: float,
    actor: Actor,
    now: datetime | None = None,
) -> AttemptView:
    """An assessor's rating of a task's evidence (score in [0, 1], right from 0.5).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an assessor (or an administrator).
    NotFoundError
        No such attempt.
    ConflictError
        The attempt is finished; nothing is written.
    InvalidInputError
        No task answer of ``item`` waits for a rating, or a score outside [0, 1].
    """
    by = policy.require_assessor_role(actor, action="rate a task of an onboarding test")
    attempt, untested, version = _open(store, attempt_id)
    if not 0.0 <= score <= 1.0:
        raise InvalidInputError("score: must be in [0, 1]", details={"field": "score"})
    waiting = [i for i, a in enumerate(attempt.answers) if a.item == item and a.right is None]
    if not waiting:
        raise InvalidInputError(
            f"item: no answer of {item} in this attempt waits for a rating",
            details={"field": "item"},
        )
    answers = list(attempt.answers)
    answers[waiting[0]] = replace(
        answers[waiting[0]], right=score >= PASS_MARK, score=score, rated_by=by
    )
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return _save(store, replace(attempt, answers=tuple(answers)), untested, version, moment)


def get_attempt(store: GraphStore, attempt_id: str, *, actor: Actor) -> AttemptView:
    """An attempt, to its learner, an administrator, or a user with consent (competences).

    Assessors see the attempts waiting for a rating.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone else.
    NotFoundError
        No such attempt.
    """
    attempt, untested, _ = _load(store, attempt_id)
    view = _view(store, attempt, untested)
    if view.status is AttemptStatus.AWAITING_RATING and policy.may_rate(actor):
        return view
    require_learner_reader(
        store,
        actor,
        attempt.learner,
        scope=ConsentScope.COMPETENCES,
        action="see this learner's onboarding tests",
    )
    return view


def list_attempts(store: GraphStore, learner: str, *, actor: Actor) -> list[AttemptView]:
    """Every attempt of the learner, oldest first (same readers as :func:`get_attempt`).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner, an administrator, or a user with their consent.
    """
    require_learner_reader(
        store,
        actor,
        learner,
        scope=ConsentScope.COMPETENCES,
        action="see this learner's onboarding tests",
    )
    records = store.list_records(
        kind=NodeKind.ONBOARDING, where={"record": "attempt", "learner": learner}
    )
    views = [
        _view(store, attempt_from_document(r.body), tuple(r.body.get("untested", ())))
        for r in records
    ]
    return sorted(views, key=lambda v: (v.attempt.started_at, v.attempt.id))


@dataclass(frozen=True, slots=True)
class TaskToRate:
    """A task's evidence waiting for a rating: the attempt, the item (rubric included), answer."""

    attempt: str
    item: Item
    answer: GivenAnswer


def tasks_to_rate(store: GraphStore, *, actor: Actor) -> list[TaskToRate]:
    """Every task answer of a running attempt that waits for a rating, oldest first.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an assessor (or an administrator).
    """
    policy.require_assessor_role(actor, action="see the tasks of onboarding tests to rate")
    records = store.list_records(
        kind=NodeKind.ONBOARDING, where={"record": "attempt", "unrated": True}
    )
    found: list[TaskToRate] = []
    for record in records:
        attempt = attempt_from_document(record.body)
        if attempt.finished_at is not None:
            continue
        items = {(i.id, i.version): i for i in _pool_items(store, attempt)}
        found.extend(
            TaskToRate(attempt.id, items[(a.item, a.version)], a)
            for a in attempt.answers
            if a.right is None
        )
    return sorted(found, key=lambda t: (t.answer.answered_at, t.attempt, t.item.id))
