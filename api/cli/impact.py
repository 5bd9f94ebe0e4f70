"""``credwalk impact ...``: claims of impact, endorsements, certificates; ``credwalk portfolio``.

Who acts is ``--as USER`` (the claimant claims, the endorsers they asked endorse) or the
store's operator. ``credwalk impact get CLAIM --out file.json`` writes the signed certificate,
which ``credwalk verify file.json`` checks offline.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.common import Commands, actor, add_json, emit_json, runtime
from api.cli.proofs import say, write_document

if TYPE_CHECKING:
    from api.schemas.impact import ImpactPublic

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add the ``impact`` group."""
    impact = commands.group("impact", help="Certificates of Impact: claims, endorsements.")
    claim = impact.command("claim", run_claim, help="Claim impact for yourself (--as you).")
    claim.add_argument("--title", required=True, help="what was done")
    claim.add_argument("--for", dest="beneficiary", required=True, help="for whom")
    claim.add_argument("--outcome", required=True, help="what it achieved")
    claim.add_argument("--start", required=True, help="YYYY-MM-DD")
    claim.add_argument("--end", help="YYYY-MM-DD")
    claim.add_argument("--skill", action="append", default=[], help="ESCO skill IRI (repeatable)")
    claim.add_argument(
        "--endorser", action="append", default=[], help="a user asked to confirm it (repeatable)"
    )
    claim.add_argument("--link", action="append", default=[], help="evidence URL (repeatable)")
    claim.add_argument("--text", action="append", default=[], help="evidence text (repeatable)")
    add_json(claim)
    listing = impact.command("list", run_list, help="A member's claims and certificates.")
    listing.add_argument("claimant", metavar="CLAIMANT", help="learner (or user) IRI")
    add_json(listing)
    add_json(impact.command("to-endorse", run_to_endorse, help="Claims awaiting your word."))
    show = impact.command("show", run_show, help="A claim: state, endorsements, what it awaits.")
    show.add_argument("claim", metavar="CLAIM", help="claim id or IRI")
    add_json(show)
    endorse = impact.command("endorse", run_endorse, help="Confirm a claim as yourself.")
    endorse.add_argument("claim", metavar="CLAIM", help="claim id or IRI")
    endorse.add_argument(
        "--relation", required=True, choices=("employer", "client", "community", "assessor")
    )
    endorse.add_argument("--statement", required=True)
    add_json(endorse)
    _register_certificates(impact)
    portfolio = commands.group("portfolio", help="The member's signed portfolio.")
    export = portfolio.command(
        "export", run_export, help="Write your signed portfolio (a ZIP); credwalk verify checks it."
    )
    export.add_argument("--out", dest="out_file", type=Path, required=True, help="the ZIP file")
    export.add_argument("--member", help="the member's IRI (default: the acting user's own)")


def _register_certificates(impact: Commands) -> None:
    issue = impact.command("issue", run_issue, help="Issue the signed Certificate of Impact.")
    issue.add_argument("claim", metavar="CLAIM", help="claim id or IRI")
    issue.add_argument("--out", dest="out_file", type=Path, help="write the credential here")
    add_json(issue)
    get = impact.command("get", run_get, help="Print (or write) the signed certificate.")
    get.add_argument("claim", metavar="CLAIM", help="claim id or IRI")
    get.add_argument("--out", dest="out_file", type=Path, help="write the credential here")
    revoke = impact.command("revoke", run_revoke, help="Revoke a certificate (its claimant).")
    revoke.add_argument("claim", metavar="CLAIM", help="claim id or IRI")
    revoke.add_argument("--reason")
    add_json(revoke)


def _print(public: ImpactPublic, *, as_json: bool) -> None:
    if as_json:
        emit_json(public)
        return
    say(f"{public.uri}: {public.state}")
    say(f"  {public.title} (for {public.beneficiary}, {public.start} to {public.end or 'now'})")
    for endorsement in public.endorsements:
        say(f"  confirmed by {endorsement.name} ({endorsement.relation}): {endorsement.statement}")
    for pending in public.pending:
        say(f"  awaiting {pending}")


def run_claim(args: argparse.Namespace) -> None:
    """Record a claim of impact."""
    from api.schemas.impact import ImpactPublic
    from graph.model.impact import ImpactEvidence
    from graph.services.impact.claims import ImpactDraft, create_claim

    evidence = [ImpactEvidence(url=u) for u in args.link]
    evidence += [ImpactEvidence(text=t) for t in args.text]
    draft = ImpactDraft(
        title=args.title,
        beneficiary=args.beneficiary,
        outcome=args.outcome,
        start=args.start,
        end=args.end,
        skills=tuple(args.skill),
        endorsers=tuple(args.endorser),
        evidence=tuple(evidence),
    )
    with runtime() as rt:
        claim = create_claim(rt.store, draft, actor=actor(), base_iri=rt.settings.base_iri)
    _print(ImpactPublic.from_domain(claim), as_json=args.as_json)


def run_list(args: argparse.Namespace) -> None:
    """List a member's claims."""
    from api.schemas.impact import ImpactPublic, ImpactsPublic
    from graph.services.impact.claims import list_impact

    with runtime() as rt:
        claims = list_impact(rt.store, args.claimant, actor=actor())
    data = [ImpactPublic.from_domain(c) for c in claims]
    if args.as_json:
        emit_json(ImpactsPublic(data=data, count=len(data)))
        return
    for public in data:
        say(f"{public.start}  {public.state:<21} {public.title}  {public.uri}")


def run_to_endorse(args: argparse.Namespace) -> None:
    """List the claims awaiting the acting user."""
    from api.schemas.impact import ImpactPublic, ImpactsPublic
    from graph.services.impact.claims import claims_to_endorse

    with runtime() as rt:
        claims = claims_to_endorse(rt.store, actor=actor())
    data = [ImpactPublic.from_domain(c) for c in claims]
    if args.as_json:
        emit_json(ImpactsPublic(data=data, count=len(data)))
        return
    for public in data:
        say(f"{public.title} (by {public.claimant})  {public.uri}")


def run_show(args: argparse.Namespace) -> None:
    """Show a claim."""
    from api.schemas.impact import ImpactPublic
    from graph.services.impact.claims import get_claim

    with runtime() as rt:
        claim = get_claim(rt.store, args.claim, actor=actor(), base_iri=rt.settings.base_iri)
    _print(ImpactPublic.from_domain(claim), as_json=args.as_json)


def run_endorse(args: argparse.Namespace) -> None:
    """Endorse a claim."""
    from api.schemas.impact import ImpactPublic
    from graph.services.impact.claims import endorse_claim

    with runtime() as rt:
        claim = endorse_claim(
            rt.store,
            args.claim,
            actor=actor(),
            relation=args.relation,
            statement=args.statement,
            base_iri=rt.settings.base_iri,
        )
    _print(ImpactPublic.from_domain(claim), as_json=args.as_json)


def run_issue(args: argparse.Namespace) -> None:
    """Issue a certificate."""
    from api.schemas.impact import ImpactPublic
    from graph.services.impact.claims import certificate_document
    from graph.services.impact.issuing import issue_certificate

    with runtime() as rt:
        claim = issue_certificate(rt.store, args.claim, actor=actor(), issuer=rt.proof_issuer)
    if args.out_file is not None:
        write_document(certificate_document(claim), args.out_file)
    _print(ImpactPublic.from_domain(claim), as_json=args.as_json)


def run_get(args: argparse.Namespace) -> None:
    """Print a certificate."""
    from graph.services.impact.claims import certificate_document, get_claim

    with runtime() as rt:
        claim = get_claim(rt.store, args.claim, actor=actor(), base_iri=rt.settings.base_iri)
    write_document(certificate_document(claim), args.out_file)


def run_revoke(args: argparse.Namespace) -> None:
    """Revoke a certificate."""
    from api.schemas.impact import ImpactPublic
    from graph.services.impact.issuing import revoke_certificate

    with runtime() as rt:
        claim = revoke_certificate(
            rt.store, args.claim, actor=actor(), issuer=rt.proof_issuer, reason=args.reason
        )
    _print(ImpactPublic.from_domain(claim), as_json=args.as_json)


def run_export(args: argparse.Namespace) -> None:
    """Write a portfolio ZIP."""
    from graph.services.impact.portfolio import export_portfolio

    with runtime() as rt:
        acting = actor()
        portfolio = export_portfolio(
            rt.store,
            args.member,
            actor=acting,
            issuer=rt.proof_issuer,
            reference=rt.reference,
            name=acting.name,
        )
    args.out_file.write_bytes(portfolio.to_zip())
    say(f"wrote {args.out_file}: {len(portfolio.files)} files, manifest signed ({portfolio.id})")


def run_verify_portfolio(args: argparse.Namespace) -> int:
    """Verify a portfolio ZIP (``credwalk verify portfolio.zip``)."""
    from api.cli.common import settings
    from api.cli.proofs import read_json_file
    from graph.errors import PayloadTooLargeError
    from graph.services.impact.portfolio import verify_portfolio
    from graph.services.proofs.verification import Trust

    limit = settings().max_payload_bytes
    if args.file.stat().st_size > limit:
        raise PayloadTooLargeError(
            f"{args.file} is larger than the limit of {limit} bytes", details={"file": limit}
        )
    lists = [read_json_file(p, field="status_list") for p in args.status_list or []]
    with runtime(open_store=False) as rt:
        report = verify_portfolio(
            args.file.read_bytes(),
            loader=rt.document_loader,
            issuer=rt.proof_issuer,
            store=rt.open_store,
            status_lists=lists,
            trust=Trust(args.trust),
            bind_issuer=not args.no_issuer_binding,
            now=args.at,
        )
    if args.as_json:
        emit_json(report.to_json())
    else:
        for name, status in report.files:
            say(f"  {name:<50} {status}")
        for name, found in report.credentials:
            say(f"  {name:<50} {'verified' if found.verified else 'FAILED: ' + str(found.check)}")
        say("verified" if report.verified else f"NOT verified: {report.message}")
    return 0 if report.verified else 1
