"""Reading a credential file of any format: parse it, recognise the format, hand it to its reader.

:func:`read_credential_file` reads a file under a size limit (:mod:`~ingest.credentials.documents`),
recognises the format of its records (own, CTDL JSON-LD, Open Badges 3.0, ELM) and hands them to
the matching reader. Any error rejects the whole file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.jsonld import PinnedDocumentLoader
from graph.ontologies import ONTOLOGIES_DIR, context_manifest, credential_schemas
from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.ctdl import read_ctdl
from ingest.credentials.documents import (
    DEFAULT_MAX_BYTES,
    SourceDocument,
    file_syntax,
    parse_documents,
    read_text,
)
from ingest.credentials.elm import read_elm, read_elm_turtle
from ingest.credentials.formats import CredentialFile, Format, Skipped, detect_format
from ingest.credentials.linked_data import stand_in_loader
from ingest.credentials.open_badges import read_open_badges
from ingest.credentials.own_format import load_credential_schemas, read_credwalk_documents
from ingest.errors import IngestError

__all__ = ["read_credential_file"]

logger = logging.getLogger(__name__)


def _file_format(documents: Sequence[SourceDocument], *, loader: PinnedDocumentLoader) -> Format:
    found: Format | None = None
    for document in documents:
        fmt = detect_format(document.value)
        if fmt is None:
            value = document.value
            contexts = value.get("@context") if isinstance(value, Mapping) else None
            urls = [
                c
                for c in (contexts if isinstance(contexts, list) else [contexts])
                if isinstance(c, str)
            ]
            unpinned = [u for u in urls if u not in loader.manifest.entries]
            hint = f"; its @context {unpinned[0]} is not pinned" if unpinned else ""
            raise IngestError(
                f"{document.where}: not a format credwalk reads (own JSON/YAML, CTDL JSON-LD,"
                f" Open Badges 3.0, ELM){hint}",
                source=document.source,
                line=document.line,
                record=document.index,
                reason="unknown_format",
                url=unpinned[0] if unpinned else None,
            )
        if found is not None and fmt is not found:
            raise IngestError(
                f"{document.where}: is {fmt.value} but the records before it are {found.value};"
                " a file holds one format",
                source=document.source,
                line=document.line,
                record=document.index,
                reason="mixed_formats",
            )
        found = fmt
    assert found is not None  # parse_documents never returns no records
    return found


def read_credential_file(
    path: Path,
    *,
    loader: PinnedDocumentLoader,
    ontologies_dir: Path = ONTOLOGIES_DIR,
    jurisdictions: Jurisdictions | None = None,
    language: str = "en",
    max_bytes: int = DEFAULT_MAX_BYTES,
    base: str | None = None,
) -> CredentialFile:
    """Read a credential file of any supported format; nothing is returned if anything fails.

    JSON and YAML records are recognised by :func:`ingest.credentials.formats.detect_format`; a
    Turtle file (``.ttl``) is read as ELM RDF; XML (the ELM v2 diploma supplement) and JSON Schemas
    are skipped with the reason in ``skipped``.

    Parameters
    ----------
    path : Path
        A JSON, JSON Lines or YAML file.
    loader : PinnedDocumentLoader
        Serves the JSON-LD contexts; only pinned ones are ever used.
    ontologies_dir : Path
        The project's ``ontologies/`` folder (schemas, the CTDL context stand-in).
    jurisdictions : Jurisdictions, optional
        Resolves country names and EU country IRIs; without it only two-letter codes are kept.
    language : str
        The language to pick from multilingual texts when there is a choice.
    max_bytes : int
        The size limit of the file.
    base : str, optional
        Base IRI for relative IRIs in JSON-LD (default: the file's ``file:`` URI).

    Raises
    ------
    PayloadTooLargeError
        If the file is larger than ``max_bytes``.
    IngestError
        On invalid JSON/YAML (with line and column), an unknown format, an unpinned JSON-LD
        context (``details["url"]``), or an invalid record.
    """
    source = str(path)
    text = read_text(path, max_bytes=max_bytes)
    head = text.lstrip()[:200]
    if head.startswith("<"):
        reason = "XML (e.g. an ELM v2 / Europass XML diploma supplement) is not read"
        logger.info("skipped %s: %s", source, reason)
        return CredentialFile(source, Format.XML, skipped=(Skipped(source, 0, 1, reason),))
    if path.suffix.lower() == ".ttl" or re.match(r"(?i)@?prefix\s", head):
        return read_elm_turtle(text, source=source, jurisdictions=jurisdictions, language=language)
    documents = parse_documents(text, source=source, syntax=file_syntax(path))
    if not documents:
        return CredentialFile(source, Format.CREDWALK)
    fmt = _file_format(documents, loader=loader)
    if fmt is Format.JSON_SCHEMA:
        reason = "a JSON Schema, not a credential document"
        logger.info("skipped %s: %s", source, reason)
        skipped = tuple(Skipped(source, d.index, d.line, reason) for d in documents)
        return CredentialFile(source=source, format=fmt, skipped=skipped)
    if fmt is Format.CREDWALK:
        schemas = load_credential_schemas(credential_schemas(ontologies_dir))
        return read_credwalk_documents(documents, schemas=schemas)
    options: dict[str, Any] = {"jurisdictions": jurisdictions, "language": language}
    if fmt is Format.CTDL:
        ctdl_loader = stand_in_loader(loader, manifest_path=context_manifest(ontologies_dir))
        return read_ctdl(
            documents, loader=ctdl_loader, base=base or path.resolve().as_uri(), **options
        )
    if fmt is Format.OPEN_BADGES:
        return read_open_badges(documents, loader=loader, **options)
    return read_elm(documents, loader=loader, **options)
