"""The pathway optimiser against brute force on small random instances, and its rules."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import pytest

from graph.algorithms.gaps import Requirement
from graph.algorithms.pathways import (
    CandidateCredential,
    Constraints,
    Method,
    Objective,
    Pathway,
    SkillLevel,
    optimal_pathways,
)
from graph.errors import InvalidInputError, NoPathwayError

SKILLS = [f"skill:{i}" for i in range(6)]
UNIONS = {"EU": {"IE", "FR", "EU"}}


def recognises(region: str, jurisdiction: str) -> bool:
    return jurisdiction in UNIONS.get(region, {region})


@dataclass(frozen=True)
class Instance:
    candidates: tuple[CandidateCredential, ...]
    requirements: tuple[Requirement, ...]
    constraints: Constraints
    objective: Objective
    held_skills: Mapping[str, float | None]
    held: frozenset[str]


def random_instance(seed: int) -> Instance:
    rng = random.Random(seed)
    n = rng.randint(5, 10)
    ids = [f"cred:{i}" for i in range(n)]
    candidates = []
    for i, uri in enumerate(ids):
        skills = tuple(
            SkillLevel(s, rng.choice([None, 3, 4, 5]))
            for s in rng.sample(SKILLS, rng.randint(1, 4))
        )
        others = [o for o in ids if o != uri]
        candidates.append(
            CandidateCredential(
                id=uri,
                skills=skills,
                cost=rng.choice([None, *range(100, 1001, 50)]),
                hours=rng.choice([None, 20, 40, 80, 120, 200]),
                eqf_level=rng.choice([None, 4, 5, 6, 7]),
                jurisdiction=rng.choice([None, "IE", "FR", "US"]),
                recognized_in=tuple(rng.sample(["IE", "FR", "EU", "EU", "US"], rng.randint(0, 2))),
                language=rng.choice(["en", "en", "en", "fr", None]),
                prerequisite_credentials=(rng.choice(others),) if rng.random() < 0.2 else (),
                prerequisite_skills=(
                    (SkillLevel(rng.choice(SKILLS), rng.choice([None, 2, 3])),)
                    if rng.random() < 0.25
                    else ()
                ),
                stacks_into=(rng.choice(others[i:] or others),) if rng.random() < 0.2 else (),
            )
        )
    if rng.random() < 0.35:  # the same module delivered by another issuer: a twin
        model = rng.choice(candidates)
        candidates.append(
            replace(
                model,
                id=f"cred:{n}",
                cost=rng.choice([None, *range(100, 1001, 50)]),
                recognized_in=("EU",),
            )
        )
    required = [
        Requirement(s, rng.choice([None, 2, 3, 4])) for s in rng.sample(SKILLS, rng.randint(1, 3))
    ]
    optional = [
        Requirement(s, None, required=False, weight=rng.choice([0.1, 0.3, 0.8]))
        for s in rng.sample([s for s in SKILLS if s not in {r.skill for r in required}], 2)
        if rng.random() < 0.5
    ]
    held_skills = {s: rng.choice([None, 2.0, 3.5]) for s in rng.sample(SKILLS, rng.randint(0, 2))}
    held = frozenset(rng.sample(ids, 1)) if rng.random() < 0.2 else frozenset()
    constraints = Constraints(
        max_cost=rng.choice([None, None, 1000.0, 1500.0]),
        max_hours=rng.choice([None, None, 250.0]),
        max_eqf_level=rng.choice([None, None, 6]),
        jurisdiction=rng.choice([None, None, "IE", "FR"]),
        language=rng.choice([None, None, "en"]),
    )
    objective = rng.choice([Objective(), Objective(cost=0.0, hours=1.0), Objective(1.0, 1.0)])
    return Instance(
        tuple(candidates),
        tuple(required + optional),
        constraints,
        objective,
        held_skills,
        held,
    )


# --- an independent brute force -----------------------------------------------------------


def meets(score: float | None, level: int | None) -> bool:
    return score is None or level is None or score >= level - 1e-9


def certifies(c: CandidateCredential, skill: str, level: int | None) -> bool:
    return any(s.skill == skill and meets(s.level, level) for s in c.skills)


def allowed(c: CandidateCredential, k: Constraints) -> bool:
    if k.jurisdiction is not None:
        regions = [*c.recognized_in, *([c.jurisdiction] if c.jurisdiction else [])]
        if not any(recognises(r, k.jurisdiction) for r in regions):
            return False
    if k.language is not None and c.language != k.language:
        return False
    return not (k.max_eqf_level and c.eqf_level and c.eqf_level > k.max_eqf_level)


_MODULES: dict[tuple[tuple[CandidateCredential, ...], str], list[list[CandidateCredential]]] = {}


def modules(inst: Instance, uri: str) -> list[list[CandidateCredential]]:
    """The parts of ``uri``, grouped by identical skills (alternative deliveries)."""
    key = (inst.candidates, uri)
    if key not in _MODULES:  # the brute force asks for the same ones thousands of times
        groups: dict[object, list[CandidateCredential]] = {}
        for c in inst.candidates:
            if uri in c.stacks_into and c.id != uri:
                groups.setdefault(frozenset(c.skills) or c.id, []).append(c)
        _MODULES[key] = list(groups.values())
    return _MODULES[key]


def own(inst: Instance, c: CandidateCredential, attribute: str) -> float:
    stated = float(getattr(c, attribute) or 0)
    parts = sum(min(float(getattr(p, attribute) or 0) for p in m) for m in modules(inst, c.id))
    return max(0.0, stated - parts)


def held_at(inst: Instance, skill: str, level: int | None) -> bool:
    return skill in inst.held_skills and meets(inst.held_skills[skill], level)


def gap(inst: Instance) -> tuple[list[Requirement], list[Requirement]]:
    todo = [r for r in inst.requirements if not held_at(inst, r.skill, r.level)]
    return [r for r in todo if r.required], [r for r in todo if not r.required]


def ready(inst: Instance, c: CandidateCredential, done: Sequence[CandidateCredential]) -> bool:
    done_ids = {d.id for d in done}
    if any(p not in inst.held and p not in done_ids for p in c.prerequisite_credentials):
        return False
    for need in c.prerequisite_skills:
        if not held_at(inst, need.skill, need.level) and not any(
            certifies(d, need.skill, need.level) for d in done
        ):
            return False
    return all(any(p.id in inst.held or p.id in done_ids for p in m) for m in modules(inst, c.id))


def order(
    inst: Instance, chosen: Iterable[CandidateCredential]
) -> list[CandidateCredential] | None:
    left, done = list(chosen), list[CandidateCredential]()
    while left:
        step = next((c for c in left if ready(inst, c, done)), None)
        if step is None:
            return None
        done.append(step)
        left.remove(step)
    return done


def objective(inst: Instance, chosen: Sequence[CandidateCredential]) -> float:
    def mean(attribute: str) -> float:
        values = [float(getattr(c, attribute) or 0) for c in inst.candidates]
        positive = [v for v in values if v > 0]
        return sum(positive) / len(positive) if positive else 1.0

    w = inst.objective
    value = sum(
        w.cost * own(inst, c, "cost") / mean("cost")
        + w.hours * own(inst, c, "hours") / mean("hours")
        for c in chosen
    )
    _, optional = gap(inst)
    return value + sum(
        r.weight for r in optional if not any(certifies(c, r.skill, r.level) for c in chosen)
    )


def valid(inst: Instance, chosen: Sequence[CandidateCredential]) -> bool:
    required, _ = gap(inst)
    k = inst.constraints
    if any(c.id in inst.held or not allowed(c, k) for c in chosen):
        return False
    if any(not any(certifies(c, r.skill, r.level) for c in chosen) for r in required):
        return False
    if k.max_cost is not None and sum(own(inst, c, "cost") for c in chosen) > k.max_cost + 1e-9:
        return False
    if k.max_hours is not None and sum(own(inst, c, "hours") for c in chosen) > k.max_hours + 1e-9:
        return False
    return order(inst, chosen) is not None


def twins(inst: Instance, ids: Iterable[str]) -> set[str]:
    """The credentials that certify exactly the skills of one of ``ids`` (they included)."""
    by_id = {c.id: c for c in inst.candidates}
    kinds = {frozenset(by_id[i].skills) for i in ids}
    return {c.id for c in inst.candidates if frozenset(c.skills) in kinds}


def brute_force(inst: Instance, *, excluding: Sequence[frozenset[str]] = ()) -> float | None:
    """The best objective over valid sets; ``excluding`` earlier pathways, which rules out
    any set that holds, for each of their credentials, it or a twin."""
    best = None
    pool = [c for c in inst.candidates if c.id not in inst.held]
    for size in range(len(pool) + 1):
        for chosen in itertools.combinations(pool, size):
            ids = frozenset(c.id for c in chosen)
            if any(len(twins(inst, e) & ids) >= len(e) for e in excluding):
                continue
            if not valid(inst, chosen):
                continue
            value = objective(inst, chosen)
            best = value if best is None else min(best, value)
    return best


def solve(inst: Instance, method: Method, alternatives: int = 3) -> list[Pathway]:
    return optimal_pathways(
        inst.candidates,
        requirements=inst.requirements,
        constraints=inst.constraints,
        objective=inst.objective,
        held_skills=inst.held_skills,
        held_credentials=inst.held,
        alternatives=alternatives,
        method=method,
        recognises=recognises,
    )


def check_pathway(inst: Instance, pathway: Pathway) -> None:
    """Everything a returned pathway claims, checked from the instance itself."""
    by_id = {c.id: c for c in inst.candidates}
    steps = [by_id[s.credential] for s in sorted(pathway.steps, key=lambda s: s.order)]
    assert [s.order for s in pathway.steps] == list(range(1, len(steps) + 1))
    required, _ = gap(inst)
    assert set(pathway.covers) == {r.skill for r in required}
    for r in required:
        assert any(certifies(c, r.skill, r.level) for c in steps), r.skill
    for i, c in enumerate(steps):  # prerequisites come first
        assert ready(inst, c, steps[:i]), c.id
    for step in pathway.steps:
        for skill in step.covers:
            level = next(r.level for r in required if r.skill == skill)
            assert certifies(by_id[step.credential], skill, level)
    k = inst.constraints
    assert all(allowed(c, k) and c.id not in inst.held for c in steps)
    cost = sum(own(inst, c, "cost") for c in steps)
    hours = sum(own(inst, c, "hours") for c in steps)
    assert pathway.cost == pytest.approx(cost) and pathway.hours == pytest.approx(hours)
    assert k.max_cost is None or cost <= k.max_cost + 1e-6
    assert k.max_hours is None or hours <= k.max_hours + 1e-6
    assert pathway.objective == pytest.approx(objective(inst, steps))


SEEDS = range(80)


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed-{s:02d}" for s in SEEDS])
def test_exact_mode_finds_the_true_optimum(seed: int) -> None:
    inst = random_instance(seed)
    best = brute_force(inst)
    if best is None:
        with pytest.raises(NoPathwayError):
            solve(inst, Method.EXACT)
        return
    pathways = solve(inst, Method.EXACT)
    assert pathways[0].method is Method.EXACT
    assert pathways[0].objective == pytest.approx(best, abs=1e-6)
    for pathway in pathways:
        check_pathway(inst, pathway)
    sets = [frozenset(s.credential for s in p.steps) for p in pathways]
    for a, b in itertools.combinations(sets, 2):
        assert len(twins(inst, a) & b) < len(a), "an alternative repeats an earlier one"
    if len(pathways) > 1:  # the second is the best pathway that does not contain the first
        assert pathways[1].objective == pytest.approx(
            brute_force(inst, excluding=sets[:1]), abs=1e-6
        )
    objectives = [p.objective for p in pathways]
    assert objectives == sorted(objectives)


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed-{s:02d}" for s in SEEDS])
def test_leaving_out_dominated_credentials_keeps_the_optimum(seed: int) -> None:
    inst = random_instance(seed)
    best = brute_force(inst)
    try:
        reduced = optimal_pathways(
            inst.candidates,
            requirements=inst.requirements,
            constraints=inst.constraints,
            objective=inst.objective,
            held_skills=inst.held_skills,
            held_credentials=inst.held,
            method=Method.EXACT,
            recognises=recognises,
            reduce_above=0,  # always reduce
        )
    except NoPathwayError:
        assert best is None
        return
    assert best is not None
    check_pathway(inst, reduced[0])
    assert reduced[0].objective == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed-{s:02d}" for s in SEEDS])
def test_heuristic_pathways_are_valid_and_bounded(seed: int) -> None:
    inst = random_instance(seed)
    best = brute_force(inst)
    try:
        pathways = solve(inst, Method.HEURISTIC)
    except NoPathwayError:
        return  # the heuristic may miss a tight budget; it never invents a pathway
    assert best is not None, "the heuristic returned a pathway where none exists"
    for pathway in pathways:
        check_pathway(inst, pathway)
        assert pathway.method is Method.HEURISTIC
    first = pathways[0]
    assert first.objective >= best - 1e-6
    assert first.bound.source == "lp_relaxation"
    assert first.bound.lower is not None and first.bound.lower <= best + 1e-6
    assert first.bound.gap == pytest.approx(
        (first.objective - first.bound.lower) / first.objective if first.objective else 0.0
    )


# --- rules, on hand-made instances --------------------------------------------------------

PY, SQL, STATS = "esco:python", "esco:sql", "esco:statistics"


def test_recognition_follows_the_union_and_excluded_credentials_are_named() -> None:
    eu = CandidateCredential("eu", (SkillLevel(PY),), cost=500, recognized_in=("EU",))
    us = CandidateCredential("us", (SkillLevel(PY), SkillLevel(SQL)), cost=100, jurisdiction="US")
    best = optimal_pathways(
        [eu, us],
        requirements=[Requirement(PY)],
        constraints=Constraints(jurisdiction="IE"),
        recognises=recognises,
    )
    assert [s.credential for s in best[0].steps] == ["eu"]
    with pytest.raises(NoPathwayError) as caught:
        optimal_pathways(
            [eu, us],
            requirements=[Requirement(PY), Requirement(SQL)],
            constraints=Constraints(jurisdiction="IE"),
            recognises=recognises,
        )
    assert caught.value.details["uncovered_skills"] == [SQL]
    assert caught.value.details["binding"] == ["jurisdiction"]


def test_a_stackable_credential_counts_its_parts_once() -> None:
    # Like the demo's data analytics certificate: four modules, one delivered by two issuers,
    # and a certificate whose stated cost and hours are those of its parts.
    target = "cert"
    parts = [
        CandidateCredential("quality-a", (SkillLevel(PY, 3),), 450, 125, stacks_into=(target,)),
        CandidateCredential("quality-b", (SkillLevel(PY, 3),), 450, 125, stacks_into=(target,)),
        CandidateCredential("stats", (SkillLevel(STATS, 3),), 450, 125, stacks_into=(target,)),
        CandidateCredential("sql", (SkillLevel(SQL, 3),), 450, 140, stacks_into=(target,)),
    ]
    cert = CandidateCredential(target, (SkillLevel(PY, 4), SkillLevel(SQL, 4)), 1350, 390)
    best = optimal_pathways([*parts, cert], requirements=[Requirement(PY, 4)])[0]
    assert [s.credential for s in best.steps][-1] == target
    assert len(best.steps) == 4  # one delivery of each module, then the certificate
    assert best.cost == 1350 and best.hours == 390
    assert best.steps[-1].cost == 0 and set(best.steps[-1].after) >= {"stats", "sql"}
    held = optimal_pathways(
        [*parts, cert], requirements=[Requirement(PY, 4)], held_credentials=["quality-b"]
    )[0]
    assert held.cost == 900  # the held part is not paid again


def test_prerequisite_skills_provided_in_a_cycle_need_a_third_credential() -> None:
    # a and b each need a skill only the other teaches: together they cannot be ordered.
    a = CandidateCredential("a", (SkillLevel(PY),), 100, prerequisite_skills=(SkillLevel(SQL),))
    b = CandidateCredential("b", (SkillLevel(SQL),), 100, prerequisite_skills=(SkillLevel(PY),))
    c = CandidateCredential("c", (SkillLevel(SQL),), 300)
    best = optimal_pathways([a, b, c], requirements=[Requirement(PY), Requirement(SQL)])[0]
    assert [s.credential for s in best.steps] == ["c", "a"]
    assert best.steps[1].after == ("c",)


def test_budget_that_binds_says_what_it_would_take() -> None:
    a = CandidateCredential("a", (SkillLevel(PY), SkillLevel(SQL)), cost=900, hours=50)
    b = CandidateCredential("b", (SkillLevel(PY),), cost=400, hours=100)
    c = CandidateCredential("c", (SkillLevel(SQL),), cost=400, hours=100)
    needs = [Requirement(PY), Requirement(SQL)]
    with pytest.raises(NoPathwayError) as caught:
        optimal_pathways([a, b, c], requirements=needs, constraints=Constraints(max_cost=700))
    assert caught.value.details["binding"] == ["max_cost"]
    assert caught.value.details["least_cost"] == 800
    hours = optimal_pathways(
        [a, b, c], requirements=needs, objective=Objective(cost=0, hours=1), alternatives=3
    )
    assert [[s.credential for s in p.steps] for p in hours] == [["a"], ["b", "c"]]


def test_partial_pathways_list_what_nothing_covers() -> None:
    a = CandidateCredential("a", (SkillLevel(PY),), cost=100)
    best = optimal_pathways(
        [a], requirements=[Requirement(PY), Requirement(SQL)], allow_partial=True
    )[0]
    assert best.covers == (PY,) and best.missing == (SQL,)


def test_plain_set_cover_states_the_greedy_factor() -> None:
    creds = [
        CandidateCredential(f"c{i}", tuple(SkillLevel(s) for s in skills), cost=cost)
        for i, (skills, cost) in enumerate([([PY, SQL], 300), ([PY], 100), ([SQL, STATS], 250)])
    ]
    needs = [Requirement(PY), Requirement(SQL), Requirement(STATS)]
    best = optimal_pathways(creds, requirements=needs, method=Method.HEURISTIC)[0]
    assert best.bound.greedy_factor == pytest.approx(1.5)  # H(2): at most 2 skills per credential
    exact = optimal_pathways(creds, requirements=needs, method=Method.EXACT)[0]
    assert exact.cost <= best.cost <= 1.5 * exact.cost


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"constraints": Constraints(max_cost=-1)}, "max_cost"),
        ({"constraints": Constraints(max_hours=-5)}, "max_hours"),
        ({"constraints": Constraints(max_eqf_level=9)}, "max_eqf_level"),
        ({"objective": Objective(cost=0, hours=0)}, "objective"),
        ({"alternatives": 0}, "alternatives"),
        # Was a 500: weights of 1e308 overflowed the solver's objective to infinity.
        ({"objective": Objective(cost=1e308, hours=1e308)}, "objective"),
        ({"objective": Objective(cost=float("inf"))}, "objective"),
        ({"objective": Objective(cost=1.0, hours=float("nan"))}, "objective"),
    ],
    ids=[
        "negative-budget",
        "negative-hours",
        "eqf-9",
        "zero-objective",
        "no-alternatives",
        "huge-objective",
        "infinite-objective",
        "nan-objective",
    ],
)
def test_contradictory_options_name_the_field(options: dict[str, object], field: str) -> None:
    a = CandidateCredential("a", (SkillLevel(PY),), cost=100)
    with pytest.raises(InvalidInputError) as caught:
        optimal_pathways([a], requirements=[Requirement(PY)], **options)  # type: ignore[arg-type]
    assert caught.value.details["field"] == field


def test_an_eqf_ceiling_below_every_credential_is_the_binding_constraint() -> None:
    a = CandidateCredential("a", (SkillLevel(PY),), cost=100, eqf_level=6)
    with pytest.raises(NoPathwayError) as caught:
        optimal_pathways(
            [a], requirements=[Requirement(PY)], constraints=Constraints(max_eqf_level=3)
        )
    assert caught.value.details["field"] == "max_eqf_level"


def test_auto_mode_says_when_the_instance_is_too_large_for_the_exact_solver() -> None:
    creds = [
        CandidateCredential(f"c{i}", (SkillLevel(SKILLS[i % 6]),), cost=100 + i) for i in range(12)
    ]
    needs = [Requirement(s) for s in SKILLS]
    small = optimal_pathways(creds, requirements=needs)[0]
    large = optimal_pathways(creds, requirements=needs, exact_limit=5)[0]
    assert small.method is Method.EXACT and small.note.startswith("exact")
    assert large.method is Method.HEURISTIC
    assert "exceed the exact limit of 5" in large.note
    assert large.objective == pytest.approx(small.objective)  # one credential per skill: easy
