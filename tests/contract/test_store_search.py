"""The search primitives of the store contract: exact cosines, terms, candidates."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from graph.errors import InvalidInputError
from graph.indexing import index_concepts
from graph.model.concepts import Concept, Label, NodeKind
from graph.search import SearchParams, hybrid_search, lexical_overlap
from graph.store import (
    GraphBatch,
    GraphStore,
    IndexedText,
    SearchBudget,
    SearchInputs,
    TextField,
    TextHit,
    TextTable,
    rare_terms,
)
from graph.text import normalise, terms
from ingest.frameworks.esco import EscoPack
from tests.fixtures.embedders import HashingEmbedder

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def test_nearest_texts_is_the_exact_top_k(loaded_store: GraphStore, esco_slice: EscoPack) -> None:
    embedder = HashingEmbedder()
    query = embedder.embed_one("python programming")
    hits = loaded_store.nearest_texts(query, k=15, kinds=[NodeKind.SKILL])
    texts = [
        t
        for t in index_concepts(list(esco_slice.concepts.values()), embedder)
        if t.vector is not None and esco_slice.concepts[t.uri].kind is NodeKind.SKILL
    ]
    brute = sorted(
        (
            (float(t.vector @ query), t.uri, t.field.value, t.text)
            for t in texts
            if t.vector is not None
        ),
        key=lambda x: (-x[0], x[1], x[2], x[3]),
    )[:15]
    assert [(h.uri, h.field.value, h.text) for h in hits] == [b[1:] for b in brute]
    for hit, expected in zip(hits, brute, strict=True):
        assert hit.score == pytest.approx(expected[0], abs=1e-6)
    assert hits[0].uri == PYTHON


def test_nearest_texts_respects_kinds_and_languages(loaded_store: GraphStore) -> None:
    query = HashingEmbedder().embed_one("software developer")
    hits = loaded_store.nearest_texts(query, k=5, kinds=[NodeKind.OCCUPATION])
    kinds = {c.kind for c in loaded_store.get_concepts(h.uri for h in hits).values()}
    assert kinds == {NodeKind.OCCUPATION}
    assert loaded_store.nearest_texts(query, k=5, kinds=[NodeKind.SKILL], langs=["fr"]) == []
    with pytest.raises(InvalidInputError, match="k must be positive"):
        loaded_store.nearest_texts(query, k=0, kinds=[NodeKind.SKILL])


def test_text_scores_cover_every_text_of_the_concepts(loaded_store: GraphStore) -> None:
    query = HashingEmbedder().embed_one("python")
    hits = loaded_store.text_scores(query, [PYTHON])
    concept = loaded_store.get_concept(PYTHON)
    assert {h.text for h in hits if h.field is TextField.PREFERRED} == {concept.preferred_label()}
    assert any(h.field is TextField.DESCRIPTION for h in hits)
    assert all(-1.0 <= h.score <= 1.0 for h in hits if not math.isnan(h.score))
    unscored = loaded_store.text_scores(None, [PYTHON])
    assert [h.text for h in unscored] == [h.text for h in hits]
    assert all(math.isnan(h.score) for h in unscored)


def test_term_frequencies_and_candidates(loaded_store: GraphStore, esco_slice: EscoPack) -> None:
    (python,) = terms("Python")
    expected = {
        uri
        for uri, c in esco_slice.concepts.items()
        if c.kind is NodeKind.SKILL and any(python in terms(label.text) for label in c.labels)
    }
    assert loaded_store.term_frequencies([python], kinds=[NodeKind.SKILL]) == {
        python: len(expected)
    }
    assert loaded_store.concepts_with_terms([python], kinds=[NodeKind.SKILL]) == expected
    assert loaded_store.term_frequencies(["zzzz"], kinds=[NodeKind.SKILL]) == {"zzzz": 0}


def test_hybrid_search_ranks_the_labelled_concept_first(loaded_store: GraphStore) -> None:
    embedder = HashingEmbedder()
    matches = hybrid_search(
        loaded_store,
        "python programming",
        embedder.embed_one("python programming"),
        kinds=[NodeKind.SKILL],
        top=5,
    )
    assert matches[0].uri == PYTHON
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    lexical_only = hybrid_search(loaded_store, "python programming", None, kinds=[NodeKind.SKILL])
    assert lexical_only[0].uri == PYTHON


def test_vectors_of_another_model_are_refused(loaded_store: GraphStore) -> None:
    concept = loaded_store.get_concept(PYTHON)
    texts = index_concepts([concept], HashingEmbedder(dimension=32))
    with pytest.raises(InvalidInputError, match="re-index"):
        loaded_store.write(
            GraphBatch(concepts=[concept], texts=texts, embedding_model="test/hashing-32")
        )
    assert np.asarray(loaded_store.text_scores(None, [PYTHON])).size > 0


def test_a_vector_with_a_nan_is_refused_and_changes_nothing(loaded_store: GraphStore) -> None:
    embedder = HashingEmbedder()
    concept = loaded_store.get_concept(PYTHON)
    texts = index_concepts([concept], embedder)
    query = embedder.embed_one("python")
    before = loaded_store.text_scores(query, [PYTHON])
    last = texts[-1]
    assert last.vector is not None
    broken = dataclasses.replace(last, vector=np.where(np.arange(last.vector.size) == 3, np.nan, 0))
    with pytest.raises(InvalidInputError, match="NaN or an infinity") as refused:
        loaded_store.write(
            GraphBatch(
                concepts=[concept], texts=[*texts[:-1], broken], embedding_model=embedder.name
            )
        )
    assert refused.value.details["uri"] == PYTHON
    assert loaded_store.text_scores(query, [PYTHON]) == before


QUERIES = ("python programming", "manage a team of nurses", "IT", "data")


def test_text_table_holds_the_text_scores(loaded_store: GraphStore) -> None:
    embedder = HashingEmbedder()
    for query in QUERIES:
        vector = embedder.embed_one(query)
        wanted = terms(query)
        uris = {h.uri for h in loaded_store.nearest_texts(vector, k=20, kinds=[NodeKind.SKILL])}
        uris |= loaded_store.concepts_with_terms(wanted, kinds=[NodeKind.SKILL])
        for v, langs in ((vector, None), (None, None), (vector, ["en"]), (vector, ["fr"])):
            table = loaded_store.text_table(v, uris, query_terms=wanted, langs=langs)
            expected = TextTable.from_hits(loaded_store.text_scores(v, uris, langs=langs), wanted)
            _same_table(table, expected)


def test_nearest_texts_many_equals_one_query_at_a_time(loaded_store: GraphStore) -> None:
    embedder = HashingEmbedder()
    vectors = [embedder.embed_one(q) for q in QUERIES]
    kinds = [NodeKind.SKILL, NodeKind.OCCUPATION]
    many = loaded_store.nearest_texts_many(vectors, k=12, kinds=kinds)
    for vector, hits in zip(vectors, many, strict=True):
        one = loaded_store.nearest_texts(vector, k=12, kinds=kinds)
        assert [(h.uri, h.field, h.text) for h in hits] == [(h.uri, h.field, h.text) for h in one]
        assert [h.score for h in hits] == pytest.approx([h.score for h in one], abs=1e-6)
    assert loaded_store.nearest_texts_many([], k=3, kinds=kinds) == []


def _reference_scores(
    store: GraphStore, query: str, vector: np.ndarray, uris: set[str]
) -> dict[str, float]:
    """The hybrid score of each concept, one text at a time (the definition, unvectorised)."""
    params = SearchParams()
    wanted = terms(query)
    total = store.count_nodes([NodeKind.SKILL])
    frequencies = store.term_frequencies(wanted, kinds=[NodeKind.SKILL])
    idf = {t: math.log(1.0 + total / (1.0 + df)) for t, df in frequencies.items()}
    by_uri: dict[str, list[TextHit]] = {}
    for hit in store.text_scores(vector, uris):
        by_uri.setdefault(hit.uri, []).append(hit)
    scores = {}
    for uri, hits in by_uri.items():
        labels = [h for h in hits if h.field is not TextField.DESCRIPTION]
        descriptions = [h.score for h in hits if h.field is TextField.DESCRIPTION]
        label = max((h.score for h in labels if not math.isnan(h.score)), default=0.0)
        lexical = max(
            (
                1.0
                if normalise(h.text).strip() == normalise(query).strip()
                else lexical_overlap(wanted, terms(h.text), idf)[0]
                for h in labels
            ),
            default=0.0,
        )
        mass = params.label_weight + params.lexical_weight
        total_score = params.label_weight * label + params.lexical_weight * lexical
        if descriptions:
            mass += params.description_weight
            total_score += params.description_weight * max(descriptions)
        scores[uri] = min(max(total_score / mass, 0.0), 1.0)
    return scores


def test_hybrid_scores_follow_their_definition(loaded_store: GraphStore) -> None:
    embedder = HashingEmbedder()
    for query in QUERIES:
        vector = embedder.embed_one(query)
        matches = hybrid_search(loaded_store, query, vector, kinds=[NodeKind.SKILL], top=15)
        assert matches
        reference = _reference_scores(loaded_store, query, vector, {m.uri for m in matches})
        for match in matches:
            assert match.score == pytest.approx(reference[match.uri], abs=1e-9), match.uri
        # The text shown as evidence is one of the concept's own texts.
        for match in matches:
            own = {h.text for h in loaded_store.text_scores(None, [match.uri])}
            assert match.matched_text in own


def _same_table(table: TextTable, expected: TextTable) -> None:
    assert table.concepts == expected.concepts
    assert list(table.texts) == list(expected.texts)
    assert list(table.langs) == list(expected.langs)
    assert table.owner.tolist() == expected.owner.tolist()
    assert table.field.tolist() == expected.field.tolist()
    assert table.term_counts.tolist() == expected.term_counts.tolist()
    assert table.holds.tolist() == expected.holds.tolist()
    np.testing.assert_allclose(table.cosine, expected.cosine, atol=1e-6, equal_nan=True)


def _composed_inputs(
    store: GraphStore,
    query_terms: tuple[str, ...],
    vector: np.ndarray | None,
    *,
    kinds: list[NodeKind],
    langs: list[str] | None,
    budget: SearchBudget,
) -> SearchInputs:
    """What ``search_inputs`` is defined as, from the store's other reads."""
    frequencies = store.term_frequencies(query_terms, kinds=kinds)
    candidates = store.concepts_with_terms(rare_terms(frequencies, budget), kinds=kinds)
    dense = store.embedding_model() is not None and vector is not None
    if dense and vector is not None:
        nearest = store.nearest_texts(vector, k=budget.dense, kinds=kinds, langs=langs)
        candidates |= {hit.uri for hit in nearest}
    table = store.text_table(
        vector if dense else None, candidates, query_terms=query_terms, langs=langs
    )
    return SearchInputs(store.count_nodes(kinds), frequencies, dense, table)


BUDGETS = (SearchBudget(), SearchBudget(dense=7, max_df=25, max_candidates=30))


@pytest.mark.parametrize("budget", BUDGETS, ids=["default", "small"])
def test_search_inputs_are_the_other_reads_in_one(
    loaded_store: GraphStore, budget: SearchBudget
) -> None:
    embedder = HashingEmbedder()
    asked: list[tuple[tuple[str, ...], np.ndarray | None]] = [
        (terms(q), embedder.embed_one(q)) for q in QUERIES
    ]
    asked += [(terms(q), None) for q in QUERIES[:2]] + [((), embedder.embed_one("cook"))]
    for kinds, langs in (
        ([NodeKind.SKILL], None),
        ([NodeKind.SKILL, NodeKind.OCCUPATION], ["en"]),
        ([NodeKind.SKILL], ["fr"]),
    ):
        found = loaded_store.search_inputs(asked, kinds=kinds, langs=langs, budget=budget)
        assert len(found) == len(asked)
        for (query_terms, vector), inputs in zip(asked, found, strict=True):
            expected = _composed_inputs(
                loaded_store, query_terms, vector, kinds=kinds, langs=langs, budget=budget
            )
            assert inputs.total == expected.total
            assert inputs.frequencies == expected.frequencies
            assert inputs.dense == expected.dense
            _same_table(inputs.table, expected.table)
    assert loaded_store.search_inputs([], kinds=[NodeKind.SKILL]) == []


def test_the_small_budget_leaves_candidates_out(loaded_store: GraphStore) -> None:
    """The budgets above are not vacuous: a small one reads fewer candidates."""
    vector = HashingEmbedder().embed_one("manage a team of nurses")
    query_terms = terms("manage a team of nurses")
    sizes = [
        len(
            loaded_store.search_inputs(
                [(query_terms, vector)], kinds=[NodeKind.SKILL], budget=budget
            )[0].table.concepts
        )
        for budget in BUDGETS
    ]
    assert 0 < sizes[1] < sizes[0]


def test_a_store_finds_only_its_own_texts(
    loaded_store: GraphStore, other_store: GraphStore
) -> None:
    """Two stores (on Neo4j: two namespaces of one database) never see each other's texts.

    The other store holds 300 texts identical to the query, nearer than any of this store's:
    an index shared by both would fill this store's candidates with texts it must drop.
    """
    embedder = HashingEmbedder()
    query = embedder.embed_one("python programming")
    others = [
        Concept(
            uri=f"http://example.org/other/skill/{i}",
            kind=NodeKind.SKILL,
            framework="other",
            labels=(Label(f"python programming {i}", "en"),),
        )
        for i in range(300)
    ]
    other_texts = [
        IndexedText(
            c.uri, TextField.PREFERRED, "en", c.labels[0].text, terms(c.labels[0].text), query
        )
        for c in others
    ]
    other_store.write(GraphBatch(concepts=others, texts=other_texts, embedding_model=embedder.name))
    own = loaded_store.nearest_texts(query, k=10, kinds=[NodeKind.SKILL])
    assert len(own) == 10
    assert all(not h.uri.startswith("http://example.org/other/") for h in own)
    assert own[0].uri == PYTHON
    matches = hybrid_search(loaded_store, "python programming", query, kinds=[NodeKind.SKILL])
    assert matches[0].uri == PYTHON
    assert all(not m.uri.startswith("http://example.org/other/") for m in matches)
    theirs = other_store.nearest_texts(query, k=10, kinds=[NodeKind.SKILL])
    assert {h.uri for h in theirs} <= {c.uri for c in others}
    assert all(h.score == pytest.approx(1.0, abs=1e-6) for h in theirs)
