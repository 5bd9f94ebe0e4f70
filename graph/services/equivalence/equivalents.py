"""Explained equivalence of credentials, and the equivalents of one credential elsewhere.

Two credentials are compared on their confirmed skills (:mod:`graph.algorithms.equivalence`:
exact, narrower/broader through one ``broader`` step, semantically close by the embeddings of
the skills' labels), then on their qualification levels through the EQF (the score is lowered
by :func:`~graph.algorithms.equivalence.level_factor`), their credit volumes (reported, not
scored) and the recognition decisions authorities have recorded about them (shown beside the
computed result, never changing it).

:func:`equivalents` ranks the credentials of another jurisdiction, industry or issuer type for
one credential. Candidates are the credentials that certify one of its skills or a skill one
``broader`` step away (read from the graph's edges, so the cost follows the neighbourhood, not
the catalogue); they are ranked on exact and hierarchical overlap and the best are then explained
in full, with semantic matches, exactly as :func:`credential_equivalence` would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graph.algorithms.equivalence import (
    CoverageIndex,
    Thresholds,
    ancestor_index,
    coverage_index,
    equivalence_score,
    level_factor,
)
from graph.embeddings import Embedder
from graph.errors import NotFoundError
from graph.model.concepts import NodeKind, RelationType
from graph.model.credential_documents import credential_from_document
from graph.model.credentials import Credential
from graph.reference import ReferenceData
from graph.services.catalogue.credentials import get_credential
from graph.services.equivalence.explain import (
    CLOSE_THRESHOLD,
    CredentialSummary,
    CreditComparison,
    Equivalence,
    LevelDifference,
    MatchedSkills,
    Side,
    SkillRef,
    explain,
    make_side,
)
from graph.services.equivalence.recognition import RecognitionDecision, decisions_for
from graph.store import Direction, GraphStore, Record

__all__ = [
    "CLOSE_THRESHOLD",
    "CredentialSummary",
    "CreditComparison",
    "Equivalence",
    "EquivalentsResult",
    "LevelDifference",
    "MatchedSkills",
    "SkillRef",
    "close_pairs",
    "credential_equivalence",
    "equivalents",
    "prepare_credentials",
    "skill_hierarchy",
    "skill_labels",
]

logger = logging.getLogger(__name__)

_BROADER = RelationType.BROADER.value
#: How many more candidates than asked for are explained in full before the final ranking.
_RERANK_MARGIN = 5


@dataclass(frozen=True, slots=True)
class EquivalentsResult:
    """The equivalents of one credential, best first, with what was searched."""

    credential: CredentialSummary
    jurisdiction: str | None
    industry: str | None
    issuer_type: str | None
    candidates: int
    results: tuple[Equivalence, ...]


def skill_hierarchy(store: GraphStore, skills: Iterable[str]) -> nx.MultiDiGraph:
    """The ``broader`` edges among ``skills`` (what one-step matching between them needs)."""
    return store.subgraph(
        kinds=[NodeKind.SKILL], relation_types=[RelationType.BROADER], uris=set(skills)
    )


def close_pairs(
    embedder: Embedder | None,
    labels: Mapping[str, str],
    first: Iterable[str],
    second: Iterable[str],
    *,
    threshold: float = CLOSE_THRESHOLD,
) -> dict[tuple[str, str], float]:
    """Return the skill pairs whose label embeddings reach ``threshold`` (cosine, rounded).

    Identical skills are left out (they match exactly); without an embedder there are none.
    """
    left = [u for u in dict.fromkeys(first) if u in labels]
    right = [u for u in dict.fromkeys(second) if u in labels]
    if embedder is None or not left or not right:
        return {}
    texts = list(dict.fromkeys(labels[u] for u in left + right))
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    row = {text: i for i, text in enumerate(texts)}
    a = vectors[[row[labels[u]] for u in left]]
    b = vectors[[row[labels[u]] for u in right]]
    scores = a @ b.T
    found: dict[tuple[str, str], float] = {}
    for i, j in zip(*np.nonzero(scores >= threshold), strict=True):
        if left[i] != right[j]:
            found[(left[i], right[j])] = round(float(min(scores[i, j], 1.0)), 4)
    return found


def skill_labels(store: GraphStore, uris: Iterable[str]) -> dict[str, str]:
    """The English preferred labels of the concepts ``uris`` that exist."""
    return {uri: c.preferred_label("en") for uri, c in store.get_concepts(uris).items()}


def prepare_credentials(
    store: GraphStore, credentials: Iterable[Credential], reference: ReferenceData
) -> list[Side]:
    """Prepare credentials for comparison, with their issuers' names and types."""
    listed = list(credentials)
    issuers = {
        uri: record.body
        for uri, record in store.get_records(
            {c.issuer for c in listed}, kind=NodeKind.ISSUER
        ).items()
    }
    return [make_side(c, issuers.get(c.issuer), reference) for c in listed]


def credential_equivalence(
    store: GraphStore,
    a: str,
    b: str,
    *,
    reference: ReferenceData,
    embedder: Embedder | None = None,
    thresholds: Thresholds | None = None,
) -> Equivalence:
    """Compare credential ``a`` with credential ``b`` and explain the result.

    Raises
    ------
    NotFoundError
        Either credential does not exist.
    """
    side_a, side_b = prepare_credentials(
        store, [get_credential(store, a), get_credential(store, b)], reference
    )
    skills = set(side_a.skills) | set(side_b.skills)
    labels = skill_labels(store, skills)
    hierarchy = skill_hierarchy(store, skills)
    close = close_pairs(embedder, labels, side_a.skills, side_b.skills)
    return explain(
        side_a,
        side_b,
        hierarchy=hierarchy,
        close=close,
        labels=labels,
        decisions=decisions_for(store, [a, b]),
        reference=reference,
        thresholds=thresholds or Thresholds(),
    )


def _normalised_jurisdiction(reference: ReferenceData, code: str) -> str:
    try:
        return reference.jurisdictions.normalise(code)
    except NotFoundError as e:
        raise NotFoundError(
            f"unknown jurisdiction {code!r} (expected an ISO 3166 code or EU)",
            details={"field": "jurisdiction", "value": code},
        ) from e


def _neighbourhood(store: GraphStore, skills: Iterable[str]) -> tuple[set[str], nx.MultiDiGraph]:
    """Credentials certifying ``skills`` or a skill one step away, and the steps themselves."""
    hierarchy = nx.MultiDiGraph()
    candidates: set[str] = set()
    own = set(skills)
    neighbours: set[str] = set()
    types = [RelationType.CERTIFIES_SKILL, RelationType.BROADER]
    # Two reads whatever the number of skills: on a networked store a read per skill was a
    # round trip each, 20-60 of them for one credential.
    edges_of = store.relations_of(own, direction=Direction.BOTH, types=types)
    for skill in sorted(own):
        hierarchy.add_node(skill)
        for edge in edges_of.get(skill, ()):
            if edge.type is RelationType.CERTIFIES_SKILL:
                candidates.add(edge.source)
            else:
                hierarchy.add_edge(edge.source, edge.target, key=_BROADER)
                neighbours.add(edge.target if edge.source == skill else edge.source)
    around = store.relations_of(
        neighbours - own, direction=Direction.IN, types=[RelationType.CERTIFIES_SKILL]
    )
    candidates.update(edge.source for edges in around.values() for edge in edges)
    return candidates, hierarchy


def _matches_filters(
    index: Mapping[str, object], *, industry: str | None, issuer_type: str | None
) -> bool:
    if issuer_type is not None and index.get("issuer_type") != issuer_type:
        return False
    if industry is not None:
        value = index.get("industry")
        # NACE and NAICS codes are hierarchical by prefix: "nace:J" holds "nace:J62".
        if not isinstance(value, str) or not value.casefold().startswith(industry.casefold()):
            return False
    return True


def _filtered_records(
    records: Mapping[str, Record],
    *,
    reference: ReferenceData,
    code: str | None,
    industry: str | None,
    issuer_type: str | None,
) -> list[tuple[str, Record]]:
    """The records awarded within jurisdiction ``code`` that pass the other filters, by IRI."""
    within: dict[object, bool] = {}

    def inside(value: object) -> bool:
        if value not in within:
            within[value] = code is None or (
                isinstance(value, str)
                and value in reference.jurisdictions
                and reference.jurisdictions.contains(code, value)
            )
        return within[value]

    return [
        (uri, record)
        for uri, record in sorted(records.items())
        if inside(record.index.get("jurisdiction"))
        and _matches_filters(record.index, industry=industry, issuer_type=issuer_type)
    ]


def _confirmed_skills(record: Record) -> dict[str, int | None]:
    """A stored credential's confirmed skills, read from its document without building it."""
    skills = record.body.get("skills", ())
    return {s["uri"]: s.get("level") for s in skills if s.get("status", "confirmed") == "confirmed"}


def _quick_score(x: Side, record: Record, index: CoverageIndex) -> float:
    """Exact and hierarchical overlap with the level factor: the ranking before explaining."""
    skills = _confirmed_skills(record)
    forward, backward = index.share_of(skills), index.share_by(skills)
    eqf = record.index.get("eqf_level")
    difference = x.eqf - eqf if x.eqf is not None and isinstance(eqf, int) else None
    return equivalence_score(forward, backward) * level_factor(difference)


def equivalents(
    store: GraphStore,
    credential: str,
    *,
    reference: ReferenceData,
    embedder: Embedder | None = None,
    jurisdiction: str | None = None,
    industry: str | None = None,
    issuer_type: str | None = None,
    top: int = 10,
    thresholds: Thresholds | None = None,
) -> EquivalentsResult:
    """Rank the credentials of a jurisdiction, industry or issuer type by equivalence to one.

    Parameters
    ----------
    store : GraphStore
        An open store.
    credential : str
        The credential to find equivalents of.
    reference : ReferenceData
        Jurisdictions and qualification frameworks.
    embedder : Embedder, optional
        Embeds skill labels for semantically close matches (None: exact and hierarchical only).
    jurisdiction : str, optional
        Only credentials awarded in this jurisdiction or within it (``GB`` holds ``GB-SCT``).
    industry : str, optional
        Only credentials whose industry code starts with this one (``nace:J`` holds
        ``nace:J62``).
    issuer_type : str, optional
        Only credentials of this issuer type.
    top : int
        How many to return.
    thresholds : Thresholds, optional
        The verdict thresholds.

    Raises
    ------
    NotFoundError
        The credential or the jurisdiction does not exist.
    """
    x_credential = get_credential(store, credential)
    code = _normalised_jurisdiction(reference, jurisdiction) if jurisdiction else None
    (x,) = prepare_credentials(store, [x_credential], reference)
    candidates, hierarchy = _neighbourhood(store, x.skills)
    candidates.discard(credential)
    records = store.get_records(candidates, kind=NodeKind.CREDENTIAL)
    kept = _filtered_records(
        records, reference=reference, code=code, industry=industry, issuer_type=issuer_type
    )
    ancestors = ancestor_index(hierarchy)
    index = coverage_index(x.skills, ancestors=ancestors)
    ranked = sorted(
        ((_quick_score(x, record, index), uri) for uri, record in kept),
        key=lambda item: (-item[0], item[1]),
    )
    chosen = [uri for score, uri in ranked[: top + _RERANK_MARGIN] if score > 0]
    shortlist = prepare_credentials(
        store, [credential_from_document(records[uri].body) for uri in chosen], reference
    )
    skills = set(x.skills).union(*(o.skills for o in shortlist))
    labels = skill_labels(store, skills)
    close = close_pairs(embedder, labels, x.skills, set().union(*(o.skills for o in shortlist)))
    decisions = decisions_for(store, [credential, *(o.credential.id for o in shortlist)])
    explained = [
        explain(
            x,
            other,
            hierarchy=hierarchy,
            close={k: v for k, v in close.items() if k[1] in other.skills},
            labels=labels,
            decisions=_about(decisions, credential, other.credential.id),
            reference=reference,
            thresholds=thresholds or Thresholds(),
            ancestors=ancestors,
        )
        for other in shortlist
    ]
    explained.sort(key=lambda e: (-e.score, e.b.id))
    logger.debug("equivalents of %s: %d candidates", credential, len(candidates))
    return EquivalentsResult(
        credential=x.summary,
        jurisdiction=code,
        industry=industry,
        issuer_type=issuer_type,
        candidates=len(kept),
        results=tuple(explained[:top]),
    )


def _about(decisions: Iterable[RecognitionDecision], a: str, b: str) -> list[RecognitionDecision]:
    pair = {a, b}
    return [d for d in decisions if d.credential in pair or d.target in pair]
