"""Issued Proofs of Competence: the signed document and its revocation status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ProofRecord"]


@dataclass(frozen=True, slots=True)
class ProofRecord:
    """An issued proof: the signed document and its status."""

    id: str
    submission: str
    learner: str
    credential: str
    document: Mapping[str, Any]
    issued_at: str
    verification_method: str
    status_list: str
    status_index: int
    revoked: bool = False
    revoked_at: str | None = None
    revocation_reason: str | None = None
