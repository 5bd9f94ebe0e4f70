"""Onboarding tests on every backend: the item bank, an adaptive attempt, its scores, refusals."""

from __future__ import annotations

import datetime as dt
import math
from datetime import UTC, datetime

import pytest

from graph.errors import ConflictError, ForbiddenError, InvalidInputError
from graph.model.concepts import NodeKind
from graph.model.learners import CompetenceSource, Learner
from graph.model.onboarding import AttemptStatus, ItemKind
from graph.reference import load_reference_data
from graph.services.onboarding.attempts import (
    answer_item,
    get_attempt,
    list_attempts,
    rate_answer,
    start_attempt,
    tasks_to_rate,
)
from graph.services.onboarding.items import (
    ItemDraft,
    get_item,
    list_items,
    revise_item,
    write_item,
    write_items,
)
from graph.services.pathways.learners import create_learner, get_learner
from graph.services.pathways.planning import gap_analysis
from graph.services.pathways.targets import occupation_skills, parse_target
from graph.store import GraphStore
from tests.contract.test_learners_service import DATA_ANALYST, ONTOLOGIES
from tests.fixtures.actors import ADMIN, as_assessor, as_learner, as_staff

BASE = "https://credwalk.org/id"
ISSUER = "https://www.liffey-tu.example"
ASSESSOR = "https://www.liffey-tu.example/people/aoife-byrne"
LEARNER = "urn:example:learner:onboarding"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SLIP, GUESS = 0.1, 0.2


def _bank(store: GraphStore) -> list[str]:
    """Two essential skills of the data analyst, each with two items at levels 2, 4 and 6."""
    skills = occupation_skills(store, DATA_ANALYST)[0][:2]
    staff = as_staff(ISSUER)
    for skill in skills:
        for level in (2, 4, 6):
            for n in range(2):
                draft = ItemDraft(
                    skill,
                    level,
                    ItemKind.MULTIPLE_CHOICE,
                    f"L{level} question {n}",
                    options=("wrong", "right", "also wrong"),
                    answer=1,
                )
                write_item(store, draft, actor=staff, base_iri=BASE, now=T0)
    return skills


def _knows_up_to(level: int, asked_level: int) -> str:
    return "1" if asked_level <= level else "0"


def test_an_adaptive_attempt_scores_feed_the_gap(loaded_store: GraphStore) -> None:
    store = loaded_store
    skills = _bank(store)
    reference = load_reference_data(ONTOLOGIES, base_iri=BASE)
    create_learner(store, Learner(LEARNER), actor=ADMIN, reference=reference)
    target = parse_target(f"occupation:{DATA_ANALYST}")
    before = gap_analysis(store, learner=Learner(LEARNER), target=target, as_of=T0.date())
    missing = {i.requirement.skill for i in before.analysis.items if i.coverage.value == "missing"}
    assert set(skills) <= missing
    me = as_learner(LEARNER)
    view = start_attempt(
        store, LEARNER, target=f"occupation:{DATA_ANALYST}", actor=me, base_iri=BASE, now=T0
    )
    assert view.attempt.skills == tuple(skills) and view.status is AttemptStatus.OPEN
    asked: list[tuple[str, int, bool]] = []
    # The learner knows the first skill up to level 4 and the second up to level 2.
    known = {skills[0]: 4, skills[1]: 2}
    while view.question is not None:
        q = view.question
        assert q.options == ("wrong", "right", "also wrong")  # the question carries no key
        response = _knows_up_to(known[q.skill], q.level)
        asked.append((q.skill, q.level, response == "1"))
        view = answer_item(store, view.attempt.id, item=q.item, response=response, actor=me, now=T0)
    assert view.status is AttemptStatus.FINISHED
    assert asked[0][1] == 4  # starts in the middle of 2, 4, 6
    for skill, level in known.items():
        result = next(r for r in view.results if r.skill == skill)
        # The belief by hand: each state's product of the answers' likelihoods, normalised.
        weights = {}
        for state in (0, 2, 4, 6):
            w = 1.0
            for s, b, right in asked:
                if s == skill:
                    p = 1 - SLIP if state >= b else GUESS
                    w *= p if right else 1 - p
            weights[state] = w
        assert result.level == level
        assert math.isclose(result.confidence, weights[level] / sum(weights.values()))
        assert result.confidence >= 0.95 or result.items == 6  # the pool of 6 is used up
    stored = get_learner(store, LEARNER, actor=me)
    tested = {
        c.skill: c for c in stored.competences if c.source is CompetenceSource.ONBOARDING_TEST
    }
    assert {s: c.level for s, c in tested.items()} == known
    assert tested[skills[0]].date == T0.date() and tested[skills[0]].confidence is not None
    after = gap_analysis(store, learner=stored, target=target, as_of=T0.date())
    still = {i.requirement.skill for i in after.analysis.items if i.coverage.value == "missing"}
    assert not set(skills) & still
    # A finished attempt takes no answer; nothing changes.
    record = store.get_record(view.attempt.id, kind=NodeKind.ONBOARDING)
    with pytest.raises(ConflictError, match="no more answers"):
        answer_item(store, view.attempt.id, item=asked[0][0], response="1", actor=me, now=T0)
    assert store.get_record(view.attempt.id, kind=NodeKind.ONBOARDING).version == record.version
    # Retake after the waiting period only; every attempt is kept.
    with pytest.raises(ConflictError, match="may be taken again from 2026-03-31"):
        start_attempt(
            store,
            LEARNER,
            target=f"occupation:{DATA_ANALYST}",
            actor=me,
            base_iri=BASE,
            now=T0 + dt.timedelta(days=10),
        )
    start_attempt(
        store,
        LEARNER,
        target=f"occupation:{DATA_ANALYST}",
        actor=me,
        base_iri=BASE,
        now=T0 + dt.timedelta(days=31),
    )
    assert len(list_attempts(store, LEARNER, actor=me)) == 2


def test_items_without_a_key_and_strangers_are_refused(loaded_store: GraphStore) -> None:
    store = loaded_store
    skill = occupation_skills(store, DATA_ANALYST)[0][0]
    staff = as_staff(ISSUER)
    bad = [
        (ItemDraft(skill, 3, ItemKind.MULTIPLE_CHOICE, "q", options=("a", "b")), "answer"),
        (
            ItemDraft(skill, 3, ItemKind.MULTIPLE_CHOICE, "q", options=("a", "b"), answer=2),
            "answer",
        ),
        (ItemDraft(skill, 3, ItemKind.SHORT_ANSWER, "q", accepted=(" ",)), "accepted"),
        (ItemDraft(skill, 3, ItemKind.TASK, "q"), "rubric"),
        (ItemDraft(skill, 9, ItemKind.TASK, "q", rubric="r"), "level"),
        (ItemDraft("urn:x:no-skill", 3, ItemKind.TASK, "q", rubric="r"), "skill"),
    ]
    for draft, field in bad:
        with pytest.raises(InvalidInputError) as caught:
            write_item(store, draft, actor=staff, base_iri=BASE)
        assert caught.value.details["field"] == field
    assert store.list_records(kind=NodeKind.ONBOARDING) == []
    with pytest.raises(ForbiddenError):
        write_item(
            store,
            ItemDraft(skill, 3, ItemKind.TASK, "q", rubric="r"),
            actor=as_learner(LEARNER),
            base_iri=BASE,
        )
    item = write_item(
        store,
        ItemDraft(skill, 3, ItemKind.SHORT_ANSWER, "q", accepted=("Café",)),
        actor=as_assessor(ASSESSOR),
        base_iri=BASE,
    )
    revised = revise_item(
        store,
        item.id,
        ItemDraft(skill, 3, ItemKind.SHORT_ANSWER, "q2", accepted=("cafe", "coffee")),
        actor=staff,
    )
    assert (revised.version, get_item(store, item.id, actor=staff).prompt) == (2, "q2")
    assert [i.version for i in list_items(store, actor=staff)] == [2]
    assert len(store.list_records(kind=NodeKind.ONBOARDING, where={"item": item.id})) == 2
    with pytest.raises(ForbiddenError):
        list_items(store, actor=as_learner(LEARNER))


def test_a_task_waits_for_an_assessor(loaded_store: GraphStore) -> None:
    store = loaded_store
    skill = occupation_skills(store, DATA_ANALYST)[0][0]
    task = write_item(
        store,
        ItemDraft(skill, 5, ItemKind.TASK, "build it", rubric="works"),
        actor=as_staff(ISSUER),
        base_iri=BASE,
    )
    reference = load_reference_data(ONTOLOGIES, base_iri=BASE)
    create_learner(store, Learner(LEARNER), actor=ADMIN, reference=reference)
    me = as_learner(LEARNER)
    view = start_attempt(store, LEARNER, target=f"skills:{skill}", actor=me, base_iri=BASE)
    assert view.question is not None and view.question.item == task.id
    with pytest.raises(InvalidInputError) as caught:
        answer_item(store, view.attempt.id, item="urn:x:other", response="x", actor=me)
    assert caught.value.details["field"] == "item"
    view = answer_item(
        store, view.attempt.id, item=task.id, response="https://git.example/me", actor=me
    )
    assert view.status is AttemptStatus.AWAITING_RATING
    with pytest.raises(ForbiddenError):
        rate_answer(store, view.attempt.id, item=task.id, score=1.0, actor=me)
    assessor = as_assessor(ASSESSOR)
    assert (
        get_attempt(store, view.attempt.id, actor=assessor).status is AttemptStatus.AWAITING_RATING
    )
    queue = tasks_to_rate(store, actor=assessor)  # the assessor's queue: rubric and evidence
    assert [(t.attempt, t.item.rubric, t.answer.response) for t in queue] == [
        (view.attempt.id, "works", "https://git.example/me")
    ]
    with pytest.raises(ForbiddenError):
        tasks_to_rate(store, actor=me)
    done = rate_answer(store, view.attempt.id, item=task.id, score=0.8, actor=assessor)
    assert done.status is AttemptStatus.FINISHED
    assert (done.results[0].level, done.attempt.answers[0].rated_by) == (5, ASSESSOR)
    assert tasks_to_rate(store, actor=assessor) == []  # rated: out of the queue
    with pytest.raises(ForbiddenError):
        get_attempt(store, view.attempt.id, actor=as_learner("urn:example:learner:other"))


def test_a_file_of_items_is_written_whole_or_not_at_all(loaded_store: GraphStore) -> None:
    store = loaded_store
    skill = occupation_skills(store, DATA_ANALYST)[0][0]
    good = ItemDraft(skill, 3, ItemKind.SHORT_ANSWER, "name it", accepted=("pandas",))
    keyless = ItemDraft(skill, 3, ItemKind.TASK, "build it")
    staff = as_staff(ISSUER)
    with pytest.raises(InvalidInputError) as caught:
        write_items(store, [good, keyless], actor=staff, base_iri=BASE)
    assert caught.value.details["field"] == "items[1].rubric"
    assert list_items(store, actor=staff) == []
    written = write_items(store, [good, good], actor=staff, base_iri=BASE)
    assert sorted(i.id for i in list_items(store, actor=staff)) == sorted(i.id for i in written)
    with pytest.raises(ForbiddenError):
        write_items(store, [good], actor=as_learner(LEARNER), base_iri=BASE)
