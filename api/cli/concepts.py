"""Commands over concepts: search, map, concept."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import (
    JsonOption,
    LangOption,
    TopOption,
    app,
    emit_json,
    out,
    print_matches,
    runtime,
)
from api.schemas.concepts import ConceptPublic, MappedTextPublic, MatchPublic, MatchResultsPublic
from graph.errors import InvalidInputError
from graph.model.concepts import NodeKind
from graph.services.concepts import concept_detail, map_texts, search_concepts

__all__ = ["concept", "map_command", "search"]


class SearchKind(StrEnum):
    """What to search."""

    skills = "skills"
    occupations = "occupations"


class MapKind(StrEnum):
    """What to map texts to."""

    skill = "skill"
    occupation = "occupation"


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
    with runtime() as rt:
        matches = search_concepts(rt.store, rt.embedder, query, kind=node_kind, top=top, lang=lang)
    public = [MatchPublic.from_domain(m) for m in matches]
    if as_json:
        emit_json(
            {"query": query, "kind": node_kind.value, "results": [m.model_dump() for m in public]}
        )
    else:
        print_matches(public, f"{kind.value} for {query!r}")


def read_lines(file: Path) -> list[str]:
    """The non-empty lines of a text file, without list bullets (a syllabus, a job ad)."""
    try:
        content = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"cannot read {file}: {e}", details={"field": "file"}) from e
    return [line.strip().lstrip("-*•").strip() for line in content.splitlines() if line.strip()]


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
    items = list(texts or []) + (read_lines(file) if file is not None else [])
    with runtime() as rt:
        mapped = map_texts(
            rt.store, rt.embedder, items, kind=NodeKind(kind.value), top=top, lang=lang
        )
    public = MatchResultsPublic(results=[MappedTextPublic.from_domain(m) for m in mapped])
    if as_json:
        emit_json(public)
    else:
        for result in public.results:
            print_matches(result.matches, result.text)


@app.command()
def concept(
    uri: Annotated[str, typer.Argument(help="The concept's IRI")],
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a concept with its labels and relations."""
    with runtime() as rt:
        detail = ConceptPublic.from_domain(
            concept_detail(rt.store, uri, lang=lang or "en"), lang=lang or "en"
        )
    if as_json:
        emit_json(detail)
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
