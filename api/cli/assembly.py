"""Commands of the Assembly: ask, list and read questions, answer, vote, accept, verify, moderate.

``ask``, ``questions``, ``question`` and ``answer`` are top-level (the everyday ones); the rest
are under ``credwalk assembly``. Posts are named by their short ids (``q…``, ``a…``), as in
the API; ``--json`` prints the API's schema. The services decide who may do what: run them
``--as`` a user to act with that user's roles (the store's operator is an administrator).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli.common import Commands, actor, add_json, add_top, emit_json, out, runtime, validate

if TYPE_CHECKING:
    from api.runtime import Runtime
    from api.schemas.assembly import AnswerPublic, QuestionPublic, ThreadPublic

__all__ = ["register"]

OUTCOMES = ("full", "partial", "conditional")
VOTES = {"up": 1, "down": -1, "none": 0}


def _add_text(parser: argparse.ArgumentParser, what: str, *, required: bool = True) -> None:
    text = parser.add_mutually_exclusive_group(required=required)
    text.add_argument("--body", help=f"the {what} (markdown)")
    text.add_argument("--file", type=Path, help=f"read the {what} (markdown) from this file")


def register(commands: Commands) -> None:
    """Add ``ask``, ``questions``, ``question``, ``answer`` and the ``assembly`` group."""
    ask = commands.command("ask", run_ask, help="Ask the Assembly a question about graph nodes.")
    ask.add_argument("--title", required=True, help="the question, in one line")
    _add_text(ask, "details")
    ask.add_argument(
        "--about",
        action="append",
        required=True,
        metavar="URI",
        help="a skill, occupation, credential or decision IRI, or a jurisdiction code; repeatable",
    )
    add_json(ask)
    listing = commands.command("questions", run_questions, help="The newest questions on a node.")
    listing.add_argument("--about", required=True, metavar="URI", help="the node's IRI")
    add_top(listing, 20)
    add_json(listing)
    thread = commands.command("question", run_question, help="A question and its answers.")
    thread.add_argument("question", metavar="ID", help="the question's id (q…)")
    add_json(thread)
    answer = commands.command("answer", run_answer, help="Answer a question.")
    answer.add_argument("question", metavar="ID", help="the question's id (q…)")
    _add_text(answer, "answer")
    add_json(answer)
    _register_group(commands.group("assembly", help="Votes, acceptance, verification, moderation."))


def _register_group(group: Commands) -> None:
    vote = group.command("vote", run_vote, help="Vote on an answer (one vote per user).")
    vote.add_argument("answer", metavar="ID", help="the answer's id (a…)")
    vote.add_argument("value", choices=sorted(VOTES), help="up, down, or none to take it back")
    accept = group.command("accept", run_accept, help="Accept an answer to your question.")
    accept.add_argument("answer", metavar="ID", help="the answer's id (a…)")
    verify = group.command("verify", run_verify, help="Mark an answer verified (advisor, mentor).")
    verify.add_argument("answer", metavar="ID", help="the answer's id (a…)")
    verify.add_argument("--note", help="why it is right")
    report = group.command("report", run_report, help="Report a post to the moderators.")
    hide = group.command("hide", run_hide, help="Hide a post (a moderator).")
    for parser in (report, hide):
        parser.add_argument("post", metavar="ID", help="the post's id (q… or a…)")
        parser.add_argument("--reason", required=True, help="why")
    show = group.command("show", run_show, help="Show a hidden post again (a moderator).")
    show.add_argument("post", metavar="ID", help="the post's id (q… or a…)")
    edit = group.command("edit", run_edit, help="Edit your post; the earlier text is kept.")
    edit.add_argument("post", metavar="ID", help="the post's id (q… or a…)")
    edit.add_argument("--title", help="a question's new title")
    _add_text(edit, "new text")
    decide = group.command(
        "decide",
        run_decide,
        help="Record a recognition decision citing a verified answer (an advisor).",
    )
    decide.add_argument("answer", metavar="ID", help="the verified answer's id (a…)")
    decide.add_argument("--authority", required=True, help="the authority's IRI")
    decide.add_argument("--credential", required=True, help="a credential the question is about")
    decide.add_argument("--outcome", required=True, choices=OUTCOMES)
    decide.add_argument("--to", dest="to_jurisdiction", required=True, help="where recognised")
    decide.add_argument("--credits", type=float, help="credits granted")
    decide.add_argument("--credit-unit", default="ECTS")
    decide.add_argument("--condition", action="append", help="a condition; repeatable")
    decide.add_argument("--note")
    for parser in (vote, accept, verify, report, hide, show, edit, decide):
        add_json(parser)


def _text(args: argparse.Namespace) -> str:
    if args.file is None:
        return str(args.body)
    from graph.errors import InvalidInputError

    try:
        return str(args.file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInputError(f"cannot read {args.file}: {e}", details={"field": "file"}) from e


def _iri(rt: Runtime, post_id: str, kind: Any = None) -> Any:
    from graph.services.assembly.posts import post_iri

    return post_iri(post_id, base_iri=rt.settings.base_iri, kind=kind)


def _limits(rt: Runtime) -> Any:
    from graph.model.assembly import PostLimits

    return PostLimits(posts=rt.settings.assembly_posts_per_hour, window_seconds=3600)


def _who(iri: str) -> str:
    return iri.rpartition("/")[2]


def _print_question(q: QuestionPublic) -> None:
    flags = " [hidden]" if q.hidden else ""
    out.print(f"[bold]{q.title}[/bold]  ({q.id}){flags}", highlight=False)
    out.print(f"asked by {_who(q.author)} on {q.created_at[:10]}", highlight=False)
    for uri in q.about:
        out.print(f"  about {uri}", highlight=False)
    if q.jurisdiction:
        out.print(f"  in {q.jurisdiction}", highlight=False)


def _print_answer(a: AnswerPublic, thread: ThreadPublic) -> None:
    flags = []
    if thread.question.verified and thread.question.verified.answer == a.iri:
        flags.append(f"verified by {_who(thread.question.verified.by)}")
    if thread.question.accepted == a.iri:
        flags.append("accepted")
    if a.hidden:
        flags.append("hidden")
    extra = f" [{', '.join(flags)}]" if flags else ""
    out.print(f"\n{a.id}  score {a.score}, by {_who(a.author)}{extra}", highlight=False)
    out.print(a.body, markup=False, highlight=False)


def _emit(public: Any, args: argparse.Namespace, text: str) -> None:
    if args.as_json:
        emit_json(public)
    else:
        out.print(text, markup=False, highlight=False)


def run_ask(args: argparse.Namespace) -> None:
    """Ask a question."""
    from api.schemas.assembly import QuestionCreate, QuestionPublic
    from graph.services.assembly.posts import ask_question

    body = _text(args)
    request = validate(QuestionCreate, {"title": args.title, "body": body, "about": args.about})
    with runtime() as rt:
        question = ask_question(
            rt.store,
            actor=actor(),
            title=request.title,
            body=request.body,
            about=request.about,
            reference=rt.reference,
            base_iri=rt.settings.base_iri,
            limits=_limits(rt),
        )
    public = QuestionPublic.from_domain(question)
    _emit(public, args, f"asked {public.id}")


def run_questions(args: argparse.Namespace) -> None:
    """List the newest questions about a node."""
    from api.schemas.assembly import QuestionPublic, QuestionsPublic
    from graph.services.assembly.posts import node_questions

    with runtime() as rt:
        found = node_questions(rt.store, args.about, actor=actor(), limit=args.top)
    public = QuestionsPublic(questions=[QuestionPublic.from_domain(q) for q in found])
    if args.as_json:
        emit_json(public)
        return
    for q in public.questions:
        out.print(f"{q.id}  {q.created_at[:10]}  {q.title}", markup=False, highlight=False)
    if not public.questions:
        out.print(f"no question about {args.about}", markup=False, highlight=False)


def run_question(args: argparse.Namespace) -> None:
    """Print a question and its answers."""
    from api.schemas.assembly import AnswerPublic, QuestionPublic, ThreadPublic
    from graph.model.concepts import NodeKind
    from graph.services.assembly.posts import get_thread

    with runtime() as rt:
        _, iri = _iri(rt, args.question, NodeKind.QUESTION)
        found = get_thread(rt.store, iri, actor=actor())
    public = ThreadPublic(
        question=QuestionPublic.from_domain(found.question),
        answers=[AnswerPublic.from_domain(a) for a in found.answers],
    )
    if args.as_json:
        emit_json(public)
        return
    _print_question(public.question)
    out.print(public.question.body, markup=False, highlight=False)
    for a in public.answers:
        _print_answer(a, public)


def run_answer(args: argparse.Namespace) -> None:
    """Answer a question."""
    from api.schemas.assembly import AnswerCreate, AnswerPublic
    from graph.model.concepts import NodeKind
    from graph.services.assembly.posts import answer_question

    request = validate(AnswerCreate, {"body": _text(args)})
    with runtime() as rt:
        _, iri = _iri(rt, args.question, NodeKind.QUESTION)
        posted = answer_question(
            rt.store,
            actor=actor(),
            question=iri,
            body=request.body,
            base_iri=rt.settings.base_iri,
            limits=_limits(rt),
        )
    public = AnswerPublic.from_domain(posted)
    _emit(public, args, f"answered {public.id}")


def run_vote(args: argparse.Namespace) -> None:
    """Vote on an answer."""
    from api.schemas.assembly import AnswerPublic
    from graph.model.concepts import NodeKind
    from graph.services.assembly.posts import vote

    with runtime() as rt:
        _, iri = _iri(rt, args.answer, NodeKind.ANSWER)
        public = AnswerPublic.from_domain(
            vote(rt.store, iri, actor=actor(), value=VOTES[args.value])
        )
    _emit(public, args, f"{public.id}: score {public.score} ({public.votes} votes)")


def run_accept(args: argparse.Namespace) -> None:
    """Accept an answer."""
    from api.schemas.assembly import QuestionPublic
    from graph.model.concepts import NodeKind
    from graph.services.assembly.posts import accept_answer

    with runtime() as rt:
        _, iri = _iri(rt, args.answer, NodeKind.ANSWER)
        public = QuestionPublic.from_domain(accept_answer(rt.store, iri, actor=actor()))
    _emit(public, args, f"{public.id}: accepted {args.answer}")


def run_verify(args: argparse.Namespace) -> None:
    """Mark an answer verified."""
    from api.schemas.assembly import QuestionPublic
    from graph.model.concepts import NodeKind
    from graph.services.assembly.posts import verify_answer

    with runtime() as rt:
        _, iri = _iri(rt, args.answer, NodeKind.ANSWER)
        question = verify_answer(rt.store, iri, actor=actor(), note=args.note)
    public = QuestionPublic.from_domain(question)
    role = public.verified.role if public.verified else ""
    _emit(public, args, f"{public.id}: {args.answer} verified (as {role})")


def _state(post: Any) -> Any:
    from api.schemas.assembly import PostStatePublic

    return PostStatePublic(
        id=_who(post.id), reports=len(post.reports), hidden=post.hidden is not None
    )


def run_report(args: argparse.Namespace) -> None:
    """Report a post."""
    from graph.services.assembly.posts import report_post

    with runtime() as rt:
        kind, iri = _iri(rt, args.post)
        public = _state(report_post(rt.store, iri, kind, actor=actor(), reason=args.reason))
    _emit(public, args, f"{public.id}: {public.reports} reports, hidden: {public.hidden}")


def _set_hidden(args: argparse.Namespace, *, hidden: bool) -> None:
    from graph.services.assembly.posts import set_hidden

    with runtime() as rt:
        kind, iri = _iri(rt, args.post)
        reason = getattr(args, "reason", "") or ""
        changed = set_hidden(rt.store, iri, kind, actor=actor(), hidden=hidden, reason=reason)
    public = _state(changed)
    _emit(public, args, f"{public.id}: {'hidden' if public.hidden else 'shown'}")


def run_hide(args: argparse.Namespace) -> None:
    """Hide a post."""
    _set_hidden(args, hidden=True)


def run_show(args: argparse.Namespace) -> None:
    """Show a hidden post again."""
    _set_hidden(args, hidden=False)


def run_edit(args: argparse.Namespace) -> None:
    """Edit a post."""
    from api.schemas.assembly import AnswerPublic, QuestionPublic
    from graph.model.assembly import Question
    from graph.services.assembly.posts import edit_post

    body = _text(args)
    with runtime() as rt:
        kind, iri = _iri(rt, args.post)
        edited = edit_post(rt.store, iri, kind, actor=actor(), body=body, title=args.title)
    public: Any = (
        QuestionPublic.from_domain(edited)
        if isinstance(edited, Question)
        else AnswerPublic.from_domain(edited)
    )
    _emit(public, args, f"{public.id}: edited ({len(public.history)} earlier texts kept)")


def run_decide(args: argparse.Namespace) -> None:
    """Record a recognition decision citing a verified answer."""
    from api.schemas.equivalence import RecognitionCreate, RecognitionPublic
    from graph.model.concepts import NodeKind
    from graph.services.assembly.decisions import decide_from_answer

    credits = None if args.credits is None else {"value": args.credits, "unit": args.credit_unit}
    request = validate(
        RecognitionCreate,
        {
            "authority": args.authority,
            "credential": args.credential,
            "outcome": args.outcome,
            "to_jurisdiction": args.to_jurisdiction,
            "credits": credits,
            "conditions": args.condition or [],
            "note": args.note,
        },
    )
    with runtime() as rt:
        _, iri = _iri(rt, args.answer, NodeKind.ANSWER)
        decision = decide_from_answer(
            rt.store,
            iri,
            request.to_domain(),
            actor=actor(),
            reference=rt.reference,
            base_iri=rt.settings.base_iri,
        )
    public = RecognitionPublic.from_domain(decision)
    _emit(public, args, f"recorded {public.id} (source {public.source})")
