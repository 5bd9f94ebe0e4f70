"""Schemas of concept search, matching and concept detail."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import MAX_LANG
from api.schemas.common import Public as _Public
from graph.model.concepts import Concept
from graph.search import SearchMatch
from graph.services.concepts import MAX_QUERY_CHARS, ConceptDetail, MappedText

__all__ = [
    "ConceptPublic",
    "EvidencePublic",
    "LabelPublic",
    "MappedTextPublic",
    "MatchPublic",
    "MatchRequest",
    "MatchResultsPublic",
    "RelatedPublic",
    "SearchResultsPublic",
]

ConceptKindName = Literal["skill", "occupation"]


class EvidencePublic(_Public):
    """Why a concept matched: the text that counted most and the signals behind the score."""

    text: str = Field(description="The label or description that contributed most")
    field: str = Field(description="preferred, alternative, hidden or description")
    lang: str
    terms: list[str] = Field(description="Query terms found in the best-matching label")
    label_similarity: float = Field(description="Best cosine between the text and a label")
    description_similarity: float = Field(description="Cosine with the description")
    lexical: float = Field(description="Term overlap with the best label, in [0, 1]")


class MatchPublic(_Public):
    """A ranked concept."""

    uri: str
    label: str
    score: float = Field(ge=0.0, le=1.0)
    kind: str
    evidence: EvidencePublic

    @classmethod
    def from_domain(cls, match: SearchMatch) -> MatchPublic:
        """Build from a search match."""
        return cls(
            uri=match.uri,
            label=match.label,
            score=match.score,
            kind=match.kind.value,
            evidence=EvidencePublic(
                text=match.matched_text,
                field=match.matched_field.value,
                lang=match.matched_lang,
                terms=list(match.matched_terms),
                label_similarity=match.label_similarity,
                description_similarity=match.description_similarity,
                lexical=match.lexical,
            ),
        )


class SearchResultsPublic(_Public):
    """Search results, best first."""

    query: str
    kind: str
    results: list[MatchPublic]


class MatchRequest(BaseModel):
    """Texts to map to concepts."""

    model_config = ConfigDict(extra="forbid")

    texts: list[Annotated[str, StringConstraints(max_length=MAX_QUERY_CHARS)]] = Field(
        min_length=1, max_length=200, description="Sentences or phrases"
    )
    kind: ConceptKindName = "skill"
    top: int = Field(default=5, ge=1, le=100)
    lang: str | None = Field(
        default=None, max_length=MAX_LANG, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$"
    )


class MappedTextPublic(_Public):
    """One input text with its matches, best first."""

    text: str
    matches: list[MatchPublic]

    @classmethod
    def from_domain(cls, mapped: MappedText) -> MappedTextPublic:
        """Build from a mapped text."""
        return cls(text=mapped.text, matches=[MatchPublic.from_domain(m) for m in mapped.matches])


class MatchResultsPublic(_Public):
    """The ``map --json`` shape: one entry per input text."""

    results: list[MappedTextPublic]


class LabelPublic(_Public):
    """A label in one language."""

    text: str
    lang: str
    kind: str


class RelatedPublic(_Public):
    """A neighbour of a concept."""

    relation: str
    direction: str
    uri: str
    kind: str | None
    label: str


class ConceptPublic(_Public):
    """A concept with its labels, attributes and neighbours."""

    uri: str
    kind: str
    framework: str
    framework_version: str | None
    label: str
    labels: list[LabelPublic]
    descriptions: dict[str, str]
    skill_type: str | None
    reuse_level: str | None
    code: str | None
    isco_group: str | None
    collections: list[str]
    status: str
    replaced_by: list[str]
    related: list[RelatedPublic]

    @classmethod
    def from_domain(cls, detail: ConceptDetail, *, lang: str = "en") -> ConceptPublic:
        """Build from a concept detail."""
        c: Concept = detail.concept
        return cls(
            uri=c.uri,
            kind=c.kind.value,
            framework=c.framework,
            framework_version=c.framework_version,
            label=c.preferred_label(lang),
            labels=[LabelPublic(text=lb.text, lang=lb.lang, kind=lb.kind.value) for lb in c.labels],
            descriptions={d.lang: d.text for d in c.descriptions},
            skill_type=c.skill_type.value if c.skill_type else None,
            reuse_level=c.reuse_level,
            code=c.code,
            isco_group=c.isco_group,
            collections=sorted(c.collections),
            status=c.status,
            replaced_by=list(c.replaced_by),
            related=[
                RelatedPublic(
                    relation=r.relation.value,
                    direction=r.direction.value,
                    uri=r.uri,
                    kind=r.kind.value if r.kind else None,
                    label=r.label,
                )
                for r in detail.related
            ],
        )
