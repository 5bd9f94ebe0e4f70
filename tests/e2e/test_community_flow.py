"""Issue 17's Show end to end, over HTTP with real users and keys, on both backends.

One cohort, as its people use it: a group leader makes a group of two mentors and five
learners; a mentor recommends a target to a learner, who sees who and why and accepts it; a
learner asks the Assembly whether Great Lakes' *Python Programming I* counts toward Liffey's
*Certificate in Software Development*, and a member drafting the same question in other words
is shown it first; an answer is accepted by the asker, verified by a mentor and turned by an
advisor of Liffey TU into a recognition decision that raises the pair's equivalence verdict
(not equivalent by score, partially equivalent as declared, citing the answer); and the group's
progress counts a sharing learner's new Proof of Competence.

Refusals on the way (a mentor not linked to the learner, a decision before verification or of
another authority) are checked to change nothing.
"""

from __future__ import annotations

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

GROUP = "show17-cohort"
LTU = "https://www.liffey-tu.example"
QQI = "https://www.qqi.example"
CERT_SD = f"{LTU}/credentials/certificate-software-development"
PYTHON_IE = f"{LTU}/credentials/programming-fundamentals-python"
PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
SQL_US = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
ASSESSOR = "https://assessors.example/panel/show17"
LEARNERS = ("aoife", "bram", "chiara", "dara", "emeka")
#: Which mentor the group links to which learner.
MENTOR_OF = {"aoife": "mentor-a", "bram": "mentor-a", "chiara": "mentor-a"} | {
    "dara": "mentor-b",
    "emeka": "mentor-b",
}


@dataclass
class World:
    store: GraphStore
    client: TestClient
    base: str
    tokens: dict[str, str] = field(default_factory=dict)  # user name -> API key

    def as_(self, name: str) -> dict[str, str]:
        """The Authorization header of user ``name``."""
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def user(self, name: str) -> str:
        return f"{self.base}/user/{name}"

    def learner(self, name: str) -> str:
        return f"{self.base}/learner/{name}"

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, f"{response.request.url}: {response.text}"
        return response.json()


def _users(world: World) -> None:
    """The staff, each with the grant they act under, and five learners with their records."""
    group = f"{world.base}/group/{GROUP}"
    staff = {
        "leader": Grant(Role.GROUP_LEADER, group),
        "mentor-a": Grant(Role.MENTOR, group),
        "mentor-b": Grant(Role.MENTOR, group),
        "advisor-ltu": Grant(Role.ADVISOR, LTU),
        "advisor-qqi": Grant(Role.ADVISOR, QQI),
        "issuer": Grant(Role.ISSUER, LTU),
        "assessor": Grant(Role.ASSESSOR, ASSESSOR),
        "panel-ltu": Grant(Role.ASSESSOR, LTU),
        "member": Grant(Role.MEMBER),
    }
    for name, grant in staff.items():
        world.tokens[name] = user_with_key(world.store, name, grant, base_iri=world.base)
    for name in LEARNERS:
        grant = Grant(Role.LEARNER, world.learner(name))
        world.tokens[name] = user_with_key(world.store, name, grant, base_iri=world.base)
        made = world.client.post(
            "/v1/learners",
            json={"id": world.learner(name), "jurisdiction": "IE"},
            headers=world.as_(name),
        )
        world.ok(made, 201)


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("community")
    with demo_runtime(request, folder, "community") as runtime:
        store, settings = runtime.store, runtime.settings
        with TestClient(create_app(runtime=runtime)) as client:
            the_world = World(store, client, settings.base_iri)
            _users(the_world)
            yield the_world


# -- 1. the group ------------------------------------------------------------------------


def _make_group(world: World) -> dict[str, Any]:
    body = {
        "id": GROUP,
        "name": "Show 17 cohort",
        "kind": "cohort",
        "mentors": ["mentor-a", "mentor-b"],
        "learners": [world.learner(n) for n in LEARNERS],
        "links": [{"mentor": m, "learner": world.learner(n)} for n, m in MENTOR_OF.items()],
        "targets": [f"credential:{PYTHON_IE}"],
    }
    refused = world.client.post("/v1/groups", json=body, headers=world.as_("mentor-a"))
    assert refused.status_code == 403, refused.text  # only its leader makes the group
    group = world.ok(world.client.post("/v1/groups", json=body, headers=world.as_("leader")), 201)
    assert group["id"].endswith(f"/group/{GROUP}")
    assert group["mentors"] == [world.user("mentor-a"), world.user("mentor-b")]
    assert [(m["learner"], m["shares_progress"]) for m in group["members"]] == [
        (world.learner(n), False) for n in LEARNERS
    ]
    links = {(k["mentor"], k["learner"]) for k in group["links"]}
    assert links == {(world.user(m), world.learner(n)) for n, m in MENTOR_OF.items()}
    assert group["targets"] == [f"credential:{PYTHON_IE}"]
    return dict(group)


def _consent_opens_to_the_linked_mentor_only(world: World) -> None:
    """Aoife consents to both mentors; only the one the group links to her reads her gaps."""
    aoife = world.learner("aoife")
    for mentor in ("mentor-a", "mentor-b"):
        consent = {"grantee": world.user(mentor), "scopes": ["competences", "gaps", "pathways"]}
        made = world.client.post(
            f"/v1/learners/{aoife}/consents", json=consent, headers=world.as_("aoife")
        )
        world.ok(made, 201)
    gaps = f"/v1/learners/{aoife}/gaps"
    target = {"target": f"credential:{CERT_SD}"}
    seen = world.ok(world.client.get(gaps, params=target, headers=world.as_("mentor-a")))
    assert seen["missing"], seen  # a learner with no competence misses the certificate's skills
    unlinked = world.client.get(gaps, params=target, headers=world.as_("mentor-b"))
    assert unlinked.status_code == 403, unlinked.text


# -- 2. a recommendation ------------------------------------------------------------------


def _recommendations(world: World, name: str, as_: str) -> dict[str, Any]:
    found = world.client.get(
        "/v1/recommendations", params={"learner": world.learner(name)}, headers=world.as_(as_)
    )
    return dict(world.ok(found))


def _recommend_and_accept(world: World) -> None:
    aoife = world.learner("aoife")
    body = {
        "learner": aoife,
        "kind": "target",
        "target": f"credential:{CERT_SD}",
        "reason": "The certificate builds on the Python you started; the cohort takes it next.",
    }
    url = f"/v1/groups/{GROUP}/recommendations"
    refused = world.client.post(url, json=body, headers=world.as_("mentor-b"))
    assert refused.status_code == 403, refused.text  # mentor-b is not linked to Aoife
    assert _recommendations(world, "aoife", "aoife") == {"recommendations": [], "target": None}
    made = world.ok(world.client.post(url, json=body, headers=world.as_("mentor-a")), 201)
    seen = _recommendations(world, "aoife", "aoife")
    assert [r["id"] for r in seen["recommendations"]] == [made["id"]]
    (shown,) = seen["recommendations"]
    assert shown["mentor"] == world.user("mentor-a") and shown["reason"] == body["reason"]
    assert shown["kind"] == "target" and shown["target"] == body["target"]
    assert shown["status"] == "open" and seen["target"] is None
    decided = world.client.post(
        f"/v1/recommendations/{made['id'].rpartition('/')[2]}/decision",
        json={"accept": True},
        headers=world.as_("aoife"),
    )
    assert world.ok(decided)["status"] == "accepted"
    after = _recommendations(world, "aoife", "aoife")
    assert after["target"] == f"credential:{CERT_SD}"
    assert _recommendations(world, "aoife", "mentor-a")["target"] == f"credential:{CERT_SD}"


# -- 3. a question, and the same question in other words ------------------------------------


def _ask(world: World, name: str, title: str, body: str, about: list[str]) -> dict[str, Any]:
    question = {"title": title, "body": body, "about": about}
    return dict(
        world.ok(world.client.post("/v1/questions", json=question, headers=world.as_(name)), 201)
    )


def _ask_and_find_again(world: World) -> dict[str, Any]:
    other = _ask(
        world,
        "dara",
        "How many hours a week does the SQL introduction take?",
        "I work full time and wonder about evening study.",
        [SQL_US],
    )
    asked = _ask(
        world,
        "bram",
        "Does Great Lakes' Python Programming I count toward Liffey's software development "
        "certificate?",
        "I passed Python Programming I at Great Lakes. Will Liffey recognise it as credit "
        "toward the Certificate in Software Development?",
        [PYTHON_US, CERT_SD],
    )
    draft = {
        "title": "Can my Great Lakes Python Programming I give me credit in Liffey's "
        "software development certificate?",
        "body": "Would the Python course I did in Great Lakes be recognised by Liffey?",
        "limit": 5,
    }
    found = world.client.post("/v1/questions/similar", json=draft, headers=world.as_("member"))
    suggestions = world.ok(found)["suggestions"]
    assert suggestions and suggestions[0]["question"]["id"] == asked["id"], suggestions
    first = suggestions[0]
    assert first["reason"].strip() and first["score"] > 0
    ranked = [s["question"]["id"] for s in suggestions]
    if other["id"] in ranked:  # the unrelated question, if suggested at all, comes after
        assert suggestions[ranked.index(other["id"])]["score"] < first["score"]
    _private_stays_private(world, asked)
    return asked


def _private_stays_private(world: World, asked: dict[str, Any]) -> None:
    """Chiara's private question to Great Lakes, in the same words, is suggested to her only."""
    private = {
        "credential": PYTHON_US,
        "title": "Does Python Programming I count toward Liffey's software development "
        "certificate?",
        "body": "I took Python Programming I at Great Lakes; would Liffey recognise it?",
    }
    made = world.client.post("/v1/consultations", json=private, headers=world.as_("chiara"))
    consultation = world.ok(made, 201)["id"]
    for name in ("chiara", "member"):
        same = {"title": private["title"], "body": private["body"], "limit": 5}
        found = world.client.post("/v1/questions/similar", json=same, headers=world.as_(name))
        suggested = [s["question"]["id"] for s in world.ok(found)["suggestions"]]
        searched = world.client.get(
            "/v1/questions/search", params={"q": private["title"]}, headers=world.as_(name)
        )
        results = [m["question"]["id"] for m in world.ok(searched)["results"]]
        assert asked["id"] in suggested and asked["id"] in results, (name, suggested, results)
        seen = name == "chiara"  # the asker; not a member who is no party to it
        assert (consultation in suggested, consultation in results) == (seen, seen), name


# -- 4. an answer, accepted, verified, and a recognition decision citing it -----------------


def _equivalence(world: World) -> dict[str, Any]:
    pair = {"a": PYTHON_US, "b": CERT_SD}
    return dict(world.ok(world.client.post("/v1/equivalence", json=pair)))


def _answer_accept_verify(world: World, question: dict[str, Any]) -> str:
    """The member answers, the asker accepts it, a mentor verifies it; the answer's IRI."""
    short = question["id"]
    reply = {
        "body": "Liffey TU's committee recognises it partially: 5 ECTS toward the certificate."
    }
    answer = world.ok(
        world.client.post(
            f"/v1/questions/{short}/answers", json=reply, headers=world.as_("member")
        ),
        201,
    )
    answer_id = answer["id"]
    accepted = world.client.post(f"/v1/answers/{answer_id}/accept", headers=world.as_("bram"))
    assert world.ok(accepted)["accepted"] == answer["iri"]
    note = {"note": "Matches the committee's published decision."}
    verified = world.client.post(
        f"/v1/answers/{answer_id}/verify", json=note, headers=world.as_("mentor-a")
    )
    mark = world.ok(verified)["verified"]
    assert (mark["answer"], mark["by"]) == (answer["iri"], world.user("mentor-a"))
    assert mark["role"] == f"mentor:{world.base}/group/{GROUP}" and mark["note"] == note["note"]
    return str(answer["iri"])


def _decision(authority: str) -> dict[str, Any]:
    return {
        "authority": authority,
        "authority_name": "Liffey Technological University",
        "credential": PYTHON_US,
        "target": CERT_SD,
        "outcome": "partial",
        "to_jurisdiction": "IE",
        "valid_from": "2026-01-01",
    }


def _decide_from_the_answer(world: World, question: dict[str, Any]) -> None:
    before = _equivalence(world)
    assert before["verdict"] == "not_equivalent" and before["declared_by"] is None
    short = question["id"]
    early = world.ok(
        world.client.post(
            f"/v1/questions/{short}/answers",
            json={"body": "Ask the registrar."},
            headers=world.as_("dara"),
        ),
        201,
    )
    url = f"/v1/answers/{early['id']}/decision"
    unverified = world.client.post(url, json=_decision(LTU), headers=world.as_("advisor-ltu"))
    assert unverified.status_code == 409, unverified.text  # not the verified answer
    answer = _answer_accept_verify(world, question)
    url = f"/v1/answers/{answer.rpartition('/')[2]}/decision"
    other = world.client.post(url, json=_decision(LTU), headers=world.as_("advisor-qqi"))
    assert other.status_code == 403, other.text  # an advisor of another authority
    assert _equivalence(world) == before  # the refusals changed nothing
    decided = world.ok(
        world.client.post(url, json=_decision(LTU), headers=world.as_("advisor-ltu")), 201
    )
    assert decided["source"] == answer
    after = _equivalence(world)
    assert (after["score"], after["computed_verdict"]) == (before["score"], before["verdict"])
    assert after["verdict"] == "partially_equivalent" and after["declared_by"] == decided["id"]
    cites = [line for line in after["explanation"] if decided["id"] in line]
    assert cites and all(answer in line for line in cites), after["explanation"]


# -- 5. the group's progress and a sharing learner's new proof ------------------------------


def _proof(world: World, name: str) -> dict[str, Any]:
    """Liffey's panel on its Python course assesses the learner's submission; the proof."""
    panel = {
        "credential": PYTHON_IE,
        "assessors": [
            {"id": ASSESSOR, "name": "Show assessor", "role": "assessor"},
            {"id": LTU, "name": "Liffey TU", "role": "institution"},
        ],
        "rule": {"min_passes": 2},
    }
    world.ok(
        world.client.post("/v1/assessment-panels", json=panel, headers=world.as_("issuer")), 201
    )
    submission = {
        "learner": world.learner(name),
        "credential": PYTHON_IE,
        "evidence": [{"kind": "link", "url": "https://example.org/dara/python-project"}],
    }
    made = world.ok(
        world.client.post("/v1/submissions", json=submission, headers=world.as_(name)), 201
    )
    skills = world.ok(world.client.get(f"/v1/credentials/{PYTHON_IE}"))["skills"]
    results = {"results": [{"skill": s["uri"], "passed": True, "level": 4} for s in skills]}
    for assessor in ("assessor", "panel-ltu"):
        url = f"/v1/submissions/{made['id']}/assessments"
        world.ok(world.client.post(url, json=results, headers=world.as_(assessor)), 201)
    proof = {"submission": made["id"]}
    return dict(
        world.ok(world.client.post("/v1/proofs", json=proof, headers=world.as_("issuer")), 201)
    )


def _progress(world: World) -> dict[str, Any]:
    url = f"/v1/groups/{GROUP}/progress"
    return dict(world.ok(world.client.get(url, headers=world.as_("leader"))))


def _progress_follows_a_proof(world: World) -> None:
    sharing = {"learner": world.learner("dara"), "shares_progress": True}
    url = f"/v1/groups/{GROUP}/sharing"
    refused = world.client.put(url, json=sharing, headers=world.as_("emeka"))
    assert refused.status_code == 403, refused.text  # only Dara shares Dara's progress
    shared = world.ok(world.client.put(url, json=sharing, headers=world.as_("dara")))
    assert [m["learner"] for m in shared["members"] if m["shares_progress"]] == [sharing["learner"]]
    before = _progress(world)
    assert (before["members"], before["counted"]) == (len(LEARNERS), 1)
    assert before["credentials"] == []
    _proof(world, "dara")
    after = _progress(world)
    assert (after["members"], after["counted"]) == (len(LEARNERS), 1)
    assert [(c["credential"], c["learners"]) for c in after["credentials"]] == [(PYTHON_IE, 1)]
    (was,), (now,) = before["targets"], after["targets"]
    assert was["target"] == now["target"] == f"credential:{PYTHON_IE}"
    # Dara had no competence: every required skill missing, no coverage at any date
    assert {p["percent"] for p in was["points"]} == {0.0}
    assert len(before["gaps"]) == was["required"] > 0
    assert all(g["missing"] == 1 for g in before["gaps"])
    # the proof (level 4 in every skill of the course) meets them all, from today on only
    assert [p["date"] for p in now["points"]] == [p["date"] for p in was["points"]]
    assert now["points"][-1]["percent"] == 100.0 and after["gaps"] == []
    assert [p["percent"] for p in now["points"][:-1]] == [p["percent"] for p in was["points"][:-1]]


def test_a_cohort_from_its_group_to_a_recognition_and_its_progress(world: World) -> None:
    _make_group(world)
    _consent_opens_to_the_linked_mentor_only(world)
    _recommend_and_accept(world)
    question = _ask_and_find_again(world)
    _decide_from_the_answer(world, question)
    _progress_follows_a_proof(world)
