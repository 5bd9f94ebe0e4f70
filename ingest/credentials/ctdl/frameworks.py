"""CTDL-ASN competency frameworks and competencies read as a concept scheme and skill concepts.

A ``ceasn:CompetencyFramework`` becomes a :class:`~graph.model.ConceptScheme`
(:func:`_framework`) and a ``ceasn:Competency`` a skill :class:`~graph.model.Concept`
(:func:`_competency`); the ``broader`` relations between them are drawn by
:func:`ingest.credentials.ctdl.read._read_record`, which sees both ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.exports.ctdl import ASN, CT
from graph.model.concepts import Concept, ConceptScheme, Label, LocalizedText, NodeKind
from ingest.credentials.ctdl.nodes import _Context, _first, _plain, _text
from ingest.credentials.linked_data import NodeMap
from ingest.credentials.values import language_tag


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
