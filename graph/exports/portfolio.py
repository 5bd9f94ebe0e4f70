"""The member's portfolio: its signed manifest and its summary for people (unsigned parts).

A portfolio is a ZIP of files; ``manifest.json`` is a W3C VC 2.0 credential by this service
about the member whose ``relatedResource`` lists every other file of the ZIP with the
``digestMultibase`` of its bytes (a base64url multibase of the sha2-256 multihash, as VC 2.0
defines it). Signing the manifest therefore signs every file: the member's Proofs of
Competence and Certificates of Impact (each also signed on its own, and revocable), their ELM
forms and the HTML summary. Only terms of the pinned ``credentials/v2`` context are used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from graph.exports.ob3 import VC_V2_CONTEXT
from graph.proofs.multibase import multibase_encode

__all__ = [
    "MANIFEST",
    "PortfolioEntry",
    "digest_multibase",
    "portfolio_manifest",
    "portfolio_summary",
]

#: The name of the signed manifest in the ZIP.
MANIFEST = "manifest.json"
#: sha2-256 in the multihash table, and its digest length.
_SHA256_MULTIHASH = bytes([0x12, 0x20])


def digest_multibase(data: bytes) -> str:
    """The VC 2.0 ``digestMultibase`` of ``data``: base64url multibase of its sha2-256 multihash.

    Examples
    --------
    >>> digest_multibase(b"")
    'uEiDjsMRCmPwcFJr79MiZb7kkJ65B5GSbk0yklZkbeFK4VQ'
    """
    return multibase_encode(_SHA256_MULTIHASH + hashlib.sha256(data).digest(), base="base64url")


@dataclass(frozen=True, slots=True)
class PortfolioEntry:
    """One achievement of the summary: what, when, its state, its skills, its file."""

    kind: str
    title: str
    date: str
    state: str
    skills: tuple[str, ...]
    file: str
    detail: str = ""


def portfolio_manifest(
    *,
    portfolio_id: str,
    issuer: Mapping[str, Any],
    member: str,
    files: Mapping[str, bytes],
    media_types: Mapping[str, str],
    valid_from: str,
) -> dict[str, Any]:
    """The unsigned manifest credential listing ``files`` (name -> bytes) with their digests."""
    return {
        "@context": [VC_V2_CONTEXT],
        "id": portfolio_id,
        "type": ["VerifiableCredential"],
        "name": "Portfolio",
        "description": f"The portfolio of {member}: {len(files)} files, each listed with the "
        "digest of its bytes.",
        "issuer": {"id": issuer["id"], "name": issuer.get("name", "credwalk")},
        "validFrom": valid_from,
        "credentialSubject": {"id": member},
        "relatedResource": [
            {
                "id": f"{portfolio_id}/{name}",
                "name": name,
                "mediaType": media_types.get(name, "application/octet-stream"),
                "digestMultibase": digest_multibase(data),
            }
            for name, data in sorted(files.items())
        ],
    }


def _rows(entries: Sequence[PortfolioEntry]) -> str:
    rows = []
    for e in entries:
        skills = ", ".join(escape(s) for s in e.skills) or "—"
        detail = f"<br><small>{escape(e.detail)}</small>" if e.detail else ""
        rows.append(
            f"<tr><th scope='row'>{escape(e.title)}{detail}</th><td>{escape(e.date)}</td>"
            f"<td>{escape(e.state)}</td><td>{skills}</td>"
            f"<td><a href='{escape(e.file)}'>{escape(e.file)}</a></td></tr>"
        )
    return "\n".join(rows) or "<tr><td colspan='5'>None yet.</td></tr>"


def _table(caption: str, entries: Sequence[PortfolioEntry]) -> str:
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr><th scope='col'>What</th>"
        "<th scope='col'>Date</th><th scope='col'>State</th><th scope='col'>Skills</th>"
        f"<th scope='col'>File</th></tr></thead><tbody>{_rows(entries)}</tbody></table>"
    )


def portfolio_summary(
    *, member: str, name: str, generated: str, entries: Sequence[PortfolioEntry]
) -> str:
    """The portfolio's summary for people: one self-contained, accessible HTML page."""
    proofs = [e for e in entries if e.kind == "proof"]
    impacts = [e for e in entries if e.kind == "impact"]
    style = (
        "body{font:16px/1.5 system-ui,sans-serif;color:#1b1f24;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse;width:100%;margin:1rem 0}"
        "th,td{border:1px solid #8a8f98;padding:.4rem;text-align:left;vertical-align:top}"
        "caption{font-weight:700;text-align:left;font-size:1.2rem}a{color:#0b57a4}"
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Portfolio of {escape(name)}</title><style>{style}</style></head><body><main>"
        f"<h1>Portfolio of {escape(name)}</h1>"
        f"<p>{escape(member)} · generated {escape(generated)}. Every file of this portfolio is "
        "listed, with its digest, in <code>manifest.json</code>, signed by the service that "
        "issued it: check it with <code>credwalk verify portfolio.zip</code>.</p>"
        f"{_table('Proofs of Competence', proofs)}{_table('Certificates of Impact', impacts)}"
        "</main></body></html>\n"
    )
