"""What a framework reader hands to the import: a validated, framework-agnostic import.

Readers in ``ingest/`` parse and validate a source (an ESCO pack, O*NET files, a CTDL competency
framework) into a :class:`ConceptImport`; :func:`graph.services.ingestion.import_concepts`
writes it into a store in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from graph.model.concepts import Concept, ConceptScheme, NodeKind, Relation, RelationType

__all__ = ["ConceptImport", "KindOf", "NullProgress", "Progress", "RelationScope"]

KindOf = Callable[[str], NodeKind | None]


class Progress(Protocol):
    """Receives progress of a long import (the CLI shows a bar on a terminal)."""

    def phase(self, name: str, total: int | None) -> None:
        """A new phase starts; ``total`` units are expected (None if unknown)."""

    def advance(self, done: int) -> None:
        """``done`` more units of the current phase are finished."""


class NullProgress:
    """Progress that goes nowhere."""

    def phase(self, name: str, total: int | None) -> None:
        """Ignore the phase."""

    def advance(self, done: int) -> None:
        """Ignore the advance."""


@dataclass(frozen=True, slots=True)
class RelationScope:
    """A family of relations an import covers completely: its type and endpoint kinds."""

    types: frozenset[RelationType]
    source_kinds: frozenset[NodeKind]
    target_kinds: frozenset[NodeKind]


@dataclass(frozen=True)
class ConceptImport:
    """A validated, framework-agnostic import.

    ``complete_kinds`` are kinds the import holds in full (others absent from it become
    obsolete); ``complete_relations`` the relation families it holds in full; ``partial`` the
    concepts it only adds labels or collections to (they must already exist).
    ``check_endpoints`` is the reader's check of relation endpoints, given a kind lookup over the
    import and the store; it raises an error naming file, line and column.
    """

    framework: str
    languages: tuple[str, ...]
    concepts: Mapping[str, Concept]
    relations: Sequence[Relation]
    schemes: Sequence[ConceptScheme] = ()
    complete_kinds: frozenset[NodeKind] = frozenset()
    complete_relations: tuple[RelationScope, ...] = ()
    partial: frozenset[str] = frozenset()
    check_endpoints: Callable[[KindOf], None] | None = None
