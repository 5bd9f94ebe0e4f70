"""The demo's first start: its data, then one user per role, each able to try their flow at once.

The app starts as ``credwalk serve`` starts it (the lifespan loads the demo into an empty store)
with the hashing embedder; the users' secrets go to a file only the user can read and to
standard error, once.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.settings import Settings
from tests.fixtures.demo_site import demo_settings, without_model

ROLES = {"admin", "issuer", "assessor", "advisor", "mentor", "learner", "member", "group_leader"}
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
OTHER_ISSUERS_COURSE = "https://www.greatlakes-cc.example/credentials/python-programming-1"


def _settings(tmp_path: Path) -> Settings:
    return demo_settings(tmp_path)


def _start(settings: Settings) -> TestClient:
    # As `credwalk serve` builds it: the app owns its runtime and opens it on start.
    return TestClient(create_app(settings))


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    without_model(monkeypatch)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, Any]], Settings]]:
    settings = _settings(tmp_path)
    with _start(settings) as client:
        path = settings.key_dir / "demo-users.json"
        users = {u["name"]: u for u in json.loads(path.read_text())["users"]}
        yield client, users, settings


def _as(users: dict[str, dict[str, Any]], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {users[name]['api_key']}"}


def test_one_user_per_role_in_a_file_only_the_user_reads(
    demo: tuple[TestClient, dict[str, dict[str, Any]], Settings],
) -> None:
    client, users, settings = demo
    path = settings.key_dir / "demo-users.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {g.split(":")[0] for u in users.values() for g in u["grants"]} == ROLES
    for name, user in users.items():
        session = client.get("/v1/session", headers=_as(users, name)).json()
        assert session["name"] == name and session["grants"] == user["grants"]
        login = client.post("/v1/session", json={"name": name, "password": user["password"]})
        assert login.status_code == 200, login.text
        client.cookies.clear()


def test_the_secrets_are_printed_once_and_a_second_start_makes_no_user(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    with _start(settings):
        pass
    path = settings.key_dir / "demo-users.json"
    first = path.read_text()
    printed = capfd.readouterr().err
    assert all(u["password"] in printed for u in json.loads(first)["users"])
    with _start(settings) as client:
        admin = json.loads(first)["users"][0]
        headers = {"Authorization": f"Bearer {admin['api_key']}"}
        assert len(client.get("/v1/users", headers=headers).json()["data"]) == len(ROLES)
    assert path.read_text() == first
    assert "Demo users" not in capfd.readouterr().err


def test_every_party_can_try_their_flow(
    demo: tuple[TestClient, dict[str, dict[str, Any]], Settings],
) -> None:
    client, users, settings = demo
    learner = f"{settings.base_iri}/learner/ada-walsh"
    path = f"/v1/learners/{quote(learner, safe=':/')}"
    # The learner reads their own record; nobody else without consent.
    assert client.get(path, headers=_as(users, "learner")).status_code == 200
    assert client.get(path, headers=_as(users, "member")).status_code == 403
    # The mentor reads it under the learner's consent.
    assert client.get(path, headers=_as(users, "mentor")).status_code == 200
    # The issuer's staff edits their issuer's credentials, not another issuer's.
    own = client.get(f"/v1/credentials/{PYTHON_COURSE}").json()
    edited = client.put(
        f"/v1/credentials/{PYTHON_COURSE}",
        json={**own, "title": own["title"] + " (2027)"},
        headers=_as(users, "issuer"),
    )
    assert edited.status_code == 200, edited.text
    other = client.get(f"/v1/credentials/{OTHER_ISSUERS_COURSE}").json()
    refused = client.put(
        f"/v1/credentials/{OTHER_ISSUERS_COURSE}", json=other, headers=_as(users, "issuer")
    )
    assert refused.status_code == 403
    # The assessor finds the learner's submission on their panel and assesses it.
    seat = users["assessor"]["grants"][0].removeprefix("assessor:")
    queue = client.get(
        "/v1/submissions", params={"assessor": seat}, headers=_as(users, "assessor")
    ).json()
    (submission,) = queue["data"]
    skills = [s["uri"] for s in own["skills"] if s["status"] == "confirmed"]
    assessed = client.post(
        f"/v1/submissions/{submission['id']}/assessments",
        json={"results": [{"skill": s, "passed": True, "level": 4} for s in skills]},
        headers=_as(users, "assessor"),
    )
    assert assessed.status_code == 201, assessed.text
    # The advisor records a decision for their authority, not for another.
    decision = {
        "authority": "https://recognition.example.ie",
        "authority_name": "Irish Recognition Office (demo)",
        "credential": OTHER_ISSUERS_COURSE,
        "target": PYTHON_COURSE,
        "outcome": "partial",
        "to_jurisdiction": "IE",
    }
    recorded = client.post("/v1/recognitions", json=decision, headers=_as(users, "advisor"))
    assert recorded.status_code == 201, recorded.text
    elsewhere = {**decision, "authority": "https://www.liffey-tu.example"}
    assert (
        client.post("/v1/recognitions", json=elsewhere, headers=_as(users, "advisor")).status_code
        == 403
    )
