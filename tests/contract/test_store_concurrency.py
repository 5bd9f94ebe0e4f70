"""The API serves requests from a thread pool: reads run while a write goes in."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

from graph.model.concepts import Concept, Label, LabelKind, NodeKind
from graph.model.imports import ConceptImport
from graph.services.concepts import search_concepts
from graph.services.ingestion import import_concepts
from graph.store import GraphStore
from tests.fixtures.embedders import HashingEmbedder

_SHARED = [
    "python",
    "java",
    "welding",
    "nursing",
    "accounting",
    "plumbing",
    "teaching",
    "statistics",
]


def _uri(n: int) -> str:
    return f"http://example.org/skill/{n}"


def _skills(numbers: Iterable[int]) -> ConceptImport:
    """Skills whose labels share common words, each with one label no other skill has."""
    concepts = {}
    for n in numbers:
        words = random.Random(n).sample(_SHARED, 3)
        concepts[_uri(n)] = Concept(
            _uri(n),
            NodeKind.SKILL,
            "test",
            (
                Label(" ".join(words), "en"),
                Label(f"{words[0]} work", "en", LabelKind.ALTERNATIVE),
                Label(f"term{n} x{n}", "en", LabelKind.ALTERNATIVE),
            ),
        )
    return ConceptImport(framework="test", languages=("en",), concepts=concepts, relations=[])


def test_searches_during_writes_never_see_a_half_written_index(store: GraphStore) -> None:
    embedder = HashingEmbedder()
    import_concepts(store, _skills(range(300)), embedder=embedder)
    failures: list[BaseException] = []
    wrong: list[str] = []
    writing = threading.Event()
    writing.set()

    def search_while_writing(seed: int) -> None:
        rng = random.Random(seed)
        while writing.is_set():
            n = rng.randrange(300)
            try:
                found = search_concepts(
                    store, embedder, f"term{n} x{n}", kind=NodeKind.SKILL, top=3
                )
            except Exception as e:  # any error is a failure of the test, reported below
                failures.append(e)
                return
            # The writes only add skills with labels of their own: this answer never changes.
            if not found or found[0].uri != _uri(n):
                wrong.append(f"term{n} x{n} -> {[m.uri for m in found]}")

    readers = [threading.Thread(target=search_while_writing, args=(seed,)) for seed in range(3)]
    for reader in readers:
        reader.start()
    try:
        for n in range(300, 330):
            import_concepts(store, _skills([n]), embedder=embedder)
    finally:
        writing.clear()
        for reader in readers:
            reader.join()

    assert failures == []
    assert wrong == []
    assert store.count_nodes([NodeKind.SKILL]) == 330
