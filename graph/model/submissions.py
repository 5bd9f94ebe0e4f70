"""Submissions of evidence, their assessment by several parties, and the rule that issues.

A learner submits evidence (links, SHA-256 hashes of documents, text) once for a credential. It
is routed to the **assessment panel** declared for that credential: each assessor (the issuing
institution, an industry body, a regional authority, ...) either records a result per skill
(level achieved, pass/fail, comment) or an endorsement. The panel carries the credential's
**issuing rule** as data (:class:`IssuingRule`); :func:`evaluate_rule` decides, from the latest
assessment of each assessor, whether a Proof of Competence may be issued and, per skill, which
level it certifies. A submission keeps a snapshot of the panel it was routed to, so changing a
panel later never changes the rule an assessed submission is judged by.

Every assessment is kept (an assessor assessing again supersedes, and does not erase, the
earlier one): decisions are data, with who and when.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Assessment",
    "AssessmentKind",
    "AssessmentPanel",
    "Assessor",
    "Evidence",
    "EvidenceKind",
    "IssuingRule",
    "LevelPolicy",
    "RuleOutcome",
    "SkillOutcome",
    "SkillResult",
    "SkillTarget",
    "Submission",
    "SubmissionStatus",
    "SubmissionView",
    "evaluate_rule",
    "is_absolute_iri",
    "latest_assessments",
    "submission_status",
]

logger = logging.getLogger(__name__)

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


def is_absolute_iri(value: object) -> bool:
    """Whether ``value`` is an absolute IRI (a scheme, a colon, no spaces).

    Examples
    --------
    >>> is_absolute_iri("urn:example:learner:42"), is_absolute_iri("learner 42")
    (True, False)
    """
    return isinstance(value, str) and bool(_IRI.match(value))


class EvidenceKind(StrEnum):
    """What a piece of evidence is."""

    LINK = "link"
    DOCUMENT = "document"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of submitted evidence.

    A ``link`` has a ``url``; a ``document`` has the lowercase hex ``sha256`` of its bytes and a
    ``name`` (the document itself stays with the learner); a ``text`` has the ``text``.
    """

    kind: EvidenceKind
    name: str | None = None
    url: str | None = None
    sha256: str | None = None
    media_type: str | None = None
    text: str | None = None


class AssessmentKind(StrEnum):
    """What an assessor is asked for: results per skill, or an endorsement."""

    RESULTS = "results"
    ENDORSEMENT = "endorsement"


@dataclass(frozen=True, slots=True)
class Assessor:
    """A party on a credential's assessment panel.

    ``id`` is its IRI (often an issuer's id); ``role`` says what it is (``institution``,
    ``industry_body``, ``regional_authority``, ...). ``skills`` limits a results assessor to
    some of the credential's skills (empty: all of them). A ``required`` assessor must pass (or
    endorse) before anything is issued.
    """

    id: str
    name: str
    role: str
    kind: AssessmentKind = AssessmentKind.RESULTS
    required: bool = True
    skills: tuple[str, ...] = ()


class LevelPolicy(StrEnum):
    """How the level certified for a skill combines the levels its passing assessors gave."""

    MIN = "min"
    MEDIAN = "median"
    MAX = "max"


@dataclass(frozen=True, slots=True)
class IssuingRule:
    """When a Proof of Competence may be issued.

    The rule is met when every required assessor has passed (results) or endorsed, at least
    ``min_passes`` results assessors passed, every skill was passed by at least one assessor at
    (when the credential states one) its required level, and — with ``any_fail_blocks`` — no
    assessor's latest assessment failed. ``level_policy`` combines the passing assessors'
    levels of a skill into the one level certified.
    """

    min_passes: int = 1
    any_fail_blocks: bool = True
    level_policy: LevelPolicy = LevelPolicy.MIN

    def describe(self, panel: AssessmentPanel) -> str:
        """A sentence that states the rule for ``panel`` (written into the issued proof).

        Examples
        --------
        >>> panel = AssessmentPanel("urn:c", (Assessor("urn:a", "Uni", "institution"),))
        >>> text = IssuingRule().describe(panel)
        >>> text.startswith("Issued when every required assessor (Uni) passed it")
        True
        """
        required = [a.name for a in panel.assessors if a.required]
        policy = {
            LevelPolicy.MIN: "the lowest level",
            LevelPolicy.MEDIAN: "the median (lower) level",
            LevelPolicy.MAX: "the highest level",
        }[self.level_policy]
        parts = [
            f"every required assessor ({', '.join(required)}) passed it"
            if required
            else "its assessors passed it",
            f"at least {self.min_passes} assessor{'s' if self.min_passes != 1 else ''} passed it",
            "every skill was passed at its required level",
        ]
        if self.any_fail_blocks:
            parts.append("no assessor failed it")
        return (
            f"Issued when {', '.join(parts[:-1])}, and {parts[-1]}; the level certified for a "
            f"skill is {policy} its passing assessors gave."
        )


@dataclass(frozen=True, slots=True)
class AssessmentPanel:
    """The assessors named for a credential and its issuing rule."""

    credential: str
    assessors: tuple[Assessor, ...]
    rule: IssuingRule = IssuingRule()
    declared_by: str | None = None
    declared_at: str | None = None

    def assessor(self, assessor_id: str) -> Assessor | None:
        """Return the panel member ``assessor_id``, or None."""
        return next((a for a in self.assessors if a.id == assessor_id), None)


@dataclass(frozen=True, slots=True)
class SkillTarget:
    """A skill the credential certifies, with the level it requires (None: any level)."""

    uri: str
    level: int | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Submission:
    """A learner's evidence for a credential, routed to a snapshot of its panel."""

    id: str
    learner: str
    credential: str
    skills: tuple[SkillTarget, ...]
    panel: AssessmentPanel
    evidence: tuple[Evidence, ...]
    submitted_at: str
    level_scale: tuple[int, int] = (1, 8)
    note: str | None = None
    proof: str | None = None

    def skills_of(self, assessor: Assessor) -> tuple[str, ...]:
        """The skills ``assessor`` is to assess (none for an endorser)."""
        if assessor.kind is AssessmentKind.ENDORSEMENT:
            return ()
        return assessor.skills or tuple(s.uri for s in self.skills)


@dataclass(frozen=True, slots=True)
class SkillResult:
    """An assessor's result for one skill."""

    skill: str
    passed: bool
    level: int | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """What one assessor recorded for a submission, and when."""

    id: str
    submission: str
    assessor: str
    kind: AssessmentKind
    recorded_at: str
    results: tuple[SkillResult, ...] = ()
    endorsement: str | None = None
    comment: str | None = None

    @property
    def passed(self) -> bool:
        """An endorsement counts as passed; results pass when every skill passed."""
        if self.kind is AssessmentKind.ENDORSEMENT:
            return True
        return bool(self.results) and all(r.passed for r in self.results)


def latest_assessments(assessments: Iterable[Assessment]) -> dict[str, Assessment]:
    """Return each assessor's latest assessment (by ``recorded_at``, then id), by assessor.

    Examples
    --------
    >>> kind = AssessmentKind.ENDORSEMENT
    >>> a = Assessment("urn:1", "urn:s", "urn:x", kind, "2026-01-01T00:00:00Z")
    >>> b = Assessment("urn:2", "urn:s", "urn:x", kind, "2026-01-02T00:00:00Z")
    >>> latest_assessments([b, a])["urn:x"].id
    'urn:2'
    """
    latest: dict[str, Assessment] = {}
    for assessment in sorted(assessments, key=lambda a: (a.recorded_at, a.id)):
        latest[assessment.assessor] = assessment
    return latest


@dataclass(frozen=True, slots=True)
class SkillOutcome:
    """A skill after the rule: the level certified and who passed or failed it."""

    skill: str
    required_level: int | None
    level: int | None
    passed: bool
    passed_by: tuple[str, ...]
    failed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """Whether the rule is met and, when it is not, why (one sentence per unmet condition).

    ``blocked`` means a recorded assessment stands in the way (a failure), not just a missing
    one; ``pending`` are the required assessors who have not assessed yet.
    """

    met: bool
    blocked: bool
    unmet: tuple[str, ...]
    pending: tuple[str, ...]
    passed_by: tuple[str, ...]
    failed_by: tuple[str, ...]
    skills: tuple[SkillOutcome, ...]


def _combine(levels: Sequence[int], policy: LevelPolicy) -> int | None:
    if not levels:
        return None
    ordered = sorted(levels)
    if policy is LevelPolicy.MIN:
        return ordered[0]
    if policy is LevelPolicy.MAX:
        return ordered[-1]
    return ordered[(len(ordered) - 1) // 2]


def _skill_outcomes(
    submission: Submission, latest: Mapping[str, Assessment], policy: LevelPolicy
) -> list[SkillOutcome]:
    outcomes = []
    for target in submission.skills:
        passed_by: list[str] = []
        failed_by: list[str] = []
        levels: list[int] = []
        for assessor_id, assessment in sorted(latest.items()):
            for result in assessment.results:
                if result.skill != target.uri:
                    continue
                (passed_by if result.passed else failed_by).append(assessor_id)
                if result.passed and result.level is not None:
                    levels.append(result.level)
        level = _combine(levels, policy)
        high_enough = target.level is None or (level is not None and level >= target.level)
        outcomes.append(
            SkillOutcome(
                skill=target.uri,
                required_level=target.level,
                level=level,
                passed=bool(passed_by) and high_enough,
                passed_by=tuple(passed_by),
                failed_by=tuple(failed_by),
            )
        )
    return outcomes


def evaluate_rule(submission: Submission, assessments: Iterable[Assessment]) -> RuleOutcome:
    """Decide, from the latest assessment of each panel member, whether the rule is met.

    Assessments by parties not on the submission's panel are ignored.

    Examples
    --------
    >>> panel = AssessmentPanel("urn:c", (Assessor("urn:a", "A", "institution"),))
    >>> sub = Submission("urn:s", "urn:l", "urn:c", (SkillTarget("urn:k", 3),), panel, (),
    ...                  "2026-01-01T00:00:00Z")
    >>> ok = Assessment("urn:1", "urn:s", "urn:a", AssessmentKind.RESULTS,
    ...                 "2026-01-02T00:00:00Z", (SkillResult("urn:k", True, 4),))
    >>> evaluate_rule(sub, [ok]).met, evaluate_rule(sub, [ok]).skills[0].level
    (True, 4)
    >>> low = Assessment("urn:2", "urn:s", "urn:a", AssessmentKind.RESULTS,
    ...                  "2026-01-03T00:00:00Z", (SkillResult("urn:k", True, 2),))
    >>> evaluate_rule(sub, [ok, low]).unmet
    ('urn:k was certified at level 2; the credential requires 3',)
    """
    panel = submission.panel
    rule = panel.rule
    members = {a.id: a for a in panel.assessors}
    latest = {k: v for k, v in latest_assessments(assessments).items() if k in members}
    unmet: list[str] = []
    pending = tuple(a.id for a in panel.assessors if a.required and a.id not in latest)
    passed_by = tuple(k for k, v in sorted(latest.items()) if v.passed)
    failed_by = tuple(k for k, v in sorted(latest.items()) if not v.passed)
    blocked = False
    for assessor in panel.assessors:
        found = latest.get(assessor.id)
        if assessor.required and found is None:
            unmet.append(f"required assessor {assessor.name} ({assessor.id}) has not assessed")
        elif assessor.required and found is not None and not found.passed:
            unmet.append(f"required assessor {assessor.name} ({assessor.id}) did not pass it")
            blocked = True
    if rule.any_fail_blocks:
        optional_failures = [k for k in failed_by if not members[k].required]
        for assessor_id in optional_failures:
            unmet.append(f"assessor {members[assessor_id].name} ({assessor_id}) did not pass it")
        blocked = blocked or bool(optional_failures)
    results_passed = [k for k in passed_by if members[k].kind is AssessmentKind.RESULTS]
    if len(results_passed) < rule.min_passes:
        unmet.append(
            f"{len(results_passed)} of the {rule.min_passes} passing assessments needed so far"
        )
    skills = _skill_outcomes(submission, latest, rule.level_policy)
    for outcome in skills:
        if not outcome.passed_by:
            unmet.append(f"no assessor has passed {outcome.skill}")
        elif not outcome.passed:
            unmet.append(
                f"{outcome.skill} was certified at level {outcome.level}; "
                f"the credential requires {outcome.required_level}"
            )
    return RuleOutcome(
        met=not unmet,
        blocked=blocked,
        unmet=tuple(unmet),
        pending=pending,
        passed_by=passed_by,
        failed_by=failed_by,
        skills=tuple(skills),
    )


class SubmissionStatus(StrEnum):
    """Where a submission stands, as both the learner and the assessors see it."""

    SUBMITTED = "submitted"
    IN_ASSESSMENT = "in_assessment"
    READY = "ready"
    NOT_PASSED = "not_passed"
    ISSUED = "issued"


def submission_status(
    submission: Submission, outcome: RuleOutcome, *, assessed: bool
) -> SubmissionStatus:
    """The status of ``submission`` given the rule's outcome and whether anyone assessed it.

    Examples
    --------
    >>> panel = AssessmentPanel("urn:c", (Assessor("urn:a", "A", "institution"),))
    >>> sub = Submission("urn:s", "urn:l", "urn:c", (), panel, (), "2026-01-01T00:00:00Z")
    >>> submission_status(sub, evaluate_rule(sub, []), assessed=False).value
    'submitted'
    """
    if submission.proof is not None:
        return SubmissionStatus.ISSUED
    if outcome.blocked:
        return SubmissionStatus.NOT_PASSED
    if outcome.met:
        return SubmissionStatus.READY
    return SubmissionStatus.IN_ASSESSMENT if assessed else SubmissionStatus.SUBMITTED


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """A submission with every assessment recorded for it, the rule's outcome and its status."""

    submission: Submission
    assessments: tuple[Assessment, ...]
    outcome: RuleOutcome
    status: SubmissionStatus

    @property
    def latest(self) -> dict[str, Assessment]:
        """Each assessor's latest assessment, by assessor IRI."""
        return latest_assessments(self.assessments)
