"""``credwalk serve`` killed with SIGKILL twenty times in the middle of writes loses nothing.

Eight clients write to a real server on an embedded store (see :mod:`tests.fixtures.load_writes`)
and the server is killed after a random number of acknowledged writes, with others in flight.
After each kill the store opens and every object in it is whole (a credential's skill edges are
its skills, a recognition has its edge); the server starts again on it, and over HTTP every write
it acknowledged is there, once, nothing is there that no client wrote, and no write is there in
part (an assessment write's results land together). Writes in flight at the kill may have
landed or not: either is correct.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.load_checks import problems, read_back, store_problems
from tests.fixtures.load_site import LoadSite, load_site, write_at_once
from tests.fixtures.load_writes import Ledger
from tests.fixtures.serve_fork import Forker

KILLS = 20
#: Writes a client may make between two kills (the kill comes long before).
WRITES = 60
#: How many acknowledged writes, at least and at most, before a kill.
ACKNOWLEDGED = (3, 40)


@pytest.fixture
def site(
    request: pytest.FixtureRequest, tmp_path: Path, serve_forker: Forker
) -> Iterator[LoadSite]:
    with load_site(request, tmp_path, "embedded", forker=serve_forker) as the_site:
        yield the_site


def _kill_after(site: LoadSite, ledger: Ledger, *, first: int, acknowledged: int) -> list[int]:
    """Start a thread that kills the server once ``acknowledged`` writes from ``first`` were."""
    killed: list[int] = []

    def watch() -> None:
        deadline = time.monotonic() + 120
        while ledger.acknowledged(first=first) < acknowledged and time.monotonic() < deadline:
            time.sleep(0.001)
        killed.append(ledger.acknowledged(first=first))
        site.app.kill()

    threading.Thread(target=watch, daemon=True).start()
    return killed


def test_acknowledged_writes_survive_sigkill(site: LoadSite) -> None:
    rng = random.Random(20250107)
    ledger = Ledger()
    for crash in range(KILLS):
        first = crash * WRITES
        killed = _kill_after(site, ledger, first=first, acknowledged=rng.randint(*ACKNOWLEDGED))
        write_at_once(site, ledger, writes=WRITES, first=first, in_step=False)
        assert killed, f"crash {crash}: the server was not killed"
        this_time = [o for o in ledger.outcomes if o.seq >= first]
        # The clients were cut off by the kill, not done: each one's last write got no answer.
        assert sum(o.status == 0 for o in this_time) == len(site.world.clients), crash
        with site.store() as store:
            assert store_problems(store, site.world) == [], f"crash {crash}"
        site.app.start()
        with site.client() as http:
            back = read_back(http, site.world)
        assert problems(site.world, ledger.outcomes, back, crashed=True) == [], f"crash {crash}"
    statuses = Counter((o.kind, o.status) for o in ledger.outcomes)
    acknowledged = sum(o.acknowledged for o in ledger.outcomes)
    assert acknowledged >= KILLS * ACKNOWLEDGED[0], statuses
    # Every kind of write was acknowledged at some point.
    assert {kind for kind, status in statuses if 200 <= status < 300} == {
        kind for kind, _ in statuses
    }, statuses
