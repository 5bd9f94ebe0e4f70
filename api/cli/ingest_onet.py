"""``credwalk ingest onet PATH``: load the O*NET occupation files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import JsonOption, ingest_app, progress_bar, runtime
from api.cli.ingest import print_report

__all__ = ["ingest_onet_command"]


@ingest_app.command("onet")
def ingest_onet_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="O*NET text files: a folder (searched recursively) or a .zip"),
    ],
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Index lexically only.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Load O*NET occupations, alternate titles and task statements (idempotent)."""
    from ingest.onet import ingest_onet

    with runtime() as rt, progress_bar() as progress:
        report = ingest_onet(
            rt.store, paths, embedder=None if no_embed else rt.embedder, progress=progress
        )
    print_report(report, as_json=as_json)
