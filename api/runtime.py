"""The composition root: builds the store and the embedder from settings, in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from graph.embeddings import (
    CachedEmbedder,
    Embedder,
    EmbeddingCache,
    SentenceTransformerEmbedder,
)
from graph.jsonld import PinnedDocumentLoader, load_manifest
from graph.reference import ReferenceData, load_reference_data
from graph.registry import create_store
from graph.settings import Settings
from graph.store import GraphStore

__all__ = ["Runtime", "build_runtime"]

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a process needs to serve requests: settings, a store, an embedder."""

    settings: Settings
    store: GraphStore
    embedder: Embedder
    reference: ReferenceData

    def document_loader(self) -> PinnedDocumentLoader:
        """The JSON-LD document loader: pinned contexts only, from packages or the cache."""
        manifest = load_manifest(self.settings.ontologies_dir / "contexts" / "manifest.json")
        return PinnedDocumentLoader(manifest, cache_dir=self.settings.context_cache)

    def close(self) -> None:
        """Close the store and the embedding cache."""
        self.store.close()
        if isinstance(self.embedder, CachedEmbedder):
            self.embedder.cache.close()


def store_options(settings: Settings) -> dict[str, Any]:
    """Constructor options of the configured backend (credentials for Neo4j)."""
    if settings.store_scheme == "sqlite":
        return {}
    return {
        "user": settings.neo4j_user,
        "password": settings.neo4j_password,
        "database": settings.neo4j_database,
        "namespace": settings.neo4j_namespace,
    }


def build_runtime(settings: Settings) -> Runtime:
    """Build (without opening) the store and the cached embedder named by ``settings``."""
    store = create_store(settings.store, **store_options(settings))
    embedder = CachedEmbedder(
        SentenceTransformerEmbedder(settings.embedding_model, device=settings.embedding_device),
        EmbeddingCache(settings.embedding_cache),
    )
    reference = load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)
    return Runtime(settings=settings, store=store, embedder=embedder, reference=reference)
