"""The Open Badges 3.0 documents of a Proof of Competence, canonicalised with pinned contexts."""

from __future__ import annotations

import hashlib

import pytest

from graph.errors import InvalidInputError
from graph.exports.ob3 import (
    endorsement_comment,
    endorsement_credential,
    evidence_items,
    ni_sha256,
    proof_of_competence,
    skill_alignment,
)
from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import Credential, CredentialSkill, Credits, Issuer, IssuerType
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    AssessmentPanel,
    Assessor,
    Evidence,
    EvidenceKind,
    SkillResult,
    SkillTarget,
    Submission,
    evaluate_rule,
)
from graph.proofs.canonical import canonicalize
from graph.proofs.status_list import status_list_entry

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
PROOF = "https://credwalk.org/id/proof/1"
UNI = Assessor("https://www.ucd.ie", "UCD", "institution")
REGION = Assessor("urn:example:hea", "HEA", "regional_authority", kind=AssessmentKind.ENDORSEMENT)
ISSUER = Issuer("https://www.ucd.ie", "University College Dublin", IssuerType.INSTITUTION, "IE")
COURSE = Credential(
    id="https://www.ucd.ie/credentials/python-for-data",
    title="Python for data work",
    issuer=ISSUER.id,
    credits=Credits(5, "ECTS"),
    skills=(CredentialSkill(PYTHON, level=5), CredentialSkill(SQL)),
    assessment="A project and an oral exam.",
    type="MicroCredential",
    language="en",
)


def test_ni_iri_of_the_rfc_6920_example() -> None:
    # RFC 6920 section 3 names "Hello World!" with this sha-256 ni URI.
    digest = hashlib.sha256(b"Hello World!").hexdigest()
    assert ni_sha256(digest) == "ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk"


def test_only_esco_skills_get_a_framework_and_code() -> None:
    assert skill_alignment(PYTHON, "Python")["targetCode"] == "ccd0a1d9-afda-43d9-b901-96344886e14d"
    other = skill_alignment("https://example.org/skills/x", None)
    assert "targetFramework" not in other and other["targetName"] == other["targetUrl"]


def test_evidence_keeps_links_hashes_and_texts() -> None:
    items = evidence_items(
        [
            Evidence(EvidenceKind.LINK, url="https://github.com/learner/project", name="Code"),
            Evidence(EvidenceKind.DOCUMENT, name="report.pdf", sha256="ab" * 32),
            Evidence(EvidenceKind.TEXT, text="I built an ETL pipeline."),
        ]
    )
    assert [i.get("id") for i in items] == [
        "https://github.com/learner/project",
        ni_sha256("ab" * 32),
        None,
    ]
    assert "ab" * 32 in items[1]["description"]
    assert items[2]["narrative"] == "I built an ETL pipeline."


def submission() -> Submission:
    return Submission(
        id="https://credwalk.org/id/submission/1",
        learner="urn:example:learner:42",
        credential=COURSE.id,
        skills=(SkillTarget(PYTHON, 5, "Python (computer programming)"), SkillTarget(SQL)),
        panel=AssessmentPanel(COURSE.id, (UNI, REGION)),
        evidence=(
            Evidence(EvidenceKind.LINK, url="https://github.com/learner/project"),
            Evidence(EvidenceKind.DOCUMENT, name="report.pdf", sha256="ab" * 32),
            Evidence(EvidenceKind.TEXT, text="I built an ETL pipeline."),
        ),
        submitted_at="2026-01-01T00:00:00.000000Z",
    )


GRADE = Assessment(
    "urn:a:1",
    "https://credwalk.org/id/submission/1",
    UNI.id,
    AssessmentKind.RESULTS,
    "2026-01-02T00:00:00.000000Z",
    (SkillResult(PYTHON, True, 6), SkillResult(SQL, True, None)),
    comment="Clean code.",
)
ENDORSED = Assessment(
    "urn:a:2",
    "https://credwalk.org/id/submission/1",
    REGION.id,
    AssessmentKind.ENDORSEMENT,
    "2026-01-02T00:00:00.000000Z",
    endorsement="Recognised for regional hiring.",
)


def test_endorsement_comments_say_what_was_recorded() -> None:
    labels = {PYTHON: "Python", SQL: "SQL"}
    assert endorsement_comment(UNI, GRADE, labels) == (
        "UCD (institution) assessed the submitted work and passed it: Python at level 6; SQL. "
        "Clean code."
    )
    assert endorsement_comment(REGION, ENDORSED, labels) == (
        "HEA (regional_authority) endorses this achievement: Recognised for regional hiring."
    )


def build() -> dict[str, object]:
    sub = submission()
    outcome = evaluate_rule(sub, [GRADE, ENDORSED])
    assert outcome.met
    endorsement = endorsement_credential(
        endorsement_id="https://credwalk.org/id/endorsement/1",
        proof_id=PROOF,
        assessor=REGION,
        issuer_id="did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        comment="fine",
        valid_from="2026-01-03T00:00:00Z",
    )
    return proof_of_competence(
        proof_id=PROOF,
        issuer={
            "id": "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
            "type": ["Profile"],
        },
        credential=COURSE,
        credential_issuer=ISSUER,
        submission=sub,
        outcome=outcome,
        rule_text="Issued when ...",
        endorsements=[endorsement],
        status_entry=status_list_entry(
            status_list_credential="https://credwalk.org/id/status-lists/1", index=7
        ),
        valid_from="2026-01-03T00:00:00Z",
    )


def test_per_skill_results_point_at_the_achievement_levels() -> None:
    document = build()
    subject = document["credentialSubject"]
    assert isinstance(subject, dict)
    achievement = subject["achievement"]
    python_result, sql_result = subject["result"]
    python_description = achievement["resultDescription"][0]
    assert python_result["resultDescription"] == python_description["id"]
    levels = {level["id"]: level["level"] for level in python_description["rubricCriterionLevel"]}
    assert levels[python_result["achievedLevel"]] == "6"
    assert levels[python_description["requiredLevel"]] == "5"
    assert python_result["alignment"][0]["targetUrl"] == PYTHON
    assert "achievedLevel" not in sql_result and sql_result["status"] == "Completed"
    assert achievement["criteria"]["narrative"] == "A project and an oral exam.\n\nIssued when ..."
    assert achievement["creator"]["address"]["addressCountryCode"] == "IE"


def test_the_document_canonicalises_in_safe_mode(pinned_loader: PinnedDocumentLoader) -> None:
    document = build()
    nquads = canonicalize(document, loader=pinned_loader)
    # OB 3.0.3 types targetUrl as anyURI (under an https XML Schema namespace): the ESCO IRI
    # is signed as a typed literal.
    assert f'"{PYTHON}"^^<https://www.w3.org/2001/XMLSchema#anyURI>' in nquads
    assert ni_sha256("ab" * 32) in nquads
    assert "EndorsementCredential" in nquads
    # A misspelt term would be dropped by JSON-LD and left unsigned: safe mode refuses it.
    document["credentialSubject"]["result"][0]["acheivedLevel"] = "x"  # type: ignore[index]
    with pytest.raises(InvalidInputError, match="acheivedLevel"):
        canonicalize(document, loader=pinned_loader)
