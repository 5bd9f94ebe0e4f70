"""FastAPI dependencies: settings, the runtime, an open store; the parameters routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from api.runtime import Runtime
from api.schemas.common import MAX_IRI, MAX_NAME
from graph.embeddings import Embedder
from graph.errors import InvalidInputError
from graph.proofs.issuer import ProofIssuer
from graph.reference import ReferenceData
from graph.settings import Settings
from graph.store import GraphStore

__all__ = [
    "EmbedderDep",
    "IdPath",
    "IdQuery",
    "IfMatchDep",
    "IssuerDep",
    "NameQuery",
    "ReferenceDep",
    "RuntimeDep",
    "SettingsDep",
    "StoreDep",
    "etag",
    "get_app_settings",
    "get_if_match",
    "get_reference",
    "get_runtime",
    "get_store",
]


def get_runtime(request: Request) -> Runtime:
    """Return the runtime the app was created with."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_app_settings(runtime: RuntimeDep) -> Settings:
    """Return the settings the app was created with (not the process environment's)."""
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_store(runtime: RuntimeDep) -> GraphStore:
    """Return the open store, reopening it if the backend came back after an outage.

    Raises
    ------
    BackendUnavailableError
        When the store is not open and cannot be opened now.
    """
    return runtime.open_store()


StoreDep = Annotated[GraphStore, Depends(get_store)]


def get_embedder(runtime: RuntimeDep) -> Embedder:
    """Return the (cached) embedder."""
    return runtime.embedder


EmbedderDep = Annotated[Embedder, Depends(get_embedder)]


def get_proof_issuer(runtime: RuntimeDep) -> ProofIssuer:
    """The issuing identity of the app's runtime (its keys, DID, status lists)."""
    return runtime.proof_issuer


IssuerDep = Annotated[ProofIssuer, Depends(get_proof_issuer)]


def get_reference(runtime: RuntimeDep) -> ReferenceData:
    """Return the jurisdictions and qualification frameworks."""
    return runtime.reference


ReferenceDep = Annotated[ReferenceData, Depends(get_reference)]


def _version(if_match: str) -> int | None:
    text = if_match.strip().removeprefix("W/")
    if text == "*":
        return None
    if len(text) >= 3 and text[0] == text[-1] == '"' and text[1:-1].isdigit():
        return int(text[1:-1])
    raise InvalidInputError(
        'If-Match: expected the ETag of a version, such as "3"', details={"field": "If-Match"}
    )


def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=100,
            description='The ETag read (such as "3"): the write is refused (412) if it changed.',
        ),
    ] = None,
) -> int | None:
    """The version an ``If-Match`` names (None: no condition, or ``*``).

    Raises
    ------
    InvalidInputError
        For a value that is no ETag of credwalk's.
    """
    return None if if_match is None else _version(if_match)


IfMatchDep = Annotated[int | None, Depends(get_if_match)]

#: An object named in the path by its IRI or id.
IdPath = Annotated[str, Path(max_length=MAX_IRI)]
#: An optional filter naming an object by its IRI or id.
IdQuery = Annotated[str | None, Query(min_length=1, max_length=MAX_IRI)]
#: An optional filter by a name or a code (a type, an industry, a jurisdiction).
NameQuery = Annotated[str | None, Query(min_length=1, max_length=MAX_NAME)]


def etag(version: int) -> str:
    """The ``ETag`` of a stored version."""
    return f'"{version}"'
