"""JSON documents for the model types, shared by the backends so they store the same thing.

Both backends keep a concept as one JSON document (plus indexed scalar columns/properties);
this module is the single place that knows the document shape.
"""

from __future__ import annotations

import json
from typing import Any

from graph.model.concepts import (
    Concept,
    ConceptScheme,
    Label,
    LabelKind,
    LocalizedText,
    NodeKind,
    Provenance,
    ProvenanceKind,
    Relation,
    RelationType,
    SkillType,
)

__all__ = [
    "concept_document",
    "concept_from_document",
    "concept_from_json",
    "concept_to_json",
    "dumps",
    "relation_from_json",
    "relation_from_props",
    "relation_props",
    "relation_props_document",
    "scheme_document",
    "scheme_from_json",
    "scheme_to_json",
]


def dumps(document: Any) -> str:
    """Serialise compactly with sorted keys, so equal documents are equal text."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def concept_to_json(concept: Concept) -> str:
    """Return the JSON document of ``concept``."""
    return dumps(concept_document(concept))


def concept_document(concept: Concept) -> dict[str, Any]:
    """Return the document of ``concept`` (what :func:`concept_to_json` serialises)."""
    document: dict[str, Any] = {
        "uri": concept.uri,
        "kind": concept.kind.value,
        "framework": concept.framework,
        "labels": [[label.text, label.lang, label.kind.value] for label in concept.labels],
        "descriptions": [[text.text, text.lang] for text in concept.descriptions],
        "schemes": list(concept.schemes),
        "collections": sorted(concept.collections),
        "status": concept.status,
        "replaced_by": list(concept.replaced_by),
    }
    optional = {
        "skill_type": concept.skill_type.value if concept.skill_type else None,
        "reuse_level": concept.reuse_level,
        "code": concept.code,
        "isco_group": concept.isco_group,
        "modified": concept.modified,
        "framework_version": concept.framework_version,
    }
    document.update({key: value for key, value in optional.items() if value is not None})
    return document


def concept_from_json(text: str) -> Concept:
    """Rebuild a concept from its JSON document."""
    return concept_from_document(json.loads(text))


def concept_from_document(d: dict[str, Any]) -> Concept:
    """Rebuild a concept from its document (see :func:`concept_document`)."""
    return Concept(
        uri=d["uri"],
        kind=NodeKind(d["kind"]),
        framework=d["framework"],
        labels=tuple(Label(t, lang, LabelKind(kind)) for t, lang, kind in d["labels"]),
        descriptions=tuple(LocalizedText(t, lang) for t, lang in d["descriptions"]),
        schemes=tuple(d["schemes"]),
        skill_type=SkillType(d["skill_type"]) if "skill_type" in d else None,
        reuse_level=d.get("reuse_level"),
        code=d.get("code"),
        isco_group=d.get("isco_group"),
        collections=frozenset(d["collections"]),
        status=d["status"],
        replaced_by=tuple(d["replaced_by"]),
        modified=d.get("modified"),
        framework_version=d.get("framework_version"),
    )


def scheme_to_json(scheme: ConceptScheme) -> str:
    """Return the JSON document of ``scheme``."""
    return dumps(scheme_document(scheme))


def scheme_document(scheme: ConceptScheme) -> dict[str, Any]:
    """Return the document of ``scheme`` (every field, None included)."""
    return {
        "uri": scheme.uri,
        "framework": scheme.framework,
        "title": scheme.title,
        "version": scheme.version,
        "publisher": scheme.publisher,
        "jurisdiction": scheme.jurisdiction,
    }


def scheme_from_json(text: str) -> ConceptScheme:
    """Rebuild a concept scheme from its JSON document."""
    return ConceptScheme(**json.loads(text))


def relation_props(relation: Relation) -> str:
    """Return the JSON of a relation's optional properties ("{}" when it has none)."""
    if (
        relation.level is None
        and relation.weight is None
        and relation.status is None
        and relation.provenance is None
    ):
        return "{}"
    return dumps(relation_props_document(relation))


def relation_props_document(relation: Relation) -> dict[str, Any]:
    """Return a relation's optional properties as a document (empty when it has none)."""
    props: dict[str, Any] = {}
    if relation.level is not None:
        props["level"] = relation.level
    if relation.weight is not None:
        props["weight"] = relation.weight
    if relation.status is not None:
        props["status"] = relation.status
    if relation.provenance is not None:
        p = relation.provenance
        props["provenance"] = {
            key: value
            for key, value in (
                ("kind", p.kind.value),
                ("agent", p.agent),
                ("at", p.at),
                ("source", p.source),
                ("model", p.model),
                ("score", p.score),
            )
            if value is not None
        }
    return props


_RELATION_TYPES = {t.value: t for t in RelationType}


def relation_from_json(source: str, type_: str, target: str, props: str) -> Relation:
    """Rebuild a relation from its key and the JSON of its properties."""
    if not props or props == "{}":
        # Most edges (all of ESCO's) have no properties; skip the JSON parser for them.
        return Relation(source, _RELATION_TYPES[type_], target)
    return relation_from_props(source, type_, target, json.loads(props))


def relation_from_props(source: str, type_: str, target: str, d: dict[str, Any]) -> Relation:
    """Rebuild a relation from its key and its properties (see :func:`relation_props_document`)."""
    provenance = None
    if "provenance" in d:
        p = d["provenance"]
        provenance = Provenance(
            kind=ProvenanceKind(p["kind"]),
            agent=p["agent"],
            at=p["at"],
            source=p.get("source"),
            model=p.get("model"),
            score=p.get("score"),
        )
    return Relation(
        source=source,
        type=RelationType(type_),
        target=target,
        level=d.get("level"),
        weight=d.get("weight"),
        status=d.get("status"),
        provenance=provenance,
    )
