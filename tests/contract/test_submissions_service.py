"""Submissions, assessments, issued proofs and revocation, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.model.concepts import NodeKind
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Issuer,
    IssuerType,
    QualificationLevel,
)
from graph.model.submissions import (
    AssessmentKind,
    Assessor,
    Evidence,
    EvidenceKind,
    IssuingRule,
    SkillResult,
    SubmissionStatus,
    SubmissionView,
)
from graph.proofs.canonical import canonicalize
from graph.proofs.issuer import ProofIssuer
from graph.proofs.keys import KeyStore
from graph.proofs.status_list import StatusList, status_list_from_credential
from graph.services.catalogue.credentials import save_catalogue
from graph.services.proofs.elm_export import export_elm
from graph.services.proofs.issuing import get_proof, issue_proof, revoke_proof, signed_status_list
from graph.services.proofs.submissions import (
    declare_panel,
    get_panel,
    get_submission,
    list_submissions,
    record_assessment,
    submit,
)
from graph.services.proofs.verification import Trust, verify_document
from graph.store import GraphBatch, GraphStore
from ingest.frameworks.esco import EscoPack
from tests.fixtures.actors import ADMIN, admin_named, as_assessor

BASE = "https://credwalk.org/id"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
MINING = "http://data.europa.eu/esco/skill/25f0ea33-b4a2-4f31-b7b4-7d20e827b180"
UCD = Issuer("https://www.ucd.ie", "University College Dublin", IssuerType.INSTITUTION, "IE")
COURSE = Credential(
    id="https://www.ucd.ie/credentials/data-analysis",
    title="Data analysis with Python",
    issuer=UCD.id,
    levels=(QualificationLevel("EQF", "6"),),
    skills=(
        CredentialSkill(PYTHON, level=4),
        CredentialSkill(SQL, level=3),
        CredentialSkill(MINING),
    ),
    language="en",
)
UNI = Assessor(UCD.id, "UCD", "institution")
INDUSTRY = Assessor(
    "https://www.ictskillnet.ie", "ICT Skillnet", "industry_body", skills=(PYTHON, MINING)
)
REGION = Assessor(
    "https://www.hea.ie", "HEA", "regional_authority", kind=AssessmentKind.ENDORSEMENT
)
LEARNER = "urn:example:learner:42"
EVIDENCE = [
    Evidence(EvidenceKind.LINK, url="https://github.com/learner/analysis"),
    Evidence(EvidenceKind.DOCUMENT, name="report.pdf", sha256="0f" * 32),
    Evidence(EvidenceKind.TEXT, text="I cleaned and analysed 2 GB of sensor data."),
]


@pytest.fixture
def skills_store(store: GraphStore, esco_slice: EscoPack) -> GraphStore:
    """A store with the three real ESCO skills the course certifies (no embeddings needed)."""
    store.write(GraphBatch(concepts=[esco_slice.concepts[uri] for uri in (PYTHON, SQL, MINING)]))
    return store


@pytest.fixture
def catalogue(skills_store: GraphStore) -> GraphStore:
    save_catalogue(skills_store, actor=ADMIN, issuers=[UCD], credentials=[COURSE])
    declare_panel(
        skills_store,
        credential=COURSE.id,
        assessors=[UNI, INDUSTRY, REGION],
        rule=IssuingRule(min_passes=2),
        base_iri=BASE,
        actor=admin_named(UCD.id),
    )
    return skills_store


@pytest.fixture
def issuer(tmp_path: Path, pinned_loader: PinnedDocumentLoader) -> ProofIssuer:
    return ProofIssuer(keys=KeyStore(tmp_path / "keys"), loader=pinned_loader, base_iri=BASE)


def _submit_course(store: GraphStore) -> SubmissionView:
    """The learner's submission of evidence for the course, made by an administrator."""
    return submit(
        store, actor=ADMIN, learner=LEARNER, credential=COURSE.id, evidence=EVIDENCE, base_iri=BASE
    )


def assess_all(store: GraphStore, submission: str) -> None:
    record_assessment(
        store,
        submission=submission,
        actor=as_assessor(UNI.id),
        results=[
            SkillResult(PYTHON, True, 5),
            SkillResult(SQL, True, 3),
            SkillResult(MINING, True),
        ],
        base_iri=BASE,
    )
    record_assessment(
        store,
        submission=submission,
        actor=as_assessor(INDUSTRY.id),
        results=[SkillResult(PYTHON, True, 4), SkillResult(MINING, True, 6)],
        comment="Production-quality notebooks.",
        base_iri=BASE,
    )
    record_assessment(
        store,
        submission=submission,
        actor=as_assessor(REGION.id),
        endorsement="Recognised for the regional data skills programme.",
        base_iri=BASE,
    )


def test_submission_is_routed_and_its_status_follows_the_rule(catalogue: GraphStore) -> None:
    view = _submit_course(catalogue)
    sub = view.submission
    assert view.status is SubmissionStatus.SUBMITTED
    assert [s.label for s in sub.skills] == ["Python (computer programming)", "SQL", "data mining"]
    assert [a.id for a in sub.panel.assessors] == [UNI.id, INDUSTRY.id, REGION.id]
    # Visible to the learner and to each assessor it was routed to, and to nobody else.
    assert [v.submission.id for v in list_submissions(catalogue, actor=ADMIN, learner=LEARNER)] == [
        sub.id
    ]
    for assessor in (UNI, INDUSTRY, REGION):
        assert [
            v.submission.id for v in list_submissions(catalogue, actor=ADMIN, assessor=assessor.id)
        ] == [sub.id]
    assert list_submissions(catalogue, actor=ADMIN, assessor="https://elsewhere.example") == []

    view = record_assessment(
        catalogue,
        submission=sub.id.rpartition("/")[2],
        actor=as_assessor(INDUSTRY.id),
        results=[SkillResult(PYTHON, False, 2), SkillResult(MINING, True, 6)],
        base_iri=BASE,
    )
    assert view.status is SubmissionStatus.NOT_PASSED
    assert list_submissions(
        catalogue, actor=ADMIN, learner=LEARNER, status=SubmissionStatus.NOT_PASSED
    )
    assess_all(catalogue, sub.id)
    view = get_submission(catalogue, sub.id, actor=ADMIN, base_iri=BASE)
    assert view.status is SubmissionStatus.READY and view.outcome.met
    assert len(view.assessments) == 4, "the superseded failure is kept"
    assert [(s.skill, s.level) for s in view.outcome.skills] == [
        (PYTHON, 4),
        (SQL, 3),
        (MINING, 6),
    ]


def records(store: GraphStore) -> int:
    return len(store.list_records(kind=NodeKind.SUBMISSION)) + len(
        store.list_records(kind=NodeKind.PROOF)
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"learner": "learner 42"}, "learner"),
        ({"credential": "https://www.ucd.ie/credentials/nope"}, "credential"),
        ({"evidence": [Evidence(EvidenceKind.LINK, url="javascript:alert(1)")]}, "evidence[0].url"),
        ({"evidence": []}, "evidence"),
    ],
    ids=["learner", "credential", "evidence-url", "no-evidence"],
)
def test_bad_submissions_store_nothing(
    catalogue: GraphStore, changes: dict[str, object], field: str
) -> None:
    before = records(catalogue)
    arguments: dict[str, object] = {
        "learner": LEARNER,
        "credential": COURSE.id,
        "evidence": EVIDENCE,
    }
    with pytest.raises(InvalidInputError) as info:
        submit(catalogue, actor=ADMIN, base_iri=BASE, **arguments | changes)  # type: ignore[arg-type]
    assert info.value.details["field"] == field
    assert records(catalogue) == before


def test_a_credential_without_a_panel_cannot_be_submitted(skills_store: GraphStore) -> None:
    save_catalogue(skills_store, actor=ADMIN, issuers=[UCD], credentials=[COURSE])
    with pytest.raises(InvalidInputError, match="no assessment panel") as info:
        submit(
            skills_store,
            actor=ADMIN,
            learner=LEARNER,
            credential=COURSE.id,
            evidence=EVIDENCE,
            base_iri=BASE,
        )
    assert info.value.details["field"] == "credential"
    with pytest.raises(InvalidInputError) as info:
        declare_panel(
            skills_store,
            actor=ADMIN,
            credential=COURSE.id,
            assessors=[INDUSTRY],
            rule=IssuingRule(),
            base_iri=BASE,
        )
    assert info.value.details == {"field": "assessors", "uri": SQL}
    assert len(skills_store.list_records(kind=NodeKind.SUBMISSION)) == 0


def test_bad_assessments_store_nothing(catalogue: GraphStore) -> None:
    sub = _submit_course(catalogue)
    before = records(catalogue)
    with pytest.raises(InvalidInputError) as info:
        record_assessment(
            catalogue,
            submission=sub.submission.id,
            actor=as_assessor(INDUSTRY.id),
            results=[SkillResult(PYTHON, True, 4), SkillResult(SQL, True, 4)],
            base_iri=BASE,
        )
    assert info.value.details["field"] == "results[1].skill"
    with pytest.raises(InvalidInputError) as info:
        record_assessment(
            catalogue, submission=sub.submission.id, actor=as_assessor(REGION.id), base_iri=BASE
        )
    assert info.value.details["field"] == "endorsement"
    with pytest.raises(NotFoundError):
        record_assessment(catalogue, submission="nope", actor=as_assessor(UNI.id), base_iri=BASE)
    assert records(catalogue) == before


def test_a_new_panel_does_not_change_submissions_already_routed(catalogue: GraphStore) -> None:
    sub = _submit_course(catalogue)
    declare_panel(
        catalogue,
        actor=ADMIN,
        credential=COURSE.id,
        assessors=[UNI],
        rule=IssuingRule(),
        base_iri=BASE,
    )
    assert [a.id for a in get_panel(catalogue, COURSE.id, base_iri=BASE).assessors] == [UNI.id]
    kept = get_submission(catalogue, sub.submission.id, actor=ADMIN, base_iri=BASE).submission.panel
    assert [a.id for a in kept.assessors] == [UNI.id, INDUSTRY.id, REGION.id]


def test_issue_verify_revoke(catalogue: GraphStore, issuer: ProofIssuer) -> None:
    sub = _submit_course(catalogue)
    with pytest.raises(ConflictError) as info:
        issue_proof(catalogue, actor=ADMIN, submission=sub.submission.id, issuer=issuer)
    assert info.value.details["status"] == "submitted" and info.value.details["unmet"]
    assess_all(catalogue, sub.submission.id)

    proof = issue_proof(catalogue, actor=ADMIN, submission=sub.submission.id, issuer=issuer)
    assert get_proof(catalogue, proof.id.rpartition("/")[2], actor=ADMIN, base_iri=BASE) == proof
    view = get_submission(catalogue, sub.submission.id, actor=ADMIN, base_iri=BASE)
    assert view.status is SubmissionStatus.ISSUED and view.submission.proof == proof.id
    assert [
        r.uri for r in catalogue.list_records(kind=NodeKind.PROOF, where={"record": "proof"})
    ] == [proof.id]
    document = proof.document
    assert document["credentialSubject"]["id"] == LEARNER
    assert [e["issuer"]["name"] for e in document["endorsement"]] == ["UCD", "ICT Skillnet", "HEA"]
    with pytest.raises(ConflictError):
        issue_proof(catalogue, actor=ADMIN, submission=sub.submission.id, issuer=issuer)
    with pytest.raises(ConflictError):
        record_assessment(
            catalogue,
            submission=sub.submission.id,
            actor=as_assessor(REGION.id),
            endorsement="again",
            base_iri=BASE,
        )

    report = verify_document(
        document, loader=issuer.loader, issuer=issuer, store=lambda: catalogue, trust=Trust.OURS
    )
    assert report.verified, report.message
    assert (report.issuer_is_ours, report.endorsements) == (True, 3)
    assert [c.status for c in report.checks] == ["passed"] * 6

    revoked = revoke_proof(
        catalogue, actor=ADMIN, proof=proof.id, issuer=issuer, reason="plagiarism"
    )
    assert (revoked.revoked, revoked.revocation_reason) == (True, "plagiarism")
    with pytest.raises(ConflictError):
        revoke_proof(catalogue, actor=ADMIN, proof=proof.id, issuer=issuer)
    report = verify_document(document, loader=issuer.loader, issuer=issuer, store=lambda: catalogue)
    assert (report.verified, report.check) == (False, "revoked")

    status_list = signed_status_list(catalogue, number=1, issuer=issuer)
    assert status_list["id"] == proof.status_list
    assert verify_document(status_list, loader=issuer.loader, issuer=issuer).verified
    assert status_list_from_credential(status_list).get(proof.status_index)
    # Someone holding only the signed list (no store, no registry) reaches the same verdict.
    offline = verify_document(
        document, loader=issuer.loader, status_lists=[status_list], trust=Trust.ANY
    )
    assert (offline.verified, offline.check) == (False, "revoked")
    assert not verify_document(document, loader=issuer.loader, trust=Trust.ANY).verified


def test_status_indexes_are_distinct_and_lists_re_signed_only_on_change(
    catalogue: GraphStore, issuer: ProofIssuer
) -> None:
    proofs = []
    for n in range(3):
        sub = submit(
            catalogue,
            actor=ADMIN,
            learner=f"urn:example:learner:{n}",
            credential=COURSE.id,
            evidence=EVIDENCE,
            base_iri=BASE,
        )
        assess_all(catalogue, sub.submission.id)
        proofs.append(
            issue_proof(catalogue, actor=ADMIN, submission=sub.submission.id, issuer=issuer)
        )
    assert len({p.status_index for p in proofs}) == 3
    assert {p.status_list for p in proofs} == {f"{BASE}/status-lists/1"}
    first = signed_status_list(catalogue, number=1, issuer=issuer)
    assert status_list_from_credential(first) == StatusList.new()
    assert signed_status_list(catalogue, number=1, issuer=issuer) == first
    later = datetime.now(UTC) + timedelta(seconds=5)
    revoke_proof(catalogue, actor=ADMIN, proof=proofs[1].id, issuer=issuer, now=later)
    changed = signed_status_list(catalogue, number=1, issuer=issuer)
    bits = status_list_from_credential(changed)
    assert [bits.get(p.status_index) for p in proofs] == [False, True, False]
    with pytest.raises(NotFoundError):
        signed_status_list(catalogue, number=2, issuer=issuer)


def test_the_elm_export_canonicalises_with_the_elm_context(
    catalogue: GraphStore, issuer: ProofIssuer, pinned_loader: PinnedDocumentLoader
) -> None:
    sub = _submit_course(catalogue)
    assess_all(catalogue, sub.submission.id)
    proof = issue_proof(catalogue, actor=ADMIN, submission=sub.submission.id, issuer=issuer)
    elm = export_elm(catalogue, proof, base_iri=BASE)
    assert elm["@context"][1] == "http://data.europa.eu/snb/model/context/edc-ap"
    nquads = canonicalize(elm, loader=pinned_loader)
    assert f"<{LEARNER}> <http://data.europa.eu/snb/model/elm/hasClaim>" in nquads
    for skill in (PYTHON, SQL, MINING):
        assert f"<http://data.europa.eu/snb/model/elm/relatedESCOSkill> <{skill}>" in nquads
    assert "<http://data.europa.eu/snb/eqf/6>" in nquads
