"""What every command shares: declaring commands, the runtime, JSON and table output.

Command modules import only this module and the standard library at their top; services,
schemas, the model and ``rich`` are imported inside the command that uses them. Building the
parser then costs a few milliseconds, so ``credwalk --help`` and ``credwalk verify --help`` start
about as fast as Python itself (``scripts/dev bench cli``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    CredwalkError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
    VerificationError,
)

if TYPE_CHECKING:
    from api.runtime import Runtime
    from api.schemas.concepts import MatchPublic
    from graph.model.accounts import Actor
    from graph.settings import Settings

__all__ = [
    "EXIT_STATUS",
    "Commands",
    "Handler",
    "actor",
    "add_json",
    "add_lang",
    "add_top",
    "bounded_int",
    "emit_json",
    "err",
    "exit_status",
    "iso_datetime",
    "out",
    "print_matches",
    "progress_bar",
    "read_lines",
    "runtime",
    "set_invocation",
    "set_store_url",
    "settings",
    "validate",
]

#: A command's handler: it gets the parsed arguments; a non-zero return is the exit status.
Handler = Callable[[argparse.Namespace], "int | None"]

#: Exit status per error class (the most specific class in the MRO wins). A usage error (an
#: unknown option, a bad value, a missing argument) exits 2 before any command runs.
EXIT_STATUS: dict[type[CredwalkError], int] = {
    VerificationError: 1,
    InvalidInputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    BackendUnavailableError: 5,
    # The acting user (--as) may not do this, or is no user at all.
    ForbiddenError: 6,
    UnauthenticatedError: 6,
    CredwalkError: 1,
}


def exit_status(error: CredwalkError) -> int:
    """The process exit status for ``error``."""
    for cls in type(error).__mro__:
        if cls in EXIT_STATUS:
            return EXIT_STATUS[cls]
    return 1


class Commands:
    """Adds commands, and groups of commands, each with its handler, to a parser."""

    def __init__(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        self._subparsers = subparsers

    def command(self, name: str, handler: Handler, *, help: str) -> argparse.ArgumentParser:
        """Add command ``name``: its parser, to which the caller adds arguments."""
        parser = self._subparsers.add_parser(name, help=help, description=help)
        parser.set_defaults(handler=handler, parser=parser)
        return parser

    def group(self, name: str, *, help: str) -> Commands:
        """Add a group of commands (``credwalk proofs issue``); alone, it prints its help."""
        parser = self._subparsers.add_parser(name, help=help, description=help)
        parser.set_defaults(handler=None, parser=parser)
        return Commands(parser.add_subparsers(title="commands", metavar="COMMAND"))


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argument type: an integer in ``[low, high]`` (else a usage error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not in the range {low}-{high}")
        return value

    parse.__name__ = "integer"
    return parse


def iso_datetime(text: str) -> Any:
    """An argument type: an ISO 8601 date-time (``2026-01-01T00:00:00Z``)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time (2026-01-01T00:00:00Z)"
        ) from None


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``: print JSON instead of text."""
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")


def add_top(parser: argparse.ArgumentParser, default: int, *, maximum: int = 100) -> None:
    """Add ``--top N``."""
    parser.add_argument(
        "--top", type=bounded_int(1, maximum), default=default, help=f"how many (1-{maximum})"
    )


def add_lang(parser: argparse.ArgumentParser) -> None:
    """Add ``--lang L``."""
    parser.add_argument("--lang", help="match labels in this language (en, fr, ...)")


class _Console:
    """A ``rich`` console made on first use (importing rich costs what a short command takes)."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            # No emoji codes: "did:key:z6Mk..." must not print as "did🔑z6Mk...".
            self._console = Console(stderr=self._stderr, emoji=False)
        return getattr(self._console, name)


out = _Console(stderr=False)
err = _Console(stderr=True)


class _State:
    store_url: str | None = None
    acting_as: str | None = None
    command: str = "credwalk"
    actor: Actor | None = None


_state = _State()


def set_store_url(url: str | None) -> None:
    """Remember ``--store`` for the command of this invocation."""
    _state.store_url = url


def set_invocation(*, command: str, acting_as: str | None) -> None:
    """Remember the command (for the audit log) and ``--as`` (the user to act as)."""
    _state.command = command
    _state.acting_as = acting_as
    _state.actor = None


def actor() -> Actor:
    """Who this command acts as: ``--as USER``, else the store's local operator.

    Whoever runs commands on a store holds it whole (its file, its database), so by default
    they act as its operator, an administrator recorded as ``urn:credwalk:operator:<login>``;
    ``--as`` acts as a user, with that user's roles.
    """
    if _state.actor is None:
        raise RuntimeError("actor() is read inside runtime()")
    return _state.actor


def _resolve_actor(runtime: Runtime) -> Actor:
    import getpass

    from graph.model.accounts import operator

    if _state.acting_as is None:
        return operator(getpass.getuser())
    # Only for --as: importing the accounts service hashes its dummy password (argon2, 19 MiB).
    from graph.services import accounts

    try:
        return accounts.actor_named(
            runtime.open_store(), _state.acting_as, base_iri=runtime.settings.base_iri
        )
    except NotFoundError as e:
        raise NotFoundError(f"--as: {e.message}", details={"field": "as", **e.details}) from e


def settings() -> Settings:
    """The settings of this invocation (``--store`` overrides ``CREDWALK_STORE``)."""
    from graph.settings import load_settings

    overrides: dict[str, object] = {}
    if _state.store_url:
        overrides["store"] = _state.store_url
    return load_settings(**overrides)


@contextmanager
def runtime(*, open_store: bool = True) -> Iterator[Runtime]:
    """The runtime of one command, its store opened unless ``open_store`` is false."""
    from api.runtime import build_runtime
    from graph import audit

    the_runtime = build_runtime(settings())
    try:
        if open_store:
            the_runtime.store.open()
        _state.actor = _resolve_actor(the_runtime)
        with audit.acting(_state.actor, _state.command):
            yield the_runtime
    finally:
        the_runtime.close()


def emit_json(payload: Any) -> None:
    """Print ``payload`` (a schema, a dict or a list) as indented JSON on stdout."""
    data = payload.model_dump(mode="json") if hasattr(payload, "model_dump") else payload
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def read_lines(file: Path) -> list[str]:
    """The non-empty lines of a text file, without list bullets (a syllabus, a job ad).

    Raises
    ------
    InvalidInputError
        When the file cannot be read as UTF-8 text.
    """
    try:
        content = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"cannot read {file}: {e}", details={"field": "file"}) from e
    return [line.strip().lstrip("-*•").strip() for line in content.splitlines() if line.strip()]


def print_matches(matches: Sequence[MatchPublic], title: str) -> None:
    """Print ranked concept matches as a table."""
    from rich.table import Table

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

    def __init__(self, progress: Any) -> None:
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
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err._console,
    ) as progress:
        yield _RichProgress(progress)


def validate(schema: Any, data: Any) -> Any:
    """``schema.model_validate(data)``, its first error raised as the one error hierarchy.

    Raises
    ------
    InvalidInputError
        Naming the first field that is wrong.
    """
    from pydantic import ValidationError

    try:
        return schema.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidInputError(f"{field}: {first['msg']}", details={"field": field}) from e
