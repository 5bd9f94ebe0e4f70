"""The issuer's pages: the catalogue, a credential's form, mapping review, export, equivalents.

Every page names the credential by ``?id=<IRI>``. Who may write is decided by the services
(:func:`~graph.services.catalogue.credentials.save_catalogue`, ``decide_skill``,
``suggest_skills``); the pages that only show a form ask the same rule first
(:func:`graph.services.policy.require_issuer_staff`), so another issuer's credential gets the
403 page before a form is ever shown.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import EmbedderDep, ReferenceDep, StoreDep
from api.pages.forms import FormDep, field_errors, number_field
from api.pages.render import render
from api.security import ActorDep
from graph.errors import (
    ConflictError,
    CredwalkError,
    InvalidInputError,
    NotFoundError,
    StaleVersionError,
)
from graph.model.accounts import Actor, Role
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    Money,
    QualificationLevel,
    SkillStatus,
)
from graph.services import policy
from graph.services.catalogue import exports
from graph.services.catalogue.credentials import (
    credential_version,
    get_credential,
    get_credentials,
    get_issuer,
    list_credentials,
    list_issuers,
    save_catalogue,
    update_credential,
)
from graph.services.catalogue.mapping import (
    decide_skill,
    map_outcomes,
    preview_mapping,
    suggest_skills,
)
from graph.services.concepts import concept_labels
from graph.services.equivalence.equivalents import equivalents

__all__ = ["router"]

router = APIRouter(include_in_schema=False, tags=["pages"])

CredentialId = Annotated[str, Query(alias="id", min_length=3, max_length=2000)]

#: The fields of the credential form, as the form names them.
FORM_FIELDS = (
    "id",
    "issuer",
    "title",
    "description",
    "language",
    "jurisdiction",
    "levels",
    "credits",
    "credits_unit",
    "hours",
    "cost",
    "currency",
    "outcomes",
    "skills",
    "add_skill",
    "add_skill_label",
    "add_level",
    "version",
)
#: Where a service's field goes on the form (by prefix; see ``field_errors``).
_SERVICE_FIELDS = {
    "id": "id",
    "issuer": "issuer",
    "title": "title",
    "language": "language",
    "jurisdiction": "jurisdiction",
    "levels": "levels",
    "credits": "credits",
    "cost": "cost",
    "hours": "hours",
    "learning_outcomes": "outcomes",
    "skills": "skills",
    "level_scale": "skills",
}


# --- who ------------------------------------------------------------------------------------


def _my_issuers(store: StoreDep, actor: Actor) -> list[Issuer]:
    """The issuers whose catalogue the actor keeps (all of them for an administrator)."""
    policy.require_user(actor, action="keep a catalogue")
    if actor.is_admin:
        return sorted(list_issuers(store), key=lambda i: i.name)
    mine = sorted(actor.objects(Role.ISSUER))
    if not mine:
        raise policy.refusal(actor, "keep a catalogue", "not staff of any issuer")
    return [get_issuer(store, iri) for iri in mine]


def _own_credential(store: StoreDep, actor: Actor, credential_id: str, action: str) -> Credential:
    """The credential, once the actor is staff of its issuer (the rule the services apply)."""
    credential = get_credential(store, credential_id)
    policy.require_issuer_staff(actor, [credential.issuer], action=action)
    return credential


# --- the catalogue --------------------------------------------------------------------------


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    saved: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    """My issuers' credentials: title, status, skills, suggestions still to review."""
    issuers = _my_issuers(store, actor)
    rows = []
    for issuer in issuers:
        for credential in sorted(
            list_credentials(store, where={"issuer": issuer.id}), key=lambda c: c.title
        ):
            pending = sum(s.status is SkillStatus.SUGGESTED for s in credential.skills)
            rows.append(
                {
                    "credential": credential,
                    "issuer": issuer,
                    "skills": len(credential.confirmed_skills),
                    "pending": pending,
                    "status": "suggestions to review" if pending else "published",
                }
            )
    context = {"rows": rows, "issuers": issuers, "saved": saved}
    return render(request, "issuer_catalogue.html", actor, context)


# --- a credential's form --------------------------------------------------------------------


def _levels_text(credential: Credential) -> str:
    return "; ".join(f"{level.framework} {level.value}" for level in credential.levels)


def _values_of(credential: Credential, version: int) -> dict[str, str]:
    """The form's fields for a stored credential."""
    confirmed = [s for s in credential.skills if s.status is SkillStatus.CONFIRMED]
    return {
        "id": credential.id,
        "issuer": credential.issuer,
        "title": credential.title,
        "description": credential.description or "",
        "language": credential.language or "",
        "jurisdiction": credential.jurisdiction or "",
        "levels": _levels_text(credential),
        "credits": f"{credential.credits.value:g}" if credential.credits else "",
        "credits_unit": credential.credits.unit if credential.credits else "ECTS",
        "hours": f"{credential.hours:g}" if credential.hours is not None else "",
        "cost": f"{credential.cost.amount:g}" if credential.cost else "",
        "currency": credential.cost.currency if credential.cost else "EUR",
        "outcomes": "\n".join(credential.learning_outcomes),
        "skills": "\n".join(f"{s.uri} {s.level}" if s.level else s.uri for s in confirmed),
        "version": str(version),
    }


def _levels(text: str) -> tuple[QualificationLevel, ...]:
    levels = []
    for i, part in enumerate(p.strip() for p in text.replace("\n", ";").split(";")):
        if not part:
            continue
        framework, _, value = part.rpartition(" ")
        if not framework.strip() or not value:
            raise InvalidInputError(
                f"level {i + 1}: expected a framework and a level, like 'EQF 5', got {part!r}",
                details={"field": "levels"},
            )
        levels.append(QualificationLevel(framework.strip(), value))
    return tuple(levels)


def _skill_lines(values: dict[str, str]) -> list[tuple[str, int | None]]:
    """The skills of the form: one ``<ESCO IRI> [level]`` per line, then the one added."""
    lines = values.get("skills", "").splitlines()
    added = values.get("add_skill", "").strip() or values.get("add_skill_label", "").strip()
    if added:
        lines.append(f"{added} {values.get('add_level', '')}".strip())
    found: list[tuple[str, int | None]] = []
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        if "://" not in parts[0] or len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
            raise InvalidInputError(
                f"skills line {number}: expected a skill IRI and an optional level "
                f"(like 'http://data.europa.eu/esco/skill/... 4'), got {line.strip()!r}",
                details={"field": "skills"},
            )
        found.append((parts[0], int(parts[1]) if len(parts) == 2 else None))
    return found


def _skills(
    base: tuple[CredentialSkill, ...], lines: list[tuple[str, int | None]], actor: Actor
) -> tuple[CredentialSkill, ...]:
    """The confirmed skills as listed; suggestions and rejections not listed stay as they were."""
    listed = dict(lines)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    kept = [s for s in base if s.uri not in listed and s.status is not SkillStatus.CONFIRMED]
    stored = {s.uri: s for s in base}
    confirmed = []
    for uri, level in listed.items():
        old = stored.get(uri)
        if old is not None and old.status is SkillStatus.CONFIRMED:
            confirmed.append(dataclasses.replace(old, level=level))
        else:
            confirmed.append(
                CredentialSkill(uri=uri, level=level, decided_by=actor.user, decided_at=now)
            )
    return tuple(confirmed + kept)


def _credential_of(values: dict[str, str], base: Credential, actor: Actor) -> Credential:
    """The credential the form describes, on top of ``base`` (what it does not show stays)."""
    if not values.get("title", "").strip():
        raise InvalidInputError("title: a credential needs a title", details={"field": "title"})
    credits = number_field(values.get("credits", ""), "credits", float, "a number")
    cost = number_field(values.get("cost", ""), "cost", float, "a number")
    hours = number_field(values.get("hours", ""), "hours", float, "a number")
    return dataclasses.replace(
        base,
        title=values["title"].strip(),
        description=values.get("description", "").strip() or None,
        language=values.get("language", "").strip() or None,
        jurisdiction=values.get("jurisdiction", "").strip() or None,
        levels=_levels(values.get("levels", "")),
        credits=None if credits is None else Credits(credits, values.get("credits_unit") or "ECTS"),
        cost=None if cost is None else Money(cost, values.get("currency") or "EUR"),
        hours=hours,
        learning_outcomes=tuple(
            line.strip() for line in values.get("outcomes", "").splitlines() if line.strip()
        ),
        skills=_skills(base.skills, _skill_lines(values), actor),
    )


def _form_values(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in FORM_FIELDS}


def _errors_of(error: CredwalkError) -> dict[str, str]:
    field = str(error.details.get("field", ""))
    # A level's error names the credential first ("credential <id>: levels[0]").
    if "levels[" in field:
        return {"levels": error.message}
    return field_errors(error, _SERVICE_FIELDS)


def _form_page(
    request: Request,
    store: StoreDep,
    actor: Actor,
    values: dict[str, str],
    *,
    new: bool,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    labels = concept_labels(store, [uri for uri, _ in _safe_skill_lines(values)])
    context = {
        "values": values,
        "errors": errors or {},
        "new": new,
        "issuers": _my_issuers(store, actor),
        "labels": labels,
    }
    return render(request, "issuer_edit.html", actor, context, status_code=status_code)


def _safe_skill_lines(values: dict[str, str]) -> list[tuple[str, int | None]]:
    try:
        return _skill_lines({"skills": values.get("skills", "")})
    except InvalidInputError:
        return []


@router.get("/catalogue/new", response_class=HTMLResponse)
def new_credential_page(request: Request, store: StoreDep, actor: ActorDep) -> Response:
    """The form for a new credential of one of my issuers."""
    issuers = _my_issuers(store, actor)
    values = {"issuer": issuers[0].id if issuers else "", "credits_unit": "ECTS"}
    return _form_page(request, store, actor, values | {"currency": "EUR"}, new=True)


@router.get("/catalogue/edit", response_class=HTMLResponse)
def edit_credential_page(
    request: Request, store: StoreDep, actor: ActorDep, credential_id: CredentialId
) -> Response:
    """The form of a credential of one of my issuers, as stored now (with its version)."""
    credential = _own_credential(store, actor, credential_id, "edit this credential")
    values = _values_of(credential, credential_version(store, credential_id))
    return _form_page(request, store, actor, values, new=False)


def _new_base(store: StoreDep, values: dict[str, str]) -> Credential:
    credential_id = values.get("id", "").strip()
    if "://" not in credential_id:
        raise InvalidInputError(
            "id: the credential's IRI, like https://www.example.edu/credentials/my-course",
            details={"field": "id"},
        )
    if get_credentials(store, [credential_id]):
        raise InvalidInputError(
            f"id: there is a credential {credential_id} already; edit it instead",
            details={"field": "id"},
        )
    return Credential(id=credential_id, title="", issuer=values.get("issuer", "").strip())


@router.post("/catalogue/new", response_class=HTMLResponse)
def create_credential(
    request: Request, form: FormDep, store: StoreDep, reference: ReferenceDep, actor: ActorDep
) -> Response:
    """Create a credential; bad input re-shows the form as typed, with nothing written."""
    values = _form_values(form)
    try:
        credential = _credential_of(values, _new_base(store, values), actor)
        save_catalogue(store, actor=actor, credentials=[credential], reference=reference)
    except InvalidInputError as e:
        return _form_page(
            request, store, actor, values, new=True, errors=_errors_of(e), status_code=422
        )
    return _saved(credential.id)


@router.post("/catalogue/edit", response_class=HTMLResponse)
def update_credential_page(
    request: Request,
    form: FormDep,
    store: StoreDep,
    reference: ReferenceDep,
    actor: ActorDep,
    credential_id: CredentialId,
) -> Response:
    """Save the form, only if the credential is still at the version the form was read at."""
    stored = _own_credential(store, actor, credential_id, "edit this credential")
    values = _form_values(form) | {"id": credential_id}
    try:
        version = int(values.get("version") or "0")
        credential = _credential_of(values, stored, actor)
        save_catalogue(
            store,
            actor=actor,
            credentials=[credential],
            reference=reference,
            if_match={credential_id: version},
        )
    except StaleVersionError:
        message = (
            "Someone saved this credential while you were editing it: nothing of yours was "
            "saved. Your changes are below; open the credential again to see theirs."
        )
        return _form_page(
            request, store, actor, values, new=False, errors={"": message}, status_code=409
        )
    except (InvalidInputError, ValueError) as e:
        errors = _errors_of(e) if isinstance(e, InvalidInputError) else {"": "reload the form"}
        return _form_page(request, store, actor, values, new=False, errors=errors, status_code=422)
    return _saved(credential_id)


def _saved(credential_id: str) -> Response:
    return RedirectResponse(f"/catalogue?saved={quote(credential_id, safe='')}", 303)


# --- mapping review -------------------------------------------------------------------------

#: Matches kept per outcome, and suggestions stored for the whole syllabus (as the API's).
TOP, SUGGEST = 5, 15


def _mapping_page(
    request: Request,
    store: StoreDep,
    embedder: EmbedderDep,
    actor: Actor,
    credential: Credential,
    *,
    syllabus: str | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    mapping = None
    if credential.learning_outcomes:
        mapping = preview_mapping(store, embedder, credential.id, top=TOP, suggest=SUGGEST)
    stored = {s.uri: s for s in credential.skills}
    context = {
        "credential": credential,
        "mapping": mapping,
        "stored": stored,
        "labels": concept_labels(store, list(stored)),
        "values": {
            "syllabus": "\n".join(credential.learning_outcomes) if syllabus is None else syllabus
        },
        "errors": errors or {},
        "notice": notice,
    }
    return render(request, "issuer_mapping.html", actor, context, status_code=status_code)


@router.get("/catalogue/mapping", response_class=HTMLResponse)
def mapping_page(
    request: Request,
    store: StoreDep,
    embedder: EmbedderDep,
    actor: ActorDep,
    credential_id: CredentialId,
    notice: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """Suggested ESCO skills per learning outcome, with scores and reasons, to accept or reject."""
    credential = _own_credential(store, actor, credential_id, "review this credential's skills")
    return _mapping_page(request, store, embedder, actor, credential, notice=notice)


def _back_to_mapping(credential_id: str, notice: str) -> RedirectResponse:
    """Back to the credential's mapping page with what was done (POST, redirect, GET)."""
    return RedirectResponse(
        f"/catalogue/mapping?id={quote(credential_id, safe='')}&notice={quote(notice)}", 303
    )


def _syllabus(form: FormData) -> str:
    text = str(form.get("syllabus", ""))
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        data = upload.file.read(1_000_001)
        if len(data) > 1_000_000:
            raise InvalidInputError("file: at most 1 MB", details={"field": "syllabus"})
        text = data.decode("utf-8", errors="replace")
    return text


@router.post("/catalogue/mapping", response_class=HTMLResponse)
def map_syllabus(
    request: Request,
    form: FormDep,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
    credential_id: CredentialId,
) -> Response:
    """Store the syllabus's outcomes on the credential and the skills suggested for them."""
    credential = _own_credential(store, actor, credential_id, "map this credential's outcomes")
    text = str(form.get("syllabus", ""))
    try:
        text = _syllabus(form)
        outcomes = tuple(line.strip(" \t-*•") for line in text.splitlines())
        outcomes = tuple(o for o in outcomes if o)
        if not outcomes:
            raise InvalidInputError(
                "syllabus: paste the learning outcomes, one per line, or choose a file",
                details={"field": "syllabus"},
            )
        language = (credential.language or "en").split("-")[0]
        map_outcomes(store, embedder, outcomes, language=language, top=1, suggest=1)
    except InvalidInputError as e:
        return _mapping_page(
            request, store, embedder, actor, credential,
            syllabus=text, errors={"syllabus": e.message}, status_code=422,
        )  # fmt: skip
    update_credential(
        store,
        credential_id,
        lambda c: dataclasses.replace(c, learning_outcomes=outcomes),
        actor=actor,
        reference=reference,
    )
    _, updated = suggest_skills(
        store, embedder, credential_id, actor=actor, reference=reference, top=TOP, suggest=SUGGEST
    )
    new = sum(s.status is SkillStatus.SUGGESTED for s in updated.skills) - sum(
        s.status is SkillStatus.SUGGESTED for s in credential.skills
    )
    notice = f"{len(outcomes)} outcomes mapped; {new} new suggestions to review"
    return _back_to_mapping(credential_id, notice)


def _decisions(form: FormData) -> list[tuple[str, bool, int | None]]:
    """The decisions of the form: ``decision:<skill IRI>`` accept/reject, ``level:<IRI>``."""
    found = []
    for name, value in form.multi_items():
        if not name.startswith("decision:") or value not in ("accept", "reject"):
            continue
        uri = name.removeprefix("decision:")
        level_text = str(form.get(f"level:{uri}", "")).strip()
        if level_text and not level_text.isdigit():
            raise InvalidInputError(
                f"level of {uri}: expected a whole number, got {level_text!r}",
                details={"field": f"level:{uri}"},
            )
        found.append((uri, value == "accept", int(level_text) if level_text else None))
    if not found:
        raise InvalidInputError(
            "decisions: choose accept or reject for at least one suggestion",
            details={"field": "decisions"},
        )
    return found


@router.post("/catalogue/mapping/decisions", response_class=HTMLResponse)
def publish_decisions(
    request: Request,
    form: FormDep,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
    credential_id: CredentialId,
) -> Response:
    """Record each accept or reject as the signed-in user: accepted skills are published."""
    _own_credential(store, actor, credential_id, "decide this credential's skills")
    try:
        decisions = _decisions(form)
        for uri, accept, level in decisions:
            decide_skill(
                store, credential_id, uri, accept=accept, actor=actor, level=level,
                reference=reference,
            )  # fmt: skip
    except CredwalkError as e:
        if not isinstance(e, InvalidInputError | ConflictError):
            raise
        field = str(e.details.get("field", "decisions"))
        errors = {field if field.startswith("level:") else "decisions": e.message}
        current = get_credential(store, credential_id)
        return _mapping_page(
            request, store, embedder, actor, current, errors=errors, status_code=422
        )
    accepted = sum(accept for _, accept, _ in decisions)
    notice = f"Published: {accepted} accepted, {len(decisions) - accepted} rejected"
    return _back_to_mapping(credential_id, notice)


# --- export and equivalents -----------------------------------------------------------------

_FORMATS = {
    "ob3": ("Open Badges 3.0 Achievement", exports.ExportFormat.OB3),
    "ctdl": ("CTDL JSON-LD (Credential Engine)", exports.ExportFormat.CTDL),
    "elm": ("European Learning Model specification", exports.ExportFormat.ELM),
}


@router.get("/catalogue/export", response_class=HTMLResponse)
def export_page(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    credential_id: CredentialId,
    format: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The formats a credential can be downloaded in; with ``format``, the download."""
    credential = _own_credential(store, actor, credential_id, "export this credential")
    if format in _FORMATS:
        document = exports.export_credential(store, credential_id, format=_FORMATS[format][1])
        name = credential_id.rstrip("/").rpartition("/")[2] or "credential"
        return Response(
            json.dumps(document, indent=2, ensure_ascii=False),
            media_type="application/ld+json",
            headers={"Content-Disposition": f'attachment; filename="{name}.{format}.json"'},
        )
    formats = [(key, label) for key, (label, _) in _FORMATS.items()]
    return render(
        request,
        "issuer_export.html",
        actor,
        {"credential": credential, "formats": formats},
        status_code=200 if not format else 404,
    )


@router.get("/catalogue/equivalents", response_class=HTMLResponse)
def equivalents_page(
    request: Request,
    store: StoreDep,
    embedder: EmbedderDep,
    reference: ReferenceDep,
    actor: ActorDep,
    credential_id: CredentialId,
    jurisdiction: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The credential's closest equivalents in other jurisdictions (or one), as a table."""
    credential = _own_credential(store, actor, credential_id, "see this credential's equivalents")
    errors: dict[str, str] = {}
    result = None
    try:
        result = equivalents(
            store, credential_id, reference=reference, embedder=embedder,
            jurisdiction=jurisdiction or None, top=10,
        )  # fmt: skip
    except (InvalidInputError, NotFoundError) as e:  # the credential was found: its jurisdiction
        errors["jurisdiction"] = e.message
    codes = sorted({i.jurisdiction for i in list_issuers(store) if i.jurisdiction})
    context = {
        "credential": credential,
        "result": result,
        "jurisdictions": codes,
        "values": {"jurisdiction": jurisdiction},
        "errors": errors,
    }
    status_code = 422 if errors else 200
    return render(request, "issuer_equivalents.html", actor, context, status_code=status_code)
