"""The Certificates of Impact pages on the demo: claim, confirm, issue, download, portfolio.

What a page shows is checked against the API (the same services); each refused or bad form is
checked through the API to have written nothing.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.runtime import Runtime
from graph.services.impact.portfolio import verify_portfolio
from tests.e2e.test_pages import Site, _token, client, sign_in, site

__all__ = ["client", "site"]  # the fixtures of the pages' tests, one demo for this module

ADA = "https://credwalk.org/id/learner/ada-walsh"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"

Users = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def users(site: Site) -> Users:
    return site[1]


def _key(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['api_key']}"}


def _claims(client: TestClient, users: Users) -> list[dict[str, Any]]:
    found = client.get("/v1/impact", params={"claimant": ADA}, headers=_key(users["learner"]))
    assert found.status_code == 200, found.text
    return list(found.json()["data"])


def _form(**changes: str) -> dict[str, str]:
    fields = {
        "title": "Built the cohort's attendance tracker",
        "beneficiary": "Dublin data cohort",
        "outcome": "Attendance checks take a minute instead of ten",
        "start": "2025-09-01",
        "end": "2025-12-19",
        "skill1": PYTHON_SKILL,
        "skill1_label": "Python (computer programming)",
        "endorsers": "mentor, member",
        "url": "https://example.org/tracker",
    }
    fields.update(changes)
    return fields


def _post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    token = _token(client.get("/impact").text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def _claim(client: TestClient, users: Users, **changes: str) -> str:
    sign_in(client, users["learner"])
    made = _post(client, "/impact", _form(**changes))
    assert made.status_code == 303, made.text
    return str(made.headers["location"])


def _endorse(client: TestClient, users: Users, who: str, path: str, **data: str) -> Any:
    client.cookies.clear()
    sign_in(client, users[who])
    body = {"relation": "employer", "statement": f"{who} saw it work.", **data}
    return _post(client, f"{path}/endorse", body)


def test_claim_confirm_issue_download_and_portfolio(
    site: Site, client: TestClient, users: Users
) -> None:
    sign_in(client, users["learner"])
    page = client.get("/impact")
    assert page.status_code == 200 and 'data-suggest="skill"' in page.text
    path = _claim(client, users)
    claim = client.get(path).text
    assert "awaiting endorsement" in claim and "Awaiting mentor" in claim
    assert "Issue the certificate" not in claim
    client.cookies.clear()
    sign_in(client, users["mentor"])
    assert "Impact to confirm" in client.get("/").text
    assert "Confirm it as yourself" in client.get(path).text
    assert _endorse(client, users, "mentor", path).status_code == 303
    assert _endorse(client, users, "member", path, relation="community").status_code == 303
    client.cookies.clear()
    sign_in(client, users["learner"])
    assert "Issue the certificate" in client.get(path).text
    issued = _post(client, f"{path}/issue", {})
    assert issued.status_code == 303
    shown = client.get(issued.headers["location"]).text
    assert "Certificate issued" in shown and "Download (JSON)" in shown
    document = client.get(f"{path}/download").json()
    assert document["credentialSubject"]["achievement"]["name"] == _form()["title"]
    assert len(document["endorsement"]) == 2
    report = client.post("/v1/proofs/verify", json={"document": document}).json()
    assert report["verified"] and report["endorsements"] == 2
    me = client.get("/me").text
    assert 'href="/me/portfolio"' in me
    portfolio = client.get("/me/portfolio")
    assert portfolio.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(portfolio.content)).namelist()
    assert f"credentials/impact-{path.rpartition('/')[2]}.json" in names
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    checked = verify_portfolio(
        portfolio.content,
        loader=runtime.document_loader,
        issuer=runtime.proof_issuer,
        store=lambda: runtime.store,
    )
    assert checked.verified, checked.message
    revoked = _post(client, f"{path}/revoke", {"reason": "moved on"})
    assert revoked.status_code == 303
    after = client.post("/v1/proofs/verify", json={"document": document}).json()
    assert not after["verified"] and after["check"] == "revoked"


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"skill1": "", "skill1_label": ""}, "skill1", "at least one skill"),
        ({"skill1": PYTHON_SKILL + "-nope"}, "skill1", "not a skill of the store"),
        ({"endorsers": "learner"}, "endorsers", "may not endorse their own claim"),
        ({"endorsers": ""}, "endorsers", "at least one party"),
        ({"start": "2025-12-01", "end": "2025-01-01"}, "end", "before the start"),
        ({"url": "ftp://example.org/x"}, "url", "not an http(s) URL"),
    ],
)
def test_bad_claims_keep_what_was_typed_and_write_nothing(
    client: TestClient, users: Users, changes: dict[str, str], field: str, says: str
) -> None:
    before = len(_claims(client, users))
    sign_in(client, users["learner"])
    response = _post(client, "/impact", _form(**changes))
    assert response.status_code == 422
    error = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', response.text)
    assert error and says in html.unescape(error.group(1)), response.text[-3000:]
    assert 'value="Built the cohort&#39;s attendance tracker"' in response.text
    assert len(_claims(client, users)) == before


def test_endorsement_refusals(client: TestClient, users: Users) -> None:
    path = _claim(client, users, endorsers="mentor")
    short = path.rpartition("/")[2]
    own = _post(client, f"{path}/endorse", {"relation": "client", "statement": "Me"})
    assert own.status_code == 403 and "own claim" in html.unescape(own.text)
    early = _post(client, f"{path}/issue", {})
    assert early.status_code == 409 and "awaits" in early.text
    empty = _endorse(client, users, "mentor", path, statement=" ")
    assert empty.status_code == 422 and 'id="f-statement-error"' in empty.text
    assert _endorse(client, users, "mentor", path).status_code == 303
    twice = _endorse(client, users, "mentor", path)
    assert twice.status_code == 409 and "already endorsed" in twice.text
    api = client.get(f"/v1/impact/{short}", headers=_key(users["learner"])).json()
    assert len(api["endorsements"]) == 1
    client.cookies.clear()
    sign_in(client, users["advisor"])
    assert client.get(path).status_code == 403
    assert _post(client, f"{path}/revoke", {}).status_code == 403
    client.cookies.clear()
    anonymous = client.get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_member_without_learner_record_claims_for_themself(
    client: TestClient, users: Users
) -> None:
    sign_in(client, users["member"])
    made = _post(client, "/impact", _form(endorsers="mentor"))
    assert made.status_code == 303
    page = client.get("/impact").text
    assert "Built the cohort" in page
    data = json.loads(client.get(made.headers["location"].replace("/impact/", "/v1/impact/"),
                                 headers=_key(users["member"])).text)  # fmt: skip
    assert data["claimant"].endswith("/user/member")
