"""Format detection, and the small vocabularies the readers share."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.formats import Format, detect_format
from ingest.credentials.linked_data import NodeMap
from ingest.credentials.values import country_code, language_tag

EDC = "http://data.europa.eu/snb/model/context/edc-ap"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ELM_RECORD = {"@context": ["https://www.w3.org/2018/credentials/v1", EDC], "id": "urn:x"}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"id": "urn:x", "title": "T", "issuer": "urn:i"}, Format.CREDWALK),
        ({"@context": "https://credreg.net/ctdl/schema/context/json"}, Format.CTDL),
        ({"@graph": [{"@type": "ceterms:Course", "ceterms:name": "x"}]}, Format.CTDL),
        ({"@context": [OB], "type": ["OpenBadgeCredential"]}, Format.OPEN_BADGES),
        ({"type": ["Achievement"], "name": "x"}, Format.OPEN_BADGES),
        (ELM_RECORD, Format.ELM),
        ({"credential": ELM_RECORD}, Format.ELM),
        ({"payload": json.dumps(ELM_RECORD), "signatures": []}, Format.ELM),
        ({"payload": base64.urlsafe_b64encode(json.dumps(ELM_RECORD).encode()).decode(),
          "signatures": []}, Format.ELM),
        ({"$schema": "https://json-schema.org/schema", "ceterms:name": {}}, Format.JSON_SCHEMA),
        ({"@context": "https://schema.org/", "name": "x"}, None),
        ({"payload": json.dumps({"id": "urn:x"}), "signatures": []}, None),
        ({"payload": "not json", "signatures": []}, None),
        (["a list"], None),
    ],
    ids=[
        "own", "ctdl-context", "ctdl-keys", "ob-credential", "ob-achievement", "elm",
        "elm-upload", "elm-jws", "elm-jws-base64", "json-schema", "schema-org", "jws-not-elm",
        "jws-bad", "list",
    ],
)  # fmt: skip
def test_detect_format(record: Any, expected: Format | None) -> None:
    assert detect_format(record) is expected


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("en", "en"),
        ("en-us", "en-US"),
        ("EN_gb", "en-GB"),
        ("English", "en"),
        ("ENG", "en"),
        ("http://publications.europa.eu/resource/authority/language/FRA", "fr"),
        ("Klingon", None),
        ("", None),
        (None, None),
    ],
)
def test_language_tag(value: str | None, tag: str | None) -> None:
    assert language_tag(value) == tag


def test_country_code_with_and_without_the_jurisdiction_table(jurisdictions: Jurisdictions) -> None:
    assert country_code("ie", None) == "IE"
    assert country_code("United States", None) is None
    assert country_code("United States", jurisdictions) == "US"
    assert country_code("USA", jurisdictions) == "US"
    irl = "http://publications.europa.eu/resource/authority/country/IRL"
    assert country_code(irl, jurisdictions) == "IE"
    assert country_code("Atlantis", jurisdictions) is None


def test_node_text_prefers_the_language_and_keeps_its_tag() -> None:
    node = {
        "p": [
            {"@value": "Titre", "@language": "fr"},
            {"@value": "Title", "@language": "en-US"},
        ]
    }
    assert NodeMap.text(node, "p", "en") == ("Title", "en-US")
    assert NodeMap.text(node, "p", "fr") == ("Titre", "fr")
    assert NodeMap.text(node, "p", "de") == ("Titre", "fr")
    assert NodeMap.text(node, "missing") is None
