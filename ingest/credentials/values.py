"""Language tags and country codes as credential readers find them (names, ISO 639-2, EU IRIs)."""

from __future__ import annotations

import re

from graph.errors import CredwalkError
from graph.reference.jurisdictions import Jurisdictions

__all__ = ["country_code", "language_tag"]


_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))*$")


#: English names and ISO 639-2 codes of the languages credentials are mostly published in.
_LANGUAGE_NAMES = """
en english eng|fr french fra fre|de german deu ger|es spanish spa|it italian ita|nl dutch nld dut
pt portuguese por|pl polish pol|ga irish gle|el greek ell gre|sv swedish swe|da danish dan
fi finnish fin|cs czech ces cze|sk slovak slk slo|sl slovenian slv|hu hungarian hun
ro romanian ron rum|bg bulgarian bul|hr croatian hrv|et estonian est|lv latvian lav
lt lithuanian lit|mt maltese mlt|no norwegian nor|is icelandic isl ice|tr turkish tur
uk ukrainian ukr
"""


_LANGUAGES = {
    name: words[0]
    for entry in _LANGUAGE_NAMES.replace("\n", "|").split("|")
    if (words := entry.split())
    for name in words[1:]
}


def language_tag(value: str | None) -> str | None:
    """Return a BCP 47 tag (``en``, ``en-US``) for a tag, an English name or an ISO 639-2 code.

    Accepts an EU language authority IRI (``.../language/ENG``); returns None if unknown.
    """
    if not value:
        return None
    raw = value.strip().rsplit("/", 1)[-1]
    known = _LANGUAGES.get(raw.casefold())
    if known is not None:
        return known
    if not _TAG.match(raw) or len(raw.split("-")[0]) == 3:
        return None
    primary, *rest = re.split(r"[-_]", raw)
    return "-".join([primary.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


def country_code(value: str | None, jurisdictions: Jurisdictions | None) -> str | None:
    """Return the jurisdiction code of a country code, EU authority IRI or English name.

    Without a jurisdiction table only two-letter codes are recognised.
    """
    if not value or not value.strip():
        return None
    raw = value.strip()
    if jurisdictions is None:
        return raw.upper() if re.fullmatch(r"[A-Za-z]{2}", raw) else None
    try:
        return jurisdictions.normalise(raw)
    except CredwalkError:
        folded = raw.casefold()
        return next((j.code for j in jurisdictions if j.name.casefold() == folded), None)
