"""The Assembly over HTTP: bad input gets a clear 4xx, markdown comes back inert."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.runtime import Runtime
from graph.model.accounts import Grant, Role
from tests.fixtures.accounts import user_with_key

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


def _member(runtime: Runtime, name: str) -> dict[str, str]:
    token = user_with_key(
        runtime.store, name, Grant(Role.MEMBER), base_iri=runtime.settings.base_iri
    )
    return {"Authorization": f"Bearer {token}"}


def test_ask_answer_and_abuse(client: TestClient, runtime: Runtime) -> None:
    asker, other = _member(runtime, "asker"), _member(runtime, "other")
    question = {
        "title": "Python for software developers?",
        "body": "Is **Python** enough? <script>alert('x')</script> [me](javascript:alert(1))",
        "about": [PYTHON, SOFTWARE_DEVELOPER, "IE"],
    }
    created = client.post("/v1/questions", json=question, headers=asker)
    assert created.status_code == 201, created.text
    posted = created.json()
    assert posted["id"].startswith("q") and posted["jurisdiction"] == "IE"
    html = posted["body_html"]
    assert "<strong>Python</strong>" in html and "<script" not in html
    assert "&lt;script&gt;" in html and 'href="javascript' not in html
    listed = client.get("/v1/questions", params={"about": SOFTWARE_DEVELOPER}, headers={})
    assert [q["id"] for q in listed.json()["questions"]] == [posted["id"]]

    oversized = client.post(
        f"/v1/questions/{posted['id']}/answers", json={"body": "y" * 10_001}, headers=other
    )
    assert oversized.status_code == 413
    assert oversized.json()["error"]["details"]["field"] == "body"
    nowhere = client.post(
        "/v1/questions",
        json={**question, "about": [PYTHON, "http://data.europa.eu/esco/skill/nowhere"]},
        headers=asker,
    )
    assert nowhere.status_code == 422
    assert nowhere.json()["error"]["details"]["field"] == "about[1]"
    assert client.get("/v1/questions", params={"about": "urn:x:nowhere"}).status_code == 404
    assert client.get("/v1/questions/a123").status_code == 404  # an answer id is no question

    answer = client.post(
        f"/v1/questions/{posted['id']}/answers", json={"body": "Mostly."}, headers=other
    ).json()
    assert (
        client.put(f"/v1/answers/{answer['id']}/vote", json={"value": 1}, headers=asker).json()[
            "score"
        ]
        == 1
    )
    assert (
        client.put(f"/v1/answers/{answer['id']}/vote", json={"value": 1}, headers=other).status_code
        == 422
    )
    accepted = client.post(f"/v1/answers/{answer['id']}/accept", headers=asker)
    assert accepted.json()["accepted"] == answer["iri"]
    thread = client.get(f"/v1/questions/{posted['id']}").json()
    assert [a["id"] for a in thread["answers"]] == [answer["id"]]
    # edits keep the history
    client.put(f"/v1/answers/{answer['id']}", json={"body": "Mostly, yes."}, headers=other)
    thread = client.get(f"/v1/questions/{posted['id']}").json()
    assert [h["body"] for h in thread["answers"][0]["history"]] == ["Mostly."]
