"""credwalk's query-time peak RSS: open a store, map the syllabus and a batch, print the peak.

Usage: ``python scripts/bench_rss.py STORE_URL < batch.json`` (a JSON list of sentences). Run by
``bench quality`` in a process of its own, so the peer and the bench's own data are not counted.
"""

from __future__ import annotations

import json
import resource
import sys

from bench_mapping import SYLLABUS

from api.runtime import build_runtime
from graph.services.catalogue.mapping import map_outcomes
from graph.settings import load_settings


def main(argv: list[str]) -> int:
    batch = json.loads(sys.stdin.read())
    runtime = build_runtime(load_settings(store=argv[0], load_demo=False))
    runtime.store.open()
    try:
        map_outcomes(runtime.store, runtime.embedder, list(SYLLABUS))
        for start in range(0, len(batch), 100):
            map_outcomes(runtime.store, runtime.embedder, batch[start : start + 100])
    finally:
        runtime.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": peak, "model": runtime.embedder.name}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
