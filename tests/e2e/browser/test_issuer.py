"""The issuer's flows in a real browser: the catalogue, a credential's form, its skills, export.

The demo site is shared by the browser tests of the session: these flows change credentials
no other browser test reads.
"""

from __future__ import annotations

from urllib.parse import quote

from tests.e2e.browser.conftest import Visitor

PROJECT = "https://www.liffey-tu.example/credentials/software-engineering-project"
NURSING = "https://www.liffey-tu.example/credentials/nursing-leadership-quality-evidence"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
OTHERS = "https://www.greatlakes-cc.example/credentials/python-programming-1"


def test_edit_a_credential_from_the_catalogue_after_a_typing_mistake(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("issuer")
    visitor.visit("/")
    page.get_by_role("link", name="Catalogue", exact=True).click()
    page.wait_for_url("**/catalogue")
    visitor.check()
    assert page.locator(f'[data-catalogue] tr[data-credential="{PROJECT}"]').is_visible()
    assert page.locator('[data-catalogue] tr[data-credential*="greatlakes"]').count() == 0
    page.get_by_role("link", name="Edit Software Engineering Project and Practice").click()
    page.wait_for_url("**/catalogue/edit?id=**")
    visitor.check()
    page.get_by_label("Title").fill("Software Engineering Project (2027)")
    page.get_by_label("Learning hours").fill("two hundred")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    assert "expected a number" in page.locator("#f-hours-error").inner_text()
    assert page.get_by_label("Title").input_value() == "Software Engineering Project (2027)"
    assert page.get_by_label("Learning hours").input_value() == "two hundred"
    page.get_by_label("Learning hours").fill("200")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/catalogue?saved=**")
    visitor.check()
    assert "Saved" in page.locator(".notice").inner_text()
    row = page.locator(f'[data-catalogue] tr[data-credential="{PROJECT}"]')
    assert "Software Engineering Project (2027)" in row.inner_text()


def test_paste_a_syllabus_review_the_suggestions_per_outcome_and_publish(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("issuer")
    visitor.visit("/catalogue")
    page.get_by_role(
        "link", name="Map the skills of Nursing Leadership, Quality and Evidence-Based Practice"
    ).click()
    page.wait_for_url("**/catalogue/mapping?id=**")
    visitor.check()
    page.get_by_label("Learning outcomes, one per line").fill(
        "Lead a nursing team and delegate care\nAppraise research evidence for clinical practice"
    )
    page.get_by_role("button", name="Suggest skills").click()
    page.wait_for_url("**notice=**")
    visitor.check()
    assert "new suggestions to review" in page.locator(".notice").inner_text()
    outcomes = page.locator("[data-outcome]")
    assert outcomes.count() == 2
    assert "Lead a nursing team" in outcomes.first.locator("h3").inner_text()
    first = outcomes.first.locator("tbody tr").first
    skill = first.get_attribute("data-skill")
    assert "matched the" in first.locator(".why").inner_text()
    first.get_by_label("accept").check()
    page.get_by_role("button", name="Publish decisions").click()
    page.wait_for_url("**notice=**")
    visitor.check()
    assert "Published: 1 accepted" in page.locator(".notice").inner_text()
    state = page.locator(f'[data-outcome="1"] tr[data-skill="{skill}"] .status-confirmed')
    assert state.inner_text() == "confirmed"


def test_export_and_equivalents_of_a_credential(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("issuer")
    visitor.visit("/catalogue")
    page.get_by_role("link", name="Export Programming Fundamentals with Python").click()
    page.wait_for_url("**/catalogue/export?id=**")
    visitor.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Open Badges 3.0 Achievement").click()
    assert download.value.suggested_filename == "programming-fundamentals-python.ob3.json"
    visitor.visit("/catalogue")
    page.get_by_role("link", name="Equivalents of Programming Fundamentals with Python").click()
    page.wait_for_url("**/catalogue/equivalents?id=**")
    visitor.check()
    page.get_by_label("Country or region").select_option("US")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**jurisdiction=US**")
    visitor.check()
    rows = page.locator("[data-equivalents] tbody tr")
    assert rows.count() > 0
    assert all(cell == "US" for cell in rows.locator("td:nth-child(3)").all_inner_texts())


def test_another_issuers_credential_cannot_be_edited(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("issuer")
    visitor.visit(f"/credentials/{OTHERS}")
    assert page.get_by_role("link", name="Edit").count() == 0
    response = visitor.visit(f"/catalogue/edit?id={quote(OTHERS, safe='')}")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Not yours to see"
    assert "not staff of the issuer" in page.locator("main").inner_text()
    # Its own credential's page offers the form.
    visitor.visit(f"/credentials/{PYTHON_COURSE}")
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/catalogue/edit?id=**")
    visitor.check()
    assert page.get_by_label("Title").input_value() == "Programming Fundamentals with Python"
