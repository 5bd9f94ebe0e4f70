"""Use case: from a current occupation, the occupations within reach and the pathways to them.

Destinations are the occupations that share at least one skill (essential or optional) with
the current one; they are ranked by :func:`graph.algorithms.transitions.career_transitions`
(Nesta's NLP-adjusted overlap of essential and of all skills, with skill similarity from the
embeddings of the skills' preferred labels when an embedder is given, else exact overlap only).
For the best ones, the pathway that closes the gap is searched as for a learner who holds the
current occupation's essential skills (and, when given, a learner's own competences); skills no
available credential covers are listed as missing rather than failing the whole answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import networkx as nx

from graph.algorithms.transitions import Transition, career_transitions
from graph.embeddings import Embedder
from graph.errors import InvalidInputError, NoPathwayError, NotFoundError
from graph.model.concepts import NodeKind, RelationType
from graph.model.learners import Competence, CompetenceSource, Learner
from graph.reference import ReferenceData
from graph.services.embedding_policy import similarity_embedder
from graph.services.pathways.planning import (
    PathwayReport,
    PathwayRequest,
    find_pathways,
    label_map,
    skill_similarity,
)
from graph.services.pathways.targets import Target, TargetKind, occupation_skills
from graph.store import Direction, GraphStore

__all__ = ["TransitionPlan", "TransitionsReport", "transitions_from"]

logger = logging.getLogger(__name__)

MAX_TOP = 50


@dataclass(frozen=True, slots=True)
class TransitionPlan:
    """A reachable occupation, its skills, and the pathway that closes the gap (if any)."""

    transition: Transition
    label: str
    pathways: PathwayReport | None
    no_pathway: NoPathwayError | None


@dataclass(frozen=True, slots=True)
class TransitionsReport:
    """The transitions from an occupation, best first, with the labels of the skills named."""

    origin: str
    label: str
    candidates: int
    plans: tuple[TransitionPlan, ...]
    labels: dict[str, str]
    semantic: bool


def _skill_graph(store: GraphStore, origin: str) -> tuple[nx.MultiDiGraph, set[str]]:
    """The origin, every occupation sharing a skill with it, and their skill edges."""
    types = [RelationType.HAS_ESSENTIAL_SKILL, RelationType.HAS_OPTIONAL_SKILL]
    essential, optional = occupation_skills(store, origin)
    sources = {
        r.source
        for skill in essential + optional
        for r in store.relations(skill, direction=Direction.IN, types=types)
    }
    occupations = {
        uri for uri, c in store.get_concepts(sources).items() if c.kind is NodeKind.OCCUPATION
    }
    G = nx.MultiDiGraph()  # noqa: N806 (the algorithms' name for their graph)
    for occupation in sorted(occupations | {origin}):
        for r in store.relations(occupation, types=types):
            G.add_edge(occupation, r.target, key=r.type.value)
    return G, occupations - {origin}


def _check_occupation(store: GraphStore, uri: str) -> None:
    """Raise unless ``uri`` is an occupation in the store."""
    concept = store.get_concepts([uri]).get(uri)
    if concept is None:
        raise NotFoundError(f"no occupation {uri}", details={"field": "occupation", "uri": uri})
    if concept.kind is not NodeKind.OCCUPATION:
        raise InvalidInputError(
            f"{uri} is a {concept.kind.value}, not an occupation",
            details={"field": "occupation"},
        )


def _as_worker(
    learner: Learner | None, *, occupation: str, essential: Sequence[str], label: str
) -> Learner:
    """The learner (or an anonymous worker) also holding the occupation's essential skills."""
    return Learner(
        id=(learner.id if learner else f"{occupation}#worker"),
        jurisdiction=learner.jurisdiction if learner else None,
        target_jurisdiction=learner.target_jurisdiction if learner else None,
        competences=(learner.competences if learner else ())
        + tuple(
            Competence(
                skill,
                source=CompetenceSource.SELF_DECLARED,
                evidence=f"essential skill of {label}",
            )
            for skill in essential
        ),
        credentials=learner.credentials if learner else (),
    )


def _named_skills(ranked: Sequence[Transition]) -> set[str]:
    """Every skill the transitions name: matched, missing, partial and its closest held one."""
    named = {s for t in ranked for s in (*t.matched, *t.missing)}
    named |= {p.skill for t in ranked for p in t.partial} | {
        p.closest for t in ranked for p in t.partial
    }
    return named


def transitions_from(
    store: GraphStore,
    occupation: str,
    *,
    reference: ReferenceData,
    embedder: Embedder | None = None,
    top: int = 10,
    learner: Learner | None = None,
    request: PathwayRequest | None = None,
    with_pathways: int = 5,
) -> TransitionsReport:
    """Rank the occupations reachable from ``occupation``; pathways for the best ones.

    Parameters
    ----------
    with_pathways : int
        For how many of the best transitions to search the pathway (0: none).

    Raises
    ------
    NotFoundError
        No such occupation (``details["field"]`` is ``occupation``).
    InvalidInputError
        The IRI is not an occupation, ``top`` is outside 1-50.
    """
    if not 1 <= top <= MAX_TOP:
        raise InvalidInputError(f"top must be between 1 and {MAX_TOP}", details={"field": "top"})
    _check_occupation(store, occupation)
    G, candidates = _skill_graph(store, occupation)  # noqa: N806
    embedder = similarity_embedder(store, embedder)
    origin_skills = {v for _, v in G.out_edges(occupation)}
    destination_skills = {v for c in candidates for _, v in G.out_edges(c)}
    similarity = (
        skill_similarity(store, embedder, destination_skills - origin_skills, origin_skills)
        if embedder is not None and origin_skills
        else None
    )
    ranked = career_transitions(G, occupation, similarity=similarity, candidates=candidates)[:top]
    essential, _ = occupation_skills(store, occupation)
    labels = label_map(store, [t.occupation for t in ranked] + [occupation])
    held = _as_worker(learner, occupation=occupation, essential=essential, label=labels[occupation])
    plans = []
    search = replace(request or PathwayRequest(alternatives=1), allow_partial=True)
    for rank, transition in enumerate(ranked):
        report, failure = None, None
        if rank < with_pathways:
            try:
                report = find_pathways(
                    store,
                    learner=held,
                    target=Target(TargetKind.OCCUPATION, (transition.occupation,)),
                    reference=reference,
                    request=search,
                )
            except NoPathwayError as e:
                failure = e
        plans.append(TransitionPlan(transition, labels[transition.occupation], report, failure))
    return TransitionsReport(
        origin=occupation,
        label=labels[occupation],
        candidates=len(candidates),
        plans=tuple(plans),
        labels=label_map(store, _named_skills(ranked)),
        semantic=similarity is not None,
    )
