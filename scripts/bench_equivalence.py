"""Explained equivalence, equivalents among 10,000 credentials, and the O*NET->ESCO crosswalk.

Usage: ``python scripts/bench.py equivalence [--data DIR] [--credentials N] [--queries N]
[--pairs N] [--no-crosswalk] [--json]``

1. **equivalence of two credentials**: ``credential_equivalence`` over pairs of the demo
   catalogue (ontologies/demo) on the demo ESCO slice, with the configured embedder behind its
   cache (the skill labels are ESCO's, so a warm cache answers).
2. **equivalents among N generated credentials**: full ESCO (the shared pack, imported without
   vectors) and N credentials generated here from real ESCO occupations' skills (random
   jurisdictions, issuers, EQF levels, credits; seeded), then ``equivalents`` of random
   credentials, half of the queries with a jurisdiction filter.
3. **full O*NET -> ESCO crosswalk**: O*NET (the shared files) into the same store, then
   ``crosswalk`` of every O*NET occupation, warm (the embedding cache holds the texts after an
   ingest with vectors; run ``credwalk ingest onet`` once, or this benchmark warms it on its
   first run, which is then reported as cold).

Targets (2-core machine): equivalence p95 <= 30 ms; equivalents p95 <= 100 ms; crosswalk <= 60 s.
Wall-clock times are judged; CPU times are printed beside them, since on a shared machine the
difference is time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.embeddings import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
from graph.jsonld import PinnedDocumentLoader, load_manifest
from graph.model.accounts import operator
from graph.model.concepts import NodeKind, RelationType
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerType,
    Money,
    QualificationLevel,
)
from graph.reference import ReferenceData, load_reference_data
from graph.registry import create_store
from graph.services.catalogue.credentials import save_catalogue
from graph.services.crosswalk.ranking import crosswalk
from graph.services.equivalence.equivalents import credential_equivalence, equivalents
from graph.services.ingestion import import_concepts
from graph.settings import load_settings
from graph.store import GraphStore
from ingest.credentials.reader import read_credential_file
from ingest.demo import read_demo_slice
from ingest.frameworks.esco import esco_import, read_esco
from ingest.frameworks.onet import onet_import, read_onet

ADMIN = operator("bench")

logger = logging.getLogger("bench_equivalence")

ONTOLOGIES = REPO / "ontologies"
TARGETS = {
    "equivalence of two credentials (p95 ms)": 30.0,
    "equivalents among generated credentials (p95 ms)": 100.0,
    "O*NET -> ESCO crosswalk, warm (s)": 60.0,
}
JURISDICTIONS = ("IE", "DE", "FR", "NL", "PL", "ES", "IT", "AT", "GB-SCT", "GB-ENG", "US", "EU")
LEVELS = {"IE": "ie-nfq", "DE": "de-dqr", "FR": "fr-cncp", "NL": "nl-nlqf", "PL": "pl-pqf"}
#: NFQ codes referenced to EQF 3..7 (the NFQ has two codes at EQF 4 and 6; take the first).
NFQ = {3: "3", 4: "4", 5: "6", 6: "7", 7: "9"}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50": at(0.5), "p95": at(0.95), "max": ordered[-1], "n": float(len(ordered))}


def _embedder() -> CachedEmbedder:
    settings = load_settings()
    return CachedEmbedder(
        SentenceTransformerEmbedder(settings.embedding_model, device=settings.embedding_device),
        EmbeddingCache(settings.embedding_cache),
    )


def _demo_store(path: Path, reference: ReferenceData) -> tuple[GraphStore, list[str]]:
    store = create_store(f"sqlite:///{path}")
    store.open()
    import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=None)
    with tempfile.TemporaryDirectory() as cache:
        loader = PinnedDocumentLoader(
            load_manifest(ONTOLOGIES / "contexts" / "manifest.json"), cache_dir=Path(cache)
        )
        found = read_credential_file(
            ONTOLOGIES / "demo" / "credentials.json",
            loader=loader,
            jurisdictions=reference.jurisdictions,
        )
    credentials = [c.value for c in found.credentials]
    save_catalogue(
        store,
        actor=ADMIN,
        issuers=[i.value for i in found.issuers],
        credentials=credentials,
        reference=reference,
    )
    return store, [c.id for c in credentials]


def bench_pairs(
    reference: ReferenceData, embedder: CachedEmbedder, tmp: Path, pairs: int
) -> dict[str, float]:
    store, ids = _demo_store(tmp / "demo.db", reference)
    rng = random.Random(7)
    chosen = rng.sample(list(itertools.permutations(ids, 2)), pairs)
    credential_equivalence(store, *chosen[0], reference=reference, embedder=embedder)
    samples, cpu = [], []
    for a, b in chosen:
        start, start_cpu = time.perf_counter(), time.process_time()
        credential_equivalence(store, a, b, reference=reference, embedder=embedder)
        samples.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    store.close()
    result = _percentiles(samples)
    result["cpu p95"] = _percentiles(cpu)["p95"]
    return result


def _generate(pack: Any, count: int, rng: random.Random) -> tuple[list[Issuer], list[Credential]]:
    """Credentials over real ESCO occupations' skills: a few essential, a few optional."""
    essential: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for relation in pack.relations:
        if relation.type is RelationType.HAS_ESSENTIAL_SKILL:
            essential.setdefault(relation.source, []).append(relation.target)
        elif relation.type is RelationType.HAS_OPTIONAL_SKILL:
            optional.setdefault(relation.source, []).append(relation.target)
    skills = {u for u, c in pack.concepts.items() if c.kind is NodeKind.SKILL}
    occupations = sorted(o for o, s in essential.items() if len([x for x in s if x in skills]) >= 4)
    types = list(IssuerType)
    issuers = [
        Issuer(
            f"https://issuer{i}.bench.example",
            f"Bench issuer {i}",
            types[i % len(types)],
            JURISDICTIONS[i % len(JURISDICTIONS)],
        )
        for i in range(60)
    ]
    credentials = []
    for i in range(count):
        occupation = rng.choice(occupations)
        own = [s for s in essential[occupation] if s in skills]
        extra = [s for s in optional.get(occupation, []) if s in skills]
        picked = rng.sample(own, min(len(own), rng.randint(4, 10)))
        picked += rng.sample(extra, min(len(extra), rng.randint(0, 4)))
        issuer = issuers[i % len(issuers)]
        where = issuer.jurisdiction or "EU"
        eqf = rng.randint(3, 7)
        level = (
            QualificationLevel("ie-nfq", NFQ[eqf])
            if where == "IE"
            else QualificationLevel(LEVELS[where], str(eqf))
            if where in LEVELS
            else QualificationLevel("EQF", str(eqf))
        )
        credentials.append(
            Credential(
                id=f"https://bench.example/credentials/{i}",
                title=f"Generated credential {i}",
                issuer=issuer.id,
                jurisdiction=where,
                levels=() if where == "US" else (level,),
                credits=Credits(float(rng.choice((2, 3, 5, 10))), "ECTS"),
                hours=float(rng.choice((50, 75, 125, 250))),
                cost=Money(float(rng.randint(100, 2000)), "EUR"),
                industry=f"nace:{rng.choice('CFGIJKMQ')}{rng.randint(10, 99)}",
                skills=tuple(
                    CredentialSkill(s, level=rng.randint(2, 7)) for s in dict.fromkeys(picked)
                ),
            )
        )
    return issuers, credentials


def bench_equivalents(
    store: GraphStore,
    pack: Any,
    reference: ReferenceData,
    embedder: CachedEmbedder,
    count: int,
    queries: int,
) -> dict[str, float]:
    rng = random.Random(11)
    issuers, credentials = _generate(pack, count, rng)
    started = time.perf_counter()
    save_catalogue(
        store, actor=ADMIN, issuers=issuers, credentials=credentials, reference=reference
    )
    logger.info("saved %d credentials in %.1fs", count, time.perf_counter() - started)
    ids = [c.id for c in credentials]
    equivalents(store, ids[0], reference=reference, embedder=embedder)
    samples, cpu, candidates = [], [], []
    for i, credential in enumerate(rng.sample(ids, queries)):
        where = rng.choice(JURISDICTIONS) if i % 2 else None
        begin, begin_cpu = time.perf_counter(), time.process_time()
        found = equivalents(
            store, credential, reference=reference, embedder=embedder, jurisdiction=where
        )
        samples.append(1000 * (time.perf_counter() - begin))
        cpu.append(1000 * (time.process_time() - begin_cpu))
        candidates.append(found.candidates)
    result = _percentiles(samples)
    result["cpu p95"] = _percentiles(cpu)["p95"]
    result["mean candidates"] = sum(candidates) / len(candidates)
    return result


def bench_crosswalk(store: GraphStore, data: Path, embedder: CachedEmbedder) -> dict[str, float]:
    onet = read_onet([data / "onet"])
    import_concepts(store, onet_import(onet), embedder=None)
    before = embedder.encoded
    start, start_cpu = time.perf_counter(), time.process_time()
    result = crosswalk(store, embedder, source="onet", target="esco", top=5)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu seconds": time.process_time() - start_cpu,
        "occupations": float(len(result.results)),
        "texts encoded (0 when warm)": float(embedder.encoded - before),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench equivalence", description=__doc__)
    default_data = os.environ.get("CREDWALK_SHARED_DATA") or str(REPO.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--no-crosswalk", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    reference = load_reference_data(ONTOLOGIES, base_iri="https://bench.example/id")
    embedder = _embedder()
    figures: dict[str, dict[str, float]] = {}
    measured: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["pairs"] = bench_pairs(reference, embedder, Path(tmp), args.pairs)
        measured["equivalence of two credentials (p95 ms)"] = figures["pairs"]["p95"]
        started = time.perf_counter()
        pack = read_esco(
            [args.data / "esco" / "v1.1.1"],
            languages=["en"],
            errata=ONTOLOGIES / "esco" / "errata.csv",
        )
        store = create_store(f"sqlite:///{Path(tmp) / 'full.db'}")
        store.open()
        import_concepts(store, esco_import(pack), embedder=None)
        logger.info("full ESCO imported in %.1fs", time.perf_counter() - started)
        figures["equivalents"] = bench_equivalents(
            store, pack, reference, embedder, args.credentials, args.queries
        )
        measured["equivalents among generated credentials (p95 ms)"] = figures["equivalents"]["p95"]
        if not args.no_crosswalk:
            figures["crosswalk"] = bench_crosswalk(store, args.data, embedder)
            measured["O*NET -> ESCO crosswalk, warm (s)"] = figures["crosswalk"]["seconds"]
        store.close()
    rows = [
        {
            "name": name,
            "measured": round(value, 2),
            "target": TARGETS[name],
            "ratio": round(value / TARGETS[name], 3),
            "pass": value <= TARGETS[name],
        }
        for name, value in measured.items()
    ]
    if args.json:
        print(json.dumps({"rows": rows, "figures": figures}, indent=2))
    else:
        print(f"{'benchmark':<52} {'measured':>10} {'target':>8} {'ratio':>7}  result")
        for row in rows:
            verdict = "PASS" if row["pass"] else "FAIL"
            print(
                f"{row['name']:<52} {row['measured']:>10.2f} {row['target']:>8.1f} "
                f"{row['ratio']:>7.3f}  {verdict}"
            )
        for name, values in figures.items():
            shown = ", ".join(f"{k} {v:.1f}" for k, v in values.items())
            print(f"  {name}: {shown}")
    return 0 if all(row["pass"] for row in rows) else 1
