"""The signals of the crosswalk (:mod:`graph.services.crosswalk.ranking`), as matrices.

Coarse signals score every source row against every target occupation; fine ones score a
source against its candidates only. Scores are cosines of the profiles' unit vectors.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt

from graph.services.crosswalk.profiles import Matrix, OccupationProfiles
from graph.text import normalise

__all__ = [
    "NAMED",
    "TITLE_BEST",
    "alignment",
    "consensus",
    "fine_titles",
    "group_scores",
    "masked",
    "summary_vectors",
    "title_scores",
]

#: Share of the fine title score given by the best label pair (the rest: label coverage).
TITLE_BEST = 0.7
#: Cosine from which the source's own title names a target (no specialisation penalty).
NAMED = 0.9
_CHUNK = 4096


def title_scores(s: OccupationProfiles, t: OccupationProfiles, rows: list[int]) -> Matrix:
    """Coarse title similarity: every label of one side against the other's preferred label.

    A pair with an alternative label counts :data:`ALTERNATIVE_WEIGHT` of its cosine; an
    identical normalised label counts fully (times the same weights).
    """
    out = np.zeros((len(rows), len(t)), dtype=np.float32)
    t_starts = np.searchsorted(t.label_owner, np.arange(len(t)))
    for start in range(0, len(rows), 256):
        block = rows[start : start + 256]
        sims = (s.preferred[block] @ t.label_vectors.T) * t.label_weights[None, :]
        out[start : start + len(block)] = np.maximum.reduceat(sims, t_starts, axis=1)
    position = {row: i for i, row in enumerate(rows)}
    label_rows = np.flatnonzero(np.isin(s.label_owner, rows))
    for start in range(0, len(label_rows), _CHUNK):
        chunk = label_rows[start : start + _CHUNK]
        owners = s.label_owner[chunk]
        sims = (s.label_vectors[chunk] @ t.preferred.T) * s.label_weights[chunk][:, None]
        # rows of one owner are contiguous: reduce each run to its maximum
        breaks = np.flatnonzero(np.diff(owners)) + 1
        starts = np.concatenate(([0], breaks))
        reduced = np.maximum.reduceat(sims, starts, axis=0)
        for i, first in enumerate(starts):
            target = position[int(owners[first])]
            np.maximum(out[target], reduced[i], out=out[target])
    for row in rows:
        for label_row in s.rows_of_labels(row):
            weight = float(s.label_weights[label_row])
            key = normalise(s.label_texts[label_row])
            for match, their_weight in t.normalised_labels.get(key, {}).items():
                cell = position[row], match
                out[cell] = max(out[cell], weight * their_weight)
    return out


def fine_titles(
    s: OccupationProfiles, t: OccupationProfiles, row: int, candidates: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], list[tuple[int, int, float]]]:
    """Title similarity of one source with its candidates, every label against every label.

    ``TITLE_BEST`` of the best weighted pair plus the rest of how well the candidate's labels
    are covered by the source's (mean best cosine): an occupation named in many of the same
    ways is a closer match than one sharing a single alternative title. Also returned: the best
    cosine of the source's own title with each candidate's labels.
    """
    mine = s.rows_of_labels(row)
    spans = [t.rows_of_labels(int(c)) for c in candidates]
    theirs = np.concatenate(spans)
    sims = np.clip(s.label_vectors[mine] @ t.label_vectors[theirs].T, 0.0, 1.0)
    weighted = sims * s.label_weights[mine][:, None] * t.label_weights[theirs][None, :]
    values = np.zeros(len(candidates), dtype=np.float32)
    named = np.zeros(len(candidates), dtype=np.float32)
    best: list[tuple[int, int, float]] = []
    offset = 0
    for i, span in enumerate(spans):
        part, part_weighted = (
            sims[:, offset : offset + len(span)],
            weighted[:, offset : offset + len(span)],
        )
        offset += len(span)
        a, b = np.unravel_index(int(np.argmax(part_weighted)), part_weighted.shape)
        top = float(part_weighted[a, b])
        coverage = float(part.max(axis=0).mean())
        values[i] = TITLE_BEST * top + (1.0 - TITLE_BEST) * coverage
        named[i] = float(part[0].max())  # the source's own title (its first label)
        best.append((int(mine[a]), int(span[b]), top))
    return values, named, best


def alignment(
    s: OccupationProfiles, t: OccupationProfiles, row: int, candidates: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float32], list[tuple[int, int, float] | None]]:
    """Task-to-skill alignment of one source row with each candidate, and the best pair."""
    values = np.full(len(candidates), np.nan, dtype=np.float32)
    best: list[tuple[int, int, float] | None] = [None] * len(candidates)
    mine = s.rows_of_activities(row)
    if len(mine) == 0:
        return values, best
    spans = [t.rows_of_activities(int(c)) for c in candidates]
    theirs = (
        np.concatenate([sp for sp in spans if len(sp)]) if any(len(sp) for sp in spans) else None
    )
    if theirs is None:
        return values, best
    sims = s.activity_vectors[mine] @ t.activity_vectors[theirs].T
    offset = 0
    for i, span in enumerate(spans):
        if len(span) == 0:
            continue
        part = sims[:, offset : offset + len(span)]
        offset += len(span)
        values[i] = 0.5 * (float(part.max(axis=1).mean()) + float(part.max(axis=0).mean()))
        a, b = np.unravel_index(int(np.argmax(part)), part.shape)
        best[i] = (int(mine[a]), int(span[b]), float(part[a, b]))
    return values, best


def masked(
    values: Matrix, rows_ok: npt.NDArray[np.bool_], cols_ok: npt.NDArray[np.bool_]
) -> Matrix:
    """``values`` where both the row and the column have the signal, NaN elsewhere."""
    return np.where(np.outer(rows_ok, cols_ok), values, np.nan).astype(np.float32)


def summary_vectors(p: OccupationProfiles, rows: list[int] | slice) -> Matrix:
    """Each occupation's own text for the group signal.

    Its description, else the centroid of its activities, else its title.
    """
    fallback = np.where(p.has_activities[rows, None], p.activity_centroids[rows], p.preferred[rows])
    return np.where(p.has_description[rows, None], p.descriptions[rows], fallback).astype(
        np.float32
    )


def group_scores(s: OccupationProfiles, t: OccupationProfiles, rows: list[int]) -> Matrix:
    """Cosine of one side's ISCO unit group text with the other side's own text."""
    every = slice(None)
    left = np.where(s.has_group[rows, None], s.group_vectors[rows], summary_vectors(s, rows))
    right = np.where(t.has_group[:, None], t.group_vectors, summary_vectors(t, every))
    # only meaningful when at least one side brings a group text
    either = s.has_group[rows][:, None] | t.has_group[None, :]
    values = (left @ right.T).astype(np.float32)
    return np.where(either, values, np.nan).astype(np.float32)


def consensus(
    s: OccupationProfiles,
    t: OccupationProfiles,
    rows: list[int],
    candidates: npt.NDArray[np.int64],
    scores: Matrix,
    temperature: float,
) -> tuple[Matrix, list[dict[str, float]]]:
    """Each row's siblings' consensus on the target groups, read at its candidates."""
    spread: list[dict[str, float]] = []
    for i in range(len(rows)):
        weights = np.exp((scores[i] - scores[i].max()) / temperature)
        share: dict[str, float] = defaultdict(float)
        for c, weight in zip(candidates[i], weights / weights.sum(), strict=True):
            key = t.target_keys[int(c)]
            if key is not None:
                share[key] += float(weight)
        spread.append(share)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        key = s.sibling_keys[row]
        if key is not None:
            by_key[key].append(i)
    values = np.full(candidates.shape, np.nan, dtype=np.float32)
    priors: list[dict[str, float]] = []
    for i, row in enumerate(rows):
        siblings = [j for j in by_key.get(s.sibling_keys[row] or "", []) if j != i]
        prior: dict[str, float] = defaultdict(float)
        for j in siblings:
            for key, part in spread[j].items():
                prior[key] += part / len(siblings)
        priors.append(prior)
        if prior:
            values[i] = [prior.get(t.target_keys[int(c)] or "", 0.0) for c in candidates[i]]
    return values, priors
