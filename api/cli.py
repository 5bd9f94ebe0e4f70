"""The ``credwalk`` command line. Every command that prints results takes ``--json``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.runtime import Runtime, build_runtime
from api.schemas import ConceptPublic, MappedTextPublic, MatchPublic, MatchResultsPublic
from graph.errors import (
    BackendUnavailableError,
    ConflictError,
    CredwalkError,
    InvalidInputError,
    NotFoundError,
    VerificationError,
)
from graph.model import NodeKind
from graph.services.concepts import concept_detail, map_texts, search_concepts
from graph.settings import load_settings

__all__ = ["app", "main"]

logger = logging.getLogger(__name__)

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

out = Console()
err = Console(stderr=True)

#: Exit status per error class (the most specific class in the MRO wins).
EXIT_STATUS: dict[type[CredwalkError], int] = {
    VerificationError: 1,
    InvalidInputError: 2,
    NotFoundError: 3,
    ConflictError: 4,
    BackendUnavailableError: 5,
    CredwalkError: 1,
}


class _State:
    store_url: str | None = None


_state = _State()

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (sqlite:///file.db, neo4j://host:7687); or CREDWALK_STORE."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
TopOption = Annotated[int, typer.Option("--top", min=1, max=100, help="How many matches.")]
LangOption = Annotated[str | None, typer.Option("--lang", help="Match labels in this language.")]


@app.callback()
def _root(
    store: StoreOption = None, verbose: bool = typer.Option(False, "--verbose", "-v")
) -> None:
    _state.store_url = store
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@contextmanager
def _runtime() -> Iterator[Runtime]:
    overrides: dict[str, object] = {}
    if _state.store_url:
        overrides["store"] = _state.store_url
    runtime = build_runtime(load_settings(**overrides))
    try:
        runtime.store.open()
        yield runtime
    finally:
        runtime.close()


def _emit_json(payload: BaseModel | dict[str, Any]) -> None:
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


class _RichProgress:
    """Shows import phases as a progress bar on a terminal."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def phase(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total or 0)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, done: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, done)


@contextmanager
def _progress_bar() -> Iterator[_RichProgress | None]:
    if not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield _RichProgress(progress)


@ingest_app.command("esco")
def ingest_esco_command(
    paths: Annotated[
        list[Path], typer.Argument(help="ESCO pack: folder, .zip, .csv or .csv.gz files")
    ],
    languages: Annotated[
        str, typer.Option("--languages", help="Comma-separated languages.")
    ] = "en",
    esco_version: Annotated[
        str | None, typer.Option("--esco-version", help="Override the version.")
    ] = None,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Index lexically only.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Load the official ESCO CSV pack (idempotent; all or nothing)."""
    from ingest.run import ingest_esco

    with _runtime() as runtime, _progress_bar() as progress:
        report = ingest_esco(
            runtime.store,
            paths,
            embedder=None if no_embed else runtime.embedder,
            languages=[lang.strip() for lang in languages.split(",") if lang.strip()],
            version=esco_version,
            errata=runtime.settings.ontologies_dir / "esco" / "errata.csv",
            progress=progress,
        )
    if as_json:
        _emit_json({k: getattr(report, k) for k in report.__slots__})
    else:
        out.print(
            f"ESCO: {report.concepts_added} concepts added, {report.concepts_updated} updated, "
            f"{report.concepts_unchanged} unchanged, {report.concepts_obsoleted} obsoleted; "
            f"{report.relations_added} relations added, {report.relations_removed} removed; "
            f"{report.texts_encoded} texts encoded in {report.seconds:.1f}s"
        )


class SearchKind(StrEnum):
    """What to search."""

    skills = "skills"
    occupations = "occupations"


def _print_matches(matches: list[MatchPublic], title: str) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("label")
    table.add_column("matched on")
    table.add_column("uri", overflow="fold")
    for i, m in enumerate(matches, 1):
        table.add_row(
            str(i), f"{m.score:.3f}", m.label, f"{m.evidence.field}: {m.evidence.text[:50]}", m.uri
        )
    out.print(table)


@app.command()
def search(
    kind: Annotated[SearchKind, typer.Argument(help="skills or occupations")],
    query: Annotated[str, typer.Argument(help="Words or a sentence")],
    top: TopOption = 10,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search skills or occupations by every label and description."""
    node_kind = NodeKind.SKILL if kind is SearchKind.skills else NodeKind.OCCUPATION
    with _runtime() as runtime:
        matches = search_concepts(
            runtime.store, runtime.embedder, query, kind=node_kind, top=top, lang=lang
        )
    public = [MatchPublic.from_domain(m) for m in matches]
    if as_json:
        _emit_json(
            {"query": query, "kind": node_kind.value, "results": [m.model_dump() for m in public]}
        )
    else:
        _print_matches(public, f"{kind.value} for {query!r}")


class MapKind(StrEnum):
    """What to map texts to."""

    skill = "skill"
    occupation = "occupation"


@app.command("map")
def map_command(
    texts: Annotated[list[str] | None, typer.Argument(help="Sentences to map")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="One text per line (a syllabus)")
    ] = None,
    kind: Annotated[MapKind, typer.Option("--kind")] = MapKind.skill,
    top: TopOption = 5,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Map sentences (job ads, learning outcomes) to ESCO skills or occupations."""
    items = list(texts or [])
    if file is not None:
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInputError(f"cannot read {file}: {e}", details={"field": "file"}) from e
        items += [
            line.strip().lstrip("-*•").strip() for line in content.splitlines() if line.strip()
        ]
    with _runtime() as runtime:
        mapped = map_texts(
            runtime.store, runtime.embedder, items, kind=NodeKind(kind.value), top=top, lang=lang
        )
    public = MatchResultsPublic(results=[MappedTextPublic.from_domain(m) for m in mapped])
    if as_json:
        _emit_json(public)
    else:
        for result in public.results:
            _print_matches(result.matches, result.text)


@app.command()
def concept(
    uri: Annotated[str, typer.Argument(help="The concept's IRI")],
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a concept with its labels and relations."""
    with _runtime() as runtime:
        detail = ConceptPublic.from_domain(
            concept_detail(runtime.store, uri, lang=lang or "en"), lang=lang or "en"
        )
    if as_json:
        _emit_json(detail)
        return
    out.print(
        f"[bold]{detail.label}[/bold] "
        f"({detail.kind}, {detail.framework} {detail.framework_version or ''})"
    )
    out.print(detail.uri)
    if detail.descriptions:
        out.print(detail.descriptions.get(lang or "en") or next(iter(detail.descriptions.values())))
    for related in detail.related[:50]:
        arrow = "->" if related.direction == "out" else "<-"
        out.print(f"  {related.relation} {arrow} {related.label}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """Run the HTTP API (and web pages) on the configured store."""
    import uvicorn

    from api.main import create_app

    overrides: dict[str, object] = {}
    if _state.store_url:
        overrides["store"] = _state.store_url
    uvicorn.run(create_app(load_settings(**overrides)), host=host, port=port)


def _exit_status(error: CredwalkError) -> int:
    for cls in type(error).__mro__:
        if cls in EXIT_STATUS:
            return EXIT_STATUS[cls]
    return 1


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; credwalk errors print one clear line (JSON with --json) and set the status."""
    try:
        app(args=argv, standalone_mode=False)
    except CredwalkError as e:
        if "--json" in (argv if argv is not None else sys.argv):
            sys.stdout.write(
                json.dumps({"error": {"code": e.code, "message": e.message, "details": e.details}})
                + "\n"
            )
        err.print(f"[red]error[/red] ({e.code}): {e.message}", highlight=False, soft_wrap=True)
        raise SystemExit(_exit_status(e)) from None
    except typer.Exit as e:
        raise SystemExit(e.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except Exception as e:  # click usage errors come through here in non-standalone mode
        import click

        if isinstance(e, click.ClickException):
            e.show()
            raise SystemExit(e.exit_code) from None
        raise


if __name__ == "__main__":
    main()
