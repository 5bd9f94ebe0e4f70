"""The onboarding test's pages on the demo: Ada takes a test, the bank's authors, the ratings.

The demo's bank (``ontologies/demo/parties.json``) holds items for three skills of the Liffey
Python course: two at levels 2, 4 and 6 (multiple choice and short answers) and a task for
object-oriented programming that an assessor rates. What a page shows is checked against the
API's answer (both call the same services); every refused form against the API to have
written nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_pages import _token, client, sign_in, site
from tests.e2e.test_pages_learner import _error_beside, _key, users

__all__ = ["client", "site", "users"]  # the demo of the pages' tests (one for this module)

ADA = "https://credwalk.org/id/learner/ada-walsh"
PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
OOP = "http://data.europa.eu/esco/skill/5b9cde20-f1b9-4adc-bfb3-dbf70b14138d"
EVIDENCE = "https://git.example.org/ada/shapes: Shape, Circle and Square override area()"


def _api(client: TestClient, user: dict[str, Any], path: str, **params: str) -> Any:
    response = client.get(path, headers=_key(user), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _attempts(client: TestClient, users: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    found = _api(client, users["learner"], "/v1/onboarding/attempts", learner=ADA)
    return list(found["data"])


def _items(client: TestClient, users: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return list(_api(client, users["issuer"], "/v1/onboarding/items")["data"])


def _question(page: str) -> tuple[str, str] | None:
    """The item asked on the page and its kind, or None when no question is shown."""
    item = re.search(r'<input type="hidden" name="item" value="([^"]+)"', page)
    if item is None:
        return None
    if 'type="radio" name="response"' in page:
        return item.group(1), "multiple_choice"
    return item.group(1), "task" if "<textarea" in page else "short_answer"


def _start(client: TestClient, data: dict[str, str]) -> Any:
    token = _token(client.get("/me/onboarding").text)
    return client.post("/me/onboarding", data={"csrf_token": token, **data}, follow_redirects=False)


def _answer(client: TestClient, path: str, item: str, response: str) -> Any:
    token = _token(client.get(path).text)
    return client.post(
        path, data={"csrf_token": token, "item": item, "response": response}, follow_redirects=False
    )


def test_ada_takes_a_test_an_assessor_rates_her_task_and_she_sees_the_result(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    bank = {i["uri"]: i for i in _items(client, users)}
    sign_in(client, users["learner"])
    assert "/me/onboarding" in client.get("/").text  # the home page leads there
    started = _start(
        client, {"kind": "credential", "credential": PYTHON_COURSE, "credential_label": "Python"}
    )
    assert started.status_code == 303, started.text
    path = started.headers["location"]
    asked = []
    while (question := _question(page := client.get(path).text)) is not None:
        item, kind = question
        assert bank[item]["kind"] == kind
        # Never the key: no rubric, no accepted answer, no right option marked.
        assert not bank[item]["rubric"] or html.escape(bank[item]["rubric"]) not in page
        assert "Accepted" not in page and "(right)" not in page and "checked" not in page
        response = {"multiple_choice": "0", "short_answer": "no idea", "task": EVIDENCE}[kind]
        assert _answer(client, path, item, response).status_code == 303
        asked.append(bank[item]["skill"])
    assert "awaiting rating" in page and "awaiting rating" in page.split("data-waiting")[1]
    mine = _attempts(client, users)[-1]
    assert mine["status"] == "awaiting_rating" and [a["skill"] for a in mine["answers"]] == asked
    assert asked[-1] == OOP

    sign_in(client, users["assessor"])
    queue = client.get("/onboarding/ratings").text
    assert html.escape(EVIDENCE) in queue and bank[mine["answers"][-1]["item"]]["rubric"] in queue
    token = _token(queue)
    form = {"csrf_token": token, "item": mine["answers"][-1]["item"]}
    bad = client.post(f"/onboarding/ratings/{mine['id']}", data={**form, "score": "good"})
    assert bad.status_code == 422 and 'value="good"' in bad.text and "number" in bad.text
    assert _attempts(client, users)[-1]["answers"] == mine["answers"]  # nothing written
    rated = client.post(
        f"/onboarding/ratings/{mine['id']}", data={**form, "score": "0.8"}, follow_redirects=False
    )
    assert rated.status_code == 303

    sign_in(client, users["learner"])
    result = client.get(path).text
    finished = _attempts(client, users)[-1]
    assert finished["status"] == "finished"
    retake = dt.date.fromisoformat(finished["finished_at"][:10]) + dt.timedelta(days=30)
    assert f"<strong data-retake>{retake.isoformat()}</strong>" in result
    for r in finished["results"]:
        row = result.split(f'data-skill="{r["skill"]}"')[1].split("</tr>")[0]
        assert f"{round(r['confidence'] * 100)} %" in row
        assert str(r["level"] or "not established") in row
    record = _api(client, users["learner"], f"/v1/learners/{ADA}")
    tested = {
        c["skill"]: c["level"] for c in record["competences"] if c["source"] == "onboarding_test"
    }
    assert tested == {r["skill"]: r["level"] for r in finished["results"] if r["level"]}
    assert tested[OOP] == 4  # the rated task


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"kind": "credential", "credential_label": "no such course"}, "credential", "pick"),
        ({"kind": "occupation", "occupation_label": "cook", "occupation": "x"}, "occupation", ""),
        ({"kind": "credential", "credential": PYTHON_COURSE}, "credential", "again"),
    ],
)
def test_a_refused_start_says_why_beside_the_field_and_writes_nothing(
    client: TestClient,
    users: dict[str, dict[str, Any]],
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    sign_in(client, users["learner"])
    before = _attempts(client, users)
    response = _start(client, form)
    assert response.status_code in (409, 422), response.text
    assert message in _error_beside(response.text, field)
    assert 'aria-invalid="true"' in response.text
    for name in ("credential_label", "occupation_label"):
        if form.get(name):
            assert f'value="{form[name]}"' in response.text  # what was typed stays
    assert _attempts(client, users) == before


def test_a_bad_answer_is_named_beside_the_answer_and_writes_nothing(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    # Bea's record, made through her page: declaring a competence creates it.
    sign_in(client, users["bea"])
    token = _token(client.get("/me").text)
    declared = client.post(
        "/me/competences",
        data={"csrf_token": token, "skill": PYTHON_SKILL, "skill_label": "Python", "level": "2"},
        follow_redirects=False,
    )
    assert declared.status_code == 303, declared.text
    started = _start(client, {"kind": "credential", "credential": PYTHON_COURSE})
    assert started.status_code == 303, started.text
    path = started.headers["location"]
    question = _question(client.get(path).text)
    assert question is not None and question[1] == "multiple_choice"
    wrong = _answer(client, path, question[0], "9")
    assert wrong.status_code == 422
    assert "option" in _error_beside(wrong.text, "response")
    other = _answer(client, path, "https://credwalk.org/id/onboarding-item/none", "0")
    assert other.status_code == 422 and "not the question" in other.text
    attempt = client.get(f"/me/onboarding/{path.rpartition('/')[2]}").text
    assert "0 answers so far" in attempt  # nothing written

    # Ada's test is hers: Bea, a member and an issuer get the 403 page; a visitor signs in.
    sign_in(client, users["learner"])
    ada = _attempts(client, users)[-1]["id"]
    for who in ("bea", "member", "issuer"):
        sign_in(client, users[who])
        refused = client.get(f"/me/onboarding/{ada}")
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    client.cookies.clear()
    anonymous = client.get(f"/me/onboarding/{ada}", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")


def _item_form(token: str, **fields: str) -> dict[str, str]:
    base = {
        "csrf_token": token,
        "skill": PYTHON_SKILL,
        "skill_label": "Python (computer programming)",
        "level": "3",
        "kind": "multiple_choice",
        "prompt": "Which keyword starts a function definition in Python?",
        "options": "def\nfunc\nlambda\nfn",
        "answer": "def",
    }
    return base | fields


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"answer": ""}, "answer", "key"),
        ({"answer": "define"}, "answer", "one of the options"),
        ({"kind": "short_answer", "accepted": " "}, "accepted", "key"),
        ({"kind": "task", "rubric": ""}, "rubric", "key"),
        ({"level": "nine"}, "level", "whole number"),
        ({"level": "9"}, "level", "1-8"),
        ({"skill": "", "skill_label": "pythn"}, "skill", "not a skill"),
    ],
)
def test_an_item_without_its_key_or_with_bad_fields_is_named_and_not_written(
    client: TestClient,
    users: dict[str, dict[str, Any]],
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = _items(client, users)
    sign_in(client, users["issuer"])
    token = _token(client.get("/onboarding/items").text)
    response = client.post("/onboarding/items", data=_item_form(token, **fields))
    assert response.status_code == 422, response.text
    assert message in _error_beside(response.text, field)
    assert "Which keyword starts a function definition in Python?" in response.text  # kept
    assert _items(client, users) == before


def test_an_author_adds_an_item_and_writes_its_next_version(
    client: TestClient, users: dict[str, dict[str, Any]]
) -> None:
    sign_in(client, users["assessor"])
    bank = client.get("/onboarding/items").text
    demo = _items(client, users)
    assert f'<span class="count" data-count>{len(demo)}</span>' in bank
    assert all(f'data-item="{i["id"]}"' in bank for i in demo)
    token = _token(bank)
    added = client.post("/onboarding/items", data=_item_form(token), follow_redirects=False)
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert "The item is in the bank." in page.text and "<strong>(right)</strong>" in page.text
    short = added.headers["location"].split("?")[0].rpartition("/")[2]
    item = next(i for i in _items(client, users) if i["id"] == short)
    assert item["answer"] == 0 and item["author"].endswith("aoife-byrne")
    bad = client.post(
        f"/onboarding/items/{short}", data=_item_form(_token(page.text), options="def")
    )
    assert bad.status_code == 422 and "options" in _error_beside(bad.text, "options")
    revised = client.post(
        f"/onboarding/items/{short}",
        data=_item_form(_token(page.text), answer="lambda", prompt="Which makes an anonymous one?"),
        follow_redirects=False,
    )
    assert revised.status_code == 303
    latest = next(i for i in _items(client, users) if i["id"] == short)
    assert (latest["version"], latest["answer"]) == (2, 2)

    # Learners and members never open the bank; a visitor is sent to sign in.
    for who in ("learner", "member", "mentor"):
        sign_in(client, users[who])
        for path in ("/onboarding/items", f"/onboarding/items/{short}", "/onboarding/ratings"):
            assert client.get(path).status_code == 403, (who, path)
