"""The adaptive onboarding test checked by simulation: estimated level against the true one.

Usage: ``python scripts/bench.py assessments [--learners N] [--seed S] [--items-per-level K]``

Simulated learners of a known level (uniform over 1-8) answer an item bank of every level
(``K`` items per level) with noise; the test is :mod:`graph.algorithms.adaptive` with its
default model (slip 0.1, guess 0.2) and stop rule (confidence 0.95, at most 12 items). One row
per noise the learners really answer with: the model's own, then harsher ones the test does not
know about. Target: on the model's noise, the estimate equals the true level for >= 90 % of the
learners with at most 12 items each (exit 1 when missed).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.algorithms.adaptive import DEFAULT_MODEL, DEFAULT_STOP, ResponseModel, simulate

TARGET = 0.90
NOISES = (
    ("model's own (slip 0.10, guess 0.20)", DEFAULT_MODEL),
    ("harsher (slip 0.15, guess 0.25)", ResponseModel(slip=0.15, guess=0.25)),
    ("lucky guessers (slip 0.05, guess 0.33)", ResponseModel(slip=0.05, guess=0.33)),
)


def _row(name: str, noise: ResponseModel, args: argparse.Namespace) -> tuple[str, float, int]:
    rng = random.Random(args.seed)
    exact = near = 0
    items: list[int] = []
    for _ in range(args.learners):
        true_level = rng.randint(1, 8)
        result = simulate(
            true_level,
            range(1, 9),
            rng=rng,
            noise=noise,
            items_per_level=args.items_per_level,
        )
        exact += result.level == true_level
        near += abs((result.level or 0) - true_level) <= 1
        items.append(result.items)
    share = exact / args.learners
    p95 = sorted(items)[int(0.95 * (len(items) - 1))]
    print(
        f"{name:<40} {args.learners:>8} {100 * share:>7.1f} % {100 * near / args.learners:>7.1f} %"
        f" {statistics.fmean(items):>6.2f} {p95:>4} {max(items):>4}"
    )
    return name, share, max(items)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench assessments", description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--items-per-level", type=int, default=6)
    args = parser.parse_args(argv)
    print(
        f"adaptive test: levels 1-8, {args.items_per_level} items per level, stop at confidence "
        f"{DEFAULT_STOP.confidence} or {DEFAULT_STOP.max_items} items; seed {args.seed}"
    )
    print(
        f"{'learners answer with noise':<40} {'learners':>8} {'exact':>9} {'+-1':>9} "
        f"{'items':>6} {'p95':>4} {'max':>4}"
    )
    rows = [_row(name, noise, args) for name, noise in NOISES]
    _, share, most = rows[0]
    met = share >= TARGET and most <= DEFAULT_STOP.max_items
    print(
        f"target: exact >= {100 * TARGET:.0f} % with <= {DEFAULT_STOP.max_items} items on the "
        f"model's noise: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1
