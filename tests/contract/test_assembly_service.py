"""The Assembly on both backends: questions on graph nodes, answers, votes, moderation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from graph.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    TooManyRequestsError,
    UnauthenticatedError,
)
from graph.model.accounts import ANONYMOUS, Actor, Grant, Role
from graph.model.assembly import MAX_BODY, PostLimits, Question
from graph.model.concepts import NodeKind
from graph.reference import ReferenceData
from graph.services.assembly.decisions import decide_from_answer
from graph.services.assembly.markdown import render_markdown
from graph.services.assembly.posts import (
    accept_answer,
    answer_question,
    ask_question,
    edit_post,
    get_question,
    get_thread,
    node_questions,
    post_iri,
    report_post,
    set_hidden,
    verify_answer,
    vote,
)
from graph.services.equivalence.equivalents import credential_equivalence
from graph.services.equivalence.recognition import RecognitionDecision, RecognitionOutcome
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN, as_advisor, as_learner
from tests.fixtures.demo_catalogue import BASE_IRI, load_demo_catalogue

PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
LTU = "https://www.liffey-tu.example"


def member(name: str) -> Actor:
    return Actor(user=f"urn:test:user:{name}", name=name, grants=(Grant(Role.MEMBER),))


MENTOR = Actor(
    user="urn:test:user:mentor", name="mentor", grants=(Grant(Role.MENTOR, f"{BASE_IRI}/group/g"),)
)


@pytest.fixture
def reference(store: GraphStore) -> ReferenceData:
    return load_demo_catalogue(store).reference


def _ask(store: GraphStore, reference: ReferenceData, who: Actor, **kw: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "title": "Is this course recognised in Germany?",
        "body": "I hold the *Liffey* course; does it count toward a German programme?",
        "about": [PYTHON_IE, PYTHON, "DE"],
    }
    fields.update(kw)
    return ask_question(store, actor=who, reference=reference, base_iri=BASE_IRI, **fields)  # type: ignore[arg-type]


def test_a_question_on_nodes_answered_voted_accepted_verified(
    store: GraphStore, reference: ReferenceData
) -> None:
    asker, other, third = member("asker"), member("other"), member("third")
    question = _ask(store, reference, asker)
    assert question.about == (PYTHON_IE, PYTHON) and question.jurisdiction == "DE"
    assert [q.id for q in node_questions(store, PYTHON_IE, actor=ANONYMOUS)] == [question.id]
    assert [q.id for q in node_questions(store, PYTHON, actor=ANONYMOUS)] == [question.id]
    first = answer_question(
        store, actor=other, question=question.id, body="Partly: 5 ECTS.", base_iri=BASE_IRI
    )
    second = answer_question(
        store, actor=third, question=question.id, body="Ask the authority.", base_iri=BASE_IRI
    )
    vote(store, second.id, actor=asker, value=1)
    vote(store, second.id, actor=other, value=1)
    # One vote per user: voting again replaces the earlier vote.
    assert vote(store, first.id, actor=third, value=1).score == 1
    assert vote(store, first.id, actor=third, value=-1).score == -1
    with pytest.raises(InvalidInputError, match="own answer"):
        vote(store, first.id, actor=other, value=1)
    thread = get_thread(store, question.id, actor=ANONYMOUS)
    assert [a.id for a in thread.answers] == [second.id, first.id]  # by score
    with pytest.raises(ForbiddenError):
        accept_answer(store, first.id, actor=other)
    assert accept_answer(store, first.id, actor=asker).accepted == first.id
    with pytest.raises(ForbiddenError):
        verify_answer(store, second.id, actor=asker)
    verified = verify_answer(store, second.id, actor=as_advisor(LTU), note="Per our 2025 decision")
    assert verified.verified is not None
    assert verified.verified.role == f"advisor:{LTU}" and verified.verified.answer == second.id
    assert verify_answer(store, first.id, actor=MENTOR).verified.role.startswith("mentor:")  # type: ignore[union-attr]
    thread = get_thread(store, question.id, actor=ANONYMOUS)
    # verified first, then accepted, then by score
    assert thread.answers[0].id == first.id


def test_questions_must_name_existing_nodes_of_the_right_kinds(
    store: GraphStore, reference: ReferenceData
) -> None:
    asker = member("asker")
    with pytest.raises(InvalidInputError, match=r"about\[1\]: no node"):
        _ask(store, reference, asker, about=[PYTHON, "https://nowhere.example/credential/x"])
    with pytest.raises(
        InvalidInputError, match=r"about\[0\]: .* is not a node a question can be about"
    ):
        _ask(store, reference, asker, about=[LTU])
    with pytest.raises(InvalidInputError, match=r"about\[0\]: unknown jurisdiction"):
        _ask(store, reference, asker, about=["XX"])
    with pytest.raises(InvalidInputError, match="about"):
        _ask(store, reference, asker, about=[])
    with pytest.raises(PayloadTooLargeError, match="body: 10001 characters"):
        _ask(store, reference, asker, body="x" * (MAX_BODY + 1))
    with pytest.raises(InvalidInputError, match="title: must not be empty"):
        _ask(store, reference, asker, title="   ")
    with pytest.raises(UnauthenticatedError):
        _ask(store, reference, ANONYMOUS)
    # nothing of the refused questions was written
    assert node_questions(store, PYTHON, actor=ADMIN) == []
    assert store.list_records(kind=NodeKind.QUESTION) == []


def test_rate_limit_per_user(store: GraphStore, reference: ReferenceData) -> None:
    limits = PostLimits(posts=2, window_seconds=600)
    now = datetime.now(UTC)
    asker = member("busy")
    _ask(store, reference, asker, now=now - timedelta(seconds=900), limits=limits)
    first = _ask(store, reference, asker, now=now, limits=limits)
    answer_question(
        store,
        actor=asker,
        question=first.id,
        body="me again",
        base_iri=BASE_IRI,
        limits=limits,
        now=now,
    )
    with pytest.raises(TooManyRequestsError, match="2 posts in the last 10 minutes"):
        _ask(store, reference, asker, now=now, limits=limits)
    # another user is not limited by the busy one
    _ask(store, reference, member("calm"), now=now, limits=limits)


def test_edit_history_report_and_hide(store: GraphStore, reference: ReferenceData) -> None:
    asker, other = member("asker"), member("other")
    question = _ask(store, reference, asker)
    with pytest.raises(ForbiddenError):
        edit_post(store, question.id, NodeKind.QUESTION, actor=other, body="mine now")
    edited = edit_post(
        store, question.id, NodeKind.QUESTION, actor=asker, body="Rephrased.", title="New title"
    )
    assert isinstance(edited, Question)
    assert edited.title == "New title" and edited.body == "Rephrased."
    assert [r.body for r in edited.history] == [question.body]
    assert edited.history[0].title == question.title
    answer = answer_question(
        store,
        actor=other,
        question=question.id,
        body="<script>alert(1)</script>",
        base_iri=BASE_IRI,
    )
    assert "<script>" not in render_markdown(answer.body)
    changed = edit_post(store, answer.id, NodeKind.ANSWER, actor=other, body="Better.")
    assert changed.history[0].body == answer.body
    for name in ("r1", "r2"):
        report_post(store, answer.id, NodeKind.ANSWER, actor=member(name), reason="spam")
    report_post(store, answer.id, NodeKind.ANSWER, actor=member("r1"), reason="spam again")
    assert get_thread(store, question.id, actor=ANONYMOUS).answers[0].hidden is None
    report_post(store, answer.id, NodeKind.ANSWER, actor=member("r3"), reason="abuse")
    # three reporters hide it from everyone but its author and the moderators
    assert get_thread(store, question.id, actor=ANONYMOUS).answers == ()
    assert len(get_thread(store, question.id, actor=other).answers) == 1
    with pytest.raises(ForbiddenError):
        set_hidden(store, question.id, NodeKind.QUESTION, actor=other, hidden=True, reason="x")
    set_hidden(store, question.id, NodeKind.QUESTION, actor=ADMIN, hidden=True, reason="off topic")
    with pytest.raises(NotFoundError):
        get_question(store, question.id, actor=other)
    assert node_questions(store, PYTHON, actor=ANONYMOUS) == []
    assert get_question(store, question.id, actor=asker).hidden is not None
    set_hidden(store, question.id, NodeKind.QUESTION, actor=ADMIN, hidden=False)
    assert get_question(store, question.id, actor=other).hidden is None


def test_post_ids(store: GraphStore) -> None:
    assert post_iri("q2026-ab", base_iri=BASE_IRI) == (
        NodeKind.QUESTION,
        f"{BASE_IRI}/question/q2026-ab",
    )
    with pytest.raises(NotFoundError):
        post_iri("x123", base_iri=BASE_IRI)
    with pytest.raises(NotFoundError):
        post_iri("q../../x", base_iri=BASE_IRI)


def test_learner_is_just_a_member_here(store: GraphStore, reference: ReferenceData) -> None:
    learner = as_learner(f"{BASE_IRI}/learner/l1")
    question = _ask(store, reference, learner, about=["IE"])
    assert question.about == () and question.jurisdiction == "IE"
    assert [q.id for q in node_questions(store, PYTHON, actor=learner)] == []


def test_a_verified_answer_becomes_a_decision_citing_it(
    store: GraphStore, reference: ReferenceData
) -> None:

    python_us = "https://www.greatlakes-cc.example/credentials/python-programming-1"
    question = _ask(store, reference, member("asker"), about=[python_us, PYTHON_IE, "IE"])
    answer = answer_question(
        store,
        actor=member("other"),
        question=question.id,
        body="Liffey grants 5 ECTS for it toward its own course.",
        base_iri=BASE_IRI,
    )
    decision = RecognitionDecision(
        id="",
        authority=LTU,
        credential=python_us,
        target=PYTHON_IE,
        outcome=RecognitionOutcome.PARTIAL,
        to_jurisdiction="IE",
        decided_by="",
        decided_at="",
    )
    advisor = as_advisor(LTU)
    with pytest.raises(ConflictError, match="not the verified answer"):
        decide_from_answer(
            store, answer.id, decision, actor=advisor, reference=reference, base_iri=BASE_IRI
        )
    verify_answer(store, answer.id, actor=MENTOR)
    with pytest.raises(ForbiddenError):
        decide_from_answer(
            store,
            answer.id,
            decision,
            actor=as_advisor("https://recognition.example.de"),
            reference=reference,
            base_iri=BASE_IRI,
        )
    with pytest.raises(InvalidInputError, match=r"credential: .* not one of the nodes"):
        decide_from_answer(
            store,
            answer.id,
            replace(
                decision,
                credential="https://www.sla-ruhr.example/credentials/mag-schweissen-kehlnaehte",
                target=None,
            ),
            actor=advisor,
            reference=reference,
            base_iri=BASE_IRI,
        )
    recorded = decide_from_answer(
        store, answer.id, decision, actor=advisor, reference=reference, base_iri=BASE_IRI
    )
    assert recorded.source == answer.id and recorded.decided_by == advisor.user
    after = credential_equivalence(store, python_us, PYTHON_IE, reference=reference)
    assert [n.decision.id for n in after.recognitions] == [recorded.id]
