"""The pages everyone has, served by the app itself, on the demo as the main job starts it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from graph.settings import Settings
from tests.fixtures.demo_site import demo_app, demo_settings, demo_users

PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"

Site = tuple[TestClient, dict[str, dict[str, Any]], Settings]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    settings = demo_settings(tmp_path_factory.mktemp("pages"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = demo_app(settings, monkeypatch)  # the patch must not outlive the app's building
    with TestClient(app) as client:
        yield client, demo_users(settings), settings


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    the_client = site[0]
    the_client.cookies.clear()
    yield the_client
    the_client.cookies.clear()


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, user: dict[str, Any], next_page: str = "/") -> None:
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "name": user["name"],
            "password": user["password"],
            "csrf_token": token,
            "next": next_page,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_page


def test_public_pages_render_real_data(client: TestClient) -> None:
    search = client.get("/search", params={"q": "Python programming"})
    assert search.status_code == 200 and "text/html" in search.headers["content-type"]
    assert f'/concepts/{PYTHON_SKILL}"' in search.text
    concept = client.get(f"/concepts/{PYTHON_SKILL}")
    assert concept.status_code == 200 and "Python" in concept.text
    assert f"/credentials/{PYTHON_COURSE}" in concept.text  # a credential that certifies it
    listing = client.get("/credentials", params={"jurisdiction": "IE"})
    assert PYTHON_COURSE in listing.text
    assert "/credentials/https://www.greatlakes-cc" not in listing.text  # a US one, filtered out
    course = client.get(f"/credentials/{quote(PYTHON_COURSE, safe=':/')}")
    assert course.status_code == 200 and "Skills it certifies" in course.text
    assert "Edit" not in course.text  # only its issuer's staff may


def test_static_files_are_served_by_the_app_with_a_content_version(client: TestClient) -> None:
    home = client.get("/").text
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', home)
    assert {a.split("?")[0] for a in assets} == {
        "/static/site.css",
        "/static/site.js",
        "/static/icon.svg",
    }
    assert all("?v=" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert "http://" not in home.split("<body>")[0].replace("http://www.w3.org", "")  # no CDN


def test_sign_in_goes_back_where_the_user_was_going_and_out_again(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    sign_in(client, users["learner"], next_page="/credentials")
    home = client.get("/").text
    assert "Sign out" in home and 'href="/me"' in home
    client.post("/logout", data={"csrf_token": _token(home)})
    assert "Sign in" in client.get("/").text


def test_a_wrong_password_keeps_the_name_and_says_so_beside_the_field(
    site: Site, client: TestClient
) -> None:
    token = _token(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "learner", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert 'value="learner"' in response.text and 'aria-invalid="true"' in response.text


def test_a_form_without_its_csrf_token_is_refused(site: Site, client: TestClient) -> None:
    client.get("/login")
    users = site[1]
    response = client.post(
        "/login", data={"name": "learner", "password": users["learner"]["password"]}
    )
    assert response.status_code == 403 and "text/html" in response.headers["content-type"]
    assert "credwalk_session" not in response.headers.get("set-cookie", "") or "user" not in str(
        client.cookies
    )


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_sign_in_never_sends_the_user_to_another_site(
    site: Site, client: TestClient, target: str
) -> None:
    token = _token(client.get("/login").text)
    user = site[1]["member"]
    response = client.post(
        "/login",
        data={"name": "member", "password": user["password"], "csrf_token": token, "next": target},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_errors_on_pages_are_pages_and_the_api_keeps_its_json(client: TestClient) -> None:
    page = client.get("/concepts/http://example.org/no-such-skill")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "<h1>Not found</h1>" in page.text
    api = client.get("/v1/concepts/http://example.org/no-such-skill")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    unknown = client.get("/no-such-page", headers={"accept": "text/html"})
    assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]


def test_verify_by_paste_shows_every_check(client: TestClient) -> None:
    token = _token(client.get("/verify").text)
    response = client.post(
        "/verify", data={"document": '{"type": ["VerifiableCredential"]}', "csrf_token": token}
    )
    assert response.status_code == 200
    assert (
        'data-verified="false"' in response.text
        and "<caption>Each check</caption>" in response.text
    )
    broken = client.post("/verify", data={"document": "{not json", "csrf_token": token})
    assert broken.status_code == 422 and "this is not JSON" in broken.text
    assert "{not json" in broken.text  # what was pasted stays


def test_pickers_suggest_concepts_and_credentials(client: TestClient) -> None:
    skills = client.get("/suggest", params={"q": "python", "kind": "skill"}).json()
    assert PYTHON_SKILL in {s["value"] for s in skills}
    courses = client.get("/suggest", params={"q": "python", "kind": "credential"}).json()
    assert PYTHON_COURSE in {c["value"] for c in courses}
