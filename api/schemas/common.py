"""Schemas every resource shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["HealthPublic", "Public"]


class Public(BaseModel):
    """Base of response models: immutable."""

    model_config = ConfigDict(frozen=True)


class HealthPublic(Public):
    """Liveness or readiness."""

    status: str
    store: str | None = None
