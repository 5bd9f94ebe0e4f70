"""Groups: a leader's group of learners and mentors, its progress, mentors' recommendations.

A group is addressed by its id (``/v1/groups/{group_id}`` is ``{base}/group/{group_id}``); a
recommendation by the last part of its IRI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import IdPath, SettingsDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_IRI
from api.schemas.groups import (
    GroupCreate,
    GroupEdit,
    GroupPublic,
    GroupsPublic,
    ProgressPublic,
    RecommendationCreate,
    RecommendationDecision,
    RecommendationPublic,
    RecommendationsPublic,
    SharingRequest,
)
from api.security import ActorDep
from graph.services.groups.groups import (
    create_group,
    get_group,
    group_iri,
    my_groups,
    replace_group,
    set_sharing,
)
from graph.services.groups.progress import group_progress
from graph.services.groups.recommendations import (
    decide_recommendation,
    learner_target,
    list_recommendations,
    recommend,
)
from graph.settings import Settings

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["groups"], route_class=CheckedRoute)

_WRITE = responses(400, 401, 403, 404, 409, 413, 422, 503)
_READ = responses(401, 403, 404, 422, 503)


def _group(group_id: IdPath, settings: Settings) -> str:
    return group_iri(group_id, base_iri=settings.base_iri)


def _recommendation(rec_id: IdPath, settings: Settings) -> str:
    return f"{settings.base_iri.rstrip('/')}/recommendation/{rec_id}"


@router.post(
    "/groups", response_model=GroupPublic, status_code=status.HTTP_201_CREATED, responses=_WRITE
)
def create(
    request: GroupCreate, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> GroupPublic:
    """Create a group (its leader: ``group_leader`` of the group's IRI, or an administrator)."""
    group = create_group(
        store, actor=actor, slug=request.id, spec=request.spec(), base_iri=settings.base_iri
    )
    return GroupPublic.from_domain(group)


@router.get("/groups", response_model=GroupsPublic, responses=responses(401, 503))
def mine(store: StoreDep, actor: ActorDep) -> GroupsPublic:
    """The groups the caller leads, mentors in or learns in."""
    return GroupsPublic(groups=[GroupPublic.from_domain(g) for g in my_groups(store, actor=actor)])


@router.get("/groups/{group_id}", response_model=GroupPublic, responses=_READ)
def read(group_id: IdPath, store: StoreDep, settings: SettingsDep, actor: ActorDep) -> GroupPublic:
    """A group (its leader, its mentors)."""
    return GroupPublic.from_domain(get_group(store, _group(group_id, settings), actor=actor))


@router.put("/groups/{group_id}", response_model=GroupPublic, responses=_WRITE)
def change(
    group_id: IdPath, request: GroupEdit, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> GroupPublic:
    """Change a group's name, kind, mentors, learners, links, targets (its leader)."""
    group = replace_group(
        store,
        _group(group_id, settings),
        actor=actor,
        spec=request.spec(),
        base_iri=settings.base_iri,
    )
    return GroupPublic.from_domain(group)


@router.put("/groups/{group_id}/sharing", response_model=GroupPublic, responses=_WRITE)
def sharing(
    group_id: IdPath,
    request: SharingRequest,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> GroupPublic:
    """Say whether the group counts me in its progress (the learner themself)."""
    group = set_sharing(
        store,
        _group(group_id, settings),
        actor=actor,
        learner=request.learner,
        shares=request.shares_progress,
    )
    return GroupPublic.from_domain(group)


@router.get("/groups/{group_id}/progress", response_model=ProgressPublic, responses=_READ)
def progress(
    group_id: IdPath, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> ProgressPublic:
    """The group's progress over the learners who share it (its leader, its mentors)."""
    found = group_progress(store, _group(group_id, settings), actor=actor)
    return ProgressPublic.from_domain(found)


@router.post(
    "/groups/{group_id}/recommendations",
    response_model=RecommendationPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE,
)
def make_recommendation(
    group_id: IdPath,
    request: RecommendationCreate,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> RecommendationPublic:
    """Recommend a target, a pathway or a step note to a learner (a mentor linked to them)."""
    made = recommend(
        store,
        actor=actor,
        group=_group(group_id, settings),
        learner=request.learner,
        kind=request.kind,
        reason=request.reason,
        target=request.target,
        steps=request.steps,
        step=request.step,
        before=request.before,
        note=request.note,
        base_iri=settings.base_iri,
    )
    return RecommendationPublic.from_domain(made)


@router.get("/recommendations", response_model=RecommendationsPublic, responses=_READ)
def recommendations(
    store: StoreDep,
    actor: ActorDep,
    learner: Annotated[str, Query(min_length=3, max_length=MAX_IRI, description="A learner IRI")],
) -> RecommendationsPublic:
    """A learner's recommendations (the learner; a linked mentor sees their own) and target."""
    found = list_recommendations(store, actor=actor, learner=learner)
    target = learner_target(store, actor=actor, learner=learner)
    return RecommendationsPublic(
        recommendations=[RecommendationPublic.from_domain(r) for r in found],
        target=None if target is None else target.target,
    )


@router.post(
    "/recommendations/{rec_id}/decision", response_model=RecommendationPublic, responses=_WRITE
)
def decide(
    rec_id: IdPath,
    request: RecommendationDecision,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> RecommendationPublic:
    """Accept or decline a recommendation (the learner it is for)."""
    decided = decide_recommendation(
        store, _recommendation(rec_id, settings), actor=actor, accept=request.accept
    )
    return RecommendationPublic.from_domain(decided)
