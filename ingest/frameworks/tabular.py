"""Reading delimited text files strictly, with errors that name the file, line and column.

Sources may be plain files, gzip files, or members of a zip archive. A file is decoded whole
(the largest ESCO file is about 20 MB) so that an encoding error can be reported at its exact
line and column, and parsed with the ``csv`` module in strict mode so that broken quoting is an
error rather than a silently merged row.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError

__all__ = ["Row", "SourceFile", "Table", "discover", "read_rows"]

logger = logging.getLogger(__name__)

# ESCO's conceptSchemes file lists every member concept in one cell (over 600 kB).
csv.field_size_limit(sys.maxsize)

_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A readable file: on disk, gzip-compressed, or a member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """The file's own name (the archive member's base name for zip members)."""
        return Path(self.member).name if self.member else self.path.name

    @property
    def display(self) -> str:
        """How errors name this file."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    def read_bytes(self) -> bytes:
        """Return the file's (decompressed) bytes."""
        try:
            if self.member is not None:
                with zipfile.ZipFile(self.path) as archive:
                    data = archive.read(self.member)
            else:
                data = self.path.read_bytes()
            return gzip.decompress(data) if self.name.endswith(".gz") else data
        except (OSError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile) as e:
            raise IngestError(f"cannot read the file: {e}", source=self.display) from e


def discover(paths: Sequence[Path]) -> list[SourceFile]:
    """Return the data files under ``paths`` (folders, recursively; zips; single files).

    Raises
    ------
    IngestError
        When a path does not exist or holds no data file.
    """
    found: list[SourceFile] = []
    for path in paths:
        if not path.exists():
            raise IngestError("no such file or folder", source=str(path))
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".zip":
                try:
                    with zipfile.ZipFile(file) as archive:
                        members = sorted(archive.namelist())
                except (OSError, zipfile.BadZipFile) as e:
                    raise IngestError(f"not a readable zip archive: {e}", source=str(file)) from e
                found += [SourceFile(file, m) for m in members if m.lower().endswith(_SUFFIXES)]
            elif file.name.lower().endswith(_SUFFIXES):
                found.append(SourceFile(file))
    if not found:
        raise IngestError(
            "no data files found (expected .csv, .csv.gz or .txt files, or a .zip of them)",
            source=", ".join(str(p) for p in paths),
        )
    return found


@dataclass(frozen=True, slots=True)
class Row:
    """One record: its first physical line and its cells, read by column name."""

    line: int
    cells: list[str]
    positions: dict[str, int]

    def get(self, column: str) -> str:
        """Return the value of ``column`` stripped, or "" when the column or cell is absent."""
        i = self.positions.get(column)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""


def _decode(data: bytes, source: SourceFile) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        column = e.start - (before.rfind(b"\n") + 1) + 1
        raise IngestError(
            f"not valid UTF-8 (byte 0x{data[e.start]:02x}); ESCO and O*NET files are UTF-8",
            source=source.display,
            line=line,
            column=column,
        ) from e


class Table:
    """A checked delimited file: its header, and its records with their line numbers.

    Iterate :meth:`records` for speed (``(line, cells)`` tuples, cells by :meth:`index`) or
    :meth:`rows` for convenience (:class:`Row` objects read by column name).
    """

    def __init__(
        self,
        source: SourceFile,
        *,
        required: Sequence[str],
        delimiter: str = ",",
        mandatory_values: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.display = source.display
        text = _decode(source.read_bytes(), source)
        if not text.strip():
            raise IngestError("the file is empty (expected a header line)", source=self.display)
        self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            self.header = [h.strip() for h in next(self._reader)]
        except csv.Error as e:
            raise IngestError(f"malformed header ({e})", source=self.display, line=1) from e
        missing = [c for c in required if c not in self.header]
        if missing:
            raise IngestError(
                f"missing column(s) {', '.join(missing)}; the header has {', '.join(self.header)}",
                source=self.display,
                line=1,
                column=missing[0],
            )
        self.positions = {name: i for i, name in enumerate(self.header)}
        self._last_required = max((self.positions[c] for c in required), default=-1)
        self._mandatory = [(c, self.positions[c]) for c in mandatory_values]

    def index(self, column: str) -> int:
        """Return the position of ``column`` in each record."""
        return self.positions[column]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(first physical line, cells)`` per record, checking each record's shape.

        Raises
        ------
        IngestError
            For broken quoting, a row with too many or too few fields, or an empty mandatory
            value.
        """
        reader, header, display = self._reader, self.header, self.display
        width, last_required, mandatory = len(header), self._last_required, self._mandatory
        line = reader.line_num + 1
        try:
            for record in reader:
                if len(record) != width:
                    if not record or record == [""]:
                        line = reader.line_num + 1
                        continue
                    if len(record) > width:
                        raise IngestError(
                            f"{len(record)} fields where the header has {width} "
                            "(an unquoted delimiter or broken quoting)",
                            source=display,
                            line=line,
                            column=header[-1],
                        )
                    if len(record) <= last_required:
                        raise IngestError(
                            f"only {len(record)} of {width} fields (a truncated row)",
                            source=display,
                            line=line,
                            column=header[len(record)],
                        )
                for column, i in mandatory:
                    if not record[i].strip():
                        raise IngestError(
                            "empty value where one is required",
                            source=display,
                            line=line,
                            column=column,
                        )
                yield line, record
                line = reader.line_num + 1
        except csv.Error as e:
            # Report where the broken record starts: an unclosed quote swallows the rest of
            # the file, and the parser only notices at its end.
            stopped = f"; the parser stopped at line {reader.line_num}"
            raise IngestError(
                f"malformed CSV in the record starting here ({e})"
                f"{stopped if reader.line_num != line else ''}; check the quoting",
                source=display,
                line=line,
            ) from e

    def rows(self) -> Iterator[Row]:
        """Yield :class:`Row` objects (see :meth:`records`)."""
        positions = self.positions
        for line, cells in self.records():
            yield Row(line, cells, positions)


def read_rows(
    source: SourceFile,
    *,
    required: Sequence[str],
    delimiter: str = ",",
    mandatory_values: Sequence[str] = (),
) -> Iterator[Row]:
    """Yield the records of ``source`` as :class:`Row` objects, checking header and shape.

    Parameters
    ----------
    source : SourceFile
        The file to read.
    required : sequence of str
        Columns the header must have; a row missing one of them (a short, truncated row) is an
        error. Other columns are optional: rows may omit trailing optional cells, as ESCO's
        skills hierarchy file does.
    delimiter : str
        ``,`` for ESCO, tab for O*NET.
    mandatory_values : sequence of str
        Required columns that must also be non-empty in every row.

    Raises
    ------
    IngestError
        For an empty file, a missing column, broken quoting, a row with too many or too few
        fields, an empty mandatory value, or bytes that are not UTF-8.
    """
    table = Table(source, required=required, delimiter=delimiter, mandatory_values=mandatory_values)
    return table.rows()
