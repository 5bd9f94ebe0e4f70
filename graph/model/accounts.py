"""Parties: users with roles bound to objects, their API keys, learners' consents, the actor.

Every party is a user. A user holds **grants**: a role, and for most roles the object it is
bound to — an issuer's staff member is ``issuer`` of that issuer's IRI, an assessor is
``assessor`` of the assessor IRI that assessment panels name, an advisor is ``advisor`` of a
recognition authority, a mentor is ``mentor`` of a group, a group leader is ``group_leader``
of the group they run, a learner is ``learner`` of one learner record; ``admin`` and
``member`` (the community) are bound to nothing. One user may hold several grants.

The **actor** is who makes a request or runs a command: a user with the grants in force (an API
key may narrow them to some roles), or nobody (:data:`ANONYMOUS`). Rules (``graph.services.
policy``) decide from the actor what it may do; what it did is recorded with its user IRI,
never with a name taken from a request body.

A learner's **consent** lets another user (a mentor, an advisor, an employer) see parts of
the learner's data (the scopes), until it is revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ANONYMOUS",
    "BOUND_ROLES",
    "Actor",
    "ApiKey",
    "Consent",
    "ConsentScope",
    "Grant",
    "Role",
    "User",
    "operator",
]


class Role(StrEnum):
    """What a user may be; most roles are bound to an object (:data:`BOUND_ROLES`)."""

    ADMIN = "admin"
    ISSUER = "issuer"
    ASSESSOR = "assessor"
    ADVISOR = "advisor"
    MENTOR = "mentor"
    LEARNER = "learner"
    MEMBER = "member"
    #: Runs a group (graph.model.groups): bound to the group's IRI.
    GROUP_LEADER = "group_leader"


#: Roles that only mean something with their object (an issuer, a panel member, ...).
BOUND_ROLES = frozenset(
    {Role.ISSUER, Role.ASSESSOR, Role.ADVISOR, Role.MENTOR, Role.LEARNER, Role.GROUP_LEADER}
)


@dataclass(frozen=True, slots=True)
class Grant:
    """A role, bound to the IRI of its object for the roles of :data:`BOUND_ROLES`."""

    role: Role
    object: str | None = None

    def __str__(self) -> str:
        return self.role.value if self.object is None else f"{self.role.value}:{self.object}"


@dataclass(frozen=True, slots=True)
class User:
    """An account: a login name, a password hash (Argon2id), grants; a disabled one is shut."""

    id: str
    name: str
    display_name: str
    grants: tuple[Grant, ...] = ()
    password_hash: str | None = None
    disabled: bool = False
    created_at: str | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key for scripts: its public id, the SHA-256 of its secret, the roles it may use."""

    id: str
    user: str
    secret_sha256: str
    roles: tuple[Role, ...]
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None


class ConsentScope(StrEnum):
    """Parts of a learner's data a consent opens."""

    COMPETENCES = "competences"
    GAPS = "gaps"
    PATHWAYS = "pathways"
    SUBMISSIONS = "submissions"
    PROOFS = "proofs"
    #: The career overview: every competence with its evidence, proofs, impact, over time.
    OVERVIEW = "overview"


@dataclass(frozen=True, slots=True)
class Consent:
    """A learner's permission for another user to see some of their data, until revoked."""

    id: str
    learner: str
    grantee: str
    scopes: tuple[ConsentScope, ...]
    granted_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        """Whether the consent is in force."""
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user and the grants in force for this request, or nobody."""

    user: str | None
    name: str
    grants: tuple[Grant, ...] = ()

    @property
    def authenticated(self) -> bool:
        """Whether the actor is a user."""
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        """Whether the actor holds the ``admin`` role."""
        return any(g.role is Role.ADMIN for g in self.grants)

    def objects(self, role: Role) -> frozenset[str]:
        """The objects the actor holds ``role`` of (an issuer staff member's issuers, ...)."""
        return frozenset(g.object for g in self.grants if g.role is role and g.object)

    def holds(self, role: Role, obj: str | None = None) -> bool:
        """Whether the actor holds ``role`` (of ``obj``, for a bound role)."""
        return any(g.role is role and (obj is None or g.object == obj) for g in self.grants)


#: Nobody: the public parts of credwalk only.
ANONYMOUS = Actor(user=None, name="anonymous")


def operator(name: str) -> Actor:
    """The operator of a store on its own machine (the CLI, the server's start-up).

    Whoever runs commands against a store file or database holds it whole; their acts are
    administrator acts, recorded under ``urn:credwalk:operator:<name>``.
    """
    return Actor(user=f"urn:credwalk:operator:{name}", name=name, grants=(Grant(Role.ADMIN),))
