"""Fixtures shared by every test folder: the shared real data, ESCO, embedders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.embeddings import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
from graph.model.concepts import NodeKind
from graph.services.ingestion import import_concepts
from graph.settings import DEFAULT_EMBEDDING_MODEL
from ingest.frameworks.esco import EscoPack, esco_import, read_esco
from tests.fixtures.embedders import HashingEmbedder

# Fixture modules shared by every folder (used by name, never imported by tests).
pytest_plugins = ["tests.fixtures.jsonld_cache", "tests.fixtures.seeded_api"]

REPO_ROOT = Path(__file__).resolve().parents[1]
ERRATA = REPO_ROOT / "ontologies" / "esco" / "errata.csv"

#: Occupations whose neighbourhood forms the small real ESCO slice of the contract suite.
SLICE_OCCUPATIONS = (
    # software developer, data analyst, welder
    "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1",
    "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2",
    "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b",
)


def shared_data_dir() -> Path:
    """``$CREDWALK_SHARED_DATA`` or ``<repo>/../shared/data``."""
    configured = os.environ.get("CREDWALK_SHARED_DATA")
    return Path(configured) if configured else (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real data; missing data skips the test, except in CI where it fails."""
    path = shared_data_dir()
    if not path.is_dir():
        message = f"shared data folder {path} not found (set CREDWALK_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def esco_dir(shared_data: Path) -> Path:
    """The official ESCO v1.1.1 pack (English, French, relations)."""
    return shared_data / "esco" / "v1.1.1"


@pytest.fixture(scope="session")
def esco_pack(esco_dir: Path) -> EscoPack:
    """ESCO v1.1.1 in English, read once per session."""
    return read_esco([esco_dir], languages=["en"], errata=ERRATA)


@pytest.fixture(scope="session")
def esco_slice(esco_pack: EscoPack) -> EscoPack:
    """A few hundred real ESCO concepts around three occupations, with their relations."""
    piece = esco_pack.neighbourhood(SLICE_OCCUPATIONS)
    assert sum(1 for c in piece.concepts.values() if c.kind is NodeKind.OCCUPATION) >= 3
    return piece


@pytest.fixture(scope="session")
def esco_structure_db(esco_pack: EscoPack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding all of ESCO v1.1.1 (structure and lexical index, no vectors).

    Built once per session; tests copy it (see ``esco_store``) rather than import again.
    """
    path = tmp_path_factory.mktemp("esco") / "esco.db"
    with EmbeddedStore(path) as store:
        import_concepts(store, esco_import(esco_pack), embedder=None)
    return path


@pytest.fixture
def esco_store(esco_structure_db: Path, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """An open embedded store of its own holding all of ESCO (no vectors)."""
    path = tmp_path / "esco.db"
    shutil.copyfile(esco_structure_db, path)
    with EmbeddedStore(path) as store:
        yield store


def embedding_cache_path() -> Path:
    """Where tests keep real-model embeddings: a memo keyed by (model, text), shared by runs.

    ``CREDWALK_TEST_EMBEDDING_CACHE`` or the user's credwalk cache; a cold cache costs one full
    ESCO encoding (minutes) in the first run only.
    """
    configured = os.environ.get("CREDWALK_TEST_EMBEDDING_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "credwalk" / "embeddings.db"


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[CachedEmbedder]:
    """The default model (offline, from its PyPI package) behind the persistent cache."""
    cache = EmbeddingCache(embedding_cache_path())
    yield CachedEmbedder(SentenceTransformerEmbedder(DEFAULT_EMBEDDING_MODEL), cache)
    cache.close()


@pytest.fixture(scope="session")
def esco_vector_db(
    esco_pack: EscoPack, real_embedder: CachedEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A store file with all of ESCO v1.1.1 indexed with the default model (built once)."""
    path = tmp_path_factory.mktemp("esco-vectors") / "esco.db"
    with EmbeddedStore(path) as store:
        import_concepts(store, esco_import(esco_pack), embedder=real_embedder)
    return path


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    """A fast deterministic embedder (no model)."""
    return HashingEmbedder()


@pytest.fixture
def tmp_store_url(tmp_path: Path) -> Iterator[str]:
    """A fresh embedded store URL in the test's temporary folder."""
    yield f"sqlite:///{tmp_path / 'store.db'}"
