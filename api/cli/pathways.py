"""Commands of learners: ``pathway``, ``transitions`` and ``learner save|show|assess|gaps``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import JsonOption, app, emit_json, out, runtime
from api.routes.learners import similarity_embedder
from api.schemas.learners import GapsPublic, LearnerPublic
from api.schemas.pathways import PathwaysPublic, TransitionsPublic
from graph.algorithms.pathways import Constraints, Method, Objective
from graph.errors import InvalidInputError
from graph.model.learner_documents import assessment_result_from_document, learner_from_document
from graph.model.learners import Learner
from graph.reference import ReferenceData
from graph.services.pathways.learners import (
    check_learner,
    get_learner,
    import_assessments,
    save_learner,
)
from graph.services.pathways.planning import PathwayRequest, find_pathways, gap_analysis
from graph.services.pathways.targets import parse_target
from graph.services.pathways.transitions import transitions_from
from graph.store import GraphStore
from ingest.credentials import read_source_documents

__all__ = ["learner_app", "pathway", "transitions"]

learner_app = typer.Typer(
    help="Store learners, import assessments, show gaps.", no_args_is_help=True
)
app.add_typer(learner_app, name="learner")


class ObjectiveName(StrEnum):
    """What a pathway minimises."""

    cost = "cost"
    hours = "hours"


class MethodName(StrEnum):
    """How pathways are found."""

    auto = "auto"
    exact = "exact"
    heuristic = "heuristic"


TargetOption = Annotated[
    str,
    typer.Option(
        "--target", help="occupation:URI, credential:ID or skills:URI[@LEVEL][,URI[@LEVEL]...]"
    ),
]


def _documents(file: Path) -> list[dict[str, object]]:
    documents = [d.value for d in read_source_documents(file)]
    if not all(isinstance(d, dict) for d in documents):
        raise InvalidInputError(f"{file}: expected JSON or YAML objects", details={"field": "file"})
    return documents


def read_learner_file(file: Path) -> Learner:
    """Read one learner of the project's own format from a JSON or YAML file."""
    documents = _documents(file)
    if len(documents) != 1:
        raise InvalidInputError(
            f"{file}: expected one learner, found {len(documents)} records",
            details={"field": "file"},
        )
    return learner_from_document(documents[0])


def _learner(store: GraphStore, reference: ReferenceData, learner: str) -> Learner:
    """A learner file (checked, not stored) or a stored learner's IRI."""
    path = Path(learner)
    if path.is_file():
        return check_learner(store, read_learner_file(path), reference=reference)
    return get_learner(store, learner)


@app.command()
def pathway(
    learner: Annotated[
        str, typer.Option("--learner", help="A learner file (JSON/YAML) or a stored learner's IRI")
    ],
    target: TargetOption,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="Recognised where (default: learner's)")
    ] = None,
    objective: Annotated[ObjectiveName, typer.Option("--objective")] = ObjectiveName.cost,
    max_cost: Annotated[float | None, typer.Option("--max-cost", help="Budget")] = None,
    max_hours: Annotated[float | None, typer.Option("--max-hours")] = None,
    max_eqf_level: Annotated[int | None, typer.Option("--max-eqf-level")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Delivery language")] = None,
    alternatives: Annotated[int, typer.Option("--alternatives", min=1, max=20)] = 3,
    method: Annotated[MethodName, typer.Option("--method")] = MethodName.auto,
    partial: Annotated[
        bool, typer.Option("--partial", help="List skills nothing covers instead of failing")
    ] = False,
    currency: Annotated[str, typer.Option("--currency")] = "EUR",
    as_json: JsonOption = False,
) -> None:
    """The pathway of credentials that gets a learner to a target, with alternatives."""
    request = PathwayRequest(
        constraints=Constraints(
            max_cost=max_cost,
            max_hours=max_hours,
            max_eqf_level=max_eqf_level,
            jurisdiction=jurisdiction,
            language=language,
        ),
        objective=Objective(1.0, 0.0) if objective is ObjectiveName.cost else Objective(0.0, 1.0),
        alternatives=alternatives,
        method=Method(method.value),
        allow_partial=partial,
        currency=currency.upper(),
    )
    with runtime() as rt:
        report = find_pathways(
            rt.store,
            learner=_learner(rt.store, rt.reference, learner),
            target=parse_target(target),
            reference=rt.reference,
            request=request,
            embedder=similarity_embedder(rt.store, rt.embedder),
        )
    public = PathwaysPublic.from_domain(report)
    if as_json:
        emit_json(public)
        return
    gap = public.gap
    out.print(
        f"[bold]{gap.target.label}[/bold] for {public.learner}: {len(gap.covered)} covered, "
        f"{len(gap.partial)} partial, {len(gap.missing)} missing; "
        f"{public.candidates} candidate credentials"
        + (f" recognised in {public.jurisdiction}" if public.jurisdiction else "")
    )
    for i, item in enumerate(public.pathways, 1):
        out.print(f"\n[bold]Pathway {i}[/bold]: {item.explanation}")
        for step in item.steps:
            out.print(f"  {step.explanation}", highlight=False)
        ramps = [
            f"{o.credential.rsplit('/', 1)[-1]} -> "
            + ", ".join(f"{f.label} ({f.coverage:.0%})" for f in o.occupations)
            for o in item.offramps
            if o.occupations
        ]
        if ramps:
            out.print("  off-ramps: " + "; ".join(ramps), highlight=False)


@app.command()
def transitions(
    occupation: Annotated[str, typer.Argument(help="The current occupation's IRI")],
    top: Annotated[int, typer.Option("--top", min=1, max=50)] = 10,
    pathways: Annotated[int, typer.Option("--pathways", min=0, max=10)] = 3,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction")] = None,
    as_json: JsonOption = False,
) -> None:
    """Occupations within reach of one, by skill overlap, with the pathways that close the gap."""
    request = PathwayRequest(constraints=Constraints(jurisdiction=jurisdiction), alternatives=1)
    with runtime() as rt:
        report = transitions_from(
            rt.store,
            occupation,
            reference=rt.reference,
            embedder=similarity_embedder(rt.store, rt.embedder),
            top=top,
            request=request,
            with_pathways=pathways,
        )
    public = TransitionsPublic.from_domain(report)
    if as_json:
        emit_json(public)
        return
    out.print(f"[bold]From {public.label}[/bold] ({public.candidates} candidates; {public.method})")
    for i, t in enumerate(public.transitions, 1):
        out.print(
            f"{i:>2}. {t.score:.3f} {t.label}: {len(t.matched)} matched, {len(t.partial)} partial,"
            f" {len(t.missing)} missing ({len(t.missing_essential)} essential)",
            highlight=False,
        )
        if t.pathway is not None:
            out.print(f"    pathway: {t.pathway.explanation}", highlight=False)


@learner_app.command("save")
def learner_save(
    file: Annotated[Path, typer.Argument(help="A learner file (JSON/YAML, own format)")],
    as_json: JsonOption = False,
) -> None:
    """Create or replace a learner from a file."""
    with runtime() as rt:
        saved = save_learner(rt.store, read_learner_file(file), reference=rt.reference)
    public = LearnerPublic.from_domain(
        saved.learner, as_of=dt.date.today(), unresolved=saved.unresolved
    )
    if as_json:
        emit_json(public)
    else:
        out.print(f"saved {public.id} with {len(public.competences)} competences")


@learner_app.command("show")
def learner_show(
    learner_id: Annotated[str, typer.Argument(help="The learner's IRI")],
    as_json: JsonOption = False,
) -> None:
    """Show a learner with its competence scores today."""
    with runtime() as rt:
        public = LearnerPublic.from_domain(get_learner(rt.store, learner_id), as_of=dt.date.today())
    if as_json:
        emit_json(public)
        return
    out.print(f"[bold]{public.id}[/bold] ({public.jurisdiction} -> {public.target_jurisdiction})")
    for c in public.competences:
        score = "any" if c.score is None else f"{c.score:.2f}"
        out.print(f"  {c.skill} level {c.level} ({c.source}, score {score})", highlight=False)


@learner_app.command("assess")
def learner_assess(
    learner_id: Annotated[str, typer.Argument(help="The learner's IRI")],
    file: Annotated[Path, typer.Argument(help="Assessment results (JSON/YAML objects)")],
    as_json: JsonOption = False,
) -> None:
    """Import multi-level assessment results; assessed competences are re-derived."""
    results = [
        assessment_result_from_document(d, field=f"results[{i}]")
        for i, d in enumerate(_documents(file))
    ]
    with runtime() as rt:
        learner = import_assessments(rt.store, learner_id, results)
    public = LearnerPublic.from_domain(learner, as_of=dt.date.today())
    if as_json:
        emit_json(public)
    else:
        out.print(f"{len(results)} results imported; {len(public.competences)} competences")


@learner_app.command("gaps")
def learner_gaps(
    learner: Annotated[str, typer.Argument(help="A learner file or a stored learner's IRI")],
    target: TargetOption,
    as_json: JsonOption = False,
) -> None:
    """What a learner covers of a target, what is partial (and how), what is missing."""
    with runtime() as rt:
        report = gap_analysis(
            rt.store,
            learner=_learner(rt.store, rt.reference, learner),
            target=parse_target(target),
            embedder=similarity_embedder(rt.store, rt.embedder),
        )
    public = GapsPublic.from_domain(report)
    if as_json:
        emit_json(public)
        return
    out.print(f"[bold]{public.target.label}[/bold] for {public.learner}")
    for name, items in (("covered", public.covered), ("partial", public.partial)):
        for item in items:
            how = item.evidence[0].source if item.evidence else item.related[0].basis
            out.print(f"  {name:8} {item.label} ({how})", highlight=False)
    for item in public.missing:
        out.print(f"  missing  {item.label}", highlight=False)
