"""Equivalence of two skill sets: directional coverage, a symmetric score and a verdict.

A set of *offered* skills covers a set of *required* skills one required skill at a time. Each
required skill takes the best offered skill that matches it, with a similarity in [0, 1]:

- ``exact``: the same skill (1.0);
- ``narrower``: the offered skill is a specialisation of the required one, reached by following
  ``BROADER`` edges up from the offered skill (``narrower_weight`` per step: holding "Python"
  shows most of "computer programming");
- ``broader``: the offered skill is more general than the required one (``broader_weight`` per
  step: "computer programming" says less about "Python");
- ``close``: a semantically close skill, from a supplied similarity (a function or precomputed
  pairs, e.g. embedding cosines), counted at ``close_weight`` times its similarity when that
  similarity reaches ``close_threshold``.

When both sides state a proficiency level and the offered one is lower, each missing level costs
``level_step`` of the credit. The coverage is the weighted share of the required skills covered.

Two sets are compared by the harmonic mean of the two directional coverages, so a small set
inside a large one scores low in one direction and the mean shows it; :func:`level_factor`
lowers the score when the qualification levels differ, and :func:`verdict` applies the stated
thresholds.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from graph.model.concepts import RelationType

__all__ = [
    "LEVEL_FACTORS",
    "AncestorIndex",
    "CoverageIndex",
    "MatchKind",
    "SkillCoverage",
    "SkillPair",
    "Thresholds",
    "Verdict",
    "ancestor_index",
    "coverage_index",
    "equivalence_score",
    "level_factor",
    "skill_coverage",
    "verdict",
]

_BROADER = RelationType.BROADER.value
#: Order of preference between equally strong matches.
_KIND_RANK = {"exact": 0, "narrower": 1, "broader": 2, "close": 3}

Similarity = Callable[[str, str], float] | Mapping[tuple[str, str], float]
#: Broader concepts of each node with their distance in ``broader`` steps.
AncestorIndex = Mapping[str, Mapping[str, int]]

#: Score multiplier by the absolute EQF level difference (0, 1, 2, 3 or more levels apart).
LEVEL_FACTORS = (1.0, 0.9, 0.75, 0.6)


class MatchKind(StrEnum):
    """How an offered skill matches a required one."""

    EXACT = "exact"
    NARROWER = "narrower"
    BROADER = "broader"
    CLOSE = "close"


class Verdict(StrEnum):
    """The verdict on two credentials."""

    EQUIVALENT = "equivalent"
    PARTIALLY_EQUIVALENT = "partially_equivalent"
    NOT_EQUIVALENT = "not_equivalent"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score thresholds of the verdicts.

    A score at or above ``equivalent`` is *equivalent*; at or above ``partial``, *partially
    equivalent*; below it, *not equivalent*.
    """

    equivalent: float = 0.8
    partial: float = 0.4

    def __post_init__(self) -> None:
        if not 0.0 < self.partial <= self.equivalent <= 1.0:
            raise ValueError("thresholds must satisfy 0 < partial <= equivalent <= 1")


@dataclass(frozen=True, slots=True)
class SkillPair:
    """The best offered skill for one required skill.

    ``similarity`` is the strength of the match itself (1 for exact, the per-step weight for
    narrower or broader, the supplied similarity for close); ``credit`` what it covers of the
    required skill (close matches count at ``close_weight``, and a level shortfall costs
    ``level_step`` per level).
    """

    required: str
    offered: str
    kind: MatchKind
    similarity: float
    credit: float
    required_level: int | None = None
    offered_level: int | None = None

    @property
    def partial(self) -> bool:
        """Whether the pair covers less than the whole required skill."""
        return self.credit < 1.0 - 1e-9


@dataclass(frozen=True, slots=True)
class SkillCoverage:
    """How far the offered skills cover the required ones.

    ``share`` is the weighted share in [0, 1] (0 when nothing is required); ``pairs`` the best
    match of each covered required skill, in required-skill order; ``missing`` the required
    skills nothing matches.
    """

    share: float
    pairs: tuple[SkillPair, ...]
    missing: tuple[str, ...]

    def credit(self, skill: str) -> float:
        """The credit of one required skill (0 when missing)."""
        for pair in self.pairs:
            if pair.required == skill:
                return pair.credit
        return 0.0


def _ancestors(G: nx.MultiDiGraph, start: str, max_hops: int) -> dict[str, int]:  # noqa: N803
    """Broader concepts of ``start`` within ``max_hops`` steps, with their distance."""
    found: dict[str, int] = {}
    if start not in G:
        return found
    queue = deque([(start, 0)])
    while queue:
        node, hops = queue.popleft()
        if hops == max_hops:
            continue
        for parent, keys in G.adj[node].items():
            if _BROADER in keys and parent not in found and parent != start:
                found[parent] = hops + 1
                queue.append((parent, hops + 1))
    return found


def ancestor_index(G: nx.MultiDiGraph, *, max_hops: int = 1) -> dict[str, dict[str, int]]:  # noqa: N803
    """Return the broader concepts of every node of ``G`` within ``max_hops`` steps.

    Computed once, it lets :func:`skill_coverage` compare one set with many others without
    walking the graph again.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("python", "programming", key="broader")
    'broader'
    >>> ancestor_index(G)
    {'python': {'programming': 1}, 'programming': {}}
    """
    return {node: _ancestors(G, node, max_hops) for node in G}


def _lookup(similarity: Similarity | None) -> Callable[[str, str], float]:
    if similarity is None:
        return lambda _a, _b: 0.0
    if callable(similarity):
        return similarity
    pairs = similarity
    return lambda a, b: pairs.get((a, b), pairs.get((b, a), 0.0))


def skill_coverage(
    G: nx.MultiDiGraph,  # noqa: N803 - the networkx convention of graph/algorithms
    required: Mapping[str, int | None],
    offered: Mapping[str, int | None],
    *,
    similarity: Similarity | None = None,
    narrower_weight: float = 0.8,
    broader_weight: float = 0.6,
    close_threshold: float = 0.7,
    close_weight: float = 0.8,
    level_step: float = 0.15,
    max_hops: int = 1,
    weights: Mapping[str, float] | None = None,
    ancestors: AncestorIndex | None = None,
) -> SkillCoverage:
    """Return how far ``offered`` skills cover ``required`` skills.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Holds the skills' ``broader`` edges (narrower -> broader), keyed by relation type.
    required, offered : mapping of skill IRI to level (None: any level)
        The skill sets.
    similarity : callable or mapping of (IRI, IRI) to float, optional
        Semantic similarity in [0, 1] of two skills (a mapping is read in both orders).
    narrower_weight, broader_weight : float
        Similarity per ``broader`` step of a narrower or broader offered skill.
    close_threshold, close_weight : float
        A semantically close pair counts when its similarity reaches the threshold, for
        ``close_weight`` times that similarity.
    level_step : float
        Credit lost per proficiency level the offered skill is below the required one.
    max_hops : int
        How many ``broader`` steps a narrower or broader match may take.
    weights : mapping of IRI to float, optional
        Weights of the required skills (default 1 each).
    ancestors : mapping, optional
        The :func:`ancestor_index` of ``G`` (computed here when not given).

    Returns
    -------
    SkillCoverage

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("python", "programming", key="broader")
    'broader'
    >>> cov = skill_coverage(G, {"programming": 4, "sql": 3}, {"python": 4})
    >>> cov.share, cov.missing
    (0.4, ('sql',))
    >>> cov.pairs[0].kind.value
    'narrower'
    """
    similar = _lookup(similarity)
    empty: dict[str, int] = {}

    def up(node: str) -> Mapping[str, int]:
        if ancestors is not None:
            return ancestors.get(node, empty)
        return _ancestors(G, node, max_hops)

    offered_ancestors = {o: up(o) for o in offered}
    # Unless the similarity is a function, only the skill itself, its hierarchy and its listed
    # close pairs can match: look those up instead of trying every offered skill (equivalents
    # score thousands of sets this way).
    partners = _close_partners(similarity)
    below = _offered_below(offered_ancestors)
    matching = _Matching(
        similar=similar,
        narrower_weight=narrower_weight,
        broader_weight=broader_weight,
        close_threshold=close_threshold,
        close_weight=close_weight,
        level_step=level_step,
    )
    pairs: list[SkillPair] = []
    missing: list[str] = []
    covered_weight = 0.0
    total_weight = 0.0
    for skill, level in required.items():
        weight = 1.0 if weights is None else weights.get(skill, 1.0)
        total_weight += weight
        required_ancestors = up(skill)
        if callable(similarity):
            tried = list(offered)
        else:
            tried = _listed_candidates(
                skill, offered, below=below, above=required_ancestors, partners=partners
            )
        best = _best_pair(
            skill,
            level,
            tried=tried,
            offered=offered,
            offered_ancestors=offered_ancestors,
            required_ancestors=required_ancestors,
            matching=matching,
        )
        if best is None or best.credit <= 0.0:
            missing.append(skill)
        else:
            pairs.append(best)
            covered_weight += weight * best.credit
    share = covered_weight / total_weight if total_weight > 0 else 0.0
    return SkillCoverage(round(share, 6), tuple(pairs), tuple(missing))


def _close_partners(similarity: Similarity | None) -> dict[str, list[str]]:
    """The skills each skill is paired with in precomputed similarities (empty for a function)."""
    partners: dict[str, list[str]] = {}
    if similarity is not None and not callable(similarity):
        for first, second in similarity:
            partners.setdefault(first, []).append(second)
            partners.setdefault(second, []).append(first)
    return partners


def _offered_below(offered_ancestors: Mapping[str, Mapping[str, int]]) -> dict[str, list[str]]:
    """For each broader concept, the offered skills below it."""
    below: dict[str, list[str]] = {}
    for candidate, above in offered_ancestors.items():
        for node in above:
            below.setdefault(node, []).append(candidate)
    return below


def _listed_candidates(
    skill: str,
    offered: Mapping[str, int | None],
    *,
    below: Mapping[str, list[str]],
    above: Mapping[str, int],
    partners: Mapping[str, list[str]],
) -> list[str]:
    """The offered skills that can match ``skill``: itself, below or above it, or paired with it."""
    tried = [skill] if skill in offered else []
    tried += below.get(skill, [])
    tried += [node for node in above if node in offered]
    tried += [node for node in partners.get(skill, ()) if node in offered]
    return tried


@dataclass(frozen=True, slots=True)
class _Matching:
    """The options of :func:`skill_coverage` that value one offered skill for a required one."""

    similar: Callable[[str, str], float]
    narrower_weight: float
    broader_weight: float
    close_threshold: float
    close_weight: float
    level_step: float

    def pair(
        self,
        skill: str,
        candidate: str,
        *,
        level: int | None,
        offered_level: int | None,
        candidate_ancestors: Mapping[str, int],
        skill_ancestors: Mapping[str, int],
    ) -> SkillPair | None:
        """How ``candidate`` matches ``skill``, or None when it does not."""
        if candidate == skill:
            kind, strength, factor = MatchKind.EXACT, 1.0, 1.0
        elif skill in candidate_ancestors:
            kind, factor = MatchKind.NARROWER, 1.0
            strength = self.narrower_weight ** candidate_ancestors[skill]
        elif candidate in skill_ancestors:
            kind, factor = MatchKind.BROADER, 1.0
            strength = self.broader_weight ** skill_ancestors[candidate]
        else:
            strength = min(self.similar(skill, candidate), 1.0)
            if strength < self.close_threshold:
                return None
            kind, factor = MatchKind.CLOSE, self.close_weight
        credit = _credit(strength * factor, level, offered_level, self.level_step)
        return SkillPair(
            skill, candidate, kind, round(strength, 6), round(credit, 6), level, offered_level
        )


def _best_pair(
    skill: str,
    level: int | None,
    *,
    tried: list[str],
    offered: Mapping[str, int | None],
    offered_ancestors: Mapping[str, Mapping[str, int]],
    required_ancestors: Mapping[str, int],
    matching: _Matching,
) -> SkillPair | None:
    """The best match of ``skill`` among ``tried``: most credit, then kind, then offered IRI."""
    best: SkillPair | None = None
    for candidate in dict.fromkeys(tried):
        pair = matching.pair(
            skill,
            candidate,
            level=level,
            offered_level=offered[candidate],
            candidate_ancestors=offered_ancestors[candidate],
            skill_ancestors=required_ancestors,
        )
        if pair is not None and (best is None or _preference(pair) < _preference(best)):
            best = pair
    return best


def _preference(pair: SkillPair) -> tuple[float, int, str]:
    """Sorts the better of two matches first."""
    return (-pair.credit, _KIND_RANK[pair.kind], pair.offered)


def _credit(strength: float, required: int | None, offered: int | None, step: float) -> float:
    shortfall = 0 if required is None or offered is None else required - offered
    return strength * max(0.0, 1.0 - step * max(0, shortfall))


@dataclass(frozen=True, slots=True)
class CoverageIndex:
    """One fixed skill set, prepared to be compared with many others.

    :meth:`share_of` and :meth:`share_by` give the shares :func:`skill_coverage` gives without a
    similarity (exact, narrower, broader, level shortfall), without building pairs: for ranking
    thousands of sets against one. Build it with :func:`coverage_index`.
    """

    fixed: Mapping[str, int | None]
    #: for a skill, the fixed skills that can cover it, with the match strength
    covering: Mapping[str, tuple[tuple[str, float], ...]]
    #: for a fixed skill, the skills that can cover it, with the match strength
    covered_by: Mapping[str, tuple[tuple[str, float], ...]]
    level_step: float

    def share_of(self, required: Mapping[str, int | None]) -> float:
        """How far the fixed set covers ``required``."""
        total = 0.0
        for skill, level in required.items():
            best = 0.0
            for node, strength in self.covering.get(skill, ()):
                best = max(best, _credit(strength, level, self.fixed[node], self.level_step))
            total += best
        return round(total / len(required), 6) if required else 0.0

    def share_by(self, offered: Mapping[str, int | None]) -> float:
        """How far ``offered`` covers the fixed set."""
        total = 0.0
        for skill, level in self.fixed.items():
            best = 0.0
            for node, strength in self.covered_by.get(skill, ()):
                if node in offered:
                    best = max(best, _credit(strength, level, offered[node], self.level_step))
            total += best
        return round(total / len(self.fixed), 6) if self.fixed else 0.0


def coverage_index(
    fixed: Mapping[str, int | None],
    *,
    ancestors: AncestorIndex,
    narrower_weight: float = 0.8,
    broader_weight: float = 0.6,
    level_step: float = 0.15,
) -> CoverageIndex:
    """Prepare ``fixed`` for comparison with many sets over the :func:`ancestor_index`.

    Examples
    --------
    >>> index = coverage_index({"python": 4}, ancestors={"python": {"programming": 1}})
    >>> index.share_of({"programming": 4, "sql": 3}), index.share_by({"programming": 4})
    (0.4, 0.6)
    """
    covering: dict[str, list[tuple[str, float]]] = {skill: [(skill, 1.0)] for skill in fixed}
    covered_by: dict[str, list[tuple[str, float]]] = {skill: [(skill, 1.0)] for skill in fixed}
    for node, above in ancestors.items():
        for parent, hops in above.items():
            if node in fixed:  # a fixed skill covers its broader concepts, as narrower
                covering.setdefault(parent, []).append((node, narrower_weight**hops))
                covered_by[node].append((parent, broader_weight**hops))
            if parent in fixed:  # ... and its narrower ones, as broader
                covering.setdefault(node, []).append((parent, broader_weight**hops))
                covered_by[parent].append((node, narrower_weight**hops))
    return CoverageIndex(
        fixed=dict(fixed),
        covering={k: tuple(v) for k, v in covering.items()},
        covered_by={k: tuple(v) for k, v in covered_by.items()},
        level_step=level_step,
    )


def equivalence_score(forward: float, backward: float) -> float:
    """The harmonic mean of two directional coverages, in [0, 1].

    Examples
    --------
    >>> equivalence_score(1.0, 1.0), equivalence_score(1.0, 0.5), equivalence_score(0.0, 0.9)
    (1.0, 0.666667, 0.0)
    """
    if forward <= 0.0 or backward <= 0.0:
        return 0.0
    return round(2.0 * forward * backward / (forward + backward), 6)


def level_factor(difference: int | None) -> float:
    """The score multiplier for an EQF level difference (None: unknown, no penalty).

    Examples
    --------
    >>> level_factor(0), level_factor(-2), level_factor(5), level_factor(None)
    (1.0, 0.75, 0.6, 1.0)
    """
    if difference is None:
        return 1.0
    return LEVEL_FACTORS[min(abs(difference), len(LEVEL_FACTORS) - 1)]


def verdict(score: float, thresholds: Thresholds | None = None) -> Verdict:
    """Apply the thresholds to a score.

    Examples
    --------
    >>> verdict(0.85).value, verdict(0.5).value, verdict(0.39).value
    ('equivalent', 'partially_equivalent', 'not_equivalent')
    """
    limits = thresholds or Thresholds()
    if math.isnan(score):
        return Verdict.NOT_EQUIVALENT
    if score >= limits.equivalent:
        return Verdict.EQUIVALENT
    if score >= limits.partial:
        return Verdict.PARTIALLY_EQUIVALENT
    return Verdict.NOT_EQUIVALENT
