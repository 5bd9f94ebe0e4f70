"""A member's career overview: skills over time from every source, targets, groups, earned.

Private by default: the learner, an administrator, and users holding the learner's active
consent for ``overview`` (a scope of its own, since the overview shows every competence with
its evidence, the proofs and the impact certificates at once; a consent for competences or
proofs alone does not open it).

The targets whose coverage is drawn over time are the occupations asked for (``targets``) and
those the learner took onboarding tests for; the radar is drawn against ``radar_target``
(default: the first target). How levels are established over time is the rule of
:mod:`graph.algorithms.career`; the readers of each source are in
:mod:`graph.services.career.sources`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.algorithms.career import (
    CoveragePoint,
    GroupPoint,
    LevelStep,
    Observation,
    RadarAxis,
    coverage_over_time,
    groups_over_time,
    held_at,
    level_steps,
    radar_axes,
)
from graph.errors import InvalidInputError
from graph.model.accounts import Actor, ConsentScope
from graph.model.concepts import Concept, NodeKind, RelationType
from graph.model.learner_documents import learner_from_document
from graph.services.career import sources
from graph.services.career.sources import Achievement
from graph.services.concepts import groups_above
from graph.services.impact.claims import read_claims
from graph.services.learner_access import require_learner_reader
from graph.store import Direction, GraphStore

__all__ = ["CareerOverview", "TargetCoverage", "career_overview"]

MAX_TARGETS = 5
OTHER_GROUP = "other skills"


@dataclass(frozen=True, slots=True)
class TargetCoverage:
    """A target occupation, its essential skills and their covered share over time."""

    occupation: str
    label: str
    essential: tuple[str, ...]
    points: tuple[CoveragePoint, ...]


@dataclass(frozen=True, slots=True)
class CareerOverview:
    """Everything the overview shows; ``labels`` names every IRI it holds."""

    learner: str
    observations: tuple[Observation, ...]
    steps: tuple[LevelStep, ...]
    achievements: tuple[Achievement, ...]
    targets: tuple[TargetCoverage, ...]
    group_of: dict[str, str]
    groups: dict[str, list[GroupPoint]]
    radar_target: str | None
    radar: tuple[RadarAxis, ...]
    labels: dict[str, str]


def _order(date: dt.date | None) -> dt.date:
    return date or dt.date.min


def _gather(
    store: GraphStore, learner_id: str
) -> tuple[list[Observation], list[Achievement], list[str]]:
    """Every observation and achievement of the learner, and their onboarding test targets.

    Four reads: the learner record, their records of every kind (one listing of many), their
    impact claims (through the impact service), the credentials they hold.
    """
    record = store.get_record(learner_id, kind=NodeKind.LEARNER)
    learner = learner_from_document(record.body)
    proofs, attempts, submissions = store.list_records_many(
        [(kind, {"record": name, "learner": learner_id}) for kind, name in sources.LEARNER_RECORDS]
    )
    issued = {
        str(r.body.get("credential")): sources.day_of(r.body.get("issued_at"))
        for r in sorted(proofs, key=lambda r: str(r.body.get("issued_at")), reverse=True)
        if not r.body.get("revoked")
    }
    held, earned, titles = sources.credential_observations(store, learner, issued)
    proved, achieved = sources.proof_observations(proofs, titles)
    impact, impacts = sources.impact_certificates(read_claims(store, learner_id))
    tested = sources.onboarding_observations(attempts)
    history = sources.assessment_observations(learner) + tested + proved + held + impact
    observations = history + sources.record_observations(learner, history)
    achievements = earned + achieved + impacts + sources.submission_achievements(submissions)
    occupations = [
        str(r.index.get("target")).removeprefix("occupation:")
        for r in attempts
        if str(r.index.get("target", "")).startswith("occupation:")
    ]
    return observations, achievements, occupations


@dataclass(frozen=True, slots=True)
class _Around:
    """The concepts around a learner's skills and targets, read in two round trips or so."""

    essential: dict[str, tuple[str, ...]]
    group_of: dict[str, str]
    concepts: dict[str, Concept]


def _around(store: GraphStore, occupations: Sequence[str], skills: Iterable[str]) -> _Around:
    """The occupations' essential skills, each skill's nearest ESCO skill group, the concepts.

    One listing of edges (the occupations' essential skills and the skills' broader ones), one
    of concepts (to tell skill groups apart and to name everything); a skill whose broader
    concepts hold no group is looked up further (:func:`~graph.services.concepts.groups_above`).
    """
    skills = set(skills)
    edges = store.relations_of(
        {*occupations, *skills},
        direction=Direction.OUT,
        types=[RelationType.HAS_ESSENTIAL_SKILL, RelationType.BROADER],
    )
    essential = {
        o: tuple(e.target for e in edges.get(o, ()) if e.type is RelationType.HAS_ESSENTIAL_SKILL)
        for o in occupations
    }
    parents = {
        s: {e.target for e in edges.get(s, ()) if e.type is RelationType.BROADER} for s in skills
    }
    wanted = {*occupations, *skills, *(u for es in essential.values() for u in es)}
    concepts = store.get_concepts(wanted | {p for ps in parents.values() for p in ps})
    group_of = groups_above(store, parents, concepts)
    return _Around(essential, group_of, concepts)


def _kind(concepts: Mapping[str, Concept], uri: str) -> NodeKind | None:
    concept = concepts.get(uri)
    return concept.kind if concept else None


def _check_targets(targets: Sequence[str], concepts: Mapping[str, Concept]) -> None:
    for i, uri in enumerate(targets):
        if _kind(concepts, uri) is not NodeKind.OCCUPATION:
            raise InvalidInputError(
                f"target[{i}]: {uri!r} is not an occupation of the store",
                details={"field": "target", "uri": uri},
            )


def career_overview(
    store: GraphStore,
    learner_id: str,
    *,
    actor: Actor,
    targets: Sequence[str] = (),
    radar_target: str | None = None,
) -> CareerOverview:
    """The career overview of ``learner_id`` (see the module docstring for who may see it).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner, an administrator, or a user with their consent for
        ``overview``.
    NotFoundError
        When there is no such learner.
    InvalidInputError
        A target (field ``target``) that is not an occupation of the store, or too many.
    """
    require_learner_reader(
        store,
        actor,
        learner_id,
        scope=ConsentScope.OVERVIEW,
        action="see this learner's career overview",
    )
    wanted = [*targets, *([radar_target] if radar_target else [])]
    if len(wanted) > MAX_TARGETS:
        raise InvalidInputError(
            f"target: at most {MAX_TARGETS} target occupations, got {len(wanted)}",
            details={"field": "target"},
        )
    observations, achievements, tested = _gather(store, learner_id)
    steps = level_steps(observations)
    chosen = list(dict.fromkeys([*wanted, *tested]))[:MAX_TARGETS]
    skills = {o.skill for o in observations}
    around = _around(store, chosen, skills)
    _check_targets(wanted, around.concepts)
    radar_of = radar_target or (chosen[0] if chosen else None)
    essential = around.essential.get(radar_of or "", ())
    radar = radar_axes(held_at(steps), [(skill, None) for skill in essential])
    named = skills | set(around.group_of.values()) | set(chosen) | set(essential)
    labels = {u: c.preferred_label() for u, c in around.concepts.items() if u in named}
    coverage = [
        TargetCoverage(
            o, labels.get(o, o), around.essential[o],
            tuple(coverage_over_time(steps, dict.fromkeys(around.essential[o]))),
        )
        for o in chosen
    ]  # fmt: skip
    return CareerOverview(
        learner=learner_id,
        observations=tuple(sorted(observations, key=lambda o: (_order(o.date), o.skill))),
        steps=tuple(steps),
        achievements=tuple(sorted(achievements, key=lambda a: (_order(a.date), a.kind, a.ref))),
        targets=tuple(coverage),
        group_of=around.group_of,
        groups=groups_over_time(steps, around.group_of),
        radar_target=radar_of,
        radar=tuple(radar),
        labels=labels,
    )
