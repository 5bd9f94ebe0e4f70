"""The career overview page: my skills over time, my targets, what I earned; a mentee's by consent.

``/me/overview`` is the signed-in learner's; ``/overview/{learner}`` anyone's whose overview
the actor may see (the learner, an administrator, a user with the learner's consent for
``overview``): the service decides, as for the API's ``GET /v1/learners/{id}/overview``.
The plots are drawn by :mod:`api.pages.charts`, each with a table of the same data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import StoreDep
from api.pages import charts
from api.pages.forms import field_errors
from api.pages.learner import my_learner
from api.pages.render import render
from api.security import ActorDep
from graph.errors import InvalidInputError, NotFoundError
from graph.model.accounts import Actor
from graph.services.career.overview import CareerOverview, career_overview
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])


def _plots(found: CareerOverview) -> dict[str, Any]:
    labels = found.labels
    ranked = sorted(found.groups.items(), key=lambda kv: -kv[1][-1].skills)
    groups = {labels.get(g, g): [(p.date, p.mean_level) for p in points] for g, points in ranked}
    coverage: dict[str, list[charts.Point]] = {
        t.label: [(p.date, round(100 * p.share, 1)) for p in t.points] for t in found.targets
    }
    radar = [
        (labels.get(a.skill, a.skill), a.held or 0, a.required or 1, a.covered) for a in found.radar
    ]
    return {
        "group_rows": [(labels.get(g, g), points) for g, points in ranked],
        "group_svg": charts.group_chart(groups) if groups else "",
        "coverage_svg": charts.coverage_chart(coverage) if any(coverage.values()) else "",
        "radar_rows": radar,
        "radar_svg": (
            charts.radar_chart([r[0] for r in radar], [r[1] for r in radar], [r[2] for r in radar])
            if len(radar) >= 3
            else ""
        ),
        "radar_label": labels.get(found.radar_target or "", found.radar_target),
    }


def _overview(
    store: GraphStore, actor: Actor, learner_id: str, targets: list[str], *, own: bool
) -> CareerOverview:
    """The overview; on my own page an empty one while I hold no learner record yet (as /me)."""
    try:
        return career_overview(store, learner_id, actor=actor, targets=targets)
    except NotFoundError:
        if not own:
            raise
        return CareerOverview(learner_id, (), (), (), (), {}, {}, None, (), {})


def _page(
    request: Request, store: GraphStore, actor: Actor, learner_id: str, *, own: bool
) -> Response:
    target = request.query_params.get("target", "").strip()
    values = {"target": target, "target_label": request.query_params.get("target_label", "")}
    context: dict[str, Any] = {"values": values, "errors": {}, "own": own, "learner": learner_id}
    status = 200
    try:
        if values["target_label"] and not target:
            raise InvalidInputError(
                "target: pick an occupation from the suggestions", details={"field": "target"}
            )
        found = _overview(store, actor, learner_id, [target] if target else [], own=own)
    except InvalidInputError as e:
        context["errors"] = field_errors(e, {"target": "target"})
        found = _overview(store, actor, learner_id, [], own=own)
        status = 422
    context |= {"overview": found, **_plots(found)}
    return render(request, "career_overview.html", actor, context, status_code=status)


@router.get("/me/overview", response_class=HTMLResponse)
def my_overview(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """My career: skills over time by group, coverage of my targets, a radar, what I earned."""
    return _page(request, store, actor, my_learner(actor), own=True)


@router.get("/overview/{learner_id:path}", response_class=HTMLResponse)
def learner_overview(
    request: Request, learner_id: str, store: StoreDep, actor: ActorDep
) -> Response:
    """A learner's career overview, for whoever they shared it with (consent ``overview``)."""
    return _page(request, store, actor, learner_id, own=False)
