"""Reading values off flattened CTDL nodes: the per-record context and small accessors.

Every reader module (:mod:`~ingest.credentials.ctdl.credentials`,
:mod:`~ingest.credentials.ctdl.frameworks`, :mod:`~ingest.credentials.ctdl.read`) looks at nodes
through these helpers, so how a text is chosen from a language map, or a concept named from an
alignment, is decided in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.exports.ctdl import CT
from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.documents import SourceDocument
from ingest.credentials.linked_data import NodeMap


@dataclass(frozen=True, slots=True)
class _Context:
    nodes: NodeMap
    document: SourceDocument
    jurisdictions: Jurisdictions | None
    language: str
    top: frozenset[str]


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
