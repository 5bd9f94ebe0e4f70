"""``credwalk ingest ...``: load frameworks and credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import JsonOption, emit_json, ingest_app, out, progress_bar, runtime
from graph.services.ingestion import ImportReport

__all__ = ["ingest_esco_command"]


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


@ingest_app.command("esco")
def ingest_esco_command(
    paths: Annotated[
        list[Path], typer.Argument(help="ESCO pack: folder, .zip, .csv or .csv.gz files")
    ],
    languages: Annotated[str, typer.Option("--languages", help="Comma-separated.")] = "en",
    esco_version: Annotated[
        str | None, typer.Option("--esco-version", help="Override the version.")
    ] = None,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Index lexically only.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Load the official ESCO CSV pack (idempotent; all or nothing)."""
    from ingest.run import ingest_esco

    with runtime() as rt, progress_bar() as progress:
        report = ingest_esco(
            rt.store,
            paths,
            embedder=None if no_embed else rt.embedder,
            languages=[lang.strip() for lang in languages.split(",") if lang.strip()],
            version=esco_version,
            errata=rt.settings.ontologies_dir / "esco" / "errata.csv",
            progress=progress,
        )
    print_report(report, as_json=as_json)
