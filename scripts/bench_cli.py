"""CLI start-up: ``credwalk --help``, ``verify --help`` and ``concept URI`` against bare Python.

Usage: ``python scripts/bench_cli.py [--runs N] [--json]``

Each command is a whole process, timed from the outside (wall clock, ``time.perf_counter``
around ``subprocess.run``). The commands are interleaved with ``python -c pass`` run by the same
interpreter, round after round, so a ratio compares runs made at the same moment of a shared,
noisy machine; the medians and the median of the per-round ratios are printed, to bare Python
and to the pydantic floor (below) side by side. The CPU seconds (user + system) of each process
are printed too: on a loaded machine they move far less than the wall clock.
``concept URI`` reads a small embedded store (the demo ESCO slice, no vectors) made first;
``concept URI --json`` prints the API's schema, so it imports pydantic.
Lower bounds are timed the same way, for the record: importing the settings object alone (what
any command that reads a setting costs); the same plus opening the store and reading one concept
through the service, without the CLI; and importing pydantic's ``BaseModel``, which every
command printing an API schema (``--json``) or validating a request pays before doing anything,
so that 3x is out of its reach.

The processes may write bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped from their
environment): an installed credwalk has them, and without them each run would time the
compilation of every module it imports. The warm-up round writes them.

Targets (issue 14): each command <= 0.6 s and <= 3x ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CONCEPT = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
TARGET_SECONDS = 0.6
TARGET_RATIO = 3.0
PYDANTIC = "floor: import pydantic BaseModel"

_MAKE_STORE = """
import sys
from pathlib import Path
from graph.backends.embedded import EmbeddedStore
from graph.services.ingestion import import_concepts
from ingest.demo import read_demo_slice
with EmbeddedStore(Path(sys.argv[1])) as store:
    import_concepts(store, read_demo_slice(Path(sys.argv[2])), embedder=None)
"""
_SETTINGS_FLOOR = "from graph.settings import load_settings; load_settings()"
_PYDANTIC_FLOOR = "from pydantic import BaseModel"
_SERVICE_FLOOR = (
    "import sys; from graph.settings import load_settings; from api.runtime import build_runtime; "
    "from graph.services.concepts import concept_detail; rt = build_runtime(load_settings()); "
    "rt.store.open(); concept_detail(rt.store, sys.argv[1], lang='en'); rt.close()"
)


def _commands(credwalk: str) -> dict[str, list[str]]:
    return {
        "credwalk --help": [credwalk, "--help"],
        "credwalk verify --help": [credwalk, "verify", "--help"],
        "credwalk concept URI": [credwalk, "concept", CONCEPT],
        "credwalk concept URI --json": [credwalk, "concept", CONCEPT, "--json"],
        "floor: load the settings": [PYTHON, "-c", _SETTINGS_FLOOR],
        "floor: settings + store + concept": [PYTHON, "-c", _SERVICE_FLOOR, CONCEPT],
        PYDANTIC: [PYTHON, "-c", _PYDANTIC_FLOOR],
    }


def _time(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def measure(runs: int, env: dict[str, str]) -> dict[str, dict[str, float]]:
    """Median seconds (wall, CPU), and median ratios to ``python -c pass`` and to pydantic."""
    credwalk = str(Path(PYTHON).parent / "credwalk")
    commands = _commands(credwalk)
    rounds: list[dict[str, tuple[float, float]]] = []
    for round_ in range(runs + 1):
        took = {"python -c pass": _time([PYTHON, "-c", "pass"], env)}
        took |= {name: _time(command, env) for name, command in commands.items()}
        if round_:  # round 0 warms up: file caches, bytecode caches
            rounds.append(took)
    return {
        name: {
            "seconds": statistics.median(r[name][0] for r in rounds),
            "cpu_seconds": statistics.median(r[name][1] for r in rounds),
            "ratio": statistics.median(r[name][0] / r["python -c pass"][0] for r in rounds),
            "ratio_pydantic": statistics.median(r[name][0] / r[PYDANTIC][0] for r in rounds),
        }
        for name in rounds[0]
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "small.db"
        subprocess.run(
            [PYTHON, "-c", _MAKE_STORE, str(store), str(REPO / "ontologies")], check=True
        )
        env = {
            **os.environ,
            "CREDWALK_STORE": f"sqlite:///{store}",
            "CREDWALK_EMBEDDING_CACHE": str(Path(folder) / "embeddings.db"),
            "CREDWALK_LOAD_DEMO": "false",
            "HF_HUB_OFFLINE": "1",
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        result = measure(args.runs, env)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{'command':<36} {'median s':>9} {'cpu s':>6} {'x python':>9} {'x pydantic':>11}  "
        f"verdict (<= {TARGET_SECONDS} s, <= 3x python)"
    )
    for name, figures in result.items():
        verdict = ""
        if name.startswith("credwalk"):
            ok = figures["seconds"] <= TARGET_SECONDS and figures["ratio"] <= TARGET_RATIO
            verdict = "PASS" if ok else "FAIL"
        print(
            f"{name:<36} {figures['seconds']:>9.3f} {figures['cpu_seconds']:>6.3f} "
            f"{figures['ratio']:>9.2f} "
            f"{figures['ratio_pydantic']:>11.2f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
