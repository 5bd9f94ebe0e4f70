"""A Proof of Competence as an ELM credential: read what the builder needs from the store."""

from __future__ import annotations

from typing import Any

from graph.errors import CredwalkError
from graph.exports.elm import elm_credential
from graph.model.credentials import Issuer
from graph.model.proofs import ProofRecord
from graph.reference import ReferenceData
from graph.services.catalogue.credentials import get_credential, get_issuer
from graph.services.proofs.submissions import submission_view
from graph.store import GraphStore

__all__ = ["export_elm"]


def export_elm(
    store: GraphStore,
    proof: ProofRecord,
    *,
    base_iri: str,
    reference: ReferenceData | None = None,
) -> dict[str, Any]:
    """Return the ELM credential of ``proof`` (:func:`graph.exports.elm.elm_credential`).

    Raises
    ------
    NotFoundError
        If the proof's submission or credential is no longer in the store.
    """
    view, _ = submission_view(store, proof.submission, base_iri=base_iri)
    credential = get_credential(store, proof.credential)
    try:
        awarding_body: Issuer | None = get_issuer(store, credential.issuer)
    except CredwalkError:
        awarding_body = None
    return elm_credential(
        proof, view=view, credential=credential, awarding_body=awarding_body, reference=reference
    )
