"""A learner's own data: all of it in one document, and its erasure.

What credwalk holds about a learner: their record (competences, assessment results,
credentials held), the consents they gave, their submissions with the evidence and every
assessment of them, and the Proofs of Competence issued to them. The learner (or an
administrator) downloads it as one JSON document, and may have it erased.

Erasure deletes all of it in one write. A proof already issued is the learner's own signed
document: the copies they hold keep verifying, because the status list keeps its entry (the
entry names the proof's IRI, nothing about the person); whether a proof was revoked stays what
it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.services import policy
from graph.store import GraphBatch, GraphStore, Record

__all__ = ["erase_learner", "learner_data"]


def _records(store: GraphStore, learner: str) -> dict[str, list[Record]]:
    """Every record about the learner, by part (see the module's docstring)."""
    submissions = store.list_records(
        kind=NodeKind.SUBMISSION, where={"record": "submission", "learner": learner}
    )
    related: list[Record] = []
    for submission in submissions:
        for part in ("assessment", "routing"):
            related += store.list_records(
                kind=NodeKind.SUBMISSION, where={"record": part, "submission": submission.uri}
            )
    return {
        "learner": list(store.get_records([learner], kind=NodeKind.LEARNER).values()),
        "consents": store.list_records(
            kind=NodeKind.ACCOUNT, where={"record": "consent", "learner": learner}
        ),
        "submissions": submissions,
        "assessments": [r for r in related if r.index.get("record") == "assessment"],
        "routing": [r for r in related if r.index.get("record") == "routing"],
        "proofs": store.list_records(
            kind=NodeKind.PROOF, where={"record": "proof", "learner": learner}
        ),
    }


def learner_data(
    store: GraphStore, learner: str, *, actor: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Everything credwalk holds about ``learner``, as one JSON document.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner themself (or an administrator).
    """
    policy.require_learner_owner(actor, learner, action="download this learner's data")
    parts = _records(store, learner)
    learner_records = parts.pop("learner")
    return {
        "learner": learner,
        "exported_at": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "record": dict(learner_records[0].body) if learner_records else None,
        **{name: [dict(r.body) for r in records] for name, records in parts.items()},
    }


def erase_learner(store: GraphStore, learner: str, *, actor: Actor) -> dict[str, int]:
    """Delete everything credwalk holds about ``learner``, in one write; what was deleted.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner themself (or an administrator).
    """
    policy.require_learner_owner(actor, learner, action="erase this learner's data")
    parts = _records(store, learner)
    uris = [r.uri for records in parts.values() for r in records]
    if uris:
        store.write(GraphBatch(delete_records=uris))
    return {name: len(records) for name, records in parts.items()}
