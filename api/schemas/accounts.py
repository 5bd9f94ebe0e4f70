"""Schemas of sessions, users, API keys, consents and the audit log.

No schema ever carries a password hash or a key's secret hash; a key's token appears once, in
the answer that made it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import Public
from graph.model.accounts import Actor, ApiKey, Consent, ConsentScope, Role, User

__all__ = [
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyPublic",
    "ApiKeysPublic",
    "AuditEntryPublic",
    "AuditPublic",
    "ConsentCreate",
    "ConsentPublic",
    "ConsentsPublic",
    "GrantsUpdate",
    "LoginRequest",
    "PasswordUpdate",
    "SessionPublic",
    "UserCreate",
    "UserPublic",
    "UsersPublic",
]

Name = Annotated[str, StringConstraints(min_length=2, max_length=63)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
GrantText = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=2000,
        pattern=r"^(admin|member|(issuer|assessor|advisor|mentor|learner):\S+)$",
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Request):
    """A user name and password."""

    name: Name
    password: Password


class SessionPublic(Public):
    """Who the session is, with the CSRF token its changes must repeat."""

    user: str | None
    name: str | None
    grants: list[str]
    csrf_token: str | None = None

    @classmethod
    def from_actor(cls, actor: Actor, csrf_token: str | None) -> SessionPublic:
        """Build from the acting user."""
        return cls(
            user=actor.user,
            name=actor.name if actor.user else None,
            grants=[str(g) for g in actor.grants],
            csrf_token=csrf_token if actor.user else None,
        )


class UserCreate(_Request):
    """A new user: name, password (optional for key-only users), grants as ``role[:IRI]``."""

    name: Name
    password: Password | None = None
    display_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    grants: list[GrantText] = Field(default_factory=list, max_length=100)


class GrantsUpdate(_Request):
    """A user's grants, replacing the previous ones."""

    grants: list[GrantText] = Field(max_length=100)


class PasswordUpdate(_Request):
    """A new password."""

    password: Password


class UserPublic(Public):
    """A user, without its password hash."""

    id: str
    name: str
    display_name: str
    grants: list[str]
    disabled: bool
    created_at: str | None

    @classmethod
    def from_domain(cls, user: User) -> UserPublic:
        """Build from a user."""
        return cls(
            id=user.id,
            name=user.name,
            display_name=user.display_name,
            grants=[str(g) for g in user.grants],
            disabled=user.disabled,
            created_at=user.created_at,
        )


class UsersPublic(Public):
    """A list of users."""

    data: list[UserPublic]
    count: int


class ApiKeyCreate(_Request):
    """A new key for the acting user (or, for an administrator, another user)."""

    user: Name | None = None
    roles: list[Role] | None = Field(default=None, max_length=10)
    expires_at: datetime | None = None


class ApiKeyPublic(Public):
    """A key without its secret."""

    id: str
    user: str
    roles: list[Role]
    created_at: str
    expires_at: str | None
    revoked_at: str | None

    @classmethod
    def from_domain(cls, key: ApiKey) -> ApiKeyPublic:
        """Build from a key."""
        return cls(
            id=key.id,
            user=key.user,
            roles=list(key.roles),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreated(ApiKeyPublic):
    """A new key and its token: shown this once, send it as ``Authorization: Bearer``."""

    token: str


class ApiKeysPublic(Public):
    """A list of keys."""

    data: list[ApiKeyPublic]
    count: int


class ConsentCreate(_Request):
    """A learner's consent for a user (by IRI) to see parts of their data."""

    grantee: Annotated[str, StringConstraints(min_length=3, max_length=2000)]
    scopes: list[ConsentScope] = Field(min_length=1, max_length=10)


class ConsentPublic(Public):
    """A consent and whether it is in force."""

    id: str
    learner: str
    grantee: str
    scopes: list[ConsentScope]
    granted_at: str
    revoked_at: str | None
    active: bool

    @classmethod
    def from_domain(cls, consent: Consent) -> ConsentPublic:
        """Build from a consent."""
        return cls(
            id=consent.id,
            learner=consent.learner,
            grantee=consent.grantee,
            scopes=list(consent.scopes),
            granted_at=consent.granted_at,
            revoked_at=consent.revoked_at,
            active=consent.active,
        )


class ConsentsPublic(Public):
    """A list of consents."""

    data: list[ConsentPublic]
    count: int


class AuditEntryPublic(Public):
    """One entry of the audit log."""

    id: str
    at: str
    actor: str
    actor_name: str
    action: str
    outcome: str
    objects: list[dict[str, str]]
    details: dict[str, Any]


class AuditPublic(Public):
    """Entries of the audit log, oldest first."""

    data: list[AuditEntryPublic]
    count: int
