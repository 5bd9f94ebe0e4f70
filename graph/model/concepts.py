"""The domain model: frozen value objects that every layer exchanges.

Everything in the graph is a node with an IRI (``uri``) and a :class:`NodeKind`, or a typed
:class:`Relation` between two IRIs. Concepts of published frameworks (ESCO skills and occupations,
ISCO groups, O*NET occupations) keep their published IRIs; entities created by credwalk get
``{base_iri}/<kind>/<id>``.

Credentials, issuers and learners are richer documents; they live in
``graph.model.credentials`` and ``graph.model.learners`` and are stored as nodes of their own
kinds, linked to concepts by relations, so that algorithms see one graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "SCHEME_LABELS",
    "Concept",
    "ConceptScheme",
    "Label",
    "LabelKind",
    "LocalizedText",
    "NodeKind",
    "Provenance",
    "ProvenanceKind",
    "Relation",
    "RelationType",
    "SkillType",
]


class NodeKind(StrEnum):
    """What a node is. Backends map each kind to a fixed Neo4j label, never to input text."""

    SKILL = "skill"
    OCCUPATION = "occupation"
    ISCO_GROUP = "isco_group"
    SKILL_GROUP = "skill_group"
    CREDENTIAL = "credential"
    ISSUER = "issuer"
    LEARNER = "learner"
    RECOGNITION = "recognition"
    SUBMISSION = "submission"
    PROOF = "proof"
    ACCOUNT = "account"
    AUDIT = "audit"
    #: Onboarding tests: item versions and attempts (graph.services.onboarding).
    ONBOARDING = "onboarding"
    #: Certificates of Impact: claims, endorsements, issued certificates.
    IMPACT = "impact"
    #: A record whose version serialises writes that must see each other (see graph.store).
    GUARD = "guard"
    #: The Assembly's posts (graph.model.assembly).
    QUESTION = "question"
    ANSWER = "answer"
    #: Groups of learners and mentors' recommendations (graph.model.groups).
    GROUP = "group"
    RECOMMENDATION = "recommendation"

    @property
    def is_concept(self) -> bool:
        """Whether nodes of this kind are framework concepts (searchable, with labels)."""
        return self in _CONCEPT_KINDS


_CONCEPT_KINDS = frozenset(
    {NodeKind.SKILL, NodeKind.OCCUPATION, NodeKind.ISCO_GROUP, NodeKind.SKILL_GROUP}
)


class SkillType(StrEnum):
    """ESCO's skill types; language skills and transversal skills are collections on top."""

    SKILL_COMPETENCE = "skill/competence"
    KNOWLEDGE = "knowledge"


class LabelKind(StrEnum):
    """SKOS label roles: preferred (one per language), alternative, hidden (search only)."""

    PREFERRED = "preferred"
    ALTERNATIVE = "alternative"
    HIDDEN = "hidden"


class RelationType(StrEnum):
    """Typed edges. Direction is always source -> target as named here.

    ``BROADER`` points from the narrower concept to the broader one; "narrower" is the same
    edge read backwards. ``HAS_ESSENTIAL_SKILL``/``HAS_OPTIONAL_SKILL`` are ESCO's own
    predicates and join an occupation or a skill (source) to the skill it needs (target).
    The ``*_MATCH`` types are SKOS mapping relations between frameworks and always carry
    provenance.
    """

    BROADER = "broader"
    HAS_ESSENTIAL_SKILL = "has_essential_skill"
    HAS_OPTIONAL_SKILL = "has_optional_skill"
    EXACT_MATCH = "exact_match"
    CLOSE_MATCH = "close_match"
    BROAD_MATCH = "broad_match"
    NARROW_MATCH = "narrow_match"
    RELATED_MATCH = "related_match"
    # credential edges (graph.model.credentials)
    CERTIFIES_SKILL = "certifies_skill"
    ISSUED_BY = "issued_by"
    REQUIRES_CREDENTIAL = "requires_credential"
    REQUIRES_SKILL = "requires_skill"
    STACKS_INTO = "stacks_into"
    # recognition decision -> credential (graph.services.equivalence.recognition)
    RECOGNISES = "recognises"
    # the Assembly: question -> a node it is about, answer -> its question
    ABOUT = "about"
    ANSWERS = "answers"

    @property
    def is_mapping(self) -> bool:
        """Whether this is a SKOS mapping relation between frameworks."""
        return self in _MAPPING_TYPES


_MAPPING_TYPES = frozenset(
    {
        RelationType.EXACT_MATCH,
        RelationType.CLOSE_MATCH,
        RelationType.BROAD_MATCH,
        RelationType.NARROW_MATCH,
        RelationType.RELATED_MATCH,
    }
)


class ProvenanceKind(StrEnum):
    """A link is either declared by someone or computed by a method."""

    DECLARED = "declared"
    COMPUTED = "computed"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who or what asserted a relation, and when.

    ``agent`` is the declaring party (an IRI or name) for declared links and the method for
    computed ones; ``model`` and ``score`` are set for computed links.
    """

    kind: ProvenanceKind
    agent: str
    at: str
    source: str | None = None
    model: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Label:
    """One label of a concept in one language."""

    text: str
    lang: str
    kind: LabelKind = LabelKind.PREFERRED


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in one language (descriptions, scope notes)."""

    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class ConceptScheme:
    """A framework or one of its schemes: ESCO (with its version), O*NET, an NQF, an issuer's own.

    ``framework`` is the short id concepts point to (``"esco"``, ``"onet"``); ``uri`` the
    scheme's published IRI.
    """

    uri: str
    framework: str
    title: str
    version: str | None = None
    publisher: str | None = None
    jurisdiction: str | None = None


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept of a framework: a skill, an occupation, an ISCO group or a skill group.

    Labels and descriptions carry their language, so several language packs merge into one
    concept. ``code`` is the framework's own code (ISCO ``2512``, ESCO occupation ``2512.3``,
    O*NET-SOC ``15-1252.00``); ``isco_group`` is the ISCO code an occupation belongs to.
    ``status`` is ``released`` or ``obsolete``; an obsolete concept is kept (never deleted) so
    that no credential's link dangles, and names its replacements where the framework does.
    """

    uri: str
    kind: NodeKind
    framework: str
    labels: tuple[Label, ...]
    descriptions: tuple[LocalizedText, ...] = ()
    schemes: tuple[str, ...] = ()
    skill_type: SkillType | None = None
    reuse_level: str | None = None
    code: str | None = None
    isco_group: str | None = None
    collections: frozenset[str] = field(default_factory=frozenset)
    status: str = "released"
    replaced_by: tuple[str, ...] = ()
    modified: str | None = None
    framework_version: str | None = None

    def preferred_label(self, lang: str = "en") -> str:
        """Return the preferred label in ``lang``, else in English, else any preferred label."""
        preferred = [label for label in self.labels if label.kind is LabelKind.PREFERRED]
        for wanted in (lang, "en"):
            for label in preferred:
                if label.lang == wanted:
                    return label.text
        return preferred[0].text if preferred else self.uri

    def description(self, lang: str = "en") -> str | None:
        """Return the description in ``lang``, else in English, else None."""
        for wanted in (lang, "en"):
            for text in self.descriptions:
                if text.lang == wanted:
                    return text.text
        return None

    @property
    def languages(self) -> frozenset[str]:
        """The languages this concept has labels in."""
        return frozenset(label.lang for label in self.labels)

    @property
    def is_language_skill(self) -> bool:
        """ESCO language skills are those of the language collection."""
        return "language" in self.collections

    @property
    def is_transversal(self) -> bool:
        """ESCO transversal skills: reuse level ``transversal`` or the transversal collection."""
        return self.reuse_level == "transversal" or "transversal" in self.collections


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed, directed edge between two nodes.

    ``level`` is a proficiency level (credential skills, skill prerequisites); ``weight`` a
    strength in [0, 1] (computed mappings); ``status`` the review state of a suggested link.
    """

    source: str
    type: RelationType
    target: str
    level: int | None = None
    weight: float | None = None
    status: str | None = None
    provenance: Provenance | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """The identity of an edge: at most one edge of a type between two nodes."""
        return (self.source, self.type.value, self.target)


#: Human names of the ESCO collections credwalk records on skills (collection file stem -> name).
SCHEME_LABELS: dict[str, str] = {
    "digital": "Digital skills",
    "digcomp": "DigComp skills",
    "green": "Green skills",
    "language": "Language skills",
    "research": "Research skills",
    "transversal": "Transversal skills",
}
