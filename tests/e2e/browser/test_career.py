"""The career overview in a real browser, on the demo data: plots, tables, a target picked."""

from __future__ import annotations

from tests.e2e.browser.conftest import Visitor


def test_a_learner_sees_their_career_and_picks_a_target(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    page.get_by_role("link", name="My career").click()
    page.wait_for_url("**/me/overview")
    visitor.check()
    assert page.get_by_role("img", name="Competence by skill group over time").is_visible()
    page.get_by_label("Compare with a target occupation", exact=True).fill("data analyst")
    choice = page.get_by_role("option", name="data analyst").first
    choice.wait_for()
    choice.click()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/me/overview?**")
    visitor.check()
    assert page.get_by_role("img", name="Coverage of target occupations over time").is_visible()
    assert page.get_by_role("img", name="Skills held against a target occupation").is_visible()
    rows = page.locator("table", has_text="Essential skills covered").locator("tbody tr")
    assert rows.count() >= 2 and "of 30" in rows.last.inner_text()


def test_the_mentor_opens_a_mentees_career_overview(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("mentor")
    visitor.visit("/mentees")
    page.get_by_role("link", name="Career overview").click()
    page.wait_for_url("**/overview/**")
    visitor.check()
    assert "Career overview of" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("table.timeline tbody tr").count() >= 5
