"""Groups on both backends: leaders, mentors by consent and link, recommendations, progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from graph.errors import ForbiddenError, InvalidInputError, UnauthenticatedError
from graph.jsonld import PinnedDocumentLoader
from graph.model.accounts import ANONYMOUS, Actor, ConsentScope, Grant, Role
from graph.model.concepts import NodeKind
from graph.model.groups import RecommendationStatus
from graph.model.learners import Learner
from graph.model.submissions import Assessor, Evidence, EvidenceKind, IssuingRule, SkillResult
from graph.proofs.issuer import ProofIssuer
from graph.proofs.keys import KeyStore
from graph.reference import ReferenceData
from graph.services.accounts import (
    actor_for_user,
    create_user,
    get_user,
    grant_consent,
    revoke_consent,
    user_iri,
)
from graph.services.catalogue.credentials import get_credential
from graph.services.groups.groups import (
    GroupSpec,
    create_group,
    get_group,
    my_groups,
    replace_group,
    set_sharing,
)
from graph.services.groups.progress import group_progress
from graph.services.groups.recommendations import (
    decide_recommendation,
    learner_target,
    list_recommendations,
    recommend,
)
from graph.services.pathways.learners import create_learner, get_learner
from graph.services.proofs.issuing import issue_proof, list_proofs
from graph.services.proofs.submissions import declare_panel, record_assessment, submit
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import BASE_IRI, load_demo_catalogue

COURSE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
SQL_COURSE = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
SEAT = "https://www.liffey-tu.example/assessors/aoife-byrne"
GROUP = f"{BASE_IRI}/group/cohort"
OTHER_GROUP = f"{BASE_IRI}/group/other"
LEARNERS = [f"{BASE_IRI}/learner/l{i}" for i in range(5)]


class World:
    """Users (as stored accounts) and learners of a group with two mentors and five learners."""

    def __init__(self, store: GraphStore, reference: ReferenceData) -> None:
        self.store, self.reference = store, reference
        self.leader = self.user("leader", Grant(Role.GROUP_LEADER, GROUP))
        self.other_leader = self.user("other-leader", Grant(Role.GROUP_LEADER, OTHER_GROUP))
        self.mentors = [self.user(f"mentor{i}", Grant(Role.MENTOR, GROUP)) for i in range(2)]
        self.stranger = self.user("stranger", Grant(Role.MENTOR, OTHER_GROUP))
        for iri in LEARNERS:
            create_learner(
                store, Learner(id=iri, jurisdiction="IE"), actor=ADMIN, reference=reference
            )

    def user(self, name: str, grant: Grant) -> Actor:
        create_user(
            self.store, actor=ADMIN, name=name, password=None, grants=[grant], base_iri=BASE_IRI
        )
        return actor_for_user(get_user(self.store, name, actor=ADMIN, base_iri=BASE_IRI))

    def learner(self, i: int) -> Actor:
        return Actor(
            user=f"urn:test:user:l{i}", name=f"l{i}", grants=(Grant(Role.LEARNER, LEARNERS[i]),)
        )

    def spec(self, **kw: object) -> GroupSpec:
        fields: dict[str, object] = {
            "name": "Dublin data cohort",
            "kind": "cohort",
            "mentors": ["mentor0", "mentor1"],
            "learners": LEARNERS,
            "links": [("mentor0", LEARNERS[i]) for i in (0, 1, 2)]
            + [("mentor1", LEARNERS[i]) for i in (3, 4)],
            "targets": [f"credential:{COURSE}"],
        }
        return GroupSpec(**{**fields, **kw})  # type: ignore[arg-type]

    def consent(self, i: int, mentor: Actor, scopes: list[ConsentScope] | None = None) -> str:
        return grant_consent(
            self.store,
            actor=self.learner(i),
            learner=LEARNERS[i],
            grantee=str(mentor.user),
            scopes=scopes or list(ConsentScope),
            base_iri=BASE_IRI,
        ).id


@pytest.fixture
def world(store: GraphStore) -> World:
    return World(store, load_demo_catalogue(store).reference)


@pytest.fixture
def group(world: World) -> str:
    return create_group(
        world.store, actor=world.leader, slug="cohort", spec=world.spec(), base_iri=BASE_IRI
    ).id


def test_only_the_leader_creates_and_changes_the_group(world: World) -> None:
    for actor, error in (
        (ANONYMOUS, UnauthenticatedError),
        (world.other_leader, ForbiddenError),
        (world.mentors[0], ForbiddenError),
    ):
        with pytest.raises(error):
            create_group(
                world.store, actor=actor, slug="cohort", spec=world.spec(), base_iri=BASE_IRI
            )
    made = create_group(
        world.store, actor=world.leader, slug="cohort", spec=world.spec(), base_iri=BASE_IRI
    )
    assert made.id == GROUP and made.mentors_of(LEARNERS[0]) == {
        user_iri("mentor0", base_iri=BASE_IRI)
    }
    assert get_group(world.store, GROUP, actor=world.mentors[1]) == made
    with pytest.raises(ForbiddenError):
        get_group(world.store, GROUP, actor=world.stranger)
    (seen,) = my_groups(world.store, actor=world.learner(2))  # only themself in it
    assert seen.id == GROUP and seen.learners == (LEARNERS[2],)
    assert [k.learner for k in seen.links] == [LEARNERS[2]]
    assert my_groups(world.store, actor=world.stranger) == []
    with pytest.raises(ForbiddenError):
        replace_group(
            world.store,
            GROUP,
            actor=world.other_leader,
            spec=world.spec(name="Mine"),
            base_iri=BASE_IRI,
        )
    changed = replace_group(
        world.store, GROUP, actor=world.leader, spec=world.spec(name="Renamed"), base_iri=BASE_IRI
    )
    assert get_group(world.store, GROUP, actor=ADMIN).name == changed.name == "Renamed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "club"}, "kind"),
        ({"mentors": ["mentor0", "nobody"]}, "mentors[1]"),
        ({"learners": [*LEARNERS, f"{BASE_IRI}/learner/ghost"]}, "learners[5]"),
        ({"learners": [LEARNERS[0], LEARNERS[0]], "links": []}, "learners[1]"),
        ({"links": [("mentor0", f"{BASE_IRI}/learner/ghost")]}, "links[0].learner"),
        ({"links": [("leader", LEARNERS[0])]}, "links[0].mentor"),
        ({"targets": ["credential:https://nowhere.example/c"]}, "targets[0]"),
        ({"targets": ["planet:mars"]}, "targets[0]"),
    ],
)
def test_bad_group_input_names_the_field_and_writes_nothing(
    world: World, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        create_group(
            world.store,
            actor=world.leader,
            slug="cohort",
            spec=world.spec(**change),
            base_iri=BASE_IRI,
        )
    assert info.value.details["field"] == field
    assert world.store.list_records(kind=NodeKind.GROUP) == []


def test_a_mentor_reads_by_consent_and_link_and_a_withdrawn_consent_counts_at_once(
    world: World, group: str
) -> None:
    mentor0, mentor1 = world.mentors
    consent = world.consent(0, mentor0, [ConsentScope.COMPETENCES])
    assert get_learner(world.store, LEARNERS[0], actor=mentor0).id == LEARNERS[0]
    with pytest.raises(ForbiddenError):  # the consent does not open pathways
        get_learner(world.store, LEARNERS[0], actor=mentor0, scope=ConsentScope.PATHWAYS)
    world.consent(0, mentor1)  # a consent, but the group links mentor1 to others
    with pytest.raises(ForbiddenError):
        get_learner(world.store, LEARNERS[0], actor=mentor1)
    world.consent(0, world.stranger)  # a mentor of another group
    with pytest.raises(ForbiddenError):
        get_learner(world.store, LEARNERS[0], actor=world.stranger)
    with pytest.raises(ForbiddenError):  # linked, but learner 1 gave no consent
        get_learner(world.store, LEARNERS[1], actor=mentor0)
    revoke_consent(world.store, consent, actor=world.learner(0))
    with pytest.raises(ForbiddenError):
        get_learner(world.store, LEARNERS[0], actor=mentor0)
    world.consent(0, mentor0)
    unlinked = world.spec(links=[("mentor1", LEARNERS[3])])
    replace_group(world.store, group, actor=world.leader, spec=unlinked, base_iri=BASE_IRI)
    with pytest.raises(ForbiddenError):
        get_learner(world.store, LEARNERS[0], actor=mentor0)


def test_a_recommended_target_accepted_becomes_the_learners_target(
    world: World, group: str
) -> None:
    mentor0, mentor1 = world.mentors
    for actor in (mentor1, world.stranger, world.leader, world.learner(0)):
        with pytest.raises(ForbiddenError):
            recommend(
                world.store,
                actor=actor,
                group=group,
                learner=LEARNERS[0],
                kind="target",
                target=f"credential:{COURSE}",
                reason="r",
                base_iri=BASE_IRI,
            )
    rec = recommend(
        world.store,
        actor=mentor0,
        group=group,
        learner=LEARNERS[0],
        kind="target",
        target=f"credential:{COURSE}",
        reason="It is what the cohort works towards.",
        base_iri=BASE_IRI,
    )
    step = recommend(
        world.store,
        actor=mentor0,
        group=group,
        learner=LEARNERS[0],
        kind="step",
        step=SQL_COURSE,
        before=COURSE,
        note="Take SQL before the Python course.",
        reason="Order.",
        base_iri=BASE_IRI,
    )
    assert rec.mentor == mentor0.user and rec.status is RecommendationStatus.OPEN
    assert {
        r.id for r in list_recommendations(world.store, actor=world.learner(0), learner=LEARNERS[0])
    } == {rec.id, step.id}
    with pytest.raises(ForbiddenError):
        list_recommendations(world.store, actor=mentor1, learner=LEARNERS[0])
    with pytest.raises(ForbiddenError):
        decide_recommendation(world.store, rec.id, actor=mentor0, accept=True)
    with pytest.raises(ForbiddenError):
        decide_recommendation(world.store, rec.id, actor=world.learner(1), accept=True)
    assert learner_target(world.store, actor=world.learner(0), learner=LEARNERS[0]) is None
    decided = decide_recommendation(world.store, rec.id, actor=world.learner(0), accept=True)
    assert decided.status is RecommendationStatus.ACCEPTED
    chosen = learner_target(world.store, actor=world.learner(0), learner=LEARNERS[0])
    assert chosen is not None and chosen.target == f"credential:{COURSE}"
    decide_recommendation(world.store, step.id, actor=world.learner(0), accept=False)
    pathway = recommend(
        world.store,
        actor=mentor0,
        group=group,
        learner=LEARNERS[0],
        kind="pathway",
        target=f"occupation:{DATA_ANALYST}",
        steps=[SQL_COURSE, COURSE],
        reason="SQL, then Python: the analyst's path.",
        base_iri=BASE_IRI,
    )
    decide_recommendation(world.store, pathway.id, actor=world.learner(0), accept=True)
    chosen = learner_target(world.store, actor=world.learner(0), learner=LEARNERS[0])
    assert chosen is not None and chosen.id == pathway.id and chosen.steps == (SQL_COURSE, COURSE)
    mine = list_recommendations(world.store, actor=mentor0, learner=LEARNERS[0])
    assert {r.status for r in mine} == {
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.DECLINED,
    }


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "vibe"}, "kind"),
        ({"kind": "target", "reason": " "}, "reason"),
        ({"kind": "target", "target": "credential:https://nowhere.example/c"}, "target"),
        (
            {
                "kind": "pathway",
                "target": f"credential:{COURSE}",
                "steps": ["https://nowhere.example/c"],
            },
            "steps[0]",
        ),
        ({"kind": "step", "step": COURSE, "note": None}, "note"),
        ({"kind": "step", "step": COURSE, "before": COURSE, "note": "x"}, "before"),
    ],
)
def test_bad_recommendation_names_the_field_and_writes_nothing(
    world: World, group: str, kw: dict[str, object], field: str
) -> None:
    fields: dict[str, Any] = {"reason": "Because.", **kw}
    with pytest.raises(InvalidInputError) as info:
        recommend(
            world.store,
            actor=world.mentors[0],
            group=group,
            learner=LEARNERS[0],
            base_iri=BASE_IRI,
            **fields,
        )
    assert info.value.details["field"] == field
    assert world.store.list_records(kind=NodeKind.RECOMMENDATION) == []
    ghost: dict[str, Any] = {
        "group": group,
        "learner": f"{BASE_IRI}/learner/ghost",
        "kind": "target",
        "target": f"credential:{COURSE}",
        "reason": "r",
        "base_iri": BASE_IRI,
    }
    with pytest.raises(InvalidInputError) as outside:  # the group's mentor is told which field
        recommend(world.store, actor=world.mentors[0], **ghost)
    assert outside.value.details["field"] == "learner"
    with pytest.raises(ForbiddenError):  # a stranger learns nothing of who is in the group
        recommend(world.store, actor=world.stranger, **ghost)


def _proof(world: World, learner: int, tmp_path: Path, loader: PinnedDocumentLoader) -> None:
    store = world.store
    if not store.list_records(
        kind=NodeKind.SUBMISSION, where={"record": "panel", "credential": COURSE}
    ):
        declare_panel(
            store,
            actor=ADMIN,
            credential=COURSE,
            assessors=[Assessor(SEAT, "Aoife Byrne", "institution")],
            rule=IssuingRule(),
            base_iri=BASE_IRI,
        )
    view = submit(
        store,
        actor=world.learner(learner),
        learner=LEARNERS[learner],
        credential=COURSE,
        evidence=[Evidence(EvidenceKind.TEXT, text="my work")],
        base_iri=BASE_IRI,
    )
    seat = Actor(user="urn:test:user:seat", name="seat", grants=(Grant(Role.ASSESSOR, SEAT),))
    results = [SkillResult(s.uri, True, 8) for s in get_credential(store, COURSE).confirmed_skills]
    record_assessment(
        store, submission=view.submission.id, actor=seat, results=results, base_iri=BASE_IRI
    )
    issuer = ProofIssuer(keys=KeyStore(tmp_path / "keys"), loader=loader, base_iri=BASE_IRI)
    issue_proof(store, actor=ADMIN, submission=view.submission.id, issuer=issuer)


def test_progress_counts_sharing_learners_only_and_moves_with_a_new_proof(
    world: World, group: str, tmp_path: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    store = world.store
    with pytest.raises(ForbiddenError):
        group_progress(store, group, actor=world.stranger)
    with pytest.raises(ForbiddenError):
        group_progress(store, group, actor=world.learner(0))
    with pytest.raises(ForbiddenError):  # only the learner says whether they share
        set_sharing(store, group, actor=world.leader, learner=LEARNERS[0], shares=True)
    _proof(world, 4, tmp_path, pinned_loader)  # learner 4 does not share: never counted
    before = group_progress(store, group, actor=world.mentors[1])
    assert (before.members, before.counted, before.credentials) == (5, 0, ())
    for i in (0, 1):
        set_sharing(store, group, actor=world.learner(i), learner=LEARNERS[i], shares=True)
    shared = group_progress(store, group, actor=world.leader)
    required = shared.targets[0].required
    assert shared.counted == 2 and required > 0
    assert [p for _, p in shared.targets[0].points] == [0.0] * 6
    assert {g.missing for g in shared.gaps} == {2}
    _proof(world, 0, tmp_path, pinned_loader)
    assert list_proofs(store, LEARNERS[0], actor=ADMIN)
    after = group_progress(store, group, actor=world.leader)
    assert after.targets[0].points[-1][1] == 50.0  # one of two learners meets every skill
    assert after.targets[0].points[0][1] == 0.0  # not before the proof's date
    assert {g.missing for g in after.gaps} == {1}
    assert [(c.credential, c.learners) for c in after.credentials] == [(COURSE, 1)]
    later = group_progress(
        store, group, actor=world.leader, today=dt.date.today() + dt.timedelta(days=200)
    )
    assert [p for _, p in later.targets[0].points] == [50.0] * 6
