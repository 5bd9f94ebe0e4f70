"""Use cases over framework concepts: search, map free text, and show one concept with its links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graph.embeddings import Embedder
from graph.errors import InvalidInputError
from graph.model.concepts import Concept, NodeKind, RelationType
from graph.search import SearchMatch, SearchParams, hybrid_search, hybrid_search_many
from graph.services.embedding_policy import query_embedder
from graph.store import Direction, GraphStore, Vector

__all__ = [
    "ConceptDetail",
    "MappedText",
    "RelatedConcept",
    "concept_detail",
    "concept_labels",
    "map_texts",
    "search_concepts",
    "skill_groups",
]

MAX_TOP = 100
MAX_QUERY_CHARS = 2_000
MAX_TEXTS = 200
#: Broader hops walked up from a skill to find its skill group (ESCO's hierarchy is 4 deep).
_GROUP_HOPS = 6
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")


@dataclass(frozen=True, slots=True)
class MappedText:
    """One input text with its ranked concept matches."""

    text: str
    matches: list[SearchMatch]


@dataclass(frozen=True, slots=True)
class RelatedConcept:
    """A neighbour of a concept: the relation, its direction seen from the concept, and its name."""

    relation: RelationType
    direction: Direction
    uri: str
    kind: NodeKind | None
    label: str


@dataclass(frozen=True, slots=True)
class ConceptDetail:
    """A concept with its neighbours."""

    concept: Concept
    related: list[RelatedConcept]


def _check_query(text: str, *, top: int, lang: str | None, field: str = "query") -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInputError(f"{field} is empty", details={"field": field})
    if len(cleaned) > MAX_QUERY_CHARS:
        raise InvalidInputError(
            f"{field} is longer than {MAX_QUERY_CHARS} characters", details={"field": field}
        )
    if not 1 <= top <= MAX_TOP:
        raise InvalidInputError(f"top must be between 1 and {MAX_TOP}", details={"field": "top"})
    if lang is not None and not _LANG.match(lang):
        raise InvalidInputError(
            f"lang must be a language code such as 'en' or 'fr', got {lang!r}",
            details={"field": "lang"},
        )
    return cleaned


def _query_vectors(
    store: GraphStore, embedder: Embedder | None, texts: Sequence[str]
) -> list[Vector | None]:
    allowed = query_embedder(store, embedder)
    if allowed is None:
        return [None] * len(texts)
    if len(texts) == 1:
        return [allowed.embed_one(texts[0])]
    return list(allowed.embed_queries(texts))


def search_concepts(
    store: GraphStore,
    embedder: Embedder | None,
    query: str,
    *,
    kind: NodeKind,
    top: int = 10,
    lang: str | None = None,
    params: SearchParams | None = None,
) -> list[SearchMatch]:
    """Return the concepts of ``kind`` that best match ``query``, best first.

    Raises
    ------
    InvalidInputError
        For an empty or oversized query, ``top`` out of range, or a malformed language code.
    ConflictError
        When the store was indexed with another embedding model than ``embedder``.
    """
    cleaned = _check_query(query, top=top, lang=lang)
    (vector,) = _query_vectors(store, embedder, [cleaned])
    return hybrid_search(
        store,
        cleaned,
        vector,
        kinds=[kind],
        top=top,
        langs=None if lang is None else [lang],
        display_lang=lang or "en",
        params=params,
    )


def map_texts(
    store: GraphStore,
    embedder: Embedder | None,
    texts: Sequence[str],
    *,
    kind: NodeKind = NodeKind.SKILL,
    top: int = 5,
    lang: str | None = None,
    params: SearchParams | None = None,
) -> list[MappedText]:
    """Map each text (a job-ad sentence, a learning outcome) to its best concepts of ``kind``.

    Each text is matched whole. Splitting sentences into clauses and merging the clauses'
    rankings was tried and lowered recall@5 on ESCO description sentences from 0.860 to 0.708
    (``scripts/dev bench quality``, system ``map`` before this change): a clause loses the
    context that says which of many similar skills is meant.

    Raises
    ------
    InvalidInputError
        For no texts, too many, an empty or oversized one (``details["index"]`` says which).
    """
    if not texts:
        raise InvalidInputError("no text to map", details={"field": "texts"})
    if len(texts) > MAX_TEXTS:
        raise InvalidInputError(f"at most {MAX_TEXTS} texts per call", details={"field": "texts"})
    cleaned = []
    for i, text in enumerate(texts):
        try:
            cleaned.append(_check_query(text, top=top, lang=lang, field=f"texts[{i}]"))
        except InvalidInputError as e:
            e.details.setdefault("index", i)
            raise
    vectors = _query_vectors(store, embedder, cleaned)
    rankings = hybrid_search_many(
        store,
        list(zip(cleaned, vectors, strict=True)),
        kinds=[kind],
        top=top,
        langs=None if lang is None else [lang],
        display_lang=lang or "en",
        params=params,
    )
    return [
        MappedText(text=text, matches=matches)
        for text, matches in zip(cleaned, rankings, strict=True)
    ]


def concept_labels(store: GraphStore, uris: Sequence[str], *, lang: str = "en") -> dict[str, str]:
    """The preferred label in ``lang`` of each concept of ``uris`` the store holds."""
    return {uri: c.preferred_label(lang) for uri, c in store.get_concepts(set(uris)).items()}


def concept_detail(store: GraphStore, uri: str, *, lang: str = "en") -> ConceptDetail:
    """Return concept ``uri`` with every neighbour, named in ``lang``.

    Raises
    ------
    NotFoundError
        When no concept has that IRI.
    """
    concept = store.get_concept(uri)
    relations = store.relations(uri, direction=Direction.BOTH)
    neighbours = store.get_concepts({r.target for r in relations} | {r.source for r in relations})
    related = []
    for relation in relations:
        outgoing = relation.source == uri
        other = relation.target if outgoing else relation.source
        neighbour = neighbours.get(other)
        related.append(
            RelatedConcept(
                relation=relation.type,
                direction=Direction.OUT if outgoing else Direction.IN,
                uri=other,
                kind=neighbour.kind if neighbour else None,
                label=neighbour.preferred_label(lang) if neighbour else other,
            )
        )
    return ConceptDetail(concept=concept, related=related)


def skill_groups(
    store: GraphStore, uris: Sequence[str], *, lang: str = "en"
) -> dict[str, tuple[str, str]]:
    """The nearest skill group above each skill of ``uris``: ``{skill: (group IRI, label)}``.

    Walks broader links up (at most a few hops); of several groups at the same distance the
    first by IRI is taken. Skills with no group above them are left out.
    """
    found: dict[str, tuple[str, str]] = {}
    # Each frontier maps a concept reached to the skills it was reached from.
    frontier: dict[str, set[str]] = {uri: {uri} for uri in uris}
    for _ in range(_GROUP_HOPS):
        edges = store.relations_of(frontier, types=[RelationType.BROADER])
        step: dict[str, set[str]] = {}
        for uri, relations in edges.items():
            for relation in relations:
                step.setdefault(relation.target, set()).update(frontier[uri] - found.keys())
        concepts = store.get_concepts(step)
        for uri in sorted(step):
            concept = concepts.get(uri)
            if concept is not None and concept.kind is NodeKind.SKILL_GROUP:
                for skill in step[uri] - found.keys():
                    found[skill] = (uri, concept.preferred_label(lang))
        frontier = {u: s - found.keys() for u, s in step.items() if s - found.keys()}
        if not frontier:
            break
    return found
