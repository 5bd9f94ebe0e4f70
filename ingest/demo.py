"""The bundled demo dataset: a real ESCO slice, and demo issuers and credentials over it.

The main command loads it into an empty store on first start, so the API and the pages have
something to show on a fresh machine. Real users load the full ESCO pack with
``credwalk ingest esco``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from graph.embeddings import Embedder
from graph.model.accounts import operator
from graph.model.concept_documents import concept_from_json
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.model.credentials import Credential, Issuer
from graph.model.imports import ConceptImport
from graph.ontologies import credential_schemas
from graph.reference import ReferenceData
from graph.services.catalogue.credentials import SaveReport, save_catalogue
from graph.services.ingestion import ImportReport, import_concepts
from graph.store import GraphStore
from ingest.credentials.documents import DEFAULT_MAX_BYTES, read_source_documents
from ingest.credentials.own_format import load_credential_schemas, read_credwalk_documents
from ingest.errors import IngestError

__all__ = [
    "DemoReport",
    "load_demo",
    "load_demo_if_empty",
    "read_demo_catalogue",
    "read_demo_slice",
]

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


def read_demo_catalogue(ontologies_dir: Path) -> tuple[list[Issuer], list[Credential]]:
    """Read ``ontologies/demo/credentials.json``: the demo issuers and micro-credentials.

    Raises
    ------
    IngestError
        When a record does not follow the project's credential schema.
    """
    path = ontologies_dir / "demo" / "credentials.json"
    read = read_credwalk_documents(
        read_source_documents(path, max_bytes=DEFAULT_MAX_BYTES),
        schemas=load_credential_schemas(credential_schemas(ontologies_dir)),
    )
    return [i.value for i in read.issuers], [c.value for c in read.credentials]


@dataclass(frozen=True, slots=True)
class DemoReport:
    """What loading the demo did."""

    concepts: ImportReport
    catalogue: SaveReport


def load_demo(
    store: GraphStore,
    embedder: Embedder | None,
    ontologies_dir: Path,
    *,
    reference: ReferenceData | None = None,
) -> DemoReport:
    """Import the demo ESCO slice, then the demo issuers and credentials (idempotent)."""
    concepts = import_concepts(store, read_demo_slice(ontologies_dir), embedder=embedder)
    issuers, credentials = read_demo_catalogue(ontologies_dir)
    # Loading the bundled demo is the operator's act (the server's first start).
    catalogue = save_catalogue(
        store,
        actor=operator("demo"),
        issuers=issuers,
        credentials=credentials,
        reference=reference,
    )
    logger.info(
        "demo dataset loaded: %d concepts, %d issuers, %d credentials",
        concepts.concepts_added,
        len(catalogue.issuers),
        len(catalogue.credentials),
    )
    return DemoReport(concepts=concepts, catalogue=catalogue)


def load_demo_if_empty(
    store: GraphStore,
    embedder: Embedder | None,
    ontologies_dir: Path,
    *,
    reference: ReferenceData | None = None,
) -> DemoReport | None:
    """Import the demo dataset when the store holds no concept yet; return what it did."""
    if store.count_nodes(_CONCEPT_KINDS) > 0:
        return None
    return load_demo(store, embedder, ontologies_dir, reference=reference)
