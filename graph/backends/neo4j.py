"""The Neo4j backend: the same contract on Neo4j 5.x (community, a cluster or Aura).

Cypher lives in :mod:`graph.backends.cypher`. Reads and the shared search code return exactly
what the embedded store returns: candidates come from Neo4j's native indexes (a cosine vector
index per kind of text and namespace, a whitespace full-text index over label terms), and every
score is recomputed exactly in Cypher. A search reads everything it scores in one round trip
(``cypher.SEARCH_INPUTS``).

Writes go in ``UNWIND`` chunks, each a managed transaction that the driver retries on transient
errors and that is rolled back as a whole otherwise. A batch larger than one chunk (a full ESCO
import: 150,000 text vectors do not fit one transaction in a small heap) is committed chunk by
chunk in an order that makes re-running the same import complete it: texts, then concepts, then
relations. Every statement is an idempotent ``MERGE`` or a replace.

The first write of concepts into an empty namespace (a first ingest) takes a faster path:
``CREATE`` instead of ``MERGE``, texts written while the concepts and their edges are, chunks
still committed one by one; if any fails, the namespace is emptied again.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

import numpy as np
from neo4j import Driver, GraphDatabase, ManagedTransaction, Transaction
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError

if TYPE_CHECKING:
    import networkx as nx

from graph.errors import BackendUnavailableError, ConflictError, InvalidInputError
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
    LABEL_FIELDS,
    TEXT_FIELDS,
    Direction,
    DumpItem,
    GraphBatch,
    GraphStore,
    IndexedText,
    Record,
    SearchBudget,
    SearchInputs,
    StoreContents,
    StoreStats,
    TextField,
    TextHit,
    TextTable,
    Vector,
    WriteSummary,
    expect_versions,
)

from . import cypher

__all__ = ["Neo4jStore"]

logger = logging.getLogger(__name__)


class _Secret(Protocol):
    """A password that prints as asterisks (``graph.settings.Secret``, pydantic's ``SecretStr``)."""

    def get_secret_value(self) -> str: ...


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_TYPES = {cypher.REL_TYPE[t]: t for t in RelationType}
_FIELDS = {f.value: f for f in TextField}
_KINDS = {k.value: k for k in NodeKind}
# Rows per transaction: texts carry 384 floats each; relations are small.
_TEXT_CHUNK = 1_000
# Text transactions in flight at once. Full ESCO with vectors, same server: two writers cut
# the text load by a quarter (20,000 vectors: 7.6-8.7 s against 10.5-12.5 s); a third adds
# nothing on two cores.
_TEXT_WRITERS = 2
# How long the driver retries a write transaction that failed for a transient reason or an
# unreachable server (its own default): a Neo4j restart within it goes unnoticed.
_DRIVER_RETRY_SECONDS = 30.0
_ROW_CHUNK = 5_000
# Relation MERGEs are smaller still and their commits a good part of their cost: all of ESCO's
# 154,027 in 7.6-8.6 s against 8.8-9.1 s in chunks of 5,000 (same server, alternated).
_RELATION_CHUNK = 20_000
# Records a dump's results fetch at a time (texts carry their vectors).
_DUMP_FETCH = 1_000
# The vector index is approximate: fetch this many times k candidates, then keep the exact top k.
_OVERFETCH = 4
_MIN_FETCH = 100
#: Seconds between two reads of the vector indexes' dimension while a store knows of none.
_DIMENSION_RECHECK = 1.0


class Neo4jStore(GraphStore):
    """A store on a Neo4j server.

    Parameters
    ----------
    url : str
        ``neo4j://``, ``bolt://`` (or ``+s``/``+ssc``) URL.
    user, password : str, optional
        Credentials (the password plain or as a secret); none when the server has
        authentication off.
    database : str
        The database (community has one user database, ``neo4j``).
    namespace : str
        Isolates this store's nodes from others in the same database (tests use one each).
    bulk_load : bool
        Whether a batch of concepts into an empty namespace takes the first-load path (CREATE
        instead of MERGE); False merges it like any later write (benchmarks compare the two).
    """

    serves_many_processes: ClassVar[bool] = True

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: _Secret | str | None = None,
        database: str = "neo4j",
        namespace: str = "default",
        bulk_load: bool = True,
    ) -> None:
        if not cypher.NAMESPACE.match(namespace):
            raise InvalidInputError(
                f"namespace must be letters, digits, '_' or '-', got {namespace!r}",
                details={"field": "namespace"},
            )
        self._url = url
        self._user = user
        self._password = (
            password
            if password is None or isinstance(password, str)
            else password.get_secret_value()
        )
        self._database = database
        self._ns = namespace
        self._driver: Driver | None = None
        self._vector_dimension: int | None = None
        self._dimension_checked = 0.0
        # The names of this namespace's vector indexes that exist (search queries only these).
        self._vector_indexes: frozenset[str] = frozenset()
        self._bulk_load = bulk_load

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Self:
        """Build a store for a Neo4j URL (no connection is made here)."""
        return cls(url, **options)

    # -- lifecycle ---------------------------------------------------------------------------

    def open(self) -> None:
        """Connect, check the server answers, and create constraints and indexes."""
        if self._driver is not None:
            return
        auth = (self._user, self._password or "") if self._user else None
        try:
            # Notifications ("label does not exist" on an empty database) are not errors; the
            # driver would log each one as a warning.
            driver = GraphDatabase.driver(self._url, auth=auth, notifications_min_severity="OFF")
            driver.verify_connectivity()
            for statement in cypher.CONSTRAINTS:
                driver.execute_query(statement, database_=self._database)
        except (DriverError, Neo4jError, OSError, ValueError) as e:
            raise BackendUnavailableError(
                f"cannot reach Neo4j at {self._safe_url()}: {type(e).__name__}: {e}"
            ) from e
        self._driver = driver
        self._vector_dimension = self._index_dimension()
        if not self._vector_indexes and self._meta("embedding_model") is not None:
            self._adopt_texts()
        logger.info("neo4j store %s (namespace %s) open", self._safe_url(), self._ns)

    def close(self) -> None:
        """Close the driver; closing twice is harmless."""
        if self._driver is not None:
            self._driver.close()
            self._driver = None
            logger.info("neo4j store %s closed", self._safe_url())

    @property
    def is_open(self) -> bool:
        """Whether the driver is open."""
        return self._driver is not None

    def check(self) -> None:
        """Run ``RETURN 1``."""
        self._read(cypher.PING)

    def drop_namespace(self) -> None:
        """Delete every node of this store's namespace, in chunks, then its vector indexes.

        Tests clean up with it; the indexes of other namespaces are left as they are.
        """
        self._drop_namespace(retry_seconds=_DRIVER_RETRY_SECONDS)

    def _drop_namespace(self, *, retry_seconds: float) -> None:
        while self._write_one(
            cypher.DROP_NAMESPACE_BATCH, retry_seconds_=retry_seconds, limit=10_000
        )[0]["deleted"]:
            pass
        for kind in cypher.TEXT_KINDS:
            self._write_one(cypher.drop_vector_index(kind, self._ns), retry_seconds_=retry_seconds)
        self._vector_dimension = None
        self._vector_indexes = frozenset()

    def _safe_url(self) -> str:
        # Never echo credentials: the URL is rebuilt without any user-info part.
        return re.sub(r"//[^@/]*@", "//", self._url)

    # -- plumbing ----------------------------------------------------------------------------

    def _session_driver(self) -> Driver:
        if self._driver is None:
            raise BackendUnavailableError("the graph store is not open")
        return self._driver

    def _wrap(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ConstraintError as e:
            raise ConflictError(f"Neo4j refused a write: {e.message}") from e
        except (DriverError, Neo4jError, OSError) as e:
            raise BackendUnavailableError(
                f"Neo4j at {self._safe_url()} failed: {type(e).__name__}: {e}"
            ) from e

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        driver = self._session_driver()

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, ns=self._ns, **params)]

        def call() -> list[dict[str, Any]]:
            with driver.session(database=self._database) as session:
                return session.execute_read(work)

        result: list[dict[str, Any]] = self._wrap(call)
        return result

    def _write_one(
        self, query: str, *, retry_seconds_: float = _DRIVER_RETRY_SECONDS, **params: Any
    ) -> list[dict[str, Any]]:
        """Run one write transaction, which the driver retries for ``retry_seconds_``."""
        driver = self._session_driver()

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, ns=self._ns, **params)]

        def call() -> list[dict[str, Any]]:
            with driver.session(
                database=self._database, max_transaction_retry_time=retry_seconds_
            ) as session:
                return session.execute_write(work)

        result: list[dict[str, Any]] = self._wrap(call)
        return result

    def _write_rows(
        self, query: str, rows: Sequence[Any], *, chunk: int = _ROW_CHUNK, key: str = "rows"
    ) -> None:
        for start in range(0, len(rows), chunk):
            params: dict[str, Any] = {key: list(rows[start : start + chunk])}
            self._write_one(query, **params)

    def _meta(self, key: str) -> str | None:
        rows = self._read(cypher.GET_META, key=key)
        return str(rows[0]["value"]) if rows else None

    # -- writes ------------------------------------------------------------------------------

    def _write(self, batch: GraphBatch) -> WriteSummary:
        started = time.perf_counter()
        bulk = self._bulk_load and bool(batch.concepts) and self._is_empty()
        if bulk:
            self._write_first_load(batch)
        else:
            self._merge(batch)
        logger.info(
            "neo4j %s: %d concepts, %d texts, %d relations, %d records in %.1fs",
            "first load" if bulk else "write",
            len(batch.concepts),
            len(batch.texts),
            len(batch.relations),
            len(batch.records),
            time.perf_counter() - started,
        )
        return WriteSummary(
            schemes=len(batch.schemes),
            concepts=len(batch.concepts),
            texts=len(batch.texts),
            relations=len(batch.relations),
            deleted_relations=len(batch.delete_relations),
            records=len(batch.records),
            deleted_records=len(batch.delete_records),
        )

    def _merge(self, batch: GraphBatch) -> None:
        """Write ``batch`` with idempotent merges, in chunks a re-run completes."""
        texts_by_uri, with_vectors = self._write_schemes_and_indexes(batch)
        if texts_by_uri:
            kinds = {c.uri: c.kind for c in batch.concepts}
            kinds.update(self._kinds_of([u for u in texts_by_uri if u not in kinds]))
            self._write_texts(texts_by_uri, kinds)
        self._write_concepts(batch.concepts, texts_by_uri)
        if batch.concepts or batch.texts:
            # A bulk import: relations in chunks of their own transactions, records after.
            self._write_relations(batch.relations, deleted=batch.delete_relations)
            self._write_records(batch, with_relations=False)
        else:
            self._write_records(batch, with_relations=True)
        if with_vectors:
            self._write_one(cypher.SET_META, key="embedding_model", value=batch.embedding_model)

    def _write_schemes_and_indexes(
        self, batch: GraphBatch
    ) -> tuple[dict[str, list[IndexedText]], bool]:
        """Write the schemes, and create the vector indexes if the texts have vectors.

        Returns the texts by concept and whether they have vectors.
        """
        self._write_rows(
            cypher.MERGE_SCHEMES, [{"uri": s.uri, "doc": scheme_to_json(s)} for s in batch.schemes]
        )
        texts_by_uri: dict[str, list[IndexedText]] = defaultdict(list)
        for text in batch.texts:
            texts_by_uri[text.uri].append(text)
        # The vector indexes exist before the first texts with vectors go in: inserting into a
        # live index measured faster than populating one after the load (full ESCO with
        # vectors, consecutive runs: 134 s against 143 s).
        first_vector = next((t.vector for t in batch.texts if t.vector is not None), None)
        with_vectors = first_vector is not None and batch.embedding_model is not None
        if first_vector is not None and with_vectors:
            self._ensure_vector_indexes(int(first_vector.shape[0]))
        return texts_by_uri, with_vectors

    def _write_first_load(self, batch: GraphBatch) -> None:
        """Load ``batch`` into this empty namespace with CREATEs; on any failure, empty it again.

        The chunks commit one by one as in :meth:`_merge`, but nothing has to be matched or
        merged: no node, text or edge exists yet. A marker claims the namespace first, so that
        a second first load running at once fails before writing (and never deletes this
        one's nodes); if even the clean-up fails (the server went away), the marker stays and
        the partial load is what a re-run's merges complete, as before.
        """
        self._write_one(cypher.CLAIM_BULK_LOAD)
        try:
            self._load_all(batch)
        except BaseException:
            try:
                # One attempt per statement: the load has already spent the driver's retries
                # (30 s) on a server that went away; waiting as long again only delays the
                # error (a killed server took 65 s to be reported, over 120 s on a busy machine).
                self._drop_namespace(retry_seconds=0.0)
            except (BackendUnavailableError, ConflictError) as e:
                logger.error("neo4j first load failed and its clean-up too: %s", e)
            raise
        self._write_one(cypher.RELEASE_BULK_LOAD)

    def _load_all(self, batch: GraphBatch) -> None:
        """Texts in the background while the concepts, then their edges, are created.

        Text nodes are found by IRI, not linked to their concept, so neither waits for the
        other: the edges and concepts go in while the server inserts vectors into its index
        (a slice of 100 occupations: texts took 80% of the load). If the concepts or edges
        fail, no new text group starts and the ones in flight finish before the caller empties
        the namespace.
        """
        texts_by_uri, with_vectors = self._write_schemes_and_indexes(batch)
        # Texts belong to the batch's concepts or searchable records: nothing else exists yet.
        kinds = {c.uri: c.kind for c in batch.concepts} | {r.uri: r.kind for r in batch.records}
        stop = threading.Event()
        with ThreadPoolExecutor(1, thread_name_prefix="neo4j-load") as pool:
            texts = pool.submit(self._write_texts, texts_by_uri, kinds, replace=False, stop=stop)
            try:
                self._create_concepts(batch.concepts, texts_by_uri)
                merges: dict[RelationType, list[dict[str, Any]]] = defaultdict(list)
                for relation in batch.relations:
                    merges[relation.type].append(_relation_row(relation))
                for relation_type, rows in merges.items():
                    query = cypher.create_relations(relation_type)
                    self._write_rows(query, rows, chunk=_RELATION_CHUNK)
            except BaseException:
                stop.set()
                raise
            texts.result()
        self._write_records(batch, with_relations=False)
        if with_vectors:
            self._write_one(cypher.SET_META, key="embedding_model", value=batch.embedding_model)

    def _create_concepts(
        self, concepts: Sequence[Concept], texts_by_uri: Mapping[str, list[IndexedText]]
    ) -> None:
        for kind in cypher.CONCEPT_KINDS:
            rows = [
                {**_concept_row(c), "terms": " ".join(_label_terms(texts_by_uri.get(c.uri, [])))}
                for c in concepts
                if c.kind is kind
            ]
            self._write_rows(cypher.CREATE_CONCEPTS[kind], rows)

    def _write_records(self, batch: GraphBatch, *, with_relations: bool) -> None:
        """Write the records (and their relations) in one transaction, versions checked in it."""
        relations = with_relations and bool(batch.relations or batch.delete_relations)
        if not (batch.records or batch.delete_records or batch.expect or relations):
            return
        driver = self._session_driver()
        uris = sorted(set(batch.expect) | {r.uri for r in batch.records})
        ends = _ends(batch) if with_relations else set()
        locked = sorted(ends | set(uris))

        def work(tx: ManagedTransaction) -> None:
            if locked:
                tx.run(cypher.LOCK_NODES, ns=self._ns, uris=locked).consume()
            versions: dict[str, int | None] = {}
            if uris:
                for row in tx.run(cypher.LOCK_VERSIONS, ns=self._ns, uris=uris):
                    versions[row["uri"]] = row["version"]
            # A restore creates every record (with its own version): none may exist yet.
            expect_versions(versions, dict.fromkeys(uris) if batch.restore else batch.expect)
            if batch.delete_records:
                tx.run(
                    cypher.DELETE_RECORDS, ns=self._ns, uris=list(batch.delete_records)
                ).consume()
            for kind in cypher.CREATE_RECORDS:
                self._run_records(tx, batch, kind)
            if with_relations:
                for query, rows in _relation_queries(batch.relations, batch.delete_relations):
                    for start in range(0, len(rows), _RELATION_CHUNK):
                        tx.run(
                            query, ns=self._ns, rows=rows[start : start + _RELATION_CHUNK]
                        ).consume()

        def call() -> None:
            with driver.session(database=self._database) as session:
                session.execute_write(work)

        self._wrap(call)

    def _run_records(self, tx: ManagedTransaction, batch: GraphBatch, kind: NodeKind) -> None:
        mine = [r for r in batch.records if r.kind is kind]
        if batch.restore:
            if mine:
                rows = [{**_record_row(r), "version": r.version} for r in mine]
                tx.run(cypher.RESTORE_RECORDS[kind], ns=self._ns, rows=rows)
            return
        created = [
            _record_row(r) for r in mine if r.uri in batch.expect and batch.expect[r.uri] is None
        ]
        merged = [_record_row(r) for r in mine if batch.expect.get(r.uri, 0) is not None]
        if created:
            tx.run(cypher.CREATE_RECORDS[kind], ns=self._ns, rows=created).consume()
        if merged:
            tx.run(cypher.MERGE_RECORDS[kind], ns=self._ns, rows=merged).consume()

    def _write_concepts(
        self, concepts: Sequence[Concept], texts_by_uri: Mapping[str, list[IndexedText]]
    ) -> None:
        """Merge the concepts, one query per kind, then set the label terms of their new texts."""
        for kind in cypher.CONCEPT_KINDS:
            rows = [_concept_row(c) for c in concepts if c.kind is kind]
            self._write_rows(cypher.MERGE_CONCEPTS[kind], rows)
        self._write_rows(
            cypher.SET_CONCEPT_TERMS,
            [
                {"uri": uri, "terms": " ".join(_label_terms(texts))}
                for uri, texts in texts_by_uri.items()
            ],
        )

    def _write_relations(
        self, relations: Sequence[Relation], *, deleted: Sequence[tuple[str, str, str]]
    ) -> None:
        """Delete the ``deleted`` relation keys, then merge ``relations``, in chunks."""
        for query, rows in _relation_queries(relations, deleted):
            self._write_rows(query, rows, chunk=_RELATION_CHUNK)

    def _kinds_of(self, uris: Sequence[str]) -> dict[str, NodeKind]:
        if not uris:
            return {}
        rows = self._read(cypher.NODE_KINDS, uris=list(uris))
        return {row["uri"]: _KINDS[row["kind"]] for row in rows}

    def _write_texts(
        self,
        texts_by_uri: Mapping[str, list[IndexedText]],
        kinds: Mapping[str, NodeKind],
        *,
        replace: bool = True,
        stop: threading.Event | None = None,
    ) -> None:
        """Replace the texts of each concept, a group of concepts per transaction.

        ``replace=False`` (a first load: there are none) creates them without deleting first;
        once ``stop`` is set, no new group starts.

        Groups have no concept in common, so they go in from ``_TEXT_WRITERS`` threads: while
        one transaction commits (inserting its vectors into the HNSW index, single-threaded on
        the server), another is sent. After the first failure no new group starts; the ones in
        flight finish or roll back, and the error is raised.
        """
        # Set by the first group that fails, before its error travels: a writer thread that is
        # free must not start the next group and spend the driver's retries (30 s) on a server
        # that went away (groups started one after another that way took minutes to fail).
        failed = threading.Event()

        def write(group: list[str]) -> None:
            if failed.is_set() or (stop is not None and stop.is_set()):
                return
            by_kind: dict[NodeKind, list[dict[str, Any]]] = defaultdict(list)
            for uri in group:
                for seq, text in enumerate(texts_by_uri[uri]):
                    by_kind[kinds[uri]].append(_text_row(text, kinds[uri], seq))
            try:
                self._write_group(group if replace else [], by_kind)
            except BaseException:
                failed.set()
                raise

        groups = _groups(texts_by_uri, _TEXT_CHUNK)
        if len(groups) == 1:
            write(groups[0])
            return
        with ThreadPoolExecutor(_TEXT_WRITERS, thread_name_prefix="neo4j-texts") as pool:
            pending = [pool.submit(write, group) for group in groups]
            wait(pending, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in pending:
                if not future.cancelled():
                    future.result()

    def _write_group(
        self, uris: list[str], by_kind: Mapping[NodeKind, list[dict[str, Any]]]
    ) -> None:
        driver = self._session_driver()

        def work(tx: ManagedTransaction) -> None:
            if uris:
                tx.run(cypher.DELETE_TEXTS, ns=self._ns, uris=uris).consume()
            for kind, rows in by_kind.items():
                tx.run(
                    cypher.CREATE_TEXTS[kind],
                    ns=self._ns,
                    rows=rows,
                    label=cypher.vector_label(kind, self._ns),
                ).consume()

        def call() -> None:
            with driver.session(database=self._database) as session:
                session.execute_write(work)

        self._wrap(call)

    def _index_dimension(self) -> int | None:
        # Read from the server, not remembered: another process may have created this
        # namespace's indexes since this store opened.
        names = [cypher.vector_index(kind, self._ns) for kind in cypher.TEXT_KINDS]
        rows = self._read(cypher.VECTOR_INDEX_DIMENSIONS, names=names)
        dimensions = {int(row["dimension"]) for row in rows}
        # A namespace whose concept indexes predate the posts' gets the posts' on the next write.
        self._vector_indexes = frozenset(row["name"] for row in rows)
        return next(iter(dimensions)) if len(dimensions) == 1 else None

    def _ensure_vector_indexes(self, dimension: int) -> None:
        if self._vector_dimension not in (None, dimension):
            raise InvalidInputError(
                f"the store's vector indexes have {self._vector_dimension} dimensions, "
                f"not {dimension}; re-index into a new store",
                details={"field": "embedding_model"},
            )
        if self._vector_dimension == dimension and len(self._vector_indexes) == len(
            cypher.TEXT_KINDS
        ):
            return
        for kind in cypher.TEXT_KINDS:
            self.create_vector_index(kind, dimension)
        self._vector_dimension = dimension
        self._vector_indexes = frozenset(
            cypher.vector_index(kind, self._ns) for kind in cypher.TEXT_KINDS
        )

    def _adopt_texts(self) -> None:
        """Index the vectors of a namespace written when vector indexes were per database.

        Its texts lack their namespace's label, and it has no index of its own: label them (in
        chunks) and create the indexes, which index them. Once, on the first open after the
        upgrade; an interrupted run is completed by the next.
        """
        rows = self._read(cypher.TEXT_DIMENSION)
        if not rows:
            return
        logger.info("neo4j namespace %s: indexing its texts' vectors in its own indexes", self._ns)
        for kind in cypher.TEXT_KINDS:
            label = cypher.vector_label(kind, self._ns)
            while self._write_one(
                cypher.ADOPT_TEXTS, kind=kind.value, label=label, limit=_ROW_CHUNK
            )[0]["adopted"]:
                pass
        self._ensure_vector_indexes(int(rows[0]["dimension"]))

    def create_vector_index(self, kind: NodeKind, dimension: int) -> None:
        """Create this namespace's vector index over the texts of ``kind`` and wait until online.

        Creating an index that exists does nothing; texts written before it are indexed while
        it populates (a bulk load may create it after its texts).
        """
        self._write_one(cypher.create_vector_index(kind, self._ns), dimensions=dimension)
        self._write_one(
            "CALL db.awaitIndex($name, $seconds)",
            name=cypher.vector_index(kind, self._ns),
            seconds=3600,
        )

    def _clear(self) -> None:
        self.drop_namespace()
        logger.info("neo4j store namespace %s cleared", self._ns)

    # -- backup ------------------------------------------------------------------------------

    def _is_empty(self) -> bool:
        return bool(self._read(cypher.IS_EMPTY)[0]["empty"])

    def _shared_vector_dimension(self) -> int | None:
        # Read again: another process may have created the indexes since this store opened.
        self._vector_dimension = self._index_dimension()
        return self._vector_dimension

    def _dump(self) -> Generator[DumpItem, None, None]:
        """Everything in one read transaction, each result streamed before the next query."""
        driver = self._session_driver()
        try:
            with (
                driver.session(database=self._database, fetch_size=_DUMP_FETCH) as session,
                session.begin_transaction() as tx,
            ):
                yield from self._dump_items(tx)
        except (DriverError, Neo4jError, OSError) as e:
            raise BackendUnavailableError(
                f"Neo4j at {self._safe_url()} failed: {type(e).__name__}: {e}"
            ) from e

    def _dump_items(self, tx: Transaction) -> Iterator[DumpItem]:
        row = tx.run(cypher.DUMP_CONTENTS, ns=self._ns, post_kinds=cypher.POST_KIND_VALUES).single(
            strict=True
        )
        dimension = row["dimension"]
        yield StoreContents(
            schemes=row["schemes"],
            concepts=row["concepts"],
            texts=row["texts"],
            records=row["records"],
            relations=row["relations"],
            embedding_model=row["model"] if dimension is not None else None,
            dimension=dimension,
        )
        for row in tx.run(cypher.DUMP_SCHEMES, ns=self._ns):
            yield scheme_from_json(row["doc"])
        for row in tx.run(cypher.DUMP_CONCEPTS, ns=self._ns):
            yield concept_from_json(row["doc"])
        texts = tx.run(cypher.DUMP_TEXTS, ns=self._ns, post_kinds=cypher.POST_KIND_VALUES)
        for _, rows in itertools.groupby(texts, key=lambda r: r["uri"]):
            yield from sorted(map(_stored_text, rows), key=_text_order)
        for row in tx.run(cypher.DUMP_RECORDS, ns=self._ns):
            yield _record(row, _KINDS[row["kind"]])
        relations = tx.run(cypher.DUMP_RELATIONS, ns=self._ns)
        for _, rows in itertools.groupby(relations, key=lambda r: r["source"]):
            yield from sorted(map(_relation, rows), key=lambda r: (r.type.value, r.target))

    # -- reads -------------------------------------------------------------------------------

    def _get_concepts(self, uris: Sequence[str]) -> dict[str, Concept]:
        if not uris:
            return {}
        rows = self._read(cypher.GET_CONCEPTS, uris=list(uris))
        return {c.uri: c for c in (concept_from_json(row["doc"]) for row in rows)}

    def _iter_concepts(self, *, kind: NodeKind | None, framework: str | None) -> Iterator[Concept]:
        rows = self._read(
            cypher.ITER_CONCEPTS, kind=kind.value if kind else None, framework=framework
        )
        return (concept_from_json(row["doc"]) for row in rows)

    def _missing_nodes(self, uris: Sequence[str]) -> set[str]:
        found = {row["uri"] for row in self._read(cypher.EXISTING_NODES, uris=list(uris))}
        return set(uris) - found

    def _relations(
        self, uri: str, *, direction: Direction, types: frozenset[RelationType] | None
    ) -> list[Relation]:
        rows = self._read(
            cypher.RELATIONS,
            uri=uri,
            outgoing=direction in (Direction.OUT, Direction.BOTH),
            incoming=direction in (Direction.IN, Direction.BOTH),
        )
        edges = rows[0]["edges"] if rows else []
        relations = [
            relation_from_json(source, _TYPES[type_].value, target, props)
            for source, type_, target, props in edges
            if type_ in _TYPES
        ]
        return [r for r in relations if types is None or r.type in types]

    def _relations_of(
        self, uris: Sequence[str], *, direction: Direction, types: frozenset[RelationType] | None
    ) -> dict[str, list[Relation]]:
        type_names = None if types is None else sorted(cypher.REL_TYPE[t] for t in types)
        found: dict[str, list[Relation]] = {}
        queries = []
        if direction in (Direction.OUT, Direction.BOTH):
            queries.append(cypher.RELATIONS_OF_OUT)
        if direction in (Direction.IN, Direction.BOTH):
            queries.append(cypher.RELATIONS_OF_IN)
        for query in queries:
            for row in self._read(query, uris=list(uris), types=type_names):
                edges = found.setdefault(row["node"], [])
                if row["type"] in _TYPES:
                    edges.append(_relation(row))
        return found

    def _iter_relations(
        self,
        *,
        types: frozenset[RelationType],
        source_kinds: frozenset[NodeKind] | None,
        target_kinds: frozenset[NodeKind] | None,
    ) -> Iterator[Relation]:
        found = []
        for relation_type in types:
            rows = self._read(
                cypher.iter_relations(relation_type),
                source_kinds=None if source_kinds is None else [k.value for k in source_kinds],
                target_kinds=None if target_kinds is None else [k.value for k in target_kinds],
            )
            found += [
                relation_from_json(row["source"], relation_type.value, row["target"], row["props"])
                for row in rows
            ]
        return iter(sorted(found, key=lambda r: (r.source, r.type.value, r.target)))

    def _subgraph(
        self,
        *,
        kinds: frozenset[NodeKind] | None,
        relation_types: frozenset[RelationType] | None,
        uris: frozenset[str] | None,
    ) -> nx.MultiDiGraph:
        kind_values = None if kinds is None else sorted(k.value for k in kinds)
        nodes = self._read(
            cypher.SUBGRAPH_NODES,
            kinds=kind_values,
            uris=None if uris is None else sorted(uris),
        )
        import networkx as nx

        out = nx.MultiDiGraph()
        out.add_nodes_from((row["uri"], {"kind": row["kind"]}) for row in nodes)
        if uris is None:
            edges = self._read(cypher.SUBGRAPH_ALL_EDGES, kinds=kind_values)
        else:
            edges = self._read(cypher.SUBGRAPH_EDGES, nodes=sorted(out.nodes))
        for row in edges:
            relation_type = _TYPES.get(row["type"])
            if relation_type is None or (relation_types and relation_type not in relation_types):
                continue
            relation = relation_from_json(
                row["source"], relation_type.value, row["target"], row["props"]
            )
            attributes = {
                name: value
                for name, value in (("level", relation.level), ("weight", relation.weight))
                if value is not None
            }
            out.add_edge(relation.source, relation.target, key=relation_type.value, **attributes)
        return out

    def _schemes(self) -> list[ConceptScheme]:
        return [scheme_from_json(row["doc"]) for row in self._read(cypher.SCHEMES)]

    def _stats(self) -> StoreStats:
        nodes = {row["kind"]: row["n"] for row in self._read(cypher.COUNT_NODES)}
        relations = {
            (_TYPES[row["type"]].value, row["source_kind"], row["target_kind"]): row["n"]
            for row in self._read(cypher.COUNT_RELATIONS)
            if row["type"] in _TYPES
        }
        texts = self._read(cypher.COUNT_TEXTS)[0]["n"]
        return StoreStats(
            nodes=nodes, relations=relations, texts=texts, embedding_model=self._embedding_model()
        )

    def _count_nodes(self, kinds: frozenset[NodeKind]) -> int:
        rows = self._read(cypher.COUNT_NODES_OF_KINDS, kinds=[k.value for k in kinds])
        return int(rows[0]["n"])

    def _embedding_model(self) -> str | None:
        return self._meta("embedding_model")

    def _get_records(self, uris: Sequence[str], *, kind: NodeKind) -> dict[str, Record]:
        rows = self._read(cypher.GET_RECORDS, uris=list(uris), kind=kind.value)
        return {row["uri"]: _record(row, kind) for row in rows}

    def _list_records(
        self, *, kind: NodeKind, where: Mapping[str, str | int | float | bool]
    ) -> list[Record]:
        rows = self._read(cypher.LIST_RECORDS, kind=kind.value, where=dict(where))
        return [_record(row, kind) for row in rows]

    def _list_records_many(
        self, queries: Sequence[tuple[NodeKind, Mapping[str, str | int | float | bool]]]
    ) -> list[list[Record]]:
        asked = [{"kind": kind.value, "where": dict(where)} for kind, where in queries]
        found: list[list[Record]] = [[] for _ in queries]
        for row in self._read(cypher.LIST_RECORDS_MANY, queries=asked):
            found[row["i"]].append(_record(row, queries[row["i"]][0]))
        return found

    # -- search support ----------------------------------------------------------------------

    def _searched_dimension(self) -> int | None:
        """The vector indexes' dimension; while there are none, asked again every second.

        Another process (another ``credwalk serve`` worker, an ingest) may create the indexes
        after this store opened: its searches find vectors at most ``_DIMENSION_RECHECK``
        seconds later, instead of never.
        """
        if self._vector_dimension is None:
            now = time.monotonic()
            if now - self._dimension_checked >= _DIMENSION_RECHECK:
                self._dimension_checked = now
                self._vector_dimension = self._index_dimension()
        return self._vector_dimension

    def _nearest_texts(
        self, vector: Vector, *, k: int, kinds: frozenset[NodeKind], langs: frozenset[str] | None
    ) -> list[TextHit]:
        if vector.shape[0] != self._searched_dimension():
            return []
        fetch = max(k * _OVERFETCH, _MIN_FETCH)
        hits: list[TextHit] = []
        for kind in kinds:
            index = cypher.vector_index(kind, self._ns) if kind in cypher.TEXT_KINDS else None
            if index not in self._vector_indexes:
                continue
            (columns,) = self._read(
                cypher.NEAREST_TEXTS,
                index=index,
                fetch=fetch,
                vector=vector.tolist(),
                langs=None if langs is None else sorted(langs),
            )
            hits += _hits(columns)
        return sorted(hits, key=lambda h: (-h.score, h.uri, h.field.value, h.text))[:k]

    def _text_scores(
        self, vector: Vector | None, uris: Sequence[str], *, langs: frozenset[str] | None
    ) -> list[TextHit]:
        comparable = vector is not None and vector.shape[0] == self._searched_dimension()
        (columns,) = self._read(
            cypher.TEXT_SCORES,
            uris=list(uris),
            vector=vector.tolist() if comparable and vector is not None else None,
            langs=None if langs is None else sorted(langs),
        )
        return _hits(columns)

    def _search_inputs(
        self,
        queries: Sequence[tuple[tuple[str, ...], Vector | None]],
        *,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
        budget: SearchBudget,
    ) -> list[SearchInputs]:
        """All the queries' inputs in one round trip (``cypher.SEARCH_INPUTS``)."""
        rows = self._read_search_inputs(queries, kinds=kinds, langs=langs, budget=budget)
        if self._vector_dimension is None and any(row["dense"] for row in rows):
            # Another process wrote the first vectors after this store opened: its vector
            # indexes exist now; ask again with them.
            self._vector_dimension = self._index_dimension()
            rows = self._read_search_inputs(queries, kinds=kinds, langs=langs, budget=budget)
        return [
            SearchInputs(
                total=int(row["total"]),
                frequencies={term: int(df) for term, df in row["frequencies"]},
                dense=bool(row["dense"]),
                table=_text_table(row, query_terms),
            )
            for row, (query_terms, _) in zip(rows, queries, strict=True)
        ]

    def _read_search_inputs(
        self,
        queries: Sequence[tuple[tuple[str, ...], Vector | None]],
        *,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
        budget: SearchBudget,
    ) -> list[dict[str, Any]]:
        asked = [
            {
                "terms": [{"term": t, "query": _lucene_term(t)} for t in sorted(set(query_terms))],
                "vector": (
                    vector.tolist()
                    if vector is not None and vector.shape[0] == self._vector_dimension
                    else None
                ),
                "given": vector is not None,
            }
            for query_terms, vector in queries
        ]
        indexes = sorted(
            name
            for kind in kinds
            if kind in cypher.TEXT_KINDS
            and (name := cypher.vector_index(kind, self._ns)) in self._vector_indexes
        )
        return self._read(
            cypher.SEARCH_INPUTS,
            queries=asked,
            kinds=sorted(k.value for k in kinds),
            fulltext=[{"index": i, "kinds": v} for i, v in cypher.fulltext_indexes(kinds)],
            indexes=indexes,
            fetch=max(budget.dense * _OVERFETCH, _MIN_FETCH),
            k=budget.dense,
            max_df=budget.max_df,
            max_candidates=budget.max_candidates,
            langs=None if langs is None else sorted(langs),
        )

    def _term_frequencies(
        self, terms: Sequence[str], *, kinds: frozenset[NodeKind]
    ) -> dict[str, int]:
        found: dict[str, int] = dict.fromkeys(terms, 0)
        for row in self._fulltext(cypher.TERM_FREQUENCIES, terms, kinds):
            found[row["term"]] += int(row["df"])
        return found

    def _concepts_with_terms(self, terms: Sequence[str], *, kinds: frozenset[NodeKind]) -> set[str]:
        rows = self._fulltext(cypher.TERM_MATCHES, terms, kinds)
        return {uri for row in rows for uri in row["uris"]}

    def _fulltext(
        self, query: str, terms: Sequence[str], kinds: frozenset[NodeKind]
    ) -> list[dict[str, Any]]:
        """The rows of ``query`` over each full-text index holding terms of ``kinds``."""
        if not terms:
            return []
        lucene = [{"term": t, "query": _lucene_term(t)} for t in terms]
        return [
            row
            for index, values in cypher.fulltext_indexes(kinds)
            for row in self._read(query, index=index, terms=lucene, kinds=values)
        ]


_FIELD_CODES = {f.value: i for i, f in enumerate(TEXT_FIELDS)}


def _text_table(columns: Mapping[str, list[Any]], query_terms: Sequence[str]) -> TextTable:
    """The table of a search read's text columns, rows in the contract's order.

    The server sorts them already (then sorting here costs one comparison per row); it also
    says which of the query's terms (``sorted(set(query_terms))``, as sent) each label holds,
    from the terms stored with it, so no text is tokenised again here.
    """
    uris, fields, langs, texts = columns["uri"], columns["field"], columns["lang"], columns["text"]
    order = sorted(range(len(texts)), key=lambda r: (uris[r], fields[r], langs[r], texts[r]))
    if order != list(range(len(texts))):
        columns = {name: [values[r] for r in order] for name, values in columns.items()}
        uris, fields, langs, texts = (columns[n] for n in ("uri", "field", "lang", "text"))
    concepts = sorted(set(uris))
    index = {uri: i for i, uri in enumerate(concepts)}
    sent = sorted(set(query_terms))
    position = [sent.index(t) for t in query_terms]
    holds = np.zeros((len(texts), len(query_terms)), dtype=bool)
    for row, held in enumerate(columns["held"]):
        if held:
            found = set(held)
            holds[row] = [p in found for p in position]
    return TextTable(
        concepts=concepts,
        owner=np.array([index[uri] for uri in uris], dtype=np.int64),
        field=np.array([_FIELD_CODES[f] for f in fields], dtype=np.int8),
        langs=langs,
        texts=texts,
        cosine=np.array(columns["score"], dtype=np.float64),
        term_counts=np.array(columns["term_count"], dtype=np.int64),
        holds=holds,
    )


def _lucene_term(term: str) -> str:
    """Escape a normalised term for Lucene's query parser (terms are data, not syntax)."""
    return _LUCENE_SPECIAL.sub(r"\\\1", term)


def _label_terms(texts: Sequence[IndexedText]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        if text.field in LABEL_FIELDS:
            seen.update(dict.fromkeys(text.terms))
    return list(seen)


def _groups(texts_by_uri: Mapping[str, list[IndexedText]], size: int) -> list[list[str]]:
    """Split the concepts into runs of about ``size`` texts (a concept is never split)."""
    groups: list[list[str]] = []
    current: list[str] = []
    count = 0
    for uri, texts in texts_by_uri.items():
        if current and count >= size:
            groups.append(current)
            current, count = [], 0
        current.append(uri)
        count += len(texts)
    if current:
        groups.append(current)
    return groups


def _bolt_vector(vector: Vector) -> tuple[list[int] | list[float], float]:
    """Return ``vector`` as 64-bit integers and the power of two that scales them back.

    Neo4j 5.26 decodes a Bolt list of floats about three times slower than a list of integers
    of the same length (2,000 vectors of 384: 0.8-1.1 s against 0.24-0.38 s; creating their
    nodes 0.7-1.4 s against 0.4-0.5 s), and the server's decoding dominated a full ingest. A
    float32 times a power of two is an integer of at most 24 significant bits, which a double
    holds exactly; only a component 2^38 times smaller than the largest would lose bits, and a
    vector with one goes as floats instead (scale 1), so the round trip is always exact.

    Examples
    --------
    >>> _bolt_vector(np.array([0.5, -0.25, 0.0], np.float32))
    ([2305843009213693952, -1152921504606846976, 0], 4.611686018427388e+18)
    >>> _bolt_vector(np.array([0.5, 1e-30], np.float32))[1]
    1.0
    """
    values = np.asarray(vector, np.float64)
    largest = float(np.abs(values).max(initial=0.0))
    # Scale the largest component just below 2**62: int64 holds it, with a bit to spare.
    shift = 62 - math.frexp(largest)[1] if largest else 0
    scaled = np.rint(np.ldexp(values, shift))
    if not np.array_equal(np.ldexp(scaled, -shift), values):
        return values.tolist(), 1.0
    return scaled.astype(np.int64).tolist(), math.ldexp(1.0, shift)


def _text_row(text: IndexedText, kind: NodeKind, seq: int) -> dict[str, Any]:
    embedding, scale = (None, 1.0) if text.vector is None else _bolt_vector(text.vector)
    return {
        "uri": text.uri,
        "kind": kind.value,
        "field": text.field.value,
        "lang": text.lang,
        "text": text.text,
        "terms": " ".join(text.terms),
        "seq": seq,
        "embedding": embedding,
        "scale": scale,
    }


def _ends(batch: GraphBatch) -> set[str]:
    """The nodes at the ends of the relations a batch writes or deletes."""
    ends = {r.source for r in batch.relations} | {r.target for r in batch.relations}
    return (
        ends | {s for s, _, _ in batch.delete_relations} | {t for _, _, t in batch.delete_relations}
    )


def _relation_queries(
    relations: Sequence[Relation], deleted: Sequence[tuple[str, str, str]]
) -> list[tuple[str, list[dict[str, str]]]]:
    """The deletions, then the merges, of relations: one query and its rows per type."""
    deletions: dict[RelationType, list[dict[str, str]]] = defaultdict(list)
    for source, type_, target in deleted:
        deletions[RelationType(type_)].append({"source": source, "target": target})
    merges: dict[RelationType, list[dict[str, str]]] = defaultdict(list)
    for relation in relations:
        merges[relation.type].append(_relation_row(relation))
    return [(cypher.delete_relations(t), rows) for t, rows in deletions.items()] + [
        (cypher.merge_relations(t), rows) for t, rows in merges.items()
    ]


def _concept_row(concept: Concept) -> dict[str, Any]:
    return {
        "uri": concept.uri,
        "kind": concept.kind.value,
        "framework": concept.framework,
        "doc": concept_to_json(concept),
        "status": concept.status,
    }


def _relation_row(relation: Relation) -> dict[str, Any]:
    return {
        "source": relation.source,
        "target": relation.target,
        "props": relation_props(relation),
    }


def _record_row(record: Record) -> dict[str, Any]:
    return {
        "uri": record.uri,
        "kind": record.kind.value,
        "doc": dumps(record.body),
        "idx": dumps(record.index),
        # Index fields become properties (prefixed) so list_records can filter in Cypher.
        "fields": {f"i_{k}": v for k, v in record.index.items() if v is not None},
    }


def _record(row: Mapping[str, Any], kind: NodeKind) -> Record:
    version, doc = versioned_doc(row["doc"], row["version"])
    return Record(row["uri"], kind, json.loads(doc), json.loads(row["idx"]), version=version)


def versioned_doc(stored: str, version: int) -> tuple[int, str]:
    """The version and JSON document of a record's stored ``doc`` (see ``cypher.MERGE_RECORDS``).

    A record written before versions went into ``doc`` holds the document alone; its version
    is then ``version``, read beside it.

    Examples
    --------
    >>> versioned_doc('12 {"a": 1}', 11)
    (12, '{"a": 1}')
    >>> versioned_doc('{"a": 1}', 11)
    (11, '{"a": 1}')
    """
    if stored.startswith("{"):
        return version, stored
    head, _, doc = stored.partition(" ")
    return int(head), doc


def _stored_text(row: Mapping[str, Any]) -> IndexedText:
    """A text as a dump reads it: the stored float32 vector comes back exactly."""
    embedding = row["embedding"]
    return IndexedText(
        uri=row["uri"],
        field=_FIELDS[row["field"]],
        lang=row["lang"],
        text=row["text"],
        terms=tuple(row["terms"].split()),
        vector=None if embedding is None else np.asarray(embedding, dtype=np.float32),
    )


def _text_order(text: IndexedText) -> tuple[str, str, str]:
    return (text.field.value, text.lang, text.text)


def _relation(row: Mapping[str, Any]) -> Relation:
    return relation_from_json(row["source"], _TYPES[row["type"]].value, row["target"], row["props"])


def _hits(columns: Mapping[str, list[Any]]) -> list[TextHit]:
    """The texts of a search read, which returns one list per field (NaN for no cosine)."""
    return [
        TextHit(uri=uri, field=_FIELDS[field], lang=lang, text=text, score=float(score))
        for uri, field, lang, text, score in zip(
            columns["uri"],
            columns["field"],
            columns["lang"],
            columns["text"],
            columns["score"],
            strict=True,
        )
    ]
