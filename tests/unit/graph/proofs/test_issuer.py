"""The issuing identity: did:web, our keys (retired ones too), assessor keys, the DID document."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import ContextManifest, PinnedDocumentLoader
from graph.proofs.did_key import did_key, verification_method_id
from graph.proofs.issuer import ProofIssuer, did_document, did_web
from graph.proofs.keys import KeyStore

LOADER = PinnedDocumentLoader(ContextManifest())


def issuer(tmp_path: Path, domain: str | None = None) -> ProofIssuer:
    return ProofIssuer(
        keys=KeyStore(tmp_path / "keys"),
        loader=LOADER,
        base_iri="https://credwalk.org/id",
        did_web_domain=domain,
    )


@pytest.mark.parametrize(
    ("domain", "did"),
    [("example.org", "did:web:example.org"), ("localhost:8443", "did:web:localhost%3A8443")],
)
def test_did_web_encodes_the_port(domain: str, did: str) -> None:
    assert did_web(domain) == did


@pytest.mark.parametrize("domain", ["https://example.org", "example.org/path", "", "a b"])
def test_did_web_refuses_what_is_not_a_host(domain: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        did_web(domain)
    assert info.value.details["field"] == "did_web_domain"


def test_did_key_issuer_resolves_current_and_retired_keys_only(tmp_path: Path) -> None:
    ours = issuer(tmp_path)
    old, old_vm = ours.signing_key()
    assert ours.did() == did_key(old.public_key) == old_vm.partition("#")[0]
    new = ours.keys.rotate()
    assert ours.did() == did_key(new.public_key) != did_key(old.public_key)
    assert ours.resolve(old_vm) == old.public_key
    assert ours.resolve(new.verification_method) == new.public_key
    stranger = issuer(tmp_path / "other").signing_key()[0]
    with pytest.raises(NotFoundError):
        ours.resolve(stranger.verification_method)


def test_did_web_issuer_resolves_only_its_own_domain(tmp_path: Path) -> None:
    ours = issuer(tmp_path, "credentials.example.org")
    key, vm = ours.signing_key()
    multibase = key.verification_method.rpartition("#")[2]
    assert vm == f"did:web:credentials.example.org#{multibase}"
    assert ours.did() == "did:web:credentials.example.org"
    assert ours.resolve(vm) == key.public_key
    with pytest.raises(NotFoundError, match="never fetched"):
        ours.resolve(f"did:web:elsewhere.example#{multibase}")
    with pytest.raises(NotFoundError):
        ours.resolve(
            "did:web:credentials.example.org#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
        )
    # Without a domain configured, no did:web is ours.
    with pytest.raises(NotFoundError):
        issuer(tmp_path).resolve(vm)


def test_did_document_lists_every_key_after_rotation(tmp_path: Path) -> None:
    ours = issuer(tmp_path, "credentials.example.org")
    first = ours.signing_key()[1]
    ours.keys.rotate()
    second = ours.signing_key()[1]
    document = did_document(ours)
    assert document["id"] == "did:web:credentials.example.org"
    assert document["assertionMethod"] == [first, second]
    assert all(m["controller"] == document["id"] for m in document["verificationMethod"])
    with pytest.raises(NotFoundError):
        did_document(issuer(tmp_path / "plain"))


def test_assessor_keys_are_owner_only_and_resolvable(tmp_path: Path) -> None:
    ours = issuer(tmp_path)
    store = ours.assessor_keys("https://www.ictskillnet.ie")
    key = store.active_key()
    assert store.directory.parent == tmp_path / "keys" / "assessors"
    for folder in (tmp_path / "keys", store.directory.parent, store.directory):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    pem = store.directory / f"{key.verification_method.rpartition('#')[2]}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert ours.assessor_keys("https://www.ictskillnet.ie").active_key() == key
    assert ours.assessor_keys("https://www.hea.ie").active_key() != key
    assert ours.resolve_assessor(key.verification_method) == key.public_key
    with pytest.raises(NotFoundError):
        ours.resolve(key.verification_method)  # an assessor's key is not the issuer's
    with pytest.raises(NotFoundError):
        ours.resolve_assessor(verification_method_id(ours.signing_key()[0].public_key))
