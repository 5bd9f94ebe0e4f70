"""Bad ESCO input gets an error naming file, line and column, and the store stays as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.services.ingestion import import_concepts
from graph.store import GraphStore
from ingest.errors import IngestError
from ingest.frameworks.esco import EscoPack, esco_import
from ingest.run import ingest_esco
from tests.conftest import ERRATA


@pytest.fixture
def pack_copy(esco_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of the English pack and its relations."""
    target = tmp_path / "pack"
    for part in ("en", "relations"):
        shutil.copytree(esco_dir / part, target / part)
    return target


@pytest.fixture
def store(tmp_path: Path, esco_slice: EscoPack) -> GraphStore:
    """A store that already holds accepted content (the real slice)."""
    the_store = EmbeddedStore(tmp_path / "store.db")
    the_store.open()
    import_concepts(the_store, esco_import(esco_slice), embedder=None)
    return the_store


def _edit(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(change(lines)), encoding="utf-8")


def _expect_error(
    store: GraphStore,
    pack: Path,
    *,
    file: str,
    line: int | None,
    column: str | int | None,
    words: str,
) -> IngestError:
    before = store.stats()
    concepts_before = list(store.iter_concepts())
    with pytest.raises(IngestError, match=words) as info:
        ingest_esco(store, [pack], embedder=None, errata=ERRATA)
    error = info.value
    assert error.source.endswith(file), error
    assert error.line == line, error
    assert error.column == column, error
    assert store.stats() == before
    assert list(store.iter_concepts()) == concepts_before
    return error


def test_a_missing_column(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "en" / "skills_en.csv"
    _edit(path, lambda lines: [lines[0].replace("conceptUri", "conceptURL"), *lines[1:]])
    error = _expect_error(
        store, pack_copy, file="skills_en.csv", line=1, column="conceptUri", words="missing column"
    )
    assert "conceptURL" in error.message


def test_broken_quoting(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "relations" / "broaderRelationsOccPillar.csv"
    _edit(path, lambda lines: [*lines[:10], lines[10].replace(",", ',"', 1), *lines[11:]])
    _expect_error(
        store,
        pack_copy,
        file="broaderRelationsOccPillar.csv",
        line=11,
        column=None,
        words="malformed CSV",
    )


def test_an_unknown_concept_in_a_relation_file(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "relations" / "occupationSkillRelations.csv"
    bogus = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"

    def change(lines: list[str]) -> list[str]:
        cells = lines[41].split(",")
        cells[-1] = bogus
        return [*lines[:41], ",".join(cells), *lines[42:]]

    _edit(path, change)
    error = _expect_error(
        store,
        pack_copy,
        file="occupationSkillRelations.csv",
        line=42,
        column="skillUri",
        words="unknown concept",
    )
    assert error.details["uri"] == bogus


def test_a_relation_to_a_concept_of_the_wrong_kind(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "relations" / "occupationSkillRelations.csv"
    occupation = "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"

    def change(lines: list[str]) -> list[str]:
        cells = lines[5].split(",")
        cells[-1] = occupation
        return [*lines[:5], ",".join(cells), *lines[6:]]

    _edit(path, change)
    _expect_error(
        store,
        pack_copy,
        file="occupationSkillRelations.csv",
        line=6,
        column="skillUri",
        words="is a occupation, expected skill",
    )


def test_an_empty_file(store: GraphStore, pack_copy: Path) -> None:
    (pack_copy / "en" / "ISCOGroups_en.csv").write_text("", encoding="utf-8")
    _expect_error(store, pack_copy, file="ISCOGroups_en.csv", line=None, column=None, words="empty")


def test_a_file_in_the_wrong_encoding(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "en" / "occupations_en.csv"
    text = path.read_text(encoding="utf-8")
    head = text.encode("utf-8")[:2000]
    path.write_bytes(head + "Ingénieur".encode("latin-1") + b"\n")
    line = head.count(b"\n") + 1
    column = len(head) - head.rfind(b"\n") - 1 + len("Ing") + 1
    error = _expect_error(
        store, pack_copy, file="occupations_en.csv", line=line, column=column, words="UTF-8"
    )
    assert error.message.startswith(str(path))


def test_a_truncated_file(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "relations" / "skillSkillRelations.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    # Cut the 101st record after its second field: a download that stopped mid-row.
    cut = ",".join(lines[100].split(",")[:2])
    path.write_text("\n".join([*lines[:100], cut]), encoding="utf-8")
    _expect_error(
        store,
        pack_copy,
        file="skillSkillRelations.csv",
        line=101,
        column="relationType",
        words="truncated row",
    )


def test_a_value_outside_its_vocabulary(store: GraphStore, pack_copy: Path) -> None:
    path = pack_copy / "relations" / "skillSkillRelations.csv"
    _edit(
        path,
        lambda lines: [*lines[:3], lines[3].replace(",optional,", ",mandatory,"), *lines[4:]],
    )
    _expect_error(
        store,
        pack_copy,
        file="skillSkillRelations.csv",
        line=4,
        column="relationType",
        words="expected 'essential' or 'optional'",
    )
