"""Schemas of assessment panels, submissions, assessments, proofs and verification."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import MAX_IRI
from api.schemas.common import Public as _Public
from graph.model.proofs import ProofRecord
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    AssessmentPanel,
    Assessor,
    Evidence,
    EvidenceKind,
    IssuingRule,
    LevelPolicy,
    SkillResult,
    SubmissionView,
)
from graph.services.proofs.verification import VerificationReport

__all__ = [
    "AssessmentCreate",
    "AssessmentPublic",
    "AssessorIn",
    "AssessorPublic",
    "CheckPublic",
    "EvidenceIn",
    "OutcomePublic",
    "PanelCreate",
    "PanelPublic",
    "ProofCreate",
    "ProofPublic",
    "RevokeRequest",
    "RuleIn",
    "SkillOutcomePublic",
    "SkillResultIn",
    "SubmissionCreate",
    "SubmissionPublic",
    "SubmissionsPublic",
    "VerificationPublic",
    "VerifyRequest",
]

IRI = Field(min_length=3, max_length=2000, pattern=r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssessorIn(_Request):
    """A party on a credential's assessment panel."""

    id: str = IRI
    name: str = Field(min_length=1, max_length=300)
    role: str = Field(
        min_length=1,
        max_length=100,
        description="institution, industry_body, regional_authority, ...",
    )
    kind: Literal["results", "endorsement"] = "results"
    required: bool = True
    skills: list[Annotated[str, StringConstraints(max_length=MAX_IRI)]] = Field(
        default_factory=list, max_length=500, description="Skills it assesses (empty: all)"
    )

    def to_domain(self) -> Assessor:
        """The panel member."""
        return Assessor(
            id=self.id,
            name=self.name,
            role=self.role,
            kind=AssessmentKind(self.kind),
            required=self.required,
            skills=tuple(self.skills),
        )


class RuleIn(_Request):
    """The issuing rule of a credential."""

    min_passes: int = Field(default=1, ge=1, le=100)
    any_fail_blocks: bool = True
    level_policy: Literal["min", "median", "max"] = "min"

    def to_domain(self) -> IssuingRule:
        """The rule."""
        return IssuingRule(
            min_passes=self.min_passes,
            any_fail_blocks=self.any_fail_blocks,
            level_policy=LevelPolicy(self.level_policy),
        )


class PanelCreate(_Request):
    """Declare (or replace) the assessment panel of a credential."""

    credential: str = IRI
    assessors: list[AssessorIn] = Field(min_length=1, max_length=50)
    rule: RuleIn = Field(default_factory=RuleIn)


class AssessorPublic(_Public):
    """A panel member; on a submission, whether it assessed and passed."""

    id: str
    name: str
    role: str
    kind: str
    required: bool
    skills: list[str]
    assessed: bool | None = None
    passed: bool | None = None

    @classmethod
    def from_domain(
        cls, assessor: Assessor, latest: Assessment | None = None, *, routed: bool = False
    ) -> AssessorPublic:
        """Build from a panel member (and its latest assessment, on a submission)."""
        return cls(
            id=assessor.id,
            name=assessor.name,
            role=assessor.role,
            kind=assessor.kind.value,
            required=assessor.required,
            skills=list(assessor.skills),
            assessed=(latest is not None) if routed else None,
            passed=latest.passed if latest is not None else None,
        )


class PanelPublic(_Public):
    """A credential's assessment panel and its issuing rule, also as a sentence."""

    credential: str
    assessors: list[AssessorPublic]
    rule: dict[str, Any]
    rule_text: str
    declared_by: str | None
    declared_at: str | None

    @classmethod
    def from_domain(cls, panel: AssessmentPanel) -> PanelPublic:
        """Build from a panel."""
        return cls(
            credential=panel.credential,
            assessors=[AssessorPublic.from_domain(a) for a in panel.assessors],
            rule={
                "min_passes": panel.rule.min_passes,
                "any_fail_blocks": panel.rule.any_fail_blocks,
                "level_policy": panel.rule.level_policy.value,
            },
            rule_text=panel.rule.describe(panel),
            declared_by=panel.declared_by,
            declared_at=panel.declared_at,
        )


class EvidenceIn(_Request):
    """A link, a document's SHA-256 (and name), or a text."""

    kind: Literal["link", "document", "text"]
    name: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    sha256: str | None = Field(default=None, max_length=64)
    media_type: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, max_length=20_000)

    def to_domain(self) -> Evidence:
        """The evidence item (checked by the service)."""
        return Evidence(
            kind=EvidenceKind(self.kind),
            name=self.name,
            url=self.url,
            sha256=self.sha256,
            media_type=self.media_type,
            text=self.text,
        )


class SubmissionCreate(_Request):
    """A learner's evidence for a credential."""

    learner: str = IRI
    credential: str = IRI
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=2000)


class SkillResultIn(_Request):
    """An assessor's result for one skill."""

    skill: str = IRI
    passed: bool
    level: int | None = Field(default=None, ge=0, le=100)
    comment: str | None = Field(default=None, max_length=5000)

    def to_domain(self) -> SkillResult:
        """The result."""
        return SkillResult(
            skill=self.skill, passed=self.passed, level=self.level, comment=self.comment
        )


class AssessmentCreate(_Request):
    """Results per skill, or an endorsement, by the signed-in assessor of the panel."""

    results: list[SkillResultIn] = Field(default_factory=list, max_length=500)
    endorsement: str | None = Field(default=None, max_length=5000)
    comment: str | None = Field(default=None, max_length=5000)


class AssessmentPublic(_Public):
    """A recorded assessment."""

    id: str
    assessor: str
    kind: str
    recorded_at: str
    passed: bool
    results: list[dict[str, Any]]
    endorsement: str | None
    comment: str | None

    @classmethod
    def from_domain(cls, assessment: Assessment) -> AssessmentPublic:
        """Build from an assessment."""
        return cls(
            id=assessment.id,
            assessor=assessment.assessor,
            kind=assessment.kind.value,
            recorded_at=assessment.recorded_at,
            passed=assessment.passed,
            results=[
                {"skill": r.skill, "passed": r.passed, "level": r.level, "comment": r.comment}
                for r in assessment.results
            ],
            endorsement=assessment.endorsement,
            comment=assessment.comment,
        )


class SkillOutcomePublic(_Public):
    """A skill after the rule: the level it would be certified at, and by whom."""

    skill: str
    label: str | None
    required_level: int | None
    level: int | None
    passed: bool
    passed_by: list[str]
    failed_by: list[str]


class OutcomePublic(_Public):
    """Whether the issuing rule is met, and what is missing."""

    met: bool
    unmet: list[str]
    pending: list[str] = Field(description="Required assessors who have not assessed yet")
    skills: list[SkillOutcomePublic]


class SubmissionPublic(_Public):
    """A submission as the learner and its assessors see it."""

    id: str = Field(description="Short id (the end of the IRI)")
    uri: str
    learner: str
    credential: str
    status: str = Field(description="submitted, in_assessment, ready, not_passed or issued")
    submitted_at: str
    evidence: list[dict[str, Any]]
    note: str | None
    assessors: list[AssessorPublic]
    assessments: list[AssessmentPublic]
    outcome: OutcomePublic
    rule_text: str
    proof: str | None

    @classmethod
    def from_domain(cls, view: SubmissionView) -> SubmissionPublic:
        """Build from a submission view."""
        s = view.submission
        latest = view.latest
        labels = {t.uri: t.label for t in s.skills}
        return cls(
            id=s.id.rpartition("/")[2],
            uri=s.id,
            learner=s.learner,
            credential=s.credential,
            status=view.status.value,
            submitted_at=s.submitted_at,
            evidence=[
                {k: v for k, v in _evidence_fields(e).items() if v is not None} for e in s.evidence
            ],
            note=s.note,
            assessors=[
                AssessorPublic.from_domain(a, latest.get(a.id), routed=True)
                for a in s.panel.assessors
            ],
            assessments=[AssessmentPublic.from_domain(a) for a in view.assessments],
            outcome=OutcomePublic(
                met=view.outcome.met,
                unmet=list(view.outcome.unmet),
                pending=list(view.outcome.pending),
                skills=[
                    SkillOutcomePublic(
                        skill=o.skill,
                        label=labels.get(o.skill),
                        required_level=o.required_level,
                        level=o.level,
                        passed=o.passed,
                        passed_by=list(o.passed_by),
                        failed_by=list(o.failed_by),
                    )
                    for o in view.outcome.skills
                ],
            ),
            rule_text=s.panel.rule.describe(s.panel),
            proof=s.proof,
        )


def _evidence_fields(evidence: Evidence) -> dict[str, Any]:
    """The fields of an evidence item, by name."""
    return {
        "kind": evidence.kind.value,
        "name": evidence.name,
        "url": evidence.url,
        "sha256": evidence.sha256,
        "media_type": evidence.media_type,
        "text": evidence.text,
    }


class SubmissionsPublic(_Public):
    """Submissions, by IRI."""

    data: list[SubmissionPublic]
    count: int


class ProofCreate(_Request):
    """Issue the Proof of Competence of a submission whose rule is met."""

    submission: str = Field(min_length=1, max_length=2000, description="Short id or IRI")
    valid_until: AwareDatetime | None = None


class RevokeRequest(_Request):
    """Why a proof is revoked."""

    reason: str | None = Field(default=None, max_length=2000)


class ProofPublic(_Public):
    """An issued proof with its signed Open Badges 3.0 credential."""

    id: str = Field(description="Short id (the end of the IRI)")
    uri: str
    submission: str
    learner: str
    credential: str
    issued_at: str
    verification_method: str
    status_list: str
    status_index: int
    revoked: bool
    revoked_at: str | None
    revocation_reason: str | None
    document: dict[str, Any]

    @classmethod
    def from_domain(cls, proof: ProofRecord) -> ProofPublic:
        """Build from a proof record."""
        return cls(
            id=proof.id.rpartition("/")[2],
            uri=proof.id,
            submission=proof.submission,
            learner=proof.learner,
            credential=proof.credential,
            issued_at=proof.issued_at,
            verification_method=proof.verification_method,
            status_list=proof.status_list,
            status_index=proof.status_index,
            revoked=proof.revoked,
            revoked_at=proof.revoked_at,
            revocation_reason=proof.revocation_reason,
            document=dict(proof.document),
        )


class VerifyRequest(_Request):
    """A signed credential to verify, with any status list credentials at hand."""

    document: dict[str, Any]
    status_lists: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    trust: Literal["issuer", "ours", "any"] = Field(
        default="issuer",
        description=(
            "issuer: a key of this service or one the named issuer registered; "
            "ours: only this service's keys; any: any did:key (who holds it is not checked)"
        ),
    )
    bind_issuer: bool = True
    at: AwareDatetime | None = Field(default=None, description="Check validity at this time")


class CheckPublic(_Public):
    """One check of a verification."""

    name: str
    status: str = Field(description="passed, failed, not_run or not_applicable")
    message: str | None


class VerificationPublic(_Public):
    """Which checks passed, and the one that failed."""

    verified: bool
    check: str | None = Field(description="The failed check (signature, revoked, ...)")
    message: str
    checks: list[CheckPublic]
    issuer: str | None
    trust: str = Field(description="Which keys counted as the issuer's (issuer, ours, any)")
    key_owner: str | None = Field(
        description="Whose key signed: the registered issuer, or this service's DID"
    )
    verification_methods: list[str]
    issuer_is_ours: bool
    endorsements: int = Field(description="Embedded endorsements verified")
    warnings: list[str]

    @classmethod
    def from_domain(cls, report: VerificationReport) -> VerificationPublic:
        """Build from a verification report."""
        return cls.model_validate(report.to_json())
