"""``credwalk serve --workers N``: refused on the embedded store, with the reason, at once.

Several processes on one Neo4j are shown in ``tests/integration/test_several_processes.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _serve(store: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "--store", store, "serve", *options],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CREDWALK_LOAD_DEMO": "false"},
        check=False,
    )


def test_workers_on_the_embedded_store_are_refused(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'one.db'}"
    done = _serve(store, "--workers", "2", "--port", "0")
    assert done.returncode != 0
    assert "--workers" in done.stderr and "one process" in done.stderr, done.stderr
    assert "Neo4j" in done.stderr  # what to do instead
    assert not (tmp_path / "one.db").exists()  # refused before anything was made


def test_a_number_of_workers_that_is_none_is_refused(tmp_path: Path) -> None:
    for given in ("0", "two", "65"):
        bad = _serve(f"sqlite:///{tmp_path / 'one.db'}", "--workers", given)
        assert bad.returncode == 2, bad.stderr
        assert "--workers" in bad.stderr and "from 1 to 64" in bad.stderr, bad.stderr
