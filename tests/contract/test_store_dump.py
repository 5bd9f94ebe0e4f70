"""A whole store read at once and written back, on every backend: dump, restore batches, clear.

``GraphStore.dump`` yields the counts, then every scheme, concept, text (with its vector, bit for
bit), record (with its version) and relation in a fixed order; ``GraphBatch(restore=True)``
writes them back keeping the versions, into a store that holds none of the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from graph import audit
from graph.errors import ConflictError, InvalidInputError, StaleVersionError
from graph.model.concepts import (
    Concept,
    ConceptScheme,
    Label,
    LabelKind,
    LocalizedText,
    NodeKind,
    Provenance,
    ProvenanceKind,
    Relation,
    RelationType,
    SkillType,
)
from graph.store import (
    DumpItem,
    GraphBatch,
    GraphStore,
    IndexedText,
    Record,
    StoreContents,
    TextField,
)
from graph.text import terms
from tests.fixtures.actors import ADMIN

MODEL = "test/dump-model"
DIMENSION = 384  # Neo4j's vector indexes are the database's: every test uses one length
SCHEME = ConceptScheme(
    "http://data.europa.eu/esco/concept-scheme/skills", "esco", "ESCO skills", version="1.1.1"
)
SQL = Concept(
    "urn:example:skill:sql",
    NodeKind.SKILL,
    "esco",
    (
        Label("use SQL", "en"),
        Label("SQL", "en", LabelKind.ALTERNATIVE),
        Label("utiliser SQL", "fr"),
    ),
    descriptions=(LocalizedText("Query relational databases.", "en"),),
    schemes=(SCHEME.uri,),
    skill_type=SkillType.SKILL_COMPETENCE,
    collections=frozenset({"digital"}),
    modified="2024-01-01",
)
DATABASES = Concept(
    "urn:example:skill:databases",
    NodeKind.SKILL,
    "esco",
    (Label("databases", "en"), Label("db", "en", LabelKind.HIDDEN)),
    skill_type=SkillType.KNOWLEDGE,
    status="obsolete",
    replaced_by=(SQL.uri,),
)
ANALYST = Concept(
    "urn:example:occupation:analyst",
    NodeKind.OCCUPATION,
    "esco",
    (Label("data analyst", "en"),),
    code="2511.3",
    isco_group="2511",
)
LEARNER = "urn:example:learner:1"
CREDENTIAL = "urn:example:credential:sql"


def _vector(seed: int, *, tiny: bool = False) -> np.ndarray[Any, np.dtype[np.float32]]:
    vector = np.random.default_rng(seed).standard_normal(DIMENSION).astype(np.float32)
    vector /= np.linalg.norm(vector)
    if tiny:
        # 2^-100 of the largest component: too small for the integers Neo4j's writes use.
        vector[7] = np.float32(1e-31)
    return vector


def _text(concept: Concept, field: TextField, text: str, seed: int | None) -> IndexedText:
    vector = None if seed is None else _vector(seed, tiny=seed == 2)
    return IndexedText(concept.uri, field, "en", text, tuple(terms(text)), vector)


TEXTS = [
    _text(SQL, TextField.PREFERRED, "use SQL", 1),
    _text(SQL, TextField.ALTERNATIVE, "SQL", 2),
    _text(SQL, TextField.DESCRIPTION, "Query relational databases.", 3),
    _text(DATABASES, TextField.PREFERRED, "databases", 4),
    _text(DATABASES, TextField.HIDDEN, "db", None),
    _text(ANALYST, TextField.PREFERRED, "data analyst", 5),
]
RELATIONS = [
    Relation(ANALYST.uri, RelationType.HAS_ESSENTIAL_SKILL, SQL.uri),
    Relation(DATABASES.uri, RelationType.BROADER, SQL.uri),
    Relation(
        DATABASES.uri,
        RelationType.CLOSE_MATCH,
        SQL.uri,
        weight=0.8125,
        status="suggested",
        provenance=Provenance(
            ProvenanceKind.COMPUTED, "hybrid", "2026-01-01", model=MODEL, score=0.8125
        ),
    ),
    Relation(CREDENTIAL, RelationType.CERTIFIES_SKILL, SQL.uri, level=3),
]


def _fill(store: GraphStore) -> None:
    """Everything a store holds, with a record written three times and a lexical-only text."""
    store.write(
        GraphBatch(
            schemes=[SCHEME],
            concepts=[SQL, DATABASES, ANALYST],
            texts=TEXTS,
            embedding_model=MODEL,
        )
    )
    for n in range(3):
        store.write(
            GraphBatch(
                records=[Record(LEARNER, NodeKind.LEARNER, {"n": n}, {"jurisdiction": "IE"})]
            )
        )
    credential = Record(
        CREDENTIAL, NodeKind.CREDENTIAL, {"title": "SQL", "hours": 12.5}, {"issuer": None}
    )
    store.write(GraphBatch(records=[credential], relations=RELATIONS[3:]))
    store.write(GraphBatch(relations=RELATIONS[:3]))


def _comparable(item: DumpItem) -> object:
    """An item as a value: a text with its vector's bytes, a record with its version."""
    if isinstance(item, IndexedText):
        vector = None if item.vector is None else np.asarray(item.vector, np.float32).tobytes()
        return (item.uri, item.field, item.lang, item.text, item.terms, vector)
    if isinstance(item, Record):
        return (item, item.version)
    return item


def _of(items: Sequence[DumpItem], cls: type) -> list[Any]:
    return [item for item in items if isinstance(item, cls)]


def _restore(store: GraphStore, items: Sequence[DumpItem]) -> None:
    """Write a dump back, one batch per kind, as a restore does."""
    store.write(
        GraphBatch(schemes=_of(items, ConceptScheme), concepts=_of(items, Concept), restore=True)
    )
    store.write(GraphBatch(texts=_of(items, IndexedText), embedding_model=MODEL, restore=True))
    store.write(GraphBatch(records=_of(items, Record), restore=True))
    store.write(GraphBatch(relations=_of(items, Relation), restore=True))


def test_an_empty_store_dumps_its_counts_only(store: GraphStore) -> None:
    assert store.is_empty()
    assert list(store.dump()) == [StoreContents(0, 0, 0, 0, 0, None, None)]


def test_the_dump_holds_everything_in_order_with_exact_vectors_and_versions(
    store: GraphStore,
) -> None:
    _fill(store)
    assert not store.is_empty()
    items = list(store.dump())
    assert items[0] == StoreContents(1, 3, 6, 2, 4, MODEL, DIMENSION)
    expected_texts = sorted(TEXTS, key=lambda t: (t.uri, t.field.value, t.lang, t.text))
    assert [_comparable(i) for i in items[1:]] == [
        SCHEME,
        ANALYST,  # concepts in IRI order
        DATABASES,
        SQL,
        *map(_comparable, expected_texts),
        (
            Record(
                CREDENTIAL, NodeKind.CREDENTIAL, {"title": "SQL", "hours": 12.5}, {"issuer": None}
            ),
            1,
        ),
        (Record(LEARNER, NodeKind.LEARNER, {"n": 2}, {"jurisdiction": "IE"}), 3),
        *sorted(RELATIONS, key=lambda r: (r.source, r.type.value, r.target)),
    ]


def test_a_restored_store_dumps_the_same_and_its_versions_go_on(
    store: GraphStore, other_store: GraphStore
) -> None:
    _fill(store)
    items = list(store.dump())
    _restore(other_store, items[1:])
    assert [_comparable(i) for i in other_store.dump()] == [_comparable(i) for i in items]
    # ETags and If-Match go on working: the next write is version 4, based on version 3.
    learner = other_store.get_record(LEARNER, kind=NodeKind.LEARNER)
    assert learner.version == 3
    other_store.write(GraphBatch(records=[learner], expect={LEARNER: 3}))
    assert other_store.get_record(LEARNER, kind=NodeKind.LEARNER).version == 4
    with pytest.raises(StaleVersionError):
        other_store.write(GraphBatch(records=[learner], expect={LEARNER: 3}))


def test_a_restore_refuses_a_record_that_exists_and_writes_nothing(store: GraphStore) -> None:
    store.write(GraphBatch(records=[Record(LEARNER, NodeKind.LEARNER, {"n": 1}, {})]))
    restored = [
        Record(CREDENTIAL, NodeKind.CREDENTIAL, {}, {}, version=2),
        Record(LEARNER, NodeKind.LEARNER, {"n": 9}, {}, version=5),
    ]
    with pytest.raises(ConflictError):
        store.write(GraphBatch(records=restored, restore=True))
    learner = store.get_record(LEARNER, kind=NodeKind.LEARNER)
    assert (learner.body, learner.version) == ({"n": 1}, 1)
    assert store.get_records([CREDENTIAL], kind=NodeKind.CREDENTIAL) == {}


@pytest.mark.parametrize(
    "batch",
    [
        GraphBatch(records=[Record(LEARNER, NodeKind.LEARNER, {}, {})], restore=True),
        GraphBatch(records=[Record(LEARNER, NodeKind.LEARNER, {}, {}, version=0)], restore=True),
        GraphBatch(
            records=[Record(LEARNER, NodeKind.LEARNER, {}, {}, version=1)],
            delete_records=[CREDENTIAL],
            restore=True,
        ),
        GraphBatch(
            records=[Record(LEARNER, NodeKind.LEARNER, {}, {}, version=1)],
            expect={LEARNER: None},
            restore=True,
        ),
    ],
    ids=["no version", "version 0", "a deletion", "an expectation"],
)
def test_a_restore_batch_keeps_versions_and_only_adds(store: GraphStore, batch: GraphBatch) -> None:
    with pytest.raises(InvalidInputError):
        store.write(batch)
    assert store.is_empty()


def test_a_restore_batch_carries_no_audit_entry(store: GraphStore) -> None:
    with audit.acting(ADMIN, "credwalk import"):
        store.write(
            GraphBatch(records=[Record(LEARNER, NodeKind.LEARNER, {}, {}, version=7)], restore=True)
        )
    assert store.list_records(kind=NodeKind.AUDIT) == []
    assert store.get_record(LEARNER, kind=NodeKind.LEARNER).version == 7


def test_clear_leaves_an_empty_store_that_takes_writes_again(store: GraphStore) -> None:
    _fill(store)
    store.clear()
    assert store.is_empty()
    assert list(store.dump()) == [StoreContents(0, 0, 0, 0, 0, None, None)]
    assert store.embedding_model() is None
    assert store.missing_nodes([SQL.uri, LEARNER]) == {SQL.uri, LEARNER}
    _fill(store)
    assert next(store.dump()) == StoreContents(1, 3, 6, 2, 4, MODEL, DIMENSION)


def test_the_shared_vector_length_is_the_stored_one_or_none(store: GraphStore) -> None:
    _fill(store)
    assert store.shared_vector_dimension() in (None, DIMENSION)


def test_a_dump_closed_early_ends_its_read(store: GraphStore) -> None:
    _fill(store)
    items = store.dump()
    next(items)
    next(items)
    items.close()
    store.write(GraphBatch(records=[Record("urn:example:learner:2", NodeKind.LEARNER, {}, {})]))
    assert next(store.dump()).records == 3  # type: ignore[union-attr]
