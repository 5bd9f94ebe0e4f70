"""``credwalk verify``, ``credwalk contexts seed`` and ``credwalk proofs ...``.

``credwalk verify FILE`` checks a signed credential offline and exits 0 only when every check
passes (1 when one fails, naming it). Contexts come from the pinned cache
(``settings.context_cache``), which ``credwalk contexts seed DIR`` fills once from a folder of
published context files; nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from api.cli.common import JsonOption, app, emit_json, err, out, runtime, settings
from api.proofs_setup import document_loader, manifest_path, proof_issuer
from api.runtime import store_options
from api.schemas.proofs import (
    AssessmentCreate,
    PanelCreate,
    PanelPublic,
    ProofPublic,
    SubmissionPublic,
    VerificationPublic,
)
from graph.errors import InvalidInputError, PayloadTooLargeError
from graph.jsonld import load_manifest, seed_cache
from graph.model.submissions import Evidence, EvidenceKind, SkillResult
from graph.registry import create_store
from graph.services.proofs.elm_export import export_elm
from graph.services.proofs.issuing import get_proof, issue_proof, revoke_proof, signed_status_list
from graph.services.proofs.submissions import (
    declare_panel,
    get_submission,
    record_assessment,
    submit,
)
from graph.services.proofs.verification import Trust, verify_document
from graph.store import GraphStore

__all__ = ["contexts_app", "proofs_app", "verify"]

contexts_app = typer.Typer(help="The pinned JSON-LD context cache.", no_args_is_help=True)
proofs_app = typer.Typer(
    help="Submissions, assessments and Proofs of Competence.", no_args_is_help=True
)
app.add_typer(contexts_app, name="contexts")
app.add_typer(proofs_app, name="proofs")

OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write the document to this file instead.")
]


def read_json_file(path: Path, *, field: str = "file") -> Any:
    """Parse a JSON file no larger than the payload limit, or raise naming it.

    Raises
    ------
    PayloadTooLargeError
        If the file is larger than ``settings.max_payload_bytes``.
    InvalidInputError
        If it cannot be read or is not JSON.
    """
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


def _write_document(document: Any, out_file: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {out_file}", markup=False, emoji=False, highlight=False)


class _LazyStore:
    """Opens the configured store only if verification needs one of our status lists."""

    def __init__(self) -> None:
        self.store: GraphStore | None = None

    def __call__(self) -> GraphStore:
        if self.store is None:
            config = settings()
            self.store = create_store(config.store, **store_options(config))
            self.store.open()
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


@contextmanager
def _lazy_store() -> Iterator[_LazyStore]:
    lazy = _LazyStore()
    try:
        yield lazy
    finally:
        lazy.close()


def print_report(public: VerificationPublic) -> None:
    """Print a verification report: one line per check, then the verdict."""
    marks = {"passed": "ok", "failed": "FAILED", "not_run": "-", "not_applicable": "n/a"}
    for check in public.checks:
        line = f"  {check.name:<13} {marks.get(check.status, check.status)}"
        say(line + (f"  {check.message}" if check.message else ""))
    for warning in public.warnings:
        say(f"  warning: {warning}")
    if public.verified:
        say(f"verified (issuer {public.issuer})")
    else:
        say(f"NOT verified: {public.check}: {public.message}")


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A signed credential (JSON-LD)")],
    status_list: Annotated[
        list[Path] | None,
        typer.Option("--status-list", help="A BitstringStatusListCredential file (repeatable)."),
    ] = None,
    trust: Annotated[
        Trust, typer.Option("--trust", help="any: any did:key; ours: only this service's keys.")
    ] = Trust.ANY,
    no_issuer_binding: Annotated[
        bool,
        typer.Option(
            "--no-issuer-binding", help="Do not require the signing key to be the issuer's."
        ),
    ] = False,
    at: Annotated[
        datetime | None, typer.Option("--at", help="Check validity at this time (ISO 8601).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify a signed credential offline; exit 0 only when every check passes."""
    document = read_json_file(file)
    if not isinstance(document, dict):
        raise InvalidInputError(f"{file} is not a JSON object", details={"file": str(file)})
    if at is not None and at.tzinfo is None:
        raise InvalidInputError("--at needs a time zone (e.g. 2026-01-01T00:00:00Z)")
    lists = [read_json_file(p, field="status_list") for p in status_list or []]
    config = settings()
    with _lazy_store() as store:
        report = verify_document(
            document,
            loader=document_loader(config),
            issuer=proof_issuer(config),
            store=store,
            status_lists=lists,
            trust=trust,
            bind_issuer=not no_issuer_binding,
            now=at,
        )
    public = VerificationPublic.from_domain(report)
    if as_json:
        emit_json(public)
    else:
        print_report(public)
    if not report.verified:
        raise typer.Exit(1)


@contexts_app.command("seed")
def seed_contexts(
    folder: Annotated[Path, typer.Argument(help="A folder holding published context files")],
    as_json: JsonOption = False,
) -> None:
    """Copy into the context cache every file whose bytes match a pinned context."""
    config = settings()
    if not folder.is_dir():
        raise InvalidInputError(f"{folder} is not a folder", details={"field": "folder"})
    report = seed_cache(
        folder, cache_dir=config.context_cache, manifest=load_manifest(manifest_path(config))
    )
    if as_json:
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


@proofs_app.command("panel")
def panel_command(
    file: Annotated[Path, typer.Argument(help="JSON: credential, assessors, rule")],
    as_json: JsonOption = False,
) -> None:
    """Declare (or replace) the assessment panel of a credential from a JSON file."""
    request = _model(PanelCreate, read_json_file(file))
    with runtime() as rt:
        panel = declare_panel(
            rt.store,
            credential=request.credential,
            assessors=[a.to_domain() for a in request.assessors],
            rule=request.rule.to_domain(),
            base_iri=rt.settings.base_iri,
            declared_by=request.declared_by,
        )
    public = PanelPublic.from_domain(panel)
    if as_json:
        emit_json(public)
    else:
        say(f"panel of {public.credential}: {len(public.assessors)} assessors")
        say(public.rule_text)


def _model(cls: Any, data: Any) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidInputError(f"{field}: {first['msg']}", details={"field": field}) from e


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
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise InvalidInputError(f"cannot read {path}: {e}", details={"field": "document"}) from e
    return Evidence(EvidenceKind.DOCUMENT, name=path.name, sha256=digest)


@proofs_app.command("submit")
def submit_command(
    learner: Annotated[str, typer.Option("--learner", help="The learner's IRI")],
    credential: Annotated[str, typer.Option("--credential", help="The credential's IRI")],
    link: Annotated[list[str] | None, typer.Option("--link", help="A URL (repeatable)")] = None,
    document: Annotated[
        list[Path] | None,
        typer.Option("--document", help="A file: only its SHA-256 and name are sent"),
    ] = None,
    text: Annotated[list[str] | None, typer.Option("--text", help="A statement")] = None,
    as_json: JsonOption = False,
) -> None:
    """Submit evidence for a credential; it is routed to the credential's assessors."""
    evidence = [Evidence(EvidenceKind.LINK, url=u) for u in link or []]
    evidence += [_document_evidence(p) for p in document or []]
    evidence += [Evidence(EvidenceKind.TEXT, text=t) for t in text or []]
    with runtime() as rt:
        view = submit(
            rt.store,
            learner=learner,
            credential=credential,
            evidence=evidence,
            base_iri=rt.settings.base_iri,
        )
    _print_submission(SubmissionPublic.from_domain(view), as_json=as_json)


def _result(value: str) -> SkillResult:
    # SKILL=pass[:LEVEL] or SKILL=fail[:LEVEL]; split on the last '=' (IRIs have colons).
    skill, sep, verdict = value.rpartition("=")
    outcome, _, level = verdict.partition(":")
    if not sep or outcome not in {"pass", "fail"} or (level and not level.isdigit()):
        raise InvalidInputError(
            f"--result {value!r}: expected SKILL=pass[:LEVEL] or SKILL=fail[:LEVEL]",
            details={"field": "result"},
        )
    return SkillResult(skill=skill, passed=outcome == "pass", level=int(level) if level else None)


@proofs_app.command("assess")
def assess_command(
    submission: Annotated[str, typer.Argument(help="Submission id or IRI")],
    assessor: Annotated[str | None, typer.Option("--assessor", help="Your IRI")] = None,
    result: Annotated[
        list[str] | None, typer.Option("--result", help="SKILL=pass[:LEVEL] | SKILL=fail")
    ] = None,
    endorse: Annotated[str | None, typer.Option("--endorse", help="An endorsement")] = None,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="JSON: assessor, results, endorsement")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record an assessor's results per skill, or its endorsement."""
    if file is not None:
        request = _model(AssessmentCreate, read_json_file(file))
        who, results = request.assessor, [r.to_domain() for r in request.results]
        endorse, comment = request.endorsement or endorse, request.comment or comment
    elif assessor is None:
        raise InvalidInputError("--assessor: required unless --file is given")
    else:
        who, results = assessor, [_result(v) for v in result or []]
    with runtime() as rt:
        view = record_assessment(
            rt.store,
            submission=submission,
            assessor=who,
            results=results,
            endorsement=endorse,
            comment=comment,
            base_iri=rt.settings.base_iri,
        )
    _print_submission(SubmissionPublic.from_domain(view), as_json=as_json)


@proofs_app.command("show")
def show_command(
    submission: Annotated[str, typer.Argument(help="Submission id or IRI")],
    as_json: JsonOption = False,
) -> None:
    """Show a submission's status, assessments and what the rule still needs."""
    with runtime() as rt:
        view = get_submission(rt.store, submission, base_iri=rt.settings.base_iri)
    _print_submission(SubmissionPublic.from_domain(view), as_json=as_json)


@proofs_app.command("issue")
def issue_command(
    submission: Annotated[str, typer.Argument(help="Submission id or IRI")],
    valid_until: Annotated[
        datetime | None, typer.Option("--valid-until", help="Expiry (ISO 8601, with zone)")
    ] = None,
    out_file: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue the signed Proof of Competence of a submission whose rule is met."""
    if valid_until is not None and valid_until.tzinfo is None:
        raise InvalidInputError("--valid-until needs a time zone", details={"field": "valid_until"})
    with runtime() as rt:
        proof = issue_proof(
            rt.store,
            submission=submission,
            issuer=proof_issuer(rt.settings),
            valid_until=valid_until,
        )
    if out_file is not None:
        _write_document(proof.document, out_file)
    if as_json:
        emit_json(ProofPublic.from_domain(proof))
    elif out_file is None:
        _write_document(proof.document, None)


@proofs_app.command("get")
def get_command(
    proof: Annotated[str, typer.Argument(help="Proof id or IRI")],
    elm: Annotated[bool, typer.Option("--elm", help="The European Learning Model form")] = False,
    out_file: OutOption = None,
) -> None:
    """Print (or write) the signed credential of a proof, or its ELM form."""
    with runtime() as rt:
        found = get_proof(rt.store, proof, base_iri=rt.settings.base_iri)
        document = (
            export_elm(rt.store, found, base_iri=rt.settings.base_iri, reference=rt.reference)
            if elm
            else dict(found.document)
        )
    _write_document(document, out_file)


@proofs_app.command("revoke")
def revoke_command(
    proof: Annotated[str, typer.Argument(help="Proof id or IRI")],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a proof: its status bit is set and its status list re-signed."""
    with runtime() as rt:
        revoked = revoke_proof(
            rt.store, proof=proof, issuer=proof_issuer(rt.settings), reason=reason
        )
    if as_json:
        emit_json(ProofPublic.from_domain(revoked))
    else:
        say(f"revoked {revoked.id} at {revoked.revoked_at}")


@proofs_app.command("status-list")
def status_list_command(
    number: Annotated[int, typer.Argument(help="Status list number")] = 1,
    out_file: OutOption = None,
) -> None:
    """Print (or write) the signed status list credential, for offline verifiers."""
    with runtime() as rt:
        document = signed_status_list(rt.store, number=number, issuer=proof_issuer(rt.settings))
    _write_document(document, out_file)


@proofs_app.command("rotate-key")
def rotate_key_command(as_json: JsonOption = False) -> None:
    """Make a new issuer key; proofs signed by the old one still verify."""
    key = proof_issuer(settings()).keys.rotate()
    if as_json:
        emit_json({"verification_method": key.verification_method})
    else:
        say(f"new issuer key {key.verification_method}")
