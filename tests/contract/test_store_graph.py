"""Concepts, relations and records: what is written is what is read, on every backend."""

from __future__ import annotations

import dataclasses

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.store import Direction, GraphBatch, GraphStore, Record
from ingest.frameworks.esco import EscoPack

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


def test_concepts_round_trip_unchanged(loaded_store: GraphStore, esco_slice: EscoPack) -> None:
    stored = loaded_store.get_concepts(esco_slice.concepts)
    assert stored == esco_slice.concepts
    assert loaded_store.get_concept(PYTHON).preferred_label() == "Python (computer programming)"


def test_unknown_concepts_are_omitted_or_not_found(loaded_store: GraphStore) -> None:
    assert loaded_store.get_concepts(["http://example.org/nothing", PYTHON]).keys() == {PYTHON}
    with pytest.raises(NotFoundError, match=r"no concept http://example\.org/nothing"):
        loaded_store.get_concept("http://example.org/nothing")


def test_iter_concepts_filters_and_orders_by_iri(
    loaded_store: GraphStore, esco_slice: EscoPack
) -> None:
    occupations = [c.uri for c in loaded_store.iter_concepts(kind=NodeKind.OCCUPATION)]
    expected = sorted(u for u, c in esco_slice.concepts.items() if c.kind is NodeKind.OCCUPATION)
    assert occupations == expected
    assert list(loaded_store.iter_concepts(framework="onet")) == []


def test_relations_by_direction_and_type(loaded_store: GraphStore, esco_slice: EscoPack) -> None:
    out = loaded_store.relations(SOFTWARE_DEVELOPER)
    expected = sorted(
        (r for r in esco_slice.relations if r.source == SOFTWARE_DEVELOPER),
        key=lambda r: (r.type.value, r.source, r.target),
    )
    assert out == expected
    essential = loaded_store.relations(SOFTWARE_DEVELOPER, types=[RelationType.HAS_ESSENTIAL_SKILL])
    assert essential and all(r.type is RelationType.HAS_ESSENTIAL_SKILL for r in essential)
    incoming = loaded_store.relations(PYTHON, direction=Direction.IN)
    assert all(r.target == PYTHON for r in incoming)
    assert {r.source for r in incoming} >= {SOFTWARE_DEVELOPER}
    both = loaded_store.relations(PYTHON, direction=Direction.BOTH)
    assert len(both) == len(incoming) + len(loaded_store.relations(PYTHON))
    with pytest.raises(NotFoundError):
        loaded_store.relations("http://example.org/nothing")


def test_iter_relations_filters_by_endpoint_kinds(
    loaded_store: GraphStore, esco_slice: EscoPack
) -> None:
    found = list(
        loaded_store.iter_relations(
            types=[RelationType.BROADER],
            source_kinds=[NodeKind.OCCUPATION, NodeKind.ISCO_GROUP],
        )
    )
    kinds = {u: c.kind for u, c in esco_slice.concepts.items()}
    expected = sorted(
        (
            r
            for r in esco_slice.relations
            if r.type is RelationType.BROADER
            and kinds[r.source] in {NodeKind.OCCUPATION, NodeKind.ISCO_GROUP}
        ),
        key=lambda r: r.key,
    )
    assert found == expected


def test_stats_count_nodes_and_edges(loaded_store: GraphStore, esco_slice: EscoPack) -> None:
    stats = loaded_store.stats()
    for kind in (NodeKind.SKILL, NodeKind.OCCUPATION, NodeKind.SKILL_GROUP, NodeKind.ISCO_GROUP):
        expected = sum(1 for c in esco_slice.concepts.values() if c.kind is kind)
        assert stats.count(kind) == expected
        assert loaded_store.count_nodes([kind]) == expected
    assert stats.count_relations(RelationType.BROADER) == sum(
        1 for r in esco_slice.relations if r.type is RelationType.BROADER
    )
    kinds = {u: c.kind for u, c in esco_slice.concepts.items()}
    assert stats.count_relations(
        RelationType.HAS_ESSENTIAL_SKILL, NodeKind.OCCUPATION, NodeKind.SKILL
    ) == sum(
        1
        for r in esco_slice.relations
        if r.type is RelationType.HAS_ESSENTIAL_SKILL and kinds[r.source] is NodeKind.OCCUPATION
    )
    assert stats.embedding_model == "test/hashing-384"


def test_a_batch_with_an_unknown_endpoint_writes_nothing(loaded_store: GraphStore) -> None:
    before = loaded_store.stats()
    concept = dataclasses.replace(loaded_store.get_concept(PYTHON), status="obsolete")
    batch = GraphBatch(
        concepts=[concept],
        relations=[Relation(PYTHON, RelationType.BROADER, "http://example.org/missing")],
    )
    with pytest.raises(InvalidInputError, match=r"http://example\.org/missing"):
        loaded_store.write(batch)
    assert loaded_store.stats() == before
    assert loaded_store.get_concept(PYTHON).status == "released"


def test_deleting_and_adding_relations_in_one_batch(loaded_store: GraphStore) -> None:
    edge = loaded_store.relations(SOFTWARE_DEVELOPER)[0]
    replacement = Relation(SOFTWARE_DEVELOPER, RelationType.HAS_OPTIONAL_SKILL, PYTHON)
    loaded_store.write(GraphBatch(delete_relations=[edge.key], relations=[replacement]))
    keys = {r.key for r in loaded_store.relations(SOFTWARE_DEVELOPER)}
    assert edge.key not in keys or edge.key == replacement.key
    assert replacement.key in keys


def test_subgraph_views_are_networkx_copies(loaded_store: GraphStore) -> None:
    view = loaded_store.subgraph(
        kinds=[NodeKind.OCCUPATION, NodeKind.SKILL],
        relation_types=[RelationType.HAS_ESSENTIAL_SKILL],
    )
    essential = loaded_store.relations(SOFTWARE_DEVELOPER, types=[RelationType.HAS_ESSENTIAL_SKILL])
    assert set(view.successors(SOFTWARE_DEVELOPER)) == {r.target for r in essential}
    assert view.nodes[PYTHON]["kind"] == "skill"
    assert all(key == "has_essential_skill" for _, _, key in view.edges(keys=True))
    view.remove_node(PYTHON)
    assert loaded_store.get_concept(PYTHON)
    small = loaded_store.subgraph(uris=[SOFTWARE_DEVELOPER, PYTHON])
    assert set(small.nodes) == {SOFTWARE_DEVELOPER, PYTHON}


def test_records_are_stored_and_filtered(loaded_store: GraphStore) -> None:
    record = Record(
        uri="https://credwalk.org/id/issuer/ucd",
        kind=NodeKind.ISSUER,
        body={"name": "University College Dublin", "type": "institution"},
        index={"jurisdiction": "IE", "type": "institution"},
    )
    other = Record(
        uri="https://credwalk.org/id/issuer/tum",
        kind=NodeKind.ISSUER,
        body={"name": "TU München"},
        index={"jurisdiction": "DE", "type": "institution"},
    )
    loaded_store.write(GraphBatch(records=[record, other]))
    assert loaded_store.get_record(record.uri, kind=NodeKind.ISSUER) == record
    irish = loaded_store.list_records(kind=NodeKind.ISSUER, where={"jurisdiction": "IE"})
    assert irish == [record]
    assert [r.uri for r in loaded_store.list_records(kind=NodeKind.ISSUER)] == [
        other.uri,
        record.uri,
    ]
    with pytest.raises(NotFoundError):
        loaded_store.get_record(record.uri, kind=NodeKind.CREDENTIAL)
    assert loaded_store.missing_nodes([record.uri, "http://example.org/x"]) == {
        "http://example.org/x"
    }


def test_a_concept_cannot_be_written_as_a_record(store: GraphStore) -> None:
    with pytest.raises(InvalidInputError, match="concepts are written as concepts"):
        store.write(GraphBatch(records=[Record("http://example.org/s", NodeKind.SKILL, {})]))


def test_relations_of_many_nodes_at_once(loaded_store: GraphStore) -> None:
    uris = [SOFTWARE_DEVELOPER, PYTHON, "http://example.org/nothing"]
    for direction in Direction:
        bulk = loaded_store.relations_of(uris, direction=direction)
        assert set(bulk) == {SOFTWARE_DEVELOPER, PYTHON}
        for uri in (SOFTWARE_DEVELOPER, PYTHON):
            assert bulk[uri] == loaded_store.relations(uri, direction=direction)
    essential = loaded_store.relations_of(
        [SOFTWARE_DEVELOPER], types=[RelationType.HAS_ESSENTIAL_SKILL]
    )
    assert essential[SOFTWARE_DEVELOPER] == loaded_store.relations(
        SOFTWARE_DEVELOPER, types=[RelationType.HAS_ESSENTIAL_SKILL]
    )
    assert loaded_store.relations_of([PYTHON], types=[RelationType.STACKS_INTO]) == {PYTHON: []}
    assert loaded_store.relations_of([]) == {}
