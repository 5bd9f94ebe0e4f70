"""The acceptance search through the command line, on all of ESCO with the default model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, embedding_cache_path

pytestmark = [pytest.mark.slow, pytest.mark.model]
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def _credwalk(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CREDWALK_STORE": f"sqlite:///{store}",
        "CREDWALK_EMBEDDING_CACHE": str(embedding_cache_path()),
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_python_programming_ranks_the_python_skill_first(
    esco_vector_db: Path, tmp_path: Path
) -> None:
    store = tmp_path / "esco.db"
    shutil.copyfile(esco_vector_db, store)
    done = _credwalk(store, "search", "skills", "python programming", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["results"][0]["uri"] == PYTHON
    assert body["results"][0]["label"] == "Python (computer programming)"


def test_map_json_has_the_fixed_shape(esco_vector_db: Path, tmp_path: Path) -> None:
    store = tmp_path / "esco.db"
    shutil.copyfile(esco_vector_db, store)
    done = _credwalk(store, "map", "Develop Python scripts to analyse data", "--top", "3", "--json")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["text"] == "Develop Python scripts to analyse data"
    assert len(result["matches"]) == 3
    for match in result["matches"]:
        assert {"uri", "label", "score"} <= set(match) and 0 <= match["score"] <= 1
    assert PYTHON in {m["uri"] for m in result["matches"]}


def test_errors_exit_non_zero_with_the_code(esco_vector_db: Path, tmp_path: Path) -> None:
    store = tmp_path / "esco.db"
    shutil.copyfile(esco_vector_db, store)
    done = _credwalk(store, "concept", "http://example.org/nothing", "--json")
    assert done.returncode == 3
    assert json.loads(done.stdout)["error"]["code"] == "not_found"
