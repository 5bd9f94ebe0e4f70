"""Tests for graph.reference.jurisdictions over the shipped ontologies/jurisdictions.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.reference.jurisdictions import Jurisdictions, load_jurisdictions

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "ontologies" / "jurisdictions.csv"

EU27 = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"
}  # fmt: skip


@pytest.fixture()
def jurisdictions() -> Jurisdictions:
    return load_jurisdictions(DATA)


def test_csv_parses(jurisdictions: Jurisdictions) -> None:
    assert len(jurisdictions) > 250
    kinds = {j.kind for j in jurisdictions}
    assert kinds == {"country", "subdivision", "supranational"}


def test_eu_has_the_27_member_states_as_of_2026(jurisdictions: Jurisdictions) -> None:
    assert set(jurisdictions.get("EU").members) == EU27
    assert "GB" not in jurisdictions.get("EU").members


def test_every_elm_country_uri_is_mapped(jurisdictions: Jurisdictions, shared_data: Path) -> None:
    countries = shared_data / "elm" / "v3" / "codelists" / "country.csv"
    with countries.open(encoding="utf-8", newline="") as handle:
        elm = {row["uri"]: row["label"] for row in csv.DictReader(handle)}
    ours = {j.elm_uri: j for j in jurisdictions if j.elm_uri}
    # "Provisional data" is a placeholder in the EU authority table, not a place.
    expected = {uri for uri in elm if not uri.endswith("/OP_DATPRO")}
    assert set(ours) == expected
    for uri, item in ours.items():
        assert item.name == elm[uri]
    assert (
        jurisdictions.normalise("http://publications.europa.eu/resource/authority/country/DEU")
        == "DE"
    )


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("EU", "DE", True),
        ("GB", "GB-SCT", True),
        ("EU", "GB", False),
        ("EU", "GB-SCT", False),
        ("EU", "BE-VLG", True),
        ("EU", "RE", True),
        ("EEA", "NO", True),
        ("EEA", "EU", True),
        ("EU", "EEA", False),
        ("EU", "CH", False),
        ("GB-SCT", "GB", False),
        ("DE", "DE", True),
        ("FR", "DE", False),
    ],
    ids=lambda v: str(v),
)
def test_contains(jurisdictions: Jurisdictions, outer: str, inner: str, expected: bool) -> None:
    assert jurisdictions.contains(outer, inner) is expected


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("de", "DE"),
        (" gb-sct ", "GB-SCT"),
        ("UK", "GB"),
        ("el", "GR"),
        ("DEU", "DE"),
        ("eur", "EU"),
    ],
)
def test_normalise(jurisdictions: Jurisdictions, given: str, canonical: str) -> None:
    assert jurisdictions.normalise(given) == canonical
    assert jurisdictions.get(given).code == canonical


def test_unknown_jurisdiction_is_not_found(jurisdictions: Jurisdictions) -> None:
    with pytest.raises(NotFoundError, match="unknown jurisdiction 'ZZ'"):
        jurisdictions.get("ZZ")
    with pytest.raises(NotFoundError):
        jurisdictions.contains("EU", "Atlantis")
    with pytest.raises(InvalidInputError):
        jurisdictions.normalise("  ")


def test_subdivisions_needed_by_frameworks_exist(jurisdictions: Jurisdictions) -> None:
    for code in ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR", "BE-VLG", "BE-WAL", "BE-BRU"):
        assert jurisdictions.get(code).kind == "subdivision"
        assert jurisdictions.get(code).parent in {"GB", "BE"}


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "jurisdictions.csv"
    path.write_text("code,name,kind,parent,elm_uri,members,note\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        ("DE,Germany,country,,,,\nDE,Germany,country,,,,\n", 3, "code"),
        ("DE,Germany,land,,,,\n", 2, "kind"),
        ("GB-SCT,Scotland,subdivision,,,,\n", 2, "parent"),
        ("DE,Germany,country,,,,\nEU,European Union,supranational,,,DE XX,\n", 3, "members"),
        ("de,Germany,country,,,,\n", 2, "code"),
    ],
    ids=["duplicate", "bad-kind", "orphan-subdivision", "unknown-member", "lower-case"],
)
def test_bad_rows_name_file_line_and_column(
    tmp_path: Path, body: str, line: int, column: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        load_jurisdictions(_write(tmp_path, body))
    assert caught.value.details["line"] == line
    assert caught.value.details["column"] == column
    assert caught.value.details["file"].endswith("jurisdictions.csv")
