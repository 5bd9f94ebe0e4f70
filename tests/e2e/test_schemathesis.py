"""Schemathesis over every operation of the API, as each role in turn (issue #15).

Every operation of the app's OpenAPI gets requests generated from its schema, valid (positive)
and invalid (negative) ones. The same requests are then sent as each role (an administrator,
an issuer's staff, an assessor on a panel, an advisor of an authority, a mentor with a
learner's consent, the learner, a member, and nobody: their API keys, or none), in-process to
the app (ASGI, no network) over a real embedded store seeded with the demo catalogue and one of
everything (:mod:`tests.fixtures.seeded_api`). Path, query and body fields that name objects
are, for most requests, given the real ids of the seed, so that requests get past the 404s
into the handlers.

Every answer must pass: no server error; a status the operation documents; a body that
follows the schema documented for that status (errors: the one error body); a documented
content type. Each role starts from a fresh copy of the seeded store, and its destructive
operations (DELETE) run last, so what one role deletes does not hide the rest from it.

Bounded and deterministic: the requests are generated once (Hypothesis seeded by the
operation's name, no example database, ``FUZZ_EXAMPLES`` per operation and mode) and replayed
per role, with the real ids drawn from a generator seeded by the role and the request; every
request is counted, and each role must send at least an eighth of :data:`MIN_REQUESTS`.
Generating is what costs (Hypothesis, the JSON Schemas); sending is a few milliseconds.
"""

from __future__ import annotations

import copy
import os
import random
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode

from api.main import create_app
from tests.fixtures.seeded_api import DATA_ANALYST, ROLES, Seed, seeded_runtime

Case = schemathesis.Case[Any]

MIN_REQUESTS = 3000
#: Requests generated per operation and mode (positive, negative); each role sends them all.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

#: Path parameters, query parameters and body fields that name objects: the seed's ids of
#: that kind. ``name`` of the users is the victim's for writes (see _pools).
PATH_IDS = {
    "learner_id": "learner",
    "credential_id": "credential",
    "issuer_id": "issuer",
    "submission_id": "submission",
    "proof_id": "proof",
    "decision_id": "decision",
    "consent_id": "consent",
    "key_id": "key",
    "name": "user",
    "uri": "concept",
    "number": "status_list",
}
QUERY_IDS = {
    "credential": "credential",
    "learner": "learner",
    "assessor": "assessor",
    "authority": "authority",
    "issuer": "issuer",
    "user": "user",
    "ids": "credential",
    "target": "target",
}
BODY_IDS = {
    "credential": "credential",
    "learner": "learner",
    "submission": "submission",
    "a": "credential",
    "b": "credential",
    "authority": "authority",
    "supersedes": "decision",
    "grantee": "user_iri",
    "user": "user",
    "target": "target",
}


@dataclass
class Tally:
    """What one role's run sent and got back."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_operation: dict[str, Counter[int]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def record(self, label: str, status: int) -> None:
        self.requests += 1
        self.statuses[status] += 1
        self.per_operation.setdefault(label, Counter())[status] += 1


@dataclass
class Generated:
    """The requests generated for every operation, the operations that delete last."""

    cases: list[tuple[Any, list[Case]]]
    seconds: float

    @property
    def count(self) -> int:
        return sum(len(cases) for _, cases in self.cases)


def _collect(operation: Any, mode: GenerationMode) -> list[Case]:
    found: list[Case] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.seed(zlib.crc32(f"{operation.label} {mode.value}".encode()))
    @hypothesis.settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def keep(case: Case) -> None:
        found.append(case)

    try:
        keep()
    except hypothesis.errors.Unsatisfiable:
        # Nothing to make invalid: an operation without parameters or body.
        assert mode is GenerationMode.NEGATIVE
    return found


@pytest.fixture(scope="module")
def generated(api_seed: Seed, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Requests for every operation of the OpenAPI of the app, generated once for every role."""
    started = time.monotonic()
    with seeded_runtime(api_seed, tmp_path_factory.mktemp("openapi")) as runtime:
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime=runtime))
    results = list(schema.get_all_operations())
    assert not [r.err() for r in results if isinstance(r, Err)], "the OpenAPI document is invalid"
    operations = [r.ok() for r in results if not isinstance(r, Err)]
    operations.sort(key=lambda op: (op.method.upper() == "DELETE", op.label))
    cases = [(op, [c for mode in GenerationMode for c in _collect(op, mode)]) for op in operations]
    return Generated(cases=cases, seconds=time.monotonic() - started)


def _pools(seed: Seed, method: str, base_iri: str) -> dict[str, list[Any]]:
    pools = {kind: list(values) for kind, values in seed.ids.items()}
    pools["target"] = [f"occupation:{DATA_ANALYST}", f"credential:{seed.ids['credential'][0]}"]
    pools["user_iri"] = [f"{base_iri}/user/{name}" for name in seed.ids["user"]]
    if method in ("PUT", "DELETE", "POST"):
        # Changing a user or revoking a key: the victim's, never the acting role's own.
        pools["user"] = seed.ids["victim"]
    return pools


def _with_real_ids(case: Case, pools: dict[str, list[Any]], rng: random.Random) -> Case:
    """A copy of ``case`` with real ids in the places that name objects (most of the time)."""
    path = copy.deepcopy(case.path_parameters or {})
    query = copy.deepcopy(case.query or {})
    body = copy.deepcopy(case.body) if isinstance(case.body, (dict, list)) else case.body
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    for name in path:
        if name in PATH_IDS and rng.random() < 0.75:
            # Encoded as a careful client does: a client joining URLs makes "//" one "/".
            path[name] = quote(str(rng.choice(pools[PATH_IDS[name]])), safe="")
    for name, value in query.items():
        if name in QUERY_IDS and rng.random() < 0.75:
            pool = pools[QUERY_IDS[name]]
            query[name] = (
                rng.sample(pool, len(pool)) if isinstance(value, list) else rng.choice(pool)
            )
    if isinstance(body, dict):
        for name, value in body.items():
            if name in BODY_IDS and isinstance(value, str) and rng.random() < 0.75:
                body[name] = rng.choice(pools[BODY_IDS[name]])
        if "learner_id" in path and "id" in body:
            body["id"] = path["learner_id"]
    made: Case = case.operation.Case(
        method=case.method,
        path_parameters=path,
        headers=headers,
        cookies=copy.deepcopy(case.cookies),
        query=query,
        body=body,
        media_type=case.media_type,
        _meta=case._meta,
    )
    return made


def _send(case: Case, *, app: FastAPI, headers: dict[str, str], tally: Tally) -> None:
    label = case.operation.label
    try:
        response = case.call(app=app, headers=headers)
    except Exception as e:  # the in-process client re-raises what the app raised: a 500
        tally.record(label, 500)
        tally.failures.setdefault((label, f"raised {type(e).__name__}"), f"{_request(case)}\n{e}")
        return
    tally.record(label, response.status_code)
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        for failure in group.exceptions:
            tally.failures.setdefault(
                (label, f"{failure.title}: {response.status_code}"),
                f"{_request(case)} -> {response.text[:300]}\n{failure.message[:600]}",
            )


def _request(case: Case) -> str:
    return (
        f"{case.method} {case.formatted_path} query={case.query} headers={dict(case.headers)} "
        f"body={str(case.body)[:300]}"
    )


def _fuzz(seed: Seed, generated: Generated, role: str, folder: Path) -> Tally:
    tally = Tally()
    with seeded_runtime(seed, folder) as runtime:
        app = create_app(runtime=runtime)
        headers = seed.headers(role)
        for operation, cases in generated.cases:
            pools = _pools(seed, operation.method.upper(), runtime.settings.base_iri)
            for i, case in enumerate(cases):
                rng = random.Random(zlib.crc32(f"{role} {operation.label} {i}".encode()))
                _send(_with_real_ids(case, pools, rng), app=app, headers=headers, tally=tally)
    return tally


def _report(role: str, tally: Tally, generated: Generated, seconds: float) -> str:
    answered = sum(1 for s in tally.per_operation.values() if any(200 <= k < 300 for k in s))
    lines = [
        f"{role}: {tally.requests} requests ({generated.count} generated in "
        f"{generated.seconds:.0f} s) sent in {seconds:.0f} s; statuses "
        f"{dict(sorted(tally.statuses.items()))}; {answered} of {len(generated.cases)} "
        f"operations answered 2xx; {len(tally.failures)} failures"
    ]
    lines += [f"  never 2xx: {sorted(set(tally.per_operation) - set(_operations_answered(tally)))}"]
    lines += [f"- {label} {title}\n  {detail}" for (label, title), detail in tally.failures.items()]
    return "\n".join(lines)


@pytest.mark.parametrize("role", [name for name, _ in ROLES])
def test_every_operation_as_each_role(
    api_seed: Seed, generated: Generated, role: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    tally = _fuzz(api_seed, generated, role, tmp_path)
    report = _report(role, tally, generated, time.monotonic() - started)
    print(report)  # noqa: T201 - the figures of the run, shown with -s
    assert not tally.failures, report
    assert set(tally.per_operation) == {op.label for op, _ in generated.cases}, report
    assert tally.requests >= MIN_REQUESTS / len(ROLES), report


def _operations_answered(tally: Tally) -> Iterator[str]:
    for label, statuses in tally.per_operation.items():
        if any(200 <= status < 300 for status in statuses):
            yield label
