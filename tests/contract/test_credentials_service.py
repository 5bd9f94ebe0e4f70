"""Saving and reading issuers and credentials, on every backend."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.model.concepts import NodeKind, RelationType
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerType,
    Prerequisite,
    QualificationLevel,
    SkillStatus,
)
from graph.reference import ReferenceData, load_reference_data
from graph.services.catalogue.credentials import (
    credentials_certifying,
    get_credential,
    get_issuer,
    list_credentials,
    list_issuers,
    save_catalogue,
)
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN

ONTOLOGIES = Path(__file__).resolve().parents[2] / "ontologies"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
UCD = Issuer("https://www.ucd.ie", "University College Dublin", IssuerType.INSTITUTION, "ie")
COURSE = Credential(
    id="https://www.ucd.ie/credentials/python-for-data",
    title="Python for data work",
    issuer=UCD.id,
    jurisdiction="IE",
    recognized_in=("IE", "EU"),
    levels=(QualificationLevel("ie-nfq", "8"),),
    credits=Credits(5, "ECTS"),
    hours=125,
    learning_outcomes=("Write Python programs that clean and analyse data",),
    skills=(CredentialSkill(PYTHON, level=5), CredentialSkill(SQL, level=4)),
)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_reference_data(ONTOLOGIES, base_iri="https://credwalk.org/id")


def test_save_and_read_back(loaded_store: GraphStore, reference: ReferenceData) -> None:
    report = save_catalogue(
        loaded_store, actor=ADMIN, issuers=[UCD], credentials=[COURSE], reference=reference
    )
    assert report.credentials == (COURSE.id,) and report.unresolved == ()
    assert get_issuer(loaded_store, UCD.id).jurisdiction == "IE"  # normalised from "ie"
    assert get_credential(loaded_store, COURSE.id) == COURSE
    edges = {(r.type, r.target, r.level) for r in loaded_store.relations(COURSE.id)}
    assert (RelationType.CERTIFIES_SKILL, PYTHON, 5) in edges
    assert (RelationType.ISSUED_BY, UCD.id, None) in edges
    assert credentials_certifying(loaded_store, PYTHON) == [COURSE.id]
    record = loaded_store.get_record(COURSE.id, kind=NodeKind.CREDENTIAL)
    assert record.index["eqf_level"] == 6  # IE NFQ 8 is referenced to EQF 6


def test_filters(loaded_store: GraphStore, reference: ReferenceData) -> None:
    german = Issuer("https://www.tum.de", "TU München", IssuerType.INSTITUTION, "DE")
    other = dataclasses.replace(
        COURSE, id="https://www.tum.de/c/python", issuer=german.id, jurisdiction="DE", levels=()
    )
    save_catalogue(
        loaded_store,
        actor=ADMIN,
        issuers=[UCD, german],
        credentials=[COURSE, other],
        reference=reference,
    )
    assert [c.id for c in list_credentials(loaded_store, where={"jurisdiction": "DE"})] == [
        other.id
    ]
    assert [c.id for c in list_credentials(loaded_store, where={"eqf_level": 6})] == [COURSE.id]
    assert {i.id for i in list_issuers(loaded_store, where={"type": "institution"})} == {
        UCD.id,
        german.id,
    }


def test_updating_replaces_the_edges(loaded_store: GraphStore) -> None:
    save_catalogue(loaded_store, actor=ADMIN, issuers=[UCD], credentials=[COURSE])
    narrower = dataclasses.replace(COURSE, skills=(CredentialSkill(SQL, level=3),))
    save_catalogue(loaded_store, actor=ADMIN, credentials=[narrower])
    targets = {
        r.target for r in loaded_store.relations(COURSE.id, types=[RelationType.CERTIFIES_SKILL])
    }
    assert targets == {SQL}
    assert credentials_certifying(loaded_store, PYTHON) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"issuer": "https://nobody.example"}, "issuer", "unknown issuer"),
        (
            {"skills": (CredentialSkill("http://data.europa.eu/esco/skill/nope"),)},
            "skills[0].uri",
            "unknown skill",
        ),
        ({"skills": (CredentialSkill(PYTHON, level=9),)}, "skills[0].level", "outside the scale"),
        ({"levels": (QualificationLevel("ie-nfq", "11"),)}, "levels[0]", "not a level of"),
        ({"jurisdiction": "XX"}, "jurisdiction", "unknown jurisdiction"),
        ({"hours": -1.0}, "hours", "negative"),
    ],
    ids=["issuer", "skill", "skill-level", "nqf-level", "jurisdiction", "hours"],
)
def test_bad_credentials_write_nothing(
    loaded_store: GraphStore,
    reference: ReferenceData,
    change: dict[str, object],
    field: str,
    words: str,
) -> None:
    save_catalogue(
        loaded_store, actor=ADMIN, issuers=[UCD], credentials=[COURSE], reference=reference
    )
    before = loaded_store.stats()
    bad = dataclasses.replace(COURSE, title="changed", **change)  # type: ignore[arg-type]
    second = dataclasses.replace(COURSE, id="https://www.ucd.ie/credentials/other")
    with pytest.raises(InvalidInputError, match=words) as info:
        save_catalogue(loaded_store, actor=ADMIN, credentials=[second, bad], reference=reference)
    assert field in info.value.details["field"]
    assert loaded_store.stats() == before
    assert get_credential(loaded_store, COURSE.id).title == COURSE.title
    with pytest.raises(NotFoundError):
        get_credential(loaded_store, second.id)


def test_links_to_unknown_credentials_are_reported(loaded_store: GraphStore) -> None:
    advanced = dataclasses.replace(
        COURSE,
        id="https://www.ucd.ie/credentials/advanced",
        prerequisites=(
            Prerequisite(credential=COURSE.id),
            Prerequisite(credential="https://elsewhere.example/c"),
            Prerequisite(skill=PYTHON, level=3),
        ),
        stacks_into=("https://www.ucd.ie/credentials/msc",),
    )
    report = save_catalogue(
        loaded_store, actor=ADMIN, issuers=[UCD], credentials=[COURSE, advanced]
    )
    assert report.unresolved == (
        "https://elsewhere.example/c",
        "https://www.ucd.ie/credentials/msc",
    )
    edges = {(r.type, r.target) for r in loaded_store.relations(advanced.id)}
    assert (RelationType.REQUIRES_CREDENTIAL, COURSE.id) in edges
    assert (RelationType.REQUIRES_SKILL, PYTHON) in edges
    assert get_credential(loaded_store, advanced.id).prerequisites == advanced.prerequisites


def test_suggested_skills_keep_their_status(loaded_store: GraphStore) -> None:
    suggested = dataclasses.replace(
        COURSE,
        skills=(CredentialSkill(PYTHON, status=SkillStatus.SUGGESTED, score=0.8, model="m"),),
    )
    save_catalogue(loaded_store, actor=ADMIN, issuers=[UCD], credentials=[suggested])
    (edge,) = loaded_store.relations(COURSE.id, types=[RelationType.CERTIFIES_SKILL])
    assert edge.status == "suggested" and edge.weight == 0.8
    assert get_credential(loaded_store, COURSE.id).confirmed_skills == ()
