"""The audit log: who wrote what, when, and what was refused; append-only.

An edge (a route, a command) says who acts and what the action is for the time of one request
with :func:`acting`; every :meth:`~graph.store.GraphStore.write` made meanwhile carries one
audit entry in the same transaction, so a write is never without its entry and an entry never
without its write. A refusal is recorded on its own by :func:`refusal`. Entries are records of
kind ``audit`` whose IRIs sort in time order; they are created once and never changed.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.model.accounts import Actor

__all__ = [
    "AuditContext",
    "AuditEntry",
    "acting",
    "current",
    "entry",
    "refusal",
    "set_current",
    "suspended",
]


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who acts, and in which action (``PUT /v1/credentials/{id}``, ``credwalk users create``)."""

    actor: Actor
    action: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the log: its IRI (time-ordered), its document and its index fields."""

    uri: str
    body: dict[str, Any]
    index: dict[str, str | int | float | bool | None]


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


@contextmanager
def suspended() -> Iterator[None]:
    """Writes made inside the block carry no audit entry (the log's own writes)."""
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def set_current(actor: Actor, action: str) -> None:
    """Declare who acts for the rest of this context (a request's; it ends with the request)."""
    _CURRENT.set(AuditContext(actor, action))


#: This process among the others writing to the same store (``credwalk serve --workers N``):
#: two processes' counters meet, so without it two entries of one microsecond had one IRI and
#: the second overwrote the first.
_PROCESS = secrets.token_hex(4)


def _new_process_token() -> None:
    global _PROCESS  # a forked child is another process: it draws its own
    _PROCESS = secrets.token_hex(4)


os.register_at_fork(after_in_child=_new_process_token)


def _uri(now: datetime) -> str:
    # Time first, so IRI order is time order; a process-wide counter keeps entries of the same
    # microsecond apart and in order, and the process's token apart from other processes'.
    with _COUNTER_LOCK:
        n = next(_COUNTER)
    return f"urn:credwalk:audit:{now.strftime('%Y%m%dT%H%M%S%fZ')}:{n:012d}:{_PROCESS}"


def entry(
    context: AuditContext,
    *,
    outcome: str,
    objects: Sequence[tuple[str, str]] = (),
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """One audit entry of the context's action (``objects``: (IRI, kind) written)."""
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
    return AuditEntry(_uri(moment), body, index)


def refusal(context: AuditContext, *, code: str, message: str) -> AuditEntry:
    """An audit entry saying the action was refused (``code``: ``forbidden``, ...)."""
    return entry(context, outcome=f"refused: {code}", details={"message": message})
