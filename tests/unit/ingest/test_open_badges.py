"""Open Badges 3.0: achievements read as credentials, and credentials written as achievements."""

from __future__ import annotations

from typing import Any

import pytest

from graph.exports.ob3 import OB_CONTEXT, VC_V2_CONTEXT, credential_to_achievement
from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import Credential, CredentialSkill, Credits, Issuer, SkillStatus
from graph.proofs.canonical import canonicalize
from ingest.credentials.documents import SourceDocument
from ingest.credentials.formats import CredentialFile
from ingest.credentials.open_badges import OB_EXTENSIONS_CONTEXT, read_open_badges
from ingest.errors import IngestError

SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"
SKILL_UUID = "ccdf3597-5c80-410f-896d-e1bdfa223de9"


def read(loader: PinnedDocumentLoader, *records: Any) -> CredentialFile:
    documents = [SourceDocument(r, "mem.json", i, i + 1) for i, r in enumerate(records)]
    return read_open_badges(documents, loader=loader)


def _badge(*contexts: str, **achievement: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT, *contexts],
        "id": "urn:uuid:badge-1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/1",
                "type": ["Achievement"],
                "name": "Welding",
                "description": "Welds.",
                "criteria": {"narrative": "Weld two plates."},
                **achievement,
            },
        },
    }


def test_alignments_to_esco_become_skills_and_others_outcomes(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    alignment = [
        {"type": ["Alignment"], "targetName": "by url", "targetUrl": SKILL},
        {
            "type": ["Alignment"],
            "targetName": "by code",
            "targetUrl": "https://esco.example/some-page",
            "targetFramework": "ESCO",
            "targetCode": "5fd5c985-eaaa-47aa-8314-62359c54505a",
        },
        {"type": ["Alignment"], "targetName": "Weld plates", "targetUrl": "https://case.example/1"},
    ]
    result = read(pinned_loader, _badge(alignment=alignment, creditsAvailable=3))
    credential = result.credential("https://issuer.example/achievements/1")
    assert [s.uri for s in credential.skills] == [
        SKILL,
        "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",
    ]
    assert credential.learning_outcomes == ("Weld plates",)
    assert credential.assessment == "Weld two plates."
    assert credential.credits == Credits(3.0, "credit_hours")
    assert credential.issuer == "https://issuer.example"
    assert dict(credential.extra)["open_badges:credential"] == "urn:uuid:badge-1"


def test_the_extensions_context_is_read_as_plain_json_with_a_note(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    result = read(pinned_loader, _badge(OB_EXTENSIONS_CONTEXT))
    credential = result.credentials[0].value
    assert credential.title == "Welding"
    assert OB_EXTENSIONS_CONTEXT in dict(credential.extra)["open_badges:jsonld"]


def test_another_unpinned_context_is_an_error_naming_it(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    with pytest.raises(IngestError, match=r"https://contexts\.example/mine\.json") as info:
        read(pinned_loader, _badge("https://contexts.example/mine.json"))
    assert info.value.details["url"] == "https://contexts.example/mine.json"


def test_an_endorsement_is_skipped(pinned_loader: PinnedDocumentLoader) -> None:
    endorsement = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:uuid:e1",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": "https://state.example", "type": ["Profile"], "name": "State"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Endorsement",
        "credentialSubject": {"id": "https://issuer.example", "type": ["EndorsementSubject"]},
    }
    result = read(pinned_loader, endorsement)
    assert result.credentials == ()
    assert "describes no achievement" in result.skipped[0].reason


ISSUER = Issuer(id="https://issuer.example", name="Example Institute", jurisdiction="IE",
                url="https://issuer.example/about")  # fmt: skip
CREDENTIAL = Credential(
    id="https://issuer.example/credentials/welding-1",
    title="Welding 1",
    issuer=ISSUER.id,
    type="MicroCredential",
    description="Arc welding of steel plates.",
    language="en",
    credits=Credits(3.0, "credit_hours"),
    assessment="Weld two plates.",
    field_of_study="0715",
    learning_outcomes=("Weld two plates", "Read a weld symbol"),
    skills=(CredentialSkill(SKILL, level=4), CredentialSkill("urn:x", status=SkillStatus.REJECTED)),
    url="https://issuer.example/welding-1",
)


def test_the_achievement_aligns_each_confirmed_esco_skill() -> None:
    achievement = credential_to_achievement(CREDENTIAL, ISSUER, skill_labels={SKILL: "weld"})
    assert achievement["@context"] == [VC_V2_CONTEXT, OB_CONTEXT]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    skills = [a for a in achievement["alignment"] if a.get("targetFramework") == "ESCO"]
    assert skills == [
        {
            "type": ["Alignment"],
            "targetName": "weld",
            "targetUrl": SKILL,
            "targetType": "ceasn:Competency",
            "targetFramework": "ESCO",
            "targetCode": SKILL_UUID,
        }
    ]
    assert achievement["creator"]["address"]["addressCountryCode"] == "IE"


def test_the_achievement_uses_only_terms_the_contexts_define(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    achievement = credential_to_achievement(CREDENTIAL, ISSUER)
    nquads = canonicalize(achievement, loader=pinned_loader, safe=True)
    assert f"<{SKILL}>" not in nquads  # targetUrl is typed xsd:anyURI, not an IRI node
    assert '"Welding 1"' in nquads
    other = credential_to_achievement(
        Credential(id="urn:x:1", title="T", issuer="urn:org:1", type="Apprenticeship"),
    )
    assert other["achievementType"] == "ext:Apprenticeship"
    canonicalize(other, loader=pinned_loader, safe=True)


def test_the_achievement_reads_back_the_same(pinned_loader: PinnedDocumentLoader) -> None:
    result = read(pinned_loader, credential_to_achievement(CREDENTIAL, ISSUER))
    back = result.credential(CREDENTIAL.id)
    assert (back.title, back.issuer, back.type) == (CREDENTIAL.title, ISSUER.id, "MicroCredential")
    assert result.issuer(ISSUER.id) == ISSUER
    assert back.credits == CREDENTIAL.credits
    assert back.skills == (CredentialSkill(SKILL),)
    assert back.learning_outcomes == CREDENTIAL.learning_outcomes
    assert (back.assessment, back.url, back.field_of_study) == (
        "Weld two plates.",
        CREDENTIAL.url,
        "0715",
    )
    assert (back.language, back.description) == ("en", CREDENTIAL.description)
