"""Everyone's pages in a real browser: find a skill, read its page, browse credentials, verify."""

from __future__ import annotations

import json

from tests.e2e.browser.conftest import Visitor

PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def test_search_a_skill_and_open_its_page(visitor: Visitor) -> None:
    page = visitor.page
    visitor.visit("/")
    page.get_by_label("Search", exact=True).fill("Python programming")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url("**/search?**")
    visitor.check()
    results = page.locator("[data-results] li")
    assert results.count() > 0
    page.locator(f'[data-results] a[href="/concepts/{PYTHON_SKILL}"]').click()
    page.wait_for_url(f"**/concepts/{PYTHON_SKILL}")
    visitor.check()
    assert "Python" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="Labels").is_visible()
    assert page.get_by_role("heading", name="Credentials that certify it").is_visible()
    # It leads on to a credential that certifies it.
    page.locator('section a[href^="/credentials/"]').first.click()
    page.wait_for_url("**/credentials/**")
    visitor.check()
    assert page.get_by_role("heading", name="Skills it certifies").is_visible()


def test_browse_credentials_by_country(visitor: Visitor) -> None:
    page = visitor.page
    visitor.visit("/credentials")
    every = page.locator("[data-credentials] tbody tr").count()
    page.get_by_label("Country or region").select_option("IE")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**jurisdiction=IE**")
    visitor.check()
    rows = page.locator("[data-credentials] tbody tr")
    assert 0 < rows.count() < every
    assert all(cell == "IE" for cell in rows.locator("td:nth-child(3)").all_inner_texts())


def test_verify_a_paste_shows_each_check_and_keeps_what_was_pasted(visitor: Visitor) -> None:
    page = visitor.page
    visitor.visit("/verify")
    page.get_by_label("The signed credential (JSON)").fill("{not json")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    visitor.check()
    assert "this is not JSON" in page.locator(".error").first.inner_text()
    assert page.get_by_label("The signed credential (JSON)").input_value() == "{not json"
    unsigned = json.dumps(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:x",
            "credentialSubject": {"id": "did:example:y"},
        }
    )
    page.get_by_label("The signed credential (JSON)").fill(unsigned)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.locator("[data-verified]").get_attribute("data-verified") == "false"
    assert page.locator("table tbody tr").count() >= 1


def test_keyboard_reaches_the_content_first(visitor: Visitor) -> None:
    page = visitor.page
    visitor.visit("/credentials")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_readable_on_a_phone(phone_visitor: Visitor) -> None:
    page = phone_visitor.page
    phone_visitor.visit(f"/concepts/{PYTHON_SKILL}")
    # Nothing wider than the screen: no sideways scrolling to read the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
