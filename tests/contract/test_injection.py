"""Cypher (and Lucene) injection through every string input is harmless: values stay values."""

from __future__ import annotations

import pytest

from graph.errors import NotFoundError
from graph.indexing import index_concepts
from graph.model.concepts import (
    Concept,
    Label,
    LabelKind,
    LocalizedText,
    NodeKind,
    Relation,
    RelationType,
)
from graph.search import hybrid_search
from graph.store import GraphBatch, GraphStore, Record
from tests.fixtures.embedders import HashingEmbedder

PAYLOADS = [
    "x' OR 1=1 //",
    'x"}) MATCH (n) DETACH DELETE n //',
    "x`) DETACH DELETE n WITH 1 AS y MATCH (`",
    "}]->(m) SET m.doc = 'pwned' //",
    'python OR *:* AND title:\\"a\\"~ [a TO z] {b}',
    "CALL db.index.fulltext.queryNodes('concept_terms', '*') YIELD node DETACH DELETE node",
    "\\'; DROP CONSTRAINT node_uri; //",
    "c++ #tag /regex/ +must -not",
]
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payloads_in_uris_labels_and_texts_are_stored_verbatim(
    loaded_store: GraphStore, payload: str
) -> None:
    before = loaded_store.stats()
    uri = f"http://example.org/skill/{payload}"
    concept = Concept(
        uri=uri,
        kind=NodeKind.SKILL,
        framework="test",
        labels=(Label(payload, "en"), Label(f"{payload} alt", "en", LabelKind.ALTERNATIVE)),
        descriptions=(LocalizedText(payload, "en"),),
        code=payload,
    )
    record = Record(
        uri=f"http://example.org/issuer/{payload}",
        kind=NodeKind.ISSUER,
        body={"name": payload},
        index={"jurisdiction": payload},
    )
    loaded_store.write(
        GraphBatch(
            concepts=[concept],
            texts=index_concepts([concept], HashingEmbedder()),
            records=[record],
            relations=[Relation(uri, RelationType.BROADER, PYTHON, status=payload)],
            embedding_model="test/hashing-384",
        )
    )
    assert loaded_store.get_concept(uri) == concept
    assert loaded_store.get_record(record.uri, kind=NodeKind.ISSUER) == record
    assert loaded_store.list_records(kind=NodeKind.ISSUER, where={"jurisdiction": payload}) == [
        record
    ]
    (edge,) = loaded_store.relations(uri)
    assert edge.status == payload
    after = loaded_store.stats()
    assert after.count(NodeKind.SKILL) == before.count(NodeKind.SKILL) + 1
    assert after.count(NodeKind.OCCUPATION) == before.count(NodeKind.OCCUPATION)
    assert loaded_store.get_concept(PYTHON).preferred_label() == "Python (computer programming)"


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payloads_in_queries_and_filters_are_harmless(
    loaded_store: GraphStore, payload: str
) -> None:
    before = loaded_store.stats()
    embedder = HashingEmbedder()
    matches = hybrid_search(
        loaded_store, payload, embedder.embed_one(payload), kinds=[NodeKind.SKILL], top=5
    )
    assert all(0 <= m.score <= 1 for m in matches)
    assert loaded_store.list_records(kind=NodeKind.CREDENTIAL, where={"issuer": payload}) == []
    assert loaded_store.missing_nodes([payload]) == {payload}
    assert loaded_store.get_concepts([payload]) == {}
    with pytest.raises(NotFoundError):
        loaded_store.relations(payload)
    assert loaded_store.text_scores(embedder.embed_one(payload), [payload], langs=[payload]) == []
    assert loaded_store.stats() == before
