"""The embedded store's columnar text index: bulk load, patches, and the rows it serves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from graph.backends.embedded import EmbeddedStore
from graph.backends.text_index import TextIndex
from graph.indexing import index_concepts
from graph.model.concepts import Concept, Label, LabelKind, NodeKind
from graph.store import GraphBatch, IndexedText, TextField, TextTable
from graph.text import terms
from tests.fixtures.embedders import HashingEmbedder

SKILL, OCCUPATION = NodeKind.SKILL, NodeKind.OCCUPATION


def _vector(seed: int, dimension: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dimension).astype(np.float32)
    return v / np.linalg.norm(v)


def _text(uri: str, field: TextField, text: str, seed: int | None, lang: str = "en") -> IndexedText:
    words = () if field is TextField.DESCRIPTION else terms(text)
    vector = None if seed is None else _vector(seed)
    return IndexedText(uri, field, lang, text, words, vector)


TEXTS = {
    "s:python": [
        _text("s:python", TextField.PREFERRED, "Python (computer programming)", 1),
        _text("s:python", TextField.ALTERNATIVE, "program in Python", 2),
        _text("s:python", TextField.HIDDEN, "pyhton", None),
        _text("s:python", TextField.DESCRIPTION, "Techniques of software development.", 3),
        _text("s:python", TextField.PREFERRED, "Python (programmation)", 4, lang="fr"),
    ],
    "s:weld": [_text("s:weld", TextField.PREFERRED, "weld metal parts", 5)],
    "o:dev": [_text("o:dev", TextField.PREFERRED, "software developer", 6)],
}
KINDS = {"s:python": SKILL, "s:weld": SKILL, "o:dev": OCCUPATION}


def _loaded() -> TextIndex:
    """An index filled by the bulk loader, as the embedded store does on open."""
    index = TextIndex()
    for uri, kind in KINDS.items():
        index.set_kind(uri, kind)
    rows = sorted(
        (
            t.uri,
            t.field.value,
            t.lang,
            t.text,
            " ".join(t.terms),
            None if t.vector is None else t.vector.tobytes(),
        )
        for texts in TEXTS.values()
        for t in texts
    )  # as the store reads them: by (uri, field, lang, text)
    index.load(iter(rows), count=len(rows), dimension=8)
    return index


def _patched() -> TextIndex:
    """The same texts, set one concept at a time, as after small writes."""
    index = TextIndex()
    for uri, texts in TEXTS.items():
        index.replace(uri, KINDS[uri], texts)
    return index


@pytest.mark.parametrize("make", [_loaded, _patched])
def test_rows_come_back_in_contract_order_with_their_vectors(make: Callable[[], TextIndex]) -> None:
    index = make()
    assert len(index) == 7
    hits = index.scores(_vector(1), ["o:dev", "s:python", "s:weld"], langs=None)
    keys = [(h.uri, h.field.value, h.lang, h.text) for h in hits]
    assert keys == sorted(keys)
    by_text = {h.text: h.score for h in hits}
    assert by_text["Python (computer programming)"] == pytest.approx(1.0)
    assert np.isnan(by_text["pyhton"])
    assert index.texts_of("s:python")[0].vector is not None
    assert {t.text for t in index.texts_of("s:python")} == {t.text for t in TEXTS["s:python"]}


@pytest.mark.parametrize("make", [_loaded, _patched])
def test_nearest_never_returns_texts_without_a_vector(make: Callable[[], TextIndex]) -> None:
    index = make()
    query = np.zeros(8, dtype=np.float32)  # every vectored text scores 0, the hidden one too
    (hits,) = index.nearest([query], k=10, kinds=frozenset({SKILL}), langs=None)
    assert "pyhton" not in {h.text for h in hits}
    assert len(hits) == 5
    (fr,) = index.nearest([_vector(4)], k=1, kinds=frozenset({SKILL}), langs=frozenset({"fr"}))
    assert [h.text for h in fr] == ["Python (programmation)"]


def test_the_bulk_load_wants_rows_grouped_by_concept() -> None:
    index = TextIndex()
    index.set_kind("s:a", SKILL)
    index.set_kind("s:b", SKILL)
    rows = [("s:b", "preferred", "en", "b", "b", None), ("s:a", "preferred", "en", "a", "a", None)]
    with pytest.raises(ValueError, match="sorted by uri"):
        index.load(iter(rows), count=2, dimension=None)


def test_an_empty_store_loads_an_empty_index() -> None:
    index = TextIndex()
    index.load(iter([]), count=0, dimension=None)
    assert len(index) == 0
    assert index.nearest([_vector(1)], k=3, kinds=frozenset({SKILL}), langs=None) == [[]]


def test_a_patch_replaces_one_concept_and_keeps_the_others() -> None:
    index = _loaded()
    index.replace("s:weld", SKILL, [_text("s:weld", TextField.PREFERRED, "arc welding", 9)])
    assert [t.text for t in index.texts_of("s:weld")] == ["arc welding"]
    (hits,) = index.nearest([_vector(9)], k=1, kinds=frozenset({SKILL}), langs=None)
    assert hits[0].text == "arc welding"
    assert hits[0].score == pytest.approx(1.0)
    (python,) = index.nearest([_vector(2)], k=1, kinds=frozenset({SKILL}), langs=None)
    assert python[0].text == "program in Python"  # an untouched concept keeps its vectors
    assert index.concepts_with_terms(["arc"], kinds=frozenset({SKILL})) == {"s:weld"}
    assert index.concepts_with_terms(["metal"], kinds=frozenset({SKILL})) == set()
    index.replace("s:weld", SKILL, [])
    assert index.texts_of("s:weld") == []
    assert len(index) == 6


def test_a_concept_that_changes_kind_moves_with_its_texts() -> None:
    index = _loaded()
    index.set_kind("s:weld", OCCUPATION)
    assert index.concepts_with_terms(["weld"], kinds=frozenset({SKILL})) == set()
    assert index.concepts_with_terms(["weld"], kinds=frozenset({OCCUPATION})) == {"s:weld"}
    (hits,) = index.nearest([_vector(5)], k=1, kinds=frozenset({OCCUPATION}), langs=None)
    assert hits[0].uri == "s:weld"


@pytest.mark.parametrize("make", [_loaded, _patched])
def test_the_table_equals_one_built_from_hits(make: Callable[[], TextIndex]) -> None:
    index = make()
    query_terms = ("python", "program", "weld")
    uris = ["s:python", "s:weld"]
    table = index.table(_vector(2), uris, langs=None, query_terms=query_terms)
    expected = TextTable.from_hits(index.scores(_vector(2), uris, langs=None), query_terms)
    assert list(table.texts) == list(expected.texts)
    assert table.holds.tolist() == expected.holds.tolist()
    assert table.term_counts.tolist() == expected.term_counts.tolist()
    assert table.owner.tolist() == expected.owner.tolist() == [0, 0, 0, 0, 0, 1]
    np.testing.assert_allclose(table.cosine, expected.cosine, equal_nan=True)


def test_cosines_reused_from_nearest_equal_computed_ones() -> None:
    index, fresh = _loaded(), _loaded()
    vector = _vector(2)
    index.nearest([vector, _vector(3)], k=2, kinds=frozenset({SKILL}), langs=None)
    uris = ["s:python", "s:weld"]
    reused = index.table(vector, uris, langs=None, query_terms=())
    computed = fresh.table(vector, uris, langs=None, query_terms=())
    np.testing.assert_allclose(reused.cosine, computed.cosine, atol=1e-6, equal_nan=True)
    # An occupation's texts were not in the skills-only product: computed, not reused.
    (dev,) = index.table(vector, ["o:dev"], langs=None, query_terms=()).cosine
    assert dev == pytest.approx(float(_vector(6) @ vector), abs=1e-6)
    # After a patch the rows move; the reused cosines are dropped with them.
    index.replace("s:weld", SKILL, [_text("s:weld", TextField.PREFERRED, "arc welding", 9)])
    patched = index.table(vector, ["s:weld"], langs=None, query_terms=())
    assert patched.cosine[0] == pytest.approx(float(_vector(9) @ vector), abs=1e-6)


def test_the_embedded_store_reads_its_text_index_on_the_first_search(tmp_path: Path) -> None:
    concept = Concept(
        uri="http://example.org/skill/python",
        kind=SKILL,
        framework="example",
        labels=(Label("Python programming", "en", LabelKind.PREFERRED),),
    )
    embedder = HashingEmbedder()
    with EmbeddedStore(tmp_path / "store.db") as store:
        store.write(
            GraphBatch(
                concepts=[concept],
                texts=index_concepts([concept], embedder),
                embedding_model=embedder.name,
            )
        )
    with EmbeddedStore(tmp_path / "store.db") as store:
        assert store.get_concept(concept.uri) == concept
        with store._reading() as memory:
            pass
        assert not memory.has_index  # an import compares concepts; it never reads texts
        hits = store.nearest_texts(embedder.embed_one("Python programming"), k=1, kinds=[SKILL])
        assert memory.has_index
        assert [h.uri for h in hits] == [concept.uri]
        assert hits[0].score == pytest.approx(1.0)
