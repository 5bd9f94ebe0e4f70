"""credwalk map's speed and query-time peak RSS beside esco-skill-extractor, on a full store.

The speed and memory part of ``bench quality --real-only`` alone, in a few minutes instead of
the whole quality run: the warm 10-outcome syllabus (p50/p95) and a batch of 200 job-ad
sentences, credwalk ``map_outcomes`` against the extractor's ``get_skills`` on the same texts;
then credwalk's peak RSS in a process of its own (``bench_rss.py``); last, the first full ESCO
ingest with embeddings, cold (``bench_first_ingest.py``; ``--skip-ingest`` leaves it out). Usage:
``scripts/dev bench speed --store sqlite:////path/to/esco.db [--runs 30] [--skip-ingest] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import bench_first_ingest
import bench_mapping
import bench_realworld
from bench_quality import DEFAULT_PACK, ERRATA, SHARED, TMP

from api.runtime import build_runtime
from graph.settings import load_settings
from ingest.frameworks.esco import read_esco


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench speed", description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="full store (default: the configured one)")
    parser.add_argument("--pack", default=DEFAULT_PACK, help="ESCO CSV pack (the peer's table)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of the syllabus")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--skip-ingest", action="store_true", help="leave out the first full ingest (minutes)"
    )
    args = parser.parse_args(argv)
    store_url = args.store or load_settings().store
    batch = bench_realworld.speed_batch(SHARED)
    runtime = build_runtime(load_settings(store=store_url, load_demo=False))
    runtime.store.open()
    report: dict[str, Any] = {"store": store_url, "model": runtime.embedder.name}
    try:
        concepts = read_esco([args.pack], languages=("en",), errata=ERRATA).concepts
        extractor = bench_realworld.peer(concepts, TMP / "esco-skill-extractor-full")
        report["speed"] = bench_mapping.speed(
            runtime.store, runtime.embedder, extractor, runs=args.runs, batch=batch
        )
    finally:
        runtime.close()
    report["rss"] = bench_realworld.query_rss(store_url, batch)
    if not args.skip_ingest:
        report["first_ingest"] = bench_first_ingest.first_ingest(Path(args.pack))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    bench_realworld.print_speed(report)
    for target, value, ok in bench_realworld.speed_verdicts(report):
        print(f"  {'PASS' if ok else 'FAIL'}  {target:<42} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
