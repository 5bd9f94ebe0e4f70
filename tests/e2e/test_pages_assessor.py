"""The assessor's pages on the demo: the inbox, one submission, the assessment form.

What the form records is checked through the API (``/v1/submissions/{id}``): a refused form
is seen to have written nothing, a recorded one to carry the signed-in assessor's seat.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_pages import Site, _token, client, sign_in, site

__all__ = ["client", "site"]

AOIFE = "https://www.liffey-tu.example/assessors/aoife-byrne"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"


def api(site: Site, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site[1][name]['api_key']}"}


def the_submission(site: Site) -> dict[str, Any]:
    """The demo's submission (ada-walsh's), as the API shows it to its assessor."""
    found = (
        site[0]
        .get("/v1/submissions", params={"assessor": AOIFE}, headers=api(site, "assessor"))
        .json()["data"]
    )
    assert len(found) == 1 and found[0]["credential"] == PYTHON_COURSE
    return dict(found[0])


def short(submission: dict[str, Any]) -> str:
    return str(submission["id"])


def form(page: str, level: str = "8", result: str = "pass") -> dict[str, str]:
    """A full assessment: every skill the form asks about, with ``result`` at ``level``."""
    skills = re.findall(r'<tr data-skill="([^"]+)"', page)
    assert skills, "the form asks about no skill"
    values = {"csrf_token": _token(page), "comment": "Clear, tested code."}
    for uri in skills:
        values |= {f"result:{uri}": result, f"level:{uri}": level}
    return values


@pytest.fixture
def assessor(site: Site, client: TestClient) -> TestClient:
    sign_in(client, site[1]["assessor"])
    return client


def test_the_inbox_shows_the_submission_waiting_for_me(site: Site, assessor: TestClient) -> None:
    submission = the_submission(site)
    page = assessor.get("/assess")
    assert page.status_code == 200
    row = page.text.split(f'data-submission="{submission["uri"]}"')[1].split("</tr>")[0]
    assert f'href="/assess/{short(submission)}"' in row
    assert "Programming Fundamentals with Python" in row and "ada-walsh" in row
    assert "waiting for you" in row


def test_the_submission_shows_evidence_panel_and_a_form_without_an_assessor_field(
    site: Site, assessor: TestClient
) -> None:
    page = assessor.get(f"/assess/{short(the_submission(site))}")
    assert page.status_code == 200
    assert "https://github.com/ada-walsh/cleaning-dublin-bikes" in page.text
    assert "Dublin Bikes open data" in page.text
    assert f'data-member="{AOIFE}"' in page.text and "(you)" in page.text
    assert "ICT Skillnet" in page.text
    assert 'name="assessor"' not in page.text
    skills = re.findall(r'<tr data-skill="([^"]+)"', page.text)
    assert len(skills) == len(the_submission(site)["outcome"]["skills"]) > 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "high"}, "expected a whole number"),
        ({"level": "12"}, "outside the scale 1-8"),
        ({"drop": True}, "no result for"),
    ],
)
def test_bad_input_shows_beside_its_skill_keeps_what_was_typed_and_writes_nothing(
    site: Site, assessor: TestClient, change: dict[str, Any], message: str
) -> None:
    submission = the_submission(site)
    page = assessor.get(f"/assess/{short(submission)}").text
    values = form(page)
    first = re.findall(r'<tr data-skill="([^"]+)"', page)[0]
    if "level" in change:
        values[f"level:{first}"] = change["level"]
    else:
        del values[f"result:{first}"]
    response = assessor.post(f"/assess/{short(submission)}", data=values)
    assert response.status_code == 422
    row = response.text.split(f'<tr data-skill="{first}">')[1].split("</tr>")[0]
    assert message in row and 'role="alert"' in row
    assert "Clear, tested code." in response.text
    if "level" in change:
        assert f'value="{change["level"]}"' in row
    assert the_submission(site)["assessments"] == submission["assessments"] == []


def test_others_get_403_and_visitors_are_sent_to_sign_in(site: Site, client: TestClient) -> None:
    ref = short(the_submission(site))
    assert client.get(f"/assess/{ref}", follow_redirects=False).status_code == 303
    admin = api(site, "admin")
    created = client.post(
        "/v1/users",
        json={
            "name": "other-assessor",
            "password": "a long enough password 1",
            "grants": ["assessor:https://www.greatlakes-cc.example/assessors/someone"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    for name in ("member", "learner", "issuer", "other-assessor"):
        user = site[1].get(name) or {"name": name, "password": "a long enough password 1"}
        client.cookies.clear()
        sign_in(client, user)
        assert client.get(f"/assess/{ref}").status_code == 403, name
        token = _token(client.get("/").text)
        posted = client.post(f"/assess/{ref}", data={"csrf_token": token, "comment": "x"})
        assert posted.status_code == 403, name
        if name in ("member", "learner", "issuer"):
            assert client.get("/assess").status_code == 403, name
    assert the_submission(site)["assessments"] == []


def test_recording_an_assessment_shows_the_panel_agreeing(site: Site, assessor: TestClient) -> None:
    ref = short(the_submission(site))
    values = form(assessor.get(f"/assess/{ref}").text)
    response = assessor.post(f"/assess/{ref}", data=values, follow_redirects=False)
    assert response.status_code == 303, response.text
    recorded = the_submission(site)
    assert [a["assessor"] for a in recorded["assessments"]] == [AOIFE]
    assert all(r["passed"] and r["level"] == 8 for r in recorded["assessments"][0]["results"])
    page = assessor.get(response.headers["location"]).text
    assert "Your assessment is recorded." in page
    assert recorded["status"] == "ready" and "The panel agrees" in page
    member = page.split(f'data-member="{AOIFE}"')[1].split("</tr>")[0]
    assert "passed on" in member
    # The form shows what I recorded, to change it.
    assert 'value="pass" checked' in page
    inbox = assessor.get("/assess").text
    assert "waiting for you" not in inbox.split("<tbody>")[1]
