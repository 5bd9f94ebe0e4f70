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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.model import Concept, NodeKind
from graph.store import GraphStore, TextField, TextHit, Vector
from graph.text import normalise, terms

__all__ = ["SearchMatch", "SearchParams", "hybrid_search", "lexical_overlap"]

_LABEL_FIELDS = frozenset({TextField.PREFERRED, TextField.ALTERNATIVE, TextField.HIDDEN})


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


def _lexical_candidates(
    store: GraphStore,
    frequencies: Mapping[str, int],
    *,
    kinds: frozenset[NodeKind],
    params: SearchParams,
) -> set[str]:
    # The rarest query terms say the most about what is wanted; common ones ("manage", "data")
    # would pull in thousands of candidates the dense signal ranks better anyway.
    rare = sorted((df, t) for t, df in frequencies.items() if 0 < df <= params.lexical_max_df)
    chosen: list[str] = []
    budget = 0
    for df, term in rare:
        if budget + df > params.lexical_max_candidates and chosen:
            break
        chosen.append(term)
        budget += df
    return store.concepts_with_terms(chosen, kinds=kinds) if chosen else set()


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
    Cost: one nearest-texts query, one term-frequency lookup, one candidate fetch, then
    O(candidate texts) scoring.
    """
    params = params or SearchParams()
    kind_set = frozenset(kinds)
    lang_set = None if langs is None else frozenset(langs)
    query_terms = terms(query)
    total = store.count_nodes(kind_set)
    frequencies = store.term_frequencies(query_terms, kinds=kind_set)
    idf = _idf(frequencies, max(total, 1))
    candidates = _lexical_candidates(store, frequencies, kinds=kind_set, params=params)
    dense = query_vector is not None and store.embedding_model() is not None
    if dense and query_vector is not None:
        hits = store.nearest_texts(
            query_vector, k=params.dense_candidates, kinds=kind_set, langs=lang_set
        )
        candidates |= {hit.uri for hit in hits}
    if not candidates:
        return []
    vector = query_vector if dense and query_vector is not None else None
    scored = _score_candidates(
        store, query, query_terms, vector, candidates, idf=idf, langs=lang_set, params=params
    )
    ranked = sorted(scored, key=lambda m: (-m[0], m[1]))
    concepts = store.get_concepts(uri for _, uri, _ in ranked[: top * 2])
    # A text whose concept is gone (an import interrupted between texts and concepts on a
    # chunked backend) is skipped rather than shown without a name.
    return [
        _match(concepts[uri], score, parts, display_lang)
        for score, uri, parts in ranked
        if uri in concepts
    ][:top]


@dataclass(frozen=True, slots=True)
class _Parts:
    label: float
    description: float
    lexical: float
    matched: TextHit
    matched_terms: tuple[str, ...]


def _score_candidates(
    store: GraphStore,
    query: str,
    query_terms: tuple[str, ...],
    vector: Vector | None,
    candidates: set[str],
    *,
    idf: Mapping[str, float],
    langs: frozenset[str] | None,
    params: SearchParams,
) -> list[tuple[float, str, _Parts]]:
    texts = store.text_scores(vector, candidates, langs=langs)
    by_uri: dict[str, list[TextHit]] = defaultdict(list)
    for hit in texts:
        by_uri[hit.uri].append(hit)
    exact = normalise(query).strip()
    weights = (
        (params.label_weight, params.description_weight, params.lexical_weight)
        if vector is not None
        else (0.0, 0.0, 1.0)
    )
    query_set = frozenset(query_terms)
    results = []
    for uri, hits in by_uri.items():
        # One pass over the concept's texts: best label and description cosines, and the best
        # lexical overlap (computed only for labels sharing a term with the query).
        best_label: TextHit | None = None
        best_description: TextHit | None = None
        lexical, lexical_hit = 0.0, None
        matched_terms: tuple[str, ...] = ()
        for hit in hits:
            if hit.field is TextField.DESCRIPTION:
                if not math.isnan(hit.score) and (
                    best_description is None or hit.score > best_description.score
                ):
                    best_description = hit
                continue
            if hit.field not in _LABEL_FIELDS:
                continue
            if not math.isnan(hit.score) and (best_label is None or hit.score > best_label.score):
                best_label = hit
            label_terms = terms(hit.text)
            if query_set and query_set.isdisjoint(label_terms):
                continue
            if normalise(hit.text).strip() == exact:
                value, found = 1.0, query_terms
            else:
                value, found = lexical_overlap(query_terms, label_terms, idf)
            if value > lexical:
                lexical, lexical_hit, matched_terms = value, hit, found
        label = best_label.score if best_label else 0.0
        description = best_description.score if best_description else 0.0
        # A concept without a description (a held-out or issuer-defined skill) is scored on the
        # signals it has, weights renormalised, rather than losing the description's share.
        mass = weights[0] + weights[2] + (weights[1] if best_description else 0.0)
        score = (weights[0] * label + weights[1] * description + weights[2] * lexical) / mass
        # Not rounded: both backends compute each signal to ~1e-8, and rounding would turn such
        # a difference into a whole 1e-6 step at a rounding boundary.
        score = min(max(score, 0.0), 1.0)
        contributions = [
            (weights[0] * label, best_label),
            (weights[1] * description, best_description),
            (weights[2] * lexical, lexical_hit),
        ]
        matched = max(
            ((c, h) for c, h in contributions if h is not None),
            key=lambda pair: pair[0],
            default=(0.0, hits[0]),
        )[1]
        parts = _Parts(label, description, lexical, matched, matched_terms)
        results.append((score, uri, parts))
    return results


def _match(concept: Concept, score: float, parts: _Parts, lang: str) -> SearchMatch:
    return SearchMatch(
        uri=concept.uri,
        kind=concept.kind,
        label=concept.preferred_label(lang),
        score=score,
        matched_text=parts.matched.text,
        matched_field=parts.matched.field,
        matched_lang=parts.matched.lang,
        matched_terms=parts.matched_terms,
        label_similarity=parts.label,
        description_similarity=parts.description,
        lexical=parts.lexical,
    )
