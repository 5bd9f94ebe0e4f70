"""A record read from Neo4j while others write it: its body and version come from one write.

Neo4j reads take no locks, and a node's properties are kept in several property records: a
read of the document and of the version beside it could see one write's version with the
previous write's document, and a read-modify-write based on that read overwrote the other
write's change although its version matched (one update in about 2,000 was lost this way
under four writers). Records now keep their version inside the one property that holds the
document (``cypher.MERGE_RECORDS``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from graph.backends.neo4j import Neo4jStore
from graph.errors import StaleVersionError
from graph.model.concepts import NodeKind
from graph.store import GraphBatch, Record
from tests.fixtures.neo4j_server import neo4j_namespace

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

URI = "urn:example:learner:contended"
WRITERS, READERS, SECONDS = 3, 3, 20.0
# A document of a few kilobytes, like a learner's with its assessments.
PADDING = "assessment evidence " * 150


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[Neo4jStore]:
    with neo4j_namespace(request, "cr") as the_store:
        yield the_store


def _record(n: int) -> Record:
    return Record(URI, NodeKind.LEARNER, {"n": n, "padding": PADDING})


def test_reads_during_conditional_writes_see_one_write_and_no_update_is_lost(
    store: Neo4jStore,
) -> None:
    # Each write stores the version it will have (read version + 1) in the body, so a read
    # whose body and version disagree saw two different writes.
    store.write(GraphBatch(records=[_record(1)], expect={URI: None}))
    deadline = time.monotonic() + SECONDS
    lock = threading.Lock()
    landed: list[int] = []
    mixed: list[tuple[int, int | None]] = []

    def writer() -> None:
        while time.monotonic() < deadline:
            read = store.get_record(URI, kind=NodeKind.LEARNER)
            version = read.version or 0  # a store always gives one; 0 would fail below
            try:
                store.write(GraphBatch(records=[_record(version + 1)], expect={URI: version}))
            except StaleVersionError:
                continue
            with lock:
                landed.append(version + 1)

    def reader() -> None:
        while time.monotonic() < deadline:
            read = store.get_record(URI, kind=NodeKind.LEARNER)
            if read.body["n"] != read.version:
                with lock:
                    mixed.append((read.body["n"], read.version))

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mixed == []
    final = store.get_record(URI, kind=NodeKind.LEARNER)
    # Every acknowledged write counted once: none was based on a version it did not see.
    assert len(landed) > 50
    assert sorted(landed) == list(range(2, len(landed) + 2))
    assert final.version == final.body["n"] == len(landed) + 1


def test_a_record_written_before_versions_were_kept_in_its_document_reads_and_updates(
    store: Neo4jStore,
) -> None:
    store.write(GraphBatch(records=[_record(1)], expect={URI: None}))
    # The stored form of before: the document alone, its version in its own property.
    store._write_one(
        "MATCH (n:Node {ns: $ns, uri: $uri}) SET n.doc = $doc, n.version = 7",
        uri=URI,
        doc='{"n": 7, "padding": ""}',
    )
    before = store.get_record(URI, kind=NodeKind.LEARNER)
    assert (before.version, before.body["n"]) == (7, 7)
    store.write(GraphBatch(records=[_record(8)], expect={URI: 7}))
    after = store.get_record(URI, kind=NodeKind.LEARNER)
    assert (after.version, after.body["n"]) == (8, 8)
