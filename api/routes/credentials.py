"""Issuers and credentials: create, update, read, list, map to ESCO, decide, export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response, status

from api.deps import (
    EmbedderDep,
    IdPath,
    IdQuery,
    IfMatchDep,
    NameQuery,
    ReferenceDep,
    RuntimeDep,
    StoreDep,
    etag,
)
from api.errors import CheckedRoute, responses
from api.schemas.common import MAX_NAME
from api.schemas.credentials import (
    CredentialPublic,
    CredentialsPublic,
    DecisionRequest,
    IssuerPublic,
    IssuersPublic,
    MappingPublic,
    MappingRequest,
    documents_of,
)
from api.security import ActorDep
from graph.errors import InvalidInputError
from graph.model.credentials import Credential, Issuer
from graph.ontologies import credential_schemas
from graph.services.catalogue import exports
from graph.services.catalogue.credentials import (
    credential_version,
    delete_credential,
    get_credential,
    get_issuer,
    issuer_version,
    list_credentials,
    list_issuers,
    save_catalogue,
)
from graph.services.catalogue.mapping import decide_skill, preview_mapping, suggest_skills
from ingest.credentials.documents import SourceDocument
from ingest.credentials.own_format import load_credential_schemas, read_credwalk_documents

__all__ = ["items", "router"]

router = APIRouter(prefix="/v1", tags=["credentials"], route_class=CheckedRoute)
#: The routes that address one object by its IRI ({id:path}); see ``api.routes``.
items = APIRouter(prefix="/v1", tags=["credentials"], route_class=CheckedRoute)

_READ = responses(404, 422, 503)
_WRITE = responses(400, 401, 403, 404, 409, 413, 422, 503)
_PUT = responses(400, 401, 403, 404, 409, 412, 413, 422, 503)
Document = Annotated[
    dict[str, Any], Body(description="A record of the project's own format (JSON Schema)")
]


def _read(runtime: RuntimeDep, body: dict[str, Any]) -> tuple[list[Issuer], list[Credential]]:
    schemas = load_credential_schemas(credential_schemas(runtime.settings.ontologies_dir))
    read = read_credwalk_documents(
        [
            SourceDocument(value=doc, source="request body", index=i)
            for i, doc in enumerate(documents_of(body))
        ],
        schemas=schemas,
    )
    return [i.value for i in read.issuers], [c.value for c in read.credentials]


def _same_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise InvalidInputError(
            f"the body's id {body_id!r} is not the id in the path {path_id!r}",
            details={"field": "id"},
        )


@router.post(
    "/issuers",
    response_model=IssuerPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE,
)
def create_issuer(
    body: Document,
    store: StoreDep,
    runtime: RuntimeDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> IssuerPublic:
    """Create or replace an issuer (its staff, or an administrator)."""
    issuers, credentials = _read(runtime, body)
    if len(issuers) != 1 or credentials:
        raise InvalidInputError("expected one issuer record", details={"field": "type"})
    save_catalogue(store, actor=actor, issuers=issuers, reference=reference)
    return IssuerPublic.from_domain(get_issuer(store, issuers[0].id))


@router.get("/issuers", response_model=IssuersPublic, responses=_READ)
def read_issuers(
    store: StoreDep,
    type: Annotated[
        str | None,
        Query(min_length=1, max_length=MAX_NAME, description="institution, consortium, ..."),
    ] = None,
    jurisdiction: NameQuery = None,
) -> IssuersPublic:
    """List issuers, optionally of one type or jurisdiction."""
    where = {k: v for k, v in (("type", type), ("jurisdiction", jurisdiction)) if v is not None}
    found = list_issuers(store, where=where)
    return IssuersPublic(data=[IssuerPublic.from_domain(i) for i in found], count=len(found))


@items.get("/issuers/{issuer_id:path}", response_model=IssuerPublic, responses=_READ)
def read_issuer(issuer_id: IdPath, store: StoreDep, response: Response) -> IssuerPublic:
    """Return one issuer (its ETag is its version, for a conditional PUT)."""
    found = get_issuer(store, issuer_id)
    response.headers["ETag"] = etag(issuer_version(store, issuer_id))
    return IssuerPublic.from_domain(found)


@items.put("/issuers/{issuer_id:path}", response_model=IssuerPublic, responses=_PUT)
def update_issuer(
    issuer_id: IdPath,
    body: Document,
    store: StoreDep,
    runtime: RuntimeDep,
    reference: ReferenceDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    response: Response,
) -> IssuerPublic:
    """Replace an issuer (its staff); with If-Match, only if it is still at that version."""
    get_issuer(store, issuer_id)
    issuers, _ = _read(runtime, body)
    if len(issuers) != 1:
        raise InvalidInputError("expected one issuer record", details={"field": "type"})
    _same_id(issuer_id, issuers[0].id)
    save_catalogue(
        store,
        actor=actor,
        issuers=issuers,
        reference=reference,
        if_match={} if if_match is None else {issuer_id: if_match},
    )
    response.headers["ETag"] = etag(issuer_version(store, issuer_id))
    return IssuerPublic.from_domain(get_issuer(store, issuer_id))


@router.post(
    "/credentials",
    response_model=CredentialPublic,
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE,
)
def create_credential(
    body: Document,
    store: StoreDep,
    runtime: RuntimeDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> CredentialPublic:
    """Create or replace a credential of the actor's issuer (which may be embedded)."""
    issuers, credentials = _read(runtime, body)
    if len(credentials) != 1:
        raise InvalidInputError("expected one credential record", details={"field": "type"})
    save_catalogue(
        store, actor=actor, issuers=issuers, credentials=credentials, reference=reference
    )
    return CredentialPublic.from_domain(get_credential(store, credentials[0].id))


@router.get("/credentials", response_model=CredentialsPublic, responses=_READ)
def read_credentials(
    store: StoreDep,
    jurisdiction: NameQuery = None,
    issuer: IdQuery = None,
    issuer_type: NameQuery = None,
    industry: NameQuery = None,
    eqf_level: Annotated[int | None, Query(ge=1, le=8)] = None,
) -> CredentialsPublic:
    """List credentials, filtered by jurisdiction, issuer, issuer type, industry, EQF level."""
    filters = {
        "jurisdiction": jurisdiction,
        "issuer": issuer,
        "issuer_type": issuer_type,
        "industry": industry,
        "eqf_level": eqf_level,
    }
    found = list_credentials(store, where={k: v for k, v in filters.items() if v is not None})
    return CredentialsPublic(
        data=[CredentialPublic.from_domain(c) for c in found], count=len(found)
    )


@router.post(
    "/credentials/{credential_id:path}/mapping", response_model=MappingPublic, responses=_WRITE
)
def map_credential(
    credential_id: IdPath,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
    options: Annotated[MappingRequest | None, Body()] = None,
) -> MappingPublic:
    """Map the credential's outcomes to ESCO skills, with scores, bands and reasons.

    Anyone may preview; storing the suggestions on the credential is its issuer's staff's.
    """
    options = options or MappingRequest()
    if options.store:
        mapping, _ = suggest_skills(
            store,
            embedder,
            credential_id,
            actor=actor,
            reference=reference,
            top=options.top,
            suggest=options.suggest,
        )
    else:
        mapping = preview_mapping(
            store, embedder, credential_id, top=options.top, suggest=options.suggest
        )
    return MappingPublic.from_domain(mapping, credential=credential_id)


@router.post(
    "/credentials/{credential_id:path}/decisions",
    response_model=CredentialPublic,
    responses=_WRITE,
)
def decide(
    credential_id: IdPath,
    request: DecisionRequest,
    store: StoreDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> CredentialPublic:
    """Accept or reject a skill of the credential (recorded as the signed-in user, and when)."""
    updated = decide_skill(
        store,
        credential_id,
        request.skill,
        accept=request.decision == "accept",
        actor=actor,
        level=request.level,
        reference=reference,
    )
    return CredentialPublic.from_domain(updated)


@router.get("/credentials/{credential_id:path}/export", responses=_READ)
def export_credential(
    credential_id: IdPath,
    store: StoreDep,
    format: Annotated[Literal["credwalk", "ctdl", "ob3"], Query()] = "credwalk",
) -> dict[str, Any]:
    """Export the credential as the own format, CTDL JSON-LD or an Open Badges 3.0 Achievement."""
    if format == "credwalk":
        credential = get_credential(store, credential_id)
        return CredentialPublic.from_domain(credential).model_dump(exclude_none=True)
    return exports.export_credential(store, credential_id, format=exports.ExportFormat(format))


@items.get("/credentials/{credential_id:path}", response_model=CredentialPublic, responses=_READ)
def read_credential(credential_id: IdPath, store: StoreDep, response: Response) -> CredentialPublic:
    """Return one credential (its ETag is its version, for a conditional PUT)."""
    found = get_credential(store, credential_id)
    response.headers["ETag"] = etag(credential_version(store, credential_id))
    return CredentialPublic.from_domain(found)


@items.delete(
    "/credentials/{credential_id:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 412, 422, 503),
)
def remove_credential(
    credential_id: IdPath, store: StoreDep, actor: ActorDep, if_match: IfMatchDep
) -> None:
    """Delete a credential (its issuer's staff); proofs already issued for it stay verifiable."""
    delete_credential(store, credential_id, actor=actor, if_match=if_match)


@items.put("/credentials/{credential_id:path}", response_model=CredentialPublic, responses=_PUT)
def update_credential(
    credential_id: IdPath,
    body: Document,
    store: StoreDep,
    runtime: RuntimeDep,
    reference: ReferenceDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    response: Response,
) -> CredentialPublic:
    """Replace a credential (its issuer's staff); with If-Match, only if still at that version."""
    get_credential(store, credential_id)
    issuers, credentials = _read(runtime, body)
    if len(credentials) != 1:
        raise InvalidInputError("expected one credential record", details={"field": "type"})
    _same_id(credential_id, credentials[0].id)
    save_catalogue(
        store,
        actor=actor,
        issuers=issuers,
        credentials=credentials,
        reference=reference,
        if_match={} if if_match is None else {credential_id: if_match},
    )
    response.headers["ETag"] = etag(credential_version(store, credential_id))
    return CredentialPublic.from_domain(get_credential(store, credential_id))
