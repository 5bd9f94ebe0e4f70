"""The assessor's pages: the submissions of my panels, and one submission to assess.

The assessor is always the signed-in user, as the panel seat they are bound to
(:func:`graph.services.policy.assessor_identity`); the form has no assessor field. Who may read
a submission is :func:`~graph.services.proofs.submissions.get_submission`'s rule, and these
pages are for its panel: anyone else gets the 403 page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import IssuerDep, StoreDep
from api.pages.forms import FormDep
from api.pages.render import render
from api.security import ActorDep
from graph.errors import ConflictError, InvalidInputError
from graph.model.accounts import Actor, Role
from graph.model.submissions import (
    AssessmentKind,
    Assessor,
    SkillResult,
    SubmissionStatus,
    SubmissionView,
)
from graph.services import policy
from graph.services.catalogue.credentials import get_credentials
from graph.services.proofs.submissions import get_submission, list_submissions, record_assessment

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

SubmissionRef = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._~-]+$")]
_WAITING = {SubmissionStatus.SUBMITTED, SubmissionStatus.IN_ASSESSMENT}


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A submission of my inbox, the seat it was routed to, and whether it waits for me."""

    view: SubmissionView
    seat: str
    waiting: bool


def _seats(actor: Actor) -> list[str]:
    """The panel seats the signed-in user assesses as."""
    policy.require_user(actor, action="assess submissions")
    seats = sorted(actor.objects(Role.ASSESSOR))
    if not seats and not actor.is_admin:
        raise policy.refusal(actor, "assess submissions", "not an assessor")
    return seats


@router.get("/assess", response_class=HTMLResponse)
def inbox(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The submissions routed to my panels: those waiting for me first."""
    rows: list[InboxRow] = []
    for seat in _seats(actor):
        for view in list_submissions(store, actor=actor, assessor=seat):
            waiting = view.status in _WAITING and seat not in view.latest
            rows.append(InboxRow(view, seat, waiting))
    rows.sort(key=lambda r: (not r.waiting, r.view.submission.submitted_at))
    wanted = {r.view.submission.credential for r in rows}
    titles = {iri: c.title for iri, c in get_credentials(store, wanted).items()}
    return render(request, "assessor_inbox.html", actor, {"rows": rows, "titles": titles})


def _short(view: SubmissionView) -> str:
    return view.submission.id.rpartition("/")[2]


def _my_seat(actor: Actor, view: SubmissionView) -> Assessor | None:
    """My seat on the submission's panel (None for an administrator who has none)."""
    panel = [a.id for a in view.submission.panel.assessors]
    if actor.is_admin and not actor.objects(Role.ASSESSOR) & set(panel):
        return None
    seat = policy.assessor_identity(actor, panel, action="assess this submission")
    return view.submission.panel.assessor(seat)


def _values_of(view: SubmissionView, seat: Assessor | None) -> dict[str, str]:
    """The form as my latest assessment left it (empty before the first)."""
    mine = view.latest.get(seat.id) if seat else None
    if mine is None:
        return {}
    values = {"comment": mine.comment or "", "endorsement": mine.endorsement or ""}
    for result in mine.results:
        values[f"result:{result.skill}"] = "pass" if result.passed else "fail"
        values[f"level:{result.skill}"] = "" if result.level is None else str(result.level)
        values[f"comment:{result.skill}"] = result.comment or ""
    return values


def _page(
    request: Request,
    store: StoreDep,
    actor: Actor,
    view: SubmissionView,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    seat = _my_seat(actor, view)
    submission = view.submission
    credential = get_credentials(store, [submission.credential]).get(submission.credential)
    mine = submission.skills_of(seat) if seat else ()
    context = {
        "view": view,
        "short": _short(view),
        "credential_title": credential.title if credential else submission.credential,
        "seat": seat,
        "skills": [t for t in submission.skills if t.uri in mine],
        "labels": {t.uri: t.label or t.uri for t in submission.skills},
        "values": _values_of(view, seat) if values is None else values,
        "errors": errors or {},
        "notice": notice,
        "closed": submission.proof is not None,
    }
    return render(request, "assessor_submission.html", actor, context, status_code=status_code)


@router.get("/assess/{submission_id}", response_class=HTMLResponse)
def submission_page(
    request: Request,
    submission_id: SubmissionRef,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
    recorded: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The evidence, my assessment form, the other members' status and the rule's outcome."""
    view = get_submission(store, submission_id, actor=actor, base_iri=issuer.base_iri)
    notice = "Your assessment is recorded." if recorded else ""
    return _page(request, store, actor, view, notice=notice)


def _results(form: FormData, seat: Assessor, view: SubmissionView) -> list[SkillResult]:
    """One result per skill given a pass or a fail; a level that is not a number is refused."""
    results = []
    for uri in view.submission.skills_of(seat):
        verdict = str(form.get(f"result:{uri}", ""))
        level_text = str(form.get(f"level:{uri}", "")).strip()
        if level_text and not level_text.isdigit():
            raise InvalidInputError(
                f"level: expected a whole number, got {level_text!r}",
                details={"field": f"level:{uri}"},
            )
        if verdict not in ("pass", "fail"):
            continue  # the service names the skill that has no result
        comment = str(form.get(f"comment:{uri}", "")).strip() or None
        level = int(level_text) if level_text else None
        results.append(SkillResult(uri, verdict == "pass", level, comment))
    return results


def _errors_of(error: InvalidInputError, results: list[SkillResult]) -> dict[str, str]:
    field = str(error.details.get("field", ""))
    uri = str(error.details.get("uri", ""))
    if field.startswith(("level:", "endorsement", "comment")):
        return {field: error.message}
    if field.startswith("results[") and field.endswith(".level"):
        index = int(field[len("results[") :].split("]")[0])
        return {f"level:{results[index].skill}": error.message}
    if uri:
        return {f"result:{uri}": error.message}
    return {"": error.message}


@router.post("/assess/{submission_id}", response_class=HTMLResponse)
def assess(
    request: Request,
    submission_id: SubmissionRef,
    form: FormDep,
    store: StoreDep,
    issuer: IssuerDep,
    actor: ActorDep,
) -> Response:
    """Record my assessment (as the signed-in user's seat); bad input writes nothing."""
    view = get_submission(store, submission_id, actor=actor, base_iri=issuer.base_iri)
    seat = _my_seat(actor, view)
    values = {name: str(value) for name, value in form.multi_items() if name != "csrf_token"}
    results: list[SkillResult] = []
    try:
        if seat is None:
            raise policy.refusal(actor, "assess this submission", "not on its panel")
        endorsing = seat.kind is AssessmentKind.ENDORSEMENT
        results = [] if endorsing else _results(form, seat, view)
        record_assessment(
            store,
            actor=actor,
            submission=submission_id,
            base_iri=issuer.base_iri,
            results=results,
            endorsement=(values.get("endorsement", "").strip() or None) if endorsing else None,
            comment=values.get("comment", "").strip() or None,
        )
    except ConflictError as e:  # a proof was issued meanwhile: its assessments are closed
        return _page(
            request, store, actor, view, values=values, errors={"": e.message}, status_code=409
        )
    except InvalidInputError as e:
        errors = _errors_of(e, results)
        return _page(request, store, actor, view, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/assess/{submission_id}?recorded=1", status_code=303)
