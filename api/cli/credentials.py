"""Commands over issuers and credentials: ingest, list, show, export, map, accept, reject."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import JsonOption, app, emit_json, ingest_app, out, runtime
from api.schemas.credentials import CredentialPublic, MappingPublic
from graph.services.catalogue.credentials import get_credential, get_issuer, list_credentials
from graph.services.catalogue.mapping import decide_skill, suggest_skills

__all__ = ["credentials_app", "mapping_app"]

credentials_app = typer.Typer(help="Read and export stored credentials.", no_args_is_help=True)
mapping_app = typer.Typer(
    help="Map credentials' outcomes to ESCO; accept or reject.", no_args_is_help=True
)
app.add_typer(credentials_app, name="credentials")
app.add_typer(mapping_app, name="mapping")


@ingest_app.command("credentials")
def ingest_credentials_command(
    files: Annotated[list[Path], typer.Argument(help="Own JSON/YAML, CTDL, Open Badges 3.0, ELM")],
    as_json: JsonOption = False,
) -> None:
    """Load credential files; any error rejects them all (nothing is written)."""
    from ingest.run import ingest_credentials

    with runtime() as rt:
        report = ingest_credentials(
            rt.store,
            files,
            loader=rt.document_loader(),
            reference=rt.reference,
            ontologies_dir=rt.settings.ontologies_dir,
            embedder=rt.embedder,
            max_bytes=rt.settings.max_payload_bytes,
        )
    summary = {
        "files": list(report.files),
        "formats": list(report.formats),
        "issuers": list(report.saved.issuers),
        "credentials": list(report.saved.credentials),
        "unresolved": list(report.saved.unresolved),
        "issuers_known_only_by_iri": list(report.referenced_issuers),
        "skipped": list(report.skipped),
        "concepts_added": report.concepts.concepts_added if report.concepts else 0,
    }
    if as_json:
        emit_json(summary)
        return
    out.print(
        f"{len(report.saved.credentials)} credentials and {len(report.saved.issuers)} issuers "
        f"saved from {len(report.files)} file(s) ({', '.join(sorted(set(report.formats)))})"
    )
    for line in report.skipped:
        out.print(f"  skipped: {line}")
    if report.saved.unresolved:
        out.print(f"  links to credentials not in the graph: {', '.join(report.saved.unresolved)}")


@credentials_app.command("list")
def list_command(
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer")] = None,
    industry: Annotated[str | None, typer.Option("--industry")] = None,
    as_json: JsonOption = False,
) -> None:
    """List stored credentials."""
    filters = {"jurisdiction": jurisdiction, "issuer": issuer, "industry": industry}
    with runtime() as rt:
        found = list_credentials(rt.store, where={k: v for k, v in filters.items() if v})
    if as_json:
        documents = [CredentialPublic.from_domain(c).model_dump(exclude_none=True) for c in found]
        emit_json({"data": documents, "count": len(found)})
        return
    for credential in found:
        out.print(f"{credential.id}  {credential.title}  ({credential.jurisdiction or '-'})")


@credentials_app.command("show")
def show_command(credential_id: str, as_json: JsonOption = False) -> None:
    """Show one credential in the project's own format."""
    with runtime() as rt:
        credential = get_credential(rt.store, credential_id)
    document = CredentialPublic.from_domain(credential).model_dump(exclude_none=True)
    if as_json:
        emit_json(document)
    else:
        out.print_json(json.dumps(document))


@credentials_app.command("export")
def export_command(
    credential_id: str,
    format: Annotated[str, typer.Option("--format", help="credwalk, ctdl or ob3")] = "ctdl",
) -> None:
    """Export a credential as CTDL JSON-LD, an Open Badges 3.0 Achievement or the own format."""
    from ingest.ctdl import credential_to_ctdl
    from ingest.open_badges import credential_to_achievement

    with runtime() as rt:
        credential = get_credential(rt.store, credential_id)
        issuer = get_issuer(rt.store, credential.issuer)
        labels = {
            uri: c.preferred_label()
            for uri, c in rt.store.get_concepts(s.uri for s in credential.skills).items()
        }
    if format == "ctdl":
        emit_json(credential_to_ctdl(credential, issuer, skill_labels=labels))
    elif format == "ob3":
        emit_json(credential_to_achievement(credential, issuer, skill_labels=labels))
    else:
        emit_json(CredentialPublic.from_domain(credential).model_dump(exclude_none=True))


@mapping_app.command("run")
def run_command(
    credential_id: str,
    top: Annotated[int, typer.Option("--top", min=1, max=20)] = 5,
    as_json: JsonOption = False,
) -> None:
    """Suggest ESCO skills for a credential's outcomes (decisions already made are kept)."""
    with runtime() as rt:
        mapping, _ = suggest_skills(
            rt.store, rt.embedder, credential_id, reference=rt.reference, top=top
        )
    public = MappingPublic.from_domain(mapping, credential=credential_id)
    if as_json:
        emit_json(public)
        return
    if public.note:
        out.print(f"[yellow]note[/yellow]: {public.note}")
    for suggestion in public.suggestions:
        out.print(
            f"{suggestion.score:.3f} {suggestion.band:>6}  {suggestion.label}  {suggestion.uri}"
        )


def _decide(credential_id: str, skill: str, *, accept: bool, by: str, as_json: bool) -> None:
    with runtime() as rt:
        updated = decide_skill(
            rt.store, credential_id, skill, accept=accept, by=by, reference=rt.reference
        )
    if as_json:
        emit_json(CredentialPublic.from_domain(updated).model_dump(exclude_none=True))
    else:
        out.print(f"{skill}: {'confirmed' if accept else 'rejected'} by {by}")


@mapping_app.command("accept")
def accept_command(
    credential_id: str,
    skill: str,
    by: Annotated[str, typer.Option("--by", help="Who decides")],
    as_json: JsonOption = False,
) -> None:
    """Confirm a skill of a credential."""
    _decide(credential_id, skill, accept=True, by=by, as_json=as_json)


@mapping_app.command("reject")
def reject_command(
    credential_id: str,
    skill: str,
    by: Annotated[str, typer.Option("--by", help="Who decides")],
    as_json: JsonOption = False,
) -> None:
    """Reject a suggested skill of a credential."""
    _decide(credential_id, skill, accept=False, by=by, as_json=as_json)
