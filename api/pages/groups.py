"""The group pages: a leader's (and mentors') group with its progress, a mentor's recommend form.

The progress chart is inline SVG drawn by the template, with a table of the same figures. The
learner's side (recommendations beside their pathway, accept or decline) is on ``/me/pathway``
(:mod:`api.pages.learner`), posting to ``/me/recommendations/...`` here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SettingsDep, StoreDep
from api.pages.forms import FormDep, field_errors
from api.pages.learner import my_learner
from api.pages.render import render
from api.security import ActorDep
from graph.errors import InvalidInputError
from graph.model.accounts import Actor
from graph.model.groups import RecommendationKind
from graph.services import policy
from graph.services.groups.groups import get_group, group_iri, my_groups, set_sharing
from graph.services.groups.progress import GroupProgress, group_progress
from graph.services.groups.recommendations import decide_recommendation, recommend
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

_FIELDS = {k: k for k in ("learner", "kind", "target", "step", "before", "note", "reason")}
_W, _H = 480, 200


def chart(progress: GroupProgress) -> list[dict[str, Any]]:
    """One polyline per target: coverage (0-100 %) over the dates, scaled to the SVG box."""
    lines = []
    for t in progress.targets:
        n = max(len(t.points) - 1, 1)
        points = [
            (round(40 + i * (_W - 60) / n, 1), round(_H - 20 - p * (_H - 40) / 100, 1))
            for i, (_, p) in enumerate(t.points)
        ]
        lines.append(
            {"label": t.label, "points": " ".join(f"{x},{y}" for x, y in points), "dots": points}
        )
    return lines


@router.get("/groups", response_class=HTMLResponse)
def groups(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The groups I lead, mentor in or learn in."""
    return render(request, "groups/list.html", actor, {"groups": my_groups(store, actor=actor)})


def _group_context(store: GraphStore, iri: str, actor: Actor) -> dict[str, Any]:
    group = get_group(store, iri, actor=actor)
    progress = group_progress(store, iri, actor=actor)
    mine = [k.learner for k in group.links if k.mentor == actor.user]
    return {
        "group": group,
        "slug": iri.rpartition("/")[2],
        "progress": progress,
        "lines": chart(progress),
        "mentees": mine,
        "kinds": [k.value for k in RecommendationKind],
        "values": {},
        "errors": {},
    }


@router.get("/groups/{slug}", response_class=HTMLResponse)
def group_page(
    request: Request, slug: str, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> Response:
    """A group, its progress over the learners who share it, and (mentors) the recommend form."""
    policy.require_user(actor, action="see a group")
    context = _group_context(store, group_iri(slug, base_iri=settings.base_iri), actor)
    return render(request, "groups/group.html", actor, context)


@router.post("/groups/{slug}/recommendations", response_class=HTMLResponse)
def recommend_page(
    request: Request,
    slug: str,
    form: FormDep,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> Response:
    """A mentor recommends to a learner the group links them to."""
    iri = group_iri(slug, base_iri=settings.base_iri)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        recommend(
            store,
            actor=actor,
            group=iri,
            learner=values.get("learner", ""),
            kind=values.get("kind", ""),
            reason=values.get("reason", ""),
            target=values.get("target") or None,
            steps=[s for s in values.get("steps", "").split() if s],
            step=values.get("step") or None,
            before=values.get("before") or None,
            note=values.get("note") or None,
            base_iri=settings.base_iri,
        )
    except InvalidInputError as e:
        context = _group_context(store, iri, actor)
        context |= {"values": values, "errors": field_errors(e, _FIELDS | {"steps": "target"})}
        return render(request, "groups/group.html", actor, context, status_code=422)
    return RedirectResponse(f"/groups/{slug}?recommended=1", status_code=303)


@router.post("/me/groups/{slug}/sharing", response_class=HTMLResponse)
def sharing_page(
    slug: str, form: FormDep, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> Response:
    """The learner says whether the group counts their progress (a checkbox)."""
    learner = my_learner(actor)
    iri = group_iri(slug, base_iri=settings.base_iri)
    set_sharing(store, iri, actor=actor, learner=learner, shares=form.get("shares") == "on")
    return RedirectResponse("/me/pathway?shared=1", status_code=303)


@router.post("/me/recommendations/{rec_id}", response_class=HTMLResponse)
def decide_page(
    rec_id: str, form: FormDep, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> Response:
    """The learner accepts or declines a recommendation."""
    my_learner(actor)
    decision = form.get("decision")
    if decision not in {"accept", "decline"}:
        raise InvalidInputError("decision: accept or decline", details={"field": "decision"})
    iri = f"{settings.base_iri.rstrip('/')}/recommendation/{rec_id}"
    decide_recommendation(store, iri, actor=actor, accept=decision == "accept")
    return RedirectResponse("/me/pathway?decided=1", status_code=303)
