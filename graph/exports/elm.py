"""A Proof of Competence as a European Learning Model (ELM v3) credential, unsigned.

The same achievement as the Open Badge, in the shape the European Digital Credentials for
Learning infrastructure reads (``EuropeanDigitalCredential`` under the W3C VC 1.1 context and the
pinned EDC application-profile context ``http://data.europa.eu/snb/model/context/edc-ap``), so
EU tooling can seal it with an eIDAS seal (out of scope here). Its **issuer** is the credential's
awarding body — the party that would seal it — not credwalk's DID.

- The learner (``Person``) has one ``LearningAchievement`` claim, awarded by the awarding body
  and ``specifiedBy`` the catalogue's credential (title, EQF level, ECTS, volume of learning)
  with one ``LearningOutcome`` per skill (its ``relatedESCOSkill``, and the level certified).
- ``provenBy``: one ``LearningAssessment`` per assessor who passed it (``assessedBy`` the
  assessor, ``grade`` a note), with one part per skill it assessed and the level it gave;
  endorsers' statements become ``additionalNote`` of the claim.
- ``evidence``: one ``Evidence`` per submitted item, its statement naming the link, the
  document's SHA-256 or the text.

The document canonicalises in safe mode: every term is defined by the pinned contexts.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from graph.errors import CredwalkError
from graph.model.credentials import Credential, Issuer
from graph.model.proofs import ProofRecord
from graph.model.submissions import AssessmentKind, Evidence, EvidenceKind, SubmissionView
from graph.reference import ReferenceData

__all__ = ["ELM_CONTEXT", "VC_V1_CONTEXT", "credential_to_elm", "elm_credential"]

logger = logging.getLogger(__name__)

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
ELM_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
_EQF = "http://data.europa.eu/snb/eqf/"
_ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
_ESCO_SKILLS = "http://data.europa.eu/esco/concept-scheme/skills"


def _concept(uri: str, scheme: str, label: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {
        "id": uri,
        "type": "Concept",
        "inScheme": {"id": scheme, "type": "ConceptScheme"},
    }
    if label:
        concept["prefLabel"] = {"en": label}
    return concept


def _organisation(
    org_id: str, name: str, *, jurisdiction: str | None, reference: ReferenceData | None, at: str
) -> dict[str, Any]:
    organisation: dict[str, Any] = {"id": org_id, "type": "Organisation", "legalName": {"en": name}}
    country = None
    if jurisdiction and reference is not None:
        try:
            country = reference.jurisdictions.get(jurisdiction).elm_uri
        except CredwalkError:
            country = None
    if country:
        organisation["location"] = {
            "id": f"{at}-location",
            "type": "Location",
            "address": {
                "id": f"{at}-address",
                "type": "Address",
                "countryCode": _concept(
                    country, "http://publications.europa.eu/resource/authority/country"
                ),
            },
        }
    return organisation


def _evidence(items: tuple[Evidence, ...], *, claim: str, base: str) -> list[dict[str, Any]]:
    found = []
    for number, item in enumerate(items, start=1):
        if item.kind is EvidenceKind.LINK:
            statement = f"Link submitted as evidence: {item.name or item.url} <{item.url}>"
        elif item.kind is EvidenceKind.DOCUMENT:
            statement = f"Document submitted as evidence: {item.name}, SHA-256 {item.sha256}"
        else:
            statement = item.text or ""
        found.append(
            {
                "id": f"{base}#elm-evidence-{number}",
                "type": "Evidence",
                "evidenceTarget": claim,
                "evidenceStatement": statement,
            }
        )
    return found


def _specification(
    credential: Credential, view: SubmissionView, *, base: str, lang: str
) -> dict[str, Any]:
    levels = {s.skill: s.level for s in view.outcome.skills}
    skills = [(t.uri, t.label, levels.get(t.uri)) for t in view.submission.skills]
    return _achievement_specification(credential, skills, base=base, lang=lang)


def _achievement_specification(
    credential: Credential,
    skills: list[tuple[str, str | None, int | None]],
    *,
    base: str,
    lang: str,
) -> dict[str, Any]:
    """The ``LearningAchievementSpecification`` of a credential, one outcome per skill."""
    outcomes = []
    for number, (uri, label, level) in enumerate(skills, start=1):
        title = f"{label or uri} (level {level})" if level is not None else label or uri
        outcomes.append(
            {
                "id": f"{base}#elm-outcome-{number}",
                "type": "LearningOutcome",
                "title": {lang: title},
                "relatedESCOSkill": [_concept(uri, _ESCO_SKILLS, label)],
            }
        )
    spec: dict[str, Any] = {
        "id": credential.id,
        "type": "LearningAchievementSpecification",
        "title": {lang: credential.title},
        "learningOutcome": outcomes,
    }
    if credential.description:
        spec["description"] = {lang: credential.description}
    eqf = credential.eqf_level()
    if eqf is not None:
        spec["eqfLevel"] = _concept(f"{_EQF}{eqf}", f"{_EQF}25831c2", f"Level {eqf}")
    if credential.credits is not None and credential.credits.unit == "ECTS":
        spec["creditPoint"] = [
            {
                "id": f"{base}#elm-credit",
                "type": "CreditPoint",
                "framework": _concept(
                    _ECTS,
                    "http://data.europa.eu/snb/education-credit/25831c2",
                    "European Credit Transfer System",
                ),
                "point": f"{credential.credits.value:g}",
            }
        ]
    if credential.hours is not None:
        spec["volumeOfLearning"] = f"PT{credential.hours:g}H"
    return spec


def _assessments(
    view: SubmissionView, *, base: str, lang: str, reference: ReferenceData | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    labels = {t.uri: t.label or t.uri for t in view.submission.skills}
    latest = view.latest
    assessments: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for number, assessor in enumerate(view.submission.panel.assessors, start=1):
        found = latest.get(assessor.id)
        if found is None or not found.passed:
            continue
        at = f"{base}#elm-assessor-{number}"
        if found.kind is AssessmentKind.ENDORSEMENT:
            text = f"Endorsed by {assessor.name} ({assessor.role}): {found.endorsement}"
            notes.append({"id": f"{at}-note", "type": "Note", "noteLiteral": {lang: text}})
            continue
        parts = [
            {
                "id": f"{at}-skill-{i}",
                "type": "LearningAssessment",
                "title": {lang: labels.get(r.skill, r.skill)},
                "grade": {
                    "id": f"{at}-skill-{i}-grade",
                    "type": "Note",
                    "noteLiteral": {
                        lang: "Passed" + (f" at level {r.level}" if r.level is not None else "")
                    },
                },
            }
            for i, r in enumerate(found.results, start=1)
        ]
        assessment: dict[str, Any] = {
            "id": f"{at}-assessment",
            "type": "LearningAssessment",
            "title": {lang: f"Assessment by {assessor.name}"},
            "assessedBy": _organisation(
                assessor.id, assessor.name, jurisdiction=None, reference=reference, at=at
            ),
            "grade": {"id": f"{at}-grade", "type": "Note", "noteLiteral": {lang: "Passed"}},
            "hasPart": parts,
        }
        if found.comment:
            assessment["description"] = {lang: found.comment}
        assessments.append(assessment)
    return assessments, notes


def elm_credential(
    proof: ProofRecord,
    *,
    view: SubmissionView,
    credential: Credential,
    awarding_body: Issuer | None,
    reference: ReferenceData | None = None,
) -> dict[str, Any]:
    """Return the unsigned ELM ``EuropeanDigitalCredential`` of an issued proof.

    ``view`` is the proof's submission (with its assessments); ``awarding_body`` the issuer of
    ``credential`` (its name and country, when known).
    """
    base = proof.id
    lang = credential.language or "en"
    claim = f"{base}#elm-achievement"
    awarding = _organisation(
        credential.issuer,
        awarding_body.name if awarding_body else credential.issuer,
        jurisdiction=awarding_body.jurisdiction if awarding_body else None,
        reference=reference,
        at=f"{base}#elm-awarding-body",
    )
    provers, notes = _assessments(view, base=base, lang=lang, reference=reference)
    achievement: dict[str, Any] = {
        "id": claim,
        "type": "LearningAchievement",
        "title": {lang: credential.title},
        "awardedBy": {
            "id": f"{base}#elm-awarding",
            "type": "AwardingProcess",
            "awardingBody": [awarding],
            "awardingDate": proof.issued_at,
        },
        "specifiedBy": _specification(credential, view, base=base, lang=lang),
        "provenBy": provers,
    }
    if notes:
        achievement["additionalNote"] = notes
    document: dict[str, Any] = {
        "@context": [VC_V1_CONTEXT, ELM_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{proof.id}#elm')}",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": _concept(
            "http://data.europa.eu/snb/credential/e34929035b",
            "http://data.europa.eu/snb/credential/25831c2",
            "Generic",
        ),
        "credentialSchema": {
            "id": "http://data.europa.eu/snb/model/ap/edc-generic-full",
            "type": "ShaclValidator2017",
        },
        "identifier": {
            "id": f"{base}#elm-identifier",
            "type": "Identifier",
            "notation": proof.id,
            "schemeName": "credwalk Proof of Competence (Open Badges 3.0)",
        },
        "issuer": awarding,
        "issuanceDate": proof.issued_at,
        "validFrom": proof.issued_at,
        "credentialSubject": {
            "id": proof.learner,
            "type": "Person",
            "hasClaim": achievement,
        },
        "evidence": _evidence(view.submission.evidence, claim=claim, base=base),
    }
    valid_until = proof.document.get("validUntil")
    if isinstance(valid_until, str):
        document["validUntil"] = valid_until
        document["expirationDate"] = valid_until
    return document


def credential_to_elm(
    credential: Credential, *, skill_labels: dict[str, str], lang: str = "en"
) -> dict[str, Any]:
    """A catalogue credential as an ELM ``LearningAchievementSpecification`` (JSON-LD).

    One ``LearningOutcome`` per confirmed skill (its ``relatedESCOSkill`` and the level the
    credential certifies), with its title, description, EQF level, ECTS and volume of learning.
    """
    skills = [(s.uri, skill_labels.get(s.uri), s.level) for s in credential.confirmed_skills]
    spec = _achievement_specification(credential, skills, base=credential.id, lang=lang)
    return {"@context": [ELM_CONTEXT], **spec}
