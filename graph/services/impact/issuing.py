"""Issue and revoke Certificates of Impact: signed, revocable OB 3.0 credentials.

Once every endorser the claimant chose has confirmed a claim, the claimant (or an
administrator) issues it: each endorsement becomes an ``EndorsementCredential`` signed with the
key credwalk keeps for that endorser (as for the Proof's assessors), the certificate
(:func:`graph.exports.ob3_impact.certificate_of_impact`) gets a ``BitstringStatusListEntry`` on
the same status lists as the Proofs of Competence and is signed ``eddsa-rdfc-2022`` with the
service's active key. ``credwalk verify`` checks it like a proof. The signing, the keys and the
status lists are those of :mod:`graph.services.proofs.issuing`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from graph.errors import ConflictError
from graph.exports.ob3 import endorsement_credential
from graph.exports.ob3_impact import certificate_of_impact, endorsement_comment
from graph.model.accounts import Actor
from graph.model.impact import ImpactCertificate, ImpactClaim, ImpactState
from graph.model.submissions import Assessor
from graph.proofs._xsd import format_datetime
from graph.proofs.did_key import did_key
from graph.proofs.issuer import ProofIssuer
from graph.proofs.status_list import status_list_entry
from graph.services import policy
from graph.services.impact.claims import claim_record, read_claim
from graph.services.proofs.issuing import (
    allocate_status,
    new_status_list,
    sign_credential,
    signed_status_list,
    status_entry_record,
)
from graph.store import GraphBatch, GraphStore

__all__ = ["issue_certificate", "revoke_certificate"]

logger = logging.getLogger(__name__)


def _endorsements(
    claim: ImpactClaim, *, issuer: ProofIssuer, moment: datetime
) -> list[dict[str, Any]]:
    signed = []
    for endorsement in claim.endorsements:
        key = issuer.assessor_keys(endorsement.endorser).active_key()
        unsigned = endorsement_credential(
            endorsement_id=f"{issuer.base_iri}/endorsement/"
            f"{uuid.uuid5(uuid.NAMESPACE_URL, f'{claim.id} {endorsement.endorser}')}",
            proof_id=claim.id,
            assessor=Assessor(endorsement.endorser, endorsement.name, endorsement.relation.value),
            issuer_id=did_key(key.public_key),
            comment=endorsement_comment(endorsement),
            valid_from=endorsement.endorsed_at,
        )
        signed.append(
            sign_credential(unsigned, key=key, vm=key.verification_method, issuer=issuer, at=moment)
        )
    return signed


def issue_certificate(
    store: GraphStore,
    ref: str,
    *,
    actor: Actor,
    issuer: ProofIssuer,
    now: datetime | None = None,
) -> ImpactClaim:
    """Issue the signed Certificate of Impact of a claim every chosen endorser confirmed.

    Raises
    ------
    NotFoundError
        If there is no such claim.
    UnauthenticatedError, ForbiddenError
        For anyone but its claimant and administrators.
    ConflictError
        If it was issued already, or endorsers it awaits have not confirmed it
        (``details["pending"]`` names them).
    BackendUnavailableError
        If a pinned context is missing from the context cache; nothing is stored.
    """
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    claim, version = read_claim(store, ref, base_iri=issuer.base_iri)
    policy.require_impact_owner(
        actor, claim.claimant, author=claim.author, action="issue this Certificate of Impact"
    )
    if claim.certificate is not None:
        raise ConflictError(f"{claim.id} was already issued", details={"claim": claim.id})
    if claim.state is not ImpactState.ENDORSED:
        raise ConflictError(
            f"{claim.id} awaits the confirmation of {len(claim.pending)} endorser(s) it asked",
            details={"claim": claim.id, "pending": list(claim.pending)},
        )
    issued = format_datetime(moment)
    endorsements = _endorsements(claim, issuer=issuer, moment=moment)
    status_url, status_index = allocate_status(store, issuer)
    key, vm = issuer.signing_key()
    unsigned = certificate_of_impact(
        claim,
        issuer={"id": issuer.did(key), "type": ["Profile"], "name": issuer.name},
        endorsements=endorsements,
        status_entry=status_list_entry(status_list_credential=status_url, index=status_index),
        valid_from=issued,
    )
    document = sign_credential(unsigned, key=key, vm=vm, issuer=issuer, at=moment)
    certificate = ImpactCertificate(document, issued, vm, status_url, status_index)
    done = replace(claim, certificate=certificate)
    records = [
        claim_record(done),
        status_entry_record(claim.id, status_url, status_index, revoked=False),
    ]
    expect: dict[str, int | None] = {claim.id: version, f"{status_url}#{status_index}": None}
    fresh = new_status_list(store, status_url, issuer=issuer, now=moment)
    if fresh is not None:
        records.append(fresh)
        expect[status_url] = None
    try:
        store.write(GraphBatch(records=records, expect=expect))
    except ConflictError as e:
        raise ConflictError(
            f"{claim.id} changed while it was issued; ask again", details={"claim": claim.id}
        ) from e
    logger.info("issued %s (status %s#%d)", claim.id, status_url, status_index)
    return done


def revoke_certificate(
    store: GraphStore,
    ref: str,
    *,
    actor: Actor,
    issuer: ProofIssuer,
    reason: str | None = None,
    now: datetime | None = None,
) -> ImpactClaim:
    """Revoke an issued certificate: its status bit is set and its list re-signed.

    Raises
    ------
    NotFoundError
        If there is no such claim.
    UnauthenticatedError, ForbiddenError
        For anyone but its claimant and administrators.
    ConflictError
        If it was never issued, or is already revoked.
    """
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    claim, version = read_claim(store, ref, base_iri=issuer.base_iri)
    policy.require_impact_owner(
        actor, claim.claimant, author=claim.author, action="revoke this Certificate of Impact"
    )
    found = claim.certificate
    if found is None:
        raise ConflictError(f"{claim.id} was never issued", details={"claim": claim.id})
    if found.revoked:
        raise ConflictError(
            f"{claim.id} was already revoked at {found.revoked_at}",
            details={"claim": claim.id, "revoked_at": found.revoked_at},
        )
    revoked = replace(
        claim,
        certificate=replace(
            found, revoked=True, revoked_at=format_datetime(moment), revocation_reason=reason
        ),
    )
    entry = status_entry_record(claim.id, found.status_list, found.status_index, revoked=True)
    try:
        store.write(GraphBatch(records=[claim_record(revoked), entry], expect={claim.id: version}))
    except ConflictError as e:
        raise ConflictError(f"{claim.id} changed meanwhile", details={"claim": claim.id}) from e
    number = issuer.status_list_number(found.status_list)
    if number is not None:
        signed_status_list(store, number=number, issuer=issuer, now=moment)
    logger.info("revoked %s (status %s#%d)", claim.id, found.status_list, found.status_index)
    return revoked
