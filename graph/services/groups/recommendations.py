"""Use cases of mentors' recommendations: a mentor recommends, the learner accepts or declines.

A mentor the group links to a learner recommends a target, a pathway (credentials in order
towards a target) or a note on one step of the learner's pathway, always with a reason. The
learner sees them beside their computed pathway, with who said it and why, and decides; the
target of the latest accepted target or pathway is **the learner's target**
(:func:`learner_target`), which their pathway page starts from. Recommendations are records of
:attr:`NodeKind.RECOMMENDATION` indexed by learner; bad input stores nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from graph.errors import InvalidInputError, NotFoundError, PayloadTooLargeError
from graph.model.accounts import Actor, Role
from graph.model.concepts import NodeKind
from graph.model.groups import (
    MAX_TEXT,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    recommendation_from_document,
    recommendation_to_document,
)
from graph.services import policy
from graph.services.groups.groups import read_group
from graph.services.groups.links import linked_mentors
from graph.services.pathways.targets import parse_target, resolve_target
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "decide_recommendation",
    "get_recommendation",
    "learner_target",
    "list_recommendations",
    "recommend",
]

_MAX_STEPS = 20


def _fail(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field})


def _text(value: str | None, field: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise _fail(field, "must not be empty")
        return None
    if len(text) > MAX_TEXT:
        raise PayloadTooLargeError(
            f"{field}: {len(text)} characters, at most {MAX_TEXT} are allowed",
            details={"field": field, "limit": MAX_TEXT},
        )
    return text


def _credential(store: GraphStore, uri: str, field: str) -> str:
    if not store.get_records([uri.strip()], kind=NodeKind.CREDENTIAL):
        raise _fail(field, f"no credential {uri[:100]}")
    return uri.strip()


def _target(store: GraphStore, text: str | None) -> str:
    if not (text or "").strip():
        raise _fail("target", "name the target (occupation:IRI, credential:IRI or skills:...)")
    target = parse_target(str(text))
    try:
        resolve_target(store, target)
    except NotFoundError as e:
        raise _fail("target", e.message) from e
    return str(target)


def _checked(
    store: GraphStore, draft: Recommendation, *, target: str | None, steps: Sequence[str]
) -> Recommendation:
    """The draft with its parts checked for its kind (the first bad field named)."""
    kind = draft.kind
    if kind is RecommendationKind.STEP:
        if draft.step is None:
            raise _fail("step", "name the credential of the pathway this note is about")
        step = _credential(store, draft.step, "step")
        before = None if draft.before is None else _credential(store, draft.before, "before")
        if before == step:
            raise _fail("before", "a step cannot come before itself")
        if draft.note is None:
            raise _fail("note", "say what you advise about this step")
        return replace(draft, step=step, before=before)
    checked_target = _target(store, target)
    if kind is RecommendationKind.TARGET:
        return replace(draft, target=checked_target, step=None, before=None)
    if not steps or len(steps) > _MAX_STEPS:
        raise _fail("steps", f"name 1 to {_MAX_STEPS} credentials in order")
    named = tuple(_credential(store, s, f"steps[{i}]") for i, s in enumerate(steps))
    return replace(draft, target=checked_target, steps=named, step=None, before=None)


def _record(r: Recommendation) -> Record:
    index = {"learner": r.learner, "group": r.group, "mentor": r.mentor, "status": r.status.value}
    return Record(r.id, NodeKind.RECOMMENDATION, recommendation_to_document(r), index)


def recommend(
    store: GraphStore,
    *,
    actor: Actor,
    group: str,
    learner: str,
    kind: str,
    reason: str,
    base_iri: str,
    target: str | None = None,
    steps: Sequence[str] = (),
    step: str | None = None,
    before: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Recommendation:
    """Recommend to ``learner`` as a mentor the group ``group`` links to them.

    Raises
    ------
    NotFoundError
        For no such group.
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone the group does not link to the learner as mentor.
    InvalidInputError, PayloadTooLargeError
        For a learner not of the group, an unknown kind, target or credential, no reason,
        an oversized text (naming the field); nothing is written.
    """
    found, _ = read_group(store, group)
    action = "recommend to this learner"
    if learner not in found.learners:  # told only to those who see the group's learners
        policy.require_group_staff(actor, group, found.mentors, action=action)
        raise _fail("learner", f"{learner[:100]!r} is not a learner of this group")
    user = policy.require_linked_mentor(actor, learner, found.mentors_of(learner), action=action)
    try:
        rec_kind = RecommendationKind(kind)
    except ValueError as e:
        kinds = ", ".join(k.value for k in RecommendationKind)
        raise _fail("kind", f"{kind[:40]!r} is none of {kinds}") from e
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    draft = Recommendation(
        id=f"{base_iri.rstrip('/')}/recommendation/{secrets.token_hex(8)}",
        group=group,
        learner=learner,
        mentor=user,
        kind=rec_kind,
        reason=str(_text(reason, "reason", required=True)),
        created_at=at,
        step=(step or "").strip() or None,
        before=(before or "").strip() or None,
        note=_text(note, "note", required=False),
    )
    made = _checked(store, draft, target=target, steps=steps)
    store.write(GraphBatch(records=[_record(made)], expect={made.id: None}))
    return made


def _read(store: GraphStore, uri: str) -> tuple[Recommendation, int]:
    record = store.get_records([uri], kind=NodeKind.RECOMMENDATION).get(uri)
    if record is None:
        raise NotFoundError(f"no recommendation {uri}", details={"id": uri})
    return recommendation_from_document(record.body), record.version or 1


def get_recommendation(store: GraphStore, uri: str, *, actor: Actor) -> Recommendation:
    """A recommendation, for its learner, its mentor and administrators.

    Raises
    ------
    NotFoundError, UnauthenticatedError, ForbiddenError
        For no such recommendation, nobody, anyone else.
    """
    found, _ = _read(store, uri)
    policy.require_recommendation_reader(
        actor, found.learner, found.mentor, action="see this recommendation"
    )
    return found


def list_recommendations(store: GraphStore, *, actor: Actor, learner: str) -> list[Recommendation]:
    """The recommendations to ``learner``, newest first.

    All of them for the learner (and administrators); a mentor the groups link to the learner
    sees their own.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone else.
    """
    user = policy.require_user(actor, action="see a learner's recommendations")
    records = store.list_records(kind=NodeKind.RECOMMENDATION, where={"learner": learner})
    found = [recommendation_from_document(r.body) for r in records]
    if not (actor.is_admin or actor.holds(Role.LEARNER, learner)):
        policy.require_linked_mentor(
            actor,
            learner,
            linked_mentors(store, learner),
            action="see this learner's recommendations",
        )
        found = [r for r in found if r.mentor == user]
    return sorted(found, key=lambda r: (r.created_at, r.id), reverse=True)


def decide_recommendation(
    store: GraphStore, uri: str, *, actor: Actor, accept: bool, now: datetime | None = None
) -> Recommendation:
    """Accept or decline a recommendation (the learner it is for); it may be decided again.

    Raises
    ------
    NotFoundError, UnauthenticatedError, ForbiddenError
        For no such recommendation, nobody, anyone but its learner.
    StaleVersionError
        When it changed between reading and writing; nothing is written.
    """
    found, version = _read(store, uri)
    policy.require_learner_owner(actor, found.learner, action="decide on a recommendation")
    status = RecommendationStatus.ACCEPTED if accept else RecommendationStatus.DECLINED
    # To the microsecond: the latest decision is the learner's target, even within a second.
    at = (now or datetime.now(UTC)).isoformat(timespec="microseconds")
    decided = replace(found, status=status, decided_at=at)
    store.write(GraphBatch(records=[_record(decided)], expect={uri: version}))
    return decided


def learner_target(store: GraphStore, *, actor: Actor, learner: str) -> Recommendation | None:
    """The accepted recommendation whose target is the learner's target (the latest decided).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        As :func:`list_recommendations`.
    """
    accepted = [
        r
        for r in list_recommendations(store, actor=actor, learner=learner)
        if r.status is RecommendationStatus.ACCEPTED and r.target is not None
    ]
    return max(accepted, key=lambda r: (r.decided_at or "", r.id), default=None)
