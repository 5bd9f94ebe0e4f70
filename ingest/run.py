"""The one ingest runner: read a source, then import it through the services in one batch.

Frameworks (the ESCO pack, O*NET) go through :func:`graph.services.ingestion.import_concepts`;
credential files of any format through :func:`graph.services.catalogue.credentials.save_catalogue`.
Each entry point changes nothing when anything fails.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.embeddings import Embedder
from graph.jsonld import PinnedDocumentLoader
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.model.credentials import Issuer
from graph.model.imports import ConceptImport, Progress
from graph.reference import ReferenceData
from graph.services.catalogue.credentials import SaveReport, save_catalogue
from graph.services.ingestion import ImportReport, import_concepts
from graph.store import GraphStore
from ingest.credentials.formats import CredentialFile, Format
from ingest.credentials.reader import read_credential_file
from ingest.frameworks.esco import esco_import, read_esco
from ingest.frameworks.onet import onet_import, read_onet

__all__ = ["CredentialIngestReport", "ingest_credentials", "ingest_esco", "ingest_onet"]

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


def ingest_onet(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    embedder: Embedder | None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read the O*NET files at ``paths`` and import them; the store is unchanged on any error.

    Raises
    ------
    IngestError
        For a missing or malformed file.
    """
    if progress is not None:
        progress.phase("read", None)
    data = read_onet(paths)
    return import_concepts(store, onet_import(data), embedder=embedder, progress=progress)


@dataclass(frozen=True, slots=True)
class CredentialIngestReport:
    """What ``ingest credentials`` read and saved, file by file."""

    files: tuple[str, ...]
    formats: tuple[str, ...]
    saved: SaveReport
    concepts: ImportReport | None
    skipped: tuple[str, ...]
    referenced_issuers: tuple[str, ...] = ()


def ingest_credentials(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    actor: Actor,
    loader: PinnedDocumentLoader,
    reference: ReferenceData,
    ontologies_dir: Path,
    embedder: Embedder | None,
    max_bytes: int,
) -> CredentialIngestReport:
    """Read credential files (own format, CTDL, Open Badges 3.0, ELM) and save them together.

    Every file is read and checked before anything is written; any error rejects them all.
    Competency frameworks an issuer publishes (CTDL-ASN) are imported as concepts of their own
    framework first, so credentials can point to them.

    Raises
    ------
    IngestError
        For an unreadable or invalid file (file, line and field named).
    InvalidInputError
        For a credential that names an unknown issuer or ESCO skill, or a bad level.
    """
    files: list[CredentialFile] = [
        read_credential_file(
            path,
            loader=loader,
            ontologies_dir=ontologies_dir,
            jurisdictions=reference.jurisdictions,
            max_bytes=max_bytes,
        )
        for path in paths
    ]
    concepts = {c.value.uri: c.value for f in files for c in f.concepts}
    concept_report = None
    if concepts:
        concept_report = import_concepts(
            store,
            ConceptImport(
                framework=next(iter(concepts.values())).framework,
                languages=tuple(sorted({lb.lang for c in concepts.values() for lb in c.labels})),
                concepts=concepts,
                relations=[r for f in files for r in f.relations],
                schemes=[s.value for f in files for s in f.schemes],
            ),
            embedder=embedder,
        )
    issuers = {i.value.id: i.value for f in files for i in f.issuers}
    stubs = _referenced_issuers(store, files, described=set(issuers))
    issuers.update({i.id: i for i in stubs})
    saved = save_catalogue(
        store,
        actor=actor,
        issuers=list(issuers.values()),
        credentials=[c.value for f in files for c in f.credentials],
        reference=reference,
    )
    return CredentialIngestReport(
        files=tuple(f.source for f in files),
        formats=tuple(f.format.value for f in files),
        saved=saved,
        concepts=concept_report,
        skipped=tuple(f"{s.source}: {s.reason}" for f in files for s in f.skipped),
        referenced_issuers=tuple(i.id for i in stubs),
    )


def _referenced_issuers(
    store: GraphStore, files: Sequence[CredentialFile], *, described: set[str]
) -> list[Issuer]:
    """Issuers that linked-data credentials name only by IRI.

    CTDL, Open Badges and ELM records point to organisations published elsewhere (a registry
    entry, a profile URL); such an issuer is recorded as known only by its IRI, and the report
    lists it. A record of the project's own format must describe its issuer (or name a stored
    one): that stays an error.
    """
    named = {
        c.value.issuer
        for f in files
        if f.format is not Format.CREDWALK
        for c in f.credentials
        if c.value.issuer not in described
    }
    unknown = named - set(store.get_records(named, kind=NodeKind.ISSUER))
    return [
        Issuer(
            id=uri,
            name=uri,
            description="Known only by its IRI: named as the issuer of ingested credentials, "
            "not described in the ingested files.",
        )
        for uri in sorted(unknown)
    ]
