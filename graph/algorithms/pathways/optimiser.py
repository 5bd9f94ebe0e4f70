"""The pathway optimiser: the credentials that close a gap, in order, at least cost or hours.

Given candidate credentials and a gap (required skills with levels; optional ones weighted), a
pathway is a set of credentials that

- covers every required skill (a credential covers a skill at a level when it certifies the
  skill at that level or above, or without a level; a requirement without a level takes any);
- keeps every rule: a credential's prerequisite credentials are held or in the pathway before
  it; its prerequisite skills are held at their level or covered by an earlier step; and
  **stackable credentials count their parts**: a credential that others stack into is earned
  by completing its parts (held or earlier in the pathway), and its stated cost and hours
  include theirs (see :mod:`graph.algorithms.pathways.problem`);
- keeps the constraints: total cost within the budget, total hours within the maximum, and
  only credentials at or below the maximum EQF level, recognised in the jurisdiction (the
  awarding jurisdiction or one of ``recognized_in`` contains it) and delivered in the language;

and minimises ``sum(cost_weight * cost / mean_cost + hours_weight * hours / mean_hours)`` plus
the weights of the optional skills it leaves uncovered (one unit is one average credential).

**Exact or heuristic.** With ``method="auto"`` the integer program (see
``graph.algorithms.pathways.solvers``) is solved by HiGHS through :func:`scipy.optimize.milp`
when at most ``exact_limit`` (default 2,000) candidate credentials are left after filtering
(above ``reduce_above``, 150, dominated ones are left out first, which keeps the best pathway);
a pathway is ``exact`` only when HiGHS proves it optimal within ``time_limit`` seconds (for all
alternatives together; 2 s here, 0.25 s in the service). Otherwise the heuristic is used: the
better of greedy weighted set cover over prerequisite bundles and the integer program restricted
to the support of the linear relaxation. Every heuristic pathway states its bound: a proven
lower bound (the optimum of the linear relaxation, or HiGHS's dual bound when it ran out of
time) and the relative gap to it, measured per instance; on plain weighted set cover (no
prerequisites, stacks, budget, hours or optional weights) also Chvatal's factor
H(d) <= ln(d) + 1 of the greedy pathway it is no worse than.

**Alternatives.** The k-th pathway is the best one that does not contain any earlier one, nor
the same with a twin (a credential certifying exactly the same skills) swapped in: no-good cuts
in the integer program, and in the heuristic the restricted program around the relaxation and
the earlier pathways. Steps are ordered so that what a step needs comes first (topological
order, with stages of steps that can run in parallel).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from graph.algorithms.gaps import Requirement
from graph.algorithms.pathways.problem import (
    MAX_ALTERNATIVES,
    MAX_OBJECTIVE_WEIGHT,
    REDUCE_ABOVE,
    CandidateCredential,
    Constraints,
    Objective,
    Setup,
    SkillLevel,
    check_options,
    pathway_problem,
)
from graph.algorithms.pathways.solvers import (
    Cut,
    MilpOutcome,
    Problem,
    greedy,
    harmonic,
    lp_lower_bound,
    lp_relaxation,
    no_good,
    restricted_milp,
    solve_milp,
)
from graph.errors import NoPathwayError

__all__ = [
    "EXACT_LIMIT",
    "MAX_ALTERNATIVES",
    "MAX_OBJECTIVE_WEIGHT",
    "REDUCE_ABOVE",
    "Bound",
    "CandidateCredential",
    "Constraints",
    "Method",
    "Objective",
    "Pathway",
    "PathwayStep",
    "SkillLevel",
    "optimal_pathways",
]

logger = logging.getLogger(__name__)

#: Most candidate credentials (after filtering) the exact mode takes on.
EXACT_LIMIT = 2_000
#: Seconds the heuristic gives the integer program over the LP relaxation's support.
_RESTRICTED_TIME = 0.1


class Method(StrEnum):
    """How a pathway was found (``auto`` chooses)."""

    AUTO = "auto"
    EXACT = "exact"
    HEURISTIC = "heuristic"


@dataclass(frozen=True, slots=True)
class Bound:
    """How far a pathway may be from the optimum.

    ``lower`` is a proven lower bound on the objective and ``gap`` the relative distance
    ``(objective - lower) / objective``; ``source`` says where the bound comes from
    (``proven_optimal``, ``lp_relaxation``, ``milp_dual_bound``); ``greedy_factor`` is H(d)
    when the instance is plain weighted set cover.
    """

    lower: float | None
    gap: float | None
    source: str
    greedy_factor: float | None = None


@dataclass(frozen=True, slots=True)
class PathwayStep:
    """One credential of a pathway: its position, what it newly covers, what it builds on."""

    credential: str
    order: int
    stage: int
    covers: tuple[str, ...]
    also_covers: tuple[str, ...]
    after: tuple[str, ...]
    cost: float | None
    hours: float | None


@dataclass(frozen=True, slots=True)
class Pathway:
    """Credentials in order, their totals, and what they cover.

    ``missing`` are required skills no available credential covers (only when partial
    pathways were asked for); ``optional_missing`` the optional skills left uncovered.
    """

    steps: tuple[PathwayStep, ...]
    cost: float
    hours: float
    covers: tuple[str, ...]
    missing: tuple[str, ...]
    optional_covered: tuple[str, ...]
    optional_missing: tuple[str, ...]
    objective: float
    method: Method
    bound: Bound
    note: str


@dataclass(frozen=True, slots=True)
class _Found:
    solution: frozenset[int]
    method: Method
    bound: Bound
    note: str


def _gap(value: float, lower: float | None) -> float | None:
    if lower is None:
        return None
    return max(0.0, value - lower) / value if value > 1e-12 else 0.0


def _exact(
    problem: Problem, *, alternatives: int, time_limit: float
) -> tuple[list[_Found] | None, bool]:
    """Solve exactly within ``time_limit`` seconds for all alternatives together.

    Returns what was found and whether time ran out before every alternative was found. The
    list is None when the first solve found nothing in time; it holds only HiGHS's incumbent
    (as heuristic) when the first solve was not proven optimal.
    """
    deadline = time.monotonic() + time_limit
    found: list[_Found] = []
    cuts: list[Cut] = []
    for _ in range(alternatives):
        left = deadline - time.monotonic()
        if found and left <= 0:
            return found, True
        outcome = solve_milp(problem, cuts=cuts, time_limit=max(left, 0.001))
        if outcome.solution is None and outcome.infeasible:
            break
        if outcome.solution is None or not outcome.optimal:
            if not found:
                return (None if outcome.solution is None else [_incumbent(problem, outcome)]), True
            return found, True
        bound = Bound(problem.objective(outcome.solution), 0.0, "proven_optimal")
        note = f"exact: HiGHS proved this optimal over {problem.n} candidate credential(s)"
        found.append(_Found(outcome.solution, Method.EXACT, bound, note))
        cuts.append(no_good(problem, outcome.solution))
    return found, False


def _incumbent(problem: Problem, outcome: MilpOutcome) -> _Found:
    """HiGHS's best solution when it ran out of time, with its proven bound."""
    assert outcome.solution is not None
    value = problem.objective(outcome.solution)
    bound = Bound(outcome.lower, _gap(value, outcome.lower), "milp_dual_bound")
    note = "heuristic: HiGHS's best solution when its time ran out"
    return _Found(outcome.solution, Method.HEURISTIC, bound, note)


def _best_of(problem: Problem, incumbent: _Found, found: list[_Found]) -> list[_Found]:
    """The better of HiGHS's incumbent and the greedy pathway first, with the best bound."""
    if not found:
        return [incumbent]
    first = found[0]
    lower = max(
        (b for b in (incumbent.bound.lower, first.bound.lower) if b is not None), default=None
    )
    best = min(
        (incumbent, first), key=lambda f: (problem.objective(f.solution), f is not incumbent)
    )
    value = problem.objective(best.solution)
    source = "milp_dual_bound" if lower == incumbent.bound.lower else "lp_relaxation"
    best = replace(best, bound=Bound(lower, _gap(value, lower), source, first.bound.greedy_factor))
    rest = [f for f in found if f.solution != best.solution]
    return [best, *rest][: len(found)]


def _fill(problem: Problem, found: list[_Found], *, alternatives: int, reason: str) -> list[_Found]:
    """Complete ``found`` with heuristic alternatives that repeat none of them."""
    cuts = [no_good(problem, f.solution) for f in found]
    for extra in _heuristic(problem, alternatives=alternatives, reason=reason):
        if len(found) >= alternatives:
            break
        if not any(cut.excludes(extra.solution) for cut in cuts):
            found.append(extra)
            cuts.append(no_good(problem, extra.solution))
    return found


def _greedy_any(problem: Problem, banned: frozenset[int] = frozenset()) -> frozenset[int] | None:
    """Greedy on the objective, then, if a budget or hour limit broke it, on that resource."""
    solution = greedy(problem, banned=banned)
    for limited, resource in ((problem.budget, problem.cost), (problem.max_hours, problem.hours)):
        if solution is None and limited is not None:
            positive = [r for r in resource if r > 0]
            scale = sum(positive) / len(positive) if positive else 1.0
            solution = greedy(
                replace(problem, weight=tuple(r / scale for r in resource)), banned=banned
            )
    return solution


def _heuristic(problem: Problem, *, alternatives: int, reason: str) -> list[_Found]:
    """Pathways from the LP relaxation and from greedy set cover, best first.

    The first is the better of greedy and the integer program over the relaxation's support;
    each further one is the integer program over that support and the earlier pathways, cut
    off from them (greedy with an earlier credential banned when that finds nothing). Every
    pathway states the optimum of the linear relaxation without the pathways ranked before it
    as its proven lower bound.
    """
    relaxed = lp_relaxation(problem)
    if relaxed is None:
        return []  # the relaxation is infeasible: so is every pathway
    x = relaxed[1]
    starts = [s for s in (_greedy_any(problem),) if s is not None]
    guided = restricted_milp(problem, x, time_limit=_RESTRICTED_TIME)
    if guided is not None:
        starts.append(guided)
    if not starts:
        return []
    solutions = [min(starts, key=lambda s: (problem.objective(s), sorted(s)))]
    spare = [s for s in starts if s != solutions[0]]
    while len(solutions) < alternatives:
        cuts = [no_good(problem, s) for s in solutions]
        pool = [s for s in spare if not any(c.excludes(s) for c in cuts)]
        used = set().union(*solutions)
        nearby = restricted_milp(problem, x, time_limit=_RESTRICTED_TIME, also=used, cuts=cuts)
        if nearby is not None:
            pool.append(nearby)
        else:
            for i in sorted(used, key=lambda i: (-problem.weight[i], i))[:3]:
                banned = _greedy_any(problem, problem.twins[i])
                if banned is not None and not any(c.excludes(banned) for c in cuts):
                    pool.append(banned)
        if not pool:
            break
        solutions.append(min(pool, key=lambda s: (problem.objective(s), sorted(s))))
    solutions.sort(key=lambda s: (problem.objective(s), sorted(s)))
    found = []
    d = max((len(c) for c in problem.covers_required), default=0)
    for k, solution in enumerate(solutions):
        value = problem.objective(solution)
        lower = (
            relaxed[0]
            if k == 0
            else lp_lower_bound(problem, cuts=[no_good(problem, s) for s in solutions[:k]])
        )
        # The first is no worse than the greedy one, which is within H(d) on set cover.
        factor = harmonic(d) if k == 0 and problem.is_plain_set_cover and d else None
        bound = Bound(lower, _gap(value, lower), "lp_relaxation", factor)
        found.append(_Found(solution, Method.HEURISTIC, bound, f"heuristic: {reason}"))
    return found


def _least(
    problem: Problem, resource: tuple[float, ...], *, exact_limit: int, time_limit: float
) -> float | None:
    """The least total of ``resource`` over valid sets of ``problem`` (None if none is found)."""
    least = replace(problem, weight=resource, optional_weight=(0.0,) * len(problem.optional_weight))
    if least.n <= exact_limit:
        found = solve_milp(least, time_limit=time_limit).solution
    else:
        found = _greedy_any(least)
    return None if found is None else sum(resource[i] for i in found)


def _binding_error(problem: Problem, *, exact_limit: int, time_limit: float) -> NoPathwayError:
    """Say which limit keeps a coverable gap from being closed, and what it would take."""
    details: dict[str, object] = {"uncovered_skills": []}
    binding: list[str] = []
    for name, limit, key, relaxed, resource in (
        ("max_cost", problem.budget, "least_cost", replace(problem, budget=None), problem.cost),
        (
            "max_hours",
            problem.max_hours,
            "least_hours",
            replace(problem, max_hours=None),
            problem.hours,
        ),
    ):
        if limit is None:
            continue
        least = _least(relaxed, resource, exact_limit=exact_limit, time_limit=time_limit)
        if least is not None and least > limit:
            binding.append(name)
            details[key] = least
    if not binding and problem.budget is not None and problem.max_hours is not None:
        both = replace(problem, budget=None, max_hours=None)
        if _least(both, both.cost, exact_limit=exact_limit, time_limit=time_limit) is not None:
            binding = ["max_cost", "max_hours"]
    if not binding:
        binding = ["prerequisites"]
    details["binding"] = binding
    details["field"] = binding[0]
    extra = "".join(
        f"; the least {key.removeprefix('least_')} of a pathway is {details[key]:g}"
        for key in ("least_cost", "least_hours")
        if key in details
    )
    message = (
        "the available credentials cover the gap, but no set of them keeps every prerequisite"
        if binding == ["prerequisites"]
        else f"the gap can be covered, but not within {' and '.join(binding)}{extra}"
    )
    return NoPathwayError(message, details=details)


def _pathway(found: _Found, setup: Setup) -> Pathway:
    problem, kept = setup.problem, setup.kept
    stages = problem.schedule(found.solution)
    assert stages is not None  # every solver returns orderable solutions
    steps: list[PathwayStep] = []
    done: set[int] = set()
    covered: set[int] = set()
    optional_covered: set[int] = set()
    for stage_number, stage in enumerate(stages, 1):
        for i in sorted(stage, key=lambda i: kept[i].id):
            new = sorted(problem.covers_required[i] - covered)
            also = sorted(problem.covers_optional[i] - optional_covered)
            after = {kept[j].id for j in problem.dep_all[i]}
            for group in problem.dep_any[i]:
                after.add(kept[min(p for p in group if p in done)].id)
            steps.append(
                PathwayStep(
                    credential=kept[i].id,
                    order=len(steps) + 1,
                    stage=stage_number,
                    covers=tuple(setup.required[r].skill for r in new),
                    also_covers=tuple(setup.optional[k].skill for k in also),
                    after=tuple(sorted(after)),
                    cost=problem.cost[i],
                    hours=problem.hours[i],
                )
            )
            covered.update(new)
            optional_covered.update(also)
        done.update(stage)
    return Pathway(
        steps=tuple(steps),
        cost=sum(problem.cost[i] for i in found.solution),
        hours=sum(problem.hours[i] for i in found.solution),
        covers=tuple(r.skill for r in setup.required),
        missing=setup.missing,
        optional_covered=tuple(setup.optional[k].skill for k in sorted(optional_covered)),
        optional_missing=tuple(
            r.skill for k, r in enumerate(setup.optional) if k not in optional_covered
        ),
        objective=problem.objective(found.solution),
        method=found.method,
        bound=found.bound,
        note=found.note,
    )


def optimal_pathways(
    candidates: Sequence[CandidateCredential],
    *,
    requirements: Sequence[Requirement],
    constraints: Constraints | None = None,
    objective: Objective | None = None,
    held_skills: Mapping[str, float | None] | None = None,
    held_credentials: Iterable[str] = (),
    required_credentials: Iterable[str] = (),
    alternatives: int = 1,
    method: Method = Method.AUTO,
    allow_partial: bool = False,
    recognises: Callable[[str, str], bool] | None = None,
    exact_limit: int = EXACT_LIMIT,
    time_limit: float = 2.0,
    reduce_above: int = REDUCE_ABOVE,
) -> list[Pathway]:
    """Return up to ``alternatives`` pathways that close the gap, best first.

    Parameters
    ----------
    candidates : sequence of CandidateCredential
        Every credential that may help, unfiltered (the constraints filter them here, so that
        an infeasible target can say which constraint excluded what).
    requirements : sequence of Requirement
        The gap: required skills with levels; optional ones with weights (in units of one
        average credential of the objective).
    constraints : Constraints, optional
        Budget, maximum hours, maximum EQF level, jurisdiction, language.
    objective : Objective, optional
        Weights of cost and hours (default: cost only).
    held_skills : mapping, optional
        What the learner holds: skill -> score on the level scale (None: any level).
    held_credentials : iterable of str
        Credentials the learner holds (they satisfy prerequisites and are never steps).
    required_credentials : iterable of str
        Credentials that must be in the pathway unless held (a target's prerequisites).
    alternatives : int
        How many pathways (1-20); fewer come back when fewer exist.
    method : Method
        ``auto`` (exact when the instance allows), ``exact`` or ``heuristic``.
    allow_partial : bool
        Cover what can be covered and list the rest as ``missing`` instead of failing.
    recognises : callable, optional
        ``recognises(region, jurisdiction)``: whether a credential recognised in ``region`` is
        recognised in ``jurisdiction`` (e.g. EU contains IE); default: the same code.
    exact_limit : int
        Most candidates (after filtering) the ``auto`` mode solves exactly.
    time_limit : float
        Seconds HiGHS may spend on the integer programs of one call, alternatives included;
        when the best pathway is not proven optimal in that time, the better of HiGHS's
        incumbent and the greedy pathway is returned as heuristic, with the better bound.
    reduce_above : int
        Above this many candidates, dominated ones are left out first (the best pathway is
        unchanged; see :func:`graph.algorithms.pathways.problem.pathway_problem`).

    Returns
    -------
    list of Pathway
        Best first; each says its method and bound.

    Raises
    ------
    InvalidInputError
        A negative limit, an EQF level outside 1-8, objective weights that are all 0;
        ``details["field"]`` names it.
    NoPathwayError
        When no credential left by the constraints covers a required skill
        (``details["uncovered_skills"]``, and in ``details["binding"]`` the constraints that
        excluded credentials that would), or when no set of them keeps the budget or hours
        (``details["binding"]``, ``details["least_cost"]``/``["least_hours"]``).

    Notes
    -----
    Weighted set cover is NP-hard; HiGHS solves instances of a few thousand candidates in well
    under a second in practice (``scripts/bench_pathways.py``). The greedy mode costs
    O(k * n * b) for k rounds, n candidates and bundles of size b.

    References
    ----------
    .. [1] V. Chvatal, "A greedy heuristic for the set-covering problem", Mathematics of
       Operations Research 4(3), 1979.
    .. [2] Q. Huangfu and J. A. J. Hall, "Parallelizing the dual revised simplex method",
       Mathematical Programming Computation 10, 2018 (HiGHS).

    Examples
    --------
    >>> a = CandidateCredential("a", (SkillLevel("py", 3),), cost=300)
    >>> b = CandidateCredential("b", (SkillLevel("sql"),), cost=200)
    >>> c = CandidateCredential("c", (SkillLevel("py", 4), SkillLevel("sql")), cost=450)
    >>> best = optimal_pathways([a, b, c], requirements=[Requirement("py", 3), Requirement("sql")])
    >>> [s.credential for s in best[0].steps], best[0].cost, best[0].method.value
    (['c'], 450.0, 'exact')
    """
    constraints = constraints or Constraints()
    objective = objective or Objective()
    check_options(constraints, objective, alternatives)
    setup = pathway_problem(
        candidates,
        requirements=requirements,
        constraints=constraints,
        objective=objective,
        held_skills=dict(held_skills or {}),
        held=frozenset(held_credentials),
        forced=required_credentials,
        allow_partial=allow_partial,
        recognises=recognises,
        reduce_above=reduce_above,
    )
    problem = setup.problem
    exact = method is Method.EXACT or (method is Method.AUTO and problem.n <= exact_limit)
    found: list[_Found] = []
    if exact:
        solved, out_of_time = _exact(problem, alternatives=alternatives, time_limit=time_limit)
        reason = f"HiGHS did not prove an optimum within {time_limit:g} s"
        if solved is None or (solved and solved[0].method is Method.HEURISTIC):
            found = _heuristic(problem, alternatives=alternatives, reason=reason)
            if solved:
                found = _best_of(problem, solved[0], found)
        elif out_of_time:  # the best is proven optimal; the other alternatives come from greedy
            late = f"the {time_limit:g} s for exact alternatives ran out"
            found = _fill(problem, solved, alternatives=alternatives, reason=late)
        else:
            found = solved
    else:
        reason = (
            "asked for"
            if method is Method.HEURISTIC
            else f"{problem.n} candidates exceed the exact limit of {exact_limit}"
        )
        found = _heuristic(problem, alternatives=alternatives, reason=reason)
    if not found:
        raise _binding_error(problem, exact_limit=exact_limit, time_limit=time_limit)
    logger.debug("%d pathway(s) over %d candidates", len(found), problem.n)
    if setup.reduced:
        found = [
            replace(f, note=f"{f.note} ({setup.reduced} dominated candidates left out first)")
            for f in found
        ]
    return [_pathway(f, setup) for f in found]
