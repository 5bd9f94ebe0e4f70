"""The Assembly: questions and answers attached to nodes of the graph.

A member asks a **question** attached to one or more nodes (a credential, an occupation, a
skill, a recognition decision) and at most one jurisdiction; others **answer**. Answers are
voted (one vote per user, which they may change), one answer may be **accepted** by the asker
and one **verified** by an advisor or a mentor. Posts are markdown, kept with their edit
history; anyone signed in may report a post, and a moderator may hide it.

Questions and answers are stored as records of their own kinds; a question is linked to the
nodes it is about (``about``), an answer to its question (``answers``). Their ids sort by the
time they were posted, so the newest posts of a node are found without reading the older ones.

A **consultation** is a question put to the issuer of a credential (fit, prerequisites,
recognition): it is about that credential, only the asker and the issuer's staff answer it, and
it is seen by them, by the users the asker shares it with, or by everyone if the asker makes it
public (``graph.services.policy.may_see_consultation``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_ABOUT",
    "MAX_BODY",
    "MAX_REASON",
    "MAX_TITLE",
    "Answer",
    "Consultation",
    "Hidden",
    "PostLimits",
    "Question",
    "Report",
    "Revision",
    "Verification",
    "answer_from_document",
    "answer_to_document",
    "question_from_document",
    "question_to_document",
]

#: The longest question title, in characters.
MAX_TITLE = 200
#: The longest post body (markdown), in characters.
MAX_BODY = 10_000
#: The most nodes a question may be about.
MAX_ABOUT = 10
#: The longest reason of a report or a hiding.
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class PostLimits:
    """How many posts (questions and answers) a user may write in a sliding window."""

    posts: int = 30
    window_seconds: int = 3600


@dataclass(frozen=True, slots=True)
class Revision:
    """An earlier text of a post, kept when it was edited: what it said, until when, by whom."""

    body: str
    replaced_at: str
    replaced_by: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """A user's report of a post (spam, abuse, wrong), with the reason."""

    by: str
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class Hidden:
    """Who hid a post, when and why (a hidden post is shown to its author and moderators only)."""

    by: str
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class Verification:
    """An advisor's or a mentor's mark that an answer is right, with the grant they acted as."""

    answer: str
    by: str
    role: str
    at: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Consultation:
    """A question put to ``issuer`` about its ``credential``, and who else may read it."""

    issuer: str
    credential: str
    public: bool = False
    shared_with: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    """A question of the Assembly, about graph nodes (IRIs) and at most one jurisdiction."""

    id: str
    author: str
    title: str
    body: str
    about: tuple[str, ...]
    created_at: str
    jurisdiction: str | None = None
    edited_at: str | None = None
    accepted: str | None = None
    verified: Verification | None = None
    history: tuple[Revision, ...] = ()
    reports: tuple[Report, ...] = ()
    hidden: Hidden | None = None
    consultation: Consultation | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to a question; ``votes`` maps each voter to +1 or -1."""

    id: str
    question: str
    author: str
    body: str
    created_at: str
    edited_at: str | None = None
    votes: Mapping[str, int] = field(default_factory=dict)
    history: tuple[Revision, ...] = ()
    reports: tuple[Report, ...] = ()
    hidden: Hidden | None = None

    @property
    def score(self) -> int:
        """The sum of the votes."""
        return sum(self.votes.values())


def _revision_doc(r: Revision) -> dict[str, Any]:
    doc = {"body": r.body, "replaced_at": r.replaced_at, "replaced_by": r.replaced_by}
    return doc if r.title is None else {**doc, "title": r.title}


def _moderation_doc(post: Question | Answer) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "history": [_revision_doc(r) for r in post.history],
        "reports": [{"by": r.by, "reason": r.reason, "at": r.at} for r in post.reports],
    }
    if post.hidden is not None:
        h = post.hidden
        doc["hidden"] = {"by": h.by, "reason": h.reason, "at": h.at}
    if post.edited_at is not None:
        doc["edited_at"] = post.edited_at
    return doc


def question_to_document(q: Question) -> dict[str, Any]:
    """The question as a JSON-serialisable document."""
    doc: dict[str, Any] = {
        "id": q.id,
        "author": q.author,
        "title": q.title,
        "body": q.body,
        "about": list(q.about),
        "created_at": q.created_at,
        **_moderation_doc(q),
    }
    if q.jurisdiction is not None:
        doc["jurisdiction"] = q.jurisdiction
    if q.accepted is not None:
        doc["accepted"] = q.accepted
    if q.verified is not None:
        v = q.verified
        doc["verified"] = {"answer": v.answer, "by": v.by, "role": v.role, "at": v.at}
        if v.note:
            doc["verified"]["note"] = v.note
    if q.consultation is not None:
        doc["consultation"] = _consultation_doc(q.consultation)
    return doc


def _consultation_doc(c: Consultation) -> dict[str, Any]:
    return {
        "issuer": c.issuer,
        "credential": c.credential,
        "public": c.public,
        "shared_with": list(c.shared_with),
    }


def _consultation(doc: Mapping[str, Any]) -> Consultation | None:
    c = doc.get("consultation")
    if c is None:
        return None
    shared = tuple(c.get("shared_with", ()))
    return Consultation(c["issuer"], c["credential"], bool(c.get("public", False)), shared)


def answer_to_document(a: Answer) -> dict[str, Any]:
    """The answer as a JSON-serialisable document."""
    return {
        "id": a.id,
        "question": a.question,
        "author": a.author,
        "body": a.body,
        "created_at": a.created_at,
        "votes": dict(sorted(a.votes.items())),
        **_moderation_doc(a),
    }


def _history(doc: Mapping[str, Any]) -> tuple[Revision, ...]:
    return tuple(
        Revision(r["body"], r["replaced_at"], r["replaced_by"], r.get("title"))
        for r in doc.get("history", ())
    )


def _reports(doc: Mapping[str, Any]) -> tuple[Report, ...]:
    return tuple(Report(r["by"], r["reason"], r["at"]) for r in doc.get("reports", ()))


def _hidden(doc: Mapping[str, Any]) -> Hidden | None:
    h = doc.get("hidden")
    return None if h is None else Hidden(h["by"], h["reason"], h["at"])


def question_from_document(doc: Mapping[str, Any]) -> Question:
    """Build a question from :func:`question_to_document`'s form."""
    v = doc.get("verified")
    return Question(
        id=doc["id"],
        author=doc["author"],
        title=doc["title"],
        body=doc["body"],
        about=tuple(doc.get("about", ())),
        created_at=doc["created_at"],
        jurisdiction=doc.get("jurisdiction"),
        edited_at=doc.get("edited_at"),
        accepted=doc.get("accepted"),
        verified=None
        if v is None
        else Verification(v["answer"], v["by"], v["role"], v["at"], v.get("note")),
        history=_history(doc),
        reports=_reports(doc),
        hidden=_hidden(doc),
        consultation=_consultation(doc),
    )


def answer_from_document(doc: Mapping[str, Any]) -> Answer:
    """Build an answer from :func:`answer_to_document`'s form."""
    return Answer(
        id=doc["id"],
        question=doc["question"],
        author=doc["author"],
        body=doc["body"],
        created_at=doc["created_at"],
        edited_at=doc.get("edited_at"),
        votes={str(k): int(v) for k, v in doc.get("votes", {}).items()},
        history=_history(doc),
        reports=_reports(doc),
        hidden=_hidden(doc),
    )
