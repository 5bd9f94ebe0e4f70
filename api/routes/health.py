"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import RuntimeDep
from api.errors import error_body, responses
from api.schemas.common import HealthPublic
from graph.errors import BackendUnavailableError

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthPublic)
def healthz() -> HealthPublic:
    """Say the process is alive (it does not touch the store)."""
    return HealthPublic(status="ok")


@router.get("/readyz", response_model=HealthPublic, responses=responses(503))
def readyz(runtime: RuntimeDep) -> HealthPublic | JSONResponse:
    """Say whether the graph store is open and answering."""
    try:
        runtime.check_store()
    except BackendUnavailableError as e:
        return JSONResponse(error_body(e.code, e.message, e.details), status_code=503)
    return HealthPublic(status="ready", store=type(runtime.store).__name__)
