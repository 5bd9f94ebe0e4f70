"""The ESCO-tuned query model: documents unchanged, queries moved towards ESCO's labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from api.runtime import configured_embedder
from graph.embeddings import CachedEmbedder, EmbeddingCache, QueryTunedEmbedder
from graph.errors import InvalidInputError
from graph.ontologies import ONTOLOGIES_DIR, query_model
from graph.settings import load_settings

pytestmark = [pytest.mark.model]

DELTA = query_model(ONTOLOGIES_DIR)
JOB_AD = "You will maintain and extend our React front end and its REST back end"


@pytest.fixture(scope="module")
def tuned() -> QueryTunedEmbedder:
    embedder = configured_embedder(load_settings(load_demo=False))
    assert isinstance(embedder, QueryTunedEmbedder)
    return embedder


def test_the_artefact_is_small_enough_to_commit() -> None:
    assert DELTA.stat().st_size <= 25 * 2**20


def test_documents_keep_the_default_model_and_queries_move(tuned: QueryTunedEmbedder) -> None:
    plain = configured_embedder(load_settings(load_demo=False, query_model=False))
    assert plain.name == tuned.name == "sentence-transformers/all-MiniLM-L6-v2"
    labels = ["develop software prototypes", "use JavaScript"]
    np.testing.assert_allclose(tuned.embed(labels), plain.embed(labels), atol=1e-6)
    query = tuned.embed_one(JOB_AD)
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    assert float(query @ plain.embed_one(JOB_AD)) < 0.999  # the tuned layers changed it
    cached = CachedEmbedder(tuned, EmbeddingCache(None))
    np.testing.assert_allclose(cached.embed_queries([JOB_AD])[0], query, atol=1e-6)
    assert cached.encoded == 0  # queries never go through the cache


def test_an_unreadable_or_foreign_artefact_is_a_clear_error(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    from graph.embeddings import SentenceTransformerEmbedder

    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not a state dict")
    base = SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(InvalidInputError, match="cannot read the query model"):
        QueryTunedEmbedder(base, broken).embed_one(JOB_AD)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"decoder.layer.0.weight": np.zeros(2, dtype=np.float16)}, str(foreign))
    with pytest.raises(InvalidInputError, match="weights the model has not"):
        QueryTunedEmbedder(base, foreign).embed_one(JOB_AD)
