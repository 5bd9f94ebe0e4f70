"""The ``consult`` commands on a copy of the demo store: the same rules and schemas as the API."""

from __future__ import annotations

from api.schemas.assembly import AnswerPublic, QuestionPublic, ThreadPublic
from api.schemas.consultations import ConsultationsPublic
from tests.e2e.test_cli import Run, _error, _json, credwalk, demo_db

__all__ = ["credwalk", "demo_db"]

COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
LIFFEY = "https://www.liffey-tu.example"
OTHER_ISSUER = "https://www.greatlakes-cc.example"


def test_a_learner_asks_the_issuer_whose_staff_answer_through_the_cli(credwalk: Run) -> None:
    for name, grant in (
        ("ada", "learner:https://credwalk.org/id/learner/ada-cli"),
        ("staff", f"issuer:{LIFFEY}"),
        ("far", f"issuer:{OTHER_ISSUER}"),
        ("someone", "member"),
    ):
        assert credwalk("users", "create", name, "--grant", grant, "--no-password")[0] == 0
    asked = QuestionPublic.model_validate(
        _json(
            credwalk,
            "--as",
            "ada",
            "consult",
            "ask",
            COURSE,
            "--title",
            "Any exam?",
            "--body",
            "Or projects only?",
        )
    )
    assert asked.consultation is not None and asked.consultation.issuer == LIFFEY
    inbox = ConsultationsPublic.model_validate(
        _json(credwalk, "--as", "staff", "consult", "inbox", "--issuer", LIFFEY)
    )
    assert [(i.question.id, i.answered) for i in inbox.data] == [(asked.id, False)]
    answered = AnswerPublic.model_validate(
        _json(credwalk, "--as", "staff", "consult", "answer", asked.id, "--body", "Projects.")
    )
    thread = ThreadPublic.model_validate(
        _json(credwalk, "--as", "ada", "consult", "show", asked.id)
    )
    assert [a.id for a in thread.answers] == [answered.id]
    mine = ConsultationsPublic.model_validate(_json(credwalk, "--as", "ada", "consult", "mine"))
    assert [(i.question.id, i.answered) for i in mine.data] == [(asked.id, True)]
    # refused: another issuer's inbox, a stranger reading or answering, a member asking
    status, error = _error(credwalk, "--as", "far", "consult", "inbox", "--issuer", LIFFEY)
    assert (status, error["code"]) == (6, "forbidden")
    status, error = _error(credwalk, "--as", "someone", "consult", "show", asked.id)
    assert (status, error["code"]) == (3, "not_found")
    status, error = _error(
        credwalk, "--as", "far", "consult", "answer", asked.id, "--body", "Hello"
    )
    assert (status, error["code"]) == (3, "not_found")
    status, error = _error(
        credwalk, "--as", "someone", "consult", "ask", COURSE, "--title", "t", "--body", "b"
    )
    assert (status, error["code"]) == (6, "forbidden")
    status, error = _error(
        credwalk, "--as", "ada", "consult", "ask", f"{COURSE}-x", "--title", "t", "--body", "b"
    )
    assert (status, error["details"]) == (2, {"field": "credential"})
    # shared with a member, who then reads it
    shared = QuestionPublic.model_validate(
        _json(
            credwalk,
            "--as",
            "ada",
            "consult",
            "share",
            asked.id,
            "--share-with",
            "https://credwalk.org/id/user/someone",
        )
    )
    assert shared.consultation is not None and shared.consultation.shared_with
    assert _json(credwalk, "--as", "someone", "consult", "show", asked.id)["question"]["id"] == (
        asked.id
    )
