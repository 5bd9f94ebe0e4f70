"""Signing and verifying an Open Badge with eddsa-rdfc-2022: every change is caught."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.errors import InvalidInputError, NotFoundError, VerificationError
from graph.jsonld import PinnedDocumentLoader
from graph.proofs.data_integrity import Check, VerificationResult, sign, verify
from graph.proofs.did_key import did_key, verification_method_id
from graph.proofs.keys import SigningKey
from graph.proofs.multibase import multibase_decode, multibase_encode
from graph.proofs.status_list import StatusList, status_checker, status_list_entry

CREATED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
NOW = datetime(2024, 6, 1, tzinfo=UTC)
STATUS_LIST = "https://credwalk.example/status/1"
# Fixed seeds keep signatures reproducible from run to run.
ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
ISSUER_DID = did_key(ISSUER_KEY.public_key())


@pytest.fixture
def badge(shared_data: Path) -> dict[str, Any]:
    """The 1EdTech CASE-aligned Open Badge example, issued by our did:key with a status entry."""
    path = shared_data / "openbadges" / "v3p0" / "examples" / "achievementAlignmentCase.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    document["issuer"]["id"] = ISSUER_DID
    document["validUntil"] = "2030-01-01T00:00:00Z"
    document["credentialStatus"] = status_list_entry(status_list_credential=STATUS_LIST, index=42)
    return document


@pytest.fixture
def signed(badge: dict[str, Any], pinned_loader: PinnedDocumentLoader) -> dict[str, Any]:
    return sign(badge, key=ISSUER_KEY, loader=pinned_loader, created=CREATED)


def check(document: dict[str, Any], loader: PinnedDocumentLoader, **kwargs: Any) -> Check | None:
    result = verify(document, loader=loader, now=NOW, **kwargs)
    assert result.verified == (result.check is None)
    return result.check


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("proof", "@context"):
                yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path


def tampered(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = f"{parent[path[-1]]}x"
    return changed


def test_signed_badge_verifies(signed: dict[str, Any], pinned_loader: PinnedDocumentLoader) -> None:
    result = verify(signed, loader=pinned_loader, now=NOW)
    assert result == VerificationResult(
        verified=True, verification_methods=(verification_method_id(ISSUER_KEY.public_key()),)
    )
    assert signed["proof"]["created"] == "2024-05-01T12:00:00Z"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_signing_with_a_signing_key_gives_the_same_proof(
    badge: dict[str, Any], signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    key = SigningKey(verification_method_id(ISSUER_KEY.public_key()), ISSUER_KEY)
    assert sign(badge, key=key, loader=pinned_loader, created=CREATED) == signed


def test_changing_any_field_of_the_document_fails(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    paths = list(leaves(signed))
    assert len(paths) > 20
    outcomes = {path: check(tampered(signed, path), pinned_loader) for path in paths}
    # Changing the issuer's DID breaks the issuer-key binding; a changed type is undefined (and
    # its type-scoped terms with it), which safe canonicalisation refuses; all else breaks the
    # signature.
    expected = {
        path: Check.KEY_RESOLUTION
        if path == ("issuer", "id")
        else Check.CANONICALIZATION
        if "type" in path[-2:]
        else Check.SIGNATURE
        for path in paths
    }
    assert outcomes == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda d: d.pop("validUntil"), Check.SIGNATURE, id="remove-field"),
        pytest.param(
            lambda d: d.update(awardedDate="2024-01-01T00:00:00Z"), Check.SIGNATURE, id="add-field"
        ),
        pytest.param(
            lambda d: d["credentialSubject"]["achievement"]["alignment"].append(
                {"type": ["Alignment"]}
            ),
            Check.SIGNATURE,
            id="add-array-item",
        ),
        pytest.param(lambda d: d["type"].reverse(), None, id="reorder-type-set"),
        pytest.param(
            lambda d: d["@context"].__setitem__(
                1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
            ),
            Check.SIGNATURE,
            id="other-pinned-context",
        ),
        pytest.param(
            lambda d: d["@context"].append(
                "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
            ),
            Check.CONTEXT,
            id="unpinned-context",
        ),
        pytest.param(lambda d: d.pop("@context"), Check.CONTEXT, id="no-context"),
        pytest.param(lambda d: d.pop("proof"), Check.PROOF_MISSING, id="no-proof"),
    ],
)
def test_document_changes(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader, change: Any, expected: Check | None
) -> None:
    document = copy.deepcopy(signed)
    change(document)
    assert check(document, pinned_loader) == expected


def other_signature(proof: dict[str, Any]) -> str:
    return multibase_encode(OTHER_KEY.sign(b"something else"))


def flipped_signature(proof: dict[str, Any]) -> str:
    raw = bytearray(multibase_decode(proof["proofValue"]))
    raw[0] ^= 1
    return multibase_encode(bytes(raw))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("created", "2024-05-01T12:00:01Z", Check.SIGNATURE),
        ("created", "yesterday", Check.PROOF_MALFORMED),
        ("proofPurpose", "authentication", Check.PROOF_PURPOSE),
        ("cryptosuite", "eddsa-jcs-2022", Check.CRYPTOSUITE_UNSUPPORTED),
        ("cryptosuite", "eddsa-rdf-2022", Check.CRYPTOSUITE_UNSUPPORTED),
        ("type", "Ed25519Signature2020", Check.CRYPTOSUITE_UNSUPPORTED),
        (
            "verificationMethod",
            verification_method_id(OTHER_KEY.public_key()),
            Check.KEY_RESOLUTION,
        ),
        ("verificationMethod", "https://example.edu/issuers/565049#key-1", Check.KEY_RESOLUTION),
        ("verificationMethod", f"{ISSUER_DID}#z6MkWrong", Check.KEY_RESOLUTION),
        ("proofValue", other_signature, Check.SIGNATURE),
        ("proofValue", flipped_signature, Check.SIGNATURE),
        ("proofValue", "not-multibase", Check.PROOF_MALFORMED),
        ("proofValue", multibase_encode(b"short"), Check.PROOF_MALFORMED),
        ("domain", "credwalk.example", Check.SIGNATURE),
        ("expires", "2030-01-01T00:00:00Z", Check.SIGNATURE),
        ("id", "urn:uuid:8a4c4b6e-0b9b-4a5e-9d2e-3f1f7f1a1a1a", Check.SIGNATURE),
    ],
)
def test_proof_option_changes(
    signed: dict[str, Any],
    pinned_loader: PinnedDocumentLoader,
    field: str,
    value: Any,
    expected: Check,
) -> None:
    document = copy.deepcopy(signed)
    document["proof"][field] = value(document["proof"]) if callable(value) else value
    assert check(document, pinned_loader) == expected


def test_removing_created_fails(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    document = copy.deepcopy(signed)
    del document["proof"]["created"]
    assert check(document, pinned_loader) == Check.SIGNATURE


def test_purpose_change_fails_the_signature_when_the_verifier_expects_it(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    document = copy.deepcopy(signed)
    document["proof"]["proofPurpose"] = "authentication"
    assert (
        check(document, pinned_loader, expected_proof_purpose="authentication") == Check.SIGNATURE
    )


def test_a_key_other_than_the_claimed_one_fails_the_signature(
    badge: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    # Signed by OTHER_KEY while claiming the issuer's verification method.
    forged = sign(
        badge,
        key=OTHER_KEY,
        loader=pinned_loader,
        verification_method=verification_method_id(ISSUER_KEY.public_key()),
        created=CREATED,
    )
    assert check(forged, pinned_loader) == Check.SIGNATURE


def test_an_unknown_key_fails_key_resolution(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    def only_other_key(vm: str) -> Any:
        if vm == verification_method_id(OTHER_KEY.public_key()):
            return OTHER_KEY.public_key()
        raise NotFoundError("unknown key", details={"verification_method": vm})

    assert check(signed, pinned_loader, key_resolver=only_other_key) == Check.KEY_RESOLUTION


def test_self_issued_did_key_badge_cannot_claim_another_issuer(
    badge: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    # Anyone can make a did:key; what matters is that it is the issuer's.
    forged = sign(badge, key=OTHER_KEY, loader=pinned_loader, created=CREATED)
    assert check(forged, pinned_loader) == Check.KEY_RESOLUTION
    assert check(forged, pinned_loader, bind_issuer=False) is None


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("validFrom", "2025-01-01T00:00:00Z", Check.NOT_YET_VALID),
        ("validUntil", "2024-05-31T00:00:00Z", Check.EXPIRED),
        ("validUntil", "soon", Check.CREDENTIAL_MALFORMED),
    ],
)
def test_validity_period(
    badge: dict[str, Any],
    pinned_loader: PinnedDocumentLoader,
    field: str,
    value: str,
    expected: Check,
) -> None:
    badge[field] = value
    signed = sign(badge, key=ISSUER_KEY, loader=pinned_loader, created=CREATED)
    assert check(signed, pinned_loader) == expected


def test_expired_proof(badge: dict[str, Any], pinned_loader: PinnedDocumentLoader) -> None:
    signed = sign(
        badge,
        key=ISSUER_KEY,
        loader=pinned_loader,
        created=CREATED,
        expires=datetime(2024, 5, 2, tzinfo=UTC),
    )
    assert check(signed, pinned_loader) == Check.EXPIRED


def test_status(signed: dict[str, Any], pinned_loader: PinnedDocumentLoader) -> None:
    clear = StatusList.new()
    result = verify(
        signed, loader=pinned_loader, now=NOW, status_checker=status_checker({STATUS_LIST: clear})
    )
    assert (result.verified, result.status_checked) == (True, True)
    assert not verify(signed, loader=pinned_loader, now=NOW).status_checked

    revoked = status_checker({STATUS_LIST: clear.with_status(42)})
    assert check(signed, pinned_loader, status_checker=revoked) == Check.REVOKED
    assert check(signed, pinned_loader, status_checker=status_checker({})) == Check.STATUS


def test_suspension(badge: dict[str, Any], pinned_loader: PinnedDocumentLoader) -> None:
    badge["credentialStatus"] = status_list_entry(
        status_list_credential=STATUS_LIST, index=7, status_purpose="suspension"
    )
    signed = sign(badge, key=ISSUER_KEY, loader=pinned_loader, created=CREATED)
    suspended = status_checker({STATUS_LIST: StatusList.new().with_status(7)})
    assert check(signed, pinned_loader, status_checker=suspended) == Check.SUSPENDED


def test_tampered_context_cache_fails_the_context_check(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader, context_cache: Path
) -> None:
    ob = pinned_loader.manifest.entry("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    path = context_cache / f"{ob.sha256}.json"
    path.write_bytes(path.read_bytes().replace(b"schema.org/name", b"schema.org/nam"))
    fresh = PinnedDocumentLoader(pinned_loader.manifest, cache_dir=context_cache)
    assert check(signed, fresh) == Check.CONTEXT


def test_undefined_terms_cannot_be_signed_and_fail_canonicalization(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    # Under credentials/v1 (no @vocab) an undefined term would be dropped from the signed RDF.
    document = copy.deepcopy(signed)
    document["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        {"name": "https://schema.org/name"},
    ]
    with pytest.raises(InvalidInputError, match="terms no context defines"):
        sign(
            {k: v for k, v in document.items() if k != "proof"},
            key=ISSUER_KEY,
            loader=pinned_loader,
        )
    assert check(document, pinned_loader) == Check.CANONICALIZATION


def test_raise_for_failure(signed: dict[str, Any], pinned_loader: PinnedDocumentLoader) -> None:
    verify(signed, loader=pinned_loader, now=NOW).raise_for_failure()
    document = copy.deepcopy(signed)
    document["name"] = "Forged Degree"
    with pytest.raises(VerificationError, match="signature does not verify") as info:
        verify(document, loader=pinned_loader, now=NOW).raise_for_failure()
    assert info.value.details["check"] == "signature"


def test_sign_refuses_unknown_previous_proof(
    signed: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    with pytest.raises(InvalidInputError, match="previousProof"):
        sign(signed, key=ISSUER_KEY, loader=pinned_loader, previous_proof="urn:uuid:missing")


def test_sign_refuses_naive_datetimes(
    badge: dict[str, Any], pinned_loader: PinnedDocumentLoader
) -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        sign(badge, key=ISSUER_KEY, loader=pinned_loader, created=datetime(2024, 1, 1))
