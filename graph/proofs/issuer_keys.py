"""Keys issuers register, so that what they sign verifies as theirs without the network.

An issuer is named by an IRI (``https://www.ucd.ie``) that says nothing about keys, so a
signature alone cannot show that a document "by UCD" comes from UCD. An issuer binds keys to
itself by registering them with its record (:class:`graph.model.credentials.IssuerKey`):

- a ``did:key`` (the public key is in the DID), or
- a verification method of the ``did:web`` of the issuer's own domain (the host of its IRI or
  of its ``url``) with the key's ``public_key_multibase``: a ``did:web`` is resolved over
  HTTPS, which verification never does, so the key is registered with it.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph.errors import InvalidInputError
from graph.model.credentials import Issuer, IssuerKey
from graph.proofs.did_key import public_key_from_multibase, resolve_did_key

__all__ = ["check_issuer_keys", "did_web_host", "issuer_domains", "key_matches", "public_key"]


def did_web_host(did: str) -> str | None:
    """The host a ``did:web`` DID (or one of its verification methods) names, else None.

    Examples
    --------
    >>> did_web_host("did:web:www.ucd.ie#key-1")
    'www.ucd.ie'
    >>> did_web_host("did:web:example.org%3A8443:issuers:1")
    'example.org'
    >>> did_web_host("did:key:z6Mk") is None
    True
    """
    if not did.startswith("did:web:"):
        return None
    first = did.partition("#")[0][len("did:web:") :].split(":")[0]
    return unquote(first).partition(":")[0].lower() or None


def issuer_domains(issuer: Issuer) -> set[str]:
    """The hosts of the issuer's IRI and web address: the domains its ``did:web`` may use."""
    hosts = {urlsplit(iri).hostname for iri in (issuer.id, issuer.url) if iri}
    return {h.lower() for h in hosts if h}


def public_key(key: IssuerKey) -> Ed25519PublicKey:
    """The Ed25519 public key of a registered key (checked when the issuer was saved)."""
    if key.public_key_multibase is not None:
        return public_key_from_multibase(key.public_key_multibase)
    return resolve_did_key(key.id)


def key_matches(key: IssuerKey, verification_method: str) -> bool:
    """Whether ``verification_method`` is the registered key (a DID stands for its key)."""
    if "#" in key.id:
        return verification_method == key.id
    return verification_method.partition("#")[0] == key.id


def check_issuer_keys(issuer: Issuer, *, field: str = "keys") -> None:
    """Refuse registered keys that cannot be resolved offline or are not the issuer's.

    Raises
    ------
    InvalidInputError
        Naming the key (``keys[i]``): a malformed or non-Ed25519 ``did:key``, a multibase that
        is not the DID's own key, a ``did:web`` of another domain or without its key.
    """
    for i, key in enumerate(issuer.keys):
        where = f"{field}[{i}]"
        try:
            if key.id.startswith("did:key:"):
                _check_did_key(key, where)
            elif key.id.startswith("did:web:"):
                _check_did_web(issuer, key, where)
            else:
                raise InvalidInputError(
                    f"{where}: {key.id!r} is neither a did:key nor a did:web",
                    details={"field": f"{where}.id", "value": key.id},
                )
        except InvalidInputError as e:
            raise InvalidInputError(
                f"issuer {issuer.id}: {e.message}", details={"issuer": issuer.id, **e.details}
            ) from e


def _check_did_key(key: IssuerKey, where: str) -> None:
    try:
        resolved = resolve_did_key(key.id)
        if key.public_key_multibase is not None and (
            public_key_from_multibase(key.public_key_multibase).public_bytes_raw()
            != resolved.public_bytes_raw()
        ):
            raise InvalidInputError(
                f"{where}: public_key_multibase is not the key of {key.id}",
                details={"field": f"{where}.public_key_multibase"},
            )
    except InvalidInputError as e:
        raise InvalidInputError(
            f"{where}: {e.message}", details={"field": f"{where}.id", **e.details}
        ) from e


def _check_did_web(issuer: Issuer, key: IssuerKey, where: str) -> None:
    host = did_web_host(key.id)
    domains = issuer_domains(issuer)
    if host not in domains:
        raise InvalidInputError(
            f"{where}: {key.id} is not on the issuer's domain "
            f"({', '.join(sorted(domains)) or 'the issuer has no web address'})",
            details={"field": f"{where}.id", "value": key.id},
        )
    if key.public_key_multibase is None:
        raise InvalidInputError(
            f"{where}: a did:web key needs its public_key_multibase (did:web is not resolved "
            "over the network)",
            details={"field": f"{where}.public_key_multibase"},
        )
    try:
        public_key_from_multibase(key.public_key_multibase)
    except InvalidInputError as e:
        raise InvalidInputError(
            f"{where}: {e.message}", details={"field": f"{where}.public_key_multibase"}
        ) from e
