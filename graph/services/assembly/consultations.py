"""Issuer consultation: a learner or a mentor asks the issuer of a credential about it.

A consultation is an Assembly question (:class:`~graph.model.assembly.Question`) with a
:class:`~graph.model.assembly.Consultation`: it is about the credential, so it is listed on the
credential with the other questions; only the asker and the issuer's staff answer it; it is
private to them until the asker shares it with named users (a mentor, an advisor) or makes it
public (``graph.services.policy.may_see_consultation``). Answers, votes, acceptance,
verification and moderation are the Assembly's, with that rule of who reads and who answers;
a verified answer in a consultation can become a recognition decision like any other
(:func:`graph.services.assembly.decisions.decide_from_answer`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from graph.errors import InvalidInputError, NotFoundError, UnauthenticatedError
from graph.model.accounts import Actor, Role
from graph.model.assembly import Consultation, PostLimits, Question
from graph.model.concepts import NodeKind, RelationType
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.assembly.posts import (
    DEFAULT_LIMITS,
    Thread,
    ask_question,
    change_question,
    get_question,
    get_thread,
    node_questions,
)
from graph.services.catalogue.credentials import get_credential
from graph.store import Direction, GraphStore

__all__ = [
    "MAX_SHARED",
    "ConsultationItem",
    "ask_issuer",
    "consultation_thread",
    "credential_consultations",
    "inbox",
    "issuer_consultations",
    "my_consultations",
    "share_consultation",
]

#: The most users a consultation may be shared with.
MAX_SHARED = 20


@dataclass(frozen=True, slots=True)
class ConsultationItem:
    """A consultation in a list: the question, its number of answers, whether staff answered."""

    question: Question
    answers: int
    answered: bool


def _shared(store: GraphStore, share_with: Sequence[str], asker: str) -> tuple[str, ...]:
    if len(share_with) > MAX_SHARED:
        raise InvalidInputError(
            f"share_with: at most {MAX_SHARED} users", details={"field": "share_with"}
        )
    found = store.get_records(list(share_with), kind=NodeKind.ACCOUNT)
    for i, user in enumerate(share_with):
        field = f"share_with[{i}]"
        if user not in found or found[user].index.get("record") != "user":
            raise InvalidInputError(
                f"{field}: no user {user} (expected the IRI of a user, e.g. a mentor)",
                details={"field": field},
            )
        if user == asker or user in share_with[:i]:
            raise InvalidInputError(
                f"{field}: {user} is the asker or named twice", details={"field": field}
            )
    return tuple(share_with)


def ask_issuer(
    store: GraphStore,
    *,
    actor: Actor,
    credential: str,
    title: str,
    body: str,
    reference: ReferenceData,
    base_iri: str,
    public: bool = False,
    share_with: Sequence[str] = (),
    limits: PostLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> Question:
    """Ask the issuer of ``credential`` about it, as the acting learner or mentor.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither a learner nor a mentor.
    InvalidInputError
        For a ``credential`` that names no credential, a ``share_with`` item naming no user;
        and as :func:`~graph.services.assembly.posts.ask_question` for the text.
    PayloadTooLargeError, TooManyRequestsError
        As :func:`~graph.services.assembly.posts.ask_question`.
    """
    user = policy.require_consultation_asker(actor, action="ask an issuer about a credential")
    if store.missing_nodes([credential]) or not store.get_records(
        [credential], kind=NodeKind.CREDENTIAL
    ):
        raise InvalidInputError(
            f"credential: no credential {credential}", details={"field": "credential"}
        )
    issuer = get_credential(store, credential).issuer
    readers = _shared(store, share_with, user)
    return ask_question(
        store,
        actor=actor,
        title=title,
        body=body,
        about=[credential],
        reference=reference,
        base_iri=base_iri,
        limits=limits,
        now=now,
        consultation=Consultation(issuer, credential, public, readers),
    )


def share_consultation(
    store: GraphStore, uri: str, *, actor: Actor, public: bool, share_with: Sequence[str]
) -> Question:
    """Set who besides the asker and the issuer's staff reads the consultation (its asker).

    ``share_with`` replaces the earlier list: a user left out no longer reads it, from the
    next request on.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone but the asker.
    NotFoundError
        For a consultation the actor may not read (or a question that is not a consultation).
    InvalidInputError
        For a ``share_with`` item naming no user.
    """
    policy.require_user(actor, action="share this consultation")
    found = get_question(store, uri, actor=actor)
    if found.consultation is None:
        raise InvalidInputError(
            f"{uri} is a question to the Assembly, not to an issuer", details={"id": uri}
        )
    user = policy.require_post_author(actor, found.author, action="share this consultation")
    readers = _shared(store, share_with, found.author if actor.is_admin else user)

    def change(question: Question) -> Question | None:
        assert question.consultation is not None
        shared = replace(question.consultation, public=public, shared_with=readers)
        return None if shared == question.consultation else replace(question, consultation=shared)

    return change_question(store, uri, change)


def _items(
    store: GraphStore, actor: Actor, uris: Sequence[str], limit: int
) -> list[ConsultationItem]:
    newest = sorted(uris, key=lambda u: u.rpartition("/")[2], reverse=True)
    items: list[ConsultationItem] = []
    for uri in newest:
        if len(items) >= limit:
            break
        try:
            question = get_question(store, uri, actor=actor)
        except NotFoundError:  # hidden by a moderator
            continue
        edges = store.relations(uri, direction=Direction.IN, types=[RelationType.ANSWERS])
        answers = store.get_records([e.source for e in edges], kind=NodeKind.ANSWER)
        answered = any(r.index.get("author") != question.author for r in answers.values())
        items.append(ConsultationItem(question, len(answers), answered))
    return items


def issuer_consultations(
    store: GraphStore, issuer: str, *, actor: Actor, limit: int = 50
) -> list[ConsultationItem]:
    """The questions put to ``issuer``, newest first: its staff's inbox.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone but the issuer's staff.
    """
    policy.require_issuer_staff(actor, [issuer], action="read the questions put to this issuer")
    records = store.list_records(kind=NodeKind.QUESTION, where={"consulted": issuer})
    return _items(store, actor, [r.uri for r in records], limit)


def my_consultations(store: GraphStore, *, actor: Actor, limit: int = 50) -> list[ConsultationItem]:
    """The questions the acting user put to issuers, newest first.

    Raises
    ------
    UnauthenticatedError
        For nobody.
    """
    user = policy.require_user(actor, action="list one's questions to issuers")
    records = store.list_records(kind=NodeKind.QUESTION, where={"author": user})
    return _items(store, actor, [r.uri for r in records if "consulted" in r.index], limit)


def inbox(store: GraphStore, *, actor: Actor, limit: int = 50) -> list[ConsultationItem]:
    """The questions put to the issuers the actor is staff of (to every issuer, for an admin).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is staff of no issuer.
    """
    policy.require_user(actor, action="read the questions put to an issuer")
    issuers = sorted(actor.objects(Role.ISSUER))
    if not issuers and not actor.is_admin:
        raise policy.refusal(actor, "read the questions put to an issuer", "staff of no issuer")
    if not issuers:
        records = store.list_records(kind=NodeKind.QUESTION)
        uris = [r.uri for r in records if "consulted" in r.index]
    else:
        uris = [
            r.uri
            for issuer in issuers
            for r in store.list_records(kind=NodeKind.QUESTION, where={"consulted": issuer})
        ]
    return _items(store, actor, uris, limit)


def consultation_thread(store: GraphStore, uri: str, *, actor: Actor) -> Thread:
    """A consultation with the answers the actor may see.

    Raises
    ------
    UnauthenticatedError
        For nobody, when the consultation is not public: whoever it is shared with signs in.
    NotFoundError
        For a question that is no consultation, or one the actor may not read.
    """
    try:
        thread = get_thread(store, uri, actor=actor)
    except NotFoundError:
        if actor.user is None:
            raise UnauthenticatedError(
                "sign in to read this question to an issuer", details={"id": uri}
            ) from None
        raise
    if thread.question.consultation is None:
        raise NotFoundError(f"no question to an issuer {uri}", details={"id": uri})
    return thread


def credential_consultations(
    store: GraphStore, credential: str, *, actor: Actor, limit: int = 20
) -> list[Question]:
    """The newest questions to the issuer about ``credential`` that the actor may read."""
    found = node_questions(store, credential, actor=actor, limit=max(limit, 100))
    return [q for q in found if q.consultation is not None][:limit]
