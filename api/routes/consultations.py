"""Issuer consultation: questions put to a credential's issuer, its staff's inbox, sharing.

A consultation is an Assembly question: its thread is ``GET /v1/questions/{id}``, answered by
``POST /v1/questions/{id}/answers`` (the asker and the issuer's staff only), and listed on the
credential with ``GET /v1/questions?about=<credential>`` (for those who may read it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.deps import ReferenceDep, SettingsDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.assembly import QuestionPublic
from api.schemas.consultations import (
    ConsultationCreate,
    ConsultationShare,
    ConsultationsPublic,
)
from api.security import ActorDep
from graph.model.assembly import PostLimits
from graph.model.concepts import NodeKind
from graph.services.assembly.consultations import (
    ask_issuer,
    issuer_consultations,
    my_consultations,
    share_consultation,
)
from graph.services.assembly.posts import post_iri

__all__ = ["router"]

router = APIRouter(prefix="/v1/consultations", tags=["assembly"], route_class=CheckedRoute)


@router.post(
    "",
    response_model=QuestionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
def ask(
    request: ConsultationCreate,
    store: StoreDep,
    settings: SettingsDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> QuestionPublic:
    """Ask the issuer of a credential about it (a learner or a mentor); private unless shared."""
    question = ask_issuer(
        store,
        actor=actor,
        credential=request.credential,
        title=request.title,
        body=request.body,
        reference=reference,
        base_iri=settings.base_iri,
        public=request.public,
        share_with=request.share_with,
        limits=PostLimits(posts=settings.assembly_posts_per_hour, window_seconds=3600),
    )
    return QuestionPublic.from_domain(question)


@router.get("", response_model=ConsultationsPublic, responses=responses(401, 403, 422, 503))
def inbox(
    store: StoreDep,
    actor: ActorDep,
    issuer: Annotated[str, Query(min_length=3, max_length=2000, description="The issuer's IRI")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ConsultationsPublic:
    """The questions put to an issuer, newest first (its staff)."""
    return ConsultationsPublic.from_items(
        issuer_consultations(store, issuer, actor=actor, limit=limit)
    )


@router.get("/mine", response_model=ConsultationsPublic, responses=responses(401, 422, 503))
def mine(
    store: StoreDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> ConsultationsPublic:
    """The questions the signed-in user put to issuers, newest first."""
    return ConsultationsPublic.from_items(my_consultations(store, actor=actor, limit=limit))


@router.put(
    "/{question_id}/sharing",
    response_model=QuestionPublic,
    responses=responses(400, 401, 403, 404, 413, 422, 503),
)
def share(
    question_id: Annotated[str, Path(max_length=100)],
    request: ConsultationShare,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> QuestionPublic:
    """Set who else reads a consultation: named users, or everyone (its asker)."""
    _, iri = post_iri(question_id, base_iri=settings.base_iri, kind=NodeKind.QUESTION)
    shared = share_consultation(
        store, iri, actor=actor, public=request.public, share_with=request.share_with
    )
    return QuestionPublic.from_domain(shared)
