"""Similar questions before posting, and search over questions and answers, on both backends."""

from __future__ import annotations

import io
import json

import pytest

from graph.errors import InvalidInputError, PayloadTooLargeError
from graph.model.accounts import ANONYMOUS, Actor, Grant, Role
from graph.model.assembly import MAX_TITLE, Question
from graph.model.concepts import NodeKind
from graph.reference import ReferenceData
from graph.services.assembly.posts import answer_question, ask_question, edit_post, set_hidden
from graph.services.assembly.similar import search_posts, suggest_similar
from graph.services.backup.exporting import export_store
from graph.services.backup.restoring import import_dump
from graph.store import GraphStore
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import BASE_IRI, load_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder

PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"

EARLIER = (
    ("Is my Irish nursing degree recognised in France?", [PYTHON_IE, "FR"]),
    ("How many ECTS credits is the Python fundamentals course worth?", [PYTHON_IE]),
    ("Which skills do I need to become a data analyst?", [PYTHON]),
    ("Can I stack micro-credentials into a master's degree?", [PYTHON_IE]),
)


def member(name: str) -> Actor:
    return Actor(user=f"urn:test:user:{name}", name=name, grants=(Grant(Role.MEMBER),))


@pytest.fixture
def reference(store: GraphStore) -> ReferenceData:
    return load_demo_catalogue(store).reference


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


def _ask(
    store: GraphStore,
    reference: ReferenceData,
    embedder: HashingEmbedder | None,
    who: Actor,
    title: str,
    about: list[str],
) -> Question:
    return ask_question(
        store,
        actor=who,
        title=title,
        body=f"{title} I would like to know before I enrol.",
        about=about,
        reference=reference,
        base_iri=BASE_IRI,
        embedder=embedder,
    )


def _asked(
    store: GraphStore, reference: ReferenceData, embedder: HashingEmbedder | None
) -> list[Question]:
    asker = member("asker")
    return [_ask(store, reference, embedder, asker, t, a) for t, a in EARLIER]


def test_a_paraphrase_is_suggested_with_its_reason(
    store: GraphStore, reference: ReferenceData, embedder: HashingEmbedder
) -> None:
    nursing, ects, *_ = _asked(store, reference, embedder)
    assert store.embedding_model() == embedder.name  # the questions' vectors went in
    found = suggest_similar(
        store,
        embedder,
        actor=member("drafter"),
        title="Will France recognise a nursing degree obtained in Ireland?",
        about=["FR"],
    )
    assert found[0].question.id == nursing.id
    assert ects.id not in [s.question.id for s in found]  # under the minimum score
    reason = found[0].reason
    assert "same wording: 'nursing degree'" in reason
    assert "similar meaning (cosine 0." in reason and reason.endswith("also about FR")
    assert found[0].shared == ("FR",) and 0 < found[0].score <= 1


def test_shared_nodes_are_named_in_the_reason(
    store: GraphStore, reference: ReferenceData, embedder: HashingEmbedder
) -> None:
    _, ects, *_ = _asked(store, reference, embedder)
    found = suggest_similar(
        store,
        embedder,
        actor=ANONYMOUS,
        title="ECTS credits of the Python course?",
        about=[PYTHON_IE],
    )
    assert found[0].question.id == ects.id
    assert "also about Programming Fundamentals with Python" in found[0].reason, found[0].reason


def test_a_hidden_question_is_suggested_to_its_author_and_moderators_only(
    store: GraphStore, reference: ReferenceData, embedder: HashingEmbedder
) -> None:
    nursing, *_ = _asked(store, reference, embedder)
    set_hidden(store, nursing.id, NodeKind.QUESTION, actor=ADMIN, hidden=True, reason="spam")
    draft = "Is an Irish nursing degree recognised in France?"

    def suggested(actor: Actor) -> list[str]:
        return [s.question.id for s in suggest_similar(store, embedder, actor=actor, title=draft)]

    assert nursing.id not in suggested(member("drafter"))
    assert nursing.id not in suggested(ANONYMOUS)
    assert nursing.id in suggested(member("asker"))
    assert nursing.id in suggested(ADMIN)


def test_search_finds_an_answers_text_with_its_question(
    store: GraphStore, reference: ReferenceData, embedder: HashingEmbedder
) -> None:
    nursing, *_ = _asked(store, reference, embedder)
    answer = answer_question(
        store,
        actor=member("nurse"),
        question=nursing.id,
        body="Apply to the Ordre National des Infirmiers with your registration certificate.",
        base_iri=BASE_IRI,
        embedder=embedder,
    )
    found = search_posts(store, embedder, "Ordre des infirmiers registration", actor=ANONYMOUS)
    assert found[0].answer is not None and found[0].answer.id == answer.id
    assert found[0].question.id == nursing.id
    assert "Ordre National des Infirmiers" in found[0].matched_text
    assert "same wording" in found[0].reason
    # An answer to a hidden question is hidden with it.
    set_hidden(store, nursing.id, NodeKind.QUESTION, actor=ADMIN, hidden=True, reason="off-topic")
    again = search_posts(store, embedder, "Ordre des infirmiers registration", actor=ANONYMOUS)
    assert answer.id not in [m.answer.id for m in again if m.answer is not None]


def test_an_edited_question_is_found_by_its_new_words_only(
    store: GraphStore, reference: ReferenceData, embedder: HashingEmbedder
) -> None:
    asker = member("asker")
    question = _ask(store, reference, embedder, asker, "Welding certificate in Norway?", [PYTHON])
    edit_post(
        store,
        question.id,
        NodeKind.QUESTION,
        actor=asker,
        title="Carpentry apprenticeship in Portugal?",
        body="Changed my mind.",
        embedder=embedder,
    )
    found = search_posts(store, embedder, "carpentry apprenticeship Portugal", actor=ANONYMOUS)
    assert [m.question.id for m in found][:1] == [question.id]
    assert found[0].matched_text == "Carpentry apprenticeship in Portugal?"
    stale = search_posts(store, None, "welding Norway", actor=ANONYMOUS)
    assert question.id not in [m.question.id for m in stale]


def test_without_an_embedder_questions_are_matched_by_wording(
    store: GraphStore, reference: ReferenceData
) -> None:
    nursing, *_ = _asked(store, reference, None)
    assert store.embedding_model() is None
    found = suggest_similar(
        store, None, actor=ANONYMOUS, title="nursing degree from Ireland recognised in France"
    )
    assert [s.question.id for s in found] == [nursing.id]
    assert found[0].similarity == 0 and "similar meaning" not in found[0].reason
    assert found[0].reason.startswith("same wording: 'recognised in France'")


def test_bad_drafts_are_refused_naming_the_field(store: GraphStore) -> None:
    with pytest.raises(InvalidInputError) as empty:
        suggest_similar(store, None, actor=ANONYMOUS, title="   ")
    assert empty.value.details["field"] == "title"
    with pytest.raises(PayloadTooLargeError) as long:
        suggest_similar(store, None, actor=ANONYMOUS, title="x" * (MAX_TITLE + 1))
    assert long.value.details["field"] == "title"
    with pytest.raises(InvalidInputError) as limit:
        search_posts(store, None, "nursing", actor=ANONYMOUS, limit=0)
    assert limit.value.details["field"] == "limit"
    assert suggest_similar(store, None, actor=ANONYMOUS, title="anything at all") == []


def test_a_restored_store_finds_its_questions_again(
    store: GraphStore,
    other_store: GraphStore,
    reference: ReferenceData,
    embedder: HashingEmbedder,
) -> None:
    nursing, *_ = _asked(store, reference, embedder)
    dump = io.BytesIO()
    export_store(store, dump, actor=ADMIN)
    items = [json.loads(line) for line in dump.getvalue().splitlines()]
    assert not [i for i in items if i.get("item") == "text" and "/question/" in i["uri"]]
    import_dump(other_store, io.BytesIO(dump.getvalue()), actor=ADMIN)
    found = suggest_similar(
        other_store, None, actor=ANONYMOUS, title="Irish nursing degree recognised in France?"
    )
    assert [s.question.id for s in found][:1] == [nursing.id]
