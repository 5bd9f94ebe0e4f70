"""``credwalk serve``: the HTTP API and the pages."""

from __future__ import annotations

import argparse
import os

from api.cli.common import Commands, settings

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``serve``."""
    serve = commands.command(
        "serve", run_serve, help="Run the HTTP API (and web pages) on the configured store."
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="processes serving requests (default 1); more than one needs a Neo4j store",
    )


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 64, got {text!r}")
    return int(text)


def run_serve(args: argparse.Namespace) -> None:
    """Serve the app until interrupted."""
    import uvicorn

    from api.main import create_app, prepare_workers

    config = settings()
    if args.workers == 1:
        uvicorn.run(create_app(config), host=args.host, port=args.port)
        return
    prepare_workers(config)
    # The workers are new processes that read their settings from the environment: pass on
    # what this command's options changed.
    os.environ["CREDWALK_STORE"] = config.store
    uvicorn.run(
        "api.main:create_worker_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
    )
