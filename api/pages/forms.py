"""Forms of the pages: the CSRF token, the fields as typed, errors shown beside their field.

A page's POST handler reads its form with :func:`read_form` (which refuses a form without
the session's CSRF token, also for the anonymous forms: sign-in, verify), calls a service,
and on a :class:`~graph.errors.CredwalkError` renders the form again with
:func:`field_errors`: what was typed stays, and the message sits beside the field it names.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from starlette.datastructures import FormData

from graph.errors import CredwalkError, ForbiddenError, InvalidInputError

__all__ = ["FormDep", "ensure_csrf", "field_errors", "number_field", "read_form"]

N = TypeVar("N", int, float)

#: The most a form may hold (a pasted syllabus, a pasted credential): the body limit of the
#: app applies too, this bounds each field.
MAX_FIELD = 200_000


def ensure_csrf(request: Request) -> str:
    """The session's CSRF token, made now for a visitor who has none yet (the sign-in form)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def read_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matched the session's.

    Raises
    ------
    ForbiddenError
        Without the token, or with another one.
    InvalidInputError
        For a field longer than :data:`MAX_FIELD` characters.
    """
    form = await request.form(max_files=5, max_fields=500)
    given = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not (isinstance(given, str) and isinstance(expected, str)) or not hmac.compare_digest(
        given, expected
    ):
        raise ForbiddenError(
            "this form has expired or comes from elsewhere: reload the page and send it again",
            details={"reason": "csrf"},
        )
    for name, value in form.multi_items():
        if isinstance(value, str) and len(value) > MAX_FIELD:
            raise InvalidInputError(
                f"{name}: at most {MAX_FIELD} characters", details={"field": name}
            )
    return form


FormDep = Annotated[FormData, Depends(read_form)]


def field_errors(error: CredwalkError, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """The error's message keyed by the form field it names (``""`` when it names none).

    ``fields`` maps the services' field names (``skills[0].uri``, ``title``) to the form's,
    by prefix: ``{"skills": "skills"}`` puts every ``skills[...]`` message beside ``skills``.
    """
    field = str(error.details.get("field", ""))
    for prefix, form_field in (fields or {}).items():
        if field == prefix or field.startswith((prefix + "[", prefix + ".")):
            return {form_field: error.message}
    return {field: error.message} if field in (fields or {}).values() else {"": error.message}


def number_field(text: str, field: str, parse: Callable[[str], N], expected: str) -> N | None:
    """The number typed in ``field`` (``None`` when left empty); a decimal comma is read too.

    Raises
    ------
    InvalidInputError
        Naming ``field`` and what was ``expected`` ("a number", "a whole number").
    """
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        raise InvalidInputError(
            f"{field}: expected {expected}, got {text!r}", details={"field": field}
        ) from None
