"""The Assembly: similar-question recall@3 on paraphrase pairs, and speed with 100,000 questions.

Usage: ``scripts/dev bench community [--pairs FILE] [--distractors N] [--questions N]
[--neo4j URI] [--neo4j-questions N] [--skip-recall] [--skip-speed] [--json]``

**Recall.** The first question of each hand-written pair (``tests/data/assembly_paraphrases.txt``,
held out from any tuning: nothing in credwalk was set by looking at them) is asked into an
embedded store together with ``--distractors`` generated questions; the second is the draft,
and a pair is a hit when its first question is among the three suggestions. The same store and
drafts are ranked three ways in the same run: hybrid (the default model's vectors and the
wording, as posted), lexical only (no embedder: the same pipeline with dense similarity off),
and hybrid without the minimum score, to show what the floor costs.

**Speed.** ``--questions`` generated questions (templates over the demo slice's skills, the
demo credentials, ESCO occupation labels and jurisdictions; one or two nodes each) are written
in bulk through the store and indexed through the service. Timed: a node's question list
(:func:`node_questions`, 20 newest) and a suggestion (:func:`suggest_similar`), p50/p95 over
random nodes and drafts; search (:func:`search_posts`) too. The store's vectors come from the
hashing test embedder (384 dimensions like the default model): encoding 100,000 titles with the
model takes longer than the whole benchmark, and ranking costs the same whatever the vectors
hold. What the model adds to a suggestion, encoding the draft, is timed on its own and reported
beside it. With ``--neo4j`` the same is measured on Neo4j, in a namespace of its own dropped
afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.embeddings import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from graph.model.accounts import Actor, Grant, Role
from graph.model.assembly import Question
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.registry import create_store
from graph.services.assembly.indexing import index_posts
from graph.services.assembly.posts import _question_record, node_questions
from graph.services.assembly.similar import MIN_SCORE, search_posts, suggest_similar
from graph.settings import DEFAULT_EMBEDDING_MODEL
from graph.store import GraphBatch, GraphStore
from tests.fixtures.demo_catalogue import load_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder

PAIRS = REPO / "tests" / "data" / "assembly_paraphrases.txt"
BASE = "https://credwalk.example/assembly"
MEMBER = Actor(user="urn:bench:member", name="member", grants=(Grant(Role.MEMBER),))
ADMIN = Actor(user="urn:bench:admin", name="admin", grants=(Grant(Role.ADMIN),))
_CHUNK = 5_000
_TIMED = 200

COUNTRIES = {
    "IE": "Ireland", "FR": "France", "DE": "Germany", "ES": "Spain", "IT": "Italy",
    "NL": "the Netherlands", "BE": "Belgium", "PT": "Portugal", "PL": "Poland", "AT": "Austria",
    "SE": "Sweden", "DK": "Denmark", "FI": "Finland", "CZ": "Czechia", "GR": "Greece",
    "RO": "Romania", "LU": "Luxembourg", "NO": "Norway", "CH": "Switzerland", "LT": "Lithuania",
}  # fmt: skip
TITLES = (
    "Is the {credential} recognised in {country}?",
    "Do I need {skill} to work as {occupation}?",
    "How long does it take to get good at {skill}?",
    "Which credential teaches {skill} to beginners?",
    "Can I work as {occupation} in {country} with a qualification from {country2}?",
    "What is a realistic pathway from {occupation} to {occupation2}?",
    "Does the {credential} cover {skill}?",
    "Are there part-time courses in {skill} in {country}?",
    "Is {skill} essential for {occupation}?",
    "How do employers in {country} check {skill}?",
    "What level is the {credential} on the framework in {country}?",
    "Will my experience with {skill} count toward the {credential}?",
    "Which skills go with {skill} if I want to become {occupation}?",
    "Is a recognition decision on the {credential} from {country} valid in {country2}?",
    "How many credits is the {credential} worth?",
    "Can I become {occupation} without {skill}?",
    "Who in {country} assesses {skill} for a proof of competence?",
    "Is {skill} still in demand for {occupation} in {country}?",
    "Should I take the {credential} before moving to {country}?",
    "What is the difference between {skill} and {skill2}?",
)
BODIES = (
    "I work as {occupation} and want to move to {country} next year.",
    "My mentor suggested {skill} but I am not sure it is recognised.",
    "I already hold the {credential}; does it help?",
    "Our group target is {occupation}; several of us miss {skill}.",
    "",
)


def _article(label: str) -> str:
    return f"an {label}" if label[:1].lower() in "aeiou" else f"a {label}"


def _esco_occupations() -> list[str]:
    data = Path(os.environ.get("CREDWALK_SHARED_DATA", REPO.parent / "shared" / "data"))
    path = data / "esco" / "v1.1.1" / "en" / "occupations_en.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [row["preferredLabel"] for row in csv.DictReader(f)]


class Generator:
    """Questions over the demo nodes, in varied wording; deterministic for a seed."""

    def __init__(self, store: GraphStore, seed: int = 17) -> None:
        self.random = random.Random(seed)
        concepts = list(store.iter_concepts(kind=NodeKind.SKILL))
        self.skills = [(c.uri, c.preferred_label("en")) for c in concepts]
        credentials = store.list_records(kind=NodeKind.CREDENTIAL)
        self.credentials = [(r.uri, str(r.body.get("title"))) for r in credentials]
        occupations = list(store.iter_concepts(kind=NodeKind.OCCUPATION))
        self.occupations = _esco_occupations() or [c.preferred_label("en") for c in occupations]
        self.start = datetime(2026, 1, 1, tzinfo=UTC)

    def question(self, i: int) -> Question:
        r = self.random
        (skill_uri, skill), (credential_uri, credential) = (
            r.choice(self.skills),
            r.choice(self.credentials),
        )
        code, code2 = r.sample(sorted(COUNTRIES), 2)
        slots = {
            "skill": skill,
            "skill2": r.choice(self.skills)[1],
            "credential": credential,
            "occupation": _article(r.choice(self.occupations)),
            "occupation2": _article(r.choice(self.occupations)),
            "country": COUNTRIES[code],
            "country2": COUNTRIES[code2],
        }
        template = r.choice(TITLES)
        about = tuple(
            uri
            for uri, slot in ((skill_uri, "{skill}"), (credential_uri, "{credential}"))
            if slot in template
        ) or (skill_uri,)
        at = self.start + timedelta(seconds=i)
        qid = f"q{at.strftime('%Y%m%d%H%M%S%f')}-{i:08x}"
        return Question(
            id=f"{BASE}/question/{qid}",
            author=f"urn:bench:user:{r.randrange(5000)}",
            title=template.format(**slots)[:200],
            body=r.choice(BODIES).format(**slots),
            about=about,
            created_at=at.isoformat(timespec="seconds"),
            jurisdiction=code if "{country}" in template else None,
        )


def load_demo(store: GraphStore) -> None:
    """The demo ESCO slice (no vectors) and the demo credentials: the nodes questions are about."""
    load_demo_catalogue(store)


def write_questions(
    store: GraphStore, questions: Sequence[Question], embedder: Embedder | None
) -> None:
    """Write ``questions`` with their ``about`` edges in bulk, then index them by the service."""
    for start in range(0, len(questions), _CHUNK):
        chunk = questions[start : start + _CHUNK]
        edges = [Relation(q.id, RelationType.ABOUT, node) for q in chunk for node in q.about]
        store.write(GraphBatch(records=[_question_record(q) for q in chunk], relations=edges))
        index_posts(store, embedder, chunk)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The pairs of the file: ``first || paraphrase`` a line, ``#`` comments skipped."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        first, sep, second = line.partition(" || ")
        if not sep or not first.strip() or not second.strip():
            raise SystemExit(f"{path}:{number}: expected 'question || paraphrase'")
        pairs.append((first.strip(), second.strip()))
    return pairs


class CachedQueries(CachedEmbedder):
    """The model behind its cache, queries included: the drafts are encoded in one batch first.

    Recall does not time anything; encoding 219 drafts one by one would only take longer.
    """

    def embed_one(self, text: str) -> Any:
        known = self.cache.get_many(self.name, [text])
        return known[text] if text in known else super().embed_one(text)


def model_embedder() -> CachedQueries:
    cache = Path.home() / ".cache" / "credwalk" / "embeddings.db"
    return CachedQueries(
        SentenceTransformerEmbedder(DEFAULT_EMBEDDING_MODEL), EmbeddingCache(cache)
    )


def recall(args: argparse.Namespace, model: CachedQueries) -> dict[str, Any]:
    """Recall@3 of the suggestion on the pairs: hybrid, lexical only, hybrid without the floor."""
    pairs = read_pairs(args.pairs)
    with tempfile.TemporaryDirectory() as tmp, create_store(f"sqlite:///{tmp}/r.db") as store:
        load_demo(store)
        generator = Generator(store, seed=3)
        firsts = [
            Question(
                id=f"{BASE}/question/q20250101000000{i:06d}-pair",
                author=f"urn:bench:user:pair{i}",
                title=first,
                body="",
                about=(generator.skills[i % len(generator.skills)][0],),
                created_at="2025-01-01T00:00:00",
            )
            for i, (first, _) in enumerate(pairs)
        ]
        distractors = [generator.question(i) for i in range(args.distractors)]
        started = time.perf_counter()
        write_questions(store, [*firsts, *distractors], model)
        indexed = time.perf_counter() - started
        model.embed([second for _, second in pairs])  # the drafts' vectors, in one batch
        ways: dict[str, tuple[Embedder | None, float]] = {
            "hybrid": (model, MIN_SCORE),
            "lexical_only": (None, MIN_SCORE),
            "hybrid_no_floor": (model, 0.0),
        }
        results: dict[str, Any] = {}
        for way, (embedder, floor) in ways.items():
            hits = top1 = 0
            for question, (_, second) in zip(firsts, pairs, strict=True):
                found = suggest_similar(
                    store, embedder, actor=MEMBER, title=second, min_score=floor
                )
                ids = [s.question.id for s in found]
                hits += question.id in ids
                top1 += ids[:1] == [question.id]
            results[way] = {
                "recall_at_3": round(hits / len(pairs), 3),
                "recall_at_1": round(top1 / len(pairs), 3),
            }
        return {
            "pairs": len(pairs),
            "distractors": args.distractors,
            "model": model.name,
            "indexing_seconds": round(indexed, 1),
            **results,
        }


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def _timed(calls: Sequence[Callable[[], object]]) -> dict[str, float]:
    calls[0]()  # the first call loads what the others share (memory, text index)
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def speed(store: GraphStore, count: int, drafts: Sequence[str]) -> dict[str, Any]:
    """Load ``count`` questions into ``store`` (demo nodes first) and time the reads."""
    embedder = HashingEmbedder()
    load_demo(store)
    generator = Generator(store)
    questions = [generator.question(i) for i in range(count)]
    started = time.perf_counter()
    write_questions(store, questions, embedder)
    loaded = time.perf_counter() - started
    rng = random.Random(5)
    nodes = [n for q in rng.sample(questions, _TIMED) for n in q.about[:1]]
    first_read = time.perf_counter()
    node_questions(store, nodes[0], actor=MEMBER)
    first_read = time.perf_counter() - first_read
    picked = [rng.choice(drafts) for _ in range(_TIMED)]
    about = [(n,) for n in nodes]
    return {
        "questions": count,
        "load_seconds": round(loaded, 1),
        "first_read_seconds": round(first_read, 2),
        "node_questions": _timed(
            [partial(node_questions, store, n, actor=MEMBER, limit=20) for n in nodes]
        ),
        "suggest_similar": _timed(
            [
                partial(suggest_similar, store, embedder, actor=MEMBER, title=d, about=a)
                for d, a in zip(picked, about, strict=True)
            ]
        ),
        "search_posts": _timed(
            [partial(search_posts, store, embedder, d, actor=MEMBER) for d in picked]
        ),
    }


def query_encoding(model: CachedQueries, drafts: Sequence[str]) -> dict[str, float]:
    """What the model adds to a suggestion: encoding one draft (by the model, not the cache)."""
    encode = super(CachedQueries, model).embed_one
    return _timed([partial(encode, f"{d} ({i})") for i, d in enumerate(drafts[:60])])


def query_encoding_one_thread(model: CachedQueries, drafts: Sequence[str]) -> dict[str, float]:
    """The same with torch on one thread: on a busy machine two threads wait for each other."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return query_encoding(model, drafts[60:] or drafts)
    finally:
        torch.set_num_threads(threads)


@contextmanager
def neo4j_store(url: str) -> Iterator[GraphStore]:
    import uuid

    from graph.backends.neo4j import Neo4jStore

    store = Neo4jStore(url, namespace=f"bench{uuid.uuid4().hex[:10]}")
    store.open()
    try:
        yield store
    finally:
        store.drop_namespace()
        store.close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/dev bench community", description=__doc__)
    p.add_argument("--pairs", type=Path, default=PAIRS)
    p.add_argument("--distractors", type=int, default=1000)
    p.add_argument("--questions", type=int, default=100_000)
    p.add_argument("--neo4j", help="a Neo4j URL (bolt://...) to measure speed on too")
    p.add_argument("--neo4j-questions", type=int, default=100_000)
    p.add_argument("--skip-recall", action="store_true")
    p.add_argument("--skip-speed", action="store_true")
    p.add_argument("--json", action="store_true", help="print the results as JSON only")
    return p


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    model = model_embedder()
    drafts = [second for _, second in read_pairs(args.pairs)]
    report: dict[str, Any] = {"load_average": os.getloadavg()[0], "cores": os.cpu_count()}
    if not args.skip_recall:
        report["recall"] = recall(args, model)
        print(json.dumps({"recall": report["recall"]}), file=sys.stderr)
    if not args.skip_speed:
        report["query_encoding"] = query_encoding(model, drafts)
        report["query_encoding_one_thread"] = query_encoding_one_thread(model, drafts)
        with tempfile.TemporaryDirectory() as tmp, create_store(f"sqlite:///{tmp}/s.db") as store:
            report["embedded"] = speed(store, args.questions, drafts)
        print(json.dumps({"embedded": report["embedded"]}), file=sys.stderr)
        if args.neo4j:
            with neo4j_store(args.neo4j) as store:
                report["neo4j"] = speed(store, args.neo4j_questions, drafts)
    report["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
