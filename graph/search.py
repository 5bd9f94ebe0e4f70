"""Hybrid concept search: dense similarity over every label and description, plus lexical overlap.

A query (a skill name, a job-ad sentence, a learning outcome) is compared with *all* texts of a
concept: its preferred, alternative and hidden labels and its description, in the requested
languages. Three signals are combined:

- ``label``: the best cosine between the query and one of the concept's labels;
- ``description``: the cosine between the query and the concept's description;
- ``lexical``: the best IDF-weighted term overlap between the query and one label, as the
  geometric mean of how much of the query the label explains and how much of the label the
  query contains (so "Python" inside a long sentence still counts).

A concept without a description is scored on the other two signals, their weights
renormalised, so that a missing text is not counted as a dissimilar one.

Candidates come from the store (the nearest texts by cosine, and the concepts whose labels hold
the query's rarest terms); every candidate is then scored here, in shared code, so both
backends rank identically. Scores are in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.model.concepts import Concept, NodeKind
from graph.store import (
    LABEL_FIELDS,
    TEXT_FIELDS,
    GraphStore,
    SearchBudget,
    TextField,
    TextHit,
    TextTable,
    Vector,
)
from graph.text import normalise, terms

if TYPE_CHECKING:
    # The scoring functions import numpy themselves: the services import this module for its
    # types, and a command that reads no vector (``credwalk concept URI``) should not pay 0.2 s.
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "RankedNode",
    "SearchMatch",
    "SearchParams",
    "hybrid_search",
    "hybrid_search_many",
    "lexical_overlap",
    "rank_texts_many",
]


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Weights and candidate budgets of :func:`hybrid_search`.

    The weights were set on a development set built from ESCO (held-out alternative labels and
    description sentences; ``scripts/dev bench quality``), not on the test queries.
    """

    label_weight: float = 0.5
    description_weight: float = 0.2
    lexical_weight: float = 0.3
    dense_candidates: int = 100
    lexical_max_df: int = 300
    lexical_max_candidates: int = 600

    def __post_init__(self) -> None:
        total = self.label_weight + self.description_weight + self.lexical_weight
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError("search weights must sum to 1")


@dataclass(frozen=True, slots=True)
class SearchMatch:
    """A ranked concept with the evidence for its score.

    ``matched_text``/``matched_field`` is the text that contributed most (a label or the
    description) and ``matched_terms`` the query terms found in the best label.
    """

    uri: str
    kind: NodeKind
    label: str
    score: float
    matched_text: str
    matched_field: TextField
    matched_lang: str
    matched_terms: tuple[str, ...]
    label_similarity: float
    description_similarity: float
    lexical: float


def lexical_overlap(
    query_terms: Sequence[str], label_terms: Sequence[str], idf: Mapping[str, float]
) -> tuple[float, tuple[str, ...]]:
    """Score how well a label's terms and a query's terms overlap, in [0, 1].

    The geometric mean of the IDF-weighted share of the query found in the label and the share
    of the label found in the query.

    Examples
    --------
    >>> idf = {"python": 3.0, "program": 1.0, "computer": 1.0}
    >>> round(lexical_overlap(["python", "program"], ["python", "computer", "program"], idf)[0], 3)
    0.816
    >>> lexical_overlap(["python"], ["java"], idf)
    (0.0, ())
    """
    label_set = set(label_terms)
    matched = tuple(t for t in query_terms if t in label_set)
    if not matched or not label_set:
        return 0.0, ()
    query_weight = sum(idf.get(t, 1.0) for t in query_terms)
    query_share = sum(idf.get(t, 1.0) for t in matched) / query_weight
    label_share = len(matched) / len(label_set)
    return math.sqrt(query_share * label_share), matched


def _idf(frequencies: Mapping[str, int], total: int) -> dict[str, float]:
    return {t: math.log(1.0 + total / (1.0 + df)) for t, df in frequencies.items()}


def hybrid_search(
    store: GraphStore,
    query: str,
    query_vector: Vector | None,
    *,
    kinds: Iterable[NodeKind],
    top: int = 10,
    langs: Iterable[str] | None = None,
    display_lang: str = "en",
    params: SearchParams | None = None,
) -> list[SearchMatch]:
    """Rank the concepts of ``kinds`` for ``query``, best first.

    Parameters
    ----------
    store : GraphStore
        An open store holding indexed texts.
    query : str
        The text to match.
    query_vector : Vector or None
        The query's embedding from the store's model; None ranks lexically only.
    kinds : iterable of NodeKind
        Which concepts may match (skills, occupations, ...).
    top : int
        How many matches to return.
    langs : iterable of str, optional
        Match only texts in these languages (default: all).
    display_lang : str
        Language of the returned ``label``.
    params : SearchParams, optional
        Weights and candidate budgets.

    Returns
    -------
    list of SearchMatch
        At most ``top`` matches, by descending score, ties by IRI.

    Notes
    -----
    Cost: one store call for every candidate's texts (:meth:`GraphStore.search_inputs`), one
    for the ranked concepts, and O(candidate texts) scoring.
    """
    (matches,) = hybrid_search_many(
        store,
        [(query, query_vector)],
        kinds=kinds,
        top=top,
        langs=langs,
        display_lang=display_lang,
        params=params,
    )
    return matches


def hybrid_search_many(
    store: GraphStore,
    queries: Sequence[tuple[str, Vector | None]],
    *,
    kinds: Iterable[NodeKind],
    top: int = 10,
    langs: Iterable[str] | None = None,
    display_lang: str = "en",
    params: SearchParams | None = None,
) -> list[list[SearchMatch]]:
    """:func:`hybrid_search` for several (query, vector) pairs, one ranking per pair.

    The same rankings as one call per query; the nearest texts of all the queries are found in
    one pass over the store's vectors.
    """
    rankings = rank_texts_many(
        store, queries, kinds=kinds, keep=top * 2, langs=langs, params=params
    )
    # The ranked concepts of every query in one read.
    concepts = store.get_concepts(r.uri for ranked in rankings for r in ranked)
    # A text whose concept is gone (an import interrupted between texts and concepts on a
    # chunked backend) is skipped rather than shown without a name.
    return [
        [_match(concepts[r.uri], r, display_lang) for r in ranked if r.uri in concepts][:top]
        for ranked in rankings
    ]


def rank_texts_many(
    store: GraphStore,
    queries: Sequence[tuple[str, Vector | None]],
    *,
    kinds: Iterable[NodeKind],
    keep: int,
    langs: Iterable[str] | None = None,
    params: SearchParams | None = None,
) -> list[list[RankedNode]]:
    """Rank the nodes of ``kinds`` whose texts are indexed (concepts, or the Assembly's posts).

    The scoring of :func:`hybrid_search`, without reading the nodes: the best ``keep`` per
    query, by descending score, ties by IRI. A query without a vector (or a store without
    vectors) ranks lexically only.
    """
    params = params or SearchParams()
    budget = SearchBudget(
        dense=params.dense_candidates,
        max_df=params.lexical_max_df,
        max_candidates=params.lexical_max_candidates,
    )
    asked = [(query, terms(query), vector) for query, vector in queries]
    found = store.search_inputs(
        [(query_terms, vector) for _, query_terms, vector in asked],
        kinds=kinds,
        langs=langs,
        budget=budget,
    )
    return [
        _score_candidates(
            inputs.table,
            query,
            query_terms,
            dense=inputs.dense,
            idf=_idf(inputs.frequencies, max(inputs.total, 1)),
            params=params,
            keep=keep,
        )
        for (query, query_terms, _), inputs in zip(asked, found, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class RankedNode:
    """A node ranked by :func:`rank_texts_many`, with its signals and the text that explains it.

    ``label``, ``description`` and ``lexical`` are the signals (0 when absent); ``matched`` the
    text that contributed most, ``matched_terms`` the query terms its best label holds.
    """

    uri: str
    score: float
    label: float
    description: float
    lexical: float
    matched: TextHit
    matched_terms: tuple[str, ...]


_DESCRIPTION = TEXT_FIELDS.index(TextField.DESCRIPTION)
_LABEL_CODES = [TEXT_FIELDS.index(f) for f in LABEL_FIELDS]


#: Cosines closer than this are a tie when choosing the text that explains a match: float32
#: dot products round differently on another CPU (OpenBLAS picks its kernels by instruction
#: set), and two labels with the same words must not trade places between machines.
TIE_TOLERANCE = 1e-6


def _first_best(
    values: npt.NDArray[np.float64], starts: npt.NDArray[np.int64], owner: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Per concept, its largest value and the first row within :data:`TIE_TOLERANCE` of it.

    Rows: -1 where every value is -inf. ``starts`` are where each concept's rows begin (rows
    grouped by concept, as ``owner``). Taking the *first* best row keeps the tie-break of a
    scan in row order; the value is the largest one whichever row is shown.
    """
    import numpy as np

    best = np.maximum.reduceat(values, starts)
    rows = np.arange(values.size)
    near = values >= best[owner] - TIE_TOLERANCE
    first = np.minimum.reduceat(np.where(near, rows, values.size), starts)
    missing = np.isneginf(best)
    return np.where(missing, -1, first), np.where(missing, 0.0, best)


def _score_candidates(
    table: TextTable,
    query: str,
    query_terms: tuple[str, ...],
    *,
    dense: bool,
    idf: Mapping[str, float],
    params: SearchParams,
    keep: int,
) -> list[RankedNode]:
    """Score every candidate concept from its texts, and return the best ``keep``, ranked.

    The same arithmetic as one pass over each concept's texts, on columns: best label and
    description cosines, and the best lexical overlap (:func:`lexical_overlap`) of a label.
    ``dense`` says whether the query's vector counts (else the ranking is lexical only).
    """
    import numpy as np

    if not len(table):
        return []
    owner = table.owner
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    is_label = np.isin(table.field, _LABEL_CODES)
    is_description = table.field == _DESCRIPTION
    scored = ~np.isnan(table.cosine)
    label_row, label = _first_best(
        np.where(is_label & scored, table.cosine, -np.inf), starts, owner
    )
    description_row, description = _first_best(
        np.where(is_description & scored, table.cosine, -np.inf), starts, owner
    )
    lexical, exact_rows = _lexical_by_row(table, query, query_terms, idf=idf, is_label=is_label)
    lexical_row, lexical_best = _first_best(np.where(lexical > 0, lexical, -np.inf), starts, owner)

    weights = (
        (params.label_weight, params.description_weight, params.lexical_weight)
        if dense
        else (0.0, 0.0, 1.0)
    )
    # A concept without a description (a held-out or issuer-defined skill) is scored on the
    # signals it has, weights renormalised, rather than losing the description's share.
    mass = weights[0] + weights[2] + np.where(description_row >= 0, weights[1], 0.0)
    score = (weights[0] * label + weights[1] * description + weights[2] * lexical_best) / mass
    # Not rounded: both backends compute each signal to ~1e-8, and rounding would turn such
    # a difference into a whole 1e-6 step at a rounding boundary.
    score = np.clip(score, 0.0, 1.0)
    matched_row = _explaining_rows(
        [weights[0] * label, weights[1] * description, weights[2] * lexical_best],
        [label_row, description_row, lexical_row],
        starts=starts,
    )
    exact_set = set(exact_rows)
    results = []
    # Concepts are sorted by IRI, so a stable sort on the score breaks ties by IRI.
    for c in np.argsort(-score, kind="stable")[:keep].tolist():
        found = _matched_terms(
            table, int(lexical_row[c]), query_terms=query_terms, exact_rows=exact_set
        )
        m = int(matched_row[c])
        hit = TextHit(
            uri=table.concepts[c],
            field=TEXT_FIELDS[table.field[m]],
            lang=table.langs[m],
            text=table.texts[m],
            score=float(table.cosine[m]),
        )
        signals = (float(label[c]), float(description[c]), float(lexical_best[c]))
        results.append(RankedNode(table.concepts[c], float(score[c]), *signals, hit, found))
    return results


def _lexical_by_row(
    table: TextTable,
    query: str,
    query_terms: tuple[str, ...],
    *,
    idf: Mapping[str, float],
    is_label: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.float64], list[int]]:
    """The lexical overlap of every row (0 for descriptions), and the labels that are the query.

    A label with the query's own text (normalised) overlaps it fully.
    """
    import numpy as np

    # Lexical overlap of every label at once: the IDF-weighted share of the query it holds and
    # the share of its own terms that are in the query.
    lexical = np.zeros(len(table))
    held = table.holds.sum(axis=1)
    if query_terms:
        weights_of_terms = np.array([idf.get(t, 1.0) for t in query_terms])
        query_share = (table.holds @ weights_of_terms) / weights_of_terms.sum()
        label_share = held / np.maximum(table.term_counts, 1)
        lexical = np.where(is_label & (held > 0), np.sqrt(query_share * label_share), 0.0)
    exact = normalise(query).strip()
    same_terms = is_label & (held == len(query_terms)) & (table.term_counts == len(query_terms))
    exact_rows = [
        r for r in np.flatnonzero(same_terms).tolist() if normalise(table.texts[r]).strip() == exact
    ]
    lexical[exact_rows] = 1.0
    return lexical, exact_rows


def _explaining_rows(
    contributions: Sequence[npt.NDArray[np.float64]],
    rows: Sequence[npt.NDArray[np.int64]],
    *,
    starts: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Per concept, the row of the signal that contributed most to its score.

    ``rows[k]`` is each concept's best row for signal ``k`` (-1: none) and ``contributions[k]``
    what that row adds to the score. The text that contributed most explains the match (the
    first of equal contributions); a concept no signal contributed to gets its first row.
    """
    import numpy as np

    stacked = np.stack(
        [np.where(row >= 0, part, -np.inf) for part, row in zip(contributions, rows, strict=True)]
    )
    matched_row = np.choose(stacked.argmax(axis=0), rows)
    return np.where(np.isneginf(stacked.max(axis=0)), starts, matched_row)


def _matched_terms(
    table: TextTable, row: int, *, query_terms: tuple[str, ...], exact_rows: set[int]
) -> tuple[str, ...]:
    """The query terms that the label ``row`` holds (-1: no label, none)."""
    if row < 0:
        return ()
    if row in exact_rows:
        return query_terms
    return tuple(t for t, h in zip(query_terms, table.holds[row], strict=True) if h)


def _match(concept: Concept, parts: RankedNode, lang: str) -> SearchMatch:
    return SearchMatch(
        uri=concept.uri,
        kind=concept.kind,
        label=concept.preferred_label(lang),
        score=parts.score,
        matched_text=parts.matched.text,
        matched_field=parts.matched.field,
        matched_lang=parts.matched.lang,
        matched_terms=parts.matched_terms,
        label_similarity=parts.label,
        description_similarity=parts.description,
        lexical=parts.lexical,
    )
