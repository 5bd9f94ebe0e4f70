"""Use cases of the learner: the gap to a target, and the pathways that close it.

:func:`gap_analysis` compares what a learner holds
(:func:`graph.services.pathways.learners.held_skills`) with what a target requires
(:mod:`graph.services.pathways.targets`): the ESCO hierarchy around the skills comes from the store,
and, when an embedder is given, the similarity of skills is the cosine of the embeddings of their
preferred labels.

:func:`find_pathways` builds the candidates from the store (credentials certifying a required
skill of the gap, with their prerequisite credentials, the providers of their prerequisite
skills and the parts they stack from, transitively; optional skills count for the candidates
that cover them, but a credential that covers only optional skills is not a candidate), converts
costs into one currency, and runs the optimiser of
:mod:`graph.algorithms.pathways`, with recognition in the learner's target jurisdiction (by
default) decided by :meth:`graph.reference.jurisdictions.Jurisdictions.contains` (EU contains its
members). Each pathway comes with off-ramps: after each step, the occupations whose essential
skills the learner then holds for the most part (``qualifies`` when all of them).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from graph.algorithms.gaps import GapAnalysis, Held, Requirement, skill_gaps
from graph.algorithms.pathways import (
    CandidateCredential,
    Constraints,
    Method,
    Objective,
    Pathway,
    SkillLevel,
    optimal_pathways,
)
from graph.algorithms.pathways.problem import check_options, exclusions, same_code
from graph.embeddings import Embedder
from graph.errors import InvalidInputError, NoPathwayError, NotFoundError
from graph.model.concepts import NodeKind, RelationType
from graph.model.learners import Learner
from graph.reference import ReferenceData
from graph.services.embedding_policy import similarity_embedder
from graph.services.pathways.learners import held_skills
from graph.services.pathways.reports import OffRamp, OffRampCache, explain, offramps
from graph.services.pathways.targets import (
    DEFAULT_OPTIONAL_WEIGHT,
    Target,
    TargetKind,
    TargetSpec,
    resolve_target,
)
from graph.store import Direction, GraphStore, Record

__all__ = [
    "EXCHANGE_RATES",
    "Found",
    "GapReport",
    "PathwayPlan",
    "PathwayReport",
    "PathwayRequest",
    "candidate_credentials",
    "find_pathways",
    "gap_analysis",
    "label_map",
    "skill_similarity",
]

logger = logging.getLogger(__name__)

#: Units of each currency per euro, to compare costs only (approximate ECB reference rates of
#: 2025; BGN is the fixed rate). Callers with current rates pass their own.
EXCHANGE_RATES: Mapping[str, float] = {
    "EUR": 1.0,
    "BGN": 1.95583,
    "CHF": 0.94,
    "CZK": 25.0,
    "DKK": 7.46,
    "GBP": 0.85,
    "HUF": 400.0,
    "NOK": 11.6,
    "PLN": 4.25,
    "RON": 5.0,
    "SEK": 11.2,
    "USD": 1.12,
}
_MAX_CANDIDATES = 20_000
#: Rounds of looking up what candidates need (prerequisite credentials and parts; providers of
#: prerequisite skills only in the first two).
_CLOSURE_DEPTH = 8


@dataclass(frozen=True, slots=True)
class GapReport:
    """A learner's gap to a target, with the labels of every skill it names."""

    learner: str
    target: TargetSpec
    as_of: dt.date
    analysis: GapAnalysis
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PathwayRequest:
    """Everything a pathway search takes besides the learner and the target."""

    constraints: Constraints = field(default_factory=Constraints)
    objective: Objective = field(default_factory=Objective)
    alternatives: int = 3
    method: Method = Method.AUTO
    optional_weight: float = DEFAULT_OPTIONAL_WEIGHT
    allow_partial: bool = False
    currency: str = "EUR"
    as_of: dt.date | None = None
    time_limit: float = 0.25
    offramp_threshold: float = 0.5


@dataclass(frozen=True, slots=True)
class PathwayPlan:
    """A pathway with its explanation per step and its off-ramps."""

    pathway: Pathway
    explanations: tuple[str, ...]
    summary: str
    offramps: tuple[OffRamp, ...]


@dataclass(frozen=True, slots=True)
class PathwayReport:
    """The pathways of a learner to a target (best first) and the gap they close."""

    gap: GapReport
    jurisdiction: str | None
    currency: str
    candidates: int
    plans: tuple[PathwayPlan, ...]
    titles: Mapping[str, str]
    notes: tuple[str, ...] = ()


def label_map(store: GraphStore, uris: Iterable[str]) -> dict[str, str]:
    """Preferred labels of the concepts among ``uris`` (others are left out)."""
    return {uri: c.preferred_label() for uri, c in store.get_concepts(uris).items()}


def skill_similarity(
    store: GraphStore, embedder: Embedder, rows: Iterable[str], columns: Iterable[str]
) -> dict[str, dict[str, float]]:
    """Cosine of the embeddings of the preferred labels, ``result[row][column]``."""
    row_ids, col_ids = sorted(set(rows)), sorted(set(columns))
    labels = label_map(store, [*row_ids, *col_ids])
    row_ids = [u for u in row_ids if u in labels]
    col_ids = [u for u in col_ids if u in labels]
    if not row_ids or not col_ids:
        return {}
    vectors = embedder.embed([labels[u] for u in row_ids + col_ids])
    matrix = vectors[: len(row_ids)] @ vectors[len(row_ids) :].T
    return {
        r: {c: float(matrix[i, j]) for j, c in enumerate(col_ids)} for i, r in enumerate(row_ids)
    }


def _hierarchy_uris(store: GraphStore, required: Iterable[str], held: Iterable[str]) -> set[str]:
    """The skills a gap analysis looks at: the required and held ones and their ancestors.

    Two broader hops up from both sides hold every narrower, broader and sibling link the
    analysis looks for (a held sibling and a requirement share a parent both reach).
    """
    uris = set(required) | set(held)
    frontier = set(uris)
    for _ in range(2):
        edges = store.relations_of(frontier, types=[RelationType.BROADER])
        up = {r.target for found in edges.values() for r in found}
        frontier = up - uris
        uris |= up
    return uris


def gap_analysis(
    store: GraphStore,
    *,
    learner: Learner,
    target: Target,
    embedder: Embedder | None = None,
    as_of: dt.date | None = None,
    optional_weight: float = DEFAULT_OPTIONAL_WEIGHT,
    similarity_threshold: float = 0.6,
) -> GapReport:
    """What the learner covers of the target (and by what evidence), what is partial, missing.

    Raises
    ------
    NotFoundError
        An unknown target (``details["field"]`` is ``target``).
    InvalidInputError
        A target level outside 1-8, a concept of the wrong kind.
    """
    spec = resolve_target(store, target, optional_weight=optional_weight)
    embedder = similarity_embedder(store, embedder)
    when = as_of or dt.date.today()
    held = held_skills(store, learner, as_of=when)
    required = [r.skill for r in spec.requirements]
    held_uris = {h.skill for h in held}
    G = store.subgraph(  # noqa: N806 (the algorithms' name for their graph)
        kinds=[NodeKind.SKILL, NodeKind.SKILL_GROUP],
        relation_types=[RelationType.BROADER],
        uris=_hierarchy_uris(store, required, held_uris),
    )
    similarity = (
        skill_similarity(store, embedder, required, held_uris)
        if embedder is not None and held_uris
        else None
    )
    analysis = skill_gaps(
        G,
        requirements=spec.requirements,
        held=held,
        similarity=similarity,
        similarity_threshold=similarity_threshold,
    )
    named = {*required, *held_uris}
    return GapReport(learner.id, spec, when, analysis, label_map(store, named))


@dataclass(frozen=True, slots=True)
class Found:
    """A credential as the optimiser sees it, with its title."""

    candidate: CandidateCredential
    title: str


def _amount(cost: Any, currency: str, rates: Mapping[str, float]) -> float | None:
    if not isinstance(cost, Mapping):
        return None
    source = str(cost.get("currency", "EUR")).upper()
    amount = float(cost["amount"])
    return amount if source == currency else amount / rates[source] * rates[currency]


def _candidate(uri: str, record: Record, currency: str, rates: Mapping[str, float]) -> Found | None:
    """Read what the optimiser needs straight from the stored document (it is hot code)."""
    body = record.body
    cost = body.get("cost")
    if isinstance(cost, Mapping) and str(cost.get("currency", "EUR")).upper() not in rates:
        logger.info("left out %s: no exchange rate for its currency", uri)
        return None
    prerequisites = body.get("prerequisites") or ()
    eqf = record.index.get("eqf_level")
    hours = body.get("hours")
    return Found(
        CandidateCredential(
            id=uri,
            skills=tuple(
                SkillLevel(s["uri"], s.get("level"))
                for s in body.get("skills") or ()
                if s.get("status", "confirmed") == "confirmed"
            ),
            cost=_amount(cost, currency, rates),
            hours=None if hours is None else float(hours),
            eqf_level=int(eqf) if isinstance(eqf, int | float) else None,
            jurisdiction=body.get("jurisdiction"),
            recognized_in=tuple(body.get("recognized_in") or ()),
            language=body.get("language"),
            prerequisite_credentials=tuple(
                p["credential"] for p in prerequisites if "credential" in p
            ),
            prerequisite_skills=tuple(
                SkillLevel(p["skill"], p.get("level")) for p in prerequisites if "skill" in p
            ),
            stacks_into=tuple(body.get("stacks_into") or ()),
        ),
        str(body.get("title", uri)),
    )


def candidate_credentials(
    store: GraphStore,
    skills: Iterable[str],
    *,
    also: Iterable[str] = (),
    constraints: Constraints | None = None,
    recognises: Callable[[str, str], bool] = same_code,
    currency: str = "EUR",
    exchange_rates: Mapping[str, float] = EXCHANGE_RATES,
) -> dict[str, Found]:
    """Credentials that certify ``skills`` (and ``also``), and what they need, as candidates.

    What a credential needs (its prerequisite credentials, the parts it stacks from, and the
    credentials certifying its prerequisite skills, for the first round only) is looked up only for
    credentials the constraints allow: the others cannot be steps. Suggested and rejected skills
    do not count; a cost in a currency without an exchange rate leaves the credential out.
    """
    currency = currency.upper()
    if currency not in exchange_rates:
        raise InvalidInputError(
            f"currency: no exchange rate for {currency!r}", details={"field": "currency"}
        )
    limits = constraints or Constraints()
    certifying_cache: dict[str, set[str]] = {}

    def certifying(wanted: Iterable[str]) -> set[str]:
        # One store call for all the skills not seen yet (one round trip on Neo4j).
        new = sorted(set(wanted) - set(certifying_cache))
        edges = store.relations_of(
            new, direction=Direction.IN, types=[RelationType.CERTIFIES_SKILL]
        )
        for skill in new:
            certifying_cache[skill] = {
                r.source for r in edges.get(skill, ()) if r.status in (None, "confirmed")
            }
        return set().union(*(certifying_cache[s] for s in set(wanted)))

    frontier = set(also) | certifying(skills)
    found: dict[str, Found] = {}
    seen: set[str] = set()
    for depth in range(_CLOSURE_DEPTH):
        if not frontier or len(found) >= _MAX_CANDIDATES:
            break
        seen |= frontier
        needed: set[str] = set()
        usable: list[str] = []
        prerequisite_skills: set[str] = set()
        for uri, record in sorted(store.get_records(frontier, kind=NodeKind.CREDENTIAL).items()):
            item = _candidate(uri, record, currency, exchange_rates)
            if item is None:
                continue
            found[uri] = item
            c = item.candidate
            if exclusions(c, limits, recognises):
                continue  # it cannot be a step, so what it needs does not matter
            usable.append(uri)
            needed |= set(c.prerequisite_credentials)
            if depth == 0:
                prerequisite_skills |= {need.skill for need in c.prerequisite_skills}
        parts = store.relations_of(usable, direction=Direction.IN, types=[RelationType.STACKS_INTO])
        needed |= {r.source for edges in parts.values() for r in edges}
        needed |= certifying(prerequisite_skills)
        frontier = needed - seen
    return found


def _held_scores(held: Sequence[Held]) -> dict[str, float | None]:
    best: dict[str, float | None] = {}
    for h in held:
        if h.skill not in best:
            best[h.skill] = h.score
            continue
        known = best[h.skill]
        best[h.skill] = None if known is None or h.score is None else max(known, h.score)
    return best


@dataclass(frozen=True, slots=True)
class _PathwaySearch:
    """The optimiser's problem for one learner and target, but for the credentials it forces."""

    found: dict[str, Found]
    needed: tuple[Requirement, ...]
    held: list[Held]
    learner: Learner
    constraints: Constraints
    request: PathwayRequest
    recognises: Callable[[str, str], bool]

    def pathways(self, forced: Sequence[str]) -> list[Pathway]:
        """The best pathways that include the ``forced`` credentials."""
        return optimal_pathways(
            [item.candidate for item in self.found.values()],
            requirements=[r for r in self.needed if r.required or r.weight > 0],
            constraints=self.constraints,
            objective=self.request.objective,
            held_skills=_held_scores(self.held),
            held_credentials=self.learner.credentials,
            required_credentials=forced,
            alternatives=self.request.alternatives,
            method=self.request.method,
            allow_partial=self.request.allow_partial,
            recognises=self.recognises,
            time_limit=self.request.time_limit,
        )


def _cached_recognition(reference: ReferenceData) -> Callable[[str, str], bool]:
    """Whether a region recognises a place; an unknown code recognises and is recognised nowhere."""
    recognised: dict[tuple[str, str], bool] = {}

    def recognises(region: str, place: str) -> bool:
        # Thousands of candidates share a handful of regions: decide each pair once.
        if (region, place) not in recognised:
            try:
                recognised[region, place] = reference.jurisdictions.contains(region, place)
            except NotFoundError:
                recognised[region, place] = False
        return recognised[region, place]

    return recognises


def _pathway_search(
    store: GraphStore,
    *,
    gap: GapReport,
    learner: Learner,
    target: Target,
    reference: ReferenceData,
    request: PathwayRequest,
    exchange_rates: Mapping[str, float],
) -> _PathwaySearch:
    """The candidates that close ``gap`` within the request's constraints, ready to search."""
    wanted = request.constraints.jurisdiction or learner.target_jurisdiction or learner.jurisdiction
    jurisdiction = reference.jurisdiction(wanted, field="jurisdiction") if wanted else None
    constraints = replace(request.constraints, jurisdiction=jurisdiction)
    check_options(constraints, request.objective, request.alternatives)
    recognises = _cached_recognition(reference)
    needed = gap.analysis.gap
    found = candidate_credentials(
        store,
        # An optional skill is a bonus on the way, not a reason to take a credential: only
        # credentials that certify a required skill (and what they need) are candidates.
        [r.skill for r in needed if r.required],
        also=target.ids if target.kind is TargetKind.CREDENTIAL else (),
        constraints=constraints,
        recognises=recognises,
        currency=request.currency,
        exchange_rates=exchange_rates,
    )
    held = held_skills(store, learner, as_of=gap.as_of)
    return _PathwaySearch(found, needed, held, learner, constraints, request, recognises)


def _pathways_to(
    search: _PathwaySearch, *, target: Target, label: str
) -> tuple[list[Pathway], list[str]]:
    """The best pathways, through the target credential itself where it is available; notes."""
    notes: list[str] = []
    wanted_credential = target.ids[0] if target.kind is TargetKind.CREDENTIAL else None
    if wanted_credential is None or wanted_credential in search.learner.credentials:
        pathways = search.pathways(())
    else:
        try:  # earn the credential itself (after its prerequisites and parts) ...
            pathways = search.pathways((wanted_credential,))
        except NoPathwayError as e:
            if "unavailable_credentials" not in e.details:
                raise
            # ... or, where it is not available, the competence it certifies
            why = ", ".join(e.details.get("binding") or ["not in the catalogue"])
            notes.append(
                f"{label} itself is not available here ({why}); these pathways "
                "cover its skills with other credentials"
            )
            pathways = search.pathways(())
    return pathways, notes


def _plans(
    store: GraphStore,
    search: _PathwaySearch,
    pathways: Sequence[Pathway],
    *,
    labels: Mapping[str, str],
    titles: Mapping[str, str],
) -> list[PathwayPlan]:
    """Each pathway explained step by step, with its off-ramps."""
    cache = OffRampCache()
    plans = []
    for pathway in pathways:
        ramps = offramps(
            store,
            pathway,
            candidates={uri: item.candidate for uri, item in search.found.items()},
            held_skills=[h.skill for h in search.held],
            held_credentials=search.learner.credentials,
            threshold=search.request.offramp_threshold,
            cache=cache,
        )
        lines, summary = explain(
            pathway,
            labels=labels,
            titles=titles,
            currency=search.request.currency,
            awards=ramps,
        )
        plans.append(PathwayPlan(pathway, lines, summary, ramps))
    return plans


def find_pathways(
    store: GraphStore,
    *,
    learner: Learner,
    target: Target,
    reference: ReferenceData,
    request: PathwayRequest | None = None,
    embedder: Embedder | None = None,
    exchange_rates: Mapping[str, float] = EXCHANGE_RATES,
) -> PathwayReport:
    """The best pathways of ``learner`` to ``target`` under the request's constraints.

    The jurisdiction defaults to the learner's target jurisdiction, else its home one.

    Raises
    ------
    NotFoundError
        An unknown target.
    InvalidInputError
        A level outside 1-8, contradictory constraints, an unknown jurisdiction or currency;
        ``details["field"]`` names it.
    NoPathwayError
        No pathway within the constraints; ``details["uncovered_skills"]`` lists the skills
        no available credential covers, ``details["binding"]`` the constraints that bind.
    """
    request = request or PathwayRequest()
    if not 0.0 <= request.offramp_threshold <= 1.0:
        raise InvalidInputError(
            "offramp_threshold must be in [0, 1]", details={"field": "offramp_threshold"}
        )
    gap = gap_analysis(
        store,
        learner=learner,
        target=target,
        embedder=embedder,
        as_of=request.as_of,
        optional_weight=request.optional_weight,
    )
    search = _pathway_search(
        store,
        gap=gap,
        learner=learner,
        target=target,
        reference=reference,
        request=request,
        exchange_rates=exchange_rates,
    )
    pathways, notes = _pathways_to(search, target=target, label=gap.target.label)
    titles = {uri: item.title for uri, item in search.found.items()}
    plans = _plans(store, search, pathways, labels=gap.labels, titles=titles)
    logger.info(
        "%d pathway(s) for %s to %s over %d candidates",
        len(plans),
        learner.id,
        target,
        len(search.found),
    )
    return PathwayReport(
        gap=gap,
        jurisdiction=search.constraints.jurisdiction,
        currency=request.currency.upper(),
        candidates=len(search.found),
        plans=tuple(plans),
        titles=titles,
        notes=tuple(notes),
    )
