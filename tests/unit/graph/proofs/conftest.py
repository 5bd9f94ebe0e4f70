"""Fixtures of the proof tests: the pinned-context cache and the W3C test vectors."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def vectors(shared_data: Path) -> Path:
    """The W3C vc-di-eddsa ``TestVectors`` folder."""
    return shared_data / "w3c-vc-di-eddsa" / "TestVectors"
