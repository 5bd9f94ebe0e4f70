"""The demo catalogue (ontologies/demo/credentials.json) reads, saves and covers the demo ESCO.

It is the project's own data, written for the demo and the equivalence tests: these checks keep
it valid as the schema, the reference data and the ESCO slice evolve.
"""

from __future__ import annotations

import json
from collections import defaultdict

from graph.model.concepts import NodeKind, RelationType
from graph.model.credentials import IssuerType
from graph.services.catalogue.credentials import get_credential, list_credentials, save_catalogue
from graph.store import Direction, GraphStore
from ingest.demo import read_demo_slice
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import (
    CATALOGUE,
    ONTOLOGIES,
    load_demo_catalogue,
    read_demo_catalogue,
)

ACCOUNTANT = "http://data.europa.eu/esco/occupation/eda0d957-3c3c-4139-b89a-a18bc9e18897"
#: The accountant's essential skills the catalogue leaves uncovered on purpose (national tax
#: practice and fraud detection), so that pathways to that occupation show a real gap.
ACCOUNTANT_GAPS = {
    "http://data.europa.eu/esco/skill/22a173f5-868c-4d82-87e6-beed500ce070",  # tax returns forms
    "http://data.europa.eu/esco/skill/2ecf90f1-c511-464b-b26f-598d69182c70",  # calculate tax
    "http://data.europa.eu/esco/skill/541cdc23-1eec-4520-81fc-3392eaf538ed",  # fraud detection
    "http://data.europa.eu/esco/skill/d669af41-756c-48d9-a286-1443253f54b1",  # tax legislation
}


def test_every_record_of_the_file_is_read() -> None:
    records = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    catalogue = read_demo_catalogue()
    assert len(catalogue.issuers) + len(catalogue.credentials) == len(records)
    assert {i.type for i in catalogue.issuers} == set(IssuerType)
    jurisdictions = {c.jurisdiction for c in catalogue.credentials}
    assert {"IE", "DE", "FR", "NL", "PL", "ES", "GB-SCT", "GB-ENG", "US", "EU"} <= jurisdictions
    assert {c.language for c in catalogue.credentials} >= {"en", "fr", "de"}
    assert {c.cost.currency for c in catalogue.credentials if c.cost} == {"EUR", "GBP", "USD"}


def test_the_catalogue_saves_and_reads_back(store: GraphStore) -> None:
    catalogue = load_demo_catalogue(store)
    stored = list_credentials(store)
    assert [c.id for c in stored] == sorted(c.id for c in catalogue.credentials)
    for credential in catalogue.credentials:
        assert get_credential(store, credential.id) == credential
    # every prerequisite and stacking target is in the catalogue, so nothing is unresolved
    again = save_catalogue(
        store,
        actor=ADMIN,
        issuers=catalogue.issuers,
        credentials=catalogue.credentials,
        reference=catalogue.reference,
    )
    assert again.unresolved == ()
    by_level = defaultdict(list)
    for record in store.list_records(kind=NodeKind.CREDENTIAL):
        by_level[record.index["eqf_level"]].append(record.uri)
    # national levels are resolved to the EQF; US credentials state none
    assert None in by_level and len(set(by_level) - {None}) >= 4


def test_essential_skills_of_the_demo_occupations_are_covered(store: GraphStore) -> None:
    load_demo_catalogue(store)
    demo = read_demo_slice(ONTOLOGIES)
    essential: dict[str, set[str]] = defaultdict(set)
    for relation in demo.relations:
        if relation.type is RelationType.HAS_ESSENTIAL_SKILL:
            essential[relation.source].add(relation.target)
    occupations = [c for c in demo.concepts.values() if c.kind is NodeKind.OCCUPATION]
    assert len(occupations) == 7
    for occupation in occupations:
        uncovered = {
            skill
            for skill in essential[occupation.uri]
            if not store.relations(
                skill, direction=Direction.IN, types=[RelationType.CERTIFIES_SKILL]
            )
        }
        expected = ACCOUNTANT_GAPS if occupation.uri == ACCOUNTANT else set()
        assert uncovered == expected, occupation.preferred_label()


STACKED = (
    "https://www.liffey-tu.example/credentials/certificate-software-development",
    "https://www.institut-numerique-lyon.example/credentials/certificat-developpeur-web",
    "https://www.data-skills-alliance.example/credentials/data-analytics-professional-certificate",
)


def test_stacked_certificates_certify_what_their_parts_do(store: GraphStore) -> None:
    load_demo_catalogue(store)
    for certificate in STACKED:
        parts = [
            r.source
            for r in store.relations(
                certificate, direction=Direction.IN, types=[RelationType.STACKS_INTO]
            )
        ]
        assert len(parts) >= 3
        whole = get_credential(store, certificate)
        union = {s.uri for part in parts for s in get_credential(store, part).skills}
        assert {s.uri for s in whole.skills} == union, certificate
        assert whole.credits is not None
        # the Alliance certificate counts its common modules once, whoever delivered them
        assert whole.credits.value <= sum(
            (get_credential(store, p).credits or whole.credits).value for p in parts
        )
