"""Learners: create, read, replace, import assessment results, analyse the gap to a target."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from api.deps import EmbedderDep, IdPath, IfMatchDep, ReferenceDep, StoreDep, etag
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_TARGET
from api.schemas.learners import (
    AssessmentsRequest,
    ErasurePublic,
    GapsPublic,
    LearnerCreate,
    LearnerPublic,
)
from api.security import ActorDep
from graph.errors import InvalidInputError
from graph.model.accounts import ConsentScope
from graph.services.learner_data import erase_learner, learner_data
from graph.services.pathways.learners import (
    create_learner,
    get_learner,
    import_assessments,
    read_learner,
    replace_learner,
)
from graph.services.pathways.planning import gap_analysis
from graph.services.pathways.targets import parse_target

__all__ = ["items", "router"]

router = APIRouter(prefix="/v1", tags=["learners"], route_class=CheckedRoute)
#: The routes that address one object by its IRI ({id:path}); see ``api.routes``.
items = APIRouter(prefix="/v1", tags=["learners"], route_class=CheckedRoute)

TargetQuery = Annotated[
    str,
    Query(
        min_length=3,
        max_length=MAX_TARGET,
        description="occupation:URI, credential:ID or skills:URI[@LEVEL][,URI[@LEVEL]...]",
    ),
]


# Routes with a suffix come first: a learner's IRI may hold slashes ({learner_id:path}).
@router.post(
    "/learners/{learner_id:path}/assessments",
    response_model=LearnerPublic,
    responses=responses(400, 401, 403, 404, 413, 422, 503),
)
def add_assessments(
    learner_id: IdPath, body: AssessmentsRequest, store: StoreDep, actor: ActorDep
) -> LearnerPublic:
    """Add multi-level assessment results (assessors); assessed competences are re-derived."""
    learner = import_assessments(
        store, learner_id, [r.to_domain() for r in body.results], actor=actor
    )
    return LearnerPublic.from_domain(learner, as_of=dt.date.today())


@router.get(
    "/learners/{learner_id:path}/gaps",
    response_model=GapsPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def learner_gaps(
    learner_id: IdPath,
    target: TargetQuery,
    store: StoreDep,
    embedder: EmbedderDep,
    actor: ActorDep,
    as_of: dt.date | None = None,
) -> GapsPublic:
    """What a learner covers of a target (and by what evidence), what is partial, missing."""
    report = gap_analysis(
        store,
        learner=get_learner(store, learner_id, actor=actor, scope=ConsentScope.GAPS),
        target=parse_target(target),
        embedder=embedder,
        as_of=as_of,
    )
    return GapsPublic.from_domain(report)


@router.get(
    "/learners/{learner_id:path}/data",
    response_model=dict[str, Any],
    responses=responses(401, 403, 404, 422, 503),
)
def download(learner_id: IdPath, store: StoreDep, actor: ActorDep) -> dict[str, Any]:
    """Everything credwalk holds about the learner, as one JSON document (the learner)."""
    return learner_data(store, learner_id, actor=actor)


@router.post(
    "/learners",
    response_model=LearnerPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 409, 413, 422, 503),
)
def create(
    body: LearnerCreate, store: StoreDep, reference: ReferenceDep, actor: ActorDep
) -> LearnerPublic:
    """Create the signed-in learner's record (assessed competences derived from its results)."""
    saved = create_learner(store, body.to_domain(), actor=actor, reference=reference)
    return LearnerPublic.from_domain(
        saved.learner, as_of=dt.date.today(), unresolved=saved.unresolved
    )


@items.get(
    "/learners/{learner_id:path}",
    response_model=LearnerPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def read(learner_id: IdPath, store: StoreDep, actor: ActorDep, response: Response) -> LearnerPublic:
    """Return a learner with its competence scores today (its ETag is its version)."""
    learner, version = read_learner(store, learner_id, actor=actor)
    response.headers["ETag"] = etag(version)
    return LearnerPublic.from_domain(learner, as_of=dt.date.today())


@items.delete(
    "/learners/{learner_id:path}",
    response_model=ErasurePublic,
    responses=responses(401, 403, 404, 422, 503),
)
def erase(learner_id: IdPath, store: StoreDep, actor: ActorDep) -> ErasurePublic:
    """Erase the learner's record, submissions, evidence, proofs and consents (the learner).

    Proofs already issued keep verifying: their status-list entries stay.
    """
    return ErasurePublic(learner=learner_id, deleted=erase_learner(store, learner_id, actor=actor))


@items.put(
    "/learners/{learner_id:path}",
    response_model=LearnerPublic,
    responses=responses(400, 401, 403, 404, 412, 413, 422, 503),
)
def replace(
    learner_id: IdPath,
    body: LearnerCreate,
    store: StoreDep,
    reference: ReferenceDep,
    actor: ActorDep,
    if_match: IfMatchDep,
) -> LearnerPublic:
    """Replace the learner's record (the learner); with If-Match, only at that version."""
    if body.id != learner_id:
        raise InvalidInputError(
            f"the body's id {body.id!r} is not the id in the path {learner_id!r}",
            details={"field": "id"},
        )
    saved = replace_learner(
        store, body.to_domain(), actor=actor, reference=reference, if_match=if_match
    )
    return LearnerPublic.from_domain(
        saved.learner, as_of=dt.date.today(), unresolved=saved.unresolved
    )
