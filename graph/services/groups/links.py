"""Which mentors the groups link to a learner: the fact the consent rules read for mentors.

A mentor sees a learner's data only under the learner's consent **and** while a group links
them (``graph.services.policy.may_read_learner``); every read of a learner's data asks
:func:`linked_mentors` afresh, so an unlinking or a withdrawn consent counts on the next request.
"""

from __future__ import annotations

from graph.model.concepts import NodeKind
from graph.model.groups import group_from_document
from graph.store import GraphStore

__all__ = ["linked_mentors"]


def linked_mentors(store: GraphStore, learner: str) -> frozenset[str]:
    """The users any group links to ``learner`` as their mentor."""
    mentors: set[str] = set()
    for record in store.list_records(kind=NodeKind.GROUP):
        mentors |= group_from_document(record.body).mentors_of(learner)
    return frozenset(mentors)
