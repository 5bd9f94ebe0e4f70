"""The pathway problem: candidate credentials, constraints and objective, as an integer program.

:func:`pathway_problem` filters the candidates by the constraints, drops those whose rules can
no longer be kept, and builds the index form :class:`~graph.algorithms.pathways.solvers.Problem`
that the solvers of :mod:`graph.algorithms.pathways` take.

**Stackable credentials count their parts.** A credential others stack into is awarded on
completing its parts: its parts must be held or come earlier in the pathway, and its stated
cost and hours are taken to include theirs, so only the excess over its parts (never negative)
is added for it. Parts that certify the same skills at the same levels are deliveries of one
module by different issuers (an alliance whose members teach the same module): one of them is
enough.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.algorithms.gaps import Requirement, level_met
from graph.algorithms.pathways.solvers import Problem
from graph.errors import InvalidInputError, NoPathwayError

__all__ = [
    "MAX_ALTERNATIVES",
    "MAX_OBJECTIVE_WEIGHT",
    "REDUCE_ABOVE",
    "CandidateCredential",
    "Constraints",
    "Objective",
    "Setup",
    "SkillLevel",
    "check_options",
    "exclusions",
    "pathway_problem",
    "same_code",
    "stack_modules",
]

logger = logging.getLogger(__name__)

MAX_ALTERNATIVES = 20
#: The largest weight of cost or hours in an objective (weights compare with each other and
#: with optional skills' weight, so no real one comes near).
MAX_OBJECTIVE_WEIGHT = 100.0
#: Above this many candidates, dominated ones are left out before solving.
REDUCE_ABOVE = 150
_LEVELS = (1, 8)


@dataclass(frozen=True, slots=True)
class SkillLevel:
    """A skill at a level (None: any level)."""

    skill: str
    level: int | None = None


@dataclass(frozen=True, slots=True)
class CandidateCredential:
    """What the optimiser needs to know about a credential (unknown cost or hours count 0)."""

    id: str
    skills: tuple[SkillLevel, ...] = ()
    cost: float | None = None
    hours: float | None = None
    eqf_level: int | None = None
    jurisdiction: str | None = None
    recognized_in: tuple[str, ...] = ()
    language: str | None = None
    prerequisite_credentials: tuple[str, ...] = ()
    prerequisite_skills: tuple[SkillLevel, ...] = ()
    stacks_into: tuple[str, ...] = ()

    def covers(self, skill: str, level: int | None) -> bool:
        """Whether this credential certifies ``skill`` at ``level`` or above."""
        return any(s.skill == skill and level_met(s.level, level) for s in self.skills)


@dataclass(frozen=True, slots=True)
class Constraints:
    """Limits on a pathway; None means no limit."""

    max_cost: float | None = None
    max_hours: float | None = None
    max_eqf_level: int | None = None
    jurisdiction: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Objective:
    """Weights of total cost and total hours.

    Each is divided by the mean of the positive stated amounts over all candidates, so that
    one unit of the objective is one average credential, whatever the currency. Each is at
    most :data:`MAX_OBJECTIVE_WEIGHT`.
    """

    cost: float = 1.0
    hours: float = 0.0


@dataclass(frozen=True, slots=True)
class Setup:
    """A problem with what it was built from.

    ``kept[i]`` is credential ``i`` of ``problem``; ``excluded`` gives the reasons each other
    candidate was left out (``jurisdiction``, ``language``, ``max_eqf_level``,
    ``prerequisites``); ``missing`` are required skills nothing kept covers (left out of the
    problem when partial pathways are allowed); ``reduced`` how many candidates were left out
    as dominated.
    """

    problem: Problem
    kept: tuple[CandidateCredential, ...]
    excluded: Mapping[str, frozenset[str]]
    required: tuple[Requirement, ...]
    optional: tuple[Requirement, ...]
    missing: tuple[str, ...]
    reduced: int = 0


def check_options(constraints: Constraints, objective: Objective, alternatives: int) -> None:
    """Raise InvalidInputError naming the field of a contradictory or impossible option."""

    def fail(field: str, message: str) -> InvalidInputError:
        return InvalidInputError(f"{field}: {message}", details={"field": field})

    for name in ("max_cost", "max_hours"):
        value = getattr(constraints, name)
        if value is not None and value < 0:
            raise fail(name, f"must not be negative, got {value}")
    level = constraints.max_eqf_level
    if level is not None and not _LEVELS[0] <= level <= _LEVELS[1]:
        raise fail("max_eqf_level", f"must be an EQF level 1-8, got {level}")
    if objective.cost < 0 or objective.hours < 0 or objective.cost + objective.hours <= 0:
        raise fail("objective", "weights must not be negative and must not both be 0")
    if not (objective.cost <= MAX_OBJECTIVE_WEIGHT and objective.hours <= MAX_OBJECTIVE_WEIGHT):
        # Beyond it the solver's coefficients lose precision, then overflow (no answer at all).
        raise fail("objective", f"weights must be at most {MAX_OBJECTIVE_WEIGHT:g}")
    if not 1 <= alternatives <= MAX_ALTERNATIVES:
        raise fail("alternatives", f"must be between 1 and {MAX_ALTERNATIVES}")


def same_code(region: str, jurisdiction: str) -> bool:
    """The default recognition rule: the same jurisdiction code."""
    return region.upper() == jurisdiction.upper()


def exclusions(
    candidate: CandidateCredential,
    constraints: Constraints,
    recognises: Callable[[str, str], bool],
) -> frozenset[str]:
    """Every constraint that rules a candidate out (empty when it is allowed)."""
    found = set()
    wanted = constraints.jurisdiction
    if wanted is not None:
        regions = (*candidate.recognized_in, *filter(None, [candidate.jurisdiction]))
        if not any(recognises(region, wanted) for region in regions):
            found.add("jurisdiction")
    language = constraints.language
    if language is not None:
        stated = (candidate.language or "").lower()
        if stated.split("-")[0] != language.lower().split("-")[0]:
            found.add("language")
    level = constraints.max_eqf_level
    if level is not None and candidate.eqf_level is not None and candidate.eqf_level > level:
        found.add("max_eqf_level")
    return frozenset(found)


def _held(held_skills: Mapping[str, float | None], skill: str, level: int | None) -> bool:
    return skill in held_skills and level_met(held_skills[skill], level)


class _SkillIndex:
    """Which candidates certify a skill, at which level (so lookups do not scan them all)."""

    def __init__(self, candidates: Iterable[CandidateCredential], *, only: set[str]) -> None:
        # Only the skills anyone asks about (the gap, prerequisites) are indexed.
        self._by_skill: dict[str, list[tuple[str, int | None]]] = {}
        for c in candidates:
            for s in c.skills:
                if s.skill in only:
                    self._by_skill.setdefault(s.skill, []).append((c.id, s.level))

    def providers(self, skill: str, level: int | None, *, alive: Mapping[str, object]) -> set[str]:
        """The candidates among ``alive`` that certify ``skill`` at ``level`` or above."""
        return {
            uri
            for uri, at in self._by_skill.get(skill, ())
            if uri in alive and level_met(at, level)
        }


def stack_modules(
    unique: Mapping[str, CandidateCredential],
) -> dict[str, list[list[str]]]:
    """Per stackable credential, its parts grouped into modules (alternative deliveries).

    Examples
    --------
    >>> a = CandidateCredential("a1", (SkillLevel("s"),), stacks_into=("t",))
    >>> b = CandidateCredential("a2", (SkillLevel("s"),), stacks_into=("t",))
    >>> c = CandidateCredential("b", (SkillLevel("u"),), stacks_into=("t",))
    >>> stack_modules({x.id: x for x in (a, b, c)})
    {'t': [['a1', 'a2'], ['b']]}
    """
    parts: dict[str, dict[frozenset[SkillLevel] | str, list[str]]] = {}
    for candidate in sorted(unique.values(), key=lambda c: c.id):
        key: frozenset[SkillLevel] | str = frozenset(candidate.skills) or candidate.id
        for target in candidate.stacks_into:
            if target != candidate.id:
                parts.setdefault(target, {}).setdefault(key, []).append(candidate.id)
    return {target: list(groups.values()) for target, groups in parts.items()}


def _filter(
    unique: Mapping[str, CandidateCredential],
    *,
    modules: Mapping[str, list[list[str]]],
    constraints: Constraints,
    held_skills: Mapping[str, float | None],
    held: frozenset[str],
    recognises: Callable[[str, str], bool],
) -> tuple[dict[str, CandidateCredential], dict[str, frozenset[str]]]:
    """Keep the candidates the constraints allow and whose rules can still be kept."""
    excluded: dict[str, frozenset[str]] = {}
    kept: dict[str, CandidateCredential] = {}
    for uri in sorted(unique):
        if uri in held:
            continue
        reasons = exclusions(unique[uri], constraints, recognises)
        if reasons:
            excluded[uri] = reasons
        else:
            kept[uri] = unique[uri]
    asked = {n.skill for c in kept.values() for n in c.prerequisite_skills}
    skills = _SkillIndex(kept.values(), only=asked)
    changed = True
    while changed:  # dropping one credential can strand those that needed it
        changed = False
        for c in list(kept.values()):
            stranded = (
                any(n not in held and n not in kept for n in c.prerequisite_credentials)
                or any(
                    not any(p in held or p in kept for p in module)
                    for module in modules.get(c.id, [])
                )
                or any(
                    not _held(held_skills, need.skill, need.level)
                    and not skills.providers(need.skill, need.level, alive=kept) - {c.id}
                    for need in c.prerequisite_skills
                )
            )
            if stranded:
                del kept[c.id]
                excluded[c.id] = frozenset({"prerequisites"})
                changed = True
    return kept, excluded


def _merge(requirements: Iterable[Requirement]) -> list[Requirement]:
    """One requirement per skill: the highest level, required if any is, the largest weight."""
    merged: dict[str, Requirement] = {}
    for r in requirements:
        known = merged.get(r.skill)
        if known is None:
            merged[r.skill] = r
            continue
        levels = [lv for lv in (known.level, r.level) if lv is not None]
        merged[r.skill] = Requirement(
            r.skill,
            max(levels) if levels else None,
            known.required or r.required,
            max(known.weight, r.weight),
        )
    return list(merged.values())


def _binding(
    skills: Sequence[Requirement],
    unique: Mapping[str, CandidateCredential],
    excluded: Mapping[str, frozenset[str]],
) -> list[str]:
    """The constraints that exclude credentials covering ``skills``, those that matter most first.

    A constraint comes first when lifting it alone would cover more of the skills.
    """
    unlocks: dict[str, set[str]] = {}
    involved: set[str] = set()
    for uri, reasons in excluded.items():
        covered = {r.skill for r in skills if unique[uri].covers(r.skill, r.level)}
        if covered:
            involved |= reasons
            if len(reasons) == 1:
                unlocks.setdefault(next(iter(reasons)), set()).update(covered)
    return sorted(involved, key=lambda reason: (-len(unlocks.get(reason, ())), reason))


def _uncovered_error(
    uncovered: Sequence[Requirement],
    unique: Mapping[str, CandidateCredential],
    excluded: Mapping[str, frozenset[str]],
) -> NoPathwayError:
    binding = _binding(uncovered, unique, excluded)
    skills = [r.skill for r in uncovered]
    why = f" (credentials that do were excluded by {', '.join(binding)})" if binding else ""
    return NoPathwayError(
        f"no available credential covers {len(skills)} required skill(s), e.g. {skills[0]}{why}",
        details={
            "uncovered_skills": skills,
            "binding": binding,
            "field": binding[0] if binding else "target",
        },
    )


def _mean(values: Iterable[float]) -> float:
    positive = [v for v in values if v > 0]
    return sum(positive) / len(positive) if positive else 1.0


def _own(
    c: CandidateCredential,
    modules: Sequence[Sequence[str]],
    unique: Mapping[str, CandidateCredential],
    attribute: str,
) -> float:
    """What a credential adds beyond its cheapest parts (its stated amount includes theirs)."""
    stated = float(getattr(c, attribute) or 0.0)
    parts = sum(min(float(getattr(unique[p], attribute) or 0.0) for p in m) for m in modules)
    return max(0.0, stated - parts)


def _at_least(have: int | None, need: int | None) -> bool:
    return have is None or (need is not None and have >= need)


def _dominated(
    kept: Sequence[CandidateCredential],
    *,
    relevant: set[str],
    needed_skills: set[str],
    bonus: Mapping[str, tuple[int | None, float]],
    weight: Mapping[str, float],
    keep: set[str],
    own: Mapping[str, tuple[float, float]],
    simple: set[str],
) -> set[str]:
    """Candidates another one makes useless: see :func:`pathway_problem` (``reduce_above``)."""
    coverage: dict[str, dict[str, int | None]] = {}
    for c in kept:
        levels: dict[str, int | None] = {}
        for s in c.skills:
            if s.skill in relevant:
                known = levels.get(s.skill, 0)
                levels[s.skill] = (
                    None if None in (known, s.level) else max(known or 0, s.level or 0)
                )
        coverage[c.id] = levels
    by_skill: dict[str, list[str]] = {}
    for uri in sorted(simple):
        for skill in coverage[uri]:
            by_skill.setdefault(skill, []).append(uri)
    drop: set[str] = set()
    for a in sorted(kept, key=lambda c: c.id):
        if a.id in keep:
            continue
        mine = coverage[a.id]
        if not needed_skills & mine.keys():
            # Only optional skills: worth taking only if they weigh more than it costs.
            gain = sum(
                bonus[skill][1]
                for skill, level in mine.items()
                if skill in bonus and _at_least(level, bonus[skill][0])
            )
            if weight[a.id] >= gain:
                drop.add(a.id)
                continue
        rare = min(mine, key=lambda skill: (len(by_skill.get(skill, ())), skill))
        for b in by_skill.get(rare, ()):
            if b == a.id or b in drop:
                continue
            theirs = coverage[b]
            if not all(
                skill in theirs and _at_least(theirs[skill], lv) for skill, lv in mine.items()
            ):
                continue
            (cost_a, hours_a), (cost_b, hours_b) = own[a.id], own[b]
            if cost_b > cost_a or hours_b > hours_a:
                continue
            same = cost_b == cost_a and hours_b == hours_a and theirs == mine
            if not same or b < a.id:  # of two equal ones, the first by IRI stays
                drop.add(a.id)
                break
    return drop


def pathway_problem(
    candidates: Sequence[CandidateCredential],
    *,
    requirements: Sequence[Requirement],
    constraints: Constraints,
    objective: Objective,
    held_skills: Mapping[str, float | None],
    held: frozenset[str],
    forced: Iterable[str] = (),
    allow_partial: bool = False,
    recognises: Callable[[str, str], bool] | None = None,
    reduce_above: int = REDUCE_ABOVE,
) -> Setup:
    """Build the integer program of a pathway search (see ``optimal_pathways``).

    When more than ``reduce_above`` candidates are left after filtering, those that cannot
    improve the best pathway are left out first: a candidate that covers no required skill and
    no prerequisite skill and weighs at least as much as the optional skills it covers (taking
    it out of a pathway never makes it worse), and a candidate whose wanted skills (the gap and
    every prerequisite skill) another candidate without prerequisites or parts covers at the
    same levels or above, at no more cost and hours (it can always be swapped for the other).
    The best pathway is unchanged; only the alternatives no longer include such pathways.
    Candidates that are prerequisites, parts or required are always kept.

    Raises
    ------
    NoPathwayError
        When no kept candidate covers a required skill (unless ``allow_partial``), or a
        forced credential is not available.
    """
    unique = {c.id: c for c in candidates}
    modules = stack_modules(unique)
    kept_by_id, excluded = _filter(
        unique,
        modules=modules,
        constraints=constraints,
        held_skills=held_skills,
        held=held,
        recognises=recognises or same_code,
    )
    gap = [r for r in _merge(requirements) if not _held(held_skills, r.skill, r.level)]
    required = [r for r in gap if r.required]
    optional = tuple(r for r in gap if not r.required)
    own_amounts = _own_amounts(kept_by_id.values(), modules=modules, unique=unique)
    weight = _weights(own_amounts, objective=objective, unique=unique)
    kept_by_id, reduced = _without_dominated(
        kept_by_id,
        reduce_above=reduce_above,
        gap=gap,
        modules=modules,
        held_skills=held_skills,
        held=held,
        forced=forced,
        weight=weight,
        own=own_amounts,
    )
    kept = tuple(kept_by_id.values())
    asked = {r.skill for r in gap} | {n.skill for c in kept for n in c.prerequisite_skills}
    skills = _SkillIndex(kept, only=asked)
    uncovered = [r for r in required if not skills.providers(r.skill, r.level, alive=kept_by_id)]
    if uncovered and not allow_partial:
        raise _uncovered_error(uncovered, unique, excluded)
    required = [r for r in required if r not in uncovered]
    must = sorted(set(forced) - held)
    unavailable = [f for f in must if f not in kept_by_id]
    if unavailable:
        raise _unavailable_error(unavailable, excluded)
    problem = _index_form(
        kept,
        skills=skills,
        required=required,
        optional=optional,
        must=must,
        held_skills=held_skills,
        held=held,
        modules=modules,
        own_amounts=own_amounts,
        weight=weight,
        constraints=constraints,
    )
    return Setup(
        problem=problem,
        kept=kept,
        excluded=excluded,
        required=tuple(required),
        optional=optional,
        missing=tuple(r.skill for r in uncovered),
        reduced=reduced,
    )


def _own_amounts(
    kept: Iterable[CandidateCredential],
    *,
    modules: Mapping[str, list[list[str]]],
    unique: Mapping[str, CandidateCredential],
) -> dict[str, tuple[float, float]]:
    """Per candidate, the cost and hours it adds beyond its parts."""
    return {
        c.id: (
            _own(c, modules.get(c.id, []), unique, "cost"),
            _own(c, modules.get(c.id, []), unique, "hours"),
        )
        for c in kept
    }


def _weights(
    own_amounts: Mapping[str, tuple[float, float]],
    *,
    objective: Objective,
    unique: Mapping[str, CandidateCredential],
) -> dict[str, float]:
    """Per candidate, the objective weight of its own cost and hours."""
    # The scale comes from every candidate's stated amount, so it does not move with filters.
    mean_cost = _mean(float(c.cost or 0.0) for c in unique.values())
    mean_hours = _mean(float(c.hours or 0.0) for c in unique.values())
    return {
        uri: objective.cost * cost / mean_cost + objective.hours * hours / mean_hours
        for uri, (cost, hours) in own_amounts.items()
    }


def _without_dominated(
    kept_by_id: dict[str, CandidateCredential],
    *,
    reduce_above: int,
    gap: Sequence[Requirement],
    modules: Mapping[str, list[list[str]]],
    held_skills: Mapping[str, float | None],
    held: frozenset[str],
    forced: Iterable[str],
    weight: Mapping[str, float],
    own: Mapping[str, tuple[float, float]],
) -> tuple[dict[str, CandidateCredential], int]:
    """The candidates without the dominated ones (if more than ``reduce_above``), and how many."""
    if len(kept_by_id) <= reduce_above:
        return kept_by_id, 0
    needs = {p for c in kept_by_id.values() for p in c.prerequisite_credentials} | {
        p for c in kept_by_id for module in modules.get(c, []) for p in module
    }
    relevant = {r.skill for r in gap if r.required or r.weight > 0} | {
        need.skill for c in kept_by_id.values() for need in c.prerequisite_skills
    }
    simple = {
        c.id
        for c in kept_by_id.values()
        if c.id not in modules
        and all(p in held for p in c.prerequisite_credentials)
        and all(_held(held_skills, n.skill, n.level) for n in c.prerequisite_skills)
    }
    needed_skills = {r.skill for r in gap if r.required} | {
        need.skill for c in kept_by_id.values() for need in c.prerequisite_skills
    }
    drop = _dominated(
        list(kept_by_id.values()),
        relevant=relevant,
        needed_skills=needed_skills,
        bonus={r.skill: (r.level, r.weight) for r in gap if not r.required and r.weight > 0},
        weight=weight,
        keep=needs | set(forced),
        own=own,
        simple=simple,
    )
    return {uri: c for uri, c in kept_by_id.items() if uri not in drop}, len(drop)


def _unavailable_error(
    unavailable: Sequence[str], excluded: Mapping[str, frozenset[str]]
) -> NoPathwayError:
    return NoPathwayError(
        f"a required credential is not available: {unavailable[0]}",
        details={
            "field": "target",
            "unavailable_credentials": unavailable,
            "binding": sorted({r for f in unavailable for r in excluded.get(f, ())}),
            "uncovered_skills": [],
        },
    )


def _index_form(
    kept: Sequence[CandidateCredential],
    *,
    skills: _SkillIndex,
    required: Sequence[Requirement],
    optional: Sequence[Requirement],
    must: Sequence[str],
    held_skills: Mapping[str, float | None],
    held: frozenset[str],
    modules: Mapping[str, list[list[str]]],
    own_amounts: Mapping[str, tuple[float, float]],
    weight: Mapping[str, float],
    constraints: Constraints,
) -> Problem:
    """The problem over the kept candidates, credential ``i`` being ``kept[i]``."""
    index = {c.id: i for i, c in enumerate(kept)}
    cost = tuple(own_amounts[c.id][0] for c in kept)
    hours = tuple(own_amounts[c.id][1] for c in kept)

    def providers(skill: str, level: int | None, *, other_than: int = -1) -> frozenset[int]:
        found = {index[uri] for uri in skills.providers(skill, level, alive=index)}
        return frozenset(found - {other_than})

    def needs_one_of(i: int, c: CandidateCredential) -> tuple[tuple[int, ...], ...]:
        groups = [
            tuple(sorted(providers(need.skill, need.level, other_than=i)))
            for need in c.prerequisite_skills
            if not _held(held_skills, need.skill, need.level)
        ]
        groups += [
            tuple(sorted(index[p] for p in module if p in index))
            for module in modules.get(c.id, [])
            if not any(p in held for p in module)
        ]
        return tuple(groups)

    return Problem(
        weight=tuple(weight[c.id] for c in kept),
        cost=cost,
        hours=hours,
        cover_required=tuple(providers(r.skill, r.level) for r in required),
        cover_optional=tuple(providers(r.skill, r.level) for r in optional),
        optional_weight=tuple(max(r.weight, 0.0) for r in optional),
        dep_all=tuple(
            tuple(index[n] for n in c.prerequisite_credentials if n not in held) for c in kept
        ),
        dep_any=tuple(needs_one_of(i, c) for i, c in enumerate(kept)),
        forced=frozenset(index[f] for f in must),
        budget=constraints.max_cost,
        max_hours=constraints.max_hours,
        twins=_twins(kept),
    )


def _twins(kept: Sequence[CandidateCredential]) -> tuple[frozenset[int], ...]:
    """Per candidate, those that certify exactly the same skills (itself included)."""
    by_skills: dict[frozenset[SkillLevel], set[int]] = {}
    for i, c in enumerate(kept):
        by_skills.setdefault(frozenset(c.skills), set()).add(i)
    twins = {key: frozenset(members) for key, members in by_skills.items()}
    return tuple(twins[frozenset(c.skills)] for c in kept)
