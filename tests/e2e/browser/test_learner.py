"""The learner's and the mentor's flows in a real browser, on the demo data.

Each flow is clicked through with the pickers (search, then choose), as a person would; every
page shown is photographed and checked by axe-core. The demo's own submission is left as it
is (the assessor's flows use it): the proof flow submits work of its own.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.browser.conftest import Visitor

ADA = "https://credwalk.org/id/learner/ada-walsh"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"


def _pick(visitor: Visitor, label: str, typed: str, option: str) -> None:
    """Type into a picker and choose the suggestion that contains ``option``."""
    page = visitor.page
    page.get_by_label(label, exact=True).fill(typed)
    choice = page.get_by_role("option", name=option).first
    choice.wait_for()
    choice.click()


def _api(visitor: Visitor, name: str, method: str, path: str, **kw: Any) -> Any:
    key = visitor.site.users[name]["api_key"]
    response = httpx.request(
        method, visitor.site.url + path, headers={"Authorization": f"Bearer {key}"}, **kw
    )
    assert response.status_code < 300, response.text
    return response.json()


def test_a_learner_declares_a_competence_with_the_skill_picker(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    page.get_by_role("link", name="My competences").click()
    page.wait_for_url("**/me")
    visitor.check()
    _pick(visitor, "Skill", "SQL", "SQL")
    page.get_by_label("Level").select_option("4")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/me?saved=1")
    visitor.check()
    assert page.get_by_role("status").inner_text() == "Saved."
    entered = page.locator('[data-group="self_declared"] tbody tr', has_text="SQL").first
    assert entered.locator("td").nth(1).inner_text() == "4"


def test_a_bad_competence_shows_the_message_beside_the_field(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    visitor.visit("/me")
    page.get_by_label("Skill", exact=True).fill("Python")  # typed, not picked
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    assert "pick a skill from the suggestions" in page.locator("#f-skill-error").inner_text()
    assert page.get_by_label("Skill", exact=True).input_value() == "Python"


def test_a_learner_plans_a_pathway_to_an_occupation(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    page.get_by_role("link", name="My pathway").click()
    page.wait_for_url("**/me/pathway")
    visitor.check()
    _pick(visitor, "Occupation", "data analyst", "data analyst")
    page.get_by_label("Recognised in").select_option("IE")
    page.get_by_role("button", name="Show my gap and pathway").click()
    page.wait_for_url("**/me/pathway?**")
    visitor.check()
    assert page.get_by_role("heading", name="The gap to data analyst").is_visible()
    missing = int(page.locator('[data-count="missing"]').inner_text().split()[0])
    assert missing > 0
    steps = page.locator('[data-pathway="best"] ol.timeline > li')
    assert steps.count() > 0
    assert "In total" in page.locator("[data-total]").inner_text()
    assert page.locator("[data-why]").inner_text().strip()
    assert page.locator("[data-alternatives] svg").count() == 1


def test_a_learner_submits_work_and_follows_it(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("learner")
    visitor.visit("/me/submissions")
    _pick(visitor, "Credential", "Programming Fundamentals", "Programming Fundamentals with Python")
    page.get_by_label("Name of the work (optional)").fill("Browser-made notebook")
    page.get_by_label("Link to the work").fill("https://example.org/ada/notebook")
    page.get_by_role("button", name="Submit for assessment").click()
    page.wait_for_url("**/me/submissions/*")
    visitor.check()
    assert page.locator("[data-status]").first.get_attribute("data-status") == "submitted"
    assert page.get_by_role("link", name="Browser-made notebook").is_visible()
    panel = page.locator("[data-panel] tbody tr")
    assert panel.count() >= 1 and "waiting" in panel.first.inner_text()
    page.get_by_role("link", name="Submissions", exact=True).click()
    page.wait_for_url("**/me/submissions")
    visitor.check()
    assert page.locator("[data-submissions] tbody tr").count() >= 2


def test_a_learner_downloads_and_verifies_a_proof(visitor: Visitor) -> None:
    # Work of its own, passed by the assessor and issued by the learner (through the API).
    mine = _api(
        visitor,
        "learner",
        "POST",
        "/v1/submissions",
        json={
            "learner": ADA,
            "credential": PYTHON_COURSE,
            "evidence": [{"kind": "link", "url": "https://example.org/ada/proof-work"}],
        },
    )
    results = [
        {"skill": s["skill"], "passed": True, "level": s["required_level"]}
        for s in mine["outcome"]["skills"]
    ]
    path = f"/v1/submissions/{mine['id']}/assessments"
    _api(visitor, "assessor", "POST", path, json={"results": results})
    proof = _api(visitor, "learner", "POST", "/v1/proofs", json={"submission": mine["id"]})
    page = visitor.page
    visitor.sign_in("learner")
    visitor.visit("/me/proofs")
    card = page.locator(f'[data-proof="{proof["uri"]}"]')
    assert card.locator("svg").is_visible()  # the QR code
    with page.expect_download() as download:
        card.get_by_role("link", name="Download (JSON)").click()
    assert download.value.suggested_filename == f"proof-{proof['id']}.json"
    card.get_by_role("button", name="Verify it now").click()
    page.wait_for_url("**/verify")
    visitor.check()
    assert page.locator("[data-verified]").get_attribute("data-verified") == "true"


def test_a_mentor_follows_a_mentee_read_only(visitor: Visitor) -> None:
    page = visitor.page
    visitor.sign_in("mentor")
    page.get_by_role("link", name="My learners").click()
    page.wait_for_url("**/mentees")
    visitor.check()
    page.get_by_role("link", name="Ada Walsh").click()
    page.wait_for_url("**/mentees/**")
    visitor.check()
    assert page.locator('[data-group="self_declared"]').is_visible()
    assert page.locator("[data-submissions]").is_visible()
    assert page.get_by_role("button", name="Save").count() == 0  # read-only
    _pick(visitor, "Occupation", "data analyst", "data analyst")
    page.get_by_role("button", name="Show the gap and pathway").click()
    page.wait_for_url("**/mentees/**?**")
    visitor.check()
    assert page.locator("[data-gap]").is_visible()
    page.locator("[data-submissions] a").first.click()
    page.wait_for_url("**/mentees/submissions/*")
    visitor.check()
    assert page.get_by_role("heading", name="Evidence").is_visible()


def test_without_consent_a_learner_is_not_yours_to_see(visitor: Visitor) -> None:
    visitor.sign_in("member")
    response = visitor.visit(f"/mentees/{ADA}")
    assert response.status == 403
    assert visitor.page.get_by_role("heading", name="Not yours to see").is_visible()
    assert visitor.visit("/me").status == 403


def test_the_demo_learner_sees_only_her_own_data(visitor: Visitor) -> None:
    # Another learner with a record of her own, made by the administrator through the API.
    site = visitor.site
    bea = "https://credwalk.org/id/learner/bea-browser"
    bea_skill = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
    made = httpx.post(
        f"{site.url}/v1/learners",
        json={
            "id": bea,
            "jurisdiction": "NL",
            "competences": [{"skill": bea_skill, "level": 5, "source": "self_declared"}],
        },
        headers={"Authorization": f"Bearer {site.users['admin']['api_key']}"},
    )
    assert made.status_code == 201, made.text
    page = visitor.page
    visitor.sign_in("learner")
    visitor.visit("/me")
    assert page.locator('[data-group="self_declared"]').is_visible()
    assert bea not in page.content()
    for path in (f"/mentees/{bea}", f"/v1/learners/{bea}"):
        response = page.goto(site.url + path)
        assert response is not None and response.status == 403, path
        assert bea_skill not in page.content()  # none of her data
    visitor.visit(f"/mentees/{bea}")
    assert page.get_by_role("heading", name="Not yours to see").is_visible()
