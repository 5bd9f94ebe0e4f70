"""The career overview page on the demo: plots with their tables, bad input, who may see it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_pages import Site, sign_in, site  # noqa: F401 (the module's demo site)

ADA = "https://credwalk.org/id/learner/ada-walsh"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:  # noqa: F811
    the_client = site[0]
    the_client.cookies.clear()
    yield the_client
    the_client.cookies.clear()


def _api(client: TestClient, key: str, **params: str) -> dict:  # type: ignore[type-arg]
    response = client.get(
        f"/v1/learners/{ADA}/overview",
        params=params,
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_my_overview_draws_plots_with_the_same_data_in_tables(
    site: Site,  # noqa: F811
    client: TestClient,
) -> None:
    users = site[1]
    sign_in(client, users["learner"])
    page = client.get("/me/overview", params={"target": DATA_ANALYST})
    assert page.status_code == 200
    svgs = re.findall(r'<svg role="img" aria-label="([^"]+)"', page.text)
    assert svgs == [
        "Competence by skill group over time",
        "Coverage of target occupations over time",
        "Skills held against a target occupation",
    ]
    assert "<script" not in page.text.split("<main")[1].split("</main>")[0]  # no chart script
    data = _api(client, users["learner"]["api_key"], target=DATA_ANALYST)
    # Every coverage point of the API is a row of the page's table.
    (target,) = data["targets"]
    for point in target["points"]:
        row = f"<td>{point['covered']} of {point['total']}</td>"
        assert row in page.text
    # How each level was established: the assessor of the demo's assessed levels.
    assessed = [s for s in data["steps"] if s["established_by"]["source"] == "assessment"]
    assert assessed and all(
        s["established_by"]["by"] == "https://www.liffey-tu.example/assessors/aoife-byrne"
        for s in assessed
    )
    assert "scored 0.80 at level 3" in page.text


def test_a_target_that_is_no_occupation_is_refused_beside_the_field(
    site: Site,  # noqa: F811
    client: TestClient,
) -> None:
    sign_in(client, site[1]["learner"])
    python = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    page = client.get("/me/overview", params={"target": python, "target_label": "Python"})
    assert page.status_code == 422
    error = re.search(r'id="f-target-error" role="alert">([^<]+)<', page.text)
    assert error and "is not an occupation" in error.group(1)
    assert 'value="Python"' in page.text  # what was typed stays
    typed = client.get("/me/overview", params={"target_label": "data analyst"})
    assert typed.status_code == 422 and "pick an occupation" in typed.text


def test_the_mentor_sees_it_by_consent_and_others_are_refused(
    site: Site,  # noqa: F811
    client: TestClient,
) -> None:
    users = site[1]
    sign_in(client, users["mentor"])
    assert "/overview/" + ADA in client.get("/mentees").text
    shared = client.get(f"/overview/{quote(ADA, safe=':/')}")
    assert shared.status_code == 200 and "Career overview of" in shared.text
    client.cookies.clear()
    sign_in(client, users["member"])
    assert client.get(f"/overview/{ADA}").status_code == 403
    assert client.get("/me/overview").status_code == 403
    client.cookies.clear()
    anonymous = client.get("/me/overview", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login?next=" in anonymous.headers["location"]
