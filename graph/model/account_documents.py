"""Users, API keys and consents in the form the store keeps them (records of kind account).

A password is kept only as its Argon2id hash and a key only as the SHA-256 of its secret, so a
stolen store gives neither. Documents are built from model objects and read back as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.errors import InvalidInputError
from graph.model._documents import drop_none
from graph.model.accounts import ApiKey, Consent, ConsentScope, Grant, Role, User

__all__ = [
    "api_key_from_document",
    "api_key_to_document",
    "consent_from_document",
    "consent_to_document",
    "grant_from_text",
    "user_from_document",
    "user_to_document",
]


def grant_from_text(text: str) -> Grant:
    """Read a grant written as ``role`` or ``role:object-IRI`` (the CLI's and the store's form).

    Examples
    --------
    >>> grant_from_text("issuer:https://www.liffey-tu.example")
    Grant(role=<Role.ISSUER: 'issuer'>, object='https://www.liffey-tu.example')
    >>> grant_from_text("admin")
    Grant(role=<Role.ADMIN: 'admin'>, object=None)

    Raises
    ------
    InvalidInputError
        For a role credwalk does not know.
    """
    role, _, obj = text.partition(":")
    try:
        return Grant(Role(role), obj or None)
    except ValueError as e:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInputError(
            f"grant {text[:100]!r}: the role is none of {roles}",
            details={"field": "grants", "value": text[:100]},
        ) from e


def user_to_document(user: User) -> dict[str, Any]:
    """The stored form of a user."""
    return drop_none(
        {
            "id": user.id,
            "name": user.name,
            "display_name": user.display_name,
            "grants": [str(g) for g in user.grants],
            "password_hash": user.password_hash,
            "disabled": user.disabled,
            "created_at": user.created_at,
        }
    )


def user_from_document(document: Mapping[str, Any]) -> User:
    """The user of a stored document."""
    return User(
        id=document["id"],
        name=document["name"],
        display_name=document["display_name"],
        grants=tuple(grant_from_text(g) for g in document.get("grants", ())),
        password_hash=document.get("password_hash"),
        disabled=bool(document.get("disabled", False)),
        created_at=document.get("created_at"),
    )


def api_key_to_document(key: ApiKey) -> dict[str, Any]:
    """The stored form of an API key (the secret's hash, never the secret)."""
    return drop_none(
        {
            "id": key.id,
            "user": key.user,
            "secret_sha256": key.secret_sha256,
            "roles": [r.value for r in key.roles],
            "created_at": key.created_at,
            "expires_at": key.expires_at,
            "revoked_at": key.revoked_at,
        }
    )


def api_key_from_document(document: Mapping[str, Any]) -> ApiKey:
    """The API key of a stored document."""
    return ApiKey(
        id=document["id"],
        user=document["user"],
        secret_sha256=document["secret_sha256"],
        roles=tuple(Role(r) for r in document.get("roles", ())),
        created_at=document["created_at"],
        expires_at=document.get("expires_at"),
        revoked_at=document.get("revoked_at"),
    )


def consent_to_document(consent: Consent) -> dict[str, Any]:
    """The stored form of a consent."""
    return drop_none(
        {
            "id": consent.id,
            "learner": consent.learner,
            "grantee": consent.grantee,
            "scopes": [s.value for s in consent.scopes],
            "granted_at": consent.granted_at,
            "revoked_at": consent.revoked_at,
        }
    )


def consent_from_document(document: Mapping[str, Any]) -> Consent:
    """The consent of a stored document."""
    return Consent(
        id=document["id"],
        learner=document["learner"],
        grantee=document["grantee"],
        scopes=tuple(ConsentScope(s) for s in document.get("scopes", ())),
        granted_at=document["granted_at"],
        revoked_at=document.get("revoked_at"),
    )
