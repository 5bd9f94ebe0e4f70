"""Where things are in the project's ``ontologies/`` folder: one place knows its layout.

The folder holds data, no code (``ontologies/SOURCES.md`` and the folders' own notes say where
each file came from); the loaders take the paths these functions give.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ONTOLOGIES_DIR", "context_manifest", "credential_schemas", "esco_errata", "query_model"]

#: The project's own ``ontologies/`` folder (the default of ``Settings.ontologies_dir``).
ONTOLOGIES_DIR = Path(__file__).resolve().parents[1] / "ontologies"


def context_manifest(ontologies_dir: Path) -> Path:
    """The manifest of the pinned JSON-LD contexts (URL, SHA-256, source, licence)."""
    return ontologies_dir / "contexts" / "manifest.json"


def credential_schemas(ontologies_dir: Path) -> Path:
    """The folder of the JSON Schemas of the project's own credential and issuer format."""
    return ontologies_dir / "schemas"


def query_model(ontologies_dir: Path) -> Path:
    """The ESCO-tuned query layers of the default model (``scripts/dev train query-model``)."""
    return ontologies_dir / "models" / "minilm-esco-query.safetensors"


def esco_errata(ontologies_dir: Path) -> Path:
    """Known errors of the ESCO CSV packs and their corrections."""
    return ontologies_dir / "esco" / "errata.csv"
