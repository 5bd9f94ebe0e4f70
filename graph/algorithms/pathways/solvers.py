"""The pathway problem in index form and its solvers: exact MILP, greedy, LP lower bound.

Used by :mod:`graph.algorithms.pathways.optimiser`, which builds a :class:`Problem` from candidate
credentials and turns solutions back into pathways. A solution is a frozenset of credential
indices.

The integer program (binary ``x_i`` per credential, continuous ``y_k`` in [0, 1] per weighted
optional requirement)::

    minimise   sum_i w_i x_i + sum_k v_k (1 - y_k)
    subject to sum_{i covers r} x_i >= 1        every required skill r
               y_k <= sum_{i covers k} x_i      every optional skill k
               x_i <= x_j                       j a prerequisite credential of i
               x_i <= sum_{p in P} x_p          P the providers of a prerequisite skill of i,
                                                or the deliveries of a module of i
               sum_i cost_i x_i <= budget,  sum_i hours_i x_i <= max_hours
               x_i = 1                          i a required credential
               sum_{i in S} x_i <= |S| - 1      S an earlier solution (no-good cut)
"""

from __future__ import annotations

import heapq
import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

__all__ = [
    "Cut",
    "MilpOutcome",
    "Problem",
    "greedy",
    "harmonic",
    "lp_lower_bound",
    "lp_relaxation",
    "no_good",
    "restricted_milp",
    "solve_milp",
]

logger = logging.getLogger(__name__)

_EPS = 1e-9
#: Cheapest providers of each required skill added to the LP support in the restricted program.
_WIDEN = 3
#: Most credentials one greedy bundle search visits (backtracking over providers is bounded).
_MAX_BUNDLE_STEPS = 2_000
Solution = frozenset[int]


@dataclass(frozen=True, slots=True)
class Cut:
    """A constraint ``sum(x[plus]) - sum(x[minus]) <= bound`` added to the program."""

    plus: frozenset[int]
    minus: frozenset[int]
    bound: float

    def excludes(self, solution: Iterable[int]) -> bool:
        """Whether ``solution`` breaks the cut."""
        chosen = set(solution)
        return len(self.plus & chosen) - len(self.minus & chosen) > self.bound + _EPS


@dataclass(frozen=True, slots=True)
class Problem:
    """A pathway problem over credentials ``0..n-1``.

    ``dep_all[i]``: credentials that must come before ``i`` (its prerequisite credentials);
    ``dep_any[i]``: groups of which one other member must come before ``i`` (the providers of
    a prerequisite skill the learner lacks; the deliveries of one module of a stackable
    credential).
    """

    weight: tuple[float, ...]
    cost: tuple[float, ...]
    hours: tuple[float, ...]
    cover_required: tuple[frozenset[int], ...]
    cover_optional: tuple[frozenset[int], ...]
    optional_weight: tuple[float, ...]
    dep_all: tuple[tuple[int, ...], ...]
    dep_any: tuple[tuple[tuple[int, ...], ...], ...]
    forced: frozenset[int]
    budget: float | None
    max_hours: float | None
    # credential -> the credentials that certify exactly the same skills (itself included)
    twins: tuple[frozenset[int], ...]
    # credential -> the required / optional requirements it covers (inverse of cover_*)
    covers_required: tuple[frozenset[int], ...] = field(init=False)
    covers_optional: tuple[frozenset[int], ...] = field(init=False)

    def __post_init__(self) -> None:
        for inverse, covers in (
            ("covers_required", self.cover_required),
            ("covers_optional", self.cover_optional),
        ):
            found: list[set[int]] = [set() for _ in range(self.n)]
            for r, members in enumerate(covers):
                for i in members:
                    found[i].add(r)
            # A frozen dataclass sets derived fields through object.__setattr__.
            object.__setattr__(self, inverse, tuple(frozenset(s) for s in found))

    @property
    def n(self) -> int:
        """Number of credentials."""
        return len(self.weight)

    @property
    def is_plain_set_cover(self) -> bool:
        """Whether this is weighted set cover, where greedy is within H(d) of the optimum."""
        return (
            not any(self.dep_all)
            and not any(self.dep_any)
            and not self.forced
            and self.budget is None
            and self.max_hours is None
            and not any(w > 0 for w in self.optional_weight)
        )

    def objective(self, solution: Iterable[int]) -> float:
        """The objective value of a set of credentials."""
        chosen = set(solution)
        value = sum(self.weight[i] for i in chosen)
        return value + sum(
            v
            for v, covers in zip(self.optional_weight, self.cover_optional, strict=True)
            if not covers & chosen
        )

    def _stages(self, solution: Iterable[int]) -> tuple[list[list[int]], set[int]]:
        left = set(solution)
        done: set[int] = set()
        stages: list[list[int]] = []
        while left:
            ready = sorted(
                i
                for i in left
                if all(j in done for j in self.dep_all[i])
                and all(any(p in done for p in group if p != i) for group in self.dep_any[i])
            )
            if not ready:
                break
            stages.append(ready)
            done.update(ready)
            left.difference_update(ready)
        return stages, left

    def schedule(self, solution: Iterable[int]) -> list[list[int]] | None:
        """Stages of a set in prerequisite order (each stage needs only earlier ones).

        None when the set misses a prerequisite or its prerequisites form a cycle.
        """
        stages, stuck = self._stages(solution)
        return None if stuck else stages

    def ordering_cut(self, solution: Iterable[int]) -> Cut | None:
        """A cut that removes this unorderable set and no orderable one (None if orderable).

        With ``T`` the credentials left when scheduling gets stuck and ``U`` the providers,
        outside the set, of the prerequisite skills that block them, every orderable set that
        holds all of ``T`` holds one of ``U``: the first of ``T`` it schedules needs a provider
        outside ``T``, and none inside the set was available.
        """
        chosen = set(solution)
        _, stuck = self._stages(chosen)
        if not stuck:
            return None
        done = chosen - stuck
        outside = {
            p
            for i in stuck
            for group in self.dep_any[i]
            if not any(p in done for p in group if p != i)
            for p in group
            if p not in chosen
        }
        return Cut(frozenset(stuck), frozenset(outside), len(stuck) - 1.0)

    def is_valid(self, solution: Iterable[int]) -> bool:
        """Whether a set covers every required skill, keeps every rule and can be ordered."""
        chosen = set(solution)
        if not self.forced <= chosen:
            return False
        if any(not covers & chosen for covers in self.cover_required):
            return False
        if self.budget is not None and sum(self.cost[i] for i in chosen) > self.budget + _EPS:
            return False
        hours = sum(self.hours[i] for i in chosen)
        if self.max_hours is not None and hours > self.max_hours + _EPS:
            return False
        return self.schedule(chosen) is not None

    def prune(self, solution: Iterable[int]) -> Solution:
        """Drop credentials whose removal keeps the set valid and does not worsen it."""
        chosen = set(solution)
        for i in sorted(chosen, key=lambda i: (-self.weight[i], -i)):
            if i in self.forced:
                continue
            smaller = chosen - {i}
            if self.is_valid(smaller) and self.objective(smaller) <= self.objective(chosen) + _EPS:
                chosen = smaller
        return frozenset(chosen)


# --- exact: the integer program ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilpOutcome:
    """What HiGHS returned: a solution (None if none was found), and whether it is optimal.

    ``lower`` is a proven lower bound on the objective (the optimum itself when optimal).
    """

    solution: Solution | None
    optimal: bool
    infeasible: bool
    lower: float | None


def _model(
    problem: Problem, cuts: Sequence[Cut]
) -> tuple[np.ndarray, list[LinearConstraint], Bounds, np.ndarray]:
    n, m = problem.n, len(problem.optional_weight)
    c = np.concatenate([np.asarray(problem.weight, float), -np.asarray(problem.optional_weight)])
    rows: list[dict[int, float]] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(row: dict[int, float], lo: float, hi: float) -> None:
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    for covers in problem.cover_required:
        add(dict.fromkeys(covers, 1.0), 1.0, math.inf)
    for k, covers in enumerate(problem.cover_optional):
        add({n + k: 1.0} | dict.fromkeys(covers, -1.0), -math.inf, 0.0)
    for i in range(n):
        for j in problem.dep_all[i]:
            add({i: 1.0, j: -1.0}, -math.inf, 0.0)
        for group in problem.dep_any[i]:
            add({i: 1.0} | {p: -1.0 for p in group if p != i}, -math.inf, 0.0)
    if problem.budget is not None:
        add({i: problem.cost[i] for i in range(n) if problem.cost[i]}, -math.inf, problem.budget)
    if problem.max_hours is not None:
        add(
            {i: problem.hours[i] for i in range(n) if problem.hours[i]},
            -math.inf,
            problem.max_hours,
        )
    for cut in cuts:
        add(dict.fromkeys(cut.minus, -1.0) | dict.fromkeys(cut.plus, 1.0), -math.inf, cut.bound)
    data = [v for row in rows for v in row.values()]
    cols = [j for row in rows for j in row]
    ptr = np.cumsum([0] + [len(row) for row in rows])
    matrix = csr_array((data, cols, ptr), shape=(len(rows), n + m))
    constraints = [LinearConstraint(matrix, lower, upper)] if rows else []
    lb = np.zeros(n + m)
    lb[list(problem.forced)] = 1.0
    integrality = np.concatenate([np.ones(n), np.zeros(m)])
    return c, constraints, Bounds(lb, np.ones(n + m)), integrality


def _constant(problem: Problem) -> float:
    return float(sum(problem.optional_weight))


def no_good(problem: Problem, solution: Solution) -> Cut:
    """The cut that excludes ``solution``, its supersets, and the same with twins swapped in.

    A twin certifies exactly the same skills (the same module from another issuer): an
    alternative that only swaps deliveries is no alternative.
    """
    plus = frozenset().union(*(problem.twins[i] for i in solution))
    return Cut(plus, frozenset(), len(solution) - 1.0)


def solve_milp(
    problem: Problem, *, cuts: Sequence[Cut] = (), time_limit: float = 2.0
) -> MilpOutcome:
    """Solve the integer program with HiGHS (``scipy.optimize.milp``).

    Solutions that cannot be ordered (prerequisite skills provided in a cycle) are cut off by
    :meth:`Problem.ordering_cut` and the program is solved again, so a returned solution is
    always valid; ``time_limit`` bounds all the solves together.
    """
    cuts = list(cuts)
    deadline = time.monotonic() + time_limit
    if problem.n == 0:  # nothing to choose (HiGHS wants at least one variable)
        empty: Solution = frozenset()
        if cuts or not problem.is_valid(empty):
            return MilpOutcome(None, optimal=False, infeasible=True, lower=None)
        return MilpOutcome(empty, optimal=True, infeasible=False, lower=problem.objective(empty))
    for _ in range(50):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        c, constraints, bounds, integrality = _model(problem, cuts)
        result = milp(
            c,
            constraints=constraints,
            bounds=bounds,
            integrality=integrality,
            options={"time_limit": left, "mip_rel_gap": 1e-9, "disp": False},
        )
        if result.status == 2:
            return MilpOutcome(None, optimal=False, infeasible=True, lower=None)
        dual = getattr(result, "mip_dual_bound", None)
        lower = None if dual is None or not np.isfinite(dual) else float(dual) + _constant(problem)
        if result.x is None:
            return MilpOutcome(None, optimal=False, infeasible=False, lower=lower)
        chosen = frozenset(int(i) for i in np.flatnonzero(result.x[: problem.n] > 0.5))
        cut = problem.ordering_cut(chosen)
        if cut is not None:
            cuts.append(cut)
            continue
        optimal = result.status == 0
        value = problem.objective(chosen)
        return MilpOutcome(
            problem.prune(chosen),
            optimal=optimal,
            infeasible=False,
            lower=value if optimal else lower,
        )
    logger.warning("no orderable solution within %g s and 50 solves", time_limit)
    return MilpOutcome(None, optimal=False, infeasible=False, lower=None)


def lp_relaxation(
    problem: Problem, *, cuts: Sequence[Cut] = ()
) -> tuple[float, tuple[float, ...]] | None:
    """The optimum of the linear relaxation and its ``x``: a lower bound on every solution.

    None when the relaxation is infeasible (then so is the integer program).
    """
    if problem.n == 0:
        return None if cuts or not problem.is_valid(()) else (problem.objective(()), ())
    c, constraints, bounds, _ = _model(problem, cuts)
    result = milp(c, constraints=constraints, bounds=bounds, options={"disp": False})
    if result.status != 0 or result.x is None:
        return None
    return float(result.fun) + _constant(problem), tuple(float(v) for v in result.x[: problem.n])


def lp_lower_bound(problem: Problem, *, cuts: Sequence[Cut] = ()) -> float | None:
    """The optimum of the linear relaxation (see :func:`lp_relaxation`)."""
    relaxed = lp_relaxation(problem, cuts=cuts)
    return None if relaxed is None else relaxed[0]


def restricted_milp(
    problem: Problem,
    x: Sequence[float],
    *,
    time_limit: float,
    also: Iterable[int] = (),
    cuts: Sequence[Cut] = (),
) -> Solution | None:
    """Solve the integer program over the credentials the LP relaxation uses (and their needs).

    A heuristic: the relaxation's support (with ``also``) is small and usually holds an
    optimal solution, so the restricted program solves in milliseconds; what it returns keeps
    ``cuts`` and is valid for the full program.
    """
    keep = {i for i, v in enumerate(x) if v > 1e-6} | set(also)
    for covers in problem.cover_required:  # and the cheapest few providers of every skill
        keep.update(sorted(covers, key=lambda i: (problem.weight[i], i))[:_WIDEN])
    stack = sorted(keep)
    while stack:
        i = stack.pop()
        needs = list(problem.dep_all[i]) + [
            min(group, key=lambda p: (problem.weight[p], p))
            for group in problem.dep_any[i]
            if group and not keep.intersection(group)
        ]
        for j in needs:
            if j not in keep:
                keep.add(j)
                stack.append(j)
    order = sorted(keep)
    if not order:
        return None
    index = {i: k for k, i in enumerate(order)}

    def inside(items: Iterable[int]) -> frozenset[int]:
        return frozenset(index[i] for i in items if i in index)

    sub = Problem(
        weight=tuple(problem.weight[i] for i in order),
        cost=tuple(problem.cost[i] for i in order),
        hours=tuple(problem.hours[i] for i in order),
        cover_required=tuple(inside(c) for c in problem.cover_required),
        cover_optional=tuple(inside(c) for c in problem.cover_optional),
        optional_weight=problem.optional_weight,
        dep_all=tuple(tuple(index[j] for j in problem.dep_all[i]) for i in order),
        dep_any=tuple(
            tuple(tuple(sorted(inside(group))) for group in problem.dep_any[i]) for i in order
        ),
        forced=inside(problem.forced),
        budget=problem.budget,
        max_hours=problem.max_hours,
        twins=tuple(inside(problem.twins[i]) for i in order),
    )
    if not problem.forced <= keep or any(not c for c in sub.cover_required):
        return None
    inner = [Cut(inside(c.plus), inside(c.minus), c.bound) for c in cuts]
    outcome = solve_milp(sub, cuts=inner, time_limit=time_limit)
    if outcome.solution is None:
        return None
    solution = frozenset(order[k] for k in outcome.solution)
    return problem.prune(solution) if problem.is_valid(solution) else None


# --- heuristic: greedy with prerequisite bundles ----------------------------------------------


def _bundle(
    problem: Problem, i: int, selected: set[int], banned: frozenset[int]
) -> set[int] | None:
    """``i`` with everything it needs that is not selected yet (None if that is impossible).

    Needs are acquired depth first, a credential only after what it needs, so the bundle can
    always be ordered after ``selected``; a provider that itself waits on the credential being
    acquired is skipped (it would close a cycle), and the next cheapest is tried instead.
    """
    bundle: list[int] = []
    done = set(selected)
    in_progress: set[int] = set()
    budget = [_MAX_BUNDLE_STEPS]

    def acquire(j: int) -> bool:
        if j in done:
            return True
        budget[0] -= 1
        if j in banned or j in in_progress or budget[0] < 0:
            return False
        in_progress.add(j)
        mark = len(bundle)
        ok = all(acquire(d) for d in problem.dep_all[j])
        for group in problem.dep_any[j] if ok else ():
            if any(p in done for p in group if p != j):
                continue
            options = sorted(
                (p for p in group if p != j and p not in banned and p not in in_progress),
                key=lambda p: (problem.weight[p], p),
            )
            if not any(acquire(p) for p in options):
                ok = False
                break
        in_progress.discard(j)
        if not ok:
            done.difference_update(bundle[mark:])
            del bundle[mark:]
            return False
        bundle.append(j)
        done.add(j)
        return True

    return set(bundle) if acquire(i) else None


def _rate(
    problem: Problem, bundle: set[int], uncovered: set[int], optional_left: set[int]
) -> tuple[float, int, float]:
    gain = set().union(*(problem.covers_required[j] for j in bundle)) & uncovered
    bonus_items = set().union(*(problem.covers_optional[j] for j in bundle)) & optional_left
    bonus = sum(problem.optional_weight[k] for k in bonus_items)
    return sum(problem.weight[j] for j in bundle), len(gain), bonus


#: A credential as the greedy search rates it, least first: its bundle's weight (net of the
#: optional weight it adds) per newly covered required skill, minus that number of skills, the
#: weight, the credential, and then the bundle itself.
_Rating = tuple[float, int, float, int, set[int]]


@dataclass(slots=True)
class _Greedy:
    """What the greedy search has taken so far, and what it has still to cover."""

    problem: Problem
    selected: set[int]
    uncovered: set[int]
    optional_left: set[int]
    blocked: set[int]

    @classmethod
    def starting_with(cls, problem: Problem, selected: set[int], *, banned: frozenset[int]) -> Self:
        """The search once ``selected`` (the forced credentials and their needs) is taken."""
        covered = (
            set().union(*(problem.covers_required[j] for j in selected)) if selected else set()
        )
        optional_left = {
            k
            for k, covers in enumerate(problem.cover_optional)
            if problem.optional_weight[k] > 0 and not covers & selected
        }
        return cls(
            problem=problem,
            selected=selected,
            uncovered=set(range(len(problem.cover_required))) - covered,
            optional_left=optional_left,
            blocked=set(banned),
        )

    def bundle(self, i: int) -> set[int] | None:
        """``i`` with what it still needs, none of it blocked (None if that is impossible)."""
        return _bundle(self.problem, i, self.selected, frozenset(self.blocked))

    def rating(self, i: int) -> _Rating | None:
        """How good taking ``i`` is now (None if it cannot be taken or covers nothing new)."""
        bundle = self.bundle(i)
        if bundle is None:
            return None
        cost, gain, bonus = _rate(self.problem, bundle, self.uncovered, self.optional_left)
        if gain == 0:
            return None
        return max(cost - bonus, 0.0) / gain, -gain, cost, i, bundle

    def take(self, bundle: set[int]) -> None:
        """Add ``bundle`` to the selection, and strike what it covers."""
        self.selected |= bundle
        self.uncovered -= set().union(*(self.problem.covers_required[j] for j in bundle))
        self.optional_left -= set().union(*(self.problem.covers_optional[j] for j in bundle))


def greedy(problem: Problem, *, banned: frozenset[int] = frozenset()) -> Solution | None:
    """A valid solution by greedy weighted set cover over prerequisite bundles, or None.

    Each round adds the credential (with the prerequisites and parts it still needs) of least
    weight per newly covered required skill, net of the optional weight it adds (lazily: see
    the comment in the loop); then bundles
    whose optional weight exceeds their cost are added; then redundant credentials are pruned.
    On plain weighted set cover this is Chvatal's greedy, within H(d) <= ln(d) + 1 of the
    optimum (d: the most required skills one credential covers).
    """
    forced = _forced_bundles(problem, banned)
    if forced is None:
        return None
    search = _Greedy.starting_with(problem, forced, banned=banned)
    if not _cover_required(search):
        return None
    _add_profitable_optional(search)
    if not problem.is_valid(search.selected):
        return None
    return problem.prune(search.selected)


def _forced_bundles(problem: Problem, banned: frozenset[int]) -> set[int] | None:
    """The forced credentials with everything they need (None if one cannot be had)."""
    selected: set[int] = set()
    for i in sorted(problem.forced):
        bundle = _bundle(problem, i, selected, banned - problem.forced)
        if bundle is None:
            return None
        selected |= bundle
    return selected


def _cover_required(search: _Greedy) -> bool:
    """Take the best rated bundles until every required skill is covered (False if one is not)."""
    problem = search.problem
    # Lazy greedy: a credential's ratio only grows as skills get covered, so a stale ratio at
    # the top of the heap is re-rated, and taken only if it still beats the next one.
    heap: list[tuple[float, int, float, int]] = []
    covering = set().union(*(problem.cover_required[r] for r in search.uncovered))
    for i in sorted(covering - search.selected):
        rated = None if i in search.blocked else search.rating(i)
        if rated is not None:
            heapq.heappush(heap, rated[:4])
    while search.uncovered:
        chosen = _pop_best(search, heap)
        if chosen is None:
            return False
        bundle = chosen[4]
        if problem.schedule(search.selected | bundle) is None:
            search.blocked.add(chosen[3])
            continue
        search.take(bundle)
    return True


def _pop_best(search: _Greedy, heap: list[tuple[float, int, float, int]]) -> _Rating | None:
    """The best credential on the heap, rated afresh (None when the heap runs out)."""
    while heap:
        i = heapq.heappop(heap)[3]
        if i in search.selected or i in search.blocked:
            continue
        rated = search.rating(i)
        if rated is None:
            continue
        if heap and rated[:4] > heap[0]:
            heapq.heappush(heap, rated[:4])
            continue
        return rated
    return None


def _add_profitable_optional(search: _Greedy) -> None:
    """Take, best first, the bundles whose optional weight exceeds their cost."""
    problem = search.problem
    while search.optional_left:
        gains = []
        for i in sorted(set().union(*(problem.cover_optional[k] for k in search.optional_left))):
            bundle = None if i in search.selected else search.bundle(i)
            if bundle:
                cost, _, bonus = _rate(problem, bundle, set(), search.optional_left)
                if bonus > cost + _EPS and problem.schedule(search.selected | bundle) is not None:
                    gains.append((cost - bonus, i, bundle))
        if not gains:
            break
        _, _, bundle = min(gains, key=lambda g: (g[0], g[1]))
        search.take(bundle)


def harmonic(d: int) -> float:
    """H(d) = 1 + 1/2 + ... + 1/d, the greedy set-cover factor."""
    return float(sum(1.0 / k for k in range(1, d + 1)))
