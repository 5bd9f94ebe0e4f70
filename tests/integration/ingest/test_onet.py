"""O*NET ingest on the shared files: exact counts, IRIs and codes, searchable tasks, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.model.concepts import LabelKind, NodeKind
from graph.registry import create_store
from graph.services.concepts import search_concepts
from graph.store import GraphStore, TextField
from ingest.errors import IngestError
from ingest.frameworks.onet import OnetData, onet_iri, read_onet
from ingest.run import ingest_onet

#: The shared files (data/README.md): 1,110 occupations (O*NET-SOC 2010), 59,634 alternate
#: titles, 19,281 task statements of O*NET 28.0 for 923 occupations (O*NET-SOC 2019).
OCCUPATION_ROWS = 1110
ALTERNATE_ROWS = 59634
TASK_ROWS = 19281
TASK_OCCUPATIONS = 923


@pytest.fixture(scope="module")
def onet(shared_data: Path) -> OnetData:
    return read_onet([shared_data / "onet"])


def test_every_row_of_the_shared_files_is_read(onet: OnetData) -> None:
    assert onet.rows == {
        "occupations": OCCUPATION_ROWS,
        "alternates": ALTERNATE_ROWS,
        "tasks": TASK_ROWS,
    }
    listed = [c for c in onet.occupations.values() if c.framework_version == "O*NET-SOC 2010"]
    assert len(listed) == OCCUPATION_ROWS
    # task codes the 2010 list lacks become occupations of the 2019 taxonomy
    assert len(onet.occupations) == OCCUPATION_ROWS + len(onet.task_only)
    with_tasks = {c.code for c in onet.occupations.values() if len(c.descriptions) > 1} | set(
        onet.task_only
    )
    assert len(with_tasks) == TASK_OCCUPATIONS
    descriptions = sum(len(c.descriptions) for c in onet.occupations.values())
    assert descriptions == OCCUPATION_ROWS + TASK_ROWS  # every description and every task


def test_occupations_keep_their_published_iri_and_code(onet: OnetData) -> None:
    welders = onet.occupations[onet_iri("51-4121.06")]
    assert welders.uri == "https://www.onetonline.org/link/summary/51-4121.06"
    assert welders.code == "51-4121.06" and welders.kind is NodeKind.OCCUPATION
    assert welders.framework == "onet"
    assert welders.preferred_label() == "Welders, Cutters, and Welder Fitters"
    alternatives = {lb.text for lb in welders.labels if lb.kind is LabelKind.ALTERNATIVE}
    assert {"Welder", "Arc Welder"} <= alternatives
    developers = onet.occupations[onet_iri("15-1252.00")]  # 2019 code: from the task file
    assert developers.preferred_label() == "Software Developers"
    assert developers.framework_version == "O*NET-SOC 2019"
    assert all(c.uri == onet_iri(c.code or "") for c in onet.occupations.values())


@pytest.fixture
def onet_store(tmp_path: Path, shared_data: Path) -> Iterator[GraphStore]:
    store = create_store(f"sqlite:///{tmp_path / 'onet.db'}")
    store.open()
    yield store
    store.close()


@pytest.mark.slow
def test_ingest_is_idempotent_and_tasks_are_searchable(
    onet_store: GraphStore, shared_data: Path, onet: OnetData
) -> None:
    report = ingest_onet(onet_store, [shared_data / "onet"], embedder=None)
    assert report.concepts_added == len(onet.occupations)
    stored = list(onet_store.iter_concepts(kind=NodeKind.OCCUPATION, framework="onet"))
    assert len(stored) == len(onet.occupations)
    again = ingest_onet(onet_store, [shared_data / "onet"], embedder=None)
    assert again.concepts_unchanged == len(onet.occupations) and not again.changed
    # every task is an indexed description text of its occupation (dense search reads them)
    texts = onet_store.text_scores(None, [onet_iri("51-4121.00")])
    indexed = {t.text for t in texts if t.field is TextField.DESCRIPTION}
    assert "Weld components in flat, vertical, or overhead positions." in indexed
    assert len(indexed) == len(onet.occupations[onet_iri("51-4121.00")].descriptions)
    # and titles are searchable without a model
    hits = search_concepts(onet_store, None, "arc welder", kind=NodeKind.OCCUPATION, top=5)
    assert onet_iri("51-4121.06") in [h.uri for h in hits]


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


OCCUPATIONS = (
    "O*NET-SOC Code\tTitle\tDescription\n"
    "51-4121.06\tWelders, Cutters, and Welder Fitters\tUse hand-welding equipment.\n"
)


def test_a_malformed_code_names_file_line_and_column(tmp_path: Path) -> None:
    _write(tmp_path, "Occupation Data.txt", OCCUPATIONS + "51-41X\tBroken\tNo code.\n")
    with pytest.raises(IngestError) as raised:
        read_onet([tmp_path])
    assert raised.value.details["line"] == 3
    assert raised.value.details["column"] == "O*NET-SOC Code"


def test_the_occupation_list_is_required(tmp_path: Path) -> None:
    _write(tmp_path, "Task Statements.txt", "O*NET-SOC Code\tTitle\tTask\n")
    with pytest.raises(IngestError, match="Occupation Data"):
        read_onet([tmp_path])


def test_alternate_titles_of_unknown_occupations_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "Occupation Data.txt", OCCUPATIONS)
    _write(
        tmp_path,
        "Alternate Titles.txt",
        "O*NET-SOC Code\tTitle\tAlternate Title\tShort Title\tSource(s)\n"
        "51-4121.06\tWelders\tArc Welder\t\t08\n"
        "99-9999.00\tNobody\tGhost\t\t08\n",
    )
    with pytest.raises(IngestError, match=r"99-9999\.00") as raised:
        read_onet([tmp_path])
    assert raised.value.details["line"] == 3
