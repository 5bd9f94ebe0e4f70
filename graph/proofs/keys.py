"""Ed25519 issuer keys on disk: created on first use, rotated, never shown.

Layout of the key directory (mode 0700)::

    keys.json          public registry: every key's did:key method, creation and retirement
    <multibase>.pem    PKCS#8 private key of the active key (mode 0600)

Rotation makes a new active key and deletes the old private key, but keeps the old public key in
``keys.json`` so proofs it made still verify (:meth:`KeyStore.resolve`). Private key material is
never logged, never part of a ``repr``, and never leaves :class:`SigningKey` except as signatures.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from graph.errors import InvalidInputError, NotFoundError
from graph.proofs._xsd import format_datetime
from graph.proofs.did_key import (
    public_key_from_multibase,
    public_key_multibase,
    verification_method_id,
)

__all__ = ["KeyRecord", "KeyStore", "SigningKey"]

logger = logging.getLogger(__name__)

_REGISTRY = "keys.json"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An Ed25519 private key with its ``did:key`` verification method; repr shows no secret."""

    verification_method: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half."""
        return self.private_key.public_key()

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``data``."""
        return self.private_key.sign(data)


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """Public facts about one key of the store."""

    verification_method: str
    public_key_multibase: str
    created: str
    retired: str | None = None


def _check_private(path: Path, *, directory: bool) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        kind = "key directory" if directory else "key file"
        raise InvalidInputError(
            f"{kind} {path} is accessible to other users (mode {mode:o}); expected "
            f"{'0700' if directory else '0600'}",
            details={"file": str(path), "mode": f"{mode:o}"},
        )


def _write_private(path: Path, data: bytes) -> None:
    # mkstemp creates the file 0600 from the start, so the secret is never briefly readable.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KeyStore:
    """The issuer's Ed25519 keys in one owner-only directory.

    Parameters
    ----------
    directory : Path
        Created (mode 0700) on first use; an existing one must not be group/world accessible.

    Examples
    --------
    >>> tmp = tempfile.TemporaryDirectory()
    >>> store = KeyStore(Path(tmp.name) / "keys")
    >>> first = store.active_key()
    >>> first.verification_method.startswith("did:key:z6Mk")
    True
    >>> second = store.rotate()
    >>> store.active_key() == second != first
    True
    >>> store.resolve(first.verification_method) == first.public_key
    True
    >>> tmp.cleanup()
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"KeyStore({self.directory!r})"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.directory.exists():
            _check_private(self.directory, directory=True)
        else:
            self.directory.mkdir(mode=0o700, parents=True)
            os.chmod(self.directory, 0o700)
        # One process at a time creates or rotates, so two first uses cannot make two keys.
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read_registry(self) -> dict[str, Any]:
        path = self.directory / _REGISTRY
        if not path.exists():
            return {"version": 1, "active": None, "keys": []}
        try:
            data = json.loads(path.read_bytes())
        except ValueError as e:
            raise InvalidInputError(
                f"key registry {path} is not JSON", details={"file": str(path)}
            ) from e
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise InvalidInputError(
                f"key registry {path} is malformed", details={"file": str(path)}
            )
        return data

    def _key_path(self, multibase: str) -> Path:
        return self.directory / f"{multibase}.pem"

    def _generate(self, registry: dict[str, Any]) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        multibase = public_key_multibase(private.public_key())
        vm = verification_method_id(private.public_key())
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        _write_private(self._key_path(multibase), pem)
        now = format_datetime(datetime.now(UTC))
        previous = registry.get("active")
        for record in registry["keys"]:
            if record["verification_method"] == previous:
                record["retired"] = now
        registry["keys"].append(
            {
                "verification_method": vm,
                "public_key_multibase": multibase,
                "created": now,
                "retired": None,
            }
        )
        registry["active"] = vm
        _write_private(self.directory / _REGISTRY, json.dumps(registry, indent=2).encode())
        if previous is not None:
            self._key_path(previous.rpartition("#")[2]).unlink(missing_ok=True)
            logger.info("rotated issuer key: %s replaces %s", vm, previous)
        else:
            logger.info("created issuer key %s in %s", vm, self.directory)
        return SigningKey(verification_method=vm, private_key=private)

    def _load(self, vm: str) -> SigningKey:
        path = self._key_path(vm.rpartition("#")[2])
        try:
            _check_private(path, directory=False)
            key = load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise NotFoundError(
                f"private key file of the active key is missing from {self.directory}",
                details={"verification_method": vm},
            ) from None
        except ValueError as e:
            raise InvalidInputError(f"key file {path} is not a PEM private key") from e
        if not isinstance(key, Ed25519PrivateKey) or verification_method_id(key.public_key()) != vm:
            raise InvalidInputError(
                f"key file {path} does not hold the key the registry names",
                details={"file": str(path)},
            )
        return SigningKey(verification_method=vm, private_key=key)

    def active_key(self) -> SigningKey:
        """Return the active signing key, creating the first one if there is none."""
        with self._locked():
            registry = self._read_registry()
            if registry.get("active") is None:
                return self._generate(registry)
            return self._load(str(registry["active"]))

    def rotate(self) -> SigningKey:
        """Make a new active key; the old one's private key is deleted, its public key kept."""
        with self._locked():
            return self._generate(self._read_registry())

    def records(self) -> tuple[KeyRecord, ...]:
        """Return every key ever used by this store, oldest first."""
        if not self.directory.exists():
            return ()
        return tuple(
            KeyRecord(
                verification_method=r["verification_method"],
                public_key_multibase=r["public_key_multibase"],
                created=r["created"],
                retired=r.get("retired"),
            )
            for r in self._read_registry()["keys"]
        )

    def resolve(self, verification_method: str) -> Ed25519PublicKey:
        """Return the public key of any current or retired key of this store.

        Raises
        ------
        NotFoundError
            If the verification method is not one of this store's keys.
        """
        for record in self.records():
            if record.verification_method == verification_method:
                return public_key_from_multibase(record.public_key_multibase)
        raise NotFoundError(
            "verification method is not a key of this key store",
            details={"verification_method": verification_method},
        )
