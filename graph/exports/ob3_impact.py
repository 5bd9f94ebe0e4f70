"""The Certificate of Impact as an Open Badges 3.0 ``OpenBadgeCredential`` (unsigned parts).

The shapes (OB 3.0 with the pinned ``context-3.0.3``; nothing left undefined):

- the **achievement** is the claim itself (``id`` ``<certificate>#achievement``), of the
  extension type ``ext:CertificateOfImpact`` (OB 3.0 has no impact type; ``ext:`` is its rule
  for others), named by what was done, with an ``Alignment`` to each skill it shows (ESCO's
  framework and UUID, as in the Proof of Competence) and the issuing rule as criteria;
- the **credential subject** (the member) carries ``activityStartDate``/``activityEndDate``;
- **evidence**: the impact statement (what, for whom — the ``audience`` —, the outcome), then
  each link (its URL as id) and each statement (a ``narrative``);
- **endorsements**: one signed ``EndorsementCredential`` per endorser, whose subject is the
  certificate (:func:`graph.exports.ob3.endorsement_credential`), its comment naming the
  endorser's relation to the work and their statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.exports.ob3 import CONTEXTS, skill_alignment
from graph.model.impact import Endorsement, ImpactClaim

__all__ = ["ACHIEVEMENT_TYPE", "RULE", "certificate_of_impact", "endorsement_comment"]

ACHIEVEMENT_TYPE = "ext:CertificateOfImpact"
RULE = "Issued once every party the member asked to confirm this impact has confirmed it."


def endorsement_comment(endorsement: Endorsement) -> str:
    """What an endorsement says: who, in which relation, and their statement.

    Examples
    --------
    >>> from graph.model.impact import EndorserRelation
    >>> endorsement_comment(Endorsement("urn:u", "Dara", EndorserRelation.CLIENT, "It works.",
    ...                                 "2026-01-01T00:00:00Z"))
    'Dara (client) confirms this impact: It works.'
    """
    who = f"{endorsement.name} ({endorsement.relation.value})"
    return f"{who} confirms this impact: {endorsement.statement}"


def _evidence(claim: ImpactClaim) -> list[dict[str, Any]]:
    period = claim.start + (f" to {claim.end}" if claim.end else " onwards")
    items: list[dict[str, Any]] = [
        {
            "type": ["Evidence"],
            "name": "Impact statement",
            "narrative": f"{claim.title} ({period}), for {claim.beneficiary}. "
            f"Outcome: {claim.outcome}",
            "audience": claim.beneficiary,
        }
    ]
    for item in claim.evidence:
        if item.url:
            items.append({"id": item.url, "type": ["Evidence"], "name": item.name or item.url})
        elif item.text:
            items.append(
                {"type": ["Evidence"], "name": item.name or "Statement", "narrative": item.text}
            )
    return items


def certificate_of_impact(
    claim: ImpactClaim,
    *,
    issuer: Mapping[str, Any],
    endorsements: Sequence[Mapping[str, Any]],
    status_entry: Mapping[str, Any],
    valid_from: str,
) -> dict[str, Any]:
    """Return the unsigned ``OpenBadgeCredential`` of an endorsed claim (its id is the claim's).

    ``issuer`` is the issuing profile (``id`` a DID); ``endorsements`` are signed
    ``EndorsementCredential`` documents.
    """
    subject: dict[str, Any] = {
        "id": claim.claimant,
        "type": ["AchievementSubject"],
        "activityStartDate": claim.start,
        "achievement": {
            "id": f"{claim.id}#achievement",
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": claim.title,
            "description": f"For {claim.beneficiary}: {claim.outcome}",
            "criteria": {"narrative": RULE},
            "alignment": [skill_alignment(s.uri, s.label) for s in claim.skills],
        },
    }
    if claim.end:
        subject["activityEndDate"] = claim.end
    parties = len(claim.endorsements)
    return {
        "@context": list(CONTEXTS),
        "id": claim.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Certificate of Impact: {claim.title}",
        "description": f"{claim.title}, confirmed by {parties} "
        f"part{'ies' if parties != 1 else 'y'}.",
        "issuer": dict(issuer),
        "validFrom": valid_from,
        "awardedDate": valid_from,
        "credentialSubject": subject,
        "evidence": _evidence(claim),
        "endorsement": [dict(e) for e in endorsements],
        "credentialStatus": dict(status_entry),
    }
