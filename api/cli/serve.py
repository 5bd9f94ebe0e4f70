"""``credwalk serve``: the HTTP API and the pages."""

from __future__ import annotations

import argparse

from api.cli.common import Commands, settings

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``serve``."""
    serve = commands.command(
        "serve", run_serve, help="Run the HTTP API (and web pages) on the configured store."
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)


def run_serve(args: argparse.Namespace) -> None:
    """Serve the app until interrupted."""
    import uvicorn

    from api.main import create_app

    uvicorn.run(create_app(settings()), host=args.host, port=args.port)
