"""Use case: a stored credential written in a standard format (CTDL JSON-LD, Open Badges 3.0).

The project's own format is the credential as the API and the CLI show it; the standard formats
are built by :mod:`graph.exports` from the credential, its issuer and its skills' labels.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graph.exports.ctdl import credential_to_ctdl
from graph.exports.elm import credential_to_elm
from graph.exports.ob3 import credential_to_achievement
from graph.services.catalogue.credentials import get_credential, get_issuer
from graph.store import GraphStore

__all__ = ["ExportFormat", "export_credential"]


class ExportFormat(StrEnum):
    """The standard formats a credential can be exported in."""

    CTDL = "ctdl"
    OB3 = "ob3"
    ELM = "elm"


def export_credential(
    store: GraphStore, credential_id: str, *, format: ExportFormat
) -> dict[str, Any]:
    """Return credential ``credential_id`` as CTDL JSON-LD, an OB 3.0 Achievement or ELM.

    Raises
    ------
    NotFoundError
        If the credential or its issuer is not in the store.
    """
    credential = get_credential(store, credential_id)
    issuer = get_issuer(store, credential.issuer)
    labels = {
        uri: concept.preferred_label()
        for uri, concept in store.get_concepts(s.uri for s in credential.skills).items()
    }
    if format is ExportFormat.CTDL:
        return credential_to_ctdl(credential, issuer, skill_labels=labels)
    if format is ExportFormat.ELM:
        return credential_to_elm(credential, skill_labels=labels, lang=credential.language or "en")
    return credential_to_achievement(credential, issuer, skill_labels=labels)
