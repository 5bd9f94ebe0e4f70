"""Advisor comparison: two to four credentials side by side.

Every skill any of them certifies becomes a row, at the highest level any of them certifies it. For
each credential the row says whether it covers the skill fully (the skill itself, at that level),
partially (a lower level, a narrower or broader skill, or a semantically close one) or not at all,
with the same matching as :mod:`graph.services.equivalence.equivalents`. Beside the skills: the
levels through the EQF, credits, issuer types, jurisdictions, the pairwise equivalence scores and
the recognition decisions recorded about any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

import networkx as nx

from graph.algorithms.equivalence import Thresholds, Verdict, skill_coverage
from graph.embeddings import Embedder
from graph.errors import InvalidInputError
from graph.reference import ReferenceData
from graph.services.catalogue.credentials import get_credential
from graph.services.equivalence.equivalents import (
    close_pairs,
    prepare_credentials,
    skill_hierarchy,
    skill_labels,
)
from graph.services.equivalence.explain import (
    CLOSE_THRESHOLD,
    CredentialSummary,
    Side,
    SkillRef,
    explain,
)
from graph.services.equivalence.recognition import RecognitionDecision, decisions_for
from graph.store import GraphStore

__all__ = [
    "MAX_COMPARED",
    "Comparison",
    "PairScore",
    "SkillRow",
    "compare_credentials",
]

MAX_COMPARED = 4
_FULL = 1.0 - 1e-9


@dataclass(frozen=True, slots=True)
class SkillRow:
    """One skill across the compared credentials.

    ``status[i]`` is ``full``, ``partial`` or ``missing`` for the i-th credential; ``levels[i]``
    the level it certifies the skill at (None when it does not list it); ``via[i]`` the skill
    of that credential that covers this one when it is not the skill itself.
    """

    skill: SkillRef
    status: tuple[str, ...]
    levels: tuple[int | None, ...]
    via: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class PairScore:
    """The equivalence score and verdict of two of the compared credentials."""

    a: str
    b: str
    score: float
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two to four credentials side by side.

    ``shared`` skills are fully covered by all; ``partial`` covered by all, by some only
    partially; ``missing`` lacking entirely in at least one.
    """

    credentials: tuple[CredentialSummary, ...]
    skills: tuple[SkillRow, ...]
    shared: tuple[SkillRef, ...]
    partial: tuple[SkillRef, ...]
    missing: tuple[SkillRef, ...]
    levels: tuple[str, ...]
    pairs: tuple[PairScore, ...]
    recognitions: tuple[RecognitionDecision, ...]


def _highest_levels(sides: Sequence[Side]) -> dict[str, int | None]:
    """Every skill any side certifies, at the highest level any of them certifies it."""
    union: dict[str, int | None] = {}
    for side in sides:
        for uri, level in side.skills.items():
            known = union.get(uri)
            union[uri] = level if known is None else max(known, level or known)
    return union


def _skill_rows(
    sides: Sequence[Side],
    *,
    union: Mapping[str, int | None],
    labels: Mapping[str, str],
    hierarchy: nx.MultiDiGraph,
    close: Mapping[tuple[str, str], float],
) -> list[SkillRow]:
    """One row per skill of ``union``, in label order, saying how each side covers it."""
    coverages = [
        skill_coverage(
            hierarchy, union, side.skills, similarity=close, close_threshold=CLOSE_THRESHOLD
        )
        for side in sides
    ]
    rows = []
    for uri, level in sorted(union.items(), key=lambda item: labels.get(item[0], item[0])):
        status, via = [], []
        for coverage in coverages:
            pair = next((p for p in coverage.pairs if p.required == uri), None)
            credit = 0.0 if pair is None else pair.credit
            status.append("full" if credit >= _FULL else "partial" if credit > 0 else "missing")
            via.append(None if pair is None or pair.offered == uri else pair.offered)
        rows.append(
            SkillRow(
                SkillRef(uri, labels.get(uri, uri), level),
                tuple(status),
                tuple(side.skills.get(uri) for side in sides),
                tuple(via),
            )
        )
    return rows


def _levels_compared(first: Side, second: Side, reference: ReferenceData) -> str:
    """How the levels of two sides compare through the EQF, or which of them states none."""
    if first.level is not None and second.level is not None:
        return reference.frameworks.compare_levels(first.level, second.level).explanation
    unstated = [s.summary.title for s in (first, second) if s.level is None]
    return f"{' and '.join(unstated)} states no level referenced to the EQF."


def compare_credentials(
    store: GraphStore,
    ids: Sequence[str],
    *,
    reference: ReferenceData,
    embedder: Embedder | None = None,
    thresholds: Thresholds | None = None,
) -> Comparison:
    """Compare two to four credentials side by side.

    Raises
    ------
    InvalidInputError
        Fewer than two or more than four distinct credentials (``details["field"] = "ids"``).
    NotFoundError
        A credential does not exist.
    """
    unique = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if not 2 <= len(unique) <= MAX_COMPARED:
        raise InvalidInputError(
            f"ids: compare two to {MAX_COMPARED} distinct credentials, got {len(unique)}",
            details={"field": "ids", "count": len(unique)},
        )
    sides = prepare_credentials(store, [get_credential(store, i) for i in unique], reference)
    union = _highest_levels(sides)
    labels = skill_labels(store, union)
    hierarchy = skill_hierarchy(store, union)
    close = close_pairs(embedder, labels, union, union)
    rows = _skill_rows(sides, union=union, labels=labels, hierarchy=hierarchy, close=close)
    limits = thresholds or Thresholds()
    pairs = []
    for first, second in combinations(sides, 2):
        result = explain(
            first,
            second,
            hierarchy=hierarchy,
            close=close,
            labels=labels,
            decisions=(),
            reference=reference,
            thresholds=limits,
        )
        pairs.append(PairScore(first.summary.id, second.summary.id, result.score, result.verdict))
    levels = [_levels_compared(first, second, reference) for first, second in pairwise(sides)]
    return Comparison(
        credentials=tuple(side.summary for side in sides),
        skills=tuple(rows),
        shared=tuple(r.skill for r in rows if set(r.status) == {"full"}),
        partial=tuple(r.skill for r in rows if "missing" not in r.status and "partial" in r.status),
        missing=tuple(r.skill for r in rows if "missing" in r.status),
        levels=tuple(levels),
        pairs=tuple(pairs),
        recognitions=tuple(decisions_for(store, unique)),
    )
