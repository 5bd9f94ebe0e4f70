"""``credwalk verify``, ``credwalk contexts seed`` and ``credwalk proofs ...``.

``credwalk verify FILE`` checks a signed credential offline and exits 0 only when every check
passes (1 when one fails, naming it). Contexts come from the pinned cache
(``settings.context_cache``), which ``credwalk contexts seed DIR`` fills once from a folder of
published context files; nothing is ever fetched.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli.common import (
    Commands,
    actor,
    add_json,
    emit_json,
    err,
    iso_datetime,
    out,
    runtime,
    settings,
    validate,
)

if TYPE_CHECKING:
    from api.schemas.proofs import SubmissionPublic, VerificationPublic
    from graph.model.submissions import Evidence, SkillResult

__all__ = ["read_json_file", "register", "say", "write_document"]


def register(commands: Commands) -> None:
    """Add ``verify`` and the ``contexts`` and ``proofs`` groups."""
    verify = commands.command(
        "verify", run_verify, help="Verify a signed credential offline; exit 0 only when it passes."
    )
    verify.add_argument(
        "file", type=Path, metavar="FILE", help="a signed credential (JSON-LD), or a portfolio ZIP"
    )
    verify.add_argument(
        "--status-list",
        type=Path,
        action="append",
        help="a BitstringStatusListCredential file (repeatable)",
    )
    verify.add_argument(
        "--trust",
        choices=("issuer", "ours", "any"),
        default="issuer",
        help="issuer (default): this service's keys or keys the named issuer registered; "
        "ours: only this service's keys; any: any did:key, whoever holds it",
    )
    verify.add_argument(
        "--no-issuer-binding",
        action="store_true",
        help="do not require the signing key to be the issuer's",
    )
    verify.add_argument(
        "--at", type=iso_datetime, help="check validity at this time (ISO 8601, with a zone)"
    )
    add_json(verify)
    contexts = commands.group("contexts", help="The pinned JSON-LD context cache.")
    seed = contexts.command(
        "seed",
        run_seed,
        help="Copy into the context cache every file whose bytes match a pinned context.",
    )
    seed.add_argument("folder", type=Path, metavar="FOLDER", help="published context files")
    add_json(seed)
    _register_proofs(
        commands.group("proofs", help="Submissions, assessments and Proofs of Competence.")
    )


def _register_proofs(proofs: Commands) -> None:
    panel = proofs.command(
        "panel",
        run_panel,
        help="Declare (or replace) the assessment panel of a credential from a JSON file.",
    )
    panel.add_argument("file", type=Path, metavar="FILE", help="JSON: credential, assessors, rule")
    add_json(panel)
    submit = proofs.command(
        "submit",
        run_submit,
        help="Submit evidence for a credential; it is routed to the credential's assessors.",
    )
    submit.add_argument("--learner", required=True, help="the learner's IRI")
    submit.add_argument("--credential", required=True, help="the credential's IRI")
    submit.add_argument("--link", action="append", help="a URL (repeatable)")
    submit.add_argument(
        "--document", type=Path, action="append", help="a file: only its SHA-256 and name are sent"
    )
    submit.add_argument("--text", action="append", help="a statement (repeatable)")
    add_json(submit)
    assess = proofs.command(
        "assess",
        run_assess,
        help="Record the results per skill, or the endorsement, of who acts (--as an assessor).",
    )
    assess.add_argument("submission", metavar="SUBMISSION", help="submission id or IRI")
    assess.add_argument(
        "--result", action="append", help="SKILL=pass[:LEVEL] or SKILL=fail (repeatable)"
    )
    assess.add_argument("--endorse", help="an endorsement")
    assess.add_argument("--comment")
    assess.add_argument("--file", type=Path, help="JSON: assessor, results, endorsement")
    add_json(assess)
    _register_proof_documents(proofs)


def _register_proof_documents(proofs: Commands) -> None:
    show = proofs.command(
        "show", run_show, help="Show a submission's status, assessments and what the rule needs."
    )
    show.add_argument("submission", metavar="SUBMISSION", help="submission id or IRI")
    add_json(show)
    issue = proofs.command(
        "issue", run_issue, help="Issue the signed Proof of Competence of a submission."
    )
    issue.add_argument("submission", metavar="SUBMISSION", help="submission id or IRI")
    issue.add_argument("--valid-until", type=iso_datetime, help="expiry (ISO 8601, with zone)")
    issue.add_argument("--out", dest="out_file", type=Path, help="write the document here")
    add_json(issue)
    get = proofs.command(
        "get", run_get, help="Print (or write) the signed credential of a proof, or its ELM form."
    )
    get.add_argument("proof", metavar="PROOF", help="proof id or IRI")
    get.add_argument("--elm", action="store_true", help="the European Learning Model form")
    get.add_argument("--out", dest="out_file", type=Path, help="write the document here")
    revoke = proofs.command(
        "revoke", run_revoke, help="Revoke a proof: its status bit is set, its list re-signed."
    )
    revoke.add_argument("proof", metavar="PROOF", help="proof id or IRI")
    revoke.add_argument("--reason")
    add_json(revoke)
    status = proofs.command(
        "status-list",
        run_status_list,
        help="Print (or write) the signed status list credential, for offline verifiers.",
    )
    status.add_argument("number", type=int, nargs="?", default=1, help="status list number")
    status.add_argument("--out", dest="out_file", type=Path, help="write the document here")
    rotate = proofs.command(
        "rotate-key", run_rotate_key, help="Make a new issuer key; older proofs still verify."
    )
    add_json(rotate)


def read_json_file(path: Path, *, field: str = "file") -> Any:
    """Parse a JSON file no larger than the payload limit, or raise naming it.

    Raises
    ------
    PayloadTooLargeError
        If the file is larger than ``settings.max_payload_bytes``.
    InvalidInputError
        If it cannot be read or is not JSON.
    """
    from graph.errors import InvalidInputError, PayloadTooLargeError

    limit = settings().max_payload_bytes
    try:
        if path.stat().st_size > limit:
            raise PayloadTooLargeError(
                f"{path} is larger than the limit of {limit} bytes",
                details={field: str(path), "limit": limit},
            )
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InvalidInputError(
            f"cannot read JSON from {path}: {e}", details={field: str(path)}
        ) from e


def say(text: str) -> None:
    """Print a line as is: no markup, no emoji codes (``did:key:`` is not an emoji)."""
    out.print(text, markup=False, emoji=False, highlight=False, soft_wrap=True)


def write_document(document: Any, out_file: Path | None) -> None:
    """Write a JSON document to ``out_file`` (saying so on stderr), else to stdout."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {out_file}", markup=False, emoji=False, highlight=False)


def print_report(public: VerificationPublic) -> None:
    """Print a verification report: one line per check, then the verdict."""
    marks = {"passed": "ok", "failed": "FAILED", "not_run": "-", "not_applicable": "n/a"}
    for check in public.checks:
        line = f"  {check.name:<13} {marks.get(check.status, check.status)}"
        say(line + (f"  {check.message}" if check.message else ""))
    for warning in public.warnings:
        say(f"  warning: {warning}")
    if public.verified:
        owner = f", key of {public.key_owner}" if public.key_owner else ""
        say(f"verified (issuer {public.issuer}{owner}; trust={public.trust})")
    else:
        say(f"NOT verified: {public.check}: {public.message}")


def run_verify(args: argparse.Namespace) -> int:
    """Verify a signed credential."""
    from api.schemas.proofs import VerificationPublic
    from graph.errors import InvalidInputError
    from graph.services.proofs.verification import Trust, verify_document

    if zipfile.is_zipfile(args.file):
        from api.cli.impact import run_verify_portfolio

        return run_verify_portfolio(args)
    document = read_json_file(args.file)
    if not isinstance(document, dict):
        raise InvalidInputError(
            f"{args.file} is not a JSON object", details={"file": str(args.file)}
        )
    if args.at is not None and args.at.tzinfo is None:
        raise InvalidInputError("--at needs a time zone (e.g. 2026-01-01T00:00:00Z)")
    lists = [read_json_file(p, field="status_list") for p in args.status_list or []]
    # The store is opened only if verification needs one of this service's status lists.
    with runtime(open_store=False) as rt:
        report = verify_document(
            document,
            loader=rt.document_loader,
            issuer=rt.proof_issuer,
            store=rt.open_store,
            status_lists=lists,
            trust=Trust(args.trust),
            bind_issuer=not args.no_issuer_binding,
            now=args.at,
        )
    public = VerificationPublic.from_domain(report)
    if args.as_json:
        emit_json(public)
    else:
        print_report(public)
    return 0 if report.verified else 1


def run_seed(args: argparse.Namespace) -> None:
    """Seed the context cache."""
    from graph.errors import InvalidInputError
    from graph.jsonld import load_manifest, seed_cache

    config = settings()
    if not args.folder.is_dir():
        raise InvalidInputError(f"{args.folder} is not a folder", details={"field": "folder"})
    report = seed_cache(
        args.folder, cache_dir=config.context_cache, manifest=load_manifest(config.context_manifest)
    )
    if args.as_json:
        emit_json(
            {
                "cache": str(config.context_cache),
                "seeded": list(report.seeded),
                "missing": list(report.missing),
            }
        )
        return
    say(f"{len(report.seeded)} pinned contexts seeded into {config.context_cache}")
    for url in report.missing:
        say(f"  still missing: {url}")


def run_panel(args: argparse.Namespace) -> None:
    """Declare an assessment panel."""
    from api.schemas.proofs import PanelCreate, PanelPublic
    from graph.services.proofs.submissions import declare_panel

    request = validate(PanelCreate, read_json_file(args.file))
    with runtime() as rt:
        panel = declare_panel(
            rt.store,
            actor=actor(),
            credential=request.credential,
            assessors=[a.to_domain() for a in request.assessors],
            rule=request.rule.to_domain(),
            base_iri=rt.settings.base_iri,
        )
    public = PanelPublic.from_domain(panel)
    if args.as_json:
        emit_json(public)
    else:
        say(f"panel of {public.credential}: {len(public.assessors)} assessors")
        say(public.rule_text)


def _print_submission(public: SubmissionPublic, *, as_json: bool) -> None:
    if as_json:
        emit_json(public)
        return
    say(f"submission {public.id}: {public.status}")
    for assessor in public.assessors:
        state = "passed" if assessor.passed else "not passed" if assessor.assessed else "pending"
        say(f"  {assessor.name} ({assessor.role}): {state}")
    for reason in public.outcome.unmet:
        say(f"  unmet: {reason}")


def _document_evidence(path: Path) -> Evidence:
    import hashlib

    from graph.errors import InvalidInputError
    from graph.model.submissions import Evidence, EvidenceKind

    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise InvalidInputError(f"cannot read {path}: {e}", details={"field": "document"}) from e
    return Evidence(EvidenceKind.DOCUMENT, name=path.name, sha256=digest)


def run_submit(args: argparse.Namespace) -> None:
    """Submit evidence."""
    from api.schemas.proofs import SubmissionPublic
    from graph.model.submissions import Evidence, EvidenceKind
    from graph.services.proofs.submissions import submit

    evidence = [Evidence(EvidenceKind.LINK, url=u) for u in args.link or []]
    evidence += [_document_evidence(p) for p in args.document or []]
    evidence += [Evidence(EvidenceKind.TEXT, text=t) for t in args.text or []]
    with runtime() as rt:
        view = submit(
            rt.store,
            actor=actor(),
            learner=args.learner,
            credential=args.credential,
            evidence=evidence,
            base_iri=rt.settings.base_iri,
        )
    _print_submission(SubmissionPublic.from_domain(view), as_json=args.as_json)


def _result(value: str) -> SkillResult:
    from graph.errors import InvalidInputError
    from graph.model.submissions import SkillResult

    # SKILL=pass[:LEVEL] or SKILL=fail[:LEVEL]; split on the last '=' (IRIs have colons).
    skill, sep, verdict = value.rpartition("=")
    outcome, _, level = verdict.partition(":")
    if not sep or outcome not in {"pass", "fail"} or (level and not level.isdigit()):
        raise InvalidInputError(
            f"--result {value!r}: expected SKILL=pass[:LEVEL] or SKILL=fail[:LEVEL]",
            details={"field": "result"},
        )
    return SkillResult(skill=skill, passed=outcome == "pass", level=int(level) if level else None)


def run_assess(args: argparse.Namespace) -> None:
    """Record an assessment."""
    from api.schemas.proofs import AssessmentCreate, SubmissionPublic
    from graph.services.proofs.submissions import record_assessment

    endorse, comment = args.endorse, args.comment
    if args.file is not None:
        request = validate(AssessmentCreate, read_json_file(args.file))
        results = [r.to_domain() for r in request.results]
        endorse, comment = request.endorsement or endorse, request.comment or comment
    else:
        results = [_result(v) for v in args.result or []]
    with runtime() as rt:
        view = record_assessment(
            rt.store,
            actor=actor(),
            submission=args.submission,
            results=results,
            endorsement=endorse,
            comment=comment,
            base_iri=rt.settings.base_iri,
        )
    _print_submission(SubmissionPublic.from_domain(view), as_json=args.as_json)


def run_show(args: argparse.Namespace) -> None:
    """Show a submission."""
    from api.schemas.proofs import SubmissionPublic
    from graph.services.proofs.submissions import get_submission

    with runtime() as rt:
        view = get_submission(
            rt.store, args.submission, actor=actor(), base_iri=rt.settings.base_iri
        )
    _print_submission(SubmissionPublic.from_domain(view), as_json=args.as_json)


def run_issue(args: argparse.Namespace) -> None:
    """Issue a Proof of Competence."""
    from api.schemas.proofs import ProofPublic
    from graph.errors import InvalidInputError
    from graph.services.proofs.issuing import issue_proof

    if args.valid_until is not None and args.valid_until.tzinfo is None:
        raise InvalidInputError("--valid-until needs a time zone", details={"field": "valid_until"})
    with runtime() as rt:
        proof = issue_proof(
            rt.store,
            actor=actor(),
            submission=args.submission,
            issuer=rt.proof_issuer,
            valid_until=args.valid_until,
        )
    if args.out_file is not None:
        write_document(proof.document, args.out_file)
    if args.as_json:
        emit_json(ProofPublic.from_domain(proof))
    elif args.out_file is None:
        write_document(proof.document, None)


def run_get(args: argparse.Namespace) -> None:
    """Print a proof's document."""
    from graph.services.proofs.elm_export import export_elm
    from graph.services.proofs.issuing import get_proof

    with runtime() as rt:
        found = get_proof(rt.store, args.proof, actor=actor(), base_iri=rt.settings.base_iri)
        document = (
            export_elm(rt.store, found, base_iri=rt.settings.base_iri, reference=rt.reference)
            if args.elm
            else dict(found.document)
        )
    write_document(document, args.out_file)


def run_revoke(args: argparse.Namespace) -> None:
    """Revoke a proof."""
    from api.schemas.proofs import ProofPublic
    from graph.services.proofs.issuing import revoke_proof

    with runtime() as rt:
        revoked = revoke_proof(
            rt.store, actor=actor(), proof=args.proof, issuer=rt.proof_issuer, reason=args.reason
        )
    if args.as_json:
        emit_json(ProofPublic.from_domain(revoked))
    else:
        say(f"revoked {revoked.id} at {revoked.revoked_at}")


def run_status_list(args: argparse.Namespace) -> None:
    """Print a signed status list."""
    from graph.services.proofs.issuing import signed_status_list

    with runtime() as rt:
        document = signed_status_list(rt.store, number=args.number, issuer=rt.proof_issuer)
    write_document(document, args.out_file)


def run_rotate_key(args: argparse.Namespace) -> None:
    """Make a new issuer key."""
    with runtime(open_store=False) as rt:
        key = rt.proof_issuer.keys.rotate()
    if args.as_json:
        emit_json({"verification_method": key.verification_method})
    else:
        say(f"new issuer key {key.verification_method}")
