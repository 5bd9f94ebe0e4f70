"""The one mapping from credwalk errors to HTTP, and the one error body.

Every error response is ``{"error": {"code", "message", "details"}}``; routes never raise
``HTTPException`` for domain conditions. A refusal (401, 403) is also written to the audit log,
with who asked and what.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.bodies import JsonRequest, is_json, read_json
from api.pages.errors import is_page_request, page_error
from api.schemas.common import ErrorBody
from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    CredwalkError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    StaleVersionError,
    TooManyRequestsError,
    UnauthenticatedError,
    VerificationError,
)
from graph.services.audit_log import record_refusal

__all__ = [
    "ERROR_RESPONSES",
    "HTTP_STATUS",
    "CheckedRoute",
    "error_body",
    "install_error_handlers",
    "responses",
    "status_of",
]

logger = logging.getLogger(__name__)

#: Error class -> HTTP status; the most specific class in an error's MRO wins.
HTTP_STATUS: dict[type[CredwalkError], int] = {
    UnauthenticatedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    StaleVersionError: 412,
    PayloadTooLargeError: 413,
    InvalidInputError: 422,
    VerificationError: 422,
    TooManyRequestsError: 429,
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


def _error_schema(description: str, code: str, message: str) -> dict[str, Any]:
    return {
        "description": description,
        "model": ErrorBody,
        "content": {"application/json": {"example": error_body(code, message)}},
    }


#: OpenAPI ``responses=`` entries for routes, by status.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error_schema(
        "The body is not JSON (code malformed_json)",
        "malformed_json",
        "the body is not JSON (at character 1)",
    ),
    401: _error_schema(
        "No valid session or API key (code unauthenticated)",
        "unauthenticated",
        "this needs a signed-in user (a session or an API key)",
    ),
    403: _error_schema(
        "The signed-in user may not do this (code forbidden)", "forbidden", "ada may not do this"
    ),
    404: _error_schema(
        "Not found (code not_found, no_pathway)", "not_found", "no concept http://..."
    ),
    409: _error_schema(
        "Conflicts with stored data (code conflict)", "conflict", "contradicts a stored decision"
    ),
    412: _error_schema(
        "If-Match names another version than the stored one (stale_version)",
        "stale_version",
        "the record is at version 4, not 3",
    ),
    413: _error_schema(
        "Payload too large (code payload_too_large)",
        "payload_too_large",
        "the request body is larger than 5000000 bytes (5100000 declared)",
    ),
    422: _error_schema(
        "Invalid input; details name the field (code invalid_input)",
        "invalid_input",
        "top: Input should be less than or equal to 100",
    ),
    429: _error_schema(
        "Too many attempts; details.retry_after (code too_many_requests)",
        "too_many_requests",
        "too many failed logins for ada; try again in 60 s",
    ),
    503: _error_schema(
        "The graph store is unavailable (code backend_unavailable)",
        "backend_unavailable",
        "the graph store does not answer",
    ),
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that can fail with ``statuses``."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


# A JSON \\u escape of a UTF-16 surrogate not in a (high, low) pair: no character at all.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class CheckedRoute(APIRoute):
    r"""A route that reads its body, before anything else does, as text and as JSON.

    The body is read here, outside FastAPI's reading, so that the limit of the bytes read
    (:mod:`api.limits`) is answered 413. JSON can escape half of a UTF-16 surrogate pair
    (``"\ud800"``): Python decodes it into a string that every later step (the tokenizer,
    SQLite, UUIDs) fails to encode; such a body is refused here, 422. A JSON body is then
    parsed strictly, once (:func:`api.bodies.read_json`). Nothing is written for a refused body.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler with the checks."""
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            request = JsonRequest(request.scope, request.receive)
            body = await request.body()
            if b"\\u" in body and (found := _LONE_SURROGATE.search(body)):
                raise InvalidInputError(
                    "the body holds a lone UTF-16 surrogate, which is no character "
                    f"(at byte {found.start()})",
                    details={"field": "body", "offset": found.start()},
                )
            if (
                body
                and self.body_field is not None
                and is_json(request.headers.get("content-type"))
            ):
                request.parsed, request.has_parsed = read_json(body), True
            return await handler(request)

        return checked


def _audit_refusal(request: Request, error: CredwalkError) -> None:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return
    try:
        record_refusal(runtime.open_store(), error)
    except CredwalkError as e:
        logger.error("could not write the audit entry of a refusal: %s", e)


def _validation_body(exc: RequestValidationError) -> tuple[dict[str, Any], int]:
    errors = exc.errors()
    invalid = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if invalid is not None:
        reason = invalid.get("ctx", {}).get("error", "")
        details: dict[str, Any] = {"field": "body"}
        where = ""
        if len(invalid["loc"]) > 1:
            details["position"] = invalid["loc"][-1]
            where = f" (at character {details['position']})"
        message = f"the body is not JSON{where}" + (f": {reason}" if reason else "")
        return error_body("malformed_json", message, details), 400
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path"))
    whole = "body" if tuple(first["loc"])[:1] == ("body",) else "request"
    body = error_body(
        "invalid_input",
        f"{field or whole}: {first['msg']}",
        {
            "field": field,
            "errors": [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in errors
            ],
        },
    )
    return body, 422


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that render every error in the one format."""

    @app.exception_handler(CredwalkError)
    async def _credwalk(request: Request, exc: CredwalkError) -> Response:
        status = status_of(exc)
        if status >= 500:
            logger.warning("%s %s -> %s: %s", request.method, request.url.path, exc.code, exc)
        headers = {}
        if status in (401, 403):
            _audit_refusal(request, exc)
            if status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="credwalk"'
        if status == 429:
            headers["Retry-After"] = str(exc.details.get("retry_after", 60))
        if is_page_request(request):
            return page_error(request, status, exc.message)
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        body, status = _validation_body(exc)
        if is_page_request(request):
            return page_error(request, status, body["error"]["message"])
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        details: dict[str, Any] = {}
        if exc.status_code == 413:
            details["limit"] = request.app.state.runtime.settings.max_payload_bytes
        if is_page_request(request):
            return page_error(request, exc.status_code, str(exc.detail))
        return JSONResponse(error_body(code, str(exc.detail), details), status_code=exc.status_code)
