"""The main job: the app on an empty embedded store loads the demo data on first start."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.settings import load_settings
from ingest.demo import read_demo_catalogue
from tests.conftest import REPO_ROOT, embedding_cache_path

pytestmark = [pytest.mark.model, pytest.mark.slow]
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def test_first_start_loads_the_demo_and_serves_it(tmp_path: Path) -> None:
    settings = load_settings(
        store=f"sqlite:///{tmp_path / 'demo.db'}",
        embedding_cache=embedding_cache_path(),
        key_dir=tmp_path / "keys",
        context_cache=tmp_path / "contexts",
    )
    issuers, credentials = read_demo_catalogue(REPO_ROOT / "ontologies")
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        assert client.get("/").status_code == 200
        listed = client.get("/v1/credentials").json()
        assert listed["count"] == len(credentials)
        assert client.get("/v1/issuers").json()["count"] == len(issuers)
        found = client.get("/v1/skills/search", params={"q": "python programming"}).json()
        assert found["results"][0]["uri"] == PYTHON
    # A second start finds the demo already there and changes nothing.
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/credentials").json()["count"] == len(credentials)
