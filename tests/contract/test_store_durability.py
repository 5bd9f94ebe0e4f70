"""What a store holds survives closing and reopening it; a first load is all or nothing.

A first load into an empty store may take a faster path than later writes (Neo4j creates
instead of merging): the store it leaves must be the one a merge leaves, and a failure part of
the way must leave it empty.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import pytest

from graph.errors import BackendUnavailableError
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.services.ingestion import import_concepts
from graph.store import GraphBatch, GraphStore, IndexedText, Record, StoreContents, TextField
from graph.text import terms
from ingest.frameworks.esco import EscoPack, esco_import
from tests.contract.test_store_dump import SQL, _comparable
from tests.fixtures.embedders import HashingEmbedder


def test_reopening_gives_the_same_graph(loaded_store: GraphStore) -> None:
    before = loaded_store.stats()
    concepts = {c.uri: c for c in loaded_store.iter_concepts()}
    relations = list(loaded_store.iter_relations(types=RelationType))
    loaded_store.close()
    loaded_store.open()
    assert loaded_store.stats() == before
    assert {c.uri: c for c in loaded_store.iter_concepts()} == concepts
    assert list(loaded_store.iter_relations(types=RelationType)) == relations
    assert loaded_store.count_nodes([NodeKind.SKILL]) == before.count(NodeKind.SKILL)


def _dump(store: GraphStore) -> list[object]:
    return [_comparable(item) for item in store.dump()]


def test_a_first_load_dumps_the_same_as_a_second_load_and_as_merges(
    store: GraphStore, other_store: GraphStore, esco_slice: EscoPack
) -> None:
    data = esco_import(esco_slice)
    embedder = HashingEmbedder()
    import_concepts(store, data, embedder=embedder)  # into an empty store: a first load
    first = _dump(store)
    contents = first[0]
    assert isinstance(contents, StoreContents)
    assert contents.concepts == len(data.concepts) and contents.dimension is not None
    again = import_concepts(store, data, embedder=embedder)
    assert (again.concepts_unchanged, again.relations_added) == (len(data.concepts), 0)
    assert _dump(store) == first
    # The same data written into a store that is not empty (its schemes are in) is merged.
    other_store.write(GraphBatch(schemes=list(data.schemes)))
    import_concepts(other_store, data, embedder=embedder)
    assert _dump(other_store) == first


def test_a_first_load_that_fails_half_way_leaves_the_store_empty(
    store: GraphStore, esco_slice: EscoPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The relations are written after the concepts and their texts: fail on the 100th one.
    data = esco_import(esco_slice)
    assert len(data.relations) > 100
    backend = sys.modules[type(store).__module__]
    relation_props = backend.relation_props
    calls = itertools.count(1)

    def failing(relation: Relation) -> Any:
        if next(calls) == 100:
            raise BackendUnavailableError("the backend went away")
        return relation_props(relation)

    monkeypatch.setattr(backend, "relation_props", failing)
    with pytest.raises(BackendUnavailableError, match="went away"):
        import_concepts(store, data, embedder=HashingEmbedder())
    assert next(calls) > 100, "the load did not get as far as the relations"
    assert store.is_empty()
    assert _dump(store)[1:] == []
    monkeypatch.undo()
    report = import_concepts(store, data, embedder=HashingEmbedder())
    assert report.concepts_added == len(data.concepts)
    assert store.stats().count_relations(RelationType.HAS_ESSENTIAL_SKILL) > 0


def test_a_first_load_takes_the_texts_of_its_searchable_records_too(store: GraphStore) -> None:
    question = Record("urn:example:question:1", NodeKind.QUESTION, {"title": "SQL?"}, {})
    texts = [
        IndexedText(SQL.uri, TextField.PREFERRED, "en", "use SQL", tuple(terms("use SQL"))),
        IndexedText(question.uri, TextField.PREFERRED, "en", "why SQL", tuple(terms("why SQL"))),
    ]
    store.write(GraphBatch(concepts=[SQL], records=[question], texts=texts))
    assert store.stats().texts == 2
    assert store.concepts_with_terms(["sql"], kinds=[NodeKind.SKILL]) == {SQL.uri}
