"""Learners in their document form: the project's own learner format, read with field errors.

The format (DESIGN.md; ``ontologies/schemas/learner.schema.json``): ``{"id", "jurisdiction",
"target_jurisdiction", "competences": [{"skill", "level", "source", "date", "evidence"}],
"credentials": [...], "assessments": [{"skill", "level", "passed", "score", "date", "assessor",
"evidence"}]}``. Reading checks every field and names the one that is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from graph.errors import InvalidInputError
from graph.model._documents import drop_empty
from graph.model.learners import (
    LEVEL_SCALE,
    AssessmentResult,
    Competence,
    CompetenceSource,
    Learner,
)

__all__ = [
    "assessment_result_from_document",
    "assessment_result_to_document",
    "learner_from_document",
    "learner_to_document",
]


def _fail(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field})


def _text(document: Mapping[str, Any], key: str, field: str, *, required: bool = False) -> Any:
    value = document.get(key)
    if value is None:
        if required:
            raise _fail(field, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(field, "must be a non-empty string")
    return value.strip()


def _level(value: Any, field: str, *, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise _fail(field, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, f"must be an integer, got {value!r}")
    low, high = LEVEL_SCALE
    if not low <= value <= high:
        raise _fail(field, f"{value} is outside the level scale {low}-{high}")
    return value


def _date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise _fail(field, "is required")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise _fail(field, f"must be an ISO 8601 date (2026-01-10), got {value!r}")


def _list(document: Mapping[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail(key, "must be an array")
    return list(value)


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(field, "must be an object")
    return value


def _competence(document: Mapping[str, Any], field: str) -> Competence:
    source = document.get("source", CompetenceSource.SELF_DECLARED.value)
    try:
        kind = CompetenceSource(source)
    except ValueError as e:
        allowed = ", ".join(s.value for s in CompetenceSource)
        raise _fail(f"{field}.source", f"must be one of {allowed}, got {source!r}") from e
    return Competence(
        skill=_text(document, "skill", f"{field}.skill", required=True),
        level=_level(document.get("level"), f"{field}.level"),
        source=kind,
        date=_date(document.get("date"), f"{field}.date"),
        evidence=_text(document, "evidence", f"{field}.evidence"),
        confidence=_confidence(document.get("confidence"), f"{field}.confidence"),
    )


def _confidence(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _fail(field, f"must be a number in [0, 1], got {value!r}")
    return float(value)


def assessment_result_from_document(
    document: Mapping[str, Any], *, field: str = ""
) -> AssessmentResult:
    """Build an assessment result from its document, or raise naming the field.

    Raises
    ------
    InvalidInputError
        A missing skill, level or date, a level outside 1-8, a score outside [0, 1], or neither
        ``passed`` nor ``score``.
    """
    prefix = f"{field}." if field else ""
    passed, score = document.get("passed"), document.get("score")
    if passed is not None and not isinstance(passed, bool):
        raise _fail(f"{prefix}passed", "must be true or false")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1
    ):
        raise _fail(f"{prefix}score", f"must be a number in [0, 1], got {score!r}")
    if passed is None and score is None:
        raise _fail(f"{prefix}passed", "a result needs passed or score")
    level = _level(document.get("level"), f"{prefix}level", required=True)
    date = _date(document.get("date"), f"{prefix}date", required=True)
    assert level is not None and date is not None  # required=True raised otherwise
    return AssessmentResult(
        skill=_text(document, "skill", f"{prefix}skill", required=True),
        level=level,
        date=date,
        passed=passed,
        score=None if score is None else float(score),
        assessor=_text(document, "assessor", f"{prefix}assessor"),
        evidence=_text(document, "evidence", f"{prefix}evidence"),
    )


def learner_from_document(document: Mapping[str, Any]) -> Learner:
    """Build a learner from the project's own format, or raise naming the field.

    The competences of source ``assessment`` of every skill with assessment results are
    derived from the results by the rule (what the document states for them is replaced).
    Jurisdiction codes and skill IRIs are checked against the store by the service.

    Raises
    ------
    InvalidInputError
        A missing id, a level outside 1-8, an unknown source, a malformed date, ...;
        ``details["field"]`` is the JSON path (``competences[0].level``).
    """
    document = _object(document, "learner")
    credentials = _list(document, "credentials")
    for i, credential in enumerate(credentials):
        if not isinstance(credential, str) or not credential.strip():
            raise _fail(f"credentials[{i}]", "must be a credential IRI")
    return Learner(
        id=_text(document, "id", "id", required=True),
        jurisdiction=_text(document, "jurisdiction", "jurisdiction"),
        target_jurisdiction=_text(document, "target_jurisdiction", "target_jurisdiction"),
        competences=tuple(
            _competence(_object(c, f"competences[{i}]"), f"competences[{i}]")
            for i, c in enumerate(_list(document, "competences"))
        ),
        credentials=tuple(c.strip() for c in credentials),
        assessments=tuple(
            assessment_result_from_document(
                _object(a, f"assessments[{i}]"), field=f"assessments[{i}]"
            )
            for i, a in enumerate(_list(document, "assessments"))
        ),
    ).rederived()


def assessment_result_to_document(result: AssessmentResult) -> dict[str, Any]:
    """Return an assessment result in the project's own format."""
    return drop_empty(
        {
            "skill": result.skill,
            "level": result.level,
            "passed": result.passed,
            "score": result.score,
            "date": result.date.isoformat(),
            "assessor": result.assessor,
            "evidence": result.evidence,
        }
    )


def learner_to_document(learner: Learner) -> dict[str, Any]:
    """Return the learner in the project's own format (``learner_from_document`` reads it)."""
    return drop_empty(
        {
            "id": learner.id,
            "jurisdiction": learner.jurisdiction,
            "target_jurisdiction": learner.target_jurisdiction,
            "competences": [
                drop_empty(
                    {
                        "skill": c.skill,
                        "level": c.level,
                        "source": c.source.value,
                        "date": c.date.isoformat() if c.date else None,
                        "evidence": c.evidence,
                        "confidence": c.confidence,
                    }
                )
                for c in learner.competences
            ],
            "credentials": list(learner.credentials),
            "assessments": [assessment_result_to_document(a) for a in learner.assessments],
        }
    )
