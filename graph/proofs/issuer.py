"""The issuing identity: keys, DIDs (did:key, did:web) and the IRIs of what is published.

:class:`ProofIssuer` bundles what signing needs — the :class:`~graph.proofs.keys.KeyStore`, the
pinned document loader, the base IRI and the optional ``did:web`` domain — and resolves our own
keys offline (:meth:`ProofIssuer.resolve`), including keys retired by a rotation.

- Without a domain the issuer is the ``did:key`` of the active key (a rotation gives a new DID;
  proofs by the old one still verify, the key being in the DID).
- With a domain ``example.org`` the issuer is ``did:web:example.org``, its verification methods
  ``did:web:example.org#<multibase key>``; :func:`did_document` is the DID document to serve at
  ``https://example.org/.well-known/did.json``, listing every key ever used. A ``did:web`` of
  any other domain is never resolved (that would need the network).

Assessors sign their endorsements with keys credwalk keeps for them, one key store per assessor
under ``<key_dir>/assessors/`` (:meth:`ProofIssuer.assessor_keys`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.proofs.did_key import did_key, public_key_from_multibase
from graph.proofs.keys import KeyStore, SigningKey

__all__ = ["ProofIssuer", "did_document", "did_web"]

logger = logging.getLogger(__name__)

_DOMAIN = re.compile(r"^(?=.{1,253}(:|$))[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$")


def did_web(domain: str) -> str:
    """Return the ``did:web`` DID of a domain (a port is written ``%3A<port>``).

    Raises
    ------
    InvalidInputError
        If ``domain`` is not a host name with an optional port.

    Examples
    --------
    >>> did_web("credentials.example.org:8443")
    'did:web:credentials.example.org%3A8443'
    """
    if not _DOMAIN.match(domain):
        raise InvalidInputError(
            f"did_web_domain: {domain!r} is not a host name (with an optional :port)",
            details={"field": "did_web_domain"},
        )
    return "did:web:" + domain.replace(":", "%3A")


@dataclass(frozen=True, slots=True)
class ProofIssuer:
    """Who signs: the key store, the pinned contexts, the IRIs and the optional did:web domain.

    Built once per process by the edges (API, CLI) from settings; the constructor does no I/O.
    """

    keys: KeyStore
    loader: PinnedDocumentLoader
    base_iri: str
    did_web_domain: str | None = None
    name: str = "credwalk"

    def did(self, key: SigningKey | None = None) -> str:
        """The issuer DID: ``did:web`` when a domain is set, else ``did:key`` of ``key``."""
        if self.did_web_domain:
            return did_web(self.did_web_domain)
        return did_key((key or self.keys.active_key()).public_key)

    def signing_key(self) -> tuple[SigningKey, str]:
        """The active key (created on first use) and its verification method under our DID."""
        key = self.keys.active_key()
        if not self.did_web_domain:
            return key, key.verification_method
        return key, f"{self.did(key)}#{key.verification_method.rpartition('#')[2]}"

    def assessor_keys(self, assessor: str) -> KeyStore:
        """The key store credwalk keeps for an assessor (created owner-only on first use)."""
        self.keys.active_key()  # creates the key folder 0700 before anything goes in it
        folder = self.keys.directory / "assessors"
        if not folder.exists():
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)
        name = hashlib.sha256(assessor.encode()).hexdigest()[:32]
        return KeyStore(Path(folder) / name)

    def status_list_url(self, number: int) -> str:
        """The URL (and id) of status list ``number``."""
        return f"{self.base_iri}/status-lists/{number}"

    def status_list_number(self, url: str) -> int | None:
        """The number of one of our status lists from its URL, or None if it is not ours."""
        prefix = f"{self.base_iri}/status-lists/"
        rest = url.removeprefix(prefix)
        return int(rest) if url.startswith(prefix) and rest.isdigit() else None

    def resolve(self, verification_method: str) -> Ed25519PublicKey:
        """Return the public key of one of our keys (current or retired), offline.

        A ``did:key`` method must be one of the key store's; a ``did:web`` one must be of our
        configured domain with a key of ours as fragment.

        Raises
        ------
        NotFoundError
            If the method names a key that is not ours, or a DID method that cannot be
            resolved offline (a did:web of another domain, https, ...).
        """
        did, _, fragment = verification_method.partition("#")
        if did.startswith("did:web:"):
            if not self.did_web_domain or did != did_web(self.did_web_domain):
                raise NotFoundError(
                    f"{did} is not our did:web and is never fetched",
                    details={"verification_method": verification_method},
                )
            for record in self.keys.records():
                if record.public_key_multibase == fragment:
                    return public_key_from_multibase(fragment)
            raise NotFoundError(
                "verification method is not a key of our did:web",
                details={"verification_method": verification_method},
            )
        return self.keys.resolve(verification_method)

    def resolve_assessor(self, verification_method: str) -> Ed25519PublicKey:
        """Return the public key of a key credwalk keeps for an assessor.

        Raises
        ------
        NotFoundError
            If no assessor key store of ours holds that verification method.
        """
        folder = self.keys.directory / "assessors"
        for registry in sorted(folder.glob("*/keys.json")) if folder.is_dir() else []:
            try:
                return KeyStore(registry.parent).resolve(verification_method)
            except NotFoundError:
                continue
        raise NotFoundError(
            "verification method is not a key credwalk keeps for an assessor",
            details={"verification_method": verification_method},
        )


def did_document(issuer: ProofIssuer) -> dict[str, Any]:
    """Return the DID document of our ``did:web`` (served at ``/.well-known/did.json``).

    Every key the store ever used is listed, so proofs made before a rotation still verify.

    Raises
    ------
    NotFoundError
        If no did:web domain is configured.
    """
    if not issuer.did_web_domain:
        raise NotFoundError("no did:web domain is configured (CREDWALK_DID_WEB_DOMAIN)")
    issuer.keys.active_key()
    did = did_web(issuer.did_web_domain)
    methods = [
        {
            "id": f"{did}#{r.public_key_multibase}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": r.public_key_multibase,
        }
        for r in issuer.keys.records()
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
