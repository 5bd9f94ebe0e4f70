"""Use cases over learners: check, store (atomically), read, import assessment results.

A learner is stored as a record of kind ``learner`` (its document, with its jurisdictions as
index fields). Everything is checked before anything is written: skills must be skills of the
store, levels on the scale 1-8, jurisdictions known to the reference data; bad input changes
nothing. Credentials held may name credentials the store does not hold (yet): they are kept and
reported as unresolved, and count as soon as the credential is saved.

What a learner holds, for gap analysis and pathways, is :func:`held_skills`: each competence
scored by the rule of :mod:`graph.model.learners` at a date, plus the confirmed skills of the
credentials held (source ``credential``; a credential does not decay).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from graph.algorithms.gaps import Held
from graph.errors import ConflictError, InvalidInputError
from graph.model.accounts import Actor, ConsentScope
from graph.model.concepts import NodeKind
from graph.model.learner_documents import learner_from_document, learner_to_document
from graph.model.learners import (
    DEFAULT_RULE,
    LEVEL_SCALE,
    AssessmentResult,
    Competence,
    CompetenceRule,
    CompetenceSource,
    Learner,
    competence_score,
)
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.catalogue.credentials import get_credentials
from graph.services.learner_access import require_learner_reader
from graph.services.races import redo_on_race
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "SavedLearner",
    "check_learner",
    "create_learner",
    "declare_competence",
    "get_learner",
    "held_skills",
    "import_assessments",
    "learner_exists",
    "learner_record",
    "read_learner",
    "replace_learner",
    "save_learner",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SavedLearner:
    """A learner as stored, with the credentials it names that the store does not hold."""

    learner: Learner
    unresolved: tuple[str, ...]


def _fail(field: str, message: str, **details: object) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field, **details})


def _check_level(level: int | None, field: str) -> None:
    low, high = LEVEL_SCALE
    if level is not None and not low <= level <= high:
        raise _fail(field, f"{level} is outside the level scale {low}-{high}")


def _check_results(
    results: Sequence[AssessmentResult], skills: set[str], *, field: str = "assessments"
) -> None:
    for i, result in enumerate(results):
        if result.skill not in skills:
            raise _fail(f"{field}[{i}].skill", f"unknown skill {result.skill}", uri=result.skill)
        _check_level(result.level, f"{field}[{i}].level")
        if result.passed is None and result.score is None:
            raise _fail(f"{field}[{i}].passed", "a result needs passed or score")
        if result.score is not None and not 0.0 <= result.score <= 1.0:
            raise _fail(f"{field}[{i}].score", f"must be in [0, 1], got {result.score}")


def _known_skills(store: GraphStore, uris: Iterable[str]) -> set[str]:
    return {
        uri for uri, concept in store.get_concepts(uris).items() if concept.kind is NodeKind.SKILL
    }


def check_learner(store: GraphStore, learner: Learner, *, reference: ReferenceData) -> Learner:
    """Return the learner with normalised jurisdiction codes, or raise naming the field.

    Raises
    ------
    InvalidInputError
        An id that is not an IRI, an unknown jurisdiction or skill, a level outside 1-8, an
        assessment result without a result or with a score outside [0, 1].
    """
    if ":" not in learner.id or any(ch.isspace() for ch in learner.id):
        raise _fail("id", f"must be an IRI (urn:example:learner:42), got {learner.id!r}")
    wanted = {c.skill for c in learner.competences} | {a.skill for a in learner.assessments}
    skills = _known_skills(store, wanted)
    for i, competence in enumerate(learner.competences):
        if competence.skill not in skills:
            raise _fail(
                f"competences[{i}].skill", f"unknown skill {competence.skill}", uri=competence.skill
            )
        _check_level(competence.level, f"competences[{i}].level")
    _check_results(learner.assessments, skills)
    return replace(
        learner,
        jurisdiction=(
            reference.jurisdiction(learner.jurisdiction, field="jurisdiction")
            if learner.jurisdiction
            else None
        ),
        target_jurisdiction=(
            reference.jurisdiction(learner.target_jurisdiction, field="target_jurisdiction")
            if learner.target_jurisdiction
            else None
        ),
        credentials=tuple(dict.fromkeys(learner.credentials)),
    )


def learner_record(learner: Learner) -> Record:
    """The record of a learner, with the fields stores filter on."""
    return Record(
        uri=learner.id,
        kind=NodeKind.LEARNER,
        body=learner_to_document(learner),
        index={
            "jurisdiction": learner.jurisdiction,
            "target_jurisdiction": learner.target_jurisdiction,
        },
    )


def _write(store: GraphStore, learner: Learner, *, expect: int | None) -> SavedLearner:
    store.write(GraphBatch(records=[learner_record(learner)], expect={learner.id: expect}))
    held = set(learner.credentials)
    unresolved = tuple(sorted(held - set(store.get_records(held, kind=NodeKind.CREDENTIAL))))
    if unresolved:
        logger.info("learner %s holds %d credentials not in the store", learner.id, len(unresolved))
    return SavedLearner(learner, unresolved)


def create_learner(
    store: GraphStore, learner: Learner, *, actor: Actor, reference: ReferenceData
) -> SavedLearner:
    """Check and store a new learner (the learner themself, or an administrator).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the user bound to this learner record.
    InvalidInputError
        See :func:`check_learner`; nothing is written.
    ConflictError
        When the IRI already names a node (a learner or anything else).
    """
    policy.require_learner_owner(actor, learner.id, action="create this learner")
    _require_recorded_results(actor, learner, stored=Learner(id=learner.id))
    checked = check_learner(store, learner, reference=reference)
    if not store.missing_nodes([checked.id]):
        raise ConflictError(
            f"{checked.id} already exists; use PUT to replace a learner",
            details={"field": "id", "uri": checked.id},
        )
    try:
        return _write(store, checked, expect=None)
    except ConflictError as e:  # created by another request meanwhile
        raise ConflictError(
            f"{checked.id} already exists; use PUT to replace a learner",
            details={"field": "id", "uri": checked.id},
        ) from e


def replace_learner(
    store: GraphStore,
    learner: Learner,
    *,
    actor: Actor,
    reference: ReferenceData,
    if_match: int | None = None,
) -> SavedLearner:
    """Check and store a learner in place of the stored one (the learner themself).

    The write is conditional on ``if_match`` (the version the client read, from an HTTP
    ``If-Match``), else on the version read here.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the user bound to this learner record.
    InvalidInputError
        See :func:`check_learner`; nothing is written.
    NotFoundError
        When there is no such learner.
    StaleVersionError
        When the stored learner is not at version ``if_match``; nothing is written.
    """
    policy.require_learner_owner(actor, learner.id, action="replace this learner")
    current = store.get_record(learner.id, kind=NodeKind.LEARNER)
    stored = learner_from_document(current.body)
    if not learner.assessments:  # a record sent without its results keeps them
        learner = replace(learner, assessments=stored.assessments).rederived()
    if not _tested(learner):  # and without its test scores keeps them too
        learner = replace(learner, competences=(*learner.competences, *_tested(stored)))
    _require_recorded_results(actor, learner, stored=stored)
    checked = check_learner(store, learner, reference=reference)
    return _write(store, checked, expect=if_match if if_match is not None else current.version)


def _tested(learner: Learner) -> list[Competence]:
    return [c for c in learner.competences if c.source is CompetenceSource.ONBOARDING_TEST]


def _require_recorded_results(actor: Actor, learner: Learner, *, stored: Learner) -> None:
    """Refuse assessment results or onboarding test scores a learner writes into their record.

    Results are what assessors recorded (:func:`import_assessments`, as themselves), test scores
    what credwalk's onboarding tests measured; a learner may send their record back with them
    unchanged, but not add, change or drop one. An administrator may (moving records between
    systems).
    """
    if actor.is_admin:
        return
    if tuple(learner.assessments) == tuple(stored.assessments) and _tested(learner) == _tested(
        stored
    ):
        return
    raise InvalidInputError(
        "assessments: results are recorded by assessors "
        "(POST /v1/learners/{id}/assessments); send them unchanged or leave them out",
        details={"field": "assessments"},
    )


def save_learner(
    store: GraphStore, learner: Learner, *, actor: Actor, reference: ReferenceData
) -> SavedLearner:
    """Create or replace a learner (the CLI's ``learner save``).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the user bound to this learner record.
    InvalidInputError
        See :func:`check_learner`; nothing is written.
    ConflictError
        When the IRI names a node that is not a learner.
    """
    if learner_exists(store, learner.id):
        return replace_learner(store, learner, actor=actor, reference=reference)
    return create_learner(store, learner, actor=actor, reference=reference)


def declare_competence(
    store: GraphStore,
    learner_id: str,
    *,
    skill: str,
    level: int | None,
    actor: Actor,
    reference: ReferenceData,
    today: dt.date | None = None,
) -> SavedLearner:
    """Add or change the learner's self-declared competence in ``skill`` (the learner themself).

    A self-declared competence of the same skill is replaced; competences of other sources stay.
    The record is created when the learner has none yet.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the user bound to this learner record.
    InvalidInputError
        An unknown skill (field ``skill``), a level outside 1-8 (field ``level``); nothing is
        written.
    StaleVersionError
        When the record changed between reading and writing; nothing is written.
    """
    policy.require_learner_owner(actor, learner_id, action="declare a competence")
    if not _known_skills(store, [skill]):
        raise _fail("skill", f"unknown skill {skill!r}: pick one from the suggestions", uri=skill)
    _check_level(level, "level")
    declared = Competence(skill, level, CompetenceSource.SELF_DECLARED, today or dt.date.today())
    if not learner_exists(store, learner_id):
        fresh = Learner(id=learner_id, competences=(declared,))
        return create_learner(store, fresh, actor=actor, reference=reference)
    current, version = read_learner(store, learner_id, actor=actor)
    kept = tuple(
        c
        for c in current.competences
        if not (c.source is CompetenceSource.SELF_DECLARED and c.skill == skill)
    )
    changed = replace(current, competences=(*kept, declared))
    return replace_learner(store, changed, actor=actor, reference=reference, if_match=version)


def learner_exists(store: GraphStore, uri: str) -> bool:
    """Whether the store holds the learner record ``uri``."""
    return bool(store.get_records([uri], kind=NodeKind.LEARNER))


def get_learner(
    store: GraphStore,
    learner_id: str,
    *,
    actor: Actor,
    scope: ConsentScope = ConsentScope.COMPETENCES,
) -> Learner:
    """Return the learner ``learner_id``, to whoever may see ``scope`` of their data.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner, an administrator, or a user with the learner's active
        consent for ``scope``.
    NotFoundError
        When there is no such learner.
    """
    return read_learner(store, learner_id, actor=actor, scope=scope)[0]


def read_learner(
    store: GraphStore,
    learner_id: str,
    *,
    actor: Actor,
    scope: ConsentScope = ConsentScope.COMPETENCES,
) -> tuple[Learner, int]:
    """The learner and its stored version (its HTTP ``ETag``), as :func:`get_learner` rules."""
    require_learner_reader(
        store,
        actor,
        learner_id,
        scope=scope,
        action=f"see this learner's {scope.value}",
    )
    record = store.get_record(learner_id, kind=NodeKind.LEARNER)
    return learner_from_document(record.body), record.version or 1


def import_assessments(
    store: GraphStore,
    learner_id: str,
    results: Sequence[AssessmentResult],
    *,
    actor: Actor,
    rule: CompetenceRule = DEFAULT_RULE,
) -> Learner:
    """Add assessment results to a learner and re-derive its assessed competences.

    Results come from assessors (and administrators); each is recorded as the acting user's,
    whatever assessor it named. Imports made at once all land: each is redone on what the
    others wrote.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but an assessor or an administrator.
    NotFoundError
        When there is no such learner.
    InvalidInputError
        An unknown skill, a level outside 1-8, a result without a result; nothing is written.
    """
    by = policy.require_assessor_role(actor, action="import assessment results")
    if not results:
        raise _fail("results", "at least one assessment result is needed")
    _check_results(results, _known_skills(store, {r.skill for r in results}), field="results")
    mine = [replace(r, assessor=by) for r in results]

    def attempt() -> Learner:
        record = store.get_record(learner_id, kind=NodeKind.LEARNER)
        updated = learner_from_document(record.body).with_assessments(mine, rule=rule)
        store.write(
            GraphBatch(records=[learner_record(updated)], expect={learner_id: record.version})
        )
        return updated

    updated = redo_on_race(attempt)
    logger.info("learner %s: %d assessment results imported", learner_id, len(results))
    return updated


def held_skills(
    store: GraphStore,
    learner: Learner,
    *,
    as_of: dt.date | None = None,
    rule: CompetenceRule = DEFAULT_RULE,
) -> list[Held]:
    """What the learner holds: scored competences and the skills of credentials held.

    Scores follow the rule of :mod:`graph.model.learners` at ``as_of`` (default today).
    """
    when = as_of or dt.date.today()
    held = [
        Held(
            skill=c.skill,
            score=competence_score(c, as_of=when, rule=rule),
            source=c.source.value,
            evidence=c.evidence,
        )
        for c in learner.competences
    ]
    for uri, credential in sorted(get_credentials(store, learner.credentials).items()):
        held += [
            Held(s.uri, None if s.level is None else float(s.level), "credential", uri)
            for s in credential.confirmed_skills
        ]
    return held
