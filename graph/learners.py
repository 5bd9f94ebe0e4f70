"""Learners: competences with their evidence, assessment results, and the rule between them.

A learner holds competences (a skill at a level, with its source, date and evidence),
credentials, a home and a target jurisdiction, and the raw results of multi-level assessments.
Every result is kept (an assessor's decision is data); the competences of source ``assessment``
are derived from them by :func:`competences_from_assessments`, and how much a competence still
counts at a given date is :func:`competence_score`.

**The rule** (documented here once; :class:`CompetenceRule` holds its two parameters):

1. A result *passes* when its ``passed`` is true, or, when ``passed`` is not given, when its
   ``score`` (in [0, 1]) reaches the pass mark (default 0.5).
2. Per skill and level only the **latest** result counts (a retest replaces the earlier
   attempt; on the same date a pass wins over a fail).
3. The attained level of a skill is the **highest level whose latest result passes**; its date
   is the date of that result. A skill with no passing level gets no competence (its failed
   results stay on record).
4. The competence score at date ``as_of`` is the level **decayed by the age of its evidence**
   with a half-life: ``score = level * 2 ** (-age / half_life)``, with ``age`` in years
   (days / 365.25, never negative) and a half-life of 5 years by default. A competence is
   enough for a required level ``r`` when ``score >= r``: a level-4 pass from two years ago
   scores 4 * 2 ** (-2 / 5) = 3.03, so it meets level 3 but no longer level 4. A competence
   without a level counts at any level; one without a date does not decay.

The document form is the project's own learner format (DESIGN.md; ``ontologies/schemas/
learner.schema.json``): ``{"id", "jurisdiction", "target_jurisdiction", "competences": [{"skill",
"level", "source", "date", "evidence"}], "credentials": [...], "assessments": [{"skill", "level",
"passed", "score", "date", "assessor", "evidence"}]}``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from graph.errors import InvalidInputError

__all__ = [
    "DEFAULT_RULE",
    "LEVEL_SCALE",
    "AssessmentResult",
    "Competence",
    "CompetenceRule",
    "CompetenceSource",
    "Learner",
    "assessment_from_document",
    "assessment_to_document",
    "competence_score",
    "competences_from_assessments",
    "learner_from_document",
    "learner_to_document",
]

logger = logging.getLogger(__name__)

#: The proficiency scale of learner levels (EQF-like, as for credential skills by default).
LEVEL_SCALE = (1, 8)
_DAYS_PER_YEAR = 365.25


class CompetenceSource(StrEnum):
    """Where a competence comes from."""

    ASSESSMENT = "assessment"
    CREDENTIAL = "credential"
    SELF_DECLARED = "self_declared"
    ENDORSED = "endorsed"


@dataclass(frozen=True, slots=True)
class Competence:
    """A skill a learner has, at a level (None: counts at any level), with its evidence."""

    skill: str
    level: int | None = None
    source: CompetenceSource = CompetenceSource.SELF_DECLARED
    date: dt.date | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """One result of a multi-level assessment: a skill tested at a level, passed or scored."""

    skill: str
    level: int
    date: dt.date
    passed: bool | None = None
    score: float | None = None
    assessor: str | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class CompetenceRule:
    """The parameters of the rule in the module docstring.

    ``half_life_years`` None switches decay off.
    """

    pass_mark: float = 0.5
    half_life_years: float | None = 5.0

    def passes(self, result: AssessmentResult) -> bool:
        """Whether ``result`` is a pass (step 1 of the rule)."""
        if result.passed is not None:
            return result.passed
        return result.score is not None and result.score >= self.pass_mark


DEFAULT_RULE = CompetenceRule()


@dataclass(frozen=True, slots=True)
class Learner:
    """A learner: competences, credentials held, home and target jurisdictions, results."""

    id: str
    jurisdiction: str | None = None
    target_jurisdiction: str | None = None
    competences: tuple[Competence, ...] = ()
    credentials: tuple[str, ...] = ()
    assessments: tuple[AssessmentResult, ...] = ()

    def with_assessments(
        self, results: Iterable[AssessmentResult], *, rule: CompetenceRule = DEFAULT_RULE
    ) -> Learner:
        """Return the learner with ``results`` added and its assessed competences re-derived.

        Only the skills of ``results`` are re-derived; competences of other sources, and
        assessed competences of skills without results here (reported by another system),
        stay.
        """
        added = tuple(results)
        return replace(self, assessments=self.assessments + added)._derive(
            {r.skill for r in added}, rule
        )

    def rederived(self, *, rule: CompetenceRule = DEFAULT_RULE) -> Learner:
        """Return the learner with the competences of every assessed skill re-derived."""
        return self._derive({r.skill for r in self.assessments}, rule)

    def _derive(self, skills: set[str], rule: CompetenceRule) -> Learner:
        derived = competences_from_assessments(
            [r for r in self.assessments if r.skill in skills], rule=rule
        )
        kept = tuple(
            c
            for c in self.competences
            if not (c.source is CompetenceSource.ASSESSMENT and c.skill in skills)
        )
        return replace(self, competences=kept + derived)


def _latest(results: Iterable[AssessmentResult], rule: CompetenceRule) -> AssessmentResult:
    # Latest date first; on the same date a pass, then the higher score, wins.
    return max(results, key=lambda r: (r.date, rule.passes(r), r.score or 0.0))


def competences_from_assessments(
    results: Iterable[AssessmentResult], *, rule: CompetenceRule = DEFAULT_RULE
) -> tuple[Competence, ...]:
    """Turn multi-level assessment results into competences (steps 1-3 of the rule).

    Parameters
    ----------
    results : iterable of AssessmentResult
        Results of any skills and levels, in any order.
    rule : CompetenceRule
        The pass mark (the decay applies later, in :func:`competence_score`).

    Returns
    -------
    tuple of Competence
        One competence of source ``assessment`` per skill with a passing level, in skill order.

    Examples
    --------
    >>> from datetime import date
    >>> results = [
    ...     AssessmentResult("s", 2, date(2024, 1, 1), passed=True),
    ...     AssessmentResult("s", 3, date(2024, 1, 1), score=0.8),
    ...     AssessmentResult("s", 4, date(2024, 1, 1), score=0.3),
    ... ]
    >>> [(c.skill, c.level) for c in competences_from_assessments(results)]
    [('s', 3)]
    """
    by_skill: dict[str, dict[int, list[AssessmentResult]]] = {}
    for result in results:
        by_skill.setdefault(result.skill, {}).setdefault(result.level, []).append(result)
    competences = []
    for skill in sorted(by_skill):
        latest = {level: _latest(rs, rule) for level, rs in by_skill[skill].items()}
        passed = [level for level, r in latest.items() if rule.passes(r)]
        if not passed:
            continue
        level = max(passed)
        best = latest[level]
        how = "passed" if best.passed is not None else f"scored {best.score:.2f}"
        by = f" (assessor {best.assessor})" if best.assessor else ""
        competences.append(
            Competence(
                skill=skill,
                level=level,
                source=CompetenceSource.ASSESSMENT,
                date=best.date,
                evidence=best.evidence or f"{how} at level {level} on {best.date}{by}",
            )
        )
    return tuple(competences)


def competence_score(
    competence: Competence, *, as_of: dt.date, rule: CompetenceRule = DEFAULT_RULE
) -> float | None:
    """The level of ``competence`` decayed by the age of its evidence (step 4 of the rule).

    Returns
    -------
    float or None
        ``level * 2 ** (-age / half_life)``; None for a competence without a level (it counts
        at any level).

    Examples
    --------
    >>> from datetime import date
    >>> c = Competence("s", 4, CompetenceSource.ASSESSMENT, date(2022, 1, 1))
    >>> round(competence_score(c, as_of=date(2024, 1, 1)), 2)
    3.03
    >>> competence_score(c, as_of=date(2021, 1, 1))
    4.0
    """
    if competence.level is None:
        return None
    if competence.date is None or rule.half_life_years is None:
        return float(competence.level)
    age = max(0.0, (as_of - competence.date).days / _DAYS_PER_YEAR)
    return competence.level * math.pow(2.0, -age / rule.half_life_years)


# --- the document form ------------------------------------------------------------------------


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
    )


def assessment_from_document(document: Mapping[str, Any], *, field: str = "") -> AssessmentResult:
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
            assessment_from_document(_object(a, f"assessments[{i}]"), field=f"assessments[{i}]")
            for i, a in enumerate(_list(document, "assessments"))
        ),
    ).rederived()


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if v is not None and v != []}


def assessment_to_document(result: AssessmentResult) -> dict[str, Any]:
    """Return an assessment result in the project's own format."""
    return _drop_empty(
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
    return _drop_empty(
        {
            "id": learner.id,
            "jurisdiction": learner.jurisdiction,
            "target_jurisdiction": learner.target_jurisdiction,
            "competences": [
                _drop_empty(
                    {
                        "skill": c.skill,
                        "level": c.level,
                        "source": c.source.value,
                        "date": c.date.isoformat() if c.date else None,
                        "evidence": c.evidence,
                    }
                )
                for c in learner.competences
            ],
            "credentials": list(learner.credentials),
            "assessments": [assessment_to_document(a) for a in learner.assessments],
        }
    )
