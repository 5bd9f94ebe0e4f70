"""The web pages: server-rendered HTML (Jinja2) over the same services as the API.

Every page is a thin route that reads the acting user (the session), calls services and
renders a template; no rule lives here. A module per role (and :mod:`api.pages.site` for the
pages everyone has) holds a ``router``; :data:`PAGE_ROUTERS` lists them in the order the app
matches them, after the API's routers. Templates are in ``templates/``, the one stylesheet
and the small progressive script in ``static/`` (served by the app: no CDN, works offline).

To add a page: a route in the role's module, a template that extends ``base.html``, a row in
``tests/e2e/test_authorisation.py`` and a flow in ``tests/e2e/browser/``.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    advisor,
    assembly,
    assessor,
    career,
    consultations,
    groups,
    impact,
    issuer,
    learner,
    mentor,
    onboarding,
    site,
)

__all__ = ["PAGE_ROUTERS", "STATIC"]

from api.pages.render import STATIC

PAGE_ROUTERS: tuple[APIRouter, ...] = (
    site.router,
    learner.router,
    mentor.router,
    issuer.router,
    assessor.router,
    advisor.router,
    # onboarding tests: the learner's, the item bank's, the assessor's ratings
    onboarding.router,
    impact.router,  # Certificates of Impact and the portfolio (issue 18)
    # the career overview (issue 18)
    career.router,
    assembly.router,  # the Assembly: questions and answers on graph nodes
    consultations.router,  # issuer consultation (issue 17 point 2)
    groups.router,
)
