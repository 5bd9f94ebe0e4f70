"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.serve_fork import Forker


@pytest.fixture(scope="session")
def serve_forker() -> Iterator[Forker]:
    """Starts ``credwalk serve`` processes in about a second each (imports paid once)."""
    forker = Forker()
    try:
        yield forker
    finally:
        forker.close()
