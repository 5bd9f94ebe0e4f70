"""``credwalk verify`` on the published examples: the W3C vc-di-eddsa vectors and Open Badges 3.0.

What happens, file by file:

- ``eddsa-rdfc-2022/signedDataInt.json`` and the four proof-set/proof-chain vectors are signed
  by a ``did:key`` for the issuer ``https://vc.example/issuers/5678``. By default a key counts
  only when the issuer named has registered it (or it is this service's): unregistered, the
  ``key_resolution`` check fails (exit 1); once the issuer registers the vectors' key they
  verify, saying whose key signed. ``--trust any`` accepts any ``did:key`` and warns.
- ``eddsa-rdfc-2022/employ/signedDataInt.json`` is signed by the vectors' Ed25519 key while its
  issuer is another (P-256) ``did:key``: the ``key_resolution`` check fails (exit 1); with
  ``--no-issuer-binding --trust any``, which checks the cryptosuite alone, it verifies.
- ``eddsa-jcs-2022`` and ``Ed25519Signature2020`` are other cryptosuites:
  ``cryptosuite_unsupported``.
- The Open Badges 3.0 examples are read by the ingest, but none is signed: ``proof_missing``.
  The five endorsements embedded in ``fullOpenBadge.json`` carry illustrative proofs
  (``eddsa-rdf-2022``, sic): ``cryptosuite_unsupported``. Signed with a ``did:key`` of
  nobody registered, the basic example verifies with ``--trust any`` only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.cli import main
from graph.jsonld import PinnedDocumentLoader
from graph.proofs.data_integrity import sign
from graph.proofs.did_key import did_key
from ingest.credentials.formats import Format
from ingest.credentials.reader import read_credential_file

REPO = Path(__file__).resolve().parents[2]
VECTORS_ISSUER = "https://vc.example/issuers/5678"
VECTORS_KEY = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VERIFIED = [
    "eddsa-rdfc-2022/signedDataInt.json",
    "proof-set-chain/signedProofSet1.json",
    "proof-set-chain/signedProofSet2.json",
    "proof-set-chain/signedProofChain1.json",
    "proof-set-chain/signedProofChain2.json",
]
OB_EXAMPLES = [
    "achievementAlignmentCase.json",
    "achievementAlignmentCe.json",
    "basicOpenBadgeCredential.json",
    "endorsement.json",
    "fullOpenBadge.json",
    "skillAssertionCase.json",
    "skillAssertionCtdl.json",
]


@pytest.fixture
def cli_env(tmp_path: Path, context_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(context_cache))
    monkeypatch.setenv("CREDWALK_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("CREDWALK_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    return tmp_path


@pytest.fixture
def vectors(shared_data: Path) -> Path:
    return shared_data / "w3c-vc-di-eddsa" / "TestVectors"


def verify_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    try:
        main(["verify", *args, "--json"])
        status = 0
    except SystemExit as e:
        status = int(e.code or 0)
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", VERIFIED)
def test_signed_vectors_verify(
    cli_env: Path, vectors: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = verify_cli(capsys, str(vectors / name), "--trust", "any")
    assert status == 0, report
    assert report["verified"] and report["check"] is None
    assert report["issuer"] == VECTORS_ISSUER and report["trust"] == "any"
    assert report["warnings"] == [
        f"the issuer {VECTORS_ISSUER} is not a DID and trust=any: any key was accepted for it"
    ]
    proofs = json.loads((vectors / name).read_text())["proof"]
    assert len(report["verification_methods"]) == (len(proofs) if isinstance(proofs, list) else 1)


def register_issuer(folder: Path, *keys: str) -> None:
    """Save the vectors' issuer with ``keys`` registered, as an issuer would (the CLI)."""
    document = {
        "id": VECTORS_ISSUER,
        "name": "Example issuer of the W3C vectors",
        "type": "institution",
        "keys": [{"id": key} for key in keys],
    }
    path = folder / f"issuer-{len(keys)}.json"
    path.write_text(json.dumps(document))
    main(["ingest", "credentials", str(path)])


def test_by_default_the_key_must_be_registered_by_the_issuer_named(
    cli_env: Path, vectors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vector = str(vectors / "eddsa-rdfc-2022" / "signedDataInt.json")
    status, report = verify_cli(capsys, vector)
    assert (status, report["check"], report["trust"]) == (1, "key_resolution", "issuer")
    assert f"neither a key registered by issuer {VECTORS_ISSUER}" in report["message"]
    assert "trust=any" in report["message"]
    # The issuer registers another key: the vectors' key is still not its.
    register_issuer(cli_env, did_key(Ed25519PrivateKey.generate().public_key()))
    status, report = verify_cli(capsys, vector)
    assert (status, report["check"]) == (1, "key_resolution")
    register_issuer(cli_env, did_key(Ed25519PrivateKey.generate().public_key()), VECTORS_KEY)
    status, report = verify_cli(capsys, vector)
    assert status == 0, report
    assert report["key_owner"] == VECTORS_ISSUER and report["warnings"] == []


def test_the_employment_vector_is_signed_by_a_key_that_is_not_its_issuers(
    cli_env: Path, vectors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(vectors / "eddsa-rdfc-2022" / "employ" / "signedDataInt.json")
    status, report = verify_cli(capsys, path)
    assert (status, report["check"]) == (1, "key_resolution")
    assert "is not a key of issuer did:key:zDnae" in report["message"]
    status, report = verify_cli(capsys, path, "--no-issuer-binding")
    assert (status, report["check"]) == (1, "key_resolution")
    status, report = verify_cli(capsys, path, "--no-issuer-binding", "--trust", "any")
    assert (status, report["verified"]) == (0, True)


@pytest.mark.parametrize(
    "name", ["eddsa-jcs-2022/signedJCS.json", "Ed25519Signature2020/signedEdSig.json"]
)
def test_other_cryptosuites_are_named(
    cli_env: Path, vectors: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = verify_cli(capsys, str(vectors / name))
    assert (status, report["check"]) == (1, "cryptosuite_unsupported")
    assert report["checks"][0] == {
        "name": "proof",
        "status": "failed",
        "message": report["message"],
    }


def test_a_changed_vector_fails(
    cli_env: Path, vectors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((vectors / "eddsa-rdfc-2022" / "signedDataInt.json").read_text())
    document["credentialSubject"]["alumniOf"] = "The School of Counterexamples"
    changed = cli_env / "changed.json"
    changed.write_text(json.dumps(document))
    status, report = verify_cli(capsys, str(changed), "--trust", "any")
    assert (status, report["check"]) == (1, "signature")


@pytest.mark.slow
def test_the_vector_verifies_in_a_process_without_network(
    cli_env: Path, vectors: Path, context_cache: Path
) -> None:
    guard = cli_env / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(
        "import socket\n\n\ndef _refuse(*a, **k):\n    raise OSError('no network')\n\n\n"
        "socket.socket.connect = _refuse\nsocket.create_connection = _refuse\n"
    )
    unshare = shutil.which("unshare")
    isolate = (
        [unshare, "-rn"]
        if unshare and subprocess.run([unshare, "-rn", "true"], check=False).returncode == 0
        else []
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cli_env),
        "PYTHONPATH": f"{guard}{os.pathsep}{REPO}",
        "CREDWALK_CONTEXT_CACHE": str(context_cache),
        "CREDWALK_KEY_DIR": str(cli_env / "keys"),
        "CREDWALK_STORE": f"sqlite:///{cli_env / 'store.db'}",
    }
    path = vectors / "eddsa-rdfc-2022" / "signedDataInt.json"
    done = subprocess.run(
        [*isolate, sys.executable, "-m", "api.cli", "verify", str(path), "--trust", "any"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"verified (issuer {VECTORS_ISSUER}; trust=any)" in done.stdout


@pytest.mark.parametrize("name", OB_EXAMPLES)
def test_open_badges_examples_are_read_but_not_signed(
    cli_env: Path,
    shared_data: Path,
    name: str,
    pinned_loader: PinnedDocumentLoader,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = shared_data / "openbadges" / "v3p0" / "examples" / name
    read = read_credential_file(path, loader=pinned_loader)
    assert read.format is Format.OPEN_BADGES
    # The endorsement describes an issuer, not an achievement: it is read and skipped.
    assert len(read.credentials) == (0 if name == "endorsement.json" else 1)
    status, report = verify_cli(capsys, str(path))
    assert (status, report["check"]) == (1, "proof_missing")


def test_the_full_badges_embedded_endorsements_carry_placeholder_proofs(
    cli_env: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    badge = json.loads((shared_data / "openbadges/v3p0/examples/fullOpenBadge.json").read_text())
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "EndorsementCredential" in node.get("type", []):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(badge)
    assert len(found) == 5
    for i, endorsement in enumerate(found):
        file = cli_env / f"endorsement-{i}.json"
        file.write_text(json.dumps(endorsement))
        status, report = verify_cli(capsys, str(file))
        assert (status, report["check"]) == (1, "cryptosuite_unsupported")
        assert "'eddsa-rdf-2022'" in report["message"]


def test_an_open_badge_signed_with_an_unregistered_did_key_verifies_only_with_trust_any(
    cli_env: Path,
    shared_data: Path,
    pinned_loader: PinnedDocumentLoader,
    capsys: pytest.CaptureFixture[str],
) -> None:
    badge = json.loads(
        (shared_data / "openbadges/v3p0/examples/basicOpenBadgeCredential.json").read_text()
    )
    key = Ed25519PrivateKey.generate()
    badge["issuer"]["id"] = did_key(key.public_key())
    signed = cli_env / "signed-badge.json"
    signed.write_text(json.dumps(sign(badge, key=key, loader=pinned_loader)))
    status, report = verify_cli(capsys, str(signed))
    assert (status, report["check"]) == (1, "key_resolution")
    status, report = verify_cli(capsys, str(signed), "--trust", "any")
    assert status == 0, report
    assert report["warnings"] == ["trust=any: the issuer's DID was not required to be registered"]
    assert report["issuer_is_ours"] is False and report["key_owner"] is None
    status, report = verify_cli(capsys, str(signed), "--trust", "ours")
    assert (status, report["check"]) == (1, "key_resolution")


def test_a_fresh_install_verifies_with_an_empty_context_cache(
    tmp_path: Path,
    vectors: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CREDWALK_KEY_DIR", str(tmp_path / "keys"))
    vector = str(vectors / "eddsa-rdfc-2022" / "signedDataInt.json")
    status, report = verify_cli(capsys, vector, "--trust", "any")
    assert status == 0, report
    assert not (tmp_path / "cache").exists(), "nothing is fetched or written"


def test_contexts_seed_still_fills_the_cache(
    tmp_path: Path,
    shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # For contexts a deployment pins beyond those credwalk ships.
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(tmp_path / "cache"))
    main(["contexts", "seed", str(shared_data / "w3c-vc-contexts"), "--json"])
    seeded = json.loads(capsys.readouterr().out)
    assert "https://www.w3.org/ns/credentials/examples/v2" in seeded["seeded"]
    assert len(list((tmp_path / "cache").iterdir())) == len(seeded["seeded"])
