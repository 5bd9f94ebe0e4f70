"""Reading a CTDL / CTDL-ASN JSON-LD file: :func:`read_ctdl`.

Each record is prepared for the context stand-in (:mod:`ingest.credentials.ctdl.stand_in`),
flattened, and its nodes handed to the builder for their type.

**What comes out.** Credentials (``ceterms:BachelorDegree``, ``Certification``, ...) and learning
opportunities (``LearningOpportunityProfile``, ``LearningProgram``, ``Course``) become
:class:`~graph.model.credentials.Credential`; organisations that own or offer them, or that a record
describes on its own, become :class:`~graph.model.credentials.Issuer`; CTDL-ASN frameworks and
competencies become a concept scheme, skill concepts and ``broader`` relations. Assessment
profiles fill the ``assessment`` of the credential that requires them; described on their own,
like pathways, they are skipped with a reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from graph.exports.ctdl import ASN, CREDENTIAL_TYPES, LEARNING_TYPES
from graph.model.concepts import Concept, ConceptScheme, Relation
from graph.model.concepts import RelationType as Rel
from graph.model.credentials import Credential, Issuer
from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.ctdl.credentials import _credential, _issuer
from ingest.credentials.ctdl.frameworks import _competency, _framework
from ingest.credentials.ctdl.nodes import _Context, _types
from ingest.credentials.ctdl.stand_in import _bare_terms, _language_terms, _merge_language_maps
from ingest.credentials.documents import SourceDocument
from ingest.credentials.formats import CredentialFile, Format, Located, Skipped
from ingest.credentials.linked_data import NodeMap, StandInDocumentLoader, flatten_jsonld
from ingest.errors import IngestError

# Named for the package, not this module, so log lines and logging configuration keep the
# ``ingest.credentials.ctdl`` name they had before the package was split into modules.
logger = logging.getLogger("ingest.credentials.ctdl")

_ORG_TYPES = frozenset({"CredentialOrganization", "QACredentialOrganization", "Organization"})

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _top_ids(value: Mapping[str, Any], base: str | None) -> frozenset[str]:
    """The IRIs of the resources a record describes at its top level (itself or its @graph)."""
    nodes = [value, *(n for n in value.get("@graph", ()) if isinstance(n, Mapping))]
    raw = [str(n["@id"]) for n in nodes if isinstance(n.get("@id"), str)]
    return frozenset(r if _ABSOLUTE.match(r) or not base else urljoin(base, r) for r in raw)


@dataclass
class _Collected:
    issuers: dict[str, Located[Issuer]]
    credentials: dict[str, Located[Credential]]
    schemes: dict[str, Located[ConceptScheme]]
    concepts: dict[str, Located[Concept]]
    relations: dict[tuple[str, str, str], Relation]
    skipped: list[Skipped]


def _referenced_ids(nodes: NodeMap) -> set[str]:
    """The IRIs and blank node ids that some node of a record points to."""
    return {
        ref
        for node in nodes
        for prop in node
        if not prop.startswith("@")
        for ref in NodeMap.refs(node, prop)
    }


def _broader_relations(node: Mapping[str, Any], uri: str) -> list[Relation]:
    """The ``broader`` relations a competency states with its parents and its children."""
    return [
        *(Relation(uri, Rel.BROADER, parent) for parent in NodeMap.refs(node, ASN + "isChildOf")),
        *(Relation(child, Rel.BROADER, uri) for child in NodeMap.refs(node, ASN + "hasChild")),
    ]


def _unread_reason(node: Mapping[str, Any]) -> str:
    """Why a top-level resource of a type credwalk does not read is skipped."""
    names = sorted(t for t in node.get("@type", ()))
    what = ", ".join(names) if names else "a resource without a type"
    return f"{what} is not a credential, learning opportunity, organisation or competency framework"


def _read_record(ctx: _Context, out: _Collected) -> None:
    document = ctx.document
    referenced = _referenced_ids(ctx.nodes)

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
        if types & (CREDENTIAL_TYPES | LEARNING_TYPES):
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
            for relation in _broader_relations(node, concept.uri):
                out.relations.setdefault(relation.key, relation)
        elif "CompetencyFramework" in asn_types and not node_id.startswith("_:"):
            scheme = _framework(ctx, node)
            if isinstance(scheme, str):
                skip(scheme, node_id)
            else:
                out.schemes.setdefault(scheme.uri, locate(scheme, scheme.uri))
        elif is_top(node) and "@graph" not in node and not types & _ORG_TYPES:
            skip(_unread_reason(node), node_id)
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
        Pinned contexts plus the CTDL stand-in (see
        :func:`ingest.credentials.linked_data.stand_in_loader`).
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
