"""One learner's career, end to end over HTTP with real users and keys, on both backends.

The Show of issue 18 tied together. Ada (a learner of her own record, which says she declared
skill A at level 2 in 2020) takes a small onboarding test for two skills of the ESCO
occupation *cook* (A and B, from the item bank the onboarding flow's world writes: levels 2,
4 and 6), answering as someone who masters A up to level 6 and B up to level 4; the test
records both as ``onboarding_test`` competences, with the scores worked out by hand in
:mod:`tests.e2e.test_onboarding_flow`. She claims the impact of her work with a third skill
C; two parties she asked (two users) confirm it as themselves; she issues the signed
Certificate of Impact. Its credential verifies with the function ``credwalk verify`` calls,
offline (pinned contexts, this service's keys and status lists); a copy whose outcome was
changed fails on its signature. Her career overview then shows it all in date order, each
level with the source that established it, the certificate among what she earned; a user she
gave no consent (one of her endorsers) is refused.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI

from api.runtime import Runtime
from graph.model.accounts import Grant, Role
from graph.services.proofs.verification import Trust, VerificationReport, verify_document
from tests.e2e.test_onboarding_flow import EXPECTED, World, _take, world
from tests.fixtures.accounts import user_with_key

__all__ = ["world"]  # the onboarding flow's world: the demo, users, the cook's item bank

DECLARED = dt.date(2020, 5, 1)
BENEFICIARY = "Liffey TU canteen"
OUTCOME = "Food waste of the canteen down by a third in three months"


def _skills(world: World) -> tuple[str, str, str]:
    """Skills A and B (tested) and C (shown by the impact): three of the bank's, in IRI order."""
    a, b, c = sorted(world.skills)[:3]
    return a, b, c


def _learner(world: World) -> tuple[str, dict[str, str]]:
    """Ada: her user, and her record holding skill A declared at level 2 in 2020."""
    uri = f"{world.base}/learner/ada-career"
    token = user_with_key(world.store, "ada-career", Grant(Role.LEARNER, uri), base_iri=world.base)
    headers = {"Authorization": f"Bearer {token}"}
    declared = {"skill": _skills(world)[0], "level": 2, "date": DECLARED.isoformat()}
    made = world.client.post(
        "/v1/learners",
        json={"id": uri, "jurisdiction": "FR", "competences": [declared]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return uri, headers


def _onboarding(world: World, learner: str, headers: dict[str, str]) -> dict[str, Any]:
    """Step 1: the test for skills A and B, answered as masters of A to 6 and of B to 4."""
    a, b, _ = _skills(world)
    started = world.client.post(
        "/v1/onboarding/attempts",
        json={"learner": learner, "target": f"skills:{a},{b}"},
        headers=headers,
    )
    assert started.status_code == 201, started.text
    finished, _ = _take(world, started.json(), headers, {a: 6, b: 4})
    assert finished["status"] == "finished"
    scores = {r["skill"]: (r["level"], r["confidence"]) for r in finished["results"]}
    for skill, mastered in ((a, 6), (b, 4)):
        assert scores[skill][0] == EXPECTED[mastered][0]
        assert scores[skill][1] == pytest.approx(EXPECTED[mastered][1], abs=1e-4)
    record = world.client.get(f"/v1/learners/{learner}", headers=headers).json()
    tested = {
        c["skill"]: c["level"] for c in record["competences"] if c["source"] == "onboarding_test"
    }
    assert tested == {a: 6, b: 4}
    return finished


def _endorser(world: World, name: str) -> dict[str, str]:
    token = user_with_key(world.store, name, Grant(Role.MEMBER), base_iri=world.base)
    return {"Authorization": f"Bearer {token}"}


def _impact(
    world: World, headers: dict[str, str], endorsers: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """Step 2: the claim with skill C, both parties confirm it as themselves, Ada issues it."""
    made = world.client.post(
        "/v1/impact",
        json={
            "title": "Cut the canteen's food waste",
            "beneficiary": BENEFICIARY,
            "outcome": OUTCOME,
            "start": "2025-01-06",
            "end": "2025-04-04",
            "skills": [_skills(world)[2]],
            "endorsers": list(endorsers),
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    claim = made.json()
    assert claim["state"] == "awaiting_endorsement" and claim["pending"] == claim["endorsers"]
    early = world.client.post(f"/v1/impact/{claim['id']}/issue", headers=headers)
    assert early.status_code == 409, early.text
    for (name, their_headers), relation in zip(
        endorsers.items(), ("employer", "client"), strict=True
    ):
        confirmed = world.client.post(
            f"/v1/impact/{claim['id']}/endorsements",
            json={"relation": relation, "statement": f"{name} saw the waste go down."},
            headers=their_headers,
        )
        assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["state"] == "endorsed" and confirmed.json()["pending"] == []
    issued = world.client.post(f"/v1/impact/{claim['id']}/issue", headers=headers)
    assert issued.status_code == 200, issued.text
    done: dict[str, Any] = issued.json()
    assert done["state"] == "issued" and done["issued_at"]
    assert {e["endorser"] for e in done["endorsements"]} == set(claim["endorsers"])
    return done


def _verify(world: World, document: dict[str, Any]) -> VerificationReport:
    """What ``credwalk verify FILE`` reports, without the network (as the CLI calls it)."""
    app = world.client.app
    assert isinstance(app, FastAPI)
    runtime: Runtime = app.state.runtime  # the app's keys, pinned contexts, status lists
    return verify_document(
        document,
        loader=runtime.document_loader,
        issuer=runtime.proof_issuer,
        store=lambda: world.store,
        trust=Trust.ISSUER,
    )


def _check_certificate(world: World, claim: dict[str, Any], headers: dict[str, str]) -> None:
    """Step 2, the credential: fetched, verified offline; a tampered copy fails its signature."""
    fetched = world.client.get(f"/v1/impact/{claim['id']}/credential", headers=headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.headers["content-type"].startswith("application/ld+json")
    document = fetched.json()
    assert document == claim["document"]
    described = document["credentialSubject"]["achievement"]["description"]
    assert described == f"For {BENEFICIARY}: {OUTCOME}"
    report = _verify(world, document)
    assert report.verified, report
    assert report.check is None and report.endorsements == 2
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["description"] = described.replace(
        "by a third", "by two thirds"
    )
    refused = _verify(world, tampered)
    assert not refused.verified and refused.check == "signature"


def _check_overview(
    world: World, overview: dict[str, Any], tested: dict[str, Any], claim: dict[str, Any]
) -> None:
    """Step 3: the timeline in date order, each level with its source, the certificate earned."""
    a, b, shown = _skills(world)
    today = dt.date.fromisoformat(tested["finished_at"][:10])
    issued = dt.date.fromisoformat(claim["issued_at"][:10])
    steps = [
        (s["date"], s["skill"], s["level"], s["established_by"]["source"])
        for s in overview["steps"]
    ]
    assert sorted(steps[1:]) == sorted(
        [
            (today.isoformat(), a, 6, "onboarding_test"),
            (today.isoformat(), b, 4, "onboarding_test"),
            (issued.isoformat(), shown, None, "impact"),
        ]
    )
    assert steps[0] == (DECLARED.isoformat(), a, 2, "self_declared")
    dates = [s["date"] for s in overview["steps"]]
    assert dates == sorted(dates)
    observed = [(o["date"], o["skill"], o["source"]) for o in overview["observations"]]
    assert [o[0] for o in observed] == sorted(o[0] for o in observed)
    impact = [o for o in overview["observations"] if o["source"] == "impact"]
    assert [(o["skill"], o["ref"]) for o in impact] == [(shown, claim["uri"])]
    assert set(impact[0]["by"].split(", ")) == {e["name"] for e in claim["endorsements"]}
    tests = [o for o in overview["observations"] if o["source"] == "onboarding_test"]
    assert {(o["skill"], o["level"], o["ref"]) for o in tests} == {
        (a, 6, tested["uri"]),
        (b, 4, tested["uri"]),
    }
    earned = [(e["date"], e["kind"], e["ref"], e["title"]) for e in overview["achievements"]]
    assert (issued.isoformat(), "impact", claim["uri"], claim["title"]) in earned


def test_a_learner_is_tested_earns_a_certificate_of_impact_and_sees_it_in_her_overview(
    world: World,
) -> None:
    learner, headers = _learner(world)
    tested = _onboarding(world, learner, headers)
    endorsers = {
        "niamh-career": _endorser(world, "niamh-career"),
        "dara-career": _endorser(world, "dara-career"),
    }
    claim = _impact(world, headers, endorsers)
    assert claim["claimant"] == learner
    _check_certificate(world, claim, headers)

    found = world.client.get(f"/v1/learners/{learner}/overview", headers=headers)
    assert found.status_code == 200, found.text
    _check_overview(world, found.json(), tested, claim)

    for outsider in endorsers.values():  # confirmed her impact, but has no consent of hers
        refused = world.client.get(f"/v1/learners/{learner}/overview", headers=outsider)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "forbidden"
