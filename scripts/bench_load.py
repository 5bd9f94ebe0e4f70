"""Reads under write load: 8 writers and 32 readers against ``credwalk serve`` on an embedded store.

Usage: ``python scripts/bench_load.py [--duration S] [--idle S] [--writers N] [--readers N]
[--json]`` (``scripts/dev bench load``)

A store is seeded (the demo catalogue, users with API keys, learners; see
``tests/fixtures/load_world.py``) and one ``credwalk serve`` process started on it. Then:

- *load*: ``--writers`` clients make the writes of ``tests/fixtures/load_writes.py`` (assessments,
  credential creates, conditional PUTs, skill decisions, recognitions) as fast as the server
  answers, while ``--readers`` clients read (a credential, a learner, the recognitions of a
  credential, a concept, an issuer) in a loop, for ``--duration`` seconds;
- *no writers*: the readers alone, for ``--idle`` seconds (what concurrency alone costs);
- *idle*: one client makes the same reads, nothing else running, for ``--idle`` seconds.

The last two run on the store as the load left it, so that all phases read as much data.

Clients are threads of three forked processes (writers; readers in two halves), so that the
clients' own Python does not queue all requests behind one GIL. Read latency is the wall clock of
each request seen by its client.

Targets (identity and trust issue, "no lost or half writes"): p95 of reads under load <= 5x idle;
>= 50 acknowledged (2xx) writes a second. A 412 (a conditional PUT that lost its race) is an
answer, not a write; any 5xx is reported.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


from graph.registry import create_store
from tests.fixtures.load_world import World, seed_world
from tests.fixtures.load_writes import Outcome, Writer
from tests.fixtures.served import ServedApp, loopback_client

P95_RATIO_TARGET = 5.0
WRITES_TARGET = 50.0
READER_PROCESSES = 2
#: Seconds the clients of a phase have to make their HTTP clients before it starts.
START_SECONDS = 3.0


def read_paths(world: World) -> list[str]:
    """The reads each reader makes in turn."""

    def quoted(value: str) -> str:
        return urllib.parse.quote(value, safe=":/")

    recognitions = urllib.parse.urlencode(
        {"credential": world.recognised, "authority": world.authority}
    )
    paths = [f"/v1/credentials/{quoted(c)}" for c in (*world.replaced, *world.decided[:2])]
    paths += [f"/v1/learners/{quoted(learner)}" for learner in world.learners[:2]]
    paths += [
        f"/v1/recognitions?{recognitions}",
        f"/v1/concepts/{quoted(world.skills[0])}",
        f"/v1/issuers/{quoted(world.issuer)}",
    ]
    return paths


Window = tuple[float, float]


def _wait_for(window: Window) -> None:
    time.sleep(max(0.0, window[0] - time.time()))


def _read(url: str, token: str, paths: list[str], threads: int, window: Window) -> list[float]:
    """In a process of its own: ``threads`` readers in ``window`` (wall clock start, end)."""
    took: list[float] = []
    failed: list[str] = []

    def reader(n: int) -> None:
        with loopback_client(url) as http:
            http.headers["Authorization"] = f"Bearer {token}"
            _wait_for(window)
            i = n
            while time.time() < window[1]:
                path = paths[i % len(paths)]
                start = time.perf_counter()
                response = http.get(path)
                took.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failed.append(f"{path}: HTTP {response.status_code}")
                i += 1

    _run_threads(reader, threads)
    if failed:
        raise RuntimeError(f"{len(failed)} reads failed, e.g. {failed[:3]}")
    return took


def _write(url: str, world: World, writers: int, window: Window) -> list[Outcome]:
    """In a process of its own: ``writers`` writers in ``window``; every write's outcome."""
    outcomes: list[Outcome] = []

    def writer(n: int) -> None:
        with loopback_client(url) as http:
            write = Writer(world, n, http, reuse_skills=True)
            _wait_for(window)
            seq = 0
            while time.time() < window[1]:
                outcomes.append(write.write(seq))
                seq += 1

    _run_threads(writer, writers)
    return outcomes


def _run_threads(work: Any, count: int) -> None:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _window(seconds: float) -> Window:
    """From a moment by which every client is made (the clients wait for it) for ``seconds``."""
    start = time.time() + START_SECONDS
    return start, start + seconds


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if len(seconds) < 2:  # a server that answered (nearly) nothing: no figure, a FAIL
        return {"reads": len(seconds), "p50_ms": math.inf, "p95_ms": math.inf}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"reads": len(seconds), "p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000}


def measure(app: ServedApp, world: World, args: argparse.Namespace) -> dict[str, Any]:
    """Run the load phase, then the idle phase; their figures."""
    paths = read_paths(world)
    _read(app.url, world.admin, paths, 1, _window(2.0))  # warm-up: first requests, caches
    share = [args.readers // READER_PROCESSES] * READER_PROCESSES
    share[0] += args.readers - sum(share)
    share = [n for n in share if n]
    with multiprocessing.get_context("fork").Pool(READER_PROCESSES + 1) as pool:
        load = _window(args.duration)
        writing = pool.apply_async(_write, (app.url, world, args.writers, load))
        reading = [pool.apply_async(_read, (app.url, world.admin, paths, n, load)) for n in share]
        loaded = [s for r in reading for s in r.get()]
        outcomes: list[Outcome] = writing.get()
        alone = _window(args.idle)
        only_reads = [
            pool.apply_async(_read, (app.url, world.admin, paths, n, alone)) for n in share
        ]
        readers_only = [s for r in only_reads for s in r.get()]
        idle = pool.apply_async(_read, (app.url, world.admin, paths, 1, _window(args.idle)))
        idle_reads = idle.get()
    statuses = Counter(o.status for o in outcomes)
    acknowledged = sum(o.acknowledged for o in outcomes)
    under_load, at_idle = _percentiles(loaded), _percentiles(idle_reads)
    return {
        "duration_s": args.duration,
        "writers": args.writers,
        "readers": args.readers,
        "load": under_load,
        "readers_only": _percentiles(readers_only),
        "idle": at_idle,
        "p50_ratio": under_load["p50_ms"] / at_idle["p50_ms"],
        "p95_ratio": under_load["p95_ms"] / at_idle["p95_ms"],
        "writes_per_s": acknowledged / args.duration,
        "write_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "write_p50_ms": {
            kind: statistics.median(o.seconds for o in outcomes if o.kind == kind) * 1000
            for kind in sorted({o.kind for o in outcomes})
        },
        "server_errors": sum(n for status, n in statuses.items() if status >= 500 or not status),
    }


def report(result: dict[str, Any]) -> bool:
    """Print the figures and a verdict per target; whether all passed."""
    load, idle = result["load"], result["idle"]
    print(
        f"{result['writers']} writers + {result['readers']} readers for "
        f"{result['duration_s']:g} s, embedded store, one credwalk serve process\n"
    )
    print(f"{'reads':<12} {'count':>7} {'p50 ms':>9} {'p95 ms':>9}")
    rows = (("idle", idle), ("no writers", result["readers_only"]), ("load", load))
    for name, row in rows:
        print(f"{name:<12} {row['reads']:>7} {row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f}")
    print(f"{'load/idle':<12} {'':>7} {result['p50_ratio']:>8.1f}x {result['p95_ratio']:>8.1f}x\n")
    print(f"write answers: {result['write_statuses']} (412: a conditional PUT that lost a race)")
    kinds = ", ".join(f"{k} {ms:.0f}" for k, ms in result["write_p50_ms"].items())
    print(f"write p50 ms: {kinds}")
    checks = [
        (f"read p95 under load <= {P95_RATIO_TARGET:g}x idle", result["p95_ratio"]),
        (f"writes/s >= {WRITES_TARGET:g}", result["writes_per_s"]),
        ("no 5xx and no dropped write", result["server_errors"]),
    ]
    passed = [
        result["p95_ratio"] <= P95_RATIO_TARGET,
        result["writes_per_s"] >= WRITES_TARGET,
        result["server_errors"] == 0,
    ]
    for (check, figure), ok in zip(checks, passed, strict=True):
        print(f"  {'PASS' if ok else 'FAIL'}  {check}: {figure:.1f}")
    return all(passed)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="load seconds (60)")
    parser.add_argument("--idle", type=float, default=15.0, help="idle seconds (15)")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'load.db'}"
        with create_store(url) as store:
            world = seed_world(store, clients=args.writers, learners=args.writers)
        with ServedApp(store=url, home=Path(folder) / "serve") as app:
            result = measure(app, world, args)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    return 0 if report(result) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
