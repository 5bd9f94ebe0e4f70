from __future__ import annotations

from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.errors import BackendUnavailableError
from graph.store import GraphStore


def test_a_closed_store_refuses_every_call(store: GraphStore) -> None:
    store.close()
    assert not store.is_open
    with pytest.raises(BackendUnavailableError, match="not open"):
        store.stats()
    with pytest.raises(BackendUnavailableError):
        store.check()


def test_open_and_close_are_idempotent(store: GraphStore) -> None:
    store.open()
    store.check()
    store.close()
    store.close()
    store.open()
    store.check()
    assert store.stats().nodes == {}


def test_constructing_a_store_does_no_io(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "store.db"
    EmbeddedStore(path)
    assert not path.exists()
