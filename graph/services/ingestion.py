"""Use case: import a framework's concepts and relations into the store, once and atomically.

Readers in ``ingest/`` parse and validate a source into a :class:`ConceptImport`; this service
merges it with what the store holds and writes the difference as one batch:

- labels and descriptions merge per language, so an ``fr`` import adds French labels to concepts
  imported in English before, and re-importing English replaces only the English ones;
- concepts of a kind the import covers completely but that it no longer contains are kept and
  marked obsolete (one framework version per store; no credential's skill link dangles);
- relations of a family the import covers completely but that it no longer contains are removed;
- only changed concepts are re-indexed, and their texts are embedded through the cache, so an
  unchanged re-import writes nothing and encodes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.embeddings import CachedEmbedder, Embedder
from graph.errors import ConflictError, InvalidInputError
from graph.indexing import index_concepts
from graph.model.concepts import Concept, NodeKind, Relation
from graph.model.imports import ConceptImport, NullProgress, Progress
from graph.store import GraphBatch, GraphStore

__all__ = ["ImportReport", "import_concepts"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import changed."""

    framework: str
    concepts_added: int
    concepts_updated: int
    concepts_unchanged: int
    concepts_obsoleted: int
    relations_added: int
    relations_removed: int
    texts_indexed: int
    texts_encoded: int
    seconds: float

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything."""
        return bool(
            self.concepts_added
            or self.concepts_updated
            or self.concepts_obsoleted
            or self.relations_added
            or self.relations_removed
        )


def merge_concept(existing: Concept | None, incoming: Concept, languages: Iterable[str]) -> Concept:
    """Return ``incoming`` with the labels and descriptions ``existing`` has in other languages.

    Examples
    --------
    >>> from graph.model.concepts import Label
    >>> old = Concept("u", NodeKind.SKILL, "esco", (Label("a", "en"), Label("b", "fr")))
    >>> new = Concept("u", NodeKind.SKILL, "esco", (Label("c", "en"),))
    >>> [lb.text for lb in merge_concept(old, new, ["en"]).labels]
    ['c', 'b']
    """
    if existing is None:
        return incoming
    replaced = frozenset(languages)
    return dataclasses.replace(
        incoming,
        labels=incoming.labels + tuple(lb for lb in existing.labels if lb.lang not in replaced),
        descriptions=incoming.descriptions
        + tuple(d for d in existing.descriptions if d.lang not in replaced),
    )


def _merge_partial(existing: Concept, partial: Concept) -> Concept:
    have = existing.languages
    return dataclasses.replace(
        existing,
        labels=existing.labels + tuple(lb for lb in partial.labels if lb.lang not in have),
        descriptions=existing.descriptions
        + tuple(d for d in partial.descriptions if d.lang not in have),
        collections=existing.collections | partial.collections,
    )


def _check_endpoints(
    store: GraphStore, data: ConceptImport, existing: Mapping[str, Concept]
) -> None:
    """Let the reader check its relations' endpoints against the import and the store."""

    def kind_of(uri: str) -> NodeKind | None:
        concept = data.concepts.get(uri) or existing.get(uri)
        return concept.kind if concept else None

    if data.check_endpoints is not None:
        outside = {r.source for r in data.relations} | {r.target for r in data.relations}
        outside -= set(data.concepts)
        known_outside = store.get_concepts(outside)
        data.check_endpoints(
            lambda uri: kind_of(uri) or (known_outside[uri].kind if uri in known_outside else None)
        )


def _merged_concepts(data: ConceptImport, existing: Mapping[str, Concept]) -> dict[str, Concept]:
    """Each imported concept merged with the stored one, per language or, if partial, as a whole.

    Raises
    ------
    InvalidInputError
        When a partial concept does not exist in the store.
    """
    merged: dict[str, Concept] = {}
    for uri, concept in data.concepts.items():
        if uri in data.partial:
            if uri not in existing:
                raise InvalidInputError(
                    f"{uri} appears only in a collection file and is not in the store; "
                    "import its main file too",
                    details={"uri": uri},
                )
            merged[uri] = _merge_partial(existing[uri], concept)
        else:
            merged[uri] = merge_concept(existing.get(uri), concept, data.languages)
    return merged


def import_concepts(
    store: GraphStore,
    data: ConceptImport,
    *,
    embedder: Embedder | None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write ``data`` into ``store`` as one atomic batch; see the module docstring.

    Parameters
    ----------
    store : GraphStore
        An open store.
    data : ConceptImport
        The validated import.
    embedder : Embedder or None
        Embeds the texts of changed concepts; None indexes them lexically only (structure-only
        imports, benchmarks).
    progress : Progress, optional
        Receives the phases ``index`` and ``write``.

    Raises
    ------
    IngestError
        From ``data.check_endpoints`` when a relation names an unknown concept.
    ConflictError
        When the store's vectors come from another embedding model.
    InvalidInputError
        When a partial concept does not exist in the store.
    """
    started = time.perf_counter()
    progress = progress or NullProgress()
    existing = store.get_concepts(data.concepts)
    _check_model(store, embedder)
    _check_endpoints(store, data, existing)
    merged = _merged_concepts(data, existing)
    obsolete = _obsoleted(store, data)
    changed = [c for uri, c in merged.items() if existing.get(uri) != c]
    # A store indexed without vectors (a structure-only import) gets them all now.
    reindex_all = embedder is not None and store.embedding_model() is None
    to_write = (list(merged.values()) if reindex_all else changed) + obsolete
    encoded_before = embedder.encoded if isinstance(embedder, CachedEmbedder) else 0
    texts = index_concepts(
        to_write,
        embedder,
        progress=progress.advance,
        on_total=lambda total: progress.phase("embed" if embedder else "index", total),
    )
    encoded = (embedder.encoded if isinstance(embedder, CachedEmbedder) else len(texts)) - (
        encoded_before
    )
    to_add, to_remove = _relation_changes(store, data)
    stored_schemes = set(store.schemes())
    schemes = [s for s in data.schemes if s not in stored_schemes]
    batch = GraphBatch(
        schemes=schemes,
        concepts=to_write,
        texts=texts,
        relations=to_add,
        delete_relations=to_remove,
        embedding_model=embedder.name if embedder is not None else None,
    )
    progress.phase("write", 1)
    store.write(batch)
    progress.advance(1)
    report = ImportReport(
        framework=data.framework,
        concepts_added=sum(1 for uri in merged if uri not in existing),
        concepts_updated=sum(
            1 for uri, c in merged.items() if uri in existing and existing[uri] != c
        ),
        concepts_unchanged=sum(1 for uri, c in merged.items() if existing.get(uri) == c),
        concepts_obsoleted=len(obsolete),
        relations_added=len(to_add),
        relations_removed=len(to_remove),
        texts_indexed=len(texts),
        texts_encoded=encoded if embedder is not None else 0,
        seconds=round(time.perf_counter() - started, 3),
    )
    logger.info("import of %s: %s", data.framework, report)
    return report


def _check_model(store: GraphStore, embedder: Embedder | None) -> None:
    current = store.embedding_model()
    if embedder is not None and current is not None and current != embedder.name:
        raise ConflictError(
            f"the store's texts were embedded with {current!r}, not {embedder.name!r}; "
            "use the same model or a new store",
            details={"field": "embedding_model", "store_model": current},
        )


def _obsoleted(store: GraphStore, data: ConceptImport) -> list[Concept]:
    out = []
    for kind in sorted(data.complete_kinds):
        for concept in store.iter_concepts(kind=kind, framework=data.framework):
            if concept.uri not in data.concepts and concept.status != "obsolete":
                out.append(dataclasses.replace(concept, status="obsolete"))
    return out


def _relation_changes(
    store: GraphStore, data: ConceptImport
) -> tuple[list[Relation], list[tuple[str, str, str]]]:
    incoming = {r.key: r for r in data.relations}
    types = {r.type for r in data.relations} | {
        t for scope in data.complete_relations for t in scope.types
    }
    stored = {r.key for r in store.iter_relations(types=types)}
    to_add = [r for key, r in incoming.items() if key not in stored]
    to_remove: set[tuple[str, str, str]] = set()
    for scope in data.complete_relations:
        for relation in store.iter_relations(
            types=scope.types, source_kinds=scope.source_kinds, target_kinds=scope.target_kinds
        ):
            if relation.key not in incoming:
                to_remove.add((relation.source, relation.type.value, relation.target))
    return to_add, sorted(to_remove)
