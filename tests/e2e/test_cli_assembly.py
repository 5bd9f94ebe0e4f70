"""The Assembly's commands on a copy of the demo store: the API's schemas, the services' rules.

Users are made with ``credwalk users create`` and act with ``--as``; every rule (the asker
accepts, an advisor or a mentor verifies, a moderator hides, the author edits, an advisor of
the authority decides) is tried through the commands, and each refusal's exit status checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.schemas.assembly import (
    AnswerPublic,
    PostStatePublic,
    QuestionPublic,
    QuestionsPublic,
    ThreadPublic,
)
from api.schemas.equivalence import RecognitionPublic
from graph.model.assembly import MAX_BODY
from tests.e2e.test_cli import Run, credwalk, demo_db

__all__ = ["credwalk", "demo_db"]  # the fixtures of the CLI's tests

PYTHON_COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
AUTHORITY = "https://recognition.example.ie"
GRANTS = {
    "asker": "member",
    "helper": "learner:https://credwalk.org/id/learner/ada-walsh",
    "advisor": f"advisor:{AUTHORITY}",
    "mentor": "mentor:https://credwalk.org/id/group/dublin-data-cohort",
}


def _ok(run: Run, schema: Any, *args: str) -> Any:
    """Run a command with ``--json``: it succeeds and prints the API's schema, exactly."""
    status, stdout, stderr = run(*args, "--json")
    assert status == 0, stderr
    data = json.loads(stdout)
    assert set(data) == set(schema.model_fields), sorted(set(data) ^ set(schema.model_fields))
    return schema.model_validate(data)


def _refused(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    status, stdout, _ = run(*args, "--json")
    assert status != 0
    error: dict[str, Any] = json.loads(stdout)["error"]
    return status, error


@pytest.fixture
def assembly(credwalk: Run, tmp_path: Path) -> Run:
    """The CLI on the demo store, with one user per role of the Assembly."""
    for name, grant in GRANTS.items():
        assert credwalk("users", "create", name, "--grant", grant, "--no-password")[0] == 0
    return credwalk


def _ask(run: Run) -> QuestionPublic:
    question: QuestionPublic = _ok(
        run,
        QuestionPublic,
        *("--as", "asker", "ask", "--title", "Does the Liffey course count in Ireland?"),
        *("--body", "For a **data** role.", "--about", PYTHON_COURSE, "--about", "IE"),
    )
    return question


def test_ask_list_read_and_answer_print_the_api_s_schemas(assembly: Run, tmp_path: Path) -> None:
    question = _ask(assembly)
    assert question.about == [PYTHON_COURSE] and question.jurisdiction == "IE"
    assert question.author.endswith("/user/asker") and "<strong>data</strong>" in question.body_html
    listed = _ok(assembly, QuestionsPublic, "questions", "--about", PYTHON_COURSE)
    assert [q.id for q in listed.questions] == [question.id]
    answer_file = tmp_path / "answer.md"
    answer_file.write_text("It does. <script>alert(1)</script>", encoding="utf-8")
    answer = _ok(
        assembly,
        AnswerPublic,
        "--as",
        "helper",
        "answer",
        question.id,
        "--file",
        str(answer_file),
    )
    assert "&lt;script&gt;" in answer.body_html and "<script>" not in answer.body_html
    thread = _ok(assembly, ThreadPublic, "question", question.id)
    assert [a.id for a in thread.answers] == [answer.id]
    status, text, _ = assembly("question", question.id)
    assert status == 0 and "Does the Liffey course count in Ireland?" in text and answer.id in text


def test_votes_acceptance_and_verification_follow_the_rules(assembly: Run) -> None:
    question = _ask(assembly)
    first = _ok(assembly, AnswerPublic, "--as", "helper", "answer", question.id, "--body", "Yes.")
    second = _ok(assembly, AnswerPublic, "--as", "mentor", "answer", question.id, "--body", "No.")
    voted = _ok(assembly, AnswerPublic, "--as", "asker", "assembly", "vote", second.id, "up")
    assert (voted.score, voted.votes) == (1, 1)
    status, error = _refused(assembly, "--as", "mentor", "assembly", "vote", second.id, "down")
    assert (status, error["code"]) == (2, "invalid_input")  # not on one's own answer
    status, error = _refused(assembly, "--as", "helper", "assembly", "accept", first.id)
    assert (status, error["code"]) == (6, "forbidden")  # only the asker
    accepted = _ok(assembly, QuestionPublic, "--as", "asker", "assembly", "accept", first.id)
    assert accepted.accepted == first.iri
    status, error = _refused(assembly, "--as", "asker", "assembly", "verify", second.id)
    assert (status, error["code"]) == (6, "forbidden")  # only an advisor or a mentor
    verified = _ok(
        assembly,
        QuestionPublic,
        "--as",
        "advisor",
        "assembly",
        "verify",
        second.id,
        "--note",
        "Checked.",
    )
    assert verified.verified is not None and verified.verified.role == f"advisor:{AUTHORITY}"
    thread = _ok(assembly, ThreadPublic, "question", question.id)
    assert [a.id for a in thread.answers] == [second.id, first.id]  # verified, then accepted


def test_the_advisor_decides_from_the_verified_answer_only(assembly: Run) -> None:
    question = _ask(assembly)
    answer = _ok(
        assembly, AnswerPublic, "--as", "helper", "answer", question.id, "--body", "5 ECTS"
    )
    decide: tuple[str, ...] = ("assembly", "decide", answer.id, "--authority", AUTHORITY)
    decide += ("--outcome", "partial", "--to", "IE", "--credits", "5")
    status, error = _refused(assembly, "--as", "advisor", *decide, "--credential", PYTHON_COURSE)
    assert (status, error["code"]) == (4, "conflict")  # not verified yet
    _ok(assembly, QuestionPublic, "--as", "mentor", "assembly", "verify", answer.id)
    status, error = _refused(assembly, "--as", "mentor", *decide, "--credential", PYTHON_COURSE)
    assert (status, error["code"]) == (6, "forbidden")  # a mentor verifies, an advisor decides
    other = "https://www.greatlakes-cc.example/credentials/python-programming-1"
    status, error = _refused(assembly, "--as", "advisor", *decide, "--credential", other)
    assert (status, error["details"]["field"]) == (2, "credential")
    decision = _ok(
        assembly, RecognitionPublic, "--as", "advisor", *decide, "--credential", PYTHON_COURSE
    )
    assert decision.source == answer.iri and decision.authority == AUTHORITY


def test_moderation_and_edits_keep_their_rules_and_history(assembly: Run) -> None:
    question = _ask(assembly)
    status, error = _refused(
        assembly, "--as", "helper", "assembly", "report", question.id, "--reason", " "
    )
    assert (status, error["details"]["field"]) == (2, "reason")
    reported = _ok(
        assembly,
        PostStatePublic,
        "--as",
        "helper",
        "assembly",
        "report",
        question.id,
        "--reason",
        "Spam",
    )
    assert (reported.reports, reported.hidden) == (1, False)
    status, error = _refused(
        assembly, "--as", "helper", "assembly", "hide", question.id, "--reason", "x"
    )
    assert (status, error["code"]) == (6, "forbidden")
    hidden = _ok(assembly, PostStatePublic, "assembly", "hide", question.id, "--reason", "Spam")
    assert hidden.hidden  # the store's operator moderates
    status, error = _refused(assembly, "--as", "helper", "question", question.id)
    assert (status, error["code"]) == (3, "not_found")  # hidden from others
    assert _ok(assembly, ThreadPublic, "--as", "asker", "question", question.id).question.hidden
    assert not _ok(assembly, PostStatePublic, "assembly", "show", question.id).hidden
    status, error = _refused(
        assembly, "--as", "helper", "assembly", "edit", question.id, "--body", "Mine now"
    )
    assert (status, error["code"]) == (6, "forbidden")
    edited = _ok(
        assembly,
        QuestionPublic,
        "--as",
        "asker",
        "assembly",
        "edit",
        question.id,
        "--body",
        "New text",
        "--title",
        "New?",
    )
    assert (edited.title, edited.body) == ("New?", "New text")
    assert [h.title for h in edited.history] == ["Does the Liffey course count in Ireland?"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--about", "https://example.org/no-such-node"), "about[0]"),
        (("--about", PYTHON_COURSE, "--about", "ZZ"), "about[1]"),
        (("--about", PYTHON_COURSE, "--body", "x" * (MAX_BODY + 1)), "body"),
    ],
)
def test_bad_questions_name_the_field_and_store_nothing(
    assembly: Run, args: tuple[str, ...], field: str
) -> None:
    body = () if "--body" in args else ("--body", "details")
    status, error = _refused(assembly, "--as", "asker", "ask", "--title", "T", *body, *args)
    assert status == 2 and error["details"]["field"] == field, error
    listed = _ok(assembly, QuestionsPublic, "questions", "--about", PYTHON_COURSE)
    assert listed.questions == []
