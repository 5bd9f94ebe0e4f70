"""Schemas of learners, assessment results and gap analyses.

Requests follow the project's own learner format (``ontologies/schemas/learner.schema.json``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import MAX_IRI, MAX_TEXT, Public
from graph.algorithms.gaps import Coverage, SkillGap
from graph.model.learners import (
    AssessmentResult,
    Competence,
    CompetenceSource,
    Learner,
    competence_score,
)
from graph.services.pathways.planning import GapReport

__all__ = [
    "AssessmentIn",
    "AssessmentResultIn",
    "AssessmentsRequest",
    "CompetenceIn",
    "CompetencePublic",
    "ErasurePublic",
    "GapItemPublic",
    "GapsPublic",
    "LearnerAssessmentPublic",
    "LearnerCreate",
    "LearnerPublic",
    "RelatedPublic",
    "TargetPublic",
]

Level = Field(default=None, ge=1, le=8, description="A level on the scale 1-8 (EQF-like)")
Jurisdiction = Field(default=None, max_length=7, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,3})?$")
SkillIri = Field(min_length=1, max_length=MAX_IRI, description="The skill's IRI (ESCO)")
Evidence = Field(default=None, min_length=1, max_length=MAX_TEXT)
Source = Literal["assessment", "credential", "self_declared", "endorsed"]


class CompetenceIn(BaseModel):
    """A competence: a skill at a level, its source, date and evidence."""

    model_config = ConfigDict(extra="forbid")

    skill: str = SkillIri
    level: int | None = Level
    source: Source = "self_declared"
    date: dt.date | None = None
    evidence: str | None = Evidence

    def to_domain(self) -> Competence:
        """The domain competence."""
        return Competence(
            self.skill, self.level, CompetenceSource(self.source), self.date, self.evidence
        )


class _ResultFields(BaseModel):
    """What every assessment result states (the subclasses add, in order, who and evidence)."""

    model_config = ConfigDict(extra="forbid")

    skill: str = SkillIri
    level: int = Field(ge=1, le=8)
    date: dt.date
    passed: bool | None = None
    score: float | None = Field(default=None, ge=0.0, le=1.0)


class AssessmentResultIn(_ResultFields):
    """One result of a multi-level assessment: passed, or a score in [0, 1] (pass mark 0.5).

    Posted by an assessor: the result is recorded as the signed-in user's.
    """

    evidence: str | None = Evidence

    def to_domain(self) -> AssessmentResult:
        """The domain result (its assessor is set by the service: the acting user)."""
        return AssessmentResult(
            self.skill, self.level, self.date, self.passed, self.score, None, self.evidence
        )


class AssessmentIn(_ResultFields):
    """A result as a learner's record holds it: with the assessor who recorded it."""

    assessor: str | None = Field(default=None, min_length=1, max_length=MAX_IRI)
    evidence: str | None = Evidence

    def to_domain(self) -> AssessmentResult:
        """The domain result."""
        return AssessmentResult(
            self.skill,
            self.level,
            self.date,
            self.passed,
            self.score,
            self.assessor,
            self.evidence,
        )


class LearnerCreate(BaseModel):
    """A learner in the project's own format."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=3, max_length=MAX_IRI, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
    jurisdiction: str | None = Jurisdiction
    target_jurisdiction: str | None = Jurisdiction
    competences: list[CompetenceIn] = Field(default_factory=list, max_length=5000)
    credentials: list[Annotated[str, StringConstraints(max_length=MAX_IRI)]] = Field(
        default_factory=list, max_length=1000
    )
    assessments: list[AssessmentIn] = Field(default_factory=list, max_length=10000)

    def to_domain(self) -> Learner:
        """The domain learner (assessed competences are derived from the results)."""
        return Learner(
            id=self.id,
            jurisdiction=self.jurisdiction,
            target_jurisdiction=self.target_jurisdiction,
            competences=tuple(c.to_domain() for c in self.competences),
            credentials=tuple(self.credentials),
            assessments=tuple(a.to_domain() for a in self.assessments),
        ).rederived()


class AssessmentsRequest(BaseModel):
    """Assessment results to add to a learner."""

    model_config = ConfigDict(extra="forbid")

    results: list[AssessmentResultIn] = Field(min_length=1, max_length=10000)


class CompetencePublic(Public):
    """A competence with its score today (the level decayed by the age of its evidence)."""

    skill: str
    level: int | None
    source: str
    date: dt.date | None
    evidence: str | None
    score: float | None = Field(description="Level decayed by age (graph/learners.py); null: any")


class LearnerAssessmentPublic(Public):
    """A stored assessment result (as stored: the bounds are those of a request)."""

    skill: str
    level: int
    date: dt.date
    passed: bool | None
    score: float | None
    assessor: str | None
    evidence: str | None


class LearnerPublic(Public):
    """A stored learner."""

    id: str
    jurisdiction: str | None
    target_jurisdiction: str | None
    competences: list[CompetencePublic]
    credentials: list[str]
    assessments: list[LearnerAssessmentPublic]
    unresolved_credentials: list[str] = Field(
        default_factory=list, description="Credentials held that the store does not hold"
    )

    @classmethod
    def from_domain(
        cls, learner: Learner, *, as_of: dt.date, unresolved: tuple[str, ...] = ()
    ) -> LearnerPublic:
        """Build from a learner, scoring its competences at ``as_of``."""
        return cls(
            id=learner.id,
            jurisdiction=learner.jurisdiction,
            target_jurisdiction=learner.target_jurisdiction,
            competences=[
                CompetencePublic(
                    skill=c.skill,
                    level=c.level,
                    source=c.source.value,
                    date=c.date,
                    evidence=c.evidence,
                    score=competence_score(c, as_of=as_of),
                )
                for c in learner.competences
            ],
            credentials=list(learner.credentials),
            assessments=[
                LearnerAssessmentPublic(
                    skill=a.skill,
                    level=a.level,
                    date=a.date,
                    passed=a.passed,
                    score=a.score,
                    assessor=a.assessor,
                    evidence=a.evidence,
                )
                for a in learner.assessments
            ],
            unresolved_credentials=list(unresolved),
        )


class TargetPublic(Public):
    """A resolved target."""

    kind: str
    ids: list[str]
    label: str


class EvidencePublic(Public):
    """Why a requirement counts as covered."""

    source: str
    score: float | None
    evidence: str | None


class RelatedPublic(Public):
    """Something close that the learner holds, and how it is close."""

    basis: str = Field(description="lower_level, narrower, broader, sibling or similar")
    skill: str
    label: str
    strength: float
    hops: int | None
    score: float | None
    source: str


class GapItemPublic(Public):
    """A requirement and how the learner covers it."""

    skill: str
    label: str
    level: int | None
    required: bool
    weight: float
    evidence: list[EvidencePublic]
    related: list[RelatedPublic]

    @classmethod
    def from_domain(cls, item: SkillGap, labels: dict[str, str]) -> GapItemPublic:
        """Build from a gap item."""
        r = item.requirement
        return cls(
            skill=r.skill,
            label=labels.get(r.skill, r.skill),
            level=r.level,
            required=r.required,
            weight=r.weight,
            evidence=[
                EvidencePublic(source=h.source, score=h.score, evidence=h.evidence)
                for h in item.evidence
            ],
            related=[
                RelatedPublic(
                    basis=x.basis.value,
                    skill=x.held.skill,
                    label=labels.get(x.held.skill, x.held.skill),
                    strength=round(x.strength, 4),
                    hops=x.hops,
                    score=x.held.score,
                    source=x.held.source,
                )
                for x in item.related
            ],
        )


class GapsPublic(Public):
    """What a learner covers of a target, what is partial (and through what), what is missing."""

    learner: str
    target: TargetPublic
    as_of: dt.date
    covered: list[GapItemPublic]
    partial: list[GapItemPublic]
    missing: list[GapItemPublic]

    @classmethod
    def from_domain(cls, report: GapReport) -> GapsPublic:
        """Build from a gap report."""
        labels = dict(report.labels)

        def items(coverage: Coverage) -> list[GapItemPublic]:
            return [GapItemPublic.from_domain(i, labels) for i in report.analysis.of(coverage)]

        spec = report.target
        return cls(
            learner=report.learner,
            target=TargetPublic(
                kind=spec.target.kind.value, ids=list(spec.target.ids), label=spec.label
            ),
            as_of=report.as_of,
            covered=items(Coverage.COVERED),
            partial=items(Coverage.PARTIAL),
            missing=items(Coverage.MISSING),
        )


class ErasurePublic(Public):
    """What an erasure deleted, by part (records, consents, submissions, ...)."""

    learner: str
    deleted: dict[str, int]
