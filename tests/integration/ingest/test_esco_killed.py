"""A process killed with SIGKILL in the middle of an ingest leaves the previous content."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.services.ingestion import import_concepts
from ingest.frameworks.esco import EscoPack, esco_import
from ingest.run import ingest_esco
from tests.conftest import ERRATA, REPO_ROOT

pytestmark = pytest.mark.slow


def _wal_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_sigkill_mid_ingest_keeps_the_previous_content(
    tmp_path: Path, esco_dir: Path, esco_slice: EscoPack
) -> None:
    db = tmp_path / "store.db"
    with EmbeddedStore(db) as store:
        import_concepts(store, esco_import(esco_slice), embedder=None)
        before = store.stats()
        concepts_before = list(store.iter_concepts())
    start_wal = _wal_size(db)

    command = [sys.executable, "-m", "api.cli", "--store", f"sqlite:///{db}", "ingest", "esco"]
    process = subprocess.Popen(
        [*command, str(esco_dir), "--no-embed"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "CREDWALK_ONTOLOGIES_DIR": str(REPO_ROOT / "ontologies")},
    )
    # Wait until the import transaction is writing (the WAL grows by megabytes), then kill.
    deadline = time.monotonic() + 120
    while _wal_size(db) < start_wal + 4_000_000:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the ingest never started writing"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    with EmbeddedStore(db) as store:
        assert store.stats() == before
        assert list(store.iter_concepts()) == concepts_before
        report = ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
        assert report.concepts_added == 18_170 - len(esco_slice.concepts)
        resumed = store.stats()

    with EmbeddedStore(tmp_path / "uninterrupted.db") as store:
        import_concepts(store, esco_import(esco_slice), embedder=None)
        ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
        assert store.stats() == resumed
