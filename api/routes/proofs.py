"""Proofs of Competence: panels, submissions, assessments, issuing, revocation, verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse

from api.deps import IdPath, IssuerDep, ReferenceDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.proofs import (
    AssessmentCreate,
    PanelCreate,
    PanelPublic,
    ProofCreate,
    ProofPublic,
    RevokeRequest,
    SubmissionCreate,
    SubmissionPublic,
    SubmissionsPublic,
    VerificationPublic,
    VerifyRequest,
)
from api.security import ActorDep
from graph.model.submissions import SubmissionStatus
from graph.proofs.issuer import did_document
from graph.services.proofs.elm_export import export_elm
from graph.services.proofs.issuing import get_proof, issue_proof, revoke_proof, signed_status_list
from graph.services.proofs.submissions import (
    declare_panel,
    get_submission,
    list_submissions,
    read_panel,
    record_assessment,
    submit,
)
from graph.services.proofs.verification import Trust, verify_document

__all__ = ["router"]

router = APIRouter(tags=["proofs"], route_class=CheckedRoute)

JSON_LD = "application/ld+json"


#: The largest status list number a request may name (lists are numbered from 1).
MAX_STATUS_LIST = 1_000_000_000


@router.post(
    "/v1/assessment-panels",
    response_model=PanelPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 413, 422, 503),
)
def declare_assessment_panel(
    request: PanelCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> PanelPublic:
    """Declare (or replace) the assessors of a credential and its issuing rule (its issuer)."""
    panel = declare_panel(
        store,
        actor=actor,
        credential=request.credential,
        assessors=[a.to_domain() for a in request.assessors],
        rule=request.rule.to_domain(),
        base_iri=issuer.base_iri,
    )
    return PanelPublic.from_domain(panel)


@router.get(
    "/v1/assessment-panels", response_model=PanelPublic, responses=responses(401, 404, 422, 503)
)
def read_assessment_panel(
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
    credential: Annotated[str, Query(min_length=3, max_length=2000)],
) -> PanelPublic:
    """Return the assessment panel declared for a credential (signed-in users)."""
    panel = read_panel(store, credential, actor=actor, base_iri=issuer.base_iri)
    return PanelPublic.from_domain(panel)


@router.post(
    "/v1/submissions",
    response_model=SubmissionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 413, 422, 503),
)
def create_submission(
    request: SubmissionCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> SubmissionPublic:
    """Submit the learner's evidence for a credential; it goes to the credential's assessors."""
    view = submit(
        store,
        actor=actor,
        learner=request.learner,
        credential=request.credential,
        evidence=[e.to_domain() for e in request.evidence],
        note=request.note,
        base_iri=issuer.base_iri,
    )
    return SubmissionPublic.from_domain(view)


@router.get(
    "/v1/submissions", response_model=SubmissionsPublic, responses=responses(401, 403, 422, 503)
)
def read_submissions(
    store: StoreDep,
    actor: ActorDep,
    learner: Annotated[str | None, Query(max_length=2000)] = None,
    assessor: Annotated[str | None, Query(max_length=2000)] = None,
    credential: Annotated[str | None, Query(max_length=2000)] = None,
    submission_status: Annotated[SubmissionStatus | None, Query(alias="status")] = None,
) -> SubmissionsPublic:
    """List a learner's submissions, an assessor's inbox, or a credential's (its issuer)."""
    views = list_submissions(
        store,
        actor=actor,
        learner=learner,
        assessor=assessor,
        credential=credential,
        status=submission_status,
    )
    data = [SubmissionPublic.from_domain(v) for v in views]
    return SubmissionsPublic(data=data, count=len(data))


@router.get(
    "/v1/submissions/{submission_id}",
    response_model=SubmissionPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def read_submission(
    submission_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> SubmissionPublic:
    """Return a submission with its assessments, the rule's outcome and its status."""
    view = get_submission(store, submission_id, actor=actor, base_iri=issuer.base_iri)
    return SubmissionPublic.from_domain(view)


@router.post(
    "/v1/submissions/{submission_id}/assessments",
    response_model=SubmissionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def create_assessment(
    submission_id: IdPath,
    request: AssessmentCreate,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> SubmissionPublic:
    """Record the signed-in assessor's results per skill, or its endorsement."""
    view = record_assessment(
        store,
        actor=actor,
        submission=submission_id,
        results=[r.to_domain() for r in request.results],
        endorsement=request.endorsement,
        comment=request.comment,
        base_iri=issuer.base_iri,
    )
    return SubmissionPublic.from_domain(view)


@router.post(
    "/v1/proofs",
    response_model=ProofPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def create_proof(
    request: ProofCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ProofPublic:
    """Issue the signed Proof of Competence of a submission whose rule is met."""
    proof = issue_proof(
        store,
        actor=actor,
        submission=request.submission,
        issuer=issuer,
        valid_until=request.valid_until,
    )
    return ProofPublic.from_domain(proof)


@router.post(
    "/v1/proofs/verify",
    response_model=VerificationPublic,
    responses=responses(400, 413, 422, 503),
)
def verify_proof(request: VerifyRequest, store: StoreDep, issuer: IssuerDep) -> VerificationPublic:
    """Verify a signed credential offline and say which check failed."""
    report = verify_document(
        request.document,
        loader=issuer.loader,
        issuer=issuer,
        store=lambda: store,
        status_lists=request.status_lists,
        trust=Trust(request.trust),
        bind_issuer=request.bind_issuer,
        now=request.at,
    )
    return VerificationPublic.from_domain(report)


@router.get(
    "/v1/proofs/{proof_id}",
    response_model=ProofPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def read_proof(
    proof_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ProofPublic:
    """Return an issued proof with its signed credential and status."""
    proof = get_proof(store, proof_id, actor=actor, base_iri=issuer.base_iri)
    return ProofPublic.from_domain(proof)


@router.get(
    "/v1/proofs/{proof_id}/credential",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_LD: {}}}, **responses(401, 403, 404, 422, 503)},
)
def read_proof_credential(
    proof_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> JSONResponse:
    """Return the signed Open Badges 3.0 credential alone (for wallets)."""
    proof = get_proof(store, proof_id, actor=actor, base_iri=issuer.base_iri)
    return JSONResponse(dict(proof.document), media_type=JSON_LD)


@router.post(
    "/v1/proofs/{proof_id}/revoke",
    response_model=ProofPublic,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def revoke(
    proof_id: IdPath,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
    request: RevokeRequest | None = None,
) -> ProofPublic:
    """Revoke a proof (its credential's issuer): its status bit is set, the list re-signed."""
    proof = revoke_proof(
        store,
        actor=actor,
        proof=proof_id,
        issuer=issuer,
        reason=request.reason if request else None,
    )
    return ProofPublic.from_domain(proof)


@router.get(
    "/v1/proofs/{proof_id}/elm",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_LD: {}}}, **responses(401, 403, 404, 422, 503)},
)
def read_proof_elm(
    proof_id: IdPath, store: StoreDep, issuer: IssuerDep, reference: ReferenceDep, actor: ActorDep
) -> JSONResponse:
    """Return the same achievement as an unsigned European Learning Model credential."""
    proof = get_proof(store, proof_id, actor=actor, base_iri=issuer.base_iri)
    document = export_elm(store, proof, base_iri=issuer.base_iri, reference=reference)
    return JSONResponse(document, media_type=JSON_LD)


@router.get(
    "/v1/status-lists/{number}",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_LD: {}}}, **responses(404, 422, 503)},
)
def read_status_list(
    number: Annotated[int, Path(ge=0, le=MAX_STATUS_LIST)], store: StoreDep, issuer: IssuerDep
) -> JSONResponse:
    """Return the signed BitstringStatusListCredential of a status list."""
    document = signed_status_list(store, number=number, issuer=issuer)
    return JSONResponse(document, media_type=JSON_LD)


@router.get(
    "/.well-known/did.json",
    response_class=JSONResponse,
    responses={200: {"content": {"application/did+json": {}}}, **responses(404)},
)
def read_did_document(issuer: IssuerDep) -> JSONResponse:
    """Return the DID document of this service's did:web (when a domain is configured)."""
    return JSONResponse(did_document(issuer), media_type="application/did+json")
