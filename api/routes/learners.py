"""Learners: create, read, replace, import assessment results, analyse the gap to a target."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import EmbedderDep, ReferenceDep, StoreDep
from api.errors import responses
from api.schemas.learners import AssessmentsRequest, GapsPublic, LearnerCreate, LearnerPublic
from graph.errors import InvalidInputError
from graph.services.pathways.learners import (
    create_learner,
    get_learner,
    import_assessments,
    replace_learner,
)
from graph.services.pathways.planning import gap_analysis
from graph.services.pathways.targets import parse_target

__all__ = ["items", "router"]

router = APIRouter(prefix="/v1", tags=["learners"])
#: The routes that address one object by its IRI ({id:path}); see ``api.routes``.
items = APIRouter(prefix="/v1", tags=["learners"])

TargetQuery = Annotated[
    str,
    Query(
        min_length=3,
        max_length=20_000,
        description="occupation:URI, credential:ID or skills:URI[@LEVEL][,URI[@LEVEL]...]",
    ),
]


# Routes with a suffix come first: a learner's IRI may hold slashes ({learner_id:path}).
@router.post(
    "/learners/{learner_id:path}/assessments",
    response_model=LearnerPublic,
    responses=responses(404, 413, 422, 503),
)
def add_assessments(learner_id: str, body: AssessmentsRequest, store: StoreDep) -> LearnerPublic:
    """Add multi-level assessment results; the learner's assessed competences are re-derived."""
    learner = import_assessments(store, learner_id, [r.to_domain() for r in body.results])
    return LearnerPublic.from_domain(learner, as_of=dt.date.today())


@router.get(
    "/learners/{learner_id:path}/gaps",
    response_model=GapsPublic,
    responses=responses(404, 422, 503),
)
def learner_gaps(
    learner_id: str,
    target: TargetQuery,
    store: StoreDep,
    embedder: EmbedderDep,
    as_of: dt.date | None = None,
) -> GapsPublic:
    """What a learner covers of a target (and by what evidence), what is partial, missing."""
    report = gap_analysis(
        store,
        learner=get_learner(store, learner_id),
        target=parse_target(target),
        embedder=embedder,
        as_of=as_of,
    )
    return GapsPublic.from_domain(report)


@router.post(
    "/learners",
    response_model=LearnerPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(409, 413, 422, 503),
)
def create(body: LearnerCreate, store: StoreDep, reference: ReferenceDep) -> LearnerPublic:
    """Create a learner (assessed competences are derived from its assessment results)."""
    saved = create_learner(store, body.to_domain(), reference=reference)
    return LearnerPublic.from_domain(
        saved.learner, as_of=dt.date.today(), unresolved=saved.unresolved
    )


@items.get(
    "/learners/{learner_id:path}",
    response_model=LearnerPublic,
    responses=responses(404, 503),
)
def read(learner_id: str, store: StoreDep) -> LearnerPublic:
    """Return a learner with its competence scores today."""
    return LearnerPublic.from_domain(get_learner(store, learner_id), as_of=dt.date.today())


@items.put(
    "/learners/{learner_id:path}",
    response_model=LearnerPublic,
    responses=responses(404, 413, 422, 503),
)
def replace(
    learner_id: str, body: LearnerCreate, store: StoreDep, reference: ReferenceDep
) -> LearnerPublic:
    """Replace a stored learner."""
    if body.id != learner_id:
        raise InvalidInputError(
            f"the body's id {body.id!r} is not the id in the path {learner_id!r}",
            details={"field": "id"},
        )
    saved = replace_learner(store, body.to_domain(), reference=reference)
    return LearnerPublic.from_domain(
        saved.learner, as_of=dt.date.today(), unresolved=saved.unresolved
    )
