"""The groups' flows in a real browser, on the demo data: the leader sees the group's progress,
the mentor recommends, the learner accepts it beside their pathway.

Every page shown is photographed and checked by axe-core.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.browser.conftest import Visitor

ADA = "https://credwalk.org/id/learner/ada-walsh"
SQL_COURSE = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"


def _api(visitor: Visitor, name: str, method: str, path: str, **kw: Any) -> Any:
    key = visitor.site.users[name]["api_key"]
    response = httpx.request(
        method, visitor.site.url + path, headers={"Authorization": f"Bearer {key}"}, **kw
    )
    assert response.status_code < 300, response.text
    return response.json()


def test_the_leader_sees_the_groups_progress(visitor: Visitor) -> None:
    page = visitor.page
    progress = _api(visitor, "leader", "GET", "/v1/groups/dublin-data-cohort/progress")
    visitor.sign_in("leader")
    page.get_by_role("link", name="My groups").first.click()
    page.wait_for_url("**/groups")
    visitor.check()
    page.get_by_role("link", name="Dublin data cohort").click()
    page.wait_for_url("**/groups/dublin-data-cohort")
    visitor.check()
    assert page.locator("svg.progress-chart polyline").count() == len(progress["targets"])
    rows = page.locator("table[data-coverage] tbody tr")
    assert rows.count() == len(progress["targets"])
    first = progress["targets"][0]
    cells = rows.first.locator("td")
    assert cells.last.inner_text() == f"{first['points'][-1]['percent']} %"
    assert page.locator("[data-counted]").inner_text() == str(progress["counted"])
    assert page.get_by_role("heading", name="Recommend to a learner").count() == 0


def test_the_mentor_recommends_and_the_learner_accepts(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("mentor")
    page.get_by_role("link", name="My groups").first.click()
    page.wait_for_url("**/groups")
    page.get_by_role("link", name="Dublin data cohort").click()
    page.wait_for_url("**/groups/dublin-data-cohort")
    visitor.check()
    page.get_by_label("What you recommend").select_option("target")
    page.get_by_label("Why").fill("Your data work needs SQL first.")
    page.get_by_role("button", name="Recommend").click()  # no target named
    page.wait_for_load_state()
    visitor.check()
    assert "target: name the target" in page.locator("#f-target-error").inner_text()
    assert page.get_by_label("Why").input_value() == "Your data work needs SQL first."
    page.get_by_label("Target (occupation:IRI or credential:IRI)").fill(f"credential:{SQL_COURSE}")
    page.get_by_role("button", name="Recommend").click()
    page.wait_for_url("**/groups/dublin-data-cohort?recommended=1")
    visitor.check()
    assert page.get_by_role("status").inner_text() == "Your recommendation was sent."

    visitor.page.context.clear_cookies()
    visitor.sign_in("learner")
    page.get_by_role("link", name="My pathway").click()
    page.wait_for_url("**/me/pathway")
    visitor.check()
    item = page.locator("[data-recommendation]", has_text="Your data work needs SQL first.").first
    assert "From mentor" in item.inner_text()
    item.get_by_role("button", name="Accept").click()
    page.wait_for_url("**/me/pathway?decided=1")
    visitor.check()
    assert SQL_COURSE in page.locator("[data-my-target]").inner_text()
    page.get_by_role("link", name="show the gap and pathway to it").click()
    page.wait_for_url("**/me/pathway?kind=credential**")
    visitor.check()
    assert page.get_by_role("radio", name="a credential").is_checked()
    found = _api(visitor, "learner", "GET", "/v1/recommendations", params={"learner": ADA})
    assert found["target"] == f"credential:{SQL_COURSE}"
