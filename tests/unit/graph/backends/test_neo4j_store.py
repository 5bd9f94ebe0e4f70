"""Neo4j store construction: no I/O, and no Cypher can ride in through its options."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from graph.backends.neo4j import Neo4jStore
from graph.errors import InvalidInputError


def test_a_namespace_cannot_carry_cypher() -> None:
    with pytest.raises(InvalidInputError, match="namespace"):
        Neo4jStore("bolt://127.0.0.1:1", namespace="x}) DETACH DELETE n //")


def test_constructing_connects_to_nothing() -> None:
    store = Neo4jStore("bolt://127.0.0.1:1", user="neo4j", password=SecretStr("s3cret-pass"))
    assert not store.is_open


def test_urls_in_messages_never_carry_credentials() -> None:
    store = Neo4jStore("neo4j://admin:hunter22@db.example:7687")
    assert "hunter22" not in store._safe_url()
    assert store._safe_url() == "neo4j://db.example:7687"
