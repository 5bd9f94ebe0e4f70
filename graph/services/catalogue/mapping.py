"""Use case: map a curriculum's learning outcomes to ESCO skills, with scores, bands and reasons.

Each outcome is matched as a whole (hybrid search, :func:`graph.services.concepts.map_texts`).
Skills are then aggregated over the credential's outcomes: a skill several
outcomes point to is more likely to be taught (noisy-or of the per-outcome scores), and its
reason lists every outcome that supports it.

The issuer then accepts or rejects suggestions. Decisions are data: who, when, which model;
re-running the mapper adds new suggestions but never overturns a decision, and never
re-suggests a rejected skill.

Outcomes in a language other than English use the dense model only when it is multilingual;
with an English-only model they fall back to lexical matching against the ESCO labels of that
language, and the result says so.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.embeddings import Embedder
from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.model.credentials import Credential, CredentialSkill, SkillStatus
from graph.reference import ReferenceData
from graph.search import SearchMatch
from graph.services import policy
from graph.services.catalogue.credentials import get_credential, update_credential
from graph.services.concepts import map_texts
from graph.services.embedding_policy import mapping_embedder
from graph.store import GraphStore

__all__ = [
    "BANDS",
    "CurriculumMapping",
    "OutcomeMapping",
    "SkillSuggestion",
    "band_of",
    "bands_of",
    "decide_skill",
    "map_outcomes",
    "preview_mapping",
    "suggest_skills",
]

#: Score thresholds of the confidence bands, set on the ESCO development set
#: (``scripts/dev bench quality``): in the high band most top suggestions are right, in the
#: low band most are not.
BANDS: tuple[tuple[str, float], ...] = (("high", 0.70), ("medium", 0.55), ("low", 0.0))
#: How far an outcome's first match must lead its second to be in the high band whatever its
#: score. Chosen on the tune part of the expert-labelled job-ad sets (precision 0.69 over 16
#: first matches there, against 0.44 for every first match; no score threshold reached 0.6
#: on more than 10); its held-out precision is printed by ``scripts/dev bench quality``.
HIGH_LEAD = 0.08
_MAX_OUTCOMES = 100
_ORDER = {name: i for i, (name, _) in enumerate(BANDS)}


def band_of(score: float) -> str:
    """The confidence band of a score.

    Examples
    --------
    >>> [band_of(s) for s in (0.9, 0.6, 0.2)]
    ['high', 'medium', 'low']
    """
    return next(name for name, threshold in BANDS if score >= threshold)


def bands_of(scores: Sequence[float]) -> list[str]:
    """The bands of one outcome's ranked matches: by score, and by the first one's lead.

    A first match far ahead of the second is high whatever its score (the text names one
    skill clearly); a first match is at least medium.

    Examples
    --------
    >>> bands_of([0.52, 0.41, 0.40])
    ['high', 'low', 'low']
    >>> bands_of([0.52, 0.50, 0.30])
    ['medium', 'low', 'low']
    """
    out = [band_of(s) for s in scores]
    if out:
        lead = scores[0] - (scores[1] if len(scores) > 1 else 0.0)
        out[0] = "high" if lead >= HIGH_LEAD else min(out[0], "medium", key=_ORDER.__getitem__)
    return out


@dataclass(frozen=True, slots=True)
class SkillSuggestion:
    """A suggested skill with its score, band and why."""

    uri: str
    label: str
    score: float
    band: str
    reason: str
    outcomes: tuple[int, ...]
    evidence: SearchMatch


@dataclass(frozen=True, slots=True)
class OutcomeMapping:
    """The ranked skills of one learning outcome."""

    index: int
    outcome: str
    matches: list[SkillSuggestion]


@dataclass(frozen=True, slots=True)
class CurriculumMapping:
    """Per-outcome matches and the aggregated suggestions for the whole curriculum.

    ``method`` is ``hybrid`` (dense and lexical) or ``lexical`` (the fallback for outcomes in a
    language the model does not cover); ``note`` says why when it falls back.
    """

    outcomes: list[OutcomeMapping]
    suggestions: list[SkillSuggestion]
    model: str | None
    language: str
    method: str
    note: str | None = None


def _reason(match: SearchMatch, outcome: str, outcome_index: int) -> str:
    words = ", ".join(match.matched_terms) or "no shared words"
    return (
        f'outcome {outcome_index + 1} ("{outcome}") matched the {match.matched_field.value} '
        f'"{match.matched_text}" (shared words: {words}; label similarity '
        f"{match.label_similarity:.2f}, description similarity "
        f"{match.description_similarity:.2f})"
    )


def _suggestion(match: SearchMatch, outcome: str, index: int, band: str) -> SkillSuggestion:
    return SkillSuggestion(
        uri=match.uri,
        label=match.label,
        score=match.score,
        band=band,
        reason=_reason(match, outcome, index),
        outcomes=(index,),
        evidence=match,
    )


def map_outcomes(
    store: GraphStore,
    embedder: Embedder | None,
    outcomes: Sequence[str],
    *,
    language: str = "en",
    top: int = 5,
    suggest: int = 15,
) -> CurriculumMapping:
    """Map learning outcomes to ESCO skills, per outcome and for the whole curriculum.

    Parameters
    ----------
    store, embedder
        The store (indexed with ``embedder``'s model) and the embedder.
    outcomes : sequence of str
        Learning outcomes, one per item (each is matched whole and clause by clause).
    language : str
        Their language (ISO 639-1).
    top : int
        Matches kept per outcome.
    suggest : int
        Aggregated suggestions kept for the curriculum.

    Raises
    ------
    InvalidInputError
        For no outcomes, too many, or an empty one (``details["index"]``).
    """
    if len(outcomes) > _MAX_OUTCOMES:
        raise InvalidInputError(
            f"at most {_MAX_OUTCOMES} outcomes per call", details={"field": "outcomes"}
        )
    allowed = mapping_embedder(store, embedder, language=language)
    dense = allowed.embedder is not None
    mapped = map_texts(
        store,
        allowed.embedder,
        outcomes,
        kind=NodeKind.SKILL,
        top=max(top, 2),  # the band of the first match reads its lead over the second
        lang=allowed.lang,
    )
    per_outcome = [
        OutcomeMapping(
            index=i,
            outcome=m.text,
            matches=[
                _suggestion(match, m.text, i, band)
                for match, band in zip(
                    m.matches, bands_of([x.score for x in m.matches]), strict=True
                )
            ][:top],
        )
        for i, m in enumerate(mapped)
    ]
    return CurriculumMapping(
        outcomes=per_outcome,
        suggestions=_aggregate(per_outcome)[:suggest],
        model=store.embedding_model() if dense else None,
        language=language,
        method="hybrid" if dense else "lexical",
        note=allowed.note,
    )


def _aggregate(per_outcome: Sequence[OutcomeMapping]) -> list[SkillSuggestion]:
    support: dict[str, list[SkillSuggestion]] = defaultdict(list)
    for mapping in per_outcome:
        for suggestion in mapping.matches:
            support[suggestion.uri].append(suggestion)
    aggregated = []
    for uri, items in support.items():
        miss = 1.0
        for item in items:
            miss *= 1.0 - item.score
        # Noisy-or, damped so that many weak hints never outrank one strong match.
        score = max(max(i.score for i in items), 1.0 - miss**0.5)
        strongest = max(items, key=lambda i: i.score)
        band = min([band_of(score), *(i.band for i in items)], key=_ORDER.__getitem__)
        aggregated.append(
            SkillSuggestion(
                uri=uri,
                label=strongest.label,
                score=min(score, 1.0),
                band=band,
                reason="; ".join(i.reason for i in sorted(items, key=lambda i: -i.score)),
                outcomes=tuple(sorted(o for i in items for o in i.outcomes)),
                evidence=strongest.evidence,
            )
        )
    return sorted(aggregated, key=lambda s: (-s.score, s.uri))


def _map_credential(
    store: GraphStore, embedder: Embedder | None, credential: Credential, *, top: int, suggest: int
) -> CurriculumMapping:
    language = (credential.language or "en").split("-")[0]
    return map_outcomes(
        store, embedder, credential.learning_outcomes, language=language, top=top, suggest=suggest
    )


def preview_mapping(
    store: GraphStore, embedder: Embedder | None, credential_id: str, *, top: int, suggest: int
) -> CurriculumMapping:
    """Map a stored credential's outcomes without storing anything on it.

    Raises
    ------
    NotFoundError
        When there is no such credential.
    InvalidInputError
        When it has no learning outcomes, or too many.
    """
    credential = get_credential(store, credential_id)
    return _map_credential(store, embedder, credential, top=top, suggest=suggest)


def suggest_skills(
    store: GraphStore,
    embedder: Embedder | None,
    credential_id: str,
    *,
    actor: Actor,
    reference: ReferenceData | None = None,
    top: int = 5,
    suggest: int = 15,
) -> tuple[CurriculumMapping, Credential]:
    """Map a stored credential's outcomes and store new suggestions on it (its issuer's staff).

    Skills already on the credential keep their state: a confirmed or rejected skill is never
    suggested again, and an earlier suggestion keeps its place.

    Raises
    ------
    NotFoundError
        When there is no such credential.
    InvalidInputError
        When it has no learning outcomes.
    UnauthenticatedError, ForbiddenError
        For anyone but the credential's issuer's staff.
    """
    credential = get_credential(store, credential_id)
    if not credential.learning_outcomes:
        raise InvalidInputError(
            f"credential {credential_id} has no learning outcomes to map",
            details={"field": "learning_outcomes", "credential": credential_id},
        )
    mapping = _map_credential(store, embedder, credential, top=top, suggest=suggest)

    def add_suggestions(current: Credential) -> Credential:
        present = {s.uri for s in current.skills}
        new = [
            CredentialSkill(
                uri=s.uri,
                status=SkillStatus.SUGGESTED,
                score=s.score,
                model=mapping.model or "lexical",
                evidence=s.reason[:2000],
            )
            for s in mapping.suggestions
            if s.uri not in present
        ]
        return dataclasses.replace(current, skills=current.skills + tuple(new))

    updated = update_credential(
        store, credential_id, add_suggestions, actor=actor, reference=reference
    )
    return mapping, updated


def decide_skill(
    store: GraphStore,
    credential_id: str,
    skill_uri: str,
    *,
    accept: bool,
    actor: Actor,
    level: int | None = None,
    reference: ReferenceData | None = None,
    at: datetime | None = None,
) -> Credential:
    """Record an issuer's decision on a skill of a credential, as the acting user.

    Raises
    ------
    NotFoundError
        When the credential does not exist, or the skill is neither on it nor in ESCO.
    ConflictError
        When the skill was already decided the other way (decisions are not silently flipped;
        the issuer edits the credential to change one).
    UnauthenticatedError, ForbiddenError
        For anyone but the credential's issuer's staff.
    """
    by = policy.require_user(actor, action="decide a skill of a credential")
    status = SkillStatus.CONFIRMED if accept else SkillStatus.REJECTED
    when = (at or datetime.now(UTC)).isoformat(timespec="seconds")

    def decide(credential: Credential) -> Credential:
        skills = list(credential.skills)
        index = next((i for i, s in enumerate(skills) if s.uri == skill_uri), None)
        if index is None:
            if store.get_concepts([skill_uri]).get(skill_uri) is None:
                raise NotFoundError(f"no skill {skill_uri}", details={"uri": skill_uri})
            skills.append(CredentialSkill(uri=skill_uri, level=level))
            index = len(skills) - 1
        current = skills[index]
        decided_otherwise = current.status not in (SkillStatus.SUGGESTED, status)
        if decided_otherwise and current.decided_by is not None:
            raise ConflictError(
                f"{skill_uri} was {current.status.value} by {current.decided_by} at "
                f"{current.decided_at}; edit the credential to change that decision",
                details={"uri": skill_uri, "status": current.status.value},
            )
        skills[index] = dataclasses.replace(
            current,
            status=status,
            level=level if level is not None else current.level,
            decided_by=by,
            decided_at=when,
        )
        return dataclasses.replace(credential, skills=tuple(skills))

    return update_credential(store, credential_id, decide, actor=actor, reference=reference)
