"""The crosswalk's reranker: a logistic model over the features of each source's candidates.

The hand-weighted score of :mod:`graph.services.crosswalk.ranking` ranks the candidates; the
reranker rescores them from that score, its parts and three signals it does not use:

- ``tasks_description``: how well the source's activities (O*NET task statements) read like the
  candidate's description (mean of the three best task cosines with it);
- ``group_share``: the share of the source's own best candidates (softmax over their scores)
  that sits in the candidate's ISCO unit group: agreement of the ranking on a group;
- ``skill_neighbours``: how many essential skills the candidate shares with the source's other
  well-scored candidates (Jaccard, weighted by their softmax): the graph's occupations sharing
  essential skills lift a candidate in the right region.
- ``their_title``: the best cosine of the candidate's own title with a label of the source
  (title or alternate title); ``same_labels``: how many labels both share once normalised
  (``log(1 + n)``).

Its coefficients (:data:`RERANKER`) were fitted on the tune part of the expert O*NET -> ESCO
crosswalk only (``scripts/crosswalk_fit.py``, cross-validated within tune); the run that chose
them is named beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.services.crosswalk.profiles import Matrix, OccupationProfiles
from graph.text import normalise

__all__ = ["EXTRA_SIGNALS", "FEATURES", "RERANKER", "Reranker", "candidate_features", "softmax"]

#: The features, in the order of the coefficients.
FEATURES = (
    "base",
    "title",
    "description",
    "activities",
    "group",
    "structure",
    "named",
    "specialised",
    "contested",
    "tasks_description",
    "group_share",
    "skill_neighbours",
    "margin",
    "their_title",
    "same_labels",
)

#: The features reported beside the signals of a match (the others are the signals or their mix).
EXTRA_SIGNALS = (
    "tasks_description",
    "group_share",
    "skill_neighbours",
    "their_title",
    "same_labels",
)


@dataclass(frozen=True, slots=True)
class Reranker:
    """A logistic model: ``sigmoid(intercept + coefficients . features)``."""

    coefficients: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        if len(self.coefficients) != len(FEATURES):
            raise ValueError(
                f"a reranker needs {len(FEATURES)} coefficients ({', '.join(FEATURES)}), "
                f"not {len(self.coefficients)}"
            )

    def score(self, features: npt.NDArray[np.float32]) -> Matrix:
        """The probability-like score of each candidate (features on the last axis)."""
        logits = features @ np.asarray(self.coefficients, dtype=np.float32) + self.intercept
        scores: Matrix = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
        return scores


#: Fitted by ``scripts/dev train crosswalk --write`` on the 113 tune O*NET codes (the run is
#: recorded in ``scripts/crosswalk_fit.json``): pointwise logistic regression, C=0.3,
#: chosen by 5-fold cross-validation within tune: hit@1 / hit@5 77.9 / 95.6
#: cross-validated, against 72.6 / 94.7 for the hand-weighted score.
RERANKER = Reranker(
    coefficients=(
        -0.5836,  # base
        3.2688,  # title
        1.0905,  # description
        1.1725,  # activities
        -0.1813,  # group
        -2.8868,  # structure
        -0.1989,  # named
        -3.6988,  # specialised
        -8.6057,  # contested
        -0.5672,  # tasks_description
        2.4895,  # group_share
        -0.8799,  # skill_neighbours
        5.0281,  # margin
        -0.7931,  # their_title
        0.5127,  # same_labels
    ),
    intercept=-2.8252,
)


def softmax(scores: Matrix, temperature: float) -> Matrix:
    """Row-wise softmax of ``scores / temperature``."""
    weights = np.exp((scores - scores.max(axis=1, keepdims=True)) / temperature)
    shares: Matrix = (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)
    return shares


def _tasks_description(
    s: OccupationProfiles, t: OccupationProfiles, row: int, candidates: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    mine = s.rows_of_activities(row)
    if len(mine) == 0:
        return np.zeros(len(candidates), dtype=np.float32)
    sims = s.activity_vectors[mine] @ t.descriptions[candidates].T
    best = -np.sort(-sims, axis=0)[: min(3, len(mine))]
    return np.where(t.has_description[candidates], best.mean(axis=0), 0.0).astype(np.float32)


def _group_share(t: OccupationProfiles, candidates: npt.NDArray[np.int64], p: Matrix) -> Matrix:
    out = np.zeros(candidates.shape, dtype=np.float32)
    for i in range(len(candidates)):
        keys = [t.target_keys[int(c)] for c in candidates[i]]
        share: dict[str, float] = {}
        for key, weight in zip(keys, p[i], strict=True):
            if key is not None:
                share[key] = share.get(key, 0.0) + float(weight)
        out[i] = [share.get(key, 0.0) if key is not None else 0.0 for key in keys]
    return out


def _label_features(
    s: OccupationProfiles, t: OccupationProfiles, row: int, candidates: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(best cosine of each candidate's own title with a source label, shared labels).

    Shared labels: how many of the source's labels (title, alternate titles) are, once
    normalised, labels of the candidate too, as ``log(1 + n)``.
    """
    mine = s.rows_of_labels(row)
    titles = t.label_starts[candidates]
    their_title = (s.label_vectors[mine] @ t.label_vectors[titles].T).max(axis=0)
    shared = np.zeros(len(candidates), dtype=np.float32)
    position = {int(c): i for i, c in enumerate(candidates)}
    for key in {normalise(s.label_texts[r]) for r in mine}:
        for match in t.normalised_labels.get(key, {}):
            if match in position:
                shared[position[match]] += 1.0
    return their_title.astype(np.float32), np.log1p(shared).astype(np.float32)


def _skill_sets(t: OccupationProfiles, rows: set[int]) -> dict[int, frozenset[str]]:
    return {r: frozenset(t.activity_texts[a] for a in t.rows_of_activities(r)) for r in rows}


def _skill_neighbours(
    t: OccupationProfiles, candidates: npt.NDArray[np.int64], p: Matrix
) -> Matrix:
    sets = _skill_sets(t, {int(c) for c in candidates.ravel()})
    out = np.zeros(candidates.shape, dtype=np.float32)
    k = candidates.shape[1]
    for i in range(len(candidates)):
        skills = [sets[int(c)] for c in candidates[i]]
        jaccard = np.zeros((k, k), dtype=np.float32)
        for a in range(k):
            for b in range(a + 1, k):
                union = len(skills[a] | skills[b])
                if union:
                    jaccard[a, b] = jaccard[b, a] = len(skills[a] & skills[b]) / union
        others = p[i][None, :] * (1.0 - np.eye(k, dtype=np.float32))
        out[i] = (jaccard * others).sum(axis=1) / np.maximum(others.sum(axis=1), 1e-6)
    return out


def candidate_features(
    s: OccupationProfiles,
    t: OccupationProfiles,
    rows: list[int],
    candidates: npt.NDArray[np.int64],
    parts: dict[str, Matrix],
    temperature: float,
) -> npt.NDArray[np.float32]:
    """The features (:data:`FEATURES`) of each source row's candidates: (rows, candidates, F).

    ``parts`` holds the hand-weighted ``base`` and ``final`` scores, the signals, ``structure``
    (the siblings' consensus), ``named``, ``specialised`` and ``contested``; a missing signal
    (NaN) counts 0.
    """
    p = softmax(parts["final"], temperature)
    extra = {
        "tasks_description": np.stack(
            [_tasks_description(s, t, row, candidates[i]) for i, row in enumerate(rows)]
        )
        if rows
        else np.zeros(candidates.shape, dtype=np.float32),
        "group_share": _group_share(t, candidates, p),
        "skill_neighbours": _skill_neighbours(t, candidates, p),
        "margin": parts["final"] - parts["final"].max(axis=1, keepdims=True),
    }
    labels = [_label_features(s, t, row, candidates[i]) for i, row in enumerate(rows)]
    extra["their_title"] = np.stack([a for a, _ in labels]) if rows else extra["margin"] * 0
    extra["same_labels"] = np.stack([b for _, b in labels]) if rows else extra["margin"] * 0
    values = parts | extra
    stacked = np.stack([values[name] for name in FEATURES], axis=-1)
    features: npt.NDArray[np.float32] = np.nan_to_num(stacked).astype(np.float32)
    return features
