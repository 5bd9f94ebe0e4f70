"""Career transitions: occupations ranked by how much of their skill profile one already has.

The score follows the skills part of Nesta's *Mapping Career Causeways* [1]_: an
**NLP-adjusted overlap** matches each skill of the destination occupation to its most similar
skill of the origin (1 for the same skill, else the similarity of the two skills, e.g. the
cosine of sentence embeddings of their labels) and averages the matches; it is computed once on
the essential skills only (destination essential against origin essential) and once on all
skills (essential and optional against essential and optional), and the transition score is
their weighted mean (equal weights by default). Nesta's measure also compares O*NET work
activities and work context, which credwalk does not hold, so this is the skills-based part.

Each destination skill is then **matched** (the origin has it), **partial** (the origin has a
skill at least ``partial_threshold`` similar, named with it) or **missing**.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from graph.model.concepts import RelationType

__all__ = ["PartialSkill", "Transition", "career_transitions", "nlp_adjusted_overlap"]

logger = logging.getLogger(__name__)

_ESSENTIAL = RelationType.HAS_ESSENTIAL_SKILL.value
_OPTIONAL = RelationType.HAS_OPTIONAL_SKILL.value


@dataclass(frozen=True, slots=True)
class PartialSkill:
    """A destination skill the origin does not have, and the closest skill it has."""

    skill: str
    closest: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Transition:
    """A destination occupation with its scores and its skills, essential ones first."""

    occupation: str
    score: float
    essential_score: float
    all_score: float
    matched: tuple[str, ...]
    partial: tuple[PartialSkill, ...]
    missing: tuple[str, ...]
    missing_essential: tuple[str, ...]


def _skills(G: nx.MultiDiGraph, occupation: str) -> tuple[list[str], list[str]]:  # noqa: N803
    essential, optional = set(), set()
    for _, skill, key in G.out_edges(occupation, keys=True):
        if key == _ESSENTIAL:
            essential.add(skill)
        elif key == _OPTIONAL:
            optional.add(skill)
    return sorted(essential), sorted(optional - essential)


def _best(
    skill: str, origin: Iterable[str], similarity: Mapping[str, Mapping[str, float]]
) -> tuple[float, str | None]:
    pool = set(origin)
    if skill in pool:
        return 1.0, skill
    scores = similarity.get(skill, {})
    found = [(scores[o], o) for o in sorted(pool) if o in scores]
    if not found:
        return 0.0, None
    score, closest = max(found, key=lambda f: (f[0], f[1]))
    return max(0.0, min(1.0, score)), closest


def nlp_adjusted_overlap(
    destination: Iterable[str],
    origin: Iterable[str],
    *,
    similarity: Mapping[str, Mapping[str, float]],
) -> float:
    """Mean, over the destination skills, of their best similarity to an origin skill.

    Examples
    --------
    >>> nlp_adjusted_overlap(["a", "b"], ["a", "c"], similarity={"b": {"c": 0.5}})
    0.75
    """
    targets = sorted(set(destination))
    pool = sorted(set(origin))
    if not targets:
        return 0.0
    return sum(_best(s, pool, similarity)[0] for s in targets) / len(targets)


def career_transitions(
    G: nx.MultiDiGraph,  # noqa: N803
    origin: str,
    *,
    similarity: Mapping[str, Mapping[str, float]] | None = None,
    essential_weight: float = 0.5,
    partial_threshold: float = 0.6,
    candidates: Iterable[str] | None = None,
) -> list[Transition]:
    """Rank the occupations one can move to from ``origin``, best first.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Occupations with ``has_essential_skill``/``has_optional_skill`` edges to skills
        (keyed by relation type), as :meth:`graph.store.GraphStore.subgraph` returns them.
    origin : str
        The current occupation.
    similarity : mapping, optional
        ``similarity[destination_skill][origin_skill]`` in [0, 1]; without it only the same
        skills count (plain overlap).
    essential_weight : float
        Weight of the essential-skills overlap; the all-skills overlap gets the rest.
    partial_threshold : float
        Least similarity for a skill to count as partial.
    candidates : iterable of str, optional
        Destinations to score (default: every occupation sharing a skill with ``origin``).

    Returns
    -------
    list of Transition
        Sorted by score (then IRI); ``origin`` itself is left out.

    Notes
    -----
    O(c * d * o) for c candidates of d skills against o origin skills.

    References
    ----------
    .. [1] K. Kanders, J. Djumalieva, C. Sleeman and J. Orlik, "Mapping Career Causeways:
       Supporting workers at risk", Nesta, 2020
       (https://www.nesta.org.uk/report/mapping-career-causeways-supporting-workers-risk/;
       code: https://github.com/nestauk/mapping-career-causeways).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for occ, skill, key in [("cook", "knife", "has_essential_skill"),
    ...                         ("cook", "hygiene", "has_essential_skill"),
    ...                         ("baker", "hygiene", "has_essential_skill"),
    ...                         ("baker", "oven", "has_essential_skill"),
    ...                         ("butcher", "knife", "has_essential_skill")]:
    ...     _ = G.add_edge(occ, skill, key=key)
    >>> [(t.occupation, t.score) for t in career_transitions(G, "cook")]
    [('butcher', 1.0), ('baker', 0.5)]
    """
    if not 0.0 <= essential_weight <= 1.0:
        raise ValueError("essential_weight must be in [0, 1]")
    similarity = similarity or {}
    essential, optional = _skills(G, origin)
    everything = essential + optional
    if candidates is None:
        candidates = {
            occupation
            for skill in everything
            for occupation, _, key in G.in_edges(skill, keys=True)
            if key in (_ESSENTIAL, _OPTIONAL)
        }
    found = []
    for occupation in sorted(set(candidates) - {origin}):
        dest_essential, dest_optional = _skills(G, occupation)
        if not dest_essential and not dest_optional:
            continue
        ess = nlp_adjusted_overlap(dest_essential, essential, similarity=similarity)
        every = nlp_adjusted_overlap(
            dest_essential + dest_optional, everything, similarity=similarity
        )
        matched, partial, missing = [], [], []
        for skill in dest_essential + dest_optional:
            score, closest = _best(skill, everything, similarity)
            if closest == skill:
                matched.append(skill)
            elif closest is not None and score >= partial_threshold:
                partial.append(PartialSkill(skill, closest, round(score, 4)))
            else:
                missing.append(skill)
        essential_set = set(dest_essential)
        found.append(
            Transition(
                occupation=occupation,
                score=round(essential_weight * ess + (1 - essential_weight) * every, 6),
                essential_score=round(ess, 6),
                all_score=round(every, 6),
                matched=tuple(matched),
                partial=tuple(partial),
                missing=tuple(missing),
                missing_essential=tuple(s for s in missing if s in essential_set),
            )
        )
    return sorted(found, key=lambda t: (-t.score, t.occupation))
