"""The one error hierarchy of credwalk.

Every failure the core can report is a :class:`CredwalkError` with a stable ``code``. The API maps
classes to HTTP statuses in one table (``api/errors.py``); the CLI maps them to exit statuses. The
graph layer knows nothing about HTTP.

Messages may reach clients, so they never carry secrets (passwords, keys, connection strings with
credentials). ``details`` holds structured, JSON-serialisable context: the offending field, file,
line and column, the skills no credential covers, ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "BackendUnavailableError",
    "ConflictError",
    "CredwalkError",
    "ForbiddenError",
    "InvalidInputError",
    "NoPathwayError",
    "NotFoundError",
    "PayloadTooLargeError",
    "StaleVersionError",
    "TooManyRequestsError",
    "UnauthenticatedError",
    "VerificationError",
]


class CredwalkError(Exception):
    """Base class of every error credwalk reports on purpose.

    Parameters
    ----------
    message : str
        A sentence a user can act on: what was wrong and what was expected.
    details : mapping, optional
        JSON-serialisable context (field, file, line, column, ...).
    """

    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def __str__(self) -> str:
        return self.message


class NotFoundError(CredwalkError):
    """A named thing (concept, credential, issuer, learner, jurisdiction) does not exist."""

    code = "not_found"


class NoPathwayError(NotFoundError):
    """No set of available credentials reaches the target within the constraints.

    ``details["uncovered_skills"]`` lists the skills no available credential covers.
    """

    code = "no_pathway"


class ConflictError(CredwalkError):
    """The request contradicts what is already stored (a decision, a recognition, a version)."""

    code = "conflict"


class StaleVersionError(ConflictError):
    """A conditional write found another version than the one it was based on.

    ``details["current"]`` is the stored version (None: the object does not exist any more).
    """

    code = "stale_version"


class UnauthenticatedError(CredwalkError):
    """The action needs a signed-in user (a session or an API key) and there is none."""

    code = "unauthenticated"


class ForbiddenError(CredwalkError):
    """The acting user may not do this to this object; ``details`` says what was refused."""

    code = "forbidden"


class TooManyRequestsError(CredwalkError):
    """Too many attempts in too short a time; ``details["retry_after"]`` is in seconds."""

    code = "too_many_requests"


class InvalidInputError(CredwalkError):
    """The input is malformed or inconsistent; ``details`` names the field, line or column."""

    code = "invalid_input"


class PayloadTooLargeError(InvalidInputError):
    """The input is larger than the configured limit."""

    code = "payload_too_large"


class VerificationError(CredwalkError):
    """A proof did not verify; ``details["check"]`` names the check that failed."""

    code = "verification_failed"


class BackendUnavailableError(CredwalkError):
    """The graph store (or another backing service) cannot be reached or is not open."""

    code = "backend_unavailable"
