"""``scripts/dev generate``: the scale generator writes what it says, the same on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from graph.model.concepts import NodeKind, RelationType
from graph.registry import create_store

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_scale.py"
#: A tenth of a unit: 100 credentials, 2 decisions, 100 learners, 1 question (demo ESCO slice).
SCALE = "0.1"
KINDS = (NodeKind.ISSUER, NodeKind.CREDENTIAL, NodeKind.RECOGNITION, NodeKind.LEARNER)


def _generate(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--store", f"sqlite:///{path}", "--esco", "demo", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _contents(path: Path) -> dict[str, Any]:
    """What a run wrote: records by kind (IRI -> body), and the questions' titles and bodies."""
    with create_store(f"sqlite:///{path}") as store:
        written: dict[str, Any] = {
            kind.value: {r.uri: r.body for r in store.list_records(kind=kind)} for kind in KINDS
        }
        questions = store.list_records(kind=NodeKind.QUESTION)
        written["questions"] = sorted((q.body["title"], q.body["body"]) for q in questions)
        skills = {
            s["uri"] for body in written["credential"].values() for s in body.get("skills", ())
        }
        written["unknown_skills"] = sorted(store.missing_nodes(skills))
        edges = store.relations_of(
            sorted(written["credential"]), types=[RelationType.CERTIFIES_SKILL]
        )
        written["certifies"] = sum(len(v) for v in edges.values())
    return written


def test_generator_writes_the_counts_it_reports_and_the_same_twice(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path in (first, second):
        done = _generate(path, "--scale", SCALE)
        assert done.returncode == 0, done.stderr
    assert "100 credentials, 2 recognition decisions, 100 learners" in done.stdout
    a, b = _contents(first), _contents(second)
    assert {k: len(a[k]) for k in ("issuer", "credential", "recognition", "learner")} == {
        "issuer": 10,
        "credential": 100,
        "recognition": 2,
        "learner": 100,
    }
    assert len(a["questions"]) == 1
    competences = sum(len(body["competences"]) for body in a["learner"].values())
    assert f"100 learners with {competences} competences" in done.stdout
    assert 500 <= competences <= 1500  # 5 to 15 a learner
    # Every credential certifies real skills of the framework, with a level and a jurisdiction.
    assert a["unknown_skills"] == []
    assert a["certifies"] >= 3 * 100
    assert all(body.get("jurisdiction") for body in a["credential"].values())
    assert a == b


def test_another_seed_writes_other_data_and_a_bad_scale_is_refused(tmp_path: Path) -> None:
    done = _generate(tmp_path / "c.db", "--scale", "0.01", "--seed", "1")
    assert done.returncode == 0, done.stderr
    other = _generate(tmp_path / "d.db", "--scale", "0.01", "--seed", "2")
    assert other.returncode == 0, other.stderr
    c, d = _contents(tmp_path / "c.db"), _contents(tmp_path / "d.db")
    assert len(c["credential"]) == len(d["credential"]) == 10
    assert c["credential"] != d["credential"]
    refused = _generate(tmp_path / "e.db", "--scale", "0")
    assert refused.returncode == 2
    assert "--scale: expected a number above 0" in refused.stderr
    assert not (tmp_path / "e.db").exists()
