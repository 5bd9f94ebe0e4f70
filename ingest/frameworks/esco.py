"""Reader for the official ESCO CSV pack (v1.1.0, v1.1.1, v1.2.x).

The pack is a folder (language subfolders such as ``en/``, ``fr/``, ``relations/`` included), a
``.zip`` or single ``.csv``/``.csv.gz`` files. Files are recognised by name
(``skills_en.csv``, ``broaderRelationsSkillPillar.csv``, ...); label columns of several languages
merge into one concept. Columns are looked up by name, so the differences between versions
(extra label columns in v1.2 relation files, missing trailing cells in the skills hierarchy,
``ictSkillsCollection`` in v1.1.0) do not matter.

Reading is pure: it returns an :class:`EscoPack` and writes nothing. The ingest service checks
relation endpoints against the pack and the store, then writes the whole pack in one batch.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.model.concepts import (
    Concept,
    ConceptScheme,
    Label,
    LabelKind,
    LocalizedText,
    NodeKind,
    Relation,
    RelationType,
    SkillType,
)
from graph.model.imports import ConceptImport, RelationScope
from ingest.errors import IngestError
from ingest.frameworks.tabular import Row, SourceFile, Table, discover, read_rows

__all__ = ["ESCO_FRAMEWORK", "EscoPack", "RelationFamily", "esco_import", "read_esco"]

logger = logging.getLogger(__name__)

ESCO_FRAMEWORK = "esco"
_ESCO_URI = "http://data.europa.eu/esco"
_SKILL_TYPES = {t.value: t for t in SkillType}
_IRI_SCHEMES = ("http://", "https://")

_NAME = re.compile(r"^(?P<stem>[A-Za-z]+?)(?:_(?P<lang>[a-z]{2,3}(?:-[A-Za-z]+)?))?\.csv(?:\.gz)?$")
_VERSION = re.compile(r"(?:^|[^0-9.])v(\d+\.\d+(?:\.\d+)?)(?:[^0-9.]|$)")

_MAIN_KINDS = {
    "skills": NodeKind.SKILL,
    "occupations": NodeKind.OCCUPATION,
    "ISCOGroups": NodeKind.ISCO_GROUP,
    "skillGroups": NodeKind.SKILL_GROUP,
}
_COLLECTIONS = {
    "digitalSkillsCollection": "digital",
    "digCompSkillsCollection": "digcomp",
    "greenSkillsCollection": "green",
    "languageSkillsCollection": "language",
    "researchSkillsCollection": "research",
    "transversalSkillsCollection": "transversal",
    "ictSkillsCollection": "ict",
    "researchOccupationsCollection": "research",
}


class RelationFamily:
    """The relation files of the pack; a file read means its family is complete."""

    BROADER_SKILLS = "broaderRelationsSkillPillar"
    BROADER_OCCUPATIONS = "broaderRelationsOccPillar"
    OCCUPATION_SKILLS = "occupationSkillRelations"
    SKILL_SKILLS = "skillSkillRelations"
    HIERARCHY = "skillsHierarchy"


_SKILL_PILLAR = frozenset({NodeKind.SKILL, NodeKind.SKILL_GROUP})
_OCCUPATION_PILLAR = frozenset({NodeKind.OCCUPATION, NodeKind.ISCO_GROUP})
_ENDPOINT_KINDS: dict[str, tuple[frozenset[NodeKind], frozenset[NodeKind]]] = {
    RelationFamily.BROADER_SKILLS: (_SKILL_PILLAR, _SKILL_PILLAR),
    RelationFamily.HIERARCHY: (_SKILL_PILLAR, _SKILL_PILLAR),
    RelationFamily.BROADER_OCCUPATIONS: (_OCCUPATION_PILLAR, _OCCUPATION_PILLAR),
    RelationFamily.OCCUPATION_SKILLS: (
        frozenset({NodeKind.OCCUPATION}),
        frozenset({NodeKind.SKILL}),
    ),
    RelationFamily.SKILL_SKILLS: (frozenset({NodeKind.SKILL}), frozenset({NodeKind.SKILL})),
}


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where a relation was read, to report a bad endpoint precisely."""

    family: str
    source: str
    line: int
    source_column: str
    target_column: str


@dataclass
class _ConceptDraft:
    uri: str
    kind: NodeKind
    labels: list[Label] = field(default_factory=list)
    descriptions: list[LocalizedText] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    collections: set[str] = field(default_factory=set)
    skill_type: SkillType | None = None
    reuse_level: str | None = None
    code: str | None = None
    isco_group: str | None = None
    status: str = "released"
    modified: str | None = None
    main_langs: set[str] = field(default_factory=set)

    def build(self, version: str | None) -> Concept:
        return Concept(
            uri=self.uri,
            kind=self.kind,
            framework=ESCO_FRAMEWORK,
            labels=tuple(dict.fromkeys(self.labels)),
            descriptions=tuple(dict.fromkeys(self.descriptions)),
            schemes=tuple(dict.fromkeys(self.schemes)),
            skill_type=self.skill_type,
            reuse_level=self.reuse_level,
            code=self.code,
            isco_group=self.isco_group,
            collections=frozenset(self.collections),
            status=self.status,
            modified=self.modified,
            framework_version=version,
        )


@dataclass(frozen=True)
class EscoPack:
    """What was read from an ESCO pack.

    ``kinds`` are the concept kinds whose main file was read (so the pack is complete for them);
    ``families`` the relation files read.
    """

    version: str | None
    languages: tuple[str, ...]
    concepts: dict[str, Concept]
    relations: list[Relation]
    schemes: list[ConceptScheme]
    kinds: frozenset[NodeKind]
    families: frozenset[str]
    files: tuple[str, ...]
    skipped: tuple[str, ...]
    partial: frozenset[str] = frozenset()
    _origins: list[tuple[_Origin, int]] = field(repr=False, default_factory=list)

    def neighbourhood(self, seeds: Iterable[str]) -> EscoPack:
        """Return the part of the pack around ``seeds``: a small, real slice for demos and tests.

        It holds the seeds, the skills their occupations need, every concept on the broader
        chains of those, and the relations among them.
        """
        keep = {uri for uri in seeds if uri in self.concepts}
        needs = {RelationType.HAS_ESSENTIAL_SKILL.value, RelationType.HAS_OPTIONAL_SKILL.value}
        keep |= {r.target for r in self.relations if r.source in keep and r.type.value in needs}
        broader: dict[str, set[str]] = {}
        for r in self.relations:
            if r.type is RelationType.BROADER:
                broader.setdefault(r.source, set()).add(r.target)
        frontier = set(keep)
        while frontier:
            frontier = {b for uri in frontier for b in broader.get(uri, ())} - keep
            keep |= frontier
        pairs = [
            (r, o)
            for r, o in zip(self.relations, self._origins, strict=True)
            if r.source in keep and r.target in keep
        ]
        return dataclasses.replace(
            self,
            concepts={uri: c for uri, c in self.concepts.items() if uri in keep},
            relations=[r for r, _ in pairs],
            kinds=frozenset(),
            families=frozenset(),
            partial=self.partial & keep,
            _origins=[o for _, o in pairs],
        )

    def endpoints(self) -> set[str]:
        """Every IRI a relation of the pack points from or to."""
        return {r.source for r in self.relations} | {r.target for r in self.relations}

    def check_endpoints(self, kind_of: Callable[[str], NodeKind | None]) -> None:
        """Check that every relation joins known concepts of the right kinds.

        ``kind_of`` answers for IRIs (in the pack or the store) and returns None if unknown.

        Raises
        ------
        IngestError
            At the first relation whose endpoint is unknown or of the wrong kind, naming its
            file, line and column.
        """
        for relation, (origin, line) in zip(self.relations, self._origins, strict=True):
            allowed = _ENDPOINT_KINDS[origin.family]
            for uri, column, kinds in (
                (relation.source, origin.source_column, allowed[0]),
                (relation.target, origin.target_column, allowed[1]),
            ):
                kind = kind_of(uri)
                if kind is None:
                    raise IngestError(
                        f"unknown concept {uri} (not in the pack nor in the store)",
                        source=origin.source,
                        line=line,
                        column=column,
                        uri=uri,
                    )
                if kind not in kinds:
                    raise IngestError(
                        f"{uri} is a {kind.value}, expected "
                        + " or ".join(sorted(k.value for k in kinds)),
                        source=origin.source,
                        line=line,
                        column=column,
                        uri=uri,
                    )


def _split(value: str, separators: str = "\n") -> list[str]:
    parts = re.split(f"[{re.escape(separators)}]", value) if value else []
    return [p.strip() for p in parts if p.strip()]


def _not_an_iri(value: str, source: str, line: int, column: str) -> IngestError:
    return IngestError(
        f"expected an IRI, found {value[:60]!r}", source=source, line=line, column=column
    )


def _require_iri(row: Row, column: str, source: SourceFile) -> str:
    value = row.get(column)
    if not value.startswith(_IRI_SCHEMES):
        raise _not_an_iri(value, source.display, row.line, column)
    return value


def read_esco(
    paths: Sequence[Path],
    *,
    languages: Iterable[str] = ("en",),
    version: str | None = None,
    errata: Path | None = None,
) -> EscoPack:
    """Read an ESCO CSV pack.

    Parameters
    ----------
    paths : sequence of Path
        Folders, zip archives or CSV files of one ESCO version.
    languages : iterable of str
        Label languages to read; files of other languages are skipped.
    version : str, optional
        The ESCO version; by default taken from the path (``v1.1.1``, ``ESCO dataset - v1.2.0``).
    errata : Path, optional
        ``ontologies/esco/errata.csv``: concepts an official pack references in its relation
        files but omits from its concept files. They are added as obsolete concepts so those
        relations keep their endpoints; any other unknown endpoint stays an error.

    Returns
    -------
    EscoPack
        Concepts with merged labels, relations, schemes and what the pack covers.

    Raises
    ------
    IngestError
        For an unreadable or malformed file (file, line and column named).
    """
    wanted = tuple(dict.fromkeys(lang.strip() for lang in languages if lang.strip()))
    files = discover(paths)
    version = version or _detect_version(files)
    found = _pack_files(files, wanted)
    reader = _PackReader(wanted)
    reader.read_files(found, version)
    if errata is not None:
        reader.apply_errata(errata, version)
    if found.skipped:
        logger.warning(
            "skipped %d file(s) that are not part of an ESCO pack: %s",
            len(found.skipped),
            found.skipped,
        )
    concepts = {uri: draft.build(version) for uri, draft in reader.drafts.items()}
    return EscoPack(
        version=version,
        languages=wanted,
        concepts=concepts,
        relations=reader.relations,
        schemes=[
            ConceptScheme(
                uri=_ESCO_URI,
                framework=ESCO_FRAMEWORK,
                title="ESCO",
                version=version,
                publisher="European Commission",
                jurisdiction="EU",
            ),
            *reader.schemes.values(),
        ],
        kinds=frozenset(_MAIN_KINDS[stem] for _, stem, _ in found.main),
        families=frozenset(stem for _, stem in found.relations),
        files=tuple(f.display for f in files if f.display not in found.skipped),
        skipped=tuple(found.skipped),
        partial=frozenset(uri for uri, d in reader.drafts.items() if not d.main_langs),
        _origins=reader.origins,
    )


@dataclass
class _PackFiles:
    """The files of a pack by role, each with its stem and language (``en`` when neutral)."""

    main: list[tuple[SourceFile, str, str]] = field(default_factory=list)
    collections: list[tuple[SourceFile, str, str]] = field(default_factory=list)
    schemes: list[tuple[SourceFile, str]] = field(default_factory=list)
    relations: list[tuple[SourceFile, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _pack_files(files: Sequence[SourceFile], wanted: tuple[str, ...]) -> _PackFiles:
    """Sort the files by role; files of unwanted languages are left out, unknown ones skipped."""
    found = _PackFiles()
    neutral_relations = {
        _NAME.match(f.name).group("stem")  # type: ignore[union-attr]
        for f in files
        if _NAME.match(f.name) and not _NAME.match(f.name).group("lang")  # type: ignore[union-attr]
    }
    seen_relation_stems: set[str] = set()
    for source in files:
        match = _NAME.match(source.name)
        if match is None:
            found.skipped.append(source.display)
            continue
        stem, lang = match.group("stem"), match.group("lang")
        if lang is not None and lang not in wanted:
            continue
        if stem in _MAIN_KINDS:
            found.main.append((source, stem, lang or "en"))
        elif stem in _COLLECTIONS:
            found.collections.append((source, stem, lang or "en"))
        elif stem == "conceptSchemes":
            found.schemes.append((source, lang or "en"))
        elif stem in _ENDPOINT_KINDS:
            # Relation files repeat per language with the same edges; read one copy.
            if (lang is not None and stem in neutral_relations) or stem in seen_relation_stems:
                continue
            seen_relation_stems.add(stem)
            found.relations.append((source, stem))
        else:
            found.skipped.append(source.display)
    return found


def _detect_version(files: Sequence[SourceFile]) -> str | None:
    for source in files:
        match = _VERSION.search(source.display)
        if match:
            return match.group(1)
    return None


class _PackReader:
    """Accumulates concepts and relations across the files of a pack."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages
        self.drafts: dict[str, _ConceptDraft] = {}
        self.relations: list[Relation] = []
        self.origins: list[tuple[_Origin, int]] = []
        self.schemes: dict[str, ConceptScheme] = {}
        self._relation_keys: set[tuple[str, str, str]] = set()

    def read_files(self, found: _PackFiles, version: str | None) -> None:
        """Read concepts (main files first, then collections), schemes, then relations."""
        for source, stem, lang in found.main:
            self.read_main(source, _MAIN_KINDS[stem], lang)
        for source, stem, lang in found.collections:
            self.read_collection(source, _COLLECTIONS[stem], lang)
        for source, lang in found.schemes:
            self.read_schemes(source, lang, version)
        for source, stem in found.relations:
            self.read_relations(source, stem)

    def _draft(self, uri: str, kind: NodeKind, source: SourceFile, row: Row) -> _ConceptDraft:
        draft = self.drafts.get(uri)
        if draft is None:
            draft = self.drafts[uri] = _ConceptDraft(uri, kind)
        elif draft.kind is not kind:
            raise IngestError(
                f"{uri} is a {draft.kind.value} elsewhere in the pack, here a {kind.value}",
                source=source.display,
                line=row.line,
                column="conceptUri",
            )
        return draft

    def read_main(self, source: SourceFile, kind: NodeKind, lang: str) -> None:
        columns = ["conceptUri", "preferredLabel"]
        for row in read_rows(source, required=columns, mandatory_values=["conceptUri"]):
            uri = _require_iri(row, "conceptUri", source)
            draft = self._draft(uri, kind, source, row)
            draft.main_langs.add(lang)
            self._labels(draft, row, lang, alt_separators="\n")
            draft.schemes += _split(row.get("inScheme"), ",\n")
            draft.status = row.get("status") or draft.status
            draft.modified = row.get("modifiedDate") or draft.modified
            draft.code = row.get("code") or draft.code
            if kind is NodeKind.SKILL:
                skill_type = row.get("skillType")
                draft.skill_type = _SKILL_TYPES.get(skill_type)
                draft.reuse_level = row.get("reuseLevel") or None
            if kind is NodeKind.OCCUPATION:
                draft.isco_group = row.get("iscoGroup") or None

    @staticmethod
    def _labels(draft: _ConceptDraft, row: Row, lang: str, *, alt_separators: str) -> None:
        preferred = row.get("preferredLabel")
        if preferred:
            draft.labels.append(Label(preferred, lang, LabelKind.PREFERRED))
        draft.labels += [
            Label(text, lang, LabelKind.ALTERNATIVE)
            for text in _split(row.get("altLabels"), alt_separators)
        ]
        draft.labels += [
            Label(text, lang, LabelKind.HIDDEN) for text in _split(row.get("hiddenLabels"))
        ]
        description = row.get("description")
        if description:
            draft.descriptions.append(LocalizedText(description, lang))

    def read_collection(self, source: SourceFile, collection: str, lang: str) -> None:
        kind = NodeKind.OCCUPATION if "Occupation" in source.name else NodeKind.SKILL
        for row in read_rows(source, required=["conceptUri"], mandatory_values=["conceptUri"]):
            uri = _require_iri(row, "conceptUri", source)
            draft = self._draft(uri, kind, source, row)
            draft.collections.add(collection)
            # Collections carry labels too; they are the only French labels of many skills in
            # packs without skills_fr.csv. The main file wins where both exist.
            if lang not in draft.main_langs and not any(lb.lang == lang for lb in draft.labels):
                self._labels(draft, row, lang, alt_separators="\n|")

    def read_schemes(self, source: SourceFile, lang: str, version: str | None) -> None:
        for row in read_rows(source, required=["conceptSchemeUri"]):
            uri = _require_iri(row, "conceptSchemeUri", source)
            if uri not in self.schemes or lang == "en":
                title = row.get("preferredLabel") or row.get("title") or uri
                self.schemes[uri] = ConceptScheme(
                    uri=uri, framework=ESCO_FRAMEWORK, title=title, version=version
                )

    def read_relations(self, source: SourceFile, family: str) -> None:
        if family == RelationFamily.HIERARCHY:
            self._read_hierarchy(source)
            return
        source_column, target_column, type_column = {
            RelationFamily.BROADER_SKILLS: ("conceptUri", "broaderUri", None),
            RelationFamily.BROADER_OCCUPATIONS: ("conceptUri", "broaderUri", None),
            RelationFamily.OCCUPATION_SKILLS: ("occupationUri", "skillUri", "relationType"),
            RelationFamily.SKILL_SKILLS: ("originalSkillUri", "relatedSkillUri", "relationType"),
        }[family]
        required = [c for c in (source_column, target_column, type_column) if c is not None]
        table = Table(source, required=required, mandatory_values=required)
        i_source, i_target = table.index(source_column), table.index(target_column)
        i_type = table.index(type_column) if type_column else None
        types = {
            "essential": RelationType.HAS_ESSENTIAL_SKILL,
            "optional": RelationType.HAS_OPTIONAL_SKILL,
        }
        origin = _Origin(family, table.display, 0, source_column, target_column)
        keys, relations, origins = self._relation_keys, self.relations, self.origins
        # The hot loop of an ESCO import (154,000 rows): plain tuples and local names only.
        broader = RelationType.BROADER
        for line, cells in table.records():
            subject, target = cells[i_source].strip(), cells[i_target].strip()
            if not subject.startswith(_IRI_SCHEMES):
                raise _not_an_iri(subject, table.display, line, source_column)
            if not target.startswith(_IRI_SCHEMES):
                raise _not_an_iri(target, table.display, line, target_column)
            if i_type is None:
                relation_type = broader
            else:
                value = cells[i_type].strip()
                if value not in types:
                    raise IngestError(
                        f"expected 'essential' or 'optional', found {value!r}",
                        source=table.display,
                        line=line,
                        column=type_column,
                    )
                relation_type = types[value]
            # Keys hold the type's plain string value: hashing an enum member calls Python code.
            key = (subject, relation_type._value_, target)
            if key in keys:
                continue
            keys.add(key)
            relations.append(Relation(subject, relation_type, target))
            origins.append((origin, line))

    def _read_hierarchy(self, source: SourceFile) -> None:
        levels = [f"Level {i} URI" for i in range(4)]
        lang = _NAME.match(source.name).group("lang") or "en"  # type: ignore[union-attr]
        for row in read_rows(source, required=levels[:1], mandatory_values=levels[:1]):
            path = [(column, row.get(column)) for column in levels if row.get(column)]
            self._hierarchy_concept(row, len(path) - 1, path[-1][1], lang)
            for (parent_column, parent), (child_column, child) in itertools.pairwise(path):
                self._add_relation(
                    Relation(child, RelationType.BROADER, parent),
                    _Origin(
                        RelationFamily.HIERARCHY,
                        source.display,
                        row.line,
                        child_column,
                        parent_column,
                    ),
                )

    def apply_errata(self, path: Path, version: str | None) -> None:
        referenced = {r.source for r in self.relations} | {r.target for r in self.relations}
        source = SourceFile(path)
        for row in read_rows(source, required=["version", "uri", "kind", "label", "status"]):
            uri = row.get("uri")
            # An unknown version (a pack folder without it in its name) may be any of them; an
            # erratum only ever fills a concept the relations reference and the pack omits.
            wrong_version = version is not None and row.get("version") != version
            if wrong_version or uri in self.drafts or uri not in referenced:
                continue
            try:
                kind = NodeKind(row.get("kind"))
            except ValueError as e:
                raise IngestError(
                    f"unknown kind {row.get('kind')!r}",
                    source=source.display,
                    line=row.line,
                    column="kind",
                ) from e
            draft = self.drafts[uri] = _ConceptDraft(uri, kind, status=row.get("status"))
            draft.main_langs.add("en")
            draft.labels.append(Label(row.get("label"), "en", LabelKind.PREFERRED))
            logger.info(
                "ESCO %s erratum: %s (%s) kept as %s", version, uri, row.get("label"), draft.status
            )

    def _hierarchy_concept(self, row: Row, level: int, uri: str, lang: str) -> None:
        # Each hierarchy row describes its deepest concept. ESCO v1.1.1 has seven skill groups
        # that appear only here (not in skillGroups_en.csv) although its broader relations use
        # them; the row's label, description and code define them.
        if uri in self.drafts:
            return
        draft = self.drafts[uri] = _ConceptDraft(uri, NodeKind.SKILL_GROUP)
        draft.main_langs.add(lang)
        label = row.get(f"Level {level} preferred term")
        if label:
            draft.labels.append(Label(label, lang, LabelKind.PREFERRED))
        if row.get("Description"):
            draft.descriptions.append(LocalizedText(row.get("Description"), lang))
        draft.code = row.get(f"Level {level} code") or None
        draft.schemes.append(f"{_ESCO_URI}/concept-scheme/skills-hierarchy")

    def _add_relation(self, relation: Relation, origin: _Origin) -> None:
        key = relation.key
        if key in self._relation_keys:
            return
        self._relation_keys.add(key)
        self.relations.append(relation)
        self.origins.append((origin, origin.line))


_SCOPES = {
    RelationFamily.BROADER_SKILLS: RelationScope(
        frozenset({RelationType.BROADER}), _SKILL_PILLAR, _SKILL_PILLAR
    ),
    RelationFamily.HIERARCHY: RelationScope(
        frozenset({RelationType.BROADER}), frozenset({NodeKind.SKILL_GROUP}), _SKILL_PILLAR
    ),
    RelationFamily.BROADER_OCCUPATIONS: RelationScope(
        frozenset({RelationType.BROADER}), _OCCUPATION_PILLAR, _OCCUPATION_PILLAR
    ),
    RelationFamily.OCCUPATION_SKILLS: RelationScope(
        frozenset({RelationType.HAS_ESSENTIAL_SKILL, RelationType.HAS_OPTIONAL_SKILL}),
        frozenset({NodeKind.OCCUPATION}),
        frozenset({NodeKind.SKILL}),
    ),
    RelationFamily.SKILL_SKILLS: RelationScope(
        frozenset({RelationType.HAS_ESSENTIAL_SKILL, RelationType.HAS_OPTIONAL_SKILL}),
        frozenset({NodeKind.SKILL}),
        frozenset({NodeKind.SKILL}),
    ),
}


def esco_import(pack: EscoPack) -> ConceptImport:
    """Return the framework-agnostic import of ``pack`` for the ingest service."""
    # The hierarchy file only restates group links that broaderRelationsSkillPillar holds; it is
    # complete on its own only when that file is absent.
    families = set(pack.families)
    if RelationFamily.BROADER_SKILLS in families:
        families.discard(RelationFamily.HIERARCHY)
    return ConceptImport(
        framework=ESCO_FRAMEWORK,
        languages=pack.languages,
        concepts=pack.concepts,
        relations=pack.relations,
        schemes=pack.schemes,
        complete_kinds=pack.kinds,
        complete_relations=tuple(_SCOPES[f] for f in sorted(families)),
        partial=pack.partial,
        check_endpoints=pack.check_endpoints,
    )
