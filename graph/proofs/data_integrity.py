"""``eddsa-rdfc-2022`` Data Integrity proofs: sign and verify JSON-LD credentials.

The signed bytes are ``sha256(canonical proof options) || sha256(canonical document)``, where
both are RDFC-1.0 canonical N-Quads computed with pinned contexts
(:mod:`graph.proofs.canonical`), the proof options being the proof without ``proofValue`` under
the document's ``@context``. The signature is
Ed25519 (deterministic), written as ``proofValue`` = ``z`` + base58btc. Proof sets (several proofs)
and proof chains (``previousProof``) follow Data Integrity 1.0.

:func:`verify` returns a :class:`VerificationResult` naming the first check that failed (see
:class:`Check`); :meth:`VerificationResult.raise_for_failure` turns it into a
:class:`~graph.errors.VerificationError` for callers that prefer exceptions.

References
----------
.. [1] W3C, *Data Integrity EdDSA Cryptosuites v1.0*, https://www.w3.org/TR/vc-di-eddsa/
.. [2] W3C, *Verifiable Credential Data Integrity 1.0*, https://www.w3.org/TR/vc-data-integrity/
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from graph.errors import CredwalkError, InvalidInputError, VerificationError
from graph.jsonld import PinnedDocumentLoader
from graph.proofs._xsd import format_datetime, parse_datetime
from graph.proofs.canonical import canonicalize
from graph.proofs.did_key import resolve_did_key, verification_method_id
from graph.proofs.keys import SigningKey
from graph.proofs.multibase import multibase_decode, multibase_encode
from graph.proofs.status_list import StatusChecker

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "Check",
    "KeyResolver",
    "SigningInput",
    "VerificationResult",
    "sign",
    "signing_input",
    "verify",
]

logger = logging.getLogger(__name__)

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"

#: Maps a verification method id to its public key; raises a CredwalkError if it cannot.
KeyResolver = Callable[[str], Ed25519PublicKey]


class Check(StrEnum):
    """The checks :func:`verify` runs, in order; a failed result names one of them."""

    PROOF_MISSING = "proof_missing"
    PROOF_MALFORMED = "proof_malformed"
    CRYPTOSUITE_UNSUPPORTED = "cryptosuite_unsupported"
    PROOF_PURPOSE = "proof_purpose"
    CONTEXT = "context"
    KEY_RESOLUTION = "key_resolution"
    CANONICALIZATION = "canonicalization"
    SIGNATURE = "signature"
    CREDENTIAL_MALFORMED = "credential_malformed"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    STATUS = "status"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Outcome of :func:`verify`: ``check`` names the failed check, None when verified."""

    verified: bool
    check: Check | None = None
    message: str = "verified"
    verification_methods: tuple[str, ...] = ()
    status_checked: bool = False

    def raise_for_failure(self) -> None:
        """Raise :class:`VerificationError` (``details["check"]``) unless verified."""
        if not self.verified:
            raise VerificationError(
                self.message,
                details={
                    "check": str(self.check),
                    "verification_methods": list(self.verification_methods),
                },
            )


class _CheckFailedError(Exception):
    """Internal: stops verification at the first failed check."""

    def __init__(self, check: Check, message: str) -> None:
        super().__init__(message)
        self.check = check
        self.message = message


@dataclass(frozen=True, slots=True)
class SigningInput:
    """The canonical forms and hashes an ``eddsa-rdfc-2022`` signature covers."""

    canonical_document: str
    canonical_proof_options: str

    @property
    def document_hash(self) -> bytes:
        """SHA-256 of the canonical document."""
        return hashlib.sha256(self.canonical_document.encode()).digest()

    @property
    def proof_options_hash(self) -> bytes:
        """SHA-256 of the canonical proof options."""
        return hashlib.sha256(self.canonical_proof_options.encode()).digest()

    @property
    def hash_data(self) -> bytes:
        """The 64 signed bytes: proof options hash, then document hash."""
        return self.proof_options_hash + self.document_hash


def signing_input(
    unsecured_document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    loader: PinnedDocumentLoader,
) -> SigningInput:
    """Canonicalise a document (without its proof) and proof options (without ``proofValue``).

    The proof options take the document's ``@context`` unless they carry their own.

    Raises
    ------
    NotFoundError, InvalidInputError
        From :func:`graph.jsonld.canonicalize` (unpinned context, undefined terms, ...).
    """
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    if "@context" not in options and "@context" in unsecured_document:
        options["@context"] = unsecured_document["@context"]
    return SigningInput(
        canonical_document=canonicalize(unsecured_document, loader=loader),
        canonical_proof_options=canonicalize(options, loader=loader),
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _unsecured(
    document: Mapping[str, Any], proof: Mapping[str, Any], proofs: list[Any]
) -> dict[str, Any]:
    # A chained proof signs the document together with the proofs it names in previousProof.
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    previous = _as_list(proof.get("previousProof"))
    if previous:
        matching = [p for p in proofs if isinstance(p, Mapping) and p.get("id") in previous]
        if len(matching) != len(previous):
            raise _CheckFailedError(
                Check.PROOF_MALFORMED, "previousProof names a proof the document lacks"
            )
        unsecured["proof"] = matching
    return unsecured


def sign(
    document: Mapping[str, Any],
    *,
    key: SigningKey | Ed25519PrivateKey,
    loader: PinnedDocumentLoader,
    verification_method: str | None = None,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
    expires: datetime | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an ``eddsa-rdfc-2022`` proof added.

    Parameters
    ----------
    document : mapping
        A JSON-LD credential; an existing ``proof`` makes the result a proof set.
    key : SigningKey or Ed25519PrivateKey
        The signing key.
    loader : PinnedDocumentLoader
        Serves the document's contexts.
    verification_method : str, optional
        Defaults to the key's own (``did:key:<mb>#<mb>``).
    created : datetime, optional
        Timezone-aware; defaults to now. Written to the second, in UTC.
    proof_purpose : str, default "assertionMethod"
    expires : datetime, optional
        Written as the proof's ``expires``.
    proof_id : str, optional
        The proof's ``id``, needed if a later proof chains to it.
    previous_proof : str or sequence of str, optional
        Ids of existing proofs this proof chains to (they are signed with the document).

    Raises
    ------
    InvalidInputError
        If the document has no ``@context``, a datetime is naive, or canonicalisation fails.
    NotFoundError
        If a context is unpinned or not available offline.
    """
    if "@context" not in document:
        raise InvalidInputError("cannot sign a document without @context")
    if isinstance(key, SigningKey):
        private, vm = key.private_key, verification_method or key.verification_method
    else:
        private, vm = key, verification_method or verification_method_id(key.public_key())
    proof: dict[str, Any] = {}
    if proof_id is not None:
        proof["id"] = proof_id
    proof |= {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created or datetime.now(UTC)),
        "verificationMethod": vm,
        "proofPurpose": proof_purpose,
    }
    if expires is not None:
        proof["expires"] = format_datetime(expires)
    if previous_proof is not None:
        proof["previousProof"] = (
            previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        )
    existing = _as_list(document.get("proof"))
    try:
        unsecured = _unsecured(document, proof, existing)
    except _CheckFailedError as e:
        raise InvalidInputError(
            e.message, details={"previous_proof": proof["previousProof"]}
        ) from None
    data = signing_input(unsecured, proof, loader=loader)
    proof["proofValue"] = multibase_encode(private.sign(data.hash_data))
    secured = dict(document)
    secured["proof"] = [*existing, proof] if existing else proof
    logger.debug("signed %s with %s", document.get("id", "<no id>"), vm)
    return secured


def _resolve_key(vm: str, key_resolver: KeyResolver | None) -> Ed25519PublicKey:
    try:
        return (key_resolver or resolve_did_key)(vm)
    except CredwalkError as e:
        raise _CheckFailedError(
            Check.KEY_RESOLUTION, f"cannot resolve verification method {vm}: {e}"
        ) from e


def _check_issuer_binding(document: Mapping[str, Any], vm: str) -> None:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    # Any did:key resolves, so without this anyone could sign "as" a DID issuer with their own
    # key. Non-DID issuers (https://...) can only be bound by the caller's key_resolver.
    if (
        isinstance(issuer_id, str)
        and issuer_id.startswith("did:")
        and vm.partition("#")[0] != issuer_id
    ):
        raise _CheckFailedError(
            Check.KEY_RESOLUTION, f"verification method {vm} is not a key of issuer {issuer_id}"
        )


def _verify_proof(
    document: Mapping[str, Any],
    proof: Any,
    proofs: list[Any],
    *,
    loader: PinnedDocumentLoader,
    key_resolver: KeyResolver | None,
    expected_proof_purpose: str,
    bind_issuer: bool,
) -> str:
    if not isinstance(proof, Mapping):
        raise _CheckFailedError(Check.PROOF_MALFORMED, "proof is not an object")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise _CheckFailedError(
            Check.CRYPTOSUITE_UNSUPPORTED,
            f"unsupported proof {proof.get('type')!r}/{proof.get('cryptosuite')!r}; "
            f"expected {PROOF_TYPE}/{CRYPTOSUITE}",
        )
    vm, purpose, value = (
        proof.get(k) for k in ("verificationMethod", "proofPurpose", "proofValue")
    )
    if not (isinstance(vm, str) and isinstance(purpose, str) and isinstance(value, str)):
        raise _CheckFailedError(
            Check.PROOF_MALFORMED, "proof lacks verificationMethod, proofPurpose or proofValue"
        )
    try:
        for name in ("created", "expires"):
            if name in proof:
                parse_datetime(proof[name], field=f"proof.{name}")
        signature = multibase_decode(value, base="base58btc")
    except InvalidInputError as e:
        raise _CheckFailedError(Check.PROOF_MALFORMED, e.message) from e
    if len(signature) != 64:
        raise _CheckFailedError(
            Check.PROOF_MALFORMED, "proofValue is not a 64-byte Ed25519 signature"
        )
    if purpose != expected_proof_purpose:
        raise _CheckFailedError(
            Check.PROOF_PURPOSE, f"proof purpose {purpose!r}, expected {expected_proof_purpose!r}"
        )
    if "@context" not in document:
        raise _CheckFailedError(Check.CONTEXT, "document has no @context")
    if "@context" in proof:
        doc_ctx, proof_ctx = _as_list(document["@context"]), _as_list(proof["@context"])
        if doc_ctx[: len(proof_ctx)] != proof_ctx:
            raise _CheckFailedError(
                Check.CONTEXT, "proof @context is not a prefix of the document @context"
            )
    if bind_issuer and purpose == "assertionMethod":
        _check_issuer_binding(document, vm)
    public_key = _resolve_key(vm, key_resolver)
    unsecured = _unsecured(document, proof, proofs)
    try:
        data = signing_input(unsecured, proof, loader=loader)
    except CredwalkError as e:
        check = (
            Check.CONTEXT
            if str(e.details.get("reason", "")).startswith("context")
            else Check.CANONICALIZATION
        )
        raise _CheckFailedError(check, e.message) from e
    try:
        public_key.verify(signature, data.hash_data)
    except InvalidSignature:
        raise _CheckFailedError(Check.SIGNATURE, f"signature does not verify with {vm}") from None
    return vm


def _check_validity(document: Mapping[str, Any], proofs: list[Any], now: datetime) -> None:
    try:
        starts = [
            parse_datetime(document[k], field=k)
            for k in ("validFrom", "issuanceDate")
            if k in document
        ]
        ends = [
            parse_datetime(document[k], field=k)
            for k in ("validUntil", "expirationDate")
            if k in document
        ]
        ends += [
            parse_datetime(p["expires"], field="proof.expires") for p in proofs if "expires" in p
        ]
    except InvalidInputError as e:
        raise _CheckFailedError(Check.CREDENTIAL_MALFORMED, e.message) from e
    if any(now < start for start in starts):
        raise _CheckFailedError(Check.NOT_YET_VALID, "credential is not valid yet")
    if any(now > end for end in ends):
        raise _CheckFailedError(Check.EXPIRED, "credential or proof has expired")


def _check_status(document: Mapping[str, Any], status_checker: StatusChecker) -> None:
    for entry in _as_list(document.get("credentialStatus")):
        if not isinstance(entry, Mapping):
            raise _CheckFailedError(Check.STATUS, "credentialStatus entry is not an object")
        try:
            is_set = status_checker(entry)
        except CredwalkError as e:
            raise _CheckFailedError(Check.STATUS, f"cannot check credential status: {e}") from e
        purpose = entry.get("statusPurpose")
        if is_set and purpose == "revocation":
            raise _CheckFailedError(Check.REVOKED, "credential has been revoked")
        if is_set and purpose == "suspension":
            raise _CheckFailedError(Check.SUSPENDED, "credential is suspended")


def verify(
    document: Mapping[str, Any],
    *,
    loader: PinnedDocumentLoader,
    key_resolver: KeyResolver | None = None,
    status_checker: StatusChecker | None = None,
    expected_proof_purpose: str = "assertionMethod",
    bind_issuer: bool = True,
    now: datetime | None = None,
) -> VerificationResult:
    """Verify every ``eddsa-rdfc-2022`` proof of a document, then its validity period and status.

    Parameters
    ----------
    document : mapping
        The secured document; ``proof`` may be one proof or a list (set or chain).
    loader : PinnedDocumentLoader
        Serves the contexts; an unpinned context fails the ``context`` check.
    key_resolver : callable, optional
        Maps a verification method id to a public key, raising a CredwalkError for unknown
        keys (e.g. :meth:`graph.proofs.keys.KeyStore.resolve` to trust only our own keys).
        Defaults to :func:`graph.proofs.did_key.resolve_did_key`, which trusts any did:key.
    status_checker : callable, optional
        Given each ``credentialStatus`` entry, returns True when its bit is set
        (:func:`graph.proofs.status_list.status_checker`). Without it, status is not checked
        and the result says ``status_checked=False``.
    expected_proof_purpose : str, default "assertionMethod"
    bind_issuer : bool, default True
        When the ``issuer`` is a DID, require each assertion proof's verification method to
        belong to that DID (``key_resolution`` fails otherwise).
    now : datetime, optional
        The time the validity period is checked against; defaults to the current time.

    Returns
    -------
    VerificationResult
        ``verified`` and, on failure, the :class:`Check` that failed with a message.
    """
    proofs = _as_list(document.get("proof"))
    if not proofs:
        return VerificationResult(False, Check.PROOF_MISSING, "document has no proof")
    methods: list[str] = []
    try:
        for proof in proofs:
            methods.append(
                _verify_proof(
                    document,
                    proof,
                    proofs,
                    loader=loader,
                    key_resolver=key_resolver,
                    expected_proof_purpose=expected_proof_purpose,
                    bind_issuer=bind_issuer,
                )
            )
        _check_validity(document, proofs, now or datetime.now(UTC))
        if status_checker is not None:
            _check_status(document, status_checker)
    except _CheckFailedError as failure:
        logger.debug("verification of %s failed: %s", document.get("id", "<no id>"), failure.check)
        return VerificationResult(False, failure.check, failure.message, tuple(methods))
    return VerificationResult(True, None, "verified", tuple(methods), status_checker is not None)
