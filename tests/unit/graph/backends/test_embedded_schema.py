"""The embedded store's file format: older files are upgraded in place, newer ones refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.errors import BackendUnavailableError
from graph.model.concept_documents import concept_to_json
from graph.model.concepts import Concept, Label, NodeKind, Relation, RelationType
from graph.store import GraphBatch, Record

# The layout credwalk wrote before schema version 2 (it also indexed relations by target).
_VERSION_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE schemes (uri TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE concepts (
    uri TEXT PRIMARY KEY, kind TEXT NOT NULL, framework TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE records (
    uri TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, idx TEXT NOT NULL);
CREATE TABLE relations (
    source TEXT NOT NULL, type TEXT NOT NULL, target TEXT NOT NULL, props TEXT NOT NULL,
    PRIMARY KEY (source, type, target)) WITHOUT ROWID;
CREATE INDEX relations_by_target ON relations (target, type);
CREATE TABLE texts (
    uri TEXT NOT NULL, field TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL,
    terms TEXT NOT NULL, vector BLOB);
CREATE INDEX texts_by_uri ON texts (uri);
PRAGMA user_version = 1;
"""


def _indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {name for (name,) in rows}


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_a_version_1_file_is_upgraded_and_keeps_its_content(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    skills = [
        Concept(f"http://example.org/skill/{i}", NodeKind.SKILL, "esco", (Label(name, "en"),))
        for i, name in enumerate(["welding", "soldering"])
    ]
    with sqlite3.connect(path) as conn:
        conn.executescript(_VERSION_1)
        conn.executemany(
            "INSERT INTO concepts VALUES (?, ?, ?, ?)",
            [(c.uri, c.kind.value, c.framework, concept_to_json(c)) for c in skills],
        )
        conn.execute(
            "INSERT INTO relations VALUES (?, 'broader', ?, '{}')", (skills[1].uri, skills[0].uri)
        )
    assert "relations_by_target" in _indexes(path)

    with EmbeddedStore(path) as store:
        assert store.get_concepts([c.uri for c in skills]) == {c.uri: c for c in skills}
        assert store.relations(skills[1].uri) == [
            Relation(skills[1].uri, RelationType.BROADER, skills[0].uri)
        ]

    assert "relations_by_target" not in _indexes(path)
    assert "texts_by_uri" in _indexes(path)
    assert _user_version(path) == 3


def test_records_of_a_version_2_file_count_from_version_1(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            _VERSION_1.replace("PRAGMA user_version = 1;", "PRAGMA user_version = 2;")
        )
        conn.execute("INSERT INTO records VALUES ('urn:x:learner', 'learner', '{\"id\": 1}', '{}')")
    with EmbeddedStore(path) as store:
        assert store.get_record("urn:x:learner", kind=NodeKind.LEARNER).version == 1
        store.write(
            GraphBatch(
                records=[Record("urn:x:learner", NodeKind.LEARNER, {"id": 2})],
                expect={"urn:x:learner": 1},
            )
        )
        assert store.get_record("urn:x:learner", kind=NodeKind.LEARNER).version == 2
    assert _user_version(path) == 3


def test_a_file_from_a_newer_credwalk_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(BackendUnavailableError, match="schema version 99"):
        EmbeddedStore(path).open()
    assert _user_version(path) == 99
