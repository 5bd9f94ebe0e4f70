"""The bundled demo dataset: a real ESCO slice (and, later, demo issuers and credentials).

The main command loads it into an empty store on first start, so the API and the pages have
something to show on a fresh machine. Real users load the full ESCO pack with
``credwalk ingest esco``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from graph.codec import concept_from_json
from graph.embeddings import Embedder
from graph.model import NodeKind, Relation, RelationType
from graph.services.ingestion import ConceptImport, ImportReport, import_concepts
from graph.store import GraphStore
from ingest.errors import IngestError

__all__ = ["load_demo", "load_demo_if_empty", "read_demo_slice"]

logger = logging.getLogger(__name__)

_CONCEPT_KINDS = (NodeKind.SKILL, NodeKind.OCCUPATION, NodeKind.SKILL_GROUP, NodeKind.ISCO_GROUP)


def read_demo_slice(ontologies_dir: Path) -> ConceptImport:
    """Read ``ontologies/demo/esco-slice.json`` as an import.

    Raises
    ------
    IngestError
        When the file is missing or malformed.
    """
    path = ontologies_dir / "demo" / "esco-slice.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        concepts = {
            c.uri: c for c in (concept_from_json(json.dumps(doc)) for doc in document["concepts"])
        }
        relations = [
            Relation(source, RelationType(type_), target)
            for source, type_, target in document["relations"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IngestError(f"cannot read the demo slice: {e}", source=str(path)) from e
    return ConceptImport(
        framework=document["framework"],
        languages=tuple(document["languages"]),
        concepts=concepts,
        relations=relations,
    )


def load_demo(store: GraphStore, embedder: Embedder | None, ontologies_dir: Path) -> ImportReport:
    """Import the demo dataset (idempotent)."""
    report = import_concepts(store, read_demo_slice(ontologies_dir), embedder=embedder)
    logger.info("demo dataset loaded: %s", report)
    return report


def load_demo_if_empty(
    store: GraphStore, embedder: Embedder | None, ontologies_dir: Path
) -> ImportReport | None:
    """Import the demo dataset when the store holds no concept yet; return what it did."""
    if store.count_nodes(_CONCEPT_KINDS) > 0:
        return None
    return load_demo(store, embedder, ontologies_dir)
