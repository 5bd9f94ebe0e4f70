"""The learner's pages: my competences, my pathway, my submissions, my proofs.

Every page acts on the signed-in user's own learner record (the learner grant's object) and
reads it through the same services as the API, with the user as the actor: the services decide
who may see what. The views built here (:func:`competence_groups`, :func:`pathway_view`) are
reused read-only by the mentor's pages (:mod:`api.pages.mentor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import EmbedderDep, IssuerDep, ReferenceDep, StoreDep
from api.pages.forms import FormDep, ensure_csrf, field_errors, number_field
from api.pages.render import render
from api.security import ActorDep
from graph.algorithms.gaps import Coverage
from graph.algorithms.pathways import Constraints
from graph.embeddings import Embedder
from graph.errors import CredwalkError, InvalidInputError, NoPathwayError
from graph.model.accounts import Actor, ConsentScope, Role
from graph.model.learners import LEVEL_SCALE, CompetenceSource, Learner
from graph.model.proofs import ProofRecord
from graph.model.submissions import Evidence, EvidenceKind, SubmissionStatus, SubmissionView
from graph.reference import ReferenceData
from graph.services import policy
from graph.services.catalogue.credentials import get_credentials
from graph.services.concepts import concept_labels, search_concepts, skill_groups
from graph.services.equivalence.recognition import decisions_for
from graph.services.groups.groups import my_groups
from graph.services.groups.recommendations import learner_target, list_recommendations
from graph.services.pathways.learners import (
    declare_competence,
    get_learner,
    held_skills,
    learner_exists,
)
from graph.services.pathways.planning import (
    GapReport,
    PathwayReport,
    PathwayRequest,
    find_pathways,
    gap_analysis,
)
from graph.services.pathways.targets import Target, parse_target, skills_target
from graph.services.proofs.issuing import get_proof, list_proofs
from graph.services.proofs.submissions import get_submission, list_submissions, submit
from graph.store import GraphStore

__all__ = [
    "CompetenceRow",
    "PathwayForm",
    "competence_groups",
    "competences_context",
    "pathway_context",
    "pathway_query",
    "proof_download",
    "proofs_context",
    "router",
    "short_id",
    "submission_context",
]

router = APIRouter(include_in_schema=False, tags=["pages"])

#: How many skill pickers a skill-set target offers.
SKILL_ROWS = 3


def my_learner(actor: Actor) -> str:
    """The learner record the signed-in user is bound to.

    Raises
    ------
    UnauthenticatedError
        For nobody (the page leads to the sign-in form).
    ForbiddenError
        For a user who is no learner.
    """
    policy.require_user(actor, action="see a learner's pages")
    mine = sorted(actor.objects(Role.LEARNER))
    if not mine:
        raise policy.refusal(actor, "see a learner's pages", "you hold no learner record")
    return mine[0]


def short_id(iri: str) -> str:
    """The last segment of a submission's or proof's IRI (what its page's path holds)."""
    return iri.rpartition("/")[2]


# --- my competences -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompetenceRow:
    """One line of the competences table; ``via`` is the credential it comes from, if any."""

    skill: str
    level: int | float | None
    source: str
    date: str
    via: str = ""
    label: str = ""
    via_title: str = ""


#: The groups of the competences page, in this order, by where a competence comes from.
GROUPS = {
    "self_declared": "Entered by you",
    "assessment": "From assessments",
    "endorsed": "Endorsed",
    "credential": "From credentials you hold",
    "proof": "From your Proofs of Competence",
}


def competence_groups(
    store: GraphStore,
    learner: Learner | None,
    issued: Sequence[SubmissionView],
    issued_at: Mapping[str, str],
) -> dict[str, list[CompetenceRow]]:
    """The learner's competences by group (:data:`GROUPS`), each sorted by skill label.

    ``issued`` are the learner's submissions whose proof was issued, ``issued_at`` the
    issuing time of each proof, by proof IRI.
    """
    rows: dict[str, list[CompetenceRow]] = {key: [] for key in GROUPS}
    if learner is not None:
        for c in learner.competences:
            date = c.date.isoformat() if c.date else ""
            rows[c.source.value].append(CompetenceRow(c.skill, c.level, c.source.value, date))
        for h in held_skills(store, learner):
            if h.source == CompetenceSource.CREDENTIAL.value and h.evidence:
                level = None if h.score is None else int(h.score)
                rows["credential"].append(
                    CompetenceRow(h.skill, level, "credential", "", h.evidence)
                )
    for view in issued:
        day = issued_at.get(view.submission.proof or "", "")[:10]
        rows["proof"] += [
            CompetenceRow(s.skill, s.level, "proof", day, view.submission.credential)
            for s in view.outcome.skills
            if s.passed
        ]
    every = [r for group in rows.values() for r in group]
    labels = concept_labels(store, [r.skill for r in every])
    titles = {
        u: c.title for u, c in get_credentials(store, {r.via for r in every if r.via}).items()
    }
    return {
        key: sorted(
            (
                replace(r, label=labels.get(r.skill, r.skill), via_title=titles.get(r.via, r.via))
                for r in group
            ),
            key=lambda r: r.label.lower(),
        )
        for key, group in rows.items()
        if group
    }


def competences_context(store: GraphStore, actor: Actor, learner_id: str) -> dict[str, object]:
    """What the competences page shows of ``learner_id`` to ``actor``."""
    learner = (
        get_learner(store, learner_id, actor=actor) if learner_exists(store, learner_id) else None
    )
    issued = list_submissions(
        store, actor=actor, learner=learner_id, status=SubmissionStatus.ISSUED
    )
    issued_at = {p.id: p.issued_at for p in list_proofs(store, learner_id, actor=actor)}
    return {
        "learner_id": learner_id,
        "has_record": learner is not None,
        "groups": competence_groups(store, learner, issued, issued_at),
        "group_titles": GROUPS,
        "levels": range(LEVEL_SCALE[0], LEVEL_SCALE[1] + 1),
    }


@router.get("/me", response_class=HTMLResponse)
def my_competences(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """My competences, by where they come from, and the form to declare one."""
    learner_id = my_learner(actor)
    ensure_csrf(request)
    context = competences_context(store, actor, learner_id)
    notice = "Saved." if request.query_params.get("saved") else ""
    return render(request, "learner_me.html", actor, {**context, "values": {}, "notice": notice})


def _picked(
    form: Mapping[str, str], store: GraphStore, embedder: Embedder, name: str, kind: str
) -> str:
    """The IRI a picker chose; without the script, the concept whose label was typed."""
    chosen = form.get(name, "").strip()
    typed = form.get(f"{name}_label", "").strip()
    if chosen or not typed or kind == "credential":
        return chosen
    from graph.model.concepts import NodeKind

    node_kind = NodeKind.SKILL if kind == "skill" else NodeKind.OCCUPATION
    for match in search_concepts(store, embedder, typed, kind=node_kind, top=8):
        if match.label.lower() == typed.lower():
            return match.uri
    return ""


@router.post("/me/competences", response_class=HTMLResponse)
def declare(
    request: Request,
    form: FormDep,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> Response:
    """Add or change a competence I declare myself."""
    learner_id = my_learner(actor)
    values = _strings(form)
    try:
        skill = _picked(values, store, embedder, "skill", "skill")
        if not skill:
            raise InvalidInputError(
                "skill: pick a skill from the suggestions", details={"field": "skill"}
            )
        level = number_field(values.get("level", ""), "level", int, "a whole number")
        if level is None:
            raise InvalidInputError("level: choose a level from 1 to 8", details={"field": "level"})
        declare_competence(
            store, learner_id, skill=skill, level=level, actor=actor, reference=reference
        )
    except CredwalkError as e:
        if isinstance(e, InvalidInputError) or e.code == "stale_version":
            errors = field_errors(e, {"skill": "skill", "level": "level"})
            context = competences_context(store, actor, learner_id)
            context.update({"values": values, "errors": errors})
            return render(request, "learner_me.html", actor, context, status_code=422)
        raise
    return RedirectResponse("/me?saved=1", status_code=303)


def _strings(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


# --- my pathway -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathwayForm:
    """What the pathway form asks, as typed (a GET form: the query string)."""

    values: dict[str, str]
    skills: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, query: Mapping[str, str], multi: Mapping[str, list[str]]) -> PathwayForm:
        """Read the query string of the pathway form."""
        names = ("kind", "occupation", "occupation_label", "credential", "credential_label")
        values = {k: query.get(k, "").strip() for k in (*names, "jurisdiction")}
        values |= {k: query.get(k, "").strip() for k in ("max_cost", "max_hours")}
        uris, labels, levels = (multi.get(k, []) for k in ("skill", "skill_label", "skill_level"))
        rows = [
            (
                uris[i].strip() if i < len(uris) else "",
                labels[i].strip() if i < len(labels) else "",
                levels[i].strip() if i < len(levels) else "",
            )
            for i in range(SKILL_ROWS)
        ]
        return cls(values, rows)

    @property
    def asked(self) -> bool:
        """Whether a target was asked for (rather than the empty form shown)."""
        return bool(self.values.get("kind"))

    def target(self) -> Target:
        """The target chosen with the pickers."""
        kind = self.values["kind"]
        if kind == "skills":
            chosen = [
                (uri, number_field(lv, "skills", int, "a whole number"))
                for uri, _, lv in self.skills
                if uri
            ]
            if not chosen:
                raise InvalidInputError(
                    "skills: pick at least one skill from the suggestions",
                    details={"field": "skills"},
                )
            return skills_target(chosen)
        if kind not in {"occupation", "credential"}:
            raise InvalidInputError("kind: choose what you aim at", details={"field": "kind"})
        uri = self.values.get(kind, "")
        if not uri:
            raise InvalidInputError(
                f"{kind}: pick a {kind} from the suggestions", details={"field": kind}
            )
        return parse_target(f"{kind}:{uri}", field=kind)

    def request(self) -> PathwayRequest:
        """The limits of the search: where recognised, budget, hours."""
        return PathwayRequest(
            constraints=Constraints(
                max_cost=_amount(self.values["max_cost"], "max_cost"),
                max_hours=_amount(self.values["max_hours"], "max_hours"),
                jurisdiction=self.values["jurisdiction"] or None,
            ),
            alternatives=3,
        )


def _amount(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInputError(
            f"{name}: {text!r} is not a number", details={"field": name}
        ) from None
    if value < 0:
        raise InvalidInputError(f"{name}: must not be negative", details={"field": name})
    return value


#: The service's field names -> the pathway form's fields.
PATHWAY_FIELDS = {
    "occupation": "occupation",
    "credential": "credential",
    "skills": "skills",
    "target": "target",
    "kind": "kind",
    "jurisdiction": "jurisdiction",
    "constraints.jurisdiction": "jurisdiction",
    "max_cost": "max_cost",
    "max_hours": "max_hours",
}


@dataclass(frozen=True, slots=True)
class GapGroup:
    """The requirements of one skill group, by coverage."""

    label: str
    items: dict[str, list[tuple[str, str, str]]]


def gap_groups(store: GraphStore, gap: GapReport) -> list[GapGroup]:
    """The gap's requirements grouped by skill group: (skill, label, note) per coverage."""
    items = gap.analysis.items
    groups = skill_groups(store, [i.requirement.skill for i in items])
    by_group: dict[str, GapGroup] = {}
    for item in items:
        req = item.requirement
        _, group_label = groups.get(req.skill, ("", "Other skills"))
        group = by_group.setdefault(
            group_label, GapGroup(group_label, {c.value: [] for c in Coverage})
        )
        note = "" if req.level is None else f"level {req.level}"
        if not req.required:
            note = (note + ", optional").lstrip(", ")
        if item.related:
            best = item.related[0]
            held = gap.labels.get(best.held.skill, best.held.skill)
            note = (note + f"; close: {held} ({best.basis.value.replace('_', ' ')})").lstrip("; ")
        group.items[item.coverage.value].append(
            (req.skill, gap.labels.get(req.skill, req.skill), note)
        )
    return [by_group[k] for k in sorted(by_group, key=lambda k: (k == "Other skills", k.lower()))]


def gap_counts(gap: GapReport) -> dict[str, int]:
    """How many requirements are covered, partial, missing."""
    return {c.value: len(gap.analysis.of(c)) for c in Coverage}


def recognition(store: GraphStore, report: PathwayReport) -> dict[str, list[str]]:
    """Where each credential of the pathways is awarded and recognised, with decisions."""
    ids = {s.credential for plan in report.plans for s in plan.pathway.steps}
    credentials = get_credentials(store, ids)
    where: dict[str, list[str]] = {}
    for uri, credential in credentials.items():
        lines = [f"awarded in {credential.jurisdiction}"] if credential.jurisdiction else []
        if credential.recognized_in:
            lines.append("recognised in " + ", ".join(credential.recognized_in))
        where[uri] = lines
    for d in decisions_for(store, ids):
        by = d.authority_name or d.authority
        where.setdefault(d.credential, []).append(
            f"{d.outcome.value} recognition in {d.to_jurisdiction} by {by}"
        )
    return where


def pathway_context(
    store: GraphStore,
    *,
    actor: Actor,
    learner_id: str,
    form: PathwayForm,
    embedder: Embedder,
    reference: ReferenceData,
) -> dict[str, object]:
    """Everything the pathway template shows for ``form`` (the gap, the pathways, errors)."""
    context: dict[str, object] = {
        "values": form.values,
        "skill_rows": form.skills,
        "jurisdictions": sorted(reference.jurisdictions, key=lambda j: j.name),
    }
    if not form.asked:
        return context
    try:
        target, request = form.target(), form.request()
        learner = get_learner(store, learner_id, actor=actor, scope=ConsentScope.PATHWAYS)
        report = find_pathways(
            store,
            learner=learner,
            target=target,
            reference=reference,
            request=request,
            embedder=embedder,
        )
    except NoPathwayError as e:
        learner = get_learner(store, learner_id, actor=actor, scope=ConsentScope.GAPS)
        gap = gap_analysis(store, learner=learner, target=target, embedder=embedder)
        context.update(
            {
                "no_pathway": e.message,
                "gap": gap,
                "gap_counts": gap_counts(gap),
                "gap_groups": gap_groups(store, gap),
            }
        )
        return context
    except InvalidInputError as e:
        context["errors"] = field_errors(e, PATHWAY_FIELDS)
        return context
    context.update(
        {
            "report": report,
            "gap": report.gap,
            "gap_counts": gap_counts(report.gap),
            "gap_groups": gap_groups(store, report.gap),
            "recognition": recognition(store, report),
            "chart": alternatives_chart(report),
        }
    )
    return context


def alternatives_chart(report: PathwayReport) -> list[dict[str, Any]]:
    """Bars of cost and hours per pathway, scaled to the largest (for the inline SVG)."""
    plans = [p.pathway for p in report.plans]
    top_cost = max((p.cost for p in plans), default=0.0) or 1.0
    top_hours = max((p.hours for p in plans), default=0.0) or 1.0
    return [
        {
            "name": f"Pathway {i}",
            "cost": p.cost,
            "hours": p.hours,
            "cost_width": round(200 * p.cost / top_cost, 1),
            "hours_width": round(200 * p.hours / top_hours, 1),
        }
        for i, p in enumerate(plans, start=1)
    ]


@router.get("/me/pathway", response_class=HTMLResponse)
def my_pathway(
    request: Request,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
) -> Response:
    """Pick a target and where it must count; see the gap and the best pathways to it."""
    learner_id = my_learner(actor)
    recommended = recommendations_context(store, actor, learner_id)
    form = PathwayForm.read(request.query_params, pathway_query(request))
    context = pathway_context(
        store, actor=actor, learner_id=learner_id, form=form, embedder=embedder, reference=reference
    )
    context["action"] = "/me/pathway"
    context |= recommended
    status = 422 if context.get("errors") else 200
    return render(request, "learner_pathway.html", actor, context, status_code=status)


def recommendations_context(store: GraphStore, actor: Actor, learner_id: str) -> dict[str, Any]:
    """The mentors' recommendations to the learner, and the target of the accepted one."""
    found = list_recommendations(store, actor=actor, learner=learner_id)
    chosen = learner_target(store, actor=actor, learner=learner_id)
    groups = [g for g in my_groups(store, actor=actor) if learner_id in g.learners]
    return {
        "recommendations": found,
        "target": None if chosen is None else chosen.target,
        "target_href": target_href(None if chosen is None else chosen.target),
        "my_groups": [(g, next(m for m in g.members if m.learner == learner_id)) for g in groups],
    }


def target_href(target: str | None) -> str | None:
    """The pathway form's URL asking for ``target`` (an occupation or a credential), if any."""
    kind, _, uri = (target or "").partition(":")
    if kind not in {"occupation", "credential"}:
        return None
    return "/me/pathway?" + urlencode({"kind": kind, kind: uri, f"{kind}_label": uri})


def pathway_query(request: Request) -> dict[str, list[str]]:
    """The repeated fields of the pathway form (the skills of a skill-set target)."""
    return {k: request.query_params.getlist(k) for k in ("skill", "skill_label", "skill_level")}


# --- my submissions -------------------------------------------------------------------------


def _submissions_context(store: GraphStore, actor: Actor, learner_id: str) -> dict[str, object]:
    views = list_submissions(store, actor=actor, learner=learner_id)
    views.sort(key=lambda v: v.submission.submitted_at, reverse=True)
    titles = get_credentials(store, [v.submission.credential for v in views])
    return {
        "submissions": views,
        "titles": {uri: c.title for uri, c in titles.items()},
        "short_id": short_id,
    }


@router.get("/me/submissions", response_class=HTMLResponse)
def my_submissions(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """My submissions and where they stand; the form to submit work for assessment."""
    learner_id = my_learner(actor)
    ensure_csrf(request)
    context = _submissions_context(store, actor, learner_id)
    return render(request, "learner_submissions.html", actor, {**context, "values": {}})


def _evidence(values: Mapping[str, str]) -> tuple[list[Evidence], dict[str, str]]:
    """The evidence of the form, and the form field of each evidence index."""
    evidence: list[Evidence] = []
    fields: dict[str, str] = {}
    url, text = values.get("url", "").strip(), values.get("text", "").strip()
    if url:
        fields[f"evidence[{len(evidence)}]"] = "url"
        evidence.append(Evidence(EvidenceKind.LINK, name=values.get("name") or None, url=url))
    if text:
        fields[f"evidence[{len(evidence)}]"] = "text"
        evidence.append(Evidence(EvidenceKind.TEXT, text=text))
    if not evidence:
        raise InvalidInputError(
            "url: give a link to your work, or describe it below", details={"field": "url"}
        )
    return evidence, fields


@router.post("/me/submissions", response_class=HTMLResponse)
def submit_work(
    request: Request, form: FormDep, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """Submit work for assessment for a credential: it goes to the credential's panel."""
    learner_id = my_learner(actor)
    values = _strings(form)
    fields = {"credential": "credential", "url": "url", "note": "note"}
    try:
        credential = values.get("credential", "").strip()
        if not credential:
            raise InvalidInputError(
                "credential: pick a credential from the suggestions",
                details={"field": "credential"},
            )
        evidence, by_index = _evidence(values)
        fields |= by_index
        view = submit(
            store,
            actor=actor,
            learner=learner_id,
            credential=credential,
            evidence=evidence,
            note=values.get("note", "").strip() or None,
            base_iri=issuer.base_iri,
        )
    except InvalidInputError as e:
        context = _submissions_context(store, actor, learner_id)
        context.update({"values": values, "errors": field_errors(e, fields)})
        return render(request, "learner_submissions.html", actor, context, status_code=422)
    return RedirectResponse(f"/me/submissions/{short_id(view.submission.id)}", status_code=303)


def submission_context(store: GraphStore, view: SubmissionView) -> dict[str, object]:
    """What a submission's page shows: evidence, each panel member's status, the skills."""
    latest = view.latest
    members = []
    for assessor in view.submission.panel.assessors:
        done = latest.get(assessor.id)
        status = "waiting" if done is None else ("passed" if done.passed else "not passed")
        if done is not None and assessor.kind.value == "endorsement":
            status = "endorsed"
        members.append({"assessor": assessor, "status": status, "assessment": done})
    credential = get_credentials(store, [view.submission.credential])
    return {
        "view": view,
        "members": members,
        "title": credential[view.submission.credential].title
        if view.submission.credential in credential
        else view.submission.credential,
    }


@router.get("/me/submissions/{submission_id}", response_class=HTMLResponse)
def my_submission(
    request: Request, submission_id: str, store: StoreDep, issuer: IssuerDep, actor: ActorDep
) -> Response:
    """One submission: its evidence, the panel members' status, the outcome so far."""
    my_learner(actor)
    view = get_submission(store, submission_id, actor=actor, base_iri=issuer.base_iri)
    return render(request, "learner_submission.html", actor, submission_context(store, view))


# --- my proofs ------------------------------------------------------------------------------


def qr_svg(text: str, title: str) -> str:
    """A QR code of ``text`` as inline SVG (dark on light, scaled for a phone to read)."""
    code = segno.make(text, error="m")
    svg: str = code.svg_inline(scale=4, title=title, dark="#1b1f24", light="#ffffff")
    return svg


def proofs_context(
    store: GraphStore, request: Request, proofs: Sequence[ProofRecord], *, base: str
) -> dict[str, object]:
    """The proofs with their titles, download links and QR codes of the verification page."""
    verify_url = str(request.base_url).rstrip("/") + "/verify"
    titles = get_credentials(store, [p.credential for p in proofs])
    rows = []
    for proof in proofs:
        title = titles[proof.credential].title if proof.credential in titles else proof.credential
        rows.append(
            {
                "proof": proof,
                "title": title,
                "download": f"{base}/{short_id(proof.id)}/download",
                "document": _json(proof.document),
                "qr": qr_svg(verify_url, f"QR code of {verify_url}"),
            }
        )
    return {"proofs": rows, "verify_url": verify_url}


def _json(document: Mapping[str, Any]) -> str:
    import json

    return json.dumps(document, ensure_ascii=False, indent=2)


@router.get("/me/proofs", response_class=HTMLResponse)
def my_proofs(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """My Proofs of Competence: download, verify, and the QR code of the verification page."""
    learner_id = my_learner(actor)
    ensure_csrf(request)
    proofs = list_proofs(store, learner_id, actor=actor)
    context = proofs_context(store, request, proofs, base="/me/proofs")
    return render(request, "learner_proofs.html", actor, context)


@router.get("/me/proofs/{proof_id}/download")
def download_proof(proof_id: str, store: StoreDep, issuer: IssuerDep, actor: ActorDep) -> Response:
    """The signed credential of a proof, as a JSON file to keep or hand over."""
    my_learner(actor)
    return proof_download(get_proof(store, proof_id, actor=actor, base_iri=issuer.base_iri))


def proof_download(proof: ProofRecord) -> Response:
    """The signed credential of a proof as a JSON file to save."""
    name = f"proof-{short_id(proof.id)}.json"
    return JSONResponse(
        dict(proof.document),
        media_type="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
