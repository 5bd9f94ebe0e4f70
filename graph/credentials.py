"""Issuers and credentials: the model, and its document form (the project's own format).

A credential is stored as a record (its document) plus edges to the skills it certifies, its
issuer, its prerequisites and the credentials it stacks into, so the algorithms see it in the
graph. Readers of other formats (CTDL, Open Badges 3.0, ELM) build these same objects.

The document form is the project's own JSON/YAML format (``ontologies/schemas/
credential.schema.json``); field names are fixed by DESIGN.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Credential",
    "CredentialSkill",
    "Credits",
    "Issuer",
    "IssuerType",
    "Money",
    "Prerequisite",
    "QualificationLevel",
    "SkillStatus",
    "credential_from_document",
    "credential_to_document",
    "issuer_from_document",
    "issuer_to_document",
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
class Issuer:
    """An organisation that awards credentials."""

    id: str
    name: str
    type: IssuerType = IssuerType.INSTITUTION
    jurisdiction: str | None = None
    accreditations: tuple[str, ...] = ()
    url: str | None = None
    description: str | None = None


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


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if v not in (None, (), [], {})}


def issuer_to_document(issuer: Issuer) -> dict[str, Any]:
    """Return the issuer in the project's own format."""
    return _drop_empty(
        {
            "id": issuer.id,
            "name": issuer.name,
            "type": issuer.type.value,
            "jurisdiction": issuer.jurisdiction,
            "accreditations": list(issuer.accreditations),
            "url": issuer.url,
            "description": issuer.description,
        }
    )


def issuer_from_document(document: Mapping[str, Any]) -> Issuer:
    """Build an issuer from a document already checked against the schema."""
    return Issuer(
        id=document["id"],
        name=document["name"],
        type=IssuerType(document.get("type", "institution")),
        jurisdiction=document.get("jurisdiction"),
        accreditations=tuple(document.get("accreditations", ())),
        url=document.get("url"),
        description=document.get("description"),
    )


def _skill_to_document(skill: CredentialSkill) -> dict[str, Any]:
    return _drop_empty(
        {
            "uri": skill.uri,
            "level": skill.level,
            "status": skill.status.value,
            "score": skill.score,
            "model": skill.model,
            "evidence": skill.evidence,
            "decided_by": skill.decided_by,
            "decided_at": skill.decided_at,
        }
    )


def credential_to_document(credential: Credential) -> dict[str, Any]:
    """Return the credential in the project's own format (the issuer by its id)."""
    c = credential
    return _drop_empty(
        {
            "id": c.id,
            "type": c.type,
            "title": c.title,
            "description": c.description,
            "language": c.language,
            "issuer": c.issuer,
            "jurisdiction": c.jurisdiction,
            "recognized_in": list(c.recognized_in),
            "level": (
                {"framework": c.levels[0].framework, "value": c.levels[0].value}
                if c.levels
                else None
            ),
            "levels": [{"framework": lv.framework, "value": lv.value} for lv in c.levels[1:]],
            "credits": {"value": c.credits.value, "unit": c.credits.unit} if c.credits else None,
            "hours": c.hours,
            "duration": c.duration,
            "cost": {"amount": c.cost.amount, "currency": c.cost.currency} if c.cost else None,
            "field_of_study": c.field_of_study,
            "industry": c.industry,
            "assessment": c.assessment,
            "delivery": c.delivery,
            "learning_outcomes": list(c.learning_outcomes),
            "skills": [_skill_to_document(s) for s in c.skills],
            "prerequisites": [
                _drop_empty({"credential": p.credential, "skill": p.skill, "level": p.level})
                for p in c.prerequisites
            ],
            "stacks_into": list(c.stacks_into),
            "valid_from": c.valid_from,
            "valid_until": c.valid_until,
            "url": c.url,
            "level_scale": None if c.level_scale == "1-8" else c.level_scale,
            "source_format": None if c.source_format == "credwalk" else c.source_format,
            "extra": dict(c.extra) or None,
        }
    )


def _level(document: Mapping[str, Any]) -> QualificationLevel:
    return QualificationLevel(framework=str(document["framework"]), value=str(document["value"]))


def credential_from_document(document: Mapping[str, Any]) -> Credential:
    """Build a credential from a document already checked against the schema.

    The issuer may be an id or an embedded issuer object (its ``id`` is kept).
    """
    d = document
    issuer = d["issuer"]
    levels = ([_level(d["level"])] if d.get("level") else []) + [
        _level(lv) for lv in d.get("levels", ())
    ]
    credits = d.get("credits")
    cost = d.get("cost")
    return Credential(
        id=d["id"],
        type=d.get("type", "MicroCredential"),
        title=d["title"],
        description=d.get("description"),
        language=d.get("language"),
        issuer=issuer["id"] if isinstance(issuer, Mapping) else issuer,
        jurisdiction=d.get("jurisdiction"),
        recognized_in=tuple(d.get("recognized_in", ())),
        levels=tuple(levels),
        credits=Credits(float(credits["value"]), credits.get("unit", "ECTS")) if credits else None,
        hours=float(d["hours"]) if d.get("hours") is not None else None,
        duration=d.get("duration"),
        cost=Money(float(cost["amount"]), cost.get("currency", "EUR")) if cost else None,
        field_of_study=d.get("field_of_study"),
        industry=d.get("industry"),
        assessment=d.get("assessment"),
        delivery=d.get("delivery"),
        learning_outcomes=tuple(d.get("learning_outcomes", ())),
        skills=tuple(
            CredentialSkill(
                uri=s["uri"],
                level=s.get("level"),
                status=SkillStatus(s.get("status", "confirmed")),
                score=s.get("score"),
                model=s.get("model"),
                evidence=s.get("evidence"),
                decided_by=s.get("decided_by"),
                decided_at=s.get("decided_at"),
            )
            for s in d.get("skills", ())
        ),
        prerequisites=tuple(
            Prerequisite(credential=p.get("credential"), skill=p.get("skill"), level=p.get("level"))
            for p in d.get("prerequisites", ())
        ),
        stacks_into=tuple(d.get("stacks_into", ())),
        valid_from=d.get("valid_from"),
        valid_until=d.get("valid_until"),
        url=d.get("url"),
        level_scale=d.get("level_scale", "1-8"),
        source_format=d.get("source_format", "credwalk"),
        extra=tuple(sorted((str(k), str(v)) for k, v in (d.get("extra") or {}).items())),
    )
