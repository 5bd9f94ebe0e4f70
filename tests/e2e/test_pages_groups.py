"""The group pages on the demo: the leader's progress, the mentor's recommend form, the learner's
decision beside their pathway, and who may see them."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.test_pages import _token, client, sign_in, site

__all__ = ["client", "site"]

ADA = "https://credwalk.org/id/learner/ada-walsh"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
SQL_COURSE = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"


def _key(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['api_key']}"}


def _recommendations(client: TestClient, users: dict[str, Any]) -> list[dict[str, Any]]:
    found = client.get(
        "/v1/recommendations", params={"learner": ADA}, headers=_key(users["learner"])
    )
    assert found.status_code == 200, found.text
    return list(found.json()["recommendations"])


def test_the_leader_sees_the_groups_progress_as_chart_and_table(
    client: TestClient, site: Any
) -> None:
    users = site[1]
    api = client.get("/v1/groups/dublin-data-cohort/progress", headers=_key(users["leader"])).json()
    sign_in(client, users["leader"])
    page = client.get("/groups/dublin-data-cohort")
    assert page.status_code == 200
    assert '<svg class="progress-chart"' in page.text and "data-coverage" in page.text
    assert f"data-counted>{api['counted']}<" in page.text and api["counted"] == 1
    for target in api["targets"]:
        assert target["label"] in page.text
        assert f"{target['points'][-1]['percent']} %" in page.text
    assert "Dublin data cohort" in client.get("/groups").text


def test_the_mentor_recommends_and_the_learner_accepts_beside_the_pathway(
    client: TestClient, site: Any
) -> None:
    users = site[1]
    before = _recommendations(client, users)
    sign_in(client, users["mentor"])
    form = client.get("/groups/dublin-data-cohort")
    assert form.status_code == 200 and "Recommend to a learner" in form.text
    bad = client.post(
        "/groups/dublin-data-cohort/recommendations",
        data={
            "csrf_token": _token(form.text),
            "learner": ADA,
            "kind": "target",
            "target": "credential:https://nowhere.example/x",
            "reason": "Typed reason",
        },
    )
    assert bad.status_code == 422
    assert re.search(r'id="f-target-error"[^>]*>target: ', bad.text)
    assert "Typed reason" in bad.text and "credential:https://nowhere.example/x" in bad.text
    assert _recommendations(client, users) == before  # nothing written
    sent = client.post(
        "/groups/dublin-data-cohort/recommendations",
        data={
            "csrf_token": _token(form.text),
            "learner": ADA,
            "kind": "target",
            "target": f"credential:{SQL_COURSE}",
            "reason": "SQL first: the cohort's data work needs it.",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    client.cookies.clear()
    sign_in(client, users["learner"])
    pathway = client.get("/me/pathway")
    assert "SQL first: the cohort" in pathway.text and "From mentor" in pathway.text
    (made,) = [r for r in _recommendations(client, users) if r["reason"].startswith("SQL first")]
    decided = client.post(
        f"/me/recommendations/{made['id'].rpartition('/')[2]}",
        data={"csrf_token": _token(pathway.text), "decision": "accept"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    after = client.get("/me/pathway")
    assert f"credential:{SQL_COURSE}" in after.text and "data-my-target" in after.text
    assert "You accepted it" in after.text


def test_other_roles_are_refused_the_group_and_anonymous_signs_in(
    client: TestClient, site: Any
) -> None:
    users = site[1]
    assert client.get("/groups/dublin-data-cohort", follow_redirects=False).status_code in {
        302,
        303,
        307,
    }
    for name in ("learner", "issuer", "member", "advisor"):
        client.cookies.clear()
        sign_in(client, users[name])
        assert client.get("/groups/dublin-data-cohort").status_code == 403, name
    client.cookies.clear()
    sign_in(client, users["leader"])
    refused = client.post(
        "/me/recommendations/abc",
        data={"csrf_token": _token(client.get("/groups").text), "decision": "accept"},
    )
    assert refused.status_code in {403, 404}


def test_a_learner_stops_and_resumes_sharing_and_the_progress_follows(
    client: TestClient, site: Any
) -> None:
    users = site[1]

    def counted() -> int:
        found = client.get("/v1/groups/dublin-data-cohort/progress", headers=_key(users["leader"]))
        return int(found.json()["counted"])

    assert counted() == 1
    sign_in(client, users["learner"])
    page = client.get("/me/pathway")
    assert 'data-sharing="on"' in page.text
    stop = client.post(
        "/me/groups/dublin-data-cohort/sharing",
        data={"csrf_token": _token(page.text)},
        follow_redirects=False,
    )
    assert stop.status_code == 303 and counted() == 0
    assert 'data-sharing="off"' in client.get("/me/pathway").text
    forged = client.post("/me/groups/dublin-data-cohort/sharing", data={"shares": "on"})
    assert forged.status_code == 403 and counted() == 0  # no CSRF token: nothing written
    client.post(
        "/me/groups/dublin-data-cohort/sharing",
        data={"csrf_token": _token(page.text), "shares": "on"},
    )
    assert counted() == 1


def test_the_mentor_loses_the_learner_when_the_consent_or_the_link_goes(
    client: TestClient, site: Any
) -> None:
    """Last of the module: it withdraws Ada's consent to the demo mentor."""
    users = site[1]
    learner, leader = _key(users["learner"]), _key(users["leader"])
    sign_in(client, users["mentor"])
    assert client.get(f"/mentees/{ADA}").status_code == 200
    consents = client.get(f"/v1/learners/{ADA}/consents", headers=learner).json()["data"]
    for consent in consents:
        revoked = client.delete(f"/v1/consents/{consent['id']}", headers=learner)
        assert revoked.status_code == 200, revoked.text
    refused = client.get(f"/mentees/{ADA}")  # the very next request
    assert refused.status_code == 403 and "Python" not in refused.text
    mentor_user = consents[0]["grantee"]
    again = client.post(
        f"/v1/learners/{ADA}/consents",
        json={"grantee": mentor_user, "scopes": ["competences"]},
        headers=learner,
    )
    assert again.status_code == 201, again.text
    assert client.get(f"/mentees/{ADA}").status_code == 200
    group = client.get("/v1/groups/dublin-data-cohort", headers=leader).json()
    body = {k: group[k] for k in ("name", "kind", "mentors", "targets")}
    unlinked = client.put(
        "/v1/groups/dublin-data-cohort",
        json={**body, "learners": [ADA], "links": []},
        headers=leader,
    )
    assert unlinked.status_code == 200, unlinked.text
    assert client.get(f"/mentees/{ADA}").status_code == 403  # a consent, but no link
