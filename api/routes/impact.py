"""Certificates of Impact (claims, endorsements, issuing, revocation) and the portfolio."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response

from api.deps import IdPath, IssuerDep, ReferenceDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_IRI
from api.schemas.impact import (
    EndorsementCreate,
    ImpactCreate,
    ImpactPublic,
    ImpactRevoke,
    ImpactsPublic,
)
from api.security import ActorDep
from graph.services.impact.claims import (
    certificate_document,
    claims_to_endorse,
    create_claim,
    endorse_claim,
    get_claim,
    list_impact,
)
from graph.services.impact.issuing import issue_certificate, revoke_certificate
from graph.services.impact.portfolio import export_portfolio

__all__ = ["router"]

router = APIRouter(tags=["impact"], route_class=CheckedRoute)

JSON_LD = "application/ld+json"


@router.post(
    "/v1/impact",
    response_model=ImpactPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 413, 422, 503),
)
def create_impact(
    request: ImpactCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ImpactPublic:
    """Claim impact for yourself and name who should confirm it."""
    claim = create_claim(store, request.to_domain(), actor=actor, base_iri=issuer.base_iri)
    return ImpactPublic.from_domain(claim)


@router.get("/v1/impact", response_model=ImpactsPublic, responses=responses(401, 403, 422, 503))
def read_impacts(
    store: StoreDep,
    actor: ActorDep,
    claimant: Annotated[str, Query(min_length=3, max_length=MAX_IRI)],
) -> ImpactsPublic:
    """A member's claims and certificates (the member, an administrator, or by consent)."""
    data = [ImpactPublic.from_domain(c) for c in list_impact(store, claimant, actor=actor)]
    return ImpactsPublic(data=data, count=len(data))


@router.get("/v1/impact/to-endorse", response_model=ImpactsPublic, responses=responses(401, 503))
def read_to_endorse(store: StoreDep, actor: ActorDep) -> ImpactsPublic:
    """The claims awaiting your confirmation."""
    data = [ImpactPublic.from_domain(c) for c in claims_to_endorse(store, actor=actor)]
    return ImpactsPublic(data=data, count=len(data))


@router.get(
    "/v1/impact/{claim_id}",
    response_model=ImpactPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def read_impact(
    claim_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ImpactPublic:
    """A claim, for its claimant, its endorsers, administrators and those with consent."""
    return ImpactPublic.from_domain(
        get_claim(store, claim_id, actor=actor, base_iri=issuer.base_iri)
    )


@router.post(
    "/v1/impact/{claim_id}/endorsements",
    response_model=ImpactPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def create_endorsement(
    claim_id: IdPath,
    request: EndorsementCreate,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> ImpactPublic:
    """Confirm a claim as yourself (an endorser it asked; never its claimant)."""
    claim = endorse_claim(
        store,
        claim_id,
        actor=actor,
        relation=request.relation,
        statement=request.statement,
        base_iri=issuer.base_iri,
    )
    return ImpactPublic.from_domain(claim)


@router.post(
    "/v1/impact/{claim_id}/issue",
    response_model=ImpactPublic,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def issue_impact(
    claim_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ImpactPublic:
    """Issue the signed Certificate of Impact once every endorser asked has confirmed it."""
    return ImpactPublic.from_domain(issue_certificate(store, claim_id, actor=actor, issuer=issuer))


@router.get(
    "/v1/impact/{claim_id}/credential",
    response_class=JSONResponse,
    responses={200: {"content": {JSON_LD: {}}}, **responses(401, 403, 404, 409, 422, 503)},
)
def read_impact_credential(
    claim_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> JSONResponse:
    """The signed Open Badges 3.0 credential alone (for wallets and `credwalk verify`)."""
    claim = get_claim(store, claim_id, actor=actor, base_iri=issuer.base_iri)
    return JSONResponse(dict(certificate_document(claim)), media_type=JSON_LD)


@router.post(
    "/v1/impact/{claim_id}/revoke",
    response_model=ImpactPublic,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def revoke_impact(
    claim_id: IdPath,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
    request: ImpactRevoke | None = None,
) -> ImpactPublic:
    """Revoke a certificate (its claimant or an administrator): its status bit is set."""
    claim = revoke_certificate(
        store, claim_id, actor=actor, issuer=issuer, reason=request.reason if request else None
    )
    return ImpactPublic.from_domain(claim)


@router.get(
    "/v1/portfolio",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, **responses(401, 403, 422, 503)},
)
def read_portfolio(
    store: StoreDep,
    issuer: IssuerDep,
    reference: ReferenceDep,
    actor: ActorDep,
    member: Annotated[str | None, Query(min_length=3, max_length=MAX_IRI)] = None,
) -> Response:
    """Your signed portfolio (a ZIP): proofs, impact certificates, ELM forms, a summary.

    ``manifest.json`` in it is signed and lists every file's digest; ``credwalk verify
    portfolio.zip`` checks it offline.
    """
    portfolio = export_portfolio(
        store, member, actor=actor, issuer=issuer, reference=reference, name=actor.name
    )
    return Response(
        portfolio.to_zip(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="portfolio.zip"'},
    )
