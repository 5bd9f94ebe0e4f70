"""The onboarding test in a real browser, on the demo's item bank.

Ada picks the Liffey Python course, answers its questions one at a time by clicking (a
question left unanswered is named beside it), sends evidence for the task; the assessor rates
it from the queue; Ada sees her result and when she may take the test again. Every page shown
is photographed and checked by axe-core.
"""

from __future__ import annotations

import datetime as dt

from tests.e2e.browser.conftest import Visitor
from tests.e2e.browser.test_learner import _api, _pick

ADA = "https://credwalk.org/id/learner/ada-walsh"
EVIDENCE = "https://git.example.org/ada/shapes — Shape with Circle and Square overriding area()"


def _answer_every_question(visitor: Visitor) -> int:
    """Answer until no question is shown: the first option, a short answer, the evidence."""
    page = visitor.page
    answered = 0
    while page.locator("[data-question]").count():
        options = page.locator('[data-question] input[type="radio"]')
        if options.count():
            options.first.check()
        elif page.locator("[data-question] textarea").count():
            page.get_by_label("Your evidence: a link, or the work itself").fill(EVIDENCE)
        else:
            page.get_by_label("Your answer").fill("I do not know")
        page.get_by_role("button", name="Answer").click()
        page.wait_for_load_state()
        visitor.check()
        answered += 1
    return answered


def test_a_learner_takes_a_test_an_assessor_rates_the_task_and_she_sees_the_result(
    visitor: Visitor,
) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    visitor.visit("/me")
    page.locator(".subnav").get_by_role("link", name="Tests").click()
    page.wait_for_url("**/me/onboarding")
    visitor.check()
    _pick(visitor, "Credential", "Python", "Programming Fundamentals with Python")
    page.get_by_role("button", name="Start the test").click()
    page.wait_for_url("**/me/onboarding/*")
    visitor.check()
    address = page.url
    page.get_by_role("button", name="Answer").click()  # nothing chosen yet
    page.wait_for_load_state()
    visitor.check()
    assert "choose one of the options" in page.locator("#f-response-error").inner_text()
    answered = _answer_every_question(visitor)
    assert answered >= 7  # two skills of at least three questions, and the task
    assert "awaiting rating" in page.locator("[data-waiting]").inner_text()
    assert page.locator("[data-status]").inner_text() == "awaiting rating"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    visitor.sign_in("assessor")
    visitor.visit("/")
    page.get_by_role("link", name="Tasks to rate", exact=True).first.click()
    page.wait_for_url("**/onboarding/ratings")
    visitor.check()
    task = page.locator("[data-task]").filter(has_text=EVIDENCE)
    task.get_by_label("Score (0-1)").fill("0.9")
    task.get_by_role("button", name="Record the rating").click()
    page.wait_for_url("**rated=1")
    visitor.check()
    assert page.locator("[data-task]").filter(has_text=EVIDENCE).count() == 0
    # The bank, keys included, for its authors: an item without its key is named, not added.
    page.get_by_role("link", name="Test items", exact=True).first.click()
    page.wait_for_url("**/onboarding/items")
    visitor.check()
    count = page.locator("[data-count]").inner_text()
    _pick(visitor, "Skill", "Python", "Python (computer programming)")
    page.get_by_label("Level (1-8)").fill("3")
    page.get_by_label("Question", exact=True).fill("Which keyword starts a function definition?")
    page.get_by_label("Options, one per line (multiple choice)").fill("def\nfunc\nfn")
    page.get_by_role("button", name="Add the item").click()
    page.wait_for_load_state()
    visitor.check()
    assert "an item needs its key" in page.locator("#f-answer-error").inner_text()
    assert page.locator("[data-count]").inner_text() == count
    page.get_by_label("The right option, as written above (multiple choice: the key)").fill("def")
    page.get_by_role("button", name="Add the item").click()
    page.wait_for_url("**added=1")
    visitor.check()
    assert "(right)" in page.locator("[data-latest]").inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    visitor.sign_in("learner")
    visitor.visit("/me/onboarding")
    page.locator("[data-attempt] h3 a").first.click()
    page.wait_for_url(address)
    visitor.check()
    latest = _api(visitor, "learner", "GET", "/v1/onboarding/attempts", params={"learner": ADA})
    attempt = latest["data"][-1]
    assert attempt["status"] == "finished"
    finished = dt.date.fromisoformat(attempt["finished_at"][:10])
    assert page.locator("[data-finished]").inner_text() == finished.isoformat()
    retake = finished + dt.timedelta(days=30)
    assert page.locator("[data-retake]").inner_text() == retake.isoformat()
    rows = page.locator("[data-result] tbody tr")
    assert rows.count() == len(attempt["results"]) == 3
    oop = page.locator('[data-result] tr[data-skill$="5b9cde20-f1b9-4adc-bfb3-dbf70b14138d"]')
    assert oop.locator("[data-level]").inner_text() == "4"  # the rated task
