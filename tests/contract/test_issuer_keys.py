"""Keys issuers register, and verification that says whose key signed, on every backend.

By default (``Trust.ISSUER``) a signature counts only when the key is one the issuer the
document names has registered with its record (or this service's own): a document "by UCD"
signed by a stranger's key is not UCD's, however sound its signature.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import Issuer, IssuerKey, IssuerType
from graph.proofs.data_integrity import sign
from graph.proofs.did_key import did_key, public_key_multibase
from graph.proofs.status_list import StatusList, status_list_credential
from graph.services.catalogue.credentials import get_issuer, save_catalogue
from graph.services.proofs.verification import Trust, verify_document
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN
from tests.fixtures.full_store import example_credential as credential

UCD = Issuer("https://www.ucd.ie", "University College Dublin", IssuerType.INSTITUTION, "IE")
UCD_WEB = "did:web:www.ucd.ie#key-1"
STATUS_URL = "https://www.ucd.ie/status/1"


def register(store: GraphStore, *keys: IssuerKey) -> None:
    save_catalogue(store, actor=ADMIN, issuers=[dataclasses.replace(UCD, keys=keys)])


def test_registered_keys_are_saved_and_read_back(store: GraphStore) -> None:
    key = Ed25519PrivateKey.generate().public_key()
    keys = (IssuerKey(did_key(key)), IssuerKey(UCD_WEB, public_key_multibase(key)))
    register(store, *keys)
    assert get_issuer(store, UCD.id).keys == keys


@pytest.mark.parametrize(
    ("key", "field", "says"),
    [
        (IssuerKey("did:web:elsewhere.example#key-1", "z6Mk"), "keys[0].id", "not on the issuer"),
        (IssuerKey(UCD_WEB), "keys[0].public_key_multibase", "needs its public_key_multibase"),
        (IssuerKey("did:key:zQ3shNotAnEd25519Key"), "keys[0].id", "not a multicodec ed25519"),
        (IssuerKey("https://www.ucd.ie/keys/1"), "keys[0].id", "neither a did:key nor"),
    ],
)
def test_keys_that_cannot_be_the_issuers_are_refused_naming_the_field(
    store: GraphStore, key: IssuerKey, field: str, says: str
) -> None:
    with pytest.raises(InvalidInputError, match=says) as raised:
        register(store, key)
    assert raised.value.details["field"] == field
    assert raised.value.details["issuer"] == UCD.id
    with pytest.raises(NotFoundError):
        get_issuer(store, UCD.id)


def test_a_did_key_with_another_keys_multibase_is_refused(store: GraphStore) -> None:
    one, other = (Ed25519PrivateKey.generate().public_key() for _ in range(2))
    with pytest.raises(InvalidInputError, match="is not the key of"):
        register(store, IssuerKey(did_key(one), public_key_multibase(other)))


def test_a_stranger_signing_in_the_issuers_name_is_not_verified(
    store: GraphStore, pinned_loader: PinnedDocumentLoader
) -> None:
    stranger = Ed25519PrivateKey.generate()
    signed = sign(credential(UCD.id), key=stranger, loader=pinned_loader)
    register(store)  # UCD exists, with no key registered
    report = verify_document(signed, loader=pinned_loader, store=lambda: store)
    assert (report.verified, report.check, report.trust) == (False, "key_resolution", Trust.ISSUER)
    assert f"neither a key registered by issuer {UCD.id}" in report.message
    # trust=any, by name, accepts the sound signature and says that nobody's key was checked.
    anyone = verify_document(signed, loader=pinned_loader, store=lambda: store, trust=Trust.ANY)
    assert anyone.verified and anyone.key_owner is None
    assert anyone.warnings == (
        f"the issuer {UCD.id} is not a DID and trust=any: any key was accepted for it",
    )


def test_the_did_web_of_the_issuers_domain_verifies_once_registered(
    store: GraphStore, pinned_loader: PinnedDocumentLoader
) -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign(credential(UCD.id), key=key, loader=pinned_loader, verification_method=UCD_WEB)
    register(store)
    assert verify_document(signed, loader=pinned_loader, store=lambda: store).check == (
        "key_resolution"
    )
    register(store, IssuerKey(UCD_WEB, public_key_multibase(key.public_key())))
    report = verify_document(signed, loader=pinned_loader, store=lambda: store)
    assert report.verified, report.message
    assert (report.key_owner, report.warnings) == (UCD.id, ())
    # Another key registered under the same id does not verify the signature.
    register(
        store,
        IssuerKey(UCD_WEB, public_key_multibase(Ed25519PrivateKey.generate().public_key())),
    )
    assert verify_document(signed, loader=pinned_loader, store=lambda: store).check == "signature"


def test_a_did_issuer_is_the_issuer_that_registered_the_did(
    store: GraphStore, pinned_loader: PinnedDocumentLoader
) -> None:
    key = Ed25519PrivateKey.generate()
    did = did_key(key.public_key())
    signed = sign(credential(did), key=key, loader=pinned_loader)
    register(store)
    report = verify_document(signed, loader=pinned_loader, store=lambda: store)
    assert (report.verified, report.check) == (False, "key_resolution")
    register(store, IssuerKey(did))
    report = verify_document(signed, loader=pinned_loader, store=lambda: store)
    assert report.verified and report.key_owner == UCD.id


def test_a_status_list_counts_only_when_signed_for_the_credentials_issuer(
    store: GraphStore, pinned_loader: PinnedDocumentLoader
) -> None:
    key, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    register(store, IssuerKey(did_key(key.public_key())))
    entry = {
        "id": f"{STATUS_URL}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": STATUS_URL,
    }
    signed = sign(credential(UCD.id, credentialStatus=entry), key=key, loader=pinned_loader)
    revoked = StatusList.new().with_status(7)

    def status_list(by: Ed25519PrivateKey, bits: StatusList) -> dict[str, Any]:
        unsigned = status_list_credential(
            credential_id=STATUS_URL,
            issuer=did_key(by.public_key()),
            status_list=bits,
            valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        )
        return sign(unsigned, key=by, loader=pinned_loader)

    def check(lists: list[dict[str, Any]]) -> str | None:
        return verify_document(
            signed, loader=pinned_loader, store=lambda: store, status_lists=lists
        ).check

    assert check([status_list(key, revoked)]) == "revoked"
    assert check([status_list(key, StatusList.new())]) is None
    # A list signed by someone else cannot say anything about UCD's credential.
    assert check([status_list(stranger, StatusList.new())]) == "status"
