"""Schemas of groups: a leader's group, a learner's sharing, progress, recommendations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_IRI, MAX_NAME, MAX_TARGET, MAX_TEXT, Public
from graph.model.groups import MAX_GROUP_ITEMS, Group, Recommendation
from graph.services.groups.groups import GroupSpec
from graph.services.groups.progress import GroupProgress

__all__ = [
    "GroupCreate",
    "GroupEdit",
    "GroupPublic",
    "GroupsPublic",
    "LinkPublic",
    "MemberPublic",
    "ProgressPublic",
    "RecommendationCreate",
    "RecommendationDecision",
    "RecommendationPublic",
    "RecommendationsPublic",
    "SharingRequest",
]

# Bounds of the request only: the service says which item is bad, naming it.
_ITEMS = MAX_GROUP_ITEMS * 2


_Iri = Annotated[str, Field(max_length=MAX_IRI)]
_TargetText = Annotated[str, Field(max_length=MAX_TARGET)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LinkPublic(Public):
    """A mentor (a user name or IRI) linked to a learner (IRI) of the group."""

    mentor: str = Field(max_length=MAX_IRI)
    learner: str = Field(max_length=MAX_IRI)


class GroupEdit(_Request):
    """What a group is: its name, kind, mentors (user names), learners, links, targets."""

    name: str = Field(max_length=MAX_NAME)
    kind: str = Field(
        default="cohort", max_length=MAX_NAME, description="cohort, apprenticeship, programme"
    )
    mentors: list[_Iri] = Field(default_factory=list, max_length=_ITEMS)
    learners: list[_Iri] = Field(default_factory=list, max_length=_ITEMS)
    links: list[LinkPublic] = Field(default_factory=list, max_length=_ITEMS)
    targets: list[_TargetText] = Field(
        default_factory=list, max_length=_ITEMS, description="occupation:IRI or credential:IRI"
    )

    def spec(self) -> GroupSpec:
        """The service's form."""
        return GroupSpec(
            name=self.name,
            kind=self.kind,
            mentors=self.mentors,
            learners=self.learners,
            links=[(k.mentor, k.learner) for k in self.links],
            targets=self.targets,
        )


class GroupCreate(GroupEdit):
    """A new group: its id (the last part of its IRI) and what it is."""

    id: str = Field(max_length=MAX_NAME, description="a-z, 0-9 and '-'")


class MemberPublic(Public):
    """A learner of the group and whether they share their progress with it."""

    learner: str
    shares_progress: bool


class GroupPublic(Public):
    """A group as its leader and mentors see it."""

    id: str
    name: str
    kind: str
    created_at: str
    created_by: str
    mentors: list[str]
    members: list[MemberPublic]
    links: list[LinkPublic]
    targets: list[str]

    @classmethod
    def from_domain(cls, g: Group) -> GroupPublic:
        """The group's public form."""
        return cls(
            id=g.id,
            name=g.name,
            kind=g.kind.value,
            created_at=g.created_at,
            created_by=g.created_by,
            mentors=list(g.mentors),
            members=[
                MemberPublic(learner=m.learner, shares_progress=m.shares_progress)
                for m in g.members
            ],
            links=[LinkPublic(mentor=k.mentor, learner=k.learner) for k in g.links],
            targets=list(g.targets),
        )


class GroupsPublic(Public):
    """The groups the caller leads, mentors in or learns in."""

    groups: list[GroupPublic]


class SharingRequest(_Request):
    """A learner's own say: whether the group counts them in its progress."""

    learner: str = Field(max_length=MAX_IRI)
    shares_progress: bool


class CoveragePoint(Public):
    """A target's coverage at a date (percent of required skills met, averaged)."""

    date: dt.date
    percent: float


class TargetCoveragePublic(Public):
    """A group target and its coverage over time."""

    target: str
    label: str
    required: int
    points: list[CoveragePoint]


class GapPublic(Public):
    """A required skill and how many counted learners miss it."""

    skill: str
    label: str
    missing: int


class TakenPublic(Public):
    """A credential and how many counted learners took it."""

    credential: str
    title: str
    learners: int


class ProgressPublic(Public):
    """The group's progress over the learners who share it (no learner is named)."""

    group: str
    name: str
    members: int
    counted: int
    targets: list[TargetCoveragePublic]
    gaps: list[GapPublic]
    credentials: list[TakenPublic]

    @classmethod
    def from_domain(cls, p: GroupProgress) -> ProgressPublic:
        """The progress's public form."""
        return cls(
            group=p.group,
            name=p.name,
            members=p.members,
            counted=p.counted,
            targets=[
                TargetCoveragePublic(
                    target=t.target,
                    label=t.label,
                    required=t.required,
                    points=[CoveragePoint(date=d, percent=v) for d, v in t.points],
                )
                for t in p.targets
            ],
            gaps=[GapPublic(skill=g.skill, label=g.label, missing=g.missing) for g in p.gaps],
            credentials=[
                TakenPublic(credential=c.credential, title=c.title, learners=c.learners)
                for c in p.credentials
            ],
        )


class RecommendationCreate(_Request):
    """A mentor's recommendation: a target, a pathway (credentials in order) or a step note."""

    learner: str = Field(max_length=MAX_IRI)
    kind: str = Field(max_length=MAX_NAME, description="target, pathway or step")
    reason: str = Field(max_length=MAX_TEXT * 10)
    target: str | None = Field(default=None, max_length=MAX_TARGET)
    steps: list[_Iri] = Field(default_factory=list, max_length=100)
    step: str | None = Field(default=None, max_length=MAX_IRI)
    before: str | None = Field(default=None, max_length=MAX_IRI)
    note: str | None = Field(default=None, max_length=MAX_TEXT * 10)


class RecommendationPublic(Public):
    """A recommendation, who made it, why, and the learner's decision."""

    id: str
    group: str
    learner: str
    mentor: str
    kind: str
    reason: str
    created_at: str
    target: str | None
    steps: list[str]
    step: str | None
    before: str | None
    note: str | None
    status: str
    decided_at: str | None

    @classmethod
    def from_domain(cls, r: Recommendation) -> RecommendationPublic:
        """The recommendation's public form."""
        return cls(
            id=r.id,
            group=r.group,
            learner=r.learner,
            mentor=r.mentor,
            kind=r.kind.value,
            reason=r.reason,
            created_at=r.created_at,
            target=r.target,
            steps=list(r.steps),
            step=r.step,
            before=r.before,
            note=r.note,
            status=r.status.value,
            decided_at=r.decided_at,
        )


class RecommendationsPublic(Public):
    """A learner's recommendations, newest first, and their target (an accepted one's)."""

    recommendations: list[RecommendationPublic]
    target: str | None


class RecommendationDecision(_Request):
    """The learner's decision on a recommendation."""

    accept: bool
