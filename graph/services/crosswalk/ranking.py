"""Crosswalks between occupation frameworks (O*NET <-> ESCO, or any two in the store).

For every occupation of the source framework, the occupations of the target framework are
ranked by a score in [0, 1] built from what the graph knows about both, with the evidence:

- ``title``: the best cosine between a label of one (title or alternative title) and a label of
  the other (an identical normalised label counts 1), a pair with an alternative label weighted
  down (:data:`~graph.services.crosswalk.profiles.ALTERNATIVE_WEIGHT` per side), blended with
  how well the target's labels are covered by the source's (:data:`TITLE_BEST`);
- ``description``: the cosine of the two descriptions;
- ``activities``: how well the source's activities (O*NET task statements) and the target's
  (ESCO essential skills) align: each side's mean best cosine into the other, averaged;
- ``group``: the cosine between one side's text and the other's ISCO unit group description;
- ``structure``: the consensus of the source's siblings (same SOC minor group, or same ISCO unit
  group, the source itself left out): the share of their matches (softmax over their candidates'
  scores) that falls into the target's group (ISCO unit group, or SOC detailed occupation).
  Occupations that share a structural group tend to map to the same region of the other
  framework, so this lifts candidates there without any hand-made mapping.

Candidates are chosen on coarse signals (labels against preferred labels, centroids of the
activities), then the best :attr:`CrosswalkWeights.candidates` are scored in full.

The hand-weighted score is the weighted mean of the available signals (a missing description or
task list is left out and the weights renormalised), blended with ``structure``, less a small
amount per level a target occupation sits below a broader one (a specialisation must win on
evidence). A reranker (:mod:`graph.services.crosswalk.rerank`) then rescores the candidates from
that score, its parts and further signals (tasks against the target's description, the ISCO
group the best candidates agree on, occupations sharing essential skills, shared labels): a
logistic model whose few coefficients were fitted on the tune part of an expert crosswalk. Its
score, in [0, 1], is what is served; each match's explanation names the signals behind it.
Nothing here is tuned to a particular pair of frameworks: the signals come from labels,
descriptions, skill or task links, hierarchies and codes, which is what lets it generalise to
crosswalks it has never been checked against.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from graph.embeddings import Embedder
from graph.errors import InvalidInputError, NotFoundError
from graph.model.concepts import Concept, Provenance, ProvenanceKind, Relation, RelationType
from graph.services.crosswalk.profiles import (
    Matrix,
    OccupationProfiles,
    load_profiles,
    occupations_of,
    sibling_key,
)
from graph.services.crosswalk.rerank import (
    EXTRA_SIGNALS,
    FEATURES,
    RERANKER,
    Reranker,
    candidate_features,
)
from graph.services.crosswalk.signals import (
    NAMED,
    alignment,
    consensus,
    fine_titles,
    group_scores,
    masked,
    title_scores,
)
from graph.store import GraphBatch, GraphStore
from graph.text import normalise

__all__ = [
    "Crosswalk",
    "CrosswalkEntry",
    "CrosswalkMatch",
    "CrosswalkWeights",
    "Scored",
    "crosswalk",
    "score_candidates",
    "store_crosswalk",
]

logger = logging.getLogger(__name__)

SIGNALS = ("title", "description", "activities", "group")


@dataclass(frozen=True, slots=True)
class CrosswalkWeights:
    """Weights of the signals, the share of the structural consensus, and the search budget.

    ``specificity`` is taken off per ``broader`` step a target occupation sits below a top
    occupation of its framework. ``competition`` times how much better the target's best
    source occupation *of the same taxonomy version* fits it (coarse score) is taken off too:
    an occupation another source fits better is less likely to be this one's. Versions are
    kept apart because the store holds O*NET-SOC 2010 and 2019, which map the same work twice
    (at 2 without versions, 2010's 15-1132.00 lost "software developer" to 2019's 15-1252.00).
    Chosen on the tune part (113 O*NET codes) of the expert O*NET -> ESCO crosswalk only:
    hit@1 / hit@5 71.7 / 91.2 at 0 and 72.6 / 94.7 at 2 (71.7 / 94.7 before versions were
    kept apart); ``scripts/dev bench quality`` reports the held-out part beside it.
    ``reranker`` rescores the candidates (:data:`~graph.services.crosswalk.rerank.RERANKER`);
    ``None`` serves the hand-weighted score.
    """

    title: float = 0.40
    description: float = 0.20
    activities: float = 0.25
    group: float = 0.15
    structure: float = 0.15
    specificity: float = 0.03
    competition: float = 2.0
    candidates: int = 40
    temperature: float = 0.05
    reranker: Reranker | None = RERANKER

    def signal(self, name: str) -> float:
        """The weight of one signal of :data:`SIGNALS`."""
        return float(getattr(self, name))


@dataclass(frozen=True, slots=True)
class CrosswalkMatch:
    """A ranked occupation of the target framework, with its signals and a sentence of evidence."""

    uri: str
    code: str | None
    label: str
    score: float
    isco_group: str | None
    signals: dict[str, float | None]
    explanation: str


@dataclass(frozen=True, slots=True)
class CrosswalkEntry:
    """One source occupation and its ranked matches, best first."""

    source: str
    code: str | None
    label: str
    matches: tuple[CrosswalkMatch, ...]


@dataclass(frozen=True, slots=True)
class Crosswalk:
    """A crosswalk from one framework to another."""

    source_framework: str
    target_framework: str
    results: tuple[CrosswalkEntry, ...]
    model: str
    weights: CrosswalkWeights
    seconds: float


def _selected(
    concepts: list[Concept], framework: str, sources: Sequence[str] | None
) -> tuple[list[Concept], set[str]]:
    """(occupations to score: the named ones and their structural siblings, those to report)."""
    if sources is None:
        return concepts, {c.uri for c in concepts}
    index = {c.uri: c for c in concepts} | {c.code: c for c in concepts if c.code}
    wanted = set()
    for source in sources:
        if source not in index:
            raise NotFoundError(
                f"no {framework} occupation {source!r}",
                details={"field": "source", "value": source},
            )
        wanted.add(index[source].uri)
    keys = {sibling_key(index[uri]) for uri in wanted} - {None}
    return [c for c in concepts if c.uri in wanted or sibling_key(c) in keys], wanted


def _base(signals: dict[str, Matrix], weights: CrosswalkWeights) -> Matrix:
    total = np.zeros_like(signals["title"])
    mass = np.zeros_like(signals["title"])
    for name in SIGNALS:
        values = signals[name]
        present = ~np.isnan(values)
        total += np.where(present, np.clip(values, 0.0, 1.0), 0.0) * weights.signal(name)
        mass += present * weights.signal(name)
    return (total / np.where(mass == 0, 1.0, mass)).astype(np.float32)


def _explain(
    s: OccupationProfiles,
    t: OccupationProfiles,
    row: int,
    target: int,
    signals: dict[str, float | None],
    best_title: tuple[int, int, float],
    best_activity: tuple[int, int, float] | None,
    prior: dict[str, float],
    penalty: float,
    contested: float = 0.0,
) -> str:
    mine, theirs, cosine = best_title
    left, right = s.label_texts[mine], t.label_texts[theirs]
    exact = normalise(left) == normalise(right)
    parts = [
        f"title {signals['title']:.2f} ('{left}' {'=' if exact else '~'} '{right}'"
        f"{'' if exact else f' {cosine:.2f}'})"
    ]
    if signals["description"] is not None:
        parts.append(f"description {signals['description']:.2f}")
    if signals["activities"] is not None and best_activity is not None:
        task, skill, cos = best_activity
        parts.append(
            f"activities {signals['activities']:.2f} (best: '{s.activity_texts[task]}' ~ "
            f"'{t.activity_texts[skill]}' {cos:.2f})"
        )
    if signals["group"] is not None:
        name = t.group_names[target] or s.group_names[row] or "ISCO group"
        parts.append(f"{name} {signals['group']:.2f}")
    if penalty > 0:
        parts.append(f"a specialisation not named by the title: -{penalty:.2f}")
    if contested >= 0.005:
        parts.append(f"another {s.framework} occupation fits it better: -{contested:.2f}")
    key = t.target_keys[target]
    if signals.get("their_title") is not None:
        parts.append(f"its title ~ a {s.framework} label {signals['their_title']:.2f}")
    if signals.get("same_labels"):
        shared = round(math.expm1(signals["same_labels"] or 0.0))
        parts.append(f"{shared} label{'s' if shared != 1 else ''} in common")
    if signals.get("tasks_description"):
        parts.append(f"tasks ~ its description {signals['tasks_description']:.2f}")
    if key is not None and signals.get("group_share"):
        parts.append(f"{signals['group_share']:.0%} of the best candidates are in {key}")
    if signals.get("skill_neighbours"):
        parts.append(
            f"shares essential skills with the other good candidates "
            f"{signals['skill_neighbours']:.2f}"
        )
    if signals["structure"] is not None and key is not None and prior:
        parts.append(
            f"siblings in {s.sibling_keys[row]} put {prior.get(key, 0.0):.0%} of their "
            f"matches in {key}"
        )
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class _Candidates:
    """Per source row, the target rows worth scoring in full, with their fine signals.

    Row ``i`` of each matrix is the i-th scored source row, column ``j`` its j-th candidate.
    """

    targets: npt.NDArray[np.int64]
    count: int
    coarse: Matrix
    signals: dict[str, Matrix]
    best_titles: list[list[tuple[int, int, float]]]
    best_activities: list[list[tuple[int, int, float] | None]]
    named: Matrix


@dataclass(frozen=True, slots=True)
class _Ranking:
    """The candidates' final scores, and what went into them besides the signals."""

    final: Matrix
    agreement: Matrix
    priors: list[dict[str, float]]
    penalised: Matrix
    contested: Matrix
    base: Matrix


def _coarse_signals(
    s: OccupationProfiles, t: OccupationProfiles, rows: list[int]
) -> dict[str, Matrix]:
    """The signals of every source row against every target occupation, on the cheap vectors."""
    return {
        "title": title_scores(s, t, rows),
        "description": masked(
            s.descriptions[rows] @ t.descriptions.T, s.has_description[rows], t.has_description
        ),
        "activities": masked(
            s.activity_centroids[rows] @ t.activity_centroids.T,
            s.has_activities[rows],
            t.has_activities,
        ),
        "group": group_scores(s, t, rows),
    }


def _candidates(
    s: OccupationProfiles, t: OccupationProfiles, *, rows: list[int], weights: CrosswalkWeights
) -> _Candidates:
    """The best coarse candidates of each source row, their titles and activities rescored."""
    signals = _coarse_signals(s, t, rows)
    coarse = _base(signals, weights)
    k = min(weights.candidates, len(t))
    candidates = np.argpartition(-coarse, k - 1, axis=1)[:, :k]
    picked = {n: np.take_along_axis(v, candidates, axis=1) for n, v in signals.items()}
    best_pairs: list[list[tuple[int, int, float] | None]] = []
    best_titles: list[list[tuple[int, int, float]]] = []
    named = np.zeros(candidates.shape, dtype=np.float32)
    for i, row in enumerate(rows):
        aligned, best = alignment(s, t, row, candidates[i])
        picked["activities"][i] = aligned
        best_pairs.append(best)
        titles, named[i], pairs = fine_titles(s, t, row, candidates[i])
        picked["title"][i] = titles
        best_titles.append(pairs)
    coarse_picked = np.take_along_axis(coarse, candidates, axis=1)
    return _Candidates(candidates, k, coarse_picked, picked, best_titles, best_pairs, named)


def _ranking(
    s: OccupationProfiles,
    t: OccupationProfiles,
    *,
    rows: list[int],
    found: _Candidates,
    weights: CrosswalkWeights,
    competition: Matrix | None = None,
) -> _Ranking:
    """The candidates' signals blended with their siblings' consensus, less specialisation."""
    base = _base(found.signals, weights)
    agreement, priors = consensus(s, t, rows, found.targets, base, weights.temperature)
    final = np.where(
        np.isnan(agreement),
        base,
        (1 - weights.structure) * base + weights.structure * agreement,
    )
    # A specialisation (ESCO's spot welder under welder) must win on clearly better evidence
    # than alternative titles: unless the source's own title names it, it gives way.
    penalised = (found.named < NAMED) * t.depth[found.targets]
    final = final - weights.specificity * penalised
    contested = np.zeros_like(final)
    if competition is not None:
        contested = weights.competition * (competition - found.coarse)
    return _Ranking(final - contested, agreement, priors, penalised, contested, base)


def _version(concept: Concept) -> str:
    """The taxonomy version a source occupation belongs to (``""`` when it names none)."""
    return concept.framework_version or ""


def best_coarse(
    s: OccupationProfiles, t: OccupationProfiles, weights: CrosswalkWeights
) -> dict[str, npt.NDArray[np.float32]]:
    """Per taxonomy version of ``s``: per target occupation, its best coarse score there.

    Versions are kept apart because each version maps the same work again: O*NET-SOC 2010's
    15-1132.00 and 2019's 15-1252.00 both fit "software developer", and neither should lose it
    to the other.
    """
    best: dict[str, npt.NDArray[np.float32]] = {}
    for start in range(0, len(s), 256):
        rows = list(range(start, min(start + 256, len(s))))
        scores = _base(_coarse_signals(s, t, rows), weights)
        for version in {_version(s.concepts[row]) for row in rows}:
            mine = [i for i, row in enumerate(rows) if _version(s.concepts[row]) == version]
            top = best.setdefault(version, np.full(len(t), -np.inf, dtype=np.float32))
            np.maximum(top, scores[mine].max(axis=0), out=top)
    return best


def _competition(
    s: OccupationProfiles,
    rows: list[int],
    found: _Candidates,
    best: dict[str, npt.NDArray[np.float32]],
) -> Matrix:
    """Per source row and candidate: the candidate's best coarse score in the row's version."""
    return np.stack(
        [best[_version(s.concepts[row])][found.targets[i]] for i, row in enumerate(rows)]
    )


def _rounded(value: np.float32) -> float | None:
    """A signal rounded to four places; None where it is missing (NaN)."""
    return None if np.isnan(value) else round(float(value), 4)


def _entry(
    s: OccupationProfiles,
    t: OccupationProfiles,
    *,
    row: int,
    i: int,
    scored: Scored,
    weights: CrosswalkWeights,
    top: int,
) -> CrosswalkEntry:
    """Source row ``row``, the i-th scored, with its ``top`` best candidates explained."""
    found, ranking = scored.found, scored.ranking
    final = ranking.final
    order = sorted(
        range(found.count),
        key=lambda j: (-round(float(final[i, j]), 6), t.uris[found.targets[i, j]]),
    )
    matches = []
    for j in order[:top]:
        target_row = int(found.targets[i, j])
        values = {name: _rounded(found.signals[name][i, j]) for name in SIGNALS}
        values["structure"] = _rounded(ranking.agreement[i, j])
        for name in EXTRA_SIGNALS:
            values[name] = _rounded(scored.features[i, j, FEATURES.index(name)])
        concept = t.concepts[target_row]
        matches.append(
            CrosswalkMatch(
                uri=concept.uri,
                code=concept.code,
                label=t.titles[target_row],
                score=round(float(np.clip(final[i, j], 0.0, 1.0)), 4),
                isco_group=concept.isco_group,
                signals=values,
                explanation=_explain(
                    s,
                    t,
                    row,
                    target_row,
                    values,
                    found.best_titles[i][j],
                    found.best_activities[i][j],
                    ranking.priors[i],
                    float(weights.specificity * ranking.penalised[i, j]),
                    float(ranking.contested[i, j]),
                ),
            )
        )
    return CrosswalkEntry(s.uris[row], s.concepts[row].code, s.titles[row], tuple(matches))


@dataclass(frozen=True, slots=True)
class Scored:
    """Both sides' profiles, the scored source rows, their candidates, scores and features.

    ``ranking.final`` is the reranker's score where there is one; ``hand`` the hand-weighted
    score it was computed from.
    """

    s: OccupationProfiles
    t: OccupationProfiles
    rows: list[int]
    found: _Candidates
    ranking: _Ranking
    features: npt.NDArray[np.float32]
    hand: Matrix


def score_candidates(
    store: GraphStore,
    embedder: Embedder,
    *,
    source: str,
    target: str,
    top: int,
    sources: Sequence[str] | None,
    weights: CrosswalkWeights,
) -> tuple[Scored, set[str]]:
    """Every chosen source row's candidates scored (reranked when ``weights.reranker``).

    Also returned: the IRIs of the source occupations to report (``sources``, or all).
    """
    if source == target:
        raise InvalidInputError(
            "crosswalk from a framework to itself", details={"field": "to", "value": target}
        )
    if top < 1:
        raise InvalidInputError("top must be at least 1", details={"field": "top"})
    w = weights
    chosen, reported = _selected(occupations_of(store, source), source, sources)
    t = load_profiles(store, target, embedder)
    s = load_profiles(store, source, embedder, concepts=chosen)
    rows = list(range(len(s)))
    found = _candidates(s, t, rows=rows, weights=w)
    competition = None
    if w.competition:
        every = s if sources is None else load_profiles(store, source, embedder)
        competition = _competition(s, rows, found, best_coarse(every, t, w))
    ranking = _ranking(s, t, rows=rows, found=found, weights=w, competition=competition)
    parts = dict(found.signals) | {
        "base": ranking.base,
        "final": ranking.final,
        "structure": ranking.agreement,
        "named": found.named,
        "specialised": ranking.penalised,
        "contested": ranking.contested,
    }
    features = candidate_features(s, t, rows, found.targets, parts, w.temperature)
    hand = ranking.final
    if w.reranker is not None:
        ranking = replace(ranking, final=w.reranker.score(features))
    return Scored(s, t, rows, found, ranking, features, hand), reported


def crosswalk(
    store: GraphStore,
    embedder: Embedder,
    *,
    source: str = "onet",
    target: str = "esco",
    top: int = 5,
    sources: Sequence[str] | None = None,
    weights: CrosswalkWeights | None = None,
) -> Crosswalk:
    """Rank, for every occupation of ``source``, the occupations of ``target``.

    Parameters
    ----------
    store : GraphStore
        Holds both frameworks' occupations (and ESCO's skills and ISCO groups).
    embedder : Embedder
        Embeds the texts; with its cache warm (after ingest) a run only looks vectors up.
    source, target : str
        Framework ids (``onet``, ``esco``).
    top : int
        Matches per source occupation.
    sources : sequence of str, optional
        Only these source occupations (IRIs or codes); their structural siblings are scored
        too, since the consensus needs them.
    weights : CrosswalkWeights, optional
        Signal weights and search budget.

    Raises
    ------
    InvalidInputError
        The same framework on both sides, or ``top`` below 1.
    NotFoundError
        A framework has no occupations in the store, or a named source occupation is unknown.
    """
    started = time.perf_counter()
    w = weights or CrosswalkWeights()
    scored, reported = score_candidates(
        store, embedder, source=source, target=target, top=top, sources=sources, weights=w
    )
    s, t, rows = scored.s, scored.t, scored.rows
    results = [
        _entry(s, t, row=row, i=i, scored=scored, weights=w, top=top)
        for i, row in enumerate(rows)
        if s.uris[row] in reported
    ]
    seconds = round(time.perf_counter() - started, 3)
    logger.info(
        "crosswalk %s -> %s: %d occupations in %.1fs", source, target, len(results), seconds
    )
    return Crosswalk(source, target, tuple(results), embedder.name, w, seconds)


def store_crosswalk(store: GraphStore, result: Crosswalk) -> int:
    """Store each source's top match as a computed ``close_match``; return how many were written.

    A computed link never overwrites a declared one: a pair with a declared mapping is left as
    it is. Earlier computed ``close_match`` links of a source into the target framework are
    replaced.
    """
    at = datetime.now(UTC).isoformat(timespec="seconds")
    agent = f"credwalk crosswalk {result.source_framework}->{result.target_framework}"
    existing = {
        entry.source: store.relations(entry.source, types=[RelationType.CLOSE_MATCH])
        for entry in result.results
        if entry.matches
    }
    frameworks = {
        uri: c.framework
        for uri, c in store.get_concepts({r.target for rs in existing.values() for r in rs}).items()
    }
    write: list[Relation] = []
    remove: list[tuple[str, str, str]] = []
    for entry in result.results:
        if not entry.matches:
            continue
        best = entry.matches[0]
        declared = False
        for r in existing[entry.source]:
            computed = r.provenance is None or r.provenance.kind is ProvenanceKind.COMPUTED
            if not computed:
                declared = declared or r.target == best.uri
            elif r.target != best.uri and frameworks.get(r.target) == result.target_framework:
                remove.append(r.key)
        if declared:
            continue
        provenance = Provenance(
            ProvenanceKind.COMPUTED, agent=agent, at=at, model=result.model, score=best.score
        )
        write.append(
            Relation(
                entry.source,
                RelationType.CLOSE_MATCH,
                best.uri,
                weight=best.score,
                provenance=provenance,
            )
        )
    store.write(GraphBatch(relations=write, delete_relations=remove))
    return len(write)
