"""CTDL credentials, learning opportunities and organisations read as credwalk records.

A credential (``ceterms:BachelorDegree``, ``Certification``, ...) or learning opportunity
(``LearningOpportunityProfile``, ``LearningProgram``, ``Course``) node becomes a
:class:`~graph.model.credentials.Credential` (:func:`_credential`); an organisation node becomes an
:class:`~graph.model.credentials.Issuer` (:func:`_issuer`). Assessment profiles fill the
``assessment`` of the credential that requires them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from graph.exports.ctdl import ASN, CREDENTIAL_TYPES, CT, LEARNING_TYPES, SCHEMA
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerType,
    Money,
    Prerequisite,
    SkillStatus,
)
from ingest.credentials.ctdl.nodes import _Context, _first, _number, _plain, _targets, _text
from ingest.credentials.formats import Format
from ingest.credentials.linked_data import NodeMap
from ingest.credentials.values import country_code, language_tag

_ESCO_SKILL = re.compile(r"^https?://data\.europa\.eu/esco/skill/[0-9a-fA-F-]{36}$")
_REGISTRY = "https://credentialengineregistry.org/resources/"
_HOURS = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?$")

_DELIVERY = {
    "OnlineOnly": "online", "OnlineDelivery": "online", "InPerson": "in_person",
    "InPersonOnly": "in_person", "BlendedDelivery": "blended",
}  # fmt: skip
_ORG_KIND = {
    "Government": IssuerType.REGION, "Consortium": IssuerType.CONSORTIUM,
    **dict.fromkeys(
        ("ProfessionalAssociation", "CertificationBody", "Business", "IndustryAssociation",
         "QualityAssurance", "Union"),
        IssuerType.INDUSTRY_BODY,
    ),
}  # fmt: skip
_CURRENCIES = {
    "us dollar": "USD", "euro": "EUR", "pound sterling": "GBP", "canadian dollar": "CAD",
    "australian dollar": "AUD",
}  # fmt: skip


def _resource_id(node: Mapping[str, Any], name: str | None = None) -> str | None:
    """An IRI for a node: its own, else its registry IRI by CTID, else one derived from its name."""
    node_id = str(node.get("@id", ""))
    if node_id and not node_id.startswith("_:"):
        return node_id
    registry_id = _first(node, CT + "ctid")
    if registry_id:
        return _REGISTRY + registry_id
    if name:
        # Only described inline: the same name always gives the same IRI.
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'ctdl-organization:' + name)}"
    return None


def _country(ctx: _Context, places: Iterable[Mapping[str, Any]]) -> str | None:
    for place in places:
        for prop in (CT + "addressCountry", CT + "name"):
            for text, _ in NodeMap.literals(place, prop):
                code = country_code(str(text), ctx.jurisdictions)
                if code:
                    return code
    return None


def _issuer(ctx: _Context, node: Mapping[str, Any]) -> Issuer | None:
    name = _plain(ctx, node, CT + "name")
    issuer_id = _resource_id(node, name)
    if name is None or issuer_id is None:
        return None
    kinds = [_ORG_KIND[t] for t in _targets(ctx, node, "agentType") if t in _ORG_KIND]
    urls = NodeMap.refs(node, CT + "subjectWebpage")
    return Issuer(
        id=issuer_id,
        name=name,
        type=kinds[0] if kinds else IssuerType.INSTITUTION,
        jurisdiction=_country(ctx, ctx.nodes.objects(node, CT + "address")),
        url=urls[0] if urls else None,
        description=_plain(ctx, node, CT + "description"),
    )


def _alignments(ctx: _Context, node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Competency alignments of a resource: its own and those of the conditions it requires."""
    found = [
        cao
        for prop in ("targetCompetency", "teaches", "assesses")
        for cao in ctx.nodes.objects(node, CT + prop)
    ]
    for condition in ctx.nodes.objects(node, CT + "requires"):
        found.extend(ctx.nodes.objects(condition, CT + "targetCompetency"))
    return found


def _outcome_and_skills(
    ctx: _Context, alignments: Iterable[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    outcomes: list[str] = []
    skills: list[str] = []
    for cao in alignments:
        targets = NodeMap.refs(cao, CT + "targetNode")
        esco = [t for t in targets if _ESCO_SKILL.match(t)]
        if esco:
            skills.extend(esco)
            continue
        text = _plain(ctx, cao, CT + "targetNodeName")
        for target in ctx.nodes.objects(cao, CT + "targetNode"):
            text = text or _plain(ctx, target, ASN + "competencyText")
        text = text or _plain(ctx, cao, CT + "targetNodeDescription")
        if text:
            outcomes.append(text)
    return list(dict.fromkeys(outcomes)), list(dict.fromkeys(skills))


def _credits(ctx: _Context, node: Mapping[str, Any]) -> tuple[Credits | None, str | None]:
    """Return the credit volume, or the text of one credwalk has no unit for."""
    candidates: list[tuple[float, str]] = []
    for value in ctx.nodes.objects(node, CT + "creditValue"):
        amount = _number(value, SCHEMA + "value")
        units = _targets(ctx, value, "creditUnitType")
        units += [str(v) for v, _ in NodeMap.literals(value, SCHEMA + "unitText")]
        if amount is not None:
            candidates.append((amount, units[0] if units else ""))
    for holder in [node, *ctx.nodes.objects(node, CT + "requires")]:
        hours = _number(holder, CT + "creditHourValue")
        if hours is not None:
            candidates.append((hours, _first(holder, CT + "creditHourType") or "credit hours"))
        amount = _number(holder, CT + "creditUnitValue")
        if amount is not None:
            names = _targets(ctx, holder, "creditUnitType")
            described = _plain(ctx, holder, CT + "creditUnitTypeDescription")
            candidates.append((amount, described or (names[0] if names else "")))
    for amount, unit in candidates:
        folded = re.sub(r"[^a-z]", "", unit.lower())
        if "ects" in folded or "europeancredit" in folded:
            return Credits(amount, "ECTS"), None
        if any(w in folded for w in ("semester", "quarter", "credithour", "degreecredit")):
            return Credits(amount, "credit_hours"), None
        if any(w in folded for w in ("clockhour", "contacthour", "notional")):
            return Credits(amount, "notional_hours"), None
    return None, (f"{candidates[0][0]:g} {candidates[0][1]}".strip() if candidates else None)


def _cost(ctx: _Context, node: Mapping[str, Any]) -> Money | None:
    """The cost of a resource from its cost profiles.

    An aggregate cost wins over itemised ones; itemised costs for the same audience add up;
    profiles for different audiences (member, non-member) are alternatives, of which the
    highest is kept: what a learner without a discount pays.
    """
    profiles: list[tuple[float, str, bool, frozenset[str]]] = []
    for profile in ctx.nodes.objects(node, CT + "estimatedCost"):
        price = _number(profile, CT + "price")
        named = (_first(profile, CT + "currency") or "").strip()
        currency = _CURRENCIES.get(named.lower(), named.upper())
        if price is not None and re.fullmatch(r"[A-Z]{3}", currency):
            total = "AggregateCost" in _targets(ctx, profile, "directCostType")
            audience = frozenset(
                _plain(ctx, a, CT + "targetNodeName") or ""
                for a in ctx.nodes.objects(profile, CT + "audienceType")
            )
            profiles.append((price, currency, total, audience))
    profiles = [p for p in profiles if p[2]] or profiles
    if not profiles or len({p[1] for p in profiles}) > 1:
        return Money(profiles[0][0], profiles[0][1]) if profiles else None
    by_audience: dict[frozenset[str], float] = {}
    for price, _, total, audience in profiles:
        if total:
            by_audience.setdefault(audience, price)
        else:
            by_audience[audience] = by_audience.get(audience, 0.0) + price
    return Money(max(by_audience.values()), profiles[0][1])


def _durations(ctx: _Context, node: Mapping[str, Any]) -> tuple[float | None, str | None]:
    hours: float | None = None
    duration: str | None = None
    for profile in ctx.nodes.objects(node, CT + "estimatedDuration"):
        for value, _ in NodeMap.literals(profile, CT + "exactDuration"):
            text = str(value)
            match = _HOURS.match(text)
            if match and any(match.groups()):
                hours = float(match.group(1) or 0) + float(match.group(2) or 0) / 60
            elif duration is None:
                duration = text
    return hours, duration


def _prerequisites(ctx: _Context, node: Mapping[str, Any]) -> list[Prerequisite]:
    found: list[Prerequisite] = []
    conditions = ctx.nodes.objects(node, CT + "entryCondition")
    for condition in conditions + ctx.nodes.objects(node, CT + "requires"):
        for prop in ("targetCredential", "targetLearningOpportunity"):
            for ref in NodeMap.refs(condition, CT + prop):
                if not ref.startswith("_:"):
                    found.append(Prerequisite(credential=ref))
    for condition in conditions:
        _, skills = _outcome_and_skills(ctx, ctx.nodes.objects(condition, CT + "targetCompetency"))
        found.extend(Prerequisite(skill=uri) for uri in skills)
    return list(dict.fromkeys(found))


def _extra(ctx: _Context, node: Mapping[str, Any], unmapped_credit: str | None) -> dict[str, str]:
    def names(prop: str) -> str:
        found = [_plain(ctx, c, CT + "targetNodeName") for c in ctx.nodes.objects(node, CT + prop)]
        return "; ".join(dict.fromkeys(n for n in found if n))

    extra = {
        "ctdl:ctid": _first(node, CT + "ctid") or "",
        "ctdl:audience_level": names("audienceLevelType"),
        "ctdl:subjects": names("subject"),
        "ctdl:occupations": names("occupationType"),
        "ctdl:keywords": "; ".join(str(v) for v, _ in NodeMap.literals(node, CT + "keyword")),
        "ctdl:has_part": " ".join(NodeMap.refs(node, CT + "hasPart")),
        "ctdl:credit": unmapped_credit or "",
    }
    return {k: v for k, v in extra.items() if v}


def _owner(
    ctx: _Context, node: Mapping[str, Any], *, credential_id: str
) -> tuple[Issuer | None, str]:
    """The issuer a credential names as owner or offerer, if described, and the issuer IRI."""
    owners = [r for p in ("ownedBy", "offeredBy") for r in NodeMap.refs(node, CT + p)]
    issuer_node = ctx.nodes.get(owners[0]) if owners else None
    issuer = _issuer(ctx, issuer_node) if issuer_node else None
    # An owner described only as an unnamed blank node cannot be named: treat it as not stated.
    named = [o for o in owners if not o.startswith("_:")]
    return issuer, issuer.id if issuer else (named[0] if named else f"{credential_id}#issuer")


def _assessment(ctx: _Context, node: Mapping[str, Any]) -> str | None:
    """The assessments a resource or its conditions require, then its assessment method."""
    assessments = [
        n
        for c in [node, *ctx.nodes.objects(node, CT + "requires")]
        for a in ctx.nodes.objects(c, CT + "targetAssessment")
        if (n := _plain(ctx, a, CT + "name"))
    ]
    method = _plain(ctx, node, CT + "assessmentMethodDescription")
    return "; ".join(dict.fromkeys([*assessments, *([method] if method else [])])) or None


def _delivery(ctx: _Context, node: Mapping[str, Any]) -> str | None:
    """The delivery mode: the one stated, or ``blended`` when several are."""
    delivery = {_DELIVERY[t] for t in _targets(ctx, node, "deliveryType") if t in _DELIVERY}
    return (delivery.pop() if len(delivery) == 1 else "blended") if delivery else None


def _credential(ctx: _Context, node: Mapping[str, Any], types: set[str]) -> Credential | str:
    """Build a credential, or return why the node cannot be one."""
    title = _text(ctx, node, CT + "name")
    credential_id = _resource_id(node)
    if title is None or credential_id is None:
        return "no ceterms:name" if title is None else "no @id and no ceterms:ctid"
    issuer, issuer_id = _owner(ctx, node, credential_id=credential_id)
    languages = [language_tag(str(v)) for v, _ in NodeMap.literals(node, CT + "inLanguage")]
    outcomes, skills = _outcome_and_skills(ctx, _alignments(ctx, node))
    credits, unmapped_credit = _credits(ctx, node)
    hours, duration = _durations(ctx, node)
    places = [
        place
        for profile in ctx.nodes.objects(node, CT + "jurisdiction")
        for place in ctx.nodes.objects(profile, CT + "mainJurisdiction")
    ] + ctx.nodes.objects(node, CT + "availableAt")
    stacks = NodeMap.refs(node, CT + "isPartOf") + [
        ref
        for prep in ctx.nodes.objects(node, CT + "isPreparationFor")
        for ref in NodeMap.refs(prep, CT + "targetCredential")
    ]
    naics = _first(node, CT + "naics")
    urls = NodeMap.refs(node, CT + "subjectWebpage")
    extra = _extra(ctx, node, unmapped_credit)
    if issuer_id.endswith("#issuer"):
        extra["ctdl:issuer"] = "not stated (no ceterms:ownedBy or ceterms:offeredBy names one)"
    return Credential(
        id=credential_id,
        title=title[0],
        issuer=issuer_id,
        type=sorted(types & (CREDENTIAL_TYPES | LEARNING_TYPES))[0],
        description=_plain(ctx, node, CT + "description"),
        language=next((lang for lang in languages if lang), None) or language_tag(title[1]),
        jurisdiction=_country(ctx, places) or (issuer.jurisdiction if issuer else None),
        credits=credits,
        hours=hours,
        duration=duration,
        cost=_cost(ctx, node),
        industry=f"naics:{naics}" if naics else None,
        assessment=_assessment(ctx, node),
        delivery=_delivery(ctx, node),
        learning_outcomes=tuple(outcomes),
        skills=tuple(CredentialSkill(uri, status=SkillStatus.CONFIRMED) for uri in skills),
        prerequisites=tuple(_prerequisites(ctx, node)),
        stacks_into=tuple(dict.fromkeys(r for r in stacks if not r.startswith("_:"))),
        valid_from=_first(node, CT + "dateEffective"),
        valid_until=_first(node, CT + "expirationDate"),
        url=urls[0] if urls else None,
        source_format=Format.CTDL.value,
        extra=tuple(sorted(extra.items())),
    )
