"""``scripts/dev lint`` fails when a layer rule is broken: the checks are run on a copy.

The project's packages and its contracts are copied to a temporary folder; the checks pass on
the copy as it is, then each test breaks one rule in the copy and sees the check fail, naming
the rule and the place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow  # lint-imports reads every module: a few seconds per run
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The packages, the contracts and the house-rules check, in a folder of their own."""
    for package in ("graph", "ingest", "api"):
        shutil.copytree(
            REPO_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copyfile(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "scripts").mkdir()
    shutil.copyfile(REPO_ROOT / "scripts" / "check_code.py", tmp_path / "scripts" / "check_code.py")
    return tmp_path


def _lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, so the contracts are checked against its modules.
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _check_code(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/check_code.py", str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_project_as_it_is_keeps_every_rule(copy: Path) -> None:
    done = _lint_imports(copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
    assert _check_code(copy).returncode == 0


def test_the_model_importing_a_service_is_refused(copy: Path) -> None:
    _append(copy / "graph" / "model" / "concepts.py", "\nimport graph.services.concepts\n")
    done = _lint_imports(copy)
    assert done.returncode == 1
    assert "graph.model imports nothing else of credwalk but graph.errors BROKEN" in done.stdout
    assert "graph.model.concepts -> graph.services.concepts" in done.stdout


def test_the_core_importing_the_api_is_refused(copy: Path) -> None:
    _append(copy / "graph" / "search.py", "\nimport api.errors\n")
    done = _lint_imports(copy)
    assert done.returncode == 1
    assert "graph imports neither api nor ingest; ingest does not import api BROKEN" in done.stdout


def test_a_route_importing_the_store_is_refused(copy: Path) -> None:
    _append(copy / "api" / "routes" / "concepts.py", "\nimport graph.backends.embedded\n")
    done = _lint_imports(copy)
    assert done.returncode == 1
    assert "routes and commands reach the store only through the services BROKEN" in done.stdout


@pytest.mark.parametrize("store", ["runtime.store", "runtime.open_store()"])
def test_a_route_calling_a_store_method_is_refused(copy: Path, store: str) -> None:
    _append(
        copy / "api" / "routes" / "health.py",
        f"\n\ndef _peek(runtime: RuntimeDep) -> object:\n    return {store}.stats()\n",
    )
    done = _check_code(copy)
    assert done.returncode == 1
    assert "api/routes/health.py" in done.stdout and "store's stats()" in done.stdout


def test_a_long_function_is_refused(copy: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    _append(copy / "graph" / "text.py", f"\n\ndef _long() -> None:\n{body}")
    done = _check_code(copy)
    assert done.returncode == 1 and "_long is 61 lines (at most 60)" in done.stdout
