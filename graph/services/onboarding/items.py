"""The item bank: issuers' staff and assessors write, revise and read items, keys included.

Each version of an item is a record of kind ``onboarding`` (index ``record`` = ``item``) at
``<item IRI>/v<n>``; the latest has index ``latest`` true. Revising writes version ``n + 1``
and marks version ``n`` not latest, in one conditional write, so two revisions of one version
cannot both land. Learners never read items here: they see the questions of their attempts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graph.errors import InvalidInputError, NotFoundError
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.model.learners import LEVEL_SCALE
from graph.model.onboarding import Item, ItemKind, normalise_answer
from graph.model.onboarding_documents import item_from_document, item_to_document
from graph.services import policy
from graph.services.proofs.submissions import timestamp
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "ItemDraft",
    "get_item",
    "item_iri",
    "item_record",
    "latest_items",
    "list_items",
    "revise_item",
    "write_item",
    "write_items",
]

MAX_OPTIONS = 12


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """What an author sends: everything of an item but its id, version, author and date."""

    skill: str
    level: int
    kind: ItemKind
    prompt: str
    options: tuple[str, ...] = ()
    answer: int | None = None
    accepted: tuple[str, ...] = ()
    rubric: str | None = None


def _fail(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field})


def item_iri(ref: str, *, base_iri: str) -> str:
    """The IRI of item ``ref`` (an IRI, or the short id at the end of one)."""
    return ref if ":" in ref else f"{base_iri}/onboarding-item/{ref}"


def _check_key(draft: ItemDraft) -> None:
    """Refuse an item without its key (the right option, accepted answers, a rubric)."""
    if draft.kind is ItemKind.MULTIPLE_CHOICE:
        if not 2 <= len(draft.options) <= MAX_OPTIONS or not all(o.strip() for o in draft.options):
            raise _fail("options", f"a multiple choice item has 2-{MAX_OPTIONS} non-empty options")
        if draft.answer is None:
            raise _fail("answer", "an item needs its key: the index of the right option")
        if not 0 <= draft.answer < len(draft.options):
            raise _fail("answer", f"must index an option (0-{len(draft.options) - 1})")
    elif draft.kind is ItemKind.SHORT_ANSWER:
        if not any(normalise_answer(a) for a in draft.accepted):
            raise _fail("accepted", "an item needs its key: at least one accepted answer")
    elif not (draft.rubric and draft.rubric.strip()):
        raise _fail("rubric", "a task needs its key: the rubric an assessor rates it by")


def _check(store: GraphStore, draft: ItemDraft) -> None:
    concept = store.get_concepts([draft.skill]).get(draft.skill)
    if concept is None or concept.kind is not NodeKind.SKILL:
        raise _fail("skill", f"{draft.skill!r} is not a skill of the store")
    low, high = LEVEL_SCALE
    if not low <= draft.level <= high:
        raise _fail("level", f"must be in {low}-{high}, got {draft.level}")
    if not draft.prompt.strip():
        raise _fail("prompt", "must not be empty")
    _check_key(draft)


def item_record(item: Item, *, latest: bool = True) -> Record:
    """The record of one item version."""
    return Record(
        uri=f"{item.id}/v{item.version}",
        kind=NodeKind.ONBOARDING,
        body=item_to_document(item),
        index={
            "record": "item",
            "item": item.id,
            "skill": item.skill,
            "level": item.level,
            "latest": latest,
        },
    )


def _item(draft: ItemDraft, *, id: str, version: int, author: str, now: datetime | None) -> Item:
    return Item(
        id=id,
        version=version,
        skill=draft.skill,
        level=draft.level,
        kind=draft.kind,
        prompt=draft.prompt.strip(),
        author=author,
        written_at=timestamp(now),
        options=tuple(o.strip() for o in draft.options),
        answer=draft.answer,
        accepted=tuple(a.strip() for a in draft.accepted if a.strip()),
        rubric=draft.rubric.strip() if draft.rubric else None,
    )


def write_item(
    store: GraphStore,
    draft: ItemDraft,
    *,
    actor: Actor,
    base_iri: str,
    now: datetime | None = None,
) -> Item:
    """Add an item to the bank (version 1), written by the acting issuer or assessor.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but issuers' staff, assessors and administrators.
    InvalidInputError
        An unknown skill, a level outside 1-8, an empty prompt, an item without its key
        (``details["field"]`` names the field); nothing is written.
    """
    author = policy.require_item_author(actor, action="write a test item")
    _check(store, draft)
    return _write_new(store, [draft], author=author, base_iri=base_iri, now=now)[0]


def _write_new(
    store: GraphStore,
    drafts: Sequence[ItemDraft],
    *,
    author: str,
    base_iri: str,
    now: datetime | None,
) -> list[Item]:
    """Write checked drafts as new items (version 1), all in one batch."""
    items = [
        _item(d, id=f"{base_iri}/onboarding-item/{uuid.uuid4()}", version=1, author=author, now=now)
        for d in drafts
    ]
    records = [item_record(item) for item in items]
    store.write(GraphBatch(records=records, expect={r.uri: None for r in records}))
    return items


def write_items(
    store: GraphStore,
    drafts: Sequence[ItemDraft],
    *,
    actor: Actor,
    base_iri: str,
    now: datetime | None = None,
) -> list[Item]:
    """Add several items at once (a file of them): all are written, or none.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but issuers' staff, assessors and administrators.
    InvalidInputError
        As :func:`write_item`, for the first bad item: ``details["field"]`` is
        ``items[<index>].<field>``; nothing is written.
    """
    author = policy.require_item_author(actor, action="write test items")
    for index, draft in enumerate(drafts):
        try:
            _check(store, draft)
        except InvalidInputError as e:
            field = f"items[{index}].{e.details.get('field', '')}"
            raise InvalidInputError(
                f"items[{index}].{e.message}", details={**e.details, "field": field}
            ) from e
    return _write_new(store, drafts, author=author, base_iri=base_iri, now=now)


def _latest_record(store: GraphStore, item: str) -> Record:
    found = store.list_records(
        kind=NodeKind.ONBOARDING, where={"record": "item", "item": item, "latest": True}
    )
    if not found:
        raise NotFoundError(f"no test item {item}", details={"uri": item})
    return found[0]


def get_item(store: GraphStore, item: str, *, actor: Actor) -> Item:
    """The latest version of an item, key included (authors only).

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but issuers' staff, assessors and administrators.
    NotFoundError
        When there is no such item.
    """
    policy.require_item_author(actor, action="read a test item with its key")
    return item_from_document(_latest_record(store, item).body)


def revise_item(
    store: GraphStore,
    item: str,
    draft: ItemDraft,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> Item:
    """Write the next version of an item; earlier versions stay for the attempts that used them.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but issuers' staff, assessors and administrators.
    NotFoundError
        When there is no such item.
    InvalidInputError
        As :func:`write_item`; nothing is written.
    StaleVersionError
        When another revision landed in between; nothing is written.
    """
    author = policy.require_item_author(actor, action="revise a test item")
    current = _latest_record(store, item)
    _check(store, draft)
    previous = item_from_document(current.body)
    revised = _item(draft, id=previous.id, version=previous.version + 1, author=author, now=now)
    new = item_record(revised)
    store.write(
        GraphBatch(
            records=[item_record(previous, latest=False), new],
            expect={current.uri: current.version, new.uri: None},
        )
    )
    return revised


def latest_items(store: GraphStore, skills: Sequence[str] | None = None) -> list[Item]:
    """The latest version of every item (of ``skills`` when given), by (skill, level, IRI).

    No rule here: the callers are the services that decide who sees what of them.
    """
    if skills is None:
        records = store.list_records(
            kind=NodeKind.ONBOARDING, where={"record": "item", "latest": True}
        )
    else:
        records = [
            r
            for skill in sorted(set(skills))
            for r in store.list_records(
                kind=NodeKind.ONBOARDING,
                where={"record": "item", "latest": True, "skill": skill},
            )
        ]
    items = [item_from_document(r.body) for r in records]
    return sorted(items, key=lambda i: (i.skill, i.level, i.id))


def list_items(store: GraphStore, *, actor: Actor, skill: str | None = None) -> list[Item]:
    """The bank (latest versions, keys included), for its authors.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but issuers' staff, assessors and administrators.
    """
    policy.require_item_author(actor, action="read the test items with their keys")
    return latest_items(store, None if skill is None else [skill])
