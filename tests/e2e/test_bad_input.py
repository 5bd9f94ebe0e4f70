"""Bodies no route should take: each gets 400, 413 or 422 with the one error body, and nothing
is written.

For every operation that reads a JSON body, as an administrator (who may do every write),
with real ids in the path (so that a body that got through would reach a handler that
writes), over a fresh copy of the seeded store (:mod:`tests.fixtures.seeded_api`): a body
larger than the limit, declared or sent in chunks with no length; JSON nested deeper than the
API reads; not JSON (a syntax error, ``NaN``, bytes that are not UTF-8); a lone UTF-16
surrogate; an integer too long to read; the wrong JSON type. "Nothing written" is checked on
the store's file itself (SQLite's data version: any commit changes it) and on the key folder.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.bodies import MAX_JSON_DEPTH
from api.main import create_app
from graph.settings import load_settings
from tests.fixtures.seeded_api import (
    CREDENTIAL,
    ISSUER,
    LEARNER,
    PYTHON,
    Seed,
    seeded_runtime,
)

LIMIT = 20_000

#: A real object for each path parameter, so that the route would act on something.
PATH_VALUES = {
    "learner_id": LEARNER,
    "credential_id": CREDENTIAL,
    "issuer_id": ISSUER,
    "name": "fuzz-victim",
}


@dataclass
class Api:
    """The app over a fresh copy of the seeded store, a client, and where it writes."""

    app: FastAPI
    client: TestClient
    folder: Path
    seed: Seed
    watcher: sqlite3.Connection

    def written(self) -> tuple[int, list[tuple[str, int]]]:
        """What tells a write: the store file's data version, the files of the key folder.

        SQLite's ``data_version`` changes, for a connection, whenever another connection (the
        app's store) commits a change to the file.
        """
        (version,) = self.watcher.execute("PRAGMA data_version").fetchone()
        keys = sorted((str(p), p.stat().st_size) for p in (self.folder / "keys").rglob("*"))
        return int(version), keys


@pytest.fixture
def api(api_seed: Seed, tmp_path: Path) -> Iterator[Api]:
    """The API with a body limit of :data:`LIMIT` bytes over a fresh copy of the seeded store."""
    with (
        seeded_runtime(api_seed, tmp_path) as runtime,
        closing(sqlite3.connect(tmp_path / "api.db")) as watcher,
    ):
        settings = dataclasses.replace(runtime.settings, max_payload_bytes=LIMIT)
        app = create_app(settings, runtime=runtime)
        with TestClient(app) as client:
            yield Api(app=app, client=client, folder=tmp_path, seed=api_seed, watcher=watcher)


def _body_operations() -> list[tuple[str, str, bool]]:
    """(method, path, whether the body is required) of every operation with a JSON body."""
    spec = create_app(load_settings(store="sqlite:///:memory:", load_demo=False)).openapi()
    return [
        (method.upper(), path, operation["requestBody"].get("required", False))
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


BODY_OPERATIONS = _body_operations()


def _url(path: str, seed: Seed) -> str:
    values = {
        **PATH_VALUES,
        "submission_id": seed.ids["submission"][0],
        "proof_id": seed.ids["proof"][0],
        "claim_id": seed.ids["impact"][0],  # Certificates of Impact (issue 18)
        "item_id": seed.ids["item"][0],  # onboarding tests (issue 18)
        "attempt_id": seed.ids["attempt"][0],
        # the Assembly and consultations (issue 17): a question to an issuer and its answer
        "question_id": seed.ids["question"][0],
        "answer_id": seed.ids["answer"][0],
        "post_id": seed.ids["answer"][0],
        "group_id": seed.ids["group"][0],  # groups (issue 17)
        "rec_id": seed.ids["recommendation"][0],
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no real value for a parameter of {path}"
    return path


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, body
    assert error["message"], body
    return error


def _nested(depth: int) -> bytes:
    return b'{"x": ' + b"[" * depth + b"]" * depth + b"}"


#: (name, body, status, code, what the details say): what each bad body gets, on every route.
BAD_BODIES: list[tuple[str, bytes, int, str, dict[str, Any]]] = [
    ("declared-too-large", b'{"x": "' + b"a" * LIMIT + b'"}', 413, "payload_too_large", {}),
    ("nested-too-deep", _nested(MAX_JSON_DEPTH + 1), 422, "invalid_input", {"field": "body"}),
    ("nested-past-recursion", _nested(9_000), 422, "invalid_input", {"field": "body"}),
    ("syntax-error", b'{"x": [1, 2}', 400, "malformed_json", {"position": 11}),
    ("truncated", b'{"x": "abc', 400, "malformed_json", {"field": "body"}),
    ("nan", b'{"x": NaN}', 400, "malformed_json", {"field": "body"}),
    ("infinity", b'{"x": -Infinity}', 400, "malformed_json", {"field": "body"}),
    ("invalid-utf8", b'{"x": "caf\xe9"}', 400, "malformed_json", {"position": 10}),
    ("lone-surrogate", b'{"x": "\\udc80"}', 422, "invalid_input", {"offset": 7}),
    ("long-integer", b'{"x": ' + b"9" * 5000 + b"}", 422, "invalid_input", {"field": "body"}),
    ("an-array", b"[]", 422, "invalid_input", {}),
    ("a-string", b'"text"', 422, "invalid_input", {}),
    ("null", b"null", 422, "invalid_input", {}),
]


@pytest.mark.parametrize(
    "operation", BODY_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS]
)
def test_bad_bodies_get_the_one_error_body_and_write_nothing(
    api: Api, operation: tuple[str, str, bool]
) -> None:
    method, path, required = operation
    headers = {**api.seed.headers("admin"), "Content-Type": "application/json"}
    before = api.written()
    for name, body, status, code, details in BAD_BODIES:
        if name == "null" and not required:
            continue  # no body: the route's defaults
        response = api.client.request(method, _url(path, api.seed), content=body, headers=headers)
        error = _error(response, status, code)
        assert details.items() <= error["details"].items(), (name, error)
    assert api.written() == before


def _chunked_post(app: FastAPI, path: str, headers: dict[str, str], chunks: list[bytes]) -> Any:
    """Send ``chunks`` as one body with no Content-Length (as Transfer-Encoding: chunked
    arrives); return (status, body, how many chunks the app read)."""
    sent: list[dict[str, Any]] = []
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        more = read < len(chunks)
        return {"type": "http.request", "body": chunks[read - 1], "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    # In a thread of its own: the browser tests' Playwright keeps an event loop running in
    # this one for the session, and asyncio.run refuses to start inside a running loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), read


@pytest.mark.parametrize(
    "operation",
    [op for op in BODY_OPERATIONS if op[0] == "POST"],
    ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS if m == "POST"],
)
def test_a_chunked_body_over_the_limit_is_refused_at_the_first_chunk_over(
    api: Api, operation: tuple[str, str, bool]
) -> None:
    _, path, _ = operation
    headers = {
        **api.seed.headers("admin"),
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    chunk = b" " * (LIMIT // 4)
    chunks = [b'{"x": "'] + [chunk] * 10 + [b'"}']
    before = api.written()
    status, body, read = _chunked_post(api.app, _url(path, api.seed), headers, chunks)
    assert status == 413, body
    assert body["error"]["code"] == "payload_too_large"
    assert body["error"]["details"]["limit"] == LIMIT
    # The opening and four chunks of spaces are 7 bytes over the limit: nothing more is read.
    assert read == 5, f"read {read} chunks"
    assert api.written() == before


def test_a_chunked_body_under_the_limit_is_read_whole(api: Api) -> None:
    # The control: the same sending, under the limit, reaches the route and writes.
    headers = {**api.seed.headers("admin"), "Content-Type": "application/json"}
    body = json.dumps({"name": "chunked-user", "grants": ["member"]}).encode()
    before = api.written()
    status, created, read = _chunked_post(api.app, "/v1/users", headers, [body[:10], body[10:]])
    assert (status, created["name"], read) == (201, "chunked-user", 2)
    assert api.written() != before


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ({"texts": "python"}, "texts", "valid list"),
        ({"texts": ["python"], "top": "five"}, "top", "valid integer"),
        ({"texts": ["python"], "top": 101}, "top", "less than or equal to 100"),
        ({"texts": [["python"]]}, "texts.0", "valid string"),
        ({"texts": ["python"], "kind": 3}, "kind", "'skill' or 'occupation'"),
        ({"texts": ["python"], "extra": 1}, "extra", "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_type_names_its_field_and_what_was_expected(
    api: Api, body: dict[str, Any], field: str, expected: str
) -> None:
    response = api.client.post("/v1/match", json=body)
    error = _error(response, 422, "invalid_input")
    assert error["details"]["field"] == field
    assert expected in error["message"], error


@pytest.mark.parametrize(
    ("query", "field"),
    [("top=0", "top"), ("top=1000", "top"), ("top=x", "top"), ("q=" + "a" * 2001, "q")],
)
def test_a_parameter_out_of_bounds_is_422(api: Api, query: str, field: str) -> None:
    response = api.client.get(f"/v1/skills/search?q=python&{query}")
    assert _error(response, 422, "invalid_input")["details"]["field"] == field


def test_a_valid_write_changes_what_the_check_reads(api: Api) -> None:
    # The control of "nothing written": an assessment the assessor may add is seen.
    before = api.written()
    response = api.client.post(
        f"/v1/learners/{LEARNER}/assessments",
        headers=api.seed.headers("admin"),
        json={"results": [{"skill": PYTHON, "level": 4, "date": "2026-02-01", "passed": True}]},
    )
    assert response.status_code == 200, response.text
    assert api.written() != before


@pytest.mark.parametrize(
    ("depth", "refused"), [(MAX_JSON_DEPTH, False), (MAX_JSON_DEPTH + 1, True)]
)
def test_the_depth_limit_is_exact(api: Api, depth: int, refused: bool) -> None:
    # {"texts": [...]} is one level; the list holds depth - 2 more and a string.
    texts = "[" * (depth - 2) + '"python"' + "]" * (depth - 2)
    response = api.client.post("/v1/match", content=f'{{"texts": [{texts}]}}')
    error = _error(response, 422, "invalid_input")
    assert (error["details"]["field"] == "body") is refused, error
