"""Issuer consultation pages: ask a credential's issuer, the thread, the issuer's inbox.

``/consultations/new?credential=<IRI>`` (and the form on a credential's page) asks the issuer;
``/consultations/{id}`` is the thread, where the asker and the issuer's staff answer and the
asker chooses who else reads it; ``/catalogue/questions`` is the issuer staff's "questions to
us"; ``/me/questions`` the asker's own. Every rule is the services'
(:mod:`graph.services.assembly.consultations`, :func:`graph.services.policy.
may_see_consultation`): a page only reads the form and shows what they return.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ReferenceDep, SettingsDep, StoreDep
from api.pages.forms import FormDep, field_errors
from api.pages.render import render
from api.security import ActorDep
from graph.errors import CredwalkError, ForbiddenError, NotFoundError, UnauthenticatedError
from graph.model.accounts import Actor
from graph.model.assembly import PostLimits, Question
from graph.model.concepts import NodeKind
from graph.services import policy
from graph.services.accounts import user_iri
from graph.services.assembly.consultations import (
    ConsultationItem,
    ask_issuer,
    consultation_thread,
    credential_consultations,
    inbox,
    my_consultations,
    share_consultation,
)
from graph.services.assembly.markdown import render_markdown
from graph.services.assembly.posts import Thread, answer_question, post_iri
from graph.services.catalogue.credentials import get_credential, get_credentials, get_issuer
from graph.settings import Settings
from graph.store import GraphStore

__all__ = ["credential_part", "router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

_ASK_FIELDS = ("credential", "title", "body", "share_with", "public")
#: The services' fields, by the form's.
_FIELDS = {"credential": "credential", "title": "title", "body": "body", "share_with": "share_with"}
_PASSED = (ForbiddenError, UnauthenticatedError, NotFoundError)


def _limits(settings: Settings) -> PostLimits:
    return PostLimits(posts=settings.assembly_posts_per_hour, window_seconds=3600)


def _may_ask(actor: Actor) -> bool:
    try:
        policy.require_consultation_asker(actor, action="ask an issuer")
    except (ForbiddenError, UnauthenticatedError):
        return False
    return True


def _names(text: str, settings: Settings) -> list[str]:
    """User IRIs from the names typed, separated by commas or spaces."""
    return [user_iri(n, base_iri=settings.base_iri) for n in text.replace(",", " ").split()]


def _short(iri: str) -> str:
    return iri.rpartition("/")[2]


def credential_part(store: GraphStore, credential: str, actor: Actor) -> dict[str, Any]:
    """What a credential's page shows of its consultations: those the actor reads, the form."""
    return {
        "consultations": credential_consultations(store, credential, actor=actor),
        "may_ask": _may_ask(actor),
        "ask_values": {"credential": credential},
    }


def _ask_form(
    request: Request,
    store: GraphStore,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    credential = None
    if values.get("credential"):
        try:
            credential = get_credential(store, values["credential"])
        except NotFoundError:
            credential = None
    context = {
        "credential": credential,
        "issuer": None if credential is None else get_issuer(store, credential.issuer),
        "values": values,
        "errors": errors or {},
    }
    return render(
        request, "consultation_new.html", actor, context, status_code=422 if errors else 200
    )


@router.get("/consultations/new", response_class=HTMLResponse)
def new_consultation(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    credential: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """The form asking a credential's issuer about it (a learner or a mentor)."""
    policy.require_consultation_asker(actor, action="ask an issuer about a credential")
    return _ask_form(request, store, actor, {"credential": credential})


@router.post("/consultations", response_class=HTMLResponse)
def ask(
    request: Request,
    form: FormDep,
    store: StoreDep,
    settings: SettingsDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> Response:
    """Ask the issuer, then show the thread; bad input: the form again, as typed."""
    values = {name: str(form.get(name, "")).strip() for name in _ASK_FIELDS}
    try:
        asked = ask_issuer(
            store,
            actor=actor,
            credential=values["credential"],
            title=values["title"],
            body=values["body"],
            reference=reference,
            base_iri=settings.base_iri,
            public=values["public"] == "on",
            share_with=_names(values["share_with"], settings),
            limits=_limits(settings),
        )
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        return _ask_form(request, store, actor, values, field_errors(e, _FIELDS))
    return RedirectResponse(f"/consultations/{_short(asked.id)}?asked=1", status_code=303)


def _thread_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    thread: Thread,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    q = thread.question
    assert q.consultation is not None
    c = q.consultation
    context = {
        "question": q,
        "consultation": c,
        "credential": get_credentials(store, [c.credential]).get(c.credential),
        "issuer": get_issuer(store, c.issuer),
        "answers": thread.answers,
        "html": {
            **{a.id: render_markdown(a.body) for a in thread.answers},
            q.id: render_markdown(q.body),
        },
        "may_answer": _may_answer(actor, q),
        "is_asker": actor.user == q.author or actor.is_admin,
        "shared_names": ", ".join(_short(u) for u in c.shared_with),
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
    }
    return render(request, "consultation.html", actor, context, status_code=422 if errors else 200)


def _may_answer(actor: Actor, question: Question) -> bool:
    assert question.consultation is not None
    try:
        policy.require_consultation_party(
            actor, asker=question.author, issuer=question.consultation.issuer, action="answer"
        )
    except (ForbiddenError, UnauthenticatedError):
        return False
    return True


def _iri(question_id: str, settings: Settings) -> str:
    return post_iri(question_id, base_iri=settings.base_iri, kind=NodeKind.QUESTION)[1]


@router.get("/consultations/{question_id}", response_class=HTMLResponse)
def consultation(
    request: Request,
    question_id: str,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    asked: bool = False,
    answered: bool = False,
    shared: bool = False,
) -> Response:
    """A question to an issuer with its answers, for those who may read it."""
    thread = consultation_thread(store, _iri(question_id, settings), actor=actor)
    notice = (
        "Your question was sent to the issuer."
        if asked
        else "Your answer was posted."
        if answered
        else "Who reads it was changed."
        if shared
        else ""
    )
    return _thread_page(request, store, actor, thread, notice=notice)


def _thread_again(
    request: Request,
    store: GraphStore,
    actor: Actor,
    iri: str,
    error: CredwalkError,
    values: dict[str, str],
) -> Response:
    """The thread again, with what was typed and the error beside the field it names."""
    thread = consultation_thread(store, iri, actor=actor)
    errors = field_errors(error, {name: name for name in values if name != "public"})
    return _thread_page(request, store, actor, thread, values=values, errors=errors)


@router.post("/consultations/{question_id}/answers", response_class=HTMLResponse)
def answer(
    request: Request,
    question_id: str,
    form: FormDep,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> Response:
    """Answer a question to an issuer (its asker and the issuer's staff)."""
    iri = _iri(question_id, settings)
    body = str(form.get("body", ""))
    try:
        answer_question(
            store,
            actor=actor,
            question=iri,
            body=body,
            base_iri=settings.base_iri,
            limits=_limits(settings),
        )
    except _PASSED:
        raise
    except CredwalkError as e:
        return _thread_again(request, store, actor, iri, e, {"body": body})
    return RedirectResponse(f"/consultations/{question_id}?answered=1", status_code=303)


@router.post("/consultations/{question_id}/sharing", response_class=HTMLResponse)
def share(
    request: Request,
    question_id: str,
    form: FormDep,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> Response:
    """Choose who else reads the question: named users, or everyone (its asker)."""
    iri = _iri(question_id, settings)
    values = {"share_with": str(form.get("share_with", "")), "public": str(form.get("public", ""))}
    try:
        share_consultation(
            store,
            iri,
            actor=actor,
            public=values["public"] == "on",
            share_with=_names(values["share_with"], settings),
        )
    except _PASSED:
        raise
    except CredwalkError as e:
        return _thread_again(request, store, actor, iri, e, values)
    return RedirectResponse(f"/consultations/{question_id}?shared=1", status_code=303)


def _list_page(
    request: Request, store: GraphStore, actor: Actor, items: list[ConsultationItem], **kw: str
) -> Response:
    wanted = {i.question.consultation.credential for i in items if i.question.consultation}
    titles = {uri: c.title for uri, c in get_credentials(store, wanted).items()}
    context = {"items": items, "titles": titles, **kw}
    return render(request, "consultations.html", actor, context)


@router.get("/catalogue/questions", response_class=HTMLResponse)
def issuer_inbox(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """Questions to us: what learners and mentors asked the issuer, newest first (its staff)."""
    items = inbox(store, actor=actor)
    return _list_page(
        request,
        store,
        actor,
        items,
        heading="Questions to us",
        lede="What learners and mentors asked about your credentials, newest first.",
        empty="No question yet.",
    )


@router.get("/me/questions", response_class=HTMLResponse)
def mine(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The questions the signed-in user asked issuers, newest first."""
    items = my_consultations(store, actor=actor)
    return _list_page(
        request,
        store,
        actor,
        items,
        heading="My questions to issuers",
        lede="Ask an issuer from a credential's page.",
        empty="You have not asked an issuer yet.",
    )
