"""Multibase encodings used by Data Integrity: base58btc (``z``) and base64url (``u``).

Base58btc carries keys and signatures (``publicKeyMultibase``, ``proofValue``); base64url
without padding carries the compressed bitstring of a status list (``encodedList``).
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Literal

import base58

from graph.errors import InvalidInputError

__all__ = ["Base", "multibase_decode", "multibase_encode"]

logger = logging.getLogger(__name__)

Base = Literal["base58btc", "base64url"]
_PREFIX: dict[Base, str] = {"base58btc": "z", "base64url": "u"}


def multibase_encode(data: bytes, *, base: Base = "base58btc") -> str:
    """Encode bytes as a multibase string.

    Examples
    --------
    >>> multibase_encode(b"hello")
    'zCn8eVZg'
    >>> multibase_encode(b"hello", base="base64url")
    'uaGVsbG8'
    """
    if base == "base58btc":
        return "z" + base58.b58encode(data).decode("ascii")
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def multibase_decode(value: str, *, base: Base | None = None) -> bytes:
    """Decode a multibase string; with ``base`` given, any other encoding is refused.

    Raises
    ------
    InvalidInputError
        If the prefix is unknown or not the expected one, or the payload is not valid.

    Examples
    --------
    >>> multibase_decode("zCn8eVZg")
    b'hello'
    >>> multibase_decode("uaGVsbG8", base="base58btc")
    Traceback (most recent call last):
    ...
    graph.errors.InvalidInputError: expected a base58btc multibase value (prefix 'z')
    """
    if base is not None and not value.startswith(_PREFIX[base]):
        raise InvalidInputError(
            f"expected a {base} multibase value (prefix {_PREFIX[base]!r})",
            details={"value": value[:16]},
        )
    prefix, payload = value[:1], value[1:]
    try:
        if prefix == "z":
            return bytes(base58.b58decode(payload.encode("ascii")))
        if prefix == "u":
            if any(c in payload for c in "=+/"):
                raise ValueError("not unpadded base64url")
            # validate=True: the lenient default silently skips characters outside the alphabet.
            standard = payload.replace("-", "+").replace("_", "/")
            return base64.b64decode(standard + "=" * (-len(payload) % 4), validate=True)
    except (ValueError, binascii.Error) as e:
        raise InvalidInputError(
            f"invalid multibase value: {e}", details={"value": value[:16]}
        ) from e
    raise InvalidInputError(
        f"unsupported multibase prefix {prefix!r}", details={"value": value[:16]}
    )
