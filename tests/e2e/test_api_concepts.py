"""The HTTP API: search, match, concepts, health, errors and OpenAPI."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from api.main import create_app
from api.runtime import Runtime
from graph.settings import load_settings

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


def _is_error(body: dict[str, object], code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == code and error["message"] and isinstance(error["details"], dict)


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "store": None}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["store"] == "EmbeddedStore"


def test_readiness_is_503_while_the_store_cannot_open(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    blocked = tmp_path / "blocked.db"
    blocked.mkdir()
    settings = load_settings(store=f"sqlite:///{blocked}", load_demo=False)
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        _is_error(ready.json(), "backend_unavailable")
        search = client.get("/v1/skills/search", params={"q": "python"})
        assert search.status_code == 503
        _is_error(search.json(), "backend_unavailable")


def test_skill_search_ranks_python_first(client: TestClient) -> None:
    response = client.get("/v1/skills/search", params={"q": "python programming", "top": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "python programming" and body["kind"] == "skill"
    first = body["results"][0]
    assert first["uri"] == PYTHON
    assert first["label"] == "Python (computer programming)"
    assert 0 <= first["score"] <= 1
    assert first["evidence"]["terms"] == ["python", "program"]
    assert len(body["results"]) == 5


def test_occupation_search(client: TestClient) -> None:
    body = client.get("/v1/occupations/search", params={"q": "software developer"}).json()
    assert body["results"][0]["uri"] == SOFTWARE_DEVELOPER
    assert {r["kind"] for r in body["results"]} == {"occupation"}


def test_match_maps_each_text(client: TestClient) -> None:
    response = client.post(
        "/v1/match",
        json={"texts": ["write programs in Python", "weld metal parts"], "top": 3},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["text"] for r in results] == ["write programs in Python", "weld metal parts"]
    assert results[0]["matches"][0]["uri"] == PYTHON
    assert all(len(r["matches"]) <= 3 for r in results)
    for match in results[1]["matches"]:
        assert set(match) >= {"uri", "label", "score"}


def test_concept_with_its_relations(client: TestClient) -> None:
    response = client.get(f"/v1/concepts/{SOFTWARE_DEVELOPER}")
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "software developer" and body["kind"] == "occupation"
    assert body["isco_group"] == "2512"
    essential = [r for r in body["related"] if r["relation"] == "has_essential_skill"]
    assert essential and all(r["direction"] == "out" for r in essential)
    encoded = client.get(f"/v1/concepts/{quote(SOFTWARE_DEVELOPER, safe='')}")
    assert encoded.json()["uri"] == SOFTWARE_DEVELOPER


def test_unknown_concept_is_404_in_the_error_format(client: TestClient) -> None:
    response = client.get("/v1/concepts/http://example.org/nothing")
    assert response.status_code == 404
    _is_error(response.json(), "not_found")
    assert response.json()["error"]["details"] == {"uri": "http://example.org/nothing"}


def test_bad_requests_name_the_field(client: TestClient) -> None:
    empty = client.post("/v1/match", json={"texts": []})
    assert empty.status_code == 422
    _is_error(empty.json(), "invalid_input")
    assert empty.json()["error"]["details"]["field"] == "texts"
    top = client.get("/v1/skills/search", params={"q": "python", "top": 0})
    assert top.status_code == 422 and top.json()["error"]["details"]["field"] == "top"
    blank = client.post("/v1/match", json={"texts": ["   "]})
    assert blank.status_code == 422 and blank.json()["error"]["details"]["field"] == "texts[0]"
    lang = client.get("/v1/skills/search", params={"q": "python", "lang": "english!"})
    assert lang.status_code == 422


def test_oversized_payloads_are_refused(client: TestClient, runtime: Runtime) -> None:
    limit = runtime.settings.max_payload_bytes
    response = client.post(
        "/v1/match",
        content=b'{"texts": ["' + b"a" * limit + b'"]}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    _is_error(response.json(), "payload_too_large")


def test_unknown_routes_use_the_error_format(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    _is_error(response.json(), "not_found")


def test_openapi_documents_routes_and_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    search = spec["paths"]["/v1/skills/search"]["get"]
    assert {"200", "422", "503"} <= set(search["responses"])
    assert client.get("/docs").status_code == 200
