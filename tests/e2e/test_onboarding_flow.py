"""The onboarding test end to end, over HTTP with real users and keys, on both backends.

An author of Liffey TU writes an item bank for the essential skills of the ESCO occupation
*cook* (16 skills in the demo slice) at levels 2, 4 and 6, three items per level. A learner in
France takes the adaptive test for the occupation, answering as someone who masters the skills
of one course up to level 4, the skills no course of France teaches up to level 6, and nothing
of the other course. Their scores must equal the ones worked out by hand below from the rule
documented in :mod:`graph.algorithms.adaptive` (slip 0.1, guess 0.2, stop at 0.95): then their
gap to *cook* and their best pathway change because of them.

The hand computation (the belief after a set of answers does not depend on their order; ``p``
is the chance of the answers given the true state, and the states are 0, 2, 4, 6):

- **masters level 6**: asked 4 (right: the middle), then 6, 6, 6 (right, right: it moves up).
  p(0) = p(2) = 0.2^4, p(4) = 0.9 * 0.2^3, p(6) = 0.9^4: level 6 with 0.6561 / 0.6665.
- **masters level 4**: asked 4 (right), 6 (wrong), 4 (right), 6 (wrong), 4 (right).
  p(0) = p(2) = 0.2^3 * 0.8^2, p(4) = 0.9^3 * 0.8^2, p(6) = 0.9^3 * 0.1^2: level 4 with
  0.46656 / 0.48409.
- **masters nothing**: asked 4, 2, 2 (all wrong). p(0) = 0.8^3, p(2) = 0.8 * 0.1^2,
  p(4) = p(6) = 0.1^3: level 0 (none) with 0.512 / 0.522, so no competence is recorded.

Bad input is refused with a 4xx naming what was wrong, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.model.accounts import Grant, Role
from graph.store import GraphStore
from tests.fixtures.accounts import user_with_key
from tests.fixtures.demo_site import demo_runtime

COOK = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
TARGET = f"occupation:{COOK}"
ISSUER = "https://www.liffey-tu.example"
#: The two courses of France that make the best pathway to cook before the test.
HYGIENE = (
    "https://www.aura-metiers-restauration.example/credentials/hygiene-alimentaire-restauration"
)
TECHNIQUES = (
    "https://www.aura-metiers-restauration.example/credentials/techniques-culinaires-de-base"
)
LEVELS = (2, 4, 6)
PER_LEVEL = 3
SLIP, GUESS = 0.1, 0.2

#: What each profile is asked (levels in order) and what it must score (worked out above).
ASKED = {6: [4, 6, 6, 6], 4: [4, 6, 4, 6, 4], 0: [4, 2, 2]}
EXPECTED = {
    6: (6, 0.9**4 / (2 * GUESS**4 + 0.9 * GUESS**3 + 0.9**4)),
    4: (4, 0.9**3 * 0.8**2 / (2 * GUESS**3 * 0.8**2 + 0.9**3 * 0.8**2 + 0.9**3 * SLIP**2)),
    0: (None, 0.8**3 / (0.8**3 + 0.8 * SLIP**2 + 2 * SLIP**3)),
}


@dataclass
class Key:
    """What the test (the bank's author) knows of an item: a right and a wrong response."""

    right: str
    wrong: str


@dataclass
class World:
    store: GraphStore
    client: TestClient
    base: str
    author: dict[str, str]
    admin: dict[str, str]
    skills: dict[str, str] = field(default_factory=dict)  # the cook's essential skills: labels
    keys: dict[str, Key] = field(default_factory=dict)  # item IRI -> key

    def learner(self, name: str, jurisdiction: str = "FR") -> tuple[str, dict[str, str]]:
        """A learner user and record of their own, with an API key."""
        uri = f"{self.base}/learner/{name}"
        token = user_with_key(self.store, name, Grant(Role.LEARNER, uri), base_iri=self.base)
        headers = {"Authorization": f"Bearer {token}"}
        made = self.client.post(
            "/v1/learners", json={"id": uri, "jurisdiction": jurisdiction}, headers=headers
        )
        assert made.status_code == 201, made.text
        return uri, headers


def _item(skill: str, label: str, level: int, n: int) -> tuple[dict[str, Any], Key]:
    """Item ``n`` of a skill and level: multiple choice, or a short answer for every third."""
    prompt = f"({label}, level {level}) question {n + 1}"
    if n == 2:
        body = {"kind": "short_answer", "accepted": [f"Answer {level}-{n}"], "rubric": "exact"}
        return {"skill": skill, "level": level, "prompt": prompt, **body}, Key(
            f"answer {level} {n}", "no idea"
        )
    options = [f"option {i}" for i in range(4)]
    answer = (level + n) % 4
    item = {"kind": "multiple_choice", "options": options, "answer": answer}
    return {"skill": skill, "level": level, "prompt": prompt, **item}, Key(
        str(answer), str((answer + 1) % 4)
    )


def _bank(world: World) -> None:
    """The cook's essential skills (from the store, via a gap report) and their item bank."""
    uri, headers = world.learner("bank-reader")
    gaps = world.client.get(f"/v1/learners/{uri}/gaps", params={"target": TARGET}, headers=headers)
    world.skills = {g["skill"]: g["label"] for g in gaps.json()["missing"] if g["required"]}
    assert len(world.skills) == 16 and "use food cutting tools" in world.skills.values()
    for skill, label in world.skills.items():
        for level in LEVELS:
            for n in range(PER_LEVEL):
                body, key = _item(skill, label, level, n)
                made = world.client.post("/v1/onboarding/items", json=body, headers=world.author)
                assert made.status_code == 201, made.text
                world.keys[made.json()["uri"]] = key


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("onboarding")
    with demo_runtime(request, folder, "onboarding") as runtime:
        store, settings = runtime.store, runtime.settings
        base = settings.base_iri
        author = user_with_key(store, "author", Grant(Role.ISSUER, ISSUER), base_iri=base)
        admin = user_with_key(store, "admin", Grant(Role.ADMIN), base_iri=base)
        with TestClient(create_app(runtime=runtime)) as client:
            the_world = World(
                store,
                client,
                base,
                {"Authorization": f"Bearer {author}"},
                {"Authorization": f"Bearer {admin}"},
            )
            _bank(the_world)
            yield the_world


def _pathway(world: World, learner: str, headers: dict[str, str]) -> dict[str, Any]:
    found = world.client.post(
        "/v1/pathways",
        json={"learner": learner, "target": TARGET, "allow_partial": True},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    best: dict[str, Any] = found.json()["pathways"][0]
    return best


def _take(
    world: World, attempt: dict[str, Any], headers: dict[str, str], profile: dict[str, int]
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """Answer every question as the profile says (right up to the skill's level)."""
    asked: dict[str, list[int]] = {}
    while attempt["status"] == "open":
        question = attempt["question"]
        assert set(question) == {"item", "version", "skill", "level", "kind", "prompt", "options"}
        asked.setdefault(question["skill"], []).append(question["level"])
        key = world.keys[question["item"]]
        masters = profile[question["skill"]] >= question["level"]
        answered = world.client.post(
            f"/v1/onboarding/attempts/{attempt['id']}/answers",
            json={"item": question["item"], "response": key.right if masters else key.wrong},
            headers=headers,
        )
        assert answered.status_code == 200, answered.text
        attempt = answered.json()
    return attempt, asked


def _profile(world: World, before: dict[str, Any]) -> dict[str, int]:
    """Level 4 in the skills of the hygiene course, 0 in the other's, 6 in the uncovered ones."""
    steps = {s["credential"]: set(s["covers"]) for s in before["steps"]}
    profile = dict.fromkeys(world.skills, 6)
    profile |= dict.fromkeys(steps[HYGIENE], 4) | dict.fromkeys(steps[TECHNIQUES], 0)
    return profile


def test_a_learner_takes_the_adaptive_test_and_their_gap_and_pathway_change(world: World) -> None:
    learner, headers = world.learner("ada-cook")
    before = _pathway(world, learner, headers)
    assert {s["credential"] for s in before["steps"]} == {HYGIENE, TECHNIQUES}
    assert len(before["missing"]) == 4
    profile = _profile(world, before)
    started = world.client.post(
        "/v1/onboarding/attempts", json={"learner": learner, "target": TARGET}, headers=headers
    )
    assert started.status_code == 201, started.text
    assert set(started.json()["untested"]).isdisjoint(world.skills)  # only optional ones
    finished, asked = _take(world, started.json(), headers, profile)

    assert finished["status"] == "finished" and finished["finished_at"]
    assert asked == {s: ASKED[level] for s, level in profile.items()}
    scores = {r["skill"]: (r["level"], r["confidence"]) for r in finished["results"]}
    for skill, level in profile.items():
        expected_level, expected_confidence = EXPECTED[level]
        assert scores[skill][0] == expected_level, world.skills[skill]
        assert scores[skill][1] == pytest.approx(expected_confidence, abs=1e-4)

    record = world.client.get(f"/v1/learners/{learner}", headers=headers).json()
    tested = {c["skill"]: c for c in record["competences"] if c["source"] == "onboarding_test"}
    assert set(tested) == {s for s, level in profile.items() if level}
    for skill, competence in tested.items():
        assert competence["level"] == EXPECTED[profile[skill]][0]
        assert competence["confidence"] == pytest.approx(EXPECTED[profile[skill]][1], abs=1e-4)
        assert competence["date"] == dt.date.today().isoformat()

    gaps = world.client.get(
        f"/v1/learners/{learner}/gaps", params={"target": TARGET}, headers=headers
    ).json()
    covered = {g["skill"] for g in gaps["covered"] if g["required"]}
    missing = {g["skill"] for g in gaps["missing"] if g["required"]}
    assert covered == set(tested)
    assert missing == {s for s, level in profile.items() if not level}

    after = _pathway(world, learner, headers)
    assert [s["credential"] for s in after["steps"]] == [TECHNIQUES]  # the hygiene course went
    assert after["missing"] == [] and after["cost"] < before["cost"]

    again = world.client.post(
        "/v1/onboarding/attempts", json={"learner": learner, "target": TARGET}, headers=headers
    )
    assert again.status_code == 409 and again.json()["error"]["details"]["field"] == "target"
    retry = dt.date.fromisoformat(again.json()["error"]["details"]["retry_after"][:10])
    assert retry == dt.date.fromisoformat(finished["finished_at"][:10]) + dt.timedelta(days=30)


def _count_items(world: World) -> int:
    listed = world.client.get("/v1/onboarding/items", headers=world.author)
    assert listed.status_code == 200
    count: int = listed.json()["count"]
    return count


@pytest.mark.parametrize(
    ("kind", "body", "named"),
    [
        ("multiple_choice", {"options": ["a", "b"]}, "answer"),
        ("short_answer", {"accepted": ["  ", "!"]}, "accepted"),
        ("task", {"rubric": " "}, "rubric"),
    ],
)
def test_an_item_without_its_key_is_refused_and_nothing_is_written(
    world: World, kind: str, body: dict[str, Any], named: str
) -> None:
    skill = next(iter(world.skills))
    count = _count_items(world)
    refused = world.client.post(
        "/v1/onboarding/items",
        json={"skill": skill, "level": 4, "kind": kind, "prompt": "What?", **body},
        headers=world.author,
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["details"]["field"] == named and "key" in error["message"]
    assert _count_items(world) == count


def test_an_answer_to_a_finished_attempt_is_refused_and_nothing_is_written(world: World) -> None:
    learner, headers = world.learner("finished-attempt")
    skill = next(iter(world.skills))
    started = world.client.post(
        "/v1/onboarding/attempts",
        json={"learner": learner, "target": f"skills:{skill}"},
        headers=headers,
    )
    assert started.status_code == 201, started.text
    finished, _ = _take(world, started.json(), headers, {skill: 0})
    assert finished["status"] == "finished"
    learner_before = world.client.get(f"/v1/learners/{learner}", headers=headers)
    last = finished["answers"][-1]["item"]
    refused = world.client.post(
        f"/v1/onboarding/attempts/{finished['id']}/answers",
        json={"item": last, "response": world.keys[last].right},
        headers=headers,
    )
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert "finished" in error["message"] and error["details"]["field"] == "attempt"
    assert error["details"]["attempt"] == finished["uri"]
    now = world.client.get(f"/v1/onboarding/attempts/{finished['id']}", headers=headers).json()
    assert now["answers"] == finished["answers"]
    learner_after = world.client.get(f"/v1/learners/{learner}", headers=headers)
    assert learner_after.headers["ETag"] == learner_before.headers["ETag"]


def test_a_learner_never_gets_the_keys(world: World) -> None:
    learner, headers = world.learner("key-seeker")
    refused = world.client.get("/v1/onboarding/items", headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    item = next(iter(world.keys))
    put = world.client.put(
        f"/v1/onboarding/items/{item.rpartition('/')[2]}",
        json={"skill": next(iter(world.skills)), "level": 2, "kind": "task", "prompt": "x"},
        headers=headers,
    )
    assert put.status_code == 403
    started = world.client.post(
        "/v1/onboarding/attempts", json={"learner": learner, "target": TARGET}, headers=headers
    ).json()
    shown = world.client.get(f"/v1/onboarding/attempts/{started['id']}", headers=headers).json()
    for secret in ("answer", "accepted", "rubric"):
        assert secret not in shown["question"]
    listed = world.client.get(
        "/v1/onboarding/attempts", params={"learner": learner}, headers=headers
    )
    assert "accepted" not in listed.text and '"rubric"' not in listed.text
