"""What each source says of a learner's skills, read from the store as observations.

One reader per source, each returning :class:`~graph.algorithms.career.Observation` (a skill's
level, dated, with who established it and how) or :class:`Achievement` (something earned or
done: a credential, a proof, an endorsement, a submission, an impact certificate):

- multi-level assessment results of the learner record (each result, passed or failed);
- onboarding tests: every finished attempt, per skill its estimated level and confidence;
- Proofs of Competence: per skill the level its results state (revoked proofs say nothing);
  each endorsement of a proof is an achievement;
- credentials held: their confirmed skills (dated by the proof issued for that credential,
  else undated);
- competences of the learner record that no history above explains (self-declared, endorsed,
  reported by another system);
- Certificates of Impact: :func:`impact_certificates`, the issued claims of the impact service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.algorithms.career import Observation
from graph.model.concepts import NodeKind
from graph.model.impact import ImpactClaim
from graph.model.learners import DEFAULT_RULE, CompetenceSource, Learner
from graph.model.onboarding_documents import attempt_from_document
from graph.services.catalogue.credentials import get_credentials
from graph.services.onboarding.progress import results as attempt_results
from graph.store import GraphStore, Record

__all__ = [
    "LEARNER_RECORDS",
    "Achievement",
    "assessment_observations",
    "credential_observations",
    "day_of",
    "impact_certificates",
    "onboarding_observations",
    "proof_observations",
    "record_observations",
    "submission_achievements",
]


#: The records of a learner's the overview reads, by kind and ``record`` index field (each
#: also indexed by ``learner``): proofs, onboarding attempts, submissions. (Impact claims are
#: indexed by ``claimant``; the impact service reads them.)
LEARNER_RECORDS = (
    (NodeKind.PROOF, "proof"),
    (NodeKind.ONBOARDING, "attempt"),
    (NodeKind.SUBMISSION, "submission"),
)


@dataclass(frozen=True, slots=True)
class Achievement:
    """Something earned or done, in order: a credential, proof, endorsement, submission, impact."""

    date: dt.date | None
    kind: str
    ref: str
    title: str
    by: str | None = None
    revoked: bool = False


def day_of(text: str | None) -> dt.date | None:
    """The date an ISO date or timestamp starts with (None for none or an unreadable one)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def assessment_observations(learner: Learner) -> list[Observation]:
    """Every multi-level assessment result of the record, passed or failed."""
    return [
        Observation(
            skill=r.skill,
            source=CompetenceSource.ASSESSMENT.value,
            date=r.date,
            level=r.level,
            passed=DEFAULT_RULE.passes(r),
            evidence=r.evidence
            or (
                f"scored {r.score:.2f}"
                if r.score is not None
                else "passed"
                if r.passed
                else "failed"
            )
            + f" at level {r.level}",
            by=r.assessor,
        )
        for r in learner.assessments
    ]


def onboarding_observations(records: Iterable[Record]) -> list[Observation]:
    """Per finished onboarding attempt (of ``records``), each skill it estimated a level of."""
    found = []
    for record in records:
        attempt = attempt_from_document(record.body)
        if attempt.finished_at is None:
            continue
        for r in attempt_results(attempt):
            if r.level is None:
                continue
            found.append(
                Observation(
                    skill=r.skill,
                    source=CompetenceSource.ONBOARDING_TEST.value,
                    date=day_of(attempt.finished_at),
                    level=r.level,
                    evidence=f"onboarding test: level {r.level} after {r.items} items",
                    by="credwalk onboarding test",
                    confidence=round(r.confidence, 4),
                    ref=attempt.id,
                )
            )
    return found


def _proof_results(document: Mapping[str, Any]) -> Iterable[tuple[str, int | None, bool]]:
    subject = document.get("credentialSubject") or {}
    for result in subject.get("result") or ():
        alignment = (result.get("alignment") or [{}])[0]
        skill = alignment.get("targetUrl")
        if not skill:
            continue
        value = result.get("value")
        level = int(value) if isinstance(value, str) and value.isdigit() else None
        yield skill, level, result.get("status") == "Completed"


def _endorsers(document: Mapping[str, Any]) -> list[tuple[str, dt.date | None]]:
    found = []
    for endorsement in document.get("endorsement") or ():
        issuer = endorsement.get("issuer") or {}
        name = issuer.get("name") if isinstance(issuer, Mapping) else str(issuer)
        found.append((str(name or "an endorser"), day_of(endorsement.get("validFrom"))))
    return found


def proof_observations(
    records: Iterable[Record], titles: Mapping[str, str]
) -> tuple[list[Observation], list[Achievement]]:
    """The levels Proofs of Competence state, and the proofs and endorsements as achievements."""
    observations, achievements = [], []
    for record in records:
        body = record.body
        date, revoked = day_of(body.get("issued_at")), bool(body.get("revoked"))
        credential = body.get("credential", "")
        title = titles.get(credential, credential)
        endorsers = _endorsers(body.get("document") or {})
        achievements.append(Achievement(date, "proof", record.uri, title, revoked=revoked))
        achievements += [
            Achievement(when or date, "endorsement", record.uri, title, by=name)
            for name, when in endorsers
        ]
        if revoked:
            continue
        by = ", ".join(name for name, _ in endorsers) or None
        for skill, level, passed in _proof_results(body.get("document") or {}):
            observations.append(
                Observation(
                    skill=skill,
                    source="proof",
                    date=date,
                    level=level,
                    passed=passed,
                    evidence=f"Proof of Competence for {title}",
                    by=by,
                    ref=record.uri,
                )
            )
    return observations, achievements


def credential_observations(
    store: GraphStore, learner: Learner, issued: Mapping[str, dt.date | None]
) -> tuple[list[Observation], list[Achievement], dict[str, str]]:
    """The confirmed skills of the credentials held, the credentials, and their titles.

    ``issued`` dates a credential by the proof issued for it (else it is undated).
    """
    held = get_credentials(store, learner.credentials)
    observations, achievements = [], []
    for uri, credential in sorted(held.items()):
        date = issued.get(uri)
        achievements.append(
            Achievement(date, "credential", uri, credential.title, credential.issuer)
        )
        observations += [
            Observation(
                skill=s.uri,
                source=CompetenceSource.CREDENTIAL.value,
                date=date,
                level=s.level,
                evidence=f"holds {credential.title}",
                by=credential.issuer,
                ref=uri,
            )
            for s in credential.confirmed_skills
        ]
    return observations, achievements, {uri: c.title for uri, c in held.items()}


def record_observations(learner: Learner, explained: Iterable[Observation]) -> list[Observation]:
    """The record's competences that no observation of the history already states."""
    known = {(o.skill, o.source, o.date, o.level) for o in explained}
    found = []
    for c in learner.competences:
        if (c.skill, c.source.value, c.date, c.level) in known:
            continue
        found.append(
            Observation(
                skill=c.skill,
                source=c.source.value,
                date=c.date,
                level=c.level,
                evidence=c.evidence,
                by="the learner" if c.source is CompetenceSource.SELF_DECLARED else None,
                confidence=c.confidence,
            )
        )
    return found


def submission_achievements(records: Iterable[Record]) -> list[Achievement]:
    """The learner's submissions for assessment (``records``), each dated when submitted."""
    return [
        Achievement(
            day_of(r.body.get("submitted_at")), "submission", r.uri, str(r.body.get("credential"))
        )
        for r in records
    ]


def impact_certificates(
    claims: Iterable[ImpactClaim],
) -> tuple[list[Observation], list[Achievement]]:
    """The member's issued Certificates of Impact: the skills they show, and the certificates.

    ``claims`` are the member's claims as the impact service keeps them
    (:func:`graph.services.impact.claims.read_claims`); those not issued yet say nothing. A
    certificate states no level: its skills are held at some level from the day it was issued,
    established by its endorsers (a revoked one says nothing of them).
    """
    observations, achievements = [], []
    for claim in claims:
        certificate = claim.certificate
        if certificate is None:
            continue
        date = day_of(certificate.issued_at)
        achievements.append(
            Achievement(date, "impact", claim.id, claim.title, revoked=certificate.revoked)
        )
        if certificate.revoked:
            continue
        by = ", ".join(e.name for e in claim.endorsements) or None
        observations += [
            Observation(
                skill.uri,
                "impact",
                date,
                evidence=f"Certificate of Impact: {claim.title}",
                by=by,
                ref=claim.id,
            )
            for skill in claim.skills
        ]
    return observations, achievements
