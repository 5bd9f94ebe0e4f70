"""Fixtures of the credential-format tests: schemas, jurisdictions, the CTDL-aware loader."""

from __future__ import annotations

import pytest

from graph.jsonld import PinnedDocumentLoader
from graph.ontologies import ONTOLOGIES_DIR
from graph.reference.jurisdictions import Jurisdictions, load_jurisdictions
from ingest.credentials.linked_data import StandInDocumentLoader, stand_in_loader
from ingest.credentials.own_format import CredentialSchemas, load_credential_schemas

MANIFEST = ONTOLOGIES_DIR / "contexts" / "manifest.json"


@pytest.fixture
def schemas() -> CredentialSchemas:
    """Validators of the project's own credential format."""
    return load_credential_schemas(ONTOLOGIES_DIR / "schemas")


@pytest.fixture
def jurisdictions() -> Jurisdictions:
    """The project's jurisdiction table."""
    return load_jurisdictions(ONTOLOGIES_DIR / "jurisdictions.csv")


@pytest.fixture
def ctdl_loader(pinned_loader: PinnedDocumentLoader) -> StandInDocumentLoader:
    """The pinned loader plus the CTDL context stand-in."""
    return stand_in_loader(pinned_loader, manifest_path=MANIFEST)
