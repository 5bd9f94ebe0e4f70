"""Neo4j down or killed: clear 503s, and an interrupted ingest that a re-run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from api.main import create_app
from graph.backends.neo4j import Neo4jStore
from graph.errors import BackendUnavailableError
from graph.model.concepts import NodeKind, RelationType
from graph.settings import load_settings
from ingest.run import ingest_esco
from tests.conftest import ERRATA, REPO_ROOT
from tests.fixtures.neo4j_process import PrivateNeo4j, start_private_neo4j

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@pytest.fixture
def private_neo4j(tmp_path: Path) -> Iterator[PrivateNeo4j]:
    server = start_private_neo4j(tmp_path)
    yield server
    server.stop()


def _closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"bolt://127.0.0.1:{port}"


def test_an_unreachable_neo4j_is_503_on_readyz_and_every_call(tmp_path: Path) -> None:
    settings = load_settings(store=_closed_port_url(), load_demo=False)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        for method, path, body in (
            ("GET", "/readyz", None),
            ("GET", "/v1/skills/search?q=python", None),
            ("GET", "/v1/occupations/search?q=nurse", None),
            ("POST", "/v1/match", {"texts": ["weld metal"]}),
            ("GET", "/v1/concepts/http://data.europa.eu/esco/skill/x", None),
            ("GET", "/v1/credentials", None),
        ):
            response = client.request(method, path, json=body)
            assert response.status_code == 503, (path, response.text)
            assert response.json()["error"]["code"] == "backend_unavailable"
            assert "password" not in response.text.lower()


def test_calls_fail_clearly_while_the_server_is_down_and_recover(
    private_neo4j: PrivateNeo4j, tmp_path: Path
) -> None:
    settings = load_settings(store=private_neo4j.uri, load_demo=False)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        private_neo4j.kill()
        down = client.get("/v1/credentials")
        assert down.status_code == 503 and down.json()["error"]["code"] == "backend_unavailable"
        assert client.get("/readyz").status_code == 503
        private_neo4j.start()
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/credentials").status_code == 200


def _count_nodes(uri: str, namespace: str) -> int:
    with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n:Node {ns: $ns}) RETURN count(n) AS n", ns=namespace
        )
        return int(records[0]["n"])


def test_killing_neo4j_mid_ingest_then_rerunning_gives_the_same_counts(
    private_neo4j: PrivateNeo4j, esco_dir: Path
) -> None:
    namespace = "killed"
    command = [sys.executable, "-m", "api.cli", "--store", private_neo4j.uri, "ingest", "esco"]
    process = subprocess.Popen(
        [*command, str(esco_dir), "--no-embed"],
        cwd=REPO_ROOT,
        env={**os.environ, "CREDWALK_NEO4J_NAMESPACE": namespace},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until concepts are being written (texts come first, so some texts are in), then crash.
    deadline = time.monotonic() + 300
    while _count_nodes(private_neo4j.uri, namespace) < 2_000:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the ingest never started writing concepts"
        time.sleep(0.2)
    private_neo4j.kill()
    process.wait(timeout=120)
    assert process.returncode not in (0, -signal.SIGKILL), "the ingest should fail, not finish"
    assert process.stderr is not None and "backend_unavailable" in process.stderr.read()

    private_neo4j.start()
    store = Neo4jStore(private_neo4j.uri, namespace=namespace)
    with store:
        assert store.count_nodes([NodeKind.SKILL, NodeKind.OCCUPATION]) < 13_896 + 3_008
        ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
        stats = store.stats()
    assert stats.count(NodeKind.SKILL) == 13_896
    assert stats.count(NodeKind.OCCUPATION) == 3_007 + 1  # and the obsolete erratum
    assert stats.count(NodeKind.SKILL_GROUP) == 647
    assert stats.count(NodeKind.ISCO_GROUP) == 619
    assert (
        stats.count_relations(RelationType.HAS_ESSENTIAL_SKILL, NodeKind.OCCUPATION, NodeKind.SKILL)
        + stats.count_relations(
            RelationType.HAS_OPTIONAL_SKILL, NodeKind.OCCUPATION, NodeKind.SKILL
        )
        == 123_855
    )
    assert stats.count_relations(RelationType.BROADER) == 20_656 + 3_617


def test_a_store_on_a_dead_server_raises_backend_unavailable() -> None:
    store = Neo4jStore(_closed_port_url())
    with pytest.raises(BackendUnavailableError, match="cannot reach Neo4j"):
        store.open()
