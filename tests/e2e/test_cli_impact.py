"""A Certificate of Impact through the command line, end to end on the demo store.

A member claims impact, two parties she asked confirm it as themselves, she issues it; the
file ``credwalk impact get --out`` writes verifies offline with ``credwalk verify``; a tampered
copy fails its signature; once revoked, ``credwalk verify`` reports the revocation. Refusals
exit non-zero, naming the field, and write nothing.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.e2e.test_cli import PYTHON, Run, credwalk, demo_db

__all__ = ["credwalk", "demo_db"]

LEARNER = "https://credwalk.org/id/learner/ada-walsh"


def _users(run: Run) -> None:
    for name, grant in (
        ("ada", f"learner:{LEARNER}"),
        ("niamh", "member"),
        ("dara", "member"),
    ):
        status, _, stderr = run(
            "users",
            "create",
            name,
            "--grant",
            grant,
            "--no-password",
            "--display-name",
            name.title(),
        )
        assert status == 0, stderr


def _claim(run: Run, *extra: str) -> tuple[int, str, str]:
    return run(
        "--as", "ada", "impact", "claim",
        "--title", "Automated the weekly sales report",
        "--for", "Liffey Foods sales team",
        "--outcome", "Four hours of manual work saved each week",
        "--start", "2025-01-06", "--end", "2025-03-28",
        "--link", "https://example.org/report",
        *extra, "--json",
    )  # fmt: skip


def test_claim_endorse_issue_verify_tamper_revoke(credwalk: Run, tmp_path: Path) -> None:
    _users(credwalk)
    status, stdout, stderr = _claim(credwalk, "--skill", PYTHON, "--endorser", "niamh",
                                    "--endorser", "dara")  # fmt: skip
    assert status == 0, stderr
    claim = json.loads(stdout)
    assert claim["state"] == "awaiting_endorsement" and claim["claimant"] == LEARNER
    status, _, stderr = credwalk("--as", "ada", "impact", "issue", claim["id"])
    assert status != 0 and "awaits" in stderr
    for name, relation in (("niamh", "employer"), ("dara", "client")):
        status, stdout, stderr = credwalk(
            "--as", name, "impact", "endorse", claim["id"], "--relation", relation,
            "--statement", f"{name.title()} confirms it.", "--json",
        )  # fmt: skip
        assert status == 0, stderr
    assert json.loads(stdout)["state"] == "endorsed"
    signed = tmp_path / "impact.json"
    status, stdout, stderr = credwalk(
        "--as", "ada", "impact", "issue", claim["id"], "--out", str(signed), "--json"
    )
    assert status == 0, stderr
    assert json.loads(stdout)["state"] == "issued"
    status, stdout, stderr = credwalk("verify", str(signed), "--json")
    report = json.loads(stdout)
    assert status == 0 and report["verified"], report
    assert report["endorsements"] == 2
    document = json.loads(signed.read_text(encoding="utf-8"))
    document["credentialSubject"]["achievement"]["description"] = "For the whole world"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    status, stdout, _ = credwalk("verify", str(tampered), "--json")
    assert status == 1 and json.loads(stdout)["check"] == "signature"
    status, _, stderr = credwalk("--as", "niamh", "impact", "revoke", claim["id"])
    assert status != 0 and "not the claimant" in stderr
    status, _, stderr = credwalk("--as", "ada", "impact", "revoke", claim["id"], "--reason", "x")
    assert status == 0, stderr
    status, stdout, _ = credwalk("verify", str(signed), "--json")
    assert status == 1 and json.loads(stdout)["check"] == "revoked"


def test_refusals_name_the_field_and_write_nothing(credwalk: Run) -> None:
    _users(credwalk)
    status, stdout, _ = _claim(credwalk, "--endorser", "niamh")
    assert status != 0 and json.loads(stdout)["error"]["details"]["field"] == "skills"
    status, stdout, _ = _claim(credwalk, "--skill", f"{PYTHON}-nope", "--endorser", "niamh")
    assert status != 0 and json.loads(stdout)["error"]["details"]["field"] == "skills"
    status, stdout, _ = _claim(credwalk, "--skill", PYTHON, "--endorser", "ada")
    assert status != 0 and json.loads(stdout)["error"]["details"]["field"] == "endorsers"
    status, stdout, _ = credwalk("impact", "list", LEARNER, "--json")
    assert status == 0 and json.loads(stdout)["count"] == 0
    status, stdout, stderr = _claim(credwalk, "--skill", PYTHON, "--endorser", "niamh")
    claim = json.loads(stdout)["id"]
    status, _, stderr = credwalk(
        "--as", "ada", "impact", "endorse", claim, "--relation", "employer", "--statement", "me"
    )
    assert status != 0 and "own claim" in stderr
    args = ("impact", "endorse", claim, "--relation", "employer", "--statement", "yes")
    assert credwalk("--as", "niamh", *args)[0] == 0
    status, _, stderr = credwalk("--as", "niamh", *args)
    assert status != 0 and "already endorsed" in stderr
    status, stdout, _ = credwalk("impact", "show", claim, "--json")
    assert len(json.loads(stdout)["endorsements"]) == 1


def test_portfolio_export_verifies_offline(credwalk: Run, tmp_path: Path) -> None:
    _users(credwalk)
    status, stdout, stderr = _claim(credwalk, "--skill", PYTHON, "--endorser", "niamh")
    claim = json.loads(stdout)["id"]
    credwalk("--as", "niamh", "impact", "endorse", claim, "--relation", "client",
             "--statement", "Yes.")  # fmt: skip
    assert credwalk("--as", "ada", "impact", "issue", claim)[0] == 0
    portfolio = tmp_path / "portfolio.zip"
    status, stdout, stderr = credwalk("--as", "ada", "portfolio", "export", "--out", str(portfolio))
    assert status == 0, stderr
    status, stdout, stderr = credwalk("verify", str(portfolio), "--json")
    report = json.loads(stdout)
    assert status == 0 and report["verified"], report
    assert report["member"] == LEARNER
    assert {f["name"] for f in report["files"]} >= {
        "summary.html",
        f"credentials/impact-{claim}.json",
    }
    other = ("--out", str(tmp_path / "x"), "--member", LEARNER)
    status, _, stderr = credwalk("--as", "niamh", "portfolio", "export", *other)
    assert status != 0 and "not the claimant" in stderr
    assert not (tmp_path / "x").exists()
    with zipfile.ZipFile(portfolio) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["summary.html"] += b"<!-- edited -->"
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    status, stdout, _ = credwalk("verify", str(edited), "--json")
    assert status == 1 and "summary.html altered" in json.loads(stdout)["message"]
