"""Pathways of a learner to a target, and career transitions from an occupation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EmbedderDep, IdPath, ReferenceDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_AMOUNT
from api.schemas.pathways import PathwaySearch, PathwaysPublic, TransitionsPublic
from api.security import ActorDep
from graph.algorithms.pathways import Constraints
from graph.model.accounts import ConsentScope
from graph.services.pathways.learners import check_learner, get_learner
from graph.services.pathways.planning import PathwayRequest, find_pathways
from graph.services.pathways.transitions import transitions_from

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["pathways"], route_class=CheckedRoute)


@router.post(
    "/pathways",
    response_model=PathwaysPublic,
    responses=responses(400, 401, 403, 404, 413, 422, 503),
)
def pathways(
    body: PathwaySearch,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> PathwaysPublic:
    """The best pathways (and alternatives) of a learner to an occupation, credential or skills.

    A learner given inline is anyone's to plan for; a stored one only the learner's (or by
    their consent for pathways).
    """
    if isinstance(body.learner, str):
        learner = get_learner(store, body.learner, actor=actor, scope=ConsentScope.PATHWAYS)
    else:
        learner = check_learner(store, body.learner.to_domain(), reference=reference)
    report = find_pathways(
        store,
        learner=learner,
        target=body.to_target(),
        reference=reference,
        request=body.to_request(),
        embedder=embedder,
    )
    return PathwaysPublic.from_domain(report)


@router.get(
    "/occupations/{uri:path}/transitions",
    response_model=TransitionsPublic,
    responses=responses(404, 422, 503),
)
def transitions(
    uri: IdPath,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
    pathways: Annotated[int, Query(ge=0, le=10, description="Pathways for the best N")] = 3,
    jurisdiction: Annotated[
        str | None, Query(max_length=7, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,3})?$")
    ] = None,
    max_cost: Annotated[float | None, Query(ge=0, le=MAX_AMOUNT)] = None,
    max_hours: Annotated[float | None, Query(ge=0, le=MAX_AMOUNT)] = None,
) -> TransitionsPublic:
    """Occupations reachable from this one, ranked by skill overlap, with closing pathways."""
    request = PathwayRequest(
        constraints=Constraints(max_cost=max_cost, max_hours=max_hours, jurisdiction=jurisdiction),
        alternatives=1,
    )
    report = transitions_from(
        store,
        uri,
        reference=reference,
        embedder=embedder,
        top=top,
        request=request,
        with_pathways=pathways,
    )
    return TransitionsPublic.from_domain(report)
