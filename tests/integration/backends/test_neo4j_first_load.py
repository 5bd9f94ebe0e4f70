"""Neo4j's first load into an empty namespace: CREATEs, committed chunk by chunk, all or nothing.

The contract suite shows that a first load leaves the store a merge would and that a failure
before the relations leaves it empty; here the server itself refuses a chunk after others of
the same load have committed, and a second first load into a claimed namespace is refused
without deleting anything.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from graph.backends import cypher
from graph.backends import neo4j as neo4j_backend
from graph.backends.neo4j import Neo4jStore
from graph.errors import BackendUnavailableError, ConflictError
from graph.model.concepts import NodeKind, RelationType
from graph.services.ingestion import import_concepts
from graph.store import GraphBatch
from ingest.frameworks.esco import EscoPack, esco_import
from tests.fixtures.embedders import HashingEmbedder
from tests.fixtures.neo4j_server import neo4j_namespace

pytestmark = pytest.mark.neo4j

RELATION_QUERIES = frozenset(cypher.create_relations(t) for t in RelationType)


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[Neo4jStore]:
    with neo4j_namespace(request, "fl") as the_store:
        yield the_store


def test_a_first_load_creates_and_a_later_write_merges(
    store: Neo4jStore, esco_slice: EscoPack, caplog: pytest.LogCaptureFixture
) -> None:
    data = esco_import(esco_slice)
    with caplog.at_level(logging.INFO, logger=neo4j_backend.__name__):
        import_concepts(store, data, embedder=HashingEmbedder())
        skill = next(c for c in data.concepts.values() if c.kind is NodeKind.SKILL)
        store.write(GraphBatch(concepts=[dataclasses.replace(skill, status="obsolete")]))
    paths = [r.getMessage().split(":")[0] for r in caplog.records if "concepts," in r.getMessage()]
    assert paths[0] == "neo4j first load"
    assert all(path == "neo4j write" for path in paths[1:])
    assert store._meta("bulk_load") is None  # the claim is released


def test_a_chunk_the_server_refuses_after_others_committed_leaves_the_namespace_empty(
    store: Neo4jStore, esco_slice: EscoPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neo4j_backend, "_RELATION_CHUNK", 50)
    monkeypatch.setattr(neo4j_backend, "_TEXT_CHUNK", 100)
    write_one = Neo4jStore._write_one
    relation_chunks = itertools.count(1)

    def refused_third_chunk(self: Neo4jStore, query: str, **params: Any) -> Any:
        if query in RELATION_QUERIES and next(relation_chunks) == 3:
            query = "UNWIND $rows AS row RETURN 1 / 0 AS refused"
        return write_one(self, query, **params)

    monkeypatch.setattr(Neo4jStore, "_write_one", refused_third_chunk)
    with pytest.raises(BackendUnavailableError, match="/ by zero"):
        import_concepts(store, esco_import(esco_slice), embedder=HashingEmbedder())
    assert next(relation_chunks) == 4, "the load did not stop at the refused chunk"
    assert store.is_empty()


def test_a_second_first_load_into_a_claimed_namespace_is_refused_and_deletes_nothing(
    store: Neo4jStore, esco_slice: EscoPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    store._write_one(cypher.CLAIM_BULK_LOAD)  # another process's first load is under way
    # This one saw the namespace empty just before that claim.
    monkeypatch.setattr(Neo4jStore, "_is_empty", lambda self: True)
    with pytest.raises(ConflictError):
        import_concepts(store, esco_import(esco_slice), embedder=None)
    monkeypatch.undo()
    assert store._meta("bulk_load") == "incomplete"
    assert store.count_nodes([NodeKind.SKILL, NodeKind.OCCUPATION]) == 0
