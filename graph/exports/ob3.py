"""Open Badges 3.0 documents: a credential as an ``Achievement``; the Proof of Competence.

:func:`credential_to_achievement` writes a catalogue credential as an OB 3.0 ``Achievement``
(:mod:`ingest.credentials.open_badges` reads it back). The rest builds the Proof of Competence, an
``OpenBadgeCredential`` (unsigned parts): given a submission, the rule's outcome and the catalogue's
credential, they return the JSON-LD documents :mod:`graph.services.proofs.issuing` signs. The
shapes:

- the **achievement** is the catalogue's credential (its IRI, title, criteria, creator) with an
  ``alignment`` to each ESCO skill (``targetType`` ``ceasn:Competency``, ``targetFramework``
  ESCO, ``targetCode`` the UUID — the convention of ``ingest.credentials.open_badges``) and one
  ``ResultDescription`` per skill whose ``rubricCriterionLevel`` are the levels of the
  credential's scale, with the required level as ``requiredLevel``;
- the **credential subject** (the learner) carries one ``Result`` per skill: the level certified
  (``achievedLevel``), ``status`` ``Completed``, and the ESCO alignment again;
- **evidence**: a link is an ``Evidence`` with the URL as its id; a document is identified by its
  hash as an RFC 6920 ``ni:///sha-256;...`` IRI (the bytes stay with the learner); a text is an
  ``Evidence`` with a ``narrative``;
- **endorsements**: one ``EndorsementCredential`` per assessor who passed or endorsed, whose
  subject is the proof itself (see :func:`endorsement_credential`).

Every document uses the pinned contexts ``credentials/v2`` and OB ``context-3.0.3`` and
canonicalises in safe mode (no term is left undefined).
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from graph.model.credentials import Credential, Issuer
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    Assessor,
    Evidence,
    EvidenceKind,
    RuleOutcome,
    Submission,
)

__all__ = [
    "ACHIEVEMENT_TYPES",
    "CONTEXTS",
    "OB_CONTEXT",
    "VC_V2_CONTEXT",
    "achievement",
    "credential_to_achievement",
    "endorsement_comment",
    "endorsement_credential",
    "evidence_items",
    "issuer_profile",
    "ni_sha256",
    "proof_of_competence",
    "skill_alignment",
]

logger = logging.getLogger(__name__)

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = (VC_V2_CONTEXT, OB_CONTEXT)
_ESCO_SKILL = re.compile(r"^https?://data\.europa\.eu/esco/skill/([0-9a-fA-F-]{36})$")
#: OB 3.0 achievement types; another type is written ``ext:<type>``.
ACHIEVEMENT_TYPES = frozenset(
    [
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    ]
)


def ni_sha256(hex_digest: str) -> str:
    """Return the RFC 6920 ``ni`` IRI of a SHA-256 digest given in hex.

    Examples
    --------
    >>> ni_sha256("00" * 32)
    'ni:///sha-256;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    """
    digest = base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).decode("ascii").rstrip("=")
    return f"ni:///sha-256;{digest}"


def skill_alignment(uri: str, label: str | None) -> dict[str, Any]:
    """Return the OB ``Alignment`` of a skill (ESCO skills get their framework and UUID).

    Examples
    --------
    >>> a = skill_alignment("http://data.europa.eu/esco/skill/"
    ...                     "ccd0a1d9-afda-43d9-b901-96344886e14d", "Python")
    >>> a["targetFramework"], a["targetCode"]
    ('ESCO', 'ccd0a1d9-afda-43d9-b901-96344886e14d')
    """
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": label or uri,
        "targetUrl": uri,
        "targetType": "ceasn:Competency",
    }
    found = _ESCO_SKILL.match(uri)
    if found:
        alignment["targetFramework"] = "ESCO"
        alignment["targetCode"] = found.group(1).lower()
    return alignment


def issuer_profile(issuer: Issuer | None, issuer_id: str) -> dict[str, Any]:
    """Return the OB ``Profile`` of an issuer (just its id when it is not described)."""
    profile: dict[str, Any] = {"id": issuer_id, "type": ["Profile"]}
    if issuer is not None:
        profile["name"] = issuer.name
        if issuer.url:
            profile["url"] = issuer.url
        if issuer.description:
            profile["description"] = issuer.description
        if issuer.jurisdiction and len(issuer.jurisdiction) == 2:
            profile["address"] = {"type": ["Address"], "addressCountryCode": issuer.jurisdiction}
    return profile


def _level_id(proof_id: str, number: int, level: int) -> str:
    return f"{proof_id}#skill-{number}-level-{level}"


def achievement(
    credential: Credential,
    issuer: Issuer | None,
    submission: Submission,
    *,
    proof_id: str,
    rule_text: str,
) -> dict[str, Any]:
    """Return the OB 3.0 ``Achievement`` of a Proof of Competence.

    ``rule_text`` (the issuing rule, stated) is added to the criteria narrative.
    """
    c = credential
    low, high = submission.level_scale
    descriptions: list[dict[str, Any]] = []
    for number, target in enumerate(submission.skills, start=1):
        description: dict[str, Any] = {
            "id": f"{proof_id}#skill-{number}",
            "type": ["ResultDescription"],
            "name": target.label or target.uri,
            "alignment": [skill_alignment(target.uri, target.label)],
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": _level_id(proof_id, number, level),
                    "type": ["RubricCriterionLevel"],
                    "name": f"Level {level}",
                    "level": str(level),
                }
                for level in range(low, high + 1)
            ],
        }
        if target.level is not None:
            description["requiredLevel"] = _level_id(proof_id, number, target.level)
        descriptions.append(description)
    narrative = "\n\n".join(part for part in (c.assessment, rule_text) if part)
    document: dict[str, Any] = {
        "id": c.id,
        "type": ["Achievement"],
        "achievementType": c.type if c.type in ACHIEVEMENT_TYPES else f"ext:{c.type}",
        "name": c.title,
        "description": c.description or c.title,
        "criteria": {"narrative": narrative},
        "creator": issuer_profile(issuer, c.issuer),
        "alignment": [skill_alignment(t.uri, t.label) for t in submission.skills],
        "resultDescription": descriptions,
    }
    if c.url:
        document["criteria"]["id"] = c.url
    if c.language:
        document["inLanguage"] = c.language
    if c.credits is not None and c.credits.unit == "credit_hours":
        document["creditsAvailable"] = c.credits.value
    if c.field_of_study:
        document["fieldOfStudy"] = c.field_of_study
    return document


def _results(submission: Submission, outcome: RuleOutcome, proof_id: str) -> list[dict[str, Any]]:
    by_skill = {s.skill: s for s in outcome.skills}
    results = []
    for number, target in enumerate(submission.skills, start=1):
        found = by_skill[target.uri]
        result: dict[str, Any] = {
            "type": ["Result"],
            "resultDescription": f"{proof_id}#skill-{number}",
            "status": "Completed" if found.passed else "Failed",
            "alignment": [skill_alignment(target.uri, target.label)],
        }
        if found.level is not None:
            result["achievedLevel"] = _level_id(proof_id, number, found.level)
            result["value"] = str(found.level)
        results.append(result)
    return results


def evidence_items(evidence: Sequence[Evidence]) -> list[dict[str, Any]]:
    """Return the OB ``Evidence`` objects of submitted evidence.

    Examples
    --------
    >>> evidence_items([Evidence(EvidenceKind.DOCUMENT, name="report.pdf", sha256="00" * 32)])
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'id': 'ni:///sha-256;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'type': ['Evidence'],
      'name': 'report.pdf', 'description': 'SHA-256 of the document:
      0000000000000000000000000000000000000000000000000000000000000000'}]
    """
    items = []
    for item in evidence:
        found: dict[str, Any] = {"type": ["Evidence"]}
        if item.kind is EvidenceKind.LINK and item.url is not None:
            found = {"id": item.url, **found, "name": item.name or item.url}
        elif item.kind is EvidenceKind.DOCUMENT and item.sha256 is not None:
            found = {"id": ni_sha256(item.sha256), **found, "name": item.name}
            media = f" ({item.media_type})" if item.media_type else ""
            found["description"] = f"SHA-256 of the document{media}: {item.sha256}"
        else:
            found["name"] = item.name or "Statement"
            found["narrative"] = item.text
        items.append(found)
    return items


def endorsement_comment(
    assessor: Assessor, assessment: Assessment, labels: Mapping[str, str]
) -> str:
    """Return what an assessor's endorsement says: its statement, or its results summed up.

    Examples
    --------
    >>> from graph.model.submissions import SkillResult
    >>> a = Assessment("urn:1", "urn:s", "urn:a", AssessmentKind.RESULTS, "2026-01-01T00:00:00Z",
    ...                (SkillResult("urn:k", True, 4),), comment="Solid work.")
    >>> endorsement_comment(Assessor("urn:a", "Uni", "institution"), a, {"urn:k": "Python"})
    'Uni (institution) assessed the submitted work and passed it: Python at level 4. Solid work.'
    """
    if assessment.kind is AssessmentKind.ENDORSEMENT:
        parts = [f"{assessor.name} ({assessor.role}) endorses this achievement: "]
        parts.append(assessment.endorsement or "")
    else:
        skills = "; ".join(
            labels.get(r.skill, r.skill) + (f" at level {r.level}" if r.level is not None else "")
            for r in assessment.results
        )
        parts = [f"{assessor.name} ({assessor.role}) assessed the submitted work and passed it: "]
        parts.append(f"{skills}.")
    if assessment.comment:
        parts.append(f" {assessment.comment}")
    return "".join(parts)


def endorsement_credential(
    *,
    endorsement_id: str,
    proof_id: str,
    assessor: Assessor,
    issuer_id: str,
    comment: str,
    valid_from: str,
) -> dict[str, Any]:
    """Return the unsigned ``EndorsementCredential`` of one assessor about proof ``proof_id``.

    ``issuer_id`` is the DID that signs for the assessor; the assessor's own IRI is kept as
    the profile's ``otherIdentifier`` (and ``url`` when it is a web address).
    """
    profile: dict[str, Any] = {
        "id": issuer_id,
        "type": ["Profile"],
        "name": assessor.name,
        "otherIdentifier": [
            {"type": ["IdentifierEntry"], "identifier": assessor.id, "identifierType": "identifier"}
        ],
    }
    if assessor.id.startswith(("https://", "http://")):
        profile["url"] = assessor.id
    return {
        "@context": list(CONTEXTS),
        "id": endorsement_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"Endorsement by {assessor.name}",
        "issuer": profile,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": proof_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }


def proof_of_competence(
    *,
    proof_id: str,
    issuer: Mapping[str, Any],
    credential: Credential,
    credential_issuer: Issuer | None,
    submission: Submission,
    outcome: RuleOutcome,
    rule_text: str,
    endorsements: Sequence[Mapping[str, Any]],
    status_entry: Mapping[str, Any],
    valid_from: str,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """Return the unsigned ``OpenBadgeCredential`` of a submission whose rule is met.

    ``issuer`` is the issuing profile (``id`` a DID); ``endorsements`` are signed
    ``EndorsementCredential`` documents.
    """
    document: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": proof_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Proof of Competence: {credential.title}",
        "description": (
            f"{credential.title}, assessed by {len(outcome.passed_by)} "
            f"part{'ies' if len(outcome.passed_by) != 1 else 'y'}, with the level achieved "
            "in each skill."
        ),
        "issuer": dict(issuer),
        "validFrom": valid_from,
        "awardedDate": valid_from,
        "credentialSubject": {
            "id": submission.learner,
            "type": ["AchievementSubject"],
            "achievement": achievement(
                credential,
                credential_issuer,
                submission,
                proof_id=proof_id,
                rule_text=rule_text,
            ),
            "result": _results(submission, outcome, proof_id),
        },
        "evidence": evidence_items(submission.evidence),
        "credentialStatus": dict(status_entry),
    }
    if valid_until is not None:
        document["validUntil"] = valid_until
    if endorsements:
        document["endorsement"] = [dict(e) for e in endorsements]
    return document


def _criteria(credential: Credential) -> dict[str, Any]:
    # OB requires criteria: a narrative, a page that describes them, or both.
    criteria: dict[str, Any] = {"id": credential.url} if credential.url else {}
    if credential.assessment:
        criteria["narrative"] = credential.assessment
    return criteria or {"id": credential.id}


def credential_to_achievement(
    credential: Credential,
    issuer: Issuer | None = None,
    *,
    skill_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the credential as an Open Badges 3.0 ``Achievement`` (credentials v2 + OB 3.0.3).

    Each confirmed ESCO skill becomes an alignment with ``targetType`` ``ceasn:Competency`` (an
    ESCO skill is a competency; OB 3.0 has no ESCO type), ``targetFramework`` ESCO,
    ``targetUrl`` the ESCO URI and ``targetCode`` its UUID. Each learning outcome becomes an
    alignment named by its text, whose ``targetUrl`` is a fragment of the credential's id.
    Credits are written only in credit hours (``creditsAvailable``), the only unit OB defines.

    Parameters
    ----------
    credential : Credential
        The credential to write.
    issuer : Issuer, optional
        Written as the achievement's ``creator`` (else a profile with the issuer id only).
    skill_labels : mapping, optional
        ESCO URI -> label for ``targetName`` (the URI is used when missing).
    """
    c = credential
    labels = skill_labels or {}
    creator = issuer_profile(issuer, c.issuer)
    alignments = [skill_alignment(s.uri, labels.get(s.uri)) for s in c.confirmed_skills]
    for number, text in enumerate(c.learning_outcomes, start=1):
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": text,
                "targetUrl": f"{c.id}#learning-outcome-{number}",
                "targetFramework": c.title,
            }
        )
    achievement: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": c.id,
        "type": ["Achievement"],
        "achievementType": c.type if c.type in ACHIEVEMENT_TYPES else f"ext:{c.type}",
        "name": c.title,
        "description": c.description or c.title,
        "criteria": _criteria(c),
        "creator": creator,
    }
    if c.language:
        achievement["inLanguage"] = c.language
    if c.credits and c.credits.unit == "credit_hours":
        achievement["creditsAvailable"] = c.credits.value
    if c.field_of_study:
        achievement["fieldOfStudy"] = c.field_of_study
    if alignments:
        achievement["alignment"] = alignments
    return achievement
