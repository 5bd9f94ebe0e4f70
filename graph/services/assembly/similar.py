"""Finding the Assembly's posts: similar earlier questions before posting, and search.

Posts are indexed when written (:mod:`graph.services.assembly.indexing`) and ranked by the
hybrid scoring skills use (:func:`graph.search.rank_texts_many`, its weights as they are, not
tuned on posts), and a suggestion also counts the nodes it shares with the draft. Every
result comes with a reason a person can read ("same wording: 'recognised in France'",
"similar meaning (cosine 0.81)", "also about Python"), and only the posts the actor may see
are returned: a hidden question is suggested to its author and moderators only, a consultation
to its parties only (:func:`~graph.services.assembly.posts.may_read_post`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.embeddings import Embedder
from graph.errors import InvalidInputError
from graph.model.accounts import Actor
from graph.model.assembly import (
    MAX_BODY,
    MAX_TITLE,
    Answer,
    Question,
    answer_from_document,
    question_from_document,
)
from graph.model.concepts import NodeKind
from graph.search import RankedNode, rank_texts_many
from graph.services.assembly.posts import check_text, may_read_post
from graph.services.embedding_policy import similarity_embedder
from graph.store import GraphStore
from graph.text import STOP_WORDS

__all__ = [
    "ABOUT_BONUS",
    "MIN_SCORE",
    "PostMatch",
    "SimilarQuestion",
    "search_posts",
    "shared_wording",
    "suggest_similar",
]

#: Added to a suggestion's score per node (or jurisdiction) it shares with the draft, at most
#: twice. Set a priori, not tuned: the paraphrase pairs carry no nodes.
ABOUT_BONUS = 0.05
#: Suggestions scoring less are not shown: an unrelated question is noise before posting.
#: Set a priori (half of a lexical match of a short title), not tuned on the pairs.
MIN_SCORE = 0.3
_MAX_LIMIT = 50
_WORD = re.compile(r"\w+(?:[+#]+|'\w+)*")


@dataclass(frozen=True, slots=True)
class SimilarQuestion:
    """An earlier question like the draft: its score in [0, 1] and why, in words."""

    question: Question
    score: float
    reason: str
    similarity: float
    lexical: float
    shared: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PostMatch:
    """A question, or an answer with its question, found by :func:`search_posts`."""

    question: Question
    answer: Answer | None
    score: float
    matched_text: str
    reason: str


# -- ranking -------------------------------------------------------------------------------


def _rank(
    store: GraphStore, embedder: Embedder | None, text: str, kinds: Iterable[NodeKind], keep: int
) -> list[RankedNode]:
    usable = similarity_embedder(store, embedder)
    vector = None if usable is None else usable.embed_one(text)
    return rank_texts_many(store, [(text, vector)], kinds=kinds, keep=keep)[0]


def _limit(limit: int) -> int:
    if not 1 <= limit <= _MAX_LIMIT:
        raise InvalidInputError(
            f"limit: must be between 1 and {_MAX_LIMIT}, got {limit}", details={"field": "limit"}
        )
    return limit


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def shared_wording(draft: str, earlier: str) -> str | None:
    """The longest run of words (in the earlier text's spelling) that both texts hold.

    Stop words do not start or end a run; None when the texts share no other word.

    Examples
    --------
    >>> shared_wording("Is my diploma recognised in France?", "Diplomas recognised in France")
    'recognised in France'
    >>> shared_wording("Python jobs", "What is a welder?") is None
    True
    """
    mine, theirs = _words(draft), _words(earlier)
    matcher = difflib.SequenceMatcher(
        None, [w.lower() for w in mine], [w.lower() for w in theirs], autojunk=False
    )
    best: list[str] = []
    for block in matcher.get_matching_blocks():
        run = _trimmed(theirs[block.b : block.b + block.size])
        if len(run) > len(best):
            best = run
    return " ".join(best) if best else None


def _trimmed(run: list[str]) -> list[str]:
    """The run without the stop words it starts or ends with ("a junior developer")."""
    meaningful = [i for i, w in enumerate(run) if w.lower() not in STOP_WORDS]
    return run[meaningful[0] : meaningful[-1] + 1] if meaningful else []


def _reason(
    draft: str, ranked: RankedNode, matched_text: str, shared: Sequence[str], dense: bool
) -> str:
    parts: list[tuple[float, str]] = []
    wording = shared_wording(draft, matched_text)
    if wording is not None and ranked.lexical > 0:
        parts.append((ranked.lexical, f"same wording: '{wording}'"))
    if dense and ranked.label > 0:
        parts.append((ranked.label, f"similar meaning (cosine {ranked.label:.2f})"))
    parts.sort(key=lambda p: -p[0])
    reasons = [text for _, text in parts] + [f"also about {label}" for label in shared]
    return "; ".join(reasons) or "similar terms"


def _labels(store: GraphStore, about: Iterable[str]) -> dict[str, str]:
    """A readable name per node IRI (a concept's label, a credential's title), else the IRI."""
    iris = [a for a in about if ":" in a]
    names = {uri: c.preferred_label("en") for uri, c in store.get_concepts(iris).items()}
    missing = [i for i in iris if i not in names]
    for kind in (NodeKind.CREDENTIAL, NodeKind.RECOGNITION):
        for uri, record in store.get_records(missing, kind=kind).items():
            names[uri] = str(record.body.get("title") or uri)
    return {a: names.get(a, a) for a in about}


# -- use cases -----------------------------------------------------------------------------


def suggest_similar(
    store: GraphStore,
    embedder: Embedder | None,
    *,
    actor: Actor,
    title: str,
    body: str = "",
    about: Sequence[str] = (),
    limit: int = 3,
    min_score: float = MIN_SCORE,
) -> list[SimilarQuestion]:
    """The earlier questions most like a draft, best first, each with its reason.

    The title is what is compared (by meaning and by wording); ``body`` is checked like a
    post's but not ranked on; each node IRI or jurisdiction code of ``about`` that a question
    shares adds :data:`ABOUT_BONUS` (twice at most). Questions scoring under ``min_score``,
    and those the actor may not see, are left out.

    Raises
    ------
    InvalidInputError, PayloadTooLargeError
        For an empty or oversized title, an oversized body, or a limit out of 1-50.
    """
    title = check_text(title, "title", MAX_TITLE)
    if body.strip():
        check_text(body, "body", MAX_BODY)
    limit = _limit(limit)
    dense = similarity_embedder(store, embedder) is not None
    ranked = _rank(store, embedder, title, {NodeKind.QUESTION}, keep=max(4 * limit, 20))
    records = store.get_records([r.uri for r in ranked], kind=NodeKind.QUESTION)
    wanted = set(about)
    found: list[tuple[float, RankedNode, Question, tuple[str, ...]]] = []
    for r in ranked:
        record = records.get(r.uri)
        if record is None:  # texts written, post gone: never shown
            continue
        q = question_from_document(record.body)
        if not may_read_post(actor, q):  # hidden from them, or a consultation of others
            continue
        shared = tuple(a for a in (*q.about, q.jurisdiction) if a is not None and a in wanted)
        score = min(1.0, r.score + ABOUT_BONUS * min(len(shared), 2))
        if score >= min_score:
            found.append((score, r, q, shared))
    found.sort(key=lambda f: (-f[0], f[2].id))
    names = _labels(store, {a for f in found[:limit] for a in f[3]})
    return [
        SimilarQuestion(
            question=q,
            score=score,
            reason=_reason(title, r, q.title, [names[a] for a in shared], dense),
            similarity=r.label,
            lexical=r.lexical,
            shared=shared,
        )
        for score, r, q, shared in found[:limit]
    ]


def _visible_posts(
    store: GraphStore, actor: Actor, ranked: Sequence[RankedNode]
) -> dict[str, tuple[Question, Answer | None]]:
    """The ranked posts the actor may see, each with its question (an answer's must be seen)."""
    uris = [r.uri for r in ranked]
    answers = {
        uri: answer_from_document(r.body)
        for uri, r in store.get_records(uris, kind=NodeKind.ANSWER).items()
    }
    wanted = set(uris) | {a.question for a in answers.values()}
    questions: Mapping[str, Question] = {
        uri: question_from_document(r.body)
        for uri, r in store.get_records(wanted, kind=NodeKind.QUESTION).items()
    }

    found: dict[str, tuple[Question, Answer | None]] = {}
    for uri in uris:
        if uri in questions and may_read_post(actor, questions[uri]):
            found[uri] = (questions[uri], None)
        elif uri in answers and may_read_post(actor, answers[uri]):
            question = questions.get(answers[uri].question)
            if question is not None and may_read_post(actor, question):
                found[uri] = (question, answers[uri])
    return found


def search_posts(
    store: GraphStore, embedder: Embedder | None, query: str, *, actor: Actor, limit: int = 10
) -> list[PostMatch]:
    """Questions and answers matching ``query`` (hybrid, as for skills), best first.

    An answer comes with its question; posts the actor may not see (hidden, or an answer to a
    hidden question) are left out.

    Raises
    ------
    InvalidInputError, PayloadTooLargeError
        For an empty or oversized query, or a limit out of 1-50.
    """
    query = check_text(query, "q", MAX_TITLE)
    limit = _limit(limit)
    dense = similarity_embedder(store, embedder) is not None
    ranked = _rank(store, embedder, query, {NodeKind.QUESTION, NodeKind.ANSWER}, keep=4 * limit)
    visible = _visible_posts(store, actor, ranked)
    matches = []
    for r in ranked:
        if r.uri not in visible:
            continue
        question, answer = visible[r.uri]
        text = r.matched.text
        reason = _reason(query, r, text, (), dense)
        matches.append(PostMatch(question, answer, r.score, text, reason))
    return matches[:limit]
