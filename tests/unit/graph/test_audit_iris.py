"""Audit entry IRIs stay apart across processes writing one store (``serve --workers N``)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from graph import audit
from graph.model.accounts import ANONYMOUS


def _entry_in_child(moment: datetime) -> str:
    """The IRI of an entry made at ``moment`` by a forked child (its counter where ours is)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one entry, its IRI to the parent, gone
        os.close(read)
        uri = audit.entry(audit.AuditContext(ANONYMOUS, "child"), outcome="ok", now=moment).uri
        os.write(write, uri.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        uri = pipe.read().decode()
    os.waitpid(pid, 0)
    return uri


def test_two_processes_never_make_one_iri() -> None:
    moment = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    # The child's counter starts where ours stands: the same time, the same count.
    theirs = _entry_in_child(moment)
    ours = audit.entry(audit.AuditContext(ANONYMOUS, "parent"), outcome="ok", now=moment).uri
    assert theirs.rsplit(":", 1)[0] == ours.rsplit(":", 1)[0]
    assert theirs != ours


def test_iris_of_one_process_are_in_time_order() -> None:
    context = audit.AuditContext(ANONYMOUS, "ordered")
    earlier = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    later = datetime(2026, 12, 7, 12, 0, 0, 1, tzinfo=UTC)
    first, second = (audit.entry(context, outcome="ok", now=m).uri for m in (earlier, earlier))
    assert first < second  # one microsecond: the counter orders them
    assert second < audit.entry(context, outcome="ok", now=later).uri
