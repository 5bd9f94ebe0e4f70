"""Certificates of Impact on every backend: claim, endorsements, issue, verify, revoke, refusals."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.model.accounts import Actor, Grant, Role
from graph.model.concepts import NodeKind
from graph.model.impact import ImpactEvidence, ImpactState
from graph.proofs.issuer import ProofIssuer
from graph.proofs.keys import KeyStore
from graph.services.accounts import actor_for_user, create_user
from graph.services.impact.claims import (
    ImpactDraft,
    claims_to_endorse,
    create_claim,
    endorse_claim,
    get_claim,
    list_impact,
)
from graph.services.impact.issuing import issue_certificate, revoke_certificate
from graph.services.impact.portfolio import (
    Portfolio,
    PortfolioReport,
    export_portfolio,
    verify_portfolio,
)
from graph.services.proofs.verification import Trust, verify_document
from graph.store import GraphBatch, GraphStore
from ingest.frameworks.esco import EscoPack
from tests.contract.test_submissions_service import MINING, PYTHON
from tests.fixtures.actors import ADMIN, as_learner

BASE = "https://credwalk.org/id"
LEARNER = "https://credwalk.org/id/learner/ada-walsh"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def parties(store: GraphStore, esco_slice: EscoPack) -> dict[str, Actor]:
    """The real skills, and three users: the claimant, her employer, her client."""
    store.write(GraphBatch(concepts=[esco_slice.concepts[uri] for uri in (PYTHON, MINING)]))
    found = {}
    for name, grants in (
        ("ada", (Grant(Role.LEARNER, LEARNER),)),
        ("boss", (Grant(Role.MEMBER),)),
        ("client", (Grant(Role.MEMBER),)),
    ):
        user = create_user(
            store,
            actor=ADMIN,
            name=name,
            password=None,
            grants=grants,
            display_name=name.title(),
            base_iri=BASE,
        )
        found[name] = actor_for_user(user)
    return found


@pytest.fixture
def issuer(tmp_path: Path, pinned_loader: PinnedDocumentLoader) -> ProofIssuer:
    return ProofIssuer(keys=KeyStore(tmp_path / "keys"), loader=pinned_loader, base_iri=BASE)


def _draft(**changes: object) -> ImpactDraft:
    fields: dict[str, object] = {
        "title": "Automated the weekly sales report",
        "beneficiary": "Liffey Foods sales team",
        "outcome": "Four hours of manual work saved each week",
        "start": "2025-01-06",
        "end": "2025-03-28",
        "skills": (PYTHON,),
        "endorsers": ("boss", "client"),
        "evidence": (
            ImpactEvidence(url="https://example.org/report"),
            ImpactEvidence(text="The team lead's email of thanks."),
        ),
    }
    fields.update(changes)
    return ImpactDraft(**fields)  # type: ignore[arg-type]


def _claims(store: GraphStore) -> int:
    return len(store.list_records(kind=NodeKind.IMPACT, where={"record": "claim"}))


def test_claim_endorse_issue_verify_revoke(
    store: GraphStore, parties: dict[str, Actor], issuer: ProofIssuer
) -> None:
    ada, boss, client = parties["ada"], parties["boss"], parties["client"]
    claim = create_claim(store, _draft(), actor=ada, base_iri=BASE, now=T0)
    assert claim.claimant == LEARNER and claim.state is ImpactState.AWAITING_ENDORSEMENT
    assert [s.label for s in claim.skills] == ["Python (computer programming)"]
    assert [c.id for c in claims_to_endorse(store, actor=boss)] == [claim.id]
    with pytest.raises(ConflictError) as early:
        issue_certificate(store, claim.id, actor=ada, issuer=issuer)
    assert early.value.details["pending"] == [boss.user, client.user]
    endorse_claim(
        store, claim.id, actor=boss, relation="employer", statement="She did.", base_iri=BASE
    )
    assert claims_to_endorse(store, actor=boss) == []
    done = endorse_claim(
        store,
        claim.id,
        actor=client,
        relation="client",
        statement="Saved us hours.",
        base_iri=BASE,
    )
    assert done.state is ImpactState.ENDORSED
    assert [e.name for e in done.endorsements] == ["Boss", "Client"]
    issued = issue_certificate(store, claim.id, actor=ada, issuer=issuer, now=T0)
    assert issued.state is ImpactState.ISSUED and issued.certificate is not None
    document = dict(issued.certificate.document)
    subject = document["credentialSubject"]
    assert subject["id"] == LEARNER
    assert subject["achievement"]["achievementType"] == "ext:CertificateOfImpact"
    assert subject["achievement"]["alignment"][0]["targetUrl"] == PYTHON
    assert len(document["endorsement"]) == 2
    report = verify_document(
        document, loader=issuer.loader, issuer=issuer, store=lambda: store, trust=Trust.OURS
    )
    assert report.verified, report.message
    assert report.endorsements == 2
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["name"] = "Ran the whole company"
    bad = verify_document(tampered, loader=issuer.loader, issuer=issuer, store=lambda: store)
    assert not bad.verified and bad.check == "signature"
    forged = copy.deepcopy(document)
    forged["endorsement"][1]["credentialSubject"]["endorsementComment"] = "Best ever."
    assert (
        verify_document(forged, loader=issuer.loader, issuer=issuer, store=lambda: store).check
        == "signature"
    )
    with pytest.raises(ForbiddenError):
        revoke_certificate(store, claim.id, actor=boss, issuer=issuer)
    revoked = revoke_certificate(store, claim.id, actor=ada, issuer=issuer, reason="test")
    assert revoked.state is ImpactState.REVOKED
    after = verify_document(document, loader=issuer.loader, issuer=issuer, store=lambda: store)
    assert not after.verified and after.check == "revoked"
    [listed] = list_impact(store, LEARNER, actor=ada)
    assert listed.state is ImpactState.REVOKED and listed.start == "2025-01-06"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"skills": ()}, "skills"),
        (
            {"skills": ("http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000",)},
            "skills",
        ),
        ({"title": "  "}, "title"),
        ({"start": "2025-13-01"}, "start"),
        ({"end": "2024-12-31"}, "end"),
        ({"start": "2099-01-01", "end": None}, "start"),
        ({"evidence": (ImpactEvidence(url="javascript:alert(1)"),)}, "evidence"),
        ({"endorsers": ()}, "endorsers"),
        ({"endorsers": ("nobody-here",)}, "endorsers"),
        ({"endorsers": ("ada",)}, "endorsers"),
    ],
)
def test_bad_claims_are_refused_naming_the_field(
    store: GraphStore, parties: dict[str, Actor], changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        create_claim(store, _draft(**changes), actor=parties["ada"], base_iri=BASE, now=T0)
    assert refused.value.details["field"] == field
    assert _claims(store) == 0


def test_endorsement_refusals_write_nothing(
    store: GraphStore, parties: dict[str, Actor], issuer: ProofIssuer
) -> None:
    ada, boss = parties["ada"], parties["boss"]
    claim = create_claim(store, _draft(endorsers=("boss",)), actor=ada, base_iri=BASE, now=T0)
    with pytest.raises(ForbiddenError, match="own claim"):
        endorse_claim(
            store, claim.id, actor=ada, relation="employer", statement="Me!", base_iri=BASE
        )
    # Not even as an administrator bound to the learner record.
    admin_ada = Actor(ada.user, "ada", (*ada.grants, Grant(Role.ADMIN)))
    with pytest.raises(ForbiddenError):
        endorse_claim(
            store, claim.id, actor=admin_ada, relation="employer", statement="Me!", base_iri=BASE
        )
    with pytest.raises(ForbiddenError, match="not an endorser"):
        endorse_claim(
            store,
            claim.id,
            actor=parties["client"],
            relation="client",
            statement="Hi",
            base_iri=BASE,
        )
    with pytest.raises(InvalidInputError) as relation:
        endorse_claim(store, claim.id, actor=boss, relation="friend", statement="x", base_iri=BASE)
    assert relation.value.details["field"] == "relation"
    endorse_claim(store, claim.id, actor=boss, relation="employer", statement="Yes", base_iri=BASE)
    with pytest.raises(ConflictError):
        endorse_claim(
            store, claim.id, actor=boss, relation="employer", statement="Again", base_iri=BASE
        )
    assert len(get_claim(store, claim.id, actor=ada, base_iri=BASE).endorsements) == 1
    with pytest.raises(ConflictError, match="never issued"):
        revoke_certificate(store, claim.id, actor=ada, issuer=issuer)


def test_privacy_of_claims(store: GraphStore, parties: dict[str, Actor]) -> None:
    claim = create_claim(
        store, _draft(endorsers=("boss",)), actor=parties["ada"], base_iri=BASE, now=T0
    )
    assert get_claim(store, claim.id, actor=parties["boss"], base_iri=BASE).id == claim.id
    with pytest.raises(ForbiddenError):
        get_claim(store, claim.id, actor=parties["client"], base_iri=BASE)
    with pytest.raises(NotFoundError):
        get_claim(store, "no-such-claim", actor=parties["ada"], base_iri=BASE)
    with pytest.raises(ForbiddenError):
        list_impact(store, LEARNER, actor=parties["client"])
    assert [c.id for c in list_impact(store, LEARNER, actor=as_learner(LEARNER))] == [claim.id]


def _issued(store: GraphStore, parties: dict[str, Actor], issuer: ProofIssuer) -> str:
    claim = create_claim(store, _draft(endorsers=("boss",)), actor=parties["ada"], base_iri=BASE)
    endorse_claim(
        store, claim.id, actor=parties["boss"], relation="employer", statement="Yes", base_iri=BASE
    )
    return issue_certificate(store, claim.id, actor=parties["ada"], issuer=issuer).id


def _rezip(files: dict[str, bytes]) -> bytes:
    return Portfolio("urn:x", LEARNER, files).to_zip()


def test_portfolio_export_verifies_and_refuses_changes(
    store: GraphStore, parties: dict[str, Actor], issuer: ProofIssuer
) -> None:
    claim = _issued(store, parties, issuer)
    with pytest.raises(ForbiddenError):
        export_portfolio(store, LEARNER, actor=parties["boss"], issuer=issuer)
    portfolio = export_portfolio(store, LEARNER, actor=parties["ada"], issuer=issuer, name="Ada")
    short = claim.rpartition("/")[2]
    assert set(portfolio.files) == {
        "manifest.json",
        "summary.html",
        f"credentials/impact-{short}.json",
    }
    assert b"Automated the weekly sales report" in portfolio.files["summary.html"]
    data = portfolio.to_zip()

    def check(data: bytes) -> PortfolioReport:
        return verify_portfolio(data, loader=issuer.loader, issuer=issuer, store=lambda: store)

    report = check(data)
    assert report.verified, report.message
    assert [n for n, _ in report.credentials] == [f"credentials/impact-{short}.json"]
    altered = dict(portfolio.files)
    altered["summary.html"] = altered["summary.html"].replace(b"Ada", b"Eve")
    found = check(_rezip(altered))
    assert not found.verified and "summary.html altered" in found.message
    added = {**portfolio.files, "credentials/extra.json": b"{}"}
    assert "not listed" in check(_rezip(added)).message
    missing = {n: b for n, b in portfolio.files.items() if n != "summary.html"}
    assert "summary.html missing" in check(_rezip(missing)).message
    revoke_certificate(store, claim, actor=parties["ada"], issuer=issuer)
    after = check(data)
    assert not after.verified and "revoked" in after.message
    assert (
        f"credentials/impact-{short}.json"
        not in export_portfolio(store, LEARNER, actor=parties["ada"], issuer=issuer).files
    )
    with pytest.raises(InvalidInputError):
        check(b"not a zip")
