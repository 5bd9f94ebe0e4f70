"""Scale: search, map, equivalents, best pathway and gap at 1x, 10x, 100x on both backends.

    scripts/dev bench scale [--scales 1,10,100] [--backends embedded,neo4j] [--neo4j URL]
                            [--queries N] [--esco PACK|demo] [--budget MINUTES] [--json]

For each backend a fresh store (an embedded file in a temporary folder; a Neo4j namespace of its
own on ``--neo4j``, else ``CREDWALK_NEO4J_URI``, else on a server started with ``scripts/neo4j``
sized for full ESCO as ``bench neo4j`` does; deleted after) gets ESCO with its vectors (from the
warm embedding cache, so nothing is encoded), then grows through the scales with
``scripts/generate_scale.py`` (1x = 1,000 credentials, 1,000 learners with 10,000 competence
rows; each step adds what the next scale needs). At each scale a fresh process opens the store
and measures p50/p95 of: search (a skill's alternative label), map (a sentence of a skill's
description), equivalents of one generated credential, the best pathway of a generated learner
to the occupation of a generated credential, and that learner's gap to it. Each step runs in its
own process, so "peak RSS" is that process's own: the generation's, and the serving one's (the
embedding model, the opened store and the queries).

Targets (issue 20, on this 2-core machine): search p95 <= 80 ms, map <= 120 ms, equivalents
<= 150 ms, best pathway <= 500 ms (at 100,000 credentials on Neo4j; the embedded store's beside
them). ``--budget`` stops growing a backend once that many minutes have passed: scales not
reached are printed as not run, nothing is extrapolated.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

Json = dict[str, Any]
TARGETS_MS = {"search": 80.0, "map": 120.0, "equivalents": 150.0, "pathway": 500.0}
QUERIES = ("search", "map", "equivalents", "pathway", "gap")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _embedder() -> Any:
    from graph.embeddings import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
    from graph.settings import load_settings

    settings = load_settings()
    return CachedEmbedder(
        SentenceTransformerEmbedder(settings.embedding_model, device=settings.embedding_device),
        EmbeddingCache(settings.embedding_cache),
    )


# --- the steps, each in a process of its own ---------------------------------------------------


def step_load(url: str, esco: str) -> Json:
    """Import ESCO with its vectors into the empty store."""
    from generate_scale import ERRATA, ONTOLOGIES, open_store

    from graph.services.ingestion import import_concepts
    from ingest.demo import read_demo_slice
    from ingest.run import ingest_esco

    embedder = _embedder()
    started = time.perf_counter()
    with open_store(url) as store:
        if esco == "demo":
            import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=embedder)
        else:
            ingest_esco(store, [Path(esco)], embedder=embedder, errata=ERRATA)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "texts_encoded": embedder.encoded,
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def step_generate(url: str, scale: float, part: int, samples: Path) -> Json:
    """Add ``scale`` units to the store; keep a sample of what was written for the queries."""
    from generate_scale import BASE_IRI, ONTOLOGIES, generate, open_store

    from graph.reference import load_reference_data

    reference = load_reference_data(ONTOLOGIES, base_iri=BASE_IRI)
    started = time.perf_counter()
    with open_store(url) as store:
        out = generate(store, scale=scale, reference=reference, part=part)
    seconds = time.perf_counter() - started
    rng = random.Random(part)
    kept: Json = json.loads(samples.read_text()) if samples.exists() else {}
    pairs = rng.sample(out.credential_occupations, min(500, len(out.credential_occupations)))
    kept.setdefault("credentials", []).extend(pairs)
    kept.setdefault("learners", []).extend(rng.sample(out.learner_ids, min(500, out.learners)))
    samples.write_text(json.dumps(kept))
    return {
        "seconds": round(seconds, 1),
        "parts_s": out.seconds,
        "credentials": out.credentials,
        "learners": out.learners,
        "competences": out.competences,
        "decisions": out.decisions,
        "questions": out.questions,
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _percentiles(samples: Sequence[float]) -> list[float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return [round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1)]


def _measure(calls: Sequence[Callable[[], object]]) -> list[float]:
    for call in calls[:3]:  # warm the caches
        call()
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return _percentiles(times)


def _texts(store: Any, pairs: Sequence[Sequence[str]], n: int, rng: random.Random) -> Any:
    """Alternative labels and description sentences of skills the credentials certify."""
    from graph.model.concepts import LabelKind

    records = store.get_records([c for c, _ in pairs[:n]], kind=_kind("CREDENTIAL"))
    skills = sorted({s["uri"] for r in records.values() for s in r.body.get("skills", ())})
    concepts = store.get_concepts(rng.sample(skills, min(len(skills), 4 * n)))
    labels, sentences = [], []
    for concept in concepts.values():
        labels += [
            x.text for x in concept.labels if x.kind is LabelKind.ALTERNATIVE and x.lang == "en"
        ][:1]
        sentences += [
            d.text.split(". ")[0]
            for d in concept.descriptions
            if d.lang == "en" and len(d.text.split()) >= 6
        ][:1]
    return labels[:n], sentences[:n]


def _kind(name: str) -> Any:
    from graph.model.concepts import NodeKind

    return NodeKind[name]


def _best_pathway(store: Any, goal: tuple[Any, Any], reference: Any) -> None:
    """The best pathway (one plan; partial when no credential covers a skill), or none."""
    from graph.errors import NoPathwayError
    from graph.services.pathways.planning import PathwayRequest, find_pathways

    request = PathwayRequest(alternatives=1, allow_partial=True)
    with contextlib.suppress(NoPathwayError):
        find_pathways(store, learner=goal[0], target=goal[1], reference=reference, request=request)


def step_query(url: str, samples: Path, n: int) -> Json:
    """Open the store in this fresh process and measure the five queries, ``n`` each."""
    from generate_scale import BASE_IRI, ONTOLOGIES, open_store

    from graph.model.learner_documents import learner_from_document
    from graph.reference import load_reference_data
    from graph.services.concepts import map_texts, search_concepts
    from graph.services.equivalence.equivalents import equivalents
    from graph.services.pathways.planning import gap_analysis
    from graph.services.pathways.targets import Target, TargetKind

    reference = load_reference_data(ONTOLOGIES, base_iri=BASE_IRI)
    embedder = _embedder()
    kept = json.loads(samples.read_text())
    rng = random.Random(20261207)
    pairs = rng.sample(kept["credentials"], min(n, len(kept["credentials"])))
    learners = rng.sample(kept["learners"], min(n, len(kept["learners"])))
    started = time.perf_counter()
    store = open_store(url)
    store.open()
    opened = {"open_s": round(time.perf_counter() - started, 1), "rss_open_mb": round(_rss_mb())}
    try:
        labels, sentences = _texts(store, pairs, n, rng)
        bodies = store.get_records(learners, kind=_kind("LEARNER"))
        goals = [
            (learner_from_document(bodies[x].body), Target(TargetKind.OCCUPATION, (o,)))
            for x, (_, o) in zip(learners, pairs, strict=False)
        ]
        skill = _kind("SKILL")
        calls: dict[str, list[Callable[[], object]]] = {
            "search": [partial(search_concepts, store, embedder, q, kind=skill) for q in labels],
            "map": [partial(map_texts, store, embedder, [q]) for q in sentences],
            "equivalents": [
                partial(equivalents, store, c, reference=reference, embedder=embedder)
                for c, _ in pairs
            ],
            "pathway": [partial(_best_pathway, store, g, reference) for g in goals],
            "gap": [
                partial(gap_analysis, store, learner=g[0], target=g[1], embedder=embedder)
                for g in goals
            ],
        }
        latency = {name: _measure(group) for name, group in calls.items()}
    finally:
        store.close()
    return {**opened, "latency_ms": latency, "peak_rss_mb": round(_peak_rss_mb())}


# --- the runner ---------------------------------------------------------------------------------


class OverBudgetError(Exception):
    """A step was still running when the backend's budget ran out (it was stopped)."""


def _run_step(argv: list[str], deadline: float | None = None) -> Json:
    """Run one step in a fresh process and return what it printed last (JSON)."""
    timeout = None if deadline is None else max(1.0, deadline - time.monotonic())
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--step", *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise OverBudgetError(f"{argv[0]} stopped after {timeout:.0f} s") from e
    if done.returncode != 0:
        raise RuntimeError(f"step {argv[0]} failed:\n{done.stderr[-3000:]}")
    result: Json = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _grow(url: str, scales: Sequence[int], args: argparse.Namespace, work: Path) -> Json:
    """ESCO, then each scale in turn (generate, then query), within the budget."""
    deadline = time.monotonic() + 60 * args.budget if args.budget else None
    samples = work / f"samples-{uuid.uuid4().hex[:6]}.json"
    _log(f"{url}: importing ESCO with vectors ...")
    result: Json = {"esco": _run_step(["load", url, args.esco]), "scales": {}}
    _log(f"{url}: ESCO {json.dumps(result['esco'])}")
    done = 0
    for part, scale in enumerate(scales):
        if deadline is not None and time.monotonic() > deadline:
            result["scales"][str(scale)] = {"not_run": f"budget of {args.budget} min spent"}
            continue
        _log(f"{url}: generating up to {scale}x ...")
        try:
            step = ["generate", url, str(scale - done), str(part), str(samples)]
            generated = _run_step(step, deadline)
            done = scale
            _log(f"{url}: querying at {scale}x ...")
            queried = _run_step(["query", url, str(samples), str(args.queries)], deadline)
        except OverBudgetError as e:
            result["scales"][str(scale)] = {"not_run": f"budget of {args.budget} min spent: {e}"}
            continue
        result["scales"][str(scale)] = {"generate": generated, **queried}
        _log(f"{url} at {scale}x: {json.dumps(result['scales'][str(scale)])}")
    return result


def _drop_namespace(url: str) -> None:
    from generate_scale import open_store

    with open_store(url) as store:
        store.clear()


def run_backend(backend: str, scales: Sequence[int], args: argparse.Namespace) -> Json:
    """Grow one backend's fresh store through the scales; delete it whatever happens."""
    with tempfile.TemporaryDirectory(prefix="credwalk-bench-scale-") as folder:
        work = Path(folder)
        if backend == "embedded":
            url = f"sqlite:///{work / 'scale.db'}"
            return _grow(url, scales, args, work)
        url = f"{args.neo4j}?namespace=benchscale{uuid.uuid4().hex[:8]}"
        try:
            return _grow(url, scales, args, work)
        finally:
            _drop_namespace(url)


def _print(results: Json, scales: Sequence[int]) -> None:
    print(f"scale benchmark, {results['queries']} queries of each kind; 1x = 1,000 credentials")
    print(f"load average at start/end: {results['load']}")
    for backend, got in results["backends"].items():
        esco = got["esco"]
        print(
            f"\n{backend}: ESCO with vectors {esco['seconds']} s "
            f"(texts encoded {esco['texts_encoded']}), peak RSS {esco['peak_rss_mb']} MB"
        )
        for scale in scales:
            row = got["scales"].get(str(scale), {"not_run": "not reached"})
            if "not_run" in row:
                print(f"  {scale:>4}x  NOT RUN: {row['not_run']}")
                continue
            g = row["generate"]
            print(
                f"  {scale:>4}x  +{g['credentials']} credentials, +{g['competences']} competences "
                f"added in {g['seconds']} s (peak RSS {g['peak_rss_mb']} MB); open "
                f"{row['open_s']} s, RSS open {row['rss_open_mb']} MB, peak {row['peak_rss_mb']} MB"
            )
            for name in QUERIES:
                p50, p95 = row["latency_ms"][name]
                target = TARGETS_MS.get(name)
                verdict = "" if target is None else ("  ok" if p95 <= target else "  OVER")
                limit = f" (target p95 <= {target:g})" if target else ""
                print(f"        {name:<12} p50 {p50:8.1f}  p95 {p95:8.1f} ms{limit}{verdict}")
    _print_ratios(results, scales)


def _print_ratios(results: Json, scales: Sequence[int]) -> None:
    got = results["backends"]
    if "embedded" not in got or "neo4j" not in got:
        return
    print("\np95 neo4j / embedded, same run:")
    for scale in scales:
        e, n = got["embedded"]["scales"].get(str(scale)), got["neo4j"]["scales"].get(str(scale))
        if not e or not n or "latency_ms" not in e or "latency_ms" not in n:
            continue
        ratios = [
            f"{q} {n['latency_ms'][q][1] / max(e['latency_ms'][q][1], 0.1):.1f}x" for q in QUERIES
        ]
        print(f"  {scale:>4}x  " + ", ".join(ratios))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--step"]:
        name, rest = argv[1], argv[2:]
        steps: dict[str, Callable[..., Json]] = {
            "load": lambda: step_load(rest[0], rest[1]),
            "generate": lambda: step_generate(rest[0], float(rest[1]), int(rest[2]), Path(rest[3])),
            "query": lambda: step_query(rest[0], Path(rest[1]), int(rest[2])),
        }
        print(json.dumps(steps[name]()))
        return 0
    parser = argparse.ArgumentParser(prog="scripts/dev bench scale", description=__doc__)
    parser.add_argument("--scales", default="1,10,100", help="comma-separated, ascending")
    parser.add_argument("--backends", default="embedded,neo4j")
    parser.add_argument("--neo4j", help="Bolt URL (default CREDWALK_NEO4J_URI or scripts/neo4j)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--esco", default=str(ROOT.parent / "shared" / "data" / "esco" / "v1.1.1"))
    parser.add_argument("--budget", type=float, help="minutes per backend before it stops growing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    scales = sorted({int(s) for s in args.scales.split(",")})
    results: Json = {"queries": args.queries, "scales": scales, "backends": {}}
    load = [round(os.getloadavg()[0], 1)]
    backends = args.backends.split(",")
    server_env = None
    if "neo4j" in backends:
        from bench_neo4j import neo4j_server

        state = Path(tempfile.mkdtemp(prefix="credwalk-bench-scale-")) / "state"
        args.neo4j, server_env = neo4j_server(args.neo4j, state)
    try:
        for backend in backends:
            results["backends"][backend] = run_backend(backend, scales, args)
    finally:
        if server_env is not None:
            subprocess.run([str(ROOT / "scripts" / "neo4j"), "stop"], check=False, env=server_env)
    results["load"] = [*load, round(os.getloadavg()[0], 1)]
    print(json.dumps(results, indent=1)) if args.json else _print(results, scales)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
