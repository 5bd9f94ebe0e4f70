"""A career over time: per-skill levels from every source, coverage of targets, skill groups.

The input is a list of :class:`Observation` (one statement of a skill's level, by a source, at
a date); the output is a list of :class:`LevelStep`, one per change of a skill's *held level*.

**The rule** (documented here once):

1. Each source says what it says of a skill in its own way:

   - ``assessment``: per level only the latest result counts, and the source's level is the
     highest level whose latest result passes (the rule of :mod:`graph.model.learners`);
   - ``onboarding_test`` and ``self_declared``: the latest statement replaces the earlier ones
     (a retest measures the level again);
   - every other source (``credential``, ``proof``, ``endorsed``, ``impact``): each is a
     standing document, so the source's level is the highest one it has stated so far.

2. The *held level* of a skill at a date is the highest level its sources hold then; a source
   that holds the skill without a level (None: at any level) counts as holding it when no
   source states a level. The observation that gives it is *how the level was established*.
3. Observations without a date are held from before the first dated one (the record does not
   say when: a credential held, a competence reported without a date).
4. Levels are shown as established, not decayed: the decay of evidence with age
   (:func:`graph.model.learners.competence_score`) is what gap analysis applies today.

A requirement without a level (ESCO states none for occupations) is met by the skill held at
any level; one with a level ``r`` by a held level of at least ``r``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "CoveragePoint",
    "GroupPoint",
    "LevelStep",
    "Observation",
    "RadarAxis",
    "coverage_over_time",
    "groups_over_time",
    "held_at",
    "level_steps",
    "radar_axes",
]

#: Sources whose latest statement replaces the earlier ones.
REPLACING = frozenset({"onboarding_test", "self_declared"})
#: The source whose results follow the multi-level rule.
MULTI_LEVEL = "assessment"
_START = dt.date.min


@dataclass(frozen=True, slots=True)
class Observation:
    """One statement of a skill's level by a source, at a date, with how it was made."""

    skill: str
    source: str
    date: dt.date | None
    level: int | None = None
    passed: bool = True
    evidence: str | None = None
    by: str | None = None
    confidence: float | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class LevelStep:
    """A skill's held level from ``date`` on (None level: held at any level; held False: lost)."""

    date: dt.date | None
    skill: str
    level: int | None
    held: bool
    established_by: Observation | None


@dataclass(frozen=True, slots=True)
class CoveragePoint:
    """How much of a target is covered from ``date`` on."""

    date: dt.date | None
    covered: int
    total: int

    @property
    def share(self) -> float:
        """The covered share, in [0, 1] (1 for a target that requires nothing)."""
        return self.covered / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True)
class GroupPoint:
    """A skill group's state from ``date`` on: skills held and their mean stated level."""

    date: dt.date | None
    group: str
    skills: int
    mean_level: float | None


@dataclass(frozen=True, slots=True)
class RadarAxis:
    """One skill of a target: the level required (None: any) and the level held now.

    ``held`` is None when the skill is not held, and 1 when it is held at any level.
    """

    skill: str
    required: int | None
    held: int | None
    covered: bool


def _key(o: Observation) -> tuple[dt.date, str, int, str]:
    return (o.date or _START, o.source, o.level or 0, o.ref or "")


class _Source:
    """What one source holds of one skill, kept up to date one observation (in order) at a time.

    Each observation costs a constant: the multi-level rule looks at the latest result per
    level (at most one per level of the scale), the others at the one held so far.
    """

    __slots__ = ("held", "latest", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.held: Observation | None = None
        self.latest: dict[int | None, Observation] = {}

    def add(self, o: Observation) -> Observation | None:
        """Take ``o`` into account; return what the source holds of the skill now."""
        if self.name == MULTI_LEVEL:
            kept = self.latest.get(o.level)  # later wins; on one date a pass wins over a fail
            if kept is None or kept.date != o.date or o.passed or not kept.passed:
                self.latest[o.level] = o
            passing = [o for o in self.latest.values() if o.passed]
            self.held = max(passing, key=lambda o: o.level or 0) if passing else None
        elif self.name in REPLACING:
            self.held = o if o.passed else None
        elif o.passed and (self.held is None or _standing(o) > _standing(self.held)):
            self.held = o
        return self.held


def _standing(o: Observation) -> tuple[int, dt.date]:
    return (o.level or 0, o.date or _START)


def _held(by_source: Mapping[str, Observation | None]) -> Observation | None:
    held = [o for o in by_source.values() if o is not None]
    if not held:
        return None
    return max(held, key=lambda o: (o.level is not None, o.level or 0, o.date or _START))


def level_steps(observations: Iterable[Observation]) -> list[LevelStep]:
    """Every change of a skill's held level, in date order (the rule of the module docstring).

    Examples
    --------
    >>> from datetime import date
    >>> steps = level_steps([
    ...     Observation("s", "onboarding_test", date(2020, 1, 1), 2),
    ...     Observation("s", "proof", date(2022, 1, 1), 4),
    ...     Observation("s", "onboarding_test", date(2023, 1, 1), 3),
    ... ])
    >>> [(str(s.date), s.level, s.established_by.source) for s in steps]
    [('2020-01-01', 2, 'onboarding_test'), ('2022-01-01', 4, 'proof')]
    """
    seen: dict[tuple[str, str], _Source] = {}
    state: dict[str, dict[str, Observation | None]] = {}
    current: dict[str, tuple[int | None, bool]] = {}
    steps: list[LevelStep] = []
    for o in sorted(observations, key=lambda o: (*_key(o), o.skill)):
        source = seen.get((o.skill, o.source))
        if source is None:
            source = seen[(o.skill, o.source)] = _Source(o.source)
        sources = state.setdefault(o.skill, {})
        sources[o.source] = source.add(o)
        best = _held(sources)
        now = (best.level if best else None, best is not None)
        if current.get(o.skill, (None, False)) != now:
            current[o.skill] = now
            steps.append(LevelStep(o.date, o.skill, now[0], now[1], best))
    return _merge_same_day(steps)


def _merge_same_day(steps: list[LevelStep]) -> list[LevelStep]:
    """Keep one step per skill and date: the last (what the skill held at the end of the day)."""
    last: dict[tuple[str, dt.date | None], int] = {}
    for i, step in enumerate(steps):
        last[(step.skill, step.date)] = i
    return [s for i, s in enumerate(steps) if last[(s.skill, s.date)] == i]


def held_at(steps: Iterable[LevelStep], when: dt.date | None = None) -> dict[str, LevelStep]:
    """Each skill's step in force at ``when`` (default: at the end), skills held only."""
    found: dict[str, LevelStep] = {}
    for step in steps:
        if when is not None and step.date is not None and step.date > when:
            break
        found[step.skill] = step
    return {skill: step for skill, step in found.items() if step.held}


def _meets(step: LevelStep | None, required: int | None) -> bool:
    if step is None or not step.held:
        return False
    return required is None or step.level is None or step.level >= required


def coverage_over_time(
    steps: Sequence[LevelStep], requirements: Mapping[str, int | None]
) -> list[CoveragePoint]:
    """The covered share of ``requirements`` (skill: level) at each date one of them changed.

    Examples
    --------
    >>> from datetime import date
    >>> steps = level_steps([
    ...     Observation("a", "self_declared", date(2020, 1, 1), 2),
    ...     Observation("b", "proof", date(2021, 1, 1), 3),
    ...     Observation("c", "proof", date(2022, 1, 1), 3),
    ... ])
    >>> [(str(p.date), p.covered, p.total) for p in coverage_over_time(steps, {"a": 3, "b": None})]
    [('2021-01-01', 1, 2)]
    """
    now: dict[str, LevelStep] = {}
    points: list[CoveragePoint] = []
    covered = 0
    for step in steps:
        if step.skill not in requirements:
            continue
        required = requirements[step.skill]
        before = _meets(now.get(step.skill), required)
        now[step.skill] = step
        covered += int(_meets(step, required)) - int(before)
        point = CoveragePoint(step.date, covered, len(requirements))
        if points and points[-1].date == step.date:
            points[-1] = point
        elif (points[-1].covered if points else 0) != covered:
            points.append(point)
    return points


def groups_over_time(
    steps: Sequence[LevelStep], group_of: Mapping[str, str]
) -> dict[str, list[GroupPoint]]:
    """Per skill group, its skills held and their mean stated level at each date it changed.

    Skills without a group in ``group_of`` are left out; skills held at any level count among
    the skills held but not in the mean.
    """
    levels: dict[str, dict[str, int | None]] = {}
    series: dict[str, list[GroupPoint]] = {}
    for step in steps:
        group = group_of.get(step.skill)
        if group is None:
            continue
        mine = levels.setdefault(group, {})
        if step.held:
            mine[step.skill] = step.level
        else:
            mine.pop(step.skill, None)
        stated = [level for level in mine.values() if level is not None]
        mean = round(sum(stated) / len(stated), 2) if stated else None
        point = GroupPoint(step.date, group, len(mine), mean)
        points = series.setdefault(group, [])
        if points and points[-1].date == step.date:
            points[-1] = point
        else:
            points.append(point)
    return series


def radar_axes(
    held: Mapping[str, LevelStep], requirements: Sequence[tuple[str, int | None]]
) -> list[RadarAxis]:
    """Per required skill (in the order given): the level required and the level held now."""
    axes = []
    for skill, required in requirements:
        step = held.get(skill)
        level = None if step is None else (step.level if step.level is not None else 1)
        axes.append(RadarAxis(skill, required, level, _meets(step, required)))
    return axes
