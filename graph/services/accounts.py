"""Use cases of accounts: users, passwords, grants, API keys, consents; who a request is.

Users, keys and consents are records of kind ``account`` told apart by the index field
``record`` (``user``, ``api_key``, ``consent``). A user's IRI is ``{base}/user/{name}``; a key's
``{base}/key/{id}``. Passwords are hashed with Argon2id (``argon2-cffi``); an API key is
``cwk_{id}_{secret}``, shown once, of which only the SHA-256 of the secret is kept (a random
256-bit secret needs no slow hash). Every write here is conditional on the version read, so two
administrators editing one user at once cannot lose an edit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graph.errors import ConflictError, InvalidInputError, NotFoundError, UnauthenticatedError
from graph.model.account_documents import (
    api_key_from_document,
    api_key_to_document,
    consent_from_document,
    consent_to_document,
    user_from_document,
    user_to_document,
)
from graph.model.accounts import (
    BOUND_ROLES,
    Actor,
    ApiKey,
    Consent,
    ConsentScope,
    Grant,
    Role,
    User,
)
from graph.model.concepts import NodeKind
from graph.services import policy
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "KEY_PREFIX",
    "actor_for_key",
    "actor_for_user",
    "actor_named",
    "authenticate",
    "consents_of",
    "consents_to",
    "create_api_key",
    "create_user",
    "get_user",
    "grant_consent",
    "learner_consents",
    "list_api_keys",
    "list_users",
    "revoke_api_key",
    "revoke_consent",
    "rotate_api_key",
    "set_grants",
    "set_password",
    "set_user_disabled",
    "user_iri",
]

KEY_PREFIX = "cwk"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_MIN_PASSWORD = 10
# OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane): a login costs tens of milliseconds.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verified when the user does not exist, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def _now(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_iri(name: str, *, base_iri: str) -> str:
    """The IRI of the user named ``name``."""
    return f"{base_iri}/user/{name}"


def _user_record(user: User, version: int | None) -> Record:
    return Record(
        uri=user.id,
        kind=NodeKind.ACCOUNT,
        body=user_to_document(user),
        index={"record": "user", "name": user.name, "disabled": user.disabled},
        version=version,
    )


def _check_grants(grants: Iterable[Grant]) -> tuple[Grant, ...]:
    checked = []
    for grant in grants:
        if grant.role in BOUND_ROLES and not grant.object:
            raise InvalidInputError(
                f"the role {grant.role.value} is bound to an object: write {grant.role.value}:IRI",
                details={"field": "grants", "role": grant.role.value},
            )
        if grant.role not in BOUND_ROLES and grant.object:
            raise InvalidInputError(
                f"the role {grant.role.value} is bound to nothing", details={"field": "grants"}
            )
        checked.append(grant)
    return tuple(dict.fromkeys(checked))


def _check_password(password: str) -> None:
    if len(password) < _MIN_PASSWORD:
        raise InvalidInputError(
            f"a password has at least {_MIN_PASSWORD} characters", details={"field": "password"}
        )


def create_user(
    store: GraphStore,
    *,
    actor: Actor,
    name: str,
    password: str | None,
    grants: Sequence[Grant] = (),
    display_name: str | None = None,
    base_iri: str,
    now: datetime | None = None,
) -> User:
    """Create a user (an administrator's act; the store is unchanged if the name is taken).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an administrator.
    InvalidInputError
        For a malformed name, a short password, a bound role without its object.
    ConflictError
        When the name is taken.
    """
    policy.require_admin(actor, action="create a user")
    if not _NAME.match(name):
        raise InvalidInputError(
            "a user name is 2-63 lower-case letters, digits, '.', '_' or '-'",
            details={"field": "name"},
        )
    if password is not None:
        _check_password(password)
    user = User(
        id=user_iri(name, base_iri=base_iri),
        name=name,
        display_name=display_name or name,
        grants=_check_grants(grants),
        password_hash=None if password is None else _HASHER.hash(password),
        created_at=_now(now),
    )
    try:
        store.write(GraphBatch(records=[_user_record(user, 1)], expect={user.id: None}))
    except ConflictError as e:
        raise ConflictError(f"a user named {name} exists", details={"name": name}) from e
    return user


def _read_user(store: GraphStore, name: str, *, base_iri: str) -> tuple[User, int | None]:
    try:
        record = store.get_record(user_iri(name, base_iri=base_iri), kind=NodeKind.ACCOUNT)
    except NotFoundError as e:
        raise NotFoundError(f"no user {name}", details={"name": name}) from e
    return user_from_document(record.body), record.version


def get_user(store: GraphStore, name: str, *, actor: Actor, base_iri: str) -> User:
    """A user, for an administrator or the user themself.

    Raises
    ------
    NotFoundError
        When there is no such user.
    UnauthenticatedError, ForbiddenError
        For anyone else.
    """
    user, _ = _read_user(store, name, base_iri=base_iri)
    if actor.user != user.id:
        policy.require_admin(actor, action="read another user")
    return user


def list_users(store: GraphStore, *, actor: Actor) -> list[User]:
    """Every user, by IRI (an administrator's view)."""
    policy.require_admin(actor, action="list users")
    records = store.list_records(kind=NodeKind.ACCOUNT, where={"record": "user"})
    return [user_from_document(r.body) for r in records]


def _update_user(store: GraphStore, name: str, *, base_iri: str, change: User) -> User:
    _, version = _read_user(store, name, base_iri=base_iri)
    store.write(GraphBatch(records=[_user_record(change, version)], expect={change.id: version}))
    return change


def set_grants(
    store: GraphStore, name: str, grants: Sequence[Grant], *, actor: Actor, base_iri: str
) -> User:
    """Replace a user's grants (an administrator's act)."""
    policy.require_admin(actor, action="change a user's roles")
    user, _ = _read_user(store, name, base_iri=base_iri)
    changed = replace(user, grants=_check_grants(grants))
    return _update_user(store, name, base_iri=base_iri, change=changed)


def set_user_disabled(
    store: GraphStore, name: str, *, disabled: bool, actor: Actor, base_iri: str
) -> User:
    """Disable a user (no login, no key works) or enable them again (an administrator's act)."""
    policy.require_admin(actor, action="disable a user")
    user, _ = _read_user(store, name, base_iri=base_iri)
    return _update_user(store, name, base_iri=base_iri, change=replace(user, disabled=disabled))


def set_password(
    store: GraphStore, name: str, password: str, *, actor: Actor, base_iri: str
) -> User:
    """Set a user's password (the user themself, or an administrator)."""
    user, _ = _read_user(store, name, base_iri=base_iri)
    if actor.user != user.id:
        policy.require_admin(actor, action="set another user's password")
    _check_password(password)
    changed = replace(user, password_hash=_HASHER.hash(password))
    return _update_user(store, name, base_iri=base_iri, change=changed)


def _unauthenticated() -> UnauthenticatedError:
    # One message whatever failed: who exists is nobody's business.
    return UnauthenticatedError("unknown user name or wrong password")


def authenticate(store: GraphStore, name: str, password: str, *, base_iri: str) -> User:
    """The user whose name and password these are.

    Raises
    ------
    UnauthenticatedError
        For an unknown name, a wrong password or a disabled user (one message for all).
    """
    try:
        user, _ = _read_user(store, name, base_iri=base_iri)
    except NotFoundError:
        user = None
    try:
        _HASHER.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise _unauthenticated() from None
    if user is None or user.password_hash is None or user.disabled:
        raise _unauthenticated()
    return user


def actor_named(store: GraphStore, name: str, *, base_iri: str) -> Actor:
    """The actor of user ``name``, for a local operator acting as that user (``--as``).

    Raises
    ------
    NotFoundError
        For an unknown name.
    UnauthenticatedError
        For a disabled user: a disabled account acts nowhere.
    """
    user, _ = _read_user(store, name, base_iri=base_iri)
    if user.disabled:
        raise UnauthenticatedError(f"user {name} is disabled", details={"user": name})
    return actor_for_user(user)


def actor_for_user(user: User, roles: Iterable[Role] | None = None) -> Actor:
    """The actor of a user, with only the grants of ``roles`` when given (a key's scope)."""
    allowed = None if roles is None else frozenset(roles)
    grants = tuple(g for g in user.grants if allowed is None or g.role in allowed)
    return Actor(user=user.id, name=user.name, grants=grants)


def _key_iri(key_id: str, *, base_iri: str) -> str:
    return f"{base_iri}/key/{key_id}"


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    store: GraphStore,
    *,
    actor: Actor,
    user: str,
    roles: Sequence[Role] | None = None,
    expires_at: datetime | None = None,
    base_iri: str,
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for user ``user`` (a name): the key, and its token, shown this once.

    ``roles`` narrow what the key may do to some of the user's roles (default: all of them).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the user themself or an administrator.
    InvalidInputError
        For a role the user does not hold, or an expiry in the past.
    """
    owner, _ = _read_user(store, user, base_iri=base_iri)
    if actor.user != owner.id:
        policy.require_admin(actor, action="make a key for another user")
    held = {g.role for g in owner.grants}
    scope = tuple(dict.fromkeys(roles)) if roles is not None else tuple(sorted(held))
    if not set(scope) <= held:
        missing = sorted(r.value for r in set(scope) - held)
        raise InvalidInputError(
            f"the user does not hold the roles {', '.join(missing)}", details={"field": "roles"}
        )
    moment = now or datetime.now(UTC)
    if expires_at is not None and expires_at <= moment:
        raise InvalidInputError("the key would have expired already", details={"field": "expires"})
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    key = ApiKey(
        id=key_id,
        user=owner.id,
        secret_sha256=_sha256(secret),
        roles=scope,
        created_at=_now(moment),
        expires_at=None if expires_at is None else _now(expires_at),
    )
    record = Record(
        uri=_key_iri(key_id, base_iri=base_iri),
        kind=NodeKind.ACCOUNT,
        body=api_key_to_document(key),
        index={"record": "api_key", "user": owner.id},
        version=1,
    )
    store.write(GraphBatch(records=[record], expect={record.uri: None}))
    return key, f"{KEY_PREFIX}_{key_id}_{secret}"


def list_api_keys(store: GraphStore, *, actor: Actor, user: str, base_iri: str) -> list[ApiKey]:
    """The keys of user ``user`` (a name), for the user themself or an administrator."""
    owner, _ = _read_user(store, user, base_iri=base_iri)
    if actor.user != owner.id:
        policy.require_admin(actor, action="list another user's keys")
    records = store.list_records(
        kind=NodeKind.ACCOUNT, where={"record": "api_key", "user": owner.id}
    )
    return [api_key_from_document(r.body) for r in records]


def revoke_api_key(
    store: GraphStore, key_id: str, *, actor: Actor, base_iri: str, now: datetime | None = None
) -> ApiKey:
    """Revoke a key (its user, or an administrator); a revoked key opens nothing.

    Raises
    ------
    NotFoundError
        When there is no such key.
    """
    uri = _key_iri(key_id, base_iri=base_iri)
    try:
        record = store.get_record(uri, kind=NodeKind.ACCOUNT)
    except NotFoundError as e:
        raise NotFoundError(f"no API key {key_id}", details={"key": key_id}) from e
    key = api_key_from_document(record.body)
    if actor.user != key.user:
        policy.require_admin(actor, action="revoke another user's key")
    if key.revoked_at is not None:
        return key
    revoked = replace(key, revoked_at=_now(now))
    changed = Record(
        uri=uri, kind=NodeKind.ACCOUNT, body=api_key_to_document(revoked), index=record.index
    )
    store.write(GraphBatch(records=[changed], expect={uri: record.version}))
    return revoked


def rotate_api_key(
    store: GraphStore, key_id: str, *, actor: Actor, base_iri: str, now: datetime | None = None
) -> tuple[ApiKey, str]:
    """Replace a key by a new one of the same user, roles and expiry, in one write.

    Raises
    ------
    NotFoundError
        When there is no such key.
    ConflictError
        When it is revoked already.
    """
    uri = _key_iri(key_id, base_iri=base_iri)
    try:
        record = store.get_record(uri, kind=NodeKind.ACCOUNT)
    except NotFoundError as e:
        raise NotFoundError(f"no API key {key_id}", details={"key": key_id}) from e
    old = api_key_from_document(record.body)
    if actor.user != old.user:
        policy.require_admin(actor, action="rotate another user's key")
    if old.revoked_at is not None:
        raise ConflictError(f"the key {key_id} is revoked", details={"key": key_id})
    moment = _now(now)
    new_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    new = replace(old, id=new_id, secret_sha256=_sha256(secret), created_at=moment)
    revoked = replace(old, revoked_at=moment)
    new_uri = _key_iri(new_id, base_iri=base_iri)
    store.write(
        GraphBatch(
            records=[
                Record(new_uri, NodeKind.ACCOUNT, api_key_to_document(new), record.index),
                Record(uri, NodeKind.ACCOUNT, api_key_to_document(revoked), record.index),
            ],
            expect={new_uri: None, uri: record.version},
        )
    )
    return new, f"{KEY_PREFIX}_{new_id}_{secret}"


def actor_for_key(
    store: GraphStore, token: str, *, base_iri: str, now: datetime | None = None
) -> Actor:
    """The actor a bearer token stands for.

    Raises
    ------
    UnauthenticatedError
        For a malformed, unknown, revoked or expired key, or one of a disabled user.
    """
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    invalid = UnauthenticatedError("the API key is unknown, revoked or expired")
    if prefix != KEY_PREFIX or not key_id or not secret:
        raise invalid
    found = store.get_records([_key_iri(key_id, base_iri=base_iri)], kind=NodeKind.ACCOUNT)
    if not found:
        raise invalid
    key = api_key_from_document(next(iter(found.values())).body)
    expired = key.expires_at is not None and key.expires_at <= _now(now)
    if not hmac.compare_digest(key.secret_sha256, _sha256(secret)) or key.revoked_at or expired:
        raise invalid
    users = store.get_records([key.user], kind=NodeKind.ACCOUNT)
    user = user_from_document(users[key.user].body) if key.user in users else None
    if user is None or user.disabled:
        raise invalid
    return actor_for_user(user, key.roles)


def _consent_record(consent: Consent, version: int | None) -> Record:
    return Record(
        uri=consent.id,
        kind=NodeKind.ACCOUNT,
        body=consent_to_document(consent),
        index={"record": "consent", "learner": consent.learner, "grantee": consent.grantee},
        version=version,
    )


def grant_consent(
    store: GraphStore,
    *,
    actor: Actor,
    learner: str,
    grantee: str,
    scopes: Sequence[ConsentScope],
    base_iri: str,
    now: datetime | None = None,
) -> Consent:
    """Record a learner's consent for user ``grantee`` (an IRI) to see ``scopes`` of their data.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner themself (or an administrator).
    NotFoundError
        When the grantee is not a user.
    InvalidInputError
        For no scope.
    """
    policy.require_learner_owner(actor, learner, action="grant a consent")
    if not scopes:
        raise InvalidInputError("a consent opens at least one scope", details={"field": "scopes"})
    if not store.get_records([grantee], kind=NodeKind.ACCOUNT):
        raise NotFoundError(f"no user {grantee}", details={"field": "grantee"})
    consent = Consent(
        id=f"{base_iri}/consent/{secrets.token_hex(8)}",
        learner=learner,
        grantee=grantee,
        scopes=tuple(dict.fromkeys(scopes)),
        granted_at=_now(now),
    )
    store.write(GraphBatch(records=[_consent_record(consent, 1)], expect={consent.id: None}))
    return consent


def consents_of(store: GraphStore, learner: str, *, actor: Actor) -> list[Consent]:
    """Every consent a learner has given, for the learner themself (or an administrator).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone else.
    """
    policy.require_learner_owner(actor, learner, action="list a learner's consents")
    return learner_consents(store, learner)


def consents_to(store: GraphStore, *, actor: Actor) -> list[Consent]:
    """The active consents learners gave the acting user (a mentor's learners), by learner."""
    if actor.user is None:
        return []
    found = [
        consent_from_document(r.body)
        for r in store.list_records(
            kind=NodeKind.ACCOUNT, where={"record": "consent", "grantee": actor.user}
        )
    ]
    return sorted((c for c in found if c.active), key=lambda c: (c.learner, c.granted_at))


def learner_consents(store: GraphStore, learner: str) -> list[Consent]:
    """Every consent a learner has given, active or revoked, by IRI (what the rules read)."""
    records = store.list_records(
        kind=NodeKind.ACCOUNT, where={"record": "consent", "learner": learner}
    )
    return [consent_from_document(r.body) for r in records]


def revoke_consent(
    store: GraphStore, consent_id: str, *, actor: Actor, now: datetime | None = None
) -> Consent:
    """Revoke a consent; it stops opening anything on the next request.

    Raises
    ------
    NotFoundError
        When there is no such consent.
    UnauthenticatedError, ForbiddenError
        For anyone but its learner (or an administrator).
    """
    policy.require_user(actor, action="revoke a consent")
    try:
        record = store.get_record(consent_id, kind=NodeKind.ACCOUNT)
    except NotFoundError as e:
        raise NotFoundError(f"no consent {consent_id}", details={"consent": consent_id}) from e
    consent = consent_from_document(record.body)
    policy.require_learner_owner(actor, consent.learner, action="revoke a consent")
    if consent.revoked_at is not None:
        return consent
    revoked = replace(consent, revoked_at=_now(now))
    store.write(
        GraphBatch(
            records=[_consent_record(revoked, record.version)], expect={consent.id: record.version}
        )
    )
    return revoked
