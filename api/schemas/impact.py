"""Certificates of Impact: claims, endorsements, issued certificates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_IRI, MAX_NAME, MAX_TEXT, Public
from graph.model.impact import Endorsement, ImpactClaim, ImpactEvidence
from graph.services.impact.claims import ImpactDraft

__all__ = [
    "EndorsementCreate",
    "EndorsementPublic",
    "ImpactCreate",
    "ImpactEvidenceIn",
    "ImpactPublic",
    "ImpactRevoke",
    "ImpactsPublic",
]

Relation = Literal["employer", "client", "community", "assessor"]
Iri = Annotated[str, Field(max_length=MAX_IRI)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImpactEvidenceIn(_Request):
    """A link or a statement backing the claim."""

    url: str | None = Field(default=None, max_length=MAX_IRI)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    name: str | None = Field(default=None, max_length=MAX_NAME)


class ImpactCreate(_Request):
    """A claim of impact by the signed-in member, for themself."""

    title: str = Field(max_length=MAX_NAME, description="What was done")
    beneficiary: str = Field(max_length=MAX_NAME, description="For whom")
    outcome: str = Field(max_length=MAX_TEXT, description="What it achieved")
    start: str = Field(max_length=10, description="YYYY-MM-DD")
    end: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD")
    skills: list[Iri] = Field(
        default_factory=list, max_length=20, description="ESCO skill IRIs (at least one)"
    )
    endorsers: list[Iri] = Field(
        default_factory=list,
        max_length=20,
        description="Users asked to confirm it (login names or user IRIs; at least one)",
    )
    evidence: list[ImpactEvidenceIn] = Field(default_factory=list, max_length=20)

    def to_domain(self) -> ImpactDraft:
        """The draft the service checks."""
        return ImpactDraft(
            title=self.title,
            beneficiary=self.beneficiary,
            outcome=self.outcome,
            start=self.start,
            end=self.end,
            skills=tuple(self.skills),
            endorsers=tuple(self.endorsers),
            evidence=tuple(ImpactEvidence(e.url, e.text, e.name) for e in self.evidence),
        )


class EndorsementCreate(_Request):
    """The signed-in user's confirmation: their relation to the work and their statement."""

    relation: Relation
    statement: str = Field(max_length=MAX_TEXT)


class ImpactRevoke(_Request):
    """Why a certificate is revoked."""

    reason: str | None = Field(default=None, max_length=2000)


class EndorsementPublic(Public):
    """One party's confirmation."""

    endorser: str
    name: str
    relation: str
    statement: str
    endorsed_at: str

    @classmethod
    def from_domain(cls, e: Endorsement) -> EndorsementPublic:
        """Build from an endorsement."""
        return cls(
            endorser=e.endorser,
            name=e.name,
            relation=e.relation.value,
            statement=e.statement,
            endorsed_at=e.endorsed_at,
        )


class ImpactPublic(Public):
    """A claim, its endorsements, what it awaits, and its certificate once issued."""

    id: str = Field(description="Short id (the end of the IRI)")
    uri: str
    claimant: str
    state: str = Field(description="awaiting_endorsement, endorsed, issued or revoked")
    title: str
    beneficiary: str
    outcome: str
    start: str
    end: str | None
    skills: list[dict[str, str]]
    evidence: list[dict[str, str | None]]
    endorsers: list[str]
    pending: list[str]
    endorsements: list[EndorsementPublic]
    created_at: str
    issued_at: str | None
    revoked_at: str | None
    document: dict[str, Any] | None

    @classmethod
    def from_domain(cls, claim: ImpactClaim) -> ImpactPublic:
        """Build from a claim."""
        cert = claim.certificate
        return cls(
            id=claim.id.rpartition("/")[2],
            uri=claim.id,
            claimant=claim.claimant,
            state=claim.state.value,
            title=claim.title,
            beneficiary=claim.beneficiary,
            outcome=claim.outcome,
            start=claim.start,
            end=claim.end,
            skills=[{"uri": s.uri, "label": s.label} for s in claim.skills],
            evidence=[{"url": e.url, "text": e.text, "name": e.name} for e in claim.evidence],
            endorsers=list(claim.endorsers),
            pending=list(claim.pending),
            endorsements=[EndorsementPublic.from_domain(e) for e in claim.endorsements],
            created_at=claim.created_at,
            issued_at=cert.issued_at if cert else None,
            revoked_at=cert.revoked_at if cert else None,
            document=dict(cert.document) if cert else None,
        )


class ImpactsPublic(Public):
    """A list of claims."""

    data: list[ImpactPublic]
    count: int
