"""Ended sessions and failed logins live in the store (graph.services.sessions), on both backends.

What two processes make of them is shown in ``tests/integration/test_several_processes.py``;
here the rules: the limit and its window, a success forgets, an end is final, a session without
an id opens nothing, and none of it is audited.
"""

from __future__ import annotations

import pytest

from graph.errors import TooManyRequestsError
from graph.model.accounts import ANONYMOUS
from graph.services import sessions
from graph.services.audit_log import read_audit
from graph.store import GraphStore
from tests.fixtures.accounts import user_with_key
from tests.fixtures.actors import ADMIN

BASE = "https://example.org/credwalk"
LIMITS = sessions.LoginLimits(attempts=3, window=60.0)


def test_failed_logins_are_limited_in_their_window(store: GraphStore) -> None:
    for n in range(3):
        sessions.check_login(store, "ada", "10.0.0.1", LIMITS, now=1000.0 + n)
        sessions.login_failed(store, "ada", "10.0.0.1", LIMITS, now=1000.0 + n)
    with pytest.raises(TooManyRequestsError) as refused:
        sessions.check_login(store, "ada", "10.0.0.1", LIMITS, now=1010.0)
    # The oldest of the last three failures (at 1000) leaves the window at 1060.
    assert refused.value.details["retry_after"] == 51
    # Another name, another client: counted apart.
    sessions.check_login(store, "bob", "10.0.0.1", LIMITS, now=1010.0)
    sessions.check_login(store, "ada", "10.0.0.2", LIMITS, now=1010.0)
    # Past the window the name may try again; the next failure forgets the expired ones.
    sessions.check_login(store, "ada", "10.0.0.1", LIMITS, now=1061.0)
    sessions.login_failed(store, "ada", "10.0.0.1", LIMITS, now=1061.0)
    assert len(sessions._failures(store, "ada", "10.0.0.1")) == 2


def test_a_login_forgets_the_failures(store: GraphStore) -> None:
    for n in range(3):
        sessions.login_failed(store, "ada", "10.0.0.1", LIMITS, now=1000.0 + n)
    sessions.login_succeeded(store, "ada", "10.0.0.1")
    sessions.check_login(store, "ada", "10.0.0.1", LIMITS, now=1003.0)


def test_an_ended_session_opens_nothing(store: GraphStore) -> None:
    user_with_key(store, "ada", base_iri=BASE)
    user = f"{BASE}/user/ada"
    first, second = sessions.new_session_id(), sessions.new_session_id()
    assert first != second
    assert sessions.session_actor(store, user, first).user == user
    sessions.end_session(store, first)
    assert sessions.session_actor(store, user, first) == ANONYMOUS
    assert sessions.session_actor(store, user, second).user == user  # other sessions go on
    assert sessions.session_actor(store, user, None) == ANONYMOUS  # a cookie without an id
    assert sessions.session_actor(store, f"{BASE}/user/nobody", second) == ANONYMOUS


def test_sign_in_bookkeeping_is_not_audited(store: GraphStore) -> None:
    from graph import audit

    with audit.acting(ADMIN, "POST /login"):
        sessions.login_failed(store, "ada", "10.0.0.1", LIMITS, now=1000.0)
        sessions.end_session(store, sessions.new_session_id())
    assert read_audit(store, actor=ADMIN) == []
