"""FastAPI dependencies: settings, the runtime, an open store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.runtime import Runtime
from graph.embeddings import Embedder
from graph.reference import ReferenceData
from graph.settings import Settings
from graph.store import GraphStore

__all__ = [
    "EmbedderDep",
    "ReferenceDep",
    "RuntimeDep",
    "SettingsDep",
    "StoreDep",
    "get_app_settings",
    "get_reference",
    "get_runtime",
    "get_store",
]


def get_runtime(request: Request) -> Runtime:
    """Return the runtime the app was created with."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_app_settings(runtime: RuntimeDep) -> Settings:
    """Return the settings the app was created with (not the process environment's)."""
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_store(runtime: RuntimeDep) -> GraphStore:
    """Return the open store, reopening it if the backend came back after an outage.

    Raises
    ------
    BackendUnavailableError
        When the store is not open and cannot be opened now.
    """
    return runtime.open_store()


StoreDep = Annotated[GraphStore, Depends(get_store)]


def get_embedder(runtime: RuntimeDep) -> Embedder:
    """Return the (cached) embedder."""
    return runtime.embedder


EmbedderDep = Annotated[Embedder, Depends(get_embedder)]


def get_reference(runtime: RuntimeDep) -> ReferenceData:
    """Return the jurisdictions and qualification frameworks."""
    return runtime.reference


ReferenceDep = Annotated[ReferenceData, Depends(get_reference)]
