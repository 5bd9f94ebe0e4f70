"""Certificates of Impact pages: my claims, a claim (confirm, issue, download), the portfolio.

``/impact`` lists my claims with the form to claim one and the claims awaiting my word;
``/impact/<id>`` shows a claim with the forms its reader may use; ``/me/portfolio`` downloads
my signed portfolio.

Every signed-in user may claim impact for themself and confirm the claims they were asked to;
the services decide (:mod:`graph.services.impact`), the pages only show what they allow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import IssuerDep, ReferenceDep, StoreDep
from api.pages.forms import FormDep, ensure_csrf, field_errors
from api.pages.render import render
from api.security import ActorDep
from graph.errors import ConflictError, InvalidInputError
from graph.model.accounts import Actor
from graph.model.impact import EndorserRelation, ImpactClaim, ImpactEvidence
from graph.services.impact.claims import (
    ImpactDraft,
    certificate_document,
    claims_to_endorse,
    create_claim,
    endorse_claim,
    get_claim,
    list_my_impact,
)
from graph.services.impact.issuing import issue_certificate, revoke_certificate
from graph.services.impact.portfolio import export_portfolio
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

#: How many skill pickers the claim form offers.
SKILL_ROWS = 3
#: The claim form's fields by the services' field names.
CLAIM_FIELDS = {
    "title": "title",
    "beneficiary": "beneficiary",
    "outcome": "outcome",
    "start": "start",
    "end": "end",
    "skills": "skill1",
    "endorsers": "endorsers",
    "evidence": "url",
}


#: What a claim's page says after a change (``?done=...``).
NOTICES = {
    "endorsed": "Your confirmation is recorded.",
    "issued": "Certificate issued.",
    "revoked": "Certificate revoked.",
}


def short(claim: ImpactClaim) -> str:
    """The end of a claim's IRI: what its page's path holds."""
    return claim.id.rpartition("/")[2]


def _strings(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _list_context(store: GraphStore, actor: Actor) -> dict[str, object]:
    claimant, claims = list_my_impact(store, actor=actor)
    return {
        "claimant": claimant,
        "claims": claims,
        "to_endorse": claims_to_endorse(store, actor=actor),
        "skill_rows": range(1, SKILL_ROWS + 1),
        "short": short,
    }


@router.get("/impact", response_class=HTMLResponse)
def my_impact(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """My claims of impact and the form to claim one; the claims awaiting my confirmation."""
    context = _list_context(store, actor)
    ensure_csrf(request)
    return render(request, "impact_list.html", actor, {**context, "values": {}})


def _draft(values: Mapping[str, str]) -> ImpactDraft:
    skills = [
        values.get(f"skill{n}", "").strip() or values.get(f"skill{n}_label", "").strip()
        for n in range(1, SKILL_ROWS + 1)
    ]
    evidence = []
    if values.get("url", "").strip():
        evidence.append(ImpactEvidence(url=values["url"].strip()))
    if values.get("text", "").strip():
        evidence.append(ImpactEvidence(text=values["text"].strip()))
    return ImpactDraft(
        title=values.get("title", ""),
        beneficiary=values.get("beneficiary", ""),
        outcome=values.get("outcome", ""),
        start=values.get("start", ""),
        end=values.get("end", "").strip() or None,
        skills=tuple(s for s in skills if s),
        endorsers=tuple(n.strip() for n in values.get("endorsers", "").split(",") if n.strip()),
        evidence=tuple(evidence),
    )


@router.post("/impact", response_class=HTMLResponse)
def claim_impact(
    request: Request, form: FormDep, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """Record a claim; on bad input, the form again with the message beside its field."""
    values = _strings(form)
    try:
        claim = create_claim(store, _draft(values), actor=actor, base_iri=issuer.base_iri)
    except InvalidInputError as e:
        context = _list_context(store, actor)
        context.update({"values": values, "errors": field_errors(e, CLAIM_FIELDS)})
        return render(request, "impact_list.html", actor, context, status_code=422)
    return RedirectResponse(f"/impact/{short(claim)}", status_code=303)


def _claim_page(
    request: Request,
    claim: ImpactClaim,
    actor: Actor,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ensure_csrf(request)
    document = claim.certificate.document if claim.certificate else None
    context = {
        "claim": claim,
        "short": short(claim),
        "relations": [r.value for r in EndorserRelation],
        "asked_me": actor.user in claim.pending,
        "document": json.dumps(document, ensure_ascii=False, indent=2) if document else "",
        "values": values or {},
        "errors": errors or {},
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
    }
    return render(request, "impact_claim.html", actor, context, status_code=status_code)


@router.get("/impact/{claim_id}", response_class=HTMLResponse)
def impact_claim(
    request: Request, claim_id: str, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """A claim: what it says, who confirmed it, what it awaits, its certificate."""
    claim = get_claim(store, claim_id, actor=actor, base_iri=issuer.base_iri)
    return _claim_page(request, claim, actor)


@router.post("/impact/{claim_id}/endorse", response_class=HTMLResponse)
def endorse(
    request: Request,
    claim_id: str,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Confirm a claim as myself (an endorser it asked)."""
    values = _strings(form)
    try:
        endorse_claim(
            store,
            claim_id,
            actor=actor,
            relation=values.get("relation", ""),
            statement=values.get("statement", ""),
            base_iri=issuer.base_iri,
        )
    except (InvalidInputError, ConflictError) as e:
        claim = get_claim(store, claim_id, actor=actor, base_iri=issuer.base_iri)
        fields = {"relation": "relation", "statement": "statement"}
        status = 422 if isinstance(e, InvalidInputError) else 409
        errors = field_errors(e, fields)
        return _claim_page(request, claim, actor, values=values, errors=errors, status_code=status)
    return RedirectResponse(f"/impact/{claim_id}?done=endorsed", status_code=303)


@router.post("/impact/{claim_id}/issue", response_class=HTMLResponse)
def issue(
    request: Request,
    claim_id: str,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Issue the signed certificate (its claimant, once every endorser asked confirmed)."""
    del form  # read for its CSRF check only
    return _change(request, claim_id, store, issuer, actor, "issued")


@router.post("/impact/{claim_id}/revoke", response_class=HTMLResponse)
def revoke(
    request: Request,
    claim_id: str,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Revoke the certificate (its claimant): verifiers then see it revoked."""
    reason = form.get("reason")
    return _change(
        request,
        claim_id,
        store,
        issuer,
        actor,
        "revoked",
        reason if isinstance(reason, str) else None,
    )


def _change(
    request: Request,
    claim_id: str,
    store: GraphStore,
    issuer: IssuerDep,
    actor: Actor,
    done: str,
    reason: str | None = None,
) -> Response:
    try:
        if done == "issued":
            issue_certificate(store, claim_id, actor=actor, issuer=issuer)
        else:
            revoke_certificate(store, claim_id, actor=actor, issuer=issuer, reason=reason or None)
    except ConflictError as e:
        claim = get_claim(store, claim_id, actor=actor, base_iri=issuer.base_iri)
        return _claim_page(request, claim, actor, errors={"": e.message}, status_code=409)
    return RedirectResponse(f"/impact/{claim_id}?done={done}", status_code=303)


@router.get("/impact/{claim_id}/download")
def download(claim_id: str, store: StoreDep, issuer: IssuerDep, actor: ActorDep) -> Response:
    """The signed certificate as a JSON file (``credwalk verify`` checks it offline)."""
    claim = get_claim(store, claim_id, actor=actor, base_iri=issuer.base_iri)
    return JSONResponse(
        dict(certificate_document(claim)),
        media_type="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="impact-{claim_id}.json"'},
    )


@router.get("/me/portfolio")
def download_portfolio(
    store: StoreDep, issuer: IssuerDep, reference: ReferenceDep, actor: ActorDep
) -> Response:
    """My signed portfolio: a ZIP of my proofs, impact certificates, their ELM forms, a summary."""
    portfolio = export_portfolio(
        store, None, actor=actor, issuer=issuer, reference=reference, name=actor.name
    )
    return Response(
        portfolio.to_zip(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="portfolio.zip"'},
    )
