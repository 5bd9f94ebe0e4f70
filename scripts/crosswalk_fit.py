"""Fit the crosswalk's reranker on the tune part of the expert O*NET -> ESCO crosswalk.

Usage: ``python scripts/crosswalk_fit.py [--store URL] [--features PATH] [--write]``
(``scripts/dev train crosswalk``).

On a full store (ESCO and O*NET, what ``credwalk ingest`` filled), every tune O*NET code's
candidates are scored once by the hand-weighted crosswalk (no reranker), their features
(:data:`graph.services.crosswalk.rerank.FEATURES`) kept in ``--features`` so that refits are
quick. A logistic regression (scikit-learn; features standardised, coefficients given back on
the raw scale) learns which candidates experts chose; its regularisation ``C`` is chosen by
5-fold cross-validation over the tune codes (grouped by code: no code in its own validation
fold), on hit@1 + hit@5 of the held-in-turn folds. The held-out part is never read here.
The chosen model's coefficients are printed for ``rerank.RERANKER`` and the run recorded in
``scripts/crosswalk_fit.json`` (``--write``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import devsets
import numpy as np
import numpy.typing as npt

from api.runtime import build_runtime
from graph.services.crosswalk.ranking import CrosswalkWeights, score_candidates
from graph.services.crosswalk.rerank import FEATURES
from graph.settings import load_settings

SHARED = Path(
    os.environ.get("CREDWALK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
RECORD = Path(__file__).with_name("crosswalk_fit.json")
GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5
KINDS = ("pointwise", "listwise")
SEED = 19


def extract(store_url: str, gold: dict[str, set[str]], candidates: int) -> dict[str, Any]:
    """Features, gold flags and hand scores of each tune code's candidates."""
    settings = load_settings(store=store_url, load_demo=False)
    runtime = build_runtime(settings)
    runtime.store.open()
    try:
        started = time.perf_counter()
        scored, _ = score_candidates(
            runtime.store,
            runtime.embedder,
            source="onet",
            target="esco",
            top=5,
            sources=sorted(gold),
            weights=CrosswalkWeights(reranker=None, candidates=candidates),
        )
        seconds = time.perf_counter() - started
    finally:
        runtime.close()
    s, t = scored.s, scored.t
    rows = [i for i, row in enumerate(scored.rows) if s.concepts[row].code in gold]
    codes = [s.concepts[scored.rows[i]].code or "" for i in rows]
    targets = scored.found.targets[rows]
    y = np.asarray(
        [[t.uris[int(c)] in gold[code] for c in r] for code, r in zip(codes, targets, strict=True)]
    )
    return {
        "codes": np.asarray(codes),
        "X": scored.features[rows],
        "y": y,
        "hand": scored.ranking.final[rows],
        "seconds": seconds,
    }


def hits(scores: npt.NDArray[np.float32], y: npt.NDArray[np.bool_], n: int) -> dict[str, float]:
    """hit@1 / hit@5 (in %) of ranking each row's candidates by ``scores``, out of ``n`` codes."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranked = np.take_along_axis(y, order, axis=1)
    return {
        "hit@1": 100 * float(ranked[:, 0].sum()) / n,
        "hit@5": 100 * float(ranked[:, :5].any(axis=1).sum()) / n,
    }


def _pointwise(w: Any, x: Any, y: Any, c: float) -> tuple[float, Any]:
    """L2-regularised logistic loss and gradient; ``w`` ends with the intercept."""
    z = x @ w[:-1] + w[-1]
    sign = np.where(y, 1.0, -1.0)
    loss = float(np.logaddexp(0.0, -sign * z).sum()) + float(w[:-1] @ w[:-1]) / (2 * c)
    g = -sign / (1.0 + np.exp(sign * z))
    grad = np.concatenate([x.T @ g + w[:-1] / c, [g.sum()]])
    return loss, grad


def _listwise(w: Any, x: Any, y: Any, c: float) -> tuple[float, Any]:
    """-log of the softmax mass on each code's gold candidates (conditional logit), with L2."""
    z = x @ w[:-1]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    total, gold = e.sum(axis=1), (e * y).sum(axis=1)
    loss = float((np.log(total) - np.log(gold)).sum()) + float(w[:-1] @ w[:-1]) / (2 * c)
    g = e / total[:, None] - e * y / gold[:, None]
    grad = np.einsum("rk,rkf->f", g, x) + w[:-1] / c
    return loss, np.concatenate([grad, [0.0]])


def fit(x: Any, y: Any, c: float, kind: str) -> tuple[Any, float]:
    """A linear model on standardised features, as (coefficients, intercept) on raw ones.

    ``pointwise``: logistic regression, each candidate on its own. ``listwise``: the softmax of
    a code's candidates puts its mass on the experts' choices; its scores are then turned into
    probabilities by a one-feature logistic regression (same order, scores in [0, 1]).
    """
    from scipy.optimize import minimize

    flat = x.reshape(-1, x.shape[-1])
    mean, scale = flat.mean(axis=0), flat.std(axis=0)
    scale = np.where(scale == 0, 1.0, scale)
    z = ((x - mean) / scale).astype(np.float64)
    start = np.zeros(x.shape[-1] + 1)
    if kind == "pointwise":
        w = minimize(_pointwise, start, (z.reshape(-1, z.shape[-1]), y.ravel(), c), jac=True).x
    else:
        keep = y.any(axis=1)  # a code whose choice is not among its candidates teaches nothing
        w = minimize(_listwise, start, (z[keep], y[keep], c), jac=True).x
        logits = (z @ w[:-1]).reshape(-1, 1)
        a, b = minimize(_pointwise, np.zeros(2), (logits, y.ravel(), 1e6), jac=True).x
        w = np.concatenate([a * w[:-1], [b]])
    coefficients = w[:-1] / scale
    return coefficients, float(w[-1] - (w[:-1] * mean / scale).sum())


def cross_validate(data: dict[str, Any], n: int) -> dict[tuple[str, float], dict[str, float]]:
    """hit@1 / hit@5 of each model and ``C`` of :data:`GRID` on held-in-turn folds of tune."""
    rng = np.random.default_rng(SEED)
    fold = rng.permutation(len(data["codes"])) % FOLDS
    out: dict[tuple[str, float], dict[str, float]] = {}
    for kind in KINDS:
        for c in GRID:
            scores = np.zeros(data["y"].shape, dtype=np.float32)
            for k in range(FOLDS):
                train, valid = fold != k, fold == k
                coefficients, intercept = fit(data["X"][train], data["y"][train], c, kind)
                scores[valid] = data["X"][valid] @ coefficients + intercept
            out[kind, c] = hits(scores, data["y"], n)
    return out


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="train crosswalk", description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=os.environ.get("CREDWALK_STORE"))
    parser.add_argument("--features", type=Path, default=Path("/tmp/credwalk-crosswalk-fit.npz"))
    parser.add_argument("--candidates", type=int, default=CrosswalkWeights().candidates)
    parser.add_argument("--write", action="store_true", help=f"record the run in {RECORD.name}")
    args = parser.parse_args(argv)
    gold = devsets.crosswalk_gold(SHARED, "tune")
    if args.features.exists():
        data: dict[str, Any] = dict(np.load(args.features))
    else:
        data = extract(args.store or load_settings().store, gold, args.candidates)
        np.savez(args.features, **data)
    n = len(gold)
    hand = hits(data["hand"], data["y"], n)
    recall = 100 * float(data["y"].any(axis=1).sum()) / n
    print(f"tune: {n} codes, gold among the candidates for {recall:.1f} %")
    print(f"hand-weighted score: hit@1 {hand['hit@1']:.1f} hit@5 {hand['hit@5']:.1f}")
    cv = cross_validate(data, n)
    for (kind, c), h in cv.items():
        print(f"{kind:<9} C={c:<5} cross-validated hit@1 {h['hit@1']:.1f} hit@5 {h['hit@5']:.1f}")
    best = max(cv, key=lambda m: (cv[m]["hit@1"] + cv[m]["hit@5"], -abs(np.log(m[1]))))
    coefficients, intercept = fit(data["X"], data["y"], best[1], best[0])
    fitted = hits(data["X"] @ coefficients + intercept, data["y"], n)
    print(f"chosen {best[0]} C={best[1]}; refit on all tune (in-sample): {fitted}")
    rounded = tuple(round(float(v), 4) for v in coefficients)
    print("RERANKER = Reranker(")
    print(f"    coefficients={rounded!r},\n    intercept={round(intercept, 4)},\n)")
    record = {
        "command": "scripts/dev train crosswalk --write",
        "commit": _commit(),
        "codes": n,
        "candidate_recall": recall,
        "hand_weighted": hand,
        "cross_validated": {f"{kind} C={c}": h for (kind, c), h in cv.items()},
        "chosen": {"model": best[0], "C": best[1]},
        "refit_in_sample": fitted,
        "features": dict(zip(FEATURES, rounded, strict=True)),
        "intercept": round(intercept, 4),
        "extract_seconds": float(data["seconds"]),
    }
    if args.write:
        RECORD.write_text(json.dumps(record, indent=1) + "\n")
        print(f"recorded in {RECORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
