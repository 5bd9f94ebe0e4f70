"""Qualification frameworks (the EQF and national ones) and level comparison through the EQF.

The data lives in ``ontologies/qualifications/`` (``frameworks.csv``, ``levels.csv``; sources in
``SOURCES.md``); :func:`load_qualification_frameworks` reads and validates it. Nothing is read at
import time. Two national levels are compared only through the EQF level each is referenced to,
never directly, because that is what the published referencing reports establish.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias, cast
from urllib.parse import quote

from graph.errors import InvalidInputError, NotFoundError

__all__ = [
    "DEFAULT_BASE_IRI",
    "EQF_ID",
    "Confidence",
    "FrameworkLevel",
    "LevelComparison",
    "LevelRef",
    "QualificationFramework",
    "QualificationFrameworks",
    "load_qualification_frameworks",
]

logger = logging.getLogger(__name__)

Confidence = Literal["high", "medium", "low"]
EQF_ID = "eqf"
#: Same default as ``Settings.base_iri``; callers at the edges pass the configured one.
DEFAULT_BASE_IRI = "https://credwalk.org/id"

_FRAMEWORK_COLUMNS = (
    "id", "short_name", "name", "jurisdiction", "elm_uri", "source_title",
    "source_publisher", "source_year", "source_url", "confidence", "note",
)  # fmt: skip
_LEVEL_COLUMNS = ("framework", "code", "label", "elm_uri", "eqf_level", "confidence", "note")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.\-]*$")
_JURISDICTION = re.compile(r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?$")
_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True, slots=True)
class QualificationFramework:
    """A qualifications framework and the source of its EQF referencing.

    ``uri`` is the ELM (QDR) URI when ELM lists the framework, else a project IRI.
    ``jurisdictions`` holds ISO 3166 codes (``GB-ENG``, ``GB-NIR``) or ``EU``.
    """

    id: str
    short_name: str
    name: str
    jurisdictions: tuple[str, ...]
    uri: str
    elm_uri: str | None
    source_title: str
    source_publisher: str
    source_year: int
    source_url: str
    confidence: Confidence
    note: str = ""


@dataclass(frozen=True, slots=True)
class FrameworkLevel:
    """One level of a framework and the EQF level it is referenced to.

    ``eqf_level`` is None for a level the referencing leaves out (e.g. below EQF 1).
    ``name`` is the short display form used in explanations (``IE NFQ 8``).
    """

    framework: str
    code: str
    label: str
    name: str
    uri: str
    elm_uri: str | None
    eqf_level: int | None
    confidence: Confidence
    note: str = ""


@dataclass(frozen=True, slots=True)
class LevelComparison:
    """Two levels compared through the EQF.

    ``difference`` is ``a``'s EQF level minus ``b``'s (positive: ``a`` is higher); ``confidence``
    is the lower of the two levels' confidences.
    """

    a: FrameworkLevel
    b: FrameworkLevel
    difference: int
    confidence: Confidence
    explanation: str

    @property
    def same_eqf_level(self) -> bool:
        """Whether both levels are referenced to the same EQF level."""
        return self.difference == 0


#: A level as ``FrameworkLevel``, ``(framework_id, code)``, ``"framework_id:code"`` or a URI.
LevelRef: TypeAlias = FrameworkLevel | tuple[str, str] | str


class QualificationFrameworks:
    """A validated, read-only registry of frameworks and their levels.

    Built by :func:`load_qualification_frameworks`. Framework ids, level codes and labels are
    matched case-insensitively.
    """

    def __init__(
        self, frameworks: Iterable[QualificationFramework], levels: Iterable[FrameworkLevel]
    ) -> None:
        self._frameworks: dict[str, QualificationFramework] = {}
        self._levels: dict[str, dict[str, FrameworkLevel]] = {}
        self._by_uri: dict[str, QualificationFramework | FrameworkLevel] = {}
        self._by_label: dict[str, QualificationFramework | FrameworkLevel] = {}
        for framework in frameworks:
            self._add(framework)
        for level in levels:
            self._add(level)

    def _add(self, item: QualificationFramework | FrameworkLevel) -> None:
        """Index one framework or level; InvalidInputError if it clashes with what is there."""
        if isinstance(item, QualificationFramework):
            if item.id in self._frameworks:
                raise InvalidInputError(f"duplicate framework id {item.id!r}")
            self._frameworks[item.id] = item
            self._levels[item.id] = {}
            labels = {_fold(item.name), _fold(item.short_name)}
        else:
            codes = self._levels.get(item.framework)
            if codes is None:
                raise InvalidInputError(f"unknown framework {item.framework!r}")
            if item.code.casefold() in codes:
                raise InvalidInputError(f"duplicate level {item.name!r}")
            codes[item.code.casefold()] = item
            labels = {_fold(item.label), _fold(item.name)}
        if item.uri in self._by_uri:
            raise InvalidInputError(f"URI {item.uri} is used twice")
        self._by_uri[item.uri] = item
        for label in labels:
            if label in self._by_label:
                raise InvalidInputError(f"label {label!r} is used twice")
            self._by_label[label] = item

    def __len__(self) -> int:
        return len(self._frameworks)

    def __iter__(self) -> Iterator[QualificationFramework]:
        return iter(self._frameworks.values())

    def __contains__(self, framework_id: object) -> bool:
        return isinstance(framework_id, str) and framework_id.strip().lower() in self._frameworks

    def framework(self, framework_id: str) -> QualificationFramework:
        """Return the framework with this id (``ie-nfq``); NotFoundError if there is none."""
        found = self._frameworks.get(framework_id.strip().lower())
        if found is None:
            raise NotFoundError(
                f"unknown qualifications framework {framework_id!r}",
                details={"framework": framework_id},
            )
        return found

    def levels(self, framework_id: str) -> tuple[FrameworkLevel, ...]:
        """Return the levels of a framework in file order; NotFoundError for an unknown id."""
        return tuple(self._levels[self.framework(framework_id).id].values())

    def frameworks_in(self, jurisdiction: str) -> tuple[QualificationFramework, ...]:
        """Return the frameworks whose jurisdictions include exactly this code (no containment)."""
        code = jurisdiction.strip().upper()
        return tuple(f for f in self._frameworks.values() if code in f.jurisdictions)

    def level(self, framework_id: str, code: str) -> FrameworkLevel:
        """Return one level of a framework.

        Raises
        ------
        NotFoundError
            The framework is unknown.
        InvalidInputError
            The framework has no level ``code``; ``details["valid_codes"]`` lists those it has.
        """
        framework = self.framework(framework_id)
        found = self._levels[framework.id].get(code.strip().casefold())
        if found is None:
            valid = [lv.code for lv in self._levels[framework.id].values()]
            raise InvalidInputError(
                f"{code!r} is not a level of {framework.short_name} ({framework.id})",
                details={"framework": framework.id, "level": code, "valid_codes": valid},
            )
        return found

    def by_uri(self, uri: str) -> QualificationFramework | FrameworkLevel:
        """Return the framework or level with this ELM URI or project IRI; NotFoundError if none."""
        found = self._by_uri.get(uri.strip())
        if found is None:
            raise NotFoundError(f"no framework or level has the URI {uri}", details={"uri": uri})
        return found

    def by_label(self, label: str) -> QualificationFramework | FrameworkLevel:
        """Return the framework or level with this label, name or short name (any case)."""
        found = self._by_label.get(_fold(label))
        if found is None:
            raise NotFoundError(
                f"no framework or level is labelled {label!r}", details={"label": label}
            )
        return found

    def resolve_level(self, ref: LevelRef) -> FrameworkLevel:
        """Return the level a reference names.

        Parameters
        ----------
        ref : FrameworkLevel, (framework_id, code), "framework_id:code" or a URI
            ``("ie-nfq", "8")``, ``"de-dqr:6"`` or an ELM level URI.

        Raises
        ------
        NotFoundError
            The framework or URI is unknown.
        InvalidInputError
            The code is not a level of the framework, the URI names a framework, or ``ref`` is
            malformed.
        """
        if isinstance(ref, FrameworkLevel):
            return ref
        if isinstance(ref, tuple):
            return self.level(*ref)
        if "://" in ref:
            found = self.by_uri(ref)
            if not isinstance(found, FrameworkLevel):
                raise InvalidInputError(
                    f"{ref} names a framework, not a level", details={"uri": ref}
                )
            return found
        framework_id, sep, code = ref.partition(":")
        if not sep or not code.strip():
            raise InvalidInputError(
                f"level reference {ref!r} is not 'framework:code' or a URI", details={"level": ref}
            )
        return self.level(framework_id, code)

    def eqf_level(self, framework_id: str, code: str) -> int:
        """Return the EQF level (1-8) that a framework's level is referenced to.

        Raises
        ------
        NotFoundError
            The framework is unknown.
        InvalidInputError
            The level is not in the framework, or it is referenced to no EQF level.
        """
        return _referenced(self.level(framework_id, code))

    def compare_levels(self, a: LevelRef, b: LevelRef) -> LevelComparison:
        """Compare two levels through the EQF levels they are referenced to.

        Raises
        ------
        NotFoundError
            A framework or URI is unknown.
        InvalidInputError
            A level is not in its framework or is referenced to no EQF level.
        """
        first, second = self.resolve_level(a), self.resolve_level(b)
        eqf_a, eqf_b = _referenced(first), _referenced(second)
        diff = eqf_a - eqf_b
        national = [lv for lv in (first, second) if lv.framework != EQF_ID]
        if diff == 0:
            if len(national) == 2:
                text = f"{first.name} and {second.name} are both referenced to EQF {eqf_a}"
            elif national:
                text = f"{national[0].name} is referenced to EQF {eqf_a}"
            else:
                text = f"{first.name} and {second.name} are the same EQF level"
            if first.framework == second.framework and first.code != second.code:
                short = self._frameworks[first.framework].short_name
                text += f", although {short} places them at different levels"
        else:
            steps = f"{abs(diff)} EQF level{'s' if abs(diff) > 1 else ''}"
            verdict = f"{first.name} is {steps} {'above' if diff > 0 else 'below'} {second.name}"
            refs = " and ".join(f"{lv.name} is referenced to EQF {lv.eqf_level}" for lv in national)
            text = f"{refs}, so {verdict}" if refs else verdict
        text += "."
        for lv in national:
            if lv.confidence != "high":
                text += f" The referencing of {lv.name} is of {lv.confidence} confidence."
        confidence = min(first.confidence, second.confidence, key=_RANK.__getitem__)
        return LevelComparison(first, second, diff, confidence, text)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _referenced(level: FrameworkLevel) -> int:
    if level.eqf_level is None:
        raise InvalidInputError(
            f"{level.name} is not referenced to any EQF level, "
            "so it cannot be compared through the EQF",
            details={"level": level.uri, "reason": "not_referenced_to_eqf"},
        )
    return level.eqf_level


def _fail(path: Path, line: int, column: str, problem: str) -> InvalidInputError:
    return InvalidInputError(
        f"{path.name} line {line}, column {column!r}: {problem}",
        details={"file": str(path), "line": line, "column": column},
    )


# Column -> (check, what a failing value is not); an empty value fails unless the check allows it.
_CHECKS: dict[str, tuple[Callable[[str], object], str]] = {
    "id": (_ID.match, "a lower-case id like 'ie-nfq'"),
    "jurisdiction": (
        lambda v: v and all(_JURISDICTION.match(c) for c in v.split()),
        "ISO 3166 codes separated by spaces",
    ),
    "source_year": (lambda v: v.isdigit() and 1990 <= int(v) <= 2100, "a year"),
    "confidence": (_RANK.__contains__, "one of high, medium, low"),
    "elm_uri": (lambda v: not v or v.startswith("http://data.europa.eu/snb/"), "an ELM URI"),
    "code": (_CODE.match, "a level code"),
    "eqf_level": (lambda v: not v or v in set("12345678"), "an EQF level 1-8 (or empty)"),
    "note": (lambda v: True, ""),
}


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) once every column of the row passes its check."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise _fail(path, 1, missing[0], "missing column")
        for raw in reader:
            row = {c: (raw.get(c) or "").strip() for c in columns}
            for column, value in row.items():
                check, expected = _CHECKS.get(column, (bool, "non-empty"))
                if not check(value):
                    raise _fail(path, reader.line_num, column, f"{value!r} is not {expected}")
            yield reader.line_num, row


def load_qualification_frameworks(
    directory: Path, *, base_iri: str = DEFAULT_BASE_IRI
) -> QualificationFrameworks:
    """Read and validate ``frameworks.csv`` and ``levels.csv`` from ``directory``.

    Parameters
    ----------
    directory : Path
        Usually ``ontologies/qualifications``.
    base_iri : str, optional
        Base of the project IRIs given to frameworks and levels that ELM does not list.

    Returns
    -------
    QualificationFrameworks

    Raises
    ------
    InvalidInputError
        A row is malformed or inconsistent; ``details`` names the file, line and column.
    """
    base = f"{base_iri.rstrip('/')}/qualification-framework"
    registry = QualificationFrameworks((), ())
    path = directory / "frameworks.csv"
    for line, row in _rows(path, _FRAMEWORK_COLUMNS):
        framework = QualificationFramework(
            id=row["id"],
            short_name=row["short_name"],
            name=row["name"],
            jurisdictions=tuple(row["jurisdiction"].split()),
            uri=row["elm_uri"] or f"{base}/{row['id']}",
            elm_uri=row["elm_uri"] or None,
            source_title=row["source_title"],
            source_publisher=row["source_publisher"],
            source_year=int(row["source_year"]),
            source_url=row["source_url"],
            confidence=cast(Confidence, row["confidence"]),
            note=row["note"],
        )
        try:
            registry._add(framework)
        except InvalidInputError as e:
            raise _fail(path, line, "id", e.message) from e
    path = directory / "levels.csv"
    for line, row in _rows(path, _LEVEL_COLUMNS):
        if row["framework"] not in registry:
            raise _fail(path, line, "framework", f"unknown framework {row['framework']!r}")
        code, eqf = row["code"], row["eqf_level"]
        level = FrameworkLevel(
            framework=row["framework"],
            code=code,
            label=row["label"],
            name=f"{registry.framework(row['framework']).short_name} {code}",
            uri=row["elm_uri"] or f"{base}/{row['framework']}/level/{quote(code, safe='')}",
            elm_uri=row["elm_uri"] or None,
            eqf_level=int(eqf) if eqf else None,
            confidence=cast(Confidence, row["confidence"]),
            note=row["note"],
        )
        try:
            registry._add(level)
        except InvalidInputError as e:
            raise _fail(path, line, "code", e.message) from e
    logger.debug("loaded %d qualification frameworks from %s", len(registry), directory)
    return registry
