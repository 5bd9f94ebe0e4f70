"""HTTP tests through create_app and TestClient, on a store holding the real ESCO slice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.runtime import Runtime
from graph.backends.embedded import EmbeddedStore
from graph.reference import load_reference_data
from graph.services.ingestion import import_concepts
from graph.settings import load_settings
from ingest.frameworks.esco import EscoPack, esco_import
from tests.fixtures.accounts import bearer
from tests.fixtures.embedders import HashingEmbedder


@pytest.fixture
def runtime(tmp_path: Path, esco_slice: EscoPack) -> Iterator[Runtime]:
    """A runtime over an open embedded store with the slice, and the hashing embedder."""
    settings = load_settings(
        store=f"sqlite:///{tmp_path / 'api.db'}",
        load_demo=False,
        key_dir=tmp_path / "keys",
        context_cache=tmp_path / "contexts",
        embedding_cache=tmp_path / "embeddings.db",
    )
    store = EmbeddedStore(tmp_path / "api.db")
    store.open()
    embedder = HashingEmbedder()
    import_concepts(store, esco_import(esco_slice), embedder=embedder)
    reference = load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)
    the_runtime = Runtime(settings=settings, store=store, embedder=embedder, reference=reference)
    yield the_runtime
    the_runtime.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """A client of the app built around ``runtime``."""
    # The tests of the features act as an administrator; the rules have their own tests.
    headers = bearer(runtime.store, base_iri=runtime.settings.base_iri)
    with TestClient(create_app(runtime=runtime), headers=headers) as the_client:
        yield the_client
