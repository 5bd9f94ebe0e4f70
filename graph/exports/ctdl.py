"""CTDL JSON-LD: the vocabulary, and a credential written as CTDL with the CTIDs it gives.

The vocabulary (namespaces, the published context URL, which CTDL classes are credentials and
which are learning opportunities) is shared with the reader, :mod:`ingest.credentials.ctdl`, so both
directions agree. :func:`credential_to_ctdl` names the published context
(:data:`CTDL_CONTEXT`) and reads back through :func:`ingest.credentials.ctdl.read_ctdl` to the same
credential.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from graph.model.credentials import Credential, Credits, Issuer, Money

__all__ = [
    "ASN",
    "CREDENTIAL_TYPES",
    "CT",
    "CTDL_CONTEXT",
    "LEARNING_TYPES",
    "SCHEMA",
    "credential_to_ctdl",
    "ctid",
]

#: The published CTDL context URL exported documents name.
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CT = "https://purl.org/ctdl/terms/"
ASN = "https://purl.org/ctdlasn/terms/"
SCHEMA = "https://schema.org/"

CREDENTIAL_TYPES = frozenset((
    "AcademicCertificate", "ApprenticeshipCertificate", "AssociateDegree",
    "AssociateOfAppliedArtsDegree", "AssociateOfAppliedScienceDegree", "AssociateOfArtsDegree",
    "AssociateOfScienceDegree", "BachelorDegree", "BachelorOfArtsDegree",
    "BachelorOfScienceDegree", "Badge", "BasicTechnicalCertificate", "Certificate",
    "CertificateOfCompletion", "CertificateOfParticipation", "Certification", "Credential",
    "Degree", "DigitalBadge", "Diploma", "DoctoralDegree", "GeneralEducationDevelopment",
    "JourneymanCertificate", "License", "MasterCertificate", "MasterDegree",
    "MasterOfArtsDegree", "MasterOfScienceDegree", "MicroCredential", "OpenBadge",
    "PreApprenticeshipCertificate", "ProfessionalCertificate", "ProfessionalDoctorate",
    "ProfessionalMedicalDoctorate", "QualityAssuranceCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma",
))  # fmt: skip
LEARNING_TYPES = frozenset({"LearningOpportunityProfile", "LearningProgram", "Course"})

_ESCO_SKILLS_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"


def ctid(iri: str) -> str:
    """Return the CTID credwalk gives a resource: ``ce-`` and the UUID v5 of its IRI."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, iri)}"


def _alignment(uri: str | None, name: str, lang: str) -> dict[str, Any]:
    cao: dict[str, Any] = {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:targetNodeName": {lang: name},
    }
    if uri is not None:
        cao["ceterms:targetNode"] = uri
        cao["ceterms:framework"] = _ESCO_SKILLS_SCHEME
        cao["ceterms:frameworkName"] = {"en": "ESCO"}
    return cao


def _place(code: str | None) -> list[dict[str, Any]] | None:
    return [{"@type": "ceterms:Place", "ceterms:addressCountry": {"en": code}}] if code else None


def _compact(node: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v not in (None, [], {})}


def _organization(issuer: Issuer, lang: str) -> dict[str, Any]:
    return _compact(
        {
            "@id": issuer.id,
            "@type": "ceterms:CredentialOrganization",
            "ceterms:ctid": ctid(issuer.id),
            "ceterms:name": {lang: issuer.name},
            "ceterms:description": {lang: issuer.description} if issuer.description else None,
            "ceterms:subjectWebpage": issuer.url,
            "ceterms:address": _place(issuer.jurisdiction),
        }
    )


_UNIT_TEXT = {"ECTS": "ECTS", "credit_hours": "credit hours", "notional_hours": "notional hours"}
_DELIVERY_NODE = {"online": "OnlineOnly", "in_person": "InPerson", "blended": "BlendedDelivery"}


def credential_to_ctdl(
    credential: Credential,
    issuer: Issuer | None = None,
    *,
    skill_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the credential as compact CTDL JSON-LD with the published CTDL context.

    The credential gets the CTID ``ce-<UUID v5 of its id>``. Its confirmed ESCO skills become
    ``ceterms:targetCompetency`` alignments (``targetNode`` the ESCO URI, ``frameworkName``
    ESCO) of a ``ceterms:requires`` condition — of ``ceterms:teaches`` for courses and programmes
    — and its learning outcomes alignments with a name only. Prerequisites become a
    ``ceterms:entryCondition``, ``stacks_into`` ``ceterms:isPartOf``. With ``issuer`` the result
    is an ``@graph`` of the credential and its organisation.

    Parameters
    ----------
    credential : Credential
        The credential to write.
    issuer : Issuer, optional
        Its issuer, described alongside it.
    skill_labels : mapping, optional
        ESCO URI -> label for ``targetNodeName`` (the URI is used when missing).
    """
    c = credential
    lang = c.language or "en"
    labels = skill_labels or {}
    alignments = _competencies(c, labels, lang)
    condition = {"@type": "ceterms:ConditionProfile", "ceterms:name": {"en": "Competencies"}}
    entry = _entry_condition(c, labels, lang)
    known = CREDENTIAL_TYPES | LEARNING_TYPES
    node = _compact(
        {
            "@id": c.id,
            "@type": f"ceterms:{c.type if c.type in known else 'Credential'}",
            "ceterms:ctid": ctid(c.id),
            "ceterms:name": {lang: c.title},
            "ceterms:description": {lang: c.description} if c.description else None,
            "ceterms:inLanguage": [c.language] if c.language else None,
            "ceterms:ownedBy": [c.issuer],
            "ceterms:subjectWebpage": c.url,
            "ceterms:jurisdiction": _jurisdiction_profiles(c.jurisdiction),
            "ceterms:estimatedCost": _cost_profiles(c.cost),
            "ceterms:creditValue": _credit_values(c.credits),
            "ceterms:estimatedDuration": _duration_profiles(c.hours, c.duration),
            "ceterms:deliveryType": _delivery_types(c.delivery),
            "ceterms:assessmentMethodDescription": {lang: c.assessment} if c.assessment else None,
            "ceterms:teaches": alignments if c.type in LEARNING_TYPES else None,
            "ceterms:requires": [{**condition, "ceterms:targetCompetency": alignments}]
            if alignments and c.type not in LEARNING_TYPES else None,
            "ceterms:entryCondition": [entry] if len(entry) > 2 else None,
            "ceterms:isPartOf": list(c.stacks_into),
            "ceterms:dateEffective": c.valid_from[:10] if c.valid_from else None,
            "ceterms:expirationDate": c.valid_until[:10] if c.valid_until else None,
        }
    )  # fmt: skip
    if issuer is None:
        return {"@context": CTDL_CONTEXT, **node}
    return {"@context": CTDL_CONTEXT, "@graph": [node, _organization(issuer, lang)]}


def _competencies(c: Credential, labels: Mapping[str, str], lang: str) -> list[dict[str, Any]]:
    """Alignments to the confirmed ESCO skills, then to the learning outcomes (a name only)."""
    alignments = [_alignment(s.uri, labels.get(s.uri, s.uri), lang) for s in c.confirmed_skills]
    alignments += [_alignment(None, text, lang) for text in c.learning_outcomes]
    return alignments


def _entry_condition(c: Credential, labels: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The prerequisites as a condition profile (its type and name only when there are none)."""
    return _compact(
        {
            "@type": "ceterms:ConditionProfile",
            "ceterms:name": {"en": "Prerequisites"},
            "ceterms:targetCredential": [p.credential for p in c.prerequisites if p.credential],
            "ceterms:targetCompetency": [
                _alignment(p.skill, labels.get(p.skill, p.skill), lang)
                for p in c.prerequisites
                if p.skill
            ],
        }
    )


def _jurisdiction_profiles(code: str | None) -> list[dict[str, Any]] | None:
    if not code:
        return None
    return [{"@type": "ceterms:JurisdictionProfile", "ceterms:mainJurisdiction": _place(code)}]


def _cost_profiles(cost: Money | None) -> list[dict[str, Any]] | None:
    if not cost:
        return None
    cost_type = {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:targetNode": "costType:AggregateCost",
    }
    return [
        {
            "@type": "ceterms:CostProfile",
            "ceterms:price": cost.amount,
            "ceterms:currency": cost.currency,
            "ceterms:directCostType": cost_type,
        }
    ]


def _credit_values(credits: Credits | None) -> list[dict[str, Any]] | None:
    if not credits:
        return None
    unit = _UNIT_TEXT.get(credits.unit, credits.unit)
    return [
        {
            "@type": "schema:QuantitativeValue",
            "schema:value": credits.value,
            "schema:unitText": unit,
        }
    ]


def _duration_profiles(hours: float | None, duration: str | None) -> list[dict[str, Any]]:
    """The notional hours (as ``PT<hours>H``), then the stated duration, as duration profiles."""
    exact = [f"PT{hours:g}H"] if hours is not None else []
    exact += [duration] if duration else []
    return [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": d} for d in exact]


def _delivery_types(delivery: str | None) -> list[dict[str, Any]] | None:
    if delivery not in _DELIVERY_NODE:
        return None
    node = f"deliveryType:{_DELIVERY_NODE[delivery]}"
    return [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": node}]
