"""The explanation of one equivalence: matched and missing skills, levels, credits, decisions.

Shared by :func:`graph.services.equivalence.equivalents.credential_equivalence` and
:func:`graph.services.equivalence.equivalents.equivalents`, so a pair gets the same score and the
same explanation whichever question led to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from graph.algorithms.equivalence import (
    AncestorIndex,
    MatchKind,
    SkillCoverage,
    Thresholds,
    Verdict,
    ancestor_index,
    equivalence_score,
    level_factor,
    skill_coverage,
    verdict,
)
from graph.errors import CredwalkError
from graph.model.credentials import Credential, Credits, Money
from graph.reference import ReferenceData
from graph.reference.qualifications import EQF_ID, FrameworkLevel
from graph.services.equivalence.recognition import (
    RecognitionDecision,
    RecognitionOutcome,
    decision_status,
)

__all__ = [
    "CLOSE_THRESHOLD",
    "CREDIT_HOUR_HOURS",
    "ECTS_HOURS",
    "CredentialSummary",
    "CreditComparison",
    "Equivalence",
    "LevelDifference",
    "MatchedSkills",
    "RecognitionNote",
    "Side",
    "SkillRef",
    "explain",
    "make_side",
    "volume_hours",
]

#: Cosine of two skill labels from which they count as semantically close.
CLOSE_THRESHOLD = 0.7
#: Learning hours per ECTS credit: the lower bound of the ECTS Users' Guide (25-30 hours).
ECTS_HOURS = 25.0
#: Learning hours per US semester credit hour: one class hour and two hours of work outside
#: class a week over a 15-week semester (the Carnegie unit).
CREDIT_HOUR_HOURS = 45.0
_HOURS_PER_UNIT = {"ECTS": ECTS_HOURS, "credit_hours": CREDIT_HOUR_HOURS, "notional_hours": 1.0}
_ADVERB = {"full": "fully", "partial": "partially", "conditional": "conditionally"}
_FLIP = {MatchKind.NARROWER: MatchKind.BROADER, MatchKind.BROADER: MatchKind.NARROWER}
#: The verdict a current decision recognising one credential toward the other declares.
_DECLARED = {
    RecognitionOutcome.FULL: Verdict.EQUIVALENT,
    RecognitionOutcome.PARTIAL: Verdict.PARTIALLY_EQUIVALENT,
    RecognitionOutcome.CONDITIONAL: Verdict.PARTIALLY_EQUIVALENT,
}
_RANK = (Verdict.NOT_EQUIVALENT, Verdict.PARTIALLY_EQUIVALENT, Verdict.EQUIVALENT)


@dataclass(frozen=True, slots=True)
class SkillRef:
    """A skill with its label and the level a credential certifies it at."""

    uri: str
    label: str
    level: int | None = None


@dataclass(frozen=True, slots=True)
class MatchedSkills:
    """A skill of A matched to a skill of B; ``kind`` says how A's skill relates to B's."""

    a: SkillRef
    b: SkillRef
    kind: MatchKind
    similarity: float


@dataclass(frozen=True, slots=True)
class CredentialSummary:
    """What an advisor sees of a credential beside its skills."""

    id: str
    title: str
    type: str
    issuer: str
    issuer_name: str | None
    issuer_type: str | None
    jurisdiction: str | None
    recognized_in: tuple[str, ...]
    level: str | None
    eqf_level: int | None
    credits: Credits | None
    hours: float | None
    cost: Money | None
    industry: str | None
    field_of_study: str | None
    language: str | None
    skills: int


@dataclass(frozen=True, slots=True)
class LevelDifference:
    """The two qualification levels compared through the EQF (``difference`` is A minus B)."""

    a: str | None
    b: str | None
    a_eqf: int | None
    b_eqf: int | None
    difference: int | None
    factor: float
    confidence: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class CreditComparison:
    """The two learning volumes in hours and their ratio (A over B)."""

    a_hours: float | None
    b_hours: float | None
    a_basis: str | None
    b_basis: str | None
    ratio: float | None
    explanation: str


@dataclass(frozen=True, slots=True)
class RecognitionNote:
    """A declared recognition decision that applies to the pair, with its status today."""

    decision: RecognitionDecision
    status: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Equivalence:
    """The explained equivalence of credential A with credential B.

    ``a_covers_b`` is the share of B's skills A covers (and conversely); ``skill_score`` their
    harmonic mean; ``score`` that times the EQF level factor; ``computed_verdict`` the verdict
    of the score. Recognition decisions that apply are listed as declared; they never change the
    score, but a current one recognising one credential toward the other (``declared``) raises
    ``verdict`` to what it declares (full: equivalent; partial or conditional: partially
    equivalent) when the computed verdict is lower.
    """

    a: CredentialSummary
    b: CredentialSummary
    score: float
    skill_score: float
    verdict: Verdict
    computed_verdict: Verdict
    thresholds: Thresholds
    a_covers_b: float
    b_covers_a: float
    matched: tuple[MatchedSkills, ...]
    missing_in_a: tuple[SkillRef, ...]
    missing_in_b: tuple[SkillRef, ...]
    level: LevelDifference
    credits: CreditComparison
    recognitions: tuple[RecognitionNote, ...]
    declared: RecognitionDecision | None
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Side:
    """A credential prepared for comparison: confirmed skills, resolved level, summary."""

    credential: Credential
    summary: CredentialSummary
    skills: dict[str, int | None]
    level: FrameworkLevel | None

    @property
    def eqf(self) -> int | None:
        """The EQF level the credential's level is referenced to."""
        return None if self.level is None else self.level.eqf_level


def _resolved_level(credential: Credential, reference: ReferenceData) -> FrameworkLevel | None:
    """The national level when there is one (it says more), else the EQF level."""
    resolved: list[FrameworkLevel] = []
    for level in credential.levels:
        try:
            found = reference.level(level)
        except CredwalkError:
            continue  # a level saved without reference data; it cannot be compared
        if found.eqf_level is not None:
            resolved.append(found)
    national = [lv for lv in resolved if lv.framework != EQF_ID]
    chosen = national or resolved
    return chosen[0] if chosen else None


def volume_hours(credential: Credential) -> tuple[float | None, str | None]:
    """The learning volume in hours and how it was obtained (stated hours first)."""
    if credential.hours is not None:
        return credential.hours, f"{credential.hours:g} h stated"
    credits = credential.credits
    if credits is not None and credits.unit in _HOURS_PER_UNIT:
        per = _HOURS_PER_UNIT[credits.unit]
        return credits.value * per, f"{credits.value:g} {credits.unit} x {per:g} h"
    return None, None


def make_side(
    credential: Credential, issuer: Mapping[str, Any] | None, reference: ReferenceData
) -> Side:
    """Prepare a credential for comparison (``issuer`` is its stored issuer document)."""
    level = _resolved_level(credential, reference)
    hours, _ = volume_hours(credential)
    skills = {s.uri: s.level for s in credential.confirmed_skills}
    summary = CredentialSummary(
        id=credential.id,
        title=credential.title,
        type=credential.type,
        issuer=credential.issuer,
        issuer_name=None if issuer is None else issuer.get("name"),
        issuer_type=None if issuer is None else issuer.get("type", "institution"),
        jurisdiction=credential.jurisdiction,
        recognized_in=credential.recognized_in,
        level=None if level is None else level.name,
        eqf_level=None if level is None else level.eqf_level,
        credits=credential.credits,
        hours=hours,
        cost=credential.cost,
        industry=credential.industry,
        field_of_study=credential.field_of_study,
        language=credential.language,
        skills=len(skills),
    )
    return Side(credential, summary, skills, level)


def _level_difference(a: Side, b: Side, reference: ReferenceData) -> LevelDifference:
    if a.level is not None and b.level is not None:
        comparison = reference.frameworks.compare_levels(a.level, b.level)
        return LevelDifference(
            a.level.name,
            b.level.name,
            a.eqf,
            b.eqf,
            comparison.difference,
            level_factor(comparison.difference),
            comparison.confidence,
            comparison.explanation,
        )
    unstated = " and ".join(s.credential.title for s in (a, b) if s.level is None)
    text = (
        f"{unstated} states no qualification level referenced to the EQF, so the levels cannot "
        "be compared and do not change the score."
    )
    return LevelDifference(
        None if a.level is None else a.level.name,
        None if b.level is None else b.level.name,
        a.eqf,
        b.eqf,
        None,
        1.0,
        None,
        text,
    )


def _credits(a: Side, b: Side) -> CreditComparison:
    a_hours, a_basis = volume_hours(a.credential)
    b_hours, b_basis = volume_hours(b.credential)
    if a_hours and b_hours:
        ratio = round(a_hours / b_hours, 3)
        text = (
            f"A is about {a_hours:g} h ({a_basis}), B about {b_hours:g} h ({b_basis}): "
            f"volume ratio {ratio:g} (reported, not scored)."
        )
        return CreditComparison(a_hours, b_hours, a_basis, b_basis, ratio, text)
    missing = " and ".join(n for n, h in (("A", a_hours), ("B", b_hours)) if not h)
    return CreditComparison(
        a_hours, b_hours, a_basis, b_basis, None, f"{missing} states no credits or hours."
    )


def _applies(decision: RecognitionDecision, a: Side, b: Side, reference: ReferenceData) -> bool:
    for own, other in ((a, b), (b, a)):
        if decision.credential != own.credential.id:
            continue
        if decision.target == other.credential.id:
            return True
        where = other.credential.jurisdiction
        if decision.target is None and where:
            try:
                if reference.jurisdictions.contains(decision.to_jurisdiction, where):
                    return True
            except CredwalkError:
                continue
    return False


def _note(decision: RecognitionDecision, superseded: set[str], names: Mapping[str, str]) -> str:
    who = decision.authority_name or decision.authority
    toward = f" toward {names.get(decision.target, decision.target)}" if decision.target else ""
    granted = (
        f", granting {decision.credits.value:g} {decision.credits.unit}" if decision.credits else ""
    )
    conditions = (
        f" on condition that {'; '.join(decision.conditions)}" if decision.conditions else ""
    )
    period = f"{decision.valid_from or 'open start'} to {decision.valid_until or 'open end'}"
    status = decision_status(decision, superseded=superseded)
    source = f" Decision {decision.id}; source: {decision.source}." if decision.source else ""
    return (
        f"Declared by {who}: {names.get(decision.credential, decision.credential)} is recognised "
        f"{_ADVERB[decision.outcome.value]} in {decision.to_jurisdiction}{toward}{granted}"
        f"{conditions} (valid {period}; {status}).{source}"
    )


def _pairs(forward: Iterable[Any], backward: Iterable[Any]) -> dict[tuple[str, str], Any]:
    merged: dict[tuple[str, str], tuple[MatchKind, float]] = {}
    for pair in forward:  # required: B's skill, offered: A's skill
        merged[(pair.offered, pair.required)] = (pair.kind, pair.similarity)
    for pair in backward:  # required: A's skill, offered: B's skill
        key = (pair.required, pair.offered)
        if key not in merged:
            merged[key] = (_FLIP.get(pair.kind, pair.kind), pair.similarity)
    return merged


def _ref(uri: str, side: Side, labels: Mapping[str, str]) -> SkillRef:
    return SkillRef(uri, labels.get(uri, uri), side.skills.get(uri))


def _matched_skills(
    forward: SkillCoverage,
    backward: SkillCoverage,
    *,
    a: Side,
    b: Side,
    labels: Mapping[str, str],
) -> tuple[MatchedSkills, ...]:
    """The pairs both coverages matched, A's skill first, by kind and then by skills."""
    merged = _pairs(forward.pairs, backward.pairs)
    return tuple(
        MatchedSkills(_ref(ua, a, labels), _ref(ub, b, labels), kind, similarity)
        for (ua, ub), (kind, similarity) in sorted(
            merged.items(), key=lambda item: (list(MatchKind).index(item[1][0]), item[0])
        )
    )


def _recognition_notes(
    decisions: Iterable[RecognitionDecision], a: Side, b: Side, reference: ReferenceData
) -> tuple[RecognitionNote, ...]:
    """The declared decisions that apply to the pair, with their status today."""
    applying = [d for d in decisions if _applies(d, a, b, reference)]
    superseded = {d.supersedes for d in applying if d.supersedes}
    names = {a.credential.id: a.credential.title, b.credential.id: b.credential.title}
    return tuple(
        RecognitionNote(d, decision_status(d, superseded=superseded), _note(d, superseded, names))
        for d in applying
    )


def _declared(
    notes: Iterable[RecognitionNote], a: Side, b: Side, computed: Verdict
) -> tuple[Verdict, RecognitionDecision | None]:
    """The verdict once current decisions toward the other credential count; which one set it."""
    pair = {a.credential.id, b.credential.id}
    found, by = computed, None
    for note in notes:
        d = note.decision
        toward = d.target in pair and d.credential in pair and d.target != d.credential
        if (
            note.status == "current"
            and toward
            and _RANK.index(_DECLARED[d.outcome]) > _RANK.index(found)
        ):
            found, by = _DECLARED[d.outcome], d
    return found, by


def _declared_line(result: Equivalence) -> str | None:
    d = result.declared
    if d is None:
        return None
    who = d.authority_name or d.authority
    cited = f", citing {d.source}" if d.source else ""
    return (
        f"Verdict {result.verdict.value.replace('_', ' ')} as declared by {who} in the decision "
        f"{d.id}{cited} (computed: {result.computed_verdict.value.replace('_', ' ')})."
    )


def _explanation(a: Side, b: Side, result: Equivalence) -> tuple[str, ...]:
    """The lines explaining ``result``: coverage, matches, gaps, level, credits, score, notes."""
    kinds = {k: sum(1 for m in result.matched if m.kind is k) for k in MatchKind}
    lines = [
        f"A ({a.credential.title}) covers {result.a_covers_b:.0%} of B's {len(b.skills)} skills; "
        f"B ({b.credential.title}) covers {result.b_covers_a:.0%} of A's {len(a.skills)}.",
        f"{len(result.matched)} matched skill pairs: {kinds[MatchKind.EXACT]} exact, "
        f"{kinds[MatchKind.NARROWER] + kinds[MatchKind.BROADER]} narrower or broader, "
        f"{kinds[MatchKind.CLOSE]} semantically close (label cosine >= {CLOSE_THRESHOLD}).",
    ]
    for name, missing in (("A", result.missing_in_a), ("B", result.missing_in_b)):
        if missing:
            shown = ", ".join(s.label for s in missing[:8])
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            lines.append(f"Missing in {name}: {shown}{more}.")
    lines.append(result.level.explanation)
    lines.append(result.credits.explanation)
    thresholds = result.thresholds
    lines.append(
        f"Score {result.score:.2f} = harmonic mean of the two coverages "
        f"({result.skill_score:.2f}) x EQF level factor {result.level.factor:g}; "
        f"{result.computed_verdict.value.replace('_', ' ')} (equivalent >= "
        f"{thresholds.equivalent:g}, partially equivalent >= {thresholds.partial:g})."
    )
    lines.extend(note.explanation for note in result.recognitions)
    declared = _declared_line(result)
    if declared is not None:
        lines.append(declared)
    if result.recognitions:
        lines.append(
            "Declared decisions never change the computed score; a current one recognising one "
            "credential toward the other raises the verdict to what it declares."
        )
    return tuple(lines)


def explain(
    a: Side,
    b: Side,
    *,
    hierarchy: nx.MultiDiGraph,
    close: Mapping[tuple[str, str], float],
    labels: Mapping[str, str],
    decisions: Iterable[RecognitionDecision],
    reference: ReferenceData,
    thresholds: Thresholds,
    ancestors: AncestorIndex | None = None,
) -> Equivalence:
    """Compare two prepared credentials and explain the result.

    ``ancestors`` is the :func:`~graph.algorithms.equivalence.ancestor_index` of ``hierarchy``
    when the caller explains many pairs over one hierarchy.
    """
    options: dict[str, Any] = {
        "similarity": close,
        "close_threshold": CLOSE_THRESHOLD,
        "ancestors": ancestors if ancestors is not None else ancestor_index(hierarchy),
    }
    forward = skill_coverage(hierarchy, b.skills, a.skills, **options)
    backward = skill_coverage(hierarchy, a.skills, b.skills, **options)
    skill_score = equivalence_score(forward.share, backward.share)
    level = _level_difference(a, b, reference)
    score = round(skill_score * level.factor, 6)
    computed = verdict(score, thresholds)
    notes = _recognition_notes(decisions, a, b, reference)
    final, declared = _declared(notes, a, b, computed)
    result = Equivalence(
        a=a.summary,
        b=b.summary,
        score=score,
        skill_score=skill_score,
        verdict=final,
        computed_verdict=computed,
        thresholds=thresholds,
        a_covers_b=forward.share,
        b_covers_a=backward.share,
        matched=_matched_skills(forward, backward, a=a, b=b, labels=labels),
        missing_in_a=tuple(_ref(u, b, labels) for u in forward.missing),
        missing_in_b=tuple(_ref(u, a, labels) for u in backward.missing),
        level=level,
        credits=_credits(a, b),
        recognitions=notes,
        declared=declared,
        explanation=(),
    )
    # The explanation is written from the finished result, so it cannot disagree with it.
    return replace(result, explanation=_explanation(a, b, result))
