"""Who may call which operation on whose object: every route, every role, own or other.

Each row of :data:`ROWS` is one operation of the API. For every role (and anonymous) it is
called twice on the same object: once by a user of that role **bound to the object** (the
issuer's staff for a credential, the learner for their record, the assessor sitting on the
submission's panel, the advisor of the decision's authority, a mentor the learner consented
to) and once by a user of the same role **bound to another object**. The expected status
follows from the row: public operations answer everyone; others answer an administrator,
the roles in ``owners`` on their own object and those in ``others`` on any object, refuse
anyone else with 403 and nobody with 401.

Objects a call may consume (a deletion, a revocation, an issue) are made fresh for each call.
The suite runs on both backends; :func:`test_every_operation_has_a_row` fails when a route
is added without a row.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.runtime import Runtime
from graph.model.accounts import Actor, ConsentScope, Grant, Role
from graph.model.assembly import Consultation
from graph.model.credentials import CredentialSkill, SkillStatus
from graph.model.learners import Learner
from graph.model.onboarding import ItemKind
from graph.model.submissions import (
    AssessmentKind,
    Assessor,
    Evidence,
    EvidenceKind,
    IssuingRule,
    SkillResult,
)
from graph.reference import load_reference_data
from graph.registry import create_store
from graph.services.accounts import (
    actor_for_user,
    consents_of,
    create_api_key,
    create_user,
    get_user,
    grant_consent,
    revoke_consent,
    user_iri,
)
from graph.services.assembly.posts import answer_question, ask_question, verify_answer
from graph.services.catalogue.credentials import get_credential, save_catalogue
from graph.services.groups.groups import GroupSpec, create_group
from graph.services.groups.recommendations import recommend
from graph.services.impact.claims import ImpactDraft, create_claim, endorse_claim
from graph.services.impact.issuing import issue_certificate
from graph.services.ingestion import import_concepts
from graph.services.onboarding.attempts import answer_item, get_attempt, start_attempt
from graph.services.onboarding.items import ItemDraft, write_item
from graph.services.pathways.learners import create_learner
from graph.services.proofs.issuing import issue_proof
from graph.services.proofs.submissions import declare_panel, record_assessment, submit
from graph.settings import load_settings
from graph.store import GraphStore
from ingest.demo import load_demo
from ingest.frameworks.onet import onet_import, read_onet
from tests.fixtures.actors import ADMIN
from tests.fixtures.embedders import HashingEmbedder
from tests.fixtures.neo4j_server import neo4j_namespace

ROLES = (
    "anonymous",
    "admin",
    "issuer",
    "assessor",
    "advisor",
    "mentor",
    "learner",
    "member",
    "group_leader",
)
EVERY_USER = frozenset(ROLES) - {"anonymous"}

OWN_ISSUER = "https://www.liffey-tu.example"
STRANGE_ISSUER = "https://www.sla-ruhr.example"
OWN_COURSE = f"{OWN_ISSUER}/credentials/programming-fundamentals-python"
OTHER_COURSE = "https://www.greatlakes-cc.example/credentials/python-programming-1"
SEAT = f"{OWN_ISSUER}/assessors/aoife-byrne"
STRANGE_SEAT = "https://www.greatlakes-cc.example/assessors/sam-lee"
AUTHORITY = "https://recognition.example.ie"
STRANGE_AUTHORITY = "https://recognition.example.de"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
OCCUPATION = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"
PASSWORD = "correct horse battery staple"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class Owners:
    """What an object is bound to: the users of these bindings are its owners."""

    issuer: str | None = None
    learner: str | None = None
    seat: str | None = None
    authority: str | None = None
    #: A group (its leader is the group_leader bound to it).
    group: str | None = None


@dataclass(frozen=True)
class Who:
    """The acting user of one call (anonymous: no name, no headers)."""

    role: str
    name: str | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None


@dataclass(frozen=True)
class Target:
    """An object, its owners, and the call a user makes on it."""

    owners: Owners
    call: Callable[[Who, bool], Call]


@dataclass(frozen=True)
class Row:
    """One operation: its success status and who may call it on their own or any object."""

    method: str
    path: str
    success: int
    make: Callable[[World], Target]
    owners: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()
    public: bool = False
    #: Whether an administrator passes (an administrator assesses as nobody but themself).
    admin: bool = True
    #: Overrides the rule (login answers by password, not by role).
    expect: Callable[[str, bool], int] | None = None

    def expected(self, role: str, own: bool) -> int:
        if self.expect is not None:
            return self.expect(role, own)
        if self.public:
            return self.success
        if role == "anonymous":
            return 401
        allowed = (role == "admin" and self.admin) or role in (self.owners if own else self.others)
        return self.success if allowed else 403


@dataclass
class World:
    """A store seeded with the demo, users made on demand, and fresh objects for each call."""

    store: GraphStore
    client: TestClient
    base: str
    users: dict[tuple[str, str | None], Who] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=itertools.count)
    #: Pairs of credentials not yet used in a recognition decision (each decision is new).
    pairs: Iterator[tuple[str, str]] = field(default_factory=lambda: iter(()))
    #: A recorded decision, for the public reads of decisions.
    decision: str = ""
    #: Objects that calls only read, made once.
    made: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()``, made the first time only (for objects the calls do not change)."""
        if name not in self.made:
            self.made[name] = make()
        return self.made[name]

    # -- users -------------------------------------------------------------------------------

    def user(self, role: str, bound: str | None = None) -> Who:
        """A user of ``role`` bound to ``bound``, with a password and a key (made once)."""
        if role == "anonymous":
            return Who(role, None, {})
        if (role, bound) not in self.users:
            name = f"{role}-{next(self.counter)}"
            grant = Grant(Role.MEMBER if role == "mentor" and bound is None else Role(role), bound)
            create_user(
                self.store,
                actor=ADMIN,
                name=name,
                password=PASSWORD,
                grants=[grant],
                base_iri=self.base,
            )
            _, token = create_api_key(self.store, actor=ADMIN, user=name, base_iri=self.base)
            self.users[(role, bound)] = Who(role, name, {"Authorization": f"Bearer {token}"})
        return self.users[(role, bound)]

    def who(self, role: str, own: bool, owners: Owners) -> Who:
        """The user of ``role`` bound to the object's owner (own) or to another object."""
        bound = {
            "issuer": (owners.issuer, STRANGE_ISSUER),
            "assessor": (owners.seat, STRANGE_SEAT),
            "advisor": (owners.authority, STRANGE_AUTHORITY),
            "learner": (owners.learner, f"{self.base}/learner/stranger"),
            # The mentor every fresh learner consents to, and one nobody consented to.
            "mentor": (f"{self.base}/group/cohort", f"{self.base}/group/other"),
            "group_leader": (owners.group, f"{self.base}/group/other"),
        }.get(role)
        if bound is None:
            return self.user(role)
        mine, stranger = bound
        return self.user(role, mine if own and mine is not None else stranger)

    def actor(self, who: Who) -> Actor:
        assert who.name is not None
        return actor_for_user(get_user(self.store, who.name, actor=ADMIN, base_iri=self.base))

    def fresh(self, prefix: str) -> str:
        return f"{self.base}/{prefix}/{next(self.counter)}"

    # -- objects -----------------------------------------------------------------------------

    def learner(self) -> str:
        """A new learner record, consented to the cohort's mentor for everything."""
        iri = self.fresh("learner")
        learner = Learner(id=iri, jurisdiction="IE")
        create_learner(self.store, learner, actor=ADMIN, reference=self.reference)
        mentor = self.user("mentor", f"{self.base}/group/cohort")
        grant_consent(
            self.store,
            actor=ADMIN,
            learner=iri,
            grantee=user_iri(str(mentor.name), base_iri=self.base),
            scopes=list(ConsentScope),
            base_iri=self.base,
        )
        _cohort_of(self, iri)  # groups: the cohort's mentor is linked to every fresh learner
        return iri

    def credential(self, issuer: str = OWN_ISSUER, *, suggested: bool = False) -> str:
        """A new credential of ``issuer`` (with only a suggested skill when asked)."""
        made = dataclasses.replace(
            get_credential(self.store, OWN_COURSE),
            id=f"{issuer}/credentials/fresh-{next(self.counter)}",
            issuer=issuer,
        )
        if suggested:
            suggestion = CredentialSkill(PYTHON, level=3, status=SkillStatus.SUGGESTED)
            made = dataclasses.replace(made, skills=(suggestion,))
        save_catalogue(self.store, actor=ADMIN, credentials=[made], reference=self.reference)
        return made.id

    def submission(self, *, assessed: bool = False) -> tuple[str, str]:
        """A new learner's submission for the own course (assessed by its seat when asked)."""
        learner = self.learner()
        view = submit(
            self.store,
            actor=ADMIN,
            learner=learner,
            credential=OWN_COURSE,
            evidence=[Evidence(EvidenceKind.TEXT, text="my work")],
            base_iri=self.base,
        )
        if assessed:
            seat_user = self.actor(self.user("assessor", SEAT))
            results = [
                _result(s.uri) for s in get_credential(self.store, OWN_COURSE).confirmed_skills
            ]
            record_assessment(
                self.store,
                submission=view.submission.id,
                actor=seat_user,
                results=results,
                base_iri=self.base,
            )
        return view.submission.id, learner

    def proof(self) -> tuple[str, str]:
        """A new proof, issued to a new learner; its id and its learner."""
        submission, learner = self.submission(assessed=True)
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        proof = issue_proof(
            self.store, actor=ADMIN, submission=submission, issuer=runtime.proof_issuer
        )
        return proof.id, learner

    @property
    def reference(self) -> Any:
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime.reference


def _result(skill: str) -> SkillResult:
    return SkillResult(skill=skill, passed=True, level=4)


def _q(iri: str) -> str:
    return quote(iri, safe=":/")


def _same(call: Call) -> Callable[[World], Target]:
    """A public call on an object nobody owns."""
    return lambda world: Target(Owners(), lambda who, own: call)


# --- the rows, one per operation -----------------------------------------------------------


def _login(world: World) -> Target:
    def call(who: Who, own: bool) -> Call:
        name = who.name if who.name and own else f"nobody-{next(world.counter)}"
        return Call("POST", "/v1/session", json={"name": name, "password": PASSWORD})

    return Target(Owners(), call)


def _login_expected(role: str, own: bool) -> int:
    return 200 if own and role != "anonymous" else 401


def _user_path(suffix: str = "", **fixed: Any) -> Callable[[World], Target]:
    """A call on the acting user's own account (own) or another user's (other)."""

    def make(world: World) -> Target:
        stranger = world.user("issuer", world.fresh("issuer-for-account"))

        def call(who: Who, own: bool) -> Call:
            name = who.name if own and who.name else stranger.name
            return Call(
                fixed.get("method", "GET"), f"/v1/users/{name}{suffix}", **fixed.get("kw", {})
            )

        return Target(Owners(), call)

    return make


def _keys(method: str) -> Callable[[World], Target]:
    def make(world: World) -> Target:
        stranger = world.user("issuer", world.fresh("issuer-for-keys"))

        def call(who: Who, own: bool) -> Call:
            name = who.name if own and who.name else stranger.name
            if method == "GET":
                return Call("GET", "/v1/keys", params={"user": name})
            return Call("POST", "/v1/keys", json={"user": name})

        return Target(Owners(), call)

    return make


def _revoke_key(world: World) -> Target:
    stranger = world.user("issuer", world.fresh("issuer-for-keys"))

    def call(who: Who, own: bool) -> Call:
        name = who.name if own and who.name else stranger.name
        key, _ = create_api_key(world.store, actor=ADMIN, user=str(name), base_iri=world.base)
        return Call("DELETE", f"/v1/keys/{key.id}")

    return Target(Owners(), call)


def _throwaway_user(method: str, suffix: str, **kw: Any) -> Callable[[World], Target]:
    def make(world: World) -> Target:
        name = world.user("issuer", world.fresh("issuer-for-admin")).name
        return Target(Owners(), lambda who, own: Call(method, f"/v1/users/{name}{suffix}", **kw))

    return make


def _learner_call(method: str, suffix: str = "", **kw: Any) -> Callable[[World], Target]:
    def make(world: World) -> Target:
        learner = world.learner()
        path = f"/v1/learners/{_q(learner)}{suffix}"
        body = kw.get("json")
        if body == "LEARNER":
            body = {"id": learner, "jurisdiction": "IE"}
        extra = {k: v for k, v in kw.items() if k != "json"}
        return Target(
            Owners(learner=learner), lambda who, own: Call(method, path, json=body, **extra)
        )

    return make


def _create_learner(world: World) -> Target:
    learner = world.fresh("learner")
    body = {"id": learner, "jurisdiction": "IE"}
    # Each call a new record: the first allowed call would make the others conflict.
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("POST", "/v1/learners", json=body),
    )


def _consent_create(world: World) -> Target:
    learner = world.learner()
    grantee = user_iri(str(world.user("member").name), base_iri=world.base)
    body = {"grantee": grantee, "scopes": ["competences"]}
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("POST", f"/v1/learners/{_q(learner)}/consents", json=body),
    )


def _consent_revoke(world: World) -> Target:
    learner = world.learner()
    consent = grant_consent(
        world.store,
        actor=ADMIN,
        learner=learner,
        grantee=user_iri(str(world.user("member").name), base_iri=world.base),
        scopes=[ConsentScope.COMPETENCES],
        base_iri=world.base,
    )
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("DELETE", f"/v1/consents/{consent.id}"),
    )


def _issuer_create(world: World) -> Target:
    issuer = world.fresh("issuer")
    body = {"id": issuer, "name": "A new issuer", "type": "institution", "jurisdiction": "IE"}
    return Target(Owners(issuer=issuer), lambda who, own: Call("POST", "/v1/issuers", json=body))


def _issuer_put(world: World) -> Target:
    body = world.client.get(f"/v1/issuers/{OWN_ISSUER}").json()
    return Target(
        Owners(issuer=OWN_ISSUER),
        lambda who, own: Call("PUT", f"/v1/issuers/{OWN_ISSUER}", json=body),
    )


def _credential_create(world: World) -> Target:
    body = world.client.get(f"/v1/credentials/{OWN_COURSE}").json()
    body = {**body, "id": f"{OWN_ISSUER}/credentials/new-{next(world.counter)}"}
    return Target(
        Owners(issuer=OWN_ISSUER), lambda who, own: Call("POST", "/v1/credentials", json=body)
    )


def _credential_put(world: World) -> Target:
    body = world.client.get(f"/v1/credentials/{OWN_COURSE}").json()
    return Target(
        Owners(issuer=OWN_ISSUER),
        lambda who, own: Call("PUT", f"/v1/credentials/{OWN_COURSE}", json=body),
    )


def _credential_delete(world: World) -> Target:
    credential = world.credential()
    return Target(
        Owners(issuer=OWN_ISSUER), lambda who, own: Call("DELETE", f"/v1/credentials/{credential}")
    )


def _mapping(world: World) -> Target:
    return Target(
        Owners(issuer=OWN_ISSUER),
        lambda who, own: Call("POST", f"/v1/credentials/{OWN_COURSE}/mapping", json={"top": 2}),
    )


def _decision(world: World) -> Target:
    credential = world.credential(suggested=True)
    body = {"skill": PYTHON, "decision": "accept"}
    return Target(
        Owners(issuer=OWN_ISSUER),
        lambda who, own: Call("POST", f"/v1/credentials/{credential}/decisions", json=body),
    )


def _recognition(world: World) -> Target:
    pair = next(world.pairs)
    body = {
        "authority": AUTHORITY,
        "credential": pair[0],
        "target": pair[1],
        "outcome": "partial",
        "to_jurisdiction": "IE",
    }
    return Target(
        Owners(authority=AUTHORITY), lambda who, own: Call("POST", "/v1/recognitions", json=body)
    )


def _panel_create(world: World) -> Target:
    body = {
        "credential": OWN_COURSE,
        "assessors": [{"id": SEAT, "name": "Aoife Byrne", "role": "institution"}],
    }
    return Target(
        Owners(issuer=OWN_ISSUER), lambda who, own: Call("POST", "/v1/assessment-panels", json=body)
    )


def _submission_create(world: World) -> Target:
    learner = world.learner()
    body = {
        "learner": learner,
        "credential": OWN_COURSE,
        "evidence": [{"kind": "text", "text": "my work"}],
    }
    return Target(
        Owners(learner=learner), lambda who, own: Call("POST", "/v1/submissions", json=body)
    )


def _submissions_list(world: World) -> Target:
    learner = world.learner()
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("GET", "/v1/submissions", params={"learner": learner}),
    )


def _submission_read(world: World) -> Target:
    submission, learner = world.submission()
    short = submission.rpartition("/")[2]
    return Target(
        Owners(issuer=OWN_ISSUER, learner=learner, seat=SEAT),
        lambda who, own: Call("GET", f"/v1/submissions/{short}"),
    )


def _assessment(world: World) -> Target:
    submission, learner = world.submission()
    short = submission.rpartition("/")[2]
    skills = [s.uri for s in get_credential(world.store, OWN_COURSE).confirmed_skills]
    body = {"results": [{"skill": s, "passed": True, "level": 4} for s in skills]}
    return Target(
        Owners(issuer=OWN_ISSUER, learner=learner, seat=SEAT),
        lambda who, own: Call("POST", f"/v1/submissions/{short}/assessments", json=body),
    )


def _issue(world: World) -> Target:
    submission, learner = world.submission(assessed=True)
    return Target(
        Owners(issuer=OWN_ISSUER, learner=learner),
        lambda who, own: Call("POST", "/v1/proofs", json={"submission": submission}),
    )


def _proof_call(method: str, suffix: str = "") -> Callable[[World], Target]:
    def make(world: World) -> Target:
        # A revocation changes the proof: a new one each call; reads share one.
        proof, learner = world.proof() if method == "POST" else world.once("proof", world.proof)
        short = proof.rpartition("/")[2]
        return Target(
            Owners(issuer=OWN_ISSUER, learner=learner),
            lambda who, own: Call(method, f"/v1/proofs/{short}{suffix}"),
        )

    return make


def _verify(world: World) -> Target:
    proof, _ = world.once("proof", world.proof)
    document = world.client.get(
        f"/v1/proofs/{proof.rpartition('/')[2]}/credential",
        headers=world.user("admin").headers,
    ).json()
    body = {"document": document}
    return Target(Owners(), lambda who, own: Call("POST", "/v1/proofs/verify", json=body))


def _pathway(world: World) -> Target:
    learner = world.learner()
    body = {"learner": learner, "target": f"skills:{PYTHON}@3"}
    return Target(Owners(learner=learner), lambda who, own: Call("POST", "/v1/pathways", json=body))


# --- the Assembly: posts by the acting user (own) or by someone else (other) ----------------


def _stranger(world: World) -> Actor:
    """A user who is none of the callers: the author of the posts that are not theirs."""
    stranger: Actor = world.once(
        "post-stranger",
        lambda: world.actor(world.user("issuer", f"{world.base}/issuer/post-stranger")),
    )
    return stranger


def _author(world: World, who: Who, own: bool) -> Actor:
    return world.actor(who) if own and who.name else _stranger(world)


def _short(iri: str) -> str:
    return iri.rpartition("/")[2]


def _question(world: World, author: Actor) -> str:
    return ask_question(
        world.store,
        actor=author,
        title="Does this course count in Ireland?",
        body="Asked by *someone*.",
        about=[OWN_COURSE, PYTHON],
        reference=world.reference,
        base_iri=world.base,
    ).id


def _answer(world: World, author: Actor, question: str | None = None) -> str:
    question = question or world.once("question", lambda: _question(world, ADMIN))
    return answer_question(
        world.store, actor=author, question=question, body="An answer.", base_iri=world.base
    ).id


def _post_call(method: str, path: str, **kw: Any) -> Callable[[World], Target]:
    """A call on a post: ``{q}`` a shared question, ``{a}`` a shared answer."""

    def make(world: World) -> Target:
        question = world.once("question", lambda: _question(world, ADMIN))
        answer = world.once("answer", lambda: _answer(world, ADMIN))
        filled = path.format(q=_short(question), a=_short(answer))
        return Target(Owners(), lambda who, own: Call(method, filled, **kw))

    return make


def _own_post_call(method: str, path: str, kind: str, **kw: Any) -> Callable[[World], Target]:
    """A call on a new post of the caller (own) or of a stranger (other)."""

    def make(world: World) -> Target:
        def call(who: Who, own: bool) -> Call:
            author = _author(world, who, own)
            if kind == "question":
                post = _question(world, author)
            elif kind == "answer":
                post = _answer(world, author)
            else:  # an answer (by an administrator) to a question of the caller
                post = _answer(world, ADMIN, _question(world, author))
            return Call(method, path.format(id=_short(post)), **kw)

        return Target(Owners(), call)

    return make


def _fresh_post_call(method: str, path: str, **kw: Any) -> Callable[[World], Target]:
    """A call on a new answer each time (reports and hiding change it)."""

    def make(world: World) -> Target:
        return Target(
            Owners(),
            lambda who, own: Call(method, path.format(id=_short(_answer(world, ADMIN))), **kw),
        )

    return make


def _decision_from_answer(world: World) -> Target:
    """A new verified answer on a question about a fresh pair of credentials."""
    credential, target = next(world.pairs)
    question = ask_question(
        world.store,
        actor=ADMIN,
        title="Recognised?",
        body="Is it?",
        about=[credential, target],
        reference=world.reference,
        base_iri=world.base,
    ).id
    answer = _answer(world, ADMIN, question)
    verify_answer(world.store, answer, actor=ADMIN)
    body = {
        "authority": AUTHORITY,
        "credential": credential,
        "target": target,
        "outcome": "partial",
        "to_jurisdiction": "IE",
    }
    path = f"/v1/answers/{_short(answer)}/decision"
    return Target(Owners(authority=AUTHORITY), lambda who, own: Call("POST", path, json=body))


# --- issuer consultation (issue 17 point 2): questions to an issuer, private to the parties ---


def _consultation(world: World, author: Actor) -> str:
    """A private question to the own course's issuer, asked by ``author`` (any role, for setup)."""
    return ask_question(
        world.store,
        actor=author,
        title="Do I need Python first?",
        body="Asked privately.",
        about=[OWN_COURSE],
        reference=world.reference,
        base_iri=world.base,
        consultation=Consultation(OWN_ISSUER, OWN_COURSE),
    ).id


def _consultation_sharing(world: World) -> Target:
    """The caller's own consultation (own) or a stranger's, which the caller may not read."""

    def call(who: Who, own: bool) -> Call:
        # Another's: the operator's (an administrator, never rate-limited), not the caller's.
        author = world.actor(who) if own and who.name else ADMIN
        question = _consultation(world, author)
        body = {"public": False, "share_with": []}
        return Call("PUT", f"/v1/consultations/{_short(question)}/sharing", json=body)

    return Target(Owners(), call)


def _sharing_expected(role: str, own: bool) -> int:
    if role == "anonymous":
        return 401
    return 200 if own or role == "admin" else 404  # another's private consultation: not there


CONSULTATION_ROWS: list[Row] = [
    Row(
        "POST",
        "/v1/consultations",
        201,
        _same(
            Call(
                "POST",
                "/v1/consultations",
                json={"credential": OWN_COURSE, "title": "Fit?", "body": "Does it fit me?"},
            )
        ),
        owners=frozenset({"learner", "mentor"}),
        others=frozenset({"learner", "mentor"}),
    ),
    Row(
        "GET",
        "/v1/consultations",
        200,
        lambda world: Target(
            Owners(issuer=OWN_ISSUER),
            lambda who, own: Call("GET", "/v1/consultations", params={"issuer": OWN_ISSUER}),
        ),
        owners=frozenset({"issuer"}),
    ),
    Row(
        "GET",
        "/v1/consultations/mine",
        200,
        _same(Call("GET", "/v1/consultations/mine")),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row(
        "PUT",
        "/v1/consultations/{question_id}/sharing",
        200,
        _consultation_sharing,
        expect=_sharing_expected,
    ),
]


LEARNER_READERS = frozenset({"learner", "mentor"})
PROGRAMMING = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
AUTHORS = frozenset({"issuer", "assessor"})


def _bank(world: World) -> dict[str, str]:
    """Multiple choice items of Python at levels 1-8 and a task of programming, made once."""

    def make() -> dict[str, str]:
        items = [
            write_item(
                world.store,
                ItemDraft(PYTHON, level, ItemKind.MULTIPLE_CHOICE, "q", ("a", "b"), answer=0),
                actor=ADMIN,
                base_iri=world.base,
            )
            for level in range(1, 9)
        ]
        mc = items[0]
        task = write_item(
            world.store,
            ItemDraft(PROGRAMMING, 4, ItemKind.TASK, "build", rubric="it works"),
            actor=ADMIN,
            base_iri=world.base,
        )
        return {"mc": mc.id, "task": task.id}

    made: dict[str, str] = world.once("bank", make)
    return made


def _item_body(world: World) -> dict[str, Any]:
    _bank(world)
    return {"skill": PYTHON, "level": 2, "kind": "short_answer", "prompt": "q", "accepted": ["x"]}


def _item_create(world: World) -> Target:
    body = _item_body(world)
    return Target(Owners(), lambda who, own: Call("POST", "/v1/onboarding/items", json=body))


def _item_put(world: World) -> Target:
    short = _bank(world)["mc"].rpartition("/")[2]
    body = _item_body(world)
    return Target(
        Owners(), lambda who, own: Call("PUT", f"/v1/onboarding/items/{short}", json=body)
    )


def _attempt(world: World, skill: str = PYTHON, *, answered: bool = False) -> tuple[str, str]:
    """A fresh learner's attempt for one skill (its task answered when asked); id, learner."""
    _bank(world)
    learner = world.learner()
    view = start_attempt(
        world.store, learner, target=f"skills:{skill}", actor=ADMIN, base_iri=world.base
    )
    if answered and view.question is not None:
        answer_item(
            world.store, view.attempt.id, item=view.question.item, response="x", actor=ADMIN
        )
    return view.attempt.id.rpartition("/")[2], learner


def _attempt_create(world: World) -> Target:
    _bank(world)
    learner = world.learner()
    body = {"learner": learner, "target": f"skills:{PYTHON}"}

    def call(who: Who, own: bool) -> Call:
        # Each call a new learner: an allowed call would make the next one wait 30 days.
        fresh = world.learner() if who.role == "admin" else learner
        return Call("POST", "/v1/onboarding/attempts", json={**body, "learner": fresh})

    return Target(Owners(learner=learner), call)


def _attempt_read(world: World) -> Target:
    attempt, learner = _attempt(world)
    call = Call("GET", f"/v1/onboarding/attempts/{attempt}")
    return Target(Owners(learner=learner), lambda who, own: call)


def _attempt_answer(world: World) -> Target:
    attempt, learner = _attempt(world)
    uri = f"{world.base}/onboarding-attempt/{attempt}"

    def call(who: Who, own: bool) -> Call:
        # The question asked now (the attempt goes on after each allowed answer).
        question = get_attempt(world.store, uri, actor=ADMIN).question
        assert question is not None
        body = {"item": question.item, "response": "0"}
        return Call("POST", f"/v1/onboarding/attempts/{attempt}/answers", json=body)

    return Target(Owners(learner=learner), call)


def _rating(world: World) -> Target:
    task = _bank(world)["task"]

    def call(who: Who, own: bool) -> Call:
        fresh, _ = _attempt(world, PROGRAMMING, answered=True)
        body = {"item": task, "score": 0.9}
        return Call("POST", f"/v1/onboarding/attempts/{fresh}/ratings", json=body)

    return Target(Owners(), call)


def _attempts_list(world: World) -> Target:
    _, learner = _attempt(world)
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("GET", "/v1/onboarding/attempts", params={"learner": learner}),
    )


PROOF_READERS = frozenset({"learner", "mentor", "issuer"})

ROWS: list[Row] = [
    # accounts and sessions
    Row("GET", "/v1/session", 200, _same(Call("GET", "/v1/session")), public=True),
    Row("POST", "/v1/session", 200, _login, expect=_login_expected),
    Row("DELETE", "/v1/session", 204, _same(Call("DELETE", "/v1/session")), public=True),
    Row("GET", "/v1/users", 200, _same(Call("GET", "/v1/users"))),
    Row(
        "POST",
        "/v1/users",
        201,
        lambda w: Target(
            Owners(),
            lambda who, own: Call("POST", "/v1/users", json={"name": f"new-{next(w.counter)}"}),
        ),
    ),
    Row("GET", "/v1/users/{name}", 200, _user_path(), owners=EVERY_USER),
    Row(
        "PUT",
        "/v1/users/{name}/grants",
        200,
        _throwaway_user("PUT", "/grants", json={"grants": ["member"]}),
    ),
    Row(
        "PUT",
        "/v1/users/{name}/password",
        204,
        _user_path("/password", method="PUT", kw={"json": {"password": PASSWORD}}),
        owners=EVERY_USER,
    ),
    Row(
        "PUT",
        "/v1/users/{name}/disabled",
        200,
        _throwaway_user("PUT", "/disabled", params={"disabled": "false"}),
    ),
    Row("GET", "/v1/keys", 200, _keys("GET"), owners=EVERY_USER),
    Row("POST", "/v1/keys", 201, _keys("POST"), owners=EVERY_USER),
    Row("DELETE", "/v1/keys/{key_id}", 200, _revoke_key, owners=EVERY_USER),
    Row(
        "GET",
        "/v1/learners/{learner_id}/consents",
        200,
        _learner_call("GET", "/consents"),
        owners=frozenset({"learner"}),
    ),
    Row(
        "POST",
        "/v1/learners/{learner_id}/consents",
        201,
        _consent_create,
        owners=frozenset({"learner"}),
    ),
    Row("DELETE", "/v1/consents/{consent_id}", 200, _consent_revoke, owners=frozenset({"learner"})),
    Row("GET", "/v1/audit", 200, _same(Call("GET", "/v1/audit", params={"limit": 5}))),
    # the public skills graph, catalogue, equivalence, crosswalk, verification
    Row("GET", "/healthz", 200, _same(Call("GET", "/healthz")), public=True),
    Row("GET", "/readyz", 200, _same(Call("GET", "/readyz")), public=True),
    Row(
        "GET",
        "/v1/skills/search",
        200,
        _same(Call("GET", "/v1/skills/search", params={"q": "python"})),
        public=True,
    ),
    Row(
        "GET",
        "/v1/occupations/search",
        200,
        _same(Call("GET", "/v1/occupations/search", params={"q": "welder"})),
        public=True,
    ),
    Row(
        "POST",
        "/v1/match",
        200,
        _same(Call("POST", "/v1/match", json={"texts": ["write Python programs"]})),
        public=True,
    ),
    Row(
        "GET", "/v1/concepts/{uri}", 200, _same(Call("GET", f"/v1/concepts/{PYTHON}")), public=True
    ),
    Row(
        "GET",
        "/v1/occupations/{uri}/transitions",
        200,
        _same(Call("GET", f"/v1/occupations/{OCCUPATION}/transitions")),
        public=True,
    ),
    Row("GET", "/v1/issuers", 200, _same(Call("GET", "/v1/issuers")), public=True),
    Row(
        "GET",
        "/v1/issuers/{issuer_id}",
        200,
        _same(Call("GET", f"/v1/issuers/{OWN_ISSUER}")),
        public=True,
    ),
    Row("GET", "/v1/credentials", 200, _same(Call("GET", "/v1/credentials")), public=True),
    Row(
        "GET",
        "/v1/credentials/{credential_id}",
        200,
        _same(Call("GET", f"/v1/credentials/{OWN_COURSE}")),
        public=True,
    ),
    Row(
        "GET",
        "/v1/credentials/{credential_id}/export",
        200,
        _same(Call("GET", f"/v1/credentials/{OWN_COURSE}/export", params={"format": "ob3"})),
        public=True,
    ),
    Row(
        "POST",
        "/v1/equivalence",
        200,
        _same(Call("POST", "/v1/equivalence", json={"a": OWN_COURSE, "b": OTHER_COURSE})),
        public=True,
    ),
    Row(
        "GET",
        "/v1/credentials/{credential_id}/equivalents",
        200,
        _same(
            Call("GET", f"/v1/credentials/{OWN_COURSE}/equivalents", params={"jurisdiction": "US"})
        ),
        public=True,
    ),
    Row(
        "GET",
        "/v1/compare",
        200,
        _same(Call("GET", "/v1/compare", params={"ids": f"{OWN_COURSE},{OTHER_COURSE}"})),
        public=True,
    ),
    Row("GET", "/v1/recognitions", 200, _same(Call("GET", "/v1/recognitions")), public=True),
    Row(
        "GET",
        "/v1/recognitions/{decision_id}",
        200,
        lambda w: _same(Call("GET", f"/v1/recognitions/{w.decision}"))(w),
        public=True,
    ),
    Row(
        "GET",
        "/v1/recognitions/{decision_id}/ctdl",
        200,
        lambda w: _same(Call("GET", f"/v1/recognitions/{w.decision}/ctdl"))(w),
        public=True,
    ),
    Row(
        "GET",
        "/v1/crosswalk",
        200,
        _same(Call("GET", "/v1/crosswalk", params={"from": "onet", "to": "esco", "top": 2})),
        public=True,
    ),
    Row("POST", "/v1/proofs/verify", 200, _verify, public=True),
    Row(
        "GET",
        "/v1/status-lists/{number}",
        200,
        _same(Call("GET", "/v1/status-lists/1")),
        public=True,
    ),
    Row(
        "GET",
        "/.well-known/did.json",
        200,
        _same(Call("GET", "/.well-known/did.json")),
        public=True,
    ),
    # issuers' catalogue: their staff
    Row("POST", "/v1/issuers", 201, _issuer_create, owners=frozenset({"issuer"})),
    Row("PUT", "/v1/issuers/{issuer_id}", 200, _issuer_put, owners=frozenset({"issuer"})),
    Row("POST", "/v1/credentials", 201, _credential_create, owners=frozenset({"issuer"})),
    Row(
        "PUT", "/v1/credentials/{credential_id}", 200, _credential_put, owners=frozenset({"issuer"})
    ),
    Row(
        "DELETE",
        "/v1/credentials/{credential_id}",
        204,
        _credential_delete,
        owners=frozenset({"issuer"}),
    ),
    Row(
        "POST",
        "/v1/credentials/{credential_id}/mapping",
        200,
        _mapping,
        owners=frozenset({"issuer"}),
    ),
    Row(
        "POST",
        "/v1/credentials/{credential_id}/decisions",
        200,
        _decision,
        owners=frozenset({"issuer"}),
    ),
    Row("POST", "/v1/assessment-panels", 201, _panel_create, owners=frozenset({"issuer"})),
    Row(
        "GET",
        "/v1/assessment-panels",
        200,
        _same(Call("GET", "/v1/assessment-panels", params={"credential": OWN_COURSE})),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    # advisors: their authority's decisions
    Row("POST", "/v1/recognitions", 201, _recognition, owners=frozenset({"advisor"})),
    # learners: their own record, by consent their mentor
    Row("POST", "/v1/learners", 201, _create_learner, owners=frozenset({"learner"})),
    Row(
        "GET",
        "/v1/learners/{learner_id}",
        200,
        _learner_call("GET"),
        owners=LEARNER_READERS,
    ),
    Row(
        "PUT",
        "/v1/learners/{learner_id}",
        200,
        _learner_call("PUT", json="LEARNER"),
        owners=frozenset({"learner"}),
    ),
    Row(
        "DELETE",
        "/v1/learners/{learner_id}",
        200,
        _learner_call("DELETE"),
        owners=frozenset({"learner"}),
    ),
    Row(
        "GET",
        "/v1/learners/{learner_id}/data",
        200,
        _learner_call("GET", "/data"),
        owners=frozenset({"learner"}),
    ),
    Row(
        "GET",
        "/v1/learners/{learner_id}/gaps",
        200,
        _learner_call("GET", "/gaps", params={"target": f"occupation:{OCCUPATION}"}),
        owners=LEARNER_READERS,
    ),
    # career overview (issue 18): the learner, an administrator, a mentor by consent (overview)
    Row(
        "GET",
        "/v1/learners/{learner_id}/overview",
        200,
        _learner_call("GET", "/overview"),
        owners=LEARNER_READERS,
    ),
    Row(
        "POST",
        "/v1/learners/{learner_id}/assessments",
        200,
        _learner_call(
            "POST",
            "/assessments",
            json={"results": [{"skill": PYTHON, "level": 4, "score": 0.8, "date": "2026-11-02"}]},
        ),
        # Results of an assessment system: any assessor records them, as themselves.
        owners=frozenset({"assessor"}),
        others=frozenset({"assessor"}),
    ),
    Row("POST", "/v1/pathways", 200, _pathway, owners=LEARNER_READERS),
    # submissions, assessments and proofs
    Row("POST", "/v1/submissions", 201, _submission_create, owners=frozenset({"learner"})),
    Row("GET", "/v1/submissions", 200, _submissions_list, owners=LEARNER_READERS),
    Row(
        "GET",
        "/v1/submissions/{submission_id}",
        200,
        _submission_read,
        owners=frozenset({"learner", "mentor", "assessor", "issuer"}),
    ),
    Row(
        "POST",
        "/v1/submissions/{submission_id}/assessments",
        201,
        _assessment,
        owners=frozenset({"assessor"}),
        admin=False,
    ),
    Row("POST", "/v1/proofs", 201, _issue, owners=frozenset({"learner", "issuer"})),
    # onboarding tests: the bank's authors, the learner taking the test, assessors rating
    Row("POST", "/v1/onboarding/items", 201, _item_create, owners=AUTHORS, others=AUTHORS),
    Row(
        "GET",
        "/v1/onboarding/items",
        200,
        _same(Call("GET", "/v1/onboarding/items")),
        owners=AUTHORS,
        others=AUTHORS,
    ),
    Row("PUT", "/v1/onboarding/items/{item_id}", 200, _item_put, owners=AUTHORS, others=AUTHORS),
    Row("POST", "/v1/onboarding/attempts", 201, _attempt_create, owners=frozenset({"learner"})),
    Row("GET", "/v1/onboarding/attempts", 200, _attempts_list, owners=LEARNER_READERS),
    Row(
        "GET",
        "/v1/onboarding/attempts/{attempt_id}",
        200,
        _attempt_read,
        owners=LEARNER_READERS,
    ),
    Row(
        "POST",
        "/v1/onboarding/attempts/{attempt_id}/answers",
        200,
        _attempt_answer,
        owners=frozenset({"learner"}),
    ),
    Row(
        "POST",
        "/v1/onboarding/attempts/{attempt_id}/ratings",
        200,
        _rating,
        owners=frozenset({"assessor"}),
        others=frozenset({"assessor"}),
    ),
    Row("GET", "/v1/proofs/{proof_id}", 200, _proof_call("GET"), owners=PROOF_READERS),
    Row(
        "GET",
        "/v1/proofs/{proof_id}/credential",
        200,
        _proof_call("GET", "/credential"),
        owners=PROOF_READERS,
    ),
    Row("GET", "/v1/proofs/{proof_id}/elm", 200, _proof_call("GET", "/elm"), owners=PROOF_READERS),
    Row(
        "POST",
        "/v1/proofs/{proof_id}/revoke",
        200,
        _proof_call("POST", "/revoke"),
        owners=frozenset({"issuer"}),
    ),
    # the Assembly: public reads, any user posts, authors edit, askers accept
    Row(
        "POST",
        "/v1/questions",
        201,
        _same(
            Call(
                "POST",
                "/v1/questions",
                json={"title": "Fit?", "body": "Does it fit?", "about": [OWN_COURSE, "IE"]},
            )
        ),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row(
        "GET",
        "/v1/questions",
        200,
        _same(Call("GET", "/v1/questions", params={"about": OWN_COURSE})),
        public=True,
    ),
    Row(
        "GET",
        "/v1/questions/{question_id}",
        200,
        _post_call("GET", "/v1/questions/{q}"),
        public=True,
    ),
    # the Assembly's similar-question suggestion and search (w-asearch): public reads
    Row(
        "POST",
        "/v1/questions/similar",
        200,
        _same(Call("POST", "/v1/questions/similar", json={"title": "Does this course fit?"})),
        public=True,
    ),
    Row(
        "GET",
        "/v1/questions/search",
        200,
        _same(Call("GET", "/v1/questions/search", params={"q": "course fit"})),
        public=True,
    ),
    Row(
        "PUT",
        "/v1/questions/{question_id}",
        200,
        _own_post_call("PUT", "/v1/questions/{id}", "question", json={"body": "Edited."}),
        owners=EVERY_USER,
    ),
    Row(
        "POST",
        "/v1/questions/{question_id}/answers",
        201,
        _post_call("POST", "/v1/questions/{q}/answers", json={"body": "Yes."}),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row(
        "PUT",
        "/v1/answers/{answer_id}",
        200,
        _own_post_call("PUT", "/v1/answers/{id}", "answer", json={"body": "Edited."}),
        owners=EVERY_USER,
    ),
    Row(
        "PUT",
        "/v1/answers/{answer_id}/vote",
        200,
        _post_call("PUT", "/v1/answers/{a}/vote", json={"value": 1}),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row(
        "POST",
        "/v1/answers/{answer_id}/accept",
        200,
        _own_post_call("POST", "/v1/answers/{id}/accept", "answer-to-own"),
        owners=EVERY_USER,
    ),
    Row(
        "POST",
        "/v1/answers/{answer_id}/verify",
        200,
        _post_call("POST", "/v1/answers/{a}/verify", json={"note": "Right."}),
        owners=frozenset({"advisor", "mentor"}),
        others=frozenset({"advisor", "mentor"}),
    ),
    Row(
        "POST",
        "/v1/posts/{post_id}/reports",
        200,
        _fresh_post_call("POST", "/v1/posts/{id}/reports", json={"reason": "spam"}),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row(
        "POST",
        "/v1/answers/{answer_id}/decision",
        201,
        _decision_from_answer,
        owners=frozenset({"advisor"}),
    ),
    Row(
        "PUT",
        "/v1/posts/{post_id}/hidden",
        200,
        _fresh_post_call("PUT", "/v1/posts/{id}/hidden", json={"hidden": True, "reason": "spam"}),
    ),
    *CONSULTATION_ROWS,
]


# --- groups: a group per fresh learner, its leader, the cohort's mentor linked to the learner -


def _cohort_of(world: World, learner: str) -> str:
    """The group of a fresh learner (``cohort-<n>``), made with the cohort's mentor linked."""
    slug = f"cohort-{learner.rpartition('/')[2]}"
    mentor = str(world.user("mentor", f"{world.base}/group/cohort").name)
    spec = GroupSpec(name=slug, mentors=[mentor], learners=[learner], links=[(mentor, learner)])
    return create_group(world.store, actor=ADMIN, slug=slug, spec=spec, base_iri=world.base).id


def _group_call(
    method: str, suffix: str = "", body: Callable[[str], Any] | None = None
) -> Callable[[World], Target]:
    """A call on a fresh learner's group (``body`` made from the learner's IRI)."""

    def make(world: World) -> Target:
        learner = world.learner()
        group = f"cohort-{learner.rpartition('/')[2]}"
        path = f"/v1/groups/{group}{suffix}"
        json = None if body is None else body(learner)
        owners = Owners(learner=learner, group=f"{world.base}/group/{group}")
        return Target(owners, lambda who, own: Call(method, path, json=json))

    return make


def _group_create(world: World) -> Target:
    slug = f"made-{next(world.counter)}"
    body = {"id": slug, "name": "A new cohort", "kind": "cohort"}
    owners = Owners(group=f"{world.base}/group/{slug}")
    return Target(owners, lambda who, own: Call("POST", "/v1/groups", json=body))


def _recommendation_read(world: World) -> Target:
    learner = world.learner()
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("GET", "/v1/recommendations", params={"learner": learner}),
    )


def _recommendation_decide(world: World) -> Target:
    learner = world.learner()
    made = recommend(
        world.store,
        actor=ADMIN,
        group=f"{world.base}/group/cohort-{learner.rpartition('/')[2]}",
        learner=learner,
        kind="target",
        target=f"credential:{OWN_COURSE}",
        reason="The cohort's course.",
        base_iri=world.base,
    )
    path = f"/v1/recommendations/{made.id.rpartition('/')[2]}/decision"
    return Target(
        Owners(learner=learner), lambda who, own: Call("POST", path, json={"accept": True})
    )


GROUP_STAFF = frozenset({"group_leader", "mentor"})
GROUP_ROWS: list[Row] = [
    Row("POST", "/v1/groups", 201, _group_create, owners=frozenset({"group_leader"})),
    Row(
        "GET",
        "/v1/groups",
        200,
        _same(Call("GET", "/v1/groups")),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row("GET", "/v1/groups/{group_id}", 200, _group_call("GET"), owners=GROUP_STAFF),
    Row(
        "PUT",
        "/v1/groups/{group_id}",
        200,
        _group_call("PUT", body=lambda learner: {"name": "Renamed", "learners": [learner]}),
        owners=frozenset({"group_leader"}),
    ),
    Row(
        "PUT",
        "/v1/groups/{group_id}/sharing",
        200,
        _group_call(
            "PUT", "/sharing", body=lambda learner: {"learner": learner, "shares_progress": True}
        ),
        owners=frozenset({"learner"}),
    ),
    Row(
        "GET",
        "/v1/groups/{group_id}/progress",
        200,
        _group_call("GET", "/progress"),
        owners=GROUP_STAFF,
    ),
    Row(
        "POST",
        "/v1/groups/{group_id}/recommendations",
        201,
        _group_call(
            "POST",
            "/recommendations",
            body=lambda learner: {
                "learner": learner,
                "kind": "target",
                "target": f"credential:{OWN_COURSE}",
                "reason": "The cohort works towards it.",
            },
        ),
        owners=frozenset({"mentor"}),
    ),
    Row(
        "GET",
        "/v1/recommendations",
        200,
        _recommendation_read,
        owners=frozenset({"learner", "mentor"}),
    ),
    Row(
        "POST",
        "/v1/recommendations/{rec_id}/decision",
        200,
        _recommendation_decide,
        owners=frozenset({"learner"}),
    ),
]
ROWS += GROUP_ROWS


# --- Certificates of Impact (issue 18): the claimant, the endorsers they ask, their readers ---

IMPACT_READERS = frozenset({"learner", "mentor"})
IMPACT_ENDORSER = "https://endorsers.example/impact"


def _impact_claim(world: World, learner: str, endorsers: list[str]) -> str:
    """A new claim by ``learner`` asking ``endorsers`` (login names); its short id."""
    claimant = world.actor(world.user("learner", learner))
    draft = ImpactDraft(
        title="Sped up the month-end report",
        beneficiary="Finance team",
        outcome="Closes two days earlier",
        start="2025-01-06",
        skills=(PYTHON,),
        endorsers=tuple(endorsers),
    )
    claim = create_claim(world.store, draft, actor=claimant, base_iri=world.base)
    return claim.id.rpartition("/")[2]


def _impact_endorser(world: World) -> Who:
    return world.user("assessor", IMPACT_ENDORSER)


def _impact_endorsed(world: World, learner: str) -> str:
    """A new claim of ``learner``, endorsed by the one party it asked; its short id."""
    endorser = _impact_endorser(world)
    short = _impact_claim(world, learner, [str(endorser.name)])
    endorse_claim(
        world.store,
        short,
        actor=world.actor(endorser),
        relation="employer",
        statement="Confirmed.",
        base_iri=world.base,
    )
    return short


def _impact_issued(world: World, learner: str) -> str:
    """A new claim of ``learner``, endorsed and issued; its short id."""
    short = _impact_endorsed(world, learner)
    runtime: Runtime = world.client.app.state.runtime  # type: ignore[attr-defined]
    issue_certificate(world.store, short, actor=ADMIN, issuer=runtime.proof_issuer)
    return short


def _impact_create(world: World) -> Target:
    endorser = str(_impact_endorser(world).name)
    body = {
        "title": "Ran a coding club",
        "beneficiary": "Local school",
        "outcome": "Twelve pupils wrote their first program",
        "start": "2024-09-01",
        "skills": [PYTHON],
        "endorsers": [endorser],
    }
    return Target(Owners(), lambda who, own: Call("POST", "/v1/impact", json=body))


def _impact_list(world: World) -> Target:
    learner = world.once("impact-learner", world.learner)
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("GET", "/v1/impact", params={"claimant": learner}),
    )


def _impact_read(suffix: str = "") -> Callable[[World], Target]:
    def make(world: World) -> Target:
        learner = world.once("impact-learner", world.learner)
        short = world.once("impact-issued", lambda: _impact_issued(world, learner))
        return Target(
            Owners(learner=learner), lambda who, own: Call("GET", f"/v1/impact/{short}{suffix}")
        )

    return make


def _impact_endorse(world: World) -> Target:
    learner = world.once("impact-learner", world.learner)
    body = {"relation": "client", "statement": "It works."}

    def call(who: Who, own: bool) -> Call:
        # Own: the claim asks the acting user (the claimant may not be asked); other: someone
        # else is asked.
        asked = who.name if own and who.name and who.role != "learner" else None
        short = _impact_claim(world, learner, [asked or str(_impact_endorser(world).name)])
        return Call("POST", f"/v1/impact/{short}/endorsements", json=body)

    return Target(Owners(learner=learner), call)


def _impact_endorse_expected(role: str, own: bool) -> int:
    if role == "anonymous":
        return 401
    # Only an endorser the claim asked, never its claimant, not even an administrator.
    return 201 if own and role != "learner" else 403


def _impact_change(action: str) -> Callable[[World], Target]:
    def make(world: World) -> Target:
        learner = world.once("impact-learner", world.learner)

        def call(who: Who, own: bool) -> Call:
            made = _impact_endorsed if action == "issue" else _impact_issued
            short = made(world, learner)
            return Call("POST", f"/v1/impact/{short}/{action}")

        return Target(Owners(learner=learner), call)

    return make


def _portfolio(world: World) -> Target:
    learner = world.once("impact-learner", world.learner)
    world.once("impact-issued", lambda: _impact_issued(world, learner))
    return Target(
        Owners(learner=learner),
        lambda who, own: Call("GET", "/v1/portfolio", params={"member": learner}),
    )


ROWS += [
    Row("POST", "/v1/impact", 201, _impact_create, owners=EVERY_USER, others=EVERY_USER),
    Row("GET", "/v1/impact", 200, _impact_list, owners=IMPACT_READERS),
    Row(
        "GET",
        "/v1/impact/to-endorse",
        200,
        _same(Call("GET", "/v1/impact/to-endorse")),
        owners=EVERY_USER,
        others=EVERY_USER,
    ),
    Row("GET", "/v1/impact/{claim_id}", 200, _impact_read(), owners=IMPACT_READERS),
    Row(
        "GET",
        "/v1/impact/{claim_id}/credential",
        200,
        _impact_read("/credential"),
        owners=IMPACT_READERS,
    ),
    Row(
        "POST",
        "/v1/impact/{claim_id}/endorsements",
        201,
        _impact_endorse,
        expect=_impact_endorse_expected,
    ),
    Row(
        "POST",
        "/v1/impact/{claim_id}/issue",
        200,
        _impact_change("issue"),
        owners=frozenset({"learner"}),
    ),
    Row(
        "POST",
        "/v1/impact/{claim_id}/revoke",
        200,
        _impact_change("revoke"),
        owners=frozenset({"learner"}),
    ),
    Row("GET", "/v1/portfolio", 200, _portfolio, owners=frozenset({"learner"})),
]


# --- the world, on each backend ------------------------------------------------------------

BACKENDS = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def _seed(store: GraphStore, settings: Any, reference: Any) -> None:
    load_demo(store, HashingEmbedder(), settings.ontologies_dir, reference=reference)
    onet = read_onet([SHARED / "onet"])
    wanted = {u: c for u, c in onet.occupations.items() if c.code in {"51-4121.06", "15-1132.00"}}
    import_concepts(
        store, onet_import(type(onet)(wanted, onet.rows, onet.files, ())), embedder=None
    )
    declare_panel(
        store,
        actor=ADMIN,
        credential=OWN_COURSE,
        assessors=[Assessor(SEAT, "Aoife Byrne", "institution", AssessmentKind.RESULTS)],
        rule=IssuingRule(),
        base_iri=settings.base_iri,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("authorisation")
    settings = load_settings(
        store=f"sqlite:///{folder / 'store.db'}",
        load_demo=False,
        key_dir=folder / "keys",
        context_cache=folder / "contexts",
        embedding_cache=folder / "embeddings.db",
        did_web_domain="credwalk.example",
    )
    reference = load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)
    with _store(request, folder) as store:
        _seed(store, settings, reference)
        runtime = Runtime(settings, store, HashingEmbedder(), reference)
        with TestClient(create_app(runtime=runtime)) as client:
            the_world = World(store=store, client=client, base=settings.base_iri)
            credentials = [c["id"] for c in client.get("/v1/credentials").json()["data"]]
            the_world.pairs = iter(itertools.permutations(credentials, 2))
            admin = the_world.user("admin")
            decision = client.post(
                "/v1/recognitions",
                json={
                    "authority": AUTHORITY,
                    "credential": OTHER_COURSE,
                    "target": OWN_COURSE,
                    "outcome": "full",
                    "to_jurisdiction": "IE",
                },
                headers=admin.headers,
            ).json()
            the_world.decision = decision["id"]
            the_world.proof()  # allocates status list 1
            yield the_world


def _store(request: pytest.FixtureRequest, folder: Path) -> Any:
    if request.param == "embedded":
        return create_store(f"sqlite:///{folder / 'store.db'}")
    return neo4j_namespace(request, "authz")


# --- the tests -----------------------------------------------------------------------------


def test_every_operation_has_a_row(world: World) -> None:
    paths = world.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    operations = {(m.upper(), p) for p, item in paths.items() for m in item}
    rows = {(r.method, r.path) for r in ROWS}
    assert operations - rows == set(), "operations without a row in ROWS"
    assert rows - operations == set(), "rows of operations the app does not have"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.path}" for r in ROWS])
def test_who_may_call_it(world: World, row: Row) -> None:
    wrong: list[str] = []
    for role, own in itertools.product(ROLES, (True, False)):
        target = row.make(world)
        who = world.who(role, own, target.owners)
        call = target.call(who, own)
        response = world.client.request(
            call.method, call.path, json=call.json, params=call.params, headers=who.headers
        )
        world.client.cookies.clear()
        expected = row.expected(role, own)
        case = f"{role:<9} {'own' if own else 'other':<5}"
        if response.status_code != expected:
            wrong.append(f"{case} {response.status_code} != {expected}: {response.text[:200]}")
        elif expected in {401, 403}:
            code = response.json()["error"]["code"]
            if code != ("unauthenticated" if expected == 401 else "forbidden"):
                wrong.append(f"{case} {expected} with error code {code}")
    assert not wrong, "\n" + "\n".join(wrong)


def test_a_withdrawn_consent_stops_the_groups_mentor_on_the_next_request(world: World) -> None:
    """Groups: the linked mentor reads by consent; revoked, the next request is refused."""
    learner = world.learner()
    mentor = world.who("mentor", True, Owners(learner=learner))
    path = f"/v1/learners/{_q(learner)}"
    assert world.client.get(path, headers=mentor.headers).status_code == 200
    (consent,) = consents_of(world.store, learner, actor=ADMIN)
    revoke_consent(world.store, consent.id, actor=ADMIN)
    refused = world.client.get(path, headers=mentor.headers)
    assert refused.status_code == 403 and set(refused.json()) == {"error"}
    progress = world.client.get(f"/v1/groups/cohort-{learner.rpartition('/')[2]}/progress")
    assert progress.status_code == 401
