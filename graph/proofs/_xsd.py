"""XML Schema ``dateTime`` values as Verifiable Credentials write them."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.errors import InvalidInputError

__all__ = ["format_datetime", "parse_datetime"]


def format_datetime(value: datetime) -> str:
    """Return ``value`` in UTC as ``YYYY-MM-DDTHH:MM:SSZ`` (seconds precision).

    Raises
    ------
    InvalidInputError
        If ``value`` is naive: a signed timestamp must not depend on the host's time zone.

    Examples
    --------
    >>> format_datetime(datetime(2023, 2, 24, 23, 36, 38, 123, tzinfo=UTC))
    '2023-02-24T23:36:38Z'
    """
    if value.tzinfo is None:
        raise InvalidInputError("datetime must be timezone-aware", details={"value": str(value)})
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: object, *, field: str) -> datetime:
    """Parse an ``xsd:dateTime`` with a time zone (``Z`` or ``+hh:mm``).

    Raises
    ------
    InvalidInputError
        If ``value`` is not such a string (``details["field"]`` names the field).

    Examples
    --------
    >>> parse_datetime("2010-01-01T19:23:24Z", field="created").isoformat()
    '2010-01-01T19:23:24+00:00'
    """
    if isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise InvalidInputError(
        f"{field} is not an xsd:dateTime with a time zone", details={"field": field}
    )
