"""The first full ESCO ingest with embeddings: ``credwalk ingest esco`` into a new store, cold.

What a new installation does first: the command itself, in a process of its own, into an empty
embedded store with an empty embedding cache (both in a temporary folder, removed after), so
every text of the pack is encoded. Prints the wall time, the texts encoded, the encoding rate
and the command's peak RSS; the issue's target is 10 minutes on 2 cores. Usage:
``scripts/dev bench first_ingest [--pack DIR] [--languages en] [--json]`` (``bench speed`` and
``bench quality`` run it too, unless ``--skip-ingest``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CREDWALK_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_PACK = SHARED / "esco" / "v1.1.1"
TARGET_MINUTES = 10.0
#: ``credwalk`` that tells its own peak RSS on stderr as it exits (VmHWM: ``ru_maxrss`` of the
#: children would be the largest child's, another benchmark's process perhaps).
_PEAK_AT_EXIT = """
import atexit, sys
def peak():
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            sys.stderr.write(f"\\nVmHWM_MB {int(line.split()[1]) / 1024}\\n")
atexit.register(peak)
from api.cli import main
main(sys.argv[1:])
"""


def first_ingest(pack: Path, *, languages: str = "en") -> dict[str, Any]:
    """Run ``credwalk ingest esco`` cold; its figures (``seconds``, ``texts_encoded``...)."""
    with tempfile.TemporaryDirectory(prefix="credwalk-first-ingest-") as tmp:
        env = {
            **os.environ,
            "CREDWALK_STORE": f"sqlite:///{tmp}/esco.db",
            "CREDWALK_EMBEDDING_CACHE": f"{tmp}/embeddings.db",
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
        command = [sys.executable, "-c", _PEAK_AT_EXIT, "ingest", "esco", str(pack)]
        command += ["--languages", languages, "--json"]
        start = time.perf_counter()
        done = subprocess.run(
            command, env=env, cwd=REPO, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"credwalk ingest esco failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    report = json.loads(done.stdout)
    encoded = int(report["texts_encoded"])
    return {
        "pack": str(pack),
        "languages": languages,
        "seconds": seconds,
        "minutes": seconds / 60,
        "texts_encoded": encoded,
        "texts_per_s": encoded / seconds,
        "concepts_added": report["concepts_added"],
        "peak_mb": float(done.stderr.rsplit("VmHWM_MB ", 1)[-1].split()[0]),
        "cores": len(os.sched_getaffinity(0)),
        "load_average": os.getloadavg()[0],
        "target_minutes": TARGET_MINUTES,
        "pass": seconds / 60 <= TARGET_MINUTES,
    }


def describe(figures: dict[str, Any]) -> str:
    """One line for a report."""
    f = figures
    return (
        f"first full ESCO ingest ({f['languages']}, empty store and cache, {f['cores']} cores, "
        f"load {f['load_average']:.1f} at the end): {f['minutes']:.1f} min, "
        f"{f['texts_encoded']:,} texts encoded ({f['texts_per_s']:.0f}/s), "
        f"peak RSS {f['peak_mb']:.0f} MB"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench first_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="ESCO CSV pack folder")
    parser.add_argument("--languages", default="en", help="comma-separated (as credwalk ingest)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a line")
    args = parser.parse_args(argv)
    figures = first_ingest(args.pack, languages=args.languages)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(describe(figures))
        verdict = "PASS" if figures["pass"] else "FAIL"
        print(f"  {verdict}  first full ESCO ingest <= {TARGET_MINUTES:.0f} min")
    return 0 if figures["pass"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
