"""Schemas every resource shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_AMOUNT",
    "MAX_IRI",
    "MAX_LANG",
    "MAX_NAME",
    "MAX_TARGET",
    "MAX_TEXT",
    "ErrorBody",
    "ErrorPublic",
    "HealthPublic",
    "Public",
]

# The bounds of what a request may hold, so that no string, list or number is unbounded: each
# is far above what a real record holds, and a request over one is refused (422) with the field.
#: An IRI or another id (the longest of ESCO and the demo catalogue are about 100 characters).
MAX_IRI = 2000
#: A name, a label, a code, a unit.
MAX_NAME = 500
#: A free text: a note, an evidence, a condition.
MAX_TEXT = 10_000
#: A target as text: ``occupation:URI``, ``credential:ID`` or ``skills:URI@LEVEL,...``.
MAX_TARGET = 20_000
#: A language tag (BCP 47 allows 35 characters).
MAX_LANG = 35
#: A cost, a number of hours or of credits.
MAX_AMOUNT = 1e9


class Public(BaseModel):
    """Base of response models: immutable."""

    model_config = ConfigDict(frozen=True)


class HealthPublic(Public):
    """Liveness or readiness."""

    status: str
    store: str | None = None


class ErrorPublic(Public):
    """What went wrong: a stable code, a sentence, and structured details."""

    code: str = Field(description="Stable: not_found, invalid_input, forbidden, ...")
    message: str
    details: dict[str, Any] = Field(description="The field, the limit, the object, ...")


class ErrorBody(Public):
    """The one body of every error response."""

    error: ErrorPublic
