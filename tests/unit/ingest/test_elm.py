"""ELM v3: achievements of European Digital Credentials read as credentials (small documents)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import CredentialSkill, Credits, QualificationLevel
from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.documents import SourceDocument
from ingest.credentials.elm import read_elm
from ingest.credentials.formats import CredentialFile
from ingest.errors import IngestError

CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "http://data.europa.eu/snb/model/context/edc-ap",
]
SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
LANGUAGES = "http://publications.europa.eu/resource/authority/language"
ORG = {
    "id": "urn:epass:org:1",
    "type": "Organisation",
    "legalName": {"en": "Example College"},
    "homepage": {"id": "urn:epass:web:1", "type": "WebResource", "contentURL": "https://college.example"},
    "location": {
        "id": "urn:epass:location:1",
        "type": "Location",
        "address": {
            "id": "urn:epass:address:1",
            "type": "Address",
            "countryCode": {
                "id": "http://publications.europa.eu/resource/authority/country/DEU",
                "type": "Concept",
            },
        },
    },
}  # fmt: skip


def _achievement(number: int, title: str, **spec: Any) -> dict[str, Any]:
    return {
        "id": f"urn:epass:learningAchievement:{number}",
        "type": "LearningAchievement",
        "title": {"en": title},
        "awardedBy": {"id": "urn:epass:award:1", "type": "AwardingProcess", "awardingBody": ORG},
        "specifiedBy": {
            "id": f"urn:epass:qualification:{number}",
            "type": "Qualification",
            "title": {"de": f"{title} (de)", "en": title},
            **spec,
        },
    }


def _edc(claim: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": "urn:credential:1",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuer": ORG,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:epass:person:1", "type": "Person", "hasClaim": claim},
    }


WELDING = _achievement(
    1,
    "Welding",
    eqfLevel={"id": "http://data.europa.eu/snb/eqf/4", "type": "Concept"},
    creditPoint={
        "id": "urn:epass:credit:1",
        "type": "CreditPoint",
        "framework": {"id": ECTS, "type": "Concept"},
        "point": "5",
    },
    volumeOfLearning="PT125H",
    language={"id": f"{LANGUAGES}/DEU", "type": "Concept"},
    learningOutcome=[
        {
            "id": "urn:epass:learningOutcome:1",
            "type": "LearningOutcome",
            "title": {"en": "Weld two plates"},
            "relatedESCOSkill": {"id": SKILL, "type": "Concept"},
        }
    ],
)  # fmt: skip


def read(loader: PinnedDocumentLoader, record: Any, **options: Any) -> CredentialFile:
    return read_elm([SourceDocument(record, "mem.json", 0, 1)], loader=loader, **options)


def test_an_achievement_maps_to_a_credential(
    pinned_loader: PinnedDocumentLoader, jurisdictions: Jurisdictions
) -> None:
    result = read(pinned_loader, _edc(WELDING), jurisdictions=jurisdictions)
    (item,) = result.credentials
    credential = item.value
    assert credential.title == "Welding"
    assert credential.type == "Qualification"
    assert credential.id.startswith("urn:uuid:")
    assert credential.levels == (QualificationLevel("EQF", "4"),)
    assert credential.credits == Credits(5.0, "ECTS")
    assert credential.hours == 125.0
    assert credential.language == "de"
    assert credential.learning_outcomes == ("Weld two plates",)
    assert credential.skills == (CredentialSkill(SKILL),)
    assert credential.issuer == "https://college.example"
    assert credential.jurisdiction == "DE"
    assert credential.valid_from == "2024-01-01T00:00:00Z"
    (issuer,) = result.issuers
    assert (issuer.value.name, issuer.value.jurisdiction) == ("Example College", "DE")


def test_the_upload_wrapper_and_the_jws_give_the_same_credential(
    pinned_loader: PinnedDocumentLoader,
) -> None:
    plain = read(pinned_loader, _edc(WELDING)).credentials[0].value
    wrapped = read(pinned_loader, {"credential": _edc(WELDING)}).credentials[0].value
    jws = {"payload": json.dumps(_edc(WELDING)), "signatures": [{"protected": "e30"}]}
    signed = read(pinned_loader, jws).credentials[0].value
    assert wrapped == plain
    assert signed.id == plain.id and signed.title == plain.title
    assert dict(signed.extra)["elm:signature"] == "JAdES signature present, not verified"


def test_a_base64url_jws_payload_is_decoded(pinned_loader: PinnedDocumentLoader) -> None:
    payload = base64.urlsafe_b64encode(json.dumps(_edc(WELDING)).encode()).decode().rstrip("=")
    result = read(pinned_loader, {"payload": payload, "signatures": [{"protected": "e30"}]})
    assert result.credentials[0].value.title == "Welding"


def test_parts_of_an_achievement_stack_into_it(pinned_loader: PinnedDocumentLoader) -> None:
    claim = {**WELDING, "hasPart": _achievement(2, "Arc welding")}
    result = read(pinned_loader, _edc(claim))
    whole, part = (c.value for c in result.credentials)
    assert (whole.title, part.title) == ("Welding", "Arc welding")
    assert part.stacks_into == (whole.id,)


def test_a_jws_with_a_broken_payload_is_an_error(pinned_loader: PinnedDocumentLoader) -> None:
    with pytest.raises(IngestError, match="payload is not JSON") as info:
        read(pinned_loader, {"payload": '{"id": ', "signatures": []})
    assert info.value.details["field"] == "$.payload"


def test_an_unpinned_context_is_an_error_naming_it(pinned_loader: PinnedDocumentLoader) -> None:
    record = {**_edc(WELDING), "@context": [*CONTEXTS, "https://contexts.example/elm-extra"]}
    with pytest.raises(IngestError, match=r"https://contexts\.example/elm-extra"):
        read(pinned_loader, record)
