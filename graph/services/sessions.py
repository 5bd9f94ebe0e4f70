"""Sessions and failed logins, kept in the store so that every server process agrees on them.

Several processes may serve one store (``credwalk serve --workers N`` on Neo4j). What one of
them decides about a session or a login must hold in the others from their next request on:

- **Ended sessions.** A session cookie is signed, so any process can read it, but signing
  alone cannot end it: a copy of the cookie kept from before a sign-out would still be valid.
  Each session carries a random id; signing out writes an ``session_ended`` record of kind
  ``account`` at ``urn:credwalk:session:<SHA-256 of the id>``, kept until the cookie would
  expire anyway, and :func:`session_actor` reads it with the session's user in one store read.
- **Failed logins.** At most ``attempts`` failed logins per name and client in ``window``
  seconds, counted over every process: each failure is a ``login_failure`` record of its own
  (no two processes write the same record, so none waits for another), found by the SHA-256
  of name and client; a successful login deletes them, and expired ones are deleted by the
  next failure of the same name and client.

Neither is audited: they are the bookkeeping of signing in, not changes anyone made.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid

from graph import audit
from graph.errors import TooManyRequestsError
from graph.model.account_documents import user_from_document
from graph.model.accounts import ANONYMOUS, Actor
from graph.model.concepts import NodeKind
from graph.services.accounts import actor_for_user
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "LoginLimits",
    "check_login",
    "end_session",
    "login_failed",
    "login_succeeded",
    "new_session_id",
    "session_actor",
]

#: How long a session lasts (the cookie's max-age); an end is remembered as long.
SESSION_SECONDS = 14 * 24 * 3600


def new_session_id() -> str:
    """A random id for a new session (kept in its signed cookie)."""
    return secrets.token_urlsafe(24)


def _ended_iri(session: str) -> str:
    return f"urn:credwalk:session:{hashlib.sha256(session.encode()).hexdigest()}"


def session_actor(store: GraphStore, user: str, session: str | None) -> Actor:
    """The actor of a session: nobody when it was ended, or its user is gone or disabled.

    A session without an id (a cookie made before sessions had one) counts as ended.
    """
    if session is None:
        return ANONYMOUS
    ended = _ended_iri(session)
    found = store.get_records([user, ended], kind=NodeKind.ACCOUNT)
    if ended in found or user not in found:
        return ANONYMOUS
    account = user_from_document(found[user].body)
    return ANONYMOUS if account.disabled else actor_for_user(account)


def end_session(store: GraphStore, session: str, *, now: float | None = None) -> None:
    """Remember that ``session`` ended: no process accepts its cookie again."""
    at = time.time() if now is None else now
    record = Record(
        uri=_ended_iri(session),
        kind=NodeKind.ACCOUNT,
        body={"ended": at},
        index={"record": "session_ended", "until": at + SESSION_SECONDS},
    )
    with audit.suspended():
        store.write(GraphBatch(records=[record]))


class LoginLimits:
    """At most ``attempts`` failed logins per name and client in ``window`` seconds."""

    def __init__(self, *, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window


def _who(name: str, client: str) -> str:
    return hashlib.sha256(f"{name}\0{client}".encode()).hexdigest()


def _failures(store: GraphStore, name: str, client: str) -> list[Record]:
    where = {"record": "login_failure", "who": _who(name, client)}
    return store.list_records(kind=NodeKind.ACCOUNT, where=where)


def _at(record: Record) -> float:
    return float(record.index.get("at") or 0.0)


def check_login(
    store: GraphStore, name: str, client: str, limits: LoginLimits, *, now: float | None = None
) -> None:
    """Refuse when the name has failed too often from this client lately (in any process).

    Raises
    ------
    TooManyRequestsError
        With ``details["retry_after"]`` in seconds.
    """
    moment = time.time() if now is None else now
    recent = sorted(
        _at(r) for r in _failures(store, name, client) if _at(r) > moment - limits.window
    )
    if len(recent) >= limits.attempts:
        retry = int(recent[-limits.attempts] + limits.window - moment) + 1
        raise TooManyRequestsError(
            f"too many failed logins for {name}; try again in {retry} s",
            details={"retry_after": retry},
        )


def login_failed(
    store: GraphStore, name: str, client: str, limits: LoginLimits, *, now: float | None = None
) -> None:
    """Count a failed login (and forget this name and client's expired failures)."""
    moment = time.time() if now is None else now
    expired = [r.uri for r in _failures(store, name, client) if _at(r) <= moment - limits.window]
    record = Record(
        uri=f"urn:credwalk:login-failure:{uuid.uuid4().hex}",
        kind=NodeKind.ACCOUNT,
        body={"at": moment},
        index={"record": "login_failure", "who": _who(name, client), "at": moment},
    )
    with audit.suspended():
        store.write(GraphBatch(records=[record], delete_records=expired))


def login_succeeded(store: GraphStore, name: str, client: str) -> None:
    """Forget the failures of a name and client that logged in."""
    failures = [r.uri for r in _failures(store, name, client)]
    if failures:
        with audit.suspended():
            store.write(GraphBatch(delete_records=failures))
