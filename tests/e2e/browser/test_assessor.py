"""The assessor's flow in a real browser: the inbox, the evidence, an assessment recorded."""

from __future__ import annotations

from tests.e2e.browser.conftest import Visitor


def test_assess_the_demo_submission_after_a_typing_mistake(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("assessor")
    visitor.visit("/")
    page.get_by_role("link", name="To assess", exact=True).click()
    page.wait_for_url("**/assess")
    visitor.check()
    row = page.locator("[data-inbox] tbody tr").first
    assert "waiting for you" in row.inner_text()
    row.get_by_role("link", name="Programming Fundamentals with Python").click()
    page.wait_for_url("**/assess/*")
    visitor.check()
    address = page.url
    assert page.get_by_role("link", name="Data-cleaning project").is_visible()
    assert "(you)" in page.locator("[data-panel]").inner_text()
    skills = page.locator("[data-assessment] tr[data-skill]")
    assert skills.count() > 0
    for i in range(skills.count()):
        skills.nth(i).get_by_label("pass").check()
        skills.nth(i).locator('input[name^="level:"]').fill("8")
    skills.first.locator('input[name^="level:"]').fill("eight")
    page.get_by_label("Overall comment").fill("Clear, tested code.")
    page.get_by_role("button", name="Record my assessment").click()
    page.wait_for_load_state()
    visitor.check()
    assert "expected a whole number" in skills.first.locator(".error").inner_text()
    assert page.get_by_label("Overall comment").input_value() == "Clear, tested code."
    skills.first.locator('input[name^="level:"]').fill("8")
    page.get_by_role("button", name="Record my assessment").click()
    page.wait_for_url("**recorded=1")
    visitor.check()
    assert "Your assessment is recorded." in page.locator(".notice").first.inner_text()
    assert page.locator("[data-status]").inner_text() == "ready"
    assert "The panel agrees" in page.locator("[data-proof]").inner_text()
    # Someone without a seat on the panel is refused the same page.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    visitor.sign_in("member")
    response = page.goto(address)
    visitor.check()
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Not yours to see"
