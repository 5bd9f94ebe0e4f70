"""Commands over stored credentials: ``credentials list|show|export``, ``mapping ...``.

Loading credential files is ``credwalk ingest credentials`` (:mod:`api.cli.ingest`).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from api.cli.common import Commands, actor, add_json, bounded_int, emit_json, out, runtime

if TYPE_CHECKING:
    from graph.model.credentials import Credential

__all__ = ["register"]

#: The formats of ``credentials export``: the project's own, then the standard ones.
EXPORT_FORMATS = ("credwalk", "ctdl", "ob3")


def register(commands: Commands) -> None:
    """Add the ``credentials`` and ``mapping`` groups."""
    credentials = commands.group("credentials", help="Read and export stored credentials.")
    listing = credentials.command("list", run_list, help="List stored credentials.")
    listing.add_argument("--jurisdiction")
    listing.add_argument("--issuer")
    listing.add_argument("--industry")
    add_json(listing)
    show = credentials.command(
        "show", run_show, help="Show one credential in the project's own format."
    )
    show.add_argument("credential_id", metavar="CREDENTIAL")
    add_json(show)
    export = credentials.command(
        "export",
        run_export,
        help="Export a credential as CTDL JSON-LD, an Open Badges 3.0 Achievement or the own "
        "format.",
    )
    export.add_argument("credential_id", metavar="CREDENTIAL")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="ctdl")

    mapping = commands.group("mapping", help="Map credentials' outcomes to ESCO; accept or reject.")
    run = mapping.command(
        "run",
        run_mapping,
        help="Suggest ESCO skills for a credential's outcomes (decisions already made are kept).",
    )
    run.add_argument("credential_id", metavar="CREDENTIAL")
    run.add_argument("--top", type=bounded_int(1, 20), default=5, help="matches per outcome")
    add_json(run)
    for name, handler, text in (
        ("accept", run_accept, "Confirm a skill of a credential."),
        ("reject", run_reject, "Reject a suggested skill of a credential."),
    ):
        decide = mapping.command(name, handler, help=text + " (recorded as who acts: --as)")
        decide.add_argument("credential_id", metavar="CREDENTIAL")
        decide.add_argument("skill", metavar="SKILL")
        add_json(decide)


def _own_format(credential: Credential) -> dict[str, Any]:
    from api.schemas.credentials import CredentialPublic

    return CredentialPublic.from_domain(credential).model_dump(exclude_none=True)


def run_list(args: argparse.Namespace) -> None:
    """List stored credentials."""
    from graph.services.catalogue.credentials import list_credentials

    filters = {"jurisdiction": args.jurisdiction, "issuer": args.issuer, "industry": args.industry}
    with runtime() as rt:
        found = list_credentials(rt.store, where={k: v for k, v in filters.items() if v})
    if args.as_json:
        emit_json({"data": [_own_format(c) for c in found], "count": len(found)})
        return
    for credential in found:
        out.print(f"{credential.id}  {credential.title}  ({credential.jurisdiction or '-'})")


def run_show(args: argparse.Namespace) -> None:
    """Show one credential."""
    from graph.services.catalogue.credentials import get_credential

    with runtime() as rt:
        document = _own_format(get_credential(rt.store, args.credential_id))
    if args.as_json:
        emit_json(document)
    else:
        out.print_json(json.dumps(document))


def run_export(args: argparse.Namespace) -> None:
    """Export one credential."""
    from graph.services.catalogue.credentials import get_credential
    from graph.services.catalogue.exports import ExportFormat, export_credential

    with runtime() as rt:
        if args.format == "credwalk":
            emit_json(_own_format(get_credential(rt.store, args.credential_id)))
            return
        emit_json(export_credential(rt.store, args.credential_id, format=ExportFormat(args.format)))


def run_mapping(args: argparse.Namespace) -> None:
    """Suggest and store ESCO skills for a credential."""
    from api.schemas.credentials import MappingPublic
    from graph.services.catalogue.mapping import suggest_skills

    with runtime() as rt:
        mapping, _ = suggest_skills(
            rt.store,
            rt.embedder,
            args.credential_id,
            actor=actor(),
            reference=rt.reference,
            top=args.top,
        )
    public = MappingPublic.from_domain(mapping, credential=args.credential_id)
    if args.as_json:
        emit_json(public)
        return
    if public.note:
        out.print(f"[yellow]note[/yellow]: {public.note}")
    for suggestion in public.suggestions:
        out.print(
            f"{suggestion.score:.3f} {suggestion.band:>6}  {suggestion.label}  {suggestion.uri}"
        )


def _decide(args: argparse.Namespace, *, accept: bool) -> None:
    from graph.services.catalogue.mapping import decide_skill

    with runtime() as rt:
        updated = decide_skill(
            rt.store,
            args.credential_id,
            args.skill,
            accept=accept,
            actor=actor(),
            reference=rt.reference,
        )
    if args.as_json:
        emit_json(_own_format(updated))
    else:
        out.print(f"{args.skill}: {'confirmed' if accept else 'rejected'} by {actor().name}")


def run_accept(args: argparse.Namespace) -> None:
    """Confirm a skill."""
    _decide(args, accept=True)


def run_reject(args: argparse.Namespace) -> None:
    """Reject a skill."""
    _decide(args, accept=False)
