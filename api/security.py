"""Who a request is: an API key (``Authorization: Bearer``) or a session cookie, else nobody.

- **API keys** are for scripts: ``Authorization: Bearer cwk_<id>_<secret>``
  (:func:`graph.services.accounts.actor_for_key`), with the roles the key was given.
- **Sessions** are for the pages: a signed, HttpOnly, SameSite=Lax cookie holding the user's IRI
  and a CSRF token (Starlette's session middleware, signed with the runtime's session secret).
  A request that changes something with a session must repeat the token in the
  ``X-CSRF-Token`` header or a ``csrf_token`` form field; a key needs none (no browser sends it
  by itself).

OpenAPI declares both schemes, so ``/docs`` can authorise. The actor of a request is also the
audit context of its writes (:mod:`graph.audit`).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import RuntimeDep
from graph import audit
from graph.errors import (
    ForbiddenError,
    NotFoundError,
    TooManyRequestsError,
    UnauthenticatedError,
)
from graph.model.accounts import ANONYMOUS, Actor
from graph.services import accounts

__all__ = [
    "SESSION_COOKIE",
    "ActorDep",
    "LoginLimiter",
    "csrf_token",
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
    request.session.update({"user": user, "csrf": token, "since": int(time.time())})
    return token


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
    actor = accounts.actor_for_session(runtime.open_store(), user_iri)
    if not actor.authenticated:  # the user was disabled or removed: the session ends
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
    """At most ``attempts`` failed logins per name and client in ``window`` seconds."""

    def __init__(self, *, attempts: int = 5, window: float = 300.0) -> None:
        self._attempts = attempts
        self._window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return failures

    def check(self, name: str, client: str) -> None:
        """Refuse when the name has failed too often from this client lately.

        Raises
        ------
        TooManyRequestsError
            With ``details["retry_after"]`` in seconds.
        """
        now = time.monotonic()
        with self._lock:
            failures = self._recent((name, client), now)
            if len(failures) >= self._attempts:
                retry = int(failures[0] + self._window - now) + 1
                raise TooManyRequestsError(
                    f"too many failed logins for {name}; try again in {retry} s",
                    details={"retry_after": retry},
                )

    def failed(self, name: str, client: str) -> None:
        """Count a failed login."""
        with self._lock:
            self._recent((name, client), time.monotonic()).append(time.monotonic())

    def succeeded(self, name: str, client: str) -> None:
        """Forget the failures of a name and client that logged in."""
        with self._lock:
            self._failures.pop((name, client), None)


def unknown_user_is_unauthenticated(error: NotFoundError) -> UnauthenticatedError:
    """Say 'unauthenticated' rather than which users exist."""
    return UnauthenticatedError("unknown user name or wrong password", details={})
