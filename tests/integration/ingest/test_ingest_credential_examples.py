"""Every shared CTDL, Open Badges and ELM example describing a credential ingests into a store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.jsonld import PinnedDocumentLoader
from graph.model.concepts import NodeKind
from graph.reference import ReferenceData, load_reference_data
from graph.services.catalogue.credentials import get_credential, get_issuer
from ingest.run import ingest_credentials
from tests.conftest import REPO_ROOT
from tests.fixtures.actors import ADMIN

pytestmark = pytest.mark.slow
ONTOLOGIES = REPO_ROOT / "ontologies"

#: Example file (under the shared data) -> credentials it holds.
EXAMPLES = {
    "ctdl/ingest-examples/Credential/1/Credential-1.json": 1,
    "ctdl/ingest-examples/LearningProgram/1/LearningProgram-1-graph.json": 4,
    "ctdl/ingest-examples/LearningProgram/2/LearningProgram-2.json": 1,
    "ctdl/registry-fixtures/credential_3_import.json": 1,
    "ctdl/registry-fixtures/credential_4_import.json": 1,
    "ctdl/registry-fixtures/learning_opportunity_profile_2_import.json": 1,
    "ctdl/registry-fixtures/learning_opportunity_profile_3_import.json": 1,
    "ctdl/registry-seeds/learning_opportunity_profile.json": 10,
    "ctdl/registry-seeds/credential.json": 1,
    "openbadges/v3p0/examples/achievementAlignmentCase.json": 1,
    "openbadges/v3p0/examples/achievementAlignmentCe.json": 1,
    "openbadges/v3p0/examples/basicOpenBadgeCredential.json": 1,
    "openbadges/v3p0/examples/fullOpenBadge.json": 1,
    "openbadges/v3p0/examples/skillAssertionCase.json": 1,
    "openbadges/v3p0/examples/skillAssertionCtdl.json": 1,
    "elm/v3/examples/Sample-MC-Annex1-unsigned.jsonld": 1,
    "elm/v3/examples/Sample-MC-Annex1-signed.jsonld": 1,
    "elm/v3/examples/Sample-CertOfPart-unsigned-uploadable.json": 1,
    "elm/v3/examples/credential-sample.jsonld": 1,
}


@pytest.fixture(scope="module")
def shared_store(
    esco_structure_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedStore]:
    """One store with all of ESCO for the module: loading ESCO into memory once, not per test.

    The examples have distinct IRIs, so they do not interfere.
    """
    path = tmp_path_factory.mktemp("examples") / "esco.db"
    shutil.copyfile(esco_structure_db, path)
    with EmbeddedStore(path) as store:
        yield store


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_reference_data(ONTOLOGIES, base_iri="https://credwalk.org/id")


@pytest.mark.parametrize("example", sorted(EXAMPLES), ids=lambda e: Path(e).name)
def test_example_ingests(
    example: str,
    shared_data: Path,
    shared_store: EmbeddedStore,
    pinned_loader: PinnedDocumentLoader,
    reference: ReferenceData,
) -> None:
    report = ingest_credentials(
        shared_store,
        [shared_data / example],
        actor=ADMIN,
        loader=pinned_loader,
        reference=reference,
        ontologies_dir=ONTOLOGIES,
        embedder=None,
        max_bytes=5_000_000,
    )
    assert len(report.saved.credentials) == EXAMPLES[example]
    assert set(report.referenced_issuers) <= set(report.saved.issuers)
    for credential_id in report.saved.credentials:
        credential = get_credential(shared_store, credential_id)
        assert credential.title
        assert shared_store.get_record(credential.issuer, kind=NodeKind.ISSUER)


def test_the_elm_micro_credential_keeps_its_esco_skills_and_levels(
    shared_data: Path,
    esco_store: EmbeddedStore,
    pinned_loader: PinnedDocumentLoader,
    reference: ReferenceData,
) -> None:
    report = ingest_credentials(
        esco_store,
        [shared_data / "elm/v3/examples/Sample-MC-Annex1-unsigned.jsonld"],
        actor=ADMIN,
        loader=pinned_loader,
        reference=reference,
        ontologies_dir=ONTOLOGIES,
        embedder=None,
        max_bytes=5_000_000,
    )
    (credential_id,) = report.saved.credentials
    credential = get_credential(esco_store, credential_id)
    assert credential.title == "Digital micro-credential creation"
    assert credential.eqf_level() == 6
    assert credential.credits is not None and credential.credits.value == 2
    assert len(credential.skills) == 4
    record = esco_store.get_record(credential_id, kind=NodeKind.CREDENTIAL)
    assert record.index["eqf_level"] == 6 and record.index["jurisdiction"] == "IE"


def test_a_bad_file_among_good_ones_writes_nothing(
    shared_data: Path,
    esco_store: EmbeddedStore,
    pinned_loader: PinnedDocumentLoader,
    reference: ReferenceData,
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "https://x.example/c", "title": "No issuer"}]', encoding="utf-8")
    before = esco_store.stats()
    with pytest.raises(Exception, match="issuer") as info:
        ingest_credentials(
            esco_store,
            [shared_data / "ctdl/registry-seeds/credential.json", bad],
            actor=ADMIN,
            loader=pinned_loader,
            reference=reference,
            ontologies_dir=ONTOLOGIES,
            embedder=None,
            max_bytes=5_000_000,
        )
    assert getattr(info.value, "details", {}).get("source", "").endswith("bad.json")
    assert esco_store.stats() == before


def test_issuers_named_only_by_iri_are_recorded_as_such(
    shared_data: Path,
    esco_store: EmbeddedStore,
    pinned_loader: PinnedDocumentLoader,
    reference: ReferenceData,
) -> None:
    organisation = shared_data / "ctdl/ingest-examples/Organization/1/Organization-1.json"
    credential = shared_data / "ctdl/ingest-examples/Credential/1/Credential-1.json"
    alone = ingest_credentials(
        esco_store,
        [credential],
        actor=ADMIN,
        loader=pinned_loader,
        reference=reference,
        ontologies_dir=ONTOLOGIES,
        embedder=None,
        max_bytes=5_000_000,
    )
    (stub,) = alone.referenced_issuers
    assert (get_issuer(esco_store, stub).description or "").startswith("Known only by its IRI")
    together = ingest_credentials(
        esco_store,
        [organisation, credential],
        actor=ADMIN,
        loader=pinned_loader,
        reference=reference,
        ontologies_dir=ONTOLOGIES,
        embedder=None,
        max_bytes=5_000_000,
    )
    assert together.referenced_issuers == ()
    assert get_issuer(esco_store, stub).name == "Example University"
