"""Read-modify-write use cases redo their work when another writer won the race.

A use case that reads a record, changes it and writes it back conditionally on the version it
read (an assessment added to a learner, a skill decided on a credential, a recognition checked
against the others of its authority) is refused when another writer wrote first; it then reads
again and redoes its change on what the other wrote. Under load, many writers of one record
lose to each other again and again: a fixed number of immediate attempts ran out (eight writers
of one learner refused one import in a few hundred with ``stale_version``, though the caller
had asked for no condition). So losers wait a random pause that doubles after each loss
("full jitter"), which spreads them out, and give up only after a time budget.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from graph.errors import StaleVersionError

__all__ = ["RACE_BUDGET_SECONDS", "redo_on_race"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a use case keeps redoing its work before it reports the race it lost.
RACE_BUDGET_SECONDS = 10.0
_FIRST_PAUSE = 0.002
_LONGEST_PAUSE = 0.2


def redo_on_race(
    work: Callable[[], T],
    *,
    races: type[Exception] | tuple[type[Exception], ...] = StaleVersionError,
    budget: float = RACE_BUDGET_SECONDS,
) -> T:
    """Return ``work()``, called again after a random pause each time it raises ``races``.

    ``work`` must read what it changes on every call, so that a call after a lost race works on
    what the winner wrote.

    Parameters
    ----------
    work : callable
        One attempt of the read-modify-write.
    races : exception class or tuple of them
        What ``work`` raises when another writer got in first.
    budget : float
        Seconds after which the last lost race is raised rather than redone.

    Raises
    ------
    Exception
        The last error of ``races``, when the budget is spent; any other error of ``work`` at
        once.

    Examples
    --------
    >>> losses = iter([StaleVersionError("lost"), None])
    >>> def work() -> str:
    ...     error = next(losses)
    ...     if error:
    ...         raise error
    ...     return "won"
    >>> redo_on_race(work)
    'won'
    """
    deadline = time.monotonic() + budget
    pause = _FIRST_PAUSE
    lost = 0
    while True:
        try:
            result = work()
        except races:
            lost += 1
            if time.monotonic() + pause > deadline:
                logger.warning("gave up after losing %d races in %.1f s", lost, budget)
                raise
        else:
            if lost > 2:
                logger.info("won after losing %d races", lost)
            return result
        time.sleep(random.uniform(0, pause))
        pause = min(2 * pause, _LONGEST_PAUSE)
