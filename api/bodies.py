"""How a request body becomes JSON: read once, strictly, before the route runs.

Starlette's ``Request.json`` is ``json.loads``, which takes ``NaN`` and ``Infinity`` (no JSON),
recurses once per level of nesting, and fails on a non-UTF-8 body or a 5000-digit number with
errors FastAPI can only answer with "There was an error parsing the body". Here every such
body gets the one error body with what is wrong and where: 400 ``malformed_json`` for a body
that is not JSON text, 422 ``invalid_input`` for JSON beyond what credwalk reads (deeper than
:data:`MAX_JSON_DEPTH`, a number too long to be one). A body read here is not read again:
:class:`JsonRequest` hands the route what was parsed.
"""

from __future__ import annotations

import email.message
import json
import sys
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from graph.errors import InvalidInputError

__all__ = ["MAX_JSON_DEPTH", "JsonRequest", "is_json", "read_json"]

#: The deepest nesting of arrays and objects a body may have. Signed credentials and
#: credential records nest about ten levels; every deeper level costs the readers (JSON-LD,
#: canonicalisation) stack frames, and a few thousand exhaust them.
MAX_JSON_DEPTH = 64


class JsonRequest(Request):
    """A request whose JSON body, once parsed by :func:`read_json`, is not parsed again."""

    parsed: Any = None
    has_parsed: bool = False

    async def json(self) -> Any:
        """The body as JSON: what :func:`read_json` returned, or Starlette's reading."""
        if self.has_parsed:
            return self.parsed
        return await super().json()


def is_json(content_type: str | None) -> bool:
    """Whether FastAPI reads a body of ``content_type`` as JSON (none counts as JSON)."""
    if not content_type:
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class _ConstantError(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python reads them, JSON has no such numbers."""


def _malformed(reason: str, position: int | None = None) -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "type": "json_invalid",
                "loc": ("body",) if position is None else ("body", position),
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": reason},
            }
        ]
    )


def _no_constant(name: str) -> Any:
    raise _ConstantError(f"{name} is not a JSON number")


def _too_deep(value: Any) -> bool:
    level = [value]
    for _ in range(MAX_JSON_DEPTH):
        level = [
            child
            for node in level
            if isinstance(node, (dict, list))
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, (dict, list)) for node in level)


def read_json(body: bytes) -> Any:
    """Parse ``body`` as JSON, or raise the error that says what is wrong and where.

    Raises
    ------
    RequestValidationError
        Not JSON text: not UTF-8 (or UTF-16/32), a syntax error, ``NaN`` or ``Infinity``;
        answered 400 ``malformed_json``, with the position.
    InvalidInputError
        JSON nested deeper than :data:`MAX_JSON_DEPTH`, or an integer too long to read.
    """
    too_deep = InvalidInputError(
        f"the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels",
        details={"field": "body", "limit": MAX_JSON_DEPTH},
    )
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except UnicodeDecodeError as e:
        raise _malformed(f"byte {body[e.start]:#04x} is not UTF-8", e.start) from e
    except json.JSONDecodeError as e:
        raise _malformed(f"{e.msg} (line {e.lineno}, column {e.colno})", e.pos) from e
    except _ConstantError as e:
        raise _malformed(str(e)) from e
    except RecursionError as e:
        raise too_deep from e
    except ValueError as e:
        # The one other reading error: an integer longer than Python converts.
        digits = sys.get_int_max_str_digits()
        raise InvalidInputError(
            f"the body holds an integer of more than {digits} digits",
            details={"field": "body", "limit": digits},
        ) from e
    if _too_deep(value):
        raise too_deep
    return value
