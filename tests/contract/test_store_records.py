"""Records on every backend: versions, conditional writes, deletion, and the audit entry.

Concurrency: several threads doing read-modify-write through conditional writes lose nothing
(each retry reads the version another writer committed), and of concurrent creations of one
record exactly one succeeds.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph import audit
from graph.errors import ConflictError, StaleVersionError
from graph.model.accounts import ANONYMOUS, Actor
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.store import Direction, GraphBatch, GraphStore, Record

LEARNER = "urn:example:learner:1"
OTHER = "urn:example:learner:2"


def _record(uri: str, body: Mapping[str, object]) -> Record:
    return Record(uri, NodeKind.LEARNER, body, {"jurisdiction": "IE"})


def test_a_record_counts_its_writes(store: GraphStore) -> None:
    store.write(GraphBatch(records=[_record(LEARNER, {"n": 1})]))
    assert store.get_record(LEARNER, kind=NodeKind.LEARNER).version == 1
    store.write(GraphBatch(records=[_record(LEARNER, {"n": 2})]))
    found = store.get_record(LEARNER, kind=NodeKind.LEARNER)
    assert found.version == 2 and found.body == {"n": 2}
    (listed,) = store.list_records(kind=NodeKind.LEARNER, where={"jurisdiction": "IE"})
    assert listed.version == 2


def test_a_write_based_on_an_old_version_is_refused_and_changes_nothing(
    store: GraphStore,
) -> None:
    store.write(GraphBatch(records=[_record(LEARNER, {"n": 1})]))
    store.write(GraphBatch(records=[_record(LEARNER, {"n": 2})], expect={LEARNER: 1}))
    with pytest.raises(StaleVersionError) as info:
        store.write(
            GraphBatch(
                records=[_record(LEARNER, {"n": 3}), _record(OTHER, {"n": 1})],
                expect={LEARNER: 1},
            )
        )
    assert info.value.details == {"uri": LEARNER, "expected": 1, "current": 2}
    assert store.get_record(LEARNER, kind=NodeKind.LEARNER).body == {"n": 2}
    assert store.get_records([OTHER], kind=NodeKind.LEARNER) == {}


def test_a_record_expected_absent_is_created_once(store: GraphStore) -> None:
    store.write(GraphBatch(records=[_record(LEARNER, {"n": 1})], expect={LEARNER: None}))
    with pytest.raises(ConflictError):
        store.write(GraphBatch(records=[_record(LEARNER, {"n": 9})], expect={LEARNER: None}))
    assert store.get_record(LEARNER, kind=NodeKind.LEARNER).body == {"n": 1}


def test_deleting_a_record_removes_its_edges(store: GraphStore) -> None:
    a, b, base = (Record(f"urn:example:credential:{n}", NodeKind.CREDENTIAL, {}, {}) for n in "abc")
    store.write(
        GraphBatch(
            records=[a, b, base],
            relations=[
                Relation(a.uri, RelationType.REQUIRES_CREDENTIAL, base.uri),
                Relation(b.uri, RelationType.REQUIRES_CREDENTIAL, base.uri),
            ],
        )
    )
    summary = store.write(GraphBatch(delete_records=[a.uri]))
    assert summary.deleted_records == 1
    assert store.get_records([a.uri, b.uri], kind=NodeKind.CREDENTIAL).keys() == {b.uri}
    assert store.relations(base.uri, direction=Direction.IN) == [
        Relation(b.uri, RelationType.REQUIRES_CREDENTIAL, base.uri)
    ]
    assert store.missing_nodes([a.uri]) == {a.uri}


def test_a_write_made_while_someone_acts_carries_its_audit_entry(store: GraphStore) -> None:
    actor = Actor(user="urn:example:user:ana", name="ana")
    with audit.acting(actor, "PUT /v1/learners/{learner_id}"):
        store.write(GraphBatch(records=[_record(LEARNER, {"n": 1})]))
    store.write(GraphBatch(records=[_record(OTHER, {"n": 1})]))  # nobody declared: no entry
    (entry,) = store.list_records(kind=NodeKind.AUDIT)
    assert entry.index["actor"] == "urn:example:user:ana"
    assert entry.body["action"] == "PUT /v1/learners/{learner_id}"
    assert entry.body["outcome"] == "ok"
    assert entry.body["objects"] == [{"uri": LEARNER, "kind": "learner"}]


def test_audit_entries_sort_in_time_order(store: GraphStore) -> None:
    with audit.acting(ANONYMOUS, "test"):
        for n in range(5):
            store.write(GraphBatch(records=[_record(f"urn:example:learner:{n}", {})]))
    entries = store.list_records(kind=NodeKind.AUDIT)
    times = [e.body["at"] for e in entries]
    assert len(entries) == 5 and times == sorted(times)
    objects = [e.body["objects"][0]["uri"] for e in entries]
    assert objects == [f"urn:example:learner:{n}" for n in range(5)]


def test_concurrent_read_modify_writes_lose_nothing(store: GraphStore) -> None:
    store.write(GraphBatch(records=[_record(LEARNER, {"items": []})]))

    def append(item: int) -> None:
        while True:
            current = store.get_record(LEARNER, kind=NodeKind.LEARNER)
            body = {"items": [*current.body["items"], item]}
            try:
                store.write(
                    GraphBatch(records=[_record(LEARNER, body)], expect={LEARNER: current.version})
                )
                return
            except StaleVersionError:
                continue

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append, range(40)))
    final = store.get_record(LEARNER, kind=NodeKind.LEARNER)
    assert sorted(final.body["items"]) == list(range(40))
    assert final.version == 41


def test_of_concurrent_creations_exactly_one_succeeds(store: GraphStore) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def create(n: int) -> None:
        start.wait()
        try:
            store.write(GraphBatch(records=[_record(LEARNER, {"n": n})], expect={LEARNER: None}))
            result = "created"
        except ConflictError:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["created"]
    assert store.get_record(LEARNER, kind=NodeKind.LEARNER).version == 1


def test_many_listings_at_once_answer_each_as_one_listing_would(store: GraphStore) -> None:
    def proof(uri: str, learner: str, revoked: bool) -> Record:
        return Record(uri, NodeKind.PROOF, {"n": uri}, {"learner": learner, "revoked": revoked})

    store.write(
        GraphBatch(
            records=[
                _record(LEARNER, {"n": 1}),
                proof("urn:example:proof:b", LEARNER, False),
                proof("urn:example:proof:a", LEARNER, True),
                proof("urn:example:proof:c", OTHER, False),
            ]
        )
    )
    queries: list[tuple[NodeKind, Mapping[str, str | int | float | bool]]] = [
        (NodeKind.PROOF, {"learner": LEARNER}),
        (NodeKind.SUBMISSION, {"learner": LEARNER}),  # nothing of that kind
        (NodeKind.PROOF, {"learner": LEARNER, "revoked": False}),
        (NodeKind.LEARNER, {}),
        (NodeKind.PROOF, {"learner": LEARNER}),  # the same query twice gets two answers
    ]
    found = store.list_records_many(queries)
    assert found == [store.list_records(kind=kind, where=where) for kind, where in queries]
    assert [[r.uri for r in records] for records in found] == [
        ["urn:example:proof:a", "urn:example:proof:b"],
        [],
        ["urn:example:proof:b"],
        [LEARNER],
        ["urn:example:proof:a", "urn:example:proof:b"],
    ]
    assert store.list_records_many([]) == []
