"""What a pathway means for the learner: off-ramps and the explanation of each step.

**Off-ramps.** After each step, the learner holds what they held before plus every skill the
credentials earned so far certify. A step's off-ramp lists

- the stackable credentials it completes: those whose every module (see
  :func:`graph.algorithms.pathways.problem.stack_modules`) is now held, whose prerequisite
  credentials are held, and that cost nothing beyond their modules (they are awarded on
  completion);
- the occupations whose essential skills the learner then holds for at least ``threshold`` of
  them (best first, at most three; ``qualifies`` when all of them), weighed among the twenty
  occupations that need a skill of the step and share the most essential skills with what the
  learner then holds (so that a widely needed skill does not make a step weigh hundreds).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from graph.algorithms.pathways import Method, Pathway
from graph.algorithms.pathways.problem import CandidateCredential, stack_modules
from graph.model.concepts import NodeKind, RelationType
from graph.store import Direction, GraphStore

__all__ = ["OccupationFit", "OffRamp", "OffRampCache", "explain", "offramps"]

logger = logging.getLogger(__name__)

_TOP_OCCUPATIONS = 3
#: Occupations weighed per step: those sharing the most essential skills with the learner.
_SHORTLIST = 20


@dataclass(frozen=True, slots=True)
class OccupationFit:
    """An occupation and the share of its essential skills a learner holds."""

    uri: str
    label: str
    coverage: float
    qualifies: bool


@dataclass(frozen=True, slots=True)
class OffRamp:
    """A credential earned on the way, the stacks it completes, the occupations then in reach."""

    credential: str
    awards: tuple[str, ...]
    occupations: tuple[OccupationFit, ...]


@dataclass
class OffRampCache:
    """What the off-ramps of one search look up once: links of skills and occupations."""

    occupations_of: dict[str, frozenset[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    essential: dict[str, frozenset[str]] = field(default_factory=dict)


def _completed(
    earned: set[str],
    modules: Mapping[str, list[list[str]]],
    candidates: Mapping[str, CandidateCredential],
) -> list[str]:
    """Stackable credentials that the credentials earned complete at no extra cost."""
    done = []
    for target, parts in sorted(modules.items()):
        if target in earned or target not in candidates:
            continue
        candidate = candidates[target]
        if not all(any(p in earned for p in module) for module in parts):
            continue
        if not set(candidate.prerequisite_credentials) <= earned:
            continue
        cheapest = {
            attribute: sum(
                min(float(getattr(candidates[p], attribute) or 0.0) for p in module)
                for module in parts
            )
            for attribute in ("cost", "hours")
        }
        if (candidate.cost or 0.0) <= cheapest["cost"] and (candidate.hours or 0.0) <= cheapest[
            "hours"
        ]:
            done.append(target)
    return done


def _occupations_of(
    store: GraphStore, cache: OffRampCache, skills: Iterable[str]
) -> dict[str, frozenset[str]]:
    """What names each of ``skills`` as essential (occupations, and skills in ESCO).

    One store call for the skills not seen yet (one round trip on Neo4j).
    """
    wanted = set(skills)
    new = sorted(wanted - set(cache.occupations_of))
    edges = store.relations_of(
        new, direction=Direction.IN, types=[RelationType.HAS_ESSENTIAL_SKILL]
    )
    for skill in new:
        cache.occupations_of[skill] = frozenset(r.source for r in edges.get(skill, ()))
    return {skill: cache.occupations_of[skill] for skill in wanted}


def _shortlist(store: GraphStore, cache: OffRampCache, ranked: list[str]) -> list[str]:
    """The first occupations of ``ranked`` (skills and other kinds are passed over)."""
    unknown = [u for u in ranked[: 3 * _SHORTLIST] if u not in cache.labels]
    for uri, concept in store.get_concepts(unknown).items():
        # ESCO also links skills to the skills they need: only occupations are off-ramps.
        if concept.kind is NodeKind.OCCUPATION:
            cache.labels[uri] = concept.preferred_label()
    return [u for u in ranked[: 3 * _SHORTLIST] if u in cache.labels][:_SHORTLIST]


def offramps(
    store: GraphStore,
    pathway: Pathway,
    *,
    candidates: Mapping[str, CandidateCredential],
    held_skills: Iterable[str],
    held_credentials: Iterable[str],
    threshold: float,
    cache: OffRampCache,
) -> tuple[OffRamp, ...]:
    """The off-ramps of each step of ``pathway`` (``cache`` serves the pathways of a search).

    The occupations weighed at a step are, among those needing a skill the step certifies, the
    ``_SHORTLIST`` that share the most essential skills with what the learner then holds.
    """
    have = set(held_skills)
    shared: Counter[str] = Counter()
    for occupations in _occupations_of(store, cache, have).values():
        shared.update(occupations)
    earned = set(held_credentials)
    modules = stack_modules(candidates)
    ramps = []
    for step in pathway.steps:
        earned.add(step.credential)
        awards = [
            t
            for t in _completed(earned, modules, candidates)
            if step.credential in {p for module in modules[t] for p in module}
        ]
        earned.update(awards)
        skills = {s.skill for uri in (step.credential, *awards) for s in candidates[uri].skills}
        needing = _occupations_of(store, cache, skills)
        for skill in skills - have:
            shared.update(needing[skill])
        have |= skills
        touched = set().union(*needing.values())
        ranked = sorted(touched, key=lambda o: (-shared[o], o))
        fits = []
        shortlist = _shortlist(store, cache, ranked)
        unknown = [uri for uri in shortlist if uri not in cache.essential]
        edges = store.relations_of(unknown, types=[RelationType.HAS_ESSENTIAL_SKILL])
        for uri in unknown:
            cache.essential[uri] = frozenset(r.target for r in edges.get(uri, ()))
        for uri in shortlist:
            essential = cache.essential[uri]
            coverage = len(essential & have) / len(essential) if essential else 0.0
            if coverage >= threshold:
                fits.append((coverage, uri))
        fits.sort(key=lambda f: (-f[0], f[1]))
        ramps.append(
            OffRamp(
                step.credential,
                tuple(awards),
                tuple(
                    OccupationFit(uri, cache.labels[uri], round(coverage, 4), coverage >= 1.0)
                    for coverage, uri in fits[:_TOP_OCCUPATIONS]
                ),
            )
        )
    return tuple(ramps)


def explain(
    pathway: Pathway,
    *,
    labels: Mapping[str, str],
    titles: Mapping[str, str],
    currency: str,
    awards: Sequence[OffRamp] = (),
) -> tuple[tuple[str, ...], str]:
    """One sentence per step (what it newly covers, what it builds on) and a summary."""

    def names(uris: Sequence[str]) -> str:
        shown = ", ".join(labels.get(u, u) for u in uris[:6])
        return shown + (f" and {len(uris) - 6} more" if len(uris) > 6 else "")

    completes = {r.credential: r.awards for r in awards}
    lines = []
    for step in pathway.steps:
        parts = [
            f"covers {len(step.covers)} missing skill(s): {names(step.covers)}"
            if step.covers
            else "covers no missing skill itself"
        ]
        if step.also_covers:
            parts.append(f"also optional: {names(step.also_covers)}")
        if step.after:
            parts.append("after " + "; ".join(titles.get(a, a) for a in step.after))
        if completes.get(step.credential):
            parts.append(
                "completes " + "; ".join(titles.get(a, a) for a in completes[step.credential])
            )
        title = titles.get(step.credential, step.credential)
        lines.append(f"{step.order}. {title}: " + "; ".join(parts))
    how = "the proven optimum" if pathway.method is Method.EXACT else "found by the heuristic"
    if pathway.method is Method.HEURISTIC and pathway.bound.gap is not None:
        how += f", within {pathway.bound.gap:.1%} of the optimum"
    missing = f"; {len(pathway.missing)} skill(s) no credential covers" if pathway.missing else ""
    summary = (
        f"{len(pathway.steps)} credential(s), {pathway.cost:,.0f} {currency}, "
        f"{pathway.hours:,.0f} hours; covers {len(pathway.covers)} missing required skill(s)"
        f"{missing} ({how})"
    )
    return tuple(lines), summary
