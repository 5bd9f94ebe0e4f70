"""Use cases of submissions: declare a panel, submit, route, assess, read the status.

Everything is stored as records of :attr:`NodeKind.SUBMISSION`, told apart by the index field
``record``:

- ``panel`` — a credential's assessment panel and issuing rule (one per credential, replaced
  when declared again; the credential model is not changed for it);
- ``submission`` — the learner's evidence and a snapshot of the panel it was routed to;
- ``routing`` — one per (submission, assessor): the assessor's inbox, listable by assessor;
- ``assessment`` — one per recorded assessment, never overwritten: an assessor assessing
  again adds a newer one, and the latest counts.

Assessments being records of their own means two assessors recording at the same moment never
overwrite each other; a submission's status is recomputed from them on every read. Each use
case checks everything first and writes one batch: bad input stores nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor, ConsentScope, Role
from graph.model.concepts import NodeKind
from graph.model.credentials import Credential
from graph.model.submission_documents import (
    assessment_from_document,
    assessment_to_document,
    panel_from_document,
    panel_to_document,
    submission_from_document,
    submission_to_document,
)
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    AssessmentPanel,
    Assessor,
    Evidence,
    IssuingRule,
    SkillResult,
    SkillTarget,
    Submission,
    SubmissionStatus,
    SubmissionView,
    evaluate_rule,
    is_absolute_iri,
    submission_status,
)
from graph.services import policy
from graph.services.catalogue.credentials import get_credential
from graph.services.learner_access import require_learner_reader
from graph.services.proofs.submission_checks import check_assessment, check_evidence, check_panel
from graph.services.races import redo_on_race
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "declare_panel",
    "get_panel",
    "get_submission",
    "list_submissions",
    "read_panel",
    "record_assessment",
    "require_submission_reader",
    "submission_iri",
    "submission_record",
    "submission_view",
    "submit",
    "timestamp",
]

logger = logging.getLogger(__name__)


def timestamp(now: datetime | None = None) -> str:
    """Return ``now`` (default: the current time) in UTC, to the microsecond, with ``Z``.

    Microseconds order two assessments recorded in the same second.

    Examples
    --------
    >>> timestamp(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    '2026-01-02T03:04:05.000006Z'
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _iri(kind: str, ref: str, base_iri: str) -> str:
    # Callers may name a record by its IRI or by the short id the API shows.
    return ref if ":" in ref else f"{base_iri}/{kind}/{ref}"


def submission_iri(ref: str, *, base_iri: str) -> str:
    """The IRI of submission ``ref`` (an IRI, or the short id at the end of one)."""
    return _iri("submission", ref, base_iri)


def _panel_iri(credential: str, base_iri: str) -> str:
    return f"{base_iri}/assessment-panel/{uuid.uuid5(uuid.NAMESPACE_URL, credential)}"


def _routing_iri(submission: str, assessor: str, base_iri: str) -> str:
    key = f"{submission} {assessor}"
    return f"{base_iri}/routing/{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


def _credential(store: GraphStore, credential: str) -> Credential:
    try:
        return get_credential(store, credential)
    except NotFoundError:
        raise InvalidInputError(
            f"credential: no credential {credential} in the catalogue",
            details={"field": "credential", "uri": credential},
        ) from None


def _scale(credential: Credential) -> tuple[int, int]:
    low, _, high = credential.level_scale.partition("-")
    return int(low), int(high)


def declare_panel(
    store: GraphStore,
    *,
    actor: Actor,
    credential: str,
    assessors: Sequence[Assessor],
    rule: IssuingRule,
    base_iri: str,
    now: datetime | None = None,
) -> AssessmentPanel:
    """Check and store the assessment panel of a credential, replacing any earlier one.

    The panel is declared by the credential's issuer's staff, recorded as the acting user.
    Submissions already made keep the panel they were routed to.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the credential's issuer's staff.
    InvalidInputError
        Unknown credential, or a panel :func:`check_panel` refuses; nothing is stored.
    """
    found = _credential(store, credential)
    declared_by = policy.require_user(actor, action="declare an assessment panel")
    policy.require_issuer_staff(actor, [found.issuer], action="declare this credential's panel")
    panel = AssessmentPanel(
        credential=found.id,
        assessors=tuple(assessors),
        rule=rule,
        declared_by=declared_by,
        declared_at=timestamp(now),
    )
    check_panel(panel, skills=[s.uri for s in found.confirmed_skills])
    record = Record(
        uri=_panel_iri(found.id, base_iri),
        kind=NodeKind.SUBMISSION,
        body=panel_to_document(panel),
        index={"record": "panel", "credential": found.id},
    )
    store.write(GraphBatch(records=[record]))
    logger.info("assessment panel of %s: %d assessors", found.id, len(panel.assessors))
    return panel


def get_panel(store: GraphStore, credential: str, *, base_iri: str) -> AssessmentPanel:
    """Return the assessment panel declared for ``credential``.

    Raises
    ------
    NotFoundError
        If none was declared.
    """
    try:
        record = store.get_record(_panel_iri(credential, base_iri), kind=NodeKind.SUBMISSION)
    except NotFoundError:
        raise NotFoundError(
            f"no assessment panel is declared for {credential}",
            details={"field": "credential", "uri": credential},
        ) from None
    return panel_from_document(record.body)


def read_panel(
    store: GraphStore, credential: str, *, actor: Actor, base_iri: str
) -> AssessmentPanel:
    """The panel of a credential, for signed-in users (it names people and organisations).

    Raises
    ------
    UnauthenticatedError
        For nobody.
    NotFoundError
        If none was declared.
    """
    policy.require_user(actor, action="see an assessment panel")
    return get_panel(store, credential, base_iri=base_iri)


def submission_record(submission: Submission, status: SubmissionStatus) -> Record:
    """The record of a submission (its status is an index field, for listing)."""
    return Record(
        uri=submission.id,
        kind=NodeKind.SUBMISSION,
        body=submission_to_document(submission),
        index={
            "record": "submission",
            "learner": submission.learner,
            "credential": submission.credential,
            "status": status.value,
            "proof": submission.proof,
        },
    )


def submit(
    store: GraphStore,
    *,
    actor: Actor,
    learner: str,
    credential: str,
    evidence: Sequence[Evidence],
    base_iri: str,
    note: str | None = None,
    now: datetime | None = None,
) -> SubmissionView:
    """Store a learner's evidence for a credential and route it to the credential's panel.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the learner themself.
    InvalidInputError
        The learner is not an IRI, the credential is unknown, has no confirmed skill or no
        panel, or the evidence is invalid (``details["field"]`` names it); nothing is stored.
    """
    policy.require_learner_owner(actor, learner, action="submit work for this learner")
    if not is_absolute_iri(learner):
        raise InvalidInputError(
            f"learner: {learner!r} is not an absolute IRI", details={"field": "learner"}
        )
    found = _credential(store, credential)
    if not found.confirmed_skills:
        raise InvalidInputError(
            f"credential: {found.id} certifies no confirmed skill, so there is nothing to assess",
            details={"field": "credential", "uri": found.id},
        )
    try:
        panel = get_panel(store, found.id, base_iri=base_iri)
    except NotFoundError as e:
        raise InvalidInputError(
            f"credential: {e.message}; its issuer declares one first", details=e.details
        ) from None
    checked = check_evidence(evidence)
    concepts = store.get_concepts(s.uri for s in found.confirmed_skills)
    submission = Submission(
        id=f"{base_iri}/submission/{uuid.uuid4()}",
        learner=learner,
        credential=found.id,
        skills=tuple(
            SkillTarget(
                uri=s.uri,
                level=s.level,
                label=concepts[s.uri].preferred_label(found.language or "en")
                if s.uri in concepts
                else None,
            )
            for s in found.confirmed_skills
        ),
        panel=panel,
        evidence=checked,
        submitted_at=timestamp(now),
        level_scale=_scale(found),
        note=note,
    )
    routes = [
        Record(
            uri=_routing_iri(submission.id, assessor.id, base_iri),
            kind=NodeKind.SUBMISSION,
            body={
                "submission": submission.id,
                "assessor": assessor.id,
                "routed_at": submission.submitted_at,
            },
            index={"record": "routing", "submission": submission.id, "assessor": assessor.id},
        )
        for assessor in panel.assessors
    ]
    store.write(
        GraphBatch(records=[submission_record(submission, SubmissionStatus.SUBMITTED), *routes])
    )
    logger.info("submission %s routed to %d assessors", submission.id, len(routes))
    return _view(submission, ())


def _require_lister(
    store: GraphStore,
    actor: Actor,
    *,
    learner: str | None,
    assessor: str | None,
    credential: str | None,
) -> None:
    """Pass when one of the filters is the actor's own: their record, inbox or credential."""
    policy.require_user(actor, action="list submissions")
    if actor.is_admin or (assessor is not None and actor.holds(Role.ASSESSOR, assessor)):
        return
    if credential is not None:
        issuer = (
            get_credential(store, credential).issuer
            if store.get_records([credential], kind=NodeKind.CREDENTIAL)
            else None
        )
        if issuer is not None and actor.holds(Role.ISSUER, issuer):
            return
    if learner is not None:
        require_learner_reader(
            store,
            actor,
            learner,
            scope=ConsentScope.SUBMISSIONS,
            action="list this learner's submissions",
        )
        return
    raise policy.refusal(actor, "list these submissions", "not your inbox nor your credential")


def _view(submission: Submission, assessments: Sequence[Assessment]) -> SubmissionView:
    ordered = tuple(sorted(assessments, key=lambda a: (a.recorded_at, a.id)))
    outcome = evaluate_rule(submission, ordered)
    status = submission_status(submission, outcome, assessed=bool(ordered))
    return SubmissionView(submission, ordered, outcome, status)


def _assessments(store: GraphStore, submission: str) -> list[Assessment]:
    records = store.list_records(
        kind=NodeKind.SUBMISSION, where={"record": "assessment", "submission": submission}
    )
    return [assessment_from_document(r.body) for r in records]


def get_submission(
    store: GraphStore, submission: str, *, actor: Actor, base_iri: str
) -> SubmissionView:
    """Return a submission with its assessments, the rule's outcome and its status.

    Its learner, its panel's assessors, its credential's issuer's staff and whoever holds the
    learner's consent for submissions may read it.

    Raises
    ------
    NotFoundError
        If there is no such submission.
    UnauthenticatedError, ForbiddenError
        For anyone else.
    """
    view, _ = submission_view(store, submission, base_iri=base_iri)
    require_submission_reader(store, actor, view.submission)
    return view


def require_submission_reader(store: GraphStore, actor: Actor, submission: Submission) -> None:
    """Pass whoever may see a submission (see :func:`get_submission`).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone else.
    """
    policy.require_user(actor, action="see a submission")
    panel = {a.id for a in submission.panel.assessors}
    if actor.objects(Role.ASSESSOR) & panel or actor.is_admin:
        return
    issuer = get_credential(store, submission.credential).issuer
    if actor.holds(Role.ISSUER, issuer):
        return
    require_learner_reader(
        store,
        actor,
        submission.learner,
        scope=ConsentScope.SUBMISSIONS,
        action="see this submission",
    )


def submission_view(
    store: GraphStore, submission: str, *, base_iri: str
) -> tuple[SubmissionView, int | None]:
    """A submission's view and stored version, with no rule applied.

    For the use cases of ``graph.services`` that already decided who may see it (issuing the
    proof of a submission, its ELM form); edges call :func:`get_submission`.

    Raises
    ------
    NotFoundError
        If there is no such submission.
    """
    uri = submission_iri(submission, base_iri=base_iri)
    record = store.get_records([uri], kind=NodeKind.SUBMISSION).get(uri)
    if record is None or record.index.get("record") != "submission":
        raise NotFoundError(f"no submission {uri}", details={"uri": uri})
    view = _view(submission_from_document(record.body), _assessments(store, uri))
    return view, record.version


def record_assessment(
    store: GraphStore,
    *,
    actor: Actor,
    submission: str,
    base_iri: str,
    results: Sequence[SkillResult] = (),
    endorsement: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> SubmissionView:
    """Record an assessor's results or endorsement; an earlier one by them is superseded.

    The assessor is the panel member the acting user is bound to, never a name given in the
    request. Assessments of several assessors at once all land, and the submission's status
    counts them all.

    Raises
    ------
    NotFoundError
        If there is no such submission.
    UnauthenticatedError, ForbiddenError
        For anyone who does not sit on the submission's panel.
    ConflictError
        If a proof was already issued for it: its assessments are closed.
    InvalidInputError
        If :func:`check_assessment` refuses the assessment; nothing is stored.
    """
    # Another assessor's assessment landed meanwhile: redone on it.
    return redo_on_race(
        lambda: _assess_once(
            store,
            actor=actor,
            submission=submission,
            base_iri=base_iri,
            results=results,
            endorsement=endorsement,
            comment=comment,
            now=now,
        )
    )


def _assess_once(
    store: GraphStore,
    *,
    actor: Actor,
    submission: str,
    base_iri: str,
    results: Sequence[SkillResult],
    endorsement: str | None,
    comment: str | None,
    now: datetime | None,
) -> SubmissionView:
    view, version = submission_view(store, submission, base_iri=base_iri)
    current = view.submission
    assessor = policy.assessor_identity(
        actor, [a.id for a in current.panel.assessors], action="assess this submission"
    )
    if current.proof is not None:
        raise ConflictError(
            f"submission {current.id} was already issued as {current.proof}; "
            "its assessments are closed",
            details={"submission": current.id, "proof": current.proof},
        )
    member = current.panel.assessor(assessor)
    assessment = Assessment(
        id=f"{base_iri}/assessment/{uuid.uuid4()}",
        submission=current.id,
        assessor=assessor,
        kind=member.kind if member else AssessmentKind.RESULTS,
        recorded_at=timestamp(now),
        results=tuple(results),
        endorsement=endorsement,
        comment=comment,
    )
    check_assessment(current, assessment)
    updated = _view(current, (*view.assessments, assessment))
    record = Record(
        uri=assessment.id,
        kind=NodeKind.SUBMISSION,
        body=assessment_to_document(assessment),
        index={"record": "assessment", "submission": current.id, "assessor": assessor},
    )
    store.write(
        GraphBatch(
            records=[record, submission_record(current, updated.status)],
            expect={current.id: version},
        )
    )
    logger.info("assessment by %s of %s: %s", assessor, current.id, updated.status.value)
    return updated


def list_submissions(
    store: GraphStore,
    *,
    actor: Actor,
    learner: str | None = None,
    assessor: str | None = None,
    credential: str | None = None,
    status: SubmissionStatus | None = None,
) -> list[SubmissionView]:
    """Return the submissions of a learner, routed to an assessor, or for a credential.

    Filters combine; the status filter uses the status computed now. Sorted by IRI. A learner
    lists their own (or by consent), an assessor their inbox, an issuer's staff those of their
    credentials.

    Raises
    ------
    InvalidInputError
        If neither a learner, an assessor nor a credential is given.
    UnauthenticatedError, ForbiddenError
        When no filter given is one the actor may list by.
    """
    if learner is None and assessor is None and credential is None:
        raise InvalidInputError(
            "learner: name a learner, an assessor or a credential to list submissions",
            details={"field": "learner"},
        )
    _require_lister(store, actor, learner=learner, assessor=assessor, credential=credential)
    where: dict[str, str | int | float | bool] = {"record": "submission"}
    if learner is not None:
        where["learner"] = learner
    if credential is not None:
        where["credential"] = credential
    if assessor is None:
        records = store.list_records(kind=NodeKind.SUBMISSION, where=where)
    else:
        # An assessor's inbox: its routing records name the submissions, read by IRI.
        routed = {
            r.body["submission"]
            for r in store.list_records(
                kind=NodeKind.SUBMISSION, where={"record": "routing", "assessor": assessor}
            )
        }
        found = store.get_records(routed, kind=NodeKind.SUBMISSION)
        records = [
            found[uri]
            for uri in sorted(found)
            if all(found[uri].index.get(k) == v for k, v in where.items())
        ]
    views = [_view(submission_from_document(r.body), _assessments(store, r.uri)) for r in records]
    return [v for v in views if status is None or v.status is status]
