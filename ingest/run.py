"""Ingest entry points: read a source, then import it through the service in one batch."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from graph.embeddings import Embedder
from graph.services.ingestion import ImportReport, Progress, import_concepts
from graph.store import GraphStore
from ingest.esco import esco_import, read_esco

__all__ = ["ingest_esco"]

logger = logging.getLogger(__name__)


def ingest_esco(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    embedder: Embedder | None,
    languages: Sequence[str] = ("en",),
    version: str | None = None,
    errata: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read the ESCO pack at ``paths`` and import it; the store is unchanged on any error.

    Raises
    ------
    IngestError
        For a malformed file or a relation naming an unknown concept.
    """
    if progress is not None:
        progress.phase("read", None)
    pack = read_esco(paths, languages=languages, version=version, errata=errata)
    logger.info(
        "read ESCO %s (%s): %d concepts, %d relations from %d files",
        pack.version,
        ",".join(pack.languages),
        len(pack.concepts),
        len(pack.relations),
        len(pack.files),
    )
    return import_concepts(store, esco_import(pack), embedder=embedder, progress=progress)
