"""Read-modify-write use cases made by many users at once: every one lands, none is refused.

Eight users each make several changes to one object at the same moment (a barrier starts each
round), so that most attempts lose the race to another and must be redone. A caller who asked
for no condition is never told its write was stale.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from graph.model.concepts import NodeKind
from graph.model.learners import AssessmentResult, Learner
from graph.services.catalogue.credentials import get_credential
from graph.services.catalogue.mapping import decide_skill
from graph.services.equivalence.recognition import (
    RecognitionDecision,
    RecognitionOutcome,
    list_decisions,
    record_decision,
)
from graph.services.pathways.learners import create_learner, get_learner, import_assessments
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN, as_advisor, as_assessor, as_staff
from tests.fixtures.demo_catalogue import BASE_IRI, load_demo_catalogue

USERS, ROUNDS = 8, 4
LEARNER = "urn:example:learner:race"
LIFFEY = "https://www.liffey-tu.example"
PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
NURSING = f"{LIFFEY}/credentials/nursing-leadership-quality-evidence"
AUTHORITY = "https://www.hea.example"


def _at_once(change: Callable[[int, int], object]) -> list[BaseException]:
    """Run ``change(user, round)`` for every user and round, the users of a round together."""
    start = threading.Barrier(USERS)
    errors: list[BaseException] = []

    def user(n: int) -> None:
        for r in range(ROUNDS):
            start.wait()
            try:
                change(n, r)
            except Exception as e:  # any error is the test's failure, reported below
                errors.append(e)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _skills(store: GraphStore) -> list[str]:
    held = {s.uri for s in get_credential(store, NURSING).skills}
    return sorted(c.uri for c in store.iter_concepts(kind=NodeKind.SKILL) if c.uri not in held)


def test_assessments_imported_at_once_all_land(store: GraphStore) -> None:
    catalogue = load_demo_catalogue(store)
    create_learner(store, Learner(LEARNER), actor=ADMIN, reference=catalogue.reference)
    skill = _skills(store)[0]

    def assess(n: int, r: int) -> None:
        result = AssessmentResult(skill, 3, dt.date(2025, 1, 1), score=0.8, evidence=f"{n}/{r}")
        import_assessments(store, LEARNER, [result], actor=as_assessor(f"urn:panel:{n}"))

    assert _at_once(assess) == []
    evidence = [a.evidence or "" for a in get_learner(store, LEARNER, actor=ADMIN).assessments]
    assert sorted(evidence) == sorted(f"{n}/{r}" for n in range(USERS) for r in range(ROUNDS))


def test_skills_decided_at_once_all_land(store: GraphStore) -> None:
    load_demo_catalogue(store)
    skills = _skills(store)

    def decide(n: int, r: int) -> None:
        skill = skills[r * USERS + n]
        decide_skill(store, NURSING, skill, accept=True, actor=as_staff(LIFFEY))

    assert _at_once(decide) == []
    decided = {s.uri for s in get_credential(store, NURSING).skills if s.decided_by}
    assert decided == set(skills[: USERS * ROUNDS])


def test_recognitions_of_one_authority_recorded_at_once_all_land(store: GraphStore) -> None:
    catalogue = load_demo_catalogue(store)

    def recognise(n: int, r: int) -> None:
        day = (dt.date(2000, 1, 1) + dt.timedelta(days=2 * (r * USERS + n))).isoformat()
        decision = RecognitionDecision(
            id="",
            authority=AUTHORITY,
            credential=PYTHON_US,
            outcome=RecognitionOutcome.PARTIAL,
            to_jurisdiction="IE",
            decided_by="",
            decided_at="",
            valid_from=day,
            valid_until=day,
        )
        record_decision(
            store,
            decision,
            actor=as_advisor(AUTHORITY),
            reference=catalogue.reference,
            base_iri=BASE_IRI,
        )

    assert _at_once(recognise) == []
    assert len(list_decisions(store, credential=PYTHON_US, authority=AUTHORITY)) == USERS * ROUNDS
