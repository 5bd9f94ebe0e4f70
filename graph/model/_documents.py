"""What every document form shares: leaving out the fields a value does not have."""

from __future__ import annotations

from typing import Any

__all__ = ["drop_empty", "drop_none"]

_EMPTY: tuple[Any, ...] = (None, (), [], {})


def drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    """Return ``document`` without its None and empty-collection values.

    Examples
    --------
    >>> drop_empty({"a": 1, "b": None, "c": [], "d": {}, "e": 0, "f": ""})
    {'a': 1, 'e': 0, 'f': ''}
    """
    return {k: v for k, v in document.items() if v not in _EMPTY}


def drop_none(document: dict[str, Any]) -> dict[str, Any]:
    """Return ``document`` without its None values (empty collections are kept: they mean none).

    Examples
    --------
    >>> drop_none({"a": [], "b": None})
    {'a': []}
    """
    return {k: v for k, v in document.items() if v is not None}
