"""The audit log: who wrote what, when, and what was refused; append-only.

An edge (a route, a command) says who acts and what the action is for the time of one request
with :func:`acting`; every :meth:`~graph.store.GraphStore.write` made meanwhile carries one
audit entry in the same transaction, so a write is never without its entry and an entry never
without its write. A refusal is recorded on its own by :func:`refusal`. Entries are records of
kind ``audit`` whose IRIs sort in time order; they are created once and never changed.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.model.accounts import Actor
from graph.model.concepts import NodeKind

__all__ = ["AuditContext", "acting", "current", "entry", "refusal"]


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who acts, and in which action (``PUT /v1/credentials/{id}``, ``credwalk users create``)."""

    actor: Actor
    action: str


_CURRENT: ContextVar[AuditContext | None] = ContextVar("credwalk_audit", default=None)
_COUNTER = itertools.count()
_COUNTER_LOCK = threading.Lock()


def current() -> AuditContext | None:
    """The context of the action under way, if an edge declared one."""
    return _CURRENT.get()


@contextmanager
def acting(actor: Actor, action: str) -> Iterator[AuditContext]:
    """Declare who acts and how for the writes made inside the block."""
    context = AuditContext(actor, action)
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def set_current(actor: Actor, action: str) -> None:
    """Declare who acts for the rest of this context (a request's; it ends with the request)."""
    _CURRENT.set(AuditContext(actor, action))


def _uri(now: datetime) -> str:
    # Time first, so IRI order is time order; a process-wide counter keeps entries of the same
    # microsecond apart and in order.
    with _COUNTER_LOCK:
        n = next(_COUNTER)
    return f"urn:credwalk:audit:{now.strftime('%Y%m%dT%H%M%S%fZ')}:{n:012d}"


def entry(
    context: AuditContext,
    *,
    outcome: str,
    objects: Sequence[tuple[str, str]] = (),
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[str, NodeKind, dict[str, Any], dict[str, str | int | float | bool | None]]:
    """The IRI, kind, body and index of one audit entry (``objects``: (IRI, kind) written)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    at = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    actor = context.actor.user or "anonymous"
    body = {
        "at": at,
        "actor": actor,
        "actor_name": context.actor.name,
        "action": context.action,
        "outcome": outcome,
        "objects": [{"uri": uri, "kind": kind} for uri, kind in objects],
        "details": dict(details or {}),
    }
    index: dict[str, str | int | float | bool | None] = {
        "at": at,
        "actor": actor,
        "action": context.action,
        "outcome": outcome,
    }
    return _uri(moment), NodeKind.AUDIT, body, index


def refusal(context: AuditContext, *, code: str, message: str) -> tuple[Any, ...]:
    """An audit entry saying the action was refused (``code``: ``forbidden``, ...)."""
    return entry(context, outcome=f"refused: {code}", details={"message": message})
