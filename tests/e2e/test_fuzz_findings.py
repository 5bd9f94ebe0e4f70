"""What schemathesis found (tests/e2e/test_schemathesis.py), each reduced to a request or two.

Each test names what was answered before the fix; all run on a fresh copy of the seeded store
(:mod:`tests.fixtures.seeded_api`), acting as the role the finding needed.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.fixtures.seeded_api import DATA_ANALYST, LEARNER, Seed


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, body
    return error


def test_an_unknown_role_in_grants_is_422(seeded_client: TestClient, api_seed: Seed) -> None:
    # Was 500: Role("<random>") raised ValueError in the route.
    admin = api_seed.headers("admin")
    for method, path, body in (
        ("POST", "/v1/users", {"name": "newcomer", "grants": ["wizard"]}),
        ("PUT", "/v1/users/fuzz-victim/grants", {"grants": ["wizard:urn:x"]}),
    ):
        found = _error(
            seeded_client.request(method, path, json=body, headers=admin), 422, "invalid_input"
        )
        assert found["details"]["field"].startswith("grants")
    assert seeded_client.get("/v1/users/newcomer", headers=admin).status_code == 404


def test_an_id_no_route_matches_is_a_documented_404(
    seeded_client: TestClient, api_seed: Seed
) -> None:
    # Was an undocumented 404: a line break in {learner_id:path} (whose pattern is ".*") or a
    # "/" in a {name} parameter matches no route, and the router answers before the route runs.
    mentor = api_seed.headers("mentor")
    admin = api_seed.headers("admin")
    spec = seeded_client.get("/openapi.json").json()["paths"]
    for method, path, template, headers in (
        ("GET", "/v1/learners/urn:x%0Ay/data", "/v1/learners/{learner_id}/data", mentor),
        ("GET", "/v1/learners/urn:x%0Ay/consents", "/v1/learners/{learner_id}/consents", admin),
        ("DELETE", "/v1/learners/urn:x%0Ay", "/v1/learners/{learner_id}", admin),
        ("GET", "/v1/users/a%2Fb", "/v1/users/{name}", admin),
    ):
        _error(seeded_client.request(method, path, headers=headers), 404, "not_found")
        assert "404" in spec[template][method.lower()]["responses"], f"{method} {template}"


def test_objective_weights_past_the_solver_are_422(
    seeded_client: TestClient, api_seed: Seed
) -> None:
    # Was 500: weights of 1e308 made the solver's objective infinite (scipy's ValueError), and
    # 1e300 made it answer no_pathway for a gap it closes at weight 1.
    body = {"learner": LEARNER, "target": f"occupation:{DATA_ANALYST}"}
    learner = api_seed.headers("learner")
    found = seeded_client.post("/v1/pathways", json=body, headers=learner)
    assert found.status_code == 200, found.text
    for weights in ({"cost": 1e308, "hours": 1e308}, {"cost": 1e300}, {"hours": 101}):
        response = seeded_client.post(
            "/v1/pathways", json={**body, "objective": weights}, headers=learner
        )
        error = _error(response, 422, "invalid_input")
        assert error["details"]["field"].startswith("objective."), error
