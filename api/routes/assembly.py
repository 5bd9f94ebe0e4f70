"""The Assembly: questions attached to graph nodes, answers, votes, moderation.

Posts are addressed by their short ids (``q…`` questions, ``a…`` answers; ``/v1/posts/{id}``
takes either).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import EmbedderDep, IdPath, ReferenceDep, SettingsDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.assembly import (
    AnswerCreate,
    AnswerEdit,
    AnswerPublic,
    AnswerVerifyRequest,
    HiddenRequest,
    PostMatchPublic,
    PostSearchPublic,
    PostStatePublic,
    QuestionCreate,
    QuestionEdit,
    QuestionPublic,
    QuestionsPublic,
    ReportRequest,
    SimilarQuestionPublic,
    SimilarQuestionsPublic,
    SimilarRequest,
    ThreadPublic,
    VoteRequest,
)
from api.schemas.equivalence import RecognitionCreate, RecognitionPublic
from api.security import ActorDep
from graph.model.assembly import Answer, PostLimits, Question
from graph.model.concepts import NodeKind
from graph.services.assembly.decisions import decide_from_answer
from graph.services.assembly.posts import (
    accept_answer,
    answer_question,
    ask_question,
    edit_post,
    get_thread,
    node_questions,
    post_iri,
    report_post,
    set_hidden,
    verify_answer,
    vote,
)
from graph.services.assembly.similar import search_posts, suggest_similar
from graph.settings import Settings

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["assembly"], route_class=CheckedRoute)

_WRITE = responses(400, 401, 403, 404, 413, 422, 503)


def _limits(settings: Settings) -> PostLimits:
    return PostLimits(posts=settings.assembly_posts_per_hour, window_seconds=3600)


def _iri(post_id: str, settings: Settings, kind: NodeKind | None = None) -> tuple[NodeKind, str]:
    return post_iri(post_id, base_iri=settings.base_iri, kind=kind)


@router.post(
    "/questions",
    response_model=QuestionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
def ask(
    request: QuestionCreate,
    store: StoreDep,
    settings: SettingsDep,
    reference: ReferenceDep,
    actor: ActorDep,
    embedder: EmbedderDep,
) -> QuestionPublic:
    """Ask the Assembly a question about graph nodes (signed-in users)."""
    question = ask_question(
        store,
        actor=actor,
        title=request.title,
        body=request.body,
        about=request.about,
        reference=reference,
        base_iri=settings.base_iri,
        limits=_limits(settings),
        embedder=embedder,
    )
    return QuestionPublic.from_domain(question)


@router.get("/questions", response_model=QuestionsPublic, responses=responses(401, 404, 422, 503))
def questions_about(
    store: StoreDep,
    actor: ActorDep,
    about: Annotated[str, Query(min_length=3, max_length=2000, description="A node IRI")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> QuestionsPublic:
    """The newest questions about a node (public)."""
    found = node_questions(store, about, actor=actor, limit=limit)
    return QuestionsPublic(questions=[QuestionPublic.from_domain(q) for q in found])


# -- similar questions and search: before /questions/{question_id}, which would take their names


@router.post(
    "/questions/similar",
    response_model=SimilarQuestionsPublic,
    responses=responses(400, 401, 403, 413, 422, 503),
)
def similar_questions(
    request: SimilarRequest, store: StoreDep, embedder: EmbedderDep, actor: ActorDep
) -> SimilarQuestionsPublic:
    """Earlier questions like a draft, each with the reason (public; hidden ones left out)."""
    found = suggest_similar(
        store,
        embedder,
        actor=actor,
        title=request.title,
        body=request.body,
        about=request.about,
        limit=request.limit,
    )
    return SimilarQuestionsPublic(
        suggestions=[
            SimilarQuestionPublic(
                question=QuestionPublic.from_domain(s.question),
                score=s.score,
                reason=s.reason,
                similarity=s.similarity,
                lexical=s.lexical,
                shared=list(s.shared),
            )
            for s in found
        ]
    )


@router.get(
    "/questions/search", response_model=PostSearchPublic, responses=responses(401, 413, 422, 503)
)
def search_questions(
    store: StoreDep,
    embedder: EmbedderDep,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="What to look for")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> PostSearchPublic:
    """Questions and answers matching ``q``, by meaning and wording (public)."""
    found = search_posts(store, embedder, q, actor=actor, limit=limit)
    return PostSearchPublic(
        query=q,
        results=[
            PostMatchPublic(
                question=QuestionPublic.from_domain(m.question),
                answer=None if m.answer is None else AnswerPublic.from_domain(m.answer),
                score=m.score,
                matched_text=m.matched_text,
                reason=m.reason,
            )
            for m in found
        ],
    )


@router.get(
    "/questions/{question_id}",
    response_model=ThreadPublic,
    responses=responses(401, 404, 422, 503),
)
def thread(
    question_id: IdPath, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> ThreadPublic:
    """A question with its answers (public; hidden posts for their authors and moderators)."""
    _, iri = _iri(question_id, settings, NodeKind.QUESTION)
    found = get_thread(store, iri, actor=actor)
    return ThreadPublic(
        question=QuestionPublic.from_domain(found.question),
        answers=[AnswerPublic.from_domain(a) for a in found.answers],
    )


@router.put("/questions/{question_id}", response_model=QuestionPublic, responses=_WRITE)
def edit_question(
    question_id: IdPath,
    request: QuestionEdit,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    embedder: EmbedderDep,
) -> QuestionPublic:
    """Edit a question (its author); the earlier text is kept in its history."""
    kind, iri = _iri(question_id, settings, NodeKind.QUESTION)
    edited = edit_post(
        store, iri, kind, actor=actor, body=request.body, title=request.title, embedder=embedder
    )
    assert isinstance(edited, Question)
    return QuestionPublic.from_domain(edited)


@router.post(
    "/questions/{question_id}/answers",
    response_model=AnswerPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 413, 422, 429, 503),
)
def answer(
    question_id: IdPath,
    request: AnswerCreate,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    embedder: EmbedderDep,
) -> AnswerPublic:
    """Answer a question (signed-in users)."""
    _, iri = _iri(question_id, settings, NodeKind.QUESTION)
    posted = answer_question(
        store,
        actor=actor,
        question=iri,
        body=request.body,
        base_iri=settings.base_iri,
        limits=_limits(settings),
        embedder=embedder,
    )
    return AnswerPublic.from_domain(posted)


@router.put("/answers/{answer_id}", response_model=AnswerPublic, responses=_WRITE)
def edit_answer(
    answer_id: IdPath,
    request: AnswerEdit,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
    embedder: EmbedderDep,
) -> AnswerPublic:
    """Edit an answer (its author); the earlier text is kept in its history."""
    kind, iri = _iri(answer_id, settings, NodeKind.ANSWER)
    edited = edit_post(store, iri, kind, actor=actor, body=request.body, embedder=embedder)
    assert isinstance(edited, Answer)
    return AnswerPublic.from_domain(edited)


@router.put(
    "/answers/{answer_id}/vote",
    response_model=AnswerPublic,
    responses=responses(400, 401, 403, 404, 413, 422, 503),
)
def vote_answer(
    answer_id: IdPath, request: VoteRequest, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> AnswerPublic:
    """Vote on an answer: one vote per user, replaced when voting again (0 takes it back)."""
    _, iri = _iri(answer_id, settings, NodeKind.ANSWER)
    return AnswerPublic.from_domain(vote(store, iri, actor=actor, value=request.value))


@router.post(
    "/answers/{answer_id}/accept",
    response_model=QuestionPublic,
    responses=responses(401, 403, 404, 422, 503),
)
def accept(
    answer_id: IdPath, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> QuestionPublic:
    """Accept an answer to one's own question."""
    _, iri = _iri(answer_id, settings, NodeKind.ANSWER)
    return QuestionPublic.from_domain(accept_answer(store, iri, actor=actor))


@router.post("/answers/{answer_id}/verify", response_model=QuestionPublic, responses=_WRITE)
def verify(
    answer_id: IdPath,
    request: AnswerVerifyRequest,
    store: StoreDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> QuestionPublic:
    """Mark an answer verified (an advisor or a mentor); one verified answer per question."""
    _, iri = _iri(answer_id, settings, NodeKind.ANSWER)
    return QuestionPublic.from_domain(verify_answer(store, iri, actor=actor, note=request.note))


def _state(post: Question | Answer) -> PostStatePublic:
    return PostStatePublic(
        id=post.id.rpartition("/")[2], reports=len(post.reports), hidden=post.hidden is not None
    )


@router.post("/posts/{post_id}/reports", response_model=PostStatePublic, responses=_WRITE)
def report(
    post_id: IdPath, request: ReportRequest, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> PostStatePublic:
    """Report a post (once per user); enough reports hide it until a moderator looks."""
    kind, iri = _iri(post_id, settings)
    return _state(report_post(store, iri, kind, actor=actor, reason=request.reason))


@router.put("/posts/{post_id}/hidden", response_model=PostStatePublic, responses=_WRITE)
def hide(
    post_id: IdPath, request: HiddenRequest, store: StoreDep, settings: SettingsDep, actor: ActorDep
) -> PostStatePublic:
    """Hide a post or show it again (a moderator)."""
    kind, iri = _iri(post_id, settings)
    changed = set_hidden(
        store, iri, kind, actor=actor, hidden=request.hidden, reason=request.reason
    )
    return _state(changed)


@router.post(
    "/answers/{answer_id}/decision",
    response_model=RecognitionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def decision_from_answer(
    answer_id: IdPath,
    request: RecognitionCreate,
    store: StoreDep,
    settings: SettingsDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> RecognitionPublic:
    """Record a decision of the advisor's authority citing a verified answer as its source."""
    _, iri = _iri(answer_id, settings, NodeKind.ANSWER)
    decision = decide_from_answer(
        store,
        iri,
        request.to_domain(),
        actor=actor,
        reference=reference,
        base_iri=settings.base_iri,
    )
    return RecognitionPublic.from_domain(decision)
