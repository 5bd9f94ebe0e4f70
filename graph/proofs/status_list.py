"""W3C Bitstring Status List v1.0: revocation bits published as a compressed bitstring.

An issuer publishes one *status list credential* whose ``encodedList`` is the multibase
base64url (``u``, no padding) of the GZIP of a bitstring of at least 131,072 bits (16 KiB), so a
verifier fetching it learns nothing about which credential it is checking. Each issued credential
carries a ``BitstringStatusListEntry`` naming that list and its own index; bit 1 means revoked.
Bit 0 is the left-most (most significant) bit of the first byte.

References
----------
.. [1] W3C, *Bitstring Status List v1.0*, https://www.w3.org/TR/vc-bitstring-status-list/
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.errors import InvalidInputError, NotFoundError
from graph.proofs._xsd import format_datetime
from graph.proofs.multibase import multibase_decode, multibase_encode

__all__ = [
    "MIN_ENTRIES",
    "StatusChecker",
    "StatusList",
    "status_checker",
    "status_list_credential",
    "status_list_entry",
    "status_list_from_credential",
]

logger = logging.getLogger(__name__)

#: The smallest list the specification allows: 16 KiB of bits, for group privacy.
MIN_ENTRIES = 131_072
#: Refuse lists that decompress beyond this (a GZIP bomb guard): 128 Mi entries.
_MAX_BYTES = 16 << 20
_VC_V2 = "https://www.w3.org/ns/credentials/v2"

#: Called with a ``credentialStatus`` entry; returns True when its status bit is set.
StatusChecker = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class StatusList:
    """An immutable status bitstring; :meth:`with_status` returns a changed copy.

    Examples
    --------
    >>> sl = StatusList.new().with_status(94567)
    >>> sl.size, sl.get(94567), sl.get(94566)
    (131072, True, False)
    >>> StatusList.decode(sl.encode()) == sl
    True
    """

    bits: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.bits) * 8 < MIN_ENTRIES:
            raise InvalidInputError(
                f"a status list needs at least {MIN_ENTRIES} entries",
                details={"entries": len(self.bits) * 8},
            )

    @classmethod
    def new(cls, size: int = MIN_ENTRIES) -> StatusList:
        """Return a list of ``size`` entries (a multiple of 8, at least 131,072), all clear."""
        if size % 8:
            raise InvalidInputError(
                "status list size must be a multiple of 8", details={"size": size}
            )
        return cls(bits=bytes(size // 8))

    @property
    def size(self) -> int:
        """Number of entries."""
        return len(self.bits) * 8

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise InvalidInputError(
                f"status list index {index} is outside 0..{self.size - 1}", details={"index": index}
            )

    def get(self, index: int) -> bool:
        """Return whether entry ``index`` is set."""
        self._check(index)
        return bool(self.bits[index // 8] & (0x80 >> (index % 8)))

    def with_status(self, index: int, value: bool = True) -> StatusList:
        """Return a copy with entry ``index`` set to ``value``."""
        self._check(index)
        bits = bytearray(self.bits)
        mask = 0x80 >> (index % 8)
        bits[index // 8] = bits[index // 8] | mask if value else bits[index // 8] & ~mask
        return StatusList(bits=bytes(bits))

    def encode(self) -> str:
        """Return the ``encodedList`` value: ``u`` + base64url(GZIP(bits)), no padding."""
        # mtime=0 keeps the output reproducible: the same bits always give the same list.
        return multibase_encode(gzip.compress(self.bits, mtime=0), base="base64url")

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """Parse an ``encodedList`` value.

        Raises
        ------
        InvalidInputError
            If it is not multibase base64url GZIP data, is too large, or too short.
        """
        compressed = multibase_decode(encoded, base="base64url")
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            bits = inflater.decompress(compressed, _MAX_BYTES + 1)
        except zlib.error as e:
            raise InvalidInputError(f"encodedList is not GZIP data: {e}") from e
        if len(bits) > _MAX_BYTES or not inflater.eof:
            raise InvalidInputError("encodedList is truncated or decompresses to too many entries")
        return cls(bits=bits)


def status_list_credential(
    *,
    credential_id: str,
    issuer: str,
    status_list: StatusList,
    status_purpose: str = "revocation",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """Return the unsigned ``BitstringStatusListCredential`` that publishes ``status_list``.

    Sign it like any credential before publishing it at ``credential_id``.

    Examples
    --------
    >>> vc = status_list_credential(credential_id="https://issuer.example/status/1",
    ...                             issuer="did:example:issuer", status_list=StatusList.new())
    >>> vc["credentialSubject"]["type"], vc["credentialSubject"]["id"]
    ('BitstringStatusList', 'https://issuer.example/status/1#list')
    """
    credential: dict[str, Any] = {
        "@context": [_VC_V2],
        "id": credential_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
    }
    if valid_from is not None:
        credential["validFrom"] = format_datetime(valid_from)
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{credential_id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": status_list.encode(),
    }
    return credential


def status_list_entry(
    *, status_list_credential: str, index: int, status_purpose: str = "revocation"
) -> dict[str, Any]:
    """Return the ``credentialStatus`` entry pointing at entry ``index`` of a status list.

    Examples
    --------
    >>> status_list_entry(status_list_credential="https://issuer.example/status/1", index=7)
    ... # doctest: +NORMALIZE_WHITESPACE
    {'id': 'https://issuer.example/status/1#7', 'type': 'BitstringStatusListEntry',
     'statusPurpose': 'revocation', 'statusListIndex': '7',
     'statusListCredential': 'https://issuer.example/status/1'}
    """
    if index < 0:
        raise InvalidInputError("status list index must be non-negative", details={"index": index})
    return {
        "id": f"{status_list_credential}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_purpose,
        # The specification writes the index as a string of digits.
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }


def status_list_from_credential(credential: Mapping[str, Any]) -> StatusList:
    """Decode the list published by a ``BitstringStatusListCredential``.

    Verifying that credential's own proof is the caller's job.

    Raises
    ------
    InvalidInputError
        If the credential carries no ``BitstringStatusList`` subject with an ``encodedList``.
    """
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
        raise InvalidInputError(
            "not a BitstringStatusListCredential: no BitstringStatusList subject"
        )
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise InvalidInputError("BitstringStatusList has no encodedList string")
    return StatusList.decode(encoded)


def status_checker(lists: Mapping[str, StatusList]) -> StatusChecker:
    """Return a :data:`StatusChecker` over status lists already at hand, keyed by list URL.

    The checker raises :class:`NotFoundError` for a list it does not know and
    :class:`InvalidInputError` for an entry it cannot read (unknown type, bad index,
    ``statusSize`` other than 1).

    Examples
    --------
    >>> url = "https://issuer.example/status/1"
    >>> check = status_checker({url: StatusList.new().with_status(3)})
    >>> check(status_list_entry(status_list_credential=url, index=3))
    True
    """

    def check(entry: Mapping[str, Any]) -> bool:
        if entry.get("type") != "BitstringStatusListEntry":
            raise InvalidInputError(
                f"unsupported credentialStatus type {entry.get('type')!r}",
                details={"type": entry.get("type")},
            )
        if int(entry.get("statusSize", 1)) != 1:
            raise InvalidInputError("status entries of more than one bit are not supported")
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or url not in lists:
            raise NotFoundError(f"unknown status list {url!r}", details={"status_list": url})
        raw = entry.get("statusListIndex")
        if not (isinstance(raw, str) and raw.isdigit()) and not isinstance(raw, int):
            raise InvalidInputError("statusListIndex is not a non-negative integer")
        return lists[url].get(int(raw))

    return check
