"""Use cases of the Assembly's posts: ask, answer, edit, vote, accept, verify, report, hide, read.

Questions and answers are records (:attr:`NodeKind.QUESTION`, :attr:`NodeKind.ANSWER`) whose
index holds the author, so a user's recent posts are counted for the rate limit; a question is
linked by ``about`` edges to the graph nodes it is about, an answer by an ``answers`` edge to
its question. Changes of one post (an edit, a vote, a report) re-read it and write it expecting
the version read, so two at once never lose one another: the second is redone on the first.
Every check comes before the one write: bad input stores nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from graph.embeddings import Embedder
from graph.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    StaleVersionError,
    TooManyRequestsError,
)
from graph.model.accounts import Actor
from graph.model.assembly import (
    MAX_ABOUT,
    MAX_BODY,
    MAX_REASON,
    MAX_TITLE,
    Answer,
    Consultation,
    Hidden,
    PostLimits,
    Question,
    Report,
    Revision,
    Verification,
    answer_from_document,
    answer_to_document,
    question_from_document,
    question_to_document,
)
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.assembly.indexing import index_posts
from graph.store import Direction, GraphBatch, GraphStore, Record

__all__ = [
    "ABOUT_KINDS",
    "DEFAULT_LIMITS",
    "Thread",
    "accept_answer",
    "answer_question",
    "ask_question",
    "change_question",
    "check_text",
    "edit_post",
    "get_answer",
    "get_question",
    "get_thread",
    "may_read_post",
    "node_questions",
    "post_iri",
    "report_post",
    "resolve_about",
    "set_hidden",
    "verify_answer",
    "vote",
]

#: The kinds of nodes a question may be about (besides a jurisdiction, given by its code).
ABOUT_KINDS = (NodeKind.SKILL, NodeKind.OCCUPATION, NodeKind.CREDENTIAL, NodeKind.RECOGNITION)
_ATTEMPTS = 5
#: How many distinct users' reports hide a post until a moderator looks at it.
REPORTS_TO_HIDE = 3
#: The rate limit when the edge does not set one (``Settings.assembly_posts_per_hour``).
DEFAULT_LIMITS = PostLimits()
_PREFIX = {"q": NodeKind.QUESTION, "a": NodeKind.ANSWER}

P = TypeVar("P", Question, Answer, Question | Answer)


@dataclass(frozen=True, slots=True)
class Thread:
    """A question and the answers the reader may see: verified, accepted, then by score."""

    question: Question
    answers: tuple[Answer, ...]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _stamp(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def post_iri(post_id: str, *, base_iri: str, kind: NodeKind | None = None) -> tuple[NodeKind, str]:
    """The kind and IRI of a post from its short id (``q…`` a question, ``a…`` an answer).

    Raises
    ------
    NotFoundError
        For an id that names no post (of ``kind``, when given).
    """
    found = _PREFIX.get(post_id[:1])
    if found is None or (kind is not None and found is not kind):
        raise NotFoundError(f"no post {post_id}", details={"id": post_id})
    kind = found
    if not post_id[1:].replace("-", "").isalnum():
        raise NotFoundError(f"no post {post_id}", details={"id": post_id})
    return kind, f"{base_iri.rstrip('/')}/{kind.value}/{post_id}"


def _new_id(kind: NodeKind, now: datetime) -> str:
    # Sorts by time: a node's newest questions are the last IRIs.
    return f"{kind.value[0]}{now.strftime('%Y%m%d%H%M%S%f')}-{secrets.token_hex(4)}"


def check_text(value: str, field: str, limit: int) -> str:
    """``value`` stripped; an empty or oversized one raises, naming ``field``."""
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{field}: must not be empty", details={"field": field})
    if len(text) > limit:
        raise PayloadTooLargeError(
            f"{field}: {len(text)} characters, at most {limit} are allowed",
            details={"field": field, "limit": limit, "length": len(text)},
        )
    return text


def resolve_about(
    store: GraphStore, about: Sequence[str], *, reference: ReferenceData
) -> tuple[tuple[str, ...], str | None]:
    """The node IRIs and the jurisdiction a question is about, each checked to exist.

    An item without a colon is a jurisdiction code (at most one); any other must be the IRI of
    a skill, an occupation, a credential or a recognition decision in the store.

    Raises
    ------
    InvalidInputError
        Naming the item (``about[i]``) that is unknown, of another kind, or repeated.
    """
    if not about or len(about) > MAX_ABOUT:
        raise InvalidInputError(
            f"about: name 1 to {MAX_ABOUT} nodes the question is about", details={"field": "about"}
        )
    nodes: list[str] = []
    jurisdiction: str | None = None
    for i, item in enumerate(about):
        field = f"about[{i}]"
        if ":" not in item:
            if jurisdiction is not None:
                raise InvalidInputError(
                    f"{field}: a question is about one jurisdiction at most",
                    details={"field": field},
                )
            jurisdiction = reference.jurisdiction(item, field=field)
            continue
        if item in nodes:
            raise InvalidInputError(f"{field}: {item} is named twice", details={"field": field})
        _check_node(store, item, field)
        nodes.append(item)
    return tuple(nodes), jurisdiction


def _check_node(store: GraphStore, uri: str, field: str) -> None:
    concept = store.get_concepts([uri]).get(uri)
    if concept is None and any(store.get_records([uri], kind=k) for k in ABOUT_KINDS[2:]):
        return
    if concept is not None and concept.kind in ABOUT_KINDS:
        return
    if concept is None and store.missing_nodes([uri]):
        raise InvalidInputError(f"{field}: no node {uri} in the graph", details={"field": field})
    kinds = ", ".join(k.value for k in ABOUT_KINDS)
    raise InvalidInputError(
        f"{field}: {uri} is not a node a question can be about ({kinds}, or a jurisdiction code)",
        details={"field": field},
    )


def _check_rate(
    store: GraphStore, actor: Actor, user: str, limits: PostLimits, now: datetime
) -> None:
    if actor.is_admin:
        return
    since = _stamp(now - timedelta(seconds=limits.window_seconds))
    recent = sum(
        1
        for kind in (NodeKind.QUESTION, NodeKind.ANSWER)
        for r in store.list_records(kind=kind, where={"author": user})
        if str(r.index.get("created_at", "")) >= since
    )
    if recent >= limits.posts:
        raise TooManyRequestsError(
            f"{recent} posts in the last {limits.window_seconds // 60} minutes; at most "
            f"{limits.posts} are allowed, try again later",
            details={"limit": limits.posts, "window_seconds": limits.window_seconds},
        )


def _question_record(q: Question) -> Record:
    index: dict[str, str | bool | None] = {
        "author": q.author,
        "created_at": q.created_at,
        "hidden": q.hidden is not None,
    }
    if q.jurisdiction is not None:
        index["jurisdiction"] = q.jurisdiction
    if q.consultation is not None:
        index["consulted"] = q.consultation.issuer
    return Record(q.id, NodeKind.QUESTION, question_to_document(q), index)


def _answer_record(a: Answer) -> Record:
    index = {"author": a.author, "created_at": a.created_at, "question": a.question}
    return Record(
        a.id, NodeKind.ANSWER, answer_to_document(a), {**index, "hidden": a.hidden is not None}
    )


def ask_question(
    store: GraphStore,
    *,
    actor: Actor,
    title: str,
    body: str,
    about: Sequence[str],
    reference: ReferenceData,
    base_iri: str,
    limits: PostLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
    consultation: Consultation | None = None,
    embedder: Embedder | None = None,
) -> Question:
    """Post a question about graph nodes (and a jurisdiction) as the acting user.

    ``consultation`` makes it a question to an issuer
    (:func:`graph.services.assembly.consultations.ask_issuer` checks it first). The question
    is indexed for search, with ``embedder``'s vectors when given (else by its terms only).

    Raises
    ------
    UnauthenticatedError
        For nobody.
    InvalidInputError, PayloadTooLargeError
        For an empty or oversized title or body, or an ``about`` item that names no node.
    TooManyRequestsError
        When the user has posted too much lately.
    """
    user = policy.require_user(actor, action="ask a question")
    at = _now(now)
    title = check_text(title, "title", MAX_TITLE)
    body = check_text(body, "body", MAX_BODY)
    nodes, jurisdiction = resolve_about(store, about, reference=reference)
    _check_rate(store, actor, user, limits, at)
    iri = f"{base_iri.rstrip('/')}/question/{_new_id(NodeKind.QUESTION, at)}"
    question = Question(
        iri, user, title, body, nodes, _stamp(at), jurisdiction, consultation=consultation
    )
    edges = [Relation(iri, RelationType.ABOUT, node) for node in nodes]
    store.write(
        GraphBatch(records=[_question_record(question)], relations=edges, expect={iri: None})
    )
    index_posts(store, embedder, [question])
    return question


def _read(store: GraphStore, uri: str, kind: NodeKind) -> Record:
    record = store.get_records([uri], kind=kind).get(uri)
    if record is None:
        raise NotFoundError(f"no {kind.value} {uri}", details={"id": uri})
    return record


def may_read_post(actor: Actor, post: Question | Answer) -> bool:
    """Whether the actor may read the post (every listing and search of posts asks this).

    Not when it is hidden from them, nor when it is a consultation they are no party to.
    """
    if not policy.may_see_post(actor, post.author, hidden=post.hidden is not None):
        return False
    c = post.consultation if isinstance(post, Question) else None
    return c is None or policy.may_see_consultation(
        actor, asker=post.author, issuer=c.issuer, public=c.public, shared_with=c.shared_with
    )


def _check_audience(store: GraphStore, actor: Actor, uri: str, kind: NodeKind) -> None:
    """Refuse (as unknown) an answer in a consultation the actor may not read."""
    if kind is NodeKind.ANSWER:
        answer = answer_from_document(_read(store, uri, kind).body)
        question = question_from_document(_read(store, answer.question, NodeKind.QUESTION).body)
        if question.consultation is not None and not may_read_post(actor, question):
            raise NotFoundError(f"no answer {uri}", details={"id": uri})


def _check_answerer(actor: Actor, question: Question) -> None:
    """Only the asker and the issuer's staff answer a consultation."""
    if question.consultation is not None:
        policy.require_consultation_party(
            actor,
            asker=question.author,
            issuer=question.consultation.issuer,
            action="answer this question to an issuer",
        )


def _visible(actor: Actor, post: P) -> P:
    if not may_read_post(actor, post):
        raise NotFoundError(f"no {type(post).__name__.lower()} {post.id}", details={"id": post.id})
    return post


def get_question(store: GraphStore, uri: str, *, actor: Actor) -> Question:
    """The question ``uri`` (a hidden one only for its author and moderators).

    Raises
    ------
    NotFoundError
        When there is no such question the actor may see.
    """
    return _visible(actor, question_from_document(_read(store, uri, NodeKind.QUESTION).body))


def get_answer(store: GraphStore, uri: str, *, actor: Actor) -> Answer:
    """The answer ``uri`` (a hidden one only for its author and moderators).

    Raises
    ------
    NotFoundError
        When there is no such answer the actor may see.
    """
    _check_audience(store, actor, uri, NodeKind.ANSWER)
    return _visible(actor, answer_from_document(_read(store, uri, NodeKind.ANSWER).body))


def answer_question(
    store: GraphStore,
    *,
    actor: Actor,
    question: str,
    body: str,
    base_iri: str,
    limits: PostLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
    embedder: Embedder | None = None,
) -> Answer:
    """Post an answer to ``question`` as the acting user (indexed as :func:`ask_question`'s).

    Raises
    ------
    UnauthenticatedError, NotFoundError, InvalidInputError, PayloadTooLargeError
        For nobody, a question the actor cannot see, an empty or oversized body.
    TooManyRequestsError
        When the user has posted too much lately.
    """
    user = policy.require_user(actor, action="answer a question")
    at = _now(now)
    body = check_text(body, "body", MAX_BODY)
    _check_answerer(actor, get_question(store, question, actor=actor))
    _check_rate(store, actor, user, limits, at)
    iri = f"{base_iri.rstrip('/')}/answer/{_new_id(NodeKind.ANSWER, at)}"
    answer = Answer(iri, question, user, body, _stamp(at))
    store.write(
        GraphBatch(
            records=[_answer_record(answer)],
            relations=[Relation(iri, RelationType.ANSWERS, question)],
            expect={iri: None},
        )
    )
    index_posts(store, embedder, [answer])
    return answer


def _update(
    store: GraphStore, uri: str, kind: NodeKind, change: Callable[[Record], Record | None]
) -> Record:
    """Apply ``change`` to the record as stored now, writing it conditionally; retry on a race."""
    for attempt in range(_ATTEMPTS):
        record = _read(store, uri, kind)
        changed = change(record)
        if changed is None:
            return record
        try:
            store.write(GraphBatch(records=[changed], expect={uri: record.version or 1}))
        except StaleVersionError:
            if attempt == _ATTEMPTS - 1:
                raise
            continue
        return changed
    raise AssertionError("unreachable")


def _as_record(post: Question | Answer) -> Record:
    return _question_record(post) if isinstance(post, Question) else _answer_record(post)


def _from_record(record: Record) -> Question | Answer:
    if record.kind is NodeKind.QUESTION:
        return question_from_document(record.body)
    return answer_from_document(record.body)


def edit_post(
    store: GraphStore,
    uri: str,
    kind: NodeKind,
    *,
    actor: Actor,
    body: str,
    title: str | None = None,
    embedder: Embedder | None = None,
) -> Question | Answer:
    """Replace a post's text (its author only); the earlier text goes to its history.

    ``title`` changes a question's title too (it is ignored for an answer). The post is
    indexed again (as :func:`ask_question`'s).

    Raises
    ------
    UnauthenticatedError, ForbiddenError, NotFoundError, InvalidInputError, PayloadTooLargeError
        For nobody, anyone but the author, an unknown post, an empty or oversized text.
    """
    policy.require_user(actor, action=f"edit this {kind.value}")
    body = check_text(body, "body", MAX_BODY)
    new_title = None if title is None else check_text(title, "title", MAX_TITLE)
    at = _stamp(_now(None))
    _check_audience(store, actor, uri, kind)

    def change(record: Record) -> Record:
        post = _visible(actor, _from_record(record))
        user = policy.require_post_author(actor, post.author, action=f"edit this {kind.value}")
        old_title = post.title if isinstance(post, Question) else None
        revision = Revision(post.body, at, user, old_title)
        edited = replace(post, body=body, edited_at=at, history=(*post.history, revision))
        if isinstance(edited, Question) and new_title is not None:
            edited = replace(edited, title=new_title)
        return _as_record(edited)

    edited = _from_record(_update(store, uri, kind, change))
    index_posts(store, embedder, [edited])
    return edited


def vote(store: GraphStore, uri: str, *, actor: Actor, value: int) -> Answer:
    """Record the acting user's vote on an answer: +1, -1, or 0 to take it back.

    One vote per user: voting again replaces the user's earlier vote.

    Raises
    ------
    UnauthenticatedError, NotFoundError
        For nobody, an answer the actor cannot see.
    InvalidInputError
        For a value other than -1, 0, 1, or a vote on one's own answer.
    """
    user = policy.require_user(actor, action="vote on an answer")
    if value not in (-1, 0, 1):
        raise InvalidInputError("value: must be 1, -1 or 0", details={"field": "value"})
    _check_audience(store, actor, uri, NodeKind.ANSWER)

    def change(record: Record) -> Record | None:
        answer = _visible(actor, answer_from_document(record.body))
        if answer.author == user:
            raise InvalidInputError("you may not vote on your own answer", details={"id": uri})
        votes = {k: v for k, v in answer.votes.items() if k != user}
        if value:
            votes[user] = value
        if votes == dict(answer.votes):
            return None
        return _answer_record(replace(answer, votes=votes))

    return answer_from_document(_update(store, uri, NodeKind.ANSWER, change).body)


def _answer_and_question(store: GraphStore, actor: Actor, uri: str) -> tuple[Answer, Question]:
    answer = get_answer(store, uri, actor=actor)
    return answer, get_question(store, answer.question, actor=actor)


def accept_answer(store: GraphStore, uri: str, *, actor: Actor) -> Question:
    """Mark the answer ``uri`` as the one its asker accepts (replacing an earlier choice).

    Raises
    ------
    UnauthenticatedError, ForbiddenError, NotFoundError
        For nobody, anyone but the asker, an answer the actor cannot see.
    """
    policy.require_user(actor, action="accept an answer")
    answer, question = _answer_and_question(store, actor, uri)

    def change(record: Record) -> Record | None:
        current = question_from_document(record.body)
        policy.require_post_author(actor, current.author, action="accept an answer")
        if current.accepted == answer.id:
            return None
        return _question_record(replace(current, accepted=answer.id))

    return question_from_document(_update(store, question.id, NodeKind.QUESTION, change).body)


def verify_answer(
    store: GraphStore, uri: str, *, actor: Actor, note: str | None = None
) -> Question:
    """Mark the answer ``uri`` verified by the acting advisor or mentor (one per question).

    Raises
    ------
    UnauthenticatedError, ForbiddenError, NotFoundError, PayloadTooLargeError
        For nobody, anyone but an advisor or a mentor, an unknown answer, an oversized note.
    """
    role = policy.require_verifier(actor, action="verify an answer")
    user = str(actor.user)
    note = None if not note or not note.strip() else check_text(note, "note", MAX_REASON)
    answer, question = _answer_and_question(store, actor, uri)
    at = _stamp(_now(None))

    def change(record: Record) -> Record:
        current = question_from_document(record.body)
        mark = Verification(answer.id, user, role, at, note)
        return _question_record(replace(current, verified=mark))

    return question_from_document(_update(store, question.id, NodeKind.QUESTION, change).body)


def report_post(
    store: GraphStore, uri: str, kind: NodeKind, *, actor: Actor, reason: str
) -> Question | Answer:
    """Record the acting user's report of a post (once per user); enough reports hide it.

    Raises
    ------
    UnauthenticatedError, NotFoundError, InvalidInputError, PayloadTooLargeError
        For nobody, a post the actor cannot see, an empty or oversized reason.
    """
    user = policy.require_user(actor, action="report a post")
    reason = check_text(reason, "reason", MAX_REASON)
    at = _stamp(_now(None))
    _check_audience(store, actor, uri, kind)

    def change(record: Record) -> Record | None:
        post = _visible(actor, _from_record(record))
        if any(r.by == user for r in post.reports):
            return None
        reports = (*post.reports, Report(user, reason, at))
        hidden = post.hidden
        if hidden is None and len(reports) >= REPORTS_TO_HIDE:
            hidden = Hidden("urn:credwalk:assembly:reports", f"{len(reports)} reports", at)
        return _as_record(replace(post, reports=reports, hidden=hidden))

    return _from_record(_update(store, uri, kind, change))


def set_hidden(
    store: GraphStore, uri: str, kind: NodeKind, *, actor: Actor, hidden: bool, reason: str = ""
) -> Question | Answer:
    """Hide a post (with the reason) or show it again: a moderator's act.

    Raises
    ------
    UnauthenticatedError, ForbiddenError, NotFoundError, InvalidInputError
        For nobody, anyone but an administrator, an unknown post, hiding without a reason.
    """
    policy.require_admin(actor, action="hide or show a post")
    why = check_text(reason, "reason", MAX_REASON) if hidden else ""
    at = _stamp(_now(None))

    def change(record: Record) -> Record:
        post = _from_record(record)
        mark = Hidden(str(actor.user), why, at) if hidden else None
        return _as_record(replace(post, hidden=mark))

    return _from_record(_update(store, uri, kind, change))


def _answer_order(question: Question) -> Callable[[Answer], tuple[int, int, int, str]]:
    verified = None if question.verified is None else question.verified.answer

    def key(a: Answer) -> tuple[int, int, int, str]:
        return (a.id != verified, a.id != question.accepted, -a.score, a.id)

    return key


def get_thread(store: GraphStore, uri: str, *, actor: Actor) -> Thread:
    """The question ``uri`` with the answers the actor may see (verified, accepted, by score).

    Raises
    ------
    NotFoundError
        When there is no such question the actor may see.
    """
    question = get_question(store, uri, actor=actor)
    edges = store.relations(uri, direction=Direction.IN, types=[RelationType.ANSWERS])
    records = store.get_records([e.source for e in edges], kind=NodeKind.ANSWER)
    answers = [answer_from_document(r.body) for r in records.values()]
    seen = [a for a in answers if may_read_post(actor, a)]
    return Thread(question, tuple(sorted(seen, key=_answer_order(question))))


def node_questions(
    store: GraphStore, node: str, *, actor: Actor, limit: int = 20
) -> list[Question]:
    """The newest questions about ``node`` the actor may see, newest first (``limit`` at most).

    Raises
    ------
    NotFoundError
        When ``node`` names no node.
    """
    edges = store.relations(node, direction=Direction.IN, types=[RelationType.ABOUT])
    newest = sorted((e.source for e in edges), key=_id_order, reverse=True)
    found: list[Question] = []
    for start in range(0, len(newest), limit):
        chunk = newest[start : start + limit]
        records = store.get_records(chunk, kind=NodeKind.QUESTION)
        for uri in chunk:
            if uri in records:
                q = question_from_document(records[uri].body)
                if may_read_post(actor, q):
                    found.append(q)
        if len(found) >= limit:
            break
    return found[:limit]


def _id_order(uri: str) -> str:
    return uri.rpartition("/")[2]


def change_question(
    store: GraphStore, uri: str, change: Callable[[Question], Question | None]
) -> Question:
    """Apply ``change`` to the question as stored now (``None``: nothing to write); redo on a race.

    For use cases that change a question's other parts (a consultation's readers); ``change``
    makes its checks on the question it is given.
    """

    def on_record(record: Record) -> Record | None:
        changed = change(question_from_document(record.body))
        return None if changed is None else _question_record(changed)

    return question_from_document(_update(store, uri, NodeKind.QUESTION, on_record).body)
