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
    print(json.dumps({"peak_mb": _peak_mb(), "model": runtime.embedder.name}))
    return 0


def _peak_mb() -> float:
    """This process's own peak RSS: VmHWM, not ru_maxrss.

    On Linux ``ru_maxrss`` survives ``exec``: a process started by a parent holding 2 GB (the
    bench, with the peer's torch model and the store loaded) reported the parent's peak,
    2120 MB, for a process that never went above 1174 MB. VmHWM belongs to the new image.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
