"""An in-memory index of concept texts: a float32 matrix for cosine search and term postings.

The embedded store keeps one; it is rebuilt from SQLite on open and patched after each write.
Exact search over the whole matrix is fast enough for ESCO (about 150,000 texts): one matrix
product of a few milliseconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from graph.model import NodeKind
from graph.store import IndexedText, TextField, TextHit, Vector

__all__ = ["TextIndex", "top_hits"]

_LABEL_FIELDS = frozenset({TextField.PREFERRED, TextField.ALTERNATIVE, TextField.HIDDEN})


def top_hits(hits: Iterable[TextHit], k: int) -> list[TextHit]:
    """Return the ``k`` best hits: by score, ties broken by (uri, field, text)."""
    return sorted(hits, key=lambda h: (-h.score, h.uri, h.field.value, h.text))[:k]


class TextIndex:
    """Texts of concepts with their vectors and terms; not thread-safe, the store locks."""

    def __init__(self) -> None:
        self._texts: dict[str, list[IndexedText]] = {}
        self._kinds: dict[str, NodeKind] = {}
        self._postings: dict[NodeKind, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._dirty = True
        self._rows: list[IndexedText] = []
        self._row_of: dict[int, int] = {}
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._blocks: dict[tuple[NodeKind, str], tuple[int, int]] = {}

    def __len__(self) -> int:
        return sum(len(texts) for texts in self._texts.values())

    def replace(self, uri: str, kind: NodeKind, texts: Sequence[IndexedText]) -> None:
        """Set the texts of concept ``uri`` (replacing any it had)."""
        for old in self._texts.get(uri, ()):
            if old.field in _LABEL_FIELDS:
                for term in old.terms:
                    postings = self._postings[self._kinds[uri]].get(term)
                    if postings is not None:
                        postings.discard(uri)
        self._texts[uri] = list(texts)
        self._kinds[uri] = kind
        for text in texts:
            if text.field in _LABEL_FIELDS:
                for term in text.terms:
                    self._postings[kind][term].add(uri)
        self._dirty = True

    def set_kind(self, uri: str, kind: NodeKind) -> None:
        """Record the kind of a concept that may have no texts yet."""
        if uri in self._kinds and self._kinds[uri] is not kind:
            texts = self._texts.get(uri, [])
            self.replace(uri, self._kinds[uri], [])
            self.replace(uri, kind, texts)
        self._kinds[uri] = kind

    def _rebuild(self) -> None:
        if not self._dirty:
            return
        kind_codes = {kind: i for i, kind in enumerate(NodeKind)}
        # Rows are grouped by (kind, language) so that a search scores contiguous blocks of the
        # matrix (views) instead of gathering a masked copy of it on every query.
        rows = sorted(
            (t for uri in sorted(self._texts) for t in self._texts[uri] if t.vector is not None),
            key=lambda t: (kind_codes[self._kinds[t.uri]], t.lang),
        )
        self._rows = rows
        self._row_of = {id(t): i for i, t in enumerate(rows)}
        if rows:
            self._matrix = np.vstack([t.vector for t in rows if t.vector is not None]).astype(
                np.float32, copy=False
            )
        else:
            self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._blocks = {}
        for i, t in enumerate(rows):
            key = (self._kinds[t.uri], t.lang)
            start, _ = self._blocks.get(key, (i, i))
            self._blocks[key] = (start, i + 1)
        self._dirty = False

    def _block_rows(
        self, kinds: frozenset[NodeKind], langs: frozenset[str] | None
    ) -> list[tuple[int, int]]:
        return [
            span
            for (kind, lang), span in sorted(self._blocks.items(), key=lambda kv: kv[1])
            if kind in kinds and (langs is None or lang in langs)
        ]

    def nearest(
        self, vector: Vector, *, k: int, kinds: frozenset[NodeKind], langs: frozenset[str] | None
    ) -> list[TextHit]:
        """Return the exact top ``k`` texts by cosine among concepts of ``kinds``."""
        self._rebuild()
        if not self._rows or vector.shape[0] != self._matrix.shape[1]:
            return []
        spans = self._block_rows(kinds, langs)
        if not spans:
            return []
        candidates = np.concatenate([np.arange(start, stop) for start, stop in spans])
        scores = np.concatenate([self._matrix[start:stop] @ vector for start, stop in spans])
        if candidates.size > k:
            # Keep every row tied with the k-th score so the tie-break below is exact.
            kth = np.partition(scores, candidates.size - k)[candidates.size - k]
            keep = np.flatnonzero(scores >= kth)
        else:
            keep = np.arange(candidates.size)
        hits = (self._hit(self._rows[candidates[i]], float(scores[i])) for i in keep)
        return top_hits(hits, k)

    def scores(
        self, vector: Vector | None, uris: Sequence[str], *, langs: frozenset[str] | None
    ) -> list[TextHit]:
        """Return every text of ``uris`` with its cosine to ``vector`` (nan without a vector)."""
        self._rebuild()
        texts = [
            t for uri in uris for t in self._texts.get(uri, ()) if langs is None or t.lang in langs
        ]
        rows = [self._row_of.get(id(t), -1) for t in texts]
        with_vector = [r for r in rows if r >= 0]
        dims_match = vector is not None and vector.shape[0] == self._matrix.shape[1]
        scored = (
            dict(zip(with_vector, (self._matrix[with_vector] @ vector).tolist(), strict=True))
            if with_vector and dims_match and vector is not None
            else {}
        )
        return [self._hit(t, scored.get(r, math.nan)) for t, r in zip(texts, rows, strict=True)]

    def term_frequencies(
        self, terms: Sequence[str], *, kinds: frozenset[NodeKind]
    ) -> dict[str, int]:
        """Return the number of concepts of ``kinds`` with a label holding each term."""
        return {
            term: sum(len(self._postings[kind].get(term, ())) for kind in kinds) for term in terms
        }

    def concepts_with_terms(self, terms: Sequence[str], *, kinds: frozenset[NodeKind]) -> set[str]:
        """Return the concepts of ``kinds`` with a label holding any of ``terms``."""
        found: set[str] = set()
        for kind in kinds:
            postings = self._postings[kind]
            for term in terms:
                found |= postings.get(term, set())
        return found

    def texts_of(self, uri: str) -> list[IndexedText]:
        """Return the texts of concept ``uri``."""
        return list(self._texts.get(uri, ()))

    @staticmethod
    def _hit(text: IndexedText, score: float) -> TextHit:
        return TextHit(uri=text.uri, field=text.field, lang=text.lang, text=text.text, score=score)
