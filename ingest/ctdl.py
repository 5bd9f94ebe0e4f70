"""CTDL / CTDL-ASN JSON-LD (Credential Engine) read as linked data, and written.

Credentials, learning opportunities, organisations and competency frameworks are read;
credentials are written back as CTDL.

**The CTDL context.** CTDL documents name ``https://credreg.net/ctdl/schema/context/json`` (or its
``http:`` and ``ctdlasn`` variants). That context is not available offline and credwalk never
fetches a context unpinned, so the reader expands CTDL with a project-authored stand-in,
``ontologies/contexts/ctdl-prefixes.jsonld``: the CTDL namespace prefixes plus, for the terms the
reader uses, CTDL's language-map containers and IRI value types. It is pinned by its own SHA-256
in the ``stand_ins`` section of ``ontologies/contexts/manifest.json``, which lists the exact URLs
it stands in for; :class:`~ingest.formats.StandInDocumentLoader` serves it for those URLs only,
and every other URL through the pinned loader. The stand-in defines no bare terms, so documents
written with them (``"type": "Pathway"``) cannot be read and are skipped with that reason.

**What comes out.** Credentials (``ceterms:BachelorDegree``, ``Certification``, ...) and learning
opportunities (``LearningOpportunityProfile``, ``LearningProgram``, ``Course``) become
:class:`~graph.credentials.Credential`; organisations that own or offer them, or that a record
describes on its own, become :class:`~graph.credentials.Issuer`; CTDL-ASN frameworks and
competencies become a concept scheme, skill concepts and ``broader`` relations. Assessment
profiles fill the ``assessment`` of the credential that requires them; described on their own,
like pathways, they are skipped with a reason.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from graph.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerType,
    Money,
    Prerequisite,
    SkillStatus,
)
from graph.jurisdictions import Jurisdictions
from graph.model import Concept, ConceptScheme, Label, LocalizedText, NodeKind, Relation
from graph.model import RelationType as Rel
from ingest.errors import IngestError
from ingest.formats import (
    CredentialFile,
    Format,
    Located,
    NodeMap,
    Skipped,
    SourceDocument,
    StandInDocumentLoader,
    country_code,
    flatten_jsonld,
    language_tag,
)

__all__ = ["CTDL_CONTEXT", "credential_to_ctdl", "ctid", "read_ctdl"]

logger = logging.getLogger(__name__)

#: The published CTDL context URL exported documents name.
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CT = "https://purl.org/ctdl/terms/"
ASN = "https://purl.org/ctdlasn/terms/"
SCHEMA = "https://schema.org/"
_ESCO_SKILL = re.compile(r"^https?://data\.europa\.eu/esco/skill/[0-9a-fA-F-]{36}$")
_REGISTRY = "https://credentialengineregistry.org/resources/"
_ESCO_SKILLS_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
_HOURS = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?$")

_CREDENTIAL_TYPES = frozenset((
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
_LEARNING_TYPES = frozenset({"LearningOpportunityProfile", "LearningProgram", "Course"})
_ORG_TYPES = frozenset({"CredentialOrganization", "QACredentialOrganization", "Organization"})
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


# --- the context stand-in -----------------------------------------------------------------------


def _merge_language_maps(value: Any, terms: frozenset[str]) -> Any:
    """Turn ``[{"en": "a"}, {"en": "b"}]`` under a language-map term into ``{"en": ["a", "b"]}``.

    Registry seeds write some language maps as arrays of maps, which JSON-LD would drop.
    """
    if isinstance(value, list):
        return [_merge_language_maps(v, terms) for v in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if (
            key in terms
            and isinstance(item, list)
            and item
            and all(isinstance(m, Mapping) and not any(k.startswith("@") for k in m) for m in item)
        ):
            merged: dict[str, list[Any]] = {}
            for m in item:
                for lang, text in m.items():
                    merged.setdefault(lang, []).extend(text if isinstance(text, list) else [text])
            out[key] = merged
        else:
            out[key] = _merge_language_maps(item, terms)
    return out


def _language_terms(loader: StandInDocumentLoader) -> frozenset[str]:
    """The terms the stand-in contexts declare as language maps."""
    return frozenset(
        key
        for text in loader.stand_ins.values()
        for key, value in json.loads(text)["@context"].items()
        if isinstance(value, Mapping) and value.get("@container") == "@language"
    )


def _bare_terms(value: Mapping[str, Any]) -> list[str]:
    nodes = [value, *(n for n in value.get("@graph", ()) if isinstance(n, Mapping))]
    return sorted({k for n in nodes for k in n if not k.startswith("@") and ":" not in k})


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    nodes: NodeMap
    document: SourceDocument
    jurisdictions: Jurisdictions | None
    language: str
    top: frozenset[str]


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _top_ids(value: Mapping[str, Any], base: str | None) -> frozenset[str]:
    """The IRIs of the resources a record describes at its top level (itself or its @graph)."""
    nodes = [value, *(n for n in value.get("@graph", ()) if isinstance(n, Mapping))]
    raw = [str(n["@id"]) for n in nodes if isinstance(n.get("@id"), str)]
    return frozenset(r if _ABSOLUTE.match(r) or not base else urljoin(base, r) for r in raw)


def _local(iri: str) -> str:
    return re.split(r"[/#:]", iri)[-1]


def _types(node: Mapping[str, Any], namespace: str = CT) -> set[str]:
    return {t[len(namespace) :] for t in node.get("@type", ()) if t.startswith(namespace)}


def _text(ctx: _Context, node: Mapping[str, Any], prop: str) -> tuple[str, str | None] | None:
    return NodeMap.text(node, prop, ctx.language)


def _plain(ctx: _Context, node: Mapping[str, Any], prop: str) -> str | None:
    found = _text(ctx, node, prop)
    return found[0] if found else None


def _first(node: Mapping[str, Any], prop: str) -> str | None:
    return next((str(v) for v, _ in NodeMap.literals(node, prop)), None)


def _targets(ctx: _Context, node: Mapping[str, Any], prop: str) -> list[str]:
    """Local names of the concepts the alignments under ``prop`` point to (``OnlineOnly``)."""
    return [
        _local(ref)
        for cao in ctx.nodes.objects(node, CT + prop)
        for ref in NodeMap.refs(cao, CT + "targetNode")
    ]


def _number(node: Mapping[str, Any], prop: str) -> float | None:
    for value, _ in NodeMap.literals(node, prop):
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


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


def _credential(ctx: _Context, node: Mapping[str, Any], types: set[str]) -> Credential | str:
    """Build a credential, or return why the node cannot be one."""
    title = _text(ctx, node, CT + "name")
    credential_id = _resource_id(node)
    if title is None or credential_id is None:
        return "no ceterms:name" if title is None else "no @id and no ceterms:ctid"
    owners = [r for p in ("ownedBy", "offeredBy") for r in NodeMap.refs(node, CT + p)]
    issuer_node = ctx.nodes.get(owners[0]) if owners else None
    issuer = _issuer(ctx, issuer_node) if issuer_node else None
    # An owner described only as an unnamed blank node cannot be named: treat it as not stated.
    named = [o for o in owners if not o.startswith("_:")]
    issuer_id = issuer.id if issuer else (named[0] if named else f"{credential_id}#issuer")
    languages = [language_tag(str(v)) for v, _ in NodeMap.literals(node, CT + "inLanguage")]
    outcomes, skills = _outcome_and_skills(ctx, _alignments(ctx, node))
    credits, unmapped_credit = _credits(ctx, node)
    hours, duration = _durations(ctx, node)
    delivery = {_DELIVERY[t] for t in _targets(ctx, node, "deliveryType") if t in _DELIVERY}
    assessments = [
        n
        for c in [node, *ctx.nodes.objects(node, CT + "requires")]
        for a in ctx.nodes.objects(c, CT + "targetAssessment")
        if (n := _plain(ctx, a, CT + "name"))
    ]
    method = _plain(ctx, node, CT + "assessmentMethodDescription")
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
        type=sorted(types & (_CREDENTIAL_TYPES | _LEARNING_TYPES))[0],
        description=_plain(ctx, node, CT + "description"),
        language=next((lang for lang in languages if lang), None) or language_tag(title[1]),
        jurisdiction=_country(ctx, places) or (issuer.jurisdiction if issuer else None),
        credits=credits,
        hours=hours,
        duration=duration,
        cost=_cost(ctx, node),
        industry=f"naics:{naics}" if naics else None,
        assessment="; ".join(dict.fromkeys([*assessments, *([method] if method else [])])) or None,
        delivery=(delivery.pop() if len(delivery) == 1 else "blended") if delivery else None,
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


def _competency(ctx: _Context, node: Mapping[str, Any]) -> Concept | str:
    text = _text(ctx, node, ASN + "competencyText") or _text(ctx, node, ASN + "name")
    if text is None:
        return "no ceasn:competencyText"
    lang = (language_tag(text[1]) or ctx.language).split("-")[0]
    description = _text(ctx, node, ASN + "description")
    schemes = NodeMap.refs(node, ASN + "isPartOf")
    return Concept(
        uri=str(node["@id"]),
        kind=NodeKind.SKILL,
        framework=schemes[0] if schemes else str(node["@id"]),
        labels=(Label(text[0], lang),),
        descriptions=(
            (LocalizedText(description[0], (language_tag(description[1]) or lang).split("-")[0]),)
            if description
            else ()
        ),
        schemes=tuple(schemes),
        code=_first(node, ASN + "codedNotation"),
    )


def _framework(ctx: _Context, node: Mapping[str, Any]) -> ConceptScheme | str:
    title = _plain(ctx, node, ASN + "name")
    if title is None:
        return "no ceasn:name"
    creators = [
        _plain(ctx, c, CT + "name") or c["@id"] for c in ctx.nodes.objects(node, ASN + "creator")
    ] or NodeMap.refs(node, ASN + "creator")
    return ConceptScheme(
        uri=str(node["@id"]),
        framework=str(node["@id"]),
        title=title,
        publisher=str(creators[0]) if creators else None,
    )


@dataclass
class _Collected:
    issuers: dict[str, Located[Issuer]]
    credentials: dict[str, Located[Credential]]
    schemes: dict[str, Located[ConceptScheme]]
    concepts: dict[str, Located[Concept]]
    relations: dict[tuple[str, str, str], Relation]
    skipped: list[Skipped]


def _read_record(ctx: _Context, out: _Collected) -> None:
    document = ctx.document
    referenced = {
        ref
        for node in ctx.nodes
        for prop in node
        if not prop.startswith("@")
        for ref in NodeMap.refs(node, prop)
    }

    def locate(value: Any, pointer: str) -> Located[Any]:
        return Located(value, document.source, document.index, document.line, pointer)

    def skip(reason: str, pointer: str) -> None:
        logger.info("%s %s: skipped %s: %s", document.source, document.where, pointer, reason)
        out.skipped.append(Skipped(document.source, document.index, document.line, reason, pointer))

    def is_top(node: Mapping[str, Any]) -> bool:
        node_id = str(node.get("@id", ""))
        return node_id in ctx.top or (node_id.startswith("_:") and node_id not in referenced)

    owners: set[str] = set()
    for node in ctx.nodes:
        node_id = str(node.get("@id", ""))
        types, asn_types = _types(node), _types(node, ASN)
        if types & (_CREDENTIAL_TYPES | _LEARNING_TYPES):
            built = _credential(ctx, node, types)
            if isinstance(built, str):
                skip(built, node_id)
            elif built.id in out.credentials:
                skip(f"described again; {out.credentials[built.id].pointer} is kept", node_id)
            else:
                out.credentials[built.id] = locate(built, built.id)
                owners.add(built.issuer)
        elif "Competency" in asn_types and not node_id.startswith("_:"):
            concept = _competency(ctx, node)
            if isinstance(concept, str):
                skip(concept, node_id)
                continue
            out.concepts.setdefault(concept.uri, locate(concept, concept.uri))
            for parent in NodeMap.refs(node, ASN + "isChildOf"):
                out.relations.setdefault(
                    (concept.uri, "broader", parent), Relation(concept.uri, Rel.BROADER, parent)
                )
            for child in NodeMap.refs(node, ASN + "hasChild"):
                out.relations.setdefault(
                    (child, "broader", concept.uri), Relation(child, Rel.BROADER, concept.uri)
                )
        elif "CompetencyFramework" in asn_types and not node_id.startswith("_:"):
            scheme = _framework(ctx, node)
            if isinstance(scheme, str):
                skip(scheme, node_id)
            else:
                out.schemes.setdefault(scheme.uri, locate(scheme, scheme.uri))
        elif is_top(node) and "@graph" not in node and not types & _ORG_TYPES:
            names = sorted(t for t in node.get("@type", ()))
            what = ", ".join(names) if names else "a resource without a type"
            skip(
                f"{what} is not a credential, learning opportunity, organisation or "
                "competency framework",
                node_id,
            )
    # Organisations a record describes on its own, or that own or offer its credentials.
    for node in ctx.nodes:
        issuer = _issuer(ctx, node) if _types(node) & _ORG_TYPES else None
        if issuer is not None and (is_top(node) or issuer.id in owners):
            out.issuers.setdefault(issuer.id, locate(issuer, issuer.id))


def read_ctdl(
    documents: Sequence[SourceDocument],
    *,
    loader: StandInDocumentLoader,
    jurisdictions: Jurisdictions | None = None,
    language: str = "en",
    base: str | None = None,
) -> CredentialFile:
    """Read CTDL / CTDL-ASN JSON-LD records as linked data.

    Parameters
    ----------
    documents : sequence of SourceDocument
        The records of one file (an object, an ``@graph`` envelope, or an array of them).
    loader : StandInDocumentLoader
        Pinned contexts plus the CTDL stand-in (see :func:`ingest.formats.stand_in_loader`).
    jurisdictions : Jurisdictions, optional
        Resolves country names (``United States``) to codes.
    language : str
        Which language to take from language maps when there is a choice.
    base : str, optional
        Base IRI of relative ``@id`` values (registry seeds use bare UUIDs).

    Raises
    ------
    IngestError
        If a context is unpinned (``details["url"]``) or a record is not valid JSON-LD.
    """
    source = documents[0].source if documents else ""
    out = _Collected({}, {}, {}, {}, {}, [])
    language_terms = _language_terms(loader)
    for document in documents:
        value = document.value
        if not isinstance(value, Mapping):
            raise IngestError(
                f"{document.where}: expected a JSON-LD object",
                source=source,
                line=document.line,
                record=document.index,
            )
        bare = _bare_terms(value)
        if bare:
            reason = (
                f"uses unprefixed terms ({', '.join(bare[:5])}) that only the published "
                "CTDL context defines; credwalk reads prefixed CTDL only"
            )
            logger.info("%s %s: skipped: %s", source, document.where, reason)
            out.skipped.append(Skipped(source, document.index, document.line, reason))
            continue
        value = _merge_language_maps(value, language_terms)
        nodes = flatten_jsonld(
            value, document=document, loader=loader, resolver=loader.resolver, base=base
        )
        context = _Context(nodes, document, jurisdictions, language, _top_ids(value, base))
        _read_record(context, out)
    # A program's parts stack into it, when the file describes the parts.
    for program in list(out.credentials.values()):
        for part in dict(program.value.extra).get("ctdl:has_part", "").split():
            if part in out.credentials:
                item = out.credentials[part]
                stacks = tuple(dict.fromkeys([*item.value.stacks_into, program.value.id]))
                out.credentials[part] = replace(item, value=replace(item.value, stacks_into=stacks))
    if base and any(c.startswith(base.rsplit("/", 1)[0]) for c in out.concepts):
        logger.warning("%s: relative IRIs were resolved against %s", source, base)
    logger.info(
        "read %d credentials, %d issuers, %d competencies from %s (%d skipped)",
        len(out.credentials),
        len(out.issuers),
        len(out.concepts),
        source,
        len(out.skipped),
    )
    return CredentialFile(
        source=source,
        format=Format.CTDL,
        issuers=tuple(out.issuers.values()),
        credentials=tuple(out.credentials.values()),
        schemes=tuple(out.schemes.values()),
        concepts=tuple(out.concepts.values()),
        relations=tuple(out.relations.values()),
        skipped=tuple(out.skipped),
    )


# --- writing --------------------------------------------------------------------------------------


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
    alignments = [_alignment(s.uri, labels.get(s.uri, s.uri), lang) for s in c.confirmed_skills]
    alignments += [_alignment(None, text, lang) for text in c.learning_outcomes]
    condition = {"@type": "ceterms:ConditionProfile", "ceterms:name": {"en": "Competencies"}}
    entry = _compact(
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
    durations = [f"PT{c.hours:g}H"] if c.hours is not None else []
    known = _CREDENTIAL_TYPES | _LEARNING_TYPES
    cost_type = {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:targetNode": "costType:AggregateCost",
    }
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
            "ceterms:jurisdiction": [
                {"@type": "ceterms:JurisdictionProfile",
                 "ceterms:mainJurisdiction": _place(c.jurisdiction)}
            ] if c.jurisdiction else None,
            "ceterms:estimatedCost": [
                {"@type": "ceterms:CostProfile", "ceterms:price": c.cost.amount,
                 "ceterms:currency": c.cost.currency, "ceterms:directCostType": cost_type}
            ] if c.cost else None,
            "ceterms:creditValue": [
                {"@type": "schema:QuantitativeValue", "schema:value": c.credits.value,
                 "schema:unitText": _UNIT_TEXT.get(c.credits.unit, c.credits.unit)}
            ] if c.credits else None,
            "ceterms:estimatedDuration": [
                {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": d}
                for d in [*durations, *([c.duration] if c.duration else [])]
            ],
            "ceterms:deliveryType": [
                {"@type": "ceterms:CredentialAlignmentObject",
                 "ceterms:targetNode": f"deliveryType:{_DELIVERY_NODE[c.delivery]}"}
            ] if c.delivery in _DELIVERY_NODE else None,
            "ceterms:assessmentMethodDescription": {lang: c.assessment} if c.assessment else None,
            "ceterms:teaches": alignments if c.type in _LEARNING_TYPES else None,
            "ceterms:requires": [{**condition, "ceterms:targetCompetency": alignments}]
            if alignments and c.type not in _LEARNING_TYPES else None,
            "ceterms:entryCondition": [entry] if len(entry) > 2 else None,
            "ceterms:isPartOf": list(c.stacks_into),
            "ceterms:dateEffective": c.valid_from[:10] if c.valid_from else None,
            "ceterms:expirationDate": c.valid_until[:10] if c.valid_until else None,
        }
    )  # fmt: skip
    if issuer is None:
        return {"@context": CTDL_CONTEXT, **node}
    return {"@context": CTDL_CONTEXT, "@graph": [node, _organization(issuer, lang)]}
