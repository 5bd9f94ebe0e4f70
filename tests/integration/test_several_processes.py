"""Two ``credwalk serve`` processes on one Neo4j agree (issue 20, Build 5 and its Show).

Real processes on free loopback ports, a real Neo4j (a namespace of the test's own, dropped
afterwards), real HTTP, the identity-and-trust load's clients and checks. Under load through
both: nothing lost, nothing twice, no 5xx. Then what one process holds must hold in the other
from its next request: a write, a revoked key, a withdrawn consent, an ended session, the count
of failed logins. (``test_serve_workers`` shows what ``--workers`` says on the embedded store.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.load_checks import found_writes, problems, read_back, store_problems
from tests.fixtures.load_writes import KINDS, Ledger
from tests.fixtures.many_servers import Servers, load_many, served_by_many
from tests.fixtures.neo4j_server import neo4j_url
from tests.fixtures.served import free_port, loopback_client

pytestmark = pytest.mark.neo4j

CLIENTS, WRITES = 8, 25
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    url, auth = neo4j_url(request)
    with served_by_many(url, auth, tmp_path_factory.mktemp("two"), clients=CLIENTS) as both:
        yield both


def _user(servers: Servers, name: str, *grants: str) -> tuple[str, str]:
    """A new user with a password and ``grants`` (made through ``a``); its IRI and a key."""
    with servers.client(servers.a, servers.world.admin) as admin:
        made = admin.post(
            "/v1/users", json={"name": name, "password": PASSWORD, "grants": list(grants)}
        )
        assert made.status_code == 201, made.text
        key = admin.post("/v1/keys", json={"user": name})
        assert key.status_code == 201, key.text
    return str(made.json()["id"]), str(key.json()["token"])


def _name() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


def test_load_through_both_loses_nothing(servers: Servers) -> None:
    ledger = Ledger()
    load_many(servers, ledger, writes=WRITES)
    statuses = Counter((o.kind, o.status) for o in ledger.outcomes)
    assert len(ledger.outcomes) == CLIENTS * WRITES, statuses
    assert not [o for o in ledger.outcomes if o.status >= 500 or o.status == 0], statuses
    assert {kind for kind, status in statuses if 200 <= status < 300} == set(KINDS)
    # Each process reads back every acknowledged write, whichever process took it.
    for app in (servers.a, servers.b):
        with servers.client(app) as http:
            back = read_back(http, servers.world)
        assert problems(servers.world, ledger.outcomes, back) == [], (app.url, statuses)
        acknowledged = sum(o.acknowledged for o in ledger.outcomes)
        assert found_writes(ledger.outcomes, back) == acknowledged > 0
    from graph.registry import create_store

    with create_store(servers.url, **servers.options) as store:
        assert store_problems(store, servers.world) == []


def test_a_write_through_one_is_read_through_the_other_next(servers: Servers) -> None:
    credential = servers.world.replaced[0]
    staff = servers.world.clients[0].staff
    with servers.client(servers.a, staff) as a, servers.client(servers.b, staff) as b:
        for n in range(5):
            writer, reader = (a, b) if n % 2 == 0 else (b, a)
            before = writer.get(f"/v1/credentials/{credential}")
            title = f"written through {writer.base_url.port}, round {n}"
            put = writer.put(
                f"/v1/credentials/{credential}",
                json={**before.json(), "title": title},
                headers={"If-Match": before.headers["etag"]},
            )
            assert put.status_code == 200, put.text
            seen = reader.get(f"/v1/credentials/{credential}")
            assert seen.status_code == 200
            assert seen.json()["title"] == title
            assert seen.headers["etag"] == put.headers["etag"]
            # The ETag read through one process is the condition the other checks.
            stale = reader.put(
                f"/v1/credentials/{credential}",
                json={**before.json(), "title": "on an old version"},
                headers={"If-Match": before.headers["etag"]},
            )
            assert stale.status_code == 412, stale.text


def test_a_key_revoked_through_one_is_refused_by_the_other(servers: Servers) -> None:
    _, token = _user(servers, _name())
    with servers.client(servers.b, token) as b:
        assert b.get("/v1/session").json()["user"] is not None
    key_id = token.split("_")[1]
    with servers.client(servers.a, servers.world.admin) as admin:
        assert admin.delete(f"/v1/keys/{key_id}").status_code == 200
    with servers.client(servers.b, token) as b:
        refused = b.get("/v1/session")
    assert refused.status_code == 401, refused.text


def test_a_consent_withdrawn_through_one_refuses_the_next_read_through_the_other(
    servers: Servers,
) -> None:
    learner = servers.world.learners[0]
    _, learner_key = _user(servers, _name(), f"learner:{learner}")
    reader, reader_key = _user(servers, _name())
    path = f"/v1/learners/{learner}"
    with servers.client(servers.b, reader_key) as b:
        assert b.get(path).status_code == 403
    with servers.client(servers.a, learner_key) as a:
        given = a.post(f"{path}/consents", json={"grantee": reader, "scopes": ["competences"]})
        assert given.status_code == 201, given.text
    with servers.client(servers.b, reader_key) as b:
        assert b.get(path).status_code == 200
    with servers.client(servers.a, learner_key) as a:
        withdrawn = a.delete(f"/v1/consents/{given.json()['id']}")
        assert withdrawn.status_code == 200, withdrawn.text
    with servers.client(servers.b, reader_key) as b:
        refused = b.get(path)
    assert refused.status_code == 403, refused.text


def test_a_session_ended_through_one_is_refused_by_the_other(servers: Servers) -> None:
    name = _name()
    iri, _ = _user(servers, name)
    with servers.client(servers.a) as a, servers.client(servers.b) as b:
        login = a.post("/v1/session", json={"name": name, "password": PASSWORD})
        assert login.status_code == 200, login.text
        cookie = a.cookies["credwalk_session"]
        b.cookies.set("credwalk_session", cookie)
        assert b.get("/v1/session").json()["user"] == iri  # one session, both processes
        ended = a.delete("/v1/session", headers={"X-CSRF-Token": login.json()["csrf_token"]})
        assert ended.status_code == 204, ended.text
        # A copy of the cookie kept from before the sign-out opens nothing, in either process.
        for http in (a, b):
            http.cookies.clear()
            http.cookies.set("credwalk_session", cookie)
            assert http.get("/v1/session").json()["user"] is None
            refused = http.get("/v1/users")
            assert refused.status_code == 401, refused.text


def test_failed_logins_are_counted_across_processes(servers: Servers) -> None:
    name = _name()
    _user(servers, name)
    wrong = {"name": name, "password": "not the password"}
    with servers.client(servers.a) as a, servers.client(servers.b) as b:
        for http in (a, b, a, b, a):  # five failures, the limit, split over both
            assert http.post("/v1/session", json=wrong).status_code == 401
        for http in (a, b):
            refused = http.post("/v1/session", json={"name": name, "password": PASSWORD})
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"]["details"]["retry_after"] > 0


def test_a_store_opened_before_the_vector_indexes_finds_them(servers: Servers) -> None:
    """A process opened on an empty namespace finds the vectors another process writes later.

    Its own namespace, so that the indexes are surely created after ``late`` opened.
    """
    from graph.backends.neo4j import Neo4jStore
    from graph.model.concepts import Concept, Label, NodeKind
    from graph.search import hybrid_search
    from graph.store import GraphBatch, IndexedText, TextField
    from graph.text import terms
    from tests.fixtures.embedders import HashingEmbedder

    options = {**servers.options, "namespace": f"late_{uuid.uuid4().hex[:12]}"}
    embedder = HashingEmbedder()
    query = embedder.embed_one("python programming")
    skill = Concept(
        uri="http://example.org/late/skill/python",
        kind=NodeKind.SKILL,
        framework="late",
        labels=(Label("python programming", "en"),),
    )
    text = IndexedText(
        skill.uri,
        TextField.PREFERRED,
        "en",
        "python programming",
        terms("python programming"),
        query,
    )
    kinds = [NodeKind.SKILL]
    with Neo4jStore(servers.url, **options) as late, Neo4jStore(servers.url, **options) as writer:
        try:
            assert late.nearest_texts(query, k=1, kinds=kinds) == []
            writer.write(GraphBatch(concepts=[skill], texts=[text], embedding_model=embedder.name))
            # A search reads again at once when the server says vectors are there ...
            (found,) = hybrid_search(late, "python programming", query, kinds=kinds, top=1)
            assert found.uri == skill.uri and found.label_similarity == pytest.approx(1.0)
            # ... and the nearest texts within the second that a store waits before asking.
            time.sleep(1.1)
            assert [h.uri for h in late.nearest_texts(query, k=1, kinds=kinds)] == [skill.uri]
        finally:
            writer.drop_namespace()


def _workers(pid: int) -> set[int]:
    """A server's workers: the children multiprocessing spawned (not its resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


def _ready(url: str, server: subprocess.Popen[bytes], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with loopback_client(url, timeout=2.0) as http:
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if http.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise AssertionError(f"credwalk serve --workers 2 did not become ready (exit {server.poll()})")


def test_serve_with_two_workers_on_neo4j(servers: Servers, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CREDWALK_STORE": servers.url,
        "CREDWALK_NEO4J_NAMESPACE": str(servers.options["namespace"]),
        "CREDWALK_KEY_DIR": str(tmp_path / "keys"),
        "CREDWALK_CONTEXT_CACHE": str(tmp_path / "contexts"),
        "CREDWALK_EMBEDDING_CACHE": str(tmp_path / "embeddings.db"),
        "CREDWALK_LOAD_DEMO": "false",
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"]
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _ready(url, server, timeout=300.0)
        assert len(_workers(server.pid)) == 2
        credential = servers.world.replaced[1]
        with loopback_client(url) as http:
            http.headers["Authorization"] = f"Bearer {servers.world.clients[1].staff}"
            for n in range(6):  # each read meets whichever worker the kernel hands it to
                before = http.get(f"/v1/credentials/{credential}")
                title = f"through the workers, round {n}"
                put = http.put(
                    f"/v1/credentials/{credential}",
                    json={**before.json(), "title": title},
                    headers={"If-Match": before.headers["etag"]},
                )
                assert put.status_code == 200, put.text
                for _ in range(4):
                    assert http.get(f"/v1/credentials/{credential}").json()["title"] == title
        name = _name()
        iri, _ = _user(servers, name)
        with loopback_client(url) as http:  # the workers share the session secret
            login = http.post("/v1/session", json={"name": name, "password": PASSWORD})
            assert login.status_code == 200, login.text
            assert all(http.get("/v1/session").json()["user"] == iri for _ in range(8))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()[-2000:]
