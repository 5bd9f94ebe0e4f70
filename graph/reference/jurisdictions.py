"""Jurisdictions: countries, the subdivisions that own a qualifications framework, and unions.

Countries are ISO 3166-1 alpha-2 codes, subdivisions ISO 3166-2 codes (``GB-SCT``), and unions
such as the EU list their member countries. The data lives in ``ontologies/jurisdictions.csv``;
:func:`load_jurisdictions` reads and validates it. Nothing is read at import time.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

from graph.errors import InvalidInputError, NotFoundError

__all__ = ["Jurisdiction", "JurisdictionKind", "Jurisdictions", "load_jurisdictions"]

logger = logging.getLogger(__name__)

JurisdictionKind = Literal["country", "subdivision", "supranational"]

_COLUMNS = ("code", "name", "kind", "parent", "elm_uri", "members", "note")
_CODE = re.compile(r"^[A-Z]{2,3}(-[A-Z0-9]{1,3})?$")
# EU institutions write EL and UK (Interinstitutional Style Guide); ISO 3166-2 lists Wales twice.
_ALIASES = {"EL": "GR", "UK": "GB", "GB-CYM": "GB-WLS"}


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A country, a subdivision of one, or a union of countries.

    Attributes
    ----------
    code : str
        ISO 3166-1 alpha-2 (``DE``), ISO 3166-2 (``GB-SCT``) or a supranational code (``EU``).
    name : str
        English name (the ELM country table's label where it has one).
    kind : {"country", "subdivision", "supranational"}
        What the code names.
    parent : str or None
        The country this one is part of (``GB`` for ``GB-SCT``, ``FR`` for ``RE``).
    elm_uri : str or None
        The EU country authority URI used by ELM, if any.
    members : tuple of str
        Member countries of a supranational jurisdiction; empty otherwise.
    note : str
        Caveats (code status, membership date, ...).
    """

    code: str
    name: str
    kind: JurisdictionKind
    parent: str | None = None
    elm_uri: str | None = None
    members: tuple[str, ...] = ()
    note: str = ""


class Jurisdictions:
    """A validated, read-only set of jurisdictions with case-insensitive lookups.

    Parameters
    ----------
    jurisdictions : iterable of Jurisdiction
        Every parent and member must itself be in the set.

    Raises
    ------
    InvalidInputError
        A code is duplicated, or a parent or member is unknown.

    Examples
    --------
    >>> js = Jurisdictions([
    ...     Jurisdiction("DE", "Germany", "country"),
    ...     Jurisdiction("GB", "United Kingdom", "country"),
    ...     Jurisdiction("GB-SCT", "Scotland", "subdivision", parent="GB"),
    ...     Jurisdiction("EU", "European Union", "supranational", members=("DE",)),
    ... ])
    >>> js.contains("eu", "DE"), js.contains("GB", "gb-sct"), js.contains("EU", "GB-SCT")
    (True, True, False)
    >>> js.normalise("uk")
    'GB'
    """

    def __init__(self, jurisdictions: Iterable[Jurisdiction]) -> None:
        self._by_code: dict[str, Jurisdiction] = {}
        self._by_uri: dict[str, str] = {}
        for item in jurisdictions:
            if item.code in self._by_code:
                raise InvalidInputError(f"duplicate jurisdiction code {item.code!r}")
            self._by_code[item.code] = item
            if item.elm_uri:
                self._by_uri[item.elm_uri] = item.code
                # ELM URIs end in the EU authority code (ISO alpha-3 for most countries).
                self._by_uri.setdefault(item.elm_uri.rsplit("/", 1)[-1], item.code)
        for item in self._by_code.values():
            for ref in (item.parent, *item.members):
                if ref is not None and ref not in self._by_code:
                    raise InvalidInputError(f"{item.code} refers to unknown jurisdiction {ref!r}")

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Jurisdiction]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self._lookup(code) is not None

    def _lookup(self, code: str) -> str | None:
        key = code.strip()
        if key in self._by_uri:
            return self._by_uri[key]
        key = key.upper()
        key = _ALIASES.get(key, key)
        if key in self._by_code:
            return key
        return self._by_uri.get(key)

    def normalise(self, code: str) -> str:
        """Return the canonical code for ``code``.

        Accepts any case, the EU aliases ``EL``/``UK``, an ELM country URI or its alpha-3 suffix.

        Raises
        ------
        InvalidInputError
            ``code`` is blank.
        NotFoundError
            No jurisdiction has that code.
        """
        if not code.strip():
            raise InvalidInputError("jurisdiction code is empty", details={"field": "jurisdiction"})
        found = self._lookup(code)
        if found is None:
            raise NotFoundError(f"unknown jurisdiction {code!r}", details={"jurisdiction": code})
        return found

    def get(self, code: str) -> Jurisdiction:
        """Return the jurisdiction named by ``code`` (see :meth:`normalise`).

        Raises
        ------
        NotFoundError
            No jurisdiction has that code.
        """
        return self._by_code[self.normalise(code)]

    def _lineage(self, code: str) -> list[str]:
        """Return ``code`` followed by its parents, innermost first."""
        chain = [code]
        parent = self._by_code[code].parent
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self._by_code[parent].parent
        return chain

    def contains(self, outer: str, inner: str) -> bool:
        """Return whether ``inner`` lies within ``outer``.

        A jurisdiction contains itself and its subdivisions; a union contains its members and
        their subdivisions, and another union whose members are all its own (EEA contains EU).

        Raises
        ------
        NotFoundError
            Either code is unknown.
        """
        out, inn = self.normalise(outer), self.normalise(inner)
        lineage = self._lineage(inn)
        if out in lineage:
            return True
        union = self._by_code[out]
        if union.kind != "supranational":
            return False
        inner_item = self._by_code[inn]
        if inner_item.kind == "supranational":
            return bool(inner_item.members) and set(inner_item.members) <= set(union.members)
        return any(code in union.members for code in lineage)


def _fail(path: Path, line: int, column: str, problem: str) -> InvalidInputError:
    return InvalidInputError(
        f"{path.name} line {line}, column {column!r}: {problem}",
        details={"file": str(path), "line": line, "column": column},
    )


def load_jurisdictions(path: Path) -> Jurisdictions:
    """Read and validate a jurisdictions CSV (``ontologies/jurisdictions.csv``).

    Parameters
    ----------
    path : Path
        CSV with the columns ``code, name, kind, parent, elm_uri, members, note``.

    Returns
    -------
    Jurisdictions

    Raises
    ------
    InvalidInputError
        A row is malformed; ``details`` names the file, line and column.
    """
    rows: list[tuple[int, Jurisdiction]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise _fail(path, 1, missing[0], "missing column")
        for raw in reader:
            line = reader.line_num
            row = {c: (raw.get(c) or "").strip() for c in _COLUMNS}
            for column in ("code", "parent"):
                if row[column] and not _CODE.match(row[column]):
                    raise _fail(path, line, column, f"{row[column]!r} is not an ISO 3166 code")
            if not row["name"]:
                raise _fail(path, line, "name", "empty")
            if row["kind"] not in get_args(JurisdictionKind):
                allowed = ", ".join(get_args(JurisdictionKind))
                raise _fail(path, line, "kind", f"{row['kind']!r} is not one of {allowed}")
            if row["kind"] == "subdivision" and not row["parent"]:
                raise _fail(path, line, "parent", "a subdivision needs a parent country")
            members = tuple(row["members"].split())
            if bool(members) != (row["kind"] == "supranational"):
                raise _fail(path, line, "members", "only supranational jurisdictions have members")
            item = Jurisdiction(
                code=row["code"],
                name=row["name"],
                kind=cast(JurisdictionKind, row["kind"]),
                parent=row["parent"] or None,
                elm_uri=row["elm_uri"] or None,
                members=members,
                note=row["note"],
            )
            rows.append((line, item))
    known = {item.code: item.kind for _, item in rows}
    for line, item in rows:
        for column, refs in (("parent", (item.parent,)), ("members", item.members)):
            for ref in refs:
                if ref is not None and known.get(ref) != "country":
                    raise _fail(path, line, column, f"{ref!r} is not a country in this file")
    seen: set[str] = set()
    for line, item in rows:
        if item.code in seen:
            raise _fail(path, line, "code", f"duplicate code {item.code!r}")
        seen.add(item.code)
    logger.debug("loaded %d jurisdictions from %s", len(rows), path)
    return Jurisdictions(item for _, item in rows)
