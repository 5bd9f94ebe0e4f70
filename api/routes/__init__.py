"""The HTTP routes: one module per resource, each a thin ``router`` over ``graph.services``.

:data:`ROUTERS` lists every router in the order the app matches them. Objects are addressed by
their IRIs, which hold slashes, so a route that ends in an ``{id:path}`` parameter matches
anything below it: ``GET /v1/credentials/{id:path}`` would swallow ``/v1/credentials/{id}/
equivalents`` of the equivalence module. Such routes live in each module's ``items`` router,
which come after every ``router``; within a module, sub-resources are declared before the
object itself. ``tests/e2e/test_routes.py`` checks that no route shadows another.

To add a resource: write ``api/routes/<resource>.py`` with a ``router`` (and ``items`` when it
addresses objects by IRI) and list them here.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    accounts,
    assembly,
    career,
    concepts,
    consultations,
    credentials,
    equivalence,
    groups,
    health,
    impact,
    learners,
    onboarding,
    pathways,
    proofs,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    accounts.router,
    assembly.router,
    concepts.router,
    credentials.router,
    equivalence.router,
    groups.router,
    health.router,
    impact.router,  # Certificates of Impact (issue 18)
    learners.router,
    onboarding.router,
    pathways.router,
    proofs.router,
    # the career overview (issue 18)
    career.router,
    consultations.router,  # issuer consultation (issue 17 point 2)
    # After every router: these end in an {id:path} parameter.
    accounts.items,
    concepts.items,
    credentials.items,
    equivalence.items,
    learners.items,
)
