"""Schemas of the career overview (``GET /v1/learners/{id}/overview``)."""

from __future__ import annotations

import datetime as dt

from api.schemas.common import Public
from graph.algorithms.career import CoveragePoint, GroupPoint, LevelStep, Observation, RadarAxis
from graph.services.career.overview import CareerOverview, TargetCoverage
from graph.services.career.sources import Achievement

__all__ = [
    "AchievementPublic",
    "CoveragePointPublic",
    "GroupPointPublic",
    "GroupSeriesPublic",
    "LevelStepPublic",
    "ObservationPublic",
    "OverviewPublic",
    "RadarAxisPublic",
    "TargetCoveragePublic",
]


class ObservationPublic(Public):
    """One statement of a skill's level by a source, and how it was made."""

    skill: str
    label: str
    source: str
    date: dt.date | None
    level: int | None
    passed: bool
    evidence: str | None
    by: str | None
    confidence: float | None
    ref: str | None

    @classmethod
    def from_domain(cls, o: Observation, labels: dict[str, str]) -> ObservationPublic:
        """The schema of an observation."""
        return cls(
            skill=o.skill,
            label=labels.get(o.skill, o.skill),
            source=o.source,
            date=o.date,
            level=o.level,
            passed=o.passed,
            evidence=o.evidence,
            by=o.by,
            confidence=o.confidence,
            ref=o.ref,
        )


class LevelStepPublic(Public):
    """A skill's held level from ``date`` on, and the observation that established it."""

    date: dt.date | None
    skill: str
    label: str
    level: int | None
    held: bool
    established_by: ObservationPublic | None

    @classmethod
    def from_domain(cls, s: LevelStep, labels: dict[str, str]) -> LevelStepPublic:
        """The schema of a step."""
        by = s.established_by
        return cls(
            date=s.date,
            skill=s.skill,
            label=labels.get(s.skill, s.skill),
            level=s.level,
            held=s.held,
            established_by=None if by is None else ObservationPublic.from_domain(by, labels),
        )


class AchievementPublic(Public):
    """A credential, proof, endorsement, submission or impact certificate, dated."""

    date: dt.date | None
    kind: str
    ref: str
    title: str
    by: str | None
    revoked: bool

    @classmethod
    def from_domain(cls, a: Achievement) -> AchievementPublic:
        """The schema of an achievement."""
        return cls(date=a.date, kind=a.kind, ref=a.ref, title=a.title, by=a.by, revoked=a.revoked)


class CoveragePointPublic(Public):
    """The covered share of a target's essential skills from ``date`` on."""

    date: dt.date | None
    covered: int
    total: int
    share: float

    @classmethod
    def from_domain(cls, p: CoveragePoint) -> CoveragePointPublic:
        """The schema of a coverage point."""
        return cls(date=p.date, covered=p.covered, total=p.total, share=round(p.share, 4))


class TargetCoveragePublic(Public):
    """A target occupation and its coverage over time."""

    occupation: str
    label: str
    essential: list[str]
    points: list[CoveragePointPublic]

    @classmethod
    def from_domain(cls, t: TargetCoverage) -> TargetCoveragePublic:
        """The schema of a target's coverage."""
        return cls(
            occupation=t.occupation,
            label=t.label,
            essential=list(t.essential),
            points=[CoveragePointPublic.from_domain(p) for p in t.points],
        )


class GroupPointPublic(Public):
    """A skill group's skills held and their mean stated level from ``date`` on."""

    date: dt.date | None
    skills: int
    mean_level: float | None

    @classmethod
    def from_domain(cls, p: GroupPoint) -> GroupPointPublic:
        """The schema of a group point."""
        return cls(date=p.date, skills=p.skills, mean_level=p.mean_level)


class GroupSeriesPublic(Public):
    """One ESCO skill group over time."""

    group: str
    label: str
    points: list[GroupPointPublic]


class RadarAxisPublic(Public):
    """One essential skill of the radar's target: the level required (None: any) and held."""

    skill: str
    label: str
    required: int | None
    held: int | None
    covered: bool

    @classmethod
    def from_domain(cls, a: RadarAxis, labels: dict[str, str]) -> RadarAxisPublic:
        """The schema of a radar axis."""
        return cls(
            skill=a.skill,
            label=labels.get(a.skill, a.skill),
            required=a.required,
            held=a.held,
            covered=a.covered,
        )


class OverviewPublic(Public):
    """A member's career overview: skills over time, targets, groups, what was earned."""

    learner: str
    observations: list[ObservationPublic]
    steps: list[LevelStepPublic]
    achievements: list[AchievementPublic]
    targets: list[TargetCoveragePublic]
    groups: list[GroupSeriesPublic]
    radar_target: str | None
    radar: list[RadarAxisPublic]

    @classmethod
    def from_domain(cls, o: CareerOverview) -> OverviewPublic:
        """The schema of an overview."""
        labels = o.labels
        return cls(
            learner=o.learner,
            observations=[ObservationPublic.from_domain(x, labels) for x in o.observations],
            steps=[LevelStepPublic.from_domain(s, labels) for s in o.steps],
            achievements=[AchievementPublic.from_domain(a) for a in o.achievements],
            targets=[TargetCoveragePublic.from_domain(t) for t in o.targets],
            groups=[
                GroupSeriesPublic(
                    group=group,
                    label=labels.get(group, group),
                    points=[GroupPointPublic.from_domain(p) for p in points],
                )
                for group, points in sorted(o.groups.items())
            ],
            radar_target=o.radar_target,
            radar=[RadarAxisPublic.from_domain(a, labels) for a in o.radar],
        )
