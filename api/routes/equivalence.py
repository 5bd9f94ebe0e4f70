"""Mobility advisors: explained equivalence, equivalents, comparison, recognition, crosswalks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from api.deps import EmbedderDep, IdPath, IdQuery, ReferenceDep, RuntimeDep, StoreDep
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_IRI, MAX_NAME
from api.schemas.equivalence import (
    ComparisonPublic,
    CrosswalkPublic,
    EquivalencePublic,
    EquivalenceRequest,
    EquivalentsPublic,
    RecognitionCreate,
    RecognitionPublic,
    RecognitionsPublic,
)
from api.security import ActorDep
from graph.services.catalogue.credentials import get_credential
from graph.services.crosswalk.ranking import crosswalk
from graph.services.equivalence.comparison import compare_credentials
from graph.services.equivalence.equivalents import credential_equivalence, equivalents
from graph.services.equivalence.recognition import (
    get_decision,
    list_decisions,
    record_decision,
    transfer_value_profile,
)

__all__ = ["items", "router"]

router = APIRouter(prefix="/v1", tags=["equivalence"], route_class=CheckedRoute)
#: The routes that address one object by its IRI ({id:path}); see ``api.routes``.
items = APIRouter(prefix="/v1", tags=["equivalence"], route_class=CheckedRoute)

Jurisdiction = Annotated[
    str | None, Query(min_length=2, max_length=10, description="ISO 3166 code or EU")
]
IssuerType = Literal["institution", "consortium", "region", "industry_body"]


@router.post(
    "/equivalence",
    response_model=EquivalencePublic,
    responses=responses(400, 404, 413, 422, 503),
)
def equivalence(
    request: EquivalenceRequest,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
) -> EquivalencePublic:
    """Compare two credentials: score, verdict, coverage both ways, and the explanation."""
    result = credential_equivalence(
        store, request.a, request.b, reference=reference, embedder=embedder
    )
    return EquivalencePublic.from_domain(result)


@router.get(
    "/credentials/{credential_id:path}/equivalents",
    response_model=EquivalentsPublic,
    responses=responses(404, 422, 503),
)
def credential_equivalents(
    credential_id: IdPath,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    jurisdiction: Jurisdiction = None,
    industry: Annotated[
        str | None,
        Query(min_length=1, max_length=MAX_NAME, description="Industry code prefix, e.g. nace:J"),
    ] = None,
    issuer_type: IssuerType | None = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> EquivalentsPublic:
    """Rank the credentials of a jurisdiction, industry or issuer type by equivalence."""
    result = equivalents(
        store,
        credential_id,
        reference=reference,
        embedder=embedder,
        jurisdiction=jurisdiction,
        industry=industry,
        issuer_type=issuer_type,
        top=top,
    )
    return EquivalentsPublic.from_domain(result)


@router.get("/compare", response_model=ComparisonPublic, responses=responses(404, 422, 503))
def compare(
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    ids: Annotated[
        list[Annotated[str, StringConstraints(max_length=4 * MAX_IRI)]],
        Query(
            max_length=4,
            description="Two to four credential IRIs (repeat ids=, or separate by commas)",
        ),
    ],
) -> ComparisonPublic:
    """Two to four credentials side by side: skills, levels, credits, issuers, recognition."""
    wanted = [part for value in ids for part in value.split(",")]
    result = compare_credentials(store, wanted, reference=reference, embedder=embedder)
    return ComparisonPublic.from_domain(result)


@router.post(
    "/recognitions",
    response_model=RecognitionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def create_recognition(
    request: RecognitionCreate, store: StoreDep, runtime: RuntimeDep, actor: ActorDep
) -> RecognitionPublic:
    """Record a decision of the advisor's authority (contradictions are refused with why)."""
    decision = record_decision(
        store,
        request.to_domain(),
        actor=actor,
        reference=runtime.reference,
        base_iri=runtime.settings.base_iri,
    )
    return RecognitionPublic.from_domain(decision)


@router.get("/recognitions", response_model=RecognitionsPublic, responses=responses(422, 503))
def read_recognitions(
    store: StoreDep,
    credential: IdQuery = None,
    authority: IdQuery = None,
    to_jurisdiction: Jurisdiction = None,
) -> RecognitionsPublic:
    """List recognition decisions, filtered by credential, authority or jurisdiction."""
    found = list_decisions(
        store,
        credential=credential,
        authority=authority,
        to_jurisdiction=None if to_jurisdiction is None else to_jurisdiction.upper(),
    )
    return RecognitionsPublic(
        data=[RecognitionPublic.from_domain(d) for d in found], count=len(found)
    )


@router.get(
    "/recognitions/{decision_id:path}/ctdl",
    responses={
        **responses(404, 422, 503),
        200: {"content": {"application/ld+json": {}}, "description": "TransferValueProfile"},
    },
)
def export_recognition(decision_id: IdPath, store: StoreDep) -> JSONResponse:
    """Export a decision as a CTDL TransferValueProfile (JSON-LD)."""
    decision = get_decision(store, decision_id)
    profile: dict[str, Any] = transfer_value_profile(
        decision, get_credential(store, decision.credential)
    )
    return JSONResponse(profile, media_type="application/ld+json")


@items.get(
    "/recognitions/{decision_id:path}",
    response_model=RecognitionPublic,
    responses=responses(404, 422, 503),
)
def read_recognition(decision_id: IdPath, store: StoreDep) -> RecognitionPublic:
    """Return one recognition decision."""
    return RecognitionPublic.from_domain(get_decision(store, decision_id))


@router.get("/crosswalk", response_model=CrosswalkPublic, responses=responses(404, 422, 503))
def read_crosswalk(
    store: StoreDep,
    embedder: EmbedderDep,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=MAX_NAME)] = "onet",
    to: Annotated[str, Query(min_length=1, max_length=MAX_NAME)] = "esco",
    top: Annotated[int, Query(ge=1, le=50)] = 5,
    source: Annotated[
        list[Annotated[str, StringConstraints(max_length=MAX_IRI)]] | None,
        Query(
            max_length=1000,
            description="Only these source occupations (IRIs or codes); default: all",
        ),
    ] = None,
) -> CrosswalkPublic:
    """Rank the occupations of one framework for each occupation of another."""
    result = crosswalk(store, embedder, source=from_, target=to, top=top, sources=source)
    return CrosswalkPublic.from_domain(result)
