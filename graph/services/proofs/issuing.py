"""Issue, read and revoke Proofs of Competence; publish their signed status lists.

A proof is issued once a submission's rule is met
(:func:`graph.model.submissions.evaluate_rule`): an Open Badges 3.0 ``OpenBadgeCredential``
(:mod:`graph.exports.ob3`) signed ``eddsa-rdfc-2022`` with the issuer's active key, carrying one
``EndorsementCredential`` per assessor who passed or endorsed it and a
``BitstringStatusListEntry``. Stored as records of :attr:`NodeKind.PROOF`, told apart by the
index field ``record``:

- ``proof`` — the signed document and who/what it is about (``revoked`` when revoked);
- ``status_entry`` — one per allocated status-list index, at the IRI ``<list>#<index>`` that is
  also the entry's ``id``, so checking that an index is free is one lookup;
- ``status_list`` — the last signed ``BitstringStatusListCredential`` of a list, at the list's
  URL. It is re-signed whenever its bits (derived from the revoked entries) differ from them.

**Identity** (:mod:`graph.proofs.issuer`): the issuer is the ``did:key`` of the active key, or
``did:web:<domain>`` when a domain is configured. Assessors endorse with keys credwalk keeps for
them (``did:key``, the assessor's IRI in the profile): credwalk signs what the assessor recorded
through it.

**Status indexes** are drawn at random, as Bitstring Status List recommends (a verifier fetching
the list learns nothing from the position); a list whose random draws keep hitting used indexes
is considered full and the next list is used. The store offers no compare-and-set, so two
processes drawing the same index at the same instant could share it (odds about 1 in 131,072
per pair of simultaneous issues).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    CredwalkError,
    InvalidInputError,
    NotFoundError,
)
from graph.exports.ob3 import endorsement_comment, endorsement_credential, proof_of_competence
from graph.model.accounts import Actor, ConsentScope, Role
from graph.model.concepts import NodeKind
from graph.model.credentials import Issuer
from graph.model.proofs import ProofRecord
from graph.model.submissions import SubmissionStatus, SubmissionView
from graph.proofs._xsd import format_datetime
from graph.proofs.data_integrity import sign
from graph.proofs.did_key import did_key
from graph.proofs.issuer import ProofIssuer
from graph.proofs.keys import SigningKey
from graph.proofs.status_list import (
    MIN_ENTRIES,
    StatusList,
    status_list_credential,
    status_list_entry,
)
from graph.services import policy
from graph.services.catalogue.credentials import get_credential, get_issuer
from graph.services.learner_access import require_learner_reader
from graph.services.proofs.submissions import submission_record, submission_view
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "allocate_status",
    "get_proof",
    "issue_proof",
    "list_proofs",
    "new_status_list",
    "our_status_list",
    "revoke_proof",
    "sign_credential",
    "signed_status_list",
    "status_entry_record",
]

logger = logging.getLogger(__name__)

#: Random draws that must all hit used indexes before a list counts as full.
_DRAWS = 24


def _proof_record(proof: ProofRecord) -> Record:
    body = {
        "id": proof.id,
        "submission": proof.submission,
        "learner": proof.learner,
        "credential": proof.credential,
        "document": dict(proof.document),
        "issued_at": proof.issued_at,
        "verification_method": proof.verification_method,
        "status_list": proof.status_list,
        "status_index": proof.status_index,
        "revoked": proof.revoked,
        "revoked_at": proof.revoked_at,
        "revocation_reason": proof.revocation_reason,
    }
    return Record(
        uri=proof.id,
        kind=NodeKind.PROOF,
        body=body,
        index={
            "record": "proof",
            "submission": proof.submission,
            "learner": proof.learner,
            "credential": proof.credential,
            "revoked": proof.revoked,
        },
    )


def status_entry_record(credential: str, status_list: str, index: int, *, revoked: bool) -> Record:
    """The record holding status-list index ``index`` for the signed credential ``credential``.

    Any credential this service signs (a proof, a Certificate of Impact) takes its index from
    the same lists; revoking it means writing this record again with ``revoked`` true and
    re-signing the list (:func:`signed_status_list`).
    """
    return Record(
        uri=f"{status_list}#{index}",
        kind=NodeKind.PROOF,
        body={"proof": credential, "status_list": status_list, "index": index},
        index={
            "record": "status_entry",
            "status_list": status_list,
            "proof": credential,
            "revoked": revoked,
        },
    )


def _entry_record(proof: ProofRecord) -> Record:
    return status_entry_record(
        proof.id, proof.status_list, proof.status_index, revoked=proof.revoked
    )


def _proof_from_record(record: Record) -> ProofRecord:
    b = record.body
    return ProofRecord(
        id=b["id"],
        submission=b["submission"],
        learner=b["learner"],
        credential=b["credential"],
        document=b["document"],
        issued_at=b["issued_at"],
        verification_method=b["verification_method"],
        status_list=b["status_list"],
        status_index=int(b["status_index"]),
        revoked=bool(b.get("revoked", False)),
        revoked_at=b.get("revoked_at"),
        revocation_reason=b.get("revocation_reason"),
    )


def get_proof(store: GraphStore, proof: str, *, actor: Actor, base_iri: str) -> ProofRecord:
    """Return proof ``proof`` (its IRI, or the short id at its end).

    Its learner, whoever holds the learner's consent for proofs, and its credential's issuer's
    staff may read it; anyone may verify a copy of it.

    Raises
    ------
    NotFoundError
        If there is no such proof.
    UnauthenticatedError, ForbiddenError
        For anyone else.
    """
    found, _ = _read_proof(store, proof, base_iri=base_iri)
    policy.require_user(actor, action="see a proof")
    if actor.is_admin or actor.holds(Role.ISSUER, get_credential(store, found.credential).issuer):
        return found
    require_learner_reader(
        store,
        actor,
        found.learner,
        scope=ConsentScope.PROOFS,
        action="see this proof",
    )
    return found


def list_proofs(store: GraphStore, learner: str, *, actor: Actor) -> list[ProofRecord]:
    """The proofs issued to ``learner``, newest first.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner, an administrator, or a user with their consent for proofs.
    """
    require_learner_reader(
        store,
        actor,
        learner,
        scope=ConsentScope.PROOFS,
        action="list this learner's proofs",
    )
    records = store.list_records(kind=NodeKind.PROOF, where={"record": "proof", "learner": learner})
    proofs = [_proof_from_record(r) for r in records]
    return sorted(proofs, key=lambda p: (p.issued_at, p.id), reverse=True)


def _read_proof(store: GraphStore, proof: str, *, base_iri: str) -> tuple[ProofRecord, int | None]:
    uri = proof if ":" in proof else f"{base_iri}/proof/{proof}"
    record = store.get_records([uri], kind=NodeKind.PROOF).get(uri)
    if record is None or record.index.get("record") != "proof":
        raise NotFoundError(f"no proof {uri}", details={"uri": uri})
    return _proof_from_record(record), record.version


def _sign(
    document: Mapping[str, Any], *, key: SigningKey, vm: str, issuer: ProofIssuer, at: datetime
) -> dict[str, Any]:
    try:
        return sign(document, key=key, verification_method=vm, loader=issuer.loader, created=at)
    except CredwalkError as e:
        if not str(e.details.get("reason", "")).startswith("context_not"):
            raise
        # A pinned context missing from the cache is a set-up problem of this service, not
        # bad input: say how to fix it.
        raise BackendUnavailableError(
            f"{e.message}; run `credwalk contexts seed DIR` with the published context files",
            details=e.details,
        ) from e


def allocate_status(store: GraphStore, issuer: ProofIssuer) -> tuple[str, int]:
    """A free (list URL, index) for a new signed credential, drawn at random."""
    return _allocate(store, issuer)


def new_status_list(
    store: GraphStore, url: str, *, issuer: ProofIssuer, now: datetime
) -> Record | None:
    """The record of a fresh signed status list at ``url``, or None when it exists already."""
    if store.get_records([url], kind=NodeKind.PROOF):
        return None
    return _status_list_record(url, StatusList.new(), issuer=issuer, now=now)


def sign_credential(
    document: Mapping[str, Any], *, key: SigningKey, vm: str, issuer: ProofIssuer, at: datetime
) -> dict[str, Any]:
    """Sign ``document`` ``eddsa-rdfc-2022`` (a missing pinned context is a set-up error)."""
    return _sign(document, key=key, vm=vm, issuer=issuer, at=at)


def _allocate(store: GraphStore, issuer: ProofIssuer) -> tuple[str, int]:
    draw = secrets.SystemRandom()
    number = 1
    while True:
        url = issuer.status_list_url(number)
        for _ in range(_DRAWS):
            index = draw.randrange(MIN_ENTRIES)
            if not store.get_records([f"{url}#{index}"], kind=NodeKind.PROOF):
                return url, index
        number += 1


def _revoked_bits(store: GraphStore, url: str) -> StatusList:
    revoked = store.list_records(
        kind=NodeKind.PROOF, where={"record": "status_entry", "status_list": url, "revoked": True}
    )
    bits = bytearray(MIN_ENTRIES // 8)
    for record in revoked:
        index = int(record.body["index"])
        bits[index // 8] |= 0x80 >> (index % 8)
    return StatusList(bits=bytes(bits))


def _status_list_record(
    url: str, bits: StatusList, *, issuer: ProofIssuer, now: datetime
) -> Record:
    key, vm = issuer.signing_key()
    unsigned = status_list_credential(
        credential_id=url, issuer=issuer.did(key), status_list=bits, valid_from=now
    )
    signed = _sign(unsigned, key=key, vm=vm, issuer=issuer, at=now)
    return Record(
        uri=url,
        kind=NodeKind.PROOF,
        body={"credential": signed},
        index={"record": "status_list"},
    )


def _check_issuable(
    view: SubmissionView, *, valid_until: datetime | None, moment: datetime
) -> None:
    """Raise unless the submission's proof may be issued at ``moment``, valid until then."""
    current = view.submission
    if current.proof is not None:
        raise ConflictError(
            f"submission {current.id} was already issued as {current.proof}",
            details={"submission": current.id, "proof": current.proof},
        )
    if not view.outcome.met:
        raise ConflictError(
            f"the rule of {current.credential} is not met yet: {view.outcome.unmet[0]}",
            details={"status": view.status.value, "unmet": list(view.outcome.unmet)},
        )
    if valid_until is not None and valid_until <= moment:
        raise InvalidInputError(
            "valid_until: must be after the time of issue", details={"field": "valid_until"}
        )


def _issuer_or_none(store: GraphStore, issuer_id: str) -> Issuer | None:
    """The credential's issuer, or None when the store does not hold it."""
    try:
        return get_issuer(store, issuer_id)
    except NotFoundError:
        return None


def _endorsements(
    view: SubmissionView, *, proof_id: str, issuer: ProofIssuer, issued: str, moment: datetime
) -> list[dict[str, Any]]:
    """One signed ``EndorsementCredential`` per assessor whose latest assessment passed."""
    current = view.submission
    labels = {t.uri: t.label or t.uri for t in current.skills}
    endorsements = []
    for assessor in current.panel.assessors:
        assessment = view.latest.get(assessor.id)
        if assessment is None or not assessment.passed:
            continue
        assessor_key = issuer.assessor_keys(assessor.id).active_key()
        unsigned = endorsement_credential(
            endorsement_id=f"{issuer.base_iri}/endorsement/"
            f"{uuid.uuid5(uuid.NAMESPACE_URL, f'{proof_id} {assessor.id}')}",
            proof_id=proof_id,
            assessor=assessor,
            issuer_id=did_key(assessor_key.public_key),
            comment=endorsement_comment(assessor, assessment, labels),
            valid_from=issued,
        )
        endorsements.append(
            _sign(
                unsigned,
                key=assessor_key,
                vm=assessor_key.verification_method,
                issuer=issuer,
                at=moment,
            )
        )
    return endorsements


def issue_proof(
    store: GraphStore,
    *,
    actor: Actor,
    submission: str,
    issuer: ProofIssuer,
    valid_until: datetime | None = None,
    now: datetime | None = None,
) -> ProofRecord:
    """Issue the Proof of Competence of a submission whose rule is met.

    Its learner, or its credential's issuer's staff, asks for it. Of two requests at once, one
    issues and the other finds it issued.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone else.
    NotFoundError
        If there is no such submission.
    ConflictError
        If a proof was already issued for it, or its rule is not met
        (``details["unmet"]`` says why).
    InvalidInputError
        If ``valid_until`` is not after the issuing time.
    BackendUnavailableError
        If a pinned context is missing from the context cache (the message says how to seed
        it); nothing is stored.
    """
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    view, version = submission_view(store, submission, base_iri=issuer.base_iri)
    current = view.submission
    credential = get_credential(store, current.credential)
    policy.require_user(actor, action="issue a proof")
    if not actor.holds(Role.ISSUER, credential.issuer):
        policy.require_learner_owner(actor, current.learner, action="issue this learner's proof")
    _check_issuable(view, valid_until=valid_until, moment=moment)
    credential_issuer = _issuer_or_none(store, credential.issuer)
    proof_id = f"{issuer.base_iri}/proof/{uuid.uuid4()}"
    issued = format_datetime(moment)
    endorsements = _endorsements(
        view, proof_id=proof_id, issuer=issuer, issued=issued, moment=moment
    )
    status_url, status_index = _allocate(store, issuer)
    key, vm = issuer.signing_key()
    profile = {"id": issuer.did(key), "type": ["Profile"], "name": issuer.name}
    unsigned_proof = proof_of_competence(
        proof_id=proof_id,
        issuer=profile,
        credential=credential,
        credential_issuer=credential_issuer,
        submission=current,
        outcome=view.outcome,
        rule_text=current.panel.rule.describe(current.panel),
        endorsements=endorsements,
        status_entry=status_list_entry(status_list_credential=status_url, index=status_index),
        valid_from=issued,
        valid_until=format_datetime(valid_until) if valid_until is not None else None,
    )
    signed = _sign(unsigned_proof, key=key, vm=vm, issuer=issuer, at=moment)
    proof = ProofRecord(
        id=proof_id,
        submission=current.id,
        learner=current.learner,
        credential=current.credential,
        document=signed,
        issued_at=issued,
        verification_method=vm,
        status_list=status_url,
        status_index=status_index,
    )
    records = [_proof_record(proof), _entry_record(proof)]
    records.append(submission_record(replace(current, proof=proof_id), SubmissionStatus.ISSUED))
    expect: dict[str, int | None] = {current.id: version, f"{status_url}#{status_index}": None}
    if not store.get_records([status_url], kind=NodeKind.PROOF):
        records.append(_status_list_record(status_url, StatusList.new(), issuer=issuer, now=moment))
        expect[status_url] = None
    try:
        store.write(GraphBatch(records=records, expect=expect))
    except ConflictError as e:
        # Another request issued it (or took the status index, or made the list) meanwhile.
        raise ConflictError(
            f"submission {current.id} changed while its proof was issued; ask again",
            details={"submission": current.id},
        ) from e
    logger.info("issued %s for %s (status %s#%d)", proof_id, current.id, status_url, status_index)
    return proof


def revoke_proof(
    store: GraphStore,
    *,
    actor: Actor,
    proof: str,
    issuer: ProofIssuer,
    reason: str | None = None,
    now: datetime | None = None,
) -> ProofRecord:
    """Revoke a proof: set its status bit and re-sign its status list (its issuer's staff).

    Raises
    ------
    NotFoundError
        If there is no such proof.
    UnauthenticatedError, ForbiddenError
        For anyone but the staff of the issuer of the proof's credential.
    ConflictError
        If it is already revoked.
    """
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    found, version = _read_proof(store, proof, base_iri=issuer.base_iri)
    credential_issuer = get_credential(store, found.credential).issuer
    policy.require_issuer_staff(actor, [credential_issuer], action="revoke this proof")
    if found.revoked:
        raise ConflictError(
            f"proof {found.id} was already revoked at {found.revoked_at}",
            details={"proof": found.id, "revoked_at": found.revoked_at},
        )
    revoked = replace(
        found, revoked=True, revoked_at=format_datetime(moment), revocation_reason=reason
    )
    try:
        store.write(
            GraphBatch(
                records=[_proof_record(revoked), _entry_record(revoked)],
                expect={found.id: version},
            )
        )
    except ConflictError as e:
        raise ConflictError(
            f"proof {found.id} was revoked meanwhile", details={"proof": found.id}
        ) from e
    number = issuer.status_list_number(revoked.status_list)
    if number is not None:
        signed_status_list(store, number=number, issuer=issuer, now=moment)
    logger.info("revoked %s (status %s#%d)", found.id, found.status_list, found.status_index)
    return revoked


def our_status_list(store: GraphStore, url: str, *, issuer: ProofIssuer) -> StatusList:
    """Return the current bits of one of our status lists, derived from the store.

    Raises
    ------
    NotFoundError
        If ``url`` is not one of our status lists.
    """
    if issuer.status_list_number(url) is None or not store.get_records([url], kind=NodeKind.PROOF):
        raise NotFoundError(f"no status list {url} in this store", details={"status_list": url})
    return _revoked_bits(store, url)


def signed_status_list(
    store: GraphStore, *, number: int, issuer: ProofIssuer, now: datetime | None = None
) -> dict[str, Any]:
    """Return the signed ``BitstringStatusListCredential`` of list ``number``.

    The stored one is served while its bits match the revoked entries; otherwise (after a
    revocation, or a revocation whose re-signing was interrupted) it is signed again and stored.

    Raises
    ------
    NotFoundError
        If no proof was ever issued on that list.
    """
    url = issuer.status_list_url(number)
    bits = our_status_list(store, url, issuer=issuer)
    stored = store.get_record(url, kind=NodeKind.PROOF).body["credential"]
    if stored.get("credentialSubject", {}).get("encodedList") == bits.encode():
        return dict(stored)
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    record = _status_list_record(url, bits, issuer=issuer, now=moment)
    store.write(GraphBatch(records=[record]))
    logger.info("re-signed status list %s", url)
    return dict(record.body["credential"])
