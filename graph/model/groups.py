"""Groups of learners, their mentors, and mentors' recommendations to learners.

A **group** (a cohort, an apprenticeship, a programme) is run by its group leader (a user
holding ``group_leader`` of the group's IRI, ``{base}/group/<slug>``). It names its mentors
(user IRIs), its learners (learner IRIs, each with whether they share their progress with the
group), which mentor is linked to which learner, and the targets the group works towards
(``occupation:IRI`` or ``credential:IRI``, as :mod:`graph.services.pathways.targets` reads them).

A **recommendation** is what a mentor linked to a learner tells them: a target to aim at, a
pathway (credentials in order) towards a target, or a note on a step of their pathway ("take X
before Y", "recognised by your employer"), always with a reason. The learner accepts or
declines it; an accepted target becomes their target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "MAX_GROUP_ITEMS",
    "MAX_TEXT",
    "Group",
    "GroupKind",
    "Member",
    "MentorLink",
    "Recommendation",
    "RecommendationKind",
    "RecommendationStatus",
    "group_from_document",
    "group_to_document",
    "recommendation_from_document",
    "recommendation_to_document",
]

#: The most mentors, learners, links or targets a group names.
MAX_GROUP_ITEMS = 500
#: The longest reason or note, in characters.
MAX_TEXT = 2000


class GroupKind(StrEnum):
    """What a group is."""

    COHORT = "cohort"
    APPRENTICESHIP = "apprenticeship"
    PROGRAMME = "programme"


@dataclass(frozen=True, slots=True)
class Member:
    """A learner of a group; ``shares_progress`` is the learner's own consent to be counted."""

    learner: str
    shares_progress: bool = False


@dataclass(frozen=True, slots=True)
class MentorLink:
    """A mentor (user IRI) of the group linked to one of its learners."""

    mentor: str
    learner: str


@dataclass(frozen=True, slots=True)
class Group:
    """A group of learners with its mentors, their links, and the group's targets."""

    id: str
    name: str
    kind: GroupKind
    created_at: str
    created_by: str
    mentors: tuple[str, ...] = ()
    members: tuple[Member, ...] = ()
    links: tuple[MentorLink, ...] = ()
    targets: tuple[str, ...] = ()

    @property
    def learners(self) -> tuple[str, ...]:
        """The learners' IRIs."""
        return tuple(m.learner for m in self.members)

    def mentors_of(self, learner: str) -> frozenset[str]:
        """The mentors linked to ``learner`` in this group."""
        return frozenset(link.mentor for link in self.links if link.learner == learner)


class RecommendationKind(StrEnum):
    """What a mentor recommends."""

    TARGET = "target"
    PATHWAY = "pathway"
    STEP = "step"


class RecommendationStatus(StrEnum):
    """Where the learner is with a recommendation."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A mentor's recommendation to a learner, with the reason; the learner decides on it.

    ``target`` is set for a target and a pathway; ``steps`` are the credentials of a pathway in
    order; ``step`` is the credential a note is about, ``before`` the one it should come before,
    ``note`` what the mentor says about the step.
    """

    id: str
    group: str
    learner: str
    mentor: str
    kind: RecommendationKind
    reason: str
    created_at: str
    target: str | None = None
    steps: tuple[str, ...] = ()
    step: str | None = None
    before: str | None = None
    note: str | None = None
    status: RecommendationStatus = RecommendationStatus.OPEN
    decided_at: str | None = None


def group_to_document(g: Group) -> dict[str, Any]:
    """The group as a JSON-serialisable document."""
    return {
        "id": g.id,
        "name": g.name,
        "kind": g.kind.value,
        "created_at": g.created_at,
        "created_by": g.created_by,
        "mentors": list(g.mentors),
        "members": [
            {"learner": m.learner, "shares_progress": m.shares_progress} for m in g.members
        ],
        "links": [{"mentor": k.mentor, "learner": k.learner} for k in g.links],
        "targets": list(g.targets),
    }


def group_from_document(doc: Mapping[str, Any]) -> Group:
    """The group a stored document holds."""
    return Group(
        id=doc["id"],
        name=doc["name"],
        kind=GroupKind(doc["kind"]),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        mentors=tuple(doc.get("mentors", ())),
        members=tuple(
            Member(m["learner"], bool(m.get("shares_progress"))) for m in doc.get("members", ())
        ),
        links=tuple(MentorLink(k["mentor"], k["learner"]) for k in doc.get("links", ())),
        targets=tuple(doc.get("targets", ())),
    )


_OPTIONAL = ("target", "step", "before", "note", "decided_at")


def recommendation_to_document(r: Recommendation) -> dict[str, Any]:
    """The recommendation as a JSON-serialisable document."""
    doc: dict[str, Any] = {
        "id": r.id,
        "group": r.group,
        "learner": r.learner,
        "mentor": r.mentor,
        "kind": r.kind.value,
        "reason": r.reason,
        "created_at": r.created_at,
        "steps": list(r.steps),
        "status": r.status.value,
    }
    doc |= {k: getattr(r, k) for k in _OPTIONAL if getattr(r, k) is not None}
    return doc


def recommendation_from_document(doc: Mapping[str, Any]) -> Recommendation:
    """The recommendation a stored document holds."""
    return Recommendation(
        id=doc["id"],
        group=doc["group"],
        learner=doc["learner"],
        mentor=doc["mentor"],
        kind=RecommendationKind(doc["kind"]),
        reason=doc["reason"],
        created_at=doc["created_at"],
        steps=tuple(doc.get("steps", ())),
        status=RecommendationStatus(doc.get("status", "open")),
        **{k: doc.get(k) for k in _OPTIONAL},
    )
