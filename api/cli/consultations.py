"""Commands of issuer consultation: ask a credential's issuer, answer, read, share, the inbox.

``--as USER`` acts as that user (a learner asks, the issuer's staff answer); ``--json`` prints
the API's schemas (``QuestionPublic``, ``AnswerPublic``, ``ThreadPublic``,
``ConsultationsPublic``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from api.cli.common import (
    Commands,
    actor,
    add_json,
    bounded_int,
    emit_json,
    out,
    runtime,
    validate,
)

if TYPE_CHECKING:
    from api.schemas.consultations import ConsultationsPublic
    from graph.model.assembly import PostLimits

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add the ``consult`` group: ``ask``, ``answer``, ``show``, ``share``, ``inbox``, ``mine``."""
    group = commands.group("consult", help="Questions to a credential's issuer (consultation).")
    ask = group.command("ask", run_ask, help="Ask the issuer of a credential about it.")
    ask.add_argument("credential", metavar="CREDENTIAL", help="credential IRI")
    ask.add_argument("--title", required=True, help="the question in one line")
    ask.add_argument("--body", required=True, help="details (markdown)")
    _add_sharing(ask)
    add_json(ask)
    answer = group.command("answer", run_answer, help="Answer (the asker or the issuer's staff).")
    answer.add_argument("question", metavar="QUESTION_ID", help="the question's id (q...)")
    answer.add_argument("--body", required=True, help="the answer (markdown)")
    add_json(answer)
    show = group.command("show", run_show, help="A question to an issuer and its answers.")
    show.add_argument("question", metavar="QUESTION_ID")
    add_json(show)
    share = group.command("share", run_share, help="Set who else reads it (its asker).")
    share.add_argument("question", metavar="QUESTION_ID")
    _add_sharing(share)
    add_json(share)
    inbox = group.command("inbox", run_inbox, help="The questions put to an issuer (its staff).")
    inbox.add_argument("--issuer", required=True, help="the issuer's IRI")
    inbox.add_argument("--limit", type=bounded_int(1, 200), default=50)
    add_json(inbox)
    mine = group.command("mine", run_mine, help="The questions you put to issuers.")
    mine.add_argument("--limit", type=bounded_int(1, 200), default=50)
    add_json(mine)


def _add_sharing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--share-with", action="append", default=[], metavar="USER", help="user IRI; repeatable"
    )
    parser.add_argument("--public", action="store_true", help="everyone may read it")


def run_ask(args: argparse.Namespace) -> None:
    """Ask the issuer of a credential."""
    from api.schemas.assembly import QuestionPublic
    from api.schemas.consultations import ConsultationCreate
    from graph.services.assembly.consultations import ask_issuer

    request = validate(
        ConsultationCreate,
        {
            "credential": args.credential,
            "title": args.title,
            "body": args.body,
            "public": args.public,
            "share_with": args.share_with,
        },
    )
    with runtime() as rt:
        question = ask_issuer(
            rt.store,
            actor=actor(),
            credential=request.credential,
            title=request.title,
            body=request.body,
            reference=rt.reference,
            base_iri=rt.settings.base_iri,
            public=request.public,
            share_with=request.share_with,
            limits=_limits(rt.settings.assembly_posts_per_hour),
        )
    public = QuestionPublic.from_domain(question)
    if args.as_json:
        emit_json(public)
    else:
        out.print(f"asked {public.id} about {request.credential}", highlight=False)


def _limits(per_hour: int) -> PostLimits:
    from graph.model.assembly import PostLimits

    return PostLimits(posts=per_hour, window_seconds=3600)


def _question(question_id: str, base_iri: str) -> str:
    from graph.model.concepts import NodeKind
    from graph.services.assembly.posts import post_iri

    return post_iri(question_id, base_iri=base_iri, kind=NodeKind.QUESTION)[1]


def run_answer(args: argparse.Namespace) -> None:
    """Answer a question to an issuer."""
    from api.schemas.assembly import AnswerPublic
    from graph.services.assembly.consultations import consultation_thread
    from graph.services.assembly.posts import answer_question

    with runtime() as rt:
        iri = _question(args.question, rt.settings.base_iri)
        consultation_thread(rt.store, iri, actor=actor())  # a question to an issuer only
        posted = answer_question(
            rt.store,
            actor=actor(),
            question=iri,
            body=args.body,
            base_iri=rt.settings.base_iri,
            limits=_limits(rt.settings.assembly_posts_per_hour),
        )
    public = AnswerPublic.from_domain(posted)
    if args.as_json:
        emit_json(public)
    else:
        out.print(f"answered {public.id}", highlight=False)


def run_show(args: argparse.Namespace) -> None:
    """Print a question to an issuer with its answers."""
    from api.schemas.assembly import AnswerPublic, QuestionPublic, ThreadPublic
    from graph.services.assembly.consultations import consultation_thread

    with runtime() as rt:
        found = consultation_thread(
            rt.store, _question(args.question, rt.settings.base_iri), actor=actor()
        )
    public = ThreadPublic(
        question=QuestionPublic.from_domain(found.question),
        answers=[AnswerPublic.from_domain(a) for a in found.answers],
    )
    if args.as_json:
        emit_json(public)
        return
    out.print(f"[bold]{public.question.title}[/bold]  ({public.question.author})")
    out.print(public.question.body, highlight=False, markup=False)
    for a in public.answers:
        out.print(f"- {a.author}, {a.created_at[:10]}: {a.body}", highlight=False, markup=False)


def run_share(args: argparse.Namespace) -> None:
    """Set who else reads a question to an issuer."""
    from api.schemas.assembly import QuestionPublic
    from graph.services.assembly.consultations import share_consultation

    with runtime() as rt:
        shared = share_consultation(
            rt.store,
            _question(args.question, rt.settings.base_iri),
            actor=actor(),
            public=args.public,
            share_with=args.share_with,
        )
    public = QuestionPublic.from_domain(shared)
    if args.as_json:
        emit_json(public)
    else:
        readers = "everyone" if args.public else ", ".join(args.share_with) or "nobody else"
        out.print(f"{public.id}: read by the asker, the issuer's staff and {readers}")


def _emit_list(public: ConsultationsPublic, *, as_json: bool) -> None:
    if as_json:
        emit_json(public)
        return
    for item in public.data:
        state = "answered" if item.answered else "waiting"
        q = item.question
        out.print(f"{q.id}  {q.created_at[:10]}  {state:<8}  {q.title}", highlight=False)
    if not public.data:
        out.print("no question")


def run_inbox(args: argparse.Namespace) -> None:
    """List the questions put to an issuer."""
    from api.schemas.consultations import ConsultationsPublic
    from graph.services.assembly.consultations import issuer_consultations

    with runtime() as rt:
        items = issuer_consultations(rt.store, args.issuer, actor=actor(), limit=args.limit)
    _emit_list(ConsultationsPublic.from_items(items), as_json=args.as_json)


def run_mine(args: argparse.Namespace) -> None:
    """List the questions the acting user put to issuers."""
    from api.schemas.consultations import ConsultationsPublic
    from graph.services.assembly.consultations import my_consultations

    with runtime() as rt:
        items = my_consultations(rt.store, actor=actor(), limit=args.limit)
    _emit_list(ConsultationsPublic.from_items(items), as_json=args.as_json)
