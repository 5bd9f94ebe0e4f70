"""The pages everyone has: home, sign in and out, search, a concept, credentials, verify."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EmbedderDep, IssuerDep, RuntimeDep, StoreDep
from api.pages.consultations import credential_part
from api.pages.forms import FormDep, ensure_csrf, field_errors
from api.pages.home import home_sections
from api.pages.render import render
from api.security import ActorDep, LoginLimiter, end_session, new_session
from graph.errors import CredwalkError, InvalidInputError, UnauthenticatedError
from graph.model.accounts import Role
from graph.model.concepts import NodeKind, RelationType
from graph.services import accounts
from graph.services.assembly.posts import node_questions
from graph.services.catalogue.credentials import (
    credentials_certifying,
    get_credential,
    get_credentials,
    get_issuer,
    list_credentials,
    list_issuers,
)
from graph.services.concepts import concept_detail, concept_labels, search_concepts
from graph.services.proofs.verification import Trust, verify_document
from graph.store import Direction

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

_KINDS = {"skills": NodeKind.SKILL, "occupations": NodeKind.OCCUPATION}
#: How many of the Assembly's questions a node's page lists (the newest).
QUESTIONS = 10


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """What waits for the user, per role; the search box and the way in for everyone."""
    ensure_csrf(request)
    return render(request, "home.html", actor, {"sections": home_sections(store, actor)})


# --- signing in and out ---------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    # Only a path of this site: never an open redirect to another one.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, actor: ActorDep, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    """The sign-in form."""
    ensure_csrf(request)
    return render(request, "login.html", actor, {"next": _safe_next(next), "values": {}})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: FormDep, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """Sign in: a session for the user, then back where they were going."""
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")) or None)
    limiter: LoginLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    store = runtime.open_store()
    try:
        limiter.check(store, name, client)
        try:
            user = accounts.authenticate(store, name, password, base_iri=runtime.settings.base_iri)
        except UnauthenticatedError:
            limiter.failed(store, name, client)
            raise
    except CredwalkError as e:
        context = {"next": target, "values": {"name": name}, "errors": {"password": e.message}}
        status = 429 if e.code == "too_many_requests" else 401
        return render(request, "login.html", actor, context, status_code=status)
    limiter.succeeded(store, name, client)
    new_session(request, user.id)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormDep, runtime: RuntimeDep) -> Response:
    """Sign out: the session ends in every server process."""
    end_session(request, runtime.open_store())
    return RedirectResponse("/", status_code=303)


# --- the skills graph -----------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    store: StoreDep,
    embedder: EmbedderDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: Annotated[str, Query(pattern="^(skills|occupations)$")] = "skills",
) -> Response:
    """Search skills or occupations by every label and description."""
    context: dict[str, object] = {"q": q, "kind": kind, "results": []}
    if q.strip():
        try:
            context["results"] = search_concepts(store, embedder, q, kind=_KINDS[kind], top=20)
        except CredwalkError as e:
            context["errors"] = {"q": e.message}
    return render(request, "search.html", actor, context)


#: How a concept page groups its neighbours: (relation, direction) -> heading.
_SECTIONS = {
    (RelationType.BROADER, Direction.OUT): "Broader",
    (RelationType.BROADER, Direction.IN): "Narrower",
    (RelationType.HAS_ESSENTIAL_SKILL, Direction.OUT): "Essential skills",
    (RelationType.HAS_OPTIONAL_SKILL, Direction.OUT): "Optional skills",
    (RelationType.HAS_ESSENTIAL_SKILL, Direction.IN): "Occupations and skills that need it",
    (RelationType.HAS_OPTIONAL_SKILL, Direction.IN): "Where it is optional",
}


@router.get("/concepts/{uri:path}", response_class=HTMLResponse)
def concept(
    request: Request,
    uri: str,
    store: StoreDep,
    actor: ActorDep,
    lang: Annotated[str, Query(pattern=r"^[a-z]{2,3}$")] = "en",
) -> Response:
    """A concept: its labels in every language, its neighbours, the credentials that teach it."""
    detail = concept_detail(store, uri, lang=lang)
    sections: dict[str, list[object]] = {heading: [] for heading in _SECTIONS.values()}
    mappings = []
    for related in sorted(detail.related, key=lambda r: r.label.lower()):
        heading = _SECTIONS.get((related.relation, related.direction))
        if heading is not None:
            sections[heading].append(related)
        elif related.relation.is_mapping:
            mappings.append(related)
    teaching = get_credentials(store, credentials_certifying(store, uri))
    languages = sorted({label.lang for label in detail.concept.labels})
    return render(
        request,
        "concept.html",
        actor,
        {
            "concept": detail.concept,
            "lang": lang,
            "languages": languages,
            "sections": {k: v for k, v in sections.items() if v},
            "mappings": mappings,
            "credentials": sorted(teaching.values(), key=lambda c: c.title),
            # The Assembly's questions: about skills and occupations (not other concepts).
            "questions": node_questions(store, uri, actor=actor, limit=QUESTIONS)
            if detail.concept.kind in (NodeKind.SKILL, NodeKind.OCCUPATION)
            else None,
        },
    )


# --- credentials ----------------------------------------------------------------------------


@router.get("/credentials", response_class=HTMLResponse)
def credentials(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    jurisdiction: Annotated[str, Query(max_length=10)] = "",
    issuer: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """The published credentials, by jurisdiction and issuer."""
    where = {k: v for k, v in {"jurisdiction": jurisdiction, "issuer": issuer}.items() if v}
    found = list_credentials(store, where=where or None)
    issuers = {i.id: i for i in list_issuers(store)}
    return render(
        request,
        "credentials.html",
        actor,
        {
            "credentials": sorted(found, key=lambda c: (c.jurisdiction or "", c.title)),
            "issuers": issuers,
            "jurisdictions": sorted({i.jurisdiction for i in issuers.values() if i.jurisdiction}),
            "values": {"jurisdiction": jurisdiction, "issuer": issuer},
        },
    )


@router.get("/credentials/{credential_id:path}", response_class=HTMLResponse)
def credential(request: Request, credential_id: str, store: StoreDep, actor: ActorDep) -> Response:
    """A credential: what it certifies, at which levels, by whom, for how much."""
    found = get_credential(store, credential_id)
    labels = concept_labels(store, [s.uri for s in found.skills])
    return render(
        request,
        "credential.html",
        actor,
        {
            "credential": found,
            "issuer": get_issuer(store, found.issuer),
            "labels": labels,
            "can_edit": actor.is_admin or actor.holds(Role.ISSUER, found.issuer),
            "questions": node_questions(store, found.id, actor=actor, limit=QUESTIONS),
            **credential_part(store, found.id, actor),  # questions to its issuer
        },
    )


# --- verification ---------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, actor: ActorDep) -> Response:
    """Paste or upload a signed credential to verify."""
    ensure_csrf(request)
    return render(request, "verify.html", actor, {"values": {}})


@router.post("/verify", response_class=HTMLResponse)
async def verify(
    request: Request, form: FormDep, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """Verify what was pasted or uploaded, and show every check."""
    text = str(form.get("document", ""))
    upload = form.get("file")
    if not text.strip() and upload is not None and not isinstance(upload, str):
        text = (await upload.read(2_000_001)).decode("utf-8", errors="replace")
    trust = str(form.get("trust", "issuer"))
    values = {"document": text, "trust": trust}
    try:
        document = _json_object(text)
        report = verify_document(
            document,
            loader=issuer.loader,
            issuer=issuer,
            store=lambda: store,
            trust=Trust(trust) if trust in {t.value for t in Trust} else Trust.ISSUER,
        )
    except CredwalkError as e:
        errors = field_errors(e, {"document": "document"}) or {"document": e.message}
        errors = {"document": errors.get("", errors.get("document", e.message))}
        return render(
            request, "verify.html", actor, {"values": values, "errors": errors}, status_code=422
        )
    return render(request, "verify.html", actor, {"values": values, "report": report})


def _json_object(text: str) -> dict[str, object]:
    if not text.strip():
        raise InvalidInputError("paste a signed credential or choose its file")
    try:
        document = json.loads(text)
    except ValueError as e:
        raise InvalidInputError(f"this is not JSON: {e}") from e
    if not isinstance(document, dict):
        raise InvalidInputError("a signed credential is a JSON object")
    return document


# --- suggestions for the pickers (site.js) -----------------------------------------------------


@router.get("/suggest")
def suggest(
    store: StoreDep,
    embedder: EmbedderDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    kind: Annotated[str, Query(pattern="^(skill|occupation|credential)$")] = "skill",
) -> list[dict[str, str]]:
    """Up to eight concepts or credentials for a picker: ``[{"value": iri, "label": ...}]``."""
    if kind == "credential":
        words = q.lower().split()
        found = [c for c in list_credentials(store) if all(w in c.title.lower() for w in words)]
        return [{"value": c.id, "label": c.title} for c in found[:8]]
    node_kind = NodeKind.SKILL if kind == "skill" else NodeKind.OCCUPATION
    try:
        matches = search_concepts(store, embedder, q, kind=node_kind, top=8)
    except CredwalkError:
        return []
    return [{"value": m.uri, "label": m.label} for m in matches]
