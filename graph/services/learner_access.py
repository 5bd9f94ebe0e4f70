"""Who may read a learner's data: the facts the rule needs, read afresh, then the rule.

Every read of a learner's data (competences, gaps, pathways, submissions, proofs, onboarding
tests, impact, the overview) passes through :func:`require_learner_reader`, which reads the
learner's consents and the mentors a group links to them on each call, so a withdrawn consent
or an unlinked mentor counts on the next request, and no use case can forget one of the two.
"""

from __future__ import annotations

from graph.model.accounts import Actor, ConsentScope
from graph.services import policy
from graph.services.accounts import learner_consents
from graph.services.groups.links import linked_mentors
from graph.store import GraphStore

__all__ = ["require_learner_reader"]


def require_learner_reader(
    store: GraphStore, actor: Actor, learner: str, *, scope: ConsentScope, action: str
) -> None:
    """Pass whoever may see ``scope`` of ``learner``'s data (:func:`policy.require_learner_reader`).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither the learner nor holds their consent (and,
        for a mentor, is not linked to the learner in a group).
    """
    policy.require_learner_reader(
        actor,
        learner,
        scope=scope,
        consents=learner_consents(store, learner),
        mentors=linked_mentors(store, learner),
        action=action,
    )
