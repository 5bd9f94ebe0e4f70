"""Schemas every resource shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ErrorBody", "ErrorPublic", "HealthPublic", "Public"]


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
