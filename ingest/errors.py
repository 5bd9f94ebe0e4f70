"""The ingest error: an invalid-input error that says where in the source it is."""

from __future__ import annotations

from typing import Any

from graph.errors import InvalidInputError

__all__ = ["IngestError"]


class IngestError(InvalidInputError):
    """A source file or document could not be read; nothing of it was written.

    Parameters
    ----------
    message : str
        What was wrong and what was expected.
    source : str
        The file path, archive member (``pack.zip!skills_en.csv``) or document IRI.
    line : int, optional
        1-based physical line in the file.
    column : str or int, optional
        The column name (CSV) or 1-based character column.
    """

    code = "invalid_source"

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int | None = None,
        column: str | int | None = None,
        **details: Any,
    ) -> None:
        where = source
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(
            f"{where}: {message}",
            details={"source": source, "line": line, "column": column, **details},
        )
        self.source = source
        self.line = line
        self.column = column
