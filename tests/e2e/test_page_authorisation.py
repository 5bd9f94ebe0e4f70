"""Who may open which page, through the pages: every page route, every demo user, own or other.

The API's matrix (``test_authorisation.py``) holds the rules of the services; the pages call
the same services, and this matrix shows the rules hold through them too. Each row of
:data:`PAGES` is one page route with the users who may use it: a page is open to everyone,
or to the users named (on their own objects); any other signed-in user gets the 403 page and
an anonymous visitor is sent to sign in. ``bea`` is a second learner, made here, so that a
learner's objects are tried by another learner too. A POST is sent with the session's CSRF
token and an empty form: those allowed get past the rule to the form's own check (422) or
its answer, the others the 403 page, and nothing is written.
:func:`test_every_page_has_a_row` fails when a page is added without a row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.pages import PAGE_ROUTERS
from tests.e2e.test_pages import Site, _token, client, sign_in, site
from tests.e2e.test_pages_learner import _issue_a_proof

__all__ = ["client", "site"]  # the demo of the pages' tests, one for this module

ADA = "https://credwalk.org/id/learner/ada-walsh"
BEA = "https://credwalk.org/id/learner/bea-other"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
EVERYONE = frozenset(
    {"anonymous", "admin", "issuer", "assessor", "advisor", "mentor", "learner", "member", "bea"}
    | {"leader"}  # groups: the demo's group leader
)
SIGNED_IN = EVERYONE - {"anonymous"}


@dataclass(frozen=True)
class Objects:
    """The demo's objects the pages are tried on."""

    submission: str  # Ada's, at the Python course's panel
    proof: str  # Ada's
    decision: str  # the Irish recognition office's
    attempt: str = ""  # Ada's onboarding test for the Python course
    item: str = ""  # an item of the demo's onboarding bank
    consultation: str = ""  # Ada's private question to the Liffey university (short id)


@dataclass(frozen=True)
class Row:
    """A page route: the URL to try and who may use it."""

    url: Callable[[Objects], str]
    allowed: frozenset[str]
    #: Whether a refused user may get the 404 page instead of the 403 one (an object they
    #: may not even know of, such as a private question to an issuer).
    unseen: bool = False


def _fixed(url: str) -> Callable[[Objects], str]:
    return lambda _: url


def _row(url: str | Callable[[Objects], str], *allowed: str) -> Row:
    return Row(_fixed(url) if isinstance(url, str) else url, frozenset(allowed))


_EDIT = f"?id={PYTHON_COURSE}"
#: (method, route path) -> the row. ``allowed`` are the users who pass the rule.
PAGES: dict[tuple[str, str], Row] = {
    ("GET", "/"): _row("/", *EVERYONE),
    ("GET", "/login"): _row("/login", *EVERYONE),
    ("POST", "/login"): _row("/login", *EVERYONE),
    ("POST", "/logout"): _row("/logout", *EVERYONE),
    ("GET", "/search"): _row("/search?q=python", *EVERYONE),
    ("GET", "/concepts/{uri:path}"): _row(f"/concepts/{PYTHON_SKILL}", *EVERYONE),
    ("GET", "/credentials"): _row("/credentials", *EVERYONE),
    ("GET", "/credentials/{credential_id:path}"): _row(f"/credentials/{PYTHON_COURSE}", *EVERYONE),
    ("GET", "/verify"): _row("/verify", *EVERYONE),
    ("POST", "/verify"): _row("/verify", *EVERYONE),
    ("GET", "/suggest"): _row("/suggest?q=python", *EVERYONE),
    ("GET", "/compare"): _row(f"/compare?c={PYTHON_COURSE}", *EVERYONE),
    ("GET", "/recognitions/{decision_id:path}"): _row(
        lambda o: f"/recognitions/{o.decision}", *EVERYONE
    ),
    # The learner's own pages: a learner (Ada or Bea), each on their own record.
    ("GET", "/me"): _row("/me", "learner", "bea"),
    ("POST", "/me/competences"): _row("/me/competences", "learner", "bea"),
    ("GET", "/me/pathway"): _row("/me/pathway", "learner", "bea"),
    ("GET", "/me/submissions"): _row("/me/submissions", "learner", "bea"),
    ("POST", "/me/submissions"): _row("/me/submissions", "learner", "bea"),
    ("GET", "/me/submissions/{submission_id}"): _row(
        lambda o: f"/me/submissions/{o.submission}", "learner"
    ),
    ("GET", "/me/proofs"): _row("/me/proofs", "learner", "bea"),
    ("GET", "/me/proofs/{proof_id}/download"): _row(
        lambda o: f"/me/proofs/{o.proof}/download", "learner"
    ),
    # Whom learners shared their data with (anyone may be shown an empty list), and a
    # learner's data read by others: the mentor under Ada's consent, Ada herself, an
    # administrator, and whoever else the services let read the object (the course's issuer
    # reads its proofs and submissions, the panel's assessor the submission).
    # career overview (issue 18)
    ("GET", "/me/overview"): _row("/me/overview", "learner", "bea"),
    ("GET", "/overview/{learner_id:path}"): _row(f"/overview/{ADA}", "mentor", "learner", "admin"),
    ("GET", "/mentees"): _row("/mentees", *SIGNED_IN),
    ("GET", "/mentees/{learner_id:path}"): _row(f"/mentees/{ADA}", "mentor", "learner", "admin"),
    ("GET", "/mentees/submissions/{submission_id}"): _row(
        lambda o: f"/mentees/submissions/{o.submission}",
        *("mentor", "learner", "admin", "issuer", "assessor"),
    ),
    ("GET", "/mentees/proofs/{proof_id}/download"): _row(
        lambda o: f"/mentees/proofs/{o.proof}/download", "mentor", "learner", "admin", "issuer"
    ),
    # The issuer's staff (and administrators), on the Liffey university's credential.
    ("GET", "/catalogue"): _row("/catalogue", "issuer", "admin"),
    ("GET", "/catalogue/new"): _row("/catalogue/new", "issuer", "admin"),
    ("POST", "/catalogue/new"): _row("/catalogue/new", "issuer", "admin"),
    ("GET", "/catalogue/edit"): _row(f"/catalogue/edit{_EDIT}", "issuer", "admin"),
    ("POST", "/catalogue/edit"): _row(f"/catalogue/edit{_EDIT}", "issuer", "admin"),
    ("GET", "/catalogue/mapping"): _row(f"/catalogue/mapping{_EDIT}", "issuer", "admin"),
    ("POST", "/catalogue/mapping"): _row(f"/catalogue/mapping{_EDIT}", "issuer", "admin"),
    ("POST", "/catalogue/mapping/decisions"): _row(
        f"/catalogue/mapping/decisions{_EDIT}", "issuer", "admin"
    ),
    ("GET", "/catalogue/export"): _row(f"/catalogue/export{_EDIT}", "issuer", "admin"),
    ("GET", "/catalogue/equivalents"): _row(f"/catalogue/equivalents{_EDIT}", "issuer", "admin"),
    # The assessor on the panel of Ada's submission.
    # (An administrator reads them; only a panel member records an assessment, as themself.)
    ("GET", "/assess"): _row("/assess", "assessor", "admin"),
    ("GET", "/assess/{submission_id}"): _row(
        lambda o: f"/assess/{o.submission}", "assessor", "admin"
    ),
    ("POST", "/assess/{submission_id}"): _row(lambda o: f"/assess/{o.submission}", "assessor"),
    # The advisor of the Irish recognition office.
    ("GET", "/recognitions"): _row("/recognitions", "advisor"),
    ("GET", "/recognitions/new"): _row("/recognitions/new", "advisor"),
    ("POST", "/recognitions/new"): _row("/recognitions/new", "advisor"),
    # Onboarding tests: Ada takes hers (her mentor, by her consent, and an administrator read
    # it); the bank's authors (issuers' staff, assessors) keep the items; assessors rate tasks.
    ("GET", "/me/onboarding"): _row("/me/onboarding", "learner", "bea"),
    ("POST", "/me/onboarding"): _row("/me/onboarding", "learner", "bea"),
    ("GET", "/me/onboarding/{attempt_id}"): _row(
        lambda o: f"/me/onboarding/{o.attempt}", "learner", "mentor", "admin"
    ),
    ("POST", "/me/onboarding/{attempt_id}"): _row(
        lambda o: f"/me/onboarding/{o.attempt}", "learner", "admin"
    ),
    ("GET", "/onboarding/items"): _row("/onboarding/items", "issuer", "assessor", "admin"),
    ("POST", "/onboarding/items"): _row("/onboarding/items", "issuer", "assessor", "admin"),
    ("GET", "/onboarding/items/{item_id}"): _row(
        lambda o: f"/onboarding/items/{o.item}", "issuer", "assessor", "admin"
    ),
    ("POST", "/onboarding/items/{item_id}"): _row(
        lambda o: f"/onboarding/items/{o.item}", "issuer", "assessor", "admin"
    ),
    ("GET", "/onboarding/ratings"): _row("/onboarding/ratings", "assessor", "admin"),
    ("POST", "/onboarding/ratings/{attempt_id}"): _row(
        lambda o: f"/onboarding/ratings/{o.attempt}", "assessor", "admin"
    ),
    # Issuer consultation (issue 17 point 2): Ada asks the Liffey university privately.
    ("GET", "/consultations/new"): _row(
        f"/consultations/new?credential={PYTHON_COURSE}", "learner", "bea", "mentor", "admin"
    ),
    ("POST", "/consultations"): _row("/consultations", "learner", "bea", "mentor", "admin"),
    ("GET", "/consultations/{question_id}"): dataclasses.replace(
        _row(lambda o: f"/consultations/{o.consultation}", "learner", "issuer", "admin"),
        unseen=True,
    ),
    ("POST", "/consultations/{question_id}/answers"): dataclasses.replace(
        _row(lambda o: f"/consultations/{o.consultation}/answers", "learner", "issuer", "admin"),
        unseen=True,
    ),
    ("POST", "/consultations/{question_id}/sharing"): dataclasses.replace(
        _row(lambda o: f"/consultations/{o.consultation}/sharing", "learner", "admin"),
        unseen=True,
    ),
    ("GET", "/catalogue/questions"): _row("/catalogue/questions", "issuer", "admin"),
    ("GET", "/me/questions"): _row("/me/questions", *SIGNED_IN),
    # Groups: the demo group's leader and mentor (and administrators); a learner decides on
    # the recommendations made to them.
    ("GET", "/groups"): _row("/groups", *SIGNED_IN),
    ("GET", "/groups/{slug}"): _row("/groups/dublin-data-cohort", "leader", "mentor", "admin"),
    ("POST", "/groups/{slug}/recommendations"): _row(
        # the leader is told the empty form names no learner; for a learner, only a mentor
        # the group links to them passes (tests/contract/test_groups_service.py)
        "/groups/dublin-data-cohort/recommendations",
        "mentor",
        "admin",
        "leader",
    ),
    ("POST", "/me/recommendations/{rec_id}"): _row("/me/recommendations/none", "learner", "bea"),
    # Ada is in the demo group (a POST without the box stops her sharing); Bea is not (403).
    ("POST", "/me/groups/{slug}/sharing"): _row("/me/groups/dublin-data-cohort/sharing", "learner"),
}


# --- Certificates of Impact (issue 18): a claim of Ada's asking the mentor to confirm it ---
_IMPACT: dict[str, str] = {}


def _impact(suffix: str = "") -> Callable[[Objects], str]:
    return lambda _: f"/impact/{_IMPACT['claim']}{suffix}"


PAGES |= {
    ("GET", "/impact"): _row("/impact", *SIGNED_IN),
    ("POST", "/impact"): _row("/impact", *SIGNED_IN),
    ("GET", "/impact/{claim_id}"): _row(_impact(), "learner", "mentor", "admin"),
    ("GET", "/impact/{claim_id}/download"): _row(
        _impact("/download"), "learner", "mentor", "admin"
    ),
    # Only the endorser asked confirms (never the claimant); the claimant or an administrator
    # issues and revokes (409 here: not confirmed yet, never issued).
    ("POST", "/impact/{claim_id}/endorse"): _row(_impact("/endorse"), "mentor"),
    ("POST", "/impact/{claim_id}/issue"): _row(_impact("/issue"), "learner", "admin"),
    ("POST", "/impact/{claim_id}/revoke"): _row(_impact("/revoke"), "learner", "admin"),
    ("GET", "/me/portfolio"): _row("/me/portfolio", *SIGNED_IN),
}


@pytest.fixture(scope="module", autouse=True)
def impact_claim(site: Site) -> None:
    """Ada's claim of impact, asking the demo's mentor to confirm it."""
    the_client, demo_users, _ = site
    made = the_client.post(
        "/v1/impact",
        json={
            "title": "Ran the cohort's SQL clinic",
            "beneficiary": "Dublin data cohort",
            "outcome": "Eight learners passed their SQL module",
            "start": "2025-10-01",
            "skills": [PYTHON_SKILL],
            "endorsers": ["mentor"],
        },
        headers={"Authorization": f"Bearer {demo_users['learner']['api_key']}"},
    )
    assert made.status_code == 201, made.text
    _IMPACT["claim"] = made.json()["id"]


def _page_routes() -> set[tuple[str, str]]:
    return {
        (method, getattr(route, "path", ""))
        for router in PAGE_ROUTERS
        for route in router.routes
        for method in getattr(route, "methods", ())
        if method != "HEAD"
    }


def test_every_page_has_a_row() -> None:
    missing = _page_routes() - set(PAGES)
    assert not missing, f"page routes without a row in PAGES: {sorted(missing)}"
    assert not set(PAGES) - _page_routes(), "rows of pages that no longer exist"


def _key(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['api_key']}"}


@pytest.fixture(scope="module")
def users(site: Site) -> dict[str, dict[str, Any]]:
    """The demo's users and Bea, a second learner."""
    the_client, demo_users, _ = site
    made = the_client.post(
        "/v1/users",
        json={"name": "bea", "password": "a long password", "grants": [f"learner:{BEA}"]},
        headers=_key(demo_users["admin"]),
    )
    assert made.status_code == 201, made.text
    return {**demo_users, "bea": {"name": "bea", "password": "a long password"}}


@pytest.fixture(scope="module")
def objects(site: Site, users: dict[str, dict[str, Any]]) -> Objects:
    the_client = site[0]
    proof = _issue_a_proof(the_client, users)
    submissions = the_client.get(
        "/v1/submissions", params={"learner": ADA}, headers=_key(users["learner"])
    ).json()["data"]
    decision = the_client.post(
        "/v1/recognitions",
        json={
            "authority": "https://recognition.example.ie",
            "credential": "https://www.greatlakes-cc.example/credentials/python-programming-1",
            "outcome": "partial",
            "to_jurisdiction": "IE",
            "note": "tried by the pages' matrix",
        },
        headers=_key(users["advisor"]),
    )
    assert decision.status_code == 201, decision.text
    asked = the_client.post(
        "/v1/consultations",
        json={"credential": PYTHON_COURSE, "title": "Exam?", "body": "Is there one?"},
        headers=_key(users["learner"]),
    )
    assert asked.status_code == 201, asked.text
    return Objects(
        submission=next(s["id"] for s in submissions if s["credential"] == PYTHON_COURSE),
        proof=proof["id"],
        decision=decision.json()["id"],
        **_onboarding_objects(the_client, users),
        consultation=asked.json()["id"],
    )


def _onboarding_objects(client: TestClient, users: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Ada's onboarding test for the Python course, and an item of the demo's bank."""
    started = client.post(
        "/v1/onboarding/attempts",
        json={"learner": ADA, "target": f"credential:{PYTHON_COURSE}"},
        headers=_key(users["learner"]),
    )
    assert started.status_code == 201, started.text
    items = client.get("/v1/onboarding/items", headers=_key(users["issuer"])).json()["data"]
    return {"attempt": started.json()["id"], "item": items[0]["id"]}


def _changes_since(client: TestClient, users: dict[str, dict[str, Any]], since: str) -> int:
    """How many changes the audit log holds since ``since`` (every change is audited)."""
    entries = client.get(
        "/v1/audit", params={"since": since, "outcome": "ok"}, headers=_key(users["admin"])
    )
    assert entries.status_code == 200, entries.text
    return len(entries.json()["data"])


@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_each_user_reaches_only_their_pages(
    client: TestClient, users: dict[str, dict[str, Any]], objects: Objects, who: str
) -> None:
    if who != "anonymous":
        sign_in(client, users[who])
    token = _token(client.get("/login").text)
    wrong: list[str] = []
    for (method, path), row in sorted(PAGES.items()):
        if path in ("/login", "/logout"):
            continue  # signing in and out: their own tests
        url = row.url(objects)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            since = datetime.now(UTC).isoformat()
            response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
        status = response.status_code
        if who in row.allowed:
            # Past the rule: the answer, or the form's own check (422; 409 for a change the
            # object's state refuses, such as a second assessment of the same seat).
            ok = status < 400 or status in (409, 422)
        elif who == "anonymous":
            ok = status == 303 and response.headers["location"].startswith("/login?next=")
        else:
            refusals = {403, 404} if row.unseen else {403}
            ok = status in refusals and "text/html" in response.headers["content-type"]
        if method == "POST" and who not in row.allowed:
            ok = ok and _changes_since(client, users, since) == 0
        if not ok:
            wrong.append(f"{method} {url} -> {status}")
    assert not wrong, f"{who}: " + "; ".join(wrong)


# --- The Assembly (w-apages): questions, answers, moderation, decisions from answers ----------
# A member's question about the Python course, answered by the learner, made once per module
# (through the API) and tried by every user: the thread is public, posting needs a user, the
# asker (or an administrator) accepts, an advisor, a mentor (or an administrator) verifies, an
# administrator hides, the author edits, the authority's advisor decides from an answer.
_ASSEMBLY: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def assembly_posts(site: Site) -> None:
    the_client, demo_users, _ = site
    asked = the_client.post(
        "/v1/questions",
        json={
            "title": "Tried by the pages' matrix",
            "body": "Does it count?",
            "about": [PYTHON_COURSE],
        },
        headers=_key(demo_users["member"]),
    )
    assert asked.status_code == 201, asked.text
    answered = the_client.post(
        f"/v1/questions/{asked.json()['id']}/answers",
        json={"body": "It does."},
        headers=_key(demo_users["learner"]),
    )
    assert answered.status_code == 201, answered.text
    _ASSEMBLY.update(question=asked.json()["id"], answer=answered.json()["id"])


def _q(tail: str = "") -> Callable[[Objects], str]:
    return lambda _: f"/assembly/questions/{_ASSEMBLY['question']}{tail}"


def _a(tail: str) -> Callable[[Objects], str]:
    return lambda _: f"/assembly/answers/{_ASSEMBLY['answer']}{tail}"


def _p(tail: str, post: str = "question") -> Callable[[Objects], str]:
    return lambda _: f"/assembly/posts/{_ASSEMBLY[post]}{tail}"


PAGES.update(
    {
        ("GET", "/assembly"): _row("/assembly", *EVERYONE),
        ("GET", "/assembly/ask"): _row(f"/assembly/ask?about={PYTHON_COURSE}", *SIGNED_IN),
        ("POST", "/assembly/ask"): _row("/assembly/ask", *SIGNED_IN),
        ("GET", "/assembly/questions/{question_id}"): _row(_q(), *EVERYONE),
        ("POST", "/assembly/questions/{question_id}/answers"): _row(_q("/answers"), *SIGNED_IN),
        ("GET", "/assembly/answers/{answer_id}"): _row(_a(""), *EVERYONE),
        ("POST", "/assembly/answers/{answer_id}/vote"): _row(_a("/vote"), *SIGNED_IN),
        ("POST", "/assembly/answers/{answer_id}/accept"): _row(_a("/accept"), "member", "admin"),
        ("POST", "/assembly/answers/{answer_id}/verify"): _row(
            _a("/verify"), "advisor", "mentor", "admin"
        ),
        ("POST", "/assembly/posts/{post_id}/report"): _row(_p("/report", "answer"), *SIGNED_IN),
        ("POST", "/assembly/posts/{post_id}/hidden"): _row(_p("/hidden"), "admin"),
        ("GET", "/assembly/posts/{post_id}/edit"): _row(_p("/edit"), "member", "admin"),
        ("POST", "/assembly/posts/{post_id}/edit"): _row(_p("/edit"), "member", "admin"),
        ("GET", "/assembly/answers/{answer_id}/decision"): _row(_a("/decision"), "advisor"),
        ("POST", "/assembly/answers/{answer_id}/decision"): _row(_a("/decision"), "advisor"),
    }
)
