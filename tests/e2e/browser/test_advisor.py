"""The advisor's flows in a real browser: compare credentials, record and supersede a decision."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from tests.e2e.browser.conftest import Visitor

PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
AUTHORITY = "https://recognition.example.ie"


def test_anyone_searches_credentials_and_compares_them(visitor: Visitor) -> None:
    page = visitor.page
    visitor.visit("/compare")
    page.get_by_label("Title words").fill("python")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/compare?**q=python**")
    visitor.check()
    found = page.locator("[data-found] input[name=c]")
    assert found.count() >= 3
    titles = [found.nth(i).locator("xpath=..").inner_text().strip() for i in range(2)]
    found.nth(0).check()
    found.nth(1).check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_selector("[data-glance]")
    visitor.check()
    heads = page.locator("[data-glance] thead th").all_inner_texts()[1:]
    assert [h.strip() for h in heads] == [t.rsplit(" ", 1)[0].strip() for t in titles]
    # The pictures are drawn, each with its words beside it.
    assert (
        page.locator("svg[data-matrix] rect").count()
        == 2 * page.locator("[data-skills] tbody tr").count()
    )
    assert page.locator("svg[data-eqf-chart]").is_visible()
    assert page.locator("svg[data-pairs-chart]").is_visible()
    assert page.get_by_role("heading", name=re.compile("^Why: ")).count() == 1  # one pair
    assert page.locator("[data-why] li").count() >= 5
    # A skill's label leads to its concept page.
    page.locator("[data-skills] tbody th a").first.click()
    page.wait_for_url("**/concepts/**")
    visitor.check()


def test_a_credential_page_leads_to_its_closest_credentials_abroad(visitor: Visitor) -> None:
    page = visitor.page
    visitor.visit(f"/credentials/{quote(PYTHON_IE, safe=':/')}")
    page.get_by_role("link", name="Compare with credentials of other countries").click()
    page.wait_for_url("**/compare?c=**")
    visitor.check()
    closest = page.locator("[data-closest] input[name=c]")
    assert closest.count() > 0
    closest.first.check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_selector("[data-glance]")
    visitor.check()
    assert page.locator("[data-chosen] input:checked").count() == 2
    assert "Programming Fundamentals with Python" in page.locator("[data-glance]").inner_text()


def test_the_advisor_records_a_decision_and_supersedes_it(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("advisor")
    visitor.visit("/")
    page.get_by_role("link", name="Record a recognition decision").click()
    page.wait_for_url("**/recognitions/new")
    visitor.check()
    assert page.locator("[data-authority]").inner_text() == AUTHORITY
    # The credential is picked by searching its title, not by typing its IRI.
    page.get_by_label("Credential recognised").press_sequentially("Databases and Querying")
    option = page.get_by_role("option", name="Databases and Querying for Analysts")
    option.wait_for()
    option.click()
    page.get_by_role("radio", name="conditional recognition").check()
    page.get_by_label("Recognised in").select_option("IE")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    visitor.check()
    # A conditional recognition without conditions: said beside the field, nothing lost.
    error = page.locator("#f-conditions-error")
    assert error.inner_text().startswith("a conditional recognition must state its conditions")
    assert page.get_by_label("Credential recognised").input_value() == (
        "Databases and Querying for Analysts"
    )
    page.get_by_label("Conditions (one per line; for a conditional recognition)").fill(
        "Complete a supervised SQL project"
    )
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**/recognitions/**recorded=1")
    visitor.check()
    assert "The decision is recorded" in page.locator("main").inner_text()
    decision_url = page.url.split("?")[0]
    assert page.locator("[data-status]").inner_text() == "current"
    # From the authority's list, supersede it with a full recognition.
    page.get_by_role("link", name="Your authority's decisions").click()
    page.wait_for_url("**/recognitions")
    visitor.check()
    row = page.locator("[data-recognitions] tbody tr", has_text="Databases and Querying")
    row.get_by_role("link", name=re.compile("^Supersede")).click()
    page.wait_for_url("**/recognitions/new?supersedes=**")
    visitor.check()
    assert page.get_by_label("Recognised in").input_value() == "IE"
    page.get_by_role("radio", name="full recognition").check()
    page.get_by_label("Conditions (one per line; for a conditional recognition)").fill("")
    page.get_by_role("button", name="Record the new decision").click()
    page.wait_for_url("**/recognitions/**recorded=1")
    visitor.check()
    assert "full recognition" in page.locator("[data-outcome]").inner_text()
    page.goto(decision_url)
    visitor.check()
    assert page.locator("[data-status]").inner_text() == "superseded"
    # The API says the same: two decisions, the later superseding the earlier.
    answer = httpx.get(
        visitor.site.url + "/v1/recognitions",
        params={
            "authority": AUTHORITY,
            "credential": "https://www.hogeschool-delta.example/credentials/databases-querying-analysts",
        },
    ).json()
    assert answer["count"] == 2
    assert {d["outcome"] for d in answer["data"]} == {"conditional", "full"}


def test_a_learner_is_refused_the_decision_form(visitor: Visitor) -> None:
    visitor.sign_in("learner")
    response = visitor.visit("/recognitions/new")
    assert response.status == 403
    assert visitor.page.get_by_role("heading", name="Not yours to see").is_visible()


def test_the_comparison_reads_on_a_phone(phone_visitor: Visitor) -> None:
    page = phone_visitor.page
    ids = [
        PYTHON_IE,
        "https://www.greatlakes-cc.example/credentials/python-programming-1",
        "https://www.politechnika-wislana.example/credentials/object-oriented-programming-java",
    ]
    phone_visitor.visit("/compare?" + "&".join(f"c={quote(i, safe='')}" for i in ids))
    assert page.locator("[data-glance]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
