"""The FastAPI application: ``create_app(settings)`` wires the runtime, routers and errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from api.errors import install_error_handlers
from api.limits import BodyLimitMiddleware
from api.pages import PAGE_ROUTERS, STATIC
from api.routes import ROUTERS
from api.runtime import Runtime, build_runtime
from api.security import SESSION_COOKIE, LoginLimiter
from graph.errors import BackendUnavailableError, InvalidInputError
from graph.services.sessions import SESSION_SECONDS
from graph.settings import Settings, get_settings

__all__ = ["create_app", "create_worker_app", "prepare_workers"]

logger = logging.getLogger(__name__)


def _open_runtime(runtime: Runtime) -> None:
    try:
        runtime.store.open()
    except BackendUnavailableError as e:
        # Start anyway: /readyz says 503 and every call says backend_unavailable until the
        # store answers; the deps reopen it on the next request.
        logger.error("graph store unavailable at start-up: %s", e)
        return
    if runtime.settings.load_demo:
        _load_demo(runtime)


def _load_demo(runtime: Runtime) -> None:
    """The demo on first start: its data into an empty store, then one user per role."""
    from api.demo_users import hand_over
    from graph import audit
    from graph.model.accounts import operator
    from ingest.demo import load_demo_if_empty, load_demo_parties

    settings = runtime.settings
    with audit.acting(operator("demo"), "credwalk serve: the demo's first start"):
        load_demo_if_empty(
            runtime.store, runtime.embedder, settings.ontologies_dir, reference=runtime.reference
        )
        users = load_demo_parties(
            runtime.store,
            settings.ontologies_dir,
            base_iri=settings.base_iri,
            reference=runtime.reference,
        )
    if users:
        hand_over(users, settings.key_dir / "demo-users.json")


def prepare_workers(settings: Settings) -> None:
    """Before ``credwalk serve --workers N`` starts its processes: check, and load the demo once.

    The workers share the store, so the demo is loaded here, by one process, rather than by
    every worker at once; the workers start with ``load_demo`` off.

    Raises
    ------
    InvalidInputError
        When the configured store cannot be served by several processes (the embedded store).
    BackendUnavailableError
        When the store cannot be opened.
    """
    runtime = build_runtime(settings)
    if not type(runtime.store).serves_many_processes:
        raise InvalidInputError(
            f"--workers: the store {settings.store.split('://')[0]}:// is served by one "
            "process (each would hold the whole graph in memory and reload it after every "
            "write of another); run one process, or use a Neo4j store (bolt:// or neo4j://)",
            details={"field": "workers", "store": settings.store.split("://")[0]},
        )
    _ = runtime.session_secret  # written once here, read by every worker
    try:
        runtime.store.open()
        if settings.load_demo:
            _load_demo(runtime)
    finally:
        runtime.close()


def create_worker_app() -> FastAPI:
    """The app of one worker process of ``credwalk serve --workers N``.

    Its settings come from the environment, ``load_demo`` off (:func:`prepare_workers` loaded it).
    """
    from graph.settings import load_settings

    return create_app(load_settings(load_demo=False))


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to the process settings (environment and ``.env``).
    runtime : Runtime, optional
        A prebuilt runtime (tests pass one around a store they prepared); by default one is
        built from ``settings`` and opened in the lifespan.
    """
    settings = settings or (runtime.settings if runtime else get_settings())
    owned = runtime is None
    the_runtime = runtime or build_runtime(settings)
    # Loaded now rather than by the first request that needs it: a broken ontologies/ folder
    # stops the server from starting, with the file and line at fault.
    _ = the_runtime.reference

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owned:
            _open_runtime(the_runtime)
        yield
        if owned:
            the_runtime.close()

    app = FastAPI(
        title="credwalk",
        version="0.1.0",
        summary="Skills knowledge graph: explained equivalence and pathways over ESCO.",
        lifespan=lifespan,
    )
    app.state.runtime = the_runtime
    app.state.login_limiter = LoginLimiter()
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_payload_bytes)
    app.add_middleware(
        SessionMiddleware,
        secret_key=the_runtime.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_SECONDS,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (*ROUTERS, *PAGE_ROUTERS):
        app.include_router(router)
    return app
