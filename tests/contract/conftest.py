"""The one contract suite: every test here runs on every backend.

The Neo4j store comes from ``CREDWALK_NEO4J_URI`` when set, else from testcontainers when a
Docker engine answers, else its tests are skipped with the reason; with
``CREDWALK_REQUIRE_NEO4J=1`` (CI) a missing Neo4j fails the run instead. Each test gets a fresh
store: a new SQLite file, or a Neo4j label namespace of its own that is deleted afterwards
(never a whole-database wipe).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.registry import create_store
from graph.services.ingestion import import_concepts
from graph.store import GraphStore
from ingest.frameworks.esco import EscoPack, esco_import
from tests.fixtures.embedders import HashingEmbedder
from tests.fixtures.neo4j_server import neo4j_namespace

BACKENDS = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, open, empty store of each backend."""
    if request.param == "embedded":
        with create_store(f"sqlite:///{tmp_path / 'store.db'}") as the_store:
            yield the_store
    else:
        with neo4j_namespace(request, "t") as the_store:
            yield the_store


@pytest.fixture
def other_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A second fresh, open, empty store of the backend of ``store`` (to restore into)."""
    if request.node.callspec.params["store"] == "embedded":
        with create_store(f"sqlite:///{tmp_path / 'other.db'}") as the_store:
            yield the_store
    else:
        with neo4j_namespace(request, "o") as the_store:
            yield the_store


@pytest.fixture
def loaded_store(store: GraphStore, esco_slice: EscoPack) -> GraphStore:
    """A store holding the real ESCO slice, indexed with the hashing embedder."""
    import_concepts(store, esco_import(esco_slice), embedder=HashingEmbedder())
    return store
