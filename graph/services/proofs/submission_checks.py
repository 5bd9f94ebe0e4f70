"""Input checks of the submission use cases: every failure names the field.

Panels, evidence and assessments are checked here, before anything is written, so that bad
input stores nothing and the API can answer 422 with the offending field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from graph.errors import InvalidInputError
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    AssessmentPanel,
    Evidence,
    EvidenceKind,
    Submission,
    is_absolute_iri,
)

__all__ = ["MAX_EVIDENCE", "check_assessment", "check_evidence", "check_panel"]

#: The most evidence items one submission may carry.
MAX_EVIDENCE = 50
_MAX_TEXT = 20_000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HTTP = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


def check_panel(panel: AssessmentPanel, *, skills: Sequence[str]) -> None:
    """Raise :class:`InvalidInputError` naming the field if ``panel`` cannot work.

    ``skills`` are the confirmed skills of the credential the panel is for.

    Raises
    ------
    InvalidInputError
        No assessor, a duplicate or non-IRI assessor id, an assessor limited to a skill the
        credential does not certify, a skill nobody assesses, or a ``min_passes`` no panel
        could reach.
    """
    if not panel.assessors:
        raise InvalidInputError(
            "assessors: an assessment panel needs at least one assessor",
            details={"field": "assessors"},
        )
    seen: set[str] = set()
    for i, assessor in enumerate(panel.assessors):
        field = f"assessors[{i}]"
        if not is_absolute_iri(assessor.id):
            raise InvalidInputError(
                f"{field}.id: {assessor.id!r} is not an absolute IRI",
                details={"field": f"{field}.id"},
            )
        if assessor.id in seen:
            raise InvalidInputError(
                f"{field}.id: {assessor.id} is on the panel twice", details={"field": f"{field}.id"}
            )
        seen.add(assessor.id)
        if not assessor.name.strip() or not assessor.role.strip():
            name = "name" if not assessor.name.strip() else "role"
            raise InvalidInputError(
                f"{field}.{name}: must not be empty", details={"field": f"{field}.{name}"}
            )
        unknown = [s for s in assessor.skills if s not in skills]
        if unknown:
            raise InvalidInputError(
                f"{field}.skills: {unknown[0]} is not a confirmed skill of the credential",
                details={"field": f"{field}.skills", "uri": unknown[0]},
            )
        if assessor.kind is AssessmentKind.ENDORSEMENT and assessor.skills:
            raise InvalidInputError(
                f"{field}.skills: an endorser assesses no skills",
                details={"field": f"{field}.skills"},
            )
    graders = [a for a in panel.assessors if a.kind is AssessmentKind.RESULTS]
    if not graders:
        raise InvalidInputError(
            "assessors: an assessment panel needs at least one assessor who records results",
            details={"field": "assessors"},
        )
    if not 1 <= panel.rule.min_passes <= len(graders):
        raise InvalidInputError(
            f"rule.min_passes: must be between 1 and the {len(graders)} results assessors",
            details={"field": "rule.min_passes"},
        )
    covered = {s for a in graders for s in (a.skills or skills)}
    uncovered = [s for s in skills if s not in covered]
    if uncovered:
        raise InvalidInputError(
            f"assessors: nobody assesses {uncovered[0]}, so the rule could never be met",
            details={"field": "assessors", "uri": uncovered[0]},
        )


def check_evidence(evidence: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """Return the evidence with hashes lowercased, or raise naming the field.

    Raises
    ------
    InvalidInputError
        No evidence or too much, a link that is not http(s), a document without a SHA-256
        (64 hex digits) or a name, a text that is empty or longer than 20,000 characters.
    """
    if not evidence or len(evidence) > MAX_EVIDENCE:
        raise InvalidInputError(
            f"evidence: between 1 and {MAX_EVIDENCE} items are needed",
            details={"field": "evidence"},
        )
    checked = []
    for i, item in enumerate(evidence):

        def fail(name: str, message: str, i: int = i) -> InvalidInputError:
            return InvalidInputError(
                f"evidence[{i}].{name}: {message}", details={"field": f"evidence[{i}].{name}"}
            )

        if item.url is not None and not _HTTP.match(item.url):
            raise fail("url", "must be an http(s) URL")
        if item.kind is EvidenceKind.LINK and item.url is None:
            raise fail("url", "a link needs its URL")
        if item.kind is EvidenceKind.DOCUMENT:
            digest = (item.sha256 or "").lower()
            if not _SHA256.match(digest):
                raise fail("sha256", "a document needs the SHA-256 of its bytes (64 hex digits)")
            if not (item.name or "").strip():
                raise fail("name", "a document needs its name")
            item = replace(item, sha256=digest)
        elif item.sha256 is not None:
            raise fail("sha256", f"only documents carry a hash, not a {item.kind.value}")
        if item.kind is EvidenceKind.TEXT and not (item.text or "").strip():
            raise fail("text", "a text needs its text")
        if item.text is not None and len(item.text) > _MAX_TEXT:
            raise fail("text", f"longer than {_MAX_TEXT} characters")
        checked.append(item)
    return tuple(checked)


def check_assessment(submission: Submission, assessment: Assessment) -> None:
    """Raise :class:`InvalidInputError` naming the field if ``assessment`` does not fit.

    A results assessor records exactly one result for each skill it assesses, with levels on
    the credential's scale; an endorser records an endorsement and no results.

    Raises
    ------
    InvalidInputError
        The assessor is not on the panel the submission was routed to, or records what the
        panel does not ask of it, a result names a skill it does not assess or misses one, a
        skill appears twice, or a level is off the scale.
    """
    assessor = submission.panel.assessor(assessment.assessor)
    if assessor is None:
        raise InvalidInputError(
            f"assessor: {assessment.assessor} is not on the panel this submission was routed to",
            details={"field": "assessor"},
        )
    if assessor.kind is AssessmentKind.ENDORSEMENT:
        if assessment.results or not (assessment.endorsement or "").strip():
            field = "results" if assessment.results else "endorsement"
            raise InvalidInputError(
                f"{field}: {assessor.name} is asked for an endorsement (a statement), not results",
                details={"field": field},
            )
        return
    if assessment.endorsement is not None:
        raise InvalidInputError(
            f"endorsement: {assessor.name} is asked for results per skill",
            details={"field": "endorsement"},
        )
    wanted = submission.skills_of(assessor)
    low, high = submission.level_scale
    seen: set[str] = set()
    for i, result in enumerate(assessment.results):
        if result.skill not in wanted or result.skill in seen:
            problem = "is assessed twice" if result.skill in seen else "is not assessed by them"
            raise InvalidInputError(
                f"results[{i}].skill: {result.skill} {problem}",
                details={"field": f"results[{i}].skill", "uri": result.skill},
            )
        seen.add(result.skill)
        if result.level is not None and not low <= result.level <= high:
            raise InvalidInputError(
                f"results[{i}].level: {result.level} is outside the scale {low}-{high}",
                details={"field": f"results[{i}].level"},
            )
    missing = [s for s in wanted if s not in seen]
    if missing:
        raise InvalidInputError(
            f"results: no result for {missing[0]}, which {assessor.name} assesses",
            details={"field": "results", "uri": missing[0]},
        )
