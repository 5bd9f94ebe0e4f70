"""Certificates of Impact: a member's claim of impact, its endorsements, its certificate.

A member claims what their work achieved; the parties they choose endorse it; the signed
certificate is issued once every one of them has confirmed it.

A claim says what was done (``title``), for whom (``beneficiary``), with what ``outcome``, when
(``start``/``end``, ISO dates), with which evidence, and which skills it shows (ESCO skills of the
store). The claimant names the parties who should confirm it (``endorsers``, users); each one
confirms *as themself*, stating their relation to the work and a statement. The claimant may
never endorse their own claim.

**The issuing rule**: a claim may be issued once every endorser the claimant chose has
confirmed it (there is always at least one). Until then it is ``awaiting_endorsement``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "Endorsement",
    "EndorserRelation",
    "ImpactCertificate",
    "ImpactClaim",
    "ImpactEvidence",
    "ImpactSkill",
    "ImpactState",
]


class EndorserRelation(StrEnum):
    """How an endorser knows the work they confirm."""

    EMPLOYER = "employer"
    CLIENT = "client"
    COMMUNITY = "community"
    ASSESSOR = "assessor"


class ImpactState(StrEnum):
    """Where a claim stands."""

    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    ENDORSED = "endorsed"
    ISSUED = "issued"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class ImpactSkill:
    """A skill the impact shows: its IRI and its label when the claim was made."""

    uri: str
    label: str


@dataclass(frozen=True, slots=True)
class ImpactEvidence:
    """A link (``url``) or a statement (``text``) backing the claim."""

    url: str | None = None
    text: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Endorsement:
    """One party's confirmation, recorded under the signed-in user who gave it."""

    endorser: str
    name: str
    relation: EndorserRelation
    statement: str
    endorsed_at: str


@dataclass(frozen=True, slots=True)
class ImpactCertificate:
    """The signed credential of an issued claim and its revocation status."""

    document: Mapping[str, Any]
    issued_at: str
    verification_method: str
    status_list: str
    status_index: int
    revoked: bool = False
    revoked_at: str | None = None
    revocation_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ImpactClaim:
    """A claim of impact by ``claimant`` (a learner IRI, or the user's IRI), made by ``author``."""

    id: str
    claimant: str
    author: str
    title: str
    beneficiary: str
    outcome: str
    start: str
    end: str | None
    skills: tuple[ImpactSkill, ...]
    evidence: tuple[ImpactEvidence, ...]
    endorsers: tuple[str, ...]
    created_at: str
    endorsements: tuple[Endorsement, ...] = ()
    certificate: ImpactCertificate | None = None

    @property
    def pending(self) -> tuple[str, ...]:
        """The chosen endorsers who have not confirmed yet."""
        done = {e.endorser for e in self.endorsements}
        return tuple(e for e in self.endorsers if e not in done)

    @property
    def state(self) -> ImpactState:
        """Awaiting endorsement, endorsed (issuable), issued or revoked."""
        if self.certificate is not None:
            return ImpactState.REVOKED if self.certificate.revoked else ImpactState.ISSUED
        return ImpactState.AWAITING_ENDORSEMENT if self.pending else ImpactState.ENDORSED
