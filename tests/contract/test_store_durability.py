"""What a store holds survives closing and reopening it."""

from __future__ import annotations

from graph.model.concepts import NodeKind, RelationType
from graph.store import GraphStore


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
