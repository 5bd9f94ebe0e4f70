"""Pages in a real browser: time to a usable page (p50/p95 over N loads) and JS+CSS per page.

Usage: ``python scripts/bench_pages.py [--loads N] [--json]``

The demo is served as the main job serves it (demo data and users; the hashing embedder in
place of the model, so the figures are the pages' and not the model's), over real HTTP, and
Debian's chromium (Playwright, ``/usr/bin/chromium``) loads each page ``N`` times (default
20) in one signed-in context per demo user: every public page, every page of each role's
navigation, a concept and a credential. A page is usable at DOMContentLoaded: the pages are
rendered on the server, so their data is in the document by then (the first data shown is
the same moment). The time is the browser's own (Navigation Timing, from the start of the
navigation). JavaScript and CSS are the decoded bytes of the page's scripts and stylesheets.

Targets (issue 16): p95 <= 500 ms for every page; JS + CSS <= 100 KB per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures.live_site import LiveSite, serve_demo

TARGET_P95_MS = 500.0
TARGET_BYTES = 100 * 1024
PUBLIC = (
    "/",
    "/search?q=python+programming",
    "/credentials",
    "/verify",
    "/login",
    "/concepts/http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
    "/credentials/https://www.liffey-tu.example/credentials/programming-fundamentals-python",
)

_PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
_DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
#: Pages that answer a question, per role, beside the navigation's: the heaviest work a page
#: does (a pathway, a four-way comparison, a credential's mapping and equivalents).
WORK = {
    "learner": (f"/me/pathway?kind=occupation&occupation={_DATA_ANALYST}&jurisdiction=IE",),
    "advisor": (
        "/compare?c="
        + "&c=".join(
            (
                _PYTHON_IE,
                "https://www.greatlakes-cc.example/credentials/python-programming-1",
                "https://www.hs-niederrhein-ruhr.example/credentials/python-fuer-datenanalyse",
                "https://www.politechnika-wislana.example/credentials/object-oriented-programming-java",
            )
        ),
    ),
    "issuer": (
        f"/catalogue/edit?id={_PYTHON_IE}",
        f"/catalogue/mapping?id={_PYTHON_IE}",
        f"/catalogue/equivalents?id={_PYTHON_IE}&jurisdiction=DE",
    ),
    "assessor": ("/assess",),
}

_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const assets = performance.getEntriesByType("resource")
    .filter(r => ["script", "link", "css"].includes(r.initiatorType));
  return {ms: nav.domContentLoadedEventEnd - nav.startTime, status: nav.responseStatus,
          bytes: assets.reduce((n, r) => n + r.decodedBodySize, 0)};
}"""


def _sign_in(page: Any, site: LiveSite, name: str) -> None:
    user = site.users[name]
    page.goto(site.url + "/login")
    page.fill("#f-name", user["name"])
    page.fill("#f-password", user["password"])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _role_pages(page: Any, site: LiveSite) -> list[str]:
    page.goto(site.url + "/")
    links = page.eval_on_selector_all("header nav a", "as => as.map(a => a.getAttribute('href'))")
    return [link for link in links if link not in PUBLIC]


def _measure(page: Any, url: str, loads: int) -> dict[str, Any]:
    times, status, size = [], 0, 0
    for _ in range(loads):
        page.goto(url, wait_until="domcontentloaded")
        timing = page.evaluate(_TIMING)
        times.append(timing["ms"])
        status, size = timing["status"], max(size, timing["bytes"])
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return {"p50_ms": statistics.median(times), "p95_ms": p95, "status": status, "bytes": size}


def _pages_of(browser: Any, site: LiveSite, who: str, loads: int) -> list[dict[str, Any]]:
    context = browser.new_context()
    page = context.new_page()
    if who == "anonymous":
        pages = list(PUBLIC)
    else:
        _sign_in(page, site, who)
        pages = ["/", *_role_pages(page, site), *WORK.get(who, ())]
    rows = [{"who": who, "page": p, **_measure(page, site.url + p, loads)} for p in pages]
    context.close()
    return rows


def run(loads: int) -> list[dict[str, Any]]:
    """Every page's figures, as ``{"who", "page", "p50_ms", "p95_ms", "status", "bytes"}``."""
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        serve_demo(Path(folder)) as site,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        for who in ("anonymous", *site.users):
            rows.extend(_pages_of(browser, site, who, loads))
        browser.close()
    return rows


def main(argv: list[str]) -> int:
    """Print the table and the verdicts; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.loads)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(
            f"{'who':<10} {'page':<60} {'status':>6} {'p50 ms':>7} {'p95 ms':>7} {'JS+CSS KB':>9}"
        )
        for r in rows:
            print(
                f"{r['who']:<10} {r['page'][:60]:<60} {r['status']:>6} {r['p50_ms']:>7.1f} "
                f"{r['p95_ms']:>7.1f} {r['bytes'] / 1024:>9.1f}"
            )
    worst = max(rows, key=lambda r: r["p95_ms"])
    heaviest = max(rows, key=lambda r: r["bytes"])
    broken = [r for r in rows if r["status"] >= 400]
    speed_ok = worst["p95_ms"] <= TARGET_P95_MS
    size_ok = heaviest["bytes"] <= TARGET_BYTES
    print(f"\n{len(rows)} pages x {args.loads} loads")
    print(
        f"slowest p95 {worst['p95_ms']:.1f} ms ({worst['who']} {worst['page']}) "
        f"<= {TARGET_P95_MS:.0f} ms: {'PASS' if speed_ok else 'FAIL'}"
    )
    print(
        f"heaviest JS+CSS {heaviest['bytes'] / 1024:.1f} KB ({heaviest['page']}) "
        f"<= {TARGET_BYTES / 1024:.0f} KB: {'PASS' if size_ok else 'FAIL'}"
    )
    if broken:
        print("pages answering an error: " + ", ".join(f"{r['who']} {r['page']}" for r in broken))
    return 0 if speed_ok and size_ok and not broken else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
