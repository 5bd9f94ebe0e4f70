"""Issuers and credentials in their document form: the project's own format.

The document form is the project's own JSON/YAML format (``ontologies/schemas/
credential.schema.json``); field names are fixed by DESIGN.md. Documents are built from model
objects and read back from documents already checked against the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.model._documents import drop_empty
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerKey,
    IssuerType,
    Money,
    Prerequisite,
    QualificationLevel,
    SkillStatus,
)

__all__ = [
    "credential_from_document",
    "credential_to_document",
    "issuer_from_document",
    "issuer_to_document",
]


def issuer_to_document(issuer: Issuer) -> dict[str, Any]:
    """Return the issuer in the project's own format."""
    return drop_empty(
        {
            "id": issuer.id,
            "name": issuer.name,
            "type": issuer.type.value,
            "jurisdiction": issuer.jurisdiction,
            "accreditations": list(issuer.accreditations),
            "url": issuer.url,
            "description": issuer.description,
            "keys": [
                drop_empty({"id": k.id, "public_key_multibase": k.public_key_multibase})
                for k in issuer.keys
            ],
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
        keys=tuple(
            IssuerKey(k["id"], k.get("public_key_multibase")) for k in document.get("keys", ())
        ),
    )


def _skill_to_document(skill: CredentialSkill) -> dict[str, Any]:
    return drop_empty(
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
    return drop_empty(
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
                drop_empty({"credential": p.credential, "skill": p.skill, "level": p.level})
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
