"""Who a request is: an API key (``Authorization: Bearer``) or a session cookie, else nobody.

- **API keys** are for scripts: ``Authorization: Bearer cwk_<id>_<secret>``
  (:func:`graph.services.accounts.actor_for_key`), with the roles the key was given.
- **Sessions** are for the pages: a signed, HttpOnly, SameSite=Lax cookie holding the user's IRI,
  a CSRF token and a random session id (Starlette's session middleware, signed with the
  runtime's session secret). Signing out ends the id in the store, so that no server process
  accepts a copy of the cookie again (:mod:`graph.services.sessions`).
  A request that changes something with a session must repeat the token in the
  ``X-CSRF-Token`` header or a ``csrf_token`` form field; a key needs none (no browser sends it
  by itself).

OpenAPI declares both schemes, so ``/docs`` can authorise. The actor of a request is also the
audit context of its writes (:mod:`graph.audit`).
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import RuntimeDep
from graph import audit
from graph.errors import (
    ForbiddenError,
    NotFoundError,
    UnauthenticatedError,
)
from graph.model.accounts import ANONYMOUS, Actor
from graph.services import accounts, sessions
from graph.store import GraphStore

__all__ = [
    "SESSION_COOKIE",
    "ActorDep",
    "LoginLimiter",
    "csrf_token",
    "end_session",
    "get_actor",
    "new_session",
]

SESSION_COOKIE = "credwalk_session"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    bearerFormat="cwk_<id>_<secret>",
    description="An API key of `credwalk keys create` or `POST /v1/keys`.",
)
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The session of `POST /v1/session` (the pages); changes need X-CSRF-Token.",
)


def new_session(request: Request, user: str) -> str:
    """Start a session for ``user`` in this response; return its CSRF token."""
    token = secrets.token_urlsafe(24)
    request.session.clear()
    request.session.update(
        {
            "user": user,
            "csrf": token,
            "since": int(time.time()),
            "sid": sessions.new_session_id(),
        }
    )
    return token


def end_session(request: Request, store: GraphStore) -> None:
    """Sign out: the session ends in the store (for every process) and its cookie is cleared."""
    session = request.session.get("sid")
    if isinstance(session, str):
        sessions.end_session(store, session)
    request.session.clear()


def csrf_token(request: Request) -> str | None:
    """The CSRF token of the request's session, if it has one."""
    token = request.session.get("csrf")
    return token if isinstance(token, str) else None


async def _form_token(request: Request) -> str | None:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await request.form()
    token = form.get("csrf_token")
    return token if isinstance(token, str) else None


async def _check_csrf(request: Request) -> None:
    if request.method in _SAFE:
        return
    expected = csrf_token(request)
    given = request.headers.get("x-csrf-token") or await _form_token(request)
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise ForbiddenError(
            "a change made with a session needs its CSRF token (X-CSRF-Token or csrf_token)",
            details={"reason": "csrf"},
        )


def _session_actor(request: Request, runtime: RuntimeDep) -> Actor:
    user_iri = request.session.get("user")
    if not isinstance(user_iri, str):
        return ANONYMOUS
    session = request.session.get("sid")
    actor = sessions.session_actor(
        runtime.open_store(), user_iri, session if isinstance(session, str) else None
    )
    if not actor.authenticated:  # ended, or the user was disabled or removed
        request.session.clear()
    return actor


def _resolve_actor(
    request: Request,
    runtime: RuntimeDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _session: Annotated[str | None, Depends(_cookie)],
) -> Actor:
    # Synchronous (a store read): FastAPI runs it in the thread pool, off the event loop.
    if bearer is not None:
        return accounts.actor_for_key(
            runtime.open_store(), bearer.credentials, base_iri=runtime.settings.base_iri
        )
    return _session_actor(request, runtime)


async def get_actor(request: Request, actor: Annotated[Actor, Depends(_resolve_actor)]) -> Actor:
    """The acting user of the request (nobody without a key or a session).

    Asynchronous so that the audit context it declares is the request's own: the endpoint,
    run after it, sees it.

    Raises
    ------
    UnauthenticatedError
        For a key that is unknown, revoked or expired.
    ForbiddenError
        For a change made with a session but without its CSRF token.
    """
    if actor.authenticated and "authorization" not in request.headers:
        await _check_csrf(request)
    route = request.scope.get("route")
    action = f"{request.method} {getattr(route, 'path', request.url.path)}"
    audit.set_current(actor, action)
    request.state.actor = actor  # for an error page rendered after this
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


class LoginLimiter:
    """The limit of failed logins, counted in the store so that every server process agrees.

    At most ``attempts`` failed logins per name and client in ``window`` seconds (see
    :mod:`graph.services.sessions`).
    """

    def __init__(self, *, attempts: int = 5, window: float = 300.0) -> None:
        self.limits = sessions.LoginLimits(attempts=attempts, window=window)

    def check(self, store: GraphStore, name: str, client: str) -> None:
        """Refuse when the name has failed too often from this client lately.

        Raises
        ------
        TooManyRequestsError
            With ``details["retry_after"]`` in seconds.
        """
        sessions.check_login(store, name, client, self.limits)

    def failed(self, store: GraphStore, name: str, client: str) -> None:
        """Count a failed login."""
        sessions.login_failed(store, name, client, self.limits)

    def succeeded(self, store: GraphStore, name: str, client: str) -> None:
        """Forget the failures of a name and client that logged in."""
        sessions.login_succeeded(store, name, client)


def unknown_user_is_unauthenticated(error: NotFoundError) -> UnauthenticatedError:
    """Say 'unauthenticated' rather than which users exist."""
    return UnauthenticatedError("unknown user name or wrong password", details={})
