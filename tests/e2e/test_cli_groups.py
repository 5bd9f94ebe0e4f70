"""The ``group`` commands on a copy of the demo store: the same services and schemas as the API."""

from __future__ import annotations

import json
from pathlib import Path

from api.schemas.groups import GroupPublic, ProgressPublic, RecommendationPublic
from tests.e2e.test_cli import Run, _error, _json, credwalk, demo_db

__all__ = ["credwalk", "demo_db"]

BASE = "https://credwalk.org/id"
LEARNER = f"{BASE}/learner/cli-learner"
COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"


def test_a_leader_a_mentor_and_a_learner_through_the_cli(credwalk: Run, tmp_path: Path) -> None:
    for name, grant in (
        ("lead", f"group_leader:{BASE}/group/cli-cohort"),
        ("guide", f"mentor:{BASE}/group/cli-cohort"),
        ("ada", f"learner:{LEARNER}"),
    ):
        assert credwalk("users", "create", name, "--grant", grant, "--no-password")[0] == 0
    record = tmp_path / "learner.json"
    record.write_text(json.dumps({"id": LEARNER, "jurisdiction": "IE"}))
    assert credwalk("learner", "save", str(record))[0] == 0
    people = ["--mentor", "guide", "--learner", LEARNER, "--link", f"guide={LEARNER}"]
    status, error = _error(
        credwalk, "--as", "lead", "group", "create", "cli-cohort", "--name", "C", *people,
        "--target", "planet:mars",
    )  # fmt: skip
    assert (status, error["details"]["field"]) == (2, "targets[0]")
    status, error = _error(
        credwalk, "--as", "guide", "group", "create", "cli-cohort", "--name", "C"
    )
    assert (status, error["code"]) == (6, "forbidden")
    made = _json(
        credwalk, "--as", "lead", "group", "create", "cli-cohort", "--name", "CLI cohort", *people,
        "--target", f"credential:{COURSE}",
    )  # fmt: skip
    assert GroupPublic.model_validate(made).links[0].learner == LEARNER
    rec = _json(
        credwalk, "--as", "guide", "group", "recommend", "cli-cohort", "--learner", LEARNER,
        "--kind", "target", "--target", f"credential:{COURSE}", "--reason", "The cohort's aim.",
    )  # fmt: skip
    assert RecommendationPublic.model_validate(rec).status == "open"
    rec_id = rec["id"].rpartition("/")[2]
    status, error = _error(credwalk, "--as", "guide", "group", "decide", rec_id)
    assert (status, error["code"]) == (6, "forbidden")
    assert _json(credwalk, "--as", "ada", "group", "decide", rec_id)["status"] == "accepted"
    listed = _json(credwalk, "--as", "ada", "group", "recommendations", "--learner", LEARNER)
    assert listed["target"] == f"credential:{COURSE}"
    before = ProgressPublic.model_validate(
        _json(credwalk, "--as", "lead", "group", "progress", "cli-cohort")
    )
    assert (before.members, before.counted) == (1, 0)
    _json(credwalk, "--as", "ada", "group", "share", "cli-cohort", "--learner", LEARNER)
    after = _json(credwalk, "--as", "guide", "group", "progress", "cli-cohort")
    assert after["counted"] == 1 and after["gaps"]
    status, text, _ = credwalk("--as", "lead", "group", "show", "cli-cohort")
    assert status == 0 and "CLI cohort" in text and "shares progress" in text
