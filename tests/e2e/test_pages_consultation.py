"""Issuer consultation pages on the demo: ask from a credential's page, the inbox, the thread.

What a page writes is checked through the API (``/v1/consultations/mine``, ``/v1/questions``),
so a form that shows an error is seen to have written nothing.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from graph.model.assembly import MAX_BODY
from tests.e2e.test_pages import Site, _token, client, sign_in, site

__all__ = ["client", "site"]

PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
COURSE_PAGE = f"/credentials/{quote(PYTHON_COURSE, safe=':/')}"


def _key(user: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {user['api_key']}"}


def _mine(client: TestClient, user: dict[str, Any]) -> list[dict[str, Any]]:
    found = client.get("/v1/consultations/mine", headers=_key(user))
    assert found.status_code == 200, found.text
    return list(found.json()["data"])


def _thread(client: TestClient, admin: dict[str, Any], qid: str) -> dict[str, Any]:
    found = client.get(f"/v1/questions/{qid}", headers=_key(admin))
    assert found.status_code == 200, found.text
    return dict(found.json())


def _ask(client: TestClient, **fields: str) -> Any:
    token = _token(client.get(COURSE_PAGE).text)
    data = {"credential": PYTHON_COURSE, "csrf_token": token, **fields}
    return client.post("/consultations", data=data, follow_redirects=False)


def _sign_out(client: TestClient) -> None:
    client.cookies.clear()


def test_a_learner_asks_the_issuer_whose_staff_answer_and_nobody_else_reads_it(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    anonymous_page = client.get(COURSE_PAGE).text
    assert "Questions to the issuer" in anonymous_page and "data-ask-issuer" not in anonymous_page
    sign_in(client, users["learner"])
    assert "data-ask-issuer" in client.get(COURSE_PAGE).text
    asked = _ask(
        client,
        title="Do I need Python before this course?",
        body="I have done some **Excel** macros. Is that enough?",
    )
    assert asked.status_code == 303, asked.text
    page_path = asked.headers["location"].split("?")[0]
    qid = page_path.rpartition("/")[2]
    thread_page = client.get(asked.headers["location"]).text
    assert "Your question was sent to the issuer." in thread_page
    assert "<strong>Excel</strong>" in thread_page and "Private" in thread_page
    assert [i["question"]["id"] for i in _mine(client, users["learner"])] == [qid]
    assert client.get("/me/questions").text.count(f"/consultations/{qid}") == 1
    assert "Your questions to issuers" in client.get("/").text
    _sign_out(client)

    sign_in(client, users["issuer"])
    inbox = client.get("/catalogue/questions").text
    assert f"/consultations/{qid}" in inbox and "not yet" in inbox
    assert f"/consultations/{qid}" in client.get("/").text  # "Questions to us" on the home page
    page = client.get(page_path).text
    assert "data-answer-form" in page and "data-sharing-form" not in page
    posted = client.post(
        f"{page_path}/answers",
        data={"csrf_token": _token(page), "body": "No: we teach from scratch."},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].endswith("?answered=1")
    assert 'data-answered="yes"' in client.get("/catalogue/questions").text
    _sign_out(client)

    sign_in(client, users["learner"])
    seen = client.get(page_path).text
    assert "we teach from scratch" in seen and '<span class="tag">Issuer</span>' in seen
    _sign_out(client)

    for other in ("member", "mentor", "assessor", "advisor"):
        sign_in(client, users[other])
        assert client.get(page_path).status_code == 404
        assert f"/consultations/{qid}" not in client.get(COURSE_PAGE).text
        token = _token(client.get("/").text)
        refused = client.post(f"{page_path}/answers", data={"csrf_token": token, "body": "Me!"})
        assert refused.status_code == 404, (other, refused.status_code)
        _sign_out(client)
    answers = _thread(client, users["admin"], qid)["answers"]
    assert [a["body"] for a in answers] == ["No: we teach from scratch."]
    anonymous = client.get(page_path, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next={quote(page_path)}"


def test_bad_input_is_shown_beside_its_field_with_what_was_typed_and_nothing_is_written(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    sign_in(client, users["learner"])
    before = len(_mine(client, users["learner"]))
    empty_title = _ask(client, title="  ", body="Typed *body* kept")
    assert empty_title.status_code == 422
    assert re.search(r'id="f-title"[^>]*aria-invalid="true"', empty_title.text.replace("\n", " "))
    assert 'id="f-title-error"' in empty_title.text and "Typed *body* kept" in empty_title.text
    nobody = _ask(client, title="Fit?", body="Does it fit?", share_with="no-such-user")
    assert nobody.status_code == 422 and 'id="f-share_with-error"' in nobody.text
    assert 'value="no-such-user"' in nobody.text and 'value="Fit?"' in nobody.text
    too_long = _ask(client, title="Long", body="x" * (MAX_BODY + 1))
    assert too_long.status_code == 422 and 'id="f-body-error"' in too_long.text
    unknown = _ask(client, title="Fit?", body="?", credential=f"{PYTHON_COURSE}-gone")
    assert unknown.status_code == 422 and "no credential" in unknown.text
    assert len(_mine(client, users["learner"])) == before

    asked = _ask(client, title="Is there an exam?", body="Or only projects?")
    page_path = asked.headers["location"].split("?")[0]
    page = client.get(page_path).text
    empty = client.post(f"{page_path}/answers", data={"csrf_token": _token(page), "body": " "})
    assert empty.status_code == 422 and 'id="f-body-error"' in empty.text
    bad_share = client.post(
        f"{page_path}/sharing",
        data={"csrf_token": _token(page), "share_with": "mentor, ghost"},
    )
    assert bad_share.status_code == 422 and 'value="mentor, ghost"' in bad_share.text
    assert "share_with[1]: no user" in bad_share.text
    thread = _thread(client, users["admin"], page_path.rpartition("/")[2])
    assert thread["answers"] == [] and thread["question"]["consultation"]["shared_with"] == []


def test_the_asker_shares_it_with_a_mentor_who_reads_but_does_not_answer(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    sign_in(client, users["learner"])
    asked = _ask(client, title="Recognised in Germany?", body="I may move.", share_with="mentor")
    page_path = asked.headers["location"].split("?")[0]
    assert "and 1 more" in client.get(page_path).text
    _sign_out(client)
    sign_in(client, users["mentor"])
    page = client.get(page_path)
    assert page.status_code == 200 and "data-answer-form" not in page.text
    refused = client.post(
        f"{page_path}/answers", data={"csrf_token": _token(page.text), "body": "I think so."}
    )
    assert refused.status_code == 403
    _sign_out(client)
    sign_in(client, users["learner"])
    own = client.get(page_path).text
    unshared = client.post(
        f"{page_path}/sharing",
        data={"csrf_token": _token(own), "share_with": ""},
        follow_redirects=False,
    )
    assert unshared.status_code == 303
    _sign_out(client)
    sign_in(client, users["mentor"])
    assert client.get(page_path).status_code == 404  # taken back: gone on the next request


def test_other_roles_are_refused_the_issuer_inbox_and_the_form(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    for who in ("member", "assessor", "advisor", "learner"):
        sign_in(client, users[who])
        assert client.get("/catalogue/questions").status_code == 403
        _sign_out(client)
    for who in ("issuer", "member", "assessor"):
        sign_in(client, users[who])
        form = client.get("/consultations/new", params={"credential": PYTHON_COURSE})
        assert form.status_code == 403
        assert "data-ask-issuer" not in client.get(COURSE_PAGE).text
        _sign_out(client)
    for path in ("/catalogue/questions", "/me/questions", "/consultations/new"):
        anonymous = client.get(path, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_through_the_api_nothing_of_a_private_consultation_leaks(
    site: Site, client: TestClient
) -> None:
    users = site[1]
    asked = client.post(
        "/v1/consultations",
        json={"credential": PYTHON_COURSE, "title": "Part-time?", "body": "Evenings only?"},
        headers=_key(users["learner"]),
    )
    assert asked.status_code == 201, asked.text
    qid = asked.json()["id"]
    answered = client.post(
        f"/v1/questions/{qid}/answers", json={"body": "Yes."}, headers=_key(users["issuer"])
    )
    assert answered.status_code == 201, answered.text
    aid = answered.json()["id"]
    listed = client.get("/v1/questions", params={"about": PYTHON_COURSE, "limit": 100})
    assert qid not in {q["id"] for q in listed.json()["questions"]}  # anonymous
    for who in ("member", "mentor", "advisor", "assessor"):
        headers = _key(users[who])
        assert client.get(f"/v1/questions/{qid}", headers=headers).status_code == 404
        listed = client.get(
            "/v1/questions", params={"about": PYTHON_COURSE, "limit": 100}, headers=headers
        )
        assert qid not in {q["id"] for q in listed.json()["questions"]}
        vote = client.put(f"/v1/answers/{aid}/vote", json={"value": 1}, headers=headers)
        assert vote.status_code == 404, (who, vote.text)
        # the same answer as for an answer that does not exist
        assert vote.json()["error"]["code"] == "not_found" and "Yes." not in vote.text
    refused = client.get(
        "/v1/consultations",
        params={"issuer": "https://www.greatlakes-cc.example"},
        headers=_key(users["issuer"]),
    )
    assert refused.status_code == 403
    thread = _thread(client, users["admin"], qid)
    assert [a["votes"] for a in thread["answers"]] == [0]
