"""Backends by name, imported lazily so that ``neo4j`` loads only when it is chosen."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from graph.errors import InvalidInputError

if TYPE_CHECKING:
    from graph.store import GraphStore

__all__ = ["BACKENDS", "backend_for_url", "create_store"]

#: URL scheme -> "module:Class" of the GraphStore implementation.
BACKENDS: dict[str, str] = {
    "sqlite": "graph.backends.embedded:EmbeddedStore",
    "neo4j": "graph.backends.neo4j:Neo4jStore",
    "neo4j+s": "graph.backends.neo4j:Neo4jStore",
    "neo4j+ssc": "graph.backends.neo4j:Neo4jStore",
    "bolt": "graph.backends.neo4j:Neo4jStore",
    "bolt+s": "graph.backends.neo4j:Neo4jStore",
    "bolt+ssc": "graph.backends.neo4j:Neo4jStore",
}


def backend_for_url(url: str) -> type[GraphStore]:
    """Return the store class that serves ``url`` (importing its module only now).

    Raises
    ------
    InvalidInputError
        For a URL whose scheme no backend serves.
    """
    scheme = urlsplit(url).scheme
    target = BACKENDS.get(scheme)
    if target is None:
        raise InvalidInputError(
            f"no store backend for URL scheme {scheme!r}; expected one of {sorted(BACKENDS)}",
            details={"field": "store"},
        )
    module_name, class_name = target.split(":")
    cls: type[GraphStore] = getattr(importlib.import_module(module_name), class_name)
    return cls


def create_store(url: str, **options: object) -> GraphStore:
    """Build (but do not open) the store for ``url``; ``options`` go to its constructor."""
    return backend_for_url(url).from_url(url, **options)
