"""The career overview of a member: skills over time from every source, targets, earned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from api.deps import IdPath, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.career import OverviewPublic
from api.schemas.common import MAX_IRI
from api.security import ActorDep
from graph.services.career.overview import MAX_TARGETS, career_overview

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["learners"], route_class=CheckedRoute)


@router.get(
    "/learners/{learner_id:path}/overview",
    response_model=OverviewPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def overview(
    learner_id: IdPath,
    store: StoreDep,
    actor: ActorDep,
    target: Annotated[
        list[Annotated[str, StringConstraints(max_length=MAX_IRI)]] | None,
        Query(
            max_length=MAX_TARGETS,
            description="Occupation IRIs whose coverage to draw over time (besides those the "
            "learner took onboarding tests for)",
        ),
    ] = None,
    radar: Annotated[
        str | None,
        Query(max_length=MAX_IRI, description="The occupation the radar is drawn against"),
    ] = None,
) -> OverviewPublic:
    """A member's career overview (the learner, an administrator, or by consent ``overview``)."""
    found = career_overview(
        store, learner_id, actor=actor, targets=target or (), radar_target=radar
    )
    return OverviewPublic.from_domain(found)
