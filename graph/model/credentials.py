"""Issuers and credentials: the model.

A credential is stored as a record (its document) plus edges to the skills it certifies, its
issuer, its prerequisites and the credentials it stacks into, so the algorithms see it in the
graph. Readers of other formats (CTDL, Open Badges 3.0, ELM) build these same objects.

Their document form, the project's own JSON/YAML format, is
:mod:`graph.model.credential_documents`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Credential",
    "CredentialSkill",
    "Credits",
    "Issuer",
    "IssuerKey",
    "IssuerType",
    "Money",
    "Prerequisite",
    "QualificationLevel",
    "SkillStatus",
]


class IssuerType(StrEnum):
    """Who awards a credential."""

    INSTITUTION = "institution"
    CONSORTIUM = "consortium"
    REGION = "region"
    INDUSTRY_BODY = "industry_body"


class SkillStatus(StrEnum):
    """The review state of a credential's skill: suggested by a mapper, then decided by a person."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class IssuerKey:
    """A signing key an issuer has registered, so credentials it signs verify as its own.

    ``id`` is a ``did:key`` (the key is in the DID) or a verification method of the
    ``did:web`` of the issuer's domain, which cannot be resolved offline and so carries its
    ``public_key_multibase`` (Multikey, Ed25519).
    """

    id: str
    public_key_multibase: str | None = None


@dataclass(frozen=True, slots=True)
class Issuer:
    """An organisation that awards credentials, with the signing keys it has registered."""

    id: str
    name: str
    type: IssuerType = IssuerType.INSTITUTION
    jurisdiction: str | None = None
    accreditations: tuple[str, ...] = ()
    url: str | None = None
    description: str | None = None
    keys: tuple[IssuerKey, ...] = ()


@dataclass(frozen=True, slots=True)
class QualificationLevel:
    """A level in a framework: ``("EQF", "5")``, ``("ie-nfq", "8")``, or an ELM level IRI."""

    framework: str
    value: str


@dataclass(frozen=True, slots=True)
class Credits:
    """A credit volume: ``(5, "ECTS")``; units are ECTS, credit_hours or notional_hours."""

    value: float
    unit: str = "ECTS"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in an ISO 4217 currency."""

    amount: float
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class CredentialSkill:
    """A skill a credential certifies, with its proficiency level and review state.

    ``decided_by``/``decided_at`` record who confirmed or rejected a suggestion, ``model`` and
    ``score`` which mapper suggested it and how strongly, ``evidence`` why.
    """

    uri: str
    level: int | None = None
    status: SkillStatus = SkillStatus.CONFIRMED
    score: float | None = None
    model: str | None = None
    evidence: str | None = None
    decided_by: str | None = None
    decided_at: str | None = None


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """A credential held, or a skill at a level, required before starting."""

    credential: str | None = None
    skill: str | None = None
    level: int | None = None


@dataclass(frozen=True, slots=True)
class Credential:
    """A credential (micro-credential, course, certification, degree) as an issuer describes it.

    ``jurisdiction`` is where it is awarded; ``recognized_in`` where it is recognised;
    ``levels`` its qualification levels (EQF and/or national); ``hours`` the notional learning
    hours; ``level_scale`` the proficiency scale of its skills' levels (default 1-8, EQF-like).
    """

    id: str
    title: str
    issuer: str
    type: str = "MicroCredential"
    description: str | None = None
    language: str | None = None
    jurisdiction: str | None = None
    recognized_in: tuple[str, ...] = ()
    levels: tuple[QualificationLevel, ...] = ()
    credits: Credits | None = None
    hours: float | None = None
    duration: str | None = None
    cost: Money | None = None
    field_of_study: str | None = None
    industry: str | None = None
    assessment: str | None = None
    delivery: str | None = None
    learning_outcomes: tuple[str, ...] = ()
    skills: tuple[CredentialSkill, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()
    stacks_into: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    url: str | None = None
    level_scale: str = "1-8"
    source_format: str = "credwalk"
    extra: tuple[tuple[str, str], ...] = field(default=())

    def eqf_level(self) -> int | None:
        """The EQF level stated directly (national levels are resolved by the services)."""
        for level in self.levels:
            if level.framework.upper() == "EQF" and level.value.isdigit():
                return int(level.value)
        return None

    @property
    def confirmed_skills(self) -> tuple[CredentialSkill, ...]:
        """The skills the issuer stands behind (suggestions and rejections excluded)."""
        return tuple(s for s in self.skills if s.status is SkillStatus.CONFIRMED)
