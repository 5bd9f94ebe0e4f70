"""``credwalk serve``: the HTTP API and the pages."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import app, settings

__all__ = ["serve"]


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """Run the HTTP API (and web pages) on the configured store."""
    import uvicorn

    from api.main import create_app

    uvicorn.run(create_app(settings()), host=host, port=port)
