"""Smoke-test a Neo4j server for the features credwalk needs.

Usage::

    python scripts/neo4j_smoke.py bolt://127.0.0.1:PORT [--nodes 20000] [--no-crash]

Checks, on labels/indexes prefixed ``Smoke``/``smoke_`` (removed again at the end):

1. a property uniqueness constraint (and that it rejects a duplicate);
2. a full-text index with the ``whitespace`` analyzer and ``db.index.fulltext.queryNodes``;
3. a 384-d cosine vector index: bulk insert, time to ONLINE, ``db.index.vector.queryNodes``
   latency/recall, and the range of ``vector.similarity.cosine`` and of the index scores
   compared with numpy;
4. crash recovery: SIGKILL the server (``scripts/neo4j kill``) in the middle of a long write
   transaction, restart it on the same home (``scripts/neo4j start``), and check that the store
   opens, committed data survived, and the uncommitted transaction left nothing behind.
   Step 4 only runs when the URI is the one ``scripts/neo4j uri`` reports (skip: ``--no-crash``).

Prints a short report; exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError

NEO4J_SCRIPT = Path(__file__).resolve().parent / "neo4j"
DIM = 384
BATCH = 1_000


@dataclass
class Report:
    """Collects check results and measurements."""

    failures: list[str] = field(default_factory=list)

    def ok(self, cond: bool, what: str) -> None:
        print(f"  [{'ok' if cond else 'FAIL'}] {what}")
        if not cond:
            self.failures.append(what)

    @staticmethod
    def info(what: str) -> None:
        print(f"  - {what}")


def connect(uri: str) -> Driver:
    # No deprecation/performance notifications in the report.
    return GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF")


def rows(driver: Driver, query: Any, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(query, params)
    return [r.data() for r in records]


def cleanup(driver: Driver) -> None:
    for stmt in (
        "DROP CONSTRAINT smoke_concept_uri IF EXISTS",
        "DROP INDEX smoke_t IF EXISTS",
        "DROP INDEX smoke_v IF EXISTS",
        "DROP INDEX smoke_vx IF EXISTS",
    ):
        driver.execute_query(stmt)
    # CALL ... IN TRANSACTIONS needs an implicit (auto-commit) transaction: session.run.
    with driver.session() as session:
        session.run(
            "MATCH (n) WHERE n:SmokeConcept OR n:SmokeText OR n:SmokeExact OR n:SmokeCrash "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
        ).consume()


def check_components(driver: Driver, rep: Report) -> None:
    comp = rows(driver, "CALL dbms.components() YIELD name, versions, edition")[0]
    rep.info(f"server: {comp['name']} {comp['versions'][0]} ({comp['edition']})")


def check_constraint(driver: Driver, rep: Report) -> None:
    print("1. uniqueness constraint")
    q = (
        "CREATE CONSTRAINT smoke_concept_uri IF NOT EXISTS "
        "FOR (n:SmokeConcept) REQUIRE n.uri IS UNIQUE"
    )
    driver.execute_query(q)
    driver.execute_query(q)  # IF NOT EXISTS: idempotent
    found = rows(driver, "SHOW CONSTRAINTS YIELD name, type WHERE name = 'smoke_concept_uri'")
    rep.ok(bool(found) and found[0]["type"] == "UNIQUENESS", f"constraint created: {found}")
    driver.execute_query("CREATE (:SmokeConcept {uri: 'u:1'})")
    try:
        driver.execute_query("CREATE (:SmokeConcept {uri: 'u:1'})")
        rep.ok(False, "duplicate uri rejected")
    except ConstraintError as exc:
        rep.ok(True, f"duplicate uri rejected ({exc.code})")


def check_fulltext(driver: Driver, rep: Report) -> None:
    print("2. full-text index, whitespace analyzer")
    driver.execute_query(
        "CREATE FULLTEXT INDEX smoke_t IF NOT EXISTS FOR (n:SmokeConcept) ON EACH [n.terms] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}"
    )
    driver.execute_query("CALL db.awaitIndexes(60)")
    driver.execute_query(
        "UNWIND $rows AS r CREATE (:SmokeConcept {uri: r.uri, terms: r.terms})",
        {
            "rows": [
                {"uri": "u:ml", "terms": "machine-learning Python data_science"},
                {"uri": "u:weld", "terms": "welding MIG/MAG steel"},
                {"uri": "u:nurse", "terms": "nursing patient-care"},
            ]
        },
    )
    cfg = rows(driver, "SHOW INDEXES YIELD name, options WHERE name = 'smoke_t'")
    analyzer = cfg[0]["options"]["indexConfig"].get("fulltext.analyzer") if cfg else None
    rep.ok(analyzer == "whitespace", f"index analyzer = {analyzer!r}")

    def hits(q: str) -> list[str]:
        return [
            r["uri"]
            for r in rows(
                driver,
                "CALL db.index.fulltext.queryNodes('smoke_t', $q) YIELD node, score "
                "RETURN node.uri AS uri, score ORDER BY score DESC",
                q=q,
            )
        ]

    rep.ok(hits("machine-learning") == ["u:ml"], "'machine-learning' finds the hyphenated token")
    rep.ok(hits("learning") == [], "'learning' finds nothing (no split on '-')")
    rep.ok(hits(r"MIG\/MAG") == ["u:weld"], "'MIG\\/MAG' (escaped) finds the slash token")
    rep.ok(sorted(hits("nursing OR welding")) == ["u:nurse", "u:weld"], "boolean OR query")
    rep.info(
        f"case-sensitive: 'Machine-learning' -> {hits('Machine-learning')} "
        "(whitespace analyzer does not lowercase)"
    )


def await_online(driver: Driver, name: str, timeout: float = 600.0) -> float:
    t0 = time.monotonic()
    while True:
        st = rows(
            driver,
            "SHOW INDEXES YIELD name, state, populationPercent WHERE name = $n",
            n=name,
        )
        if st and st[0]["state"] == "ONLINE":
            return time.monotonic() - t0
        if st and st[0]["state"] == "FAILED":
            raise RuntimeError(f"index {name} FAILED")
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"index {name} not ONLINE after {timeout}s: {st}")
        time.sleep(0.2)


def create_vector_index(driver: Driver) -> None:
    driver.execute_query(
        "CREATE VECTOR INDEX smoke_v IF NOT EXISTS FOR (n:SmokeText) ON n.embedding "
        "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}"
    )


def check_vector(driver: Driver, rep: Report, n_nodes: int) -> None:
    print(f"3. vector index, {n_nodes} x {DIM}-d cosine")
    rng = np.random.default_rng(42)
    vecs = rng.standard_normal((n_nodes, DIM)).astype(np.float64)
    create_vector_index(driver)
    t_empty = await_online(driver, "smoke_v")
    rep.info(f"empty index ONLINE in {t_empty:.2f} s")

    t0 = time.monotonic()
    for start in range(0, n_nodes, BATCH):
        chunk = [
            {"i": start + j, "v": vecs[start + j].tolist()}
            for j in range(min(BATCH, n_nodes - start))
        ]
        driver.execute_query(
            "UNWIND $rows AS r CREATE (:SmokeText {i: r.i, embedding: r.v})", {"rows": chunk}
        )
    t_insert = time.monotonic() - t0
    t_online = await_online(driver, "smoke_v")
    rep.info(
        f"insert (index present, batches of {BATCH}): {t_insert:.1f} s "
        f"({n_nodes / t_insert:.0f} nodes/s); ONLINE after a further {t_online:.2f} s"
    )

    # Population from existing data: drop and re-create.
    driver.execute_query("DROP INDEX smoke_v")
    t0 = time.monotonic()
    create_vector_index(driver)
    t_pop = await_online(driver, "smoke_v")
    t_await = time.monotonic() - t0
    driver.execute_query("CALL db.awaitIndexes(600)")
    rep.info(
        f"re-create on {n_nodes} existing nodes: ONLINE in {t_pop:.1f} s "
        f"(create+await {t_await:.1f} s)"
    )

    opts = rows(driver, "SHOW INDEXES YIELD name, options WHERE name = 'smoke_v'")[0]["options"]
    rep.info(f"default index config: {opts['indexConfig']} ({opts['indexProvider']})")

    # Queries vs numpy brute force. Each query is a stored vector plus noise (cos ~0.96 to it).
    # The other 9 of the true top-10 are near-ties among random vectors: a hard case for HNSW.
    unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    q_rng = np.random.default_rng(7)
    for k in (10, 100):
        lat: list[float] = []
        recalls: list[float] = []
        top1 = 0
        max_err = 0.0
        n_q = 40
        for _ in range(n_q):
            src = int(q_rng.integers(n_nodes))
            q = vecs[src] + q_rng.standard_normal(DIM) * 0.3
            t0 = time.monotonic()
            res = rows(
                driver,
                "CALL db.index.vector.queryNodes('smoke_v', $k, $q) YIELD node, score "
                "RETURN node.i AS i, score LIMIT 10",
                k=k,
                q=q.tolist(),
            )
            lat.append(time.monotonic() - t0)
            cos = unit @ (q / np.linalg.norm(q))
            truth = set(np.argsort(-cos)[:10].tolist())
            recalls.append(len(truth & {r["i"] for r in res}) / 10)
            top1 += bool(res) and res[0]["i"] == src
            for r in res:
                max_err = max(max_err, abs(r["score"] - (1 + cos[r["i"]]) / 2))
        lat_ms = sorted(x * 1000 for x in lat)
        rep.info(
            f"queryNodes k={k} (LIMIT 10): median {statistics.median(lat_ms):.1f} ms, "
            f"p95 {lat_ms[int(0.95 * n_q) - 1]:.1f} ms (incl. driver round trip); "
            f"recall@10 {statistics.mean(recalls):.2f}, source found first {top1}/{n_q}, "
            f"max |score - (1+cos)/2| = {max_err:.1e}"
        )
        rep.ok(top1 >= 0.8 * n_q, f"k={k}: the near-duplicate's source ranks first (>= 80%)")
        # Default int8 quantization makes scores approximate (errors ~1e-2 seen).
        rep.ok(max_err < 0.05, f"k={k}: score ~= (1 + cos)/2 within quantization error")

    # Exact scores with quantization disabled, on a small separate label.
    driver.execute_query(
        "CREATE VECTOR INDEX smoke_vx IF NOT EXISTS FOR (n:SmokeExact) ON n.embedding "
        "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine', "
        "`vector.quantization.enabled`: false}}"
    )
    driver.execute_query(
        "UNWIND $rows AS r CREATE (:SmokeExact {i: r.i, embedding: r.v})",
        {"rows": [{"i": i, "v": vecs[i].tolist()} for i in range(BATCH)]},
    )
    await_online(driver, "smoke_vx")
    q = q_rng.standard_normal(DIM)
    cos = unit[:BATCH] @ (q / np.linalg.norm(q))
    res = rows(
        driver,
        "CALL db.index.vector.queryNodes('smoke_vx', 10, $q) YIELD node, score "
        "RETURN node.i AS i, score",
        q=q.tolist(),
    )
    exact_err = max(abs(r["score"] - (1 + cos[r["i"]]) / 2) for r in res)
    rep.ok(
        exact_err < 1e-5,
        f"quantization off: score == (1 + cos)/2 (max abs err {exact_err:.1e}), "
        f"range [{min(r['score'] for r in res):.3f}, {max(r['score'] for r in res):.3f}]",
    )

    # vector.similarity.cosine in plain Cypher.
    a = vecs[0]
    pairs = {"identical": a, "opposite": -a, "orthogonal-ish": vecs[1]}
    max_fn_err = 0.0
    for what, b in pairs.items():
        got = rows(
            driver, "RETURN vector.similarity.cosine($a, $b) AS s", a=a.tolist(), b=b.tolist()
        )[0]["s"]
        raw = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
        max_fn_err = max(max_fn_err, abs(got - (1 + raw) / 2))
        rep.info(
            f"vector.similarity.cosine {what}: {got:.6f} (numpy cos {raw:+.6f}, "
            f"(1+cos)/2 = {(1 + raw) / 2:.6f})"
        )
    rep.ok(max_fn_err < 1e-6, "vector.similarity.cosine == (1 + cos)/2, range [0, 1]")


def neo4j_cmd(*args: str) -> str:
    out = subprocess.run([str(NEO4J_SCRIPT), *args], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def check_crash(uri: str, rep: Report, n_nodes: int) -> str:
    """Kill -9 during an open write transaction, restart, check recovery. Returns the URI."""
    print("4. crash recovery (SIGKILL during a long write transaction)")
    try:
        managed = neo4j_cmd("uri")
    except subprocess.CalledProcessError:
        managed = ""
    if managed != uri:
        rep.info(f"skipped: {uri} is not the server scripts/neo4j manages ({managed or 'none'})")
        return uri

    with connect(uri) as driver:
        driver.execute_query("CREATE (:SmokeConcept {uri: 'u:committed-before-crash'})")
    batches_done = 0
    writer_error: list[str] = []
    progressed = threading.Event()

    def writer() -> None:
        nonlocal batches_done
        try:
            with connect(uri) as d, d.session() as s:
                tx = s.begin_transaction()
                for b in range(1_000):  # never commits; ~10M nodes if never killed
                    tx.run(
                        "UNWIND range(1, 10000) AS i CREATE (:SmokeCrash {b: $b, i: i})", b=b
                    ).consume()
                    batches_done += 1
                    if batches_done >= 10:
                        progressed.set()
        except (DriverError, Neo4jError, OSError) as exc:
            writer_error.append(type(exc).__name__)
        finally:
            progressed.set()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    if not progressed.wait(120):
        rep.ok(False, "writer made progress")
        return uri
    time.sleep(0.3)  # land the kill in the middle of a statement
    at_kill = batches_done
    neo4j_log = logging.getLogger("neo4j")
    level = neo4j_log.level
    neo4j_log.setLevel(logging.CRITICAL)  # the writer's "defunct connection" error is expected
    try:
        neo4j_cmd("kill")
        t.join(60)
    finally:
        neo4j_log.setLevel(level)
    rep.info(
        f"killed with {at_kill} batches (~{at_kill * 10_000} nodes) uncommitted; "
        f"writer saw {writer_error or 'no error'}"
    )
    rep.ok(bool(writer_error), "writer transaction failed with a driver error")

    t0 = time.monotonic()
    new_uri = neo4j_cmd("start")
    rep.info(f"restart on the same home (recovery) took {time.monotonic() - t0:.1f} s")
    rep.ok(new_uri == uri, f"same URI after restart ({new_uri})")
    with connect(new_uri) as driver:
        crash = rows(driver, "MATCH (n:SmokeCrash) RETURN count(n) AS c")[0]["c"]
        rep.ok(crash == 0, f"uncommitted transaction absent (SmokeCrash nodes: {crash})")
        kept = rows(
            driver, "MATCH (n:SmokeConcept {uri: 'u:committed-before-crash'}) RETURN count(n) AS c"
        )[0]["c"]
        rep.ok(kept == 1, "data committed before the crash survived")
        texts = rows(driver, "MATCH (n:SmokeText) RETURN count(n) AS c")[0]["c"]
        rep.ok(texts == n_nodes, f"{texts} vector nodes survived")
        await_online(driver, "smoke_v", timeout=300)
        res = rows(
            driver,
            "CALL db.index.vector.queryNodes('smoke_v', 1, "
            "[x IN range(1, 384) | toFloat(x)]) YIELD node RETURN count(*) AS c",
        )
        rep.ok(res[0]["c"] == 1, "vector index answers after recovery")
        res = rows(
            driver,
            "CALL db.index.fulltext.queryNodes('smoke_t', 'welding') "
            "YIELD node RETURN count(*) AS c",
        )
        rep.ok(res[0]["c"] == 1, "full-text index answers after recovery")
    return new_uri


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("uri", help="bolt://127.0.0.1:PORT (auth disabled)")
    ap.add_argument("--nodes", type=int, default=20_000, help="vector nodes to insert")
    ap.add_argument("--no-crash", action="store_true", help="skip the kill -9 recovery check")
    args = ap.parse_args()
    rep = Report()
    uri: str = args.uri
    t_start = time.monotonic()
    with connect(uri) as driver:
        driver.verify_connectivity()
        cleanup(driver)
        check_components(driver, rep)
        check_constraint(driver, rep)
        check_fulltext(driver, rep)
        check_vector(driver, rep, args.nodes)
    if not args.no_crash:
        uri = check_crash(uri, rep, args.nodes)
    with connect(uri) as driver:
        cleanup(driver)
    total = time.monotonic() - t_start
    if rep.failures:
        print(f"FAILED ({len(rep.failures)}): " + "; ".join(rep.failures) + f" [{total:.0f} s]")
        return 1
    print(f"all checks passed [{total:.0f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
