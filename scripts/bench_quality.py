"""Search quality on an ESCO development set and on real data, beside baselines and the peer.

Usage: ``python scripts/bench_quality.py [--pack DIR] [--cache PATH] [--dump PATH] [--json]
[--store URL] [--esco-only | --real-only | --crosswalk-only]``

Two parts in one run: the ESCO-built set below, on a store built for it; and the real-data part
(``bench_realworld.py``: expert-labelled job-ad sentences and crosswalk on the held-out part of
a fixed split, the cross-language set, speed and memory beside esco-skill-extractor, PASS/FAIL
per target) on a full store (``--store``: ESCO in every language of the pack, and O*NET).
The run is recorded, with the weights and thresholds it used, in ``quality-report.json``.

The development set (seeded) holds out texts from the index: (a) an English alternative label of
skills with at least two alternative labels unlike their preferred one; (b) the first sentence
(five words or more) of a skill's description, the whole description removed; (b2) the same, but
only that sentence is removed from a longer description, so the concept keeps one; (c) an
alternative label of occupations. Labels shared with another concept of the same kind are never
held out (the query would be ambiguous). Parts use disjoint concepts, so one store with every
removal serves them all: a query's own concept lost only its held-out text.

Systems, on the same queries in one run: ``hybrid`` (``search_concepts``), ``map``
(``map_texts``: the text whole and clause by clause, rankings merged), ``hybrid-nodesc``
(the same without the description signal), ``baseline`` (cosine to preferred labels only),
``dense`` (best cosine over preferred and alternative labels) and ``lexical`` (no vectors).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bench_first_ingest
import bench_mapping
import bench_realworld
import numpy as np
import numpy.typing as npt

from api.runtime import build_runtime, configured_embedder
from graph.backends.embedded import EmbeddedStore
from graph.embeddings import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from graph.indexing import concept_texts
from graph.model.concepts import Concept, LabelKind, LocalizedText, NodeKind
from graph.ontologies import query_model
from graph.search import SearchParams, hybrid_search
from graph.services.catalogue.mapping import BANDS, HIGH_LEAD
from graph.services.concepts import map_texts, search_concepts
from graph.services.crosswalk.ranking import CrosswalkWeights
from graph.services.ingestion import import_concepts
from graph.settings import load_settings
from graph.store import TextField
from graph.text import normalise
from ingest.frameworks.esco import esco_import, read_esco

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CREDWALK_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_PACK = SHARED / "esco" / "v1.1.1"
DEFAULT_CACHE = Path.home() / ".cache" / "credwalk" / "embeddings.db"
TMP = Path(tempfile.gettempdir()) / "credwalk-bench"
DEFAULT_DUMP = TMP / "quality-devset.json"
ERRATA = REPO / "ontologies" / "esco" / "errata.csv"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SYSTEMS = ("hybrid", "map", "hybrid-nodesc", "baseline", "dense", "lexical", "extractor")
#: The default weights without the description signal (label and lexical rescaled to sum to 1).
NO_DESC = SearchParams(label_weight=0.625, description_weight=0.0, lexical_weight=0.375)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


def _commit() -> str:
    """The checked-out commit, so figures can be traced to code (others commit meanwhile)."""
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip() or "unknown"


Matrix = npt.NDArray[np.float32]

#: Job-ad and curriculum sentences written for this benchmark (not taken from ESCO).
OWN_SENTENCES = (
    "Develop and maintain Python scripts to clean and analyse sales data",
    "Prepare the monthly payroll and reconcile employee timesheets",
    "Install and repair residential electrical wiring according to safety codes",
    "Help elderly residents with daily activities such as bathing and dressing",
    "Build responsive web pages with HTML, CSS and JavaScript",
    "Negotiate contracts with suppliers to reduce purchasing costs",
    "Drive a forklift to load and unload goods in the warehouse",
    "Teach mathematics to secondary school pupils and assess their progress",
    "Administer Linux servers and automate deployments with Ansible",
    "Greet hotel guests, handle check-in and resolve complaints",
    "Plan crop rotation and apply fertilisers on an arable farm",
    "Train machine learning models to forecast customer demand",
    "Weld steel structures using MIG and TIG techniques",
    "Learners will be able to work effectively in a team and give constructive feedback",
    "Monitor patients' vital signs and give medication under supervision",
    "Write press releases and manage the company's social media accounts",
)


def _key(text: str) -> str:
    """The form under which the index deduplicates texts (see ``concept_texts``)."""
    return normalise(" ".join(text.split()))


@dataclass(frozen=True, slots=True)
class Query:
    """One held-out text and the concept it must find."""

    part: str
    kind: NodeKind
    text: str
    uri: str
    label: str


def build_devset(
    concepts: dict[str, Concept], *, skills: int, rest: int, occupations: int, seed: int
) -> tuple[list[Query], dict[str, Concept]]:
    """Pick the queries and return them with the concepts stripped of the held-out texts."""
    rng = random.Random(seed)
    owners: dict[tuple[NodeKind, str], set[str]] = {}
    for c in concepts.values():
        for label in c.labels:
            owners.setdefault((c.kind, _key(label.text)), set()).add(c.uri)

    def alt_candidates(kind: NodeKind) -> dict[str, list[str]]:
        out = {}
        for uri in sorted(concepts):
            c = concepts[uri]
            if c.kind is not kind or c.status != "released":
                continue
            preferred = _key(c.preferred_label("en"))
            alts = {
                _key(lb.text): lb.text
                for lb in c.labels
                if lb.lang == "en" and lb.kind is LabelKind.ALTERNATIVE
            }
            alts.pop(preferred, None)
            unique = [t for n, t in alts.items() if owners[(kind, n)] == {uri}]
            if len(alts) >= 2 and unique:
                out[uri] = sorted(unique)
        return out

    queries: list[Query] = []
    stripped = dict(concepts)
    for part, kind, n in (
        ("a:skill-alt", NodeKind.SKILL, skills),
        ("c:occupation-alt", NodeKind.OCCUPATION, occupations),
    ):
        candidates = alt_candidates(kind)
        for uri in rng.sample(sorted(candidates), min(n, len(candidates))):
            text = rng.choice(candidates[uri])
            c = concepts[uri]
            labels = tuple(lb for lb in c.labels if _key(lb.text) != _key(text))
            stripped[uri] = dataclasses.replace(c, labels=labels)
            queries.append(Query(part, kind, text, uri, c.preferred_label("en")))
    sentences = {
        uri: _SENTENCE_END.split(" ".join(description.split()), maxsplit=1)
        for uri in sorted(concepts)
        if concepts[uri].kind is NodeKind.SKILL
        and concepts[uri].status == "released"
        and (description := concepts[uri].description("en"))
    }
    sentences = {uri: s for uri, s in sentences.items() if len(s[0].split()) >= 5}
    # b: the whole description goes; b2: only its first sentence (when it has more than one),
    # so the concept keeps a description as it would for a real, unseen sentence.
    for part, n in (("b:skill-sentence", skills), ("b2:skill-sentence-rest", rest)):
        taken = {q.uri for q in queries}
        multi = part.startswith("b2")
        eligible = [u for u, s in sentences.items() if u not in taken and (len(s) > 1 or not multi)]
        for uri in rng.sample(eligible, min(n, len(eligible))):
            c = concepts[uri]
            kept = (LocalizedText(sentences[uri][1], "en"),) if multi else ()
            stripped[uri] = dataclasses.replace(c, descriptions=kept)
            queries.append(Query(part, c.kind, sentences[uri][0], uri, c.preferred_label()))
    for q in queries:  # held out means not indexed: check it rather than trust the code above
        held = _key(q.text)
        for field, _, text in concept_texts(stripped[q.uri]):
            indexed = _key(text)
            sentence = q.part.startswith("b") and field is TextField.DESCRIPTION
            if indexed == held or (sentence and held in indexed):
                raise AssertionError(f"{q.text!r} is still indexed for {q.uri}")
    return queries, stripped


class DenseIndex:
    """Per-kind matrices of label vectors, for the two numpy baselines."""

    def __init__(self, concepts: dict[str, Concept], embedder: CachedEmbedder) -> None:
        self.uris: dict[NodeKind, list[str]] = {}
        self.preferred: dict[NodeKind, Matrix] = {}
        self.labels: dict[NodeKind, Matrix] = {}
        self.starts: dict[NodeKind, npt.NDArray[np.intp]] = {}
        for kind in (NodeKind.SKILL, NodeKind.OCCUPATION):
            uris = sorted(u for u, c in concepts.items() if c.kind is kind)
            texts: list[str] = []
            starts: list[int] = []
            for uri in uris:
                starts.append(len(texts))
                # concept_texts puts the preferred label first: it is the baseline's text.
                texts += [
                    t
                    for f, lang, t in concept_texts(concepts[uri])
                    if lang == "en" and f in (TextField.PREFERRED, TextField.ALTERNATIVE)
                ]
            self.uris[kind] = uris
            self.preferred[kind] = embedder.embed([texts[i] for i in starts])
            self.labels[kind] = embedder.embed(texts)
            self.starts[kind] = np.asarray(starts, dtype=np.intp)

    def _top(self, kind: NodeKind, scores: Matrix, top: int) -> list[str]:
        best = np.argpartition(-scores, top)[:top]
        return [self.uris[kind][i] for i in best[np.argsort(-scores[best], kind="stable")]]

    def baseline(self, kind: NodeKind, vector: Matrix, top: int) -> list[str]:
        return self._top(kind, self.preferred[kind] @ vector, top)

    def dense(self, kind: NodeKind, vector: Matrix, top: int) -> list[str]:
        scores = np.maximum.reduceat(self.labels[kind] @ vector, self.starts[kind])
        return self._top(kind, scores, top)


def _rank(found: list[str], uri: str) -> int | None:
    return found.index(uri) + 1 if uri in found else None


def evaluate(
    store: EmbeddedStore,
    embedder: Embedder,
    plain: Embedder,
    dense: DenseIndex,
    queries: list[Query],
    peer: dict[str, list[str]],
) -> list[dict[str, Any]]:
    """Run every system on every query; return per-query ranks, latencies and hybrid's top 3.

    ``hybrid`` goes through ``search_concepts`` (its latency includes encoding the query); the
    other dense systems reuse one encoding of the query and are charged its time.
    """
    rows = []
    for i, q in enumerate(queries):
        if i % 100 == 0:
            print(f"[bench quality] query {i}/{len(queries)}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        vector = plain.embed_one(q.text)  # the baselines' plain model
        encode = time.perf_counter() - start
        ranks: dict[str, int | None] = {}
        seconds: dict[str, float] = {}
        top3: list[str] = []
        for system in SYSTEMS:
            start = time.perf_counter()
            if system == "hybrid":
                matches = search_concepts(store, embedder, q.text, kind=q.kind, top=10)
                found, top3 = [m.uri for m in matches], [m.label for m in matches[:3]]
            elif system == "map":
                mapped = map_texts(store, embedder, [q.text], kind=q.kind, top=10)
                found = [m.uri for m in mapped[0].matches]
            elif system == "lexical":
                found = [m.uri for m in search_concepts(store, None, q.text, kind=q.kind, top=10)]
            elif system == "extractor":  # skills only; ranked beforehand in one batch
                found = peer.get(q.text, [])
            elif system == "hybrid-nodesc":
                tuned = embedder.embed_one(q.text)
                matches = hybrid_search(store, q.text, tuned, kinds=[q.kind], params=NO_DESC)
                found = [m.uri for m in matches]
            else:
                found = getattr(dense, system)(q.kind, vector, 10)
            elapsed = time.perf_counter() - start
            own_encoding = {"hybrid", "map", "lexical", "extractor"}
            seconds[system] = elapsed + (encode if system not in own_encoding else 0.0)
            ranks[system] = _rank(found, q.uri)
        rows.append({**dataclasses.asdict(q), "ranks": ranks, "seconds": seconds, "top3": top3})
    return rows


def metrics(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Recall@1, recall@5, MRR@10 and latency per part (and ``all``) and system."""
    parts = [*sorted({r["part"] for r in rows}), "all"]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for part in parts:
        chosen = [r for r in rows if part in {"all", r["part"]}]
        out[part] = {}
        for system in SYSTEMS:
            ranks = [r["ranks"][system] for r in chosen]
            ms = [1000 * r["seconds"][system] for r in chosen]
            out[part][system] = {
                "n": len(chosen),
                "recall@1": sum(1 for k in ranks if k == 1) / len(chosen),
                "recall@5": sum(1 for k in ranks if k is not None and k <= 5) / len(chosen),
                "mrr@10": sum(1 / k for k in ranks if k is not None) / len(chosen),
                "p50_ms": float(np.percentile(ms, 50)),
                "p95_ms": float(np.percentile(ms, 95)),
            }
    return out


def _print(report: dict[str, Any], rows: list[dict[str, Any]], examples: int) -> None:
    print(f"commit {report['config']['commit']}, queries {report['queries']}")
    print(
        f"{'part':<23} {'system':<13} {'n':>5} {'R@1':>6} {'R@5':>6} {'MRR@10':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7}"
    )
    for part, systems in report["metrics"].items():
        for system, m in systems.items():
            print(
                f"{part:<23} {system:<13} {m['n']:>5} {m['recall@1']:>6.3f} {m['recall@5']:>6.3f} "
                f"{m['mrr@10']:>7.3f} {m['p50_ms']:>7.1f} {m['p95_ms']:>7.1f}"
            )
    print(
        f"\nstore build {report['build_s']:.1f}s ({report['encoded']} texts encoded: "
        "b2's shortened descriptions); "
        f"dev set written to {report['dump']}"
    )
    print("\nhybrid misses (rank > 5), a few per part:")
    for part in sorted({r["part"] for r in rows}):
        misses = [r for r in rows if r["part"] == part and (r["ranks"]["hybrid"] or 99) > 5]
        print(f"  {part}: {len(misses)} misses")
        for r in misses[:examples]:
            ranks = ", ".join(f"{s} {r['ranks'][s] or '-'}" for s in SYSTEMS)
            print(f"    {r['text']!r} -> want {r['label']!r}; got {r['top3']} ({ranks})")
    print("\nown sentences, top 3 skills (hybrid map_texts):")
    for item in report["own_sentences"]:
        got = "; ".join(f"{m['label']} ({m['score']:.2f})" for m in item["top3"])
        print(f"  {item['text']}\n      {got}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench quality", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="ESCO CSV pack folder")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="warm embedding cache")
    parser.add_argument("--skills", type=int, default=500, help="queries in parts a and b")
    parser.add_argument("--rest", type=int, default=300, help="queries in part b2")
    parser.add_argument("--occupations", type=int, default=200, help="queries in part c")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=4, help="misses shown per part")
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP, help="dev set + ranks (JSON)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--store",
        default=None,
        help="full store (ESCO in every language of the pack, and O*NET) for the real-data part; "
        "default: the configured one (what `credwalk ingest` filled)",
    )
    parser.add_argument("--runs", type=int, default=30, help="timed runs of the syllabus")
    parser.add_argument(
        "--skip-ingest", action="store_true", help="leave out the first full ingest (minutes)"
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--esco-only", action="store_true", help="only the ESCO-built set")
    only.add_argument("--real-only", action="store_true", help="only the real-data part")
    only.add_argument(
        "--crosswalk-only", action="store_true", help="only the O*NET -> ESCO crosswalk"
    )
    args = parser.parse_args(argv)
    if args.store is None:
        args.store = load_settings().store
    if args.crosswalk_only:
        return crosswalk_only(args)
    if args.real_only:
        real = real_world(args, pack_path=args.pack)
        print(json.dumps(real, indent=2, default=str) if args.json else "", end="")
        if not args.json:
            bench_realworld.print_report(real)
        record = args.dump.with_name("quality-report-real.json")
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(real, indent=1, default=str))
        print(f"\nthis run, with the weights and thresholds it used: {record}")
        return 0

    pack = read_esco([args.pack], languages=("en",), errata=ERRATA)
    queries, stripped = build_devset(
        pack.concepts,
        skills=args.skills,
        rest=args.rest,
        occupations=args.occupations,
        seed=args.seed,
    )
    # The cache serves the index; queries go to the model directly (map_texts of several texts
    # would otherwise add them to the shared cache).
    plain = SentenceTransformerEmbedder(MODEL)
    # credwalk's own embedder (queries through the ESCO-tuned query layers), as the API builds it
    model = configured_embedder(load_settings())
    embedder = CachedEmbedder(model, EmbeddingCache(args.cache))
    with (
        tempfile.TemporaryDirectory(prefix="credwalk-quality-") as tmp,
        EmbeddedStore(Path(tmp) / "devset.db") as store,
    ):
        start = time.perf_counter()
        data = esco_import(dataclasses.replace(pack, concepts=stripped))
        import_concepts(store, data, embedder=embedder)
        build_s = time.perf_counter() - start
        dense = DenseIndex(stripped, embedder)
        encoded = embedder.encoded
        for q in queries[:5]:  # warm-up: model load, store load
            search_concepts(store, model, q.text, kind=q.kind)
        skill_texts = [q.text for q in queries if q.kind is NodeKind.SKILL]
        extractor = bench_realworld.peer(stripped, TMP / "esco-skill-extractor")
        peer = {
            text: [u for u, _ in ranked]
            for text, ranked in zip(skill_texts, extractor.rank(skill_texts, 10), strict=True)
        }
        del extractor
        rows = evaluate(store, model, plain, dense, queries, peer)
        mapped = map_texts(store, model, list(OWN_SENTENCES), top=3)
    own = [
        {
            "text": m.text,
            "top3": [{"label": x.label, "uri": x.uri, "score": x.score} for x in m.matches],
        }
        for m in mapped
    ]
    report: dict[str, Any] = {
        "config": {k: str(v) for k, v in vars(args).items()} | {"commit": _commit()},
        "queries": dict(Counter(q.part for q in queries)),
        "build_s": build_s,
        "encoded": encoded,
        "dump": str(args.dump),
        "metrics": metrics(rows),
        "own_sentences": own,
    }
    args.dump.parent.mkdir(parents=True, exist_ok=True)
    args.dump.write_text(json.dumps({"config": report["config"], "queries": rows}, indent=1))
    report["real"] = None if args.esco_only else real_world(args, pack_path=args.pack)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report, rows, args.examples)
        if report["real"] is not None:
            bench_realworld.print_report(report["real"])
    record = args.dump.with_name("quality-report.json")
    record.write_text(json.dumps(report, indent=1, default=str))
    print(f"\nthis run, with the weights and thresholds it used: {record}")
    return 0


def crosswalk_only(args: argparse.Namespace) -> int:
    """The crosswalk's hit@1 / hit@5 per part on ``args.store``, recorded beside the others."""
    runtime = build_runtime(load_settings(store=args.store, load_demo=False))
    runtime.store.open()
    try:
        report = bench_realworld.crosswalk_hits(
            runtime.store, runtime.embedder, SHARED, CrosswalkWeights()
        )
    finally:
        runtime.close()
    report |= {"store": args.store, "model": runtime.embedder.name, "commit": _commit()}
    bench_realworld.print_crosswalk(report)
    record = args.dump.with_name("quality-report-crosswalk.json")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(report, indent=1, default=str))
    print(f"\nthis run, with the weights it used: {record}")
    return 0


def real_world(args: argparse.Namespace, *, pack_path: Path) -> dict[str, Any]:
    """The dev sets, crosswalk, languages and speed on the full store ``args.store``."""
    settings = load_settings(store=args.store, load_demo=False)
    runtime = build_runtime(settings)
    runtime.store.open()
    out: dict[str, Any] = {"store": args.store, "model": runtime.embedder.name}
    try:
        store, embedder = runtime.store, runtime.embedder
        assert isinstance(embedder, CachedEmbedder)
        concepts = read_esco([pack_path], languages=("en",), errata=ERRATA).concepts
        extractor = bench_realworld.peer(concepts, TMP / "esco-skill-extractor-full")
        out["weights"] = {
            "search": dataclasses.asdict(SearchParams()),
            "bands": dict(BANDS) | {"high_lead": HIGH_LEAD},
            "query_model": str(query_model(settings.ontologies_dir)),
        }
        out["linking"] = bench_realworld.skill_linking(store, embedder, concepts, extractor, SHARED)
        out["crosswalk"] = bench_realworld.crosswalk_hits(
            store, embedder, SHARED, CrosswalkWeights()
        )
        out["crosslang"] = bench_realworld.crosslang(store, embedder, concepts, pack_path)
        batch = bench_realworld.speed_batch(SHARED)
        out["speed"] = bench_mapping.speed(store, embedder, extractor, runs=args.runs, batch=batch)
    finally:
        runtime.close()
    out["rss"] = bench_realworld.query_rss(args.store, batch)
    if not args.skip_ingest:
        out["first_ingest"] = bench_first_ingest.first_ingest(pack_path)
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
