"""The official ESCO v1.1.1 pack, whole: exact counts, idempotence, languages, versions."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.model.concepts import LabelKind, NodeKind, RelationType
from graph.store import GraphStore
from ingest.run import ingest_esco
from tests.conftest import ERRATA

pytestmark = pytest.mark.slow

THERAPEUTIC_RADIOGRAPHER = (
    "http://data.europa.eu/esco/occupation/a9e54177-a185-404d-b6e6-15663d31137e"
)
HASKELL = "http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02"
TECHNICAL_DIRECTOR = "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"


@pytest.fixture
def store(tmp_path: Path) -> GraphStore:
    the_store = EmbeddedStore(tmp_path / "esco.db")
    the_store.open()
    return the_store


def _released(store: GraphStore, kind: NodeKind) -> int:
    return sum(1 for c in store.iter_concepts(kind=kind) if c.status == "released")


def test_full_english_pack_has_the_published_counts(store: GraphStore, esco_dir: Path) -> None:
    report = ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
    stats = store.stats()
    assert _released(store, NodeKind.SKILL) == 13_896
    assert _released(store, NodeKind.OCCUPATION) == 3_007
    assert _released(store, NodeKind.ISCO_GROUP) == 619
    # 640 rows of skillGroups_en.csv plus 7 groups that only the skills hierarchy defines.
    assert _released(store, NodeKind.SKILL_GROUP) == 647
    assert (
        stats.count_relations(RelationType.HAS_ESSENTIAL_SKILL, NodeKind.OCCUPATION, NodeKind.SKILL)
        + stats.count_relations(
            RelationType.HAS_OPTIONAL_SKILL, NodeKind.OCCUPATION, NodeKind.SKILL
        )
        == 123_855
    )
    assert (
        stats.count_relations(RelationType.HAS_ESSENTIAL_SKILL, NodeKind.SKILL, NodeKind.SKILL)
        + stats.count_relations(RelationType.HAS_OPTIONAL_SKILL, NodeKind.SKILL, NodeKind.SKILL)
        == 5_899
    )
    skill_pillar = sum(
        stats.count_relations(RelationType.BROADER, source, target)
        for source in (NodeKind.SKILL, NodeKind.SKILL_GROUP)
        for target in (NodeKind.SKILL, NodeKind.SKILL_GROUP)
    )
    assert skill_pillar == 20_656
    occupation_pillar = sum(
        stats.count_relations(RelationType.BROADER, source, target)
        for source in (NodeKind.OCCUPATION, NodeKind.ISCO_GROUP)
        for target in (NodeKind.OCCUPATION, NodeKind.ISCO_GROUP)
    )
    assert occupation_pillar == 3_617
    # The one erratum: referenced by 67 occupation-skill rows, kept as obsolete.
    radiographer = store.get_concept(THERAPEUTIC_RADIOGRAPHER)
    assert radiographer.status == "obsolete"
    assert len(store.relations(THERAPEUTIC_RADIOGRAPHER)) == 67 + 1
    assert report.concepts_added == 13_896 + 3_007 + 619 + 647 + 1
    assert {s.version for s in store.schemes()} == {"1.1.1"}
    director = store.get_concept(TECHNICAL_DIRECTOR)
    assert director.code == "2654.1.7" and director.isco_group == "2654"
    haskell = store.get_concept(HASKELL)
    assert haskell.collections == {"digital"}
    assert haskell.skill_type is not None and haskell.skill_type.value == "knowledge"


def test_ingesting_twice_changes_nothing(store: GraphStore, esco_dir: Path) -> None:
    ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
    before = store.stats()
    again = ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
    assert not again.changed
    assert again.concepts_unchanged == 18_170
    assert store.stats() == before


def test_french_labels_merge_into_the_english_concepts(store: GraphStore, esco_dir: Path) -> None:
    ingest_esco(store, [esco_dir], embedder=None, languages=["en"], errata=ERRATA)
    english = store.stats()
    report = ingest_esco(store, [esco_dir], embedder=None, languages=["fr"], errata=ERRATA)
    assert report.concepts_added == 0 and report.relations_added == 0
    assert store.stats().nodes == english.nodes
    director = store.get_concept(TECHNICAL_DIRECTOR)
    assert director.preferred_label("fr") == "directeur technique/directrice technique"
    assert director.preferred_label("en") == "technical director"
    # skills_fr.csv is not in the pack: French skill labels come from the collection files.
    assert store.get_concept(HASKELL).languages == {"en", "fr"}
    assert any(lb.lang == "fr" and lb.kind is LabelKind.ALTERNATIVE for lb in director.labels)
    # Re-importing English keeps the French labels.
    ingest_esco(store, [esco_dir], embedder=None, languages=["en"], errata=ERRATA)
    assert store.get_concept(TECHNICAL_DIRECTOR).preferred_label("fr") == (
        "directeur technique/directrice technique"
    )


def test_both_languages_in_one_import(store: GraphStore, esco_dir: Path) -> None:
    ingest_esco(store, [esco_dir], embedder=None, languages=["en", "fr"], errata=ERRATA)
    assert _released(store, NodeKind.OCCUPATION) == 3_007
    assert store.get_concept(TECHNICAL_DIRECTOR).languages == {"en", "fr"}


def test_a_newer_version_keeps_vanished_concepts_as_obsolete(
    store: GraphStore, shared_data: Path, esco_dir: Path
) -> None:
    ingest_esco(store, [shared_data / "esco" / "v1.1.0"], embedder=None, errata=ERRATA)
    assert _released(store, NodeKind.OCCUPATION) == 3_008
    assert store.get_concept(THERAPEUTIC_RADIOGRAPHER).status == "released"
    report = ingest_esco(store, [esco_dir], embedder=None, errata=ERRATA)
    assert _released(store, NodeKind.OCCUPATION) == 3_007
    assert store.get_concept(THERAPEUTIC_RADIOGRAPHER).status == "obsolete"
    assert report.relations_removed > 0
    assert {s.version for s in store.schemes() if s.framework == "esco"} >= {"1.1.1"}
    assert store.stats().count_relations(RelationType.BROADER) == 20_656 + 3_617


def test_gzip_files_and_zip_archives_read_like_folders(
    store: GraphStore, shared_data: Path, tmp_path: Path
) -> None:
    archive = shutil.make_archive(
        str(tmp_path / "ESCO dataset - v1.1.0 - classification - en - csv"),
        "zip",
        shared_data / "esco" / "v1.1.0",
    )
    ingest_esco(store, [Path(archive)], embedder=None, errata=ERRATA)
    assert _released(store, NodeKind.SKILL) == 13_891
    assert _released(store, NodeKind.OCCUPATION) == 3_008
    assert {s.version for s in store.schemes()} == {"1.1.0"}


#: How ESCO v1.2.x lays out the relation files: one flat folder, an ``_en`` suffix, and a label
#: column after each URI column. The shared data holds v1.1.0 and v1.1.1 only, so the v1.1.1
#: content is rewritten in that layout (and keeps its version, which the errata are keyed on).
V12_LABEL_COLUMNS = {
    "occupationSkillRelations": {"occupationUri": "occupationLabel", "skillUri": "skillLabel"},
    "skillSkillRelations": {
        "originalSkillUri": "originalSkillLabel",
        "relatedSkillUri": "relatedSkillLabel",
    },
    "broaderRelationsOccPillar": {"conceptUri": "conceptLabel", "broaderUri": "broaderLabel"},
    "broaderRelationsSkillPillar": {"conceptUri": "conceptLabel", "broaderUri": "broaderLabel"},
}


def _as_v12(v111: Path, target: Path) -> Path:
    folder = target / "ESCO dataset - v1.1.1 - classification - en - csv"
    folder.mkdir()
    for path in (v111 / "en").iterdir():
        shutil.copy(path, folder / path.name)
    for stem, labels in V12_LABEL_COLUMNS.items():
        with (v111 / "relations" / f"{stem}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        columns = [c for name in rows[0] for c in (name, labels.get(name)) if c is not None]
        with (folder / f"{stem}_en.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(row | {label: "a label, quoted" for label in labels.values()})
    return folder


def test_the_v1_2_layout_and_columns_read_the_same(
    store: GraphStore, esco_dir: Path, tmp_path: Path
) -> None:
    ingest_esco(store, [_as_v12(esco_dir, tmp_path)], embedder=None, errata=ERRATA)
    stats = store.stats()
    assert _released(store, NodeKind.SKILL) == 13_896
    assert stats.count_relations(RelationType.BROADER) == 20_656 + 3_617
    assert (
        stats.count_relations(RelationType.HAS_ESSENTIAL_SKILL)
        + stats.count_relations(RelationType.HAS_OPTIONAL_SKILL)
        == 123_855 + 5_899
    )
    assert {s.version for s in store.schemes()} == {"1.1.1"}
