"""The home page's sections: what waits for each of the user's roles.

Each role's section is read through the services with the user as the actor, so a section
shows only what the user may see: an assessor's submissions still to assess, an issuer's
credentials with skill suggestions to review, an advisor's latest decisions, a mentor's
learners, a learner's next step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from graph.model.accounts import Actor, Role
from graph.model.credentials import SkillStatus
from graph.model.submissions import SubmissionStatus
from graph.services.accounts import consents_to
from graph.services.assembly.consultations import ConsultationItem, inbox, my_consultations
from graph.services.assembly.listing import recent_questions
from graph.services.catalogue.credentials import get_credentials, list_credentials
from graph.services.equivalence.recognition import list_decisions
from graph.services.groups.groups import my_groups
from graph.services.impact.claims import claims_to_endorse
from graph.services.onboarding.attempts import tasks_to_rate
from graph.services.pathways.learners import learner_exists
from graph.services.proofs.submissions import list_submissions
from graph.store import GraphStore

__all__ = ["HomeItem", "HomeSection", "home_sections"]

#: At most this many items per section; the section links to the whole list.
SHOWN = 8


@dataclass(frozen=True, slots=True)
class HomeItem:
    """One thing that waits: a link, what it is, and a note (a status, a count)."""

    href: str
    text: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class HomeSection:
    """What waits for one role, with a link to the role's page."""

    title: str
    empty: str
    more: str
    items: list[HomeItem] = field(default_factory=list)


def _path(prefix: str, iri: str) -> str:
    return prefix + quote(iri, safe=":/")


def _assessor(store: GraphStore, actor: Actor) -> HomeSection:
    waiting = [
        view
        for seat in sorted(actor.objects(Role.ASSESSOR))
        for view in list_submissions(store, actor=actor, assessor=seat)
        if view.status in {SubmissionStatus.SUBMITTED, SubmissionStatus.IN_ASSESSMENT}
        and seat not in view.latest
    ]
    items = [
        HomeItem(
            f"/assess/{v.submission.id.rpartition('/')[2]}",
            v.submission.credential,
            f"submitted {v.submission.submitted_at[:10]}",
        )
        for v in waiting[:SHOWN]
    ]
    tasks = tasks_to_rate(store, actor=actor)
    if tasks:  # onboarding tests: task evidence waiting for a rating
        items.append(HomeItem("/onboarding/ratings", "Onboarding tasks to rate", f"{len(tasks)}"))
    return HomeSection("Submissions to assess", "Nothing to assess.", "/assess", items)


def _issuer(store: GraphStore, actor: Actor) -> HomeSection:
    items = []
    for issuer in sorted(actor.objects(Role.ISSUER)):
        for credential in list_credentials(store, where={"issuer": issuer}):
            pending = sum(s.status is SkillStatus.SUGGESTED for s in credential.skills)
            if pending:
                href = "/catalogue/mapping?id=" + quote(credential.id, safe="")
                items.append(HomeItem(href, credential.title, f"{pending} suggestions to review"))
    return HomeSection(
        "Skill suggestions to review", "Every suggestion is reviewed.", "/catalogue", items[:SHOWN]
    )


def _advisor(store: GraphStore, actor: Actor) -> HomeSection:
    decisions = [
        d
        for authority in sorted(actor.objects(Role.ADVISOR))
        for d in list_decisions(store, authority=authority)
    ]
    decisions.sort(key=lambda d: d.decided_at, reverse=True)
    shown = decisions[: SHOWN - 1]
    titles = {i: c.title for i, c in get_credentials(store, {d.credential for d in shown}).items()}
    items = [HomeItem("/recognitions/new", "Record a recognition decision", "for your authority")]
    items += [
        HomeItem(
            _path("/recognitions/", d.id),
            titles.get(d.credential, d.credential),
            f"{d.outcome.value} in {d.to_jurisdiction}, {d.decided_at[:10]}",
        )
        for d in shown
    ]
    return HomeSection(
        "Your authority's latest decisions", "No decision recorded yet.", "/recognitions", items
    )


def _mentor(store: GraphStore, actor: Actor) -> HomeSection:
    consents = consents_to(store, actor=actor)
    items = [
        HomeItem(_path("/mentees/", c.learner), c.learner, ", ".join(s.value for s in c.scopes))
        for c in consents[:SHOWN]
    ]
    return HomeSection(
        "Learners who share their path with you",
        "No learner shares their path with you yet.",
        "/mentees",
        items,
    )


def _learner(store: GraphStore, actor: Actor) -> HomeSection:
    items = []
    for learner in sorted(actor.objects(Role.LEARNER)):
        if not learner_exists(store, learner):
            items.append(HomeItem("/me", "Tell us what you can do", "start your profile"))
            continue
        for view in list_submissions(store, actor=actor, learner=learner):
            items.append(
                HomeItem(
                    f"/me/submissions/{view.submission.id.rpartition('/')[2]}",
                    view.submission.credential,
                    view.status.value.replace("_", " "),
                )
            )
        items.append(HomeItem("/me/pathway", "Plan your next step", "pathway"))
        items.append(HomeItem("/me/onboarding", "Take an onboarding test", "your first scores"))
    return HomeSection("Your next step", "", "/me", items[:SHOWN])


# -- issuer consultation (issue 17 point 2) --------------------------------------------------


def _consultation_items(items: list[ConsultationItem]) -> list[HomeItem]:
    return [
        HomeItem(
            f"/consultations/{i.question.id.rpartition('/')[2]}",
            i.question.title,
            "answered" if i.answered else "waiting for the issuer",
        )
        for i in items[:SHOWN]
    ]


def _questions_to_us(store: GraphStore, actor: Actor) -> HomeSection:
    return HomeSection(
        "Questions to us",
        "No question from learners or mentors yet.",
        "/catalogue/questions",
        _consultation_items(inbox(store, actor=actor, limit=SHOWN)),
    )


def _my_questions(store: GraphStore, actor: Actor) -> HomeSection:
    return HomeSection(
        "Your questions to issuers",
        "Ask an issuer from a credential's page.",
        "/me/questions",
        _consultation_items(my_consultations(store, actor=actor, limit=SHOWN)),
    )


def _groups(store: GraphStore, actor: Actor) -> HomeSection:
    items = [
        HomeItem(f"/groups/{g.id.rpartition('/')[2]}", g.name, f"{len(g.members)} learners")
        for g in my_groups(store, actor=actor)[:SHOWN]
    ]
    return HomeSection("Your groups", "You run no group yet.", "/groups", items)


_SECTIONS: tuple[tuple[Role, Callable[[GraphStore, Actor], HomeSection]], ...] = (
    (Role.LEARNER, _learner),
    (Role.ASSESSOR, _assessor),
    (Role.ISSUER, _issuer),
    (Role.ADVISOR, _advisor),
    (Role.MENTOR, _mentor),
    (Role.ISSUER, _questions_to_us),
    (Role.LEARNER, _my_questions),
    (Role.GROUP_LEADER, _groups),
)


# Certificates of Impact (issue 18): the claims a user was asked to confirm, whatever their role.
def _impact(store: GraphStore, actor: Actor) -> HomeSection:
    items = [
        HomeItem(f"/impact/{c.id.rpartition('/')[2]}", c.title, f"for {c.beneficiary}")
        for c in claims_to_endorse(store, actor=actor)[:SHOWN]
    ]
    return HomeSection("Impact to confirm", "", "/impact", items)


def _assembly(store: GraphStore, actor: Actor) -> HomeSection:
    """The Assembly (every signed-in user): a way to ask, and the user's newest questions."""
    mine = recent_questions(store, actor=actor, limit=SHOWN - 1, author=actor.user)
    items = [HomeItem("/assembly/ask", "Ask the Assembly a question", "about the graph")]
    items += [
        HomeItem(
            f"/assembly/questions/{q.id.rpartition('/')[2]}",
            q.title,
            "verified answer" if q.verified else "accepted answer" if q.accepted else "asked",
        )
        for q in mine
    ]
    return HomeSection("Your questions to the Assembly", "", "/assembly", items)


def home_sections(store: GraphStore, actor: Actor) -> list[HomeSection]:
    """The sections of the user's roles, in a fixed order (none for a visitor)."""
    sections = [section(store, actor) for role, section in _SECTIONS if actor.holds(role)]
    if not actor.authenticated:
        return sections
    asked = _impact(store, actor)
    return [*sections, _assembly(store, actor)] + ([asked] if asked.items else [])
