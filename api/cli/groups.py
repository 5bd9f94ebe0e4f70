"""Commands of groups: ``group create|change|show|share|progress|recommend|recommendations|decide``.

The same services as ``/v1/groups`` and ``/v1/recommendations``; ``--json`` prints the API's
schema. Act as a user with ``--as`` (a group leader, a mentor, a learner).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from api.cli.common import Commands, actor, add_json, emit_json, out, runtime

if TYPE_CHECKING:
    from api.schemas.groups import GroupPublic
    from graph.model.groups import Group, Recommendation
    from graph.services.groups.groups import GroupSpec

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add the ``group`` group."""
    group = commands.group("group", help="Groups of learners, mentors' recommendations, progress.")
    for name, handler, text in (
        ("create", run_create, "Create a group (its leader, or the operator)."),
        ("change", run_change, "Change a group's name, kind, people, links, targets (its leader)."),
    ):
        parser = group.command(name, handler, help=text)
        parser.add_argument("slug", metavar="GROUP", help="the group's id (a-z, 0-9, '-')")
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", default="cohort", help="cohort, apprenticeship, programme")
        parser.add_argument("--mentor", action="append", default=[], help="a user name (repeat)")
        parser.add_argument("--learner", action="append", default=[], help="a learner IRI")
        parser.add_argument(
            "--link", action="append", default=[], metavar="MENTOR=LEARNER", help="link (repeat)"
        )
        parser.add_argument(
            "--target", action="append", default=[], help="occupation:IRI or credential:IRI"
        )
        add_json(parser)
    show = group.command("show", run_show, help="A group (its leader, its mentors).")
    show.add_argument("slug", metavar="GROUP")
    add_json(show)
    progress = group.command(
        "progress", run_progress, help="A group's progress (counted learners)."
    )
    progress.add_argument("slug", metavar="GROUP")
    add_json(progress)
    share = group.command("share", run_share, help="Whether a learner is counted (the learner).")
    share.add_argument("slug", metavar="GROUP")
    share.add_argument("--learner", required=True)
    share.add_argument("--off", action="store_true", help="stop sharing")
    add_json(share)
    _register_recommendations(group)


def _register_recommendations(group: Commands) -> None:
    rec = group.command("recommend", run_recommend, help="Recommend to a learner (their mentor).")
    rec.add_argument("slug", metavar="GROUP")
    rec.add_argument("--learner", required=True)
    rec.add_argument("--kind", required=True, choices=("target", "pathway", "step"))
    rec.add_argument("--reason", required=True)
    rec.add_argument("--target")
    rec.add_argument("--steps", nargs="*", default=[], help="credential IRIs in order (pathway)")
    rec.add_argument("--step", help="the credential a step note is about")
    rec.add_argument("--before", help="the credential the step should come before")
    rec.add_argument("--note")
    add_json(rec)
    listing = group.command(
        "recommendations", run_recommendations, help="A learner's recommendations and target."
    )
    listing.add_argument("--learner", required=True)
    add_json(listing)
    decide = group.command("decide", run_decide, help="Accept or decline one (the learner).")
    decide.add_argument("rec_id", metavar="RECOMMENDATION", help="its id (last part of its IRI)")
    decide.add_argument("--decline", action="store_true")
    add_json(decide)


def _spec(args: argparse.Namespace) -> GroupSpec:
    from graph.errors import InvalidInputError
    from graph.services.groups.groups import GroupSpec

    links = []
    for i, text in enumerate(args.link):
        mentor, sep, learner = text.partition("=")
        if not sep:
            raise InvalidInputError(
                f"links[{i}]: expected MENTOR=LEARNER, got {text[:100]!r}",
                details={"field": f"links[{i}]"},
            )
        links.append((mentor, learner))
    return GroupSpec(args.name, args.kind, args.mentor, args.learner, links, args.target)


def _print_group(group: GroupPublic) -> None:
    out.print(f"[bold]{group.name}[/bold] ({group.kind}) {group.id}", highlight=False)
    out.print(f"  mentors: {', '.join(group.mentors) or '-'}", highlight=False)
    for m in group.members:
        mentors = [k.mentor for k in group.links if k.learner == m.learner]
        shares = "shares progress" if m.shares_progress else "does not share"
        out.print(f"  {m.learner}: {shares}; mentors {', '.join(mentors) or '-'}", highlight=False)
    out.print(f"  targets: {', '.join(group.targets) or '-'}", highlight=False)


def _emit_group(args: argparse.Namespace, group: Group) -> None:
    from api.schemas.groups import GroupPublic

    public = GroupPublic.from_domain(group)
    if args.as_json:
        emit_json(public)
    else:
        _print_group(public)


def run_create(args: argparse.Namespace) -> None:
    """Create a group."""
    from graph.services.groups.groups import create_group

    spec = _spec(args)
    with runtime() as rt:
        made = create_group(
            rt.store, actor=actor(), slug=args.slug, spec=spec, base_iri=rt.settings.base_iri
        )
    _emit_group(args, made)


def run_change(args: argparse.Namespace) -> None:
    """Change a group."""
    from graph.services.groups.groups import group_iri, replace_group

    spec = _spec(args)
    with runtime() as rt:
        base = rt.settings.base_iri
        changed = replace_group(
            rt.store, group_iri(args.slug, base_iri=base), actor=actor(), spec=spec, base_iri=base
        )
    _emit_group(args, changed)


def run_show(args: argparse.Namespace) -> None:
    """Show a group."""
    from graph.services.groups.groups import get_group, group_iri

    with runtime() as rt:
        found = get_group(
            rt.store, group_iri(args.slug, base_iri=rt.settings.base_iri), actor=actor()
        )
    _emit_group(args, found)


def run_share(args: argparse.Namespace) -> None:
    """Turn a learner's sharing with a group on or off."""
    from graph.services.groups.groups import group_iri, set_sharing

    with runtime() as rt:
        changed = set_sharing(
            rt.store,
            group_iri(args.slug, base_iri=rt.settings.base_iri),
            actor=actor(),
            learner=args.learner,
            shares=not args.off,
        )
    _emit_group(args, changed)


def run_progress(args: argparse.Namespace) -> None:
    """Print a group's progress."""
    from api.schemas.groups import ProgressPublic
    from graph.services.groups.groups import group_iri
    from graph.services.groups.progress import group_progress

    with runtime() as rt:
        found = group_progress(
            rt.store, group_iri(args.slug, base_iri=rt.settings.base_iri), actor=actor()
        )
    public = ProgressPublic.from_domain(found)
    if args.as_json:
        emit_json(public)
        return
    out.print(f"[bold]{public.name}[/bold]: {public.counted} of {public.members} learners counted")
    for t in public.targets:
        points = ", ".join(f"{p.date}: {p.percent}%" for p in t.points)
        out.print(f"  {t.label} ({t.required} skills): {points}", highlight=False)
    for g in public.gaps:
        out.print(f"  gap: {g.label} — missing for {g.missing}", highlight=False)
    for c in public.credentials:
        out.print(f"  taken: {c.title} — {c.learners}", highlight=False)


def _emit_recommendation(args: argparse.Namespace, made: Recommendation) -> None:
    from api.schemas.groups import RecommendationPublic

    public = RecommendationPublic.from_domain(made)
    if args.as_json:
        emit_json(public)
    else:
        what = public.target or public.step or ""
        out.print(
            f"{public.id} {public.kind} {what} [{public.status}]: {public.reason}", highlight=False
        )


def run_recommend(args: argparse.Namespace) -> None:
    """Recommend to a learner."""
    from graph.services.groups.groups import group_iri
    from graph.services.groups.recommendations import recommend

    with runtime() as rt:
        made = recommend(
            rt.store,
            actor=actor(),
            group=group_iri(args.slug, base_iri=rt.settings.base_iri),
            learner=args.learner,
            kind=args.kind,
            reason=args.reason,
            target=args.target,
            steps=args.steps,
            step=args.step,
            before=args.before,
            note=args.note,
            base_iri=rt.settings.base_iri,
        )
    _emit_recommendation(args, made)


def run_recommendations(args: argparse.Namespace) -> None:
    """List a learner's recommendations."""
    from api.schemas.groups import RecommendationPublic, RecommendationsPublic
    from graph.services.groups.recommendations import learner_target, list_recommendations

    with runtime() as rt:
        found = list_recommendations(rt.store, actor=actor(), learner=args.learner)
        target = learner_target(rt.store, actor=actor(), learner=args.learner)
    public = RecommendationsPublic(
        recommendations=[RecommendationPublic.from_domain(r) for r in found],
        target=None if target is None else target.target,
    )
    if args.as_json:
        emit_json(public)
        return
    out.print(f"target: {public.target or '-'}", highlight=False)
    for r in public.recommendations:
        out.print(
            f"{r.id} {r.kind} {r.target or r.step or ''} [{r.status}] by {r.mentor}: {r.reason}",
            highlight=False,
        )


def run_decide(args: argparse.Namespace) -> None:
    """Accept or decline a recommendation."""
    from graph.services.groups.recommendations import decide_recommendation

    with runtime() as rt:
        iri = f"{rt.settings.base_iri.rstrip('/')}/recommendation/{args.rec_id}"
        decided = decide_recommendation(rt.store, iri, actor=actor(), accept=not args.decline)
    _emit_recommendation(args, decided)
