"""The mentor's pages: the learners who share their path with me, and what they share.

A learner's consent opens scopes of their data (competences, gaps, pathways, submissions,
proofs) to a user. These pages show a mentee's data through the learner's own views
(:mod:`api.pages.learner`), read-only, asking the same services with the mentor as the actor:
each part the consent does not open says so, and a learner who shares nothing is a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import EmbedderDep, IssuerDep, ReferenceDep, StoreDep
from api.pages.learner import (
    GROUPS,
    PathwayForm,
    competence_groups,
    pathway_context,
    pathway_query,
    proof_download,
    proofs_context,
    short_id,
    submission_context,
)
from api.pages.render import render
from api.security import ActorDep
from graph.errors import ForbiddenError, NotFoundError
from graph.model.accounts import Actor, ConsentScope
from graph.model.learners import Learner
from graph.model.submissions import SubmissionStatus
from graph.services import policy
from graph.services.accounts import consents_to
from graph.services.catalogue.credentials import get_credentials
from graph.services.pathways.learners import get_learner
from graph.services.proofs.issuing import get_proof, list_proofs
from graph.services.proofs.submissions import get_submission, list_submissions
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

T = TypeVar("T")


@router.get("/mentees", response_class=HTMLResponse)
def mentees(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The learners who gave me their consent, and what each shares."""
    policy.require_user(actor, action="see the learners who share their path with you")
    return render(
        request, "mentor_mentees.html", actor, {"consents": consents_to(store, actor=actor)}
    )


@router.get("/mentees/submissions/{submission_id}", response_class=HTMLResponse)
def mentee_submission(
    request: Request, submission_id: str, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """A mentee's submission, read-only (their consent for submissions)."""
    view = get_submission(store, submission_id, actor=actor, base_iri=issuer.base_iri)
    context = submission_context(store, view)
    context["back"] = "/mentees/" + view.submission.learner
    return render(request, "learner_submission.html", actor, context)


class _Shared:
    """The parts of a mentee's data the actor may see; the first refusal, when none."""

    def __init__(self) -> None:
        self.refusal: ForbiddenError | None = None
        self.open: set[str] = set()

    def read(self, part: str, call: Callable[[], T]) -> T | None:
        """What ``call`` returns, or None when the consent does not open ``part``."""
        try:
            found = call()
        except ForbiddenError as e:
            self.refusal = self.refusal or e
            return None
        self.open.add(part)
        return found


def _record(
    store: GraphStore, learner_id: str, actor: Actor, scope: ConsentScope
) -> Learner | None:
    try:
        return get_learner(store, learner_id, actor=actor, scope=scope)
    except NotFoundError:  # consented, but no record yet
        return None


@router.get("/mentees/proofs/{proof_id}/download")
def mentee_proof(proof_id: str, store: StoreDep, issuer: IssuerDep, actor: ActorDep) -> Response:
    """A mentee's proof as a JSON file (their consent for proofs)."""
    return proof_download(get_proof(store, proof_id, actor=actor, base_iri=issuer.base_iri))


@router.get("/mentees/{learner_id:path}", response_class=HTMLResponse)
def mentee(
    request: Request,
    learner_id: str,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> Response:
    """A mentee's competences, gap and pathways, submissions and proofs, as shared."""
    policy.require_user(actor, action="see a learner's path")
    shared = _Shared()
    learner = shared.read(
        "competences", lambda: _record(store, learner_id, actor, ConsentScope.COMPETENCES)
    )
    shared.read("pathways", lambda: _record(store, learner_id, actor, ConsentScope.PATHWAYS))
    submissions = shared.read(
        "submissions", lambda: list_submissions(store, actor=actor, learner=learner_id)
    )
    proofs = shared.read("proofs", lambda: list_proofs(store, learner_id, actor=actor))
    if not shared.open and shared.refusal is not None:
        raise shared.refusal
    issued = [v for v in submissions or [] if v.status is SubmissionStatus.ISSUED]
    titles = get_credentials(store, [v.submission.credential for v in submissions or []])
    context: dict[str, object] = {
        "learner_id": learner_id,
        "shares": shared.open,
        "group_titles": GROUPS,
        "short_id": short_id,
        "groups": competence_groups(
            store, learner, issued, {p.id: p.issued_at for p in proofs or []}
        ),
        "submissions": submissions or [],
        "titles": {uri: c.title for uri, c in titles.items()},
        **proofs_context(store, request, proofs or [], base="/mentees/proofs"),
    }
    if "pathways" in shared.open:
        form = PathwayForm.read(request.query_params, pathway_query(request))
        context |= pathway_context(
            store,
            actor=actor,
            learner_id=learner_id,
            form=form,
            embedder=embedder,
            reference=reference,
        )
    context |= {
        "action": request.url.path,
        "aim_heading": "Where could they go?",
        "submit_label": "Show the gap and pathway",
    }
    status = 422 if context.get("errors") else 200
    return render(request, "mentor_mentee.html", actor, context, status_code=status)
