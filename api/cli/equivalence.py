"""Commands for mobility advisors: equivalence, equivalents, compare, crosswalk, recognition."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import JsonOption, TopOption, app, emit_json, out, runtime
from api.schemas.equivalence import (
    ComparisonPublic,
    CrosswalkPublic,
    EquivalencePublic,
    EquivalentsPublic,
    RecognitionCreate,
    RecognitionPublic,
    RecognitionsPublic,
)
from graph.services.catalogue.credentials import get_credential
from graph.services.crosswalk.ranking import crosswalk, store_crosswalk
from graph.services.equivalence.comparison import compare_credentials
from graph.services.equivalence.equivalents import credential_equivalence, equivalents
from graph.services.equivalence.recognition import (
    get_decision,
    list_decisions,
    record_decision,
    transfer_value_profile,
)

__all__ = [
    "compare_command",
    "crosswalk_command",
    "equivalence_command",
    "equivalents_command",
    "recognition_app",
]

recognition_app = typer.Typer(
    help="Recognition decisions of authorities (declared, never recomputed).",
    no_args_is_help=True,
)
app.add_typer(recognition_app, name="recognition")


class IssuerTypeName(StrEnum):
    """Issuer types."""

    institution = "institution"
    consortium = "consortium"
    region = "region"
    industry_body = "industry_body"


class OutcomeName(StrEnum):
    """Recognition outcomes."""

    full = "full"
    partial = "partial"
    conditional = "conditional"


def _print_equivalence(result: EquivalencePublic) -> None:
    out.print(f"[bold]{result.verdict.replace('_', ' ')}[/bold]  score {result.score:.2f}")
    out.print(
        f"A: {result.a.title} ({result.a.issuer_name or result.a.issuer}, {result.a.jurisdiction})"
    )
    out.print(
        f"B: {result.b.title} ({result.b.issuer_name or result.b.issuer}, {result.b.jurisdiction})"
    )
    for line in result.explanation:
        out.print(f"  - {line}", highlight=False)
    if result.matched:
        table = Table(title="matched skills", show_lines=False)
        for column in ("A", "level", "", "B", "level", "similarity"):
            table.add_column(column)
        for m in result.matched:
            table.add_row(
                m.a.label,
                str(m.a.level or ""),
                m.kind,
                m.b.label,
                str(m.b.level or ""),
                f"{m.similarity:.2f}",
            )
        out.print(table)


@app.command("equivalence")
def equivalence_command(
    credential_a: Annotated[str, typer.Argument(help="Credential IRI")],
    credential_b: Annotated[str, typer.Argument(help="Credential IRI")],
    as_json: JsonOption = False,
) -> None:
    """Explained equivalence of two credentials."""
    with runtime() as rt:
        result = credential_equivalence(
            rt.store, credential_a, credential_b, reference=rt.reference, embedder=rt.embedder
        )
    public = EquivalencePublic.from_domain(result)
    if as_json:
        emit_json(public)
    else:
        _print_equivalence(public)


@app.command("equivalents")
def equivalents_command(
    credential: Annotated[str, typer.Argument(help="Credential IRI")],
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="ISO 3166 code or EU")
    ] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Industry code prefix (nace:J)")
    ] = None,
    issuer_type: Annotated[
        IssuerTypeName | None, typer.Option("--issuer-type", help="Issuer type")
    ] = None,
    top: TopOption = 10,
    as_json: JsonOption = False,
) -> None:
    """Equivalents of a credential in another jurisdiction, industry or issuer type."""
    with runtime() as rt:
        result = equivalents(
            rt.store,
            credential,
            reference=rt.reference,
            embedder=rt.embedder,
            jurisdiction=jurisdiction,
            industry=industry,
            issuer_type=None if issuer_type is None else issuer_type.value,
            top=top,
        )
    public = EquivalentsPublic.from_domain(result)
    if as_json:
        emit_json(public)
        return
    table = Table(title=f"equivalents of {public.credential.title}")
    for column in ("#", "score", "verdict", "credential", "issuer", "where", "level"):
        table.add_column(column)
    for i, e in enumerate(public.results, 1):
        table.add_row(
            str(i),
            f"{e.score:.2f}",
            e.verdict.replace("_", " "),
            e.b.title,
            e.b.issuer_name or e.b.issuer,
            e.b.jurisdiction or "",
            e.b.level or "",
        )
    out.print(table)
    for e in public.results[:3]:
        out.print(f"[bold]{e.b.title}[/bold]: {e.explanation[0]}", highlight=False)


@app.command("compare")
def compare_command(
    credentials: Annotated[list[str], typer.Argument(help="Two to four credential IRIs")],
    as_json: JsonOption = False,
) -> None:
    """Two to four credentials side by side."""
    with runtime() as rt:
        result = compare_credentials(
            rt.store, credentials, reference=rt.reference, embedder=rt.embedder
        )
    public = ComparisonPublic.from_domain(result)
    if as_json:
        emit_json(public)
        return
    table = Table(title="comparison")
    table.add_column("skill")
    for i, c in enumerate(public.credentials, 1):
        table.add_column(f"{i}. {c.title[:28]}")
    for row in public.skills:
        table.add_row(row.skill.label, *row.status)
    out.print(table)
    for line in public.levels:
        out.print(f"  - {line}", highlight=False)
    for pair in public.pairs:
        out.print(f"  {pair.a} ~ {pair.b}: {pair.score:.2f} {pair.verdict}", highlight=False)


@app.command("crosswalk")
def crosswalk_command(
    from_: Annotated[str, typer.Option("--from", help="Source framework (onet, esco)")],
    to: Annotated[str, typer.Option("--to", help="Target framework (esco, onet)")],
    top: TopOption = 5,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Only this source occupation (IRI or code); repeatable"),
    ] = None,
    store_matches: Annotated[
        bool,
        typer.Option("--store-matches", help="Store each top match as a computed close_match."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Rank the occupations of one framework for every occupation of another."""
    with runtime() as rt:
        result = crosswalk(rt.store, rt.embedder, source=from_, target=to, top=top, sources=source)
        written = store_crosswalk(rt.store, result) if store_matches else 0
    public = CrosswalkPublic.from_domain(result)
    if as_json:
        emit_json(public.model_dump(mode="json", by_alias=True))
        return
    for entry in public.results:
        out.print(f"[bold]{entry.code or ''} {entry.label}[/bold]", highlight=False)
        for m in entry.matches:
            out.print(f"  {m.score:.3f}  {m.code or ''} {m.label}", highlight=False)
    out.print(
        f"{len(public.results)} occupations in {public.seconds:.1f}s"
        + (f"; {written} close_match links stored" if store_matches else "")
    )


@recognition_app.command("add")
def recognition_add(
    authority: Annotated[str, typer.Option("--authority", help="The authority's IRI")],
    credential: Annotated[str, typer.Option("--credential", help="The recognised credential")],
    outcome: Annotated[OutcomeName, typer.Option("--outcome")],
    to_jurisdiction: Annotated[str, typer.Option("--to", help="Where it is recognised")],
    decided_by: Annotated[str, typer.Option("--decided-by", help="Who recorded it")],
    authority_name: Annotated[str | None, typer.Option("--authority-name")] = None,
    from_jurisdiction: Annotated[str | None, typer.Option("--from")] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="A credential it counts toward")
    ] = None,
    credits: Annotated[float | None, typer.Option("--credits", help="Credits granted")] = None,
    credit_unit: Annotated[str, typer.Option("--credit-unit")] = "ECTS",
    condition: Annotated[
        list[str] | None, typer.Option("--condition", help="A condition; repeatable")
    ] = None,
    valid_from: Annotated[str | None, typer.Option("--valid-from")] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Published decision")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    supersedes: Annotated[str | None, typer.Option("--supersedes")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a recognition decision (a contradiction of an earlier one is rejected)."""
    request = RecognitionCreate.model_validate(
        {
            "authority": authority,
            "authority_name": authority_name,
            "credential": credential,
            "outcome": outcome.value,
            "to_jurisdiction": to_jurisdiction,
            "from_jurisdiction": from_jurisdiction,
            "target": target,
            "credits": None if credits is None else {"value": credits, "unit": credit_unit},
            "conditions": condition or [],
            "valid_from": valid_from,
            "valid_until": valid_until,
            "decided_by": decided_by,
            "source": source,
            "note": note,
            "supersedes": supersedes,
        }
    )
    with runtime() as rt:
        decision = record_decision(
            rt.store, request.to_domain(), reference=rt.reference, base_iri=rt.settings.base_iri
        )
    public = RecognitionPublic.from_domain(decision)
    if as_json:
        emit_json(public)
    else:
        out.print(f"recorded {public.id}", highlight=False)


@recognition_app.command("list")
def recognition_list(
    credential: Annotated[str | None, typer.Option("--credential")] = None,
    authority: Annotated[str | None, typer.Option("--authority")] = None,
    as_json: JsonOption = False,
) -> None:
    """List recorded recognition decisions."""
    with runtime() as rt:
        found = list_decisions(rt.store, credential=credential, authority=authority)
    public = RecognitionsPublic(
        data=[RecognitionPublic.from_domain(d) for d in found], count=len(found)
    )
    if as_json:
        emit_json(public)
        return
    for d in public.data:
        out.print(
            f"{d.id}: {d.authority_name or d.authority} — {d.outcome} in {d.to_jurisdiction} "
            f"({d.valid_from or '…'} to {d.valid_until or '…'})",
            highlight=False,
        )


@recognition_app.command("export")
def recognition_export(
    decision: Annotated[str, typer.Argument(help="Decision IRI")],
) -> None:
    """Print a decision as a CTDL TransferValueProfile (JSON-LD)."""
    with runtime() as rt:
        found = get_decision(rt.store, decision)
        profile = transfer_value_profile(found, get_credential(rt.store, found.credential))
    sys.stdout.write(json.dumps(profile, ensure_ascii=False, indent=2) + "\n")
