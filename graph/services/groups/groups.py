"""Use cases of groups: create one, read it, change its people and targets, a learner's sharing.

A group is a record of :attr:`NodeKind.GROUP` at ``{base}/group/<slug>``. Its leader (the user
holding ``group_leader`` of that IRI, or an administrator) creates it and changes it as a whole
(:class:`GroupSpec`: name, kind, mentors, learners, links, targets); a learner alone says
whether they share their progress with the group, and a change by the leader keeps what each
learner said. Every item is checked before the one write, naming the field and the position
of the first bad one: bad input stores nothing. Changes write expecting the version read and
are redone on what another writer wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from graph.errors import InvalidInputError, NotFoundError
from graph.model.accounts import Actor, Role
from graph.model.concepts import NodeKind
from graph.model.groups import (
    MAX_GROUP_ITEMS,
    Group,
    GroupKind,
    Member,
    MentorLink,
    group_from_document,
    group_to_document,
)
from graph.services import policy
from graph.services.accounts import user_iri
from graph.services.pathways.targets import TargetKind, parse_target, resolve_target
from graph.services.races import redo_on_race
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "GroupSpec",
    "create_group",
    "get_group",
    "group_iri",
    "my_groups",
    "read_group",
    "replace_group",
    "set_sharing",
]

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """What a leader says a group is: mentors by user name or IRI, links as (mentor, learner)."""

    name: str
    kind: str = GroupKind.COHORT.value
    mentors: Sequence[str] = ()
    learners: Sequence[str] = ()
    links: Sequence[tuple[str, str]] = ()
    targets: Sequence[str] = ()


def _fail(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field})


def group_iri(slug: str, *, base_iri: str) -> str:
    """The IRI of the group ``slug`` (lower-case letters, digits, hyphens).

    Raises
    ------
    InvalidInputError
        For a slug of other characters (field ``id``).
    """
    if not _SLUG.fullmatch(slug):
        raise _fail("id", f"{slug[:80]!r} is not a group id: use a-z, 0-9 and '-' (at most 63)")
    return f"{base_iri.rstrip('/')}/group/{slug}"


def _user(store: GraphStore, text: str, field: str, base_iri: str) -> str:
    iri = text.strip() if "/" in text else user_iri(text.strip(), base_iri=base_iri)
    if not store.get_records([iri], kind=NodeKind.ACCOUNT):
        raise _fail(field, f"no user {text[:100]!r}")
    return iri


def _unique(items: Sequence[str], field: str) -> None:
    if len(items) > MAX_GROUP_ITEMS:
        raise _fail(field, f"{len(items)} items, at most {MAX_GROUP_ITEMS} are allowed")
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item in seen:
            raise _fail(f"{field}[{i}]", f"{item[:100]} is named twice")
        seen.add(item)


def _targets(store: GraphStore, targets: Sequence[str]) -> tuple[str, ...]:
    checked: list[str] = []
    for i, text in enumerate(targets):
        field = f"targets[{i}]"
        target = parse_target(text, field=field)
        if target.kind is TargetKind.SKILLS:
            raise _fail(field, "a group aims at an occupation or a credential")
        try:
            resolve_target(store, target)
        except (NotFoundError, InvalidInputError) as e:
            raise _fail(field, e.message.removeprefix("target: ")) from e
        checked.append(str(target))
    _unique(checked, "targets")
    return tuple(checked)


def _checked(store: GraphStore, spec: GroupSpec, base_iri: str) -> GroupSpec:
    name = spec.name.strip()
    if not name or len(name) > _MAX_NAME:
        raise _fail("name", f"give the group a name of 1 to {_MAX_NAME} characters")
    if spec.kind not in {k.value for k in GroupKind}:
        raise _fail(
            "kind", f"{spec.kind[:40]!r} is none of {', '.join(k.value for k in GroupKind)}"
        )
    mentors = [_user(store, m, f"mentors[{i}]", base_iri) for i, m in enumerate(spec.mentors)]
    _unique(mentors, "mentors")
    learners = [lr.strip() for lr in spec.learners]
    found = store.get_records(learners, kind=NodeKind.LEARNER)
    for i, learner in enumerate(learners):
        if learner not in found:
            raise _fail(f"learners[{i}]", f"no learner {learner[:100]}")
    _unique(learners, "learners")
    links: list[tuple[str, str]] = []
    for i, (mentor, learner) in enumerate(spec.links):
        iri = _user(store, mentor, f"links[{i}].mentor", base_iri)
        if iri not in mentors:
            raise _fail(f"links[{i}].mentor", f"{mentor[:100]} is not one of the group's mentors")
        if learner.strip() not in learners:
            raise _fail(f"links[{i}].learner", f"{learner[:100]} is not a learner of the group")
        links.append((iri, learner.strip()))
    _unique([f"{m} {lr}" for m, lr in links], "links")
    targets = _targets(store, spec.targets)
    return GroupSpec(name, spec.kind, mentors, learners, links, targets)


def _record(group: Group) -> Record:
    return Record(
        group.id, NodeKind.GROUP, group_to_document(group), {"created_by": group.created_by}
    )


def _built(spec: GroupSpec, base: Group) -> Group:
    sharing = {m.learner: m.shares_progress for m in base.members}
    return replace(
        base,
        name=spec.name,
        kind=GroupKind(spec.kind),
        mentors=tuple(spec.mentors),
        members=tuple(Member(lr, sharing.get(lr, False)) for lr in spec.learners),
        links=tuple(MentorLink(m, lr) for m, lr in spec.links),
        targets=tuple(spec.targets),
    )


def create_group(
    store: GraphStore,
    *,
    actor: Actor,
    slug: str,
    spec: GroupSpec,
    base_iri: str,
    now: datetime | None = None,
) -> Group:
    """Create the group ``slug`` as its leader (``group_leader`` of its IRI) or an administrator.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone but the group's leader.
    InvalidInputError
        For a bad slug, name or kind, an unknown user, learner or target, a link outside the
        group, an item named twice (naming the field and position).
    ConflictError
        When the group exists already.
    """
    iri = group_iri(slug, base_iri=base_iri)
    user = policy.require_group_leader(actor, iri, action="create a group")
    checked = _checked(store, spec, base_iri)
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    group = _built(checked, Group(iri, checked.name, GroupKind(checked.kind), at, user))
    store.write(GraphBatch(records=[_record(group)], expect={iri: None}))
    return group


def read_group(store: GraphStore, iri: str) -> tuple[Group, int]:
    """The group ``iri`` and its version, unchecked (for the use cases that rule on it).

    Raises
    ------
    NotFoundError
        When there is no such group.
    """
    record = store.get_records([iri], kind=NodeKind.GROUP).get(iri)
    if record is None:
        raise NotFoundError(f"no group {iri}", details={"id": iri})
    return group_from_document(record.body), record.version or 1


def get_group(store: GraphStore, iri: str, *, actor: Actor) -> Group:
    """The group, for its leader, its mentors and administrators.

    Raises
    ------
    NotFoundError, UnauthenticatedError, ForbiddenError
        For no such group, nobody, anyone who neither leads nor mentors in it.
    """
    group, _ = read_group(store, iri)
    policy.require_group_staff(actor, iri, group.mentors, action="see this group")
    return group


def replace_group(
    store: GraphStore, iri: str, *, actor: Actor, spec: GroupSpec, base_iri: str
) -> Group:
    """Change the group's name, kind, mentors, learners, links and targets (its leader).

    Each kept learner's sharing stays what they said; a learner added shares nothing yet.

    Raises
    ------
    NotFoundError, UnauthenticatedError, ForbiddenError, InvalidInputError
        As :func:`create_group`, and for no such group.
    """
    policy.require_group_leader(actor, iri, action="change a group")
    checked = _checked(store, spec, base_iri)

    def attempt() -> Group:
        current, version = read_group(store, iri)
        group = _built(checked, current)
        store.write(GraphBatch(records=[_record(group)], expect={iri: version}))
        return group

    return redo_on_race(attempt)


def set_sharing(store: GraphStore, iri: str, *, actor: Actor, learner: str, shares: bool) -> Group:
    """Say whether ``learner`` (the learner themself) is counted in the group's progress.

    Raises
    ------
    NotFoundError
        For no such group.
    UnauthenticatedError, ForbiddenError
        For nobody, anyone but the learner, and a learner who is not one of the group's.
    """
    policy.require_learner_owner(actor, learner, action="share progress with a group")

    def attempt() -> Group:
        current, version = read_group(store, iri)
        if learner not in current.learners:
            raise policy.refusal(
                actor, "share progress with a group", "not one of its learners", iri
            )
        members = tuple(
            Member(m.learner, shares) if m.learner == learner else m for m in current.members
        )
        group = replace(current, members=members)
        store.write(GraphBatch(records=[_record(group)], expect={iri: version}))
        return group

    return redo_on_race(attempt)


def my_groups(store: GraphStore, *, actor: Actor) -> list[Group]:
    """The groups the actor leads, mentors in, or learns in (every group, for an administrator).

    A learner who neither leads nor mentors in a group sees only themself in it: their own
    membership and links, never the other learners.
    """
    user = policy.require_user(actor, action="list your groups")
    groups = [group_from_document(r.body) for r in store.list_records(kind=NodeKind.GROUP)]
    if actor.is_admin:
        return groups
    mine = actor.objects(Role.LEARNER)
    found: list[Group] = []
    for g in groups:
        if actor.holds(Role.GROUP_LEADER, g.id) or user in g.mentors:
            found.append(g)
        elif mine & set(g.learners):
            members = tuple(m for m in g.members if m.learner in mine)
            links = tuple(k for k in g.links if k.learner in mine)
            found.append(replace(g, members=members, links=links))
    return found
