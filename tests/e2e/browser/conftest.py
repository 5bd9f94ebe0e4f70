"""Browser tests: Debian's chromium, driven by Playwright, on the demo served over HTTP.

Playwright's own browser download needs the internet, so the tests use ``/usr/bin/chromium``
(``scripts/dev setup`` installs it with apt). Without it the tests are skipped, unless
``CREDWALK_REQUIRE_BROWSER=1`` (CI) makes that a failure. Every page a test visits through
:func:`visit` is checked by axe-core (no serious or critical violation) and photographed
into ``var/browser-artifacts/`` (or ``CREDWALK_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.live_site import LiveSite, serve_demo

CHROMIUM = Path(os.environ.get("CREDWALK_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("CREDWALK_ARTIFACTS", ROOT / "var" / "browser-artifacts"))


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (scripts/dev setup installs it)"
    if not AXE.exists():
        return f"no axe-core at {AXE} (scripts/dev setup runs npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e .[test])"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session."""
    missing = _missing()
    if missing:
        if os.environ.get("CREDWALK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        the_browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield the_browser
        the_browser.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The demo, as the main job starts it, for the whole session."""
    with serve_demo(tmp_path_factory.mktemp("live-site")) as live:
        yield live


class Visitor:
    """A person in a browser: a fresh context (no cookies), pages checked as they are shown."""

    def __init__(self, page: Any, site: LiveSite, test_name: str) -> None:
        self.page = page
        self.site = site
        self._test = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self._shots = 0

    def visit(self, path: str) -> Any:
        """Open ``path`` and check the page shown."""
        response = self.page.goto(self.site.url + path)
        self.check()
        return response

    def check(self) -> None:
        """Photograph the page shown and run axe-core over it."""
        self._shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self._test}-{self._shots:02d}.png"), full_page=True
        )
        assert_accessible(self.page)

    def sign_in(self, name: str) -> None:
        """Sign in as the demo user ``name`` through the form."""
        user = self.site.users[name]
        self.page.goto(self.site.url + "/login")
        self.page.get_by_label("User name").fill(user["name"])
        self.page.get_by_label("Password").fill(user["password"])
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert self.page.get_by_role("button", name="Sign out").is_visible()


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page shown."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in bad
    )


@pytest.fixture
def visitor(browser: Any, site: LiveSite, request: pytest.FixtureRequest) -> Iterator[Visitor]:
    """A new visitor (its own cookies) on the demo site."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Visitor(page, site, request.node.name)
    context.close()


@pytest.fixture
def phone_visitor(
    browser: Any, site: LiveSite, request: pytest.FixtureRequest
) -> Iterator[Visitor]:
    """A visitor on a phone-sized screen."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    yield Visitor(page, site, request.node.name)
    context.close()
