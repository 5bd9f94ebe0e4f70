"""European Learning Model v3 (European Digital Credentials): achievements read as credentials.

Accepted records: a ``EuropeanDigitalCredential`` (JSON-LD with the pinned EDC context), the
upload wrapper ``{"credential": ...}``, and the signed JWS JSON serialisation whose ``payload``
is the credential as a JSON string (the JAdES signature is **not** verified here; the credential
records that in ``extra["elm:signature"]``); also the same credentials in Turtle
(:func:`read_elm_turtle`). The ELM v2 XML diploma supplement is not read.

Each claim of the credential subject becomes a :class:`~graph.model.credentials.Credential`:

- a ``LearningAchievement`` (and each achievement it ``hasPart``, which stacks into it) through
  its specification (``Qualification`` / ``LearningAchievementSpecification``): title,
  description, language, EQF level (``QualificationLevel("EQF", "6")``), NQF level
  (``QualificationLevel("NQF", <ELM level IRI>)``), ECTS credit points, volume of learning
  (hours), maximum duration, ISCED-F field, mode (delivery), learning outcomes (their titles) and
  the ESCO skills related to them, and the assessment that proves it;
- a ``LearningActivity`` (certificates of participation) through its activity specification.

The awarding body (else the credential's issuer) is the issuer; its address country is the
jurisdiction. ELM documents number their nodes locally (``urn:epass:org:1`` appears in every
EDC), so such ids cannot name a credential or an issuer across documents: a specification or
organisation with an ``http(s)`` IRI keeps it; otherwise an issuer is named by its homepage, and
a credential gets ``urn:uuid:`` + UUID v5 of its issuer, kind and title — so two issued copies of
the same micro-credential (signed and unsigned) read as one credential.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import rdflib

from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    QualificationLevel,
    SkillStatus,
)
from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.documents import SourceDocument
from ingest.credentials.formats import CredentialFile, Format, Located, Skipped, jws_payload
from ingest.credentials.linked_data import NodeMap, flatten_jsonld
from ingest.credentials.values import country_code, language_tag
from ingest.errors import IngestError

__all__ = ["read_elm", "read_elm_turtle"]

logger = logging.getLogger(__name__)

ELM = "http://data.europa.eu/snb/model/elm/"
DC = "http://purl.org/dc/terms/"
CRED = "https://www.w3.org/2018/credentials#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ROV = "http://www.w3.org/ns/regorg#"
FOAF = "http://xmlns.com/foaf/0.1/"
_ESCO_SKILL = re.compile(r"^https?://data\.europa\.eu/esco/skill/[0-9a-fA-F-]{36}$")
_EQF = re.compile(r"^http://data\.europa\.eu/snb/eqf/([1-8])$")
_ISCED = re.compile(r"^http://data\.europa\.eu/snb/isced-f/(\d{2,4})$")
_ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
_HOURS = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?$")
#: Europass learning modes (code list IRI, else English label) -> credwalk delivery.
_MODES = {
    "920fbb3cbe": "online", "e92d221e4d": "blended", "9191af2ed9": "in_person",
    "729f3bed4b": "work_based", "online": "online", "blended": "blended",
    "presential": "in_person", "workbased": "work_based",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Context:
    nodes: NodeMap
    document: SourceDocument
    jurisdictions: Jurisdictions | None
    language: str
    credential: Mapping[str, Any]
    signed: bool


def _unwrap(document: SourceDocument) -> tuple[Mapping[str, Any], bool]:
    """Return the credential inside the upload wrapper or a JWS, and whether it was signed."""
    value = document.value
    if not isinstance(value, Mapping):
        raise IngestError(
            f"{document.where}: expected a JSON object",
            source=document.source,
            line=document.line,
            record=document.index,
        )
    if isinstance(value.get("payload"), str):
        try:
            payload = jws_payload(value["payload"])
        except json.JSONDecodeError as e:
            raise IngestError(
                f"{document.where}: the JWS payload is not JSON: {e.msg} (payload line"
                f" {e.lineno}, column {e.colno})",
                source=document.source,
                line=document.line,
                record=document.index,
                field="$.payload",
            ) from e
        if not isinstance(payload, Mapping):
            raise IngestError(
                f"{document.where}: the JWS payload is not a JSON object",
                source=document.source,
                line=document.line,
                field="$.payload",
            )
        return payload, True
    if set(value) == {"credential"} and isinstance(value["credential"], Mapping):
        return value["credential"], False
    return value, False


def _text(ctx: _Context, node: Mapping[str, Any] | None, prop: str) -> str | None:
    found = NodeMap.text(node, prop, ctx.language) if node else None
    return found[0] if found else None


def _object(ctx: _Context, node: Mapping[str, Any], prop: str) -> Mapping[str, Any] | None:
    found = ctx.nodes.objects(node, prop)
    return found[0] if found else None


def _literal(node: Mapping[str, Any] | None, prop: str) -> str | None:
    values = NodeMap.literals(node, prop) if node else []
    return str(values[0][0]) if values else None


def _hours(duration: str | None) -> float | None:
    match = _HOURS.match(duration or "")
    if not match or not any(match.groups()):
        return None
    return float(match.group(1) or 0) + float(match.group(2) or 0) / 60


def _is_global(iri: str) -> bool:
    return iri.startswith(("http://", "https://"))


def _homepage(ctx: _Context, node: Mapping[str, Any] | None) -> str | None:
    page = _object(ctx, node, FOAF + "homepage") if node else None
    return _literal(page, ELM + "contentUrl")


def _issuer(ctx: _Context, claim: Mapping[str, Any]) -> Issuer | None:
    body = None
    for process in ctx.nodes.objects(claim, ELM + "awardedBy"):
        body = body or _object(ctx, process, ELM + "awardingBody")
    body = body or _object(ctx, ctx.credential, CRED + "issuer")
    if body is None:
        return None
    name = _text(ctx, body, ROV + "legalName") or _text(ctx, body, SKOS + "prefLabel")
    if name is None:
        return None
    homepage = _homepage(ctx, body)
    node_id = str(body.get("@id", ""))
    if _is_global(node_id):
        issuer_id = node_id
    elif homepage:
        issuer_id = homepage
    else:
        issuer_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'elm-organisation:' + name)}"
    country = None
    for location in ctx.nodes.objects(body, ELM + "location"):
        for address in ctx.nodes.objects(location, ELM + "address"):
            for ref in NodeMap.refs(address, ELM + "countryCode"):
                country = country or country_code(ref, ctx.jurisdictions)
    return Issuer(id=issuer_id, name=name, jurisdiction=country, url=homepage)


def _credit(ctx: _Context, spec: Mapping[str, Any]) -> tuple[Credits | None, str | None]:
    for credit in ctx.nodes.objects(spec, ELM + "creditPoint"):
        point = _literal(credit, ELM + "point")
        frameworks = NodeMap.refs(credit, ELM + "framework")
        try:
            amount = float(point) if point is not None else None
        except ValueError:
            amount = None
        if amount is None:
            continue
        if _ECTS in frameworks:
            return Credits(amount, "ECTS"), None
        label = _text(ctx, ctx.nodes.get(frameworks[0]) if frameworks else None, SKOS + "prefLabel")
        return None, f"{point} {label or (frameworks[0] if frameworks else '')}".strip()
    return None, None


def _credential_id(
    spec: Mapping[str, Any] | None, *, issuer_id: str, spec_type: str, title: str
) -> str:
    """The specification's own IRI when global, else one derived from issuer, kind and title."""
    spec_id = str(spec.get("@id", "")) if spec else ""
    if _is_global(spec_id):
        return spec_id
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'elm:{issuer_id}|{spec_type}|{title}')}"


def _levels(holder: Mapping[str, Any]) -> list[QualificationLevel]:
    """The EQF levels, then the NQF levels (by their IRI) of a specification."""
    levels = [
        QualificationLevel("EQF", m.group(1))
        for r in NodeMap.refs(holder, ELM + "EQFLevel")
        if (m := _EQF.match(r))
    ]
    return levels + [QualificationLevel("NQF", r) for r in NodeMap.refs(holder, ELM + "NQFLevel")]


def _isced_fields(holder: Mapping[str, Any]) -> list[str]:
    """The ISCED-F codes of a specification's fields of study."""
    return [m.group(1) for r in NodeMap.refs(holder, ELM + "ISCEDFCode") if (m := _ISCED.match(r))]


def _skills(outcomes: Sequence[Mapping[str, Any]]) -> tuple[CredentialSkill, ...]:
    """The ESCO skills the learning outcomes relate to, as confirmed credential skills."""
    skills = [
        r
        for o in outcomes
        for r in NodeMap.refs(o, ELM + "relatedESCOSkill")
        if _ESCO_SKILL.match(r)
    ]
    return tuple(CredentialSkill(u, status=SkillStatus.CONFIRMED) for u in dict.fromkeys(skills))


def _delivery(ctx: _Context, holder: Mapping[str, Any]) -> str | None:
    """The first learning mode credwalk knows, by code list IRI, else by English label."""
    modes = [
        _MODES.get(ref.rsplit("/", 1)[-1])
        or _MODES.get(
            re.sub(
                r"[^a-z]", "", (_text(ctx, ctx.nodes.get(ref), SKOS + "prefLabel") or "").lower()
            )
        )
        for ref in NodeMap.refs(holder, ELM + "mode")
    ]
    return next((m for m in modes if m), None)


def _extra(
    ctx: _Context,
    claim: Mapping[str, Any],
    holder: Mapping[str, Any],
    *,
    unmapped_credit: str | None,
    hours: float | None,
) -> dict[str, str]:
    """A credential's ``extra``: its ELM origin and what it has no field for (empties dropped)."""
    outcomes = ctx.nodes.objects(holder, ELM + "learningOutcome")
    entry = [
        t
        for n in ctx.nodes.objects(holder, ELM + "entryRequirement")
        if (t := _text(ctx, n, ELM + "noteLiteral"))
    ]
    volume = _literal(holder, ELM + "volumeOfLearning")
    extra = {
        "elm:credential": str(ctx.credential.get("@id", "")),
        "elm:claim": str(claim.get("@id", "")),
        "elm:nqf_level": "; ".join(
            t
            for r in NodeMap.refs(holder, ELM + "NQFLevel")
            if (t := _text(ctx, ctx.nodes.get(r), SKOS + "prefLabel"))
        ),
        "elm:isced_f": " ".join(_isced_fields(holder)[1:]),
        "elm:related_skills": " ".join(
            r for o in outcomes for r in NodeMap.refs(o, ELM + "relatedSkill")
        ),
        "elm:entry_requirement": "; ".join(entry),
        "elm:credit": unmapped_credit or "",
        "elm:volume_of_learning": volume if volume and hours is None else "",
        "elm:signature": "JAdES signature present, not verified" if ctx.signed else "",
    }
    return {k: v for k, v in extra.items() if v}


def _build(
    ctx: _Context, claim: Mapping[str, Any], *, kind: str, parent: str | None
) -> tuple[Credential, Issuer | None] | str:
    spec = _object(ctx, claim, ELM + "specifiedBy")
    title = _text(ctx, spec, DC + "title") or _text(ctx, claim, DC + "title")
    if title is None:
        return "the claim has no title"
    issuer = _issuer(ctx, claim)
    issuer_id = issuer.id if issuer else f"{ctx.credential.get('@id')}#issuer"
    spec_type = NodeMap.types(spec)[0] if spec and spec.get("@type") else kind
    holder = spec or claim
    outcomes = ctx.nodes.objects(holder, ELM + "learningOutcome")
    fields = _isced_fields(holder)
    credits, other_credit = _credit(ctx, holder)
    hours = _hours(_literal(claim, ELM + "workload")) or _hours(
        _literal(holder, ELM + "volumeOfLearning")
    )
    assessments = [
        t for a in ctx.nodes.objects(claim, ELM + "provenBy") if (t := _text(ctx, a, DC + "title"))
    ]
    languages = [language_tag(r) for r in NodeMap.refs(holder, DC + "language")]
    extra = _extra(ctx, claim, holder, unmapped_credit=other_credit, hours=hours)
    credential = Credential(
        id=_credential_id(spec, issuer_id=issuer_id, spec_type=spec_type, title=title),
        title=title,
        issuer=issuer_id,
        type=spec_type,
        description=_text(ctx, spec, DC + "description") or _text(ctx, claim, DC + "description"),
        language=next((lang for lang in languages if lang), None),
        jurisdiction=issuer.jurisdiction if issuer else None,
        levels=tuple(_levels(holder)),
        credits=credits,
        hours=hours,
        duration=_literal(holder, ELM + "maximumDuration"),
        field_of_study=fields[0] if fields else None,
        assessment="; ".join(dict.fromkeys(assessments)) or None,
        delivery=_delivery(ctx, holder),
        learning_outcomes=tuple(
            dict.fromkeys(t for o in outcomes if (t := _text(ctx, o, DC + "title")))
        ),
        skills=_skills(outcomes),
        stacks_into=(parent,) if parent else (),
        valid_from=_literal(ctx.credential, CRED + "validFrom"),
        valid_until=_literal(ctx.credential, CRED + "validUntil")
        or _literal(ctx.credential, CRED + "expirationDate"),
        url=_homepage(ctx, spec),
        source_format=Format.ELM.value,
        extra=tuple(sorted(extra.items())),
    )
    return credential, issuer


@dataclass
class _Collected:
    credentials: dict[str, Located[Credential]] = field(default_factory=dict)
    issuers: dict[str, Located[Issuer]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, document: SourceDocument, reason: str, pointer: str = "") -> None:
        logger.info("%s %s: skipped %s: %s", document.source, document.where, pointer, reason)
        self.skipped.append(
            Skipped(document.source, document.index, document.line, reason, pointer)
        )

    def locate(self, value: Any, document: SourceDocument, pointer: str) -> Located[Any]:
        return Located(value, document.source, document.index, document.line, pointer)

    def result(self, source: str) -> CredentialFile:
        logger.info(
            "read %d credentials from %s (%d skipped)", len(self.credentials), source,
            len(self.skipped),
        )  # fmt: skip
        return CredentialFile(
            source=source,
            format=Format.ELM,
            issuers=tuple(self.issuers.values()),
            credentials=tuple(self.credentials.values()),
            skipped=tuple(self.skipped),
        )


def _read_nodes(ctx: _Context, out: _Collected) -> None:
    """Read the claims of one credential (``ctx.credential``), and the parts of each."""
    claims: list[tuple[Mapping[str, Any], str | None]] = [
        (claim, None)
        for subject in ctx.nodes.objects(ctx.credential, CRED + "credentialSubject")
        for claim in ctx.nodes.objects(subject, ELM + "hasClaim")
    ]
    while claims:
        claim, parent = claims.pop(0)
        kinds = NodeMap.types(claim)
        kind = next((k for k in ("LearningAchievement", "LearningActivity") if k in kinds), None)
        built = (
            _build(ctx, claim, kind=kind, parent=parent)
            if kind
            else f"a {', '.join(kinds) or 'claim without a type'} is not read"
        )
        if isinstance(built, str):
            out.skip(ctx.document, built, str(claim.get("@id", "")))
            continue
        credential, issuer = built
        pointer = str(claim.get("@id", ""))
        out.credentials.setdefault(credential.id, out.locate(credential, ctx.document, pointer))
        if issuer is not None:
            out.issuers.setdefault(issuer.id, out.locate(issuer, ctx.document, issuer.id))
        claims.extend((part, credential.id) for part in ctx.nodes.objects(claim, ELM + "hasPart"))


def _read_document(
    nodes: NodeMap,
    document: SourceDocument,
    out: _Collected,
    *,
    jurisdictions: Jurisdictions | None,
    language: str,
    signed: bool,
) -> None:
    edcs = [n for n in nodes if ELM + "EuropeanDigitalCredential" in n.get("@type", ())]
    if not edcs:
        out.skip(document, "no EuropeanDigitalCredential in the record")
    for edc in edcs:
        _read_nodes(_Context(nodes, document, jurisdictions, language, edc, signed), out)


def read_elm(
    documents: Sequence[SourceDocument],
    *,
    loader: PinnedDocumentLoader,
    jurisdictions: Jurisdictions | None = None,
    language: str = "en",
) -> CredentialFile:
    """Read European Digital Credentials (ELM v3 JSON-LD) as credentials.

    Parameters
    ----------
    documents : sequence of SourceDocument
        EDC records: JSON-LD, upload wrappers or JWS JSON serialisations.
    loader : PinnedDocumentLoader
        Serves the W3C credentials and EDC contexts; unpinned ones are an error.
    jurisdictions : Jurisdictions, optional
        Resolves EU country authority IRIs (``.../country/IRL``) to codes.
    language : str
        Which language to take from multilingual titles when there is a choice.

    Raises
    ------
    IngestError
        If a JWS payload is not JSON, a context is unpinned (``details["url"]``) or a record
        is not valid JSON-LD.
    """
    out = _Collected()
    for document in documents:
        value, signed = _unwrap(document)
        resolver = loader.context_resolver()
        nodes = flatten_jsonld(value, document=document, loader=loader, resolver=resolver)
        _read_document(
            nodes, document, out, jurisdictions=jurisdictions, language=language, signed=signed
        )
    return out.result(documents[0].source if documents else "")


def read_elm_turtle(
    text: str,
    *,
    source: str,
    jurisdictions: Jurisdictions | None = None,
    language: str = "en",
) -> CredentialFile:
    """Read European Digital Credentials written in Turtle (the ELM RDF samples).

    Raises
    ------
    IngestError
        If the text is not valid Turtle (with the line where rdflib gives one).
    """
    graph = rdflib.Graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as e:  # rdflib raises parser-specific classes with no common base
        line = getattr(e, "lines", None)
        raise IngestError(
            f"invalid Turtle: {getattr(e, 'message', None) or e}",
            source=source,
            line=line + 1 if isinstance(line, int) else None,
        ) from e
    nodes = NodeMap(json.loads(graph.serialize(format="json-ld")))
    out = _Collected()
    document = SourceDocument(None, source, 0, 1)
    _read_document(
        nodes, document, out, jurisdictions=jurisdictions, language=language, signed=False
    )
    return out.result(source)
