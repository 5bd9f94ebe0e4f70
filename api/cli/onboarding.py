"""``credwalk items ...`` (the onboarding item bank) and ``credwalk onboarding ...`` (a test).

Authors (``--as`` an issuer's staff or an assessor) add items from JSON files shaped like the
API's ``POST /v1/onboarding/items`` body, and list the bank with its keys. A learner (``--as``
the learner) starts a test for a target, answers the question asked now (``answer ATTEMPT
RESPONSE``: an option's number, a short answer, or a task's evidence), and reads the result;
an assessor rates a task's evidence. ``--json`` prints the API's schemas.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from api.cli.common import Commands, actor, add_json, emit_json, runtime, validate
from api.cli.proofs import read_json_file, say

if TYPE_CHECKING:
    from api.schemas.onboarding import AttemptPublic, ItemPublic

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add the ``items`` and ``onboarding`` groups."""
    items = commands.group("items", help="The onboarding item bank, keys included (authors).")
    add = items.command("add", run_items_add, help="Add items from a JSON file (one or a list).")
    add.add_argument("file", type=Path, metavar="FILE", help="JSON: an item or a list of items")
    add_json(add)
    listing = items.command("list", run_items_list, help="The bank's latest items with keys.")
    listing.add_argument("--skill", help="only the items of this skill (IRI)")
    add_json(listing)
    tests = commands.group("onboarding", help="Adaptive onboarding tests: take, answer, rate.")
    start = tests.command("start", run_start, help="Start a learner's test for a target.")
    start.add_argument("--learner", required=True, help="the learner's IRI")
    start.add_argument("--target", required=True, help="occupation:IRI, credential:IRI, skills:..")
    add_json(start)
    answer = tests.command("answer", run_answer, help="Answer the question asked now.")
    answer.add_argument("attempt", metavar="ATTEMPT", help="attempt id or IRI")
    answer.add_argument(
        "response", metavar="RESPONSE", help="an option's number, a short answer, or evidence"
    )
    answer.add_argument("--item", help="the item answered (default: the one asked now)")
    add_json(answer)
    rate = tests.command("rate", run_rate, help="Rate a task's evidence (assessors).")
    rate.add_argument("attempt", metavar="ATTEMPT", help="attempt id or IRI")
    rate.add_argument("--item", required=True, help="the task's item IRI")
    rate.add_argument("--score", type=float, required=True, help="0-1; right from 0.5")
    add_json(rate)
    result = tests.command("result", run_result, help="A test's status, question and scores.")
    result.add_argument("attempt", metavar="ATTEMPT", help="attempt id or IRI")
    add_json(result)


def _print_item(item: ItemPublic) -> None:
    say(f"{item.id} v{item.version}  level {item.level}  {item.kind}  {item.skill}")
    say(f"  {item.prompt}")
    if item.kind == "multiple_choice" and item.answer is not None:
        say(f"  key: [{item.answer}] {item.options[item.answer]}")
    elif item.accepted:
        say(f"  key: {' / '.join(item.accepted)}")
    elif item.rubric:
        say(f"  rubric: {item.rubric}")


def run_items_add(args: argparse.Namespace) -> None:
    """Add items to the bank."""
    from api.schemas.onboarding import ItemCreate, ItemPublic, ItemsPublic
    from graph.errors import InvalidInputError
    from graph.services.onboarding.items import write_items

    document = read_json_file(args.file)
    bodies = document if isinstance(document, list) else [document]
    requests = []
    for index, body in enumerate(bodies):  # every item checked before any is written
        try:
            requests.append(validate(ItemCreate, body))
        except InvalidInputError as e:
            if bodies is document:
                raise InvalidInputError(
                    f"items[{index}].{e.message}", details={"field": f"items[{index}]"}
                ) from e
            raise
    with runtime() as rt:
        drafts = [r.to_domain() for r in requests]
        written = write_items(rt.store, drafts, actor=actor(), base_iri=rt.settings.base_iri)
    added = [ItemPublic.from_domain(i) for i in written]
    if args.as_json:  # the API's schema: an item for an item, the bank's list for a list
        emit_json(added[0] if bodies is not document else ItemsPublic(data=added, count=len(added)))
        return
    for item in added:
        _print_item(item)


def run_items_list(args: argparse.Namespace) -> None:
    """List the bank."""
    from api.schemas.onboarding import ItemPublic, ItemsPublic
    from graph.services.onboarding.items import list_items

    with runtime() as rt:
        data = [
            ItemPublic.from_domain(i) for i in list_items(rt.store, actor=actor(), skill=args.skill)
        ]
    if args.as_json:
        emit_json(ItemsPublic(data=data, count=len(data)))
        return
    for item in data:
        _print_item(item)
    say(f"{len(data)} items")


def _print_attempt(public: AttemptPublic, *, as_json: bool) -> None:
    if as_json:
        emit_json(public)
        return
    say(f"attempt {public.id} for {public.target}: {public.status.replace('_', ' ')}")
    for r in public.results:
        level = r.level if r.level is not None else "none"
        state = "settled" if r.settled else "open"
        say(f"  {r.skill}  level {level}  confidence {r.confidence:.2f}  {r.items} items {state}")
    waiting = [a for a in public.answers if a.right is None]
    for a in waiting:
        say(f"  awaiting rating: {a.item} ({a.skill}, level {a.level})")
    q = public.question
    if q is not None:
        say(f"question ({q.kind}, level {q.level}) {q.item}")
        say(f"  {q.prompt}")
        for i, option in enumerate(q.options):
            say(f"  [{i}] {option}")
    if public.finished_at:
        say(f"finished {public.finished_at}")


def run_start(args: argparse.Namespace) -> None:
    """Start a test."""
    from api.schemas.onboarding import AttemptCreate, AttemptPublic
    from graph.services.onboarding.attempts import start_attempt

    request = validate(AttemptCreate, {"learner": args.learner, "target": args.target})
    with runtime() as rt:
        view = start_attempt(
            rt.store,
            request.learner,
            target=request.target,
            actor=actor(),
            base_iri=rt.settings.base_iri,
        )
    _print_attempt(AttemptPublic.from_domain(view), as_json=args.as_json)


def run_answer(args: argparse.Namespace) -> None:
    """Answer the question asked now."""
    from api.schemas.onboarding import AnswerCreate, AttemptPublic
    from graph.errors import InvalidInputError
    from graph.services.onboarding.attempts import answer_item, attempt_iri, get_attempt

    with runtime() as rt:
        uri = attempt_iri(args.attempt, base_iri=rt.settings.base_iri)
        item = args.item
        if item is None:
            asked = get_attempt(rt.store, uri, actor=actor()).question
            if asked is None:
                raise InvalidInputError(
                    f"item: no question of {uri} is due now", details={"field": "item"}
                )
            item = asked.item
        request = validate(AnswerCreate, {"item": item, "response": args.response})
        view = answer_item(
            rt.store, uri, item=request.item, response=request.response, actor=actor()
        )
    _print_attempt(AttemptPublic.from_domain(view), as_json=args.as_json)


def run_rate(args: argparse.Namespace) -> None:
    """Rate a task's evidence."""
    from api.schemas.onboarding import AttemptPublic, RatingCreate
    from graph.services.onboarding.attempts import attempt_iri, rate_answer

    request = validate(RatingCreate, {"item": args.item, "score": args.score})
    with runtime() as rt:
        uri = attempt_iri(args.attempt, base_iri=rt.settings.base_iri)
        view = rate_answer(rt.store, uri, item=request.item, score=request.score, actor=actor())
    _print_attempt(AttemptPublic.from_domain(view), as_json=args.as_json)


def run_result(args: argparse.Namespace) -> None:
    """Show a test."""
    from api.schemas.onboarding import AttemptPublic
    from graph.services.onboarding.attempts import attempt_iri, get_attempt

    with runtime() as rt:
        uri = attempt_iri(args.attempt, base_iri=rt.settings.base_iri)
        view = get_attempt(rt.store, uri, actor=actor())
    _print_attempt(AttemptPublic.from_domain(view), as_json=args.as_json)
