"""Document forms of assessment panels, submissions and assessments (what the store keeps).

One place knows the JSON shape of each, so both backends store the same thing and the API can
show a stored document as it is. Documents are built from already-checked model objects and
read back without re-checking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.model._documents import drop_none
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    AssessmentPanel,
    Assessor,
    Evidence,
    EvidenceKind,
    IssuingRule,
    LevelPolicy,
    SkillResult,
    SkillTarget,
    Submission,
)

__all__ = [
    "assessment_from_document",
    "assessment_to_document",
    "evidence_from_document",
    "panel_from_document",
    "panel_to_document",
    "submission_from_document",
    "submission_to_document",
]


def panel_to_document(panel: AssessmentPanel) -> dict[str, Any]:
    """Return the document form of a panel.

    Examples
    --------
    >>> panel = AssessmentPanel("urn:c", (Assessor("urn:a", "A", "institution"),))
    >>> panel_from_document(panel_to_document(panel)) == panel
    True
    """
    return drop_none(
        {
            "credential": panel.credential,
            "assessors": [
                drop_none(
                    {
                        "id": a.id,
                        "name": a.name,
                        "role": a.role,
                        "kind": a.kind.value,
                        "required": a.required,
                        "skills": list(a.skills) or None,
                    }
                )
                for a in panel.assessors
            ],
            "rule": {
                "min_passes": panel.rule.min_passes,
                "any_fail_blocks": panel.rule.any_fail_blocks,
                "level_policy": panel.rule.level_policy.value,
            },
            "declared_by": panel.declared_by,
            "declared_at": panel.declared_at,
        }
    )


def panel_from_document(document: Mapping[str, Any]) -> AssessmentPanel:
    """Rebuild a panel from its document form."""
    rule = document.get("rule") or {}
    return AssessmentPanel(
        credential=document["credential"],
        assessors=tuple(
            Assessor(
                id=a["id"],
                name=a["name"],
                role=a["role"],
                kind=AssessmentKind(a.get("kind", "results")),
                required=bool(a.get("required", True)),
                skills=tuple(a.get("skills", ())),
            )
            for a in document["assessors"]
        ),
        rule=IssuingRule(
            min_passes=int(rule.get("min_passes", 1)),
            any_fail_blocks=bool(rule.get("any_fail_blocks", True)),
            level_policy=LevelPolicy(rule.get("level_policy", "min")),
        ),
        declared_by=document.get("declared_by"),
        declared_at=document.get("declared_at"),
    )


def _evidence_to_document(evidence: Evidence) -> dict[str, Any]:
    return drop_none(
        {
            "kind": evidence.kind.value,
            "name": evidence.name,
            "url": evidence.url,
            "sha256": evidence.sha256,
            "media_type": evidence.media_type,
            "text": evidence.text,
        }
    )


def evidence_from_document(document: Mapping[str, Any]) -> Evidence:
    """Build one piece of evidence from its document form."""
    return Evidence(
        kind=EvidenceKind(document["kind"]),
        name=document.get("name"),
        url=document.get("url"),
        sha256=document.get("sha256"),
        media_type=document.get("media_type"),
        text=document.get("text"),
    )


def submission_to_document(submission: Submission) -> dict[str, Any]:
    """Return the document form of a submission (with its panel snapshot)."""
    s = submission
    return drop_none(
        {
            "id": s.id,
            "learner": s.learner,
            "credential": s.credential,
            "skills": [
                drop_none({"uri": t.uri, "level": t.level, "label": t.label}) for t in s.skills
            ],
            "panel": panel_to_document(s.panel),
            "evidence": [_evidence_to_document(e) for e in s.evidence],
            "submitted_at": s.submitted_at,
            "level_scale": list(s.level_scale),
            "note": s.note,
            "proof": s.proof,
        }
    )


def submission_from_document(document: Mapping[str, Any]) -> Submission:
    """Rebuild a submission from its document form."""
    d = document
    low, high = d.get("level_scale", (1, 8))
    return Submission(
        id=d["id"],
        learner=d["learner"],
        credential=d["credential"],
        skills=tuple(
            SkillTarget(uri=t["uri"], level=t.get("level"), label=t.get("label"))
            for t in d.get("skills", ())
        ),
        panel=panel_from_document(d["panel"]),
        evidence=tuple(evidence_from_document(e) for e in d.get("evidence", ())),
        submitted_at=d["submitted_at"],
        level_scale=(int(low), int(high)),
        note=d.get("note"),
        proof=d.get("proof"),
    )


def assessment_to_document(assessment: Assessment) -> dict[str, Any]:
    """Return the document form of an assessment.

    Examples
    --------
    >>> a = Assessment("urn:1", "urn:s", "urn:a", AssessmentKind.RESULTS,
    ...                "2026-01-01T00:00:00Z", (SkillResult("urn:k", True, 3, "good"),))
    >>> assessment_from_document(assessment_to_document(a)) == a
    True
    """
    a = assessment
    return drop_none(
        {
            "id": a.id,
            "submission": a.submission,
            "assessor": a.assessor,
            "kind": a.kind.value,
            "recorded_at": a.recorded_at,
            "results": [
                drop_none(
                    {"skill": r.skill, "passed": r.passed, "level": r.level, "comment": r.comment}
                )
                for r in a.results
            ],
            "endorsement": a.endorsement,
            "comment": a.comment,
        }
    )


def assessment_from_document(document: Mapping[str, Any]) -> Assessment:
    """Rebuild an assessment from its document form."""
    d = document
    return Assessment(
        id=d["id"],
        submission=d["submission"],
        assessor=d["assessor"],
        kind=AssessmentKind(d["kind"]),
        recorded_at=d["recorded_at"],
        results=tuple(
            SkillResult(
                skill=r["skill"],
                passed=bool(r["passed"]),
                level=r.get("level"),
                comment=r.get("comment"),
            )
            for r in d.get("results", ())
        ),
        endorsement=d.get("endorsement"),
        comment=d.get("comment"),
    )
