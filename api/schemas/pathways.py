"""Schemas of pathway searches and career transitions (the ``pathway --json`` shape).

``{"pathways": [{"steps": [{"credential", "order"}], "cost", "hours", "covers", "missing",
"explanation", "method": "exact"|"heuristic", "bound", ...}]}``; more fields are added.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import MAX_AMOUNT, MAX_IRI, MAX_LANG, MAX_TARGET, Public
from api.schemas.learners import GapsPublic, LearnerCreate
from graph.algorithms.pathways import MAX_OBJECTIVE_WEIGHT, Constraints, Method, Objective
from graph.errors import InvalidInputError
from graph.services.pathways.planning import PathwayPlan, PathwayReport, PathwayRequest
from graph.services.pathways.targets import (
    DEFAULT_OPTIONAL_WEIGHT,
    Target,
    parse_target,
    skills_target,
)
from graph.services.pathways.transitions import TransitionPlan, TransitionsReport

__all__ = [
    "BoundPublic",
    "OffRampPublic",
    "PathwayPublic",
    "PathwaySearch",
    "PathwaysPublic",
    "SkillRef",
    "StepPublic",
    "TargetIn",
    "TransitionPublic",
    "TransitionsPublic",
]


class ObjectiveWeights(BaseModel):
    """Weights of total cost and total hours (each normalised by the candidates' mean)."""

    model_config = ConfigDict(extra="forbid")

    cost: float = Field(default=1.0, ge=0.0, le=MAX_OBJECTIVE_WEIGHT)
    hours: float = Field(default=0.0, ge=0.0, le=MAX_OBJECTIVE_WEIGHT)


class SkillLevelIn(BaseModel):
    """A skill of a skill-set target, at a level."""

    model_config = ConfigDict(extra="forbid")

    uri: str = Field(min_length=1, max_length=MAX_IRI)
    level: int | None = Field(default=None, ge=1, le=8)


class TargetIn(BaseModel):
    """A target as an object: an occupation or credential by id, or skills with levels."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["occupation", "credential", "skills"]
    id: str | None = Field(default=None, min_length=1, max_length=MAX_IRI)
    skills: list[SkillLevelIn] = Field(default_factory=list, max_length=200)

    def to_domain(self) -> Target:
        """The domain target."""
        if self.kind == "skills":
            if not self.skills:
                raise InvalidInputError(
                    "target.skills: name at least one skill", details={"field": "target.skills"}
                )
            return skills_target([(s.uri, s.level) for s in self.skills])
        if self.id is None:
            raise InvalidInputError(
                f"target.id: a {self.kind} target needs an id", details={"field": "target.id"}
            )
        return parse_target(f"{self.kind}:{self.id}")


LearnerIri = Annotated[str, StringConstraints(min_length=1, max_length=MAX_IRI)]
TargetText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TARGET)]


class PathwaySearch(BaseModel):
    """A pathway search: who, to what, within which limits, optimising what."""

    model_config = ConfigDict(extra="forbid")

    learner: LearnerIri | LearnerCreate = Field(
        description="A stored learner's IRI, or a learner (checked, not stored)"
    )
    target: TargetText | TargetIn = Field(
        description="occupation:URI, credential:ID or skills:URI[@LEVEL][,...], or an object"
    )
    jurisdiction: str | None = Field(
        default=None,
        max_length=7,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,3})?$",
        description="Where credentials must be recognised (default: the learner's target)",
    )
    language: str | None = Field(
        default=None, max_length=MAX_LANG, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$"
    )
    objective: Literal["cost", "hours"] | ObjectiveWeights = "cost"
    max_cost: float | None = Field(default=None, ge=0.0, le=MAX_AMOUNT)
    max_hours: float | None = Field(default=None, ge=0.0, le=MAX_AMOUNT)
    max_eqf_level: int | None = Field(default=None, ge=1, le=8)
    alternatives: int = Field(default=3, ge=1, le=20)
    method: Literal["auto", "exact", "heuristic"] = "auto"
    optional_weight: float = Field(default=DEFAULT_OPTIONAL_WEIGHT, ge=0.0, le=10.0)
    allow_partial: bool = False
    currency: str = Field(default="EUR", max_length=3, pattern=r"^[A-Z]{3}$")
    as_of: dt.date | None = Field(default=None, description="Date competence scores are taken at")

    def to_target(self) -> Target:
        """The target of the search."""
        if isinstance(self.target, TargetIn):
            return self.target.to_domain()
        return parse_target(self.target)

    def to_request(self) -> PathwayRequest:
        """The search options."""
        if isinstance(self.objective, ObjectiveWeights):
            objective = Objective(self.objective.cost, self.objective.hours)
        else:
            objective = Objective(1.0, 0.0) if self.objective == "cost" else Objective(0.0, 1.0)
        return PathwayRequest(
            constraints=Constraints(
                max_cost=self.max_cost,
                max_hours=self.max_hours,
                max_eqf_level=self.max_eqf_level,
                jurisdiction=self.jurisdiction,
                language=self.language,
            ),
            objective=objective,
            alternatives=self.alternatives,
            method=Method(self.method),
            optional_weight=self.optional_weight,
            allow_partial=self.allow_partial,
            currency=self.currency,
            as_of=self.as_of,
        )


class SkillRef(Public):
    """A skill with its label."""

    uri: str
    label: str


class StepPublic(Public):
    """One credential of a pathway: its position and what it newly covers."""

    credential: str
    order: int
    stage: int = Field(description="Steps of the same stage can be taken in parallel")
    title: str
    covers: list[str] = Field(description="Missing required skills this step covers first")
    also_covers: list[str] = Field(description="Optional skills this step covers first")
    after: list[str] = Field(description="Earlier steps it needs (prerequisites, parts)")
    cost: float = Field(description="What this step adds (a stack: beyond its parts)")
    hours: float
    explanation: str


class BoundPublic(Public):
    """How far a pathway may be from the optimum (0 gap: proven optimal)."""

    lower: float | None
    gap: float | None
    source: str
    greedy_factor: float | None


class OccupationFitPublic(Public):
    """An occupation and the share of its essential skills held after a step."""

    uri: str
    label: str
    coverage: float
    qualifies: bool


class OffRampPublic(Public):
    """A credential earned on the way, the stacks it completes, the occupations then in reach."""

    credential: str
    awards: list[str] = Field(description="Stackable credentials completed at this step")
    occupations: list[OccupationFitPublic]


class PathwayPublic(Public):
    """A pathway: credentials in order, totals, coverage, method and bound, off-ramps."""

    steps: list[StepPublic]
    cost: float
    hours: float
    covers: list[str]
    missing: list[str] = Field(description="Required skills no available credential covers")
    optional_covered: list[str]
    optional_missing: list[str]
    objective: float
    explanation: str
    method: Literal["exact", "heuristic"]
    bound: BoundPublic
    note: str
    offramps: list[OffRampPublic]

    @classmethod
    def from_domain(cls, plan: PathwayPlan, titles: dict[str, str]) -> PathwayPublic:
        """Build from a pathway plan."""
        p = plan.pathway
        return cls(
            steps=[
                StepPublic(
                    credential=s.credential,
                    order=s.order,
                    stage=s.stage,
                    title=titles.get(s.credential, s.credential),
                    covers=list(s.covers),
                    also_covers=list(s.also_covers),
                    after=list(s.after),
                    cost=s.cost or 0.0,
                    hours=s.hours or 0.0,
                    explanation=line,
                )
                for s, line in zip(p.steps, plan.explanations, strict=True)
            ],
            cost=round(p.cost, 2),
            hours=round(p.hours, 2),
            covers=list(p.covers),
            missing=list(p.missing),
            optional_covered=list(p.optional_covered),
            optional_missing=list(p.optional_missing),
            objective=round(p.objective, 6),
            explanation=plan.summary,
            method="exact" if p.method is Method.EXACT else "heuristic",
            bound=BoundPublic(
                lower=p.bound.lower,
                gap=p.bound.gap,
                source=p.bound.source,
                greedy_factor=p.bound.greedy_factor,
            ),
            note=p.note,
            offramps=[
                OffRampPublic(
                    credential=o.credential,
                    awards=list(o.awards),
                    occupations=[
                        OccupationFitPublic(
                            uri=f.uri, label=f.label, coverage=f.coverage, qualifies=f.qualifies
                        )
                        for f in o.occupations
                    ],
                )
                for o in plan.offramps
            ],
        )


class PathwaysPublic(Public):
    """The pathways of a learner to a target, best first, and the gap they close."""

    learner: str
    target: str
    jurisdiction: str | None
    currency: str
    candidates: int = Field(description="Credentials considered")
    notes: list[str] = Field(default_factory=list)
    gap: GapsPublic
    pathways: list[PathwayPublic]

    @classmethod
    def from_domain(cls, report: PathwayReport) -> PathwaysPublic:
        """Build from a pathway report."""
        titles = dict(report.titles)
        return cls(
            learner=report.gap.learner,
            target=str(report.gap.target.target),
            jurisdiction=report.jurisdiction,
            currency=report.currency,
            candidates=report.candidates,
            notes=list(report.notes),
            gap=GapsPublic.from_domain(report.gap),
            pathways=[PathwayPublic.from_domain(p, titles) for p in report.plans],
        )


class PartialSkillPublic(Public):
    """A destination skill the origin lacks, with the closest skill it has."""

    uri: str
    label: str
    closest: str
    closest_label: str
    similarity: float


class TransitionPublic(Public):
    """A reachable occupation: scores, matched/partial/missing skills, the closing pathway."""

    occupation: str
    label: str
    score: float
    essential_score: float
    all_score: float
    matched: list[SkillRef]
    partial: list[PartialSkillPublic]
    missing: list[SkillRef]
    missing_essential: list[str]
    pathway: PathwayPublic | None
    uncovered_skills: list[str] = Field(
        default_factory=list, description="Skills no available credential covers"
    )
    no_pathway: str | None = None

    @classmethod
    def from_domain(cls, plan: TransitionPlan, labels: dict[str, str]) -> TransitionPublic:
        """Build from a transition plan."""
        t = plan.transition

        def ref(uri: str) -> SkillRef:
            return SkillRef(uri=uri, label=labels.get(uri, uri))

        report = plan.pathways
        best = report.plans[0] if report and report.plans else None
        return cls(
            occupation=t.occupation,
            label=plan.label,
            score=t.score,
            essential_score=t.essential_score,
            all_score=t.all_score,
            matched=[ref(u) for u in t.matched],
            partial=[
                PartialSkillPublic(
                    uri=p.skill,
                    label=labels.get(p.skill, p.skill),
                    closest=p.closest,
                    closest_label=labels.get(p.closest, p.closest),
                    similarity=p.similarity,
                )
                for p in t.partial
            ],
            missing=[ref(u) for u in t.missing],
            missing_essential=list(t.missing_essential),
            pathway=PathwayPublic.from_domain(best, dict(report.titles))
            if best and report
            else None,
            uncovered_skills=list(best.pathway.missing) if best else [],
            no_pathway=plan.no_pathway.message if plan.no_pathway else None,
        )


class TransitionsPublic(Public):
    """The occupations reachable from one, best first."""

    origin: str
    label: str
    candidates: int
    method: str
    transitions: list[TransitionPublic]

    @classmethod
    def from_domain(cls, report: TransitionsReport) -> TransitionsPublic:
        """Build from a transitions report."""
        labels = dict(report.labels)
        return cls(
            origin=report.origin,
            label=report.label,
            candidates=report.candidates,
            method=(
                "NLP-adjusted overlap of essential and of all skills (Nesta, Mapping Career "
                "Causeways, 2020), skill similarity from label embeddings"
                if report.semantic
                else "overlap of essential and of all skills (no embeddings: same skills only)"
            ),
            transitions=[TransitionPublic.from_domain(p, labels) for p in report.plans],
        )
