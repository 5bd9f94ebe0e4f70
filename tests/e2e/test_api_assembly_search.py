"""Similar questions and search over HTTP: what a member sees before posting, and bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.runtime import Runtime
from graph.model.accounts import Grant, Role
from tests.fixtures.accounts import user_with_key

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def _member(runtime: Runtime, name: str) -> dict[str, str]:
    token = user_with_key(
        runtime.store, name, Grant(Role.MEMBER), base_iri=runtime.settings.base_iri
    )
    return {"Authorization": f"Bearer {token}"}


def test_a_draft_gets_the_earlier_question_and_search_finds_the_answer(
    client: TestClient, runtime: Runtime
) -> None:
    asker, other = _member(runtime, "asker"), _member(runtime, "other")
    question = {
        "title": "Is Python enough to get a junior developer job in Ireland?",
        "body": "I finished a **Python** course.",
        "about": [PYTHON, "IE"],
    }
    posted = client.post("/v1/questions", json=question, headers=asker).json()
    client.post(
        f"/v1/questions/{posted['id']}/answers",
        json={"body": "Add Git and SQL; employers in Dublin ask for a portfolio."},
        headers=other,
    )
    draft = {"title": "Can Python alone land me a junior developer position?", "about": [PYTHON]}
    similar = client.post("/v1/questions/similar", json=draft)
    assert similar.status_code == 200, similar.text
    (first, *_) = similar.json()["suggestions"]
    assert first["question"]["id"] == posted["id"]
    assert "same wording: 'junior developer'" in first["reason"]
    assert first["shared"] == [PYTHON] and "also about Python" in first["reason"]

    found = client.get("/v1/questions/search", params={"q": "portfolio Dublin"})
    assert found.status_code == 200, found.text
    top = found.json()["results"][0]
    assert top["question"]["id"] == posted["id"] and top["answer"]["body"].startswith("Add Git")


def test_bad_drafts_and_queries_get_a_clear_4xx(client: TestClient) -> None:
    empty = client.post("/v1/questions/similar", json={"title": "  "})
    assert empty.status_code == 422 and empty.json()["error"]["details"]["field"] == "title"
    long = client.post("/v1/questions/similar", json={"title": "x" * 201})
    assert long.status_code == 413 and long.json()["error"]["details"]["field"] == "title"
    unknown = client.post("/v1/questions/similar", json={"title": "ok?", "tags": []})
    assert unknown.status_code == 422
    assert client.get("/v1/questions/search", params={"q": ""}).status_code == 422
    assert client.get("/v1/questions/search", params={"q": "x", "limit": 0}).status_code == 422
    # The route's names are not taken for question ids.
    assert client.get("/v1/questions/search", params={"q": "nothing here"}).json() == {
        "query": "nothing here",
        "results": [],
    }
