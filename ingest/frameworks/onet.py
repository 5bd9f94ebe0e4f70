"""Reading the O*NET database text files into occupations of the framework ``onet``.

Three tab-separated files are read (from a folder, recursively, or a zip): ``Occupation Data``
(code, title, description), ``Alternate Titles`` (alternate and short titles, which become
alternative labels) and ``Task Statements`` (one task per row; tasks become further
descriptions of the occupation in the language ``en-x-task``, English marked as task
statements, so they are indexed and searchable while the occupation's own description stays
its description).

Each occupation keeps O*NET's published IRI, ``https://www.onetonline.org/link/summary/<code>``,
and its O*NET-SOC code. Task statements may come from a later release than the occupation list
(the shared data pairs a 2010-taxonomy list with O*NET 28.0 tasks): a task whose code the list
lacks creates the occupation from the task file's title, in that release's taxonomy, so nothing
in the files is dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.model.concepts import Concept, ConceptScheme, Label, LabelKind, LocalizedText, NodeKind
from graph.model.imports import ConceptImport
from ingest.errors import IngestError
from ingest.frameworks.tabular import SourceFile, discover, read_rows

__all__ = [
    "ONET_FRAMEWORK",
    "ONET_SUMMARY_IRI",
    "TASK_LANG",
    "OnetData",
    "onet_import",
    "onet_iri",
    "read_onet",
]

logger = logging.getLogger(__name__)

ONET_FRAMEWORK = "onet"
#: The language tag of task statements: English, marked with a BCP 47 private-use subtag so
#: that an occupation's description (``en``) stays its description and tasks stay tasks.
TASK_LANG = "en-x-task"
ONET_SUMMARY_IRI = "https://www.onetonline.org/link/summary/"
_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
_CODE_COLUMN = "O*NET-SOC Code"
_FILES = {
    "occupation data": "occupations",
    "alternate titles": "alternates",
    "task statements": "tasks",
}
_PUBLISHER = "U.S. Department of Labor, Employment and Training Administration (USDOL/ETA)"
#: The taxonomy a file's codes belong to: the occupation list names it, tasks may differ.
_LIST_SCHEME = ConceptScheme(
    uri="https://www.onetcenter.org/taxonomy/2010/list.html",
    framework=ONET_FRAMEWORK,
    title="O*NET-SOC 2010 taxonomy",
    version="O*NET-SOC 2010",
    publisher=_PUBLISHER,
    jurisdiction="US",
)
_TASK_SCHEME = ConceptScheme(
    uri="https://www.onetcenter.org/taxonomy/2019/list.html",
    framework=ONET_FRAMEWORK,
    title="O*NET-SOC 2019 taxonomy",
    version="O*NET-SOC 2019",
    publisher=_PUBLISHER,
    jurisdiction="US",
)


def onet_iri(code: str) -> str:
    """The published IRI of an O*NET occupation.

    Examples
    --------
    >>> onet_iri("15-1252.00")
    'https://www.onetonline.org/link/summary/15-1252.00'
    """
    return ONET_SUMMARY_IRI + code


@dataclass
class _Occupation:
    code: str
    title: str
    scheme: ConceptScheme
    description: str | None = None
    alternates: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OnetData:
    """What the O*NET files held: occupations by code, and row counts per file."""

    occupations: dict[str, Concept]
    rows: dict[str, int]
    files: tuple[str, ...]
    task_only: tuple[str, ...]


def _find(paths: Sequence[Path]) -> dict[str, SourceFile]:
    found: dict[str, SourceFile] = {}
    for source in discover(paths):
        stem = source.name.rsplit(".", 1)[0].strip().casefold()
        role = _FILES.get(stem)
        if role is None:
            continue
        if role in found:
            raise IngestError(
                f"two {source.name} files ({found[role].display} and this one); pass one release",
                source=source.display,
            )
        found[role] = source
    if "occupations" not in found:
        raise IngestError(
            "no 'Occupation Data.txt' found (the O*NET occupation list is required)",
            source=", ".join(str(p) for p in paths),
        )
    return found


def _code(value: str, source: SourceFile, line: int) -> str:
    if not _CODE.match(value):
        raise IngestError(
            f"{value!r} is not an O*NET-SOC code (like 15-1252.00)",
            source=source.display,
            line=line,
            column=_CODE_COLUMN,
        )
    return value


def _read_occupation_list(source: SourceFile, occupations: dict[str, _Occupation]) -> int:
    """Add the occupations of the list to ``occupations``; return the rows read."""
    count = 0
    for row in read_rows(
        source,
        required=(_CODE_COLUMN, "Title", "Description"),
        delimiter="\t",
        mandatory_values=(_CODE_COLUMN, "Title"),
    ):
        code = _code(row.get(_CODE_COLUMN), source, row.line)
        if code in occupations:
            raise IngestError(
                f"occupation {code} appears twice", source=source.display, line=row.line
            )
        occupations[code] = _Occupation(
            code, row.get("Title"), _LIST_SCHEME, row.get("Description") or None
        )
        count += 1
    return count


def _add_alternate_titles(source: SourceFile, occupations: dict[str, _Occupation]) -> int:
    """Add alternate and short titles to listed occupations; return the rows read."""
    count = 0
    for row in read_rows(
        source,
        required=(_CODE_COLUMN, "Alternate Title"),
        delimiter="\t",
        mandatory_values=(_CODE_COLUMN, "Alternate Title"),
    ):
        code = _code(row.get(_CODE_COLUMN), source, row.line)
        if code not in occupations:
            raise IngestError(
                f"alternate title of {code}, which the occupation list does not hold",
                source=source.display,
                line=row.line,
                column=_CODE_COLUMN,
            )
        occupations[code].alternates += [row.get("Alternate Title"), row.get("Short Title")]
        count += 1
    return count


def _add_tasks(source: SourceFile, occupations: dict[str, _Occupation]) -> tuple[int, list[str]]:
    """Add task statements to occupations; return the rows read and the codes only tasks name.

    An occupation the list lacks is created from the task file's title, in its taxonomy.
    """
    count = 0
    task_only: list[str] = []
    for row in read_rows(
        source,
        required=(_CODE_COLUMN, "Title", "Task"),
        delimiter="\t",
        mandatory_values=(_CODE_COLUMN, "Task"),
    ):
        code = _code(row.get(_CODE_COLUMN), source, row.line)
        if code not in occupations:
            occupations[code] = _Occupation(code, row.get("Title") or code, _TASK_SCHEME)
            task_only.append(code)
        occupations[code].tasks.append(row.get("Task"))
        count += 1
    return count, task_only


def read_onet(paths: Sequence[Path]) -> OnetData:
    """Read the O*NET text files under ``paths`` (folders or zips).

    Raises
    ------
    IngestError
        For a missing occupation list, a malformed file (naming file, line and column), a code
        that is not an O*NET-SOC code, or an alternate title of an occupation not in the list.
    """
    files = _find(paths)
    occupations: dict[str, _Occupation] = {}
    rows = {"occupations": _read_occupation_list(files["occupations"], occupations)}
    if "alternates" in files:
        rows["alternates"] = _add_alternate_titles(files["alternates"], occupations)
    task_only: list[str] = []
    if "tasks" in files:
        rows["tasks"], task_only = _add_tasks(files["tasks"], occupations)
    concepts = {onet_iri(code): _concept(o) for code, o in sorted(occupations.items())}
    logger.info(
        "read O*NET: %d occupations (%d from tasks only), rows %s",
        len(concepts),
        len(task_only),
        rows,
    )
    return OnetData(
        occupations=concepts,
        rows=rows,
        files=tuple(f.display for f in files.values()),
        task_only=tuple(sorted(task_only)),
    )


def _concept(occupation: _Occupation) -> Concept:
    labels = [Label(occupation.title, "en", LabelKind.PREFERRED)]
    seen = {occupation.title.casefold()}
    for title in occupation.alternates:
        if title and title.casefold() not in seen:
            seen.add(title.casefold())
            labels.append(Label(title, "en", LabelKind.ALTERNATIVE))
    texts = [LocalizedText(occupation.description, "en")] if occupation.description else []
    texts += [LocalizedText(task, TASK_LANG) for task in dict.fromkeys(occupation.tasks)]
    return Concept(
        uri=onet_iri(occupation.code),
        kind=NodeKind.OCCUPATION,
        framework=ONET_FRAMEWORK,
        labels=tuple(labels),
        descriptions=tuple(texts),
        schemes=(occupation.scheme.uri,),
        code=occupation.code,
        framework_version=occupation.scheme.version,
    )


def onet_import(data: OnetData) -> ConceptImport:
    """Return the import of ``data`` for the ingest service (occupations held in full)."""
    schemes = sorted(
        {s for c in data.occupations.values() for s in c.schemes}
        & {_LIST_SCHEME.uri, _TASK_SCHEME.uri}
    )
    by_uri = {_LIST_SCHEME.uri: _LIST_SCHEME, _TASK_SCHEME.uri: _TASK_SCHEME}
    return ConceptImport(
        framework=ONET_FRAMEWORK,
        languages=("en", TASK_LANG),
        concepts=data.occupations,
        relations=(),
        schemes=[by_uri[s] for s in schemes],
        complete_kinds=frozenset({NodeKind.OCCUPATION}),
    )
