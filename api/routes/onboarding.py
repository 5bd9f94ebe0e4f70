"""Onboarding tests: the item bank (issuers, assessors) and adaptive attempts (learners)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import IdPath, IssuerDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.onboarding import (
    AnswerCreate,
    AttemptCreate,
    AttemptPublic,
    AttemptsPublic,
    ItemCreate,
    ItemPublic,
    ItemsPublic,
    RatingCreate,
)
from api.security import ActorDep
from graph.services.onboarding.attempts import (
    answer_item,
    attempt_iri,
    get_attempt,
    list_attempts,
    rate_answer,
    start_attempt,
)
from graph.services.onboarding.items import item_iri, list_items, revise_item, write_item

__all__ = ["router"]

router = APIRouter(tags=["onboarding"], route_class=CheckedRoute)


@router.post(
    "/v1/onboarding/items",
    response_model=ItemPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 413, 422, 503),
)
def create_item(
    request: ItemCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ItemPublic:
    """Add an item, with its key, to the bank (issuers' staff and assessors)."""
    item = write_item(store, request.to_domain(), actor=actor, base_iri=issuer.base_iri)
    return ItemPublic.from_domain(item)


@router.get(
    "/v1/onboarding/items", response_model=ItemsPublic, responses=responses(401, 403, 422, 503)
)
def read_items(
    store: StoreDep,
    actor: ActorDep,
    skill: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemsPublic:
    """The bank's items with their keys (issuers' staff and assessors)."""
    data = [ItemPublic.from_domain(i) for i in list_items(store, actor=actor, skill=skill)]
    return ItemsPublic(data=data, count=len(data))


@router.put(
    "/v1/onboarding/items/{item_id}",
    response_model=ItemPublic,
    responses=responses(400, 401, 403, 404, 409, 412, 413, 422, 503),
)
def update_item(
    item_id: IdPath, request: ItemCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> ItemPublic:
    """Write the next version of an item; earlier versions stay for the attempts that used them."""
    item = revise_item(
        store, item_iri(item_id, base_iri=issuer.base_iri), request.to_domain(), actor=actor
    )
    return ItemPublic.from_domain(item)


@router.post(
    "/v1/onboarding/attempts",
    response_model=AttemptPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def create_attempt(
    request: AttemptCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> AttemptPublic:
    """Start the learner's adaptive test for a target (the learner; retake after 30 days)."""
    view = start_attempt(
        store, request.learner, target=request.target, actor=actor, base_iri=issuer.base_iri
    )
    return AttemptPublic.from_domain(view)


@router.get(
    "/v1/onboarding/attempts",
    response_model=AttemptsPublic,
    responses=responses(400, 401, 403, 413, 422, 503),
)
def read_attempts(
    store: StoreDep,
    actor: ActorDep,
    learner: Annotated[str, Query(min_length=3, max_length=2000)],
) -> AttemptsPublic:
    """Every attempt of a learner, oldest first (the learner, or by their consent)."""
    data = [AttemptPublic.from_domain(v) for v in list_attempts(store, learner, actor=actor)]
    return AttemptsPublic(data=data, count=len(data))


@router.get(
    "/v1/onboarding/attempts/{attempt_id}",
    response_model=AttemptPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def read_attempt(
    attempt_id: IdPath, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> AttemptPublic:
    """An attempt: status, the next question (never a key), estimates, answers."""
    uri = attempt_iri(attempt_id, base_iri=issuer.base_iri)
    return AttemptPublic.from_domain(get_attempt(store, uri, actor=actor))


@router.post(
    "/v1/onboarding/attempts/{attempt_id}/answers",
    response_model=AttemptPublic,
    responses=responses(400, 401, 403, 404, 409, 412, 413, 422, 503),
)
def create_answer(
    attempt_id: IdPath, request: AnswerCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> AttemptPublic:
    """Answer the question asked now; a finished attempt takes no answer (409)."""
    view = answer_item(
        store,
        attempt_iri(attempt_id, base_iri=issuer.base_iri),
        item=request.item,
        response=request.response,
        actor=actor,
    )
    return AttemptPublic.from_domain(view)


@router.post(
    "/v1/onboarding/attempts/{attempt_id}/ratings",
    response_model=AttemptPublic,
    responses=responses(400, 401, 403, 404, 409, 412, 413, 422, 503),
)
def create_rating(
    attempt_id: IdPath, request: RatingCreate, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> AttemptPublic:
    """An assessor's rating of a task's evidence (right from 0.5)."""
    view = rate_answer(
        store,
        attempt_iri(attempt_id, base_iri=issuer.base_iri),
        item=request.item,
        score=request.score,
        actor=actor,
    )
    return AttemptPublic.from_domain(view)
