"""The Assembly's front page: the newest questions the reader may see, and a user's own.

Question ids sort by the time they were posted (:mod:`graph.model.assembly`), so the newest
are the last IRIs; hidden questions are listed only for their author and moderators, and a
consultation only for its parties, as :func:`~graph.services.assembly.posts.may_read_post` says.
"""

from __future__ import annotations

from graph.model.accounts import Actor
from graph.model.assembly import Question, question_from_document
from graph.model.concepts import NodeKind
from graph.services.assembly.posts import may_read_post
from graph.store import GraphStore

__all__ = ["recent_questions"]


def recent_questions(
    store: GraphStore, *, actor: Actor, limit: int = 30, author: str | None = None
) -> list[Question]:
    """The newest questions the actor may see, newest first (``author``'s only, when given).

    Every question of the store is read: the front page of a large Assembly wants an index
    of the newest posts (or the search service), which this listing stands in for.
    """
    where: dict[str, str | int | float | bool] = {} if author is None else {"author": author}
    records = store.list_records(kind=NodeKind.QUESTION, where=where)
    newest = sorted(records, key=lambda r: r.uri.rpartition("/")[2], reverse=True)
    found: list[Question] = []
    for record in newest:
        question = question_from_document(record.body)
        if may_read_post(actor, question):
            found.append(question)
            if len(found) >= limit:
                break
    return found
