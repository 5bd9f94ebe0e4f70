"""Every route is reachable: none is shadowed by a route the app matches before it.

Objects are addressed by IRIs, which hold slashes, so an ``{id:path}`` route matches anything
below it. The app lists its routers in an order that keeps sub-resources reachable
(``api.routes.ROUTERS``); this test asks the app every operation of its OpenAPI document, with
a value for each parameter, and checks which route answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from api.main import create_app
from api.routes import credentials, equivalence
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
