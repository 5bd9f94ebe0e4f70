"""What every CLI command shares: the app, the runtime, options, JSON output, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.runtime import Runtime, build_runtime
from api.schemas.concepts import MatchPublic
from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    CredwalkError,
    InvalidInputError,
    NotFoundError,
    VerificationError,
)
from graph.settings import Settings, load_settings

__all__ = [
    "EXIT_STATUS",
    "JsonOption",
    "LangOption",
    "TopOption",
    "app",
    "emit_json",
    "err",
    "exit_status",
    "ingest_app",
    "out",
    "print_matches",
    "progress_bar",
    "runtime",
    "settings",
]

app = typer.Typer(
    name="credwalk",
    help="Skills knowledge graph: ESCO in, explained equivalence and pathways out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(
    help="Load frameworks and credentials into the store.", no_args_is_help=True
)
app.add_typer(ingest_app, name="ingest")

# No emoji codes: "did:key:z6Mk..." must not print as "did🔑z6Mk...".
out = Console(emoji=False)
err = Console(stderr=True, emoji=False)

#: Exit status per error class (the most specific class in the MRO wins).
EXIT_STATUS: dict[type[CredwalkError], int] = {
    VerificationError: 1,
    InvalidInputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    BackendUnavailableError: 5,
    CredwalkError: 1,
}

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
TopOption = Annotated[int, typer.Option("--top", min=1, max=100, help="How many matches.")]
LangOption = Annotated[str | None, typer.Option("--lang", help="Match labels in this language.")]


class _State:
    store_url: str | None = None


_state = _State()


def set_store_url(url: str | None) -> None:
    """Remember ``--store`` for the commands of this invocation."""
    _state.store_url = url


def settings() -> Settings:
    """The settings of this invocation (``--store`` overrides ``CREDWALK_STORE``)."""
    overrides: dict[str, object] = {}
    if _state.store_url:
        overrides["store"] = _state.store_url
    return load_settings(**overrides)


@contextmanager
def runtime() -> Iterator[Runtime]:
    """An open runtime for one command; closed afterwards."""
    the_runtime = build_runtime(settings())
    try:
        the_runtime.store.open()
        yield the_runtime
    finally:
        the_runtime.close()


def emit_json(payload: BaseModel | dict[str, Any] | list[Any]) -> None:
    """Print ``payload`` as indented JSON on stdout."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_matches(matches: list[MatchPublic], title: str) -> None:
    """Print ranked concept matches as a table."""
    table = Table(title=title, show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("label")
    table.add_column("matched on")
    table.add_column("uri", overflow="fold")
    for i, m in enumerate(matches, 1):
        table.add_row(
            str(i),
            f"{m.score:.3f}",
            m.label,
            f"{m.evidence.field}: {m.evidence.text[:50]}",
            m.uri,
        )
    out.print(table)


class _RichProgress:
    """Shows import phases as a progress bar on a terminal."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def phase(self, name: str, total: int | None) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, completed=task.total or task.completed)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, done: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, done)


@contextmanager
def progress_bar() -> Iterator[_RichProgress | None]:
    """A progress bar on stderr when it is a terminal, else None."""
    if not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        yield _RichProgress(progress)


def exit_status(error: CredwalkError) -> int:
    """The process exit status for ``error``."""
    for cls in type(error).__mro__:
        if cls in EXIT_STATUS:
            return EXIT_STATUS[cls]
    return 1
