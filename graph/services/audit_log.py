"""Use case: read the audit log (administrators), oldest entry first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import audit
from graph.errors import CredwalkError
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.services import policy
from graph.store import GraphBatch, GraphStore, Record

__all__ = ["append_entry", "read_audit", "record_operation", "record_refusal"]


def read_audit(
    store: GraphStore,
    *,
    actor: Actor,
    since: str | None = None,
    who: str | None = None,
    outcome: str | None = None,
    limit: int = 100,
) -> list[tuple[str, dict[str, Any]]]:
    """Audit entries (IRI, body) at or after ``since``, by ``who``, with ``outcome``.

    ``outcome`` matches the start of an entry's outcome (``refused`` finds every refusal).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an administrator.
    """
    policy.require_admin(actor, action="read the audit log")
    where = {"actor": who} if who else {}
    found: list[tuple[str, dict[str, Any]]] = []
    for record in store.list_records(kind=NodeKind.AUDIT, where=where):
        body = dict(record.body)
        if since is not None and body["at"] < since:
            continue
        if outcome is not None and not body["outcome"].startswith(outcome):
            continue
        found.append((record.uri, body))
        if len(found) == limit:
            break
    return found


def record_refusal(store: GraphStore, error: CredwalkError) -> bool:
    """Write the refusal of the action under way to the log; whether there was one to write.

    Nothing is written when no edge declared who acts (the refusal then happened before the
    request said who it is).
    """
    context = audit.current()
    if context is None:
        return False
    append_entry(store, audit.refusal(context, code=error.code, message=error.message))
    return True


def record_operation(store: GraphStore, details: Mapping[str, Any]) -> bool:
    """Write one entry for the action under way as a whole (a backup, a restore).

    Returns whether one was written: only when an edge declared who acts.
    """
    context = audit.current()
    if context is None:
        return False
    append_entry(store, audit.entry(context, outcome="ok", details=details))
    return True


def append_entry(store: GraphStore, entry: audit.AuditEntry) -> None:
    """Write ``entry`` to the log on its own (a refusal, an operation made of many writes)."""
    record = Record(entry.uri, NodeKind.AUDIT, entry.body, entry.index)
    with audit.suspended():  # the entry is its own write, not a write to be audited
        store.write(GraphBatch(records=[record], expect={entry.uri: None}))
