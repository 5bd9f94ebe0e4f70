"""Who may do what to which object: every authorisation rule of credwalk, in one place.

The services call these functions with the acting user (:class:`~graph.model.accounts.Actor`)
and the facts about the object they already read (its issuer, its panel, its learner's
consents), before they write or return anything; the API, the CLI and the pages reach the
objects only through the services, so a rule cannot differ between them. A rule that fails
raises :class:`~graph.errors.UnauthenticatedError` for nobody and
:class:`~graph.errors.ForbiddenError` for a user without the right; ``admin`` passes every rule.

The rules (ARCHITECTURE.md and the trust issue):

- the skills graph, search, mapping, published credentials and issuers, equivalence,
  recognition decisions, crosswalks, verification, status lists are public;
- issuers' staff write only their own issuers' credentials, mappings, panels and proofs;
- assessors assess only submissions of panels they sit on, as themselves;
- advisors record and supersede decisions only for their own authority;
- learners read and write only their own record, submissions and proofs; another user sees a
  learner's data only under the learner's active consent for that part of it;
- onboarding test items (with their keys) are written and read by issuers' staff and assessors
  only; learners see an item only as the question of their own attempt, without its key;
  answers given in a learner's attempt are rated by assessors.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.errors import ForbiddenError, UnauthenticatedError
from graph.model.accounts import Actor, Consent, ConsentScope, Role

__all__ = [
    "assessor_identity",
    "may_rate",
    "may_read_learner",
    "refusal",
    "require_admin",
    "require_advisor",
    "require_assessor_role",
    "require_issuer_staff",
    "require_item_author",
    "require_learner_owner",
    "require_learner_reader",
    "require_user",
]


def require_user(actor: Actor, *, action: str) -> str:
    """The acting user's IRI.

    Raises
    ------
    UnauthenticatedError
        When nobody is signed in.
    """
    if actor.user is None:
        raise UnauthenticatedError(
            f"{action} needs a signed-in user (a session or an API key)",
            details={"action": action},
        )
    return actor.user


def refusal(actor: Actor, action: str, why: str, obj: str | None = None) -> ForbiddenError:
    """The error refusing ``action`` to the actor, saying why (for rules a service composes)."""
    return _refuse(actor, action, obj, why)


def _refuse(actor: Actor, action: str, obj: str | None, why: str) -> ForbiddenError:
    details = {"action": action, "user": actor.user}
    if obj is not None:
        details["object"] = obj
    return ForbiddenError(f"{actor.name} may not {action}: {why}", details=details)


def require_admin(actor: Actor, *, action: str) -> None:
    """Pass an administrator only.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is not an administrator.
    """
    require_user(actor, action=action)
    if not actor.is_admin:
        raise _refuse(actor, action, None, "only an administrator may")


def require_issuer_staff(actor: Actor, issuers: Iterable[str], *, action: str) -> None:
    """Pass staff of every issuer of ``issuers`` (the owners of what is written).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is not staff of one of them.
    """
    require_user(actor, action=action)
    if actor.is_admin:
        return
    for issuer in sorted(set(issuers)):
        if not actor.holds(Role.ISSUER, issuer):
            raise _refuse(actor, action, issuer, f"not staff of the issuer {issuer}")


def require_item_author(actor: Actor, *, action: str) -> str:
    """The IRI onboarding items are written under: an issuer, an assessor, or the admin user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither issuer staff, an assessor nor an
        administrator.
    """
    user = require_user(actor, action=action)
    authors = sorted(actor.objects(Role.ISSUER) | actor.objects(Role.ASSESSOR))
    if authors:
        return authors[0]
    if actor.is_admin:
        return user
    raise _refuse(actor, action, None, "only issuers' staff and assessors write test items")


def assessor_identity(actor: Actor, panel: Iterable[str], *, action: str) -> str:
    """The assessor IRI, of those sitting on ``panel``, as which the actor assesses.

    An administrator assesses as nobody but themselves either: the assessor is always a
    panel member the acting user is bound to.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user bound to no member of the panel.
    """
    require_user(actor, action=action)
    members = set(panel)
    mine = sorted(actor.objects(Role.ASSESSOR) & members)
    if not mine:
        raise _refuse(actor, action, None, "not an assessor on this submission's panel")
    return mine[0]


def require_assessor_role(actor: Actor, *, action: str) -> str:
    """The assessor IRI (or, for an administrator, the user IRI) results are recorded under.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither an assessor nor an administrator.
    """
    user = require_user(actor, action=action)
    assessors = sorted(actor.objects(Role.ASSESSOR))
    if assessors:
        return assessors[0]
    if actor.is_admin:
        return user
    raise _refuse(actor, action, None, "only an assessor may")


def may_rate(actor: Actor) -> bool:
    """Whether the actor rates tasks of onboarding tests (an assessor or an administrator)."""
    return actor.user is not None and (actor.is_admin or bool(actor.objects(Role.ASSESSOR)))


def require_advisor(actor: Actor, authority: str, *, action: str) -> None:
    """Pass advisors acting for ``authority``.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who does not act for that authority.
    """
    require_user(actor, action=action)
    if not (actor.is_admin or actor.holds(Role.ADVISOR, authority)):
        raise _refuse(actor, action, authority, f"does not act for the authority {authority}")


def require_learner_owner(actor: Actor, learner: str, *, action: str) -> None:
    """Pass the learner themself (the user bound to the learner record).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for any other user.
    """
    require_user(actor, action=action)
    if not (actor.is_admin or actor.holds(Role.LEARNER, learner)):
        raise _refuse(actor, action, learner, "not this learner")


def may_read_learner(
    actor: Actor, learner: str, *, scope: ConsentScope, consents: Iterable[Consent]
) -> bool:
    """Whether the actor may see ``scope`` of a learner's data (owner, admin, or by consent)."""
    if actor.user is None:
        return False
    if actor.is_admin or actor.holds(Role.LEARNER, learner):
        return True
    return any(
        c.active and c.learner == learner and c.grantee == actor.user and scope in c.scopes
        for c in consents
    )


def require_learner_reader(
    actor: Actor, learner: str, *, scope: ConsentScope, consents: Iterable[Consent], action: str
) -> None:
    """Pass whoever may see ``scope`` of the learner's data.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither the learner nor holds their consent.
    """
    require_user(actor, action=action)
    if not may_read_learner(actor, learner, scope=scope, consents=consents):
        raise _refuse(actor, action, learner, f"no consent of this learner for {scope.value}")


# --- Certificates of Impact (issue 18) ----------------------------------------------------------
# A member claims impact for themself (their learner record, else their user); the parties they
# choose confirm it as themselves, never the claimant; the claimant or an administrator issues
# and revokes it; the claimant's consent for proofs opens their claims to others.

__all__ += [
    "impact_claimant",
    "may_read_impact",
    "require_impact_endorser",
    "require_impact_owner",
]


def impact_claimant(actor: Actor, *, action: str) -> str:
    """Whom the actor claims impact for: their learner record, else themself (their user IRI).

    Raises
    ------
    UnauthenticatedError
        When nobody is signed in.
    """
    user = require_user(actor, action=action)
    learners = sorted(actor.objects(Role.LEARNER))
    return learners[0] if learners else user


def _is_claimant(actor: Actor, claimant: str, author: str) -> bool:
    return actor.user in {claimant, author} or actor.holds(Role.LEARNER, claimant)


def require_impact_owner(actor: Actor, claimant: str, *, author: str, action: str) -> None:
    """Pass the claimant (or the user who made the claim) and administrators.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone else.
    """
    require_user(actor, action=action)
    if not (actor.is_admin or _is_claimant(actor, claimant, author)):
        raise _refuse(actor, action, claimant, "not the claimant")


def require_impact_endorser(
    actor: Actor, claimant: str, *, author: str, endorsers: Iterable[str], action: str
) -> str:
    """The user IRI an endorsement is recorded under: one of the endorsers the claimant chose.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, for the claimant themself (never their own endorser, not even as an
        administrator), and for a user the claimant did not ask.
    """
    user = require_user(actor, action=action)
    if _is_claimant(actor, claimant, author):
        raise _refuse(actor, action, claimant, "the claimant may not endorse their own claim")
    if user not in set(endorsers):
        raise _refuse(actor, action, claimant, "not an endorser the claimant asked")
    return user


def may_read_impact(
    actor: Actor,
    claimant: str,
    *,
    author: str,
    endorsers: Iterable[str],
    consents: Iterable[Consent],
) -> bool:
    """Whether the actor may see a claim: its claimant, its endorsers, admins, by consent."""
    if actor.user is None:
        return False
    if actor.is_admin or _is_claimant(actor, claimant, author) or actor.user in set(endorsers):
        return True
    return may_read_learner(actor, claimant, scope=ConsentScope.PROOFS, consents=consents)
