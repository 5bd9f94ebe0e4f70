"""Sessions, users, API keys, learners' consents and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from api.deps import IdPath, RuntimeDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.accounts import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    ApiKeysPublic,
    AuditEntryPublic,
    AuditPublic,
    ConsentCreate,
    ConsentPublic,
    ConsentsPublic,
    GrantsUpdate,
    LoginRequest,
    PasswordUpdate,
    SessionPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
)
from api.security import ActorDep, LoginLimiter, csrf_token, end_session, new_session
from graph.errors import UnauthenticatedError
from graph.model.account_documents import grant_from_text
from graph.services import accounts
from graph.services.audit_log import read_audit

__all__ = ["items", "router"]

router = APIRouter(prefix="/v1", tags=["accounts"], route_class=CheckedRoute)
#: The routes that address one object by its IRI ({id:path}); see ``api.routes``.
items = APIRouter(prefix="/v1", tags=["accounts"], route_class=CheckedRoute)

_AUTH = responses(401, 403, 422, 503)
#: A route that reads a JSON body can also find it malformed (400) or too large (413).
_BODY = (400, 413, 422)


def _limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


@router.post("/session", response_model=SessionPublic, responses=responses(*_BODY, 401, 429, 503))
def login(body: LoginRequest, request: Request, runtime: RuntimeDep) -> SessionPublic:
    """Sign in with a name and password: sets the session cookie, returns the CSRF token."""
    client = request.client.host if request.client else "unknown"
    limiter, store = _limiter(request), runtime.open_store()
    limiter.check(store, body.name, client)
    try:
        user = accounts.authenticate(
            store, body.name, body.password, base_iri=runtime.settings.base_iri
        )
    except UnauthenticatedError:
        limiter.failed(store, body.name, client)
        raise
    limiter.succeeded(store, body.name, client)
    token = new_session(request, user.id)
    return SessionPublic.from_actor(accounts.actor_for_user(user), token)


@router.get("/session", response_model=SessionPublic, responses=responses(401, 503))
def read_session(request: Request, actor: ActorDep) -> SessionPublic:
    """Who is signed in (nobody: ``user`` is null)."""
    return SessionPublic.from_actor(actor, csrf_token(request))


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, responses=_AUTH)
def logout(request: Request, actor: ActorDep, runtime: RuntimeDep) -> None:
    """Sign out: the session cookie is cleared."""
    # The session also ends in the store, so no server process accepts a copy of the cookie.
    end_session(request, runtime.open_store())


@router.get("/users", response_model=UsersPublic, responses=_AUTH)
def list_users(store: StoreDep, actor: ActorDep) -> UsersPublic:
    """Every user (administrators)."""
    found = accounts.list_users(store, actor=actor)
    return UsersPublic(data=[UserPublic.from_domain(u) for u in found], count=len(found))


@router.post(
    "/users",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(*_BODY, 401, 403, 409, 503),
)
def create_user(
    body: UserCreate, store: StoreDep, actor: ActorDep, runtime: RuntimeDep
) -> UserPublic:
    """Create a user with grants ``role`` or ``role:IRI`` (administrators)."""
    user = accounts.create_user(
        store,
        actor=actor,
        name=body.name,
        password=body.password,
        grants=[grant_from_text(g) for g in body.grants],
        display_name=body.display_name,
        base_iri=runtime.settings.base_iri,
    )
    return UserPublic.from_domain(user)


@router.get(
    "/users/{name}", response_model=UserPublic, responses=responses(401, 403, 404, 422, 503)
)
def read_user(name: IdPath, store: StoreDep, actor: ActorDep, runtime: RuntimeDep) -> UserPublic:
    """One user (administrators, or the user themself)."""
    user = accounts.get_user(store, name, actor=actor, base_iri=runtime.settings.base_iri)
    return UserPublic.from_domain(user)


@router.put(
    "/users/{name}/grants",
    response_model=UserPublic,
    responses=responses(*_BODY, 401, 403, 404, 503),
)
def set_grants(
    name: IdPath, body: GrantsUpdate, store: StoreDep, actor: ActorDep, runtime: RuntimeDep
) -> UserPublic:
    """Replace a user's grants (administrators)."""
    grants = [grant_from_text(g) for g in body.grants]
    user = accounts.set_grants(store, name, grants, actor=actor, base_iri=runtime.settings.base_iri)
    return UserPublic.from_domain(user)


@router.put(
    "/users/{name}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(*_BODY, 401, 403, 404, 503),
)
def set_password(
    name: IdPath, body: PasswordUpdate, store: StoreDep, actor: ActorDep, runtime: RuntimeDep
) -> None:
    """Set a password (the user themself, or an administrator)."""
    accounts.set_password(
        store, name, body.password, actor=actor, base_iri=runtime.settings.base_iri
    )


@router.put(
    "/users/{name}/disabled",
    response_model=UserPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def set_disabled(
    name: IdPath,
    store: StoreDep,
    actor: ActorDep,
    runtime: RuntimeDep,
    disabled: Annotated[bool, Query()] = True,
) -> UserPublic:
    """Disable a user (no login, no key works) or enable them again (administrators)."""
    user = accounts.set_user_disabled(
        store, name, disabled=disabled, actor=actor, base_iri=runtime.settings.base_iri
    )
    return UserPublic.from_domain(user)


@router.get("/keys", response_model=ApiKeysPublic, responses=responses(401, 403, 404, 422, 503))
def list_keys(
    store: StoreDep,
    actor: ActorDep,
    runtime: RuntimeDep,
    user: Annotated[str | None, Query(min_length=2, max_length=63)] = None,
) -> ApiKeysPublic:
    """The acting user's keys (an administrator may name another user)."""
    name = user or actor.name
    found = accounts.list_api_keys(
        store, actor=actor, user=name, base_iri=runtime.settings.base_iri
    )
    return ApiKeysPublic(data=[ApiKeyPublic.from_domain(k) for k in found], count=len(found))


@router.post(
    "/keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses=responses(*_BODY, 401, 403, 404, 503),
)
def create_key(
    body: ApiKeyCreate, store: StoreDep, actor: ActorDep, runtime: RuntimeDep
) -> ApiKeyCreated:
    """Make a key (its token is shown in this answer only)."""
    key, token = accounts.create_api_key(
        store,
        actor=actor,
        user=body.user or actor.name,
        roles=body.roles,
        expires_at=body.expires_at,
        base_iri=runtime.settings.base_iri,
    )
    return ApiKeyCreated(**ApiKeyPublic.from_domain(key).model_dump(), token=token)


@router.delete(
    "/keys/{key_id}", response_model=ApiKeyPublic, responses=responses(401, 403, 404, 422, 503)
)
def revoke_key(
    key_id: IdPath, store: StoreDep, actor: ActorDep, runtime: RuntimeDep
) -> ApiKeyPublic:
    """Revoke a key (its user, or an administrator)."""
    key = accounts.revoke_api_key(store, key_id, actor=actor, base_iri=runtime.settings.base_iri)
    return ApiKeyPublic.from_domain(key)


@router.get(
    "/learners/{learner_id:path}/consents",
    response_model=ConsentsPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def list_consents(learner_id: IdPath, store: StoreDep, actor: ActorDep) -> ConsentsPublic:
    """The consents a learner has given (the learner, or an administrator)."""
    found = accounts.consents_of(store, learner_id, actor=actor)
    return ConsentsPublic(data=[ConsentPublic.from_domain(c) for c in found], count=len(found))


@router.post(
    "/learners/{learner_id:path}/consents",
    response_model=ConsentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(*_BODY, 401, 403, 404, 503),
)
def grant_consent(
    learner_id: IdPath, body: ConsentCreate, store: StoreDep, actor: ActorDep, runtime: RuntimeDep
) -> ConsentPublic:
    """Let a user see parts of the learner's data, until revoked (the learner)."""
    consent = accounts.grant_consent(
        store,
        actor=actor,
        learner=learner_id,
        grantee=body.grantee,
        scopes=body.scopes,
        base_iri=runtime.settings.base_iri,
    )
    return ConsentPublic.from_domain(consent)


@items.delete(
    "/consents/{consent_id:path}",
    response_model=ConsentPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def revoke_consent(consent_id: IdPath, store: StoreDep, actor: ActorDep) -> ConsentPublic:
    """Revoke a consent; it opens nothing from the next request on (the learner)."""
    return ConsentPublic.from_domain(accounts.revoke_consent(store, consent_id, actor=actor))


@router.get("/audit", response_model=AuditPublic, responses=_AUTH)
def audit_log(
    store: StoreDep,
    actor: ActorDep,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 time")] = None,
    who: Annotated[str | None, Query(alias="actor", max_length=2000)] = None,
    outcome: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPublic:
    """Entries of the audit log, oldest first (administrators)."""
    found = read_audit(store, actor=actor, since=since, who=who, outcome=outcome, limit=limit)
    return AuditPublic(
        data=[AuditEntryPublic(id=uri, **body) for uri, body in found], count=len(found)
    )
