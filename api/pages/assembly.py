"""The Assembly's pages: questions about graph nodes, their answers, votes and moderation.

Every page calls the services of ``/v1/questions``, ``/v1/answers`` and ``/v1/posts``
(:mod:`graph.services.assembly`), which decide who may do what: the asker accepts, an advisor
or a mentor verifies, a moderator hides, the author edits. ``/assembly`` lists the newest
questions, ``/assembly/ask`` asks one (about nodes picked by searching them),
``/assembly/questions/{id}`` is a thread with its forms, ``/assembly/posts/{id}/edit`` edits a
post, and ``/assembly/answers/{id}/decision`` turns a verified answer into an advisor's
recognition decision. Posts are shown through :func:`render_markdown` only: no raw HTML.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ReferenceDep, RuntimeDep, StoreDep
from api.pages.forms import FormDep, ensure_csrf
from api.pages.render import iri_path, render
from api.schemas.assembly import AnswerPublic, QuestionPublic
from api.security import ActorDep
from graph.errors import CredwalkError, ForbiddenError, InvalidInputError, UnauthenticatedError
from graph.model.accounts import Actor, Role
from graph.model.assembly import MAX_BODY, MAX_TITLE, PostLimits, Question
from graph.model.concepts import NodeKind
from graph.model.credentials import Credits
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.assembly.decisions import decide_from_answer
from graph.services.assembly.listing import recent_questions
from graph.services.assembly.markdown import render_markdown
from graph.services.assembly.posts import (
    accept_answer,
    answer_question,
    ask_question,
    edit_post,
    get_answer,
    get_question,
    get_thread,
    post_iri,
    report_post,
    set_hidden,
    verify_answer,
    vote,
)
from graph.services.catalogue.credentials import get_credentials
from graph.services.concepts import concept_labels
from graph.services.equivalence.recognition import (
    CREDIT_UNITS,
    RecognitionDecision,
    RecognitionOutcome,
    authorities_of,
)
from graph.settings import Settings
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

#: How many questions the Assembly's front page lists.
RECENT = 30
#: The pickers of the ask form: a credential, an occupation, a skill (each optional).
PICKERS = ("credential", "occupation", "skill")


def _limits(settings: Settings) -> PostLimits:
    return PostLimits(posts=settings.assembly_posts_per_hour, window_seconds=3600)


def _short(iri: str) -> str:
    return iri.rpartition("/")[2]


def _iri(settings: Settings, post_id: str, kind: NodeKind | None = None) -> tuple[NodeKind, str]:
    return post_iri(post_id, base_iri=settings.base_iri, kind=kind)


def _beside(error: CredwalkError, field: str) -> dict[str, str]:
    """The message for the form field ``field``, without the service's field name before it."""
    named = str(error.details.get("field", ""))
    return {field: error.message.removeprefix(f"{named}: ")}


def _thread_href(question_iri: str, anchor: str = "") -> str:
    return f"/assembly/questions/{_short(question_iri)}" + (f"#{anchor}" if anchor else "")


def _links(store: GraphStore, uris: list[str]) -> list[dict[str, str]]:
    """Each node a question is about: its label and its page."""
    labels = concept_labels(store, uris)
    titles = {i: c.title for i, c in get_credentials(store, uris).items()}
    links = []
    for uri in uris:
        if uri in titles:
            links.append({"uri": uri, "label": titles[uri], "page": "credentials"})
        elif uri in labels:
            links.append({"uri": uri, "label": labels[uri], "page": "concepts"})
        else:
            links.append({"uri": uri, "label": uri, "page": "recognitions"})
    return links


# --- the front page -------------------------------------------------------------------------


@router.get("/assembly", response_class=HTMLResponse)
def assembly_home(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The newest questions, and the signed-in user's own."""
    recent = recent_questions(store, actor=actor, limit=RECENT)
    mine = (
        recent_questions(store, actor=actor, limit=RECENT, author=actor.user)
        if actor.user is not None
        else []
    )
    about = sorted({uri for q in (*recent, *mine) for uri in q.about})
    context = {
        "recent": [QuestionPublic.from_domain(q) for q in recent],
        "mine": [QuestionPublic.from_domain(q) for q in mine],
        "links": {link["uri"]: link for link in _links(store, about)},
    }
    return render(request, "assembly/home.html", actor, context)


# --- asking ---------------------------------------------------------------------------------

_PICKED = tuple(f"{p}{suffix}" for p in PICKERS for suffix in ("", "_q"))
_ASK_FIELDS = ("title", "body", "more", "jurisdiction", *_PICKED)


def _ask_form(
    request: Request,
    store: GraphStore,
    actor: Actor,
    reference: ReferenceData,
    *,
    values: dict[str, str],
    chosen: list[str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ensure_csrf(request)
    context = {
        "values": values,
        "chosen": _links(store, chosen),
        "errors": errors or {},
        "jurisdictions": sorted(reference.jurisdictions, key=lambda j: j.name),
        "limits": {"title": MAX_TITLE, "body": MAX_BODY},
        # Similar earlier questions, with the reason each is similar: the suggestion service
        # (issue 17, point 3) fills this list; until it is here, none is shown.
        "suggestions": [],
    }
    return render(request, "assembly/ask.html", actor, context, status_code=status_code)


@router.get("/assembly/ask", response_class=HTMLResponse)
def ask_page(
    request: Request,
    store: StoreDep,
    reference: ReferenceDep,
    actor: ActorDep,
    about: Annotated[list[str], Query(max_length=2000)] = [],  # noqa: B006 (FastAPI copies it)
) -> Response:
    """The form of a new question, about the nodes named in ``about`` (from a node's page)."""
    policy.require_user(actor, action="ask a question")
    chosen = list(dict.fromkeys(a.strip() for a in about if a.strip()))[:10]
    values = dict.fromkeys(_ASK_FIELDS, "")
    return _ask_form(request, store, actor, reference, values=values, chosen=chosen)


def _about(values: dict[str, str], chosen: list[str]) -> tuple[list[str], list[str]]:
    """What the question is about and, for each item, the form field it came from."""
    items, fields = list(chosen), ["about"] * len(chosen)
    for kind in PICKERS:
        typed = values[f"{kind}_q"]
        picked = values[kind] or (typed if "://" in typed else "")
        if typed and not picked:
            raise InvalidInputError(
                f"pick a {kind} from the suggestions (or paste its IRI)",
                details={"field": f"{kind}_q"},
            )
        if picked:
            items.append(picked)
            fields.append(f"{kind}_q")
    for line in values["more"].splitlines():
        if line.strip():
            items.append(line.strip())
            fields.append("more")
    if values["jurisdiction"]:
        items.append(values["jurisdiction"])
        fields.append("jurisdiction")
    return items, fields


def _about_field(error: CredwalkError, fields: list[str]) -> str:
    """The form field of the service's ``about[i]`` (or ``title``, ``body``)."""
    named = str(error.details.get("field", ""))
    if named.startswith("about[") and named.endswith("]"):
        index = named[6:-1]
        if index.isdigit() and int(index) < len(fields):
            return fields[int(index)]
    return named if named in {"title", "body", "about", *_ASK_FIELDS} else ""


@router.post("/assembly/ask", response_class=HTMLResponse)
def ask(request: Request, form: FormDep, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """Post the question, then show its thread."""
    store = runtime.open_store()
    policy.require_user(actor, action="ask a question")
    values = {name: str(form.get(name, "")) for name in _ASK_FIELDS}
    chosen = [str(v).strip() for v in form.getlist("about") if str(v).strip()]
    fields: list[str] = []
    try:
        items, fields = _about(values, chosen)
        question = ask_question(
            store,
            actor=actor,
            title=values["title"],
            body=values["body"],
            about=items,
            reference=runtime.reference,
            base_iri=runtime.settings.base_iri,
            limits=_limits(runtime.settings),
        )
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        errors = _beside(e, _about_field(e, fields) or str(e.details.get("field", "")))
        return _ask_form(
            request,
            store,
            actor,
            runtime.reference,
            values=values,
            chosen=chosen,
            errors=errors if next(iter(errors)) in {*_ASK_FIELDS, "about"} else {"": e.message},
            status_code=429 if e.code == "too_many_requests" else 422,
        )
    return RedirectResponse(_thread_href(question.id), status_code=303)


# --- a thread -------------------------------------------------------------------------------


def _thread_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    question_iri: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The thread, with what was typed in one of its forms and the message beside it."""
    ensure_csrf(request)
    thread = get_thread(store, question_iri, actor=actor)
    question = thread.question
    answers = [
        (AnswerPublic.from_domain(a), a.votes.get(actor.user or "", 0)) for a in thread.answers
    ]
    context = {
        "question": QuestionPublic.from_domain(question),
        "about": _links(store, list(question.about)),
        "answers": answers,
        "values": values or {},
        "errors": errors or {},
        "md": render_markdown,
        "can": {
            "accept": actor.user is not None and (actor.user == question.author or actor.is_admin),
            "verify": actor.holds(Role.ADVISOR) or actor.holds(Role.MENTOR) or actor.is_admin,
            "moderate": actor.is_admin,
            "decide": actor.holds(Role.ADVISOR),
        },
    }
    return render(request, "assembly/thread.html", actor, context, status_code=status_code)


@router.get("/assembly/questions/{question_id}", response_class=HTMLResponse)
def thread_page(
    request: Request, question_id: str, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """A question with its answers: verified, accepted, then by votes."""
    _, iri = _iri(runtime.settings, question_id, NodeKind.QUESTION)
    return _thread_page(request, runtime.open_store(), actor, iri)


@router.post("/assembly/questions/{question_id}/answers", response_class=HTMLResponse)
def answer_page(
    request: Request, question_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Post an answer, then show it in its thread."""
    store = runtime.open_store()
    _, iri = _iri(runtime.settings, question_id, NodeKind.QUESTION)
    body = str(form.get("body", ""))
    try:
        posted = answer_question(
            store,
            actor=actor,
            question=iri,
            body=body,
            base_iri=runtime.settings.base_iri,
            limits=_limits(runtime.settings),
        )
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        if e.code == "not_found":
            raise
        return _thread_page(
            request,
            store,
            actor,
            iri,
            values={"answer-body": body},
            errors=_beside(e, "answer-body"),
            status_code=429 if e.code == "too_many_requests" else 422,
        )
    return RedirectResponse(_thread_href(iri, f"a-{_short(posted.id)}"), status_code=303)


def _answer_action(
    request: Request,
    runtime: Any,
    actor: Actor,
    answer_id: str,
    act: Any,
    *,
    field: str | None = None,
    typed: str = "",
) -> Response:
    """Run ``act(store, answer_iri)`` and go back to the thread, or show the message there."""
    store = runtime.open_store()
    _, iri = _iri(runtime.settings, answer_id, NodeKind.ANSWER)
    question = get_answer(store, iri, actor=actor).question
    try:
        act(store, iri)
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        if field is None or e.code == "not_found":
            raise
        key = f"{field}-{answer_id}"
        return _thread_page(
            request,
            store,
            actor,
            question,
            values={key: typed},
            errors=_beside(e, key),
            status_code=422,
        )
    return RedirectResponse(_thread_href(question, f"a-{answer_id}"), status_code=303)


@router.get("/assembly/answers/{answer_id}", response_class=HTMLResponse)
def answer_link(answer_id: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """An answer, in its thread (where a decision citing it links to)."""
    _, iri = _iri(runtime.settings, answer_id, NodeKind.ANSWER)
    question = get_answer(runtime.open_store(), iri, actor=actor).question
    return RedirectResponse(_thread_href(question, f"a-{answer_id}"), status_code=303)


@router.post("/assembly/answers/{answer_id}/vote", response_class=HTMLResponse)
def vote_page(
    request: Request, answer_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Vote an answer up or down, or take the vote back (0)."""
    given = str(form.get("value", ""))
    value = int(given) if given.lstrip("-").isdigit() and len(given) <= 2 else 2  # 2: refused

    def act(store: GraphStore, iri: str) -> None:
        vote(store, iri, actor=actor, value=value)

    return _answer_action(request, runtime, actor, answer_id, act)


@router.post("/assembly/answers/{answer_id}/accept", response_class=HTMLResponse)
def accept_page(
    request: Request, answer_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Accept an answer to one's own question."""

    def act(store: GraphStore, iri: str) -> None:
        accept_answer(store, iri, actor=actor)

    return _answer_action(request, runtime, actor, answer_id, act)


@router.post("/assembly/answers/{answer_id}/verify", response_class=HTMLResponse)
def verify_page(
    request: Request, answer_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Mark an answer verified (an advisor or a mentor), with an optional note."""
    note = str(form.get("note", ""))

    def act(store: GraphStore, iri: str) -> None:
        verify_answer(store, iri, actor=actor, note=note)

    return _answer_action(request, runtime, actor, answer_id, act, field="note", typed=note)


def _post_thread(store: GraphStore, actor: Actor, kind: NodeKind, iri: str) -> str:
    """The IRI of the thread a post belongs to."""
    if kind is NodeKind.QUESTION:
        return get_question(store, iri, actor=actor).id
    return get_answer(store, iri, actor=actor).question


def _moderation(
    request: Request, runtime: Any, actor: Actor, post_id: str, act: Any, field: str, typed: str
) -> Response:
    """Report or hide a post, then back to its thread (or the message beside ``field``)."""
    store = runtime.open_store()
    kind, iri = _iri(runtime.settings, post_id)
    thread = _post_thread(store, actor, kind, iri)
    try:
        act(store, iri, kind)
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        if e.code == "not_found":
            raise
        key = f"{field}-{post_id}"
        return _thread_page(
            request,
            store,
            actor,
            thread,
            values={key: typed},
            errors=_beside(e, key),
            status_code=422,
        )
    anchor = "question" if kind is NodeKind.QUESTION else f"a-{post_id}"
    return RedirectResponse(_thread_href(thread, anchor), status_code=303)


@router.post("/assembly/posts/{post_id}/report", response_class=HTMLResponse)
def report_page(
    request: Request, post_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Report a post, saying why (once per user)."""
    reason = str(form.get("reason", ""))

    def act(store: GraphStore, iri: str, kind: NodeKind) -> None:
        report_post(store, iri, kind, actor=actor, reason=reason)

    return _moderation(request, runtime, actor, post_id, act, "reason", reason)


@router.post("/assembly/posts/{post_id}/hidden", response_class=HTMLResponse)
def hide_page(
    request: Request, post_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Hide a post, saying why, or show it again (a moderator)."""
    reason = str(form.get("reason", ""))
    hidden = form.get("hidden") == "1"

    def act(store: GraphStore, iri: str, kind: NodeKind) -> None:
        set_hidden(store, iri, kind, actor=actor, hidden=hidden, reason=reason)

    return _moderation(request, runtime, actor, post_id, act, "hide", reason)


# --- editing a post -------------------------------------------------------------------------


def _edit_form(
    request: Request,
    actor: Actor,
    post: Any,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ensure_csrf(request)
    context = {
        "post": post,
        "is_question": isinstance(post, QuestionPublic),
        "thread": _thread_href(post.iri if isinstance(post, QuestionPublic) else post.question),
        "values": values,
        "errors": errors or {},
        "md": render_markdown,
        "limits": {"title": MAX_TITLE, "body": MAX_BODY},
    }
    return render(request, "assembly/edit.html", actor, context, status_code=status_code)


def _public(store: GraphStore, actor: Actor, kind: NodeKind, iri: str) -> Any:
    """The post as the API shows it (a hidden one only for its author and moderators)."""
    if kind is NodeKind.QUESTION:
        return QuestionPublic.from_domain(get_question(store, iri, actor=actor))
    return AnswerPublic.from_domain(get_answer(store, iri, actor=actor))


@router.get("/assembly/posts/{post_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, post_id: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """The form editing a post (its author), with the texts it had before."""
    kind, iri = _iri(runtime.settings, post_id)
    post = _public(runtime.open_store(), actor, kind, iri)
    policy.require_post_author(actor, post.author, action=f"edit this {kind.value}")
    values = {"body": post.body, "title": getattr(post, "title", "")}
    return _edit_form(request, actor, post, values=values)


@router.post("/assembly/posts/{post_id}/edit", response_class=HTMLResponse)
def edit(
    request: Request, post_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Replace a post's text; the earlier one stays in its history."""
    store = runtime.open_store()
    kind, iri = _iri(runtime.settings, post_id)
    values = {"body": str(form.get("body", "")), "title": str(form.get("title", ""))}
    is_question = kind is NodeKind.QUESTION
    # The service reads the text before the post: a stranger is refused before any 422.
    author = _public(store, actor, kind, iri).author
    policy.require_post_author(actor, author, action=f"edit this {kind.value}")
    try:
        edited = edit_post(
            store,
            iri,
            kind,
            actor=actor,
            body=values["body"],
            title=values["title"] if is_question else None,
        )
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        if e.code == "not_found":
            raise
        field = str(e.details.get("field", ""))
        return _edit_form(
            request,
            actor,
            _public(store, actor, kind, iri),
            values=values,
            errors=_beside(e, field if field in values else ""),
            status_code=422,
        )
    thread = edited.id if isinstance(edited, Question) else edited.question
    return RedirectResponse(
        _thread_href(thread, "question" if is_question else f"a-{post_id}"), status_code=303
    )


# --- from a verified answer to a recognition decision ----------------------------------------

_DECISION_FIELDS = (
    *("authority", "credential", "outcome", "to_jurisdiction"),
    *("credits", "credits_unit", "conditions", "note"),
)


def _decision_form(
    request: Request,
    store: GraphStore,
    actor: Actor,
    reference: ReferenceData,
    answer_iri: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    authorities = authorities_of(actor)
    answer = get_answer(store, answer_iri, actor=actor)
    question = get_question(store, answer.question, actor=actor)
    credentials = get_credentials(store, question.about)
    defaults = {"authority": authorities[0], "to_jurisdiction": question.jurisdiction or ""}
    defaults |= {"credits_unit": "ECTS"}
    if len(credentials) == 1:
        defaults["credential"] = next(iter(credentials))
    ensure_csrf(request)
    context = {
        "answer": AnswerPublic.from_domain(answer),
        "question": QuestionPublic.from_domain(question),
        "verified": question.verified is not None and question.verified.answer == answer.id,
        "authorities": authorities,
        "credentials": sorted(credentials.values(), key=lambda c: c.title),
        "values": values or defaults,
        "errors": errors or {},
        "outcomes": [o.value for o in RecognitionOutcome],
        "units": CREDIT_UNITS,
        "jurisdictions": sorted(reference.jurisdictions, key=lambda j: j.name),
    }
    return render(request, "assembly/decision.html", actor, context, status_code=status_code)


@router.get("/assembly/answers/{answer_id}/decision", response_class=HTMLResponse)
def decision_page(
    request: Request, answer_id: str, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """The form turning a verified answer into a decision of the advisor's authority."""
    _, iri = _iri(runtime.settings, answer_id, NodeKind.ANSWER)
    return _decision_form(request, runtime.open_store(), actor, runtime.reference, iri)


def _recognition(values: dict[str, str]) -> RecognitionDecision:
    """The decision the form describes; InvalidInputError names the field it cannot read."""
    if values["outcome"] not in {o.value for o in RecognitionOutcome}:
        raise InvalidInputError(
            "choose full, partial or conditional recognition", details={"field": "outcome"}
        )
    credits = None
    if values["credits"]:
        try:
            credits = Credits(float(values["credits"]), values["credits_unit"] or "ECTS")
        except ValueError as e:
            raise InvalidInputError(
                f"{values['credits']!r} is not a number", details={"field": "credits"}
            ) from e
    return RecognitionDecision(
        id="",
        authority=values["authority"],
        credential=values["credential"],
        outcome=RecognitionOutcome(values["outcome"]),
        to_jurisdiction=values["to_jurisdiction"],
        decided_by="",  # the signed-in advisor, set by the service
        decided_at="",  # today, set by the service
        credits=credits,
        conditions=tuple(
            line.strip() for line in values["conditions"].splitlines() if line.strip()
        ),
        note=values["note"].strip() or None,
    )


@router.post("/assembly/answers/{answer_id}/decision", response_class=HTMLResponse)
def decide(
    request: Request, answer_id: str, form: FormDep, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    """Record the decision citing the verified answer, then show it."""
    store = runtime.open_store()
    _, iri = _iri(runtime.settings, answer_id, NodeKind.ANSWER)
    values = {name: str(form.get(name, "")).strip() for name in _DECISION_FIELDS}
    values["authority"] = values["authority"] or authorities_of(actor)[0]
    try:
        recorded = decide_from_answer(
            store,
            iri,
            _recognition(values),
            actor=actor,
            reference=runtime.reference,
            base_iri=runtime.settings.base_iri,
        )
    except (ForbiddenError, UnauthenticatedError):
        raise
    except CredwalkError as e:
        if e.code == "not_found" and e.details.get("id") == iri:
            raise
        field = str(e.details.get("field", ""))
        return _decision_form(
            request,
            store,
            actor,
            runtime.reference,
            iri,
            values=values,
            errors=_beside(e, field if field in values else ""),
            status_code=409 if e.code == "conflict" else 422,
        )
    return RedirectResponse(f"/recognitions/{iri_path(recorded.id)}?recorded=1", status_code=303)
