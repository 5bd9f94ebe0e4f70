"""``credwalk ingest esco|onet|credentials``: load frameworks and credentials into the store.

Every command goes through the one runner, :mod:`ingest.run`, and changes nothing when any
file is bad.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.common import Commands, actor, add_json, emit_json, out, progress_bar, runtime

if TYPE_CHECKING:
    from graph.services.ingestion import ImportReport

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add the ``ingest`` group."""
    ingest = commands.group("ingest", help="Load frameworks and credentials into the store.")
    esco = ingest.command(
        "esco", run_esco, help="Load the official ESCO CSV pack (idempotent; all or nothing)."
    )
    esco.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="folder, .zip, .csv or .csv.gz files"
    )
    esco.add_argument("--languages", default="en", help="comma-separated (en,fr)")
    esco.add_argument("--esco-version", help="override the version the pack states")
    esco.add_argument("--no-embed", action="store_true", help="index lexically only")
    add_json(esco)
    onet = ingest.command(
        "onet",
        run_onet,
        help="Load O*NET occupations, alternate titles and task statements (idempotent).",
    )
    onet.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a folder (searched) or a .zip"
    )
    onet.add_argument("--no-embed", action="store_true", help="index lexically only")
    add_json(onet)
    credentials = ingest.command(
        "credentials",
        run_credentials,
        help="Load credential files; any error rejects them all (nothing is written).",
    )
    credentials.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="own JSON/YAML, CTDL, OB 3.0, ELM"
    )
    add_json(credentials)


def print_report(report: ImportReport, *, as_json: bool) -> None:
    """Print what an import changed."""
    if as_json:
        emit_json({name: getattr(report, name) for name in report.__slots__})
        return
    out.print(
        f"{report.framework}: {report.concepts_added} concepts added, "
        f"{report.concepts_updated} updated, {report.concepts_unchanged} unchanged, "
        f"{report.concepts_obsoleted} obsoleted; {report.relations_added} relations added, "
        f"{report.relations_removed} removed; {report.texts_encoded} texts encoded "
        f"in {report.seconds:.1f}s"
    )


def run_esco(args: argparse.Namespace) -> None:
    """Load an ESCO pack."""
    from graph.ontologies import esco_errata
    from ingest.run import ingest_esco

    with runtime() as rt, progress_bar() as progress:
        report = ingest_esco(
            rt.store,
            args.paths,
            embedder=None if args.no_embed else rt.embedder,
            languages=[lang.strip() for lang in args.languages.split(",") if lang.strip()],
            version=args.esco_version,
            errata=esco_errata(rt.settings.ontologies_dir),
            progress=progress,
        )
    print_report(report, as_json=args.as_json)


def run_onet(args: argparse.Namespace) -> None:
    """Load O*NET."""
    from ingest.run import ingest_onet

    with runtime() as rt, progress_bar() as progress:
        report = ingest_onet(
            rt.store, args.paths, embedder=None if args.no_embed else rt.embedder, progress=progress
        )
    print_report(report, as_json=args.as_json)


def run_credentials(args: argparse.Namespace) -> None:
    """Load credential files."""
    from ingest.run import ingest_credentials

    with runtime() as rt:
        report = ingest_credentials(
            rt.store,
            args.files,
            actor=actor(),
            loader=rt.document_loader,
            reference=rt.reference,
            ontologies_dir=rt.settings.ontologies_dir,
            embedder=rt.embedder,
            max_bytes=rt.settings.max_payload_bytes,
        )
    summary = {
        "files": list(report.files),
        "formats": list(report.formats),
        "issuers": list(report.saved.issuers),
        "credentials": list(report.saved.credentials),
        "unresolved": list(report.saved.unresolved),
        "issuers_known_only_by_iri": list(report.referenced_issuers),
        "skipped": list(report.skipped),
        "concepts_added": report.concepts.concepts_added if report.concepts else 0,
    }
    if args.as_json:
        emit_json(summary)
        return
    out.print(
        f"{len(report.saved.credentials)} credentials and {len(report.saved.issuers)} issuers "
        f"saved from {len(report.files)} file(s) ({', '.join(sorted(set(report.formats)))})"
    )
    for line in report.skipped:
        out.print(f"  skipped: {line}")
    if report.saved.unresolved:
        out.print(f"  links to credentials not in the graph: {', '.join(report.saved.unresolved)}")
