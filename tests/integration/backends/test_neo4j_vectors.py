"""Vectors reach Neo4j bit for bit, though they travel as scaled integers (see _bolt_vector)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from graph.backends import cypher
from graph.backends.neo4j import Neo4jStore
from graph.model.concepts import Concept, Label, NodeKind
from graph.store import GraphBatch, IndexedText, TextField
from tests.fixtures.neo4j_server import neo4j_namespace

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo4j_store(request: pytest.FixtureRequest) -> Iterator[Neo4jStore]:
    with neo4j_namespace(request, "t") as store:
        yield store


def test_stored_vectors_equal_the_written_float32_values(neo4j_store: Neo4jStore) -> None:
    rng = np.random.default_rng(7)
    vectors = {
        # a normalised embedding, as every embedder of credwalk writes them
        "typical": rng.standard_normal(384),
        # components across 30 orders of magnitude, negative and zero
        "spread": rng.standard_normal(384) * 10.0 ** rng.integers(-30, 1, 384),
        # one large component and exact zeros
        "peaked": np.where(np.arange(384) == 5, 1.0, 0.0),
    }
    written = {name: (v / np.linalg.norm(v)).astype(np.float32) for name, v in vectors.items()}
    uri = "http://example.org/skill/vectors"
    neo4j_store.write(
        GraphBatch(
            concepts=[Concept(uri, NodeKind.SKILL, "test", (Label("vectors", "en"),))],
            texts=[
                IndexedText(uri, TextField.ALTERNATIVE, "en", name, (name,), vector)
                for name, vector in written.items()
            ],
            embedding_model="test/vectors",
        )
    )
    rows = neo4j_store._read(
        "MATCH (t:Text {ns: $ns, uri: $uri}) RETURN t.text AS name, t.embedding AS embedding",
        uri=uri,
    )
    stored = {row["name"]: np.asarray(row["embedding"], np.float64) for row in rows}
    assert stored.keys() == written.keys()
    for name, vector in written.items():
        largest = np.abs(vector).max()
        exact = np.abs(vector) >= largest * 2.0**-38
        assert np.array_equal(stored[name][exact], vector[exact].astype(np.float64)), name
        # Components far below the largest may lose their last bits, never more than 2^-61 of it.
        assert np.abs(stored[name] - vector).max() <= largest * 2.0**-61, name


def test_a_namespace_written_before_its_own_indexes_is_indexed_on_open(
    neo4j_store: Neo4jStore,
) -> None:
    """Texts written when vector indexes were per database get their namespace's on open."""
    rng = np.random.default_rng(11)
    concepts = [
        Concept(f"http://example.org/skill/{i}", NodeKind.SKILL, "test", (Label(f"s{i}", "en"),))
        for i in range(20)
    ]
    vectors = rng.standard_normal((20, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    neo4j_store.write(
        GraphBatch(
            concepts=concepts,
            texts=[
                IndexedText(c.uri, TextField.PREFERRED, "en", f"s{i}", (f"s{i}",), vectors[i])
                for i, c in enumerate(concepts)
            ],
            embedding_model="test/vectors",
        )
    )
    # The layout before: no namespace label on the texts, no index of the namespace.
    label = cypher.vector_label(NodeKind.SKILL, neo4j_store._ns)
    neo4j_store._write_one("MATCH (t:Text {ns: $ns}) REMOVE t:$($label)", label=label)
    for kind in cypher.TEXT_KINDS:
        neo4j_store._write_one(cypher.drop_vector_index(kind, neo4j_store._ns))
    neo4j_store.close()
    neo4j_store.open()
    assert neo4j_store.nearest_texts(vectors[3], k=1, kinds=[NodeKind.SKILL])[0].text == "s3"
    labelled = neo4j_store._read(
        "MATCH (t:Text {ns: $ns}) WHERE $label IN labels(t) RETURN count(*) AS n", label=label
    )
    assert labelled[0]["n"] == 20
