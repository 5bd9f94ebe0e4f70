"""Which embedder a use case may use: the one rule, in one place.

The edges hand every use case the process's embedder; the use case asks this module what it may
do with it, against the store it works on:

- **queries against stored vectors** (search, match): the query must be encoded by the model that
  encoded the store's texts; another model is a conflict (:func:`query_embedder`);
- **curriculum mapping** is lenient: on another model, or on outcomes in a language an
  English-only model cannot read, it maps lexically and says why (:func:`mapping_embedder`);
- **skill similarity** in a learner's gap, pathways and transitions compares skills by the model
  of the store's vectors, and is left out when the store has none or another
  (:func:`similarity_embedder`);
- equivalence, comparison and crosswalks embed the labels they compare themselves, so any model
  serves them (they take the embedder as it is).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.embeddings import Embedder
from graph.errors import ConflictError
from graph.store import GraphStore

__all__ = [
    "MULTILINGUAL_HINTS",
    "MappingEmbedder",
    "is_multilingual",
    "mapping_embedder",
    "query_embedder",
    "similarity_embedder",
]

#: Fragments of model names that designate a model aligned across languages.
MULTILINGUAL_HINTS = ("multilingual", "labse", "xlm", "-m3", "e5-", "mpnet-base-multi")


def is_multilingual(model: str) -> bool:
    """Whether a model name designates a multilingual model (aligned across languages).

    Examples
    --------
    >>> is_multilingual("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
    True
    >>> is_multilingual("sentence-transformers/all-MiniLM-L6-v2")
    False
    """
    name = model.lower()
    return any(hint in name for hint in MULTILINGUAL_HINTS)


def query_embedder(store: GraphStore, embedder: Embedder | None) -> Embedder | None:
    """The embedder of queries compared with the store's vectors (None: lexical only).

    Raises
    ------
    ConflictError
        When the store's texts were embedded with another model than ``embedder``.
    """
    model = store.embedding_model()
    if model is None or embedder is None:
        return None
    if model != embedder.name:
        raise ConflictError(
            f"the store's texts were embedded with {model!r} but the configured model is "
            f"{embedder.name!r}",
            details={"field": "embedding_model", "store_model": model},
        )
    return embedder


@dataclass(frozen=True, slots=True)
class MappingEmbedder:
    """What curriculum mapping may use: an embedder (None: lexical), a label language, a note."""

    embedder: Embedder | None
    lang: str | None = None
    note: str | None = None


def mapping_embedder(
    store: GraphStore, embedder: Embedder | None, *, language: str
) -> MappingEmbedder:
    """The embedder for mapping outcomes in ``language``, or lexical matching and why."""
    model = store.embedding_model()
    if embedder is None or model is None or embedder.name != model:
        return MappingEmbedder(None)
    if language != "en" and not is_multilingual(embedder.name):
        return MappingEmbedder(
            None,
            lang=language,
            note=(
                f"the model {embedder.name} is English-only: outcomes in {language!r} were "
                f"matched lexically against ESCO's {language!r} labels; configure a "
                "multilingual model (CREDWALK_EMBEDDING_MODEL) for dense matching"
            ),
        )
    return MappingEmbedder(embedder)


def similarity_embedder(store: GraphStore, embedder: Embedder | None) -> Embedder | None:
    """The embedder that compares skills by meaning: the store's own model, else None."""
    if embedder is None or store.embedding_model() != embedder.name:
        return None
    return embedder
