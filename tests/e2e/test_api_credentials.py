"""Issuers, credentials, curriculum mapping, decisions and exports over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
ISSUER = {
    "id": "https://www.ucd.ie",
    "name": "University College Dublin",
    "type": "institution",
    "jurisdiction": "IE",
}
CREDENTIAL: dict[str, Any] = {
    "id": "https://www.ucd.ie/credentials/data-programming",
    "type": "MicroCredential",
    "title": "Programming for data analysis",
    "language": "en",
    "issuer": ISSUER,
    "jurisdiction": "IE",
    "recognized_in": ["IE", "EU"],
    "level": {"framework": "ie-nfq", "value": 8},
    "credits": {"value": 5, "unit": "ECTS"},
    "hours": 125,
    "cost": {"amount": 450, "currency": "EUR"},
    "learning_outcomes": [
        "Write Python programs that clean and analyse data",
        "Query relational databases with SQL",
    ],
    "skills": [{"uri": PYTHON, "level": 4, "status": "confirmed"}],
}
URL = f"/v1/credentials/{CREDENTIAL['id']}"


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    return error


def test_create_read_list_update(client: TestClient) -> None:
    created = client.post("/v1/credentials", json=CREDENTIAL)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["issuer"] == ISSUER["id"] and body["skills"][0]["uri"] == PYTHON
    assert client.get(f"/v1/issuers/{ISSUER['id']}").json()["name"] == ISSUER["name"]
    assert client.get(URL).json()["title"] == CREDENTIAL["title"]
    listed = client.get("/v1/credentials", params={"jurisdiction": "IE", "eqf_level": 6}).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == CREDENTIAL["id"]
    assert client.get("/v1/credentials", params={"jurisdiction": "DE"}).json()["count"] == 0
    renamed = client.put(URL, json={**CREDENTIAL, "title": "Data programming"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Data programming"


def test_mapping_and_decisions(client: TestClient) -> None:
    client.post("/v1/credentials", json=CREDENTIAL)
    mapping = client.post(f"{URL}/mapping", json={"top": 3}).json()
    assert mapping["method"] == "hybrid" and len(mapping["outcomes"]) == 2
    second = mapping["outcomes"][1]["matches"][0]
    assert second["uri"] == SQL and second["band"] in {"high", "medium", "low"}
    assert "matched the" in second["reason"]
    stored = {s["uri"]: s for s in client.get(URL).json()["skills"]}
    assert stored[PYTHON]["status"] == "confirmed"  # decided before: untouched
    assert stored[SQL]["status"] == "suggested"
    decided = client.post(f"{URL}/decisions", json={"skill": SQL, "decision": "reject"})
    assert decided.status_code == 200
    # Who decided is the authenticated caller, never a field of the body.
    decided_skill = {s["uri"]: s for s in decided.json()["skills"]}[SQL]
    assert decided_skill["decided_by"].endswith("/user/test-admin")
    named = client.post(f"{URL}/decisions", json={"skill": SQL, "decision": "accept", "by": "x"})
    _error(named, 422, "invalid_input")
    again = client.post(f"{URL}/decisions", json={"skill": SQL, "decision": "accept"})
    _error(again, 409, "conflict")


def test_exports(client: TestClient) -> None:
    client.post("/v1/credentials", json=CREDENTIAL)
    ctdl = client.get(f"{URL}/export", params={"format": "ctdl"}).json()
    assert any("ceterms" in key or "ceterms" in str(value) for key, value in ctdl.items())
    assert PYTHON in str(ctdl)
    badge = client.get(f"{URL}/export", params={"format": "ob3"}).json()
    assert "Achievement" in str(badge["type"])
    assert any(a.get("targetUrl") == PYTHON for a in badge["alignment"])


def test_bad_input_names_the_field_and_keeps_what_was_accepted(client: TestClient) -> None:
    client.post("/v1/credentials", json=CREDENTIAL)
    unknown_skill = {**CREDENTIAL, "title": "x", "skills": [{"uri": SQL + "x", "level": 3}]}
    error = _error(client.post("/v1/credentials", json=unknown_skill), 422, "invalid_input")
    assert error["details"]["field"] == "skills[0].uri"
    unknown_issuer = {**CREDENTIAL, "title": "x", "issuer": "https://nobody.example"}
    error = _error(client.post("/v1/credentials", json=unknown_issuer), 422, "invalid_input")
    assert error["details"]["field"] == "issuer"
    missing_title = {k: v for k, v in CREDENTIAL.items() if k != "title"}
    error = _error(client.post("/v1/credentials", json=missing_title), 422, "invalid_source")
    assert "title" in error["message"]
    bad_level = {**CREDENTIAL, "title": "x", "level": {"framework": "ie-nfq", "value": 11}}
    _error(client.post("/v1/credentials", json=bad_level), 422, "invalid_input")
    broken = client.post(
        "/v1/credentials", content=b'{"id": ', headers={"content-type": "application/json"}
    )
    assert _error(broken, 400, "malformed_json")
    assert client.get(URL).json()["title"] == CREDENTIAL["title"]
    mismatch = client.put(URL, json={**CREDENTIAL, "id": "https://www.ucd.ie/other"})
    assert _error(mismatch, 422, "invalid_input")["details"]["field"] == "id"
    _error(client.get("/v1/credentials/https://nowhere.example/c"), 404, "not_found")
