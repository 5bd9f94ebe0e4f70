"""Commands of mobility advisors: equivalence, equivalents, compare, crosswalk, recognition."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from api.cli.common import (
    Commands,
    actor,
    add_json,
    add_top,
    emit_json,
    out,
    runtime,
    validate,
)

if TYPE_CHECKING:
    from api.schemas.equivalence import EquivalencePublic

__all__ = ["register"]

ISSUER_TYPES = ("institution", "consortium", "region", "industry_body")
OUTCOMES = ("full", "partial", "conditional")


def register(commands: Commands) -> None:
    """Add ``equivalence``, ``equivalents``, ``compare``, ``crosswalk`` and ``recognition``."""
    pair = commands.command(
        "equivalence", run_equivalence, help="Explained equivalence of two credentials."
    )
    pair.add_argument("credential_a", metavar="CREDENTIAL_A", help="credential IRI")
    pair.add_argument("credential_b", metavar="CREDENTIAL_B", help="credential IRI")
    add_json(pair)

    others = commands.command(
        "equivalents",
        run_equivalents,
        help="Equivalents of a credential in another jurisdiction, industry or issuer type.",
    )
    others.add_argument("credential", metavar="CREDENTIAL", help="credential IRI")
    others.add_argument("--jurisdiction", help="ISO 3166 code or EU")
    others.add_argument("--industry", help="industry code prefix (nace:J)")
    others.add_argument("--issuer-type", choices=ISSUER_TYPES)
    add_top(others, 10)
    add_json(others)

    compare = commands.command("compare", run_compare, help="Two to four credentials side by side.")
    compare.add_argument("credentials", nargs="+", metavar="CREDENTIAL", help="2 to 4 IRIs")
    add_json(compare)

    walk = commands.command(
        "crosswalk",
        run_crosswalk,
        help="Rank the occupations of one framework for every occupation of another.",
    )
    walk.add_argument("--from", dest="source_framework", required=True, help="onet, esco, ...")
    walk.add_argument("--to", dest="target_framework", required=True, help="esco, onet, ...")
    add_top(walk, 5)
    walk.add_argument(
        "--source", action="append", help="only this source occupation (IRI or code); repeatable"
    )
    walk.add_argument(
        "--store-matches",
        action="store_true",
        help="store each top match as a computed close_match",
    )
    add_json(walk)
    _register_recognition(
        commands.group(
            "recognition", help="Recognition decisions of authorities (declared, never recomputed)."
        )
    )


def _register_recognition(recognition: Commands) -> None:
    add = recognition.command(
        "add",
        run_recognition_add,
        help="Record a decision of the authority of who acts (--as an advisor); a contradiction "
        "of an earlier one is rejected.",
    )
    add.add_argument("--authority", required=True, help="the authority's IRI")
    add.add_argument("--credential", required=True, help="the recognised credential")
    add.add_argument("--outcome", required=True, choices=OUTCOMES)
    add.add_argument("--to", dest="to_jurisdiction", required=True, help="where it is recognised")
    add.add_argument("--authority-name")
    add.add_argument("--from", dest="from_jurisdiction")
    add.add_argument("--target", help="a credential it counts toward")
    add.add_argument("--credits", type=float, help="credits granted")
    add.add_argument("--credit-unit", default="ECTS")
    add.add_argument("--condition", action="append", help="a condition; repeatable")
    add.add_argument("--valid-from")
    add.add_argument("--valid-until")
    add.add_argument("--source", help="the published decision")
    add.add_argument("--note")
    add.add_argument("--supersedes")
    add_json(add)
    listing = recognition.command(
        "list", run_recognition_list, help="List recorded recognition decisions."
    )
    listing.add_argument("--credential")
    listing.add_argument("--authority")
    add_json(listing)
    export = recognition.command(
        "export",
        run_recognition_export,
        help="Print a decision as a CTDL TransferValueProfile (JSON-LD).",
    )
    export.add_argument("decision", metavar="DECISION", help="decision IRI")


def _print_equivalence(result: EquivalencePublic) -> None:
    from rich.table import Table

    out.print(f"[bold]{result.verdict.replace('_', ' ')}[/bold]  score {result.score:.2f}")
    if result.declared_by:
        computed = result.computed_verdict.replace("_", " ")
        out.print(f"  as declared by {result.declared_by} (computed: {computed})", highlight=False)
    for name, side in (("A", result.a), ("B", result.b)):
        out.print(f"{name}: {side.title} ({side.issuer_name or side.issuer}, {side.jurisdiction})")
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


def run_equivalence(args: argparse.Namespace) -> None:
    """Explain the equivalence of two credentials."""
    from api.schemas.equivalence import EquivalencePublic
    from graph.services.equivalence.equivalents import credential_equivalence

    with runtime() as rt:
        result = credential_equivalence(
            rt.store,
            args.credential_a,
            args.credential_b,
            reference=rt.reference,
            embedder=rt.embedder,
        )
    public = EquivalencePublic.from_domain(result)
    if args.as_json:
        emit_json(public)
    else:
        _print_equivalence(public)


def run_equivalents(args: argparse.Namespace) -> None:
    """List the equivalents of a credential."""
    from rich.table import Table

    from api.schemas.equivalence import EquivalentsPublic
    from graph.services.equivalence.equivalents import equivalents

    with runtime() as rt:
        result = equivalents(
            rt.store,
            args.credential,
            reference=rt.reference,
            embedder=rt.embedder,
            jurisdiction=args.jurisdiction,
            industry=args.industry,
            issuer_type=args.issuer_type,
            top=args.top,
        )
    public = EquivalentsPublic.from_domain(result)
    if args.as_json:
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


def run_compare(args: argparse.Namespace) -> None:
    """Compare credentials side by side."""
    from rich.table import Table

    from api.schemas.equivalence import ComparisonPublic
    from graph.services.equivalence.comparison import compare_credentials

    with runtime() as rt:
        result = compare_credentials(
            rt.store, args.credentials, reference=rt.reference, embedder=rt.embedder
        )
    public = ComparisonPublic.from_domain(result)
    if args.as_json:
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


def run_crosswalk(args: argparse.Namespace) -> None:
    """Rank one framework's occupations for another's."""
    from api.schemas.equivalence import CrosswalkPublic
    from graph.services.crosswalk.ranking import crosswalk, store_crosswalk

    with runtime() as rt:
        result = crosswalk(
            rt.store,
            rt.embedder,
            source=args.source_framework,
            target=args.target_framework,
            top=args.top,
            sources=args.source,
        )
        written = store_crosswalk(rt.store, result) if args.store_matches else 0
    public = CrosswalkPublic.from_domain(result)
    if args.as_json:
        emit_json(public.model_dump(mode="json", by_alias=True))
        return
    for entry in public.results:
        out.print(f"[bold]{entry.code or ''} {entry.label}[/bold]", highlight=False)
        for m in entry.matches:
            out.print(f"  {m.score:.3f}  {m.code or ''} {m.label}", highlight=False)
    out.print(
        f"{len(public.results)} occupations in {public.seconds:.1f}s"
        + (f"; {written} close_match links stored" if args.store_matches else "")
    )


def run_recognition_add(args: argparse.Namespace) -> None:
    """Record a recognition decision."""
    from api.schemas.equivalence import RecognitionCreate, RecognitionPublic
    from graph.services.equivalence.recognition import record_decision

    request = validate(
        RecognitionCreate,
        {
            "authority": args.authority,
            "authority_name": args.authority_name,
            "credential": args.credential,
            "outcome": args.outcome,
            "to_jurisdiction": args.to_jurisdiction,
            "from_jurisdiction": args.from_jurisdiction,
            "target": args.target,
            "credits": (
                None if args.credits is None else {"value": args.credits, "unit": args.credit_unit}
            ),
            "conditions": args.condition or [],
            "valid_from": args.valid_from,
            "valid_until": args.valid_until,
            "source": args.source,
            "note": args.note,
            "supersedes": args.supersedes,
        },
    )
    with runtime() as rt:
        decision = record_decision(
            rt.store,
            request.to_domain(),
            actor=actor(),
            reference=rt.reference,
            base_iri=rt.settings.base_iri,
        )
    public = RecognitionPublic.from_domain(decision)
    if args.as_json:
        emit_json(public)
    else:
        out.print(f"recorded {public.id}", highlight=False)


def run_recognition_list(args: argparse.Namespace) -> None:
    """List recognition decisions."""
    from api.schemas.equivalence import RecognitionPublic, RecognitionsPublic
    from graph.services.equivalence.recognition import list_decisions

    with runtime() as rt:
        found = list_decisions(rt.store, credential=args.credential, authority=args.authority)
    public = RecognitionsPublic(
        data=[RecognitionPublic.from_domain(d) for d in found], count=len(found)
    )
    if args.as_json:
        emit_json(public)
        return
    for d in public.data:
        out.print(
            f"{d.id}: {d.authority_name or d.authority} — {d.outcome} in {d.to_jurisdiction} "
            f"({d.valid_from or '…'} to {d.valid_until or '…'})",
            highlight=False,
        )


def run_recognition_export(args: argparse.Namespace) -> None:
    """Print a decision as CTDL."""
    from graph.services.catalogue.credentials import get_credential
    from graph.services.equivalence.recognition import get_decision, transfer_value_profile

    with runtime() as rt:
        found = get_decision(rt.store, args.decision)
        profile = transfer_value_profile(found, get_credential(rt.store, found.credential))
    sys.stdout.write(json.dumps(profile, ensure_ascii=False, indent=2) + "\n")
