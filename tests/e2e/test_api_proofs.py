"""Panels, submissions, assessments, proofs, revocation and verification over HTTP."""

from __future__ import annotations

import base64
import hashlib
import logging
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from fastapi.testclient import TestClient

from api.main import create_app
from api.runtime import Runtime
from graph.backends.embedded import EmbeddedStore
from graph.jsonld import PinnedDocumentLoader
from graph.model.accounts import Grant, Role
from graph.model.concepts import NodeKind
from graph.proofs.canonical import canonicalize
from graph.proofs.status_list import status_list_from_credential
from graph.reference import load_reference_data
from graph.settings import load_settings
from graph.store import GraphBatch
from ingest.frameworks.esco import EscoPack
from tests.fixtures.accounts import bearer, user_with_key
from tests.fixtures.embedders import HashingEmbedder

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
CREDENTIAL: dict[str, Any] = {
    "id": "https://www.ucd.ie/credentials/data-programming",
    "type": "MicroCredential",
    "title": "Programming for data analysis",
    "language": "en",
    "issuer": {
        "id": "https://www.ucd.ie",
        "name": "University College Dublin",
        "type": "institution",
        "jurisdiction": "IE",
    },
    "jurisdiction": "IE",
    "level": {"framework": "EQF", "value": 6},
    "credits": {"value": 5, "unit": "ECTS"},
    "hours": 125,
    "skills": [
        {"uri": PYTHON, "level": 4, "status": "confirmed"},
        {"uri": SQL, "level": 3, "status": "confirmed"},
    ],
}
PANEL = {
    "credential": CREDENTIAL["id"],
    "assessors": [
        {"id": "https://www.ucd.ie", "name": "UCD", "role": "institution"},
        {"id": "https://www.ictskillnet.ie", "name": "ICT Skillnet", "role": "industry_body"},
        {
            "id": "https://www.hea.ie",
            "name": "HEA",
            "role": "regional_authority",
            "kind": "endorsement",
        },
    ],
    "rule": {"min_passes": 2},
}
SUBMISSION = {
    "learner": "urn:example:learner:42",
    "credential": CREDENTIAL["id"],
    "evidence": [
        {"kind": "link", "url": "https://github.com/learner/analysis"},
        {"kind": "document", "name": "report.pdf", "sha256": "0f" * 32},
        {"kind": "text", "text": "I cleaned and analysed sensor data."},
    ],
}


def make_runtime(
    tmp_path: Path, esco_slice: EscoPack, context_cache: Path, domain: str | None
) -> Runtime:
    settings = load_settings(
        store=f"sqlite:///{tmp_path / 'api.db'}",
        load_demo=False,
        key_dir=tmp_path / "keys",
        context_cache=context_cache,
        did_web_domain=domain,
    )
    store = EmbeddedStore(tmp_path / "api.db")
    store.open()
    store.write(GraphBatch(concepts=[esco_slice.concepts[u] for u in (PYTHON, SQL)]))
    reference = load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)
    return Runtime(settings=settings, store=store, embedder=HashingEmbedder(), reference=reference)


@pytest.fixture
def runtime(tmp_path: Path, esco_slice: EscoPack, context_cache: Path) -> Iterator[Runtime]:
    """This module's runtime: keys and the seeded context cache in the test's folder."""
    the_runtime = make_runtime(tmp_path, esco_slice, context_cache, None)
    yield the_runtime
    the_runtime.close()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code
    return body


def as_panel_member(client: TestClient, iri: str) -> dict[str, str]:
    """The headers of a user who assesses as panel member ``iri`` (made on first use)."""
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    name = "assessor-" + hashlib.sha256(iri.encode()).hexdigest()[:12]
    if name not in TOKENS.setdefault(id(runtime), {}):
        TOKENS[id(runtime)][name] = user_with_key(
            runtime.store, name, Grant(Role.ASSESSOR, iri), base_iri=runtime.settings.base_iri
        )
    return {"Authorization": f"Bearer {TOKENS[id(runtime)][name]}"}


#: The assessors' tokens, per runtime (a user is made once per store).
TOKENS: dict[int, dict[str, str]] = {}


def assessed(client: TestClient) -> dict[str, Any]:
    ok(client.post("/v1/credentials", json=CREDENTIAL), 201)
    ok(client.post("/v1/assessment-panels", json=PANEL), 201)
    submission = ok(client.post("/v1/submissions", json=SUBMISSION), 201)
    url = f"/v1/submissions/{submission['id']}/assessments"
    ok(
        client.post(
            url,
            headers=as_panel_member(client, "https://www.ucd.ie"),
            json={
                "results": [
                    {"skill": PYTHON, "passed": True, "level": 5},
                    {"skill": SQL, "passed": True, "level": 3},
                ],
            },
        ),
        201,
    )
    ok(
        client.post(
            url,
            headers=as_panel_member(client, "https://www.ictskillnet.ie"),
            json={
                "results": [
                    {"skill": PYTHON, "passed": True, "level": 4, "comment": "Tidy code."},
                    {"skill": SQL, "passed": True, "level": 4},
                ],
            },
        ),
        201,
    )
    last = ok(
        client.post(
            url,
            headers=as_panel_member(client, "https://www.hea.ie"),
            json={"endorsement": "Recognised."},
        ),
        201,
    )
    assert last["status"] == "ready", last["outcome"]
    return dict(last)


def test_the_whole_flow_over_http(client: TestClient, pinned_loader: PinnedDocumentLoader) -> None:
    ok(client.post("/v1/credentials", json=CREDENTIAL), 201)
    panel = ok(client.post("/v1/assessment-panels", json=PANEL), 201)
    assert panel["rule_text"].startswith("Issued when every required assessor (UCD, ICT")
    assert ok(client.get("/v1/assessment-panels", params={"credential": CREDENTIAL["id"]})) == panel

    submission = ok(client.post("/v1/submissions", json=SUBMISSION), 201)
    assert submission["status"] == "submitted"
    assert [a["assessed"] for a in submission["assessors"]] == [False, False, False]
    inbox = ok(client.get("/v1/submissions", params={"assessor": "https://www.hea.ie"}))
    assert [s["id"] for s in inbox["data"]] == [submission["id"]]
    early = error(client.post("/v1/proofs", json={"submission": submission["id"]}), 409, "conflict")
    assert early["details"]["status"] == "submitted"

    url = f"/v1/submissions/{submission['id']}/assessments"
    results = [
        {"skill": PYTHON, "passed": True, "level": 5},
        {"skill": SQL, "passed": True, "level": 3},
    ]
    ok(
        client.post(
            url, headers=as_panel_member(client, "https://www.ucd.ie"), json={"results": results}
        ),
        201,
    )
    ok(
        client.post(
            url,
            headers=as_panel_member(client, "https://www.ictskillnet.ie"),
            json={"results": results},
        ),
        201,
    )
    ready = ok(
        client.post(
            url, headers=as_panel_member(client, "https://www.hea.ie"), json={"endorsement": "Yes."}
        ),
        201,
    )
    assert ready["status"] == "ready" and ready["outcome"]["met"]
    assert ok(client.get(f"/v1/submissions/{submission['id']}"))["status"] == "ready"

    proof = ok(client.post("/v1/proofs", json={"submission": submission["id"]}), 201)
    document = proof["document"]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    assert ok(client.get(f"/v1/submissions/{submission['id']}"))["status"] == "issued"
    assert ok(client.get(f"/v1/proofs/{proof['id']}")) == proof
    raw = client.get(f"/v1/proofs/{proof['id']}/credential")
    assert raw.headers["content-type"].startswith("application/ld+json") and raw.json() == document

    verified = ok(client.post("/v1/proofs/verify", json={"document": document, "trust": "ours"}))
    assert verified["verified"] and verified["endorsements"] == 3 and verified["issuer_is_ours"]
    document["credentialSubject"]["id"] = "urn:example:learner:43"
    tampered = ok(client.post("/v1/proofs/verify", json={"document": document}))
    assert (tampered["verified"], tampered["check"]) == (False, "signature")
    document["credentialSubject"]["id"] = "urn:example:learner:42"

    revoked = ok(client.post(f"/v1/proofs/{proof['id']}/revoke", json={"reason": "fraud"}))
    assert revoked["revoked"] and revoked["revocation_reason"] == "fraud"
    error(client.post(f"/v1/proofs/{proof['id']}/revoke"), 409, "conflict")
    after = ok(client.post("/v1/proofs/verify", json={"document": document}))
    assert (after["verified"], after["check"]) == (False, "revoked")

    status_list = ok(client.get("/v1/status-lists/1"))
    assert status_list["id"] == proof["status_list"]
    assert status_list_from_credential(status_list).get(proof["status_index"])
    assert ok(client.post("/v1/proofs/verify", json={"document": status_list}))["verified"]

    elm = ok(client.get(f"/v1/proofs/{proof['id']}/elm"))
    assert elm["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert elm["issuer"]["location"]["address"]["countryCode"]["id"].endswith("/country/IRL")
    assert "<http://data.europa.eu/snb/model/elm/relatedESCOSkill>" in canonicalize(
        elm, loader=pinned_loader
    )
    error(client.get("/.well-known/did.json"), 404, "not_found")


def count_records(runtime: Runtime) -> int:
    return sum(
        len(runtime.store.list_records(kind=k)) for k in (NodeKind.SUBMISSION, NodeKind.PROOF)
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/submissions", {**SUBMISSION, "learner": "learner 42"}, "learner"),
        (
            "/v1/submissions",
            {**SUBMISSION, "evidence": [{"kind": "document", "sha256": "0f" * 32}]},
            "evidence[0].name",
        ),
        (
            "/v1/submissions",
            {**SUBMISSION, "credential": "https://nowhere.example/c"},
            "credential",
        ),
        ("/v1/submissions", {k: v for k, v in SUBMISSION.items() if k != "learner"}, "learner"),
        ("/v1/assessment-panels", {**PANEL, "rule": {"min_passes": 3}}, "rule.min_passes"),
        ("/v1/proofs", {"submission": "x", "valid_until": "2030-01-01T00:00:00"}, "valid_until"),
    ],
    ids=["learner", "evidence", "credential", "missing", "rule", "naive-datetime"],
)
def test_bad_input_names_the_field_and_stores_nothing(
    client: TestClient, runtime: Runtime, path: str, body: dict[str, Any], field: str
) -> None:
    ok(client.post("/v1/credentials", json=CREDENTIAL), 201)
    if path != "/v1/assessment-panels":
        ok(client.post("/v1/assessment-panels", json=PANEL), 201)
    before = count_records(runtime)
    found = error(client.post(path, json=body), 422, "invalid_input")
    assert found["details"]["field"] == field
    assert count_records(runtime) == before


def test_assessments_outside_the_panel_or_after_issue_are_refused(
    client: TestClient, runtime: Runtime
) -> None:
    submission = assessed(client)
    url = f"/v1/submissions/{submission['id']}/assessments"
    before = count_records(runtime)
    stranger = as_panel_member(client, "https://stranger.example")
    found = error(
        client.post(url, json={"endorsement": "me too"}, headers=stranger), 403, "forbidden"
    )
    assert "not an assessor on this submission's panel" in found["message"]
    wrong = {"results": [{"skill": PYTHON, "passed": True}]}
    ucd = as_panel_member(client, "https://www.ucd.ie")
    assert (
        error(client.post(url, json=wrong, headers=ucd), 422, "invalid_input")["details"]["field"]
        == "results"
    )
    assert count_records(runtime) == before
    ok(client.post("/v1/proofs", json={"submission": submission["id"]}), 201)
    error(client.post("/v1/proofs", json={"submission": submission["id"]}), 409, "conflict")
    error(
        client.post(
            url, headers=as_panel_member(client, "https://www.hea.ie"), json={"endorsement": "x"}
        ),
        409,
        "conflict",
    )
    error(client.get("/v1/submissions/nope"), 404, "not_found")
    error(client.get("/v1/proofs/nope"), 404, "not_found")
    error(client.get("/v1/status-lists/7"), 404, "not_found")
    error(client.get("/v1/submissions"), 422, "invalid_input")


def secrets_of(key_dir: Path) -> list[str]:
    texts = []
    for pem in key_dir.rglob("*.pem"):
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600
        key = load_pem_private_key(pem.read_bytes(), password=None)
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        body = "".join(pem.read_text().splitlines()[1:-1])
        texts += [
            raw.hex(),
            body,
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode(),
        ]
    return texts


def test_keys_are_owner_only_and_never_returned_or_logged(
    client: TestClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    submission = assessed(client)
    responses = [client.post("/v1/proofs", json={"submission": submission["id"]})]
    proof = responses[0].json()
    responses += [
        client.get(f"/v1/proofs/{proof['id']}"),
        client.post(f"/v1/proofs/{proof['id']}/revoke"),
        client.get("/v1/status-lists/1"),
        client.get(f"/v1/submissions/{submission['id']}"),
        client.get("/openapi.json"),
    ]
    key_dir = runtime.settings.key_dir
    for folder in [key_dir, *(p for p in key_dir.rglob("*") if p.is_dir())]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    secrets = secrets_of(key_dir)
    assert len(secrets) == 4 * 4, "the issuer's key and one per assessor who signed"
    shown = "".join(r.text for r in responses) + caplog.text
    for secret in secrets:
        assert secret not in shown


def test_a_did_web_domain_makes_the_issuer_a_did_web(
    tmp_path: Path, esco_slice: EscoPack, context_cache: Path
) -> None:
    the_runtime = make_runtime(tmp_path, esco_slice, context_cache, "credentials.example.org")
    headers = bearer(the_runtime.store, base_iri=the_runtime.settings.base_iri)
    with TestClient(create_app(runtime=the_runtime), headers=headers) as client:
        submission = assessed(client)
        proof = ok(client.post("/v1/proofs", json={"submission": submission["id"]}), 201)
        did = "did:web:credentials.example.org"
        assert proof["document"]["issuer"]["id"] == did
        assert proof["verification_method"].startswith(f"{did}#z6Mk")
        document = ok(client.get("/.well-known/did.json"))
        assert document["id"] == did
        assert document["assertionMethod"] == [proof["verification_method"]]
        report = ok(client.post("/v1/proofs/verify", json={"document": proof["document"]}))
        assert report["verified"] and report["issuer_is_ours"], report
    the_runtime.close()


def test_a_fresh_install_issues_and_verifies_with_no_context_seeded(
    tmp_path: Path, esco_slice: EscoPack
) -> None:
    # The contexts credwalk signs with ship with it: an empty cache is a fresh install.
    the_runtime = make_runtime(tmp_path, esco_slice, tmp_path / "empty-cache", None)
    headers = bearer(the_runtime.store, base_iri=the_runtime.settings.base_iri)
    with TestClient(create_app(runtime=the_runtime), headers=headers) as client:
        submission = assessed(client)
        proof = ok(client.post("/v1/proofs", json={"submission": submission["id"]}), 201)
        report = ok(client.post("/v1/proofs/verify", json={"document": proof["document"]}))
        assert report["verified"] is True and report["check"] is None
    assert not (tmp_path / "empty-cache").exists() or not any((tmp_path / "empty-cache").iterdir())
    the_runtime.close()
