"""Open Badges 3.0 examples and test vectors against pinned canonicalisation and proofs.

The 1EdTech test vectors (``test-vectors/obv3p0``) are canonical N-Quads of a credential the
repository does not include; it is the spec's basic example with the issuer
``https://example.edu/issuers/565049`` and its ``url``, which :func:`vector_credential` rebuilds.
The CLR 2.0 document vector needs the CLR context, which is not available, so only its proof
options (identical to the OB ones) are checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.proofs.canonical import canonicalize
from graph.proofs.data_integrity import Check, sign, signing_input, verify
from graph.proofs.did_key import did_key

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
VECTOR_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2010-01-01T19:23:24Z",
    "verificationMethod": (
        "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    ),
    "proofPurpose": "assertionMethod",
}
NOW = datetime(2015, 1, 1, tzinfo=UTC)


@pytest.fixture
def ob(shared_data: Path) -> Path:
    return shared_data / "openbadges" / "v3p0"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def vector_credential(ob: Path) -> dict[str, Any]:
    credential: dict[str, Any] = read_json(ob / "examples" / "basicOpenBadgeCredential.json")
    credential["issuer"] = {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "name": "Example Corp",
        "url": "https://www.imsglobal.org",
    }
    return credential


def test_obv3p0_document_vector(ob: Path, pinned_loader: PinnedDocumentLoader) -> None:
    expected = (ob / "test-vectors" / "obv3p0" / "document-canon.txt").read_text(encoding="utf-8")
    assert canonicalize(vector_credential(ob), loader=pinned_loader) == expected


@pytest.mark.parametrize("vector", ["obv3p0", "clrv2p0"])
def test_proof_options_vectors(ob: Path, vector: str, pinned_loader: PinnedDocumentLoader) -> None:
    expected = (ob / "test-vectors" / vector / "proof-canon.txt").read_text(encoding="utf-8")
    data = signing_input(vector_credential(ob), VECTOR_PROOF, loader=pinned_loader)
    assert data.canonical_proof_options == expected


def test_vector_needs_context_303(ob: Path, pinned_loader: PinnedDocumentLoader) -> None:
    credential = vector_credential(ob)
    expected = (ob / "test-vectors" / "obv3p0" / "document-canon.txt").read_text(encoding="utf-8")
    credential["@context"][1] = OB_CONTEXT.replace("3.0.3", "3.0.2")
    # 3.0.2 maps AchievementSubject.achievement to vocab.html#achievement-0.
    assert "#achievement-0>" in canonicalize(credential, loader=pinned_loader) != expected
    credential["@context"][1] = OB_CONTEXT.replace("3.0.3", "3.0.1")
    with pytest.raises(InvalidInputError, match="protected term") as info:
        canonicalize(credential, loader=pinned_loader)
    assert info.value.details["reason"] == "jsonld"


@pytest.mark.parametrize(
    "name",
    ["basicOpenBadgeCredential", "achievementAlignmentCase", "achievementAlignmentCe"],
)
def test_examples_on_pinned_contexts_sign_and_verify(
    ob: Path, name: str, pinned_loader: PinnedDocumentLoader
) -> None:
    credential = read_json(ob / "examples" / f"{name}.json")
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    credential["issuer"]["id"] = did_key(key.public_key())
    signed = sign(credential, key=key, loader=pinned_loader)
    assert verify(signed, loader=pinned_loader, now=NOW).verified


@pytest.mark.parametrize(
    "name", ["endorsement", "fullOpenBadge", "skillAssertionCase", "skillAssertionCtdl"]
)
def test_examples_using_the_extensions_context_are_refused(
    ob: Path, name: str, pinned_loader: PinnedDocumentLoader
) -> None:
    credential = read_json(ob / "examples" / f"{name}.json")
    assert EXTENSIONS in credential["@context"]
    with pytest.raises(NotFoundError, match=EXTENSIONS.replace(".", r"\.")) as info:
        canonicalize(credential, loader=pinned_loader)
    assert info.value.details == {"url": EXTENSIONS, "reason": "context_not_pinned"}


def embedded_credentials(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "proof" in node:
            yield node
        for value in node.values():
            yield from embedded_credentials(value)
    elif isinstance(node, list):
        for value in node:
            yield from embedded_credentials(value)


def test_full_badge_embedded_proofs_are_placeholders(
    ob: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    endorsements = list(embedded_credentials(read_json(ob / "examples" / "fullOpenBadge.json")))
    assert len(endorsements) == 5
    for endorsement in endorsements:
        assert endorsement["@context"] == ["https://www.w3.org/ns/credentials/v2", OB_CONTEXT]
        # "eddsa-rdf-2022" (sic) and a proofValue reused as the key fragment: illustrative only.
        result = verify(endorsement, loader=pinned_loader, now=NOW)
        assert result.check == Check.CRYPTOSUITE_UNSUPPORTED
        endorsement["proof"][0]["cryptosuite"] = "eddsa-rdfc-2022"
        result = verify(endorsement, loader=pinned_loader, now=NOW)
        assert result.check == Check.KEY_RESOLUTION
