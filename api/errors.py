"""The one mapping from credwalk errors to HTTP, and the one error body.

Every error response is ``{"error": {"code", "message", "details"}}``; routes never raise
``HTTPException`` for domain conditions.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    CredwalkError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    VerificationError,
)

__all__ = [
    "ERROR_RESPONSES",
    "HTTP_STATUS",
    "error_body",
    "install_error_handlers",
    "responses",
    "status_of",
]

logger = logging.getLogger(__name__)

#: Error class -> HTTP status; the most specific class in an error's MRO wins.
HTTP_STATUS: dict[type[CredwalkError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    PayloadTooLargeError: 413,
    InvalidInputError: 422,
    VerificationError: 422,
    BackendUnavailableError: 503,
    CredwalkError: 500,
}


def status_of(error: CredwalkError) -> int:
    """Return the HTTP status of ``error``."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the JSON error body."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _error_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "example": error_body("not_found", "no concept http://...", {"uri": "http://..."})
            }
        },
    }


#: OpenAPI ``responses=`` entries for routes, by status.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: _error_schema("Not found (code not_found, no_pathway)"),
    409: _error_schema("Conflicts with stored data (code conflict)"),
    413: _error_schema("Payload too large (code payload_too_large)"),
    422: _error_schema("Invalid input; details name the field (code invalid_input)"),
    503: _error_schema("The graph store is unavailable (code backend_unavailable)"),
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that can fail with ``statuses``."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that render every error in the one format."""

    @app.exception_handler(CredwalkError)
    async def _credwalk(request: Request, exc: CredwalkError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            logger.warning("%s %s -> %s: %s", request.method, request.url.path, exc.code, exc)
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path"))
        return JSONResponse(
            error_body(
                "invalid_input",
                f"{field or 'request'}: {first['msg']}",
                {
                    "field": field,
                    "errors": [
                        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                        for e in errors
                    ],
                },
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)
