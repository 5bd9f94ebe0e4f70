"""The whole flow: submission, three assessors, an issued proof in a file, verified offline.

The store holds real ESCO skills; contexts come from a cache seeded from the shared data. The
CLI runs as ``python -m api.cli verify FILE`` in a subprocess without network (a network
namespace of its own when ``unshare`` allows it, and in any case a ``sitecustomize`` that makes
every socket connection fail).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.cli import main
from graph.jsonld import PinnedDocumentLoader, load_manifest, seed_cache
from graph.model.credentials import Credential, CredentialSkill, Credits, Issuer, IssuerType
from graph.model.proofs import ProofRecord
from graph.model.submissions import (
    AssessmentKind,
    Assessor,
    Evidence,
    EvidenceKind,
    IssuingRule,
    SkillResult,
)
from graph.proofs.data_integrity import sign
from graph.proofs.did_key import did_key
from graph.proofs.issuer import ProofIssuer
from graph.proofs.keys import KeyStore
from graph.registry import create_store
from graph.services.catalogue.credentials import save_catalogue
from graph.services.proofs.issuing import issue_proof, revoke_proof, signed_status_list
from graph.services.proofs.submissions import declare_panel, record_assessment, submit
from graph.services.proofs.verification import Trust, verify_document
from graph.store import GraphBatch, GraphStore
from ingest.frameworks.esco import EscoPack
from tests.fixtures.actors import ADMIN, as_assessor
from tests.fixtures.jsonld_cache import CONTEXT_SOURCES, MANIFEST_PATH

REPO = Path(__file__).resolve().parents[2]
BASE = "https://credwalk.org/id"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
MINING = "http://data.europa.eu/esco/skill/25f0ea33-b4a2-4f31-b7b4-7d20e827b180"
UCD = Issuer("https://www.ucd.ie", "University College Dublin", IssuerType.INSTITUTION, "IE")
COURSE = Credential(
    id="https://www.ucd.ie/credentials/data-analysis",
    title="Data analysis with Python",
    issuer=UCD.id,
    credits=Credits(5, "ECTS"),
    skills=(
        CredentialSkill(PYTHON, level=4),
        CredentialSkill(SQL, level=3),
        CredentialSkill(MINING),
    ),
)
UNI = Assessor(UCD.id, "UCD", "institution")
INDUSTRY = Assessor("https://www.ictskillnet.ie", "ICT Skillnet", "industry_body")
REGION = Assessor(
    "https://www.hea.ie", "HEA", "regional_authority", kind=AssessmentKind.ENDORSEMENT
)
NO_NETWORK = """\
import socket


def _refuse(*args, **kwargs):
    raise OSError("network access is disabled in this test")


socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
"""


@dataclass
class Flow:
    """An issued proof and everything needed to check it again."""

    store: GraphStore
    issuer: ProofIssuer
    proof: ProofRecord
    file: Path
    env: dict[str, str]
    tmp: Path


@pytest.fixture
def flow(
    tmp_path: Path, shared_data: Path, esco_slice: EscoPack, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flow]:
    cache = tmp_path / "contexts"
    manifest = load_manifest(MANIFEST_PATH)
    for source in CONTEXT_SOURCES:
        seed_cache(shared_data / source, cache_dir=cache, manifest=manifest)
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    store = create_store(url)
    store.open()
    store.write(GraphBatch(concepts=[esco_slice.concepts[u] for u in (PYTHON, SQL, MINING)]))
    save_catalogue(store, actor=ADMIN, issuers=[UCD], credentials=[COURSE])
    declare_panel(
        store,
        actor=ADMIN,
        credential=COURSE.id,
        assessors=[UNI, INDUSTRY, REGION],
        rule=IssuingRule(min_passes=2),
        base_iri=BASE,
    )
    view = submit(
        store,
        actor=ADMIN,
        learner="urn:example:learner:42",
        credential=COURSE.id,
        evidence=[
            Evidence(EvidenceKind.LINK, url="https://github.com/learner/analysis"),
            Evidence(EvidenceKind.DOCUMENT, name="report.pdf", sha256="0f" * 32),
            Evidence(EvidenceKind.TEXT, text="I cleaned and analysed sensor data."),
        ],
        base_iri=BASE,
    )
    sub = view.submission.id
    record_assessment(
        store,
        submission=sub,
        actor=as_assessor(UNI.id),
        results=[
            SkillResult(PYTHON, True, 5),
            SkillResult(SQL, True, 4),
            SkillResult(MINING, True),
        ],
        base_iri=BASE,
    )
    record_assessment(
        store,
        submission=sub,
        actor=as_assessor(INDUSTRY.id),
        results=[
            SkillResult(PYTHON, True, 4),
            SkillResult(SQL, True, 3),
            SkillResult(MINING, True, 5),
        ],
        base_iri=BASE,
    )
    record_assessment(
        store,
        submission=sub,
        actor=as_assessor(REGION.id),
        endorsement="Recognised.",
        base_iri=BASE,
    )
    issuer = ProofIssuer(
        keys=KeyStore(tmp_path / "keys"),
        loader=PinnedDocumentLoader(manifest, cache_dir=cache),
        base_iri=BASE,
    )
    proof = issue_proof(store, actor=ADMIN, submission=sub, issuer=issuer)
    file = tmp_path / "proof.json"
    file.write_text(json.dumps(proof.document, indent=2), encoding="utf-8")
    guard = tmp_path / "no-network"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": f"{guard}{os.pathsep}{REPO}",
        "HF_HUB_OFFLINE": "1",
        "CREDWALK_STORE": url,
        "CREDWALK_CONTEXT_CACHE": str(cache),
        "CREDWALK_KEY_DIR": str(tmp_path / "keys"),
    }
    for name, value in env.items():
        if name.startswith("CREDWALK_"):
            monkeypatch.setenv(name, value)
    yield Flow(store, issuer, proof, file, env, tmp_path)
    store.close()


def _isolated() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def run_cli(flow: Flow, *args: str) -> tuple[int, dict[str, Any]]:
    """``python -m api.cli ARGS --json`` in a subprocess with no network."""
    done = subprocess.run(
        [*_isolated(), sys.executable, "-m", "api.cli", *args, "--json"],
        cwd=REPO,
        env=flow.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def run_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """The same command, in this process (the settings come from the environment)."""
    capsys.readouterr()
    try:
        main([*args, "--json"])
        status = 0
    except SystemExit as e:
        status = int(e.code or 0)
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_the_cli_verifies_the_issued_proof_offline(flow: Flow) -> None:
    status, report = run_cli(flow, "verify", str(flow.file), "--trust", "ours")
    assert status == 0, report
    assert report["verified"] and report["check"] is None
    assert [c["status"] for c in report["checks"]] == ["passed"] * 6
    assert report["issuer_is_ours"] and report["endorsements"] == 3

    revoke_proof(
        flow.store, actor=ADMIN, proof=flow.proof.id, issuer=flow.issuer, reason="misconduct"
    )
    status, report = run_cli(flow, "verify", str(flow.file))
    assert (status, report["check"]) == (1, "revoked")


def test_a_revoked_proof_fails_with_revoked_from_a_status_list_file(
    flow: Flow, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    revoke_proof(flow.store, actor=ADMIN, proof=flow.proof.id, issuer=flow.issuer)
    status_list = flow.tmp / "status-list.json"
    status_list.write_text(json.dumps(signed_status_list(flow.store, number=1, issuer=flow.issuer)))
    # A verifier elsewhere: no access to our store, only the status list it downloaded.
    monkeypatch.setenv("CREDWALK_STORE", f"sqlite:///{flow.tmp / 'elsewhere.db'}")
    status, report = run_in_process(
        capsys, "verify", str(flow.file), "--status-list", str(status_list)
    )
    assert (status, report["check"]) == (1, "revoked")
    status, report = run_in_process(capsys, "verify", str(flow.file))
    assert (status, report["check"]) == (1, "status"), "an unknown list is never fetched"
    # A forged list (its bits cleared after signing) fails its own proof, so nothing is known.
    forged = json.loads(status_list.read_text())
    forged["credentialSubject"]["encodedList"] = (
        "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
    )
    status_list.write_text(json.dumps(forged))
    status, report = run_in_process(
        capsys, "verify", str(flow.file), "--status-list", str(status_list)
    )
    assert (status, report["check"]) == (1, "status")


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, (*path, i))
    else:
        yield path


def changed(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    value = parent[path[-1]]
    if isinstance(value, bool):
        parent[path[-1]] = not value
    elif isinstance(value, int | float):
        parent[path[-1]] = value + 1
    else:
        parent[path[-1]] = f"{value}x"
    return copied


@pytest.mark.slow
def test_changing_any_field_fails_verification(flow: Flow) -> None:
    document = dict(flow.proof.document)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    paths = list(leaves(unsigned))
    assert len(paths) > 150, "every field of the credential, endorsements included"
    checks: dict[str, int] = {}
    for path in paths:
        report = verify_document(
            changed(document, path), loader=flow.issuer.loader, issuer=flow.issuer
        )
        assert not report.verified, f"changing {'/'.join(map(str, path))} went unnoticed"
        checks[str(report.check)] = checks.get(str(report.check), 0) + 1
    # Most changes break the signature; a changed context URL is refused as unpinned, a value
    # made undefined (a type, a date) is refused by safe canonicalisation, and a changed issuer
    # no longer owns the signing key.
    assert set(checks) <= {"signature", "context", "canonicalization", "key_resolution"}, checks
    assert checks["signature"] > len(paths) // 2, checks


@pytest.mark.parametrize(
    ("option", "value", "check"),
    [
        ("created", "2026-01-01T00:00:00Z", "signature"),
        ("proofPurpose", "authentication", "proof_purpose"),
        ("cryptosuite", "eddsa-jcs-2022", "cryptosuite_unsupported"),
        ("type", "Ed25519Signature2020", "cryptosuite_unsupported"),
        ("expires", "2099-01-01T00:00:00Z", "signature"),
        ("domain", "example.org", "signature"),
        ("proofValue", "z" + "1" * 86, "proof_malformed"),
    ],
)
def test_changing_a_proof_option_fails_verification(
    flow: Flow, option: str, value: str, check: str
) -> None:
    document = copy.deepcopy(dict(flow.proof.document))
    document["proof"][option] = value
    report = verify_document(document, loader=flow.issuer.loader, issuer=flow.issuer)
    assert (report.verified, report.check) == (False, check)


def test_a_proof_by_an_unknown_key_fails(flow: Flow, capsys: pytest.CaptureFixture[str]) -> None:
    unsigned = {k: v for k, v in flow.proof.document.items() if k != "proof"}
    stranger = Ed25519PrivateKey.generate()
    # Signed by someone else's key in our issuer's name: the key is not the issuer's.
    forged = sign(unsigned, key=stranger, loader=flow.issuer.loader)
    forged_file = flow.tmp / "forged.json"
    forged_file.write_text(json.dumps(forged))
    status, report = run_in_process(capsys, "verify", str(forged_file))
    assert (status, report["check"]) == (1, "key_resolution")
    assert [c["status"] for c in report["checks"]][:2] == ["passed", "failed"]
    # Signed in their own name: a valid credential, but not one of ours.
    unsigned["issuer"] = {**unsigned["issuer"], "id": did_key(stranger.public_key())}
    forged_file.write_text(json.dumps(sign(unsigned, key=stranger, loader=flow.issuer.loader)))
    for trust in ("ours", "issuer"):  # nobody registered the stranger's DID
        status, report = run_in_process(capsys, "verify", str(forged_file), "--trust", trust)
        assert (status, report["check"]) == (1, "key_resolution")
    status, report = run_in_process(capsys, "verify", str(forged_file), "--trust", "any")
    assert (status, report["verified"], report["issuer_is_ours"]) == (0, True, False)
    # A did:web of another domain is never resolved (that would need the network).
    web = copy.deepcopy(dict(flow.proof.document))
    web["proof"]["verificationMethod"] = "did:web:elsewhere.example#key-1"
    assert verify_document(web, loader=flow.issuer.loader).check == "key_resolution"


def test_a_tampered_file_fails_in_the_cli_naming_the_check(
    flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(flow.file.read_text())
    document["credentialSubject"]["result"][0]["achievedLevel"] = document["credentialSubject"][
        "result"
    ][0]["achievedLevel"].replace("level-4", "level-8")
    tampered = flow.tmp / "tampered.json"
    tampered.write_text(json.dumps(document))
    status, report = run_in_process(capsys, "verify", str(tampered))
    assert (status, report["check"], report["verified"]) == (1, "signature", False)
    status, report = run_in_process(
        capsys, "verify", str(flow.file), "--at", "2000-01-01T00:00:00Z"
    )
    assert (status, report["check"]) == (1, "not_yet_valid")


def test_rotation_keeps_old_proofs_verifiable(
    flow: Flow, capsys: pytest.CaptureFixture[str]
) -> None:
    old_method = flow.proof.verification_method
    status, rotated = run_in_process(capsys, "proofs", "rotate-key")
    assert status == 0 and rotated["verification_method"] != old_method
    assert not any(flow.tmp.joinpath("keys").glob(f"{old_method.rpartition('#')[2]}.pem"))
    status, report = run_in_process(capsys, "verify", str(flow.file), "--trust", "ours")
    assert status == 0, report
    later = datetime.now(UTC) + timedelta(days=1)
    report_later = verify_document(
        flow.proof.document,
        loader=flow.issuer.loader,
        issuer=flow.issuer,
        store=lambda: flow.store,
        trust=Trust.OURS,
        now=later,
    )
    assert report_later.verified


def test_the_cli_commands_run_the_whole_flow(
    tmp_path: Path,
    shared_data: Path,
    esco_slice: EscoPack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache = tmp_path / "contexts"
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = create_store(url)
    with store:
        store.write(GraphBatch(concepts=[esco_slice.concepts[u] for u in (PYTHON, SQL, MINING)]))
        save_catalogue(store, actor=ADMIN, issuers=[UCD], credentials=[COURSE])
    for name, value in {
        "CREDWALK_STORE": url,
        "CREDWALK_CONTEXT_CACHE": str(cache),
        "CREDWALK_KEY_DIR": str(tmp_path / "keys"),
        "CREDWALK_EMBEDDING_CACHE": str(tmp_path / "embeddings.db"),
    }.items():
        monkeypatch.setenv(name, value)
    for source in ("w3c-vc-contexts", "openbadges/v3p0/context"):
        assert run_in_process(capsys, "contexts", "seed", str(shared_data / source))[0] == 0
    panel = tmp_path / "panel.json"
    panel.write_text(
        json.dumps(
            {
                "credential": COURSE.id,
                "assessors": [
                    {"id": UNI.id, "name": "UCD", "role": "institution"},
                    {"id": INDUSTRY.id, "name": "ICT Skillnet", "role": "industry_body"},
                    {"id": REGION.id, "name": "HEA", "role": "region", "kind": "endorsement"},
                ],
            }
        )
    )
    status, declared = run_in_process(capsys, "proofs", "panel", str(panel))
    assert status == 0 and len(declared["assessors"]) == 3
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7 the learner's report")
    status, submitted = run_in_process(
        capsys,
        "proofs",
        "submit",
        "--learner",
        "urn:example:learner:42",
        "--credential",
        COURSE.id,
        "--link",
        "https://github.com/learner/analysis",
        "--document",
        str(report),
    )
    assert status == 0 and submitted["status"] == "submitted"
    assert submitted["evidence"][1]["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    sub = submitted["id"]
    # Each assessor assesses as themselves: a user bound to their panel seat.
    for name, who in (("uni", UNI), ("industry", INDUSTRY), ("region", REGION)):
        created = run_in_process(
            capsys, "users", "create", name, "--grant", f"assessor:{who.id}", "--no-password"
        )
        assert created[0] == 0, created
    results = [f"--result={PYTHON}=pass:5", f"--result={SQL}=pass:3", f"--result={MINING}=pass"]
    # The operator sits on no panel: it cannot assess in anyone's name.
    refused = run_in_process(capsys, "proofs", "assess", sub, *results)
    assert (refused[0], refused[1]["error"]["code"]) == (6, "forbidden")
    for name in ("uni", "industry"):
        assert run_in_process(capsys, "--as", name, "proofs", "assess", sub, *results)[0] == 0
    status, ready = run_in_process(
        capsys, "--as", "region", "proofs", "assess", sub, "--endorse", "Recognised."
    )
    assert ready["status"] == "ready"
    proof_file = tmp_path / "proof.json"
    status, issued = run_in_process(capsys, "proofs", "issue", sub, "--out", str(proof_file))
    assert status == 0 and json.loads(proof_file.read_text()) == issued["document"]
    assert run_in_process(capsys, "verify", str(proof_file))[0] == 0
    status, revoked = run_in_process(capsys, "proofs", "revoke", issued["id"], "--reason", "test")
    assert revoked["revoked"]
    status, report_json = run_in_process(capsys, "verify", str(proof_file))
    assert (status, report_json["check"]) == (1, "revoked")
