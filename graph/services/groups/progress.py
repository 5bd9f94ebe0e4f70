"""A group's progress for its leader and mentors: coverage of targets, common gaps, credentials.

**Privacy.** Only learners who said they share their progress with the group (their own
membership consent, :func:`graph.services.groups.groups.set_sharing`, off when they join and
revocable) are counted; everyone else is absent from every figure. The figures are aggregates
over those learners — a share of required skills met, a number of learners missing a skill or
having taken a credential — and name no learner; the number of members and the number counted
are shown, so a reader knows how many learners a figure stands for.

**Coverage over time.** What a learner holds at a date: their competences dated on or before
it (an undated one always), the confirmed skills of the credentials on their record, and those
of the credentials of their Proofs of Competence issued on or before it (a revoked proof does
not count). A required skill is met when one of those has no level, the requirement none, or
a level at least the required one (levels as recorded, without the decay of the pathway
rule). A target's coverage at a date is the mean, over the counted learners, of the share of
its required skills they meet. A new proof therefore raises the coverage from its date on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from graph.algorithms.gaps import Requirement
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.model.learner_documents import learner_from_document
from graph.services import policy
from graph.services.catalogue.credentials import get_credentials
from graph.services.groups.groups import read_group
from graph.services.pathways.targets import parse_target, resolve_target
from graph.store import GraphStore

__all__ = [
    "CredentialTaken",
    "GroupProgress",
    "SkillGap",
    "TargetCoverage",
    "group_progress",
]

#: How many dates the coverage is drawn at (a month apart, ending today).
POINTS = 6
_TOP = 10

#: A piece of evidence: a skill, its level (None: any), its date (None: always).
Evidence = tuple[str, int | None, dt.date | None]


@dataclass(frozen=True, slots=True)
class TargetCoverage:
    """A target of the group and its coverage (percent) at each date."""

    target: str
    label: str
    required: int
    points: tuple[tuple[dt.date, float], ...]


@dataclass(frozen=True, slots=True)
class SkillGap:
    """A skill the group's targets require and how many counted learners miss it."""

    skill: str
    label: str
    missing: int


@dataclass(frozen=True, slots=True)
class CredentialTaken:
    """A credential and how many counted learners took it (a submission or a proof)."""

    credential: str
    title: str
    learners: int


@dataclass(frozen=True, slots=True)
class GroupProgress:
    """The group's progress over the learners who share it (see the module's docstring)."""

    group: str
    name: str
    members: int
    counted: int
    targets: tuple[TargetCoverage, ...]
    gaps: tuple[SkillGap, ...]
    credentials: tuple[CredentialTaken, ...]


def _day(text: str | None) -> dt.date | None:
    return None if not text else dt.date.fromisoformat(text[:10])


def _evidence(store: GraphStore, learner: str) -> tuple[list[Evidence], set[str]]:
    """What the learner holds, dated, and the credentials they took."""
    record = store.get_records([learner], kind=NodeKind.LEARNER).get(learner)
    found: list[Evidence] = []
    dated: list[tuple[str, dt.date | None]] = []
    if record is not None:
        held = learner_from_document(record.body)
        found += [(c.skill, c.level, c.date) for c in held.competences]
        dated += [(uri, None) for uri in held.credentials]
    proofs = store.list_records(kind=NodeKind.PROOF, where={"record": "proof", "learner": learner})
    dated += [
        (p.body["credential"], _day(p.body["issued_at"])) for p in proofs if not p.body["revoked"]
    ]
    credentials = get_credentials(store, [uri for uri, _ in dated])
    for uri, day in dated:
        if uri in credentials:
            found += [(s.uri, s.level, day) for s in credentials[uri].confirmed_skills]
    submissions = store.list_records(
        kind=NodeKind.SUBMISSION, where={"record": "submission", "learner": learner}
    )
    taken = {str(s.index["credential"]) for s in submissions} | {uri for uri, _ in dated}
    return found, taken


def _meets(evidence: Iterable[Evidence], need: Requirement, day: dt.date) -> bool:
    return any(
        skill == need.skill
        and (when is None or when <= day)
        and (need.level is None or level is None or level >= need.level)
        for skill, level, when in evidence
    )


def _coverage(
    label: str,
    target: str,
    needs: list[Requirement],
    held: list[list[Evidence]],
    days: list[dt.date],
) -> TargetCoverage:
    points: list[tuple[dt.date, float]] = []
    for day in days:
        shares = [sum(_meets(ev, n, day) for n in needs) / len(needs) for ev in held if needs]
        points.append((day, round(100 * sum(shares) / len(shares), 1) if shares else 0.0))
    return TargetCoverage(target, label, len(needs), tuple(points))


def group_progress(
    store: GraphStore, iri: str, *, actor: Actor, today: dt.date | None = None
) -> GroupProgress:
    """The group's progress, for its leader, its mentors and administrators.

    Raises
    ------
    NotFoundError, UnauthenticatedError, ForbiddenError
        For no such group, nobody, anyone who neither leads nor mentors in it.
    """
    group, _ = read_group(store, iri)
    policy.require_group_staff(actor, iri, group.mentors, action="see this group's progress")
    end = today or dt.date.today()
    days = [end - dt.timedelta(days=30 * k) for k in range(POINTS - 1, -1, -1)]
    counted = [m.learner for m in group.members if m.shares_progress]
    facts = [_evidence(store, learner) for learner in counted]
    held = [ev for ev, _ in facts]
    coverage: list[TargetCoverage] = []
    missing: Counter[str] = Counter()
    for text in group.targets:
        spec = resolve_target(store, parse_target(text))
        needs = list({r.skill: r for r in spec.requirements if r.required}.values())
        coverage.append(_coverage(spec.label, text, needs, held, days))
        for need in needs:
            missing[need.skill] += sum(not _meets(ev, need, end) for ev in held)
    labels = {u: c.preferred_label() for u, c in store.get_concepts(missing).items()}
    gaps = [SkillGap(s, labels.get(s, s), n) for s, n in missing.most_common() if n][:_TOP]
    taken = Counter(uri for _, credentials in facts for uri in credentials)
    titles = get_credentials(store, taken)
    ranked = sorted(taken.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP]
    return GroupProgress(
        group=iri,
        name=group.name,
        members=len(group.members),
        counted=len(counted),
        targets=tuple(coverage),
        gaps=tuple(gaps),
        credentials=tuple(
            CredentialTaken(u, titles[u].title if u in titles else u, n) for u, n in ranked
        ),
    )
