"""The Assembly's pages on the demo: ask, answer, vote, accept, verify, moderate, decide.

Every form's outcome is checked through the API (``/v1/questions``, ``/v1/audit``): what a
page did is what the services recorded, and a refused or bad form wrote nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from graph.model.assembly import MAX_BODY
from tests.e2e.test_pages import Site, _token, client, sign_in, site
from tests.fixtures.demo_site import demo_app, demo_settings, demo_users

__all__ = ["client", "site"]  # the fixtures of the pages' tests, one demo per module

PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
AUTHORITY = "https://recognition.example.ie"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"


def _key(site: Site, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site[1][name]['api_key']}"}


def _error(page: str, field: str) -> str:
    """The message shown beside the form field whose id is ``f-<field>``."""
    found = re.search(rf'id="f-{re.escape(field)}-error"[^>]*>([^<]*)<', page)
    assert found, f"no message beside {field}"
    return html.unescape(found.group(1))


def _changes_since(client: TestClient, site: Site, since: str) -> int:
    """How many changes the audit log holds since ``since`` (every change is audited)."""
    entries = client.get(
        "/v1/audit", params={"since": since, "outcome": "ok"}, headers=_key(site, "admin")
    )
    assert entries.status_code == 200, entries.text
    return len(entries.json()["data"])


def _thread(client: TestClient, question_id: str) -> dict[str, Any]:
    found = client.get(f"/v1/questions/{question_id}")
    assert found.status_code == 200, found.text
    thread: dict[str, Any] = found.json()
    return thread


def _ask(client: TestClient, form: dict[str, Any]) -> Any:
    token = _token(client.get("/assembly/ask").text)
    return client.post("/assembly/ask", data={"csrf_token": token, **form}, follow_redirects=False)


def _post(client: TestClient, path: str, form: dict[str, str], page: str) -> Any:
    """Post ``form`` to ``path`` with the CSRF token of the page ``page``."""
    token = _token(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)


@pytest.fixture(scope="module")
def posts(site: Site) -> Iterator[dict[str, str]]:
    """A member's question about the Python course, answered by the learner (through the API)."""
    the_client = site[0]
    asked = the_client.post(
        "/v1/questions",
        json={
            "title": "Does the Liffey Python course count toward a data role?",
            "body": "I am looking at **data analyst** roles.",
            "about": [PYTHON_COURSE, "IE"],
        },
        headers=_key(site, "member"),
    )
    assert asked.status_code == 201, asked.text
    question = asked.json()["id"]
    answered = the_client.post(
        f"/v1/questions/{question}/answers",
        json={"body": "Yes: it covers Python for data work."},
        headers=_key(site, "learner"),
    )
    assert answered.status_code == 201, answered.text
    yield {"question": question, "answer": answered.json()["id"]}


def test_a_member_asks_from_the_credential_page_and_the_thread_shows_it_inert(
    site: Site, client: TestClient
) -> None:
    course = client.get(f"/credentials/{quote(PYTHON_COURSE, safe=':/')}").text
    assert "Questions about this" in course
    ask_link = re.search(r'href="(/assembly/ask\?about=[^"]+)"', course)
    assert ask_link, "the credential page links to asking about it"
    sign_in(client, site[1]["member"])
    assert 'href="/assembly"' in client.get("/").text  # the Assembly in the navigation
    form = client.get(html.unescape(ask_link.group(1))).text
    assert f'name="about" value="{PYTHON_COURSE}" checked' in form
    assert "Programming Fundamentals with Python" in form
    response = _ask(
        client,
        {
            "title": "Is this course <b>enough</b> for a junior developer job?",
            "body": "**Really?** <script>alert('x')</script> [link](javascript:alert(1))",
            "about": PYTHON_COURSE,
            "jurisdiction": "IE",
        },
    )
    assert response.status_code == 303, response.text
    question_id = response.headers["location"].rsplit("/", 1)[1]
    page = client.get(response.headers["location"]).text
    assert "<strong>Really?</strong>" in page
    assert "&lt;script&gt;alert(" in page and "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "Is this course &lt;b&gt;enough&lt;/b&gt;" in page  # the title is text too
    api = _thread(client, question_id)["question"]
    assert api["about"] == [PYTHON_COURSE] and api["jurisdiction"] == "IE"
    assert api["author"].endswith("/user/member")
    # Listed on the credential's page, on the Assembly's front page, as the member's own.
    assert (
        f"/assembly/questions/{question_id}"
        in client.get(f"/credentials/{quote(PYTHON_COURSE, safe=':/')}").text
    )
    front = client.get("/assembly").text
    assert front.count(f"/assembly/questions/{question_id}") == 2  # newest and "your questions"
    home = client.get("/").text
    assert "Your questions to the Assembly" in home and f"/assembly/questions/{question_id}" in home


def test_a_skill_page_lists_its_questions_and_asks_about_it(site: Site, client: TestClient) -> None:
    concept = client.get(f"/concepts/{PYTHON_SKILL}").text
    assert "Questions about this" in concept
    assert "Questions about this" in client.get(f"/concepts/{DATA_ANALYST}").text
    sign_in(client, site[1]["learner"])
    response = _ask(
        client,
        {
            "title": "Which Python level do employers expect?",
            "body": "For a first job.",
            "skill": PYTHON_SKILL,
            "skill_q": "Python",
        },
    )
    assert response.status_code == 303, response.text
    question_id = response.headers["location"].rsplit("/", 1)[1]
    assert f"/assembly/questions/{question_id}" in client.get(f"/concepts/{PYTHON_SKILL}").text
    listed = client.get("/v1/questions", params={"about": PYTHON_SKILL}).json()["questions"]
    assert question_id in [q["id"] for q in listed]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "   "}, "title", "must not be empty"),
        ({"body": "x" * (MAX_BODY + 1)}, "body", f"at most {MAX_BODY}"),
        ({"more": "https://example.org/no-such-node"}, "more", "no node"),
        ({"about": "https://example.org/nothing-here"}, "about", "no node"),
        ({"credential": "", "credential_q": "python"}, "credential_q", "pick a credential"),
        (
            {"occupation": "https://example.org/occupation/none", "occupation_q": "Ghost"},
            "occupation_q",
            "no node",
        ),
        ({"jurisdiction": "ZZ"}, "jurisdiction", "ZZ"),
        ({"more": PYTHON_COURSE}, "more", "named twice"),
        ({"credential": "", "credential_q": ""}, "about", "name 1 to 10 nodes"),
    ],
)
def test_bad_questions_say_what_is_wrong_beside_the_field_keep_it_and_write_nothing(
    site: Site, client: TestClient, change: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, site[1]["member"])
    typed = {
        "title": "A title I typed",
        "body": "A body I typed",
        "credential": PYTHON_COURSE,
        "credential_q": "Programming Fundamentals with Python",
    }
    since = datetime.now(UTC).isoformat()
    response = _ask(client, {**typed, **change})
    assert response.status_code == 422, response.text
    assert message in _error(response.text, field)
    for name, value in {**typed, **change}.items():
        if value.strip() and name != "credential" and len(value) < 200:
            assert html.escape(value, quote=True) in response.text, (name, value)
    assert _changes_since(client, site, since) == 0


def test_answers_are_posted_voted_accepted_and_verified_in_the_service_s_order(
    site: Site, client: TestClient, posts: dict[str, str]
) -> None:
    question, first = posts["question"], posts["answer"]
    thread_page = f"/assembly/questions/{question}"
    sign_in(client, site[1]["mentor"])
    posted = _post(client, f"{thread_page}/answers", {"body": "Also *Databases*."}, thread_page)
    assert posted.status_code == 303
    second = posted.headers["location"].rsplit("#a-", 1)[1]
    # The member votes the mentor's answer up: it is listed first, by score.
    client.cookies.clear()
    sign_in(client, site[1]["member"])
    voted = _post(client, f"/assembly/answers/{second}/vote", {"value": "1"}, thread_page)
    assert voted.status_code == 303
    assert [a["id"] for a in _thread(client, question)["answers"]][:2] == [second, first]
    page = client.get(thread_page).text
    assert page.index(f'id="a-{second}"') < page.index(f'id="a-{first}"')
    assert 'aria-label="Vote up" aria-pressed="true"' in page
    # The asker accepts the first: accepted comes before score.
    accepted = _post(client, f"/assembly/answers/{first}/accept", {}, thread_page)
    assert accepted.status_code == 303
    assert _thread(client, question)["question"]["accepted"].endswith(first)
    # The advisor verifies the mentor's: verified comes first of all.
    client.cookies.clear()
    sign_in(client, site[1]["advisor"])
    verified = _post(
        client,
        f"/assembly/answers/{second}/verify",
        {"note": "Checked with the office."},
        thread_page,
    )
    assert verified.status_code == 303
    thread = _thread(client, question)
    assert [a["id"] for a in thread["answers"]][:2] == [second, first]
    assert thread["question"]["verified"]["role"] == f"advisor:{AUTHORITY}"
    page = client.get(thread_page).text
    assert "verified by advisor" in page and "Checked with the office." in page
    assert "accepted by the asker" in page
    assert f"/assembly/answers/{second}/decision" in page  # the advisor may cite it


def test_an_answer_too_long_is_shown_again_with_the_message_and_nothing_is_written(
    site: Site, client: TestClient, posts: dict[str, str]
) -> None:
    thread_page = f"/assembly/questions/{posts['question']}"
    sign_in(client, site[1]["learner"])
    before = len(_thread(client, posts["question"])["answers"])
    since = datetime.now(UTC).isoformat()
    body = "<script>alert(1)</script>" + "y" * MAX_BODY
    response = _post(client, f"{thread_page}/answers", {"body": body}, thread_page)
    assert response.status_code == 422
    assert f"at most {MAX_BODY}" in _error(response.text, "answer-body")
    assert html.escape(body) in response.text  # kept as typed, as text
    empty = _post(client, f"{thread_page}/answers", {"body": "  "}, thread_page)
    assert empty.status_code == 422 and "must not be empty" in _error(empty.text, "answer-body")
    assert _changes_since(client, site, since) == 0
    assert len(_thread(client, posts["question"])["answers"]) == before


def test_others_are_refused_and_nothing_is_written(
    site: Site, client: TestClient, posts: dict[str, str]
) -> None:
    question, answer = posts["question"], posts["answer"]
    thread_page = f"/assembly/questions/{question}"
    anonymous = client.get("/assembly/ask", follow_redirects=False)
    assert anonymous.headers["location"] == "/login?next=/assembly/ask"
    assert "Sign in to answer" in client.get(thread_page).text
    since = datetime.now(UTC).isoformat()
    refusals = [
        ("learner", f"/assembly/answers/{answer}/accept", {}, "only the author"),
        ("member", f"/assembly/answers/{answer}/verify", {}, "advisor or a mentor"),
        (
            "member",
            f"/assembly/posts/{question}/hidden",
            {"hidden": "1", "reason": "x"},
            "administrator",
        ),
        ("learner", f"/assembly/posts/{question}/edit", {"body": "mine now"}, "only the author"),
        ("member", f"/assembly/answers/{answer}/decision", {"outcome": "full"}, "authority"),
    ]
    for who, path, form, message in refusals:
        client.cookies.clear()
        sign_in(client, site[1][who])
        response = _post(client, path, form, thread_page)
        assert response.status_code == 403, (who, path, response.status_code)
        assert "text/html" in response.headers["content-type"] and message in response.text
    client.cookies.clear()
    sign_in(client, site[1]["learner"])
    refused_edit = client.get(f"/assembly/posts/{question}/edit")
    assert refused_edit.status_code == 403
    assert _changes_since(client, site, since) == 0
    assert client.get("/assembly/questions/q20200101000000000000-00000000").status_code == 404


def test_the_author_edits_and_everyone_sees_the_earlier_text(
    site: Site, client: TestClient, posts: dict[str, str]
) -> None:
    question = posts["question"]
    edit_page = f"/assembly/posts/{question}/edit"
    sign_in(client, site[1]["member"])
    form = client.get(edit_page).text
    assert "Does the Liffey Python course count toward a data role?" in form
    since = datetime.now(UTC).isoformat()
    bad = _post(client, edit_page, {"title": "A new title I typed", "body": ""}, edit_page)
    assert bad.status_code == 422 and "must not be empty" in _error(bad.text, "body")
    assert 'value="A new title I typed"' in bad.text
    assert _changes_since(client, site, since) == 0
    saved = _post(
        client,
        edit_page,
        {"title": "Does the course count for data roles?", "body": "Edited: *analyst* roles."},
        edit_page,
    )
    assert saved.status_code == 303
    client.cookies.clear()
    page = client.get(f"/assembly/questions/{question}").text  # anyone, signed out
    assert "Does the course count for data roles?" in page and "<em>analyst</em>" in page
    assert "earlier texts (1)" in page and "<strong>data analyst</strong>" in page
    history = _thread(client, question)["question"]["history"]
    assert history[0]["title"] == "Does the Liffey Python course count toward a data role?"


def test_a_report_needs_a_reason_and_a_moderator_hides_and_shows_a_post(
    site: Site, client: TestClient, posts: dict[str, str]
) -> None:
    question, answer = posts["question"], posts["answer"]
    thread_page = f"/assembly/questions/{question}"
    sign_in(client, site[1]["mentor"])
    since = datetime.now(UTC).isoformat()
    empty = _post(client, f"/assembly/posts/{answer}/report", {"reason": " "}, thread_page)
    assert empty.status_code == 422 and "must not be empty" in _error(
        empty.text, f"reason-{answer}"
    )
    assert _changes_since(client, site, since) == 0
    reported = _post(client, f"/assembly/posts/{answer}/report", {"reason": "Spam"}, thread_page)
    assert reported.status_code == 303
    assert (
        next(a for a in _thread(client, question)["answers"] if a["id"] == answer)["reports"] == 1
    )
    client.cookies.clear()
    sign_in(client, site[1]["admin"])
    no_reason = _post(client, f"/assembly/posts/{question}/hidden", {"hidden": "1"}, thread_page)
    assert no_reason.status_code == 422 and "must not be empty" in _error(
        no_reason.text, f"hide-{question}"
    )
    hidden = _post(
        client,
        f"/assembly/posts/{question}/hidden",
        {"hidden": "1", "reason": "Off topic"},
        thread_page,
    )
    assert hidden.status_code == 303
    client.cookies.clear()
    assert client.get(thread_page).status_code == 404  # gone for everyone else
    sign_in(client, site[1]["member"])
    assert "This question is hidden" in client.get(thread_page).text  # its author still sees it
    client.cookies.clear()
    sign_in(client, site[1]["admin"])
    shown = _post(client, f"/assembly/posts/{question}/hidden", {"hidden": "0"}, thread_page)
    assert shown.status_code == 303
    client.cookies.clear()
    assert client.get(thread_page).status_code == 200


def test_the_advisor_turns_the_verified_answer_into_a_decision_citing_it(
    site: Site, client: TestClient, posts: dict[str, str]
) -> None:
    question, answer = posts["question"], posts["answer"]
    decision_page = f"/assembly/answers/{answer}/decision"
    sign_in(client, site[1]["advisor"])
    unverified = _post(
        client,
        decision_page,
        {"credential": PYTHON_COURSE, "outcome": "full", "to_jurisdiction": "IE"},
        decision_page,
    )
    # Not the verified answer yet (the mentor's is, or none): refused, with the reason.
    assert unverified.status_code == 409 and "not the verified answer" in unverified.text
    verified = _post(
        client, f"/assembly/answers/{answer}/verify", {}, f"/assembly/questions/{question}"
    )
    assert verified.status_code == 303
    form = client.get(decision_page).text
    assert f'value="{PYTHON_COURSE}" checked' in form  # the question's only credential
    since = datetime.now(UTC).isoformat()
    bad = _post(
        client,
        decision_page,
        {
            "credential": PYTHON_COURSE,
            "credits": "lots",
            "outcome": "partial",
            "to_jurisdiction": "IE",
        },
        decision_page,
    )
    assert bad.status_code == 422 and "is not a number" in _error(bad.text, "credits")
    assert 'value="lots"' in bad.text
    no_outcome = _post(
        client, decision_page, {"credential": PYTHON_COURSE, "to_jurisdiction": "IE"}, decision_page
    )
    assert no_outcome.status_code == 422 and "choose full" in _error(no_outcome.text, "outcome")
    assert _changes_since(client, site, since) == 0
    recorded = _post(
        client,
        decision_page,
        {
            "credential": PYTHON_COURSE,
            "outcome": "partial",
            "to_jurisdiction": "IE",
            "credits": "5",
            "credits_unit": "ECTS",
        },
        decision_page,
    )
    assert recorded.status_code == 303, recorded.text
    assert recorded.headers["location"].startswith("/recognitions/")
    decisions = client.get("/v1/recognitions", params={"credential": PYTHON_COURSE}).json()["data"]
    cited = [d for d in decisions if d["source"] and d["source"].endswith(answer)]
    assert len(cited) == 1 and cited[0]["authority"] == AUTHORITY
    shown = client.get(recorded.headers["location"]).text
    assert f'href="/assembly/answers/{answer}"' in shown  # the decision links its source
    back = client.get(f"/assembly/answers/{answer}", follow_redirects=False)
    assert back.headers["location"] == f"/assembly/questions/{question}#a-{answer}"


def test_a_user_over_the_post_limit_is_told_so_and_keeps_what_was_typed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # A demo of its own whose users may post twice an hour.
    settings = replace(demo_settings(tmp_path_factory.mktemp("limited")), assembly_posts_per_hour=2)
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = demo_app(settings, monkeypatch)
    with TestClient(app) as limited:
        sign_in(limited, demo_users(settings)["member"])
        form = {"title": "Typed title", "body": "Typed body", "about": PYTHON_COURSE}
        assert _ask(limited, form).status_code == 303
        thread = _ask(limited, form).headers["location"]
        answered = _post(limited, f"{thread}/answers", {"body": "My third post"}, thread)
        assert answered.status_code == 429
        assert "at most 2 are allowed" in answered.text and "My third post" in answered.text
        refused = _ask(limited, form)
        assert refused.status_code == 429 and "try again later" in refused.text
        assert 'value="Typed title"' in refused.text and "Typed body" in refused.text
        listed = limited.get("/v1/questions", params={"about": PYTHON_COURSE}).json()
        assert len(listed["questions"]) == 2
