"""An in-memory index of concept texts, held as columns: a float32 matrix, codes and term ids.

The embedded store keeps one; it is loaded from SQLite on open and patched after each write.
Exact search over the whole matrix is fast enough for ESCO (about 150,000 texts): one matrix
product of a few milliseconds.

Texts live in arrays rather than one Python object per text: ESCO's 150,000 texts as objects
with their own vectors took about twice the memory of the matrix alone, and scoring the texts
of a thousand candidate concepts is a few vectorised operations instead of a Python loop.
Rows are ordered by (kind, language, has a vector, uri, field, text), so the texts a search may
match form contiguous blocks of the matrix (the rows with vectors first); ``_by_uri`` orders the
same rows by (uri, field, lang, text), the order the store contract returns texts in.
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from graph.model.concepts import NodeKind
from graph.store import (
    LABEL_FIELDS,
    TEXT_FIELDS,
    IndexedText,
    TextField,
    TextHit,
    TextTable,
    Vector,
)

__all__ = ["TextIndex", "top_hits"]

_FIELD_CODE = {f.value: i for i, f in enumerate(TEXT_FIELDS)}
_FIELD_VALUES = [f.value for f in TEXT_FIELDS]
_KIND_CODE = {kind: i for i, kind in enumerate(NodeKind)}
_COPY_CHUNK = 8192  # rows copied at a time between matrices, to bound the temporary copy

IntArray = npt.NDArray[np.int64]

# A row before the columns are built: sort key (kind code, lang, uri, field, text), term ids,
# and where its vector is: (source matrix, row) or None.
_Entry = tuple[int, str, str, str, str, tuple[int, ...], "tuple[int, int] | None"]


@dataclass(frozen=True, slots=True)
class _Stored:
    """Stored texts read into columns, in the order they came: (uri, field, lang, text)."""

    uris: list[str]  # each once, in order
    uri_of_row: IntArray
    fields: npt.NDArray[np.int8]
    langs: list[str]
    texts: list[str]
    lengths: IntArray  # terms per text
    term_ids: array[int]  # the terms of every text, one after the other (int32)
    has_vector: npt.NDArray[np.bool_]
    matrix: npt.NDArray[np.float32]  # zeros where a text has no vector


def top_hits(hits: Iterable[TextHit], k: int) -> list[TextHit]:
    """Return the ``k`` best hits: by score, ties broken by (uri, field, text)."""
    return sorted(hits, key=lambda h: (-h.score, h.uri, h.field.value, h.text))[:k]


def _product(
    block: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """``block @ queries``, through torch when the process already runs it for the encoder.

    Torch's product is about 1.2x (one query) to 1.7x (ten) faster than numpy's OpenBLAS
    here, and it runs on the encoder's thread pool instead of a second pool competing for the
    same cores. The result is the same to float32 rounding. Without torch loaded (lexical or
    test embedders), numpy.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return block @ queries
    with torch.inference_mode():
        product = torch.from_numpy(block) @ torch.from_numpy(queries)
    result: npt.NDArray[np.float32] = product.numpy()
    return result


def _ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """Concatenate ``arange(start, stop)`` for each pair, without a Python loop.

    >>> _ranges(np.array([5, 0, 9]), np.array([7, 0, 10])).tolist()
    [5, 6, 9]
    """
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(total, dtype=np.int64)


def _permute_rows(matrix: npt.NDArray[np.float32], order: IntArray) -> npt.NDArray[np.float32]:
    """``matrix[order]``, computed in place: no second matrix, even for a moment.

    ``matrix[order]`` would hold both copies at once: for ESCO en+fr, 400 MB more at the
    peak of the first search. Rows are moved cycle by cycle of the permutation; rows already
    in place (most of them: the stored order is mostly the block order) are not touched.
    """
    moved = np.flatnonzero(order != np.arange(order.size))
    done = np.zeros(order.size, dtype=bool)
    for start in moved.tolist():
        if done[start]:
            continue
        first = matrix[start].copy()
        at = start
        while True:
            source = int(order[at])
            done[at] = True
            if source == start:
                matrix[at] = first
                break
            matrix[at] = matrix[source]
            at = source
    return matrix


class _Gathered(Sequence[str]):
    """``values[rows[i]]`` for each ``i``, read on demand.

    Search reads the text of a handful of a table's thousands of rows (the evidence of the
    best matches); building the whole list per query cost more than scoring the rows.
    """

    __slots__ = ("_rows", "_values")

    def __init__(self, values: Sequence[str], rows: IntArray) -> None:
        self._values = values
        self._rows = rows

    def __len__(self) -> int:
        return int(self._rows.size)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self._values[r] for r in self._rows[i].tolist()]
        return self._values[int(self._rows[i])]

    def __iter__(self) -> Iterator[str]:
        return (self._values[r] for r in self._rows.tolist())


class TextIndex:
    """Texts of concepts with their vectors and terms.

    Not thread-safe (reads rebuild columns and remember cosines): the embedded store calls it
    under its lock.
    """

    def __init__(self) -> None:
        self._kinds: dict[str, NodeKind] = {}
        self._postings: dict[NodeKind, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._vocab: dict[str, int] = {}
        self._vocab_terms: list[str] = []
        # Texts set since the columns were last built (uri -> its whole new list of texts).
        self._pending: dict[str, list[IndexedText]] = {}
        self._dirty = False
        # The columns (one entry per row).
        self._uris: list[str] = []
        self._uri_of_row: IntArray = np.zeros(0, dtype=np.int64)
        self._field: npt.NDArray[np.int8] = np.zeros(0, dtype=np.int8)
        self._langs: list[str] = []
        self._lang_of_row: IntArray = np.zeros(0, dtype=np.int64)
        self._text: list[str] = []
        self._term_offsets: IntArray = np.zeros(1, dtype=np.int64)
        self._term_ids: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._has_vector: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._by_uri: IntArray = np.zeros(0, dtype=np.int64)
        self._uri_starts: IntArray = np.zeros(1, dtype=np.int64)
        self._uri_index: dict[str, int] = {}
        self._blocks: dict[tuple[NodeKind, str], tuple[int, int]] = {}
        self._unvectored: dict[tuple[NodeKind, str], IntArray] = {}
        # The cosines the last nearest() call computed, by query vector: search asks for the
        # nearest texts and then for its candidates' texts with the same vector, and the first
        # product already holds every cosine the second needs.
        self._last_cosines: dict[bytes, tuple[IntArray, npt.NDArray[np.float32]]] = {}

    def __len__(self) -> int:
        self._rebuild()
        return len(self._text)

    # -- updates -----------------------------------------------------------------------------

    def replace(self, uri: str, kind: NodeKind, texts: Sequence[IndexedText]) -> None:
        """Set the texts of concept ``uri`` (replacing any it had)."""
        self._unpost(uri)
        self._pending[uri] = list(texts)
        self._kinds[uri] = kind
        self._post(uri)
        self._dirty = True

    def set_kind(self, uri: str, kind: NodeKind) -> None:
        """Record the kind of a concept that may have no texts yet."""
        if uri in self._kinds and self._kinds[uri] is not kind:
            self._unpost(uri)
            self._kinds[uri] = kind
            self._post(uri)
            self._dirty = True
        self._kinds[uri] = kind

    def load(
        self,
        rows: Iterable[tuple[str, str, str, str, str, bytes | None]],
        *,
        count: int,
        dimension: int | None,
    ) -> None:
        """Fill an empty index with ``count`` stored texts.

        ``rows`` are (uri, field, lang, text, terms, float32 vector bytes), sorted by (uri,
        field, lang, text): the contract order, which ``_by_uri`` keeps. Grouping them into
        (kind, language) blocks is then one stable numpy sort. The vectors go straight into one
        matrix, never one array per text, so loading ESCO needs the memory of the matrix (twice,
        while it is reordered) rather than of 150,000 small objects. Every text's concept kind
        must be known (:meth:`set_kind`).
        """
        if self._text or self._pending:
            raise ValueError("load() fills an empty index")
        self._set_columns(self._read_stored(rows, count=count, dimension=dimension))

    def _read_stored(
        self,
        rows: Iterable[tuple[str, str, str, str, str, bytes | None]],
        *,
        count: int,
        dimension: int | None,
    ) -> _Stored:
        """The stored rows as columns, in their order; their terms are indexed on the way."""
        staging = np.zeros((count, dimension or 0), dtype=np.float32)
        uris: list[str] = []
        uri_of_row = np.zeros(count, dtype=np.int64)
        fields = np.zeros(count, dtype=np.int8)
        langs: list[str] = []
        texts: list[str] = []
        lengths = np.zeros(count, dtype=np.int64)
        # An int32 array, not a list: a million term ids as Python ints take 36 MB, not 4.
        term_ids: array[int] = array("i")
        has_vector = np.zeros(count, dtype=bool)
        # Local names: this loop runs once per text (150,000 for ESCO).
        vocab, add_term = self._vocab, self._vocab_id
        kinds, postings_of = self._kinds, self._postings
        description = TextField.DESCRIPTION.value
        for i, (uri, field, lang, text, words, vector) in enumerate(rows):
            if not uris or uris[-1] != uri:
                if uris and uri < uris[-1]:
                    raise ValueError(f"texts must come sorted by uri: {uri} after {uris[-1]}")
                uris.append(uri)
            uri_of_row[i] = len(uris) - 1
            fields[i] = _FIELD_CODE[field]
            langs.append(lang)
            texts.append(text)
            split = words.split()
            lengths[i] = len(split)
            term_ids.extend([vocab[t] if t in vocab else add_term(t) for t in split])
            if vector is not None and dimension:
                staging[i] = np.frombuffer(vector, dtype=np.float32)
                has_vector[i] = True
            if split and field != description:
                postings = postings_of[kinds[uri]]
                for term in split:
                    postings[term].add(uri)
        return _Stored(
            uris=uris,
            uri_of_row=uri_of_row,
            fields=fields,
            langs=langs,
            texts=texts,
            lengths=lengths,
            term_ids=term_ids,
            has_vector=has_vector,
            matrix=staging,
        )

    def _set_columns(self, stored: _Stored) -> None:
        """Take the stored rows as the index's columns, reordered into (kind, lang) blocks."""
        uris, uri_of_row, lengths = stored.uris, stored.uri_of_row, stored.lengths
        count = len(uri_of_row)
        lang_names = sorted(set(stored.langs))
        lang_index = {lang: i for i, lang in enumerate(lang_names)}
        lang_codes = np.array([lang_index[lang] for lang in stored.langs], dtype=np.int64)
        kind_of_uri = np.array([_KIND_CODE[self._kinds[u]] for u in uris], dtype=np.int64)
        kind_codes = kind_of_uri[uri_of_row]
        # Rows in (kind, lang) blocks, those with a vector first, each part still in (uri, field,
        # lang, text) order.
        order = np.lexsort((~stored.has_vector, lang_codes, kind_codes))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        flat = np.frombuffer(stored.term_ids, dtype=np.int32)
        self._uris, self._uri_index, self._langs = (
            uris,
            {u: i for i, u in enumerate(uris)},
            lang_names,
        )
        self._uri_of_row = uri_of_row[order]
        self._field = stored.fields[order]
        self._lang_of_row = lang_codes[order]
        self._text = [stored.texts[i] for i in order.tolist()]
        self._term_offsets = np.concatenate([[0], np.cumsum(lengths[order])]).astype(np.int64)
        self._term_ids = flat[_ranges(offsets[order], offsets[order + 1])]
        self._has_vector = stored.has_vector[order]
        self._matrix = _permute_rows(stored.matrix, order)
        by_uri = np.empty(count, dtype=np.int64)
        by_uri[order] = np.arange(count)
        self._by_uri = by_uri
        self._uri_starts = np.concatenate(
            [[0], np.cumsum(np.bincount(uri_of_row, minlength=len(uris)))]
        ).astype(np.int64)
        self._set_blocks(kind_codes[order], self._lang_of_row)
        self._last_cosines = {}

    # -- reads -------------------------------------------------------------------------------

    def nearest(
        self,
        vectors: Sequence[Vector],
        *,
        k: int,
        kinds: frozenset[NodeKind],
        langs: frozenset[str] | None,
    ) -> list[list[TextHit]]:
        """Return, for each vector, the exact top ``k`` texts by cosine among ``kinds``.

        One matrix product for all the vectors: the matrix is read from memory once, which is
        what a product over 150,000 rows costs, however many queries share it.
        """
        self._rebuild()
        spans = sorted(
            (span, key)
            for key, span in self._blocks.items()
            if key[0] in kinds and (langs is None or key[1] in langs)
        )
        if not self._text or not spans or not vectors:
            return [[] for _ in vectors]
        dimension = self._matrix.shape[1]
        usable = [i for i, v in enumerate(vectors) if v.shape[0] == dimension]
        found: list[list[TextHit]] = [[] for _ in vectors]
        if not usable:
            return found
        # One query: a matrix-vector product; several: (rows x queries), the orientation
        # numpy's BLAS runs about 1.5x faster than (queries x rows).
        queries = (
            vectors[usable[0]] if len(usable) == 1 else np.stack([vectors[i] for i in usable], 1)
        )
        parts = []
        for (start, stop), key in spans:
            scores = _product(self._matrix[start:stop], queries).reshape(stop - start, len(usable))
            # Texts without a vector (hidden labels) are zero rows; they never count as near.
            scores[self._unvectored[key]] = -np.inf
            parts.append(scores)
        candidates = np.concatenate([np.arange(start, stop) for (start, stop), _ in spans])
        all_scores = np.concatenate(parts).T.copy()  # one contiguous row per query
        row_of_column = np.full(self._matrix.shape[0], -1, dtype=np.int64)
        row_of_column[candidates] = np.arange(candidates.size)
        self._last_cosines = {}
        for line, i in enumerate(usable):
            scores = all_scores[line]
            self._last_cosines[vectors[i].tobytes()] = (row_of_column, scores)
            if candidates.size > k:
                # Keep every row tied with the k-th score so the tie-break below is exact.
                kth = np.partition(scores, candidates.size - k)[candidates.size - k]
                keep = np.flatnonzero((scores >= kth) & np.isfinite(scores))
            else:
                keep = np.flatnonzero(np.isfinite(scores))
            hits = (self._hit(int(candidates[j]), float(scores[j])) for j in keep)
            found[i] = top_hits(hits, k)
        return found

    def table(
        self,
        vector: Vector | None,
        uris: Sequence[str],
        *,
        langs: frozenset[str] | None,
        query_terms: Sequence[str],
    ) -> TextTable:
        """Return the texts of ``uris`` (sorted IRIs) as a :class:`TextTable`."""
        self._rebuild()
        positions = np.array(
            [self._uri_index[u] for u in uris if u in self._uri_index], dtype=np.int64
        )
        rows = self._by_uri[_ranges(self._uri_starts[positions], self._uri_starts[positions + 1])]
        if langs is not None:
            wanted = [i for i, lang in enumerate(self._langs) if lang in langs]
            rows = rows[np.isin(self._lang_of_row[rows], wanted)]
        concepts, owner = np.unique(self._uri_of_row[rows], return_inverse=True)
        cosine = np.full(rows.size, np.nan)
        if vector is not None and vector.shape[0] == self._matrix.shape[1] and rows.size:
            with_vector = rows[self._has_vector[rows]]
            known = self._last_cosines.get(vector.tobytes())
            columns = known[0][with_vector] if known is not None else None
            if known is not None and columns is not None and (columns >= 0).all():
                cosine[self._has_vector[rows]] = known[1][columns]
            else:
                cosine[self._has_vector[rows]] = self._matrix[with_vector] @ vector
        starts, stops = self._term_offsets[rows], self._term_offsets[rows + 1]
        holds = np.zeros((rows.size, len(query_terms)), dtype=bool)
        if query_terms and rows.size:
            flat = self._term_ids[_ranges(starts, stops)]
            row_of_term = np.repeat(np.arange(rows.size), stops - starts)
            for j, term in enumerate(query_terms):
                term_id = self._vocab.get(term)
                if term_id is not None:
                    holds[row_of_term[flat == term_id], j] = True
        return TextTable(
            concepts=[self._uris[i] for i in concepts],
            owner=owner.astype(np.int64).reshape(-1),
            field=self._field[rows],
            langs=_Gathered(self._langs, self._lang_of_row[rows]),
            texts=_Gathered(self._text, rows),
            cosine=cosine,
            term_counts=stops - starts,
            holds=holds,
        )

    def scores(
        self, vector: Vector | None, uris: Sequence[str], *, langs: frozenset[str] | None
    ) -> list[TextHit]:
        """Return every text of ``uris`` with its cosine to ``vector`` (nan without a vector)."""
        return self.table(vector, uris, langs=langs, query_terms=()).hits()

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
        if uri in self._pending:
            return list(self._pending[uri])
        position = self._uri_index.get(uri)
        if position is None:
            return []
        rows = self._by_uri[self._uri_starts[position] : self._uri_starts[position + 1]]
        return [self._indexed_text(int(r)) for r in rows]

    # -- internals ---------------------------------------------------------------------------

    def _vocab_id(self, term: str) -> int:
        found = self._vocab.get(term)
        if found is None:
            found = self._vocab[term] = len(self._vocab_terms)
            self._vocab_terms.append(term)
        return found

    def _post(self, uri: str) -> None:
        postings = self._postings[self._kinds[uri]]
        for text in self.texts_of(uri):
            if text.field in LABEL_FIELDS:
                for term in text.terms:
                    postings[term].add(uri)

    def _unpost(self, uri: str) -> None:
        if uri not in self._kinds:
            return
        postings = self._postings[self._kinds[uri]]
        for text in self.texts_of(uri):
            if text.field in LABEL_FIELDS:
                for term in text.terms:
                    found = postings.get(term)
                    if found is not None:
                        found.discard(uri)

    def _hit(self, row: int, score: float) -> TextHit:
        return TextHit(
            uri=self._uris[self._uri_of_row[row]],
            field=TEXT_FIELDS[self._field[row]],
            lang=self._langs[self._lang_of_row[row]],
            text=self._text[row],
            score=score,
        )

    def _indexed_text(self, row: int) -> IndexedText:
        start, stop = self._term_offsets[row], self._term_offsets[row + 1]
        return IndexedText(
            uri=self._uris[self._uri_of_row[row]],
            field=TEXT_FIELDS[self._field[row]],
            lang=self._langs[self._lang_of_row[row]],
            text=self._text[row],
            terms=tuple(self._vocab_terms[i] for i in self._term_ids[start:stop]),
            vector=self._matrix[row].copy() if self._has_vector[row] else None,
        )

    def _rebuild(self) -> None:
        """Rebuild the columns from the current ones and the pending texts.

        Vectors are copied from two sources: the current matrix (0) and the pending texts (1).
        """
        if not self._dirty:
            return
        entries: list[_Entry] = []
        replaced = set(self._pending)
        for row, uri_id in enumerate(self._uri_of_row.tolist()):
            uri = self._uris[uri_id]
            if uri in replaced:
                continue
            start, stop = self._term_offsets[row], self._term_offsets[row + 1]
            entries.append(
                (
                    _KIND_CODE[self._kinds[uri]],
                    self._langs[self._lang_of_row[row]],
                    uri,
                    _FIELD_VALUES[self._field[row]],
                    self._text[row],
                    tuple(self._term_ids[start:stop].tolist()),
                    (0, row) if self._has_vector[row] else None,
                )
            )
        pending_vectors: list[Vector] = []
        for uri, texts in self._pending.items():
            for t in texts:
                where = None
                if t.vector is not None:
                    where = (1, len(pending_vectors))
                    pending_vectors.append(np.asarray(t.vector, dtype=np.float32))
                ids = tuple(self._vocab_id(term) for term in t.terms)
                kind = _KIND_CODE[self._kinds[uri]]
                entries.append((kind, t.lang, uri, t.field.value, t.text, ids, where))
        entries.sort(key=lambda e: (e[0], e[1], e[6] is None, e[2], e[3], e[4]))
        self._build_columns(entries, pending_vectors)
        self._pending = {}
        self._dirty = False

    def _set_blocks(self, kind_codes: IntArray, lang_codes: IntArray) -> None:
        """Record where each (kind, language) block of rows starts and stops."""
        kinds = list(NodeKind)
        self._blocks, self._unvectored = {}, {}
        keys = kind_codes * (len(self._langs) + 1) + lang_codes
        if not keys.size:
            return
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        stops = np.r_[starts[1:], keys.size]
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            key = (kinds[int(kind_codes[start])], self._langs[int(lang_codes[start])])
            # The rows with a vector come first: a search reads only those (a question's body,
            # indexed by its terms only, would double what a suggestion reads).
            vectored = self._has_vector[start:stop]
            count = int(vectored.sum())
            if vectored[:count].all():
                stop = start + count
            if stop > start:
                self._blocks[key] = (start, stop)
                self._unvectored[key] = np.flatnonzero(~self._has_vector[start:stop])

    def _build_columns(self, entries: Sequence[_Entry], pending_vectors: Sequence[Vector]) -> None:
        dims = {v.shape[0] for v in pending_vectors}
        if any(e[6] is not None and e[6][0] == 0 for e in entries):
            dims.add(self._matrix.shape[1])
        if len(dims) > 1:
            raise ValueError(f"indexed vectors of different dimensions: {sorted(dims)}")
        dimension = dims.pop() if dims else 0
        matrix = np.zeros((len(entries), dimension), dtype=np.float32)
        sources: dict[int, tuple[list[int], list[int]]] = {0: ([], []), 1: ([], [])}
        for row, entry in enumerate(entries):
            if entry[6] is not None:
                source, at = entry[6]
                sources[source][0].append(row)
                sources[source][1].append(at)
        for source, (targets, origins) in sources.items():
            for i in range(0, len(targets), _COPY_CHUNK):
                chunk = slice(i, i + _COPY_CHUNK)
                if source == 1:
                    matrix[targets[chunk]] = np.vstack([pending_vectors[j] for j in origins[chunk]])
                else:
                    matrix[targets[chunk]] = self._matrix[origins[chunk]]
        uris = sorted({e[2] for e in entries})
        uri_index = {u: i for i, u in enumerate(uris)}
        langs = sorted({e[1] for e in entries})
        lang_index = {lang: i for i, lang in enumerate(langs)}
        lengths = np.fromiter((len(e[5]) for e in entries), dtype=np.int64, count=len(entries))
        self._term_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self._term_ids = np.fromiter(
            (i for e in entries for i in e[5]), dtype=np.int32, count=int(lengths.sum())
        )
        self._uris, self._uri_index, self._langs = uris, uri_index, langs
        self._uri_of_row = np.fromiter((uri_index[e[2]] for e in entries), dtype=np.int64)
        self._lang_of_row = np.fromiter((lang_index[e[1]] for e in entries), dtype=np.int64)
        field_codes = (_FIELD_CODE[e[3]] for e in entries)
        self._field = np.fromiter(field_codes, dtype=np.int8, count=len(entries))
        self._text = [e[4] for e in entries]
        self._has_vector = np.fromiter((e[6] is not None for e in entries), dtype=bool)
        self._matrix = matrix
        kind_codes = np.fromiter((e[0] for e in entries), dtype=np.int64, count=len(entries))
        self._set_blocks(kind_codes, self._lang_of_row)
        self._last_cosines = {}
        # The same rows in (uri, field, lang, text) order, and where each uri's rows start.
        by_uri = sorted(
            range(len(entries)),
            key=lambda r: (entries[r][2], entries[r][3], entries[r][1], entries[r][4]),
        )
        self._by_uri = np.array(by_uri, dtype=np.int64)
        counts = np.bincount(self._uri_of_row, minlength=len(uris))
        self._uri_starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
