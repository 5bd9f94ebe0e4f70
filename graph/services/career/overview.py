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
from collections.abc import Iterable, Sequence
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
from graph.model.concepts import NodeKind, RelationType
from graph.model.learner_documents import learner_from_document
from graph.services import policy
from graph.services.accounts import learner_consents
from graph.services.career import sources
from graph.services.career.sources import Achievement
from graph.services.pathways.targets import occupation_skills
from graph.store import Direction, GraphStore

__all__ = ["CareerOverview", "TargetCoverage", "career_overview"]

#: How many skills up the ESCO hierarchy a skill's group is looked for.
_GROUP_HOPS = 4
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
    """Every observation and achievement of the learner, and their onboarding test targets."""
    record = store.get_record(learner_id, kind=NodeKind.LEARNER)
    learner = learner_from_document(record.body)
    proofs = store.list_records(
        kind=NodeKind.PROOF, where={"record": "proof", "learner": learner_id}
    )
    issued = {
        str(r.body.get("credential")): sources.day_of(r.body.get("issued_at"))
        for r in sorted(proofs, key=lambda r: str(r.body.get("issued_at")), reverse=True)
        if not r.body.get("revoked")
    }
    held, earned, titles = sources.credential_observations(store, learner, issued)
    proved, achieved = sources.proof_observations(proofs, titles)
    impact, impacts = sources.impact_certificates(store, learner_id)
    attempts = store.list_records(
        kind=NodeKind.ONBOARDING, where={"record": "attempt", "learner": learner_id}
    )
    tested = sources.onboarding_observations(attempts)
    history = sources.assessment_observations(learner) + tested + proved + held + impact
    observations = history + sources.record_observations(learner, history)
    achievements = earned + achieved + impacts + sources.submission_achievements(store, learner_id)
    occupations = [
        str(r.index.get("target")).removeprefix("occupation:")
        for r in attempts
        if str(r.index.get("target", "")).startswith("occupation:")
    ]
    return observations, achievements, occupations


def _groups(store: GraphStore, skills: Iterable[str]) -> dict[str, str]:
    """Each skill's nearest ESCO skill group up the hierarchy (skills without one are left out)."""
    group_of: dict[str, str] = {}
    frontier = {skill: {skill} for skill in skills}
    for _ in range(_GROUP_HOPS):
        wanted = {uri for ups in frontier.values() for uri in ups}
        if not wanted:
            break
        edges = store.relations_of(wanted, direction=Direction.OUT, types=[RelationType.BROADER])
        parents = {uri: {e.target for e in found} for uri, found in edges.items()}
        concepts = store.get_concepts({p for ps in parents.values() for p in ps})
        nxt: dict[str, set[str]] = {}
        for skill, ups in frontier.items():
            above = {p for uri in ups for p in parents.get(uri, ())}
            groups = sorted(p for p in above if concepts[p].kind is NodeKind.SKILL_GROUP)
            if groups:
                group_of[skill] = groups[0]
            elif above:
                nxt[skill] = above
        frontier = nxt
    return group_of


def _targets(
    store: GraphStore, occupations: Sequence[str], steps: Sequence[LevelStep]
) -> list[TargetCoverage]:
    found = []
    for occupation in dict.fromkeys(occupations):
        essential, _ = occupation_skills(store, occupation)
        points = coverage_over_time(steps, dict.fromkeys(essential))
        found.append(TargetCoverage(occupation, occupation, tuple(essential), tuple(points)))
    return found


def _check_targets(store: GraphStore, targets: Sequence[str]) -> None:
    if len(targets) > MAX_TARGETS:
        raise InvalidInputError(
            f"target: at most {MAX_TARGETS} target occupations, got {len(targets)}",
            details={"field": "target"},
        )
    concepts = store.get_concepts(targets)
    for i, uri in enumerate(targets):
        concept = concepts.get(uri)
        if concept is None or concept.kind is not NodeKind.OCCUPATION:
            raise InvalidInputError(
                f"target[{i}]: {uri!r} is not an occupation of the store",
                details={"field": "target", "uri": uri},
            )


def _labels(store: GraphStore, uris: Iterable[str]) -> dict[str, str]:
    return {uri: c.preferred_label() for uri, c in store.get_concepts(set(uris)).items()}


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
    policy.require_learner_reader(
        actor,
        learner_id,
        scope=ConsentScope.OVERVIEW,
        consents=learner_consents(store, learner_id),
        action="see this learner's career overview",
    )
    wanted = [*targets, *([radar_target] if radar_target else [])]
    _check_targets(store, wanted)
    observations, achievements, tested = _gather(store, learner_id)
    steps = level_steps(observations)
    chosen = list(dict.fromkeys([*wanted, *tested]))[:MAX_TARGETS]
    coverage = _targets(store, chosen, steps)
    skills = {o.skill for o in observations}
    group_of = _groups(store, skills)
    radar_of = radar_target or (chosen[0] if chosen else None)
    essential = next((t.essential for t in coverage if t.occupation == radar_of), ())
    radar = radar_axes(held_at(steps), [(skill, None) for skill in essential])
    labels = _labels(store, skills | set(group_of.values()) | set(chosen) | set(essential))
    return CareerOverview(
        learner=learner_id,
        observations=tuple(sorted(observations, key=lambda o: (_order(o.date), o.skill))),
        steps=tuple(steps),
        achievements=tuple(sorted(achievements, key=lambda a: (_order(a.date), a.kind, a.ref))),
        targets=tuple(
            TargetCoverage(
                t.occupation, labels.get(t.occupation, t.occupation), t.essential, t.points
            )
            for t in coverage
        ),
        group_of=group_of,
        groups=groups_over_time(steps, group_of),
        radar_target=radar_of,
        radar=tuple(radar),
        labels=labels,
    )
