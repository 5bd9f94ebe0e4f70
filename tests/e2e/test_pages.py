"""The web pages are served and their script parses."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from api.routes.pages import PAGES


def test_home_page_and_assets(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    assert 'id="search-form"' in home.text
    for asset in ("/pages/app.js", "/pages/style.css"):
        assert client.get(asset).status_code == 200
    # The page's calls go to routes that exist.
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/skills/search", "/v1/match", "/v1/credentials"} <= set(paths)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_script_parses() -> None:
    result = subprocess.run(
        ["node", "--check", str(PAGES / "app.js")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
