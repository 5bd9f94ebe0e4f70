"""The pinned document loader: only manifest URLs, only matching bytes, never the network."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import (
    ContextManifest,
    PinnedDocumentLoader,
    cache_path,
    fetch_pinned,
    load_manifest,
    seed_cache,
)
from graph.proofs.canonical import canonicalize
from tests.fixtures.jsonld_cache import MANIFEST_PATH

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EDC = "http://data.europa.eu/snb/model/context/edc-ap"
#: Pinned URL -> file in the shared data with the same bytes.
OB_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"
SHARED_COPIES = {
    V1: "w3c-vc-contexts/credentials-v1.jsonld",
    V2: "w3c-vc-contexts/credentials-v2.jsonld",
    **{
        f"https://www.w3.org/ns/credentials/{name}/v2": (
            f"w3c-vc-contexts/credentials-{name}-v2.jsonld"
        )
        for name in ("examples", "undefined-terms")
    },
    "https://w3id.org/citizenship/v4rc1": "w3c-vc-contexts/citizenship-v4rc1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": (
        "w3c-vc-di-eddsa/contexts/lds-ed25519-2020-v1.json"
    ),
    **{
        f"{OB_PREFIX}context-{v}.json": f"openbadges/v3p0/context/context-{v}.json"
        for v in ("3.0.1", "3.0.2", "3.0.3")
    },
    EDC: "elm/v3/vocabulary/edc-ap-context.jsonld",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cert_schema_file(relative: str) -> Path:
    return Path(str(metadata.distribution("cert-schema").locate_file(relative)))


def test_manifest_pins_the_shared_files(
    shared_data: Path, context_manifest: ContextManifest
) -> None:
    for url, relative in SHARED_COPIES.items():
        assert context_manifest.entry(url).sha256 == sha256(shared_data / relative), url


def test_packaged_copies_match_the_shared_files_where_both_exist(
    shared_data: Path, context_manifest: ContextManifest
) -> None:
    v2 = cert_schema_file("cert_schema/3.2/credential_v2.json")
    assert sha256(v2) == sha256(shared_data / SHARED_COPIES[V2])
    # cert-schema's v1 is an older revision without @protected: not the same context.
    v1 = cert_schema_file("cert_schema/3.0/credential.json")
    assert sha256(v1) != context_manifest.entry(V1).sha256
    assert context_manifest.entry(V1).distribution is None
    for entry in context_manifest.entries.values():
        if entry.package_path is not None:
            assert sha256(cert_schema_file(entry.package_path)) == entry.sha256, entry.url


def test_serves_packaged_contexts_without_a_cache(context_manifest: ContextManifest) -> None:
    loader = PinnedDocumentLoader(context_manifest)
    packaged = [url for url, entry in context_manifest.entries.items() if entry.distribution]
    assert V2 in packaged and "https://w3id.org/security/data-integrity/v2" in packaged
    for url in packaged:
        remote = loader(url, {})
        assert remote["documentUrl"] == url and "@context" in remote["document"]
        assert loader.origin(url) == "package"
    with pytest.raises(NotFoundError, match="no context cache") as info:
        loader(V1)
    assert info.value.details == {"url": V1, "reason": "context_not_cached"}


def test_serves_cached_contexts(pinned_loader: PinnedDocumentLoader) -> None:
    assert pinned_loader.origin(OB_303) == "cache"
    assert pinned_loader.origin(V2) == "package"
    document = pinned_loader.document(EDC)
    document["@context"].clear()
    assert pinned_loader.document(EDC)["@context"], "each call returns a fresh copy"


@pytest.mark.parametrize(
    "url",
    [
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://www.w3.org/ns/credentials/v2/",
        "http://www.w3.org/ns/credentials/v2",
    ],
)
def test_refuses_unpinned_urls(pinned_loader: PinnedDocumentLoader, url: str) -> None:
    with pytest.raises(NotFoundError, match="not pinned") as info:
        pinned_loader(url)
    assert info.value.details == {"url": url, "reason": "context_not_pinned"}


def test_refuses_a_cached_file_whose_hash_differs(
    context_manifest: ContextManifest, context_cache: Path
) -> None:
    entry = context_manifest.entry(OB_303)
    path = cache_path(context_cache, entry.sha256)
    data = json.loads(path.read_bytes())
    data["@context"]["name"] = {"@id": "https://evil.example/name"}
    path.write_text(json.dumps(data))
    loader = PinnedDocumentLoader(context_manifest, cache_dir=context_cache)
    with pytest.raises(InvalidInputError, match=OB_303.replace(".", r"\.")) as info:
        loader(OB_303)
    assert info.value.details["reason"] == "context_hash_mismatch"
    assert info.value.details["expected_sha256"] == entry.sha256


def test_cache_miss_names_the_url(context_manifest: ContextManifest, tmp_path: Path) -> None:
    loader = PinnedDocumentLoader(context_manifest, cache_dir=tmp_path)
    with pytest.raises(NotFoundError, match="missing from the cache") as info:
        loader(EDC)
    assert info.value.details["url"] == EDC


def test_seeding_matches_bytes_not_names(
    shared_data: Path, context_manifest: ContextManifest, tmp_path: Path
) -> None:
    source = tmp_path / "incoming"
    source.mkdir()
    (source / "renamed.txt").write_bytes((shared_data / SHARED_COPIES[EDC]).read_bytes())
    (source / "credentials-v1.jsonld").write_bytes(
        cert_schema_file("cert_schema/3.0/credential.json").read_bytes()
    )
    report = seed_cache(source, cache_dir=tmp_path / "cache", manifest=context_manifest)
    assert report.seeded == (EDC,)
    assert V1 in report.missing and V2 not in report.missing
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        f"{context_manifest.entry(EDC).sha256}.json"
    ]


def test_load_manifest_rejects_bad_hashes(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"contexts": {V2: {"sha256": "abc"}}}))
    with pytest.raises(InvalidInputError, match="no valid sha256"):
        load_manifest(path)
    with pytest.raises(InvalidInputError, match="cannot read"):
        load_manifest(tmp_path / "absent.json")


def test_fetch_pinned_refuses_unpinned_urls_before_any_download(
    context_manifest: ContextManifest, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="not pinned"):
        fetch_pinned(
            "https://example.org/context.jsonld", manifest=context_manifest, cache_dir=tmp_path
        )
    assert not any(tmp_path.iterdir())


def elm_example(shared_data: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (shared_data / "elm" / "v3" / "examples" / name).read_text(encoding="utf-8")
    )
    return document


@pytest.mark.parametrize(
    "name", ["Sample-CertOfPart-unsigned.jsonld", "Sample-MC-Annex1-unsigned.jsonld"]
)
def test_elm_examples_canonicalise_offline(
    shared_data: Path, pinned_loader: PinnedDocumentLoader, name: str
) -> None:
    document = elm_example(shared_data, name)
    assert document["@context"] == [V1, EDC]
    nquads = canonicalize(document, loader=pinned_loader)
    assert "<http://data.europa.eu/snb/model/elm/" in nquads


def test_safe_mode_catches_a_misspelt_elm_term(
    shared_data: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    # The ELM sample spells eIDASIdentifier with a Greek capital iota (U+0399); no context
    # defines that term, so plain JSON-LD silently drops the property.
    document = elm_example(shared_data, "credential-sample.jsonld")
    with pytest.raises(InvalidInputError, match="terms no context defines") as info:
        canonicalize(document, loader=pinned_loader)
    assert info.value.details["terms"] == ["eIDAS\u0399dentifier"]
    assert "eIDAS" not in canonicalize(document, loader=pinned_loader, safe=False)


def test_safe_mode_refuses_relative_iris(pinned_loader: PinnedDocumentLoader) -> None:
    document = {"@context": [V2], "id": "credentials/1", "type": ["VerifiableCredential"]}
    with pytest.raises(InvalidInputError, match="relative IRIs") as info:
        canonicalize(document, loader=pinned_loader)
    assert info.value.details == {"reason": "relative_iri", "iris": ["credentials/1"]}


def test_canonicalize_names_an_unpinned_context(pinned_loader: PinnedDocumentLoader) -> None:
    document = {
        "@context": [V2, "https://example.org/ctx.jsonld"],
        "type": ["VerifiableCredential"],
    }
    with pytest.raises(NotFoundError, match=r"https://example\.org/ctx\.jsonld") as info:
        canonicalize(document, loader=pinned_loader)
    assert info.value.details["reason"] == "context_not_pinned"


def test_pyld_process_cache_cannot_stand_in_for_a_pinned_context(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    # Another loader in the same process puts a different "v2" into pyld's shared cache ...
    def rogue_loader(url: str, options: Any) -> dict[str, Any]:
        context = {"@context": {"name": "https://evil.example/name", "id": "@id", "type": "@type"}}
        return {"contextUrl": None, "documentUrl": url, "document": context, "tag": "static"}

    document = {"@context": [V2], "id": "urn:uuid:1", "name": "Ada"}
    try:
        jsonld.to_rdf(document, {"documentLoader": rogue_loader, "format": "application/n-quads"})
        # Plain pyld now resolves v2 from its process-wide cache, even given our loader ...
        plain = jsonld.to_rdf(
            document, {"documentLoader": pinned_loader, "format": "application/n-quads"}
        )
        assert "https://evil.example/name" in plain
        # ... while canonicalize keeps a cache of its own and uses the pinned context.
        assert "https://schema.org/name" in canonicalize(document, loader=pinned_loader)
    finally:
        jsonld._resolved_context_cache.clear()


def test_every_pinned_context_is_served_on_a_fresh_install() -> None:
    # No cache at all: each pinned URL comes from credwalk's own copy or its registry package.
    manifest = load_manifest(MANIFEST_PATH)
    loader = PinnedDocumentLoader(manifest)
    for url, entry in manifest.entries.items():
        assert "@context" in loader.document(url), url
        assert loader.origin(url) == ("shipped" if entry.shipped else "package"), url
    assert loader.origin(OB_303) == "shipped" and loader.origin(V2) == "package"


def test_a_shipped_copy_that_does_not_match_its_hash_is_not_served(tmp_path: Path) -> None:
    manifest = json.loads(MANIFEST_PATH.read_bytes())
    (tmp_path / "pinned").mkdir()
    shipped = MANIFEST_PATH.parent / manifest["contexts"][OB_303]["file"]
    (tmp_path / manifest["contexts"][OB_303]["file"]).write_bytes(shipped.read_bytes() + b" ")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    loader = PinnedDocumentLoader(load_manifest(tmp_path / "manifest.json"))
    with pytest.raises(NotFoundError, match="no context cache"):
        loader(OB_303)
