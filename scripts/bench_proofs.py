"""Throughput of eddsa-rdfc-2022 sign/verify next to plain Ed25519 over the same bytes.

Usage: ``python scripts/bench_proofs.py [--data DIR] [--seconds S] [--json]``

The credential is the 1EdTech CASE-aligned Open Badge 3.0 example with a did:key issuer, a
validity period and a Bitstring Status List entry. Contexts come from cert-schema and a temporary
cache seeded from the shared data folder (``--data``, default ``$CREDWALK_SHARED_DATA`` or
``<repo>/../shared/data``); nothing is fetched.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from graph.jsonld import PinnedDocumentLoader, load_manifest, seed_cache  # noqa: E402
from graph.proofs.canonical import canonicalize  # noqa: E402
from graph.proofs.data_integrity import sign, verify  # noqa: E402
from graph.proofs.did_key import did_key  # noqa: E402
from graph.proofs.status_list import status_list_entry  # noqa: E402

logger = logging.getLogger("bench_proofs")


def _rate(fn: Callable[[], Any], seconds: float) -> dict[str, float]:
    fn()  # warm-up: fills the loader's context caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or count < 5:
        fn()
        count += 1
    return {"ops_per_s": count / elapsed, "ms_per_op": 1000 * elapsed / count, "n": count}


def _credential(data: Path, issuer: str) -> dict[str, Any]:
    path = data / "openbadges" / "v3p0" / "examples" / "achievementAlignmentCase.json"
    credential: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    credential["issuer"]["id"] = issuer
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    credential["credentialStatus"] = status_list_entry(
        status_list_credential="https://credwalk.example/status/1", index=42
    )
    return credential


def main() -> None:
    default_data = os.environ.get("CREDWALK_SHARED_DATA") or str(REPO.parent / "shared" / "data")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per row")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    manifest = load_manifest(REPO / "ontologies" / "contexts" / "manifest.json")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        seed_cache(
            args.data / "openbadges" / "v3p0" / "context", cache_dir=cache, manifest=manifest
        )
        loader = PinnedDocumentLoader(manifest, cache_dir=cache)
        key = Ed25519PrivateKey.generate()
        public = key.public_key()
        credential = _credential(args.data, did_key(public))
        signed = sign(credential, key=key, loader=loader)
        assert verify(signed, loader=loader).verified
        canonical = canonicalize(credential, loader=loader).encode()
        signature = key.sign(canonical)

        rows = {
            "canonicalize (RDFC-1.0, safe)": _rate(
                lambda: canonicalize(credential, loader=loader), args.seconds
            ),
            "eddsa-rdfc-2022 sign": _rate(
                lambda: sign(credential, key=key, loader=loader), args.seconds
            ),
            "eddsa-rdfc-2022 verify": _rate(lambda: verify(signed, loader=loader), args.seconds),
            "Ed25519 sign (canonical bytes)": _rate(lambda: key.sign(canonical), args.seconds),
            "Ed25519 verify (canonical bytes)": _rate(
                lambda: public.verify(signature, canonical), args.seconds
            ),
        }
    report = {
        "credential_bytes": len(json.dumps(credential)),
        "canonical_bytes": len(canonical),
        "quads": canonical.count(b"\n"),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"Open Badge: {report['credential_bytes']} B JSON, {report['quads']} quads, "
        f"{report['canonical_bytes']} B canonical"
    )
    print(f"{'operation':<34} {'ops/s':>10} {'ms/op':>9}")
    for name, row in rows.items():
        print(f"{name:<34} {row['ops_per_s']:>10.1f} {row['ms_per_op']:>9.3f}")


if __name__ == "__main__":
    main()
