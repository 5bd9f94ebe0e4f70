"""Tests for graph.reference.qualifications over the shipped ontologies/qualifications/ data."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.reference.jurisdictions import load_jurisdictions
from graph.reference.qualifications import (
    FrameworkLevel,
    QualificationFrameworks,
    load_qualification_frameworks,
)

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "ontologies" / "qualifications"

# Countries whose frameworks count as European for the coverage requirement.
EUROPE = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB",
    "CH", "NO", "IS", "LI", "TR", "ME", "RS", "MK", "AL", "BA", "XK", "UA", "MD"
}  # fmt: skip


@pytest.fixture()
def registry() -> QualificationFrameworks:
    return load_qualification_frameworks(DATA)


@pytest.fixture()
def codelists(shared_data: Path) -> Path:
    return shared_data / "elm" / "v3" / "codelists"


def _elm(codelists: Path, name: str) -> dict[str, str]:
    with (codelists / name).open(encoding="utf-8", newline="") as handle:
        return {row["uri"]: row["label"] for row in csv.DictReader(handle)}


def _level_prefix(label: str) -> str:
    """Return the framework prefix of an ELM level label ('SCQF Level 11' -> 'SCQF')."""
    return re.split(r" (?:Level|Entry)", label, maxsplit=1)[0]


def test_csvs_parse(registry: QualificationFrameworks) -> None:
    assert len(registry) >= 13
    assert [lv.code for lv in registry.levels("eqf")] == [str(n) for n in range(1, 9)]
    assert [lv.uri for lv in registry.levels("eqf")] == [
        f"http://data.europa.eu/snb/eqf/{n}" for n in range(1, 9)
    ]


def test_coverage_of_european_and_non_european_frameworks(
    registry: QualificationFrameworks,
) -> None:
    jurisdictions = load_jurisdictions(REPO / "ontologies" / "jurisdictions.csv")

    def country(code: str) -> str:
        return jurisdictions.get(code).parent or code

    national = [f for f in registry if f.id != "eqf"]
    european = [f for f in national if country(f.jurisdictions[0]) in EUROPE]
    assert len(european) >= 10
    assert len(national) - len(european) >= 2
    for must in ("ie-nfq", "gb-eng-rqf", "gb-sct-scqf", "de-dqr", "fr-cncp", "nl-nlqf"):
        assert must in registry
    for must in ("pl-pqf", "at-nqr", "it-qnq", "es-mecu", "au-aqf", "nz-nzqcf"):
        assert must in registry


def test_framework_jurisdictions_exist(registry: QualificationFrameworks) -> None:
    jurisdictions = load_jurisdictions(REPO / "ontologies" / "jurisdictions.csv")
    for framework in registry:
        for code in framework.jurisdictions:
            assert jurisdictions.normalise(code) == code, (framework.id, code)


def test_every_framework_names_its_source(registry: QualificationFrameworks) -> None:
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for framework in registry:
        assert framework.source_url.startswith("https://"), framework.id
        assert f"`{framework.id}`" in sources, f"{framework.id} is not described in SOURCES.md"


def test_every_level_has_an_eqf_level_or_says_why_not(registry: QualificationFrameworks) -> None:
    for framework in registry:
        levels = registry.levels(framework.id)
        assert levels, framework.id
        assert any(lv.eqf_level is not None for lv in levels)
        for lv in levels:
            if lv.eqf_level is None:
                assert "not referenced" in lv.note or "no EQF level" in lv.note, lv.name
            else:
                assert 1 <= lv.eqf_level <= 8, lv.name


def test_elm_uris_exist_in_the_elm_code_lists(
    registry: QualificationFrameworks, codelists: Path
) -> None:
    nqf, eqf = _elm(codelists, "nqf.csv"), _elm(codelists, "eqf.csv")
    elm_frameworks = {u for u, label in nqf.items() if not re.search(r" (Level|Entry)", label)}
    for framework in registry:
        if framework.elm_uri is not None:
            assert framework.elm_uri in elm_frameworks, framework.id
        for lv in registry.levels(framework.id):
            if lv.elm_uri is not None:
                known = eqf if framework.id == "eqf" else nqf
                assert known.get(lv.elm_uri) == lv.label, lv.name


def test_frameworks_in_elm_carry_all_their_elm_levels(
    registry: QualificationFrameworks, codelists: Path
) -> None:
    nqf = _elm(codelists, "nqf.csv")
    for framework in registry:
        if framework.elm_uri is None:
            continue
        ours = {lv.elm_uri for lv in registry.levels(framework.id) if lv.elm_uri}
        assert ours, f"{framework.id} is in ELM but none of its levels carry an ELM URI"
        prefixes = {_level_prefix(nqf[uri]) for uri in ours}
        assert len(prefixes) == 1, framework.id
        (prefix,) = prefixes
        in_elm = {uri for uri, label in nqf.items() if label.startswith(prefix + " ")}
        assert ours == in_elm, framework.id


@pytest.mark.parametrize(
    ("framework", "code", "eqf"),
    [
        ("ie-nfq", "1", 1),
        ("ie-nfq", "5", 4),
        ("ie-nfq", "6", 5),
        ("ie-nfq", "8", 6),
        ("ie-nfq", "10", 8),
        ("gb-eng-rqf", "entry-3", 1),
        ("gb-eng-rqf", "1", 2),
        ("gb-eng-rqf", "4", 5),
        ("gb-eng-rqf", "5", 5),
        ("gb-sct-scqf", "6", 4),
        ("gb-sct-scqf", "10", 6),
        ("gb-sct-scqf", "12", 8),
        ("gb-wls-cqfw", "entry", 1),
        ("de-dqr", "6", 6),
        ("fr-cncp", "5", 5),
        ("fr-cncp", "V", 3),
        ("fr-cncp", "i-doctorat", 8),
        ("nl-nlqf", "4+", 4),
        ("es-meces", "1", 5),
        ("es-meces", "4", 8),
        ("hr-croqf", "7.2", 7),
        ("cy-cyqf", "5b", 5),
        ("au-aqf", "9", 7),
    ],
)
def test_eqf_level_spot_checks(
    registry: QualificationFrameworks, framework: str, code: str, eqf: int
) -> None:
    assert registry.eqf_level(framework, code) == eqf


def test_ie_nfq_8_and_dqr_6_are_both_eqf_6(registry: QualificationFrameworks) -> None:
    result = registry.compare_levels(("ie-nfq", "8"), "de-dqr:6")
    assert result.same_eqf_level
    assert result.difference == 0
    assert result.explanation == "IE NFQ 8 and DQR 6 are both referenced to EQF 6."


def test_scqf_11_and_rqf_7_are_both_eqf_7(registry: QualificationFrameworks) -> None:
    result = registry.compare_levels("gb-sct-scqf:11", "gb-eng-rqf:7")
    assert result.same_eqf_level
    assert "EQF 7" in result.explanation


def test_difference_is_signed_and_explained(registry: QualificationFrameworks) -> None:
    result = registry.compare_levels("gb-sct-scqf:6", "de-dqr:6")
    assert result.difference == -2
    assert "2 EQF levels below" in result.explanation
    assert registry.compare_levels("de-dqr:6", "gb-sct-scqf:6").difference == 2


def test_same_framework_levels_sharing_an_eqf_level(registry: QualificationFrameworks) -> None:
    result = registry.compare_levels("ie-nfq:7", "ie-nfq:8")
    assert result.same_eqf_level
    assert "different levels" in result.explanation


def test_levels_by_elm_uri_and_label(registry: QualificationFrameworks) -> None:
    ie9 = registry.by_uri("http://data.europa.eu/snb/qdr/c_c6ada0f4")
    assert isinstance(ie9, FrameworkLevel)
    assert (ie9.framework, ie9.code) == ("ie-nfq", "9")
    assert registry.by_label("scqf level 11") == registry.level("gb-sct-scqf", "11")
    assert registry.by_label("IE NFQ 9") == ie9
    assert registry.by_uri("http://data.europa.eu/snb/qdr/c_01169e3f") == registry.framework(
        "ie-nfq"
    )
    result = registry.compare_levels(ie9.uri, "http://data.europa.eu/snb/eqf/7")
    assert result.same_eqf_level


def test_uncertain_referencing_is_flagged(registry: QualificationFrameworks) -> None:
    result = registry.compare_levels("au-aqf:8", "ie-nfq:7")
    assert result.confidence == "low"
    assert "low confidence" in result.explanation


def test_project_iris_for_levels_outside_elm(tmp_path: Path) -> None:
    registry = load_qualification_frameworks(DATA, base_iri="https://example.org/id/")
    level = registry.level("au-aqf", "7")
    assert level.elm_uri is None
    assert level.uri == "https://example.org/id/qualification-framework/au-aqf/level/7"
    assert registry.resolve_level(level.uri) == level
    assert (
        registry.framework("AU-AQF").uri == "https://example.org/id/qualification-framework/au-aqf"
    )


def test_level_outside_its_framework_is_invalid(registry: QualificationFrameworks) -> None:
    with pytest.raises(InvalidInputError, match="not a level of DQR") as caught:
        registry.eqf_level("de-dqr", "9")
    assert caught.value.details["valid_codes"] == [str(n) for n in range(1, 9)]
    with pytest.raises(InvalidInputError):
        registry.compare_levels("ie-nfq:11", "de-dqr:6")


def test_unknown_framework_or_uri_is_not_found(registry: QualificationFrameworks) -> None:
    with pytest.raises(NotFoundError, match="unknown qualifications framework"):
        registry.eqf_level("xx-nqf", "1")
    with pytest.raises(NotFoundError):
        registry.compare_levels("http://data.europa.eu/snb/qdr/c_nope", "eqf:1")


@pytest.mark.parametrize(
    "ref",
    ["de-dqr", "de-dqr:", "http://data.europa.eu/snb/qdr/c_ef113b94", "nl-nlqf:entry"],
    ids=["no-code", "empty-code", "framework-uri", "not-referenced"],
)
def test_unusable_level_references_are_invalid(registry: QualificationFrameworks, ref: str) -> None:
    with pytest.raises(InvalidInputError):
        registry.compare_levels(ref, "eqf:1")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "qualifications"
    shutil.copytree(DATA, target)
    return target


@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("levels.csv", "de-dqr,9,DQR Level 9,,9,high,\n", "eqf_level"),
        ("levels.csv", "de-dqr,6,DQR Level 6 bis,,6,high,\n", "code"),
        ("levels.csv", "xx,1,XX Level 1,,1,high,\n", "framework"),
        ("levels.csv", "de-dqr,9,DQR Level 9,,8,sure,\n", "confidence"),
        ("frameworks.csv", "de-dqr,X,X,DE,,t,p,2013,https://x,high,\n", "id"),
        ("frameworks.csv", "xx,X,X,germany,,t,p,2013,https://x,high,\n", "jurisdiction"),
        ("frameworks.csv", "xx,X,X,DE,,t,p,13,https://x,high,\n", "source_year"),
    ],
    ids=["eqf-9", "duplicate-code", "unknown-framework", "bad-confidence", "duplicate-id",
         "bad-jurisdiction", "bad-year"],
)  # fmt: skip
def test_bad_rows_name_file_line_and_column(
    tmp_path: Path, file: str, row: str, column: str
) -> None:
    directory = _copy(tmp_path)
    path = directory / file
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(row)
    with pytest.raises(InvalidInputError) as caught:
        load_qualification_frameworks(directory)
    assert caught.value.details == {"file": str(path), "line": lines + 1, "column": column}
    assert f"{file} line {lines + 1}" in caught.value.message
