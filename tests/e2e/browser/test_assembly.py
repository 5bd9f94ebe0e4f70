"""The Assembly in a real browser: ask about a credential, answer, accept, verify, decide.

A member asks from the credential's page, the learner answers, the asker accepts the answer
and the advisor verifies it, then turns it into a recognition decision; every page is
photographed and checked by axe-core. Script typed into a post stays text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from tests.e2e.browser.conftest import Visitor

PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
TITLE = "Is the Liffey Python course recognised for data roles in Ireland?"


def _as(visitor: Visitor, name: str) -> None:
    visitor.page.context.clear_cookies()
    visitor.sign_in(name)


def test_ask_answer_accept_verify_and_decide(visitor: Visitor) -> None:
    page = visitor.page
    dialogs: list[str] = []

    def dialog(shown: Any) -> None:
        dialogs.append(shown.message)
        shown.dismiss()

    page.on("dialog", dialog)
    # A member asks about the credential, from its page.
    _as(visitor, "member")
    visitor.visit(f"/credentials/{quote(PYTHON_IE, safe=':/')}")
    assert page.get_by_role("heading", name=re.compile("Questions about this")).is_visible()
    page.get_by_role("link", name="Ask the Assembly about this").click()
    page.wait_for_url("**/assembly/ask?about=**")
    visitor.check()
    assert page.locator(f'[data-about] input[value="{PYTHON_IE}"]').is_checked()
    page.get_by_label("Your question, in one line").fill(TITLE)
    page.get_by_label(re.compile("^Details")).fill(
        "I want a **data** job. <script>alert('boom')</script>"
    )
    page.get_by_label(re.compile("^In which country")).select_option("IE")
    page.get_by_role("button", name="Post the question").click()
    page.wait_for_url("**/assembly/questions/q*")
    visitor.check()
    thread = page.url.removeprefix(visitor.site.url)
    assert page.get_by_role("heading", name=TITLE).is_visible()
    body = page.locator("[data-question] [data-body]")
    assert body.locator("strong").inner_text() == "data"
    assert "<script>alert('boom')</script>" in body.inner_text()  # shown as text, never run
    # The learner answers.
    _as(visitor, "learner")
    visitor.visit(thread)
    page.get_by_label(re.compile("^Answer")).fill("Yes: the office recognises it for *5 ECTS*.")
    page.get_by_role("button", name="Post the answer").click()
    page.wait_for_selector("[data-answer]")
    visitor.check()
    answer = page.locator("[data-answer]").first
    assert answer.locator("em").inner_text() == "5 ECTS"
    # The asker votes it up and accepts it.
    _as(visitor, "member")
    visitor.visit(thread)
    page.get_by_role("button", name="Vote up").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Score 1" in page.locator("[data-answer] [data-score]").first.inner_text()
    page.get_by_role("button", name="Accept this answer").click()
    page.wait_for_selector("[data-accepted]")
    visitor.check()
    # The advisor verifies it, then records a decision citing it.
    _as(visitor, "advisor")
    visitor.visit(thread)
    page.locator("[data-answer] summary", has_text="Verify").click()
    page.get_by_label("Why it is right (optional)").fill("Checked with the office's register.")
    page.get_by_role("button", name="Mark it verified").click()
    page.wait_for_selector("[data-verified]")
    visitor.check()
    assert "verified by advisor" in page.locator("[data-verified]").inner_text()
    page.get_by_role("link", name="Record a recognition decision from it").click()
    page.wait_for_url("**/decision")
    visitor.check()
    page.get_by_role("radio", name="partial recognition").check()
    page.get_by_label("Credits granted (optional)").fill("5")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**/recognitions/**?recorded=1")
    visitor.check()
    assert "Assembly" in page.locator("main").inner_text()  # the note cites the question
    page.get_by_role("link", name="An answer verified in the Assembly").click()
    page.wait_for_url("**/assembly/questions/q*#a-*")
    visitor.check()
    assert page.url.removeprefix(visitor.site.url).startswith(thread)
    # Back on the credential's page, the question is listed, with its verified answer.
    visitor.visit(f"/credentials/{quote(PYTHON_IE, safe=':/')}")
    listed = page.locator("[data-node-questions] li", has_text=TITLE)
    assert listed.count() == 1 and "verified answer" in listed.inner_text()
    assert dialogs == []


def test_a_bad_question_is_shown_again_with_the_message_beside_the_field(
    visitor: Visitor,
) -> None:
    page = visitor.page
    _as(visitor, "member")
    visitor.visit("/assembly")
    page.get_by_role("link", name="Ask a question").click()
    page.wait_for_url("**/assembly/ask")
    visitor.check()
    page.get_by_label("Your question, in one line").fill("About nothing at all?")
    page.get_by_label(re.compile("^Details")).fill("Typed details stay.")
    page.get_by_label(re.compile("^Other nodes")).fill("https://example.org/no-such-node")
    page.get_by_role("button", name="Post the question").click()
    page.wait_for_load_state()
    visitor.check()
    assert "no node https://example.org/no-such-node" in page.locator("#f-more-error").inner_text()
    assert page.get_by_label("Your question, in one line").input_value() == "About nothing at all?"
    assert page.get_by_label(re.compile("^Details")).input_value() == "Typed details stay."


def _api_question(visitor: Visitor, title: str) -> str:
    """A member's question about the Python course, asked through the API."""
    key = visitor.site.users["member"]["api_key"]
    asked = httpx.post(
        f"{visitor.site.url}/v1/questions",
        json={"title": title, "body": "First text.", "about": [PYTHON_IE]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert asked.status_code == 201, asked.text
    return f"/assembly/questions/{asked.json()['id']}"


def test_the_author_edits_with_history_and_a_moderator_hides_and_shows(visitor: Visitor) -> None:
    page = visitor.page
    thread = _api_question(visitor, "Which modules does the course have?")
    _as(visitor, "member")
    visitor.visit(thread)
    page.locator("[data-question] .post-tools").get_by_role("link", name="Edit").click()
    page.wait_for_url("**/edit")
    visitor.check()
    page.get_by_label(re.compile("^Text")).fill("Second text, *edited*.")
    page.get_by_role("button", name="Save the new text").click()
    page.wait_for_url("**/assembly/questions/q*")
    visitor.check()
    assert page.locator("[data-question] [data-body] em").inner_text() == "edited"
    page.locator("[data-question] [data-history] summary").click()
    assert "First text." in page.locator("[data-question] [data-history]").inner_text()
    # A moderator hides it with a reason: gone for others, kept for its author.
    _as(visitor, "admin")
    visitor.visit(thread)
    page.locator("[data-question] summary", has_text="Hide").click()
    page.get_by_label("Why hide it?").fill("Duplicate of another question")
    page.get_by_role("button", name="Hide it").click()
    page.wait_for_selector("[data-hidden]")
    visitor.check()
    page.context.clear_cookies()
    assert visitor.visit(thread).status == 404
    _as(visitor, "member")
    visitor.visit(thread)
    assert page.locator("[data-hidden]").is_visible()
    _as(visitor, "admin")
    visitor.visit(thread)
    page.locator("[data-question] summary", has_text="show again").click()
    page.get_by_role("button", name="Show it again").click()
    page.wait_for_load_state()
    visitor.check()
    page.context.clear_cookies()
    assert visitor.visit(thread).status == 200


def test_a_thread_reads_on_a_phone(phone_visitor: Visitor) -> None:
    page = phone_visitor.page
    thread = _api_question(phone_visitor, "Can I take the course part-time?")
    phone_visitor.visit("/assembly")
    page.get_by_role("link", name="Can I take the course part-time?").first.click()
    page.wait_for_url(f"**{thread}")
    phone_visitor.check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the thread is {width}px wide on a 390px screen"
    assert page.get_by_role("link", name="Sign in to answer").is_visible()
