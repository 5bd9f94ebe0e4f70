"""Reference data every use case may consult: jurisdictions and qualification frameworks.

It is loaded once per process from ``ontologies/`` (by the edges, which know where that is) and
passed to the services explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.errors import InvalidInputError, NotFoundError
from graph.model.credentials import QualificationLevel
from graph.reference.jurisdictions import Jurisdictions, load_jurisdictions
from graph.reference.qualifications import (
    FrameworkLevel,
    QualificationFrameworks,
    load_qualification_frameworks,
)

__all__ = ["ReferenceData", "load_reference_data"]


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """Jurisdictions and qualification frameworks with their EQF referencing."""

    jurisdictions: Jurisdictions
    frameworks: QualificationFrameworks

    def jurisdiction(self, code: str, *, field: str = "jurisdiction") -> str:
        """Return the normalised code, or raise InvalidInputError naming ``field``."""
        try:
            return self.jurisdictions.normalise(code)
        except NotFoundError as e:
            raise InvalidInputError(
                f"{field}: unknown jurisdiction {code!r} (expected an ISO 3166 code or EU)",
                details={"field": field, "value": code},
            ) from e

    def level(self, level: QualificationLevel, *, field: str = "level") -> FrameworkLevel:
        """Resolve a credential's level, or raise InvalidInputError naming ``field``.

        A framework credwalk does not know is an error too: a level nobody can compare is not
        one an advisor can defend.
        """
        reference = level.value if "://" in level.value else (level.framework, level.value)
        try:
            return self.frameworks.resolve_level(reference)
        except (NotFoundError, InvalidInputError) as e:
            raise InvalidInputError(
                f"{field}: {e.message}", details={"field": field, **e.details}
            ) from e

    def eqf_level(self, level: QualificationLevel) -> int | None:
        """The EQF level a credential's level is referenced to (None if it has none)."""
        resolved = self.level(level)
        return resolved.eqf_level


def load_reference_data(ontologies_dir: Path, *, base_iri: str) -> ReferenceData:
    """Load ``ontologies/jurisdictions.csv`` and ``ontologies/qualifications/``."""
    return ReferenceData(
        jurisdictions=load_jurisdictions(ontologies_dir / "jurisdictions.csv"),
        frameworks=load_qualification_frameworks(
            ontologies_dir / "qualifications", base_iri=base_iri
        ),
    )
