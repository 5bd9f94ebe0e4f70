"""Bitstring Status List: encoding, bit order, credential payloads, and revocation checks."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.proofs.canonical import canonicalize
from graph.proofs.data_integrity import sign, verify
from graph.proofs.did_key import did_key
from graph.proofs.multibase import multibase_decode, multibase_encode
from graph.proofs.status_list import (
    MIN_ENTRIES,
    StatusList,
    status_checker,
    status_list_credential,
    status_list_entry,
    status_list_from_credential,
)

# The encodedList of the specification's example (an empty list of 131,072 entries).
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://credwalk.example/status/1"


def test_decodes_the_specification_example() -> None:
    status_list = StatusList.decode(SPEC_EMPTY_LIST)
    assert status_list.size == MIN_ENTRIES
    assert not any(status_list.bits)
    # Same deflate stream as the spec; only the GZIP header's XFL byte may differ.
    ours, spec = multibase_decode(status_list.encode()), multibase_decode(SPEC_EMPTY_LIST)
    assert ours[10:] == spec[10:]


def test_index_zero_is_the_leftmost_bit() -> None:
    status_list = StatusList.new().with_status(0).with_status(9)
    assert status_list.bits[:2] == bytes([0b1000_0000, 0b0100_0000])
    assert status_list.with_status(0, False).bits[0] == 0


def test_round_trip_and_immutability() -> None:
    empty = StatusList.new(MIN_ENTRIES * 2)
    revoked = empty.with_status(MIN_ENTRIES * 2 - 1)
    assert not empty.get(MIN_ENTRIES * 2 - 1)
    decoded = StatusList.decode(revoked.encode())
    assert decoded == revoked and decoded.get(MIN_ENTRIES * 2 - 1)
    assert revoked.encode() == revoked.encode(), "encoding is reproducible"


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES])
def test_index_out_of_range(index: int) -> None:
    with pytest.raises(InvalidInputError, match="outside"):
        StatusList.new().get(index)


@pytest.mark.parametrize(
    ("encoded", "match"),
    [
        (multibase_encode(gzip.compress(bytes(100)), base="base64url"), "at least"),
        (multibase_encode(b"not gzip", base="base64url"), "not GZIP"),
        (
            multibase_encode(gzip.compress(bytes(MIN_ENTRIES // 8))[:-20], base="base64url"),
            "truncated",
        ),
        (multibase_encode(gzip.compress(bytes(17 << 20)), base="base64url"), "too many"),
        ("H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", "base64url"),
    ],
    ids=["too-short", "not-gzip", "truncated", "gzip-bomb", "no-multibase-prefix"],
)
def test_rejects_bad_encoded_lists(encoded: str, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        StatusList.decode(encoded)


def test_status_list_credential_is_signable_and_readable(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    issuer = did_key(key.public_key())
    published = StatusList.new().with_status(42)
    credential = status_list_credential(
        credential_id=LIST_URL,
        issuer=issuer,
        status_list=published,
        valid_from=datetime(2024, 1, 1, tzinfo=UTC),
    )
    nquads = canonicalize(credential, loader=pinned_loader)
    assert "<https://www.w3.org/ns/credentials/status#BitstringStatusList>" in nquads
    signed = sign(credential, key=key, loader=pinned_loader)
    assert verify(signed, loader=pinned_loader).verified
    assert status_list_from_credential(signed) == published


def test_entry_and_checker() -> None:
    entry = status_list_entry(status_list_credential=LIST_URL, index=42)
    assert entry == {
        "id": f"{LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": LIST_URL,
    }
    check = status_checker({LIST_URL: StatusList.new().with_status(42)})
    assert check(entry)
    assert not check(status_list_entry(status_list_credential=LIST_URL, index=41))
    with pytest.raises(NotFoundError):
        check(status_list_entry(status_list_credential="https://elsewhere.example/1", index=1))
    with pytest.raises(InvalidInputError, match="statusListIndex"):
        check({**entry, "statusListIndex": "-1"})
    with pytest.raises(InvalidInputError, match="unsupported credentialStatus type"):
        check({**entry, "type": "StatusList2021Entry"})
    with pytest.raises(InvalidInputError, match="more than one bit"):
        check({**entry, "statusSize": 2})
