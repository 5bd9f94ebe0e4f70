"""The ``credwalk`` command line. Every command that prints results takes ``--json``.

Each module of this package registers the commands of one resource on the shared app (see
``register``); they are all imported here, so adding a module adds its commands.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import sys
from typing import Annotated

import click
import typer

from api.cli.common import app, err, exit_status, set_store_url
from graph.errors import CredwalkError

__all__ = ["app", "main"]


@app.callback()
def _root(
    store: Annotated[
        str | None,
        typer.Option(
            "--store", help="Store URL (sqlite:///file.db, neo4j://host:7687); or CREDWALK_STORE."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    set_store_url(store)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


for _module in pkgutil.iter_modules(__path__):
    if _module.name != "common" and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; credwalk errors print one clear line (JSON with --json) and set the status."""
    args = sys.argv[1:] if argv is None else argv
    try:
        # Without standalone mode click returns (not raises) the status of typer.Exit(n).
        status = app(args=args, standalone_mode=False)
        if isinstance(status, int) and status != 0:
            raise SystemExit(status)
    except CredwalkError as e:
        if "--json" in args:
            error = {"error": {"code": e.code, "message": e.message, "details": e.details}}
            sys.stdout.write(json.dumps(error) + "\n")
        err.print(f"error ({e.code}): {e.message}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(exit_status(e)) from None
    except click.exceptions.Exit as e:
        raise SystemExit(e.exit_code) from None
    except click.Abort:
        raise SystemExit(130) from None
    except click.ClickException as e:
        e.show()
        raise SystemExit(e.exit_code) from None
