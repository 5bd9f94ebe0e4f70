"""Commands over concepts: ``search``, ``map``, ``concept``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.common import (
    Commands,
    add_json,
    add_lang,
    add_top,
    emit_json,
    out,
    print_matches,
    read_lines,
    runtime,
)

if TYPE_CHECKING:
    from graph.services.concepts import ConceptDetail

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``search``, ``map`` and ``concept``."""
    search = commands.command(
        "search", run_search, help="Search skills or occupations by every label and description."
    )
    search.add_argument("kind", choices=("skills", "occupations"), help="what to search")
    search.add_argument("query", help="words or a sentence")
    add_top(search, 10)
    add_lang(search)
    add_json(search)

    mapping = commands.command(
        "map",
        run_map,
        help="Map sentences (job ads, learning outcomes) to ESCO skills or occupations.",
    )
    mapping.add_argument("texts", nargs="*", metavar="TEXT", help="sentences to map")
    mapping.add_argument("--file", type=Path, help="one text per line (a syllabus)")
    mapping.add_argument("--kind", choices=("skill", "occupation"), default="skill")
    add_top(mapping, 5)
    add_lang(mapping)
    add_json(mapping)

    concept = commands.command(
        "concept", run_concept, help="Show a concept with its labels and relations."
    )
    concept.add_argument("uri", help="the concept's IRI")
    add_lang(concept)
    add_json(concept)


def run_search(args: argparse.Namespace) -> None:
    """Search skills or occupations."""
    from api.schemas.concepts import MatchPublic
    from graph.model.concepts import NodeKind
    from graph.services.concepts import search_concepts

    kind = NodeKind.SKILL if args.kind == "skills" else NodeKind.OCCUPATION
    with runtime() as rt:
        matches = search_concepts(
            rt.store, rt.embedder, args.query, kind=kind, top=args.top, lang=args.lang
        )
    public = [MatchPublic.from_domain(m) for m in matches]
    if args.as_json:
        emit_json(
            {"query": args.query, "kind": kind.value, "results": [m.model_dump() for m in public]}
        )
    else:
        print_matches(public, f"{args.kind} for {args.query!r}")


def run_map(args: argparse.Namespace) -> None:
    """Map texts to concepts."""
    from api.schemas.concepts import MappedTextPublic, MatchResultsPublic
    from graph.model.concepts import NodeKind
    from graph.services.concepts import map_texts

    items = list(args.texts) + (read_lines(args.file) if args.file is not None else [])
    with runtime() as rt:
        mapped = map_texts(
            rt.store, rt.embedder, items, kind=NodeKind(args.kind), top=args.top, lang=args.lang
        )
    public = MatchResultsPublic(results=[MappedTextPublic.from_domain(m) for m in mapped])
    if args.as_json:
        emit_json(public)
    else:
        for result in public.results:
            print_matches(result.matches, result.text)


def run_concept(args: argparse.Namespace) -> None:
    """Show one concept.

    The text is printed from the concept itself: only ``--json`` builds the API schema, so only
    it imports pydantic (a third of a second, most of what this command costs otherwise).
    """
    from graph.services.concepts import concept_detail

    lang = args.lang or "en"
    with runtime() as rt:
        detail = concept_detail(rt.store, args.uri, lang=lang)
    if args.as_json:
        from api.schemas.concepts import ConceptPublic

        emit_json(ConceptPublic.from_domain(detail, lang=lang))
        return
    _print_concept(detail, lang)


def _print_concept(detail: ConceptDetail, lang: str) -> None:
    """Print what ``ConceptPublic`` holds: the label, kind, framework, description, neighbours."""
    concept = detail.concept
    out.print(
        f"[bold]{concept.preferred_label(lang)}[/bold] "
        f"({concept.kind.value}, {concept.framework} {concept.framework_version or ''})"
    )
    out.print(concept.uri)
    # As ConceptPublic.descriptions: the last text in each language, in order of first sight.
    descriptions = {d.lang: d.text for d in concept.descriptions}
    if descriptions:
        out.print(descriptions.get(lang) or next(iter(descriptions.values())))
    for related in detail.related[:50]:
        arrow = "->" if related.direction == "out" else "<-"
        out.print(f"  {related.relation.value} {arrow} {related.label}")
