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

The document form is :mod:`graph.model.learner_documents`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "DEFAULT_RULE",
    "LEVEL_SCALE",
    "AssessmentResult",
    "Competence",
    "CompetenceRule",
    "CompetenceSource",
    "Learner",
    "competence_score",
    "competences_from_assessments",
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
    #: An adaptive onboarding test taken in credwalk (graph.services.onboarding).
    ONBOARDING_TEST = "onboarding_test"


@dataclass(frozen=True, slots=True)
class Competence:
    """A skill a learner has, at a level (None: counts at any level), with its evidence.

    ``confidence`` (in [0, 1]) is how sure the source is of the level, when it says (an
    onboarding test does).
    """

    skill: str
    level: int | None = None
    source: CompetenceSource = CompetenceSource.SELF_DECLARED
    date: dt.date | None = None
    evidence: str | None = None
    confidence: float | None = None


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
