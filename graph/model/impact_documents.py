"""The stored (JSON) form of Certificates of Impact, and back."""

from __future__ import annotations

from typing import Any

from graph.model.impact import (
    Endorsement,
    EndorserRelation,
    ImpactCertificate,
    ImpactClaim,
    ImpactEvidence,
    ImpactSkill,
)

__all__ = ["claim_from_document", "claim_to_document"]


def _certificate(found: ImpactCertificate | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "document": dict(found.document),
        "issued_at": found.issued_at,
        "verification_method": found.verification_method,
        "status_list": found.status_list,
        "status_index": found.status_index,
        "revoked": found.revoked,
        "revoked_at": found.revoked_at,
        "revocation_reason": found.revocation_reason,
    }


def claim_to_document(claim: ImpactClaim) -> dict[str, Any]:
    """The JSON form of a claim, its endorsements and its certificate."""
    return {
        "id": claim.id,
        "claimant": claim.claimant,
        "author": claim.author,
        "title": claim.title,
        "beneficiary": claim.beneficiary,
        "outcome": claim.outcome,
        "start": claim.start,
        "end": claim.end,
        "skills": [{"uri": s.uri, "label": s.label} for s in claim.skills],
        "evidence": [{"url": e.url, "text": e.text, "name": e.name} for e in claim.evidence],
        "endorsers": list(claim.endorsers),
        "created_at": claim.created_at,
        "endorsements": [
            {
                "endorser": e.endorser,
                "name": e.name,
                "relation": e.relation.value,
                "statement": e.statement,
                "endorsed_at": e.endorsed_at,
            }
            for e in claim.endorsements
        ],
        "certificate": _certificate(claim.certificate),
    }


def claim_from_document(doc: dict[str, Any]) -> ImpactClaim:
    """Read back what :func:`claim_to_document` wrote."""
    cert = doc.get("certificate")
    return ImpactClaim(
        id=doc["id"],
        claimant=doc["claimant"],
        author=doc["author"],
        title=doc["title"],
        beneficiary=doc["beneficiary"],
        outcome=doc["outcome"],
        start=doc["start"],
        end=doc.get("end"),
        skills=tuple(ImpactSkill(s["uri"], s["label"]) for s in doc.get("skills", [])),
        evidence=tuple(
            ImpactEvidence(e.get("url"), e.get("text"), e.get("name"))
            for e in doc.get("evidence", [])
        ),
        endorsers=tuple(doc.get("endorsers", [])),
        created_at=doc["created_at"],
        endorsements=tuple(
            Endorsement(
                e["endorser"],
                e["name"],
                EndorserRelation(e["relation"]),
                e["statement"],
                e["endorsed_at"],
            )
            for e in doc.get("endorsements", [])
        ),
        certificate=None
        if cert is None
        else ImpactCertificate(
            document=cert["document"],
            issued_at=cert["issued_at"],
            verification_method=cert["verification_method"],
            status_list=cert["status_list"],
            status_index=int(cert["status_index"]),
            revoked=bool(cert.get("revoked", False)),
            revoked_at=cert.get("revoked_at"),
            revocation_reason=cert.get("revocation_reason"),
        ),
    )
