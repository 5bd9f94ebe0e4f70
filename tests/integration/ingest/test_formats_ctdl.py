"""The Credential Engine CTDL examples of the shared data, read through read_credential_file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graph.jsonld import PinnedDocumentLoader
from graph.model.concepts import RelationType
from graph.model.credential_documents import credential_to_document
from graph.model.credentials import Credits, IssuerType, Money, Prerequisite
from graph.ontologies import ONTOLOGIES_DIR
from graph.reference.jurisdictions import Jurisdictions, load_jurisdictions
from ingest.credentials.formats import CredentialFile, Format
from ingest.credentials.own_format import load_credential_schemas
from ingest.credentials.reader import read_credential_file
from ingest.errors import IngestError

EXAMPLES = "https://credentialengine.github.io/credential-registry-ingest-examples"
ORGANIZATION_1 = f"{EXAMPLES}/Organization/1/Organization-1.json"
COURSE = f"{EXAMPLES}/LearningProgram/1/Course-1{{}}.json"
PROGRAM_1 = f"{EXAMPLES}/LearningProgram/1/LearningProgram-1.json"
STAGING = "http://lr-staging.learningtapestry.com/resources/"

Reader = Callable[[str], CredentialFile]


@pytest.fixture
def jurisdictions() -> Jurisdictions:
    return load_jurisdictions(ONTOLOGIES_DIR / "jurisdictions.csv")


@pytest.fixture
def read(
    shared_data: Path, pinned_loader: PinnedDocumentLoader, jurisdictions: Jurisdictions
) -> Reader:
    def reader(relative: str) -> CredentialFile:
        path = shared_data / "ctdl" / relative
        result = read_credential_file(path, loader=pinned_loader, jurisdictions=jurisdictions)
        assert result.source == str(path)
        return result

    return reader


READABLE = [
    "ingest-examples/Credential/1/Credential-1.json",
    "ingest-examples/Credential/1/Credential-1-graph.json",
    "ingest-examples/LearningProgram/1/Course-1a.json",
    "ingest-examples/LearningProgram/1/Course-1b.json",
    "ingest-examples/LearningProgram/1/Course-1c.json",
    "ingest-examples/LearningProgram/1/LearningProgram-1.json",
    "ingest-examples/LearningProgram/1/LearningProgram-1-graph.json",
    "ingest-examples/LearningProgram/2/LearningProgram-2.json",
    "ingest-examples/Organization/1/Organization-1.json",
    "registry-fixtures/credential_3_import.json",
    "registry-fixtures/credential_4_import.json",
    "registry-fixtures/learning_opportunity_profile_2_import.json",
    "registry-fixtures/learning_opportunity_profile_3_import.json",
    "registry-fixtures/organization_3_import.json",
    "registry-seeds/credential.json",
    "registry-seeds/credential_provisional.json",
    "registry-seeds/learning_opportunity_profile.json",
    "registry-seeds/organization.json",
    "registry-seeds/competency.json",
    "registry-seeds/competency_framework.json",
]


@pytest.mark.parametrize("relative", READABLE)
def test_every_credential_opportunity_and_framework_example_is_read(
    read: Reader, relative: str
) -> None:
    result = read(relative)
    assert result.format is Format.CTDL
    assert result.credentials or result.issuers or result.concepts or result.schemes
    assert result.skipped == ()
    schemas = load_credential_schemas(ONTOLOGIES_DIR / "schemas")
    for item in result.credentials:
        # What a reader returns can always be written in the project's own format.
        assert not list(schemas.credential.iter_errors(credential_to_document(item.value)))
        assert item.value.source_format == "ctdl"


def test_credential_1_is_a_bachelor_degree_requiring_the_program(read: Reader) -> None:
    result = read("ingest-examples/Credential/1/Credential-1.json")
    (item,) = result.credentials
    degree = item.value
    assert degree.id == f"{EXAMPLES}/Credential/1/Credential-1.json"
    assert (degree.type, degree.title) == ("BachelorDegree", "Bachelor of Science in Cybersecurity")
    assert degree.issuer == ORGANIZATION_1
    assert degree.language == "en"
    assert degree.description is not None and degree.description.startswith("Example University")
    assert degree.prerequisites == (
        Prerequisite(credential=f"{EXAMPLES}/LearningProgram/2/LearningProgram-2.json"),
    )
    assert degree.url == "http://example.com/#bachelordegree"
    extra = dict(degree.extra)
    assert extra["ctdl:ctid"] == "ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
    assert extra["ctdl:audience_level"] == "Bachelors Degree Level"
    # The QA body that recognises it is not its issuer, and the owner is only referenced.
    assert result.issuers == ()
    assert (item.index, item.line) == (0, 1)


def test_the_graph_form_of_credential_1_reads_the_same_degree(read: Reader) -> None:
    single = read("ingest-examples/Credential/1/Credential-1.json")
    graph = read("ingest-examples/Credential/1/Credential-1-graph.json")
    a, b = single.credentials[0].value, graph.credentials[0].value
    assert (a.id, a.title, a.issuer, a.prerequisites) == (b.id, b.title, b.issuer, b.prerequisites)
    assert dict(b.extra)["ctdl:ctid"] == "ce-8669d5c6-566b-4409-9fff-f09753605d13"


def test_the_learning_program_graph_stacks_its_courses_into_it(read: Reader) -> None:
    result = read("ingest-examples/LearningProgram/1/LearningProgram-1-graph.json")
    program = result.credential(PROGRAM_1)
    assert (program.type, program.title) == ("LearningProgram", "Lifelong Learning Accelerator")
    assert program.cost == Money(4485.0, "USD")
    assert (program.duration, program.delivery, program.language) == ("P9M", "blended", "en-US")
    assert "Data Analyst" in dict(program.extra)["ctdl:occupations"]
    courses = {c: result.credential(COURSE.format(c)) for c in "abc"}
    assert [courses[c].title for c in "abc"] == [
        "Personal Growth Mastery",
        "Digital Skills Revolution",
        "Leadership and Innovation Excellence",
    ]
    assert all(course.stacks_into == (PROGRAM_1,) for course in courses.values())
    assert [courses[c].cost for c in "abc"] == [
        Money(995.0, "USD"),
        Money(1495.0, "USD"),
        Money(1995.0, "USD"),
    ]
    assert courses["c"].prerequisites == (
        Prerequisite(credential=COURSE.format("a")),
        Prerequisite(credential=COURSE.format("b")),
    )
    assert (courses["a"].delivery, courses["a"].valid_from) == ("online", "2022-04-14")


def test_a_course_read_alone_does_not_know_its_program(read: Reader) -> None:
    (item,) = read("ingest-examples/LearningProgram/1/Course-1b.json").credentials
    assert item.value.stacks_into == ()
    assert item.value.prerequisites == (Prerequisite(credential=COURSE.format("a")),)


def test_learning_program_2(read: Reader) -> None:
    (item,) = read("ingest-examples/LearningProgram/2/LearningProgram-2.json").credentials
    assert (item.value.title, item.value.cost) == ("Cybersecurity Program", Money(25000.0, "USD"))
    assert item.value.delivery == "online"


def test_organisations_become_issuers(read: Reader) -> None:
    (item,) = read("ingest-examples/Organization/1/Organization-1.json").issuers
    issuer = item.value
    assert (issuer.id, issuer.name, issuer.jurisdiction) == (
        ORGANIZATION_1,
        "Example University",
        "US",
    )
    assert (issuer.type, issuer.url) == (IssuerType.INSTITUTION, "https://example.edu")
    seeds = read("registry-seeds/organization.json")
    assert len(seeds.issuers) == 10
    ansi = seeds.issuer(f"{STAGING}ce-B24E6754-5623-4A5A-BCB2-F41EBBC95E9E")
    assert ansi is not None and ansi.type is IssuerType.INDUSTRY_BODY
    (nocti,) = read("registry-fixtures/organization_3_import.json").issuers
    assert nocti.value.name == "NOCTI"


def test_registry_certifications(read: Reader) -> None:
    cota = read("registry-fixtures/credential_3_import.json").credentials[0].value
    assert cota.title == "Certified Occupational Therapy Assistant (COTA®)"
    assert (cota.type, cota.jurisdiction, cota.duration) == ("Certification", "US", "P2Y")
    assert cota.industry == "naics:621340"
    # It names no owner or offerer: a placeholder issuer local to it, said so in extra.
    assert cota.issuer == f"{STAGING}ce-1A4AB486-8212-4708-B7D5-C5167FDD2B47#issuer"
    assert "not stated" in dict(cota.extra)["ctdl:issuer"]
    result = read("registry-fixtures/credential_4_import.json")
    informatics = result.credentials[0].value
    assert informatics.title == "Health Informatics"
    assert informatics.assessment == "CSP Examination"
    (owner,) = result.issuers
    assert owner.value.name == "Medical Licensing Board of Indiana"
    assert owner.value.id.startswith("urn:uuid:") and informatics.issuer == owner.value.id
    assert "Health Records" in dict(informatics.extra)["ctdl:keywords"]


def test_master_degree_seed_has_its_credit_requirement(read: Reader) -> None:
    for relative in (
        "registry-seeds/credential.json",
        "registry-seeds/credential_provisional.json",
    ):
        (item,) = read(relative).credentials
        mba = item.value
        assert mba.type == "MasterDegree"
        assert mba.title == "Master of Business Administration (MBA) - self-designed"
        assert mba.credits == Credits(48.0, "credit_hours")
        assert mba.issuer.endswith("ce-8DDBF031-BAD6-4B19-B726-066D5F71AD01")


def test_learning_opportunity_profiles(read: Reader) -> None:
    welding = read("registry-fixtures/learning_opportunity_profile_2_import.json").credentials[0]
    assert welding.value.title == "Certified Welder Courses"
    assert (welding.value.delivery, welding.value.valid_from) == ("in_person", "2017-09-01")
    assert "Gas Metal Arc Welding" in dict(welding.value.extra)["ctdl:subjects"]
    cri = read("registry-fixtures/learning_opportunity_profile_3_import.json").credentials[0]
    # Member and non-member prices are alternatives: the non-member price is kept.
    assert cri.value.cost == Money(1640.0, "USD")
    seeds = read("registry-seeds/learning_opportunity_profile.json")
    assert len(seeds.credentials) == 10
    assert [c.line for c in seeds.credentials] == [1] * 10
    assert [c.index for c in seeds.credentials] == list(range(10))
    by_title = {c.value.title: c.value for c in seeds.credentials}
    assert by_title["Bachelor of Arts in Sociology Coursework"].credits == Credits(
        44.0, "credit_hours"
    )
    leadership = next(c for t, c in by_title.items() if "Organizational Behavior" in t)
    assert len(leadership.learning_outcomes) == 5
    assert leadership.stacks_into == (f"{STAGING}ce-AEB4D1EA-51B2-4070-A838-EA880A56BE09",)


def test_competencies_and_frameworks(read: Reader, shared_data: Path) -> None:
    base = (shared_data / "ctdl" / "registry-seeds").resolve().as_uri() + "/"
    competencies = read("registry-seeds/competency.json")
    assert len(competencies.concepts) == 5
    labels = {
        c.value.uri.removeprefix(base): c.value.preferred_label("en") for c in competencies.concepts
    }
    assert labels["c3d70f14-416e-11e7-98df-41f94c7896aa"] == "Life Science"
    astronomy = next(
        c.value for c in competencies.concepts if c.value.preferred_label() == "Astronomy"
    )
    assert astronomy.framework == base + "f2abcdc6-416e-11e7-ba71-02bd89fdd123"
    assert astronomy.description("en") is not None
    (relation,) = competencies.relations
    assert (relation.source, relation.type, relation.target) == (
        base + "c4da4d8c-416e-11e7-8a6a-7700393082bd",
        RelationType.BROADER,
        base + "c3d70f14-416e-11e7-98df-41f94c7896aa",
    )
    frameworks = read("registry-seeds/competency_framework.json")
    assert sorted(s.value.title for s in frameworks.schemes) == [
        "Georgia Standards of Excellence",
        "Science Georgia Standards of Excellence - 2016",
    ]


@pytest.mark.parametrize(
    ("relative", "words"),
    [
        (
            "registry-fixtures/assessment_profile_2_import.json",
            "AssessmentProfile is not a credential",
        ),
        (
            "registry-fixtures/assessment_profile_3_import.json",
            "AssessmentProfile is not a credential",
        ),
        ("registry-seeds/assessment_profile.json", "AssessmentProfile is not a credential"),
        ("pathways/PathwayConditions.json", "unprefixed terms"),
        ("json-schemas/pathway.json", "JSON Schema"),
        ("json-schemas/pathway_component.json", "JSON Schema"),
        ("json-schemas/transfer_value_profile.json", "JSON Schema"),
    ],
)
def test_documents_that_are_not_credentials_are_skipped_with_a_reason(
    read: Reader, relative: str, words: str
) -> None:
    result = read(relative)
    assert result.credentials == () and result.issuers == ()
    assert result.skipped and all(words in s.reason for s in result.skipped)


def test_the_progression_model_names_its_unpinned_context(
    shared_data: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    path = shared_data / "ctdl" / "pathways" / "ProgressionModel.json"
    with pytest.raises(IngestError, match=r"http://example\.org/schema/context/json") as info:
        read_credential_file(path, loader=pinned_loader)
    assert info.value.details["url"] == "http://example.org/schema/context/json"
