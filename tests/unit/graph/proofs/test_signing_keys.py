"""The issuer key store: owner-only files, rotation, nothing secret in reprs or logs."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from graph.errors import InvalidInputError, NotFoundError
from graph.jsonld import PinnedDocumentLoader
from graph.proofs.data_integrity import Check, sign, verify
from graph.proofs.keys import KeyStore

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def secret_texts(store: KeyStore) -> list[str]:
    key = store.active_key().private_key
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    body = "".join(pem.splitlines()[1:-1])
    return [raw.hex(), body, raw.decode("latin-1")]


def test_first_use_creates_an_owner_only_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    assert not (tmp_path / "keys").exists(), "the constructor does no I/O"
    key = store.active_key()
    assert mode(tmp_path / "keys") == 0o700
    files = sorted(p.name for p in (tmp_path / "keys").iterdir() if not p.name.startswith("."))
    multibase = key.verification_method.rpartition("#")[2]
    assert files == sorted([f"{multibase}.pem", "keys.json"])
    assert mode(tmp_path / "keys" / f"{multibase}.pem") == 0o600
    assert mode(tmp_path / "keys" / "keys.json") == 0o600
    assert store.active_key() == key, "the same key on later uses"
    assert KeyStore(tmp_path / "keys").active_key() == key, "and from a new store object"


def test_no_secret_in_repr_or_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = KeyStore(tmp_path / "keys")
    key = store.active_key()
    store.rotate()
    shown = repr(key) + str(key) + repr(store) + caplog.text
    assert key.verification_method in caplog.text
    retired = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    for secret in [*secret_texts(store), retired.hex()]:
        assert secret not in shown
    assert "private_key" not in repr(key)


def test_rotation_keeps_old_proofs_verifiable(
    tmp_path: Path, shared_data: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    store = KeyStore(tmp_path / "keys")
    badge = json.loads(
        (shared_data / "openbadges/v3p0/examples/basicOpenBadgeCredential.json").read_text()
    )
    old = store.active_key()
    badge["issuer"]["id"] = old.verification_method.partition("#")[0]
    old_proof = sign(badge, key=old, loader=pinned_loader)

    new = store.rotate()
    assert new != old and store.active_key() == new
    assert not (tmp_path / "keys" / f"{old.verification_method.rpartition('#')[2]}.pem").exists()
    records = store.records()
    assert [r.verification_method for r in records] == [
        old.verification_method,
        new.verification_method,
    ]
    assert records[0].retired is not None and records[1].retired is None

    result = verify(old_proof, loader=pinned_loader, key_resolver=store.resolve, now=NOW)
    assert result.verified, result.message


def test_resolve_refuses_keys_of_other_stores(
    tmp_path: Path, shared_data: Path, pinned_loader: PinnedDocumentLoader
) -> None:
    ours, theirs = KeyStore(tmp_path / "ours"), KeyStore(tmp_path / "theirs")
    ours.active_key()
    stranger = theirs.active_key()
    with pytest.raises(NotFoundError):
        ours.resolve(stranger.verification_method)
    badge = json.loads(
        (shared_data / "openbadges/v3p0/examples/basicOpenBadgeCredential.json").read_text()
    )
    signed = sign(badge, key=stranger, loader=pinned_loader)
    result = verify(signed, loader=pinned_loader, key_resolver=ours.resolve, now=NOW)
    assert result.check == Check.KEY_RESOLUTION


def test_refuses_a_directory_others_can_read(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    with pytest.raises(InvalidInputError, match="accessible to other users"):
        KeyStore(directory).active_key()


def test_refuses_a_key_file_others_can_read(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    key = store.active_key()
    os.chmod(tmp_path / "keys" / f"{key.verification_method.rpartition('#')[2]}.pem", 0o644)
    with pytest.raises(InvalidInputError, match="accessible to other users"):
        store.active_key()


def test_a_missing_private_key_is_reported(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    key = store.active_key()
    (tmp_path / "keys" / f"{key.verification_method.rpartition('#')[2]}.pem").unlink()
    with pytest.raises(NotFoundError, match="private key file"):
        store.active_key()
