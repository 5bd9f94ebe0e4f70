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
  learner's data only under the learner's active consent for that part of it, and a mentor
  only while a group links them to the learner;
- a group is run by its leader (or an administrator); its leader and mentors see its progress,
  counted over the learners who share it; a mentor recommends only to learners the group links
  them to; a recommendation is read by its learner and its mentor, decided by the learner;
- the Assembly is public to read; any signed-in user asks, answers, votes and reports; only a
  post's author edits it, only the asker accepts an answer, only an advisor or a mentor
  verifies one, only an administrator (the moderator) hides a post or sees a hidden one;
- a consultation (a question to an issuer) is asked by a learner or a mentor, answered by the
  asker and the issuer's staff only, and read by them, by whom the asker shares it with, or by
  everyone once the asker makes it public;
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
    "may_see_consultation",
    "may_see_post",
    "refusal",
    "require_admin",
    "require_advisor",
    "require_assessor_role",
    "require_consultation_asker",
    "require_consultation_party",
    "require_group_leader",
    "require_group_staff",
    "require_issuer_staff",
    "require_item_author",
    "require_learner_owner",
    "require_learner_reader",
    "require_linked_mentor",
    "require_post_author",
    "require_recommendation_reader",
    "require_user",
    "require_verifier",
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
    actor: Actor,
    learner: str,
    *,
    scope: ConsentScope,
    consents: Iterable[Consent],
    mentors: Iterable[str] = (),
) -> bool:
    """Whether the actor may see ``scope`` of a learner's data (owner, admin, or by consent).

    A user holding the mentor role reads by consent only while a group links them to the
    learner as mentor (``mentors``: the users linked so, see ``graph.services.groups.links``):
    a consent alone, or a link alone, opens nothing to a mentor.
    """
    if actor.user is None:
        return False
    if actor.is_admin or actor.holds(Role.LEARNER, learner):
        return True
    if actor.objects(Role.MENTOR) and actor.user not in set(mentors):
        return False
    return any(
        c.active and c.learner == learner and c.grantee == actor.user and scope in c.scopes
        for c in consents
    )


def require_learner_reader(
    actor: Actor,
    learner: str,
    *,
    scope: ConsentScope,
    consents: Iterable[Consent],
    action: str,
    mentors: Iterable[str] = (),
) -> None:
    """Pass whoever may see ``scope`` of the learner's data.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither the learner nor holds their consent (and,
        for a mentor, is not linked to the learner in a group).
    """
    require_user(actor, action=action)
    if not may_read_learner(actor, learner, scope=scope, consents=consents, mentors=mentors):
        raise _refuse(actor, action, learner, f"no consent of this learner for {scope.value}")


def require_post_author(actor: Actor, author: str, *, action: str) -> str:
    """Pass the author of a post (an asker accepting an answer), an administrator; the user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone but the author.
    """
    user = require_user(actor, action=action)
    if not (actor.is_admin or user == author):
        raise _refuse(actor, action, None, f"only the author of the post may {action}")
    return user


def require_verifier(actor: Actor, *, action: str) -> str:
    """The grant (``advisor:<authority>``, ``mentor:<group>``, ``admin``) an answer is verified as.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither an advisor nor a mentor.
    """
    require_user(actor, action=action)
    for role in (Role.ADVISOR, Role.MENTOR):
        bound = sorted(actor.objects(role))
        if bound:
            return f"{role.value}:{bound[0]}"
    if actor.is_admin:
        return Role.ADMIN.value
    raise _refuse(actor, action, None, "only an advisor or a mentor may")


def may_see_post(actor: Actor, author: str, *, hidden: bool) -> bool:
    """Whether the actor sees a post: everyone a visible one, its author and admins a hidden one."""
    return not hidden or actor.is_admin or (actor.user is not None and actor.user == author)


# -- issuer consultations (issue 17 point 2) ----------------------------------------------------


def may_see_consultation(
    actor: Actor, *, asker: str, issuer: str, public: bool, shared_with: Iterable[str]
) -> bool:
    """Whether the actor reads a consultation (everyone a public one).

    A private one is read by its asker, the issuer's staff, the users the asker shares it
    with, and administrators.
    """
    if public or actor.is_admin:
        return True
    if actor.user is None:
        return False
    return actor.user == asker or actor.holds(Role.ISSUER, issuer) or actor.user in shared_with


def require_consultation_asker(actor: Actor, *, action: str) -> str:
    """Pass a learner or a mentor (or an administrator), who ask issuers; the user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for a user who is neither a learner nor a mentor.
    """
    user = require_user(actor, action=action)
    if not (actor.is_admin or actor.holds(Role.LEARNER) or actor.holds(Role.MENTOR)):
        raise _refuse(actor, action, None, "only a learner or a mentor asks an issuer")
    return user


def require_consultation_party(actor: Actor, *, asker: str, issuer: str, action: str) -> str:
    """Pass the asker of a consultation and the staff of its issuer (who alone answer); the user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone else (a user it is shared with reads it, but does not answer).
    """
    user = require_user(actor, action=action)
    if not (actor.is_admin or user == asker or actor.holds(Role.ISSUER, issuer)):
        raise _refuse(actor, action, issuer, "only the asker and the issuer's staff answer it")
    return user


# --- groups (graph.services.groups) --------------------------------------------------------


def require_group_leader(actor: Actor, group: str, *, action: str) -> str:
    """Pass the leader of ``group`` (``group_leader`` of its IRI) or an administrator; the user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone who does not lead this group.
    """
    user = require_user(actor, action=action)
    if not (actor.is_admin or actor.holds(Role.GROUP_LEADER, group)):
        raise _refuse(actor, action, group, "not the leader of this group")
    return user


def require_group_staff(actor: Actor, group: str, mentors: Iterable[str], *, action: str) -> str:
    """Pass the group's leader, one of its ``mentors`` (user IRIs), an administrator; the user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone who neither leads nor mentors in this group.
    """
    user = require_user(actor, action=action)
    if actor.is_admin or actor.holds(Role.GROUP_LEADER, group) or user in set(mentors):
        return user
    raise _refuse(actor, action, group, "neither the leader nor a mentor of this group")


def require_linked_mentor(actor: Actor, learner: str, linked: Iterable[str], *, action: str) -> str:
    """Pass a mentor the group links to ``learner`` (``linked``: those mentors), an admin; the user.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone the group does not link to this learner as their mentor.
    """
    user = require_user(actor, action=action)
    if not (actor.is_admin or user in set(linked)):
        raise _refuse(actor, action, learner, "not a mentor of this learner in this group")
    return user


def require_recommendation_reader(actor: Actor, learner: str, mentor: str, *, action: str) -> None:
    """Pass the learner a recommendation is for, the mentor who made it, an administrator.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone else.
    """
    user = require_user(actor, action=action)
    if not (actor.is_admin or actor.holds(Role.LEARNER, learner) or user == mentor):
        raise _refuse(actor, action, learner, "neither this learner nor their mentor")


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
    mentors: Iterable[str] = (),
) -> bool:
    """Whether the actor may see a claim: its claimant, its endorsers, admins, by consent.

    A mentor reads by consent only while a group links them to the claimant, as for every
    other part of a learner's data (:func:`may_read_learner`, ``mentors``).
    """
    if actor.user is None:
        return False
    if actor.is_admin or _is_claimant(actor, claimant, author) or actor.user in set(endorsers):
        return True
    return may_read_learner(
        actor, claimant, scope=ConsentScope.PROOFS, consents=consents, mentors=mentors
    )
