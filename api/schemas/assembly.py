"""Schemas of the Assembly: questions on graph nodes, answers, votes, moderation."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_IRI, Public
from graph.model.assembly import Answer, Question, Revision
from graph.services.assembly.markdown import render_markdown

__all__ = [
    "AnswerCreate",
    "AnswerEdit",
    "AnswerPublic",
    "AnswerVerificationPublic",
    "AnswerVerifyRequest",
    "ConsultationPublic",
    "HiddenRequest",
    "PostMatchPublic",
    "PostSearchPublic",
    "PostStatePublic",
    "QuestionCreate",
    "QuestionEdit",
    "QuestionPublic",
    "QuestionsPublic",
    "ReportRequest",
    "RevisionPublic",
    "SimilarQuestionPublic",
    "SimilarQuestionsPublic",
    "SimilarRequest",
    "ThreadPublic",
    "VoteRequest",
]

# Bounds of the request only: the service says which field is too long, with 413.
_TEXT = 100_000


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionCreate(_Request):
    """A question about graph nodes (IRIs) and at most one jurisdiction (its code)."""

    title: str = Field(max_length=_TEXT)
    body: str = Field(max_length=_TEXT, description="Markdown; raw HTML is shown as text.")
    about: list[Annotated[str, Field(min_length=1, max_length=MAX_IRI)]] = Field(
        max_length=50, description="Node IRIs, or a jurisdiction code."
    )


class QuestionEdit(_Request):
    """A question's new text (and title); the earlier one is kept in its history."""

    body: str = Field(max_length=_TEXT)
    title: str | None = Field(default=None, max_length=_TEXT)


class AnswerCreate(_Request):
    """An answer (markdown)."""

    body: str = Field(max_length=_TEXT)


class AnswerEdit(AnswerCreate):
    """An answer's new text; the earlier one is kept in its history."""


class VoteRequest(_Request):
    """The signed-in user's vote: 1, -1, or 0 to take it back."""

    value: int = Field(ge=-1, le=1)


class AnswerVerifyRequest(_Request):
    """An advisor's or mentor's note on why the answer is right."""

    note: str | None = Field(default=None, max_length=_TEXT)


class ReportRequest(_Request):
    """Why a post should be looked at."""

    reason: str = Field(max_length=_TEXT)


class HiddenRequest(_Request):
    """Hide a post (with the reason) or show it again."""

    hidden: bool
    reason: str = Field(default="", max_length=_TEXT)


class RevisionPublic(Public):
    """An earlier text of a post."""

    body: str
    title: str | None
    replaced_at: str
    replaced_by: str

    @classmethod
    def from_domain(cls, r: Revision) -> RevisionPublic:
        """The revision."""
        return cls(body=r.body, title=r.title, replaced_at=r.replaced_at, replaced_by=r.replaced_by)


class AnswerVerificationPublic(Public):
    """Who verified which answer, acting as which grant."""

    answer: str
    by: str
    role: str
    at: str
    note: str | None


class ConsultationPublic(Public):
    """A question put to an issuer: about which credential, and who else reads it."""

    issuer: str
    credential: str
    public: bool
    shared_with: list[str]


class _PostPublic(Public):
    id: str
    iri: str
    author: str
    body: str
    body_html: str = Field(description="The body rendered: safe HTML, no raw HTML, no script.")
    created_at: str
    edited_at: str | None
    history: list[RevisionPublic]
    reports: int
    hidden: bool


def _post(post: Question | Answer) -> dict[str, object]:
    return {
        "id": post.id.rpartition("/")[2],
        "iri": post.id,
        "author": post.author,
        "body": post.body,
        "body_html": render_markdown(post.body),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "history": [RevisionPublic.from_domain(r) for r in post.history],
        "reports": len(post.reports),
        "hidden": post.hidden is not None,
    }


class QuestionPublic(_PostPublic):
    """A question of the Assembly."""

    title: str
    about: list[str]
    jurisdiction: str | None
    accepted: str | None
    verified: AnswerVerificationPublic | None
    consultation: ConsultationPublic | None = Field(
        default=None, description="Set when the question is put to a credential's issuer."
    )

    @classmethod
    def from_domain(cls, q: Question) -> QuestionPublic:
        """The question."""
        v, c = q.verified, q.consultation
        return cls.model_validate(
            {
                **_post(q),
                "title": q.title,
                "about": list(q.about),
                "jurisdiction": q.jurisdiction,
                "accepted": q.accepted,
                "verified": None
                if v is None
                else AnswerVerificationPublic(
                    answer=v.answer, by=v.by, role=v.role, at=v.at, note=v.note
                ),
                "consultation": None
                if c is None
                else ConsultationPublic(
                    issuer=c.issuer,
                    credential=c.credential,
                    public=c.public,
                    shared_with=list(c.shared_with),
                ),
            }
        )


class AnswerPublic(_PostPublic):
    """An answer, with its score and its number of votes."""

    question: str
    score: int
    votes: int

    @classmethod
    def from_domain(cls, a: Answer) -> AnswerPublic:
        """The answer."""
        return cls.model_validate(
            {**_post(a), "question": a.question, "score": a.score, "votes": len(a.votes)}
        )


class ThreadPublic(Public):
    """A question and its answers: verified first, then accepted, then by score."""

    question: QuestionPublic
    answers: list[AnswerPublic]


class QuestionsPublic(Public):
    """Questions, newest first."""

    questions: list[QuestionPublic]


class PostStatePublic(Public):
    """A post's moderation state after a report or a hiding."""

    id: str
    reports: int
    hidden: bool


# -- similar questions and search (graph.services.assembly.similar) --------------------------


class SimilarRequest(_Request):
    """A draft question: the earlier questions like it are suggested before it is posted."""

    title: str = Field(max_length=_TEXT)
    body: str = Field(default="", max_length=_TEXT)
    about: list[Annotated[str, Field(min_length=1, max_length=MAX_IRI)]] = Field(
        default_factory=list, max_length=50, description="Node IRIs, or a jurisdiction code."
    )
    limit: int = Field(default=3, ge=1, le=20)


class SimilarQuestionPublic(BaseModel):
    """An earlier question like the draft, its score in [0, 1] and the reason, in words."""

    question: QuestionPublic
    score: float
    reason: str
    similarity: float = Field(description="Cosine of the titles (0 without vectors).")
    lexical: float = Field(description="Overlap of the wording, IDF-weighted.")
    shared: list[str] = Field(description="The draft's nodes the question is about too.")


class SimilarQuestionsPublic(BaseModel):
    """The suggestions, best first (none under the minimum score)."""

    suggestions: list[SimilarQuestionPublic]


class PostMatchPublic(BaseModel):
    """A question, or an answer with its question, matching a search."""

    question: QuestionPublic
    answer: AnswerPublic | None
    score: float
    matched_text: str
    reason: str


class PostSearchPublic(BaseModel):
    """Questions and answers matching the query, best first."""

    query: str
    results: list[PostMatchPublic]
