"""Schemas of issuers, credentials, curriculum mapping and skill decisions.

Credentials and issuers travel in the project's own document format (the JSON Schemas in
``ontologies/schemas/`` define requests; these models describe responses).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Public
from api.schemas.concepts import MatchPublic
from graph.model.credential_documents import credential_to_document, issuer_to_document
from graph.model.credentials import Credential, Issuer
from graph.services.catalogue.mapping import CurriculumMapping, SkillSuggestion

__all__ = [
    "CredentialPublic",
    "CredentialsPublic",
    "DecisionRequest",
    "IssuerPublic",
    "IssuersPublic",
    "MappingPublic",
    "MappingRequest",
    "SuggestionPublic",
]


class IssuerPublic(Public):
    """An issuer in the project's own format."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    name: str
    type: str
    jurisdiction: str | None = None

    @classmethod
    def from_domain(cls, issuer: Issuer) -> IssuerPublic:
        """Build from an issuer."""
        return cls(**issuer_to_document(issuer))


class IssuersPublic(Public):
    """A list of issuers."""

    data: list[IssuerPublic]
    count: int


class CredentialSkillPublic(Public):
    """A skill of a credential with its level and review state."""

    model_config = ConfigDict(frozen=True, extra="allow")

    uri: str
    level: int | None = None
    status: str


class CredentialPublic(Public):
    """A credential in the project's own format (see ontologies/schemas/credential.schema.json)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    type: str
    title: str
    issuer: str
    skills: list[CredentialSkillPublic] = []
    learning_outcomes: list[str] = []

    @classmethod
    def from_domain(cls, credential: Credential) -> CredentialPublic:
        """Build from a credential."""
        return cls(**credential_to_document(credential))


class CredentialsPublic(Public):
    """A list of credentials."""

    data: list[CredentialPublic]
    count: int


class MappingRequest(BaseModel):
    """Options of a curriculum mapping run."""

    model_config = ConfigDict(extra="forbid")

    top: int = Field(default=5, ge=1, le=20, description="Matches kept per outcome")
    suggest: int = Field(default=15, ge=1, le=50, description="Suggestions kept overall")
    store: bool = Field(
        default=True, description="Store new suggestions on the credential (decisions are kept)"
    )


class SuggestionPublic(Public):
    """A suggested skill: score, confidence band, reason, supporting outcomes."""

    uri: str
    label: str
    score: float = Field(ge=0.0, le=1.0)
    band: Literal["high", "medium", "low"]
    reason: str
    outcomes: list[int]
    match: MatchPublic

    @classmethod
    def from_domain(cls, suggestion: SkillSuggestion) -> SuggestionPublic:
        """Build from a suggestion."""
        return cls(
            uri=suggestion.uri,
            label=suggestion.label,
            score=suggestion.score,
            band=suggestion.band,  # type: ignore[arg-type]
            reason=suggestion.reason,
            outcomes=list(suggestion.outcomes),
            match=MatchPublic.from_domain(suggestion.evidence),
        )


class OutcomePublic(Public):
    """One learning outcome and its ranked skills."""

    index: int
    outcome: str
    matches: list[SuggestionPublic]


class MappingPublic(Public):
    """A curriculum mapping: per outcome, and aggregated for the credential."""

    credential: str | None
    method: str
    model: str | None
    language: str
    note: str | None
    outcomes: list[OutcomePublic]
    suggestions: list[SuggestionPublic]

    @classmethod
    def from_domain(cls, mapping: CurriculumMapping, *, credential: str | None) -> MappingPublic:
        """Build from a mapping."""
        return cls(
            credential=credential,
            method=mapping.method,
            model=mapping.model,
            language=mapping.language,
            note=mapping.note,
            outcomes=[
                OutcomePublic(
                    index=o.index,
                    outcome=o.outcome,
                    matches=[SuggestionPublic.from_domain(m) for m in o.matches],
                )
                for o in mapping.outcomes
            ],
            suggestions=[SuggestionPublic.from_domain(s) for s in mapping.suggestions],
        )


class DecisionRequest(BaseModel):
    """An issuer's decision on one skill of a credential (recorded as the signed-in user)."""

    model_config = ConfigDict(extra="forbid")

    skill: str = Field(description="The ESCO skill IRI", min_length=1, max_length=2000)
    decision: Literal["accept", "reject"]
    level: int | None = Field(default=None, ge=1, le=8)


def documents_of(body: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of a request body (one object or an array)."""
    return body if isinstance(body, list) else [body]
