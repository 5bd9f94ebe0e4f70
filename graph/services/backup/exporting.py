"""Use case: write everything a store holds to a dump (administrators).

The store is read a bounded part at a time (:meth:`~graph.store.GraphStore.dump`) and each
item written as it comes, so a dump of all of ESCO never sits in memory; the trailer counts
what was written. The store's counts are read before the items: where the backend has no
snapshot (Neo4j) and a write lands meanwhile, the items differ from them, and the export says
so instead of leaving a dump that may not restore (export while nobody writes).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graph.errors import ConflictError, InvalidInputError
from graph.model.accounts import Actor
from graph.model.imports import NullProgress, Progress
from graph.services import policy
from graph.services.audit_log import record_operation
from graph.services.backup.dump_format import (
    COUNTED,
    FORMAT,
    FORMAT_VERSION,
    DumpHeader,
    item_line,
    trailer_line,
)
from graph.store import GraphStore, StoreContents

__all__ = ["DumpSummary", "export_store", "write_dump"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DumpSummary:
    """What a dump holds, and what writing it took."""

    format: str
    format_version: int
    counts: dict[str, int]
    embedding_model: str | None
    dimension: int | None
    bytes: int
    sha256: str
    seconds: float


def export_store(
    store: GraphStore, out: IO[bytes], *, actor: Actor, progress: Progress | None = None
) -> DumpSummary:
    """Write a dump of ``store`` to ``out`` (see :mod:`~graph.services.backup.dump_format`).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an administrator.
    ConflictError
        When the store changed while it was read (what was written is incomplete).
    BackendUnavailableError
        When the store fails.
    """
    policy.require_admin(actor, action="export the store")
    started = time.perf_counter()
    digest = hashlib.sha256()
    size = 0

    def write(line: bytes) -> None:
        nonlocal size
        out.write(line)
        digest.update(line)
        size += len(line)

    items = store.dump()
    try:
        contents = next(items)
        if not isinstance(contents, StoreContents):  # the contract: the counts come first
            raise TypeError(f"a dump starts with its contents, not {type(contents).__name__}")
        header = DumpHeader.of(contents)
        write(header.line())
        tracker = progress or NullProgress()
        tracker.phase("export", _total(contents))
        written: Counter[str] = Counter()
        for item in items:
            kind, line = item_line(item)
            write(line)
            written[f"{kind}s"] += 1
            tracker.advance(1)
    finally:
        items.close()
    counts = {kind: written[kind] for kind in COUNTED}
    _check_complete(contents, counts)
    write(trailer_line(counts))
    summary = DumpSummary(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        counts=counts,
        embedding_model=header.embedding_model,
        dimension=header.dimension,
        bytes=size,
        sha256=digest.hexdigest(),
        seconds=round(time.perf_counter() - started, 3),
    )
    # Who took a copy of every password hash and learner's data is on record (once it is whole).
    record_operation(
        store,
        {"format": f"{FORMAT}/{FORMAT_VERSION}", "exported": counts, "sha256": summary.sha256},
    )
    logger.info("exported %s in %.1fs (%d bytes)", summary.counts, summary.seconds, size)
    return summary


def _total(contents: StoreContents) -> int:
    return sum(getattr(contents, kind) for kind in COUNTED)


def _check_complete(contents: StoreContents, written: dict[str, int]) -> None:
    """Raise if the items written are not what the store counted before they were read."""
    expected = {kind: getattr(contents, kind) for kind in COUNTED}
    if written != expected:
        raise ConflictError(
            "the store changed while it was exported: it counted "
            f"{expected} but {written} were read; export again while nobody writes",
            details={"expected": expected, "written": written},
        )


def write_dump(
    store: GraphStore, path: Path, *, actor: Actor, progress: Progress | None = None
) -> DumpSummary:
    """Write a dump of ``store`` to the file ``path``, whole or not at all.

    The dump holds every account's password hash and every learner's data: the file is
    readable by its owner only. It is written beside ``path`` and renamed over it once
    complete, so a failed export leaves no partial dump (and an earlier one stays).

    Raises
    ------
    InvalidInputError
        When the file cannot be written.
    """
    policy.require_admin(actor, action="export the store")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with _private_file(partial) as out:
            summary = export_store(store, out, actor=actor, progress=progress)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as e:
        raise InvalidInputError(f"cannot write {path}: {e}", details={"field": "file"}) from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return summary


@contextlib.contextmanager
def _private_file(path: Path) -> Iterator[IO[bytes]]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb", buffering=1 << 20) as out:
        yield out
