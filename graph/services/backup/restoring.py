"""Use case: restore a dump into an empty store (administrators), checked whole before written.

Two passes over the file. The first reads every line and checks everything the file says:
each line's fields, the order of the kinds, that every text belongs to a concept of the dump
and every relation joins two of its nodes, that no IRI and no relation comes twice, and the
trailer's counts (a truncated file has no trailer, or other counts). It keeps only IRIs and
a digest per relation, never the items, so checking all of ESCO takes tens of megabytes.
Nothing is written unless all of it is right.

The second pass reads the file again and writes it in bounded batches
(``GraphBatch(restore=True)``): records keep their versions, so ETags and ``If-Match`` go on
working, and no batch carries an audit entry; the restore is one entry of the log, written
last (the dump's own entries come back as records). The store must be empty: a restore adds
to nothing. If a write fails part of the way, the store is emptied again, and the error says
what had been written. A dump read from a stream
(standard input) is first copied to a private temporary file, as it is read twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from graph.errors import ConflictError, CredwalkError, InvalidInputError
from graph.model.accounts import Actor
from graph.model.assembly import Answer, Question, answer_from_document, question_from_document
from graph.model.concepts import Concept, ConceptScheme, NodeKind, Relation
from graph.model.imports import NullProgress, Progress
from graph.services import policy
from graph.services.assembly.indexing import index_posts
from graph.services.audit_log import record_operation
from graph.services.backup.dump_format import (
    COUNTED,
    END,
    FORMAT,
    ITEM_KINDS,
    DumpHeader,
    bad_line,
    is_trailer,
    parse_header,
    parse_item,
    parse_trailer,
    read_documents,
)
from graph.store import DumpItem, GraphBatch, GraphStore, IndexedText, Record

__all__ = ["CheckedDump", "RestoreSummary", "check_dump", "import_dump"]

logger = logging.getLogger(__name__)

#: Items per write, by kind. Texts carry their vectors (1.5 KiB each with 384 dimensions).
_POSTS_AT_ONCE = 5_000  # posts indexed again per write after a restore
_BATCH_SIZES = {"scheme": 1_000, "concept": 1_000, "text": 2_000, "record": 500, "relation": 10_000}


@dataclass(frozen=True, slots=True)
class CheckedDump:
    """A dump whose every line was checked: header, trailer's counts, digest, length in lines."""

    header: DumpHeader
    counts: dict[str, int]
    sha256: str
    lines: int


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    """What a restore wrote."""

    format: str
    format_version: int
    counts: dict[str, int]
    embedding_model: str | None
    dimension: int | None
    sha256: str
    seconds: float


def import_dump(
    store: GraphStore,
    source: Path | IO[bytes],
    *,
    actor: Actor,
    progress: Progress | None = None,
) -> RestoreSummary:
    """Restore the dump ``source`` into ``store``, which must be empty; all of it or nothing.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an administrator.
    InvalidInputError
        When the dump is wrong (naming the line, the field and what was expected), or its
        vectors cannot go into this store; nothing is written.
    ConflictError
        When the store is not empty; nothing is written.
    BackendUnavailableError
        When the store fails part of the way; it is emptied again where it still answers.
    """
    policy.require_admin(actor, action="import a dump into the store")
    started = time.perf_counter()
    tracker = progress or NullProgress()
    _require_empty(store)  # before reading a large file; again once it is checked
    with _as_file(source) as path:
        checked = check_dump(path, progress=tracker)
        _check_target(store, checked.header)
        _restore(store, path, checked, tracker)
    header = checked.header
    summary = RestoreSummary(
        format=FORMAT,
        format_version=header.format_version,
        counts=dict(checked.counts),
        embedding_model=header.embedding_model,
        dimension=header.dimension,
        sha256=checked.sha256,
        seconds=round(time.perf_counter() - started, 3),
    )
    _audit(store, summary)
    logger.info("imported %s in %.1fs", summary.counts, summary.seconds)
    return summary


@contextlib.contextmanager
def _as_file(source: Path | IO[bytes]) -> Iterator[Path]:
    """``source`` as a file that can be read twice (a stream is copied to a private one)."""
    if isinstance(source, Path):
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="credwalk-import-") as folder:
        path = Path(folder) / "dump.jsonl"
        with path.open("wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        yield path


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[IO[bytes]]:
    try:
        with path.open("rb") as stream:
            yield stream
    except OSError as e:
        raise InvalidInputError(f"cannot read {path}: {e}", details={"field": "file"}) from e


# -- the first pass: everything checked ------------------------------------------------------


def check_dump(path: Path, *, progress: Progress | None = None) -> CheckedDump:
    """Read the whole dump at ``path`` and check everything it says; write nothing.

    Raises
    ------
    InvalidInputError
        At the first thing wrong, naming its line, its field and what was expected.
    """
    digest = hashlib.sha256()
    tracker = progress or NullProgress()
    with _opened(path) as stream:
        documents = read_documents(stream, on_line=digest.update)
        first = next(documents, None)
        if first is None:
            raise bad_line(1, "is missing: the file is empty; expected the header of a dump")
        header = parse_header(first[1])
        tracker.phase("check", None)
        contents = _Contents(header)
        last, counts = 1, None
        for last, document in documents:
            if counts is not None:
                raise bad_line(last, f"follows the end line ({last - 1}); nothing may follow it")
            if is_trailer(document):
                counts = parse_trailer(last, document)
                continue
            kind, item = parse_item(last, document, header)
            contents.add(last, kind, item)
            tracker.advance(1)
        contents.finish(last, counts)
    return CheckedDump(header, contents.counts, digest.hexdigest(), last)


class _Contents:
    """What the first pass keeps of a dump to check it whole: IRIs and relation digests."""

    def __init__(self, header: DumpHeader) -> None:
        self._header = header
        self._position = 0
        self._counts: Counter[str] = Counter()
        self._schemes: set[str] = set()
        self._concepts: set[str] = set()
        self._records: set[str] = set()
        self._texts_done: set[str] = set()
        self._text_uri: str | None = None
        self._relations: set[bytes] = set()

    def add(self, number: int, kind: str, item: DumpItem) -> None:
        """Check ``item`` (line ``number``) against the lines before it."""
        self._in_order(number, kind)
        self._counts[f"{kind}s"] += 1
        if isinstance(item, ConceptScheme):
            self._new(number, "scheme", item.uri, self._schemes)
        elif isinstance(item, Concept):
            self._new(number, "concept", item.uri, self._concepts)
        elif isinstance(item, IndexedText):
            self._text(number, item)
        elif isinstance(item, Record):
            self._new(number, "record", item.uri, self._concepts, self._records)
        elif isinstance(item, Relation):
            self._relation(number, item)

    def _in_order(self, number: int, kind: str) -> None:
        position = ITEM_KINDS.index(kind)
        if position < self._position:
            raise bad_line(
                number,
                f"a {kind} after the {ITEM_KINDS[self._position]}s: a dump lists "
                f"{', '.join(f'{k}s' for k in ITEM_KINDS)}, in that order",
                field="item",
            )
        self._position = position

    @staticmethod
    def _new(number: int, kind: str, uri: str, *taken: set[str]) -> None:
        if any(uri in seen for seen in taken):
            raise bad_line(
                number, f"{kind} field 'uri': {uri} is listed twice", item=kind, field="uri"
            )
        taken[-1].add(uri)

    def _text(self, number: int, text: IndexedText) -> None:
        if text.uri not in self._concepts:
            raise bad_line(
                number,
                f"text field 'uri': expected the IRI of a concept of the dump, got {text.uri}",
                item="text",
                field="uri",
            )
        if text.uri != self._text_uri:
            if text.uri in self._texts_done:
                raise bad_line(
                    number,
                    f"text field 'uri': the texts of {text.uri} are not on consecutive lines",
                    item="text",
                    field="uri",
                )
            if self._text_uri is not None:
                self._texts_done.add(self._text_uri)
            self._text_uri = text.uri

    def _relation(self, number: int, relation: Relation) -> None:
        for name, uri in (("source", relation.source), ("target", relation.target)):
            if uri not in self._concepts and uri not in self._records:
                raise bad_line(
                    number,
                    f"relation field {name!r}: expected the IRI of a concept or record of the "
                    f"dump, got {uri}",
                    item="relation",
                    field=name,
                )
        key = hashlib.blake2b("\0".join(relation.key).encode(), digest_size=16).digest()
        if key in self._relations:
            raise bad_line(
                number,
                f"the relation {relation.source} {relation.type.value} {relation.target} "
                "is listed twice",
                item="relation",
            )
        self._relations.add(key)

    @property
    def counts(self) -> dict[str, int]:
        """The items seen, by kind (``"concepts"``, ...)."""
        return {kind: self._counts[kind] for kind in COUNTED}

    def finish(self, last: int, expected: dict[str, int] | None) -> None:
        """Check the dump ended with its trailer (line ``last``), counting what it holds."""
        if expected is None:
            raise bad_line(
                last,
                'the dump ends here without its end line ({"item": "end", ...}): '
                "the file is truncated",
                field="item",
                expected=END,
            )
        found = self.counts
        if found != expected:
            short = [k for k in found if found[k] != expected[k]]
            raise bad_line(
                last,
                f"the dump holds {', '.join(f'{found[k]} {k}' for k in short)} where its end "
                f"line counts {', '.join(f'{expected[k]} {k}' for k in short)}: lines are "
                "missing or were added",
                field="counts",
                expected=expected,
                found=found,
            )


# -- the second pass: written ----------------------------------------------------------------


def _check_target(store: GraphStore, header: DumpHeader) -> None:
    """Make sure ``store`` can take the dump whole before writing anything."""
    shared = store.shared_vector_dimension()
    if header.dimension is not None and shared not in (None, header.dimension):
        raise InvalidInputError(
            f"the dump's vectors have {header.dimension} dimensions; this store takes only "
            f"vectors of {shared} (its backend's vector indexes are shared by every store of "
            "its database): import it into a store of another database",
            details={"field": "dimension", "expected": shared, "found": header.dimension},
        )
    _require_empty(store)


def _require_empty(store: GraphStore) -> None:
    if not store.is_empty():
        raise ConflictError(
            "the store is not empty: a dump is imported into an empty store only "
            "(a new store file, or a Neo4j namespace of its own)",
            details={"field": "store"},
        )


def _restore(store: GraphStore, path: Path, checked: CheckedDump, tracker: Progress) -> None:
    header = checked.header
    written: Counter[str] = Counter()
    digest = hashlib.sha256()
    tracker.phase("import", sum(checked.counts.values()))
    try:
        with _opened(path) as stream:
            documents = read_documents(stream, on_line=digest.update)
            next(documents)  # the header, read by the first pass
            items = (
                parse_item(number, document, header)
                for number, document in documents
                if not is_trailer(document)
            )
            for kind, batch, size in _batches(items, header):
                store.write(batch)
                written[f"{kind}s"] += size
                tracker.advance(size)
        if digest.hexdigest() != checked.sha256:
            raise InvalidInputError(
                "the file changed while it was imported", details={"field": "file"}
            )
        _index_posts(store)
    except BaseException as e:
        failure = _undone(store, e, written)
        if failure is e:
            raise
        raise failure from e


def _index_posts(store: GraphStore) -> None:
    """Index the restored questions and answers again (a dump holds no post's texts).

    By their terms: a restore has no embedder; :func:`index_posts` with one adds the vectors.
    """
    for kind, parse in (
        (NodeKind.QUESTION, question_from_document),
        (NodeKind.ANSWER, answer_from_document),
    ):
        posts: list[Question | Answer] = [parse(r.body) for r in store.list_records(kind=kind)]
        for start in range(0, len(posts), _POSTS_AT_ONCE):
            index_posts(store, None, posts[start : start + _POSTS_AT_ONCE])


def _batches(
    items: Iterable[tuple[str, DumpItem]], header: DumpHeader
) -> Iterator[tuple[str, GraphBatch, int]]:
    """Restore batches of one kind each, of at most about ``_BATCH_SIZES`` items."""
    kind = ""
    pending: list[DumpItem] = []
    for next_kind, item in items:
        if pending and (next_kind != kind or _full(kind, pending, item)):
            yield kind, _batch(kind, pending, header), len(pending)
            pending = []
        kind = next_kind
        pending.append(item)
    if pending:
        yield kind, _batch(kind, pending, header), len(pending)


def _full(kind: str, pending: list[DumpItem], item: DumpItem) -> bool:
    if len(pending) < _BATCH_SIZES[kind]:
        return False
    # A batch's texts of a concept replace all the texts it has: one concept's go together.
    last = pending[-1]
    return not (
        isinstance(item, IndexedText) and isinstance(last, IndexedText) and item.uri == last.uri
    )


def _batch(kind: str, items: list[DumpItem], header: DumpHeader) -> GraphBatch:
    if kind == "scheme":
        return GraphBatch(schemes=cast(list[ConceptScheme], items), restore=True)
    if kind == "concept":
        return GraphBatch(concepts=cast(list[Concept], items), restore=True)
    if kind == "text":
        texts = cast(list[IndexedText], items)
        return GraphBatch(texts=texts, embedding_model=header.embedding_model, restore=True)
    if kind == "record":
        return GraphBatch(records=cast(list[Record], items), restore=True)
    return GraphBatch(relations=cast(list[Relation], items), restore=True)


def _undone(store: GraphStore, error: BaseException, written: Counter[str]) -> BaseException:
    """Empty the store again after a failed restore; the error saying what happened."""
    try:
        store.clear()
        emptied = True
    except CredwalkError as e:
        logger.error("could not empty the store after a failed import: %s", e)
        emptied = False
    if not isinstance(error, CredwalkError):
        return error
    done = ", ".join(f"{n} {kind}" for kind, n in written.items()) or "nothing"
    outcome = (
        "the store was emptied again"
        if emptied
        else "they are still in the store: delete it and import into a new one"
    )
    return type(error)(
        f"the import stopped after writing {done}: {error.message}; {outcome}",
        details={**error.details, "written": dict(written), "emptied": emptied},
    )


def _audit(store: GraphStore, summary: RestoreSummary) -> None:
    """The restore's one entry of the audit log, when an edge declared who acts."""
    details = {
        "format": f"{summary.format}/{summary.format_version}",
        "restored": summary.counts,
        "sha256": summary.sha256,
    }
    record_operation(store, details)
