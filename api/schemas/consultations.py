"""Schemas of issuer consultation: questions put to a credential's issuer, and their lists."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.assembly import QuestionPublic
from api.schemas.common import Public
from graph.services.assembly.consultations import ConsultationItem

__all__ = [
    "ConsultationCreate",
    "ConsultationItemPublic",
    "ConsultationShare",
    "ConsultationsPublic",
]

# Bounds of the request only: the service says which field is too long, with 413.
_TEXT = 100_000


class ConsultationShare(BaseModel):
    """Who besides the asker and the issuer's staff reads the consultation."""

    model_config = ConfigDict(extra="forbid")

    public: bool = Field(default=False, description="Everyone reads it (answers stay theirs).")
    share_with: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list, max_length=100, description="User IRIs (a mentor, an advisor)."
    )


class ConsultationCreate(ConsultationShare):
    """A question to the issuer of ``credential`` about it (fit, prerequisites, recognition)."""

    credential: str = Field(max_length=2000, description="The credential's IRI.")
    title: str = Field(max_length=_TEXT)
    body: str = Field(max_length=_TEXT, description="Markdown; raw HTML is shown as text.")


class ConsultationItemPublic(Public):
    """A consultation in a list: the question, its answers, whether the issuer answered."""

    question: QuestionPublic
    answers: int
    answered: bool = Field(description="Someone other than the asker (the issuer) answered.")

    @classmethod
    def from_domain(cls, item: ConsultationItem) -> ConsultationItemPublic:
        """The item."""
        return cls(
            question=QuestionPublic.from_domain(item.question),
            answers=item.answers,
            answered=item.answered,
        )


class ConsultationsPublic(Public):
    """Consultations, newest first."""

    data: list[ConsultationItemPublic]
    count: int

    @classmethod
    def from_items(cls, items: list[ConsultationItem]) -> ConsultationsPublic:
        """The list."""
        data = [ConsultationItemPublic.from_domain(i) for i in items]
        return cls(data=data, count=len(data))
