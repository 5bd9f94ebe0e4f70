"""Eight clients write at once through ``credwalk serve``: nothing lost, nothing twice, no 5xx.

A real server process on a real store of each backend, real HTTP, real API keys of users with
the roles their writes need (assessors, issuer staff, advisors; see
:mod:`tests.fixtures.load_writes`). The clients start each write together, so every write races
the seven others on the same objects. Afterwards every object is read back: the stored writes
are exactly the acknowledged ones, each once; a conditional replacement that lost its race got
412 and changed nothing; and a client holding an old ETag is refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.load_checks import problems, read_back, store_problems
from tests.fixtures.load_site import BACKENDS, LoadSite, load_site, write_at_once
from tests.fixtures.load_writes import KINDS, Ledger
from tests.fixtures.serve_fork import Forker

CLIENTS, WRITES = 8, 50


@pytest.fixture(params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path: Path, serve_forker: Forker
) -> Iterator[LoadSite]:
    with load_site(request, tmp_path, request.param, forker=serve_forker) as the_site:
        yield the_site


def _stale_if_match_is_refused(site: LoadSite) -> None:
    credential = site.world.replaced[0]
    staff = {"Authorization": f"Bearer {site.world.clients[0].staff}"}
    with site.client() as http:
        before = http.get(f"/v1/credentials/{credential}")
        current = int(before.headers["etag"].strip('"'))
        assert current > 1
        body = {**before.json(), "title": "written on an old version"}
        stale = http.put(
            f"/v1/credentials/{credential}", json=body, headers={**staff, "If-Match": '"1"'}
        )
        assert stale.status_code == 412, stale.text
        assert stale.json()["error"]["code"] == "stale_version"
        after = http.get(f"/v1/credentials/{credential}")
        assert after.headers["etag"] == before.headers["etag"]
        assert after.json() == before.json()
        fresh = http.put(
            f"/v1/credentials/{credential}",
            json=body,
            headers={**staff, "If-Match": before.headers["etag"]},
        )
        assert fresh.status_code == 200, fresh.text
        assert fresh.headers["etag"] == f'"{current + 1}"'


def test_writes_made_at_once_are_all_kept_once(site: LoadSite) -> None:
    ledger = Ledger()
    write_at_once(site, ledger, writes=WRITES)
    statuses = Counter((o.kind, o.status) for o in ledger.outcomes)
    assert len(ledger.outcomes) == CLIENTS * WRITES, statuses
    assert not [o for o in ledger.outcomes if o.status >= 500], statuses
    with site.client() as http:
        back = read_back(http, site.world)
    assert problems(site.world, ledger.outcomes, back) == [], statuses
    # Every kind was written, and the replacements that lost their race were told so.
    assert {kind for kind, status in statuses if 200 <= status < 300} == set(KINDS)
    assert statuses["replace", 412] > 0
    with site.store() as store:
        assert store_problems(store, site.world) == []
    _stale_if_match_is_refused(site)
