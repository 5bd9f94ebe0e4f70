"""The European Learning Model v3 examples of the shared data, read through read_credential_file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graph.jsonld import PinnedDocumentLoader
from graph.model.credential_documents import credential_to_document
from graph.model.credentials import Credits, QualificationLevel
from graph.ontologies import ONTOLOGIES_DIR
from graph.reference.jurisdictions import load_jurisdictions
from ingest.credentials.formats import CredentialFile, Format
from ingest.credentials.own_format import load_credential_schemas
from ingest.credentials.reader import read_credential_file

Reader = Callable[[str], CredentialFile]

MICRO = [
    "Sample-MC-Annex1-unsigned.jsonld",
    "Sample-MC-Annex1-unsigned-uploadable.json",
    "Sample-MC-Annex1-signed.jsonld",
]
PARTICIPATION = [
    "Sample-CertOfPart-unsigned.jsonld",
    "Sample-CertOfPart-unsigned-uploadable.json",
    "Sample-CertOfPart-signed.jsonld",
]
ESCO = "http://data.europa.eu/esco/skill/"


@pytest.fixture
def read(shared_data: Path, pinned_loader: PinnedDocumentLoader) -> Reader:
    jurisdictions = load_jurisdictions(ONTOLOGIES_DIR / "jurisdictions.csv")

    def reader(name: str) -> CredentialFile:
        path = shared_data / "elm" / "v3" / "examples" / name
        return read_credential_file(path, loader=pinned_loader, jurisdictions=jurisdictions)

    return reader


@pytest.mark.parametrize(
    "name", [*MICRO, *PARTICIPATION, "credential-sample.jsonld", "credential-sample-turtle.ttl"]
)
def test_every_credential_example_is_read(read: Reader, name: str) -> None:
    result = read(name)
    assert result.format is Format.ELM
    assert len(result.credentials) == 1 and len(result.issuers) == 1 and result.skipped == ()
    credential = result.credentials[0].value
    assert credential.source_format == "elm"
    schemas = load_credential_schemas(ONTOLOGIES_DIR / "schemas")
    assert not list(schemas.credential.iter_errors(credential_to_document(credential)))


@pytest.mark.parametrize("name", MICRO)
def test_the_micro_credential(read: Reader, name: str) -> None:
    result = read(name)
    micro = result.credentials[0].value
    assert (micro.title, micro.type) == ("Digital micro-credential creation", "Qualification")
    assert micro.levels == (
        QualificationLevel("EQF", "6"),
        QualificationLevel("NQF", "http://data.europa.eu/snb/qdr/c_c392e7a2"),
    )
    assert micro.eqf_level() == 6
    assert micro.credits == Credits(2.0, "ECTS")
    assert (micro.hours, micro.duration) == (60.0, "P1M")
    assert (micro.field_of_study, micro.delivery, micro.language) == ("003", "blended", "en")
    assert micro.learning_outcomes == (
        "Communication, collaboration and creativity",
        "Developing digital content",
    )
    assert [s.uri.removeprefix(ESCO) for s in micro.skills] == [
        "ccdf3597-5c80-410f-896d-e1bdfa223de9",
        "80f308e6-0e09-404a-80cd-ec5f50f6f304",
        "326809fc-238d-40c2-881e-40042f7f2f0d",
        "5fd5c985-eaaa-47aa-8314-62359c54505a",
    ]
    assert micro.assessment == "Digital artefact assessment"
    assert (micro.issuer, micro.jurisdiction) == ("https://uniz.edu", "IE")
    issuer = result.issuers[0].value
    assert (issuer.name, issuer.jurisdiction, issuer.url) == (
        "University of Zed",
        "IE",
        "https://uniz.edu",
    )
    extra = dict(micro.extra)
    assert extra["elm:nqf_level"] == "RQF Level 6"
    assert extra["elm:isced_f"] == "0688"
    assert "EU Login" in extra["elm:entry_requirement"]


def test_copies_of_one_credential_read_as_one_credential(read: Reader) -> None:
    # The signed and unsigned micro-credentials are two issued instances of the same one.
    assert len({read(name).credentials[0].value.id for name in MICRO}) == 1
    assert len({read(name).credentials[0].value.id for name in PARTICIPATION}) == 1
    signed = read("Sample-MC-Annex1-signed.jsonld").credentials[0].value
    assert dict(signed.extra)["elm:signature"] == "JAdES signature present, not verified"
    unsigned = read("Sample-MC-Annex1-unsigned.jsonld").credentials[0].value
    assert "elm:signature" not in dict(unsigned.extra)


@pytest.mark.parametrize("name", PARTICIPATION)
def test_the_certificate_of_participation(read: Reader, name: str) -> None:
    result = read(name)
    webinar = result.credentials[0].value
    assert (webinar.title, webinar.type) == ("EDC Updates Webinar", "LearningActivitySpecification")
    assert (webinar.hours, webinar.delivery, webinar.language) == (2.0, "online", "en")
    assert webinar.skills == () and webinar.levels == ()
    assert webinar.jurisdiction == "BE"
    assert result.issuers[0].value.name == "European Digital Credentials for Learning Support Team"


def test_the_rdf_samples(read: Reader) -> None:
    sample = read("credential-sample.jsonld")
    achievement = sample.credentials[0].value
    assert (achievement.title, achievement.type) == (
        "some kind of learning achievement",
        "LearningAchievement",
    )
    assert (achievement.issuer, achievement.jurisdiction) == ("http://example.org/org1", "FR")
    assert achievement.valid_from == "2010-10-01T00:00:00"
    turtle = read("credential-sample-turtle.ttl").credentials[0].value
    assert turtle.title == achievement.title
    # The Turtle sample names no awarding body: the credential's issuer stands in.
    assert turtle.issuer == "http://example.org/issuer565049"


def test_the_elm_v2_xml_diploma_supplement_is_skipped(read: Reader) -> None:
    result = read("EDC_DiplomaSupplement_AA.xml")
    assert result.format is Format.XML and result.credentials == ()
    assert "not read" in result.skipped[0].reason
