"""Targets of a learner and what they require: an occupation, a credential or a skill set.

- ``occupation:URI``: the occupation's essential skills are required, its optional skills are
  weighted (``optional_weight`` each, in units of one average credential of the objective);
- ``credential:ID``: the credential's confirmed skills at their levels, and its prerequisite
  skills at theirs, are required (the credential itself is a candidate like any other, so a
  pathway may end with it, after its own prerequisites);
- ``skills:URI[@LEVEL][,URI[@LEVEL]...]``: those skills at those levels are required.

ESCO states no levels for occupations' skills: a requirement without a level is met at any.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from graph.algorithms.gaps import Requirement
from graph.errors import InvalidInputError, NotFoundError
from graph.model.concepts import NodeKind, RelationType
from graph.model.credential_documents import credential_from_document
from graph.model.learners import LEVEL_SCALE
from graph.store import GraphStore

__all__ = [
    "DEFAULT_OPTIONAL_WEIGHT",
    "Target",
    "TargetKind",
    "TargetSpec",
    "occupation_skills",
    "parse_target",
    "resolve_target",
    "skills_target",
]

logger = logging.getLogger(__name__)

#: What covering one optional skill of an occupation is worth (one average credential = 1).
DEFAULT_OPTIONAL_WEIGHT = 0.1
MAX_TARGET_SKILLS = 200


class TargetKind(StrEnum):
    """What a learner aims at."""

    OCCUPATION = "occupation"
    CREDENTIAL = "credential"
    SKILLS = "skills"


@dataclass(frozen=True, slots=True)
class Target:
    """A target as named by the user; ``levels`` go with ``ids`` for a skill set."""

    kind: TargetKind
    ids: tuple[str, ...]
    levels: tuple[int | None, ...] = ()

    def __str__(self) -> str:
        if self.kind is TargetKind.SKILLS and any(lv is not None for lv in self.levels):
            items = [
                uri if lv is None else f"{uri}@{lv}"
                for uri, lv in zip(self.ids, self.levels, strict=True)
            ]
            return f"{self.kind.value}:{','.join(items)}"
        return f"{self.kind.value}:{','.join(self.ids)}"


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """A resolved target: its label and what it requires."""

    target: Target
    label: str
    requirements: tuple[Requirement, ...]


def _fail(message: str, field: str = "target") -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field})


def _level(text: str, field: str) -> int:
    try:
        level = int(text)
    except ValueError as e:
        raise _fail(f"level {text!r} is not an integer", field) from e
    low, high = LEVEL_SCALE
    if not low <= level <= high:
        raise _fail(f"level {level} is outside the level scale {low}-{high}", field)
    return level


def parse_target(text: str, *, field: str = "target") -> Target:
    """Parse ``occupation:URI``, ``credential:ID`` or ``skills:URI[@LEVEL][,...]``.

    Raises
    ------
    InvalidInputError
        An unknown kind, no id, several occupations or credentials, a level outside 1-8.

    Examples
    --------
    >>> t = parse_target("skills:http://e.org/s/1@3,http://e.org/s/2")
    >>> t.kind.value, t.ids, t.levels
    ('skills', ('http://e.org/s/1', 'http://e.org/s/2'), (3, None))
    """
    kind_text, sep, rest = text.strip().partition(":")
    try:
        kind = TargetKind(kind_text.strip().lower())
    except ValueError as e:
        kinds = ", ".join(k.value for k in TargetKind)
        raise _fail(f"expected KIND:ID with KIND one of {kinds}, got {text!r}", field) from e
    items = [item.strip() for item in rest.split(",") if item.strip()] if sep else []
    if not items:
        raise _fail(f"{kind.value}: name at least one id", field)
    if kind is not TargetKind.SKILLS:
        if len(items) != 1:
            raise _fail(f"a {kind.value} target names one {kind.value}", field)
        return Target(kind, (items[0],))
    if len(items) > MAX_TARGET_SKILLS:
        raise _fail(f"at most {MAX_TARGET_SKILLS} skills", field)
    ids: list[str] = []
    levels: list[int | None] = []
    for item in items:
        uri, at, level = item.rpartition("@") if "@" in item.rsplit("/", 1)[-1] else (item, "", "")
        ids.append(uri if at else item)
        levels.append(_level(level, field) if at else None)
    return Target(kind, tuple(ids), tuple(levels))


def skills_target(skills: Sequence[tuple[str, int | None]]) -> Target:
    """A skill-set target from (IRI, level) pairs (levels are checked when resolved)."""
    return Target(TargetKind.SKILLS, tuple(s for s, _ in skills), tuple(lv for _, lv in skills))


def occupation_skills(store: GraphStore, occupation: str) -> tuple[list[str], list[str]]:
    """The essential and the optional skills of an occupation, each sorted by IRI."""
    relations = store.relations(
        occupation, types=[RelationType.HAS_ESSENTIAL_SKILL, RelationType.HAS_OPTIONAL_SKILL]
    )
    essential = [r.target for r in relations if r.type is RelationType.HAS_ESSENTIAL_SKILL]
    chosen = set(essential)
    optional = [
        r.target
        for r in relations
        if r.type is RelationType.HAS_OPTIONAL_SKILL and r.target not in chosen
    ]
    return essential, optional


def resolve_target(
    store: GraphStore, target: Target, *, optional_weight: float = DEFAULT_OPTIONAL_WEIGHT
) -> TargetSpec:
    """Look a target up and list what it requires.

    Raises
    ------
    NotFoundError
        An occupation, credential or skill the store does not hold (``details["field"]`` is
        ``target``).
    InvalidInputError
        A concept of the wrong kind, a level outside 1-8, a negative optional weight.
    """
    if optional_weight < 0:
        raise _fail("must not be negative", "optional_weight")
    low, high = LEVEL_SCALE
    for level in target.levels:
        if level is not None and not low <= level <= high:
            raise _fail(f"level {level} is outside the level scale {low}-{high}")
    if target.kind is TargetKind.CREDENTIAL:
        uri = target.ids[0]
        record = store.get_records([uri], kind=NodeKind.CREDENTIAL).get(uri)
        if record is None:
            raise NotFoundError(f"no credential {uri}", details={"field": "target", "uri": uri})
        credential = credential_from_document(record.body)
        requirements = [Requirement(s.uri, s.level) for s in credential.confirmed_skills]
        requirements += [
            Requirement(p.skill, p.level) for p in credential.prerequisites if p.skill is not None
        ]
        return TargetSpec(target, credential.title, tuple(requirements))
    concepts = store.get_concepts(target.ids)
    missing = [uri for uri in target.ids if uri not in concepts]
    if missing:
        raise NotFoundError(
            f"no {'occupation' if target.kind is TargetKind.OCCUPATION else 'skill'} {missing[0]}",
            details={"field": "target", "uri": missing[0]},
        )
    wanted = NodeKind.OCCUPATION if target.kind is TargetKind.OCCUPATION else NodeKind.SKILL
    for uri in target.ids:
        if concepts[uri].kind is not wanted:
            raise _fail(f"{uri} is a {concepts[uri].kind.value}, not a {wanted.value}")
    if target.kind is TargetKind.SKILLS:
        levels = target.levels or (None,) * len(target.ids)
        requirements = [Requirement(u, lv) for u, lv in zip(target.ids, levels, strict=True)]
        label = ", ".join(concepts[u].preferred_label() for u in target.ids[:5])
        return TargetSpec(target, label, tuple(requirements))
    uri = target.ids[0]
    essential, optional = occupation_skills(store, uri)
    requirements = [Requirement(s) for s in essential] + [
        Requirement(s, required=False, weight=optional_weight) for s in optional
    ]
    return TargetSpec(target, concepts[uri].preferred_label(), tuple(requirements))
