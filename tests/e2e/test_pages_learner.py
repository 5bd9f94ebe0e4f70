"""The learner's and the mentor's pages on the demo: what they show, their forms, who may see.

What a page shows is checked against the API's answer for the same question (both call the same
services), and every refused or bad form is checked through the API to have written nothing.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_pages import Site, _token, client, sign_in, site

__all__ = ["client", "site"]  # the fixtures of the pages' tests, one demo for this module

ADA = "https://credwalk.org/id/learner/ada-walsh"
OTHER = "https://credwalk.org/id/learner/bea-other"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL_COURSE = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"


@pytest.fixture(scope="module")
def users(site: Site) -> dict[str, dict[str, Any]]:
    """The demo's users, and a second learner to show one never reaches another's data."""
    client, demo_users, _ = site
    created = client.post(
        "/v1/users",
        json={"name": "bea", "password": "a long password", "grants": [f"learner:{OTHER}"]},
        headers=_key(demo_users["admin"]),
    )
    assert created.status_code == 201, created.text
    return {**demo_users, "bea": {"name": "bea", "password": "a long password"}}


def _key(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['api_key']}"}


def _api(client: TestClient, user: dict[str, Any], method: str, path: str, **kw: Any) -> Any:
    response = client.request(method, path, headers=_key(user), **kw)
    assert response.status_code < 300, response.text
    return response.json()


def _record(client: TestClient, users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = _api(client, users["learner"], "GET", f"/v1/learners/{ADA}")
    return data


def _submissions(client: TestClient, users: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    found = _api(client, users["learner"], "GET", "/v1/submissions", params={"learner": ADA})
    return list(found["data"])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _error_beside(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="f-{re.escape(field)}-error"[^>]*>([^<]+)</p>', html)
    assert found, f"no message beside {field}"
    return found.group(1)


# --- my competences -------------------------------------------------------------------------


def test_my_competences_are_grouped_by_source_with_links(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["learner"])
    page = client.get("/me")
    assert page.status_code == 200
    record = _record(client, users)
    entered = page.text.split('data-group="self_declared"')[1].split("</section>")[0]
    for competence in record["competences"]:
        if competence["source"] == "self_declared":
            assert f'href="/concepts/{competence["skill"]}"' in entered
    held = page.text.split('data-group="credential"')[1].split("</section>")[0]
    title = _api(client, users["learner"], "GET", f"/v1/credentials/{SQL_COURSE}")["title"]
    assert f'href="/credentials/{SQL_COURSE}"' in held and title in held


def test_declaring_a_competence_writes_it_through_the_learners_service(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["learner"])
    token = _token(client.get("/me").text)
    saved = client.post(
        "/me/competences",
        data={"csrf_token": token, "skill": PYTHON_SKILL, "skill_label": "Python", "level": "5"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/me")
    mine = [
        c
        for c in _record(client, users)["competences"]
        if c["skill"] == PYTHON_SKILL and c["source"] == "self_declared"
    ]
    assert [c["level"] for c in mine] == [5]  # changed, not added twice
    assert "Saved." in client.get(saved.headers["location"]).text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"skill": DATA_ANALYST, "skill_label": "data analyst", "level": "3"}, "skill", "unknown"),
        ({"skill": "", "skill_label": "no such skill at all", "level": "3"}, "skill", "pick"),
        ({"skill": PYTHON_SKILL, "skill_label": "Python", "level": "9"}, "level", "1-8"),
        ({"skill": PYTHON_SKILL, "skill_label": "Python", "level": ""}, "level", "level"),
    ],
)
def test_a_bad_competence_keeps_what_was_typed_and_writes_nothing(
    client: TestClient,
    users: dict[str, dict[str, Any]],
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    sign_in(client, users["learner"])
    before = _record(client, users)
    token = _token(client.get("/me").text)
    response = client.post("/me/competences", data={"csrf_token": token, **form})
    assert response.status_code == 422
    assert message in _error_beside(response.text, field)
    assert f'value="{form["skill_label"]}"' in response.text
    assert _record(client, users)["competences"] == before["competences"]


# --- my pathway -----------------------------------------------------------------------------


def test_the_pathway_page_shows_the_gap_and_the_pathways_the_api_finds(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["learner"])
    query = {"kind": "occupation", "occupation": DATA_ANALYST, "jurisdiction": "IE"}
    page = client.get("/me/pathway", params=query)
    assert page.status_code == 200
    gap = _api(
        client,
        users["learner"],
        "GET",
        f"/v1/learners/{ADA}/gaps",
        params={"target": f"occupation:{DATA_ANALYST}"},
    )
    for coverage in ("covered", "partial", "missing"):
        count = re.search(rf'data-count="{coverage}">(\d+)', page.text)
        assert count and int(count.group(1)) == len(gap[coverage])
    found = _api(
        client,
        users["learner"],
        "POST",
        "/v1/pathways",
        json={"learner": ADA, "target": f"occupation:{DATA_ANALYST}", "jurisdiction": "IE"},
    )
    best = found["pathways"][0]
    best_section = page.text.split('data-pathway="best"')[1].split("</section>")[0]
    steps = re.findall(r'data-step="([^"]+)"', best_section)
    assert steps == [s["credential"] for s in best["steps"]]  # in prerequisite order
    assert f"{best['cost']:,.0f} EUR" in _text(best_section.split("data-total")[1])
    assert best["explanation"] in page.text  # why this one
    alternatives = re.findall(r'data-alternative="(\d+)"', page.text)
    assert len(alternatives) == len(found["pathways"])
    assert "<svg" in page.text.split("data-alternatives")[1]


def test_a_skill_set_target_picked_with_the_pickers(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["learner"])
    page = client.get(
        "/me/pathway",
        params={
            "kind": "skills",
            "skill": PYTHON_SKILL,
            "skill_label": "Python",
            "skill_level": "7",
        },
    )
    assert page.status_code == 200
    assert f'href="/concepts/{PYTHON_SKILL}"' in page.text.split("data-gap")[1]
    assert 'value="Python"' in page.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "occupation", "occupation_label": "data anal"}, "occupation"),
        ({"kind": "credential", "credential_label": "nothing"}, "credential"),
        ({"kind": "skills"}, "skills"),
        ({"kind": "occupation", "occupation": DATA_ANALYST, "max_cost": "cheap"}, "max_cost"),
        ({"kind": "occupation", "occupation": DATA_ANALYST, "max_hours": "-5"}, "max_hours"),
        ({"kind": "occupation", "occupation": DATA_ANALYST, "jurisdiction": "ZZ"}, "jurisdiction"),
    ],
)
def test_a_bad_pathway_question_says_which_field(
    client: TestClient, users: dict[str, dict[str, Any]], query: dict[str, str], field: str
) -> None:
    sign_in(client, users["learner"])
    page = client.get("/me/pathway", params=query)
    assert page.status_code == 422
    assert _error_beside(page.text, field)
    for name, value in query.items():
        if name not in {"kind", "jurisdiction", "occupation", "credential"}:
            assert f'value="{value}"' in page.text  # what was typed stays


# --- my submissions -------------------------------------------------------------------------


def test_my_submissions_and_one_with_its_evidence_and_panel(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["learner"])
    listing = client.get("/me/submissions")
    assert listing.status_code == 200
    for submission in _submissions(client, users):
        assert f'href="/me/submissions/{submission["id"]}"' in listing.text
    demo = next(s for s in _submissions(client, users) if s["credential"] == PYTHON_COURSE)
    page = client.get(f"/me/submissions/{demo['id']}")
    assert page.status_code == 200
    for evidence in demo["evidence"]:
        assert (evidence.get("url") or evidence.get("text")) in page.text
    members = re.findall(r'data-assessor="([^"]+)"', page.text)
    assert members == [a["id"] for a in demo["assessors"]]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (
            {"credential": "", "credential_label": "Python", "url": "https://x.example"},
            "credential",
        ),
        (
            {"credential": SQL_COURSE, "credential_label": "SQL", "url": "https://x.example"},
            "credential",
        ),
        ({"credential": PYTHON_COURSE, "credential_label": "Python", "url": "not a link"}, "url"),
        ({"credential": PYTHON_COURSE, "credential_label": "Python", "url": "", "text": ""}, "url"),
    ],
)
def test_a_bad_submission_keeps_what_was_typed_and_writes_nothing(
    client: TestClient, users: dict[str, dict[str, Any]], form: dict[str, str], field: str
) -> None:
    sign_in(client, users["learner"])
    before = _submissions(client, users)
    token = _token(client.get("/me/submissions").text)
    response = client.post("/me/submissions", data={"csrf_token": token, **form})
    assert response.status_code == 422
    assert _error_beside(response.text, field)
    assert f'value="{form["credential_label"]}"' in response.text
    if form["url"]:
        assert f'value="{form["url"]}"' in response.text
    assert _submissions(client, users) == before


def test_submitting_work_routes_it_to_the_panel(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["learner"])
    before = {s["id"] for s in _submissions(client, users)}
    token = _token(client.get("/me/submissions").text)
    response = client.post(
        "/me/submissions",
        data={
            "csrf_token": token,
            "credential": PYTHON_COURSE,
            "credential_label": "Programming Fundamentals with Python",
            "name": "Bike data notebook",
            "url": "https://example.org/ada/bikes",
            "text": "A notebook that cleans the bike data.",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    new = {s["id"] for s in _submissions(client, users)} - before
    assert len(new) == 1 and response.headers["location"] == f"/me/submissions/{new.pop()}"
    page = client.get(response.headers["location"])
    assert "Bike data notebook" in page.text and 'data-status="submitted"' in page.text


# --- my proofs ------------------------------------------------------------------------------


def _issue_a_proof(client: TestClient, users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The assessor passes the demo submission and the learner asks for its proof (API)."""
    existing = _api(client, users["learner"], "GET", "/v1/submissions", params={"learner": ADA})
    for s in existing["data"]:
        if s["proof"]:
            return dict(
                _api(client, users["learner"], "GET", f"/v1/proofs/{s['proof'].rpartition('/')[2]}")
            )
    demo = next(s for s in existing["data"] if s["credential"] == PYTHON_COURSE)
    results = [
        {"skill": skill["skill"], "passed": True, "level": skill["required_level"]}
        for skill in demo["outcome"]["skills"]
    ]
    _api(
        client,
        users["assessor"],
        "POST",
        f"/v1/submissions/{demo['id']}/assessments",
        json={"results": results},
    )
    proof: dict[str, Any] = _api(
        client, users["learner"], "POST", "/v1/proofs", json={"submission": demo["id"]}
    )
    return proof


def test_my_proofs_download_verify_and_qr(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    proof = _issue_a_proof(client, users)
    sign_in(client, users["learner"])
    page = client.get("/me/proofs")
    assert page.status_code == 200
    card = page.text.split(f'data-proof="{proof["uri"]}"')[1].split("</li>")[0]
    assert "<svg" in card and "QR code of http://testserver/verify" in card
    link = re.search(r'href="(/me/proofs/[^"]+/download)"', card)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    signed = _api(client, users["learner"], "GET", f"/v1/proofs/{proof['id']}/credential")
    assert download.json() == signed
    # "Verify it now" posts the document to the verification page.
    document = re.search(r'name="document" value="([^"]*)"', card)
    assert document
    checked = client.post(
        "/verify", data={"csrf_token": _token(card), "document": html.unescape(document.group(1))}
    )
    assert checked.status_code == 200 and 'data-verified="true"' in checked.text
    # The competences it proves show on /me, from the proof.
    assert 'data-group="proof"' in client.get("/me").text


# --- who may see what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/me", "/me/pathway", "/me/submissions", "/me/proofs", "/mentees"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={quote(path)}"


@pytest.mark.parametrize("name", ["mentor", "issuer", "assessor", "advisor", "member"])
def test_other_roles_have_no_learner_pages(
    client: TestClient, users: dict[str, dict[str, Any]], name: str
) -> None:
    sign_in(client, users[name])
    for path in ("/me", "/me/pathway", "/me/submissions", "/me/proofs"):
        response = client.get(path)
        assert response.status_code == 403 and "text/html" in response.headers["content-type"]


def test_a_learner_sees_only_their_own_data(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    ada_submission = _submissions(client, users)[0]["id"]
    proof = _issue_a_proof(client, users)
    sign_in(client, users["bea"])
    mine = client.get("/me")
    assert mine.status_code == 200 and PYTHON_SKILL not in mine.text  # not Ada's
    assert ada_submission not in client.get("/me/submissions").text
    assert proof["id"] not in client.get("/me/proofs").text
    for path in (
        f"/me/submissions/{ada_submission}",
        f"/me/proofs/{proof['id']}/download",
        f"/mentees/{ADA}",
        f"/mentees/submissions/{ada_submission}",
        f"/mentees/proofs/{proof['id']}/download",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "text/html" in response.headers["content-type"] and ADA not in response.text
    # A competence Bea declares lands in her record, never in Ada's.
    before = _record(client, users)
    token = _token(client.get("/me").text)
    saved = client.post(
        "/me/competences",
        data={"csrf_token": token, "skill": PYTHON_SKILL, "skill_label": "Python", "level": "2"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _record(client, users) == before
    assert PYTHON_SKILL in client.get("/me").text


def test_the_mentor_sees_what_the_consent_opens_read_only(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["mentor"])
    listing = client.get("/mentees")
    assert listing.status_code == 200 and f'href="/mentees/{ADA}"' in listing.text
    page = client.get(f"/mentees/{ADA}")
    assert page.status_code == 200 and "data-closed" not in page.text
    for competence in _record(client, users)["competences"]:
        assert f'href="/concepts/{competence["skill"]}"' in page.text
    assert 'action="/me/competences"' not in page.text  # read-only
    for submission in _submissions(client, users):
        assert f'href="/mentees/submissions/{submission["id"]}"' in page.text
        assert client.get(f"/mentees/submissions/{submission['id']}").status_code == 200
    gap = client.get(f"/mentees/{ADA}", params={"kind": "occupation", "occupation": DATA_ANALYST})
    assert gap.status_code == 200 and "data-gap" in gap.text and 'data-pathway="best"' in gap.text


def test_a_consent_opens_only_its_scopes_and_ends_when_revoked(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    member = _api(client, users["admin"], "GET", "/v1/users/member")["id"]
    consent = _api(
        client,
        users["learner"],
        "POST",
        f"/v1/learners/{ADA}/consents",
        json={"grantee": member, "scopes": ["submissions"]},
    )
    sign_in(client, users["member"])
    page = client.get(f"/mentees/{ADA}")
    assert page.status_code == 200
    closed = re.findall(r"does not share their (\w+) with you", page.text)
    assert sorted(closed) == ["competences", "pathways", "proofs"]
    assert PYTHON_SKILL not in page.text  # competences stay closed
    _api(client, users["learner"], "DELETE", f"/v1/consents/{consent['id']}")
    assert client.get(f"/mentees/{ADA}").status_code == 403
    assert f'href="/mentees/{ADA}"' not in client.get("/mentees").text


def test_a_proof_verifies_by_upload_too(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    proof = _issue_a_proof(client, users)
    signed = client.get(
        f"/v1/proofs/{proof['id']}/credential", headers=_key(users["learner"])
    ).content
    token = _token(client.get("/verify").text)
    checked = client.post(
        "/verify",
        data={"csrf_token": token, "document": ""},
        files={"file": ("proof.json", signed, "application/json")},
    )
    assert checked.status_code == 200 and 'data-verified="true"' in checked.text
    tampered = signed.replace(b'"level"', b'"levels"', 1)
    assert tampered != signed
    refused = client.post(
        "/verify",
        data={"csrf_token": token, "document": ""},
        files={"file": ("proof.json", tampered, "application/json")},
    )
    assert refused.status_code == 200 and 'data-verified="false"' in refused.text
