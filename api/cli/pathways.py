"""Commands of learners: ``pathway``, ``transitions`` and ``learner save|show|assess|gaps``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli.common import Commands, actor, add_json, bounded_int, emit_json, out, runtime

if TYPE_CHECKING:
    from api.schemas.pathways import PathwaysPublic
    from graph.model.learners import Learner
    from graph.reference import ReferenceData
    from graph.store import GraphStore

__all__ = ["read_learner_file", "register"]

_TARGET_HELP = "occupation:URI, credential:ID or skills:URI[@LEVEL][,URI[@LEVEL]...]"


def register(commands: Commands) -> None:
    """Add ``pathway``, ``transitions`` and the ``learner`` group."""
    pathway = commands.command(
        "pathway",
        run_pathway,
        help="The pathway of credentials that gets a learner to a target, with alternatives.",
    )
    pathway.add_argument(
        "--learner", required=True, help="a learner file (JSON/YAML) or a stored learner's IRI"
    )
    pathway.add_argument("--target", required=True, help=_TARGET_HELP)
    pathway.add_argument("--jurisdiction", help="recognised where (default: the learner's)")
    pathway.add_argument("--objective", choices=("cost", "hours"), default="cost")
    pathway.add_argument("--max-cost", type=float, help="budget")
    pathway.add_argument("--max-hours", type=float)
    pathway.add_argument("--max-eqf-level", type=int)
    pathway.add_argument("--language", help="delivery language")
    pathway.add_argument("--alternatives", type=bounded_int(1, 20), default=3)
    pathway.add_argument("--method", choices=("auto", "exact", "heuristic"), default="auto")
    pathway.add_argument(
        "--partial", action="store_true", help="list skills nothing covers instead of failing"
    )
    pathway.add_argument("--currency", default="EUR")
    add_json(pathway)

    transitions = commands.command(
        "transitions",
        run_transitions,
        help="Occupations within reach of one, by skill overlap, with the pathways that close "
        "the gap.",
    )
    transitions.add_argument("occupation", metavar="OCCUPATION", help="the current occupation")
    transitions.add_argument("--top", type=bounded_int(1, 50), default=10)
    transitions.add_argument("--pathways", type=bounded_int(0, 10), default=3)
    transitions.add_argument("--jurisdiction")
    add_json(transitions)
    _register_learner(commands.group("learner", help="Store learners, import assessments, gaps."))


def _register_learner(learner: Commands) -> None:
    save = learner.command(
        "save", run_learner_save, help="Create or replace a learner from a file."
    )
    save.add_argument("file", type=Path, metavar="FILE", help="a learner file (JSON/YAML)")
    add_json(save)
    show = learner.command(
        "show", run_learner_show, help="Show a learner with its competence scores today."
    )
    show.add_argument("learner_id", metavar="LEARNER", help="the learner's IRI")
    add_json(show)
    assess = learner.command(
        "assess",
        run_learner_assess,
        help="Import multi-level assessment results; assessed competences are re-derived.",
    )
    assess.add_argument("learner_id", metavar="LEARNER", help="the learner's IRI")
    assess.add_argument("file", type=Path, metavar="FILE", help="results (JSON/YAML objects)")
    add_json(assess)
    gaps = learner.command(
        "gaps",
        run_learner_gaps,
        help="What a learner covers of a target, what is partial (and how), what is missing.",
    )
    gaps.add_argument("learner", metavar="LEARNER", help="a learner file or a stored IRI")
    gaps.add_argument("--target", required=True, help=_TARGET_HELP)
    add_json(gaps)


def _documents(file: Path) -> list[dict[str, Any]]:
    from graph.errors import InvalidInputError
    from ingest.credentials.documents import read_source_documents

    documents = [d.value for d in read_source_documents(file)]
    if not all(isinstance(d, dict) for d in documents):
        raise InvalidInputError(f"{file}: expected JSON or YAML objects", details={"field": "file"})
    return documents


def read_learner_file(file: Path) -> Learner:
    """Read one learner of the project's own format from a JSON or YAML file.

    Raises
    ------
    InvalidInputError
        When the file holds no learner, several, or one with a wrong field.
    """
    from graph.errors import InvalidInputError
    from graph.model.learner_documents import learner_from_document

    documents = _documents(file)
    if len(documents) != 1:
        raise InvalidInputError(
            f"{file}: expected one learner, found {len(documents)} records",
            details={"field": "file"},
        )
    return learner_from_document(documents[0])


def _learner(store: GraphStore, reference: ReferenceData, learner: str) -> Learner:
    """A learner file (checked, not stored) or a stored learner's IRI."""
    from graph.model.accounts import ConsentScope
    from graph.services.pathways.learners import check_learner, get_learner

    path = Path(learner)
    if path.is_file():
        return check_learner(store, read_learner_file(path), reference=reference)
    return get_learner(store, learner, actor=actor(), scope=ConsentScope.PATHWAYS)


def run_pathway(args: argparse.Namespace) -> None:
    """Find a learner's pathways."""
    from api.schemas.pathways import PathwaysPublic
    from graph.algorithms.pathways import Constraints, Method, Objective
    from graph.services.pathways.planning import PathwayRequest, find_pathways
    from graph.services.pathways.targets import parse_target

    request = PathwayRequest(
        constraints=Constraints(
            max_cost=args.max_cost,
            max_hours=args.max_hours,
            max_eqf_level=args.max_eqf_level,
            jurisdiction=args.jurisdiction,
            language=args.language,
        ),
        objective=Objective(1.0, 0.0) if args.objective == "cost" else Objective(0.0, 1.0),
        alternatives=args.alternatives,
        method=Method(args.method),
        allow_partial=args.partial,
        currency=args.currency.upper(),
    )
    with runtime() as rt:
        report = find_pathways(
            rt.store,
            learner=_learner(rt.store, rt.reference, args.learner),
            target=parse_target(args.target),
            reference=rt.reference,
            request=request,
            embedder=rt.embedder,
        )
    public = PathwaysPublic.from_domain(report)
    if args.as_json:
        emit_json(public)
    else:
        _print_pathways(public)


def _print_pathways(public: PathwaysPublic) -> None:
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


def run_transitions(args: argparse.Namespace) -> None:
    """Rank the occupations within reach of one."""
    from api.schemas.pathways import TransitionsPublic
    from graph.algorithms.pathways import Constraints
    from graph.services.pathways.planning import PathwayRequest
    from graph.services.pathways.transitions import transitions_from

    request = PathwayRequest(
        constraints=Constraints(jurisdiction=args.jurisdiction), alternatives=1
    )
    with runtime() as rt:
        report = transitions_from(
            rt.store,
            args.occupation,
            reference=rt.reference,
            embedder=rt.embedder,
            top=args.top,
            request=request,
            with_pathways=args.pathways,
        )
    public = TransitionsPublic.from_domain(report)
    if args.as_json:
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


def run_learner_save(args: argparse.Namespace) -> None:
    """Create or replace a learner."""
    import datetime as dt

    from api.schemas.learners import LearnerPublic
    from graph.services.pathways.learners import save_learner

    with runtime() as rt:
        saved = save_learner(
            rt.store, read_learner_file(args.file), actor=actor(), reference=rt.reference
        )
    public = LearnerPublic.from_domain(
        saved.learner, as_of=dt.date.today(), unresolved=saved.unresolved
    )
    if args.as_json:
        emit_json(public)
    else:
        out.print(f"saved {public.id} with {len(public.competences)} competences")


def run_learner_show(args: argparse.Namespace) -> None:
    """Show a learner."""
    import datetime as dt

    from api.schemas.learners import LearnerPublic
    from graph.services.pathways.learners import get_learner

    with runtime() as rt:
        learner = get_learner(rt.store, args.learner_id, actor=actor())
    public = LearnerPublic.from_domain(learner, as_of=dt.date.today())
    if args.as_json:
        emit_json(public)
        return
    out.print(f"[bold]{public.id}[/bold] ({public.jurisdiction} -> {public.target_jurisdiction})")
    for c in public.competences:
        score = "any" if c.score is None else f"{c.score:.2f}"
        out.print(f"  {c.skill} level {c.level} ({c.source}, score {score})", highlight=False)


def run_learner_assess(args: argparse.Namespace) -> None:
    """Import assessment results."""
    import datetime as dt

    from api.schemas.learners import LearnerPublic
    from graph.model.learner_documents import assessment_result_from_document
    from graph.services.pathways.learners import import_assessments

    results = [
        assessment_result_from_document(d, field=f"results[{i}]")
        for i, d in enumerate(_documents(args.file))
    ]
    with runtime() as rt:
        learner = import_assessments(rt.store, args.learner_id, results, actor=actor())
    public = LearnerPublic.from_domain(learner, as_of=dt.date.today())
    if args.as_json:
        emit_json(public)
    else:
        out.print(f"{len(results)} results imported; {len(public.competences)} competences")


def run_learner_gaps(args: argparse.Namespace) -> None:
    """Analyse a learner's gap to a target."""
    from api.schemas.learners import GapsPublic
    from graph.services.pathways.planning import gap_analysis
    from graph.services.pathways.targets import parse_target

    with runtime() as rt:
        report = gap_analysis(
            rt.store,
            learner=_learner(rt.store, rt.reference, args.learner),
            target=parse_target(args.target),
            embedder=rt.embedder,
        )
    public = GapsPublic.from_domain(report)
    if args.as_json:
        emit_json(public)
        return
    out.print(f"[bold]{public.target.label}[/bold] for {public.learner}")
    for name, items in (("covered", public.covered), ("partial", public.partial)):
        for item in items:
            how = item.evidence[0].source if item.evidence else item.related[0].basis
            out.print(f"  {name:8} {item.label} ({how})", highlight=False)
    for item in public.missing:
        out.print(f"  missing  {item.label}", highlight=False)
