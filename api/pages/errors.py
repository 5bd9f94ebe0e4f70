"""Errors on a page: an HTML page with the message, or the sign-in form when one is needed.

The API answers every error with the one JSON body (:mod:`api.errors`); a person following a
link should see a page instead. :func:`is_page_request` tells which: a request routed to a
page, or to no route at all by a browser that asks for HTML.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from graph.model.accounts import ANONYMOUS, Actor

__all__ = ["is_page_request", "page_error"]

#: The headings of the error pages, by status.
_TITLES = {
    400: "This request could not be read",
    403: "Not yours to see",
    404: "Not found",
    409: "Changed meanwhile",
    412: "Changed meanwhile",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    503: "Not available just now",
}


def is_page_request(request: Request) -> bool:
    """Whether the request went to a page (rather than to the API)."""
    route = request.scope.get("route")
    if route is not None:
        return "pages" in getattr(route, "tags", ())
    path = request.url.path
    api_paths = ("/v1/", "/docs", "/redoc", "/openapi", "/healthz", "/readyz", "/.well-known/")
    return "text/html" in request.headers.get("accept", "") and not path.startswith(api_paths)


def page_error(request: Request, status: int, message: str) -> Response:
    """The page for an error: 401 leads to the sign-in form, and back here after it."""
    from api.pages.render import render

    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor):
        actor = ANONYMOUS
    title = _TITLES.get(status, "Something went wrong")
    return render(
        request, "error.html", actor, {"title": title, "message": message}, status_code=status
    )
