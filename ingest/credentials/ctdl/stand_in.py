"""Preparing CTDL documents for the project's stand-in of the CTDL context, before expansion.

CTDL documents name ``https://credreg.net/ctdl/schema/context/json`` (or its ``http:`` and
``ctdlasn`` variants). That context is not available offline and credwalk never fetches a context
unpinned, so the reader expands CTDL with a project-authored stand-in,
``ontologies/contexts/ctdl-prefixes.jsonld``: the CTDL namespace prefixes plus, for the terms the
reader uses, CTDL's language-map containers and IRI value types. It is pinned by its own SHA-256 in
the ``stand_ins`` section of ``ontologies/contexts/manifest.json``, which lists the exact URLs it
stands in for; :class:`~ingest.credentials.linked_data.StandInDocumentLoader` serves it for those
URLs only, and every other URL through the pinned loader. The stand-in defines no bare terms, so
documents written with them (``"type": "Pathway"``) cannot be read and are skipped with that reason
(:func:`_bare_terms` finds them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ingest.credentials.linked_data import StandInDocumentLoader


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
