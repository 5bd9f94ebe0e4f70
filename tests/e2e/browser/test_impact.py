"""Certificates of Impact in a real browser, on the demo: claim, two confirmations, issue,
verify, the portfolio download; and a bad claim. Every page shown is photographed and checked
by axe-core.
"""

from __future__ import annotations

import io
import zipfile

from tests.e2e.browser.conftest import Visitor

TITLE = "Taught SQL at the library's coding evenings"


def _pick(visitor: Visitor, label: str, typed: str, option: str) -> None:
    """Type into a picker and choose the suggestion that contains ``option``."""
    page = visitor.page
    page.get_by_label(label, exact=True).fill(typed)
    choice = page.get_by_role("option", name=option).first
    choice.wait_for()
    choice.click()


def _switch(visitor: Visitor, name: str) -> None:
    visitor.page.get_by_role("button", name="Sign out").click()
    visitor.page.wait_for_load_state()
    visitor.sign_in(name)


def _confirm(visitor: Visitor, name: str, relation: str) -> None:
    page = visitor.page
    _switch(visitor, name)
    page.get_by_role("link", name=TITLE).first.click()  # from the home page's section
    page.wait_for_url("**/impact/*")
    visitor.check()
    page.get_by_label("Your relation to this work").select_option(relation)
    page.get_by_label("What you confirm").fill(f"As {relation}, I saw the evenings run.")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**?done=endorsed")
    visitor.check()
    assert page.get_by_role("status").inner_text() == "Your confirmation is recorded."


def test_a_claim_confirmed_by_two_parties_is_issued_verified_and_exported(
    visitor: Visitor,
) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    page.get_by_role("link", name="My impact").click()
    page.wait_for_url("**/impact")
    visitor.check()
    page.get_by_label("What did you do?").fill(TITLE)
    page.get_by_label("For whom?").fill("Liffey public library")
    page.get_by_label("What was the outcome?").fill("Thirty adults wrote their first query")
    page.get_by_label("Started").fill("2025-02-01")
    page.get_by_label("Ended (optional)").fill("2025-06-30")
    _pick(visitor, "Skill 1", "SQL", "SQL")
    page.get_by_label("Who should confirm it?").fill("mentor, member")
    page.get_by_role("button", name="Claim and ask for confirmation").click()
    page.wait_for_url("**/impact/*")
    visitor.check()
    assert page.get_by_text("awaiting endorsement").first.is_visible()
    claim_url = page.url
    _confirm(visitor, "mentor", "employer")
    _confirm(visitor, "member", "community")
    _switch(visitor, "learner")
    page.goto(claim_url)
    visitor.check()
    page.get_by_role("button", name="Issue the certificate").click()
    page.wait_for_url("**?done=issued")
    visitor.check()
    assert page.get_by_role("status").inner_text() == "Certificate issued."
    with page.expect_download() as certificate:
        page.get_by_role("link", name="Download (JSON)").click()
    assert certificate.value.suggested_filename.startswith("impact-")
    page.get_by_role("button", name="Verify it now").click()
    page.wait_for_url("**/verify")
    visitor.check()
    assert page.locator("[data-verified]").get_attribute("data-verified") == "true"
    visitor.visit("/impact")
    with page.expect_download() as portfolio:
        page.get_by_role("link", name="Download my portfolio (signed ZIP)").click()
    path = portfolio.value.path()
    names = zipfile.ZipFile(io.BytesIO(open(path, "rb").read())).namelist()  # noqa: SIM115
    assert "manifest.json" in names and "summary.html" in names
    assert any(n.startswith("credentials/impact-") for n in names)


def test_a_claim_without_a_skill_shows_the_message_beside_the_field(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("member")
    page.get_by_role("link", name="My impact").click()
    page.wait_for_url("**/impact")
    page.get_by_label("What did you do?").fill("Cleaned the river bank")
    page.get_by_label("For whom?").fill("Tidy Towns")
    page.get_by_label("What was the outcome?").fill("Two tonnes of litter removed")
    page.get_by_label("Started").fill("2025-04-05")
    page.get_by_label("Who should confirm it?").fill("mentor")
    page.get_by_role("button", name="Claim and ask for confirmation").click()
    page.wait_for_load_state()
    visitor.check()
    assert "at least one skill" in page.locator("#f-skill1-error").inner_text()
    assert page.get_by_label("What did you do?").input_value() == "Cleaned the river bank"
