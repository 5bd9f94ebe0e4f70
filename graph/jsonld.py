"""Pinned JSON-LD contexts: a document loader that never fetches.

A signature over JSON-LD signs the RDF the document *means*, and what it means depends on its
``@context`` documents. A context fetched at run time could change under a signed credential, so
credwalk never fetches one: every context URL it accepts is listed in a manifest
(``ontologies/contexts/manifest.json``) with the SHA-256 of its exact bytes, and its bytes come
either from a registry package that ships them (``cert-schema``) or from a local cache folder
(``<cache_dir>/<sha256>.json``). Anything else is refused with an error naming the URL.

Nothing here reads the environment: the manifest and the cache folder are explicit arguments.
Canonicalisation through this loader is :func:`graph.proofs.canonical.canonicalize`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import urllib.request
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pyld.context_resolver import ContextResolver

from graph.errors import CredwalkError, InvalidInputError, NotFoundError

__all__ = [
    "ContextEntry",
    "ContextManifest",
    "PinnedDocumentLoader",
    "SeedReport",
    "cache_path",
    "fetch_pinned",
    "load_manifest",
    "seed_cache",
]

logger = logging.getLogger(__name__)

#: Files larger than this are not considered when seeding: contexts are a few KiB.
_MAX_CONTEXT_BYTES = 1 << 20
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ContextEntry:
    """One pinned context: where its bytes may come from and the hash they must have."""

    url: str
    sha256: str
    media_type: str = "application/ld+json"
    publisher: str = ""
    source: str = ""
    distribution: str | None = None
    package_path: str | None = None
    shipped: Path | None = None


@dataclass(frozen=True, slots=True)
class ContextManifest:
    """The set of context URLs credwalk accepts, keyed by URL."""

    entries: Mapping[str, ContextEntry] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, folder: Path | None = None) -> ContextManifest:
        """Build a manifest from its JSON form (``{"contexts": {url: {"sha256": ...}}}``).

        An entry's ``file`` is a copy shipped with credwalk, relative to ``folder`` (the
        manifest's own folder).

        Raises
        ------
        InvalidInputError
            If an entry lacks a lowercase hex SHA-256.
        """
        contexts = data.get("contexts")
        if not isinstance(contexts, Mapping):
            raise InvalidInputError("context manifest has no 'contexts' object")
        entries: dict[str, ContextEntry] = {}
        for url, raw in contexts.items():
            digest = raw.get("sha256") if isinstance(raw, Mapping) else None
            if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
                raise InvalidInputError(
                    f"context manifest entry {url} has no valid sha256", details={"url": url}
                )
            package = raw.get("package") or {}
            shipped = raw.get("file")
            entries[url] = ContextEntry(
                url=url,
                sha256=digest,
                media_type=str(raw.get("media_type", "application/ld+json")),
                publisher=str(raw.get("publisher", "")),
                source=str(raw.get("source", "")),
                distribution=package.get("distribution"),
                package_path=package.get("path"),
                shipped=folder / shipped if folder is not None and shipped else None,
            )
        return cls(entries=MappingProxyType(entries))

    def entry(self, url: str) -> ContextEntry:
        """Return the entry of ``url``.

        Raises
        ------
        NotFoundError
            If the URL is not pinned (``details["reason"] == "context_not_pinned"``).
        """
        try:
            return self.entries[url]
        except KeyError:
            raise NotFoundError(
                f"JSON-LD context {url} is not pinned in the context manifest; "
                "credwalk never fetches unpinned contexts",
                details={"url": url, "reason": "context_not_pinned"},
            ) from None


def load_manifest(path: Path) -> ContextManifest:
    """Read a context manifest file.

    Raises
    ------
    InvalidInputError
        If the file is missing or is not a valid manifest.
    """
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as e:
        raise InvalidInputError(
            f"cannot read context manifest {path}: {e}", details={"file": str(path)}
        ) from e
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            "context manifest is not a JSON object", details={"file": str(path)}
        )
    return ContextManifest.from_json(data, folder=path.parent)


#: Where a context's bytes came from: shipped with credwalk, its registry package, the cache.
Origin = Literal["shipped", "package", "cache"]


def cache_path(cache_dir: Path, sha256: str) -> Path:
    """Return where the cache keeps the context whose bytes hash to ``sha256``."""
    return cache_dir / f"{sha256}.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _LockedLru:
    """A small thread-safe LRU map with the ``get``/``[]=`` interface pyld's resolver uses."""

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)


class PinnedDocumentLoader:
    """A pyld ``documentLoader`` that serves only manifest-pinned contexts, offline.

    Parameters
    ----------
    manifest : ContextManifest
        The pinned URLs and hashes.
    cache_dir : Path, optional
        Folder of cached context files named ``<sha256>.json``; without it only packaged
        contexts are served.

    Examples
    --------
    >>> manifest = ContextManifest.from_json({"contexts": {
    ...     "https://www.w3.org/ns/credentials/v2": {
    ...         "sha256": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ...         "package": {"distribution": "cert-schema",
    ...                     "path": "cert_schema/3.2/credential_v2.json"}}}})
    >>> loader = PinnedDocumentLoader(manifest)
    >>> loader("https://www.w3.org/ns/credentials/v2")["document"]["@context"]["@protected"]
    True
    >>> loader.origin("https://www.w3.org/ns/credentials/v2")
    'package'
    """

    def __init__(self, manifest: ContextManifest, *, cache_dir: Path | None = None) -> None:
        self.manifest = manifest
        self.cache_dir = cache_dir
        self._verified: dict[str, tuple[bytes, Origin]] = {}
        self._lock = threading.Lock()
        # pyld keeps resolved contexts in a process-wide cache keyed by URL; a private one
        # means a context resolved through some other loader can never stand in for ours.
        self._resolved = _LockedLru(maxsize=256)

    def __repr__(self) -> str:
        return (
            f"PinnedDocumentLoader(urls={len(self.manifest.entries)}, cache_dir={self.cache_dir!r})"
        )

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return the pyld RemoteDocument of a pinned context URL.

        Raises
        ------
        NotFoundError
            If the URL is not pinned, or is in neither the package nor the cache.
        InvalidInputError
            If the cached file's hash differs from the manifest.
        """
        entry = self.manifest.entry(url)
        return {
            "contentType": entry.media_type,
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
        }

    def document(self, url: str) -> dict[str, Any]:
        """Return a fresh parsed copy of the pinned context document at ``url``.

        Raises
        ------
        NotFoundError
            If the URL is not pinned or not available offline.
        InvalidInputError
            If the cached file's hash differs from the manifest or it is not a JSON object.
        """
        data, _ = self._bytes(url)
        # A fresh copy each time: pyld rewrites relative @context URLs in place.
        doc = json.loads(data)
        if not isinstance(doc, dict):
            raise InvalidInputError(
                f"pinned context {url} is not a JSON object",
                details={"url": url, "reason": "context_not_json"},
            )
        return doc

    def origin(self, url: str) -> Origin:
        """Say whether ``url`` is served from credwalk's copy, its registry package or the cache."""
        return self._bytes(url)[1]

    def _bytes(self, url: str) -> tuple[bytes, Origin]:
        with self._lock:
            hit = self._verified.get(url)
        if hit is not None:
            return hit
        entry = self.manifest.entry(url)
        result = self._from_shipped(entry) or self._from_package(entry) or self._from_cache(entry)
        with self._lock:
            self._verified[url] = result
        return result

    def _from_shipped(self, entry: ContextEntry) -> tuple[bytes, Literal["shipped"]] | None:
        if entry.shipped is None:
            return None
        try:
            data = entry.shipped.read_bytes()
        except OSError:
            return None
        if _sha256(data) != entry.sha256:
            logger.warning("shipped copy of %s does not match its pinned hash", entry.url)
            return None
        return data, "shipped"

    def _from_package(self, entry: ContextEntry) -> tuple[bytes, Literal["package"]] | None:
        if entry.distribution is None or entry.package_path is None:
            return None
        try:
            path = Path(
                str(metadata.distribution(entry.distribution).locate_file(entry.package_path))
            )
            data = path.read_bytes()
        except (metadata.PackageNotFoundError, OSError):
            return None
        if _sha256(data) != entry.sha256:
            # A package upgrade changed the file: the cache may still hold the pinned bytes.
            logger.warning("packaged copy of %s does not match its pinned hash", entry.url)
            return None
        logger.debug("context %s served from package %s", entry.url, entry.distribution)
        return data, "package"

    def _from_cache(self, entry: ContextEntry) -> tuple[bytes, Literal["cache"]]:
        if self.cache_dir is None:
            raise NotFoundError(
                f"JSON-LD context {entry.url} is pinned but no context cache is configured",
                details={"url": entry.url, "reason": "context_not_cached"},
            )
        path = cache_path(self.cache_dir, entry.sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(
                f"JSON-LD context {entry.url} is pinned but missing from the cache {self.cache_dir}"
                " (seed it with the pinned file)",
                details={"url": entry.url, "reason": "context_not_cached", "file": str(path)},
            ) from None
        actual = _sha256(data)
        if actual != entry.sha256:
            raise InvalidInputError(
                f"cached JSON-LD context {entry.url} does not match its pinned SHA-256",
                details={
                    "url": entry.url,
                    "reason": "context_hash_mismatch",
                    "file": str(path),
                    "expected_sha256": entry.sha256,
                    "actual_sha256": actual,
                },
            )
        logger.debug("context %s served from cache", entry.url)
        return data, "cache"

    def _resolver_loader(
        self, url: str, options: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        doc = self(url, options)
        # The 'static' tag lets pyld reuse the resolved context across calls, in our cache only.
        doc["tag"] = "static"
        return doc

    def context_resolver(self) -> Any:
        """Return a pyld ``ContextResolver`` bound to this loader and its private cache."""
        return ContextResolver(self._resolved, self._resolver_loader)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What :func:`seed_cache` stored, and which pinned URLs still need a file."""

    seeded: tuple[str, ...]
    missing: tuple[str, ...]


def _store(data: bytes, *, cache_dir: Path, sha256: str) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_path(cache_dir, sha256)
    # Write then rename, so a reader never sees a half-written file.
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".seed-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def seed_cache(source: Path, *, cache_dir: Path, manifest: ContextManifest) -> SeedReport:
    """Copy into the cache every file under ``source`` whose bytes match a pinned hash.

    File names do not matter: only the bytes are compared with the manifest.

    Returns
    -------
    SeedReport
        The URLs seeded, and the pinned URLs that are neither packaged nor cached afterwards.
    """
    by_hash: dict[str, list[str]] = {}
    for entry in manifest.entries.values():
        by_hash.setdefault(entry.sha256, []).append(entry.url)
    seeded: list[str] = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        if path.stat().st_size > _MAX_CONTEXT_BYTES:
            continue
        data = path.read_bytes()
        digest = _sha256(data)
        if digest in by_hash:
            _store(data, cache_dir=cache_dir, sha256=digest)
            seeded.extend(by_hash.pop(digest))
    loader = PinnedDocumentLoader(manifest, cache_dir=cache_dir)
    missing = []
    for url in manifest.entries:
        try:
            loader.origin(url)
        except CredwalkError:
            missing.append(url)
    logger.info(
        "seeded %d pinned contexts into %s; %d missing", len(seeded), cache_dir, len(missing)
    )
    return SeedReport(seeded=tuple(sorted(seeded)), missing=tuple(missing))


def fetch_pinned(
    url: str, *, manifest: ContextManifest, cache_dir: Path, timeout: float = 30.0
) -> Path:
    """Download one pinned context into the cache, keeping it only if its hash matches.

    This is the only function in credwalk that touches the network for a context, and it runs
    only when called explicitly (e.g. by an operator command); loading never calls it.

    Raises
    ------
    NotFoundError
        If the URL is not pinned.
    InvalidInputError
        If the download fails or its bytes do not match the pinned hash.
    """
    entry = manifest.entry(url)
    request = urllib.request.Request(
        url, headers={"Accept": "application/ld+json, application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(_MAX_CONTEXT_BYTES + 1)
    except OSError as e:
        raise InvalidInputError(f"cannot download context {url}: {e}", details={"url": url}) from e
    actual = _sha256(data)
    if actual != entry.sha256:
        raise InvalidInputError(
            f"downloaded context {url} does not match its pinned SHA-256",
            details={"url": url, "reason": "context_hash_mismatch", "actual_sha256": actual},
        )
    return _store(data, cache_dir=cache_dir, sha256=actual)
