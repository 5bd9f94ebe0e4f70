"""Settings: the environment and ``.env`` read as pydantic-settings read them, errors that name
the setting, secrets that never print."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from graph.errors import InvalidInputError
from graph.settings import DEFAULT_EMBEDDING_MODEL, Secret, Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ``CREDWALK_*`` variable of the machine, and a working directory without ``.env``."""
    for name in list(os.environ):
        if name.upper().startswith("CREDWALK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _error(**overrides: object) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        load_settings(**overrides)
    return caught.value


def test_defaults() -> None:
    settings = load_settings()
    assert settings.store.startswith("sqlite:///") and settings.store.endswith("credwalk.db")
    assert settings.embedding_model == DEFAULT_EMBEDDING_MODEL
    assert settings.neo4j_password is None
    assert settings.load_demo is True
    assert settings.max_payload_bytes == 5_000_000
    assert settings.base_iri == "https://credwalk.org/id"
    assert isinstance(settings.key_dir, Path)


def test_every_field_type_has_a_parser() -> None:
    # A field of a type the loader cannot read would fail only when someone sets it.
    values = {
        "str": "x",
        "str | None": "x",
        "bool": "true",
        "int": "7",
        "Path": "somewhere",
        "Secret | None": "a-real-one",
    }
    overrides = {f.name: values[str(f.type)] for f in dataclasses.fields(Settings)}
    overrides["store"] = "sqlite:///x.db"
    settings = load_settings(**overrides)
    assert settings.load_demo is True and settings.max_payload_bytes == 7


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.store = "sqlite:///other.db"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("0", False),
        ("true", True),
        ("False", False),
        ("YES", True),
        ("no", False),
        ("on", True),
        ("Off", False),
        ("t", True),
        ("n", False),
    ],
)
def test_booleans_read_like_pydantic(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: bool
) -> None:
    monkeypatch.setenv("CREDWALK_LOAD_DEMO", text)
    assert load_settings().load_demo is expected


@pytest.mark.parametrize("text", ["maybe", "2", " true "], ids=["word", "two", "padded"])
def test_a_bad_boolean_names_the_setting(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("CREDWALK_LOAD_DEMO", text)
    error = _error()
    assert error.message == (
        "invalid setting load_demo: Input should be a valid boolean, unable to interpret input"
    )
    assert error.details == {"field": "load_demo"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", 10), (" 12 ", 12), ("1_000", 1000), ("+5", 5), ("10.0", 10)],
)
def test_integers_read_like_pydantic(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: int
) -> None:
    monkeypatch.setenv("CREDWALK_MAX_PAYLOAD_BYTES", text)
    assert load_settings().max_payload_bytes == expected


@pytest.mark.parametrize("text", ["abc", "10.5", "1e3", "0x10"])
def test_a_bad_integer_names_the_setting(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("CREDWALK_MAX_PAYLOAD_BYTES", text)
    error = _error()
    assert error.message == (
        "invalid setting max_payload_bytes: "
        "Input should be a valid integer, unable to parse string as an integer"
    )
    assert error.details == {"field": "max_payload_bytes"}


@pytest.mark.parametrize("value", ["0", "-1", 0])
def test_a_size_must_be_positive(monkeypatch: pytest.MonkeyPatch, value: object) -> None:
    error = _error(max_payload_bytes=value)
    assert error.message == "invalid setting max_payload_bytes: Input should be greater than 0"


def test_overrides_are_parsed_and_typed() -> None:
    settings = load_settings(load_demo="no", max_payload_bytes=7.0, key_dir="keys")
    assert settings.load_demo is False
    assert settings.max_payload_bytes == 7
    assert settings.key_dir == Path("keys")
    assert "fractional part" in _error(max_payload_bytes=7.5).message
    assert _error(store=None).message == "invalid setting store: Input should be a valid string"
    assert _error(load_demo=None).details == {"field": "load_demo"}


def test_names_that_are_no_setting_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDWALK_NO_SUCH_THING", "1")
    assert not hasattr(load_settings(no_such_thing=1), "no_such_thing")


@pytest.mark.parametrize(
    ("url", "scheme"), [("foo://x", "foo"), ("/a.db", "")], ids=["unknown", "no-scheme"]
)
def test_an_unknown_store_scheme_names_the_store(
    monkeypatch: pytest.MonkeyPatch, url: str, scheme: str
) -> None:
    monkeypatch.setenv("CREDWALK_STORE", url)
    error = _error()
    assert error.message == (
        "invalid setting store: Value error, store URL must start with sqlite:/// or neo4j:// "
        f"or bolt://, got {scheme!r}"
    )
    assert error.details == {"field": "store"}


def test_the_first_bad_field_is_reported_in_declaration_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREDWALK_LOAD_DEMO", "maybe")
    monkeypatch.setenv("CREDWALK_STORE", "foo://x")
    assert _error().details == {"field": "store"}


@pytest.mark.parametrize("password", ["neo4j", "Password", "CHANGETHIS", "secret"])
def test_a_placeholder_password_is_refused(password: str) -> None:
    error = _error(neo4j_user="neo4j", neo4j_password=password)
    assert error.message == (
        "invalid setting settings: Value error, "
        "CREDWALK_NEO4J_PASSWORD is a placeholder; set a real password"
    )
    assert error.details == {"field": "settings"}
    assert password not in str(error.details)


def test_a_password_needs_a_user() -> None:
    assert "without CREDWALK_NEO4J_USER" in _error(neo4j_password="s3cret-pass").message


def test_a_secret_never_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDWALK_NEO4J_USER", "neo4j")
    monkeypatch.setenv("CREDWALK_NEO4J_PASSWORD", "s3cret-pass")
    monkeypatch.setenv("CREDWALK_SESSION_SECRET", "cookie-key")
    settings = load_settings()
    assert settings.neo4j_password is not None and settings.session_secret is not None
    assert settings.neo4j_password.get_secret_value() == "s3cret-pass"
    assert settings.session_secret.get_secret_value() == "cookie-key"
    for shown in (repr(settings), str(settings), repr(settings.neo4j_password)):
        assert "s3cret-pass" not in shown and "cookie-key" not in shown
    assert str(settings.neo4j_password) == "**********"
    assert "neo4j_password=Secret('**********')" in repr(settings)
    assert load_settings(neo4j_password=Secret("s3cret-pass")) == settings


def test_base_iri_loses_its_trailing_slashes() -> None:
    assert load_settings(base_iri="https://example.org/id///").base_iri == "https://example.org/id"


def test_names_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("credwalk_neo4j_namespace", "lower")
    assert load_settings().neo4j_namespace == "lower"


def test_an_empty_value_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDWALK_STORE", "")
    monkeypatch.setenv("CREDWALK_MAX_PAYLOAD_BYTES", "")
    settings = load_settings()
    assert settings.store.endswith("credwalk.db")
    assert settings.max_payload_bytes == 5_000_000


def test_dot_env_in_the_working_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# deployment\n"
        'CREDWALK_NEO4J_USER="quoted user"\n'
        "export CREDWALK_NEO4J_DATABASE=fromfile\n"
        "credwalk_log_level=DEBUG\n"
        "CREDWALK_EMBEDDING_DEVICE=\n"
        "CREDWALK_NEO4J_NAMESPACE=from-file\n"
        "CREDWALK_LOAD_DEMO=maybe\n"
        "OTHER=1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CREDWALK_NEO4J_NAMESPACE", "from-env")  # the environment wins
    monkeypatch.setenv("CREDWALK_NEO4J_DATABASE", "")  # empty: .env's value counts
    with pytest.raises(InvalidInputError, match="load_demo"):
        load_settings()
    settings = load_settings(load_demo=False)  # overrides win over both
    assert settings.neo4j_user == "quoted user"
    assert settings.neo4j_database == "fromfile"
    assert settings.log_level == "DEBUG"
    assert settings.embedding_device == "cpu"
    assert settings.neo4j_namespace == "from-env"
    assert settings.load_demo is False
