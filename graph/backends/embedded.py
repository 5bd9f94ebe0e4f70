"""The embedded store: SQLite is the durable truth, memory and numpy serve the reads.

Every write is one SQLite transaction, committed (WAL, ``synchronous=FULL``) before it is
acknowledged; a process killed mid-write leaves the previous content. The first read loads the
whole graph into memory (:class:`~graph.backends.memory.MemoryGraph`: adjacency, concepts, and a
numpy matrix of text vectors); ``subgraph()`` hands networkx views to the algorithms. Loading is
lazy so that a command that only writes (a CLI ingest) never pays for it. When another process
commits to the same file (a CLI ingest while the API runs), SQLite's ``data_version`` changes
and the next read reloads.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    import networkx as nx

    # The text index (and numpy with it) is imported on the first search, not here: a command
    # that reads a concept or writes records (``credwalk concept URI``) never needs it.
    from .text_index import TextIndex

from graph.errors import BackendUnavailableError, InvalidInputError
from graph.model.concept_documents import (
    concept_from_json,
    concept_to_json,
    dumps,
    relation_from_json,
    relation_props,
    scheme_from_json,
    scheme_to_json,
)
from graph.model.concepts import Concept, ConceptScheme, NodeKind, Relation, RelationType
from graph.store import (
    SEARCHABLE_RECORDS,
    Direction,
    DumpItem,
    GraphBatch,
    GraphStore,
    IndexedText,
    Record,
    StoreContents,
    StoreStats,
    TextField,
    TextHit,
    TextTable,
    Vector,
    WriteSummary,
    expect_versions,
)

from .memory import MemoryGraph

__all__ = ["EmbeddedStore"]

logger = logging.getLogger(__name__)

_SCHEMA_VERSION = 3
_KINDS = {kind.value: kind for kind in NodeKind}
_FIELDS = {f.value: f for f in TextField}
#: Every table that holds what a store holds (its contents and meta), for clear() and is_empty().
_TABLES = ("meta", "schemes", "concepts", "records", "relations", "texts")
_DUMP_PAGE = 1_000  # rows a dump reads at a time
_DUMP_TEXT_URIS = 200  # concepts whose texts a dump reads at a time
# Batches larger than this drop the in-memory graph (reloaded on the next read) instead of
# patching it.
_PATCH_LIMIT = 20_000
_WRITE_CACHE_KIB = -262144  # SQLite page cache while writing (negative: KiB)
_READ_CACHE_KIB = -2048  # and while loading the whole store into memory
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schemes (uri TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS concepts (
    uri TEXT PRIMARY KEY, kind TEXT NOT NULL, framework TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    uri TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, idx TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS relations (
    source TEXT NOT NULL, type TEXT NOT NULL, target TEXT NOT NULL, props TEXT NOT NULL,
    PRIMARY KEY (source, type, target)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS texts (
    uri TEXT NOT NULL, field TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
    terms TEXT NOT NULL, vector BLOB);
CREATE INDEX IF NOT EXISTS texts_by_uri ON texts (uri);
"""
# What a store file of an older version needs beyond _SCHEMA (which only adds what is missing).
# v2: reads come from memory, so no SQL ever looked relations up by target; that index cost a
# quarter of the file and a third of a bulk write.
_UPGRADES = "DROP INDEX IF EXISTS relations_by_target;"
# v3: records count their writes, for conditional writes (ETag / If-Match); older ones are 1.
_RECORD_VERSION = "ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 1"

#: Runs a read of a dump: (SQL, parameters) -> rows.
_Read = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


class EmbeddedStore(GraphStore):
    """A store in one SQLite file (``sqlite:///path``), or in memory (``sqlite:///:memory:``).

    Parameters
    ----------
    path : Path or None
        The database file; None keeps everything in memory (tests), which is not durable.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._data_version = -1
        self._memory: MemoryGraph | None = None

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Self:
        """Build a store from ``sqlite:///relative.db``, ``sqlite:////abs.db`` or ``:memory:``."""
        if not url.startswith("sqlite:///"):
            raise InvalidInputError(
                f"embedded store URLs look like sqlite:///path/to/file.db, got {url!r}",
                details={"field": "store"},
            )
        rest = url.removeprefix("sqlite:///")
        return cls(None if rest in {"", ":memory:"} else Path(rest))

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for an in-memory store."""
        return self._path

    # -- lifecycle ---------------------------------------------------------------------------

    def open(self) -> None:
        """Open (creating) the SQLite file; the in-memory graph loads on the first read."""
        with self._lock:
            if self._conn is not None:
                return
            try:
                if self._path is not None:
                    self._path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(
                    ":memory:" if self._path is None else str(self._path),
                    check_same_thread=False,
                    isolation_level=None,
                    timeout=30.0,
                )
                # Text rows carry 1.5 KiB vectors: 16 KiB pages avoid overflow chains (applies
                # when the file is created).
                conn.execute("PRAGMA page_size=16384")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                # A full ESCO import touches ~100 MB of B-tree pages; the default 2 MB page cache
                # would re-read them for every random-order insert.
                conn.execute(f"PRAGMA cache_size={_WRITE_CACHE_KIB}")
                self._migrate(conn)
            except (sqlite3.Error, OSError) as e:
                raise BackendUnavailableError(
                    f"cannot open the embedded store at {self._path}: {e}"
                ) from e
            self._conn = conn
            logger.info("embedded store %s open", self._path or ":memory:")

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > _SCHEMA_VERSION:
            raise BackendUnavailableError(
                f"the store file has schema version {version}, newer than this credwalk "
                f"({_SCHEMA_VERSION}); upgrade credwalk"
            )
        if version < _SCHEMA_VERSION:
            # Each step is idempotent and the version is written last: an upgrade interrupted
            # half-way is finished by the next open.
            conn.executescript(f"BEGIN; {_SCHEMA} {_UPGRADES} COMMIT;")
            columns = {row[1] for row in conn.execute("PRAGMA table_info(records)")}
            if "version" not in columns:
                conn.execute(_RECORD_VERSION)
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the file and drop the in-memory graph."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                logger.info("embedded store %s closed", self._path or ":memory:")
            self._memory = None

    @property
    def is_open(self) -> bool:
        """Whether the store is open."""
        return self._conn is not None

    def check(self) -> None:
        """Run a trivial query on the file."""
        self._require_open()
        try:
            self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as e:
            raise BackendUnavailableError(f"the embedded store does not answer: {e}") from e

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise BackendUnavailableError("the graph store is not open")
        return self._conn

    # -- the in-memory graph -----------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[MemoryGraph]:
        """Hold the store lock and yield the in-memory graph, (re)loaded if absent or stale.

        Every read goes through here. The API serves requests from a thread pool, a write
        patches the in-memory graph in place, and the text index rebuilds its columns on the
        first read after a patch: without the lock, a search racing a write read half-built
        columns (wrong answers, or errors). Query encoding, the slow part of a search, runs
        outside the store and stays parallel. The graph is stale when another process committed.
        """
        with self._lock:
            self._require_open()
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            if self._memory is None or version != self._data_version:
                self._memory = self._load()
                self._data_version = version
            yield self._memory

    def _load(self) -> MemoryGraph:
        with self._reading_everything():
            return self._load_memory()

    @contextlib.contextmanager
    def _reading_everything(self) -> Iterator[None]:
        # Loading reads every page once, in order: a page cache would only keep a second copy
        # of the store in memory (about 250 MB for ESCO) for as long as the process lives.
        db = self._db
        db.execute(f"PRAGMA cache_size={_READ_CACHE_KIB}")
        try:
            yield
        finally:
            db.execute(f"PRAGMA cache_size={_WRITE_CACHE_KIB}")
            db.execute("PRAGMA shrink_memory")

    def _load_memory(self) -> MemoryGraph:
        started = time.perf_counter()
        db = self._db
        memory = MemoryGraph(load_texts=self._load_texts)
        for (body,) in db.execute("SELECT body FROM schemes"):
            scheme = scheme_from_json(body)
            memory.schemes[scheme.uri] = scheme
        for (body,) in db.execute("SELECT body FROM concepts"):
            memory.add_concept(concept_from_json(body))
        for uri, kind, body, idx, version in db.execute(
            "SELECT uri, kind, body, idx, version FROM records"
        ):
            memory.add_record(
                Record(uri, _KINDS[kind], json.loads(body), json.loads(idx), version=version)
            )
        for source, type_, target, props in db.execute(
            "SELECT source, type, target, props FROM relations"
        ):
            memory.add_relation(relation_from_json(source, type_, target, props))
        row = db.execute("SELECT value FROM meta WHERE key = 'embedding_model'").fetchone()
        memory.embedding_model = row[0] if row else None
        logger.info(
            "embedded store %s loaded: %d concepts, %d records in %.1fs",
            self._path or ":memory:",
            len(memory.concepts),
            len(memory.records),
            time.perf_counter() - started,
        )
        return memory

    def _load_texts(self, memory: MemoryGraph) -> None:
        """Attach the text index to the in-memory graph; it is read on the first search.

        Called through ``memory.index``, which only reads under ``_reading()``: the store lock
        is held, so two searches load it once and no write runs meanwhile.
        """
        from .text_index import TextIndex

        index = TextIndex()
        for uri, concept in memory.concepts.items():
            index.set_kind(uri, concept.kind)
        for uri, record in memory.records.items():
            if record.kind in SEARCHABLE_RECORDS:
                index.set_kind(uri, record.kind)
        with self._reading_everything():
            self._fill_text_index(index)
        memory.attach_index(index)

    def _fill_text_index(self, index: TextIndex) -> None:
        started = time.perf_counter()
        db = self._db
        count, dimension = db.execute(
            "SELECT count(*), max(length(vector)) / 4 FROM texts"
        ).fetchone()
        index.load(
            db.execute(
                "SELECT uri, field, lang, text, terms, vector FROM texts "
                "ORDER BY uri, field, lang, text"
            ),
            count=count,
            dimension=dimension,
        )
        logger.info("text index loaded: %d texts in %.1fs", count, time.perf_counter() - started)

    # -- writes ------------------------------------------------------------------------------

    def _write(self, batch: GraphBatch) -> WriteSummary:
        with self._lock:
            db = self._db
            texts_by_uri: dict[str, list[IndexedText]] = {}
            for text in batch.texts:
                texts_by_uri.setdefault(text.uri, []).append(text)
            has_vectors = batch.embedding_model is not None and any(
                t.vector is not None for t in batch.texts
            )
            try:
                db.execute("BEGIN IMMEDIATE")
                batch = _versioned(db, batch)
                _insert_batch(db, batch, replaced_texts=texts_by_uri, has_vectors=has_vectors)
                db.execute("COMMIT")
            except BaseException as e:
                # BaseException: a KeyboardInterrupt mid-batch must roll back too.
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise BackendUnavailableError(f"the embedded store failed to write: {e}") from e
                raise
            self._after_commit(batch, texts_by_uri, has_vectors)
        return WriteSummary(
            schemes=len(batch.schemes),
            concepts=len(batch.concepts),
            texts=len(batch.texts),
            relations=len(batch.relations),
            deleted_relations=len(batch.delete_relations),
            records=len(batch.records),
            deleted_records=len(batch.delete_records),
        )

    def _clear(self) -> None:
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                for table in _TABLES:
                    db.execute(f"DELETE FROM {table}")
                db.execute("COMMIT")
            except sqlite3.Error as e:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise BackendUnavailableError(f"the embedded store failed to clear: {e}") from e
            self._memory = None
            self._data_version = db.execute("PRAGMA data_version").fetchone()[0]
        logger.info("embedded store %s cleared", self._path or ":memory:")

    def _after_commit(
        self,
        batch: GraphBatch,
        texts_by_uri: Mapping[str, list[IndexedText]],
        has_vectors: bool,
    ) -> None:
        # Our own commits do not change data_version; remember it so reads stay cached.
        self._data_version = self._db.execute("PRAGMA data_version").fetchone()[0]
        memory = self._memory
        size = len(batch.concepts) + len(batch.relations) + len(batch.texts) + len(batch.records)
        if memory is None or size > _PATCH_LIMIT:
            # Reloading lazily is cheaper than patching in a bulk import (and a CLI import never
            # reads again).
            self._memory = None
            return
        for scheme in batch.schemes:
            memory.schemes[scheme.uri] = scheme
        for concept in batch.concepts:
            memory.add_concept(concept)
        for uri in batch.delete_records:
            memory.remove_record(uri)
        for record in batch.records:
            memory.add_record(record)
        for uri, texts in texts_by_uri.items():
            memory.set_texts(uri, texts)
        for key in batch.delete_relations:
            memory.remove_relation(key)
        for relation in batch.relations:
            memory.add_relation(relation)
        if has_vectors:
            memory.embedding_model = batch.embedding_model

    # -- reads -------------------------------------------------------------------------------

    def _get_concepts(self, uris: Sequence[str]) -> dict[str, Concept]:
        with self._reading() as memory:
            concepts = memory.concepts
            return {uri: concepts[uri] for uri in uris if uri in concepts}

    def _iter_concepts(self, *, kind: NodeKind | None, framework: str | None) -> Iterator[Concept]:
        with self._reading() as memory:
            selected = [
                concept
                for _, concept in sorted(memory.concepts.items())
                if (kind is None or concept.kind is kind)
                and (framework is None or concept.framework == framework)
            ]
        return iter(selected)

    def _missing_nodes(self, uris: Sequence[str]) -> set[str]:
        with self._reading() as memory:
            return {uri for uri in uris if uri not in memory.kinds}

    def _relations(
        self, uri: str, *, direction: Direction, types: frozenset[RelationType] | None
    ) -> list[Relation]:
        with self._reading() as memory:
            return memory.edges_of(uri, direction=direction, types=types)

    def _relations_of(
        self, uris: Sequence[str], *, direction: Direction, types: frozenset[RelationType] | None
    ) -> dict[str, list[Relation]]:
        with self._reading() as memory:
            return {
                uri: memory.edges_of(uri, direction=direction, types=types)
                for uri in uris
                if uri in memory.kinds
            }

    def _iter_relations(
        self,
        *,
        types: frozenset[RelationType],
        source_kinds: frozenset[NodeKind] | None,
        target_kinds: frozenset[NodeKind] | None,
    ) -> Iterator[Relation]:
        with self._reading() as memory:
            return memory.iter_relations(
                types=types, source_kinds=source_kinds, target_kinds=target_kinds
            )

    def _subgraph(
        self,
        *,
        kinds: frozenset[NodeKind] | None,
        relation_types: frozenset[RelationType] | None,
        uris: frozenset[str] | None,
    ) -> nx.MultiDiGraph:
        with self._reading() as memory:
            return memory.subgraph(kinds=kinds, relation_types=relation_types, uris=uris)

    def _schemes(self) -> list[ConceptScheme]:
        with self._reading() as memory:
            return list(memory.schemes.values())

    def _stats(self) -> StoreStats:
        with self._reading() as memory:
            return StoreStats(
                nodes=memory.kind_counts(),
                relations=memory.relation_counts(),
                texts=len(memory.index),
                embedding_model=memory.embedding_model,
            )

    def _count_nodes(self, kinds: frozenset[NodeKind]) -> int:
        with self._reading() as memory:
            return memory.count(kinds)

    def _embedding_model(self) -> str | None:
        with self._reading() as memory:
            return memory.embedding_model

    def _get_records(self, uris: Sequence[str], *, kind: NodeKind) -> dict[str, Record]:
        with self._reading() as memory:
            found = (memory.records.get(uri) for uri in uris)
            return {r.uri: r for r in found if r is not None and r.kind is kind}

    def _list_records(
        self, *, kind: NodeKind, where: Mapping[str, str | int | float | bool]
    ) -> list[Record]:
        with self._reading() as memory:
            return memory.records_of(kind, where)

    def _list_records_many(
        self, queries: Sequence[tuple[NodeKind, Mapping[str, str | int | float | bool]]]
    ) -> list[list[Record]]:
        with self._reading() as memory:
            return [memory.records_of(kind, where) for kind, where in queries]

    # -- backup ------------------------------------------------------------------------------

    def _is_empty(self) -> bool:
        anything = " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in _TABLES)
        with self._lock:
            return not self._db.execute(f"SELECT {anything}").fetchone()[0]

    def _shared_vector_dimension(self) -> int | None:
        # A store file is a store of its own: only its own vectors fix a length.
        return None

    def _dump(self) -> Generator[DumpItem, None, None]:
        with self._dump_reader() as read:
            yield _dump_contents(read)
            for _, body in _paged(read, "SELECT uri, body FROM schemes", ("uri",)):
                yield scheme_from_json(body)
            for _, body in _paged(read, "SELECT uri, body FROM concepts", ("uri",)):
                yield concept_from_json(body)
            yield from _dump_texts(read)
            for uri, kind, body, idx, version in _paged(
                read, "SELECT uri, kind, body, idx, version FROM records", ("uri",)
            ):
                yield Record(uri, _KINDS[kind], json.loads(body), json.loads(idx), version=version)
            for row in _paged(
                read,
                "SELECT source, type, target, props FROM relations",
                ("source", "type", "target"),
            ):
                yield relation_from_json(*row)

    @contextlib.contextmanager
    def _dump_reader(self) -> Iterator[_Read]:
        """Reads for a dump: from one snapshot of the file, in a connection of its own.

        The snapshot (a read transaction of WAL mode) makes the counts and every page agree
        while writers go on. An in-memory database has no second connection: its pages are
        read one at a time under the store lock, with no snapshot.
        """
        if self._path is None:

            def read_shared(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
                with self._lock:
                    return _fetch(self._db, sql, params)

            yield read_shared
            return
        try:
            conn = sqlite3.connect(str(self._path), isolation_level=None, timeout=30.0)
            conn.execute("BEGIN")
        except sqlite3.Error as e:
            raise BackendUnavailableError(f"the embedded store cannot be read: {e}") from e
        try:
            yield lambda sql, params: _fetch(conn, sql, params)
        finally:
            conn.close()

    # -- search support ----------------------------------------------------------------------

    def _nearest_texts(
        self, vector: Vector, *, k: int, kinds: frozenset[NodeKind], langs: frozenset[str] | None
    ) -> list[TextHit]:
        return self._nearest_texts_many([vector], k=k, kinds=kinds, langs=langs)[0]

    def _nearest_texts_many(
        self,
        vectors: Sequence[Vector],
        *,
        k: int,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
    ) -> list[list[TextHit]]:
        with self._reading() as memory:
            return memory.index.nearest(vectors, k=k, kinds=kinds, langs=langs)

    def _text_scores(
        self, vector: Vector | None, uris: Sequence[str], *, langs: frozenset[str] | None
    ) -> list[TextHit]:
        with self._reading() as memory:
            return memory.index.scores(vector, uris, langs=langs)

    def _text_table(
        self,
        vector: Vector | None,
        uris: Sequence[str],
        *,
        langs: frozenset[str] | None,
        query_terms: tuple[str, ...],
    ) -> TextTable:
        # The table's text columns are the index's lists, which a rebuild replaces rather than
        # changes: they stay valid after the lock is released.
        with self._reading() as memory:
            return memory.index.table(vector, uris, langs=langs, query_terms=query_terms)

    def _term_frequencies(
        self, terms: Sequence[str], *, kinds: frozenset[NodeKind]
    ) -> dict[str, int]:
        with self._reading() as memory:
            return memory.index.term_frequencies(terms, kinds=kinds)

    def _concepts_with_terms(self, terms: Sequence[str], *, kinds: frozenset[NodeKind]) -> set[str]:
        with self._reading() as memory:
            return memory.index.concepts_with_terms(terms, kinds=kinds)


def _fetch(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.Error as e:
        raise BackendUnavailableError(f"the embedded store failed to read: {e}") from e


def _paged(read: _Read, select: str, key: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``select`` (which starts with the ``key`` columns) in key order, by pages.

    Each page starts after the key of the last row of the one before (keyset pagination), so
    a page costs an index seek, whatever the offset.
    """
    order = ", ".join(key)
    after = f"({order}) > ({', '.join('?' * len(key))})"
    rows = read(f"{select} ORDER BY {order} LIMIT ?", (_DUMP_PAGE,))
    while rows:
        yield from rows
        if len(rows) < _DUMP_PAGE:
            return
        last = rows[-1][: len(key)]
        rows = read(f"{select} WHERE {after} ORDER BY {order} LIMIT ?", (*last, _DUMP_PAGE))


# A dump holds the texts of concepts only: the Assembly's posts are indexed again from their
# records when restored (graph.services.backup.restoring).
_CONCEPT_TEXTS = "texts WHERE uri IN (SELECT uri FROM concepts)"


def _dump_contents(read: _Read) -> StoreContents:
    counts = {
        table: read(f"SELECT count(*) FROM {_CONCEPT_TEXTS if table == 'texts' else table}", ())[0][
            0
        ]
        for table in ("schemes", "concepts", "texts", "records", "relations")
    }
    vector = read(f"SELECT length(vector) FROM {_CONCEPT_TEXTS} AND vector IS NOT NULL LIMIT 1", ())
    model = read("SELECT value FROM meta WHERE key = 'embedding_model'", ())
    return StoreContents(
        **counts,
        embedding_model=model[0][0] if vector and model else None,
        dimension=vector[0][0] // 4 if vector else None,
    )


def _dump_texts(read: _Read) -> Iterator[IndexedText]:
    """The texts by concept, and for one concept in (field, lang, text) order (no post's)."""
    import numpy as np  # not at start-up: a CLI command that reads no vector never loads it

    select = f"SELECT uri FROM (SELECT DISTINCT uri FROM {_CONCEPT_TEXTS})"
    uris = (uri for (uri,) in _paged(read, select, ("uri",)))
    while chunk := list(itertools.islice(uris, _DUMP_TEXT_URIS)):
        marks = ",".join("?" * len(chunk))
        rows = read(
            f"SELECT uri, field, lang, text, terms, vector FROM texts WHERE uri IN ({marks})",
            chunk,
        )
        rows.sort(key=lambda row: row[:4])
        for uri, field, lang, text, terms, vector in rows:
            yield IndexedText(
                uri=uri,
                field=_FIELDS[field],
                lang=lang,
                text=text,
                terms=tuple(terms.split()),
                vector=None if vector is None else np.frombuffer(vector, dtype=np.float32),
            )


def _versioned(db: sqlite3.Connection, batch: GraphBatch) -> GraphBatch:
    """Check ``batch.expect`` and number its records, in the open (exclusive) transaction.

    A restore keeps the records' own versions; none of them may exist yet.
    """
    uris = sorted(set(batch.expect) | {r.uri for r in batch.records})
    current: dict[str, int | None] = {}
    for start in range(0, len(uris), 500):
        chunk = uris[start : start + 500]
        marks = ",".join("?" * len(chunk))
        current.update(
            db.execute(f"SELECT uri, version FROM records WHERE uri IN ({marks})", chunk)
        )
    if batch.restore:
        expect_versions(current, dict.fromkeys(uris))
        return batch
    expect_versions(current, batch.expect)
    records = [replace(r, version=(current.get(r.uri) or 0) + 1) for r in batch.records]
    return replace(batch, records=records)


def _insert_batch(
    db: sqlite3.Connection,
    batch: GraphBatch,
    *,
    replaced_texts: Iterable[str],
    has_vectors: bool,
) -> None:
    """Run the statements of ``batch`` in the open transaction.

    ``replaced_texts`` are the concepts whose stored texts the batch's texts replace.
    """
    db.executemany(
        "INSERT OR REPLACE INTO schemes (uri, body) VALUES (?, ?)",
        [(s.uri, scheme_to_json(s)) for s in batch.schemes],
    )
    db.executemany(
        "INSERT OR REPLACE INTO concepts (uri, kind, framework, body) VALUES (?,?,?,?)",
        [(c.uri, c.kind.value, c.framework, concept_to_json(c)) for c in batch.concepts],
    )
    deleted = [(uri,) for uri in batch.delete_records]
    db.executemany("DELETE FROM records WHERE uri = ?", deleted)
    db.executemany("DELETE FROM relations WHERE source = ?1 OR target = ?1", deleted)
    db.executemany(
        "INSERT OR REPLACE INTO records (uri, kind, body, idx, version) VALUES (?, ?, ?, ?, ?)",
        [(r.uri, r.kind.value, dumps(r.body), dumps(r.index), r.version) for r in batch.records],
    )
    db.executemany("DELETE FROM texts WHERE uri = ?", [(u,) for u in replaced_texts])
    # In URI order, so that texts_by_uri grows at its end instead of splitting pages all over
    # (a full ESCO write: 0.8 -> 0.5 s).
    db.executemany(
        "INSERT INTO texts (uri, field, lang, text, terms, vector) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                t.uri,
                t.field.value,
                t.lang,
                t.text,
                " ".join(t.terms),
                # The dtype by name: the array brings its numpy, this module imports none.
                None if t.vector is None else t.vector.astype("float32", copy=False).tobytes(),
            )
            for t in sorted(batch.texts, key=attrgetter("uri"))
        ],
    )
    db.executemany(
        "DELETE FROM relations WHERE source = ? AND type = ? AND target = ?",
        batch.delete_relations,
    )
    db.executemany(
        "INSERT OR REPLACE INTO relations (source, type, target, props) VALUES (?, ?, ?, ?)",
        sorted((r.source, r.type.value, r.target, relation_props(r)) for r in batch.relations),
    )
    if has_vectors:
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('embedding_model', ?)",
            (batch.embedding_model,),
        )
