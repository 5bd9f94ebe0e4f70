"""The advisor's pages: compare credentials across jurisdictions, record recognition decisions.

``/compare`` is public, as equivalence is: search credentials by title words and country, pick
two to four, and see them side by side through the services of ``GET /v1/compare``
(:func:`~graph.services.equivalence.comparison.compare_credentials`) and, for each pair,
``POST /v1/equivalence`` (:func:`~graph.services.equivalence.equivalents.credential_equivalence`,
whose explanation is shown as the "why"). ``/recognitions`` lists the decisions of the signed-in
advisor's authority, ``/recognitions/new`` records one (or supersedes one) for that authority
through :func:`~graph.services.equivalence.recognition.record_decision`, which decides who may.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EmbedderDep, ReferenceDep, RuntimeDep, SettingsDep, StoreDep
from api.pages.forms import FormDep, ensure_csrf, field_errors
from api.pages.render import iri_path, render
from api.security import ActorDep
from graph.algorithms.equivalence import Thresholds
from graph.embeddings import Embedder
from graph.errors import CredwalkError, ForbiddenError, InvalidInputError, UnauthenticatedError
from graph.model.accounts import Actor, Role
from graph.model.credentials import Credential, Credits
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.assembly.posts import node_questions
from graph.services.catalogue.credentials import (
    get_credential,
    get_credentials,
    list_credentials,
    list_issuers,
)
from graph.services.equivalence.comparison import MAX_COMPARED, compare_credentials
from graph.services.equivalence.equivalents import credential_equivalence, equivalents
from graph.services.equivalence.recognition import (
    CREDIT_UNITS,
    RecognitionDecision,
    RecognitionOutcome,
    authorities_of,
    decision_status,
    get_decision,
    list_decisions,
    record_decision,
)
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

#: At most this many credentials found by a search, and suggested as closest.
FOUND = 20
CLOSEST = 8


# --- comparing credentials ------------------------------------------------------------------


def _find(store: GraphStore, words: str, jurisdiction: str) -> list[Credential]:
    """The credentials whose title has every word, in a jurisdiction (or any)."""
    wanted = words.lower().split()
    where: dict[str, str | int | float | bool] | None = (
        {"jurisdiction": jurisdiction} if jurisdiction else None
    )
    found = [
        c for c in list_credentials(store, where=where) if all(w in c.title.lower() for w in wanted)
    ]
    return sorted(found, key=lambda c: (c.jurisdiction or "", c.title))


def _jurisdictions(store: GraphStore) -> list[str]:
    return sorted({i.jurisdiction for i in list_issuers(store) if i.jurisdiction})


def _titles(store: GraphStore, decisions: list[RecognitionDecision]) -> dict[str, str]:
    ids = {d.credential for d in decisions} | {d.target for d in decisions if d.target}
    return {i: c.title for i, c in get_credentials(store, ids).items()}


def _comparison(
    store: GraphStore, chosen: list[str], reference: ReferenceData, embedder: Embedder
) -> dict[str, Any]:
    """The comparison of ``chosen`` and the decisions about them, with their status today.

    The pairs of the first credential (the one the others are compared with) are explained in
    full; another pair's explanation is one click away (its own comparison), which keeps a
    comparison of four credentials within the time a page may take.
    """
    comparison = compare_credentials(store, chosen, reference=reference, embedder=embedder)
    pairs = [
        (
            p,
            credential_equivalence(store, p.a, p.b, reference=reference, embedder=embedder)
            if chosen[0] in (p.a, p.b)
            else None,
        )
        for p in comparison.pairs
    ]
    superseded = {d.supersedes for d in comparison.recognitions if d.supersedes}
    decisions = [(d, decision_status(d, superseded=superseded)) for d in comparison.recognitions]
    titles = _titles(store, list(comparison.recognitions))
    titles.update({c.id: c.title for c in comparison.credentials})
    return {
        "comparison": comparison,
        "pairs": pairs,
        "thresholds": Thresholds(),
        "decisions": decisions,
        "titles": titles,
        "labels": {row.skill.uri: row.skill.label for row in comparison.skills},
    }


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
    c: Annotated[list[str], Query(max_length=2000)] = [],  # noqa: B006 (FastAPI copies it)
    q: Annotated[str, Query(max_length=200)] = "",
    jurisdiction: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """Search credentials, choose two to four and see them side by side, explained."""
    chosen = list(dict.fromkeys(v.strip() for v in c if v.strip()))
    known = get_credentials(store, chosen)
    errors: dict[str, str] = {}
    unknown = [i for i in chosen if i not in known]
    if unknown:
        errors["c"] = f"no credential {', '.join(unknown)}: left out of the comparison"
    chosen = [i for i in chosen if i in known]
    context: dict[str, Any] = {"chosen": [known[i] for i in chosen], "most": MAX_COMPARED}
    try:
        if len(chosen) >= 2:
            context.update(_comparison(store, chosen, reference, embedder))
        elif len(chosen) == 1:
            closest = equivalents(
                store,
                chosen[0],
                reference=reference,
                embedder=embedder,
                jurisdiction=jurisdiction or None,
                top=CLOSEST,
            )
            context["closest"] = closest.results
    except InvalidInputError as e:
        field = "jurisdiction" if e.details.get("field") == "jurisdiction" else "c"
        errors[field] = e.message
    if q.strip() or jurisdiction:
        context["found"] = [x for x in _find(store, q, jurisdiction) if x.id not in chosen][:FOUND]
    context.update(
        values={"q": q, "jurisdiction": jurisdiction},
        jurisdictions=_jurisdictions(store),
        errors=errors,
        can_decide=actor.holds(Role.ADVISOR),
    )
    return render(
        request, "advisor_compare.html", actor, context, status_code=422 if errors else 200
    )


# --- recognition decisions ------------------------------------------------------------------


@router.get("/recognitions", response_class=HTMLResponse)
def recognitions(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The decisions of the advisor's authorities, latest first, each to open or supersede."""
    authorities = authorities_of(actor)
    decisions = [d for a in authorities for d in list_decisions(store, authority=a)]
    superseded = {d.supersedes for d in decisions if d.supersedes}
    decisions.sort(key=lambda d: d.decided_at, reverse=True)
    rows = [(d, decision_status(d, superseded=superseded)) for d in decisions]
    return render(
        request,
        "advisor_recognitions.html",
        actor,
        {"rows": rows, "authorities": authorities, "titles": _titles(store, decisions)},
    )


#: The fields of the decision form, as typed.
_FIELDS = (
    "authority",
    "authority_name",
    "credential",
    "credential_q",
    "target",
    "target_q",
    "outcome",
    "to_jurisdiction",
    "conditions",
    "note",
    "credits",
    "credits_unit",
    "decided_on",
    "valid_from",
    "valid_until",
    "source",
    "supersedes",
)
#: Where the services' field names are shown on the form.
_FORM_FIELDS = {
    "credential": "credential_q",
    "target": "target_q",
    "outcome": "outcome",
    "to_jurisdiction": "to_jurisdiction",
    "conditions": "conditions",
    "credits": "credits",
    "decided_on": "decided_on",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "note": "note",
    "source": "source",
}


def _defaults(store: GraphStore, authorities: list[str]) -> dict[str, str]:
    """A new decision: the first authority, where its last decision applied, today."""
    latest = sorted(list_decisions(store, authority=authorities[0]), key=lambda d: d.decided_at)
    return {
        "authority": authorities[0],
        "authority_name": next((d.authority_name for d in latest[::-1] if d.authority_name), ""),
        "to_jurisdiction": latest[-1].to_jurisdiction if latest else "",
        "decided_on": datetime.now(UTC).date().isoformat(),
        "credits_unit": "ECTS",
    }


def _values_of(store: GraphStore, previous: RecognitionDecision) -> dict[str, str]:
    """The form filled with a decision to supersede."""
    titles = _titles(store, [previous])
    return {
        "authority": previous.authority,
        "authority_name": previous.authority_name or "",
        "credential": previous.credential,
        "credential_q": titles.get(previous.credential, previous.credential),
        "target": previous.target or "",
        "target_q": titles.get(previous.target, previous.target) if previous.target else "",
        "outcome": previous.outcome.value,
        "to_jurisdiction": previous.to_jurisdiction,
        "conditions": "\n".join(previous.conditions),
        "note": previous.note or "",
        "credits": "" if previous.credits is None else f"{previous.credits.value:g}",
        "credits_unit": "ECTS" if previous.credits is None else previous.credits.unit,
        "valid_from": previous.valid_from or "",
        "valid_until": previous.valid_until or "",
        "source": previous.source or "",
        "supersedes": previous.id,
    }


def _form(
    request: Request,
    actor: Actor,
    reference: ReferenceData,
    *,
    authorities: list[str],
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    existing: str | None = None,
    status_code: int = 200,
) -> Response:
    ensure_csrf(request)
    context = {
        "authorities": authorities,
        "values": values,
        "errors": errors or {},
        "existing": existing,
        "outcomes": [o.value for o in RecognitionOutcome],
        "units": CREDIT_UNITS,
        "jurisdictions": sorted(reference.jurisdictions, key=lambda j: j.name),
    }
    return render(request, "advisor_decide.html", actor, context, status_code=status_code)


@router.get("/recognitions/new", response_class=HTMLResponse)
def new_recognition(
    request: Request,
    store: StoreDep,
    reference: ReferenceDep,
    actor: ActorDep,
    c: Annotated[str, Query(max_length=2000)] = "",
    supersedes: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """The form of a new decision of the advisor's authority, or of one superseding another."""
    authorities = authorities_of(actor)
    values = _defaults(store, authorities)
    if supersedes:
        previous = get_decision(store, supersedes)
        policy.require_advisor(
            actor, previous.authority, action="supersede a decision of this authority"
        )
        values.update(_values_of(store, previous))
    elif c:
        credential = get_credential(store, c)
        values.update(credential=credential.id, credential_q=credential.title)
    return _form(request, actor, reference, authorities=authorities, values=values)


def _pick(store: GraphStore, chosen: str, typed: str, field: str) -> str | None:
    """The credential chosen in a picker, or the only one whose title has the typed words."""
    if chosen:
        return chosen
    if not typed:
        return None
    if "://" in typed:
        return typed
    found = _find(store, typed, "")
    if len(found) == 1:
        return found[0].id
    problem = (
        "no credential's title has these words"
        if not found
        else (f"{len(found)} credentials' titles have these words: choose one from the suggestions")
    )
    raise InvalidInputError(f"{problem}", details={"field": field})


def _date(value: str, field: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as e:
        raise InvalidInputError(
            f"{value!r} is not a date (YYYY-MM-DD)", details={"field": field}
        ) from e


def _credits(values: dict[str, str]) -> Credits | None:
    if not values["credits"]:
        return None
    try:
        amount = float(values["credits"])
    except ValueError as e:
        raise InvalidInputError(
            f"{values['credits']!r} is not a number", details={"field": "credits"}
        ) from e
    return Credits(amount, values["credits_unit"] or "ECTS")


def _decision(store: GraphStore, values: dict[str, str]) -> RecognitionDecision:
    """The decision the form describes; InvalidInputError names the field it cannot read."""
    credential = _pick(store, values["credential"], values["credential_q"], "credential")
    if credential is None:
        raise InvalidInputError(
            "choose the credential the decision recognises", details={"field": "credential"}
        )
    if values["outcome"] not in {o.value for o in RecognitionOutcome}:
        raise InvalidInputError(
            "choose full, partial or conditional recognition", details={"field": "outcome"}
        )
    if not values["to_jurisdiction"]:
        raise InvalidInputError(
            "choose where the credential is recognised", details={"field": "to_jurisdiction"}
        )
    return RecognitionDecision(
        id="",
        authority=values["authority"],
        authority_name=values["authority_name"] or None,
        credential=credential,
        outcome=RecognitionOutcome(values["outcome"]),
        to_jurisdiction=values["to_jurisdiction"],
        decided_by="",  # the signed-in user, set by the service
        decided_at=_date(values["decided_on"], "decided_on") or "",
        target=_pick(store, values["target"], values["target_q"], "target"),
        credits=_credits(values),
        conditions=tuple(line for line in values["conditions"].splitlines() if line.strip()),
        valid_from=_date(values["valid_from"], "valid_from"),
        valid_until=_date(values["valid_until"], "valid_until"),
        source=values["source"] or None,
        note=values["note"] or None,
        supersedes=values["supersedes"] or None,
    )


def _errors(error: CredwalkError, values: dict[str, str]) -> dict[str, str]:
    """The message beside its field (a credential not found: beside the picker naming it)."""
    uri = error.details.get("uri")
    for field in ("credential", "target"):
        if uri is not None and uri in {values[field], values[f"{field}_q"]}:
            return {f"{field}_q": error.message}
    shown = field_errors(error, _FORM_FIELDS)
    named = str(error.details.get("field", ""))
    # Beside its field the message need not name the field again ("conditions: ...").
    return {k: v.removeprefix(f"{named}: ") if k else v for k, v in shown.items()}


@router.post("/recognitions/new", response_class=HTMLResponse)
def record_recognition(
    request: Request, form: FormDep, store: StoreDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Record the decision for the advisor's authority, then show it."""
    authorities = authorities_of(actor)
    values = {name: str(form.get(name, "")).strip() for name in _FIELDS}
    try:
        recorded = record_decision(
            store,
            _decision(store, values),
            actor=actor,
            reference=runtime.reference,
            base_iri=runtime.settings.base_iri,
        )
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        return _form(
            request,
            actor,
            runtime.reference,
            authorities=authorities,
            values=values,
            errors=_errors(e, values),
            existing=str(e.details["existing"]) if "existing" in e.details else None,
            status_code=409 if e.code == "conflict" else 422,
        )
    return RedirectResponse(f"/recognitions/{iri_path(recorded.id)}?recorded=1", status_code=303)


@router.get("/recognitions/{decision_id:path}", response_class=HTMLResponse)
def recognition(
    request: Request,
    decision_id: str,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    recorded: bool = False,
) -> Response:
    """One decision as recorded: what, where, by whom, and what replaced it."""
    decision = get_decision(store, decision_id)
    # A decision made from the Assembly cites its answer: a link to it in its thread.
    answers = f"{settings.base_iri.rstrip('/')}/answer/"
    source = decision.source or ""
    related = list_decisions(store, credential=decision.credential, authority=decision.authority)
    superseded = {d.supersedes for d in related if d.supersedes}
    context = {
        "decision": decision,
        "status": decision_status(decision, superseded=superseded),
        "superseded_by": [d for d in related if d.supersedes == decision.id],
        "titles": _titles(store, [decision]),
        "recorded": recorded,
        "ours": actor.holds(Role.ADVISOR, decision.authority),
        "answer": source.removeprefix(answers) if source.startswith(answers) else None,
        "questions": node_questions(store, decision.id, actor=actor, limit=10),
    }
    return render(request, "advisor_recognition.html", actor, context)
