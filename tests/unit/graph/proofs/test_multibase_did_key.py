"""Multibase and did:key against the W3C test keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.proofs.did_key import (
    did_key,
    private_key_from_multibase,
    public_key_from_multibase,
    public_key_multibase,
    resolve_did_key,
    verification_method_id,
)
from graph.proofs.multibase import multibase_decode, multibase_encode


@pytest.mark.parametrize(
    "data", [b"", b"\x00\x00\x01", bytes(range(256))], ids=["empty", "zeros", "all"]
)
@pytest.mark.parametrize("base", ["base58btc", "base64url"])
def test_multibase_round_trip(data: bytes, base: str) -> None:
    encoded = multibase_encode(data, base=base)  # type: ignore[arg-type]
    assert encoded[0] == {"base58btc": "z", "base64url": "u"}[base]
    assert multibase_decode(encoded) == data


def test_signature_vector_in_both_encodings(vectors: Path) -> None:
    folder = vectors / "eddsa-rdfc-2022"
    signature = bytes.fromhex((folder / "sigHexDataInt.txt").read_text().strip())
    assert multibase_encode(signature) == (folder / "sigBTC58DataInt.txt").read_text().strip()


@pytest.mark.parametrize("value", ["", "z0OIl", "mAAAA", "ua+b", "uYQ=="])
def test_multibase_rejects(value: str) -> None:
    with pytest.raises(InvalidInputError):
        multibase_decode(value)


def test_test_vector_keys(vectors: Path) -> None:
    pairs = json.loads((vectors / "proof-set-chain" / "multiKeyPairs.json").read_text())
    pairs["main"] = json.loads((vectors / "keyPair.json").read_text())
    for pair in pairs.values():
        private = private_key_from_multibase(pair["privateKeyMultibase"])
        public = public_key_from_multibase(pair["publicKeyMultibase"])
        assert public_key_multibase(private.public_key()) == pair["publicKeyMultibase"]
        vm = verification_method_id(public)
        assert vm == f"did:key:{pair['publicKeyMultibase']}#{pair['publicKeyMultibase']}"
        assert resolve_did_key(vm) == public == resolve_did_key(did_key(public))


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("https://example.edu/issuers/565049#key-1", NotFoundError),
        ("did:web:example.edu#key-1", NotFoundError),
        (
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
            "#z6MkhWqdDBPojHA7cprTGTt5yHv5yUi1B8cnXn8ReLumkw6E",
            InvalidInputError,
        ),
        # The employ vector's issuer: a P-256 did:key (multicodec 0x1200), not Ed25519.
        ("did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", InvalidInputError),
        ("did:key:z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", InvalidInputError),
        ("did:key:not-multibase", InvalidInputError),
    ],
    ids=["https", "did-web", "fragment-mismatch", "p256", "private-key", "garbage"],
)
def test_resolution_failures(reference: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        resolve_did_key(reference)
