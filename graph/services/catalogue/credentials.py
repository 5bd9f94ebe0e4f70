"""Use cases over issuers and credentials: validate, store (atomically), read, list.

A credential is stored as a record (its document, with index fields for filtering) plus edges:
``certifies_skill`` to each skill (level, review status), ``issued_by``, ``requires_credential``,
``requires_skill`` and ``stacks_into``. Saving replaces those edges, so the graph always matches
the document. Everything in one call is checked first and written as one batch: bad input
changes nothing, and a credential that was accepted before stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.model.credential_documents import (
    credential_from_document,
    credential_to_document,
    issuer_from_document,
    issuer_to_document,
)
from graph.model.credentials import Credential, Issuer
from graph.proofs.issuer_keys import check_issuer_keys
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.races import redo_on_race
from graph.store import Direction, GraphBatch, GraphStore, Record

__all__ = [
    "CREDENTIAL_EDGES",
    "SaveReport",
    "credential_record",
    "credential_relations",
    "credential_version",
    "credentials_certifying",
    "delete_credential",
    "get_credential",
    "get_credentials",
    "get_issuer",
    "issuer_record",
    "issuer_version",
    "list_credentials",
    "list_issuers",
    "save_catalogue",
    "update_credential",
]

logger = logging.getLogger(__name__)

#: Edges a credential owns: saving it replaces them.
CREDENTIAL_EDGES = frozenset(
    {
        RelationType.CERTIFIES_SKILL,
        RelationType.ISSUED_BY,
        RelationType.REQUIRES_CREDENTIAL,
        RelationType.REQUIRES_SKILL,
        RelationType.STACKS_INTO,
    }
)


@dataclass(frozen=True, slots=True)
class SaveReport:
    """What a save wrote.

    ``unresolved`` are credential IRIs named as prerequisites or stacking targets that are not
    in the graph (kept in the document, without an edge).
    """

    issuers: tuple[str, ...]
    credentials: tuple[str, ...]
    unresolved: tuple[str, ...]


def _scale(credential: Credential) -> tuple[int, int]:
    low, _, high = credential.level_scale.partition("-")
    try:
        return int(low), int(high)
    except ValueError as e:
        raise InvalidInputError(
            f"{credential.id}: level_scale must look like '1-8', got {credential.level_scale!r}",
            details={"credential": credential.id, "field": "level_scale"},
        ) from e


def _check_credential(
    credential: Credential,
    *,
    issuers: Mapping[str, Issuer],
    skills: set[str],
    reference: ReferenceData | None,
) -> Credential:
    """Return the credential with normalised codes, or raise naming the field."""

    def fail(field: str, message: str, **details: object) -> InvalidInputError:
        return InvalidInputError(
            f"credential {credential.id}: {field}: {message}",
            details={"credential": credential.id, "field": field, **details},
        )

    if credential.issuer not in issuers:
        raise fail("issuer", f"unknown issuer {credential.issuer!r}; save the issuer first")
    low, high = _scale(credential)
    for i, skill in enumerate(credential.skills):
        if skill.uri not in skills:
            raise fail(f"skills[{i}].uri", f"unknown skill {skill.uri}", uri=skill.uri)
        if skill.level is not None and not low <= skill.level <= high:
            raise fail(f"skills[{i}].level", f"{skill.level} is outside the scale {low}-{high}")
    for i, prerequisite in enumerate(credential.prerequisites):
        if prerequisite.skill is not None and prerequisite.skill not in skills:
            raise fail(f"prerequisites[{i}].skill", f"unknown skill {prerequisite.skill}")
        if prerequisite.level is not None and not low <= prerequisite.level <= high:
            raise fail(f"prerequisites[{i}].level", f"outside the scale {low}-{high}")
    if credential.credits is not None and credential.credits.value < 0:
        raise fail("credits.value", "must not be negative")
    if credential.cost is not None and credential.cost.amount < 0:
        raise fail("cost.amount", "must not be negative")
    if credential.hours is not None and credential.hours < 0:
        raise fail("hours", "must not be negative")
    if reference is None:
        return credential
    for i, level in enumerate(credential.levels):
        reference.level(level, field=f"credential {credential.id}: levels[{i}]")
    return replace(
        credential,
        jurisdiction=(
            reference.jurisdiction(credential.jurisdiction, field="jurisdiction")
            if credential.jurisdiction
            else None
        ),
        recognized_in=tuple(
            reference.jurisdiction(code, field=f"recognized_in[{i}]")
            for i, code in enumerate(credential.recognized_in)
        ),
    )


def _eqf(credential: Credential, reference: ReferenceData | None) -> int | None:
    if reference is None:
        return credential.eqf_level()
    for level in credential.levels:
        found = reference.eqf_level(level)
        if found is not None:
            return found
    return None


def credential_record(
    credential: Credential, issuer: Issuer, *, reference: ReferenceData | None = None
) -> Record:
    """The record of a credential, with the fields stores filter on."""
    eqf = _eqf(credential, reference)
    return Record(
        uri=credential.id,
        kind=NodeKind.CREDENTIAL,
        body=credential_to_document(credential),
        index={
            "issuer": credential.issuer,
            "issuer_type": issuer.type.value,
            "jurisdiction": credential.jurisdiction,
            "type": credential.type,
            "industry": credential.industry,
            "field_of_study": credential.field_of_study,
            "language": credential.language,
            "eqf_level": eqf,
        },
    )


def issuer_record(issuer: Issuer) -> Record:
    """The record of an issuer."""
    return Record(
        uri=issuer.id,
        kind=NodeKind.ISSUER,
        body=issuer_to_document(issuer),
        index={"type": issuer.type.value, "jurisdiction": issuer.jurisdiction},
    )


def credential_relations(credential: Credential, known: set[str]) -> list[Relation]:
    """The edges a credential owns; links to credentials outside ``known`` are left out."""
    edges = [Relation(credential.id, RelationType.ISSUED_BY, credential.issuer)]
    edges += [
        Relation(
            credential.id,
            RelationType.CERTIFIES_SKILL,
            skill.uri,
            level=skill.level,
            status=skill.status.value,
            weight=skill.score,
        )
        for skill in credential.skills
    ]
    for prerequisite in credential.prerequisites:
        if prerequisite.credential is not None and prerequisite.credential in known:
            edges.append(
                Relation(credential.id, RelationType.REQUIRES_CREDENTIAL, prerequisite.credential)
            )
        if prerequisite.skill is not None:
            edges.append(
                Relation(
                    credential.id,
                    RelationType.REQUIRES_SKILL,
                    prerequisite.skill,
                    level=prerequisite.level,
                )
            )
    edges += [
        Relation(credential.id, RelationType.STACKS_INTO, target)
        for target in credential.stacks_into
        if target in known and target != credential.id
    ]
    # One edge per (source, type, target): a skill listed twice keeps its last entry.
    return list({r.key: r for r in edges}.values())


def save_catalogue(
    store: GraphStore,
    *,
    actor: Actor,
    issuers: Sequence[Issuer] = (),
    credentials: Sequence[Credential] = (),
    reference: ReferenceData | None = None,
    if_match: Mapping[str, int] | None = None,
) -> SaveReport:
    """Check and save issuers and credentials as one batch (create or replace).

    The actor must be staff of every issuer written and of every credential's issuer, before
    and after the save (a credential cannot be moved to or from another issuer). The batch is
    conditional on the versions read: a save racing another one is redone on what the other
    wrote. ``if_match`` (IRI -> version, from an HTTP ``If-Match``) is not redone: a record at
    another version refuses the save.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is not staff of an issuer concerned; nothing is written.
    InvalidInputError
        For an unknown issuer or skill, a level outside its scale or framework, an unknown
        jurisdiction, a negative amount; ``details`` name the credential and the field. Nothing
        is written.
    StaleVersionError
        When a record of ``if_match`` has another version; nothing is written.
    """

    def attempt() -> SaveReport:
        return _save_once(
            store,
            actor=actor,
            issuers=issuers,
            credentials=credentials,
            reference=reference,
            if_match=if_match or {},
        )

    if if_match:
        return attempt()
    # A StaleVersionError, or a credential created meanwhile: redone on what is there now.
    return redo_on_race(attempt, races=ConflictError)


def _owners(
    store: GraphStore, credentials: Sequence[Credential]
) -> tuple[set[str], dict[str, int]]:
    """The issuers of the stored versions of ``credentials``, and those versions."""
    stored = store.get_records([c.id for c in credentials], kind=NodeKind.CREDENTIAL)
    owners = {str(r.body["issuer"]) for r in stored.values()}
    return owners, {uri: r.version or 1 for uri, r in stored.items()}


def _save_once(
    store: GraphStore,
    *,
    actor: Actor,
    issuers: Sequence[Issuer],
    credentials: Sequence[Credential],
    reference: ReferenceData | None,
    if_match: Mapping[str, int],
) -> SaveReport:
    owners, versions = _owners(store, credentials)
    policy.require_issuer_staff(
        actor,
        {i.id for i in issuers} | {c.issuer for c in credentials} | owners,
        action="write these issuers and credentials",
    )
    expect: dict[str, int | None] = {c.id: versions.get(c.id) for c in credentials}
    expect.update(if_match)
    checked_issuers = [_checked_issuer(i, reference) for i in issuers]
    known_issuers = _known_issuers(store, checked_issuers, credentials)
    skills = _known_skills(store, credentials)
    checked = [
        _check_credential(c, issuers=known_issuers, skills=skills, reference=reference)
        for c in credentials
    ]
    ids = [c.id for c in checked]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidInputError(
            f"credential {duplicates[0]} appears more than once in one save",
            details={"credential": duplicates[0], "field": "id"},
        )
    linked = {p.credential for c in checked for p in c.prerequisites if p.credential}
    linked |= {t for c in checked for t in c.stacks_into}
    known = set(ids) | (linked - store.missing_nodes(linked - set(ids)))
    existing = set(ids) - store.missing_nodes(ids)
    stale = [
        r.key
        for c in checked
        if c.id in existing
        for r in store.relations(c.id, types=CREDENTIAL_EDGES)
    ]
    batch = GraphBatch(
        records=[issuer_record(i) for i in checked_issuers]
        + [credential_record(c, known_issuers[c.issuer], reference=reference) for c in checked],
        delete_relations=stale,
        relations=[r for c in checked for r in credential_relations(c, known)],
        expect=expect,
    )
    store.write(batch)
    unresolved = tuple(sorted(linked - known))
    if unresolved:
        logger.info("saved credentials name %d credentials not in the graph", len(unresolved))
    return SaveReport(
        issuers=tuple(i.id for i in checked_issuers), credentials=tuple(ids), unresolved=unresolved
    )


def _checked_issuer(issuer: Issuer, reference: ReferenceData | None) -> Issuer:
    check_issuer_keys(issuer)
    if reference is not None and issuer.jurisdiction:
        return replace(issuer, jurisdiction=reference.jurisdiction(issuer.jurisdiction))
    return issuer


def _known_issuers(
    store: GraphStore, issuers: Sequence[Issuer], credentials: Sequence[Credential]
) -> dict[str, Issuer]:
    """The issuers being saved, and the stored issuers the credentials name."""
    known = {i.id: i for i in issuers}
    wanted = {c.issuer for c in credentials} - set(known)
    for record in store.get_records(wanted, kind=NodeKind.ISSUER).values():
        issuer = issuer_from_document(record.body)
        known[issuer.id] = issuer
    return known


def _known_skills(store: GraphStore, credentials: Sequence[Credential]) -> set[str]:
    """The skills the credentials name (certified or required) that the store holds."""
    uris = {s.uri for c in credentials for s in c.skills}
    uris |= {p.skill for c in credentials for p in c.prerequisites if p.skill}
    return {u for u, concept in store.get_concepts(uris).items() if concept.kind is NodeKind.SKILL}


def get_credential(store: GraphStore, credential_id: str) -> Credential:
    """Return the credential ``credential_id``.

    Raises
    ------
    NotFoundError
        When there is no such credential.
    """
    return credential_from_document(store.get_record(credential_id, kind=NodeKind.CREDENTIAL).body)


def update_credential(
    store: GraphStore,
    credential_id: str,
    change: Callable[[Credential], Credential],
    *,
    actor: Actor,
    reference: ReferenceData | None = None,
) -> Credential:
    """Apply ``change`` to the stored credential and save it; redone if another writer won.

    The save is conditional on the version ``change`` read, so two changes made at once (two
    decisions on one credential) both land, one after the other.

    Raises
    ------
    NotFoundError
        When there is no such credential.
    UnauthenticatedError, ForbiddenError
        For anyone but its issuer's staff.
    """

    def attempt() -> Credential:
        record = store.get_record(credential_id, kind=NodeKind.CREDENTIAL)
        updated = change(credential_from_document(record.body))
        save_catalogue(
            store,
            actor=actor,
            credentials=[updated],
            reference=reference,
            if_match={credential_id: record.version or 1},
        )
        return updated

    return redo_on_race(attempt)


def credential_version(store: GraphStore, credential_id: str) -> int:
    """The stored version of credential ``credential_id`` (its HTTP ``ETag``).

    Raises
    ------
    NotFoundError
        When there is no such credential.
    """
    return _version(store, credential_id, NodeKind.CREDENTIAL)


def issuer_version(store: GraphStore, issuer_id: str) -> int:
    """The stored version of issuer ``issuer_id`` (its HTTP ``ETag``); see above."""
    return _version(store, issuer_id, NodeKind.ISSUER)


def _version(store: GraphStore, iri: str, kind: NodeKind) -> int:
    # Records written before versions existed read as version 1.
    return store.get_record(iri, kind=kind).version or 1


def delete_credential(
    store: GraphStore, credential_id: str, *, actor: Actor, if_match: int | None = None
) -> Credential:
    """Delete a credential with its edges (its issuer's staff); proofs issued for it remain.

    Raises
    ------
    NotFoundError
        When there is no such credential.
    UnauthenticatedError, ForbiddenError
        For anyone but its issuer's staff.
    StaleVersionError
        When ``if_match`` is not the stored version.
    """
    record = store.get_record(credential_id, kind=NodeKind.CREDENTIAL)
    credential = credential_from_document(record.body)
    policy.require_issuer_staff(actor, [credential.issuer], action="delete this credential")
    expect = {credential_id: if_match if if_match is not None else record.version}
    store.write(GraphBatch(delete_records=[credential_id], expect=expect))
    return credential


def get_credentials(store: GraphStore, ids: Iterable[str]) -> dict[str, Credential]:
    """Return the credentials among ``ids`` that exist."""
    return {
        uri: credential_from_document(record.body)
        for uri, record in store.get_records(ids, kind=NodeKind.CREDENTIAL).items()
    }


def list_credentials(
    store: GraphStore, *, where: Mapping[str, str | int | float | bool] | None = None
) -> list[Credential]:
    """Return the credentials whose index fields equal ``where``, in IRI order.

    Index fields: issuer, issuer_type, jurisdiction, type, industry, field_of_study, language,
    eqf_level.
    """
    return [
        credential_from_document(r.body)
        for r in store.list_records(kind=NodeKind.CREDENTIAL, where=where)
    ]


def get_issuer(store: GraphStore, issuer_id: str) -> Issuer:
    """Return the issuer ``issuer_id``.

    Raises
    ------
    NotFoundError
        When there is no such issuer.
    """
    return issuer_from_document(store.get_record(issuer_id, kind=NodeKind.ISSUER).body)


def list_issuers(
    store: GraphStore, *, where: Mapping[str, str | int | float | bool] | None = None
) -> list[Issuer]:
    """Return the issuers whose index fields (type, jurisdiction) equal ``where``."""
    return [
        issuer_from_document(r.body) for r in store.list_records(kind=NodeKind.ISSUER, where=where)
    ]


def credentials_certifying(store: GraphStore, skill_uri: str) -> list[str]:
    """Return the IRIs of credentials that certify ``skill_uri`` (any review state)."""
    if store.missing_nodes([skill_uri]):
        raise NotFoundError(f"no skill {skill_uri}", details={"uri": skill_uri})
    return sorted(
        r.source
        for r in store.relations(
            skill_uri, direction=Direction.IN, types=[RelationType.CERTIFIES_SKILL]
        )
    )
