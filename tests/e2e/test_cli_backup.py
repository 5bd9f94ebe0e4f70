"""``credwalk export`` and ``credwalk import`` at the command line, on a store of every kind.

The commands run in this process (the hashing embedder standing in for the model) on a store
file filled by the real services. A store exported, imported into a new file (from a file and
from standard input) and exported again gives the same lines but for the import's own audit
entry; a non-administrator is refused with exit status 6 and nothing is written or read.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from graph.backends.embedded import EmbeddedStore
from graph.jsonld import PinnedDocumentLoader
from tests.fixtures.full_store import fill_store
from tests.fixtures.runtimes import hashing_runtime

Run = Callable[..., tuple[int, bytes, str]]


@pytest.fixture
def credwalk(
    tmp_path: Path,
    pinned_loader: PinnedDocumentLoader,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> Iterator[Run]:
    """Run the CLI on a store of every kind: (status, stdout bytes, stderr)."""
    with EmbeddedStore(tmp_path / "store.db") as store:
        fill_store(store, keys=tmp_path / "keys", loader=pinned_loader)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDWALK_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("CREDWALK_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("CREDWALK_LOAD_DEMO", "false")
    monkeypatch.setattr("api.runtime.build_runtime", hashing_runtime)

    def run(*args: str, stdin: bytes | None = None) -> tuple[int, bytes, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsysbinary.readouterr()
        try:
            main(list(args))
            status = 0
        except SystemExit as e:
            status = int(e.code or 0)
        captured = capsysbinary.readouterr()
        return status, captured.out, captured.err.decode()

    yield run


def _lines(dump: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in dump.splitlines()]


def _one_entry_more(dump: bytes, again: bytes, action: str, sha256: str) -> None:
    """``again`` holds the lines of ``dump`` and one audit entry more: ``action`` of ``dump``."""
    first, second = dump.splitlines(), again.splitlines()
    assert len(second) == len(first) + 1
    known = set(first)
    assert known - {first[-1]} <= set(second)  # every line but the trailer, unchanged
    entry, trailer = (json.loads(line) for line in second if line not in known)
    assert (entry["item"], entry["kind"], entry["body"]["action"]) == ("record", "audit", action)
    assert entry["body"]["details"]["sha256"] == sha256
    counts = json.loads(first[-1])["counts"]
    assert trailer == {"item": "end", "counts": {**counts, "records": counts["records"] + 1}}


def test_export_import_export_gives_the_same_lines_and_one_audit_entry(
    credwalk: Run, tmp_path: Path
) -> None:
    status, stdout, stderr = credwalk("export", "dump.jsonl", "--json")
    assert status == 0, stderr
    summary = json.loads(stdout)
    dump = (tmp_path / "dump.jsonl").read_bytes()
    assert summary["bytes"] == len(dump) and summary["counts"] == _lines(dump)[-1]["counts"]
    # The export is on record: the next dump holds its entry.
    status, streamed, stderr = credwalk("export", "-")
    assert status == 0 and stderr.startswith("exported "), stderr  # the summary is beside it
    _one_entry_more(dump, streamed, "credwalk export", summary["sha256"])
    for name, args, stdin in (
        ("file.db", ("import", "dump.jsonl", "--json"), None),
        ("stdin.db", ("import", "-", "--json"), dump),
    ):
        store = ("--store", f"sqlite:///{tmp_path / name}")
        status, stdout, stderr = credwalk(*store, *args, stdin=stdin)
        assert status == 0, stderr
        restored = json.loads(stdout)
        assert (restored["counts"], restored["sha256"]) == (summary["counts"], summary["sha256"])
        status, again, stderr = credwalk(*store, "export", "-")
        assert status == 0, stderr
        _one_entry_more(dump, again, "credwalk import", summary["sha256"])


def test_a_store_that_is_not_empty_takes_no_dump_and_exits_4(credwalk: Run) -> None:
    assert credwalk("export", "dump.jsonl")[0] == 0
    status, stdout, _ = credwalk("import", "dump.jsonl", "--json")
    error = json.loads(stdout)["error"]
    assert (status, error["code"]) == (4, "conflict") and "not empty" in error["message"]


def test_a_bad_dump_exits_2_naming_the_line(credwalk: Run, tmp_path: Path) -> None:
    assert credwalk("export", "dump.jsonl")[0] == 0
    lines = (tmp_path / "dump.jsonl").read_bytes().splitlines(keepends=True)
    (tmp_path / "cut.jsonl").write_bytes(b"".join(lines[:5]) + lines[5][:20])
    status, stdout, _ = credwalk(
        "--store", f"sqlite:///{tmp_path / 'new.db'}", "import", "cut.jsonl", "--json"
    )
    error = json.loads(stdout)["error"]
    assert (status, error["code"], error["details"]["line"]) == (2, "invalid_input", 6)
    assert error["message"].startswith("line 6: is not JSON")
    with EmbeddedStore(tmp_path / "new.db") as store:
        assert store.is_empty()


def test_only_an_administrator_exports_or_imports(credwalk: Run, tmp_path: Path) -> None:
    assert credwalk("users", "create", "reader", "--grant", "member", "--no-password")[0] == 0
    assert credwalk("users", "create", "boss", "--grant", "admin", "--no-password")[0] == 0
    status, stdout, _ = credwalk("--as", "reader", "export", "dump.jsonl", "--json")
    assert (status, json.loads(stdout)["error"]["code"]) == (6, "forbidden")
    assert not (tmp_path / "dump.jsonl").exists()
    status, stdout, _ = credwalk("--as", "reader", "export", "-")
    assert (status, stdout) == (6, b"")  # not one line of the store
    assert credwalk("--as", "boss", "export", "dump.jsonl")[0] == 0
    status, stdout, _ = credwalk("--as", "reader", "import", "dump.jsonl", "--json")
    assert (status, json.loads(stdout)["error"]["code"]) == (6, "forbidden")
