"""Recognition decisions: what an authority has declared a credential to be worth, and where.

A decision is data (DESIGN.md: every decision is data): an authority recognises a credential
fully, partially or with conditions, in a jurisdiction (the direction runs from the
credential's jurisdiction to that one), possibly toward a credential of its own, with the
credits it grants and the period it is valid for, recorded by someone at a time. Decisions are
stored as records of kind ``recognition`` and are never edited: a changed decision is a new one
that ``supersedes`` the old. Computed equivalence is shown beside them and never replaces them.

A decision that contradicts one already recorded (same authority, credential, jurisdiction and
target, overlapping validity, a different outcome, credit or conditions) is rejected with the
reason, unless it says it supersedes that one.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor, Role
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.model.credentials import Credential, Credits
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.catalogue.credentials import get_credential
from graph.services.races import redo_on_race
from graph.store import Direction, GraphBatch, GraphStore, Record, guard

__all__ = [
    "CREDIT_UNITS",
    "RecognitionDecision",
    "RecognitionOutcome",
    "authorities_of",
    "decision_from_document",
    "decision_status",
    "decision_to_document",
    "decisions_for",
    "get_decision",
    "list_decisions",
    "record_decision",
    "transfer_value_profile",
]

logger = logging.getLogger(__name__)

CREDIT_UNITS = ("ECTS", "credit_hours", "notional_hours")
#: Status of the edge from a decision to the credential it recognises toward.
_TOWARD = "toward"


class RecognitionOutcome(StrEnum):
    """What an authority recognised: all of the credential, part of it, or all under conditions."""

    FULL = "full"
    PARTIAL = "partial"
    CONDITIONAL = "conditional"


@dataclass(frozen=True, slots=True)
class RecognitionDecision:
    """A recognition decision an authority has made.

    ``from_jurisdiction`` is where the credential was awarded (its own jurisdiction when not
    given) and ``to_jurisdiction`` where it is recognised; ``target`` the credential it is
    recognised toward or as, if any. ``decided_by``/``decided_at`` say who recorded it and when;
    ``source`` links the published decision.
    """

    id: str
    authority: str
    credential: str
    outcome: RecognitionOutcome
    to_jurisdiction: str
    decided_by: str
    decided_at: str
    authority_name: str | None = None
    from_jurisdiction: str | None = None
    target: str | None = None
    credits: Credits | None = None
    conditions: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    source: str | None = None
    note: str | None = None
    supersedes: str | None = None

    def substance(self) -> tuple[object, ...]:
        """What the decision says (outcome, credits, conditions), for contradiction checks."""
        credits = None if self.credits is None else (self.credits.value, self.credits.unit)
        return (self.outcome, credits, tuple(sorted(self.conditions)))


def decision_to_document(decision: RecognitionDecision) -> dict[str, Any]:
    """Return the decision as a JSON-serialisable document."""
    d = decision
    document: dict[str, Any] = {
        "id": d.id,
        "authority": d.authority,
        "authority_name": d.authority_name,
        "credential": d.credential,
        "outcome": d.outcome.value,
        "from_jurisdiction": d.from_jurisdiction,
        "to_jurisdiction": d.to_jurisdiction,
        "target": d.target,
        "credits": None
        if d.credits is None
        else {"value": d.credits.value, "unit": d.credits.unit},
        "conditions": list(d.conditions),
        "valid_from": d.valid_from,
        "valid_until": d.valid_until,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at,
        "source": d.source,
        "note": d.note,
        "supersedes": d.supersedes,
    }
    return {k: v for k, v in document.items() if v not in (None, [])}


def decision_from_document(document: Mapping[str, Any]) -> RecognitionDecision:
    """Build a decision from its document (as written by :func:`decision_to_document`)."""
    d = document
    credits = d.get("credits")
    return RecognitionDecision(
        id=d["id"],
        authority=d["authority"],
        authority_name=d.get("authority_name"),
        credential=d["credential"],
        outcome=RecognitionOutcome(d["outcome"]),
        from_jurisdiction=d.get("from_jurisdiction"),
        to_jurisdiction=d["to_jurisdiction"],
        target=d.get("target"),
        credits=(
            Credits(float(credits["value"]), str(credits.get("unit", "ECTS"))) if credits else None
        ),
        conditions=tuple(d.get("conditions", ())),
        valid_from=d.get("valid_from"),
        valid_until=d.get("valid_until"),
        decided_by=d["decided_by"],
        decided_at=d["decided_at"],
        source=d.get("source"),
        note=d.get("note"),
        supersedes=d.get("supersedes"),
    )


def _invalid(field: str, message: str, **details: object) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field, **details})


def _date(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError as e:
        raise _invalid(field, f"{value!r} is not an ISO 8601 date") from e


def _check(
    decision: RecognitionDecision, credential: Credential, reference: ReferenceData
) -> RecognitionDecision:
    """Return the decision with normalised codes and dates, or raise naming the field."""
    if "://" not in decision.authority and not decision.authority.startswith("urn:"):
        raise _invalid("authority", "must be an IRI (https://... or urn:...)")
    if not decision.decided_by.strip():
        raise _invalid("decided_by", "say who recorded the decision")
    has_conditions = any(c.strip() for c in decision.conditions)
    if decision.outcome is RecognitionOutcome.CONDITIONAL and not has_conditions:
        raise _invalid("conditions", "a conditional recognition must state its conditions")
    if decision.outcome is not RecognitionOutcome.CONDITIONAL and has_conditions:
        raise _invalid("outcome", "a recognition with conditions must have outcome 'conditional'")
    if decision.credits is not None:
        if decision.credits.unit not in CREDIT_UNITS:
            raise _invalid("credits.unit", f"must be one of {', '.join(CREDIT_UNITS)}")
        if decision.credits.value < 0:
            raise _invalid("credits.value", "must not be negative")
        own = credential.credits
        if own and own.unit == decision.credits.unit and decision.credits.value > own.value:
            raise _invalid(
                "credits.value",
                f"grants {decision.credits.value:g} {own.unit} but the credential carries "
                f"only {own.value:g}",
            )
    valid_from = _date(decision.valid_from, "valid_from")
    valid_until = _date(decision.valid_until, "valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise _invalid("valid_until", "ends before valid_from")
    origin = decision.from_jurisdiction or credential.jurisdiction
    return replace(
        decision,
        to_jurisdiction=reference.jurisdiction(decision.to_jurisdiction, field="to_jurisdiction"),
        from_jurisdiction=(
            reference.jurisdiction(origin, field="from_jurisdiction") if origin else None
        ),
        conditions=tuple(c.strip() for c in decision.conditions if c.strip()),
        valid_from=valid_from,
        valid_until=valid_until,
        decided_at=decision.decided_at or datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _overlap(a: RecognitionDecision, b: RecognitionDecision) -> bool:
    start = max(a.valid_from or "0000-01-01", b.valid_from or "0000-01-01")
    end = min(a.valid_until or "9999-12-31", b.valid_until or "9999-12-31")
    return start <= end


def _describe(decision: RecognitionDecision) -> str:
    credits = (
        f", {decision.credits.value:g} {decision.credits.unit} granted" if decision.credits else ""
    )
    period = f"{decision.valid_from or 'open start'} to {decision.valid_until or 'open end'}"
    return f"{decision.outcome.value} recognition{credits}, valid {period} ({decision.id})"


def _decision_id(decision: RecognitionDecision, base_iri: str) -> str:
    key = {k: v for k, v in decision_to_document(decision).items() if k not in ("id", "decided_at")}
    name = json.dumps(key, sort_keys=True, ensure_ascii=False)
    return f"{base_iri.rstrip('/')}/recognition/{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def record_decision(
    store: GraphStore,
    decision: RecognitionDecision,
    *,
    actor: Actor,
    reference: ReferenceData,
    base_iri: str,
) -> RecognitionDecision:
    """Check and store a recognition decision of the actor's authority; return it as stored.

    The decision is recorded as made by the acting user (``decided_by``), whatever it said.
    An empty ``id`` gets one derived from the decision's content, so recording the same decision
    twice stores it once; decisions of one authority on one credential are checked against each
    other and written one after the other, so two made at once cannot contradict each other.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an advisor of the decision's authority.
    NotFoundError
        The credential, the target credential or the superseded decision does not exist.
    InvalidInputError
        A field is malformed; ``details["field"]`` names it.
    ConflictError
        The decision contradicts or duplicates one already recorded, or reuses the id of a
        different decision; ``details["existing"]`` names it.
    """
    by = policy.require_user(actor, action="record a recognition decision")
    policy.require_advisor(actor, decision.authority, action="record a decision of this authority")
    decision = replace(decision, decided_by=by)
    try:
        return redo_on_race(
            lambda: _record_once(store, decision, reference=reference, base_iri=base_iri),
            races=_RaceLostError,
        )
    except _RaceLostError as lost:
        raise lost.error from None


class _RaceLostError(Exception):
    """Another decision of the authority on the credential was written between read and write."""

    def __init__(self, error: ConflictError) -> None:
        super().__init__(str(error))
        self.error = error


def _record_once(
    store: GraphStore, decision: RecognitionDecision, *, reference: ReferenceData, base_iri: str
) -> RecognitionDecision:
    credential = get_credential(store, decision.credential)
    if decision.target is not None:
        get_credential(store, decision.target)
    checked = _check(decision, credential, reference)
    if not checked.id:
        checked = replace(checked, id=_decision_id(checked, base_iri))
    lock, lock_version = guard(store, f"recognition|{checked.authority}|{checked.credential}")
    existing = store.get_records([checked.id], kind=NodeKind.RECOGNITION).get(checked.id)
    if existing is not None:
        stored = decision_from_document(existing.body)
        if replace(stored, decided_at="") == replace(checked, decided_at=""):
            return stored
        raise ConflictError(
            f"decision {checked.id} is already recorded with other content; decisions are never "
            "edited: record a new decision that supersedes it",
            details={"existing": checked.id},
        )
    _check_against_others(store, checked)
    record = Record(
        uri=checked.id,
        kind=NodeKind.RECOGNITION,
        body=decision_to_document(checked),
        index={
            "credential": checked.credential,
            "authority": checked.authority,
            "to_jurisdiction": checked.to_jurisdiction,
            "target": checked.target,
            "outcome": checked.outcome.value,
        },
    )
    # Edges from the decision to its credentials make "decisions about X" an indexed lookup.
    edges = [Relation(checked.id, RelationType.RECOGNISES, checked.credential)]
    if checked.target is not None:
        edges.append(Relation(checked.id, RelationType.RECOGNISES, checked.target, status=_TOWARD))
    try:
        store.write(
            GraphBatch(
                records=[record, lock],
                relations=edges,
                expect={checked.id: None, lock.uri: lock_version},
            )
        )
    except ConflictError as e:  # redone: the next attempt sees what the other writer wrote
        raise _RaceLostError(e) from e
    logger.info("recorded recognition decision %s", checked.id)
    return checked


def _check_against_others(store: GraphStore, checked: RecognitionDecision) -> None:
    """Refuse a decision that duplicates or contradicts one of its authority in force.

    Raises
    ------
    NotFoundError
        When it supersedes a decision the authority has not recorded about the credential.
    ConflictError
        When it duplicates or contradicts a decision in force.
    """
    others = list_decisions(store, credential=checked.credential, authority=checked.authority)
    if checked.supersedes is not None and checked.supersedes not in {d.id for d in others}:
        raise NotFoundError(
            f"supersedes: {checked.authority} has recorded no decision {checked.supersedes} "
            f"about {checked.credential}",
            details={"field": "supersedes", "uri": checked.supersedes},
        )
    # A decision already superseded by a later one is no longer in force: nothing contradicts it.
    replaced = {d.supersedes for d in others if d.supersedes} | {checked.supersedes}
    for other in others:
        if (
            other.id in replaced
            or other.to_jurisdiction != checked.to_jurisdiction
            or other.target != checked.target
            or not _overlap(other, checked)
        ):
            continue
        same = other.substance() == checked.substance()
        reason = "duplicates" if same else "contradicts"
        raise ConflictError(
            f"this decision {reason} {_describe(other)} by the same authority for the same "
            f"credential in {checked.to_jurisdiction}; record it with supersedes={other.id} "
            "to replace that decision",
            details={"existing": other.id, "reason": reason},
        )


def authorities_of(actor: Actor) -> list[str]:
    """The authorities the actor records decisions for: an advisor's own, in IRI order.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who advises no authority (an administrator records
        decisions of a named authority through :func:`record_decision`).
    """
    action = "record a recognition decision"
    policy.require_user(actor, action=action)
    found = sorted(actor.objects(Role.ADVISOR))
    if not found:
        raise policy.refusal(actor, action, "acts for no recognition authority")
    return found


def get_decision(store: GraphStore, decision_id: str) -> RecognitionDecision:
    """Return one decision; NotFoundError when there is none with that id."""
    return decision_from_document(store.get_record(decision_id, kind=NodeKind.RECOGNITION).body)


def list_decisions(
    store: GraphStore,
    *,
    credential: str | None = None,
    authority: str | None = None,
    to_jurisdiction: str | None = None,
) -> list[RecognitionDecision]:
    """Return the decisions matching the filters, in id order."""
    where: dict[str, str | int | float | bool] = {}
    for key, value in (
        ("credential", credential),
        ("authority", authority),
        ("to_jurisdiction", to_jurisdiction),
    ):
        if value is not None:
            where[key] = value
    return [
        decision_from_document(r.body)
        for r in store.list_records(kind=NodeKind.RECOGNITION, where=where)
    ]


def decisions_for(store: GraphStore, credentials: Iterable[str]) -> list[RecognitionDecision]:
    """Return the decisions about any of ``credentials`` (recognised, or recognised toward)."""
    # One read for all of them (a read per credential was two round trips each on Neo4j).
    edges = store.relations_of(credentials, direction=Direction.IN, types=[RelationType.RECOGNISES])
    ids = {edge.source for found in edges.values() for edge in found}
    records = store.get_records(ids, kind=NodeKind.RECOGNITION)
    return [decision_from_document(records[k].body) for k in sorted(records)]


def decision_status(
    decision: RecognitionDecision,
    *,
    on: str | None = None,
    superseded: Iterable[str] = (),
) -> str:
    """Return ``current``, ``expired``, ``future`` or ``superseded`` on the date ``on`` (today).

    Examples
    --------
    >>> d = RecognitionDecision("d", "https://a", "https://c", RecognitionOutcome.FULL, "IE",
    ...                         "me", "2026-01-01", valid_until="2026-06-30")
    >>> decision_status(d, on="2026-03-01"), decision_status(d, on="2026-07-01")
    ('current', 'expired')
    """
    if decision.id in set(superseded):
        return "superseded"
    today = on or datetime.now(UTC).date().isoformat()
    if decision.valid_from and today < decision.valid_from:
        return "future"
    if decision.valid_until and today > decision.valid_until:
        return "expired"
    return "current"


#: The JSON-LD context the Credential Registry's schema requires of a TransferValueProfile.
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"


def transfer_value_profile(
    decision: RecognitionDecision, credential: Credential, *, lang: str = "en"
) -> dict[str, Any]:
    """Return the decision as a CTDL ``ceterms:TransferValueProfile`` (JSON-LD).

    The credential is the transfer value's source (``ceterms:transferValueFrom``), the target
    credential its destination (``ceterms:transferValueFor``) and the authority its owner; the
    CTID is derived from the decision's IRI, so exporting twice gives the same document.
    """
    d = decision
    who = d.authority_name or d.authority
    direction = f"from {d.from_jurisdiction} " if d.from_jurisdiction else ""
    conditions = f" Conditions: {'; '.join(d.conditions)}." if d.conditions else ""
    granted = f" {d.credits.value:g} {d.credits.unit} granted." if d.credits else ""
    summary = (
        f"{who} recognises {credential.title} ({d.outcome.value} recognition) "
        f"{direction}in {d.to_jurisdiction}.{granted}{conditions}"
    )
    profile: dict[str, Any] = {
        "@context": CTDL_CONTEXT,
        "@id": d.id,
        "@type": "ceterms:TransferValueProfile",
        "ceterms:ctid": f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, d.id)}",
        "ceterms:name": {lang: f"Recognition of {credential.title} by {who}"},
        "ceterms:description": {lang: summary + (f" {d.note}" if d.note else "")},
        "ceterms:ownedBy": [d.authority],
        "ceterms:transferValueFrom": [d.credential],
        "ceterms:assessmentMethodDescription": {
            lang: f"Recognition decision of {who}, recorded by {d.decided_by} on "
            f"{d.decided_at}: {d.outcome.value} recognition.{conditions}"
        },
        "ceterms:learningMethodDescription": {
            lang: f"The learning certified by {credential.title} ({credential.id})."
        },
        "ceterms:identifier": [d.id],
    }
    if d.target:
        profile["ceterms:transferValueFor"] = [d.target]
    if d.credits is not None:
        profile["ceterms:transferValue"] = [
            {
                "@type": "schema:QuantitativeValue",
                "schema:value": d.credits.value,
                "schema:unitText": d.credits.unit,
            }
        ]
    if d.valid_from:
        profile["ceterms:startDate"] = d.valid_from
    if d.valid_until:
        profile["ceterms:endDate"] = d.valid_until
    if d.source and "://" in d.source:
        profile["ceterms:subjectWebpage"] = d.source
    return profile
