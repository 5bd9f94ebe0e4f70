"""Schemas of explained equivalence, equivalents, comparison, recognition and crosswalks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import MAX_AMOUNT, MAX_IRI, MAX_NAME, MAX_TEXT
from api.schemas.common import Public as _Public
from graph.model.credentials import Credits, Money
from graph.services.crosswalk.ranking import Crosswalk
from graph.services.equivalence.comparison import Comparison
from graph.services.equivalence.equivalents import EquivalentsResult
from graph.services.equivalence.explain import (
    CredentialSummary,
    Equivalence,
    MatchedSkills,
    RecognitionNote,
    SkillRef,
)
from graph.services.equivalence.recognition import (
    RecognitionDecision,
    RecognitionOutcome,
    decision_to_document,
)

__all__ = [
    "ComparisonPublic",
    "CredentialSummaryPublic",
    "CrosswalkPublic",
    "EquivalencePublic",
    "EquivalenceRequest",
    "EquivalentsPublic",
    "RecognitionCreate",
    "RecognitionPublic",
    "RecognitionsPublic",
]


class CreditsModel(_Public):
    """A credit volume."""

    value: float
    unit: str

    @classmethod
    def of(cls, credits: Credits | None) -> CreditsModel | None:
        """Build from domain credits (None stays None)."""
        return None if credits is None else cls(value=credits.value, unit=credits.unit)


class CreditsIn(BaseModel):
    """A credit volume, as a request gives it."""

    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=0.0, le=MAX_AMOUNT)
    unit: str = Field(min_length=1, max_length=MAX_NAME)


class MoneyModel(_Public):
    """An amount in a currency."""

    amount: float
    currency: str

    @classmethod
    def of(cls, money: Money | None) -> MoneyModel | None:
        """Build from a domain amount (None stays None)."""
        return None if money is None else cls(amount=money.amount, currency=money.currency)


class SkillRefPublic(_Public):
    """A skill with its label and the level a credential certifies it at."""

    uri: str
    label: str
    level: int | None = None

    @classmethod
    def from_domain(cls, skill: SkillRef) -> SkillRefPublic:
        """Build from a domain skill reference."""
        return cls(uri=skill.uri, label=skill.label, level=skill.level)


class MatchedSkillsPublic(_Public):
    """A skill of A matched to a skill of B; ``kind`` says how A's skill relates to B's."""

    a: SkillRefPublic
    b: SkillRefPublic
    kind: Literal["exact", "narrower", "broader", "close"]
    similarity: float = Field(ge=0.0, le=1.0)

    @classmethod
    def from_domain(cls, pair: MatchedSkills) -> MatchedSkillsPublic:
        """Build from a domain pair."""
        return cls(
            a=SkillRefPublic.from_domain(pair.a),
            b=SkillRefPublic.from_domain(pair.b),
            kind=pair.kind.value,
            similarity=pair.similarity,
        )


class CredentialSummaryPublic(_Public):
    """What an advisor sees of a credential beside its skills."""

    id: str
    title: str
    type: str
    issuer: str
    issuer_name: str | None
    issuer_type: str | None
    jurisdiction: str | None
    recognized_in: list[str]
    level: str | None = Field(description="The national (or EQF) level, e.g. 'IE NFQ 8'")
    eqf_level: int | None
    credits: CreditsModel | None
    hours: float | None = Field(description="Learning hours, stated or from the credits")
    cost: MoneyModel | None
    industry: str | None
    field_of_study: str | None
    language: str | None
    skills: int

    @classmethod
    def from_domain(cls, c: CredentialSummary) -> CredentialSummaryPublic:
        """Build from a domain summary."""
        return cls(
            id=c.id,
            title=c.title,
            type=c.type,
            issuer=c.issuer,
            issuer_name=c.issuer_name,
            issuer_type=c.issuer_type,
            jurisdiction=c.jurisdiction,
            recognized_in=list(c.recognized_in),
            level=c.level,
            eqf_level=c.eqf_level,
            credits=CreditsModel.of(c.credits),
            hours=c.hours,
            cost=MoneyModel.of(c.cost),
            industry=c.industry,
            field_of_study=c.field_of_study,
            language=c.language,
            skills=c.skills,
        )


class RecognitionCreate(BaseModel):
    """A recognition decision to record."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None, max_length=MAX_IRI, description="Omit to derive one from the content"
    )
    authority: str = Field(
        min_length=1, max_length=MAX_IRI, description="The recognising authority's IRI"
    )
    authority_name: str | None = Field(default=None, max_length=MAX_NAME)
    credential: str = Field(
        min_length=1, max_length=MAX_IRI, description="The recognised credential"
    )
    outcome: Literal["full", "partial", "conditional"]
    to_jurisdiction: str = Field(
        min_length=1, max_length=MAX_NAME, description="Where it is recognised"
    )
    from_jurisdiction: str | None = Field(
        default=None,
        max_length=MAX_NAME,
        description="Where it was awarded (default: the credential's)",
    )
    target: str | None = Field(
        default=None, max_length=MAX_IRI, description="A credential it is recognised toward"
    )
    credits: CreditsIn | None = None
    conditions: list[Annotated[str, StringConstraints(max_length=MAX_TEXT)]] = Field(
        default_factory=list, max_length=100
    )
    valid_from: date | None = None
    valid_until: date | None = None
    decided_at: datetime | None = None
    source: str | None = Field(
        default=None, max_length=MAX_IRI, description="Link to the published decision"
    )
    note: str | None = Field(default=None, max_length=MAX_TEXT)
    supersedes: str | None = Field(
        default=None, max_length=MAX_IRI, description="The decision this one replaces"
    )

    def to_domain(self) -> RecognitionDecision:
        """The decision to check and record."""
        return RecognitionDecision(
            id=self.id or "",
            authority=self.authority,
            authority_name=self.authority_name,
            credential=self.credential,
            outcome=RecognitionOutcome(self.outcome),
            to_jurisdiction=self.to_jurisdiction,
            from_jurisdiction=self.from_jurisdiction,
            target=self.target,
            credits=(
                None if self.credits is None else Credits(self.credits.value, self.credits.unit)
            ),
            conditions=tuple(self.conditions),
            valid_from=None if self.valid_from is None else self.valid_from.isoformat(),
            valid_until=None if self.valid_until is None else self.valid_until.isoformat(),
            decided_by="",  # the signed-in user, set by the service
            decided_at="" if self.decided_at is None else self.decided_at.isoformat(),
            source=self.source,
            note=self.note,
            supersedes=self.supersedes,
        )


class RecognitionPublic(_Public):
    """A recorded recognition decision (declared, never recomputed)."""

    id: str
    authority: str
    authority_name: str | None = None
    credential: str
    outcome: str
    from_jurisdiction: str | None = None
    to_jurisdiction: str
    target: str | None = None
    credits: CreditsModel | None = None
    conditions: list[str] = Field(default_factory=list)
    valid_from: str | None = None
    valid_until: str | None = None
    decided_by: str
    decided_at: str
    source: str | None = None
    note: str | None = None
    supersedes: str | None = None
    status: str | None = Field(default=None, description="current, expired, future, superseded")
    explanation: str | None = None

    @classmethod
    def from_domain(
        cls, decision: RecognitionDecision, *, note: RecognitionNote | None = None
    ) -> RecognitionPublic:
        """Build from a domain decision (and its status in an equivalence)."""
        document: dict[str, Any] = decision_to_document(decision)
        if note is not None:
            document |= {"status": note.status, "explanation": note.explanation}
        return cls.model_validate(document)


class RecognitionsPublic(_Public):
    """Recognition decisions."""

    data: list[RecognitionPublic]
    count: int


class ThresholdsPublic(_Public):
    """The verdict thresholds."""

    equivalent: float
    partial: float


class LevelPublic(_Public):
    """The two qualification levels compared through the EQF (difference: A minus B)."""

    a: str | None
    b: str | None
    a_eqf: int | None
    b_eqf: int | None
    difference: int | None
    factor: float
    confidence: str | None
    explanation: str


class VolumePublic(_Public):
    """The two learning volumes in hours and their ratio (A over B)."""

    a_hours: float | None
    b_hours: float | None
    a_basis: str | None
    b_basis: str | None
    ratio: float | None
    explanation: str


class EquivalencePublic(_Public):
    """The explained equivalence of credential A with credential B."""

    a: CredentialSummaryPublic
    b: CredentialSummaryPublic
    score: float = Field(ge=0.0, le=1.0)
    skill_score: float = Field(ge=0.0, le=1.0)
    verdict: Literal["equivalent", "partially_equivalent", "not_equivalent"] = Field(
        description="The computed verdict, raised by a current decision toward the other credential"
    )
    computed_verdict: Literal["equivalent", "partially_equivalent", "not_equivalent"] = Field(
        description="The verdict of the score alone"
    )
    declared_by: str | None = Field(
        default=None, description="The decision that raised the verdict above the computed one"
    )
    thresholds: ThresholdsPublic
    a_covers_b: float = Field(ge=0.0, le=1.0, description="Share of B's skills A covers")
    b_covers_a: float = Field(ge=0.0, le=1.0, description="Share of A's skills B covers")
    matched: list[MatchedSkillsPublic]
    missing_in_a: list[SkillRefPublic]
    missing_in_b: list[SkillRefPublic]
    level: LevelPublic
    credits: VolumePublic
    recognitions: list[RecognitionPublic]
    explanation: list[str]

    @classmethod
    def from_domain(cls, e: Equivalence) -> EquivalencePublic:
        """Build from a domain equivalence."""
        lv, cr = e.level, e.credits
        return cls(
            a=CredentialSummaryPublic.from_domain(e.a),
            b=CredentialSummaryPublic.from_domain(e.b),
            score=e.score,
            skill_score=e.skill_score,
            verdict=e.verdict.value,
            computed_verdict=e.computed_verdict.value,
            declared_by=None if e.declared is None else e.declared.id,
            thresholds=ThresholdsPublic(
                equivalent=e.thresholds.equivalent, partial=e.thresholds.partial
            ),
            a_covers_b=e.a_covers_b,
            b_covers_a=e.b_covers_a,
            matched=[MatchedSkillsPublic.from_domain(m) for m in e.matched],
            missing_in_a=[SkillRefPublic.from_domain(s) for s in e.missing_in_a],
            missing_in_b=[SkillRefPublic.from_domain(s) for s in e.missing_in_b],
            level=LevelPublic(
                a=lv.a,
                b=lv.b,
                a_eqf=lv.a_eqf,
                b_eqf=lv.b_eqf,
                difference=lv.difference,
                factor=lv.factor,
                confidence=lv.confidence,
                explanation=lv.explanation,
            ),
            credits=VolumePublic(
                a_hours=cr.a_hours,
                b_hours=cr.b_hours,
                a_basis=cr.a_basis,
                b_basis=cr.b_basis,
                ratio=cr.ratio,
                explanation=cr.explanation,
            ),
            recognitions=[
                RecognitionPublic.from_domain(n.decision, note=n) for n in e.recognitions
            ],
            explanation=list(e.explanation),
        )


class EquivalenceRequest(BaseModel):
    """Two credentials to compare."""

    model_config = ConfigDict(extra="forbid")

    a: str = Field(min_length=1, max_length=MAX_IRI, description="Credential IRI")
    b: str = Field(min_length=1, max_length=MAX_IRI, description="Credential IRI")


class EquivalentsPublic(_Public):
    """The equivalents of one credential, best first."""

    credential: CredentialSummaryPublic
    jurisdiction: str | None
    industry: str | None
    issuer_type: str | None
    candidates: int = Field(
        description="Credentials sharing a skill (or a neighbour) that passed the filters"
    )
    results: list[EquivalencePublic]

    @classmethod
    def from_domain(cls, r: EquivalentsResult) -> EquivalentsPublic:
        """Build from a domain result."""
        return cls(
            credential=CredentialSummaryPublic.from_domain(r.credential),
            jurisdiction=r.jurisdiction,
            industry=r.industry,
            issuer_type=r.issuer_type,
            candidates=r.candidates,
            results=[EquivalencePublic.from_domain(e) for e in r.results],
        )


class SkillRowPublic(_Public):
    """One skill across the compared credentials (status per credential, in order)."""

    skill: SkillRefPublic
    status: list[Literal["full", "partial", "missing"]]
    levels: list[int | None]
    via: list[str | None]


class PairScorePublic(_Public):
    """The equivalence of two compared credentials."""

    a: str
    b: str
    score: float
    verdict: str


class ComparisonPublic(_Public):
    """Two to four credentials side by side."""

    credentials: list[CredentialSummaryPublic]
    skills: list[SkillRowPublic]
    shared: list[SkillRefPublic]
    partial: list[SkillRefPublic]
    missing: list[SkillRefPublic]
    levels: list[str]
    pairs: list[PairScorePublic]
    recognitions: list[RecognitionPublic]

    @classmethod
    def from_domain(cls, c: Comparison) -> ComparisonPublic:
        """Build from a domain comparison."""
        return cls(
            credentials=[CredentialSummaryPublic.from_domain(s) for s in c.credentials],
            skills=[
                SkillRowPublic(
                    skill=SkillRefPublic.from_domain(r.skill),
                    status=list(r.status),  # type: ignore[arg-type]
                    levels=list(r.levels),
                    via=list(r.via),
                )
                for r in c.skills
            ],
            shared=[SkillRefPublic.from_domain(s) for s in c.shared],
            partial=[SkillRefPublic.from_domain(s) for s in c.partial],
            missing=[SkillRefPublic.from_domain(s) for s in c.missing],
            levels=list(c.levels),
            pairs=[
                PairScorePublic(a=p.a, b=p.b, score=p.score, verdict=p.verdict.value)
                for p in c.pairs
            ],
            recognitions=[RecognitionPublic.from_domain(d) for d in c.recognitions],
        )


class CrosswalkMatchPublic(_Public):
    """A ranked occupation of the target framework."""

    uri: str
    code: str | None
    label: str
    score: float = Field(ge=0.0, le=1.0)
    isco_group: str | None = None
    signals: dict[str, float | None]
    explanation: str


class CrosswalkEntryPublic(_Public):
    """One source occupation and its ranked matches."""

    source: str
    code: str | None
    label: str
    matches: list[CrosswalkMatchPublic]


class CrosswalkPublic(_Public):
    """A crosswalk (the JSON shape of ``credwalk crosswalk --json``, DESIGN.md)."""

    # "from" is a Python keyword: the field is from_, written and read as "from"
    model_config = ConfigDict(frozen=True, validate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    model: str
    seconds: float
    results: list[CrosswalkEntryPublic]

    @classmethod
    def from_domain(cls, c: Crosswalk) -> CrosswalkPublic:
        """Build from a domain crosswalk."""
        results = [
            CrosswalkEntryPublic(
                source=e.source,
                code=e.code,
                label=e.label,
                matches=[
                    CrosswalkMatchPublic(
                        uri=m.uri,
                        code=m.code,
                        label=m.label,
                        score=m.score,
                        isco_group=m.isco_group,
                        signals=m.signals,
                        explanation=m.explanation,
                    )
                    for m in e.matches
                ],
            )
            for e in c.results
        ]
        return cls.model_validate(
            {
                "from": c.source_framework,
                "to": c.target_framework,
                "model": c.model,
                "seconds": c.seconds,
                "results": results,
            }
        )
