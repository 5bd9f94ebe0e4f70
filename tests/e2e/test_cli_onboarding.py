"""``credwalk items`` and ``credwalk onboarding`` on the demo slice: a test taken in a terminal.

An author (``--as`` the Liffey TU's staff) adds two items per level (2, 4, 6) for the Python
skill from one JSON file; a learner (``--as`` the learner) takes the test for that skill and
always answers right. The rule of :mod:`graph.algorithms.adaptive` (slip 0.1, guess 0.2)
then asks levels 4, 6, 6, 4, 2 and settles on level 6 with the belief worked out by hand:
p(0) = 0.2^5, p(2) = 0.9 * 0.2^4, p(4) = 0.9^3 * 0.2^2, p(6) = 0.9^5.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import PYTHON, Run, _error, _json, credwalk, demo_db

__all__ = ["credwalk", "demo_db"]  # the CLI's fixtures: a copy of the demo store per test

LEARNER = "urn:example:learner:onboarding-cli"
ISSUER = "https://www.liffey-tu.example"


def _users(run: Run, tmp_path: Path) -> None:
    for name, grant in (("author", f"issuer:{ISSUER}"), ("ada", f"learner:{LEARNER}")):
        assert run("users", "create", name, "--grant", grant, "--no-password")[0] == 0
    learner = tmp_path / "learner.json"
    learner.write_text(json.dumps({"id": LEARNER, "jurisdiction": "IE"}))
    assert run("--as", "ada", "learner", "save", str(learner))[0] == 0


def _bank(run: Run, tmp_path: Path) -> dict[str, str]:
    """Six items of the Python skill; returns the right response of each item."""
    items = [
        {
            "skill": PYTHON,
            "level": level,
            "kind": "multiple_choice",
            "prompt": f"Python, level {level}, question {n}",
            "options": ["a", "b", "c"],
            "answer": (level + n) % 3,
        }
        for level in (2, 4, 6)
        for n in range(2)
    ]
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items))
    added = _json(run, "--as", "author", "items", "add", str(path))
    assert added["count"] == 6 and {i["author"] for i in added["data"]} == {ISSUER}
    return {i["uri"]: str(i["answer"]) for i in added["data"]}


def test_a_learner_takes_the_test_in_a_terminal(credwalk: Run, tmp_path: Path) -> None:
    _users(credwalk, tmp_path)
    keys = _bank(credwalk, tmp_path)
    attempt = _json(
        credwalk,
        *("--as", "ada", "onboarding", "start", "--learner", LEARNER),
        *("--target", f"skills:{PYTHON}"),
    )
    assert "answer" not in attempt["question"]  # the learner sees no key
    levels = []
    while attempt["status"] == "open":
        levels.append(attempt["question"]["level"])
        response = keys[attempt["question"]["item"]]
        attempt = _json(credwalk, "--as", "ada", "onboarding", "answer", attempt["id"], response)
    assert levels == [4, 6, 6, 4, 2]
    p = {0: 0.2**5, 2: 0.9 * 0.2**4, 4: 0.9**3 * 0.2**2, 6: 0.9**5}
    [result] = attempt["results"]
    assert result["level"] == 6
    assert result["confidence"] == pytest.approx(p[6] / sum(p.values()), abs=1e-4)
    shown = _json(credwalk, "--as", "ada", "onboarding", "result", attempt["id"])
    assert shown == attempt
    status, text, _ = credwalk("--as", "ada", "onboarding", "result", attempt["id"])
    assert status == 0 and "finished" in text and "level 6" in text

    # Answers to a finished test are refused (4), and so is a learner asking for the keys (6).
    item = next(iter(keys))
    status, error = _error(
        credwalk, "--as", "ada", "onboarding", "answer", attempt["id"], "0", "--item", item
    )
    assert (status, error["code"]) == (4, "conflict") and "finished" in error["message"]
    assert _json(credwalk, "--as", "ada", "onboarding", "result", attempt["id"]) == attempt
    status, error = _error(credwalk, "--as", "ada", "items", "list")
    assert (status, error["code"]) == (6, "forbidden")


def test_an_item_file_with_an_item_without_its_key_writes_nothing(
    credwalk: Run, tmp_path: Path
) -> None:
    _users(credwalk, tmp_path)
    good: dict[str, Any] = {
        "skill": PYTHON,
        "level": 2,
        "kind": "short_answer",
        "prompt": "Which keyword defines a function?",
        "accepted": ["def"],
    }
    keyless = {**good, "kind": "multiple_choice", "options": ["def", "fun"], "accepted": []}
    path = tmp_path / "items.json"
    path.write_text(json.dumps([good, keyless]))
    status, error = _error(credwalk, "--as", "author", "items", "add", str(path))
    assert (status, error["code"]) == (2, "invalid_input")
    assert error["details"]["field"] == "items[1].answer" and "key" in error["message"]
    assert _json(credwalk, "items", "list")["count"] == 0  # not even the good one
    path.write_text(json.dumps([good, {**good, "level": "high"}]))
    status, error = _error(credwalk, "--as", "author", "items", "add", str(path))
    assert (status, error["details"]["field"]) == (2, "items[1]") and "level" in error["message"]
    path.write_text(json.dumps(good))
    one = _json(credwalk, "--as", "author", "items", "add", str(path))
    assert one["accepted"] == ["def"] and one["version"] == 1  # an item for an item
    status, text, _ = credwalk("items", "list", "--skill", PYTHON)
    assert status == 0 and "key: def" in text and "1 items" in text
