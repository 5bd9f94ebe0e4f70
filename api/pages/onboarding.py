"""The onboarding test's pages: the learner takes it, its authors keep the bank, assessors rate.

- ``/me/onboarding``: my tests (status, per-skill level and confidence, when I may retake),
  and the form that starts one for a target (an occupation or a credential);
  ``/me/onboarding/<id>``: one test, one question at a time (never its key), then its result.
- ``/onboarding/items``: the item bank with its keys, for issuers' staff and assessors, and
  the form that adds an item; ``/onboarding/items/<id>``: an item, and its next version.
- ``/onboarding/ratings``: the tasks whose evidence waits for an assessor's rating.

Every page calls the services of :mod:`graph.services.onboarding` (the API's) with the
signed-in user as the actor; they decide who may see or do what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from api.deps import IssuerDep, StoreDep
from api.pages.forms import FormDep, field_errors
from api.pages.learner import my_learner
from api.pages.render import render
from api.security import ActorDep
from graph.errors import ConflictError, CredwalkError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor, Role
from graph.model.onboarding import Item, ItemKind
from graph.services import policy
from graph.services.catalogue.credentials import get_credentials
from graph.services.concepts import concept_labels
from graph.services.onboarding.attempts import (
    DEFAULT_WAIT,
    AttemptView,
    TaskToRate,
    answer_item,
    attempt_iri,
    get_attempt,
    list_attempts,
    rate_answer,
    start_attempt,
    tasks_to_rate,
)
from graph.services.onboarding.items import (
    ItemDraft,
    get_item,
    item_iri,
    list_items,
    revise_item,
    write_item,
)
from graph.services.pathways.targets import TargetKind, parse_target
from graph.store import GraphStore

__all__ = ["AttemptRow", "router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

Ref = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._~-]+$")]
#: The largest evidence file a task answer takes (its name and SHA-256 are recorded).
MAX_EVIDENCE = 5_000_000


@dataclass(frozen=True, slots=True)
class Shown:
    """What a page shows beside its data: the form as typed, errors by field, a notice."""

    values: dict[str, str] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    status_code: int = 200
    notice: str = ""

    @classmethod
    def refused(cls, error: CredwalkError, values: dict[str, str], errors: dict[str, str]) -> Shown:
        """The form again after ``error``: 409 for a state that refuses it, else 422."""
        return cls(values, errors, 409 if isinstance(error, ConflictError) else 422)


NOTHING = Shown()


def _show(
    request: Request,
    actor: Actor,
    template: str,
    context: dict[str, Any],
    shown: Shown,
    values: dict[str, str],
) -> Response:
    """Render ``template`` with the form as typed (else ``values``), its errors and notice."""
    context |= {"values": shown.values or values, "errors": shown.errors, "notice": shown.notice}
    return render(request, template, actor, context, status_code=shown.status_code)


def _short(iri: str) -> str:
    return iri.rpartition("/")[2]


def _labels(store: GraphStore, skills: Sequence[str]) -> dict[str, str]:
    found = concept_labels(store, list(skills))
    return {s: found.get(s, s) for s in skills}


def _target_label(store: GraphStore, target: str) -> str:
    parsed = parse_target(target)
    if parsed.kind is TargetKind.CREDENTIAL:
        credential = get_credentials(store, list(parsed.ids)).get(parsed.ids[0])
        return credential.title if credential else parsed.ids[0]
    return ", ".join(_labels(store, parsed.ids).values())


# --- the learner's tests ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One of my tests as listed: what it was for, and when it may be taken again."""

    view: AttemptView
    short: str
    target: str
    retake: str


def _retake(view: AttemptView) -> str:
    finished = view.attempt.finished_at
    if finished is None:
        return ""
    return (dt.date.fromisoformat(finished[:10]) + DEFAULT_WAIT).isoformat()


def _tests_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    shown: Shown = NOTHING,
) -> Response:
    views = list_attempts(store, my_learner(actor), actor=actor)
    rows = [
        AttemptRow(v, _short(v.attempt.id), _target_label(store, v.attempt.target), _retake(v))
        for v in reversed(views)
    ]
    skills = {r.skill for v in views for r in v.results}
    context = {
        "rows": rows,
        "labels": _labels(store, sorted(skills)),
        "today": dt.date.today().isoformat(),
    }
    return _show(request, actor, "onboarding/tests.html", context, shown, {"kind": "credential"})


@router.get("/me/onboarding", response_class=HTMLResponse)
def my_tests(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """My onboarding tests, newest first, and the form that starts one."""
    return _tests_page(request, store, actor)


def _chosen_target(values: dict[str, str]) -> str:
    kind = values.get("kind", "")
    if kind not in {"occupation", "credential"}:
        raise InvalidInputError(
            "kind: choose an occupation or a credential", details={"field": "kind"}
        )
    if not values.get(kind):
        raise InvalidInputError(
            f"{kind}: pick a {kind} from the suggestions", details={"field": kind}
        )
    return f"{kind}:{values[kind]}"


@router.post("/me/onboarding", response_class=HTMLResponse)
def start_test(
    request: Request, form: FormDep, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """Start a test for the chosen target; a refused start writes nothing and says why."""
    values = {k: str(v).strip() for k, v in form.multi_items() if k != "csrf_token"}
    learner = my_learner(actor)
    try:
        target = _chosen_target(values)
        view = start_attempt(store, learner, target=target, actor=actor, base_iri=issuer.base_iri)
    except (InvalidInputError, NotFoundError, ConflictError) as e:
        chosen = values.get("kind") if values.get("kind") in {"occupation", "credential"} else ""
        fields = {"kind": "kind", "occupation": "occupation", "credential": "credential"}
        errors = field_errors(e, {**fields, "target": chosen or "kind"})
        return _tests_page(request, store, actor, Shown.refused(e, values, errors))
    return RedirectResponse(f"/me/onboarding/{_short(view.attempt.id)}", status_code=303)


def _test_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    view: AttemptView,
    shown: Shown = NOTHING,
) -> Response:
    attempt = view.attempt
    context = {
        "view": view,
        "short": _short(attempt.id),
        "target": _target_label(store, attempt.target),
        "labels": _labels(store, [*attempt.skills, *view.untested]),
        "mine": actor.holds(Role.LEARNER, attempt.learner),
        "waiting": [a for a in attempt.answers if a.right is None],
        "retake": _retake(view),
    }
    return _show(request, actor, "onboarding/test.html", context, shown, {})


@router.get("/me/onboarding/{attempt_id}", response_class=HTMLResponse)
def my_test(
    request: Request, attempt_id: Ref, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """One test: the question asked now (no key), what waits for a rating, the result."""
    view = get_attempt(store, attempt_iri(attempt_id, base_iri=issuer.base_iri), actor=actor)
    return _test_page(request, store, actor, view)


async def _evidence(form: FormData) -> str:
    """The task's evidence as recorded: the text, and the uploaded file's name and SHA-256."""
    text = str(form.get("response", "")).strip()
    upload = form.get("evidence")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_EVIDENCE + 1)
        if len(content) > MAX_EVIDENCE:
            raise InvalidInputError(
                f"evidence: at most {MAX_EVIDENCE // 1_000_000} MB", details={"field": "evidence"}
            )
        digest = hashlib.sha256(content).hexdigest()
        text = f"{text}\nDocument {upload.filename} (SHA-256 {digest})".strip()
    return text


@router.post("/me/onboarding/{attempt_id}", response_class=HTMLResponse)
async def answer(
    request: Request,
    attempt_id: Ref,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Answer the question asked now; a refused answer writes nothing and says why."""
    uri = attempt_iri(attempt_id, base_iri=issuer.base_iri)
    values = {"response": str(form.get("response", ""))}
    try:
        response = await _evidence(form)
        answer_item(store, uri, item=str(form.get("item", "")), response=response, actor=actor)
    except (InvalidInputError, ConflictError) as e:
        view = get_attempt(store, uri, actor=actor)
        errors = field_errors(e, {"response": "response", "evidence": "evidence"})
        if "response" in errors and "response" not in form:  # a radio group sent nothing
            errors["response"] = "response: choose one of the options"
        return _test_page(request, store, actor, view, Shown.refused(e, values, errors))
    return RedirectResponse(f"/me/onboarding/{attempt_id}", status_code=303)


# --- the item bank ---------------------------------------------------------------------------

_ITEM_FIELDS = ("skill", "level", "kind", "prompt", "options", "answer", "accepted", "rubric")


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _draft(values: dict[str, str]) -> ItemDraft:
    """The item the form describes; what is not a number or not a kind is named."""
    level = values.get("level", "")
    if not level.isdigit():
        raise InvalidInputError(
            f"level: a whole number 1-8, got {level!r}", details={"field": "level"}
        )
    try:
        kind = ItemKind(values.get("kind", ""))
    except ValueError as e:
        raise InvalidInputError(
            "kind: choose what the item asks for", details={"field": "kind"}
        ) from e
    options = _lines(values.get("options", "")) if kind is ItemKind.MULTIPLE_CHOICE else ()
    right = values.get("answer", "").strip() if kind is ItemKind.MULTIPLE_CHOICE else ""
    if right and right not in options:
        raise InvalidInputError(
            "answer: write the right option exactly as one of the options",
            details={"field": "answer"},
        )
    return ItemDraft(
        skill=values.get("skill", ""),
        level=int(level),
        kind=kind,
        prompt=values.get("prompt", ""),
        options=options,
        answer=options.index(right) if right else None,
        accepted=_lines(values.get("accepted", "")) if kind is ItemKind.SHORT_ANSWER else (),
        rubric=values.get("rubric", "").strip() or None,
    )


def _form_values(form: FormData) -> dict[str, str]:
    names = (*_ITEM_FIELDS, "skill_label")
    return {k: str(form.get(k, "")) for k in names}


def _item_values(item: Item, label: str) -> dict[str, str]:
    """The form of an item's next version, filled with the latest."""
    return {
        "skill": item.skill,
        "skill_label": label,
        "level": str(item.level),
        "kind": item.kind.value,
        "prompt": item.prompt,
        "options": "\n".join(item.options),
        "answer": item.options[item.answer] if item.answer is not None else "",
        "accepted": "\n".join(item.accepted),
        "rubric": item.rubric or "",
    }


def _bank_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    shown: Shown = NOTHING,
    *,
    skill: str | None = None,
) -> Response:
    items = list_items(store, actor=actor, skill=skill or None)
    context = {
        "items": items,
        "labels": _labels(store, sorted({i.skill for i in items})),
        "skill": skill or "",
        "skill_label": _labels(store, [skill])[skill] if skill else "",
        "short": _short,
    }
    return _show(
        request, actor, "onboarding/items.html", context, shown, {"kind": "multiple_choice"}
    )


@router.get("/onboarding/items", response_class=HTMLResponse)
def bank(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    of: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """The item bank with its keys (issuers' staff, assessors), and the form that adds one.

    ``of``: only the items of this skill.
    """
    return _bank_page(request, store, actor, skill=of)


_ITEM_ERRORS = {name: name for name in _ITEM_FIELDS}


@router.post("/onboarding/items", response_class=HTMLResponse)
def add_item(
    request: Request, form: FormDep, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """Add an item with its key; bad input writes nothing and is named beside its field."""
    policy.require_item_author(actor, action="write a test item")  # before the form is read
    values = _form_values(form)
    try:
        item = write_item(store, _draft(values), actor=actor, base_iri=issuer.base_iri)
    except InvalidInputError as e:
        errors = field_errors(e, _ITEM_ERRORS)
        return _bank_page(request, store, actor, Shown.refused(e, values, errors))
    return RedirectResponse(f"/onboarding/items/{_short(item.id)}?added=1", status_code=303)


def _item_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    item: Item,
    shown: Shown = NOTHING,
) -> Response:
    label = _labels(store, [item.skill])[item.skill]
    context: dict[str, Any] = {
        "item": item,
        "short": _short(item.id),
        "label": label,
    }
    return _show(request, actor, "onboarding/item.html", context, shown, _item_values(item, label))


@router.get("/onboarding/items/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request,
    item_id: Ref,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
    added: Annotated[int, Query(ge=0, le=2)] = 0,
) -> Response:
    """An item's latest version with its key, and the form of its next version."""
    item = get_item(store, item_iri(item_id, base_iri=issuer.base_iri), actor=actor)
    notice = {1: "The item is in the bank.", 2: "The new version is in the bank."}.get(added, "")
    return _item_page(request, store, actor, item, Shown(notice=notice))


@router.post("/onboarding/items/{item_id}", response_class=HTMLResponse)
def revise(
    request: Request,
    item_id: Ref,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Write the item's next version; the earlier stays for the tests that asked it."""
    uri = item_iri(item_id, base_iri=issuer.base_iri)
    policy.require_item_author(actor, action="revise a test item")  # before the form is read
    values = _form_values(form)
    try:
        revise_item(store, uri, _draft(values), actor=actor)
    except (InvalidInputError, ConflictError) as e:
        item = get_item(store, uri, actor=actor)
        errors = field_errors(e, _ITEM_ERRORS)
        return _item_page(request, store, actor, item, Shown.refused(e, values, errors))
    return RedirectResponse(f"/onboarding/items/{item_id}?added=2", status_code=303)


# --- the tasks to rate -----------------------------------------------------------------------


def _ratings_page(
    request: Request,
    store: GraphStore,
    actor: Actor,
    shown: Shown = NOTHING,
) -> Response:
    tasks: list[TaskToRate] = tasks_to_rate(store, actor=actor)
    context = {
        "tasks": tasks,
        "labels": _labels(store, sorted({t.item.skill for t in tasks})),
        "short": _short,
    }
    return _show(request, actor, "onboarding/ratings.html", context, shown, {})


@router.get("/onboarding/ratings", response_class=HTMLResponse)
def ratings(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    rated: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The tasks of onboarding tests whose evidence waits for a rating, oldest first."""
    notice = "Your rating is recorded." if rated else ""
    return _ratings_page(request, store, actor, Shown(notice=notice))


@router.post("/onboarding/ratings/{attempt_id}", response_class=HTMLResponse)
def rate(
    request: Request,
    attempt_id: Ref,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Rate a task's evidence (0-1, right from 0.5); bad input writes nothing."""
    policy.require_assessor_role(actor, action="rate a task")  # before the form is read
    item = str(form.get("item", ""))
    key = f"score:{attempt_id}:{_short(item)}"
    text = str(form.get("score", "")).strip()
    try:
        try:
            score = float(text)
        except ValueError:
            raise InvalidInputError(
                f"score: a number from 0 to 1, got {text!r}", details={"field": "score"}
            ) from None
        uri = attempt_iri(attempt_id, base_iri=issuer.base_iri)
        rate_answer(store, uri, item=item, score=score, actor=actor)
    except (InvalidInputError, NotFoundError, ConflictError) as e:
        errors = {key: e.message} if isinstance(e, InvalidInputError) else {"": e.message}
        return _ratings_page(request, store, actor, Shown.refused(e, {key: text}, errors))
    return RedirectResponse("/onboarding/ratings?rated=1", status_code=303)
