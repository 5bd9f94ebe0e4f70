"""The member's signed portfolio: export it as one ZIP, and verify such a ZIP offline.

**Why a ZIP with a signed manifest** (:mod:`graph.exports.portfolio`): the portfolio holds
documents of three kinds — signed OB 3.0 credentials, unsigned ELM credentials (Europass reads
them one by one) and an HTML page for people. A Verifiable Presentation can carry only the
credentials, and would be signed by the holder, for whom credwalk keeps no key. A manifest
credential signed ``eddsa-rdfc-2022`` by this service, listing the digest of every file, binds
them all with the same signer and verifier as the Proof of Competence: ``credwalk verify
portfolio.zip`` checks the manifest, every file's digest (none missing, none added) and then
every credential in it on its own (signature, endorsements, revocation).

Revoked credentials are left out of an export. Nothing is written to the store.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.errors import InvalidInputError
from graph.exports.portfolio import (
    MANIFEST,
    PortfolioEntry,
    digest_multibase,
    portfolio_manifest,
    portfolio_summary,
)
from graph.jsonld import PinnedDocumentLoader
from graph.model.accounts import Actor
from graph.model.impact import ImpactClaim, ImpactState
from graph.model.proofs import ProofRecord
from graph.proofs._xsd import format_datetime
from graph.proofs.issuer import ProofIssuer
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.catalogue.credentials import get_credentials
from graph.services.impact.claims import list_impact
from graph.services.proofs.elm_export import export_elm
from graph.services.proofs.issuing import list_proofs, sign_credential
from graph.services.proofs.verification import Trust, VerificationReport, verify_document
from graph.store import GraphStore

__all__ = [
    "Portfolio",
    "PortfolioReport",
    "export_portfolio",
    "verify_portfolio",
]

#: The most bytes a portfolio's files may hold once unpacked (a guard against ZIP bombs).
MAX_UNPACKED = 50_000_000
_JSON_LD = "application/ld+json"


@dataclass(frozen=True, slots=True)
class Portfolio:
    """An exported portfolio: its id, its member and the files of its ZIP (the manifest too)."""

    id: str
    member: str
    files: Mapping[str, bytes]

    def to_zip(self) -> bytes:
        """The ZIP to download (manifest first)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(self.files, key=lambda n: (n != MANIFEST, n)):
                archive.writestr(name, self.files[name])
        return buffer.getvalue()


def _dump(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _proof_files(
    store: GraphStore,
    proofs: Sequence[ProofRecord],
    *,
    base_iri: str,
    reference: ReferenceData | None,
) -> tuple[dict[str, bytes], list[PortfolioEntry]]:
    files: dict[str, bytes] = {}
    entries = []
    titles = {u: c.title for u, c in get_credentials(store, [p.credential for p in proofs]).items()}
    for proof in proofs:
        short = proof.id.rpartition("/")[2]
        name = f"credentials/proof-{short}.json"
        files[name] = _dump(proof.document)
        files[f"elm/proof-{short}.json"] = _dump(
            export_elm(store, proof, base_iri=base_iri, reference=reference)
        )
        subject = proof.document.get("credentialSubject", {})
        skills = tuple(
            str(a.get("targetName", ""))
            for a in subject.get("achievement", {}).get("alignment", [])
        )
        title = titles.get(proof.credential, proof.credential)
        entries.append(PortfolioEntry("proof", title, proof.issued_at[:10], "issued", skills, name))
    return files, entries


def _impact_files(claims: Sequence[ImpactClaim]) -> tuple[dict[str, bytes], list[PortfolioEntry]]:
    files: dict[str, bytes] = {}
    entries = []
    for claim in claims:
        if claim.certificate is None or claim.state is not ImpactState.ISSUED:
            continue
        name = f"credentials/impact-{claim.id.rpartition('/')[2]}.json"
        files[name] = _dump(claim.certificate.document)
        period = f"{claim.start} to {claim.end or 'now'}"
        who = ", ".join(f"{e.name} ({e.relation.value})" for e in claim.endorsements)
        entries.append(
            PortfolioEntry(
                "impact",
                claim.title,
                period,
                f"issued {claim.certificate.issued_at[:10]}",
                tuple(s.label for s in claim.skills),
                name,
                f"For {claim.beneficiary}: {claim.outcome}. Confirmed by {who}.",
            )
        )
    return files, entries


def export_portfolio(
    store: GraphStore,
    member: str | None,
    *,
    actor: Actor,
    issuer: ProofIssuer,
    reference: ReferenceData | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> Portfolio:
    """The member's portfolio: proofs, impact certificates, ELM forms, summary, signed manifest.

    ``member`` is a learner IRI (or a member's user IRI), by default the acting user's own
    (:func:`graph.services.policy.impact_claimant`); ``name`` what the summary calls them.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the member and administrators.
    BackendUnavailableError
        If a pinned context is missing from the context cache.
    """
    action = "export this member's portfolio"
    member = member or policy.impact_claimant(actor, action=action)
    policy.require_impact_owner(actor, member, author=member, action=action)
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    # A member without a learner record claims impact as their user, and holds no proofs.
    held = [] if member == actor.user else list_proofs(store, member, actor=actor)
    proofs = [p for p in held if not p.revoked]
    files, entries = _proof_files(store, proofs, base_iri=issuer.base_iri, reference=reference)
    impact_files, impact_entries = _impact_files(list_impact(store, member, actor=actor))
    files |= impact_files
    generated = format_datetime(moment)
    summary = portfolio_summary(
        member=member, name=name or member, generated=generated, entries=entries + impact_entries
    )
    files["summary.html"] = summary.encode()
    key, vm = issuer.signing_key()
    portfolio_id = f"{issuer.base_iri}/portfolio/{uuid.uuid4()}"
    media = {n: "text/html" if n.endswith(".html") else _JSON_LD for n in files}
    unsigned = portfolio_manifest(
        portfolio_id=portfolio_id,
        issuer={"id": issuer.did(key), "name": issuer.name},
        member=member,
        files=files,
        media_types=media,
        valid_from=generated,
    )
    manifest = sign_credential(unsigned, key=key, vm=vm, issuer=issuer, at=moment)
    return Portfolio(portfolio_id, member, {**files, MANIFEST: _dump(manifest)})


@dataclass(frozen=True, slots=True)
class PortfolioReport:
    """What :func:`verify_portfolio` found: the manifest, each file, each credential."""

    verified: bool
    message: str
    manifest: VerificationReport | None
    member: str | None
    files: tuple[tuple[str, str], ...] = ()
    credentials: tuple[tuple[str, VerificationReport], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The JSON form (``credwalk verify portfolio.zip --json``)."""
        return {
            "verified": self.verified,
            "message": self.message,
            "member": self.member,
            "manifest": None if self.manifest is None else self.manifest.to_json(),
            "files": [{"name": n, "status": s} for n, s in self.files],
            "credentials": [{"name": n, **r.to_json()} for n, r in self.credentials],
        }


def _unpack(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise InvalidInputError(
                    f"file: the portfolio unpacks to more than {MAX_UNPACKED} bytes",
                    details={"field": "file"},
                )
            return {i.filename: archive.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError) as e:
        raise InvalidInputError(f"file: not a portfolio ZIP: {e}", details={"field": "file"}) from e


def _file_statuses(
    manifest: Mapping[str, Any], files: Mapping[str, bytes]
) -> list[tuple[str, str]]:
    """Each listed file's status (ok, missing, altered), and any file the manifest omits."""
    statuses = []
    listed = set()
    resources = manifest.get("relatedResource", [])
    for resource in resources if isinstance(resources, list) else []:
        name = str(resource.get("name", "")) if isinstance(resource, Mapping) else ""
        listed.add(name)
        if name not in files:
            statuses.append((name, "missing"))
        elif digest_multibase(files[name]) != resource.get("digestMultibase"):
            statuses.append((name, "altered"))
        else:
            statuses.append((name, "ok"))
    statuses += [(n, "not listed") for n in sorted(files) if n not in listed and n != MANIFEST]
    return statuses


def verify_portfolio(
    data: bytes,
    *,
    loader: PinnedDocumentLoader,
    issuer: ProofIssuer | None = None,
    store: Callable[[], GraphStore] | None = None,
    status_lists: Sequence[Mapping[str, Any]] = (),
    trust: Trust = Trust.ISSUER,
    bind_issuer: bool = True,
    now: datetime | None = None,
) -> PortfolioReport:
    """Verify a portfolio ZIP offline: its signed manifest, every digest, every credential.

    Raises
    ------
    InvalidInputError
        If ``data`` is not a ZIP, or holds no readable ``manifest.json``.
    """
    files = _unpack(data)
    try:
        manifest = json.loads(files[MANIFEST])
    except (KeyError, ValueError) as e:
        raise InvalidInputError(
            f"file: the portfolio has no readable {MANIFEST}", details={"field": "file"}
        ) from e
    options: dict[str, Any] = {
        "loader": loader, "issuer": issuer, "store": store, "status_lists": status_lists,
        "trust": trust, "bind_issuer": bind_issuer, "now": now,
    }  # fmt: skip
    report = verify_document(manifest, **options)
    member = manifest.get("credentialSubject", {}).get("id")
    if not report.verified:
        return PortfolioReport(False, f"manifest: {report.check}: {report.message}", report, member)
    statuses = _file_statuses(manifest, files)
    credentials = [
        (name, verify_document(json.loads(files[name]), **options))
        for name, status in statuses
        if status == "ok" and name.startswith("credentials/")
    ]
    bad_files = [f"{n} {s}" for n, s in statuses if s != "ok"]
    bad = [f"{n}: {r.check}: {r.message}" for n, r in credentials if not r.verified]
    problems = bad_files + bad
    return PortfolioReport(
        verified=not problems,
        message="verified" if not problems else "; ".join(problems),
        manifest=report,
        member=member,
        files=tuple(statuses),
        credentials=tuple(credentials),
    )
