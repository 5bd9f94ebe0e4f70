"""The advisor's pages on the demo: compare credentials, record and supersede decisions.

What a page shows is checked against what the API answers for the same question (the pages
call the same services), and every decision form's outcome is checked through the API.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_pages import Site, _token, client, sign_in, site

__all__ = ["client", "site"]  # the fixtures of the pages' tests, one demo per module

AUTHORITY = "https://recognition.example.ie"
OTHER_AUTHORITY = "https://recognition.example.de"
PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
PYTHON_DE = "https://www.hs-niederrhein-ruhr.example/credentials/python-fuer-datenanalyse"
JAVA_PL = "https://www.politechnika-wislana.example/credentials/object-oriented-programming-java"
SQL_US = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
WELDING_DE = "https://www.sla-ruhr.example/credentials/mag-schweissen-kehlnaehte"
WELDING_SCT = "https://www.glenmore-college.example/credentials/mag-welding-fillet-welds"
FOOD_FR = (
    "https://www.aura-metiers-restauration.example/credentials/hygiene-alimentaire-restauration"
)


def _text(page: str) -> str:
    """The page's text, tags and pictures left out, spaces collapsed."""
    main = page[page.index("<main") :]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _section(page: str, marker: str) -> str:
    """The element that carries ``marker`` (``data-skills``), up to its closing table."""
    start = page.index(marker)
    return page[start : page.index("</table>", start)]


def _decisions(client: TestClient, **params: str) -> list[dict[str, Any]]:
    found = client.get("/v1/recognitions", params=params)
    assert found.status_code == 200
    data: list[dict[str, Any]] = found.json()["data"]
    return data


def _post_decision(client: TestClient, form: dict[str, str]) -> Any:
    token = _token(client.get("/recognitions/new").text)
    data = {"csrf_token": token, "authority": AUTHORITY, "decided_on": "2025-03-01", **form}
    return client.post("/recognitions/new", data=data, follow_redirects=False)


def _as_admin(site: Site) -> dict[str, str]:
    return {"Authorization": f"Bearer {site[1]['admin']['api_key']}"}


# --- compare --------------------------------------------------------------------------------


def test_compare_shows_the_api_comparison_as_tables_pictures_and_why(client: TestClient) -> None:
    ids = [PYTHON_IE, PYTHON_US, JAVA_PL]
    page = client.get("/compare", params={"c": ids})  # public: nobody signed in
    assert page.status_code == 200
    expected = client.get("/v1/compare", params={"ids": ids}).json()
    glance = _section(page.text, "data-glance")
    for summary in expected["credentials"]:
        assert html.escape(summary["title"]) in glance
        assert f"<td>{summary['level'] or 'not stated'}</td>" in glance
        eqf = summary["eqf_level"]
        assert f"<td>{eqf if eqf is not None else 'none referenced'}</td>" in glance
        assert f"{summary['cost']['amount']:,.0f} {summary['cost']['currency']}" in glance
        assert f"<td>{summary['hours']:g}</td>" in glance
    # Every skill is a row, its label linking to its concept page, each cell the API's status.
    skills = _section(page.text, "data-skills")
    for row in expected["skills"]:
        assert f'href="/concepts/{quote(row["skill"]["uri"], safe=":/")}"' in skills
    statuses = re.findall(r'data-status="(\w+)"', skills)
    assert statuses == [s for row in expected["skills"] for s in row["status"]]
    # The matrix draws one cell per skill and credential, coloured by the same status.
    matrix = page.text[
        page.text.index("data-matrix") : page.text.index("</svg>", page.text.index("data-matrix"))
    ]
    assert re.findall(r'class="cell-(\w+)"', matrix) == statuses
    text = _text(page.text)
    assert (
        f"{len(expected['shared'])} shared in full by all, {len(expected['partial'])} covered "
        f"by all but partly, {len(expected['missing'])} missing from at least one" in text
    )
    for line in expected["levels"]:
        assert line in text
    # Each pair: the score of the API's comparison; the first credential's pairs explained as
    # the API explains their equivalence, the others one link away.
    pairs = _section(page.text, "data-pairs")
    for pair in expected["pairs"]:
        assert f"{pair['score']:.2f}" in pairs
        if ids[0] in (pair["a"], pair["b"]):
            why = client.post("/v1/equivalence", json={"a": pair["a"], "b": pair["b"]}).json()
            assert why["score"] == pytest.approx(pair["score"])
            for line in why["explanation"]:
                assert line in text
        else:
            link = f"/compare?c={quote(pair['a'], safe='/')}&amp;c={quote(pair['b'], safe='/')}"
            assert link in pairs
    assert text.count("Why: ") == len(ids) - 1 == 2
    assert "No authority has recorded a decision about these credentials yet" in text
    assert "Record a decision of your authority" not in text  # only advisors are offered it


def test_compare_searches_by_title_words_and_country_and_suggests_the_closest(
    client: TestClient,
) -> None:
    found = client.get("/compare", params={"q": "python", "jurisdiction": "DE"})
    assert found.status_code == 200
    listed = re.findall(r'name="c" value="([^"]+)"', _section_of_found(found.text))
    expected = [
        c["id"]
        for c in client.get("/v1/credentials", params={"jurisdiction": "DE"}).json()["data"]
        if "python" in c["title"].lower()
    ]
    assert listed and sorted(listed) == sorted(expected) and PYTHON_DE in listed
    # One credential chosen (the link of a credential's page): its closest, as the API ranks them.
    one = client.get(f"/compare?c={quote(PYTHON_IE, safe='')}")
    closest = re.findall(r'name="c" value="([^"]+)"', one.text.split("data-closest", 1)[1])
    api = client.get(f"/v1/credentials/{PYTHON_IE}/equivalents", params={"top": 8}).json()
    assert closest[: len(api["results"])] == [r["b"]["id"] for r in api["results"]]
    course = client.get(f"/credentials/{quote(PYTHON_IE, safe=':/')}").text
    link = re.search(r'href="(/compare\?c=[^"]+)"', course)
    assert link and client.get(html.unescape(link.group(1))).text.count("data-closest") == 1


def _section_of_found(page: str) -> str:
    start = page.index("data-found")
    return page[start : page.index("</fieldset>", start)]


def test_compare_keeps_the_choice_and_says_what_is_wrong_beside_it(client: TestClient) -> None:
    five = [PYTHON_IE, PYTHON_US, PYTHON_DE, JAVA_PL, SQL_US]
    page = client.get("/compare", params={"c": five})
    assert page.status_code == 422
    assert 'id="c-error"' in page.text and "compare two to 4 distinct credentials" in page.text
    assert re.findall(r'value="([^"]+)" checked', page.text) == five  # nothing chosen is lost
    assert "data-glance" not in page.text
    unknown = client.get("/compare", params={"c": [PYTHON_IE, "https://example.org/none", JAVA_PL]})
    assert unknown.status_code == 422 and "no credential https://example.org/none" in unknown.text
    assert re.findall(r'value="([^"]+)" checked', unknown.text) == [PYTHON_IE, JAVA_PL]
    assert "data-glance" in unknown.text  # the two that exist are compared


# --- recognition decisions ------------------------------------------------------------------


def test_advisor_records_a_decision_then_supersedes_it(site: Site, client: TestClient) -> None:
    sign_in(client, site[1]["advisor"])
    form = client.get("/recognitions/new", params={"c": PYTHON_US})
    assert form.status_code == 200
    assert f'name="authority" value="{AUTHORITY}"' in form.text  # hidden: never typed
    assert 'value="Python Programming I (CIS 121)"' in form.text
    recorded = _post_decision(
        client,
        {
            "credential": PYTHON_US,
            "outcome": "partial",
            "to_jurisdiction": "IE",
            "target_q": "Programming Fundamentals with Python",  # no script: the words pick it
            "credits": "5",
            "credits_unit": "ECTS",
            "note": "Object-oriented design not covered.",
        },
    )
    assert recorded.status_code == 303, _text(recorded.text)
    (first,) = _decisions(client, credential=PYTHON_US, authority=AUTHORITY)
    assert first["target"] == PYTHON_IE and first["credits"] == {"value": 5.0, "unit": "ECTS"}
    assert first["decided_by"].endswith("/user/advisor") and first["decided_at"] == "2025-03-01"
    assert recorded.headers["location"].startswith("/recognitions/" + first["id"])
    shown = _text(client.get(recorded.headers["location"]).text)
    assert "The decision is recorded" in shown and "partial recognition" in shown
    assert "Programming Fundamentals with Python" in shown and "current" in shown
    listing = client.get("/recognitions").text
    supersede = f"/recognitions/new?supersedes={quote(first['id'], safe='/')}"
    assert html.escape(supersede) in listing or supersede in listing
    # Superseding: the form holds the old decision; the new one replaces it.
    again = client.get("/recognitions/new", params={"supersedes": first["id"]})
    assert 'value="5"' in again.text and "Object-oriented design not covered." in again.text
    replaced = _post_decision(
        client,
        {
            "credential": PYTHON_US,
            "outcome": "conditional",
            "conditions": "Pass the Liffey OOP bridging test",
            "to_jurisdiction": "IE",
            "target": PYTHON_IE,
            "supersedes": first["id"],
        },
    )
    assert replaced.status_code == 303, _text(replaced.text)
    both = _decisions(client, credential=PYTHON_US, authority=AUTHORITY)
    (second,) = [d for d in both if d["id"] != first["id"]]
    assert second["supersedes"] == first["id"] and second["outcome"] == "conditional"
    rows = re.findall(r'<tr data-status="(\w+)">', client.get("/recognitions").text)
    assert sorted(rows) == ["current", "superseded"]
    # The comparison of the two credentials shows both decisions, the old one superseded.
    compared = _section(
        client.get("/compare", params={"c": [PYTHON_US, PYTHON_IE]}).text, "data-decisions"
    )
    assert "conditional: Pass the Liffey OOP bridging test" in compared
    assert "<td>superseded</td>" in compared and "<td>current</td>" in compared
    home = client.get("/").text
    assert 'href="/recognitions"' in home and 'href="/recognitions/new"' in home
    assert f'href="/recognitions/{second["id"]}"' in home


def test_bad_input_shows_the_message_beside_its_field_keeps_it_and_writes_nothing(
    site: Site, client: TestClient
) -> None:
    sign_in(client, site[1]["advisor"])
    before = len(_decisions(client, authority=AUTHORITY))
    typed = {"note": "Typed note stays", "to_jurisdiction": "IE", "outcome": "full"}
    cases = [
        ({"credential": WELDING_DE, "outcome": "conditional"}, "conditions", "must state"),
        ({"credential": WELDING_DE, "credits": "lots"}, "credits", "is not a number"),
        ({"credential": WELDING_DE, "decided_on": "1 March"}, "decided_on", "is not a date"),
        ({"credential": WELDING_DE, "to_jurisdiction": ""}, "to_jurisdiction", "choose where"),
        ({"credential_q": "no such title words"}, "credential_q", "no credential's title"),
        ({"credential_q": "python"}, "credential_q", "choose one from the suggestions"),
        ({"credential": WELDING_DE, "target": "https://example.org/none"}, "target_q", "no "),
        (
            {"credential": WELDING_DE, "valid_from": "2025-05-01", "valid_until": "2025-01-01"},
            "valid_until",
            "ends before",
        ),
    ]
    for change, field, message in cases:
        response = _post_decision(client, {**typed, **change})
        assert response.status_code == 422, (change, response.status_code)
        error = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', response.text)
        assert error and message in html.unescape(error.group(1)), (change, _text(response.text))
        assert "Typed note stays" in response.text
        for value in change.values():
            if value:
                assert html.escape(value) in response.text, (change, value)
    assert len(_decisions(client, authority=AUTHORITY)) == before
    # A decision that contradicts one in force is refused, with the way to supersede it.
    assert _post_decision(client, {"credential": WELDING_DE, **typed}).status_code == 303
    contradiction = _post_decision(
        client, {**typed, "credential": WELDING_DE, "outcome": "partial"}
    )
    assert contradiction.status_code == 409 and "contradicts" in contradiction.text
    assert "/recognitions/new?supersedes=" in contradiction.text
    assert len(_decisions(client, authority=AUTHORITY)) == before + 1


def test_only_the_authority_s_advisors_record_and_supersede_its_decisions(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    anonymous = client.get("/recognitions/new", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/recognitions/new"
    assert client.get("/recognitions", follow_redirects=False).status_code == 303
    for name in ("member", "learner", "issuer"):
        sign_in(client, users[name])
        for path in ("/recognitions/new", "/recognitions"):
            refused = client.get(path)
            assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
            assert "acts for no recognition authority" in refused.text
        client.cookies.clear()
    # An advisor of another authority records for theirs, never for this one.
    created = client.post(
        "/v1/users",
        json={
            "name": "advisor-de",
            "password": "correct horse battery staple",
            "grants": [f"advisor:{OTHER_AUTHORITY}"],
        },
        headers=_as_admin(site),
    )
    assert created.status_code == 201, created.text
    sign_in(client, {"name": "advisor-de", "password": "correct horse battery staple"})
    assert f'value="{OTHER_AUTHORITY}"' in client.get("/recognitions/new").text
    fields = {"credential": FOOD_FR, "outcome": "full", "to_jurisdiction": "DE"}
    forged = _post_decision(client, {**fields, "authority": AUTHORITY})
    assert forged.status_code == 403 and "does not act for the authority" in forged.text
    assert _decisions(client, credential=FOOD_FR) == []
    own = _post_decision(client, {**fields, "authority": OTHER_AUTHORITY})
    assert own.status_code == 303
    (theirs,) = _decisions(client, credential=FOOD_FR)
    client.cookies.clear()
    sign_in(client, users["advisor"])
    refused = client.get("/recognitions/new", params={"supersedes": theirs["id"]})
    assert refused.status_code == 403
    assert theirs["id"] not in client.get("/recognitions").text  # not in my authority's list
    page = client.get(f"/recognitions/{theirs['id']}")  # decisions are public to read
    assert page.status_code == 200 and "Supersede this decision" not in page.text
    takeover = _post_decision(
        client, {**fields, "authority": AUTHORITY, "supersedes": theirs["id"]}
    )
    assert takeover.status_code == 422 and "has recorded no decision" in takeover.text
    assert len(_decisions(client, credential=FOOD_FR)) == 1
