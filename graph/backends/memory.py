"""The in-memory side of the embedded store: nodes, adjacency, and the text index.

Adjacency is kept in plain dictionaries (source -> edges, target -> edges) rather than a
networkx graph: loading ESCO's 154,000 edges into dictionaries takes a tenth of the time, and
:meth:`MemoryGraph.subgraph` still hands the algorithms a networkx ``MultiDiGraph`` of exactly
the part they ask for (a copy, as the contract requires).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    # Imported when an index is made: it brings numpy, which reading concepts never needs.
    from .text_index import TextIndex

from graph.model.concepts import Concept, ConceptScheme, NodeKind, Relation, RelationType
from graph.store import SEARCHABLE_RECORDS, Direction, IndexedText, Record

__all__ = ["MemoryGraph"]

_EdgeKey = tuple[str, str, str]


class MemoryGraph:
    """Everything the embedded store serves reads from; rebuilt from SQLite when stale."""

    def __init__(self, load_texts: Callable[[MemoryGraph], None] | None = None) -> None:
        """``load_texts`` attaches the text index on first use; without it the index starts empty.

        Imports and graph queries never read the index: an unchanged re-import of ESCO would
        otherwise spend two of its ten seconds loading 150,000 texts and their vectors.
        """
        self.concepts: dict[str, Concept] = {}
        self.records: dict[str, Record] = {}
        # The records of each kind: a listing reads its kind only (recording one recognition
        # decision lists its authority's, among 100,000 credentials and learners).
        self._records_by_kind: dict[NodeKind, dict[str, Record]] = {}
        self.schemes: dict[str, ConceptScheme] = {}
        self.kinds: dict[str, NodeKind] = {}
        self.out_edges: dict[str, dict[_EdgeKey, Relation]] = {}
        self.in_edges: dict[str, dict[_EdgeKey, Relation]] = {}
        self._index: TextIndex | None = None
        if load_texts is None:
            from .text_index import TextIndex

            self._index = TextIndex()
        self._load_texts = load_texts
        self.embedding_model: str | None = None
        self._kind_counts: Counter[NodeKind] | None = None

    # -- updates -----------------------------------------------------------------------------

    def add_concept(self, concept: Concept) -> None:
        """Add or replace a concept."""
        self.concepts[concept.uri] = concept
        self.kinds[concept.uri] = concept.kind
        if self._index is not None:
            self._index.set_kind(concept.uri, concept.kind)
        self._kind_counts = None

    def add_record(self, record: Record) -> None:
        """Add or replace a record."""
        replaced = self.records.get(record.uri)
        if replaced is not None and replaced.kind is not record.kind:
            self._records_by_kind[replaced.kind].pop(record.uri, None)
        self.records[record.uri] = record
        self._records_by_kind.setdefault(record.kind, {})[record.uri] = record
        self.kinds[record.uri] = record.kind
        if self._index is not None and record.kind in SEARCHABLE_RECORDS:
            # The Assembly's posts have indexed texts, like concepts.
            self._index.set_kind(record.uri, record.kind)
        self._kind_counts = None

    def remove_record(self, uri: str) -> None:
        """Remove a record and every edge to or from it, if present."""
        removed = self.records.pop(uri, None)
        if removed is None:
            return
        self._records_by_kind[removed.kind].pop(uri, None)
        self.kinds.pop(uri, None)
        self._kind_counts = None
        for key in list(self.out_edges.pop(uri, {})):
            self.in_edges.get(key[2], {}).pop(key, None)
        for key in list(self.in_edges.pop(uri, {})):
            self.out_edges.get(key[0], {}).pop(key, None)

    def add_relation(self, relation: Relation) -> None:
        """Add or replace an edge."""
        key = relation.key
        self.out_edges.setdefault(relation.source, {})[key] = relation
        self.in_edges.setdefault(relation.target, {})[key] = relation

    def remove_relation(self, key: _EdgeKey) -> None:
        """Remove an edge if present."""
        source, _, target = key
        self.out_edges.get(source, {}).pop(key, None)
        self.in_edges.get(target, {}).pop(key, None)

    def set_texts(self, uri: str, texts: list[IndexedText]) -> None:
        """Replace the indexed texts of a concept (an index not read yet will read them)."""
        if self._index is not None:
            self._index.replace(uri, self.kinds[uri], texts)

    @property
    def index(self) -> TextIndex:
        """The text index, loaded on first use."""
        if self._index is None:
            assert self._load_texts is not None
            self._load_texts(self)  # attaches it, under the store's lock
        assert self._index is not None
        return self._index

    @property
    def has_index(self) -> bool:
        """Whether the text index is in memory."""
        return self._index is not None

    def attach_index(self, index: TextIndex) -> None:
        """Use ``index`` (filled for the concepts of this graph) as the text index."""
        self._index = index

    # -- reads -------------------------------------------------------------------------------

    def count(self, kinds: frozenset[NodeKind]) -> int:
        """Number of nodes of ``kinds``."""
        if self._kind_counts is None:
            self._kind_counts = Counter(self.kinds.values())
        return sum(self._kind_counts[kind] for kind in kinds)

    def kind_counts(self) -> dict[str, int]:
        """Number of nodes per kind value."""
        return {kind.value: n for kind, n in Counter(self.kinds.values()).items()}

    def relation_counts(self) -> dict[tuple[str, str, str], int]:
        """Number of edges per (type, source kind, target kind)."""
        kinds = self.kinds
        return dict(
            Counter(
                (r.type.value, kinds[r.source].value, kinds[r.target].value)
                for edges in self.out_edges.values()
                for r in edges.values()
            )
        )

    def edges_of(
        self, uri: str, *, direction: Direction, types: frozenset[RelationType] | None
    ) -> list[Relation]:
        """Edges of ``uri`` in ``direction`` restricted to ``types``."""
        found: list[Relation] = []
        if direction in (Direction.OUT, Direction.BOTH):
            found += self.out_edges.get(uri, {}).values()
        if direction in (Direction.IN, Direction.BOTH):
            found += self.in_edges.get(uri, {}).values()
        return [r for r in found if types is None or r.type in types]

    def iter_relations(
        self,
        *,
        types: frozenset[RelationType],
        source_kinds: frozenset[NodeKind] | None,
        target_kinds: frozenset[NodeKind] | None,
    ) -> Iterator[Relation]:
        """Edges of ``types`` between nodes of the given kinds, in key order."""
        kinds = self.kinds
        selected = [
            r
            for source, edges in self.out_edges.items()
            if source_kinds is None or kinds[source] in source_kinds
            for r in edges.values()
            if r.type in types and (target_kinds is None or kinds[r.target] in target_kinds)
        ]
        return iter(sorted(selected, key=lambda r: (r.source, r.type.value, r.target)))

    def subgraph(
        self,
        *,
        kinds: frozenset[NodeKind] | None,
        relation_types: frozenset[RelationType] | None,
        uris: frozenset[str] | None,
    ) -> nx.MultiDiGraph:
        """A networkx copy of the selected nodes and the edges between them."""
        candidates: Iterable[str] = self.kinds if uris is None else uris
        nodes = {
            u: self.kinds[u]
            for u in candidates
            if u in self.kinds and (kinds is None or self.kinds[u] in kinds)
        }
        import networkx as nx

        out = nx.MultiDiGraph()
        out.add_nodes_from((u, {"kind": kind.value}) for u, kind in nodes.items())
        out.add_edges_from(
            (r.source, r.target, r.type.value, _edge_attributes(r))
            for u in nodes
            for r in self.out_edges.get(u, {}).values()
            if r.target in nodes and (relation_types is None or r.type in relation_types)
        )
        return out

    def records_of(
        self, kind: NodeKind, where: Mapping[str, str | int | float | bool]
    ) -> list[Record]:
        """Records of ``kind`` whose index fields equal ``where``, in IRI order."""
        found = [
            record
            for record in self._records_by_kind.get(kind, {}).values()
            if all(record.index.get(name) == value for name, value in where.items())
        ]
        return sorted(found, key=lambda record: record.uri)


def _edge_attributes(relation: Relation) -> dict[str, float | int]:
    attributes: dict[str, float | int] = {}
    if relation.level is not None:
        attributes["level"] = relation.level
    if relation.weight is not None:
        attributes["weight"] = relation.weight
    return attributes
