"""Issuer consultation in a browser: a learner asks the issuer, its staff answer, she reads it."""

from __future__ import annotations

from urllib.parse import quote

from tests.e2e.browser.conftest import Visitor

PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
TITLE = "Can I start without any programming background?"


def _sign_out(visitor: Visitor) -> None:
    visitor.page.get_by_role("button", name="Sign out").click()
    visitor.page.wait_for_load_state()


def test_a_learner_asks_the_issuer_and_reads_the_staffs_answer(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    visitor.visit(f"/credentials/{quote(PYTHON_IE, safe=':/')}")
    form = page.locator("[data-ask-issuer]")
    form.get_by_label("Your question, in one line").fill(TITLE)
    form.get_by_label("Details").fill("I work in *accounting* and use spreadsheets daily.")
    form.get_by_role("button", name="Ask the issuer").click()
    page.wait_for_url("**/consultations/q*?asked=1")
    visitor.check()
    thread = page.url.split("?")[0]
    assert page.get_by_role("heading", name=TITLE).is_visible()
    assert page.get_by_role("status").inner_text() == "Your question was sent to the issuer."
    assert "Private" in page.locator("[data-audience]").inner_text()
    assert page.locator(".post-body em").inner_text() == "accounting"
    _sign_out(visitor)

    visitor.sign_in("issuer")
    visitor.visit("/")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url(thread)
    visitor.check()
    page.get_by_label("Answer", exact=True).fill("Yes: the course starts from **first steps**.")
    page.get_by_role("button", name="Post the answer").click()
    page.wait_for_url("**?answered=1")
    visitor.check()
    visitor.visit("/catalogue/questions")
    row = page.locator("[data-consultations] tr", has_text=TITLE)
    assert row.get_attribute("data-answered") == "yes"
    _sign_out(visitor)

    visitor.sign_in("learner")
    visitor.visit("/me/questions")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(thread)
    visitor.check()
    answer = page.locator("[data-answer]").first
    assert "Issuer" in answer.locator(".tag").inner_text()
    assert answer.locator(".post-body strong").inner_text() == "first steps"
    _sign_out(visitor)

    visitor.sign_in("member")
    response = visitor.visit(thread.removeprefix(visitor.site.url))
    assert response.status == 404
