"""Rendering a page: the templates, what every page knows, the role navigation, errors.

:func:`render` gives a template the request, the acting user (``me``), the session's CSRF
token for forms, the navigation of the user's roles and the versioned URLs of the static
files (a content hash in the query string, so browsers may cache them for good).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.security import csrf_token
from graph.model.accounts import Actor, Role

__all__ = ["STATIC", "NavItem", "navigation", "render", "static_url"]

HERE = Path(__file__).resolve().parent
#: The stylesheet, the script and the icons the pages use.
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link of the navigation bar."""

    href: str
    label: str


#: What each role finds in the navigation, in this order; everyone has the public pages.
_ROLE_NAV: dict[Role, tuple[NavItem, ...]] = {
    Role.LEARNER: (
        NavItem("/me", "My competences"),
        NavItem("/me/pathway", "My pathway"),
        NavItem("/me/overview", "My career"),
    ),
    Role.ISSUER: (NavItem("/catalogue", "Catalogue"), NavItem("/onboarding/items", "Test items")),
    Role.ASSESSOR: (
        NavItem("/assess", "To assess"),
        NavItem("/onboarding/ratings", "Tasks to rate"),
        NavItem("/onboarding/items", "Test items"),
    ),
    Role.ADVISOR: (NavItem("/compare", "Compare"), NavItem("/recognitions/new", "Decide")),
    Role.MENTOR: (NavItem("/mentees", "My learners"), NavItem("/groups", "My groups")),
    Role.GROUP_LEADER: (NavItem("/groups", "My groups"),),
}
# Certificates of Impact (issue 18): every learner and member claims impact and confirms others'.
_ROLE_NAV[Role.LEARNER] = (*_ROLE_NAV[Role.LEARNER], NavItem("/impact", "My impact"))
_ROLE_NAV[Role.MEMBER] = (NavItem("/impact", "My impact"),)
_PUBLIC_NAV = (
    NavItem("/search", "Skills & occupations"),
    NavItem("/credentials", "Credentials"),
    NavItem("/verify", "Verify"),
)
#: The Assembly, for signed-in users (its pages are public: a link for those who may post).
_ASSEMBLY_NAV = NavItem("/assembly", "Assembly")


def navigation(actor: Actor) -> tuple[NavItem, ...]:
    """The links of the user's roles, then the public pages."""
    items: list[NavItem] = []
    for role, links in _ROLE_NAV.items():
        if actor.holds(role) or (actor.is_admin and role is Role.ISSUER):
            items.extend(link for link in links if link not in items)
    if actor.authenticated:
        items.append(_ASSEMBLY_NAV)
    return (*items, *_PUBLIC_NAV)


@cache
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """The URL of a static file, versioned by its content."""
    return f"/static/{name}?v={_digest(name)}"


def iri_path(iri: str) -> str:
    """An IRI as the tail of a page's path (``/concepts/<iri>``): its slashes kept."""
    return quote(iri, safe=":/")


templates.env.globals["static_url"] = static_url
templates.env.filters["iri_path"] = iri_path


def render(
    request: Request,
    template: str,
    actor: Actor,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """The page ``template`` for ``actor``, with ``context``."""
    return templates.TemplateResponse(
        request,
        template,
        {
            "me": actor,
            "csrf_token": csrf_token(request) or "",
            "nav": navigation(actor),
            "path": request.url.path,
            **(context or {}),
        },
        status_code=status_code,
    )
