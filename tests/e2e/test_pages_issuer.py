"""The issuer's pages on the demo: catalogue, credential form, mapping review, export, equivalents.

What a page writes is checked through the API (``/v1/credentials/...``), so a form that shows
an error is seen to have written nothing, and a form that saved is seen to have saved.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_pages import Site, _token, client, sign_in, site

__all__ = ["client", "site"]

PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
DESIGN = "https://www.liffey-tu.example/credentials/software-design-requirements"
PROJECT = "https://www.liffey-tu.example/credentials/software-engineering-project"
FINANCE = "https://www.liffey-tu.example/credentials/financial-reporting-analysis"
ACCOUNTING = "https://www.liffey-tu.example/credentials/accounting-processes-controls"
OTHERS = "https://www.greatlakes-cc.example/credentials/python-programming-1"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def q(iri: str) -> str:
    return quote(iri, safe="")


def stored(client: TestClient, iri: str) -> tuple[dict[str, Any], str]:
    """The credential as the API has it now, and its ETag."""
    response = client.get(f"/v1/credentials/{iri}")
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def form_of(html: str) -> dict[str, str]:
    """The values of a page's credential form, as a browser would send them back."""
    values = dict(
        re.findall(
            r'<input id="f-[^"]+" name="([^"]+)" type="(?:text|hidden)" value="([^"]*)"', html
        )
    )
    values.update(
        re.findall(r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', html)
    )
    values["version"] = re.search(r'name="version" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    values["csrf_token"] = _token(html)
    values["credits_unit"] = "ECTS"
    return {
        k: v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
        for k, v in values.items()
    }


@pytest.fixture
def issuer(site: Site, client: TestClient) -> TestClient:
    sign_in(client, site[1]["issuer"])
    return client


def test_the_catalogue_lists_my_issuers_credentials_with_their_review_state(
    issuer: TestClient,
) -> None:
    page = issuer.get("/catalogue")
    assert page.status_code == 200
    listed = re.findall(r'<tr data-credential="([^"]+)"', page.text)
    mine = {
        c["id"]
        for c in issuer.get(
            "/v1/credentials", params={"issuer": "https://www.liffey-tu.example"}
        ).json()["data"]
    }
    assert set(listed) == mine and PYTHON_COURSE in listed
    assert not any("greatlakes" in iri for iri in listed)
    row = page.text.split(f'data-credential="{PYTHON_COURSE}"')[1].split("</tr>")[0]
    confirmed = sum(s["status"] == "confirmed" for s in stored(issuer, PYTHON_COURSE)[0]["skills"])
    assert f'<td class="num">{confirmed}</td>' in row
    for page_name in ("edit", "mapping", "export", "equivalents"):
        assert f"/catalogue/{page_name}?id=" in row


def test_editing_a_credential_saves_it_and_bumps_its_version(issuer: TestClient) -> None:
    page = issuer.get(f"/catalogue/edit?id={q(DESIGN)}")
    assert page.status_code == 200
    before, etag = stored(issuer, DESIGN)
    values = form_of(page.text)
    assert values["title"] == before["title"] and values["version"] == etag.strip('"')
    values |= {
        "title": "Software Design (revised)",
        "hours": "125",
        "cost": "450",
        "levels": "EQF 6",
    }
    response = issuer.post(f"/catalogue/edit?id={q(DESIGN)}", data=values, follow_redirects=False)
    assert response.status_code == 303, response.text
    after, new_etag = stored(issuer, DESIGN)
    assert after["title"] == "Software Design (revised)" and after["hours"] == 125
    assert after["cost"]["amount"] == 450 and new_etag != etag
    # What the form does not show (suggestions, prerequisites) is kept.
    assert {s["uri"] for s in after["skills"]} == {s["uri"] for s in before["skills"]}
    assert "Saved" in issuer.get(response.headers["location"]).text


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("hours", "a lot", "hours: expected a number"),
        ("levels", "EQF 12", "levels[0]"),
        ("jurisdiction", "XX", "unknown jurisdiction"),
        ("skills", "http://data.europa.eu/esco/skill/no-such-skill 3", "unknown skill"),
        ("skills", "python 3", "skills line 1"),
        ("title", "  ", "needs a title"),
    ],
)
def test_bad_input_shows_beside_its_field_keeps_what_was_typed_and_writes_nothing(
    issuer: TestClient, field: str, typed: str, message: str
) -> None:
    before, etag = stored(issuer, PROJECT)
    values = form_of(issuer.get(f"/catalogue/edit?id={q(PROJECT)}").text)
    values |= {"description": "typed and kept", field: typed}
    response = issuer.post(f"/catalogue/edit?id={q(PROJECT)}", data=values)
    assert response.status_code == 422
    error = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', response.text)
    assert error and message in error.group(1), response.text[-3000:]
    assert "typed and kept" in response.text and 'aria-invalid="true"' in response.text
    assert f'action="/catalogue/edit?id={quote(PROJECT, safe="/")}"' in response.text  # again
    assert stored(issuer, PROJECT) == (before, etag)


def test_a_stale_edit_is_refused_with_a_message_and_loses_nothing_typed(issuer: TestClient) -> None:
    form = form_of(issuer.get(f"/catalogue/edit?id={q(FINANCE)}").text)
    # Someone else saves first (the same form, another title).
    other = form | {"title": "Financial Reporting (their change)"}
    assert (
        issuer.post(
            f"/catalogue/edit?id={q(FINANCE)}", data=other, follow_redirects=False
        ).status_code
        == 303
    )
    mine = form | {"title": "Financial Reporting (my change)"}
    response = issuer.post(f"/catalogue/edit?id={q(FINANCE)}", data=mine)
    assert response.status_code == 409
    assert "Someone saved this credential while you were editing it" in response.text
    assert 'value="Financial Reporting (my change)"' in response.text
    assert stored(issuer, FINANCE)[0]["title"] == "Financial Reporting (their change)"


def test_another_issuers_credential_cannot_be_edited(issuer: TestClient) -> None:
    before = stored(issuer, OTHERS)
    page = issuer.get(f"/catalogue/edit?id={q(OTHERS)}")
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert "not staff of the issuer https://www.greatlakes-cc.example" in page.text
    token = _token(issuer.get("/catalogue/new").text)
    posted = issuer.post(
        f"/catalogue/edit?id={q(OTHERS)}",
        data={"csrf_token": token, "title": "Taken over", "version": before[1].strip('"')},
    )
    assert posted.status_code == 403
    # Nor by creating it anew under my issuer, nor through the mapping pages.
    created = issuer.post(
        "/catalogue/new",
        data={
            "csrf_token": token,
            "id": OTHERS,
            "issuer": "https://www.liffey-tu.example",
            "title": "x",
        },
    )
    assert created.status_code == 422 and "already" in created.text
    for path in ("mapping", "mapping/decisions"):
        response = issuer.post(
            f"/catalogue/{path}?id={q(OTHERS)}",
            data={
                "csrf_token": token,
                "syllabus": "Write Python",
                f"decision:{PYTHON_SKILL}": "reject",
            },
        )
        assert response.status_code == 403
    assert stored(issuer, OTHERS) == before


def test_a_new_credential_is_created_and_its_bad_input_writes_nothing(issuer: TestClient) -> None:
    page = issuer.get("/catalogue/new")
    token = _token(page.text)
    new_iri = "https://www.liffey-tu.example/credentials/data-analysis-with-python"
    values = {
        "csrf_token": token,
        "id": new_iri,
        "issuer": "https://www.liffey-tu.example",
        "title": "Data Analysis with Python",
        "language": "en",
        "jurisdiction": "IE",
        "levels": "EQF 5",
        "credits": "5",
        "credits_unit": "ECTS",
        "hours": "oops",
        "outcomes": "Clean a data set with pandas\nPlot a time series",
        "skills": f"{PYTHON_SKILL} 4",
    }
    bad = issuer.post("/catalogue/new", data=values)
    assert bad.status_code == 422 and 'id="f-hours-error"' in bad.text
    assert "Plot a time series" in bad.text and 'value="Data Analysis with Python"' in bad.text
    assert issuer.get(f"/v1/credentials/{new_iri}").status_code == 404
    good = issuer.post("/catalogue/new", data=values | {"hours": "125"}, follow_redirects=False)
    assert good.status_code == 303, good.text
    created, _ = stored(issuer, new_iri)
    assert created["issuer"] == "https://www.liffey-tu.example" and created["credits"]["value"] == 5
    assert created["learning_outcomes"] == ["Clean a data set with pandas", "Plot a time series"]
    assert [(s["uri"], s["level"], s["status"]) for s in created["skills"]] == [
        (PYTHON_SKILL, 4, "confirmed")
    ]
    assert new_iri in issuer.get("/catalogue").text


def test_mapping_a_syllabus_suggests_skills_per_outcome_to_accept_or_reject(
    issuer: TestClient,
) -> None:
    page = issuer.get(f"/catalogue/mapping?id={q(ACCOUNTING)}")
    assert page.status_code == 200 and "Outcome 1:" in page.text
    token = _token(page.text)
    before = stored(issuer, ACCOUNTING)
    empty = issuer.post(
        f"/catalogue/mapping?id={q(ACCOUNTING)}", data={"csrf_token": token, "syllabus": " \n "}
    )
    assert empty.status_code == 422 and 'id="f-syllabus-error"' in empty.text
    assert stored(issuer, ACCOUNTING) == before  # nothing written by the empty syllabus
    syllabus = (
        "Write Python programs that read and clean data\nDesign relational databases with SQL"
    )
    mapped = issuer.post(
        f"/catalogue/mapping?id={q(ACCOUNTING)}",
        files={"file": ("syllabus.txt", syllabus.encode(), "text/plain")},
        data={"csrf_token": token, "syllabus": ""},
    )
    assert mapped.status_code == 200 and "new suggestions to review" in mapped.text
    after, _ = stored(issuer, ACCOUNTING)
    assert after["learning_outcomes"] == syllabus.splitlines()
    suggested = [s for s in after["skills"] if s["status"] == "suggested"]
    assert suggested and all(s["score"] is not None for s in suggested)
    # Per outcome: a table each, with scores and reasons.
    outcomes = re.findall(r'data-outcome="(\d+)"', mapped.text)
    assert outcomes == ["1", "2"]
    assert "outcome 1 (&#34;Write Python programs" in mapped.text
    choices = re.findall(r'name="decision:([^"]+)" value="accept"', mapped.text)
    accept, reject = choices[0], choices[1]
    no_choice = issuer.post(
        f"/catalogue/mapping/decisions?id={q(ACCOUNTING)}", data={"csrf_token": token}
    )
    assert no_choice.status_code == 422 and "choose accept or reject" in no_choice.text
    published = issuer.post(
        f"/catalogue/mapping/decisions?id={q(ACCOUNTING)}",
        data={
            "csrf_token": token,
            f"decision:{accept}": "accept",
            f"level:{accept}": "4",
            f"decision:{reject}": "reject",
        },
    )
    assert published.status_code == 200 and "Published: 1 accepted, 1 rejected" in published.text
    skills = {s["uri"]: s for s in stored(issuer, ACCOUNTING)[0]["skills"]}
    assert skills[accept]["status"] == "confirmed" and skills[accept]["level"] == 4
    assert skills[reject]["status"] == "rejected"
    assert skills[accept]["decided_by"].endswith("/user/issuer")


def test_export_downloads_the_credential_as_ob3_and_ctdl(issuer: TestClient) -> None:
    page = issuer.get(f"/catalogue/export?id={q(PYTHON_COURSE)}")
    assert page.status_code == 200
    for key in ("ob3", "ctdl"):
        assert f"format={key}" in page.text
        download = issuer.get(f"/catalogue/export?id={q(PYTHON_COURSE)}&format={key}")
        assert (
            download.status_code == 200 and "attachment" in download.headers["content-disposition"]
        )
        assert (
            download.json()
            == issuer.get(f"/v1/credentials/{PYTHON_COURSE}/export", params={"format": key}).json()
        )
    elm = issuer.get(f"/catalogue/export?id={q(PYTHON_COURSE)}&format=elm").json()
    confirmed = [
        s for s in stored(issuer, PYTHON_COURSE)[0]["skills"] if s["status"] == "confirmed"
    ]
    assert elm["type"] == "LearningAchievementSpecification" and elm["id"] == PYTHON_COURSE
    related = [o["relatedESCOSkill"][0]["id"] for o in elm["learningOutcome"]]
    assert related == [s["uri"] for s in confirmed]
    assert "Achievement" in json.dumps(
        issuer.get(f"/catalogue/export?id={q(PYTHON_COURSE)}&format=ob3").json()
    )


def test_equivalents_are_a_table_of_the_ranked_credentials(issuer: TestClient) -> None:
    page = issuer.get(f"/catalogue/equivalents?id={q(PYTHON_COURSE)}&jurisdiction=US")
    assert page.status_code == 200
    api = issuer.get(
        f"/v1/credentials/{PYTHON_COURSE}/equivalents", params={"jurisdiction": "US"}
    ).json()
    table = page.text.split("data-equivalents")[1]
    rows = re.findall(r'<td><a href="/credentials/([^"]+)"', table)
    assert rows == [r["b"]["id"] for r in api["results"]] and rows
    assert (
        issuer.get(f"/catalogue/equivalents?id={q(PYTHON_COURSE)}&jurisdiction=ZZ").status_code
        == 422
    )


@pytest.mark.parametrize("role", ["learner", "assessor", "advisor", "mentor", "member"])
def test_other_roles_get_403_on_the_issuers_pages(
    site: Site, client: TestClient, role: str
) -> None:
    sign_in(client, site[1][role])
    for path in (
        "/catalogue",
        "/catalogue/new",
        f"/catalogue/edit?id={q(PYTHON_COURSE)}",
        f"/catalogue/mapping?id={q(PYTHON_COURSE)}",
    ):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_sign_in_and_admins_act_for_any_issuer(
    site: Site, client: TestClient
) -> None:
    response = client.get(f"/catalogue/edit?id={q(OTHERS)}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    sign_in(client, site[1]["admin"])
    assert "greatlakes-cc.example" in client.get("/catalogue").text
    assert client.get(f"/catalogue/edit?id={q(OTHERS)}").status_code == 200


def test_a_page_address_without_its_credential_is_an_error_page(issuer: TestClient) -> None:
    response = issuer.get("/catalogue/edit?id=")
    assert response.status_code == 422 and "text/html" in response.headers["content-type"]
    assert "Please check what you entered" in response.text
