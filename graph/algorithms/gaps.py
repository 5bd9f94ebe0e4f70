"""Gap analysis: what a learner covers (and by what evidence), what is partial, what is missing.

A requirement (a skill at a level, required or weighted) is

- **covered** when the learner holds the skill itself at the level (a competence without a
  level, or a requirement without one, counts at any level);
- **partial** when it is not covered but the learner holds something close, stated as such:
  the same skill at a lower level (``lower_level``), a narrower skill (``narrower``: what the
  learner holds is a specialisation of it), a broader skill (``broader``), a sibling under a
  shared broader *skill* (``sibling``; siblings under an ESCO skill group are too loose to
  count), or a skill the supplied similarity mapping scores at or above the threshold
  (``similar``);
- **missing** otherwise.

Partial requirements are still gaps: a pathway must cover them; the related evidence tells the
learner and the mentor where to start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from graph.model.concepts import NodeKind, RelationType

__all__ = [
    "Basis",
    "Coverage",
    "GapAnalysis",
    "Held",
    "RelatedEvidence",
    "Requirement",
    "SkillGap",
    "level_met",
    "skill_gaps",
]

logger = logging.getLogger(__name__)

_BROADER = RelationType.BROADER.value
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Requirement:
    """A skill a target needs, at a level (None: any), required or weighted (optional)."""

    skill: str
    level: int | None = None
    required: bool = True
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Held:
    """A skill the learner holds: its score on the level scale (None: any level) and source."""

    skill: str
    score: float | None
    source: str
    evidence: str | None = None


class Coverage(StrEnum):
    """How far the learner covers a requirement."""

    COVERED = "covered"
    PARTIAL = "partial"
    MISSING = "missing"


class Basis(StrEnum):
    """Why a requirement counts as partially covered."""

    LOWER_LEVEL = "lower_level"
    NARROWER = "narrower"
    BROADER = "broader"
    SIBLING = "sibling"
    SIMILAR = "similar"


@dataclass(frozen=True, slots=True)
class RelatedEvidence:
    """Something the learner holds that is close to a requirement.

    ``strength`` is the similarity for ``similar``, ``1 / (1 + hops)`` in the hierarchy
    (a sibling is two hops), and the ratio of score to required level for ``lower_level``.
    """

    basis: Basis
    held: Held
    strength: float
    hops: int | None = None


@dataclass(frozen=True, slots=True)
class SkillGap:
    """One requirement with its coverage: direct evidence, or related evidence for partials."""

    requirement: Requirement
    coverage: Coverage
    evidence: tuple[Held, ...] = ()
    related: tuple[RelatedEvidence, ...] = ()


@dataclass(frozen=True, slots=True)
class GapAnalysis:
    """Every requirement with its coverage, in the order of the requirements."""

    items: tuple[SkillGap, ...]

    def of(self, coverage: Coverage) -> tuple[SkillGap, ...]:
        """The items with ``coverage``."""
        return tuple(item for item in self.items if item.coverage is coverage)

    @property
    def gap(self) -> tuple[Requirement, ...]:
        """The requirements still to cover (partial and missing)."""
        return tuple(i.requirement for i in self.items if i.coverage is not Coverage.COVERED)


def level_met(score: float | None, level: int | None) -> bool:
    """Whether a held score meets a required level (either None counts at any level).

    Examples
    --------
    >>> level_met(3.2, 3), level_met(2.9, 3), level_met(None, 5), level_met(1.0, None)
    (True, False, True, True)
    """
    return score is None or level is None or score + _EPS >= level


def _broader(G: nx.MultiDiGraph, uri: str) -> list[str]:  # noqa: N803
    if uri not in G:
        return []
    return sorted({v for _, v, key in G.out_edges(uri, keys=True) if key == _BROADER})


def _narrower(G: nx.MultiDiGraph, uri: str) -> list[str]:  # noqa: N803
    if uri not in G:
        return []
    return sorted({u for u, _, key in G.in_edges(uri, keys=True) if key == _BROADER})


def _within(G: nx.MultiDiGraph, start: str, *, up: bool, depth: int) -> dict[str, int]:  # noqa: N803
    """Concepts reachable from ``start`` along broader (up) or narrower edges, with hops."""
    seen: dict[str, int] = {}
    frontier = [start]
    for hops in range(1, depth + 1):
        step = [n for u in frontier for n in (_broader(G, u) if up else _narrower(G, u))]
        frontier = [n for n in step if n not in seen and n != start]
        for n in frontier:
            seen[n] = hops
    return seen


def _related(
    G: nx.MultiDiGraph,  # noqa: N803
    requirement: Requirement,
    held: Mapping[str, Held],
    *,
    similarity: Mapping[str, Mapping[str, float]],
    similarity_threshold: float,
    hierarchy_depth: int,
) -> list[RelatedEvidence]:
    skill = requirement.skill
    found: list[RelatedEvidence] = []
    direct = held.get(skill)
    if direct is not None and direct.score is not None and requirement.level:
        found.append(
            RelatedEvidence(Basis.LOWER_LEVEL, direct, min(1.0, direct.score / requirement.level))
        )
    for uri, hops in _within(G, skill, up=False, depth=hierarchy_depth).items():
        if uri in held:
            found.append(RelatedEvidence(Basis.NARROWER, held[uri], 1 / (1 + hops), hops))
    for uri, hops in _within(G, skill, up=True, depth=hierarchy_depth).items():
        if uri in held:
            found.append(RelatedEvidence(Basis.BROADER, held[uri], 1 / (1 + hops), hops))
    hierarchy = {r.held.skill for r in found}
    for parent in _broader(G, skill):
        if G.nodes[parent].get("kind") != NodeKind.SKILL.value:
            continue
        for uri in _narrower(G, parent):
            if uri != skill and uri in held and uri not in hierarchy:
                found.append(RelatedEvidence(Basis.SIBLING, held[uri], 1 / 3, 2))
                hierarchy.add(uri)
    for uri, score in sorted(similarity.get(skill, {}).items()):
        if uri != skill and uri in held and score >= similarity_threshold:
            found.append(RelatedEvidence(Basis.SIMILAR, held[uri], float(score)))
    return sorted(found, key=lambda r: (-r.strength, r.basis.value, r.held.skill))


def skill_gaps(
    G: nx.MultiDiGraph,  # noqa: N803
    *,
    requirements: Sequence[Requirement],
    held: Iterable[Held],
    similarity: Mapping[str, Mapping[str, float]] | None = None,
    similarity_threshold: float = 0.6,
    hierarchy_depth: int = 2,
) -> GapAnalysis:
    """Compare what a learner holds with what a target requires.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Skills (and skill groups) with ``broader`` edges keyed by relation type, as
        :meth:`graph.store.GraphStore.subgraph` returns them; nodes carry ``kind``.
    requirements : sequence of Requirement
        What the target needs.
    held : iterable of Held
        What the learner holds; of several pieces of evidence for one skill the best score
        counts first (a score of None, any level, is best).
    similarity : mapping, optional
        ``similarity[required][held]`` in [0, 1] (e.g. cosine of skill embeddings).
    similarity_threshold : float
        The least similarity that makes a ``similar`` partial.
    hierarchy_depth : int
        How many ``broader`` hops make a ``narrower``/``broader`` partial.

    Returns
    -------
    GapAnalysis
        One item per requirement, in order.

    Notes
    -----
    Cost is O(r * (b^d + s)) for r requirements, hierarchy fan-out b, depth d and s similar
    skills per requirement.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["py", "prog", "java"], kind="skill")
    >>> G.add_edge("py", "prog", key="broader"); G.add_edge("java", "prog", key="broader")
    'broader'
    'broader'
    >>> needs = [Requirement("prog", 3), Requirement("py", 2), Requirement("sql")]
    >>> has = [Held("java", 4.0, "assessment"), Held("prog", 2.0, "self_declared")]
    >>> result = skill_gaps(G, requirements=needs, held=has)
    >>> [(i.requirement.skill, i.coverage.value) for i in result.items]
    [('prog', 'partial'), ('py', 'partial'), ('sql', 'missing')]
    >>> [(r.basis.value, r.held.skill) for r in result.items[1].related]
    [('broader', 'prog'), ('sibling', 'java')]
    """
    best: dict[str, Held] = {}
    for item in held:
        known = best.get(item.skill)
        rank = float("inf") if item.score is None else item.score
        if known is None or rank > (float("inf") if known.score is None else known.score):
            best[item.skill] = item
    evidence: dict[str, list[Held]] = {}
    for item in held:
        evidence.setdefault(item.skill, []).append(item)
    items = []
    for requirement in requirements:
        direct = [
            h for h in evidence.get(requirement.skill, []) if level_met(h.score, requirement.level)
        ]
        if direct:
            items.append(SkillGap(requirement, Coverage.COVERED, evidence=tuple(direct)))
            continue
        related = _related(
            G,
            requirement,
            best,
            similarity=similarity or {},
            similarity_threshold=similarity_threshold,
            hierarchy_depth=hierarchy_depth,
        )
        coverage = Coverage.PARTIAL if related else Coverage.MISSING
        items.append(SkillGap(requirement, coverage, related=tuple(related)))
    return GapAnalysis(tuple(items))
