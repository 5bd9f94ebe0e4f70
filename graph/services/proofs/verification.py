"""Verify a signed credential offline: proof, issuer key, validity period, revocation.

:func:`verify_document` runs :func:`graph.proofs.data_integrity.verify` with a key resolver and
a status checker that never touch the network, then verifies the ``EndorsementCredential``
documents embedded in it, and reports every check in order with the one that failed:

``proof``         the proof is present, well formed, ``eddsa-rdfc-2022``, for assertions, and its
                  contexts are pinned;
``issuer_key``    the verification method resolves offline and belongs to the issuer the
                  document names: by default (:attr:`Trust.ISSUER`) a key of this service or
                  one that issuer has registered with its record; only keys of this service
                  with :attr:`Trust.OURS`; any ``did:key`` with :attr:`Trust.ANY`. When the
                  issuer is a DID the key must also be that DID's;
``signature``     the canonical document and proof options verify with that key;
``validity``      ``validFrom``/``validUntil`` (and the proof's ``expires``) hold at ``now``;
``status``        every ``credentialStatus`` bit is clear; the list comes from a status list
                  credential supplied by the caller (its own proof is verified first) or from
                  this service's store when it is one of ours; any other list fails the check;
``endorsements``  every embedded ``EndorsementCredential`` verifies (proof, key, validity).

The failed check is named by its fine-grained code (``signature``, ``key_resolution``,
``expired``, ``revoked``, ..., see :class:`graph.proofs.data_integrity.Check`; ``endorsement``
for an embedded endorsement).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph.errors import CredwalkError, InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import Issuer
from graph.proofs.data_integrity import Check, KeyResolver, VerificationResult, verify
from graph.proofs.did_key import resolve_did_key
from graph.proofs.issuer import ProofIssuer
from graph.proofs.issuer_keys import key_matches, public_key
from graph.proofs.status_list import (
    StatusChecker,
    StatusList,
    status_checker,
    status_list_from_credential,
)
from graph.services.catalogue.credentials import get_issuer, list_issuers
from graph.services.proofs.issuing import our_status_list
from graph.store import GraphStore

__all__ = [
    "CHECKS",
    "CheckOutcome",
    "Trust",
    "VerificationReport",
    "verify_document",
]

logger = logging.getLogger(__name__)

#: The checks in the order they run, and the fine-grained failures each one covers.
CHECKS: dict[str, frozenset[str]] = {
    "proof": frozenset(
        {
            Check.PROOF_MISSING,
            Check.PROOF_MALFORMED,
            Check.CRYPTOSUITE_UNSUPPORTED,
            Check.PROOF_PURPOSE,
            Check.CONTEXT,
        }
    ),
    "issuer_key": frozenset({Check.KEY_RESOLUTION}),
    "signature": frozenset({Check.CANONICALIZATION, Check.SIGNATURE}),
    "validity": frozenset({Check.CREDENTIAL_MALFORMED, Check.NOT_YET_VALID, Check.EXPIRED}),
    "status": frozenset({Check.STATUS, Check.REVOKED, Check.SUSPENDED}),
    "endorsements": frozenset({"endorsement"}),
}


class Trust(StrEnum):
    """Which keys count as the issuer's."""

    #: This service's keys, and keys the issuer the document names has registered (its
    #: record's ``keys``: a did:key, or the did:web of its domain with its key).
    ISSUER = "issuer"
    #: Only keys of this service's key store (current or retired).
    OURS = "ours"
    #: Any did:key (resolved from the DID itself) and our own did:web: the signature is
    #: sound, but who holds the key is not checked.
    ANY = "any"


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check and its status: passed, failed, not_run (after a failure) or not_applicable."""

    name: str
    status: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What :func:`verify_document` found; ``check`` names the failure, None when verified."""

    verified: bool
    check: str | None
    message: str
    checks: tuple[CheckOutcome, ...]
    issuer: str | None
    trust: Trust
    key_owner: str | None
    verification_methods: tuple[str, ...]
    issuer_is_ours: bool
    endorsements: int
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON form (``credwalk verify --json`` and ``POST /v1/proofs/verify``)."""
        return {
            "verified": self.verified,
            "check": self.check,
            "message": self.message,
            "checks": [
                {"name": c.name, "status": c.status, "message": c.message} for c in self.checks
            ],
            "issuer": self.issuer,
            "trust": self.trust.value,
            "key_owner": self.key_owner,
            "verification_methods": list(self.verification_methods),
            "issuer_is_ours": self.issuer_is_ours,
            "endorsements": self.endorsements,
            "warnings": list(self.warnings),
        }


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    found = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return found if isinstance(found, str) else None


@dataclass
class _Keys:
    """Resolves verification methods to keys under one :class:`Trust`, and says whose they are.

    ``owners`` maps each verification method resolved under :attr:`Trust.ISSUER` to the
    issuer it is registered by (or to this service's DID for its own keys).
    """

    issuer: ProofIssuer | None
    trust: Trust
    store: Callable[[], GraphStore] | None
    owners: dict[str, str] = field(default_factory=dict)
    _registered: list[Issuer] | None = None

    def resolver(self, named: str | None, *, assessor: bool = False) -> KeyResolver:
        """The key resolver for a document whose issuer is ``named``."""

        def resolve(vm: str) -> Ed25519PublicKey:
            ours = self._ours(vm, assessor=assessor)
            if ours is not None:
                return ours
            if self.trust is Trust.OURS:
                raise NotFoundError(
                    f"{vm} is not a key of this service (trust=ours)",
                    details={"verification_method": vm},
                )
            if self.trust is Trust.ANY:
                if vm.startswith("did:web:"):
                    raise NotFoundError(
                        f"{vm} is a did:web of another service and is never fetched",
                        details={"verification_method": vm},
                    )
                return resolve_did_key(vm)
            return self._registered_key(vm, named)

        return resolve

    def _ours(self, vm: str, *, assessor: bool) -> Ed25519PublicKey | None:
        if self.issuer is None:
            return None
        try:
            key = self.issuer.resolve_assessor(vm) if assessor else self.issuer.resolve(vm)
        except NotFoundError:
            return None
        self.owners[vm] = self.issuer.did()
        return key

    def _registered_key(self, vm: str, named: str | None) -> Ed25519PublicKey:
        for owner in self._candidates(named):
            for key in owner.keys:
                if key_matches(key, vm):
                    self.owners[vm] = owner.id
                    return public_key(key)
        whose = f"issuer {named}" if named else "the issuer"
        raise NotFoundError(
            f"{vm} is neither a key registered by {whose} nor one of this service's keys "
            "(trust=issuer; trust=any accepts any did:key)",
            details={"verification_method": vm, "issuer": named},
        )

    def _candidates(self, named: str | None) -> list[Issuer]:
        """The registered issuers whose keys may sign for ``named``."""
        if self.store is None or named is None:
            return []
        if not named.startswith("did:"):
            try:
                return [get_issuer(self.store(), named)]
            except NotFoundError:
                return []
        # A DID issuer is the issuer that registered that DID's key.
        if self._registered is None:
            self._registered = [i for i in list_issuers(self.store()) if i.keys]
        return self._registered


def _status_checker(
    *,
    loader: PinnedDocumentLoader,
    issuer: ProofIssuer | None,
    store: Callable[[], GraphStore] | None,
    supplied: Sequence[Mapping[str, Any]],
    keys: _Keys,
    named: str | None,
    now: datetime,
) -> StatusChecker:
    """Reads the status lists a credential names; a supplied one must be signed for ``named``.

    The list's key must be one the credential's own issuer (``named``) could sign with: a
    list signed by anyone else cannot revoke or un-revoke the credential.
    """
    by_url = {str(doc.get("id")): doc for doc in supplied}
    lists: dict[str, StatusList] = {}

    def current(url: str) -> StatusList:
        if url in lists:
            return lists[url]
        if url in by_url:
            document = by_url[url]
            result = verify(document, loader=loader, key_resolver=keys.resolver(named), now=now)
            if not result.verified:
                raise InvalidInputError(
                    f"the status list credential {url} does not verify ({result.check}): "
                    f"{result.message}",
                    details={"status_list": url, "check": str(result.check)},
                )
            lists[url] = status_list_from_credential(document)
        elif (
            issuer is not None and store is not None and issuer.status_list_number(url) is not None
        ):
            lists[url] = our_status_list(store(), url, issuer=issuer)
        else:
            raise NotFoundError(
                f"status list {url} is neither one of ours nor supplied; it is never fetched",
                details={"status_list": url},
            )
        return lists[url]

    def check(entry: Mapping[str, Any]) -> bool:
        url = entry.get("statusListCredential")
        if not isinstance(url, str):
            raise InvalidInputError("credentialStatus has no statusListCredential")
        return status_checker({url: current(url)})(entry)

    return check


def _endorsements(node: Any) -> Iterator[Mapping[str, Any]]:
    # Endorsements may sit on the credential, its achievement or any profile in it.
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "proof":
                continue
            if key == "endorsement":
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, Mapping):
                        yield item
                        yield from _endorsements(item)
            else:
                yield from _endorsements(value)
    elif isinstance(node, list):
        for item in node:
            yield from _endorsements(item)


def _outcomes(
    failed: str | None, message: str, *, applicable: Mapping[str, bool]
) -> tuple[CheckOutcome, ...]:
    outcomes: list[CheckOutcome] = []
    reached_failure = False
    for name, codes in CHECKS.items():
        if reached_failure:
            outcomes.append(CheckOutcome(name, "not_run"))
        elif failed is not None and failed in codes:
            outcomes.append(CheckOutcome(name, "failed", message))
            reached_failure = True
        elif not applicable.get(name, True):
            outcomes.append(CheckOutcome(name, "not_applicable"))
        else:
            outcomes.append(CheckOutcome(name, "passed"))
    return tuple(outcomes)


def _binding_warnings(issuer_id: str | None, *, trust: Trust, bind_issuer: bool) -> list[str]:
    """What the report warns about how far the signing key is bound to the issuer."""
    warnings: list[str] = []
    if trust is Trust.ANY:
        if issuer_id is not None and not issuer_id.startswith("did:"):
            warnings.append(
                f"the issuer {issuer_id} is not a DID and trust=any: any key was accepted for it"
            )
        else:
            warnings.append("trust=any: the issuer's DID was not required to be registered")
    if not bind_issuer:
        warnings.append("the signing key was not required to belong to the issuer")
    return warnings


def _endorsement_failure(
    endorsements: Sequence[Mapping[str, Any]],
    *,
    loader: PinnedDocumentLoader,
    keys: _Keys,
    now: datetime,
) -> tuple[int, str | None]:
    """How many endorsements verify before the first that fails, and why that one fails."""
    checked = 0
    for endorsement in endorsements:
        found = verify(
            endorsement,
            loader=loader,
            key_resolver=keys.resolver(_issuer_id(endorsement), assessor=True),
            now=now,
        )
        if not found.verified:
            return checked, (
                f"endorsement {endorsement.get('id', '(no id)')} failed its "
                f"{found.check} check: {found.message}"
            )
        checked += 1
    return checked, None


def _issued_by_us(verification_methods: Sequence[str], issuer: ProofIssuer | None) -> bool:
    """Whether there are verification methods and every one is a key of ours."""
    ours = bool(verification_methods) and issuer is not None
    if ours and issuer is not None:
        for vm in verification_methods:
            try:
                issuer.resolve(vm)
            except CredwalkError:
                ours = False
    return ours


def verify_document(
    document: Mapping[str, Any],
    *,
    loader: PinnedDocumentLoader,
    issuer: ProofIssuer | None = None,
    store: Callable[[], GraphStore] | None = None,
    status_lists: Sequence[Mapping[str, Any]] = (),
    trust: Trust = Trust.ISSUER,
    bind_issuer: bool = True,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify a signed credential offline and say which check failed.

    Parameters
    ----------
    document : mapping
        The signed credential (JSON-LD with its ``proof``).
    loader : PinnedDocumentLoader
        Serves the pinned contexts; an unpinned context fails the ``proof`` check.
    issuer : ProofIssuer, optional
        This service's identity: resolves our keys (also retired ones) and our did:web, and
        knows which status lists are ours.
    store : callable, optional
        Returns the open store holding our status lists; called only when one is needed.
    status_lists : sequence of mappings, optional
        ``BitstringStatusListCredential`` documents at hand (e.g. downloaded earlier).
    trust : Trust, default ISSUER
        Which keys may be the issuer's: by default a key of this service or one the issuer
        the document names has registered; ``Trust.ANY`` accepts any ``did:key``.
    bind_issuer : bool, default True
        Require the verification method to belong to the issuer when the issuer is a DID.
    now : datetime, optional
        The time validity is checked at (default: now).
    """
    moment = now or datetime.now(UTC)
    issuer_id = _issuer_id(document)
    warnings = _binding_warnings(issuer_id, trust=trust, bind_issuer=bind_issuer)
    has_status = bool(document.get("credentialStatus"))
    endorsements = list(_endorsements(document))
    keys = _Keys(issuer=issuer, trust=trust, store=store)
    result: VerificationResult = verify(
        document,
        loader=loader,
        key_resolver=keys.resolver(issuer_id),
        status_checker=_status_checker(
            loader=loader,
            issuer=issuer,
            store=store,
            supplied=status_lists,
            keys=keys,
            named=issuer_id,
            now=moment,
        ),
        bind_issuer=bind_issuer,
        now=moment,
    )
    failed: str | None = None if result.verified else str(result.check)
    message = result.message
    checked = 0
    if result.verified:
        checked, failure = _endorsement_failure(endorsements, loader=loader, keys=keys, now=moment)
        if failure is not None:
            failed, message = "endorsement", failure
    report = VerificationReport(
        verified=failed is None,
        check=failed,
        message="verified" if failed is None else message,
        checks=_outcomes(
            failed,
            message,
            applicable={"status": has_status, "endorsements": bool(endorsements)},
        ),
        issuer=issuer_id,
        trust=trust,
        key_owner=next(
            (keys.owners[vm] for vm in result.verification_methods if vm in keys.owners), None
        ),
        verification_methods=result.verification_methods,
        issuer_is_ours=_issued_by_us(result.verification_methods, issuer),
        endorsements=checked,
        warnings=tuple(warnings),
    )
    logger.debug("verified %s: %s", document.get("id", "<no id>"), report.check or "ok")
    return report
