"""Which texts of a concept are searchable, and their embeddings.

Preferred and alternative labels and descriptions get vectors; hidden labels (misspellings,
outdated or offensive terms ESCO keeps for search only) are matched lexically only, and are
never shown as a concept's name. An alternative label equal to the preferred label in the same
language is dropped: ESCO repeats the preferred label among the alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graph.embeddings import Embedder
from graph.model.concepts import Concept, LabelKind
from graph.store import IndexedText, TextField
from graph.text import normalise, terms

__all__ = ["concept_texts", "index_concepts"]

_FIELD_OF_LABEL = {
    LabelKind.PREFERRED: TextField.PREFERRED,
    LabelKind.ALTERNATIVE: TextField.ALTERNATIVE,
    LabelKind.HIDDEN: TextField.HIDDEN,
}


def concept_texts(concept: Concept) -> list[tuple[TextField, str, str]]:
    """Return the searchable ``(field, lang, text)`` of ``concept``, without duplicates.

    Examples
    --------
    >>> from graph.model.concepts import Label, LabelKind, NodeKind
    >>> c = Concept("u", NodeKind.SKILL, "esco",
    ...             (Label("Python", "en"), Label("python", "en", LabelKind.ALTERNATIVE)))
    >>> concept_texts(c)
    [(<TextField.PREFERRED: 'preferred'>, 'en', 'Python')]
    """
    seen: set[tuple[str, str]] = set()
    out: list[tuple[TextField, str, str]] = []
    order = {LabelKind.PREFERRED: 0, LabelKind.ALTERNATIVE: 1, LabelKind.HIDDEN: 2}
    for label in sorted(concept.labels, key=lambda lb: order[lb.kind]):
        text = " ".join(label.text.split())
        key = (label.lang, normalise(text))
        if not text or key in seen:
            continue
        seen.add(key)
        out.append((_FIELD_OF_LABEL[label.kind], label.lang, text))
    for description in concept.descriptions:
        text = " ".join(description.text.split())
        if text:
            out.append((TextField.DESCRIPTION, description.lang, text))
    return out


def index_concepts(
    concepts: Sequence[Concept],
    embedder: Embedder | None,
    *,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> list[IndexedText]:
    """Return the indexed texts of ``concepts``, embedded with ``embedder`` (None: lexical only).

    Texts are embedded in one call so the embedder can batch and cache them. ``on_total`` is
    told how many texts will be embedded before embedding starts (for progress bars).
    """
    items = [(c.uri, field, lang, text) for c in concepts for field, lang, text in concept_texts(c)]
    if on_total is not None:
        on_total(sum(1 for item in items if item[1] is not TextField.HIDDEN))
    to_embed = [text for _, field, _, text in items if field is not TextField.HIDDEN]
    vectors = iter(embedder.embed(to_embed, progress=progress)) if embedder and to_embed else None
    out = []
    for uri, field, lang, text in items:
        vector = next(vectors) if vectors is not None and field is not TextField.HIDDEN else None
        # Only labels are matched lexically; a description's terms would never be read.
        words = () if field is TextField.DESCRIPTION else terms(text)
        out.append(IndexedText(uri, field, lang, text, words, vector))
    return out
