"""Onboarding tests: items (authors see keys), attempts (learners see questions only)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_TEXT, Public
from graph.model.onboarding import Item, ItemKind, Question
from graph.services.onboarding.attempts import AttemptView
from graph.services.onboarding.items import ItemDraft

__all__ = [
    "AnswerCreate",
    "AttemptCreate",
    "AttemptPublic",
    "AttemptsPublic",
    "ItemCreate",
    "ItemPublic",
    "ItemsPublic",
    "RatingCreate",
]

Kind = Literal["multiple_choice", "short_answer", "task"]


class ItemCreate(BaseModel):
    """An item with its key: the right option, the accepted answers, or a task's rubric."""

    model_config = ConfigDict(extra="forbid")

    skill: str = Field(min_length=3, max_length=2000, description="The skill's IRI (ESCO)")
    level: int = Field(ge=1, le=8, description="1-8")
    kind: Kind
    prompt: str = Field(min_length=1, max_length=10_000)
    options: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(
        default_factory=list, max_length=12
    )
    answer: int | None = Field(default=None, ge=0, le=11, description="Index of the right option")
    accepted: list[Annotated[str, Field(max_length=MAX_TEXT)]] = Field(
        default_factory=list, max_length=50
    )
    rubric: str | None = Field(default=None, max_length=10_000)

    def to_domain(self) -> ItemDraft:
        """The draft the service checks."""
        return ItemDraft(
            self.skill,
            self.level,
            ItemKind(self.kind),
            self.prompt,
            tuple(self.options),
            self.answer,
            tuple(self.accepted),
            self.rubric,
        )


class ItemPublic(Public):
    """An item version with its key (for its authors only)."""

    id: str = Field(description="Short id (the end of the IRI)")
    uri: str
    version: int
    skill: str
    level: int
    kind: str
    prompt: str
    options: list[str]
    answer: int | None
    accepted: list[str]
    rubric: str | None
    author: str
    written_at: str

    @classmethod
    def from_domain(cls, item: Item) -> ItemPublic:
        """Build from an item."""
        return cls(
            id=item.id.rpartition("/")[2],
            uri=item.id,
            version=item.version,
            skill=item.skill,
            level=item.level,
            kind=item.kind.value,
            prompt=item.prompt,
            options=list(item.options),
            answer=item.answer,
            accepted=list(item.accepted),
            rubric=item.rubric,
            author=item.author,
            written_at=item.written_at,
        )


class ItemsPublic(Public):
    """The bank's items (latest versions)."""

    data: list[ItemPublic]
    count: int


class AttemptCreate(BaseModel):
    """Start a test for a learner's target."""

    model_config = ConfigDict(extra="forbid")

    learner: str = Field(min_length=3, max_length=2000)
    target: str = Field(
        min_length=3, max_length=20_000, description="occupation:IRI, credential:IRI or skills:..."
    )


class AnswerCreate(BaseModel):
    """The answer to the question asked now."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=3, max_length=2000, description="The question's item IRI")
    response: str = Field(
        max_length=10_000, description="An option's index, a short answer, or a task's evidence"
    )


class RatingCreate(BaseModel):
    """An assessor's rating of a task's evidence."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=3, max_length=2000)
    score: float = Field(ge=0, le=1, description="Right from 0.5")


class QuestionPublic(Public):
    """The next question, without its key."""

    item: str
    version: int
    skill: str
    level: int
    kind: str
    prompt: str
    options: list[str]

    @classmethod
    def from_domain(cls, q: Question) -> QuestionPublic:
        """Build from a question."""
        return cls(
            item=q.item,
            version=q.version,
            skill=q.skill,
            level=q.level,
            kind=q.kind.value,
            prompt=q.prompt,
            options=list(q.options),
        )


class SkillResultPublic(Public):
    """The estimate of one skill."""

    skill: str
    level: int | None
    confidence: float
    items: int
    settled: bool


class AnswerPublic(Public):
    """An answer given (right null while a task waits for its rating)."""

    item: str
    version: int
    skill: str
    level: int
    response: str
    answered_at: str
    right: bool | None
    score: float | None
    rated_by: str | None


class AttemptPublic(Public):
    """An attempt: its status, the next question, the estimates so far, every answer."""

    id: str = Field(description="Short id (the end of the IRI)")
    uri: str
    learner: str
    target: str
    status: str = Field(description="open, awaiting_rating or finished")
    started_at: str
    finished_at: str | None
    question: QuestionPublic | None
    results: list[SkillResultPublic]
    answers: list[AnswerPublic]
    untested: list[str] = Field(description="Skills of the target the bank has no item for")

    @classmethod
    def from_domain(cls, view: AttemptView) -> AttemptPublic:
        """Build from an attempt view."""
        a = view.attempt
        return cls(
            id=a.id.rpartition("/")[2],
            uri=a.id,
            learner=a.learner,
            target=a.target,
            status=view.status.value,
            started_at=a.started_at,
            finished_at=a.finished_at,
            question=None if view.question is None else QuestionPublic.from_domain(view.question),
            results=[
                SkillResultPublic(
                    skill=r.skill,
                    level=r.level,
                    confidence=round(r.confidence, 4),
                    items=r.items,
                    settled=r.settled,
                )
                for r in view.results
            ],
            answers=[
                AnswerPublic(
                    item=x.item,
                    version=x.version,
                    skill=x.skill,
                    level=x.level,
                    response=x.response,
                    answered_at=x.answered_at,
                    right=x.right,
                    score=x.score,
                    rated_by=x.rated_by,
                )
                for x in a.answers
            ],
            untested=list(view.untested),
        )


class AttemptsPublic(Public):
    """A learner's attempts, oldest first."""

    data: list[AttemptPublic]
    count: int
