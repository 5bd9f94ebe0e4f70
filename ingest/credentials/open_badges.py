"""Open Badges 3.0: achievements read as credentials (written by :mod:`graph.exports.ob3`).

An ``OpenBadgeCredential`` (or ``AchievementCredential``) carries the achievement in its
``credentialSubject``; a bare ``Achievement`` is read the same way. Each achievement becomes a
:class:`~graph.model.credentials.Credential`: ``name``, ``description``, ``inLanguage``,
``criteria.narrative`` (its ``assessment``), ``creditsAvailable`` (credit hours, as OB defines
it) and its ``creator`` (else the credential's issuer) as the issuer. Alignments to ESCO skills
(``targetUrl`` an ESCO skill URI, or ``targetFramework`` ESCO with the UUID as ``targetCode``)
become skills; every other alignment becomes a learning outcome (``targetName``, else
``targetDescription``). Endorsements are skipped: they describe no achievement.

**Linked data.** A record is expanded with the pinned loader (every context must be pinned) and
compacted again with the OB 3.0.3 context, so the reader sees the one standard shape whatever
context the issuer wrote. The OB ``extensions.json`` context is not pinned (it is not in the
published data credwalk pins): a record that names it cannot be expanded, and is read from its
plain JSON structure instead — with a logged note and ``extra["open_badges:jsonld"]`` saying so.
Any other unpinned context is an error naming its URL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pyld import jsonld

from graph.exports.ob3 import (
    OB_CONTEXT,
    VC_V2_CONTEXT,
)
from graph.jsonld import PinnedDocumentLoader
from graph.model.credentials import Credential, CredentialSkill, Credits, Issuer, SkillStatus
from graph.reference.jurisdictions import Jurisdictions
from ingest.credentials.documents import SourceDocument
from ingest.credentials.formats import CredentialFile, Format, Located, Skipped
from ingest.credentials.linked_data import flatten_jsonld
from ingest.credentials.values import country_code, language_tag
from ingest.errors import IngestError

__all__ = ["OB_EXTENSIONS_CONTEXT", "read_open_badges"]

logger = logging.getLogger(__name__)

#: Named by many OB 3.0 examples; defines only terms credwalk does not read.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
_ESCO_SKILL = re.compile(r"^https?://data\.europa\.eu/esco/skill/([0-9a-fA-F-]{36})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: OB 3.0 achievement types (AchievementType enumeration); others are written ``ext:<type>``.
_BADGE_CREDENTIALS = frozenset({"OpenBadgeCredential", "AchievementCredential"})


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _standard_shape(
    document: SourceDocument, value: Mapping[str, Any], loader: PinnedDocumentLoader
) -> tuple[Mapping[str, Any], str | None]:
    """Return the record compacted with the OB 3.0.3 context, or as written (with a note)."""
    contexts = [c for c in _list(value.get("@context")) if isinstance(c, str)]
    unpinned = [c for c in contexts if c not in loader.manifest.entries]
    if unpinned and set(unpinned) <= {OB_EXTENSIONS_CONTEXT}:
        note = f"read as plain JSON: its context {OB_EXTENSIONS_CONTEXT} is not pinned"
        logger.info("%s %s: %s", document.source, document.where, note)
        return value, note
    # Flattening first checks every context (an unpinned one is an error naming its URL).
    flatten_jsonld(value, document=document, loader=loader, resolver=loader.context_resolver())
    options = {"documentLoader": loader, "contextResolver": loader.context_resolver()}
    try:
        compacted = jsonld.compact(dict(value), {"@context": [VC_V2_CONTEXT, OB_CONTEXT]}, options)
    except jsonld.JsonLdError as e:
        raise IngestError(
            f"{document.where}: cannot be compacted with the OB 3.0 context",
            source=document.source,
            line=document.line,
            record=document.index,
            reason="jsonld",
        ) from e
    return compacted, None


def _issuer(profile: Any, jurisdictions: Jurisdictions | None) -> Issuer | str | None:
    if isinstance(profile, str):
        return profile
    if not isinstance(profile, Mapping) or not _str(profile.get("id")):
        return None
    found = profile.get("address")
    address: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    country = country_code(_str(address.get("addressCountryCode")), jurisdictions) or country_code(
        _str(address.get("addressCountry")), jurisdictions
    )
    return Issuer(
        id=str(profile["id"]),
        name=_str(profile.get("name")) or str(profile["id"]),
        jurisdiction=country,
        url=_str(profile.get("url")),
        description=_str(profile.get("description")),
    )


def _alignments(achievement: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    outcomes: list[str] = []
    skills: list[str] = []
    for alignment in _list(achievement.get("alignment")):
        if not isinstance(alignment, Mapping):
            continue
        url = _str(alignment.get("targetUrl")) or ""
        code = _str(alignment.get("targetCode")) or ""
        framework = (_str(alignment.get("targetFramework")) or "").upper()
        if _ESCO_SKILL.match(url):
            skills.append(url)
        elif framework == "ESCO" and _UUID.match(code):
            skills.append(f"http://data.europa.eu/esco/skill/{code.lower()}")
        else:
            text = _str(alignment.get("targetName")) or _str(alignment.get("targetDescription"))
            if text:
                outcomes.append(text)
    return list(dict.fromkeys(outcomes)), list(dict.fromkeys(skills))


def _credential(
    achievement: Mapping[str, Any],
    badge: Mapping[str, Any] | None,
    *,
    jurisdictions: Jurisdictions | None,
    note: str | None,
) -> tuple[Credential, Issuer | None] | str:
    achievement_id, title = _str(achievement.get("id")), _str(achievement.get("name"))
    if achievement_id is None or title is None:
        return "the achievement has no id" if achievement_id is None else "no name"
    issuer = _issuer(achievement.get("creator"), jurisdictions)
    if issuer is None and badge is not None:
        issuer = _issuer(badge.get("issuer"), jurisdictions)
    issuer_id = issuer if isinstance(issuer, str) else issuer.id if issuer else None
    outcomes, skills = _alignments(achievement)
    found = achievement.get("criteria")
    criteria: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    criteria_url = _str(criteria.get("id"))
    raw_type = _str(achievement.get("achievementType")) or "Achievement"
    field = _str(achievement.get("fieldOfStudy"))
    credits = achievement.get("creditsAvailable")
    extra = {
        "open_badges:credential": _str(badge.get("id")) if badge else None,
        "open_badges:field_of_study": field if field and not field.isdigit() else None,
        "open_badges:tags": "; ".join(
            t for t in _list(achievement.get("tag")) if isinstance(t, str)
        ),
        "open_badges:human_code": _str(achievement.get("humanCode")),
        "open_badges:specialization": _str(achievement.get("specialization")),
        "open_badges:jsonld": note,
        "open_badges:issuer": None if issuer_id else "not stated",
    }
    credential = Credential(
        id=achievement_id,
        title=title,
        issuer=issuer_id or f"{achievement_id}#issuer",
        type=raw_type.removeprefix("ext:"),
        description=_str(achievement.get("description")),
        language=language_tag(_str(achievement.get("inLanguage"))),
        jurisdiction=issuer.jurisdiction if isinstance(issuer, Issuer) else None,
        credits=Credits(float(credits), "credit_hours")
        if isinstance(credits, int | float) and not isinstance(credits, bool)
        else None,
        field_of_study=field if field and re.fullmatch(r"\d{2,4}", field) else None,
        assessment=_str(criteria.get("narrative")),
        learning_outcomes=tuple(outcomes),
        skills=tuple(CredentialSkill(uri, status=SkillStatus.CONFIRMED) for uri in skills),
        url=criteria_url if criteria_url and criteria_url != achievement_id else None,
        source_format=Format.OPEN_BADGES.value,
        extra=tuple(sorted((k, v) for k, v in extra.items() if v)),
    )
    return credential, issuer if isinstance(issuer, Issuer) else None


def read_open_badges(
    documents: Sequence[SourceDocument],
    *,
    loader: PinnedDocumentLoader,
    jurisdictions: Jurisdictions | None = None,
    language: str = "en",
) -> CredentialFile:
    """Read Open Badges 3.0 credentials and achievements.

    ``language`` is accepted for symmetry with the other readers: OB 3.0 texts are plain
    strings, so there is no language to choose.

    Raises
    ------
    IngestError
        If a context other than the OB extensions context is unpinned (``details["url"]``), or
        a record is not valid JSON-LD.
    """
    del language
    source = documents[0].source if documents else ""
    credentials: dict[str, Located[Credential]] = {}
    issuers: dict[str, Located[Issuer]] = {}
    skipped: list[Skipped] = []

    def skip(document: SourceDocument, reason: str, pointer: str = "") -> None:
        logger.info("%s %s: skipped %s: %s", source, document.where, pointer, reason)
        skipped.append(Skipped(source, document.index, document.line, reason, pointer))

    for document in documents:
        if not isinstance(document.value, Mapping):
            raise IngestError(
                f"{document.where}: expected a JSON-LD object",
                source=source,
                line=document.line,
                record=document.index,
            )
        value, note = _standard_shape(document, document.value, loader)
        types = {t for t in _list(value.get("type")) if isinstance(t, str)}
        if "Achievement" in types:
            found: list[tuple[Any, Mapping[str, Any] | None]] = [(value, None)]
        elif types & _BADGE_CREDENTIALS:
            subjects = [s for s in _list(value.get("credentialSubject")) if isinstance(s, Mapping)]
            found = [(s.get("achievement"), value) for s in subjects]
        else:
            what = ", ".join(sorted(types)) or "a document without a type"
            skip(document, f"{what} describes no achievement", str(value.get("id", "")))
            continue
        for achievement, badge in found:
            if not isinstance(achievement, Mapping):
                skip(document, "the credential subject has no achievement")
                continue
            built = _credential(achievement, badge, jurisdictions=jurisdictions, note=note)
            if isinstance(built, str):
                skip(document, built, str(achievement.get("id", "")))
                continue
            credential, issuer = built
            if credential.id in credentials:
                skip(
                    document, "the achievement is described again; the first is kept", credential.id
                )
                continue
            credentials[credential.id] = Located(
                credential, source, document.index, document.line, credential.id
            )
            if issuer is not None and issuer.id not in issuers:
                issuers[issuer.id] = Located(
                    issuer, source, document.index, document.line, issuer.id
                )
    logger.info("read %d achievements from %s (%d skipped)", len(credentials), source, len(skipped))
    return CredentialFile(
        source=source,
        format=Format.OPEN_BADGES,
        issuers=tuple(issuers.values()),
        credentials=tuple(credentials.values()),
        skipped=tuple(skipped),
    )
