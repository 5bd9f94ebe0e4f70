"""From answer to decision: an advisor turns a verified answer into a recognition decision.

The Assembly's verified answer that states a recognition fact ("the Liffey course counts for
5 ECTS toward ...") becomes a decision of the advisor's authority that cites the answer as its
source; from then on it counts in equivalence and pathways like any other decision.
"""

from __future__ import annotations

from dataclasses import replace

from graph.errors import ConflictError, InvalidInputError
from graph.model.accounts import Actor
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.assembly.posts import get_answer, get_question
from graph.services.equivalence.recognition import RecognitionDecision, record_decision
from graph.store import GraphStore

__all__ = ["decide_from_answer"]


def decide_from_answer(
    store: GraphStore,
    answer: str,
    decision: RecognitionDecision,
    *,
    actor: Actor,
    reference: ReferenceData,
    base_iri: str,
) -> RecognitionDecision:
    """Record ``decision`` citing the verified answer ``answer`` as its source.

    The answer must be its question's verified answer, and the decision's credential or its
    target one of the nodes the question is about (a question to an issuer is about the
    issuer's credential, which a decision recognises another one toward). The decision is
    then checked and recorded as :func:`~graph.services.equivalence.recognition.record_decision`
    does, with ``source`` the answer's IRI.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an advisor of the decision's authority.
    NotFoundError
        For an answer (or question) the actor cannot see.
    ConflictError
        When the answer is not the verified answer of its question.
    InvalidInputError
        When neither the credential nor the target is one the question is about, or the
        decision is malformed.
    """
    policy.require_advisor(actor, decision.authority, action="record a decision of this authority")
    cited = get_answer(store, answer, actor=actor)
    question = get_question(store, cited.question, actor=actor)
    if question.verified is None or question.verified.answer != cited.id:
        raise ConflictError(
            f"{cited.id} is not the verified answer of its question: an advisor or a mentor "
            "verifies it first",
            details={"answer": cited.id, "verified": getattr(question.verified, "answer", None)},
        )
    if decision.credential not in question.about and decision.target not in question.about:
        raise InvalidInputError(
            f"credential: {decision.credential} (nor its target) is not one of the nodes the "
            "question is about",
            details={"field": "credential", "about": list(question.about)},
        )
    note = decision.note or f"From the Assembly: {question.title}"
    sourced = replace(decision, source=cited.id, note=note)
    return record_decision(store, sourced, actor=actor, reference=reference, base_iri=base_iri)
