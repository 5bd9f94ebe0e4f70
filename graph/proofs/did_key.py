"""``did:key`` for Ed25519: identifiers that carry their public key, resolved locally.

A ``did:key`` DID is ``did:key:`` + the multibase (base58btc) of the multicodec-prefixed public
key; for Ed25519 the prefix is ``0xed 0x01``, so every such DID starts ``did:key:z6Mk``. Its one
verification method is ``did:key:<mb>#<mb>``. Resolution needs no network: the key is in the DID.

References
----------
.. [1] W3C CCG, *The did:key Method v0.7*, https://w3c-ccg.github.io/did-method-key/
.. [2] W3C, *Controlled Identifiers v1.0*, section Multikey.
"""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from graph.errors import InvalidInputError, NotFoundError
from graph.proofs.multibase import multibase_decode, multibase_encode

__all__ = [
    "ED25519_PRIV_MULTICODEC",
    "ED25519_PUB_MULTICODEC",
    "did_key",
    "private_key_from_multibase",
    "public_key_from_multibase",
    "public_key_multibase",
    "resolve_did_key",
    "verification_method_id",
]

logger = logging.getLogger(__name__)

#: Varint of multicodec 0xed (ed25519-pub).
ED25519_PUB_MULTICODEC = b"\xed\x01"
#: Varint of multicodec 0x1300 (ed25519-priv), as in ``secretKeyMultibase`` values.
ED25519_PRIV_MULTICODEC = b"\x80\x26"
_PREFIX = "did:key:"


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Return the ``publicKeyMultibase`` (Multikey) form of an Ed25519 public key.

    Examples
    --------
    >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    >>> public_key_multibase(key)
    'z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'
    """
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase_encode(ED25519_PUB_MULTICODEC + raw)


def _strip(data: bytes, prefix: bytes, *, what: str, value: str) -> bytes:
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise InvalidInputError(
            f"not a multicodec {what} key (expected prefix {prefix.hex()} and 32 key bytes)",
            details={"value": value[:16]},
        )
    return data[len(prefix) :]


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Decode a ``z6Mk...`` Multikey value into an Ed25519 public key.

    Raises
    ------
    InvalidInputError
        If the value is not base58btc or not an Ed25519 public key.
    """
    raw = _strip(
        multibase_decode(value, base="base58btc"),
        ED25519_PUB_MULTICODEC,
        what="ed25519-pub",
        value=value,
    )
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """Decode a ``secretKeyMultibase`` (``z3u2...``) value into an Ed25519 private key.

    Raises
    ------
    InvalidInputError
        If the value is not base58btc or not an Ed25519 private key (seed).
    """
    raw = _strip(
        multibase_decode(value, base="base58btc"),
        ED25519_PRIV_MULTICODEC,
        what="ed25519-priv",
        value=value,
    )
    return Ed25519PrivateKey.from_private_bytes(raw)


def did_key(public_key: Ed25519PublicKey) -> str:
    """Return the ``did:key`` DID of an Ed25519 public key."""
    return _PREFIX + public_key_multibase(public_key)


def verification_method_id(public_key: Ed25519PublicKey) -> str:
    """Return the verification method id ``did:key:<mb>#<mb>`` of an Ed25519 public key.

    Examples
    --------
    >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    >>> verification_method_id(key).split("#")[1] == public_key_multibase(key)
    True
    """
    mb = public_key_multibase(public_key)
    return f"{_PREFIX}{mb}#{mb}"


def resolve_did_key(reference: str) -> Ed25519PublicKey:
    """Resolve a ``did:key`` DID or verification method id to its Ed25519 public key, locally.

    Raises
    ------
    NotFoundError
        If ``reference`` is not a ``did:key`` (other methods cannot be resolved offline).
    InvalidInputError
        If it is a malformed ``did:key``, not Ed25519, or its fragment names another key.

    Examples
    --------
    >>> vm = ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    ...       "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
    >>> verification_method_id(resolve_did_key(vm)) == vm
    True
    """
    if not reference.startswith(_PREFIX):
        raise NotFoundError(
            "verification method is not a did:key and cannot be resolved locally",
            details={"verification_method": reference},
        )
    did, _, fragment = reference.partition("#")
    identifier = did[len(_PREFIX) :]
    if fragment and fragment != identifier:
        raise InvalidInputError(
            "did:key verification method fragment does not match the DID's key",
            details={"verification_method": reference},
        )
    return public_key_from_multibase(identifier)
