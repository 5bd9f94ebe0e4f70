"""A dump of the embedded store restores into Neo4j, and back, answering the same.

The store holds something of every kind (tests/fixtures/full_store.py). Its dump, imported into
a Neo4j namespace and exported from there, is the same bytes; imported back into a new embedded
store, too. Search, equivalence, a pathway and the verification of signed proofs (by an
issuer's registered key; revoked by its status list) answer the same on all three stores.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.jsonld import PinnedDocumentLoader
from graph.services.backup.exporting import export_store
from graph.services.backup.restoring import import_dump
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN
from tests.fixtures.full_store import FullStore, answers, assert_same, fill_store
from tests.fixtures.neo4j_server import neo4j_namespace

pytestmark = [pytest.mark.neo4j]


def _export(store: GraphStore) -> bytes:
    out = io.BytesIO()
    export_store(store, out, actor=ADMIN)
    return out.getvalue()


def test_embedded_to_neo4j_and_back_answers_the_same(
    request: pytest.FixtureRequest, tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    with EmbeddedStore(tmp_path / "first.db") as first:
        full = fill_store(first, keys=tmp_path / "keys", loader=pinned_loader)
        dump = _export(first)
        expected = answers(first, full, pinned_loader)
    assert expected["verify_by_ucd"]["verified"] is True
    assert expected["verify_revoked"]["check"] == "revoked"
    assert expected["search"] and expected["pathway"]["plans"]
    with neo4j_namespace(request, "bk") as neo4j:
        _restores(neo4j, dump, expected, full, pinned_loader)
        back = _export(neo4j)  # the same bytes, checked above: back again from Neo4j
    with EmbeddedStore(tmp_path / "back.db") as embedded:
        _restores(embedded, back, expected, full, pinned_loader)


def _restores(
    store: GraphStore,
    dump: bytes,
    expected: dict[str, Any],
    full: FullStore,
    loader: PinnedDocumentLoader,
) -> None:
    """Import ``dump`` into ``store``: it exports the same bytes and answers ``expected``."""
    import_dump(store, io.BytesIO(dump), actor=ADMIN)
    assert _export(store) == dump
    assert_same(answers(store, full, loader), expected)
