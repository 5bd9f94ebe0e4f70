"""Concepts: search skills and occupations, map texts, read one concept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EmbedderDep, IdPath, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_LANG
from api.schemas.concepts import (
    ConceptPublic,
    MappedTextPublic,
    MatchPublic,
    MatchRequest,
    MatchResultsPublic,
    SearchResultsPublic,
)
from graph.model.concepts import NodeKind
from graph.services.concepts import concept_detail, map_texts, search_concepts

__all__ = ["items", "router"]

router = APIRouter(prefix="/v1", tags=["concepts"], route_class=CheckedRoute)
#: The routes that address one object by its IRI ({id:path}); see ``api.routes``.
items = APIRouter(prefix="/v1", tags=["concepts"], route_class=CheckedRoute)

_SEARCH_ERRORS = responses(409, 422, 503)
_MATCH_ERRORS = responses(400, 409, 413, 422, 503)
Q = Annotated[str, Query(min_length=1, max_length=2000, description="Words or a sentence")]
Top = Annotated[int, Query(ge=1, le=100)]
Lang = Annotated[str | None, Query(max_length=MAX_LANG, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")]


def _search(
    store: StoreDep, embedder: EmbedderDep, q: str, kind: NodeKind, top: int, lang: str | None
) -> SearchResultsPublic:
    matches = search_concepts(store, embedder, q, kind=kind, top=top, lang=lang)
    return SearchResultsPublic(
        query=q, kind=kind.value, results=[MatchPublic.from_domain(m) for m in matches]
    )


@router.get("/skills/search", response_model=SearchResultsPublic, responses=_SEARCH_ERRORS)
def search_skills(
    store: StoreDep, embedder: EmbedderDep, q: Q, top: Top = 10, lang: Lang = None
) -> SearchResultsPublic:
    """Rank ESCO skills (and other frameworks' skills) for a query."""
    return _search(store, embedder, q, NodeKind.SKILL, top, lang)


@router.get("/occupations/search", response_model=SearchResultsPublic, responses=_SEARCH_ERRORS)
def search_occupations(
    store: StoreDep, embedder: EmbedderDep, q: Q, top: Top = 10, lang: Lang = None
) -> SearchResultsPublic:
    """Rank occupations for a query."""
    return _search(store, embedder, q, NodeKind.OCCUPATION, top, lang)


@router.post("/match", response_model=MatchResultsPublic, responses=_MATCH_ERRORS)
def match(request: MatchRequest, store: StoreDep, embedder: EmbedderDep) -> MatchResultsPublic:
    """Map sentences (job ads, learning outcomes) to their best skills or occupations."""
    mapped = map_texts(
        store,
        embedder,
        request.texts,
        kind=NodeKind(request.kind),
        top=request.top,
        lang=request.lang,
    )
    return MatchResultsPublic(results=[MappedTextPublic.from_domain(m) for m in mapped])


@items.get(
    "/concepts/{uri:path}",
    response_model=ConceptPublic,
    responses=responses(404, 422, 503),
)
def get_concept(uri: IdPath, store: StoreDep, lang: Lang = None) -> ConceptPublic:
    """Return a concept with its labels, attributes and relations."""
    return ConceptPublic.from_domain(
        concept_detail(store, uri, lang=lang or "en"), lang=lang or "en"
    )
