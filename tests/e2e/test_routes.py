"""Every route is reachable: none is shadowed by a route the app matches before it.

Objects are addressed by IRIs, which hold slashes, so an ``{id:path}`` route matches anything
below it. The app lists its routers in an order that keeps sub-resources reachable
(``api.routes.ROUTERS``); this test asks the app every operation of its OpenAPI document, with
a value for each parameter, and checks which route answered.

And every route documents, in its ``responses=``, the errors it can answer whatever its
endpoint does (a malformed or too large body, a refused key, a missing CSRF token, a stale
If-Match, a store that does not answer), each with the one error body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from api.deps import get_if_match, get_store
from api.main import create_app
from api.routes import ROUTERS, credentials, equivalence
from api.security import get_actor
from graph.settings import load_settings


def _sample(path: str) -> str:
    # One segment is enough: an {id:path} route also swallows "x1/equivalents".
    return re.sub(r"{\w+(:\w+)?}", "x1", path)


def _template(path: str) -> str:
    # OpenAPI writes {id:path} as {id}.
    return re.sub(r"{(\w+):\w+}", r"{\1}", path)


class _Recorder:
    """The app, wrapped to remember the route that handled each request."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.routes: list[Any] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                self.routes.append(scope.get("route"))

    def handler(self, client: TestClient, method: str, path: str) -> tuple[str, set[str]]:
        client.request(method, _sample(path), json={} if method in {"POST", "PUT"} else None)
        route = self.routes[-1]
        return _template(route.path), set(route.methods)


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    ] + [("GET", "/")]


APP = create_app(load_settings(store="sqlite:///:memory:", load_demo=False))
OPERATIONS = _operations(APP)


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[_Recorder, TestClient]]:
    recording = _Recorder(APP)
    with TestClient(recording) as client:
        yield recording, client


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_app_routes_each_operation_to_itself(
    recorder: tuple[_Recorder, TestClient], operation: tuple[str, str]
) -> None:
    recording, client = recorder
    method, path = operation
    handled_by = recording.handler(client, method, path)
    assert handled_by[0] == path and method in handled_by[1], (
        f"{method} {_sample(path)} reached {handled_by[0]}"
    )


def test_routers_in_the_wrong_order_are_caught() -> None:
    # An {id:path} route before another module's sub-resource of it swallows the sub-resource.
    wrong = FastAPI()
    wrong.include_router(credentials.items)
    wrong.include_router(equivalence.router)
    recording = _Recorder(wrong)
    # The bare app has no runtime: its handlers fail after routing, which is what is checked.
    with TestClient(recording, raise_server_exceptions=False) as client:
        handled_by = recording.handler(client, "GET", "/v1/credentials/{credential_id}/equivalents")
    assert handled_by[0] == "/v1/credentials/{credential_id}"


def _calls(route: APIRoute) -> set[Any]:
    """Every dependency the route runs, its own endpoint included."""
    found: set[Any] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        found.add(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def _can_answer(route: APIRoute) -> set[int]:
    """The error statuses a route can answer whatever its endpoint does."""
    calls = _calls(route)
    statuses: set[int] = set()
    if route.body_field is not None:
        # Not JSON, larger than the limit, or not what the schema says.
        statuses |= {400, 413, 422}
    if route.dependant.path_params or route.dependant.query_params:
        statuses.add(422)
    if route.dependant.path_params:
        # A value no route matches: a "/" in a {name} parameter, a line break in an {id:path}
        # one (its pattern is ".*"): the router answers 404 before the route runs.
        statuses.add(404)
    if get_actor in calls:
        # A key that is unknown or revoked; the store that holds keys not answering.
        statuses |= {401, 503}
        if set(route.methods or ()) - {"GET", "HEAD", "OPTIONS"}:
            # A change made with a session but without its CSRF token.
            statuses.add(403)
    if get_store in calls:
        statuses.add(503)
    if get_if_match in calls:
        statuses |= {412, 422}
    return statuses


ROUTES = [
    route
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute) and route.include_in_schema
]


@pytest.mark.parametrize(
    "route", ROUTES, ids=[f"{','.join(sorted(r.methods or ()))} {r.path}" for r in ROUTES]
)
def test_each_route_documents_the_errors_it_can_answer(route: APIRoute) -> None:
    documented = {int(status) for status in route.responses}
    missing = _can_answer(route) - documented
    assert not missing, f"{route.path} does not document {sorted(missing)} in responses="


def test_every_documented_error_is_the_one_error_body() -> None:
    spec = APP.openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (
                        f"{method.upper()} {path} {status}"
                    )


def _unbounded(schema: dict[str, Any], where: str, spec: dict[str, Any]) -> Iterator[str]:
    """The places below ``schema`` (of a request) that no maximum bounds."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        yield from _unbounded(spec["components"]["schemas"][name], f"{where}<{name}>", spec)
        return
    for part in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _unbounded(part, where, spec)
    kind = schema.get("type")
    free = "enum" not in schema and "const" not in schema
    dated = schema.get("format") in ("date", "date-time")
    if kind == "string" and free and not dated and "maxLength" not in schema:
        yield f"{where}: a string without maxLength"
    if kind in ("integer", "number") and free and "maximum" not in schema:
        yield f"{where}: a number without maximum"
    if kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: an array without maxItems"
        yield from _unbounded(schema.get("items", {}), f"{where}[]", spec)
    for name, field in schema.get("properties", {}).items():
        yield from _unbounded(field, f"{where}.{name}", spec)


def test_every_string_list_and_number_a_request_holds_is_bounded() -> None:
    # Documents of the project's own format (free objects) are bounded by the body limit and
    # their JSON Schema; every field a route declares has a maximum the client can read.
    spec = APP.openapi()
    found: list[str] = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{label} {parameter['in']} {parameter['name']}"
                found += _unbounded(parameter["schema"], where, spec)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(content["schema"], f"{label} body", spec)
    assert not found, "\n".join(found)
