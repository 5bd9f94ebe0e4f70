"""Reads under write load: 8 writers and 32 readers against ``credwalk serve`` on an embedded store.

Usage: ``python scripts/bench_load.py [--duration S] [--idle S] [--writers N] [--readers N]
[--processes N] [--backend embedded|neo4j] [--json]`` (``scripts/dev bench load``)

``--processes N`` (issue 20: several API processes on one Neo4j, ``CREDWALK_NEO4J_URI``): the
same load through N ``credwalk serve`` processes on one fresh namespace, client ``n`` talking to
process ``n mod N``, after the same load through one process (its own namespace) in the same
run, so that the ratios printed compare like with like on a busy machine. Afterwards every
process reads back every write (attempted / acknowledged / found through each process), and a
write through one process is read at once through the next (20 rounds). Checks: no 5xx, no
acknowledged write lost, every such read sees the write. ``--backend neo4j`` alone measures one
process on Neo4j.

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
import os
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
from tests.fixtures.load_checks import found_writes, read_back
from tests.fixtures.load_world import World, seed_world
from tests.fixtures.load_writes import Outcome, Writer
from tests.fixtures.many_servers import served_by_many
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


def _read(
    urls: list[str], token: str, paths: list[str], threads: int, window: Window
) -> list[float]:
    """In a process of its own: ``threads`` readers in ``window`` (wall clock start, end).

    Reader ``n`` reads through server ``n`` modulo their number.
    """
    took: list[float] = []
    failed: list[str] = []

    def reader(n: int) -> None:
        with loopback_client(urls[n % len(urls)]) as http:
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


def _write(urls: list[str], world: World, writers: int, window: Window) -> list[Outcome]:
    """In a process of its own: ``writers`` writers in ``window``; every write's outcome.

    Writer ``n`` writes through server ``n`` modulo their number.
    """
    outcomes: list[Outcome] = []

    def writer(n: int) -> None:
        with loopback_client(urls[n % len(urls)]) as http:
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


def measure(urls: list[str], world: World, args: argparse.Namespace) -> dict[str, Any]:
    """Run the load phase, then the idle phase through the servers at ``urls``; their figures."""
    paths = read_paths(world)
    for url in urls:  # warm-up: first requests, caches
        _read([url], world.admin, paths, 1, _window(2.0))
    share = [args.readers // READER_PROCESSES] * READER_PROCESSES
    share[0] += args.readers - sum(share)
    share = [n for n in share if n]
    with multiprocessing.get_context("fork").Pool(READER_PROCESSES + 1) as pool:
        load = _window(args.duration)
        writing = pool.apply_async(_write, (urls, world, args.writers, load))
        reading = [pool.apply_async(_read, (urls, world.admin, paths, n, load)) for n in share]
        loaded = [s for r in reading for s in r.get()]
        outcomes: list[Outcome] = writing.get()
        alone = _window(args.idle)
        only_reads = [pool.apply_async(_read, (urls, world.admin, paths, n, alone)) for n in share]
        readers_only = [s for r in only_reads for s in r.get()]
        idle = pool.apply_async(_read, (urls, world.admin, paths, 1, _window(args.idle)))
        idle_reads = idle.get()
    statuses = Counter(o.status for o in outcomes)
    acknowledged = sum(o.acknowledged for o in outcomes)
    under_load, at_idle = _percentiles(loaded), _percentiles(idle_reads)
    return {
        "duration_s": args.duration,
        "processes": len(urls),
        "backend": args.backend,
        "writes_attempted": len(outcomes),
        "writes_acknowledged": acknowledged,
        "writes_found": _found_through_each(urls, world, outcomes),
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


def _found_through_each(urls: list[str], world: World, outcomes: list[Outcome]) -> list[int]:
    """How many acknowledged writes each server reads back (all of them: none lost)."""
    found = []
    for url in urls:
        with loopback_client(url) as http:
            found.append(found_writes(outcomes, read_back(http, world)))
    return found


def visibility(urls: list[str], world: World, *, rounds: int = 20) -> tuple[int, int]:
    """Write through one server, read at once through the next: (reads made, reads that saw it)."""
    credential, staff = world.replaced[0], world.clients[0].staff
    clients = [loopback_client(url) for url in urls]
    seen = 0
    try:
        for http in clients:
            http.headers["Authorization"] = f"Bearer {staff}"
        for n in range(rounds):
            writer, reader = clients[n % len(clients)], clients[(n + 1) % len(clients)]
            path = f"/v1/credentials/{urllib.parse.quote(credential, safe=':/')}"
            before = writer.get(path).raise_for_status()
            title = f"visibility round {n}"
            writer.put(
                path,
                json={**before.json(), "title": title},
                headers={"If-Match": before.headers["etag"]},
            ).raise_for_status()
            seen += reader.get(path).json().get("title") == title
    finally:
        for http in clients:
            http.close()
    return rounds, seen


def _header(result: dict[str, Any]) -> str:
    processes = result["processes"]
    served = "one credwalk serve process" if processes == 1 else f"{processes} processes"
    return (
        f"{result['writers']} writers + {result['readers']} readers for "
        f"{result['duration_s']:g} s, {result['backend']} store, {served}"
    )


def report(result: dict[str, Any]) -> bool:
    """Print the figures and a verdict per target; whether all passed.

    On the embedded store the identity-and-trust targets; on Neo4j (one or several
    processes) issue 20's: no acknowledged write lost, no 5xx, a write seen by the next read
    through another process (latency and writes/s are figures to compare).
    """
    load, idle = result["load"], result["idle"]
    print(_header(result) + "\n")
    print(f"{'reads':<12} {'count':>7} {'p50 ms':>9} {'p95 ms':>9}")
    rows = (("idle", idle), ("no writers", result["readers_only"]), ("load", load))
    for name, row in rows:
        print(f"{name:<12} {row['reads']:>7} {row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f}")
    print(f"{'load/idle':<12} {'':>7} {result['p50_ratio']:>8.1f}x {result['p95_ratio']:>8.1f}x\n")
    print(f"write answers: {result['write_statuses']} (412: a conditional PUT that lost a race)")
    kinds = ", ".join(f"{k} {ms:.0f}" for k, ms in result["write_p50_ms"].items())
    print(f"write p50 ms: {kinds}")
    found = " / ".join(str(n) for n in result["writes_found"])
    print(
        f"writes: {result['writes_attempted']} attempted, {result['writes_acknowledged']} "
        f"acknowledged, {found} found (read back through each process); "
        f"{result['writes_per_s']:.1f} acknowledged/s; 5xx or no answer: {result['server_errors']}"
    )
    lost = max(result["writes_acknowledged"] - n for n in result["writes_found"])
    checks = [
        ("no 5xx and no dropped write", result["server_errors"], result["server_errors"] == 0)
    ]
    checks.append(("no acknowledged write lost", lost, lost == 0))
    if result["backend"] == "embedded":
        checks += [
            (
                f"read p95 under load <= {P95_RATIO_TARGET:g}x idle",
                result["p95_ratio"],
                result["p95_ratio"] <= P95_RATIO_TARGET,
            ),
            (
                f"writes/s >= {WRITES_TARGET:g}",
                result["writes_per_s"],
                result["writes_per_s"] >= WRITES_TARGET,
            ),
        ]
    if "visible" in result:
        rounds, seen = result["visible"]
        checks.append(
            (
                f"a write seen by the next read through another process ({rounds} rounds)",
                rounds - seen,
                seen == rounds,
            )
        )
    for check, figure, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {check}: {figure:.1f}")
    return all(ok for _, _, ok in checks)


def compare(one: dict[str, Any], many: dict[str, Any]) -> None:
    """Print the figures of N processes over those of one, measured in the same run."""
    print(f"\n{many['processes']} processes / 1 process, same run, same Neo4j:")
    for name, key in (("read p50", "p50_ms"), ("read p95", "p95_ms")):
        print(f"  {name} under load: {many['load'][key] / one['load'][key]:.2f}x")
    print(f"  acknowledged writes/s: {many['writes_per_s'] / max(one['writes_per_s'], 1e-9):.2f}x")


def _neo4j() -> tuple[str, dict[str, Any]]:
    uri = os.environ.get("CREDWALK_NEO4J_URI")
    if not uri:
        raise SystemExit("--processes/--backend neo4j: set CREDWALK_NEO4J_URI (bolt://host:port)")
    user, password = (
        os.environ.get("CREDWALK_NEO4J_USER"),
        os.environ.get("CREDWALK_NEO4J_PASSWORD"),
    )
    return uri, ({"user": user, "password": password} if user and password else {})


def run_embedded(args: argparse.Namespace) -> dict[str, Any]:
    """One server on a fresh SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'load.db'}"
        with create_store(url) as store:
            world = seed_world(store, clients=args.writers, learners=args.writers)
        with ServedApp(store=url, home=Path(folder) / "serve") as app:
            return measure([app.url], world, args)


def run_neo4j(args: argparse.Namespace, processes: int) -> dict[str, Any]:
    """``processes`` servers on a fresh namespace of the Neo4j (dropped afterwards)."""
    uri, auth = _neo4j()
    with (
        tempfile.TemporaryDirectory() as folder,
        served_by_many(
            uri,
            auth,
            Path(folder),
            processes=processes,
            clients=args.writers,
            learners=args.writers,
        ) as servers,
    ):
        urls = [app.url for app in servers.apps]
        result = measure(urls, servers.world, args)
        if processes > 1:
            result["visible"] = visibility(urls, servers.world)
        return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="load seconds (60)")
    parser.add_argument("--idle", type=float, default=15.0, help="idle seconds (15)")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes on one Neo4j (CREDWALK_NEO4J_URI); with more than one, one "
        "process is measured first in the same run for the ratios",
    )
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.backend = args.backend or ("neo4j" if args.processes > 1 else "embedded")
    if args.processes > 1 and args.backend != "neo4j":
        parser.error("--processes: several processes serve a Neo4j store only")
    if args.backend == "embedded":
        results = [run_embedded(args)]
    else:
        counts = [1, args.processes] if args.processes > 1 else [1]
        results = [run_neo4j(args, n) for n in counts]
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
        return 0
    passed = True
    for result in results:
        passed = report(result) and passed
        print()
    if len(results) > 1:
        compare(results[0], results[-1])
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
