"""The Open Badges 3.0 examples of the shared data, read through read_credential_file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graph.jsonld import PinnedDocumentLoader
from graph.model.credential_documents import credential_to_document
from graph.model.credentials import Credits
from graph.ontologies import ONTOLOGIES_DIR
from graph.reference.jurisdictions import load_jurisdictions
from ingest.credentials.formats import CredentialFile, Format
from ingest.credentials.open_badges import OB_EXTENSIONS_CONTEXT
from ingest.credentials.own_format import load_credential_schemas
from ingest.credentials.reader import read_credential_file

Reader = Callable[[str], CredentialFile]


@pytest.fixture
def read(shared_data: Path, pinned_loader: PinnedDocumentLoader) -> Reader:
    jurisdictions = load_jurisdictions(ONTOLOGIES_DIR / "jurisdictions.csv")

    def reader(name: str) -> CredentialFile:
        path = shared_data / "openbadges" / "v3p0" / "examples" / name
        return read_credential_file(path, loader=pinned_loader, jurisdictions=jurisdictions)

    return reader


ACHIEVEMENTS = [
    "achievementAlignmentCase.json",
    "achievementAlignmentCe.json",
    "basicOpenBadgeCredential.json",
    "fullOpenBadge.json",
    "skillAssertionCase.json",
    "skillAssertionCtdl.json",
]


@pytest.mark.parametrize("name", ACHIEVEMENTS)
def test_every_example_with_an_achievement_is_read(read: Reader, name: str) -> None:
    result = read(name)
    assert result.format is Format.OPEN_BADGES
    assert len(result.credentials) == 1 and len(result.issuers) == 1
    assert result.skipped == ()
    credential = result.credentials[0].value
    assert credential.source_format == "open_badges"
    assert result.issuer(credential.issuer) is not None
    schemas = load_credential_schemas(ONTOLOGIES_DIR / "schemas")
    assert not list(schemas.credential.iter_errors(credential_to_document(credential)))


def test_alignment_examples_give_their_target_as_an_outcome(read: Reader) -> None:
    case = read("achievementAlignmentCase.json").credentials[0].value
    assert (case.id, case.title, case.type) == (
        "https://1edtech.edu/achievements/1",
        "Text analysis",
        "Achievement",
    )
    assert case.description == "Analyze a sample text"
    assert case.learning_outcomes[0].startswith("Cite strong and thorough textual evidence")
    assert case.assessment == case.learning_outcomes[0]
    assert case.issuer == "https://example.edu/issuers/565049"
    assert case.skills == ()
    ce = read("achievementAlignmentCe.json").credentials[0].value
    assert ce.learning_outcomes == ("Requirements Analysis",)


def test_the_basic_badge(read: Reader) -> None:
    result = read("basicOpenBadgeCredential.json")
    badge = result.credentials[0].value
    assert (badge.title, badge.issuer) == ("Teamwork", "https://example.com/issuers/876543")
    assert badge.learning_outcomes == ()
    assert badge.assessment is not None and badge.assessment.startswith(
        "Team members are nominated"
    )
    assert result.issuers[0].value.name == "Example Corp"
    assert dict(badge.extra)["open_badges:credential"] == "http://example.com/credentials/3527"
    # All its contexts are pinned: it went through JSON-LD, no plain-JSON note.
    assert "open_badges:jsonld" not in dict(badge.extra)


def test_the_full_badge(read: Reader) -> None:
    result = read("fullOpenBadge.json")
    degree = result.credentials[0].value
    assert (degree.title, degree.type) == ("1EdTech University Degree", "Degree")
    assert degree.credits == Credits(36.0, "credit_hours")
    assert degree.issuer == "https://1edtech.edu/issuers/565049"
    assert degree.jurisdiction == "US"
    assert degree.learning_outcomes == ("1EdTech University Degree",)
    extra = dict(degree.extra)
    assert extra["open_badges:tags"] == "research; computer science"
    assert extra["open_badges:field_of_study"] == "Research"
    assert OB_EXTENSIONS_CONTEXT in extra["open_badges:jsonld"]
    issuer = result.issuers[0].value
    assert (issuer.name, issuer.url, issuer.jurisdiction) == (
        "1EdTech University",
        "https://1edtech.edu",
        "US",
    )


def test_skill_assertions_take_the_creator_as_issuer(read: Reader) -> None:
    robot = read("skillAssertionCase.json").credentials[0].value
    assert (robot.title, robot.type) == ("Robot Programming", "Competency")
    # The achievement's creator defines it, not the university that issued this badge.
    assert robot.issuer == "https://example.com/issuers/123767"
    assert robot.learning_outcomes == ("Robot Programming",)
    linear = read("skillAssertionCtdl.json").credentials[0].value
    assert linear.title == "Linear equations and inequalities"
    assert linear.learning_outcomes == ("Solve and graph linear equations and inequalities",)


def test_the_endorsement_is_skipped(read: Reader) -> None:
    result = read("endorsement.json")
    assert result.credentials == ()
    (skipped,) = result.skipped
    assert "EndorsementCredential" in skipped.reason and "no achievement" in skipped.reason
