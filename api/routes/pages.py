"""The web pages: a small static front end over the JSON API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

__all__ = ["PAGES", "router"]

#: The folder of the pages' static files.
PAGES = Path(__file__).resolve().parents[1] / "pages"

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> FileResponse:
    """Serve the home page."""
    return FileResponse(PAGES / "index.html")
