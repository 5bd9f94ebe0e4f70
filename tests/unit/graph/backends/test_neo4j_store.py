"""Neo4j store construction (no I/O, no Cypher through its options) and its write plumbing."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from graph.backends.neo4j import _TEXT_WRITERS, Neo4jStore
from graph.errors import BackendUnavailableError, InvalidInputError
from graph.model.concepts import NodeKind
from graph.store import IndexedText, TextField


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


def test_after_a_text_group_fails_no_other_group_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server killed mid-load: each group that starts would spend the driver's 30 s of retries,
    # so a load of many groups must fail after the ones in flight, not after all of them.
    store = Neo4jStore("bolt://127.0.0.1:1")
    texts = {
        f"http://example.org/skill/{i}": [
            IndexedText(f"http://example.org/skill/{i}", TextField.PREFERRED, "en", "x", ("x",))
        ]
        * 600
        for i in range(20)
    }
    started: list[list[str]] = []

    def failing_write(uris: list[str], by_kind: object) -> None:
        started.append(uris)
        if len(started) == 1:
            time.sleep(0.5)  # the first group is slow: the other writer is free meanwhile
        raise BackendUnavailableError("Neo4j went away")

    monkeypatch.setattr(store, "_write_group", failing_write)
    kinds = dict.fromkeys(texts, NodeKind.SKILL)
    with pytest.raises(BackendUnavailableError, match="went away"):
        store._write_texts(texts, kinds)
    assert len(started) == _TEXT_WRITERS
