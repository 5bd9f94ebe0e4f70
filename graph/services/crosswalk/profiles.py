"""What the crosswalk knows about each occupation of a framework, as texts and vectors.

A profile holds, per occupation: its labels (preferred and alternative), its description, its
*activities* (the labels of its essential skills when the framework links occupations to skills,
as ESCO does; else its further English texts, which is where O*NET's task statements are), its
ISCO unit group's text when it has one, and two structural keys read from its code: the group
of its *siblings* (ISCO unit group, or SOC minor group ``15-12``) and the group it is matched
*into* (ISCO unit group, or SOC detailed occupation ``15-1252``).

Texts are embedded through the supplied embedder, whose cache makes a warm run cost lookups
only; they are the same texts :func:`graph.indexing.concept_texts` indexes, so an ingest warms
the cache for the crosswalk.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.embeddings import Embedder
from graph.errors import NotFoundError
from graph.indexing import concept_texts
from graph.model.concepts import Concept, NodeKind, RelationType
from graph.store import GraphStore, TextField
from graph.text import normalise

__all__ = [
    "ALTERNATIVE_WEIGHT",
    "Matrix",
    "OccupationProfiles",
    "load_profiles",
    "occupations_of",
    "sibling_key",
]

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
_SOC = re.compile(r"^(\d{2})-(\d{2})(\d{2})\.\d{2}$")
_LABEL_FIELDS = (TextField.PREFERRED, TextField.ALTERNATIVE)
#: How much a match on an alternative label counts against one on the preferred label:
#: O*NET lists related job titles among its alternate titles, ESCO gendered and older forms.
ALTERNATIVE_WEIGHT = 0.85


@dataclass
class OccupationProfiles:
    """The occupations of one framework, aligned by row.

    ``label_vectors`` holds every label, ``label_owner`` the row of its occupation (labels are
    grouped by owner, preferred first) and ``label_weights`` 1 for a preferred label,
    :data:`ALTERNATIVE_WEIGHT` for an alternative one; ``activity_vectors`` and
    ``activity_owner`` likewise.
    ``has_*`` masks say which rows have a description, activities or a group text.
    """

    framework: str
    concepts: list[Concept]
    uris: list[str]
    titles: list[str]
    label_texts: list[str]
    label_owner: npt.NDArray[np.int64]
    label_starts: npt.NDArray[np.int64]
    label_weights: Matrix
    label_vectors: Matrix
    preferred: Matrix
    descriptions: Matrix
    has_description: npt.NDArray[np.bool_]
    activity_texts: list[str]
    activity_owner: npt.NDArray[np.int64]
    activity_starts: npt.NDArray[np.int64]
    activity_vectors: Matrix
    activity_centroids: Matrix
    has_activities: npt.NDArray[np.bool_]
    group_vectors: Matrix
    has_group: npt.NDArray[np.bool_]
    group_names: list[str | None]
    sibling_keys: list[str | None]
    target_keys: list[str | None]
    depth: Matrix
    normalised_labels: dict[str, dict[int, float]]

    def __len__(self) -> int:
        return len(self.uris)

    def rows_of_labels(self, row: int) -> npt.NDArray[np.int64]:
        """The label rows of occupation ``row`` (labels are grouped by owner)."""
        return np.arange(self.label_starts[row], self.label_starts[row + 1])

    def label_texts_of(self, row: int) -> list[str]:
        """The labels of occupation ``row``, preferred first."""
        return [self.label_texts[i] for i in self.rows_of_labels(row)]

    def rows_of_activities(self, row: int) -> npt.NDArray[np.int64]:
        """The activity rows of occupation ``row`` (activities are grouped by owner)."""
        return np.arange(self.activity_starts[row], self.activity_starts[row + 1])


def _unit(vectors: Matrix) -> Matrix:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _embed(embedder: Embedder, texts: list[str], dim: int | None = None) -> Matrix:
    if not texts:
        # asking the embedder for its dimension would load the model for nothing
        return np.zeros((0, dim if dim is not None else embedder.dimension), dtype=np.float32)
    unique = list(dict.fromkeys(texts))
    vectors = _unit(np.asarray(embedder.embed(unique), dtype=np.float32))
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[t] for t in texts]]


def _keys(concept: Concept) -> tuple[str | None, str | None]:
    """(siblings' group, matched-into group) read from an occupation's codes."""
    if concept.isco_group:
        key = f"isco:{concept.isco_group}"
        return key, key
    match = _SOC.match(concept.code or "")
    if match:
        major, minor, detail = match.groups()
        return f"soc:{major}-{minor}", f"soc:{major}-{minor}{detail}"
    return None, None


def _activities(store: GraphStore, concepts: list[Concept]) -> dict[str, list[str]]:
    """Essential-skill labels per occupation; else its descriptions after the first."""
    uris = {c.uri for c in concepts}
    skills: dict[str, list[str]] = defaultdict(list)
    for relation in store.iter_relations(
        types=[RelationType.HAS_ESSENTIAL_SKILL],
        source_kinds=[NodeKind.OCCUPATION],
        target_kinds=[NodeKind.SKILL],
    ):
        if relation.source in uris:
            skills[relation.source].append(relation.target)
    labels = {
        uri: c.preferred_label("en")
        for uri, c in store.get_concepts({s for v in skills.values() for s in v}).items()
    }
    found: dict[str, list[str]] = {}
    for concept in concepts:
        if skills.get(concept.uri):
            found[concept.uri] = sorted(
                {" ".join(labels[s].split()) for s in skills[concept.uri] if s in labels}
            )
        else:
            # Its further English texts (O*NET's task statements, tagged en-x-task), besides
            # the description itself.
            main = concept.description("en")
            found[concept.uri] = [
                " ".join(d.text.split())
                for d in concept.descriptions
                if (d.lang == "en" or d.lang.startswith("en-")) and d.text != main
            ]
    return found


def occupations_of(store: GraphStore, framework: str) -> list[Concept]:
    """The released occupations of ``framework``, in IRI order.

    Raises
    ------
    NotFoundError
        When the store holds no occupation of that framework (``details["framework"]``).
    """
    concepts = [
        c
        for c in store.iter_concepts(kind=NodeKind.OCCUPATION, framework=framework)
        if c.status != "obsolete"
    ]
    if not concepts:
        raise NotFoundError(
            f"the store holds no occupations of framework {framework!r}; ingest it first",
            details={"field": "framework", "framework": framework},
        )
    return concepts


def sibling_key(concept: Concept) -> str | None:
    """The structural group of an occupation's siblings (ISCO unit group, SOC minor group)."""
    return _keys(concept)[0]


def _depths(store: GraphStore, concepts: list[Concept]) -> dict[str, int]:
    """How many ``broader`` steps each occupation sits below a top occupation.

    ESCO's 7212.3.4 is one below 7212.3; frameworks without an occupation hierarchy are all at 0.
    """
    parent: dict[str, str] = {}
    for relation in store.iter_relations(
        types=[RelationType.BROADER],
        source_kinds=[NodeKind.OCCUPATION],
        target_kinds=[NodeKind.OCCUPATION],
    ):
        parent.setdefault(relation.source, relation.target)
    depths: dict[str, int] = {}
    for concept in concepts:
        node, steps = concept.uri, 0
        while node in parent and steps < 10:
            node, steps = parent[node], steps + 1
        depths[concept.uri] = steps
    return depths


@dataclass(frozen=True, slots=True)
class _Labels:
    """The English labels of occupations, grouped by owner row, each one's title first."""

    texts: list[str]
    owners: list[int]
    weights: list[float]
    normalised: dict[str, dict[int, float]]


@dataclass(frozen=True, slots=True)
class _ActivityRows:
    """The activities of occupations, grouped by owner row, embedded, with their centroids."""

    texts: list[str]
    owner: npt.NDArray[np.int64]
    vectors: Matrix
    centroids: Matrix
    present: npt.NDArray[np.bool_]


def _english_labels(concept: Concept) -> list[str]:
    """An occupation's English preferred and alternative labels, its title first."""
    english = [
        (f, t) for f, lang, t in concept_texts(concept) if lang == "en" and f in _LABEL_FIELDS
    ]
    preferred = [t for f, t in english if f is TextField.PREFERRED]
    # the same whitespace-normalised texts the ingest embedded, so the cache answers
    title = preferred[0] if preferred else " ".join(concept.preferred_label("en").split())
    return [title, *(t for _, t in english if t != title)]


def _labels_of(concepts: list[Concept]) -> _Labels:
    texts: list[str] = []
    owners: list[int] = []
    weights: list[float] = []
    normalised: dict[str, dict[int, float]] = defaultdict(dict)
    for row, concept in enumerate(concepts):
        for i, text in enumerate(_english_labels(concept)):
            weight = 1.0 if i == 0 else ALTERNATIVE_WEIGHT
            texts.append(text)
            owners.append(row)
            weights.append(weight)
            key = normalise(text)
            normalised[key][row] = max(weight, normalised[key].get(row, 0.0))
    return _Labels(texts, owners, weights, dict(normalised))


def _english_description(concept: Concept) -> str | None:
    description = concept.description("en")
    return " ".join(description.split()) if description else None


def _isco_groups_of(store: GraphStore, concepts: list[Concept]) -> list[Concept | None]:
    """Each occupation's ISCO unit group, where the store holds it."""
    isco = {c.code: c for c in store.iter_concepts(kind=NodeKind.ISCO_GROUP) if c.code is not None}
    return [isco.get(c.isco_group or "") for c in concepts]


def _group_text(group: Concept | None) -> str | None:
    text = (group.description("en") or group.preferred_label("en")) if group is not None else None
    return " ".join(text.split()) if text else None


def _embed_where_present(
    embedder: Embedder, texts: list[str | None], dim: int
) -> tuple[Matrix, npt.NDArray[np.bool_]]:
    """One row per text, zero where it is missing or blank, and the mask of rows that have one."""
    present = [t or "" for t in texts]
    has = np.asarray([bool(t) for t in present])
    vectors = np.zeros((len(texts), dim), dtype=np.float32)
    vectors[has] = _embed(embedder, [t for t in present if t], dim)
    return vectors, has


def _activity_rows(
    embedder: Embedder, concepts: list[Concept], activities: dict[str, list[str]], dim: int
) -> _ActivityRows:
    texts = [t for c in concepts for t in activities[c.uri]]
    owner = np.asarray(
        [row for row, c in enumerate(concepts) for _ in activities[c.uri]], dtype=np.int64
    )
    vectors = _embed(embedder, texts, dim)
    centroids = np.zeros((len(concepts), dim), dtype=np.float32)
    np.add.at(centroids, owner, vectors)
    present = np.bincount(owner, minlength=len(concepts)) > 0
    return _ActivityRows(texts, owner, vectors, _unit(centroids), present)


def load_profiles(
    store: GraphStore,
    framework: str,
    embedder: Embedder,
    *,
    concepts: list[Concept] | None = None,
) -> OccupationProfiles:
    """Read and embed the released occupations of ``framework`` (or only ``concepts``).

    Raises
    ------
    NotFoundError
        When the store holds no occupation of that framework (``details["framework"]``).
    """
    if concepts is None:
        concepts = occupations_of(store, framework)
    labels = _labels_of(concepts)
    descriptions = [_english_description(c) for c in concepts]
    activities = _activities(store, concepts)
    groups = _isco_groups_of(store, concepts)
    label_vectors = _embed(embedder, labels.texts)
    owner = np.asarray(labels.owners, dtype=np.int64)
    first = np.searchsorted(owner, np.arange(len(concepts)))
    dim = label_vectors.shape[1]
    description_vectors, has_description = _embed_where_present(embedder, descriptions, dim)
    activity = _activity_rows(embedder, concepts, activities, dim)
    group_vectors, has_group = _embed_where_present(embedder, [_group_text(g) for g in groups], dim)
    keys = [_keys(c) for c in concepts]
    depth = _depths(store, concepts)
    logger.info(
        "crosswalk profiles of %s: %d occupations, %d labels, %d activities",
        framework,
        len(concepts),
        len(labels.texts),
        len(activity.texts),
    )
    return OccupationProfiles(
        framework=framework,
        concepts=concepts,
        uris=[c.uri for c in concepts],
        titles=[c.preferred_label("en") for c in concepts],
        label_texts=labels.texts,
        label_owner=owner,
        label_starts=np.searchsorted(owner, np.arange(len(concepts) + 1)),
        label_weights=np.asarray(labels.weights, dtype=np.float32),
        label_vectors=label_vectors,
        preferred=label_vectors[first],
        descriptions=description_vectors,
        has_description=has_description,
        activity_texts=activity.texts,
        activity_owner=activity.owner,
        activity_starts=np.searchsorted(activity.owner, np.arange(len(concepts) + 1)),
        activity_vectors=activity.vectors,
        activity_centroids=activity.centroids,
        has_activities=activity.present,
        group_vectors=group_vectors,
        has_group=has_group,
        group_names=[
            f"ISCO {g.code} {g.preferred_label('en')}" if g is not None else None for g in groups
        ],
        sibling_keys=[k[0] for k in keys],
        target_keys=[k[1] for k in keys],
        depth=np.asarray([depth.get(c.uri, 0) for c in concepts], dtype=np.float32),
        normalised_labels=labels.normalised,
    )
