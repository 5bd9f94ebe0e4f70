"""CTDL: the context stand-in, the mapping on small documents, and the export round trip."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from graph.errors import NotFoundError
from graph.exports.ctdl import CTDL_CONTEXT, credential_to_ctdl, ctid
from graph.jsonld import PinnedDocumentLoader
from graph.model.concepts import RelationType
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerType,
    Money,
    Prerequisite,
    SkillStatus,
)
from ingest.credentials.ctdl import read_ctdl
from ingest.credentials.documents import SourceDocument
from ingest.credentials.formats import CredentialFile
from ingest.credentials.linked_data import StandInDocumentLoader, stand_in_loader
from ingest.errors import IngestError
from tests.unit.ingest.conftest import MANIFEST

SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"
PREREQUISITE_SKILL = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"
ORG = "https://college.example/org"


def read(loader: StandInDocumentLoader, *records: Any, base: str | None = None) -> CredentialFile:
    documents = [SourceDocument(r, "mem.json", i, i + 1) for i, r in enumerate(records)]
    return read_ctdl(documents, loader=loader, base=base)


def test_the_manifest_pins_the_stand_in_and_lists_its_urls() -> None:
    manifest = json.loads(MANIFEST.read_text())
    stand_ins = manifest["stand_ins"]
    assert set(stand_ins) == {
        f"{scheme}://credreg.net/{schema}/schema/context/json"
        for scheme in ("http", "https")
        for schema in ("ctdl", "ctdlasn")
    }
    data = (MANIFEST.parent / "ctdl-prefixes.jsonld").read_bytes()
    assert {e["sha256"] for e in stand_ins.values()} == {hashlib.sha256(data).hexdigest()}
    assert all("STAND-IN" in e["note"] for e in stand_ins.values())
    # The credreg URLs are never pinned contexts: only the stand-in mapping serves them.
    assert not set(stand_ins) & set(manifest["contexts"])


def test_the_stand_in_serves_only_its_urls(
    ctdl_loader: StandInDocumentLoader, pinned_loader: PinnedDocumentLoader
) -> None:
    served = ctdl_loader(CTDL_CONTEXT)["document"]["@context"]
    assert served["ceterms"] == "https://purl.org/ctdl/terms/"
    assert served["ceasn"] == "https://purl.org/ctdlasn/terms/"
    with pytest.raises(NotFoundError):
        pinned_loader(CTDL_CONTEXT)
    with pytest.raises(NotFoundError, match="not pinned"):
        ctdl_loader("https://credreg.net/other/context/json")


def test_a_stand_in_that_does_not_match_its_hash_is_refused(
    tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    (tmp_path / "ctdl-prefixes.jsonld").write_text('{"@context": {}}')
    manifest = json.loads(MANIFEST.read_text())
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IngestError, match="does not match its pinned SHA-256"):
        stand_in_loader(pinned_loader, manifest_path=tmp_path / "manifest.json")


def _course(**extra: Any) -> dict[str, Any]:
    return {
        "@context": CTDL_CONTEXT,
        "@id": "https://college.example/course/1",
        "@type": "ceterms:Course",
        "ceterms:ctid": "ce-00000000-0000-0000-0000-000000000001",
        "ceterms:name": {"en-US": "Welding basics", "fr": "Soudage"},
        "ceterms:ownedBy": [ORG],
        **extra,
    }


def test_a_course_maps_to_a_credential(ctdl_loader: StandInDocumentLoader) -> None:
    course = _course(
        **{
            "ceterms:inLanguage": ["English"],
            "ceterms:teaches": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNode": SKILL,
                    "ceterms:targetNodeName": {"en": "stimulate creativity"},
                },
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNodeName": {"en": "Weld two plates"},
                },
            ],
            "ceterms:creditHourType": "Semester Hours",
            "ceterms:creditHourValue": 3,
            "ceterms:estimatedCost": [
                {"@type": "ceterms:CostProfile", "ceterms:price": 100, "ceterms:currency": "USD"},
                {"@type": "ceterms:CostProfile", "ceterms:price": 50, "ceterms:currency": "USD"},
            ],
            "ceterms:estimatedDuration": [
                {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "P3W"}
            ],
            "ceterms:entryCondition": [
                {
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:targetLearningOpportunity": ["https://college.example/course/0"],
                }
            ],
            "ceterms:isPartOf": ["https://college.example/program/1"],
        }
    )
    organisation = {
        "@context": CTDL_CONTEXT,
        "@id": ORG,
        "@type": "ceterms:CredentialOrganization",
        "ceterms:name": {"en": "Example College"},
        "ceterms:address": [{"@type": "ceterms:Place", "ceterms:addressCountry": {"en": "IE"}}],
    }
    result = read(ctdl_loader, {"@context": CTDL_CONTEXT, "@graph": [course, organisation]})
    credential = result.credential("https://college.example/course/1")
    assert credential.type == "Course"
    assert credential.title == "Welding basics"
    assert credential.language == "en"
    assert credential.issuer == ORG
    assert credential.jurisdiction == "IE"
    assert credential.skills == (CredentialSkill(SKILL, status=SkillStatus.CONFIRMED),)
    assert credential.learning_outcomes == ("Weld two plates",)
    assert credential.credits == Credits(3.0, "credit_hours")
    assert credential.cost == Money(150.0, "USD")
    assert credential.duration == "P3W"
    assert credential.prerequisites == (
        Prerequisite(credential="https://college.example/course/0"),
    )
    assert credential.stacks_into == ("https://college.example/program/1",)
    assert dict(credential.extra)["ctdl:ctid"] == "ce-00000000-0000-0000-0000-000000000001"
    assert [i.value.name for i in result.issuers] == ["Example College"]


def test_arrays_of_language_maps_are_merged_before_expansion(
    ctdl_loader: StandInDocumentLoader,
) -> None:
    course = _course(**{"ceterms:name": [{"en": "Welding"}, {"de": "Schweißen"}]})
    assert read(ctdl_loader, course).credentials[0].value.title == "Welding"


def test_a_credential_without_owner_gets_a_placeholder_issuer(
    ctdl_loader: StandInDocumentLoader,
) -> None:
    course = _course()
    del course["ceterms:ownedBy"]
    credential = read(ctdl_loader, course).credentials[0].value
    assert credential.issuer == "https://college.example/course/1#issuer"
    assert "not stated" in dict(credential.extra)["ctdl:issuer"]


def test_documents_with_bare_terms_and_non_credentials_are_skipped(
    ctdl_loader: StandInDocumentLoader,
) -> None:
    pathway = {"@context": CTDL_CONTEXT, "@graph": [{"id": "urn:p", "type": "Pathway"}]}
    assessment = {
        "@context": CTDL_CONTEXT,
        "@id": "https://college.example/exam",
        "@type": "ceterms:AssessmentProfile",
        "ceterms:name": "Exam",
    }
    result = read(ctdl_loader, pathway, assessment)
    assert result.credentials == ()
    assert ["unprefixed terms" in s.reason for s in result.skipped] == [True, False]
    assert "AssessmentProfile is not a credential" in result.skipped[1].reason


def test_competencies_become_skill_concepts_with_broader_links(
    ctdl_loader: StandInDocumentLoader,
) -> None:
    framework = {
        "@context": "http://credreg.net/ctdlasn/schema/context/json",
        "@id": "f1",
        "@type": "ceasn:CompetencyFramework",
        "ceasn:name": {"en-us": "Welding standards"},
    }
    child = {
        "@context": "http://credreg.net/ctdlasn/schema/context/json",
        "@id": "c2",
        "@type": "ceasn:Competency",
        "ceasn:competencyText": {"en-us": "Arc welding"},
        "ceasn:isChildOf": ["c1"],
        "ceasn:isPartOf": ["f1"],
    }
    result = read(ctdl_loader, framework, child, base="https://frameworks.example/")
    (scheme,) = result.schemes
    assert (scheme.value.uri, scheme.value.title) == (
        "https://frameworks.example/f1",
        "Welding standards",
    )
    (concept,) = result.concepts
    assert concept.value.preferred_label("en") == "Arc welding"
    assert concept.value.framework == "https://frameworks.example/f1"
    (relation,) = result.relations
    assert (relation.source, relation.type, relation.target) == (
        "https://frameworks.example/c2",
        RelationType.BROADER,
        "https://frameworks.example/c1",
    )


def test_an_unpinned_context_is_an_error_naming_it(ctdl_loader: StandInDocumentLoader) -> None:
    course = _course(**{"@context": [CTDL_CONTEXT, "https://contexts.example/extra.json"]})
    with pytest.raises(IngestError, match=r"https://contexts\.example/extra\.json") as info:
        read(ctdl_loader, course)
    assert info.value.details["url"] == "https://contexts.example/extra.json"
    assert info.value.details["record"] == 0


ISSUER = Issuer(
    id="https://issuer.example",
    name="Example Institute",
    type=IssuerType.INSTITUTION,
    jurisdiction="IE",
    url="https://issuer.example/about",
)
CREDENTIAL = Credential(
    id="https://issuer.example/credentials/data-analysis-101",
    title="Data analysis with Python",
    issuer=ISSUER.id,
    description="Cleaning and plotting data.",
    language="en",
    jurisdiction="IE",
    credits=Credits(5.0, "ECTS"),
    hours=125.0,
    duration="P10W",
    cost=Money(450.0, "EUR"),
    delivery="online",
    assessment="A project",
    learning_outcomes=("Clean a data set", "Plot a time series"),
    skills=(
        CredentialSkill(SKILL, level=3),
        CredentialSkill(PREREQUISITE_SKILL, status=SkillStatus.SUGGESTED),
    ),
    prerequisites=(
        Prerequisite(credential="https://issuer.example/credentials/intro"),
        Prerequisite(skill=PREREQUISITE_SKILL, level=2),
    ),
    stacks_into=("https://issuer.example/credentials/data-certificate",),
    valid_from="2026-01-01",
)


def test_the_export_uses_the_ctdl_context_a_ctid_and_esco_alignments() -> None:
    document = credential_to_ctdl(CREDENTIAL, ISSUER, skill_labels={SKILL: "stimulate creativity"})
    assert document["@context"] == CTDL_CONTEXT
    node, organisation = document["@graph"]
    assert node["ceterms:ctid"] == ctid(CREDENTIAL.id)
    assert ctid(CREDENTIAL.id).startswith("ce-") and ctid(CREDENTIAL.id) == ctid(CREDENTIAL.id)
    (condition,) = node["ceterms:requires"]
    skills = [a for a in condition["ceterms:targetCompetency"] if "ceterms:targetNode" in a]
    # Only the confirmed skill is published.
    assert skills == [
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:targetNodeName": {"en": "stimulate creativity"},
            "ceterms:targetNode": SKILL,
            "ceterms:framework": "http://data.europa.eu/esco/concept-scheme/skills",
            "ceterms:frameworkName": {"en": "ESCO"},
        }
    ]
    assert organisation["@id"] == ISSUER.id


def test_the_export_reads_back_the_same(ctdl_loader: StandInDocumentLoader) -> None:
    result = read(ctdl_loader, credential_to_ctdl(CREDENTIAL, ISSUER))
    back = result.credential(CREDENTIAL.id)
    assert back.title == CREDENTIAL.title
    assert back.issuer == CREDENTIAL.issuer
    assert result.issuer(ISSUER.id) == ISSUER
    assert back.credits == CREDENTIAL.credits
    # CTDL has no proficiency level on an alignment: the skill comes back without one.
    assert back.skills == (CredentialSkill(SKILL),)
    assert back.learning_outcomes == CREDENTIAL.learning_outcomes
    assert back.prerequisites == (
        Prerequisite(credential="https://issuer.example/credentials/intro"),
        Prerequisite(skill=PREREQUISITE_SKILL),
    )
    assert back.stacks_into == CREDENTIAL.stacks_into
    assert (back.hours, back.duration, back.cost) == (125.0, "P10W", CREDENTIAL.cost)
    assert (back.delivery, back.assessment, back.valid_from) == (
        "online",
        "A project",
        "2026-01-01",
    )
    assert (back.language, back.description, back.jurisdiction) == (
        "en",
        CREDENTIAL.description,
        "IE",
    )


def test_a_course_exports_its_skills_as_teaches(ctdl_loader: StandInDocumentLoader) -> None:
    course = Credential(id="urn:course:1", title="A course", issuer="urn:org:1", type="Course",
                        skills=(CredentialSkill(SKILL),))  # fmt: skip
    document = credential_to_ctdl(course)
    assert document["@type"] == "ceterms:Course" and "ceterms:teaches" in document
    assert read(ctdl_loader, document).credential("urn:course:1").skills == course.skills
