"""Issuer consultation on both backends: asked, answered by the issuer, read by whom it may be.

And from answer to decision: a verified answer in a consultation becomes a recognition
decision which changes the equivalence verdict of two credentials and is cited in its
explanation.
"""

from __future__ import annotations

import pytest

from graph.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from graph.model.accounts import ANONYMOUS, Actor, Grant, Role
from graph.model.concepts import NodeKind
from graph.reference import ReferenceData
from graph.services.accounts import create_user
from graph.services.assembly.consultations import (
    ask_issuer,
    issuer_consultations,
    my_consultations,
    share_consultation,
)
from graph.services.assembly.decisions import decide_from_answer
from graph.services.assembly.listing import recent_questions
from graph.services.assembly.posts import (
    answer_question,
    get_answer,
    get_question,
    get_thread,
    node_questions,
    report_post,
    verify_answer,
    vote,
)
from graph.services.equivalence.equivalents import credential_equivalence
from graph.services.equivalence.recognition import RecognitionDecision, RecognitionOutcome
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN, as_staff
from tests.fixtures.demo_catalogue import BASE_IRI, load_demo_catalogue

LTU = "https://www.liffey-tu.example"
CERT_SD = "https://www.liffey-tu.example/credentials/certificate-software-development"
PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
GREAT_LAKES = "https://www.greatlakes-cc.example"


def _user(store: GraphStore, name: str, *grants: Grant) -> Actor:
    user = create_user(
        store, actor=ADMIN, name=name, password=None, grants=grants, base_iri=BASE_IRI
    )
    return Actor(user=user.id, name=name, grants=user.grants)


@pytest.fixture
def reference(store: GraphStore) -> ReferenceData:
    return load_demo_catalogue(store).reference


@pytest.fixture
def people(store: GraphStore) -> dict[str, Actor]:
    return {
        "learner": _user(store, "ada", Grant(Role.LEARNER, f"{BASE_IRI}/learner/ada")),
        "mentor": _user(store, "mo", Grant(Role.MENTOR, f"{BASE_IRI}/group/g")),
        "advisor": _user(store, "avi", Grant(Role.ADVISOR, LTU)),
        "member": _user(store, "mem", Grant(Role.MEMBER)),
        "staff": as_staff(LTU),
        "other_staff": as_staff(GREAT_LAKES),
    }


def _ask(store: GraphStore, reference: ReferenceData, who: Actor, **kw: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "credential": CERT_SD,
        "title": "Does my Great Lakes Python course count toward the certificate?",
        "body": "I hold *Python Programming I* from Great Lakes CC (US). Is it recognised?",
    }
    fields.update(kw)
    return ask_issuer(store, actor=who, reference=reference, base_iri=BASE_IRI, **fields)  # type: ignore[arg-type]


def _sees(store: GraphStore, who: Actor, uri: str) -> bool:
    try:
        get_question(store, uri, actor=who)
    except NotFoundError:
        return False
    return True


def test_a_consultation_is_private_to_the_asker_and_the_issuers_staff(
    store: GraphStore, reference: ReferenceData, people: dict[str, Actor]
) -> None:
    question = _ask(store, reference, people["learner"])
    assert question.consultation is not None
    assert (question.consultation.issuer, question.consultation.credential) == (LTU, CERT_SD)
    assert question.about == (CERT_SD,) and not question.consultation.public
    readers = {name for name, who in people.items() if _sees(store, who, question.id)}
    assert readers == {"learner", "staff"}
    assert _sees(store, ADMIN, question.id) and not _sees(store, ANONYMOUS, question.id)
    # listed on the credential for those who read it, and for nobody else
    listed = {
        name
        for name, who in {**people, "anonymous": ANONYMOUS}.items()
        if [q.id for q in node_questions(store, CERT_SD, actor=who)] == [question.id]
    }
    assert listed == {"learner", "staff"}
    # and on the Assembly's front page, likewise
    front = {
        name
        for name, who in {**people, "anonymous": ANONYMOUS}.items()
        if question.id in [q.id for q in recent_questions(store, actor=who)]
    }
    assert front == {"learner", "staff"}
    inbox = issuer_consultations(store, LTU, actor=people["staff"])
    assert [(i.question.id, i.answers, i.answered) for i in inbox] == [(question.id, 0, False)]
    assert [i.question.id for i in my_consultations(store, actor=people["learner"])] == [
        question.id
    ]
    assert my_consultations(store, actor=people["member"]) == []
    with pytest.raises(ForbiddenError):
        issuer_consultations(store, LTU, actor=people["other_staff"])
    with pytest.raises(UnauthenticatedError):
        issuer_consultations(store, LTU, actor=ANONYMOUS)


def test_only_the_asker_and_the_staff_answer_and_outsiders_reach_no_answer(
    store: GraphStore, reference: ReferenceData, people: dict[str, Actor]
) -> None:
    question = _ask(store, reference, people["mentor"])
    reply = answer_question(
        store,
        actor=people["staff"],
        question=question.id,
        body="Yes: we recognise it for 5 ECTS toward the certificate.",
        base_iri=BASE_IRI,
    )
    again = answer_question(
        store, actor=people["mentor"], question=question.id, body="Thanks!", base_iri=BASE_IRI
    )
    thread = get_thread(store, question.id, actor=people["mentor"])
    assert {a.id for a in thread.answers} == {reply.id, again.id}
    assert [(i.answers, i.answered) for i in issuer_consultations(store, LTU, actor=ADMIN)] == [
        (2, True)
    ]
    for outsider in (people["member"], people["other_staff"], people["advisor"]):
        with pytest.raises(NotFoundError):
            answer_question(
                store, actor=outsider, question=question.id, body="me too", base_iri=BASE_IRI
            )
        with pytest.raises(NotFoundError):
            get_answer(store, reply.id, actor=outsider)
        with pytest.raises(NotFoundError):
            vote(store, reply.id, actor=outsider, value=1)
        with pytest.raises(NotFoundError):
            report_post(store, reply.id, NodeKind.ANSWER, actor=outsider, reason="spam")
        with pytest.raises(NotFoundError):
            get_thread(store, question.id, actor=outsider)
    with pytest.raises(NotFoundError):
        get_answer(store, reply.id, actor=ANONYMOUS)
    # nothing the outsiders tried was written
    after = get_thread(store, question.id, actor=ADMIN)
    assert {a.id for a in after.answers} == {reply.id, again.id}
    assert all(not a.votes and not a.reports for a in after.answers)


def test_the_asker_shares_it_and_takes_it_back_and_readers_do_not_answer(
    store: GraphStore, reference: ReferenceData, people: dict[str, Actor]
) -> None:
    learner, mentor, member = people["learner"], people["mentor"], people["member"]
    question = _ask(store, reference, learner, share_with=[str(mentor.user)])
    assert _sees(store, mentor, question.id) and not _sees(store, member, question.id)
    with pytest.raises(ForbiddenError, match="only the asker and the issuer's staff"):
        answer_question(
            store, actor=mentor, question=question.id, body="I think so", base_iri=BASE_IRI
        )
    with pytest.raises(ForbiddenError):
        share_consultation(store, question.id, actor=mentor, public=True, share_with=[])
    unshared = share_consultation(store, question.id, actor=learner, public=False, share_with=[])
    assert unshared.consultation is not None and unshared.consultation.shared_with == ()
    assert not _sees(store, mentor, question.id)
    public = share_consultation(store, question.id, actor=learner, public=True, share_with=[])
    assert public.consultation is not None and public.consultation.public
    assert _sees(store, ANONYMOUS, question.id) and _sees(store, member, question.id)
    assert [q.id for q in node_questions(store, CERT_SD, actor=ANONYMOUS)] == [question.id]
    with pytest.raises(ForbiddenError):
        answer_question(store, actor=member, question=question.id, body="Yes", base_iri=BASE_IRI)


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    store: GraphStore, reference: ReferenceData, people: dict[str, Actor]
) -> None:
    def count() -> int:
        return len(store.list_records(kind=NodeKind.QUESTION))

    before = count()
    with pytest.raises(InvalidInputError, match="credential: no credential") as e:
        _ask(store, reference, people["learner"], credential=f"{CERT_SD}-nope")
    assert e.value.details == {"field": "credential"}
    with pytest.raises(InvalidInputError, match=r"share_with\[1\]: no user") as e:
        _ask(
            store,
            reference,
            people["learner"],
            share_with=[str(people["mentor"].user), f"{BASE_IRI}/user/nobody"],
        )
    assert e.value.details == {"field": "share_with[1]"}
    with pytest.raises(InvalidInputError, match=r"share_with\[0\]"):
        _ask(store, reference, people["learner"], share_with=[str(people["learner"].user)])
    with pytest.raises(InvalidInputError, match="title: must not be empty"):
        _ask(store, reference, people["learner"], title="  ")
    with pytest.raises(ForbiddenError, match="only a learner or a mentor"):
        _ask(store, reference, people["member"])
    with pytest.raises(UnauthenticatedError):
        _ask(store, reference, ANONYMOUS)
    assert count() == before


def test_a_decision_from_a_consultation_answer_changes_the_equivalence_verdict(
    store: GraphStore, reference: ReferenceData, people: dict[str, Actor]
) -> None:
    learner, mentor, advisor = people["learner"], people["mentor"], people["advisor"]
    before = credential_equivalence(store, PYTHON_US, CERT_SD, reference=reference)
    assert before.verdict.value == "not_equivalent" and before.declared is None
    question = _ask(store, reference, learner, share_with=[str(mentor.user), str(advisor.user)])
    reply = answer_question(
        store,
        actor=people["staff"],
        question=question.id,
        body="Our committee recognises it partially: 5 ECTS toward the certificate.",
        base_iri=BASE_IRI,
    )
    verify_answer(store, reply.id, actor=mentor, note="Matches the published decision.")
    decision = RecognitionDecision(
        id="",
        authority=LTU,
        authority_name="Liffey Technological University",
        credential=PYTHON_US,
        target=CERT_SD,
        outcome=RecognitionOutcome.PARTIAL,
        to_jurisdiction="IE",
        valid_from="2026-01-01",
        decided_by="",
        decided_at="",
    )
    recorded = decide_from_answer(
        store, reply.id, decision, actor=advisor, reference=reference, base_iri=BASE_IRI
    )
    assert recorded.source == reply.id
    after = credential_equivalence(store, PYTHON_US, CERT_SD, reference=reference)
    assert (after.score, after.computed_verdict) == (before.score, before.verdict)
    assert after.verdict.value == "partially_equivalent"
    assert after.declared == recorded
    cites = [line for line in after.explanation if recorded.id in line]
    assert cites and all(reply.id in line for line in cites)
    assert any(
        line.startswith("Verdict partially equivalent as declared by Liffey") for line in cites
    )
    # the same pair read the other way round counts the decision too
    reverse = credential_equivalence(store, CERT_SD, PYTHON_US, reference=reference)
    assert reverse.verdict.value == "partially_equivalent" and reverse.declared == recorded
    # a member who may not read the consultation cannot turn its answer into a decision
    with pytest.raises(ForbiddenError):
        decide_from_answer(
            store,
            reply.id,
            decision,
            actor=people["member"],
            reference=reference,
            base_iri=BASE_IRI,
        )
