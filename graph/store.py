"""The graph store contract: one interface, two backends, one contract test suite.

:class:`GraphStore` documents every operation once. Public methods validate their arguments
here, in the base, and call a protected ``_hook`` that each backend implements, so backends
cannot drift on input rules. Inputs and outputs are ``graph.model`` / ``graph.store`` value
types only, never driver records or SQLite rows.

Answers must be identical on every backend: where an operation returns a list, its order is
part of the contract (stated per method) and ties are broken by IRI.
"""

from __future__ import annotations

import abc
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeAlias

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
    import numpy.typing as npt

from graph import audit
from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StaleVersionError,
)
from graph.model.concepts import Concept, ConceptScheme, NodeKind, Relation, RelationType
from graph.text import terms as text_terms

__all__ = [
    "LABEL_FIELDS",
    "SEARCHABLE_RECORDS",
    "TEXT_FIELDS",
    "Direction",
    "DumpItem",
    "GraphBatch",
    "GraphStore",
    "IndexedText",
    "Record",
    "SearchBudget",
    "SearchInputs",
    "StoreContents",
    "StoreStats",
    "TextField",
    "TextHit",
    "TextTable",
    "Vector",
    "WriteSummary",
    "expect_versions",
    "guard",
    "rare_terms",
]

#: A text's embedding. Spelt as a string so that this module does not import numpy (0.2 s):
#: reading concepts, records and relations needs no array, and ``credwalk concept URI`` should
#: not pay for one. The functions below that build arrays import numpy themselves.
Vector: TypeAlias = "npt.NDArray[np.float32]"


class TextField(StrEnum):
    """Which part of a concept an indexed text comes from."""

    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    HIDDEN = "hidden"
    DESCRIPTION = "description"


#: The fields in code order: ``TextTable.field`` holds indexes into this tuple.
TEXT_FIELDS: tuple[TextField, ...] = tuple(TextField)
#: The fields that are labels (matched lexically as well as densely).
LABEL_FIELDS = frozenset({TextField.PREFERRED, TextField.ALTERNATIVE, TextField.HIDDEN})
#: The kinds of records that have indexed texts too (the Assembly's questions and answers):
#: searched like concepts, by kind (``nearest_texts``, ``term_frequencies``, ``text_table``).
SEARCHABLE_RECORDS = frozenset({NodeKind.QUESTION, NodeKind.ANSWER})


class Direction(StrEnum):
    """Which edges of a node to read: outgoing, incoming or both."""

    OUT = "out"
    IN = "in"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class IndexedText:
    """A searchable text of a concept with its embedding and lexical terms.

    ``vector`` is L2-normalised float32 (or None for texts indexed lexically only, such as
    hidden labels); ``terms`` are the normalised tokens from :func:`graph.text.terms`.
    """

    uri: str
    field: TextField
    lang: str
    text: str
    terms: tuple[str, ...]
    vector: Vector | None = None


@dataclass(frozen=True, slots=True)
class TextHit:
    """A text of a concept scored against a query vector (cosine in [-1, 1])."""

    uri: str
    field: TextField
    lang: str
    text: str
    score: float


@dataclass(frozen=True, slots=True, eq=False)
class TextTable:
    """The indexed texts of some concepts as columns, scored against one query.

    Rows are in :meth:`GraphStore.text_scores` order, (uri, field, lang, text). A row's concept
    is ``concepts[owner[row]]`` (``concepts`` sorted, ``owner`` non-decreasing); its field is
    ``TEXT_FIELDS[field[row]]``. ``cosine`` is nan where the text has no vector or no query
    vector was given. ``holds[row, j]`` says whether the label holds the ``j``-th query term
    and ``term_counts[row]`` how many distinct terms it has (both 0 for descriptions, which
    are matched densely only).
    """

    concepts: list[str]
    owner: npt.NDArray[np.int64]
    field: npt.NDArray[np.int8]
    langs: Sequence[str]
    texts: Sequence[str]
    cosine: npt.NDArray[np.float64]
    term_counts: npt.NDArray[np.int64]
    holds: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def from_hits(cls, hits: Sequence[TextHit], query_terms: Sequence[str]) -> TextTable:
        """Build a table from hits in (uri, field, lang, text) order.

        Each label's terms are read with :func:`graph.text.terms`, what the index stores.
        """
        import numpy as np

        concepts = sorted({h.uri for h in hits})
        index = {uri: i for i, uri in enumerate(concepts)}
        wanted = list(query_terms)
        holds = np.zeros((len(hits), len(wanted)), dtype=bool)
        counts = np.zeros(len(hits), dtype=np.int64)
        for row, hit in enumerate(hits):
            if hit.field in LABEL_FIELDS:
                found = set(text_terms(hit.text))
                counts[row] = len(found)
                holds[row] = [t in found for t in wanted]
        return cls(
            concepts=concepts,
            owner=np.array([index[h.uri] for h in hits], dtype=np.int64),
            field=np.array([TEXT_FIELDS.index(h.field) for h in hits], dtype=np.int8),
            langs=[h.lang for h in hits],
            texts=[h.text for h in hits],
            cosine=np.array([h.score for h in hits], dtype=np.float64),
            term_counts=counts,
            holds=holds,
        )

    def hits(self) -> list[TextHit]:
        """The rows as :class:`TextHit` objects, in row order."""
        return [
            TextHit(
                uri=self.concepts[owner],
                field=TEXT_FIELDS[code],
                lang=lang,
                text=text,
                score=score,
            )
            for owner, code, lang, text, score in zip(
                self.owner.tolist(),
                self.field.tolist(),
                self.langs,
                self.texts,
                self.cosine.tolist(),
                strict=True,
            )
        ]


@dataclass(frozen=True, slots=True)
class SearchBudget:
    """How many candidates a search reads (:meth:`GraphStore.search_inputs`).

    ``dense``: the nearest texts by cosine whose concepts are candidates; ``max_df``: a query
    term held by more labels than this brings no candidates; ``max_candidates``: the rarest
    terms' concepts are added while their count stays within this (the rarest term always).
    """

    dense: int = 100
    max_df: int = 300
    max_candidates: int = 600


@dataclass(frozen=True, slots=True, eq=False)
class SearchInputs:
    """Everything hybrid search scores one query from, read in one store call.

    ``total`` is the number of nodes of the searched kinds, ``frequencies`` the number of them
    whose labels hold each query term (for IDF), ``dense`` whether the query's vector counts
    (a vector was given and the store holds vectors), and ``table`` the texts of every
    candidate (the nearest texts' concepts and those holding the rarest query terms).
    """

    total: int
    frequencies: dict[str, int]
    dense: bool
    table: TextTable


def rare_terms(frequencies: Mapping[str, int], budget: SearchBudget) -> list[str]:
    """The query terms whose concepts are lexical candidates, rarest first.

    The rarest query terms say the most about what is wanted; common ones ("manage", "data")
    would pull in thousands of candidates the dense signal ranks better anyway. Terms are taken
    by (frequency, term) while their frequencies add up to at most ``budget.max_candidates``.

    Examples
    --------
    >>> rare_terms({"python": 40, "data": 900, "script": 300, "zzz": 0}, SearchBudget())
    ['python', 'script']
    """
    rare = sorted((df, t) for t, df in frequencies.items() if 0 < df <= budget.max_df)
    chosen: list[str] = []
    spent = 0
    for df, term in rare:
        if spent + df > budget.max_candidates and chosen:
            break
        chosen.append(term)
        spent += df
    return chosen


@dataclass(frozen=True, slots=True)
class Record:
    """A document node that is not a framework concept: a credential, an issuer, a learner.

    ``body`` is the JSON-serialisable document (its codec lives with its domain module);
    ``index`` holds the scalar fields that stores filter on (jurisdiction, issuer type, ...).
    ``version`` is the store's count of the record's writes (1 when created): reads fill it,
    writes ignore it (the store assigns the next one); it is what a conditional write and an
    HTTP ``ETag`` name. Two records with the same content are equal whatever their versions.
    """

    uri: str
    kind: NodeKind
    body: Mapping[str, Any]
    index: Mapping[str, str | int | float | bool | None] = field(default_factory=dict)
    version: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class GraphBatch:
    """Everything one write commits, all or nothing.

    Writing a concept replaces it whole, and replaces all its indexed texts with the batch's
    texts for that concept when ``texts`` holds any. ``delete_relations`` removes edges by key
    (source, type, target) before the new ones are written; ``delete_records`` removes records
    with every edge to or from them. ``expect`` makes the write conditional: it maps record
    IRIs to the version the batch was based on (None: the record must not exist yet).

    ``restore`` writes back what :meth:`GraphStore.dump` read (a backup): each record keeps the
    ``version`` it carries instead of counting a write, and must not exist yet; the batch
    deletes nothing, expects nothing and carries no audit entry (the restore as a whole is
    one audited operation, see ``graph.services.backup``).
    """

    schemes: Sequence[ConceptScheme] = ()
    concepts: Sequence[Concept] = ()
    texts: Sequence[IndexedText] = ()
    relations: Sequence[Relation] = ()
    delete_relations: Sequence[tuple[str, str, str]] = ()
    records: Sequence[Record] = ()
    delete_records: Sequence[str] = ()
    expect: Mapping[str, int | None] = field(default_factory=dict)
    embedding_model: str | None = None
    restore: bool = False

    @property
    def is_empty(self) -> bool:
        """Whether the batch would change nothing."""
        return not (
            self.schemes
            or self.concepts
            or self.texts
            or self.relations
            or self.delete_relations
            or self.records
            or self.delete_records
        )


@dataclass(frozen=True, slots=True)
class WriteSummary:
    """What a write committed (counts of the items in the batch)."""

    schemes: int = 0
    concepts: int = 0
    texts: int = 0
    relations: int = 0
    deleted_relations: int = 0
    records: int = 0
    deleted_records: int = 0


@dataclass(frozen=True, slots=True)
class StoreContents:
    """What :meth:`GraphStore.dump` is about to yield: how many of each, and the vectors' meta.

    ``embedding_model`` and ``dimension`` describe the stored text vectors (both None when no
    text has one). ``texts`` counts every indexed text, with or without a vector.
    """

    schemes: int
    concepts: int
    texts: int
    records: int
    relations: int
    embedding_model: str | None
    dimension: int | None


#: An item of :meth:`GraphStore.dump`.
DumpItem = StoreContents | ConceptScheme | Concept | IndexedText | Record | Relation


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts of what a store holds.

    ``relations`` counts edges per (type, source kind, target kind), the grain at which ESCO
    publishes its relation files.
    """

    nodes: Mapping[str, int]
    relations: Mapping[tuple[str, str, str], int]
    texts: int
    embedding_model: str | None

    def count(self, kind: NodeKind) -> int:
        """Number of nodes of ``kind``."""
        return self.nodes.get(kind.value, 0)

    def count_relations(
        self,
        type: RelationType,
        source_kind: NodeKind | None = None,
        target_kind: NodeKind | None = None,
    ) -> int:
        """Number of edges of ``type``, optionally restricted to endpoint kinds."""
        return sum(
            n
            for (t, s, o), n in self.relations.items()
            if t == type.value
            and (source_kind is None or s == source_kind.value)
            and (target_kind is None or o == target_kind.value)
        )


class GraphStore(abc.ABC):
    """The graph store interface every backend implements.

    Lifecycle: construct (no I/O), :meth:`open`, use, :meth:`close`. Calls on a store that is
    not open raise :class:`~graph.errors.BackendUnavailableError`.
    """

    #: Whether :meth:`nearest_texts` is served by a vector index (both backends support it).
    supports_vector_search: ClassVar[bool] = True
    #: Whether the store survives a process restart (false for in-memory test stores).
    is_durable: ClassVar[bool] = True
    #: Whether several server processes may serve one store at once (``credwalk serve
    #: --workers N``): each sees the others' writes on its next read, at a cost a server can
    #: bear. The embedded store is correct across processes but reloads its whole in-memory
    #: graph after every write of another process, so it is served by one process.
    serves_many_processes: ClassVar[bool] = False

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    @abc.abstractmethod
    def from_url(cls, url: str, **options: Any) -> Self:
        """Build a store for ``url`` without any I/O (options: credentials, namespace, ...)."""

    @abc.abstractmethod
    def open(self) -> None:
        """Connect or load, create missing schema (tables, constraints, indexes), and be ready.

        Raises
        ------
        BackendUnavailableError
            When the backend cannot be reached or its files cannot be opened.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections and memory; closing twice is harmless."""

    @property
    @abc.abstractmethod
    def is_open(self) -> bool:
        """Whether :meth:`open` succeeded and :meth:`close` was not called since."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise :class:`~graph.errors.BackendUnavailableError` unless the store answers now."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_open(self) -> None:
        if not self.is_open:
            raise BackendUnavailableError("the graph store is not open")

    # -- writes ------------------------------------------------------------------------------

    def write(self, batch: GraphBatch) -> WriteSummary:
        """Commit ``batch`` as one unit: every item is written, or none is.

        Relations must join nodes that exist in the batch or the store; texts must belong to
        concepts that do; vectors must share one dimension and the store's embedding model.
        Each record written gets the next version (1 if new), or in a ``restore`` batch keeps
        its own (see :class:`GraphBatch`). The versions of ``expect`` are checked in the same
        transaction as the write, so of two writers that read one version only the first
        succeeds. When an edge declared who acts (:func:`graph.audit.acting`), the batch
        carries an audit entry of what it writes (a ``restore`` batch never does).

        Raises
        ------
        InvalidInputError
            When the batch is inconsistent; nothing is written.
        ConflictError
            When ``expect`` says a record must not exist and it does, or a ``restore`` batch
            holds a record that exists; nothing is written.
        StaleVersionError
            When a record of ``expect`` has another version (or is gone); nothing is written.
        BackendUnavailableError
            When the backend fails; nothing is written.
        """
        self._require_open()
        if batch.is_empty:
            return WriteSummary()
        if batch.restore:
            _validate_restore(batch)
        self._validate_batch(batch)
        return self._write(batch if batch.restore else _with_audit(batch))

    def _validate_batch(self, batch: GraphBatch) -> None:
        in_batch = {c.uri for c in batch.concepts} | {r.uri for r in batch.records}
        for concept in batch.concepts:
            if not concept.kind.is_concept:
                raise InvalidInputError(
                    f"{concept.uri}: kind {concept.kind.value!r} is not a concept kind",
                    details={"uri": concept.uri, "field": "kind"},
                )
        for record in batch.records:
            if record.kind.is_concept:
                raise InvalidInputError(
                    f"{record.uri}: concepts are written as concepts, not records",
                    details={"uri": record.uri, "field": "kind"},
                )
        wanted = {r.source for r in batch.relations} | {r.target for r in batch.relations}
        wanted |= {t.uri for t in batch.texts}
        unknown = sorted(self.missing_nodes(wanted - in_batch))
        if unknown:
            raise InvalidInputError(
                f"{len(unknown)} relation or text endpoint(s) name no known node, "
                f"e.g. {unknown[0]}",
                details={"unknown_uris": unknown[:20]},
            )
        with_vectors = [(t, t.vector) for t in batch.texts if t.vector is not None]
        if with_vectors:
            dims = {v.shape for _, v in with_vectors}
            if len(dims) != 1 or len(next(iter(dims))) != 1:
                raise InvalidInputError("text vectors must all be 1-D and of the same length")
            _check_finite(with_vectors)
            if batch.embedding_model is None:
                raise InvalidInputError("a batch with vectors must name its embedding_model")
            current = self.embedding_model()
            if current is not None and current != batch.embedding_model:
                raise InvalidInputError(
                    f"the store holds vectors of {current!r}; re-index to use "
                    f"{batch.embedding_model!r}",
                    details={"field": "embedding_model"},
                )

    @abc.abstractmethod
    def _write(self, batch: GraphBatch) -> WriteSummary:
        """Commit a validated batch atomically."""

    def clear(self) -> None:
        """Delete everything the store holds: what :meth:`dump` reads, and its meta.

        The schema stays (tables, constraints, indexes), so the store is as :meth:`open` left
        a new one. Not one transaction on every backend: Neo4j deletes in chunks, and a
        failure part of the way leaves the rest, which calling it again deletes.

        Raises
        ------
        BackendUnavailableError
            When the backend fails.
        """
        self._require_open()
        self._clear()

    @abc.abstractmethod
    def _clear(self) -> None: ...

    # -- backup: everything at once ----------------------------------------------------------

    def is_empty(self) -> bool:
        """Whether the store holds nothing at all: no scheme, node, text, relation or meta."""
        self._require_open()
        return self._is_empty()

    @abc.abstractmethod
    def _is_empty(self) -> bool: ...

    def shared_vector_dimension(self) -> int | None:
        """The length of text vectors fixed for this store beyond what it holds, if any.

        Neo4j's vector indexes belong to the database, shared by every store in it, so even an
        empty store there takes only vectors of their length; an embedded store takes any
        length until it holds vectors (None). A restore checks it before writing anything.
        """
        self._require_open()
        return self._shared_vector_dimension()

    @abc.abstractmethod
    def _shared_vector_dimension(self) -> int | None: ...

    def dump(self) -> Generator[DumpItem, None, None]:
        """Yield everything the store holds, a bounded part read at a time (a backup).

        First one :class:`StoreContents` counting what follows, then the schemes (IRI order),
        the concepts (IRI order), the indexed texts with their vectors as stored (by concept
        IRI, and for one concept in (field, lang, text) order), the records of every kind with
        their versions (IRI order), and the relations (key order: source, type, target).
        Equal stores dump equal items on every backend; written back into an empty store with
        ``GraphBatch(restore=True)`` batches, they make an equal store.

        The items come from one read transaction where the backend has snapshots (the embedded
        store in a file); elsewhere a write made while the dump runs may show in the items
        and not in the counts, which is how a reader notices it. Read the items to the end, or
        close the generator, to end the read.

        Raises
        ------
        BackendUnavailableError
            When the backend fails (also while the items are read).
        """
        self._require_open()
        return self._dump()

    @abc.abstractmethod
    def _dump(self) -> Generator[DumpItem, None, None]: ...

    # -- reads: nodes and relations ----------------------------------------------------------

    def get_concept(self, uri: str) -> Concept:
        """Return the concept with IRI ``uri``.

        Raises
        ------
        NotFoundError
            When no concept has that IRI.
        """
        found = self.get_concepts([uri])
        if uri not in found:
            raise NotFoundError(f"no concept {uri}", details={"uri": uri})
        return found[uri]

    def get_concepts(self, uris: Iterable[str]) -> dict[str, Concept]:
        """Return the concepts among ``uris`` that exist, by IRI (unknown IRIs are omitted)."""
        self._require_open()
        return self._get_concepts(sorted(set(uris)))

    @abc.abstractmethod
    def _get_concepts(self, uris: Sequence[str]) -> dict[str, Concept]: ...

    def iter_concepts(
        self, *, kind: NodeKind | None = None, framework: str | None = None
    ) -> Iterator[Concept]:
        """Yield every concept (optionally of one kind and framework), in IRI order."""
        self._require_open()
        return self._iter_concepts(kind=kind, framework=framework)

    @abc.abstractmethod
    def _iter_concepts(
        self, *, kind: NodeKind | None, framework: str | None
    ) -> Iterator[Concept]: ...

    def missing_nodes(self, uris: Iterable[str]) -> set[str]:
        """Return the IRIs among ``uris`` that name no node (concept or record) in the store."""
        self._require_open()
        wanted = set(uris)
        return self._missing_nodes(sorted(wanted)) if wanted else set()

    @abc.abstractmethod
    def _missing_nodes(self, uris: Sequence[str]) -> set[str]: ...

    def relations(
        self,
        uri: str,
        *,
        direction: Direction = Direction.OUT,
        types: Iterable[RelationType] | None = None,
    ) -> list[Relation]:
        """Return the edges of node ``uri``, sorted by (type, source, target).

        Raises
        ------
        NotFoundError
            When ``uri`` names no node.
        """
        self._require_open()
        if self.missing_nodes([uri]):
            raise NotFoundError(f"no node {uri}", details={"uri": uri})
        wanted = None if types is None else frozenset(types)
        found = self._relations(uri, direction=direction, types=wanted)
        return sorted(found, key=lambda r: (r.type.value, r.source, r.target))

    @abc.abstractmethod
    def _relations(
        self, uri: str, *, direction: Direction, types: frozenset[RelationType] | None
    ) -> list[Relation]: ...

    def relations_of(
        self,
        uris: Iterable[str],
        *,
        direction: Direction = Direction.OUT,
        types: Iterable[RelationType] | None = None,
    ) -> dict[str, list[Relation]]:
        """Return the edges of many nodes at once, by IRI (unknown IRIs are omitted).

        Each list is sorted as :meth:`relations` sorts; one call replaces a loop of them (one
        round trip instead of hundreds on a networked backend).
        """
        self._require_open()
        wanted = sorted(set(uris))
        if not wanted:
            return {}
        found = self._relations_of(
            wanted, direction=direction, types=None if types is None else frozenset(types)
        )
        return {
            uri: sorted(edges, key=lambda r: (r.type.value, r.source, r.target))
            for uri, edges in found.items()
        }

    @abc.abstractmethod
    def _relations_of(
        self, uris: Sequence[str], *, direction: Direction, types: frozenset[RelationType] | None
    ) -> dict[str, list[Relation]]: ...

    def iter_relations(
        self,
        *,
        types: Iterable[RelationType],
        source_kinds: Iterable[NodeKind] | None = None,
        target_kinds: Iterable[NodeKind] | None = None,
    ) -> Iterator[Relation]:
        """Yield every edge of ``types`` whose endpoints have the given kinds, in key order."""
        self._require_open()
        return self._iter_relations(
            types=frozenset(types),
            source_kinds=None if source_kinds is None else frozenset(source_kinds),
            target_kinds=None if target_kinds is None else frozenset(target_kinds),
        )

    @abc.abstractmethod
    def _iter_relations(
        self,
        *,
        types: frozenset[RelationType],
        source_kinds: frozenset[NodeKind] | None,
        target_kinds: frozenset[NodeKind] | None,
    ) -> Iterator[Relation]: ...

    def subgraph(
        self,
        *,
        kinds: Iterable[NodeKind] | None = None,
        relation_types: Iterable[RelationType] | None = None,
        uris: Iterable[str] | None = None,
    ) -> nx.MultiDiGraph:
        """Return a networkx view for the algorithms (a copy the caller may change).

        Nodes carry ``kind``; edges are keyed by relation type value and carry ``level`` and
        ``weight`` when set. Nodes are those of ``kinds`` (default all) restricted to ``uris``
        when given; edges are those of ``relation_types`` (default all) between kept nodes.
        """
        self._require_open()
        return self._subgraph(
            kinds=None if kinds is None else frozenset(kinds),
            relation_types=None if relation_types is None else frozenset(relation_types),
            uris=None if uris is None else frozenset(uris),
        )

    @abc.abstractmethod
    def _subgraph(
        self,
        *,
        kinds: frozenset[NodeKind] | None,
        relation_types: frozenset[RelationType] | None,
        uris: frozenset[str] | None,
    ) -> nx.MultiDiGraph: ...

    def schemes(self) -> list[ConceptScheme]:
        """Return the concept schemes, sorted by IRI."""
        self._require_open()
        return sorted(self._schemes(), key=lambda s: s.uri)

    @abc.abstractmethod
    def _schemes(self) -> list[ConceptScheme]: ...

    def stats(self) -> StoreStats:
        """Count nodes per kind and edges per (type, source kind, target kind)."""
        self._require_open()
        return self._stats()

    @abc.abstractmethod
    def _stats(self) -> StoreStats: ...

    def count_nodes(self, kinds: Iterable[NodeKind]) -> int:
        """Return the number of nodes of ``kinds`` (cheap; search calls it per query)."""
        self._require_open()
        return self._count_nodes(frozenset(kinds))

    @abc.abstractmethod
    def _count_nodes(self, kinds: frozenset[NodeKind]) -> int: ...

    def embedding_model(self) -> str | None:
        """The model the stored text vectors come from (None before any vector is written)."""
        self._require_open()
        return self._embedding_model()

    @abc.abstractmethod
    def _embedding_model(self) -> str | None: ...

    # -- reads: records ----------------------------------------------------------------------

    def get_record(self, uri: str, *, kind: NodeKind) -> Record:
        """Return the record ``uri`` of ``kind``.

        Raises
        ------
        NotFoundError
            When there is no record of that kind with that IRI.
        """
        self._require_open()
        record = self._get_records([uri], kind=kind).get(uri)
        if record is None:
            raise NotFoundError(f"no {kind.value} {uri}", details={"uri": uri, "kind": kind.value})
        return record

    def get_records(self, uris: Iterable[str], *, kind: NodeKind) -> dict[str, Record]:
        """Return the records of ``kind`` among ``uris`` that exist, by IRI."""
        self._require_open()
        return self._get_records(sorted(set(uris)), kind=kind)

    @abc.abstractmethod
    def _get_records(self, uris: Sequence[str], *, kind: NodeKind) -> dict[str, Record]: ...

    def list_records(
        self, *, kind: NodeKind, where: Mapping[str, str | int | float | bool] | None = None
    ) -> list[Record]:
        """Return the records of ``kind`` whose index fields equal ``where``, in IRI order."""
        self._require_open()
        return self._list_records(kind=kind, where=dict(where or {}))

    @abc.abstractmethod
    def _list_records(
        self, *, kind: NodeKind, where: Mapping[str, str | int | float | bool]
    ) -> list[Record]: ...

    def list_records_many(
        self, queries: Sequence[tuple[NodeKind, Mapping[str, str | int | float | bool]]]
    ) -> list[list[Record]]:
        """Return what :meth:`list_records` returns for each ``(kind, where)``, in order.

        One call replaces a loop of them (one round trip instead of several on a networked
        backend), e.g. every record of a learner's, of each kind, at once.
        """
        self._require_open()
        wanted = [(kind, dict(where)) for kind, where in queries]
        return self._list_records_many(wanted) if wanted else []

    @abc.abstractmethod
    def _list_records_many(
        self, queries: Sequence[tuple[NodeKind, Mapping[str, str | int | float | bool]]]
    ) -> list[list[Record]]: ...

    # -- search support ----------------------------------------------------------------------

    def nearest_texts(
        self,
        vector: Vector,
        *,
        k: int,
        kinds: Iterable[NodeKind],
        langs: Iterable[str] | None = None,
    ) -> list[TextHit]:
        """Return the ``k`` indexed texts most similar to ``vector`` (cosine), best first.

        Only texts of concepts of ``kinds`` (and of ``langs`` when given) count; ties are broken
        by (uri, field, text). Backends may use an approximate index to find candidates but
        must return exact cosines and the exact top ``k``.
        """
        self._require_open()
        if k <= 0:
            raise InvalidInputError("k must be positive", details={"field": "k"})
        return self._nearest_texts(
            _float32(vector),
            k=k,
            kinds=frozenset(kinds),
            langs=None if langs is None else frozenset(langs),
        )

    @abc.abstractmethod
    def _nearest_texts(
        self,
        vector: Vector,
        *,
        k: int,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
    ) -> list[TextHit]: ...

    def nearest_texts_many(
        self,
        vectors: Sequence[Vector],
        *,
        k: int,
        kinds: Iterable[NodeKind],
        langs: Iterable[str] | None = None,
    ) -> list[list[TextHit]]:
        """:meth:`nearest_texts` for several vectors at once, one list of hits per vector."""
        self._require_open()
        if k <= 0:
            raise InvalidInputError("k must be positive", details={"field": "k"})
        return self._nearest_texts_many(
            [_float32(v) for v in vectors],
            k=k,
            kinds=frozenset(kinds),
            langs=None if langs is None else frozenset(langs),
        )

    def _nearest_texts_many(
        self,
        vectors: Sequence[Vector],
        *,
        k: int,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
    ) -> list[list[TextHit]]:
        """One :meth:`_nearest_texts` per vector; a backend that can share the work overrides."""
        return [self._nearest_texts(v, k=k, kinds=kinds, langs=langs) for v in vectors]

    def text_scores(
        self, vector: Vector | None, uris: Iterable[str], *, langs: Iterable[str] | None = None
    ) -> list[TextHit]:
        """Return every indexed text of the concepts ``uris`` with its cosine to ``vector``.

        Texts without a vector (lexical-only), or every text when ``vector`` is None, come back
        with score ``nan``. Sorted by (uri, field, lang, text).
        """
        self._require_open()
        hits = self._text_scores(
            None if vector is None else _float32(vector),
            sorted(set(uris)),
            langs=None if langs is None else frozenset(langs),
        )
        return sorted(hits, key=lambda h: (h.uri, h.field.value, h.lang, h.text))

    @abc.abstractmethod
    def _text_scores(
        self, vector: Vector | None, uris: Sequence[str], *, langs: frozenset[str] | None
    ) -> list[TextHit]: ...

    def text_table(
        self,
        vector: Vector | None,
        uris: Iterable[str],
        *,
        query_terms: Sequence[str],
        langs: Iterable[str] | None = None,
    ) -> TextTable:
        """Return the indexed texts of the concepts ``uris`` as columns (:class:`TextTable`).

        The same texts and cosines as :meth:`text_scores`, plus which of ``query_terms`` each
        label holds; search scores thousands of candidate texts from it at once.
        """
        self._require_open()
        return self._text_table(
            None if vector is None else _float32(vector),
            sorted(set(uris)),
            langs=None if langs is None else frozenset(langs),
            query_terms=tuple(query_terms),
        )

    def _text_table(
        self,
        vector: Vector | None,
        uris: Sequence[str],
        *,
        langs: frozenset[str] | None,
        query_terms: tuple[str, ...],
    ) -> TextTable:
        """Build the table from :meth:`_text_scores`; a backend with columns at hand overrides."""
        hits = sorted(
            self._text_scores(vector, uris, langs=langs),
            key=lambda h: (h.uri, h.field.value, h.lang, h.text),
        )
        return TextTable.from_hits(hits, query_terms)

    def term_frequencies(
        self, terms: Iterable[str], *, kinds: Iterable[NodeKind]
    ) -> dict[str, int]:
        """Return, per term, the number of concepts of ``kinds`` with a label containing it."""
        self._require_open()
        return self._term_frequencies(sorted(set(terms)), kinds=frozenset(kinds))

    @abc.abstractmethod
    def _term_frequencies(
        self, terms: Sequence[str], *, kinds: frozenset[NodeKind]
    ) -> dict[str, int]: ...

    def concepts_with_terms(self, terms: Iterable[str], *, kinds: Iterable[NodeKind]) -> set[str]:
        """Return the IRIs of concepts of ``kinds`` with a label containing any of ``terms``."""
        self._require_open()
        wanted = sorted(set(terms))
        return self._concepts_with_terms(wanted, kinds=frozenset(kinds)) if wanted else set()

    @abc.abstractmethod
    def _concepts_with_terms(
        self, terms: Sequence[str], *, kinds: frozenset[NodeKind]
    ) -> set[str]: ...

    def search_inputs(
        self,
        queries: Sequence[tuple[Sequence[str], Vector | None]],
        *,
        kinds: Iterable[NodeKind],
        langs: Iterable[str] | None = None,
        budget: SearchBudget | None = None,
    ) -> list[SearchInputs]:
        """Return what hybrid search scores each ``(query terms, query vector)`` from.

        The same as, per query: :meth:`count_nodes`, :meth:`term_frequencies` of its terms,
        the concepts of :func:`rare_terms` (:meth:`concepts_with_terms`) and those of its
        ``budget.dense`` :meth:`nearest_texts` (only when the vector counts: given, and the
        store has an :meth:`embedding_model`), and the :meth:`text_table` of those candidates
        (scored against the vector when it counts). One call for all the queries: a networked
        backend answers it in one round trip instead of five or more per query.
        """
        self._require_open()
        wanted = [
            (tuple(query_terms), None if vector is None else _float32(vector))
            for query_terms, vector in queries
        ]
        if not wanted:
            return []
        return self._search_inputs(
            wanted,
            kinds=frozenset(kinds),
            langs=None if langs is None else frozenset(langs),
            budget=budget or SearchBudget(),
        )

    def _search_inputs(
        self,
        queries: Sequence[tuple[tuple[str, ...], Vector | None]],
        *,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
        budget: SearchBudget,
    ) -> list[SearchInputs]:
        """Compose the answer from the other hooks; a networked backend overrides it."""
        total = self._count_nodes(kinds)
        dense = self._embedding_model() is not None
        counted = [i for i, (_, v) in enumerate(queries) if dense and v is not None]
        nearest: dict[int, list[TextHit]] = {}
        if counted:
            found = self._nearest_texts_many(
                [v for i in counted if (v := queries[i][1]) is not None],
                k=budget.dense,
                kinds=kinds,
                langs=langs,
            )
            nearest = dict(zip(counted, found, strict=True))
        answers = []
        for i, (query_terms, vector) in enumerate(queries):
            frequencies = self._term_frequencies(sorted(set(query_terms)), kinds=kinds)
            chosen = sorted(set(rare_terms(frequencies, budget)))
            candidates = self._concepts_with_terms(chosen, kinds=kinds) if chosen else set()
            candidates |= {hit.uri for hit in nearest.get(i, ())}
            counts = i in nearest
            table = (
                self._text_table(
                    vector if counts else None,
                    sorted(candidates),
                    langs=langs,
                    query_terms=query_terms,
                )
                if candidates
                else TextTable.from_hits([], query_terms)
            )
            answers.append(SearchInputs(total, frequencies, counts, table))
        return answers


def _with_audit(batch: GraphBatch) -> GraphBatch:
    """The batch and, when an edge declared who acts, the audit entry of its writes."""
    context = audit.current()
    if context is None:
        return batch
    written = [(r.uri, r.kind.value) for r in batch.records]
    written += [(c.uri, c.kind.value) for c in batch.concepts[:100]]
    deleted = list(batch.delete_records)
    details: dict[str, object] = {"deleted": deleted} if deleted else {}
    if len(batch.concepts) > 100:
        details["concepts"] = len(batch.concepts)
    entry = audit.entry(context, outcome="ok", objects=written, details=details)
    record = Record(entry.uri, NodeKind.AUDIT, entry.body, entry.index)
    return replace(
        batch,
        records=[*batch.records, record],
        expect={**batch.expect, entry.uri: None},
    )


def _validate_restore(batch: GraphBatch) -> None:
    """A restore batch writes records with their versions, and nothing else but nodes and edges.

    Raises
    ------
    InvalidInputError
        For a record without a version (or one below 1), or a batch that deletes or expects.
    """
    if batch.delete_records or batch.delete_relations or batch.expect:
        raise InvalidInputError(
            "a restore batch deletes nothing and expects nothing", details={"field": "restore"}
        )
    for record in batch.records:
        version = record.version
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise InvalidInputError(
                f"{record.uri}: a restored record keeps its version, a whole number from 1",
                details={"uri": record.uri, "field": "version"},
            )


def guard(store: GraphStore, key: str) -> tuple[Record, int | None]:
    """A guard record for ``key`` and the version to expect of it.

    Writes that must see each other but touch different records (two decisions of one
    authority on one credential, which must not contradict) each rewrite the guard of what
    they share and expect the version they read: of two racing, the second is refused and
    redone on what the first wrote.
    """
    uri = f"urn:credwalk:guard:{key}"
    found = store.get_records([uri], kind=NodeKind.GUARD).get(uri)
    record = Record(uri, NodeKind.GUARD, {"key": key}, {"key": key})
    return record, None if found is None else (found.version or 1)


def expect_versions(current: Mapping[str, int | None], expected: Mapping[str, int | None]) -> None:
    """Check a conditional write against the versions the store holds (what backends call).

    Raises
    ------
    ConflictError
        For a record expected not to exist that does.
    StaleVersionError
        For a record whose version is another one, or that is gone.
    """
    for uri, version in sorted(expected.items()):
        now = current.get(uri)
        if version is None and now is not None:
            raise ConflictError(f"{uri} exists already", details={"uri": uri, "current": now})
        if version is not None and now != version:
            raise StaleVersionError(
                f"{uri} has changed since version {version} was read (now: {now})",
                details={"uri": uri, "expected": version, "current": now},
            )


def _check_finite(with_vectors: Sequence[tuple[IndexedText, Vector]], block: int = 4096) -> None:
    """Refuse vectors with a NaN or an infinity, naming the first text that has one.

    A NaN has no place in a cosine ranking, and Neo4j cannot store it as an integer. Checked
    over blocks of vectors: one numpy call per vector would cost a third of a second on ESCO.
    """
    import numpy as np

    for start in range(0, len(with_vectors), block):
        part = with_vectors[start : start + block]
        if np.isfinite(np.stack([vector for _, vector in part])).all():
            continue
        bad = next(t for t, vector in part if not np.isfinite(vector).all())
        raise InvalidInputError(
            f"the vector of a {bad.field.value} text of {bad.uri} has a NaN or an infinity",
            details={"uri": bad.uri, "field": "vector", "text": bad.text[:80]},
        )


def _float32(vector: Vector) -> Vector:
    """``vector`` as a float32 array (numpy is imported by the first search, see ``Vector``)."""
    import numpy as np

    return np.asarray(vector, dtype=np.float32)
