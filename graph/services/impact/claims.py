"""Claims of impact and their endorsements (see :mod:`graph.model.impact` for the rule).

Each claim is one record of kind ``impact`` (index ``record`` = ``claim``) holding the claim, its
endorsements and, once issued, its certificate; every change is a write conditional on the
version read, so two endorsements (or an endorsement and an issue) never overwrite each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse

from graph.errors import ConflictError, InvalidInputError, NotFoundError
from graph.model.accounts import Actor
from graph.model.concepts import NodeKind
from graph.model.impact import (
    Endorsement,
    EndorserRelation,
    ImpactClaim,
    ImpactEvidence,
    ImpactSkill,
    ImpactState,
)
from graph.model.impact_documents import claim_from_document, claim_to_document
from graph.services import policy
from graph.services.accounts import learner_consents, user_iri
from graph.services.groups.links import linked_mentors
from graph.services.proofs.submissions import timestamp
from graph.store import GraphBatch, GraphStore, Record

__all__ = [
    "ImpactDraft",
    "certificate_document",
    "claim_iri",
    "claim_record",
    "claims_to_endorse",
    "create_claim",
    "endorse_claim",
    "get_claim",
    "list_impact",
    "list_my_impact",
    "read_claim",
    "read_claims",
]

MAX_TEXT = 4000
MAX_ITEMS = 20


@dataclass(frozen=True, slots=True)
class ImpactDraft:
    """What a member sends: the claim, its skills (IRIs) and whom they ask to confirm it.

    ``endorsers`` are users: login names, or user IRIs.
    """

    title: str
    beneficiary: str
    outcome: str
    start: str
    skills: tuple[str, ...]
    endorsers: tuple[str, ...]
    end: str | None = None
    evidence: tuple[ImpactEvidence, ...] = ()


def _fail(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(f"{field}: {message}", details={"field": field})


def claim_iri(ref: str, *, base_iri: str) -> str:
    """The IRI of claim ``ref`` (an IRI, or the short id at the end of one)."""
    return ref if ":" in ref else f"{base_iri}/impact/{ref}"


def claim_record(claim: ImpactClaim) -> Record:
    """The record of a claim (with its endorsements and certificate)."""
    return Record(
        uri=claim.id,
        kind=NodeKind.IMPACT,
        body=claim_to_document(claim),
        index={"record": "claim", "claimant": claim.claimant, "state": claim.state.value},
    )


def _text(value: str, field: str) -> str:
    found = value.strip()
    if not found:
        raise _fail(field, "must not be empty")
    if len(found) > MAX_TEXT:
        raise _fail(field, f"at most {MAX_TEXT} characters")
    return found


def _date(value: str | None, field: str, today: date) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        found = date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(field, f"expected a date YYYY-MM-DD, got {value!r}") from None
    if found > today:
        raise _fail(field, f"{found} is in the future")
    return found


def _skills(store: GraphStore, skills: Sequence[str]) -> tuple[ImpactSkill, ...]:
    wanted = list(dict.fromkeys(s.strip() for s in skills if s.strip()))
    if not wanted:
        raise _fail("skills", "name at least one skill the impact shows")
    if len(wanted) > MAX_ITEMS:
        raise _fail("skills", f"at most {MAX_ITEMS} skills")
    found = store.get_concepts(wanted)
    result = []
    for uri in wanted:
        concept = found.get(uri)
        if concept is None or concept.kind is not NodeKind.SKILL:
            raise _fail("skills", f"{uri!r} is not a skill of the store")
        result.append(ImpactSkill(uri, concept.preferred_label()))
    return tuple(result)


def _evidence(items: Sequence[ImpactEvidence]) -> tuple[ImpactEvidence, ...]:
    if len(items) > MAX_ITEMS:
        raise _fail("evidence", f"at most {MAX_ITEMS} items")
    result = []
    for number, item in enumerate(items, start=1):
        if item.url:
            parsed = urlparse(item.url.strip())
            if parsed.scheme not in {"http", "https"} or not parsed.netloc:
                raise _fail("evidence", f"item {number}: {item.url!r} is not an http(s) URL")
            result.append(ImpactEvidence(url=item.url.strip(), name=item.name))
        elif item.text and item.text.strip():
            result.append(ImpactEvidence(text=_text(item.text, "evidence"), name=item.name))
        else:
            raise _fail("evidence", f"item {number}: give a url or a text")
    return tuple(result)


def _endorsers(
    store: GraphStore, names: Sequence[str], *, not_them: set[str], base_iri: str
) -> tuple[str, ...]:
    iris = list(
        dict.fromkeys(n if ":" in n else user_iri(n, base_iri=base_iri) for n in names if n.strip())
    )
    if not iris:
        raise _fail("endorsers", "ask at least one party (a user) to confirm the impact")
    if len(iris) > MAX_ITEMS:
        raise _fail("endorsers", f"at most {MAX_ITEMS} endorsers")
    known = store.get_records(iris, kind=NodeKind.ACCOUNT)
    for iri in iris:
        if iri not in known:
            raise _fail("endorsers", f"there is no user {iri.rsplit('/', 1)[-1]!r}")
        if iri in not_them:
            raise _fail("endorsers", "the claimant may not endorse their own claim")
    return tuple(iris)


def _display_name(store: GraphStore, user: str, fallback: str) -> str:
    found = store.get_records([user], kind=NodeKind.ACCOUNT).get(user)
    return str(found.body.get("display_name") or fallback) if found is not None else fallback


def create_claim(
    store: GraphStore,
    draft: ImpactDraft,
    *,
    actor: Actor,
    base_iri: str,
    now: datetime | None = None,
) -> ImpactClaim:
    """Record a claim of impact by the signed-in member, for themself.

    Raises
    ------
    UnauthenticatedError
        For nobody.
    InvalidInputError
        Naming the field: an empty text, a bad or future date, an end before the start, no
        skill or one the store does not hold, a bad evidence link, no endorser, an unknown
        one, or the claimant among them. Nothing is written.
    """
    claimant = policy.impact_claimant(actor, action="claim impact")
    author = actor.user or claimant
    today = (now or datetime.now(UTC)).date()
    title = _text(draft.title, "title")
    beneficiary = _text(draft.beneficiary, "beneficiary")
    outcome = _text(draft.outcome, "outcome")
    start = _date(draft.start, "start", today)
    if start is None:
        raise _fail("start", "when did the work start? (YYYY-MM-DD)")
    end = _date(draft.end, "end", today)
    if end is not None and end < start:
        raise _fail("end", f"{end} is before the start {start}")
    claim = ImpactClaim(
        id=claim_iri(str(uuid.uuid4()), base_iri=base_iri),
        claimant=claimant,
        author=author,
        title=title,
        beneficiary=beneficiary,
        outcome=outcome,
        start=start.isoformat(),
        end=end.isoformat() if end else None,
        skills=_skills(store, draft.skills),
        evidence=_evidence(draft.evidence),
        endorsers=_endorsers(
            store, draft.endorsers, not_them={claimant, author}, base_iri=base_iri
        ),
        created_at=timestamp(now),
    )
    store.write(GraphBatch(records=[claim_record(claim)], expect={claim.id: None}))
    return claim


def read_claim(store: GraphStore, ref: str, *, base_iri: str) -> tuple[ImpactClaim, int | None]:
    """A claim and its record's version, without any check (for the services).

    Raises
    ------
    NotFoundError
        If there is no such claim.
    """
    uri = claim_iri(ref, base_iri=base_iri)
    record = store.get_records([uri], kind=NodeKind.IMPACT).get(uri)
    if record is None or record.index.get("record") != "claim":
        raise NotFoundError(f"no impact claim {uri}", details={"uri": uri})
    return claim_from_document(dict(record.body)), record.version


def read_claims(store: GraphStore, claimant: str) -> list[ImpactClaim]:
    """A member's claims, in no order, without any check (for services that checked already)."""
    records = store.list_records(
        kind=NodeKind.IMPACT, where={"record": "claim", "claimant": claimant}
    )
    return [claim_from_document(dict(r.body)) for r in records]


def get_claim(store: GraphStore, ref: str, *, actor: Actor, base_iri: str) -> ImpactClaim:
    """A claim, for its claimant, its endorsers, administrators and those with consent.

    Raises
    ------
    NotFoundError
        If there is no such claim.
    UnauthenticatedError, ForbiddenError
        For nobody, and for anyone else.
    """
    policy.require_user(actor, action="see an impact claim")
    claim, _ = read_claim(store, ref, base_iri=base_iri)
    if not policy.may_read_impact(
        actor,
        claim.claimant,
        author=claim.author,
        endorsers=claim.endorsers,
        consents=learner_consents(store, claim.claimant),
        mentors=linked_mentors(store, claim.claimant),
    ):
        raise policy.refusal(
            actor,
            "see this impact claim",
            "neither its claimant, an endorser it asked, nor holding the claimant's consent",
            claim.id,
        )
    return claim


def list_impact(store: GraphStore, claimant: str, *, actor: Actor) -> list[ImpactClaim]:
    """A member's claims and certificates, with dates, skills and state, newest work first.

    ``claimant`` is a learner IRI (or a member's user IRI). The career overview reads it.

    Raises
    ------
    UnauthenticatedError, ForbiddenError
        For anyone but the claimant, an administrator, or a user with their consent for proofs.
    """
    policy.require_user(actor, action="list impact claims")
    claims = read_claims(store, claimant)
    author = claims[0].author if claims else claimant
    if not policy.may_read_impact(
        actor,
        claimant,
        author=author,
        endorsers=(),
        consents=learner_consents(store, claimant),
        mentors=linked_mentors(store, claimant),
    ):
        policy.require_impact_owner(actor, claimant, author=author, action="list impact claims")
    return sorted(claims, key=lambda c: (c.start, c.created_at), reverse=True)


def certificate_document(claim: ImpactClaim) -> Mapping[str, Any]:
    """The signed credential of an issued claim.

    Raises
    ------
    ConflictError
        If the claim was not issued yet (``details["state"]`` says where it stands).
    """
    if claim.certificate is None:
        raise ConflictError(
            f"{claim.id} is not issued yet ({claim.state.value})",
            details={"claim": claim.id, "state": claim.state.value},
        )
    return claim.certificate.document


def list_my_impact(store: GraphStore, *, actor: Actor) -> tuple[str, list[ImpactClaim]]:
    """Whom the signed-in user claims impact for (:func:`policy.impact_claimant`), and their claims.

    Raises
    ------
    UnauthenticatedError
        For nobody.
    """
    claimant = policy.impact_claimant(actor, action="list your impact claims")
    return claimant, list_impact(store, claimant, actor=actor)


def claims_to_endorse(store: GraphStore, *, actor: Actor) -> list[ImpactClaim]:
    """The claims awaiting the acting user's confirmation, oldest first."""
    user = policy.require_user(actor, action="list claims to endorse")
    records = store.list_records(
        kind=NodeKind.IMPACT,
        where={"record": "claim", "state": ImpactState.AWAITING_ENDORSEMENT.value},
    )
    claims = [claim_from_document(dict(r.body)) for r in records]
    return sorted((c for c in claims if user in c.pending), key=lambda c: (c.created_at, c.id))


def endorse_claim(
    store: GraphStore,
    ref: str,
    *,
    actor: Actor,
    relation: EndorserRelation | str,
    statement: str,
    base_iri: str,
    now: datetime | None = None,
) -> ImpactClaim:
    """Confirm a claim as the signed-in user, one of the endorsers its claimant asked.

    Raises
    ------
    NotFoundError
        If there is no such claim (or the actor may not see it).
    ForbiddenError
        For the claimant themself, and for a user the claimant did not ask.
    ConflictError
        If this user already endorsed it, or it was issued.
    InvalidInputError
        For an unknown ``relation`` or an empty ``statement``. Nothing is written.
    """
    claim, version = read_claim(store, ref, base_iri=base_iri)
    user = policy.require_impact_endorser(
        actor,
        claim.claimant,
        author=claim.author,
        endorsers=claim.endorsers,
        action="endorse this impact claim",
    )
    try:
        kind = EndorserRelation(relation)
    except ValueError:
        allowed = ", ".join(r.value for r in EndorserRelation)
        raise _fail("relation", f"{relation!r} is not one of {allowed}") from None
    text = _text(statement, "statement")
    if any(e.endorser == user for e in claim.endorsements):
        raise ConflictError(
            f"you already endorsed {claim.id}", details={"field": "endorser", "claim": claim.id}
        )
    if claim.certificate is not None:
        raise ConflictError(f"{claim.id} was already issued", details={"claim": claim.id})
    endorsement = Endorsement(
        user, _display_name(store, user, actor.name), kind, text, timestamp(now)
    )
    endorsed = replace(claim, endorsements=(*claim.endorsements, endorsement))
    try:
        store.write(GraphBatch(records=[claim_record(endorsed)], expect={claim.id: version}))
    except ConflictError as e:
        raise ConflictError(
            f"{claim.id} changed while it was endorsed; ask again", details={"claim": claim.id}
        ) from e
    return endorsed
