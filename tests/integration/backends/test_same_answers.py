"""Both backends answer every query the same on the whole of ESCO with real embeddings.

Same order, scores equal to 1e-6: search, matching, and the store queries the algorithms use.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.embedded import EmbeddedStore
from graph.embeddings import CachedEmbedder
from graph.model.concepts import NodeKind, RelationType
from graph.services.concepts import map_texts, search_concepts
from graph.services.ingestion import import_concepts
from graph.store import Direction, GraphStore
from graph.text import terms
from ingest.frameworks.esco import EscoPack, esco_import
from tests.fixtures.neo4j_server import neo4j_namespace

pytestmark = [pytest.mark.neo4j, pytest.mark.slow, pytest.mark.model]

SKILL_QUERIES = [
    "python programming",
    "manage a team",
    "weld steel pipes",
    "customer service",
    "financial accounting",
    "administer medication to patients",
    "cook pasta",
    "data analysis",
    "machine learning",
    "project management",
    "speak French",
    "use spreadsheets software",
    "operate a forklift",
    "negotiate contracts",
    "C++",
]
OCCUPATION_QUERIES = [
    "software developer",
    "nurse",
    "chef",
    "truck driver",
    "data scientist",
    "accountant",
    "primary school teacher",
]
SENTENCES = [
    "Develop and maintain Python scripts to clean and analyse sales data",
    "Provide nursing care to patients and administer prescribed medication",
    "Weld structural steel components using MIG and TIG processes",
    "Prepare monthly financial statements and reconcile bank accounts",
    "Design responsive web pages with HTML, CSS and JavaScript",
]
NODES = [
    "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1",
    "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
    "http://data.europa.eu/esco/isco/C2512",
]


@pytest.fixture(scope="module")
def embedded(
    esco_vector_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    path = tmp_path_factory.mktemp("same") / "esco.db"
    shutil.copyfile(esco_vector_db, path)
    with EmbeddedStore(path) as store:
        yield store


@pytest.fixture(scope="module")
def neo4j(
    request: pytest.FixtureRequest, esco_pack: EscoPack, real_embedder: CachedEmbedder
) -> Iterator[GraphStore]:
    with neo4j_namespace(request, "same") as store:
        import_concepts(store, esco_import(esco_pack), embedder=real_embedder)
        yield store


def _same_matches(a: list, b: list) -> None:  # type: ignore[type-arg]
    assert [m.uri for m in a] == [m.uri for m in b]
    for x, y in zip(a, b, strict=True):
        assert math.isclose(x.score, y.score, abs_tol=1e-6), (x.uri, x.score, y.score)
        assert x.matched_terms == y.matched_terms


def test_counts_are_the_same(embedded: GraphStore, neo4j: GraphStore) -> None:
    assert embedded.stats() == neo4j.stats()
    assert neo4j.stats().count(NodeKind.SKILL) == 13_896


@pytest.mark.parametrize("query", SKILL_QUERIES)
def test_skill_search(
    embedded: GraphStore, neo4j: GraphStore, real_embedder: CachedEmbedder, query: str
) -> None:
    a = search_concepts(embedded, real_embedder, query, kind=NodeKind.SKILL, top=10)
    b = search_concepts(neo4j, real_embedder, query, kind=NodeKind.SKILL, top=10)
    _same_matches(a, b)


@pytest.mark.parametrize("query", OCCUPATION_QUERIES)
def test_occupation_search(
    embedded: GraphStore, neo4j: GraphStore, real_embedder: CachedEmbedder, query: str
) -> None:
    a = search_concepts(embedded, real_embedder, query, kind=NodeKind.OCCUPATION, top=10)
    b = search_concepts(neo4j, real_embedder, query, kind=NodeKind.OCCUPATION, top=10)
    _same_matches(a, b)


def test_mapping(embedded: GraphStore, neo4j: GraphStore, real_embedder: CachedEmbedder) -> None:
    a = map_texts(embedded, real_embedder, SENTENCES, top=5)
    b = map_texts(neo4j, real_embedder, SENTENCES, top=5)
    for x, y in zip(a, b, strict=True):
        _same_matches(x.matches, y.matches)


def test_store_primitives(
    embedded: GraphStore, neo4j: GraphStore, real_embedder: CachedEmbedder
) -> None:
    vector = real_embedder.embed_one("analyse big data with statistics")
    for kinds in ([NodeKind.SKILL], [NodeKind.OCCUPATION], [NodeKind.SKILL_GROUP]):
        a = embedded.nearest_texts(vector, k=25, kinds=kinds)
        b = neo4j.nearest_texts(vector, k=25, kinds=kinds)
        assert [(h.uri, h.field, h.text) for h in a] == [(h.uri, h.field, h.text) for h in b]
        assert all(math.isclose(x.score, y.score, abs_tol=1e-6) for x, y in zip(a, b, strict=True))
    query_terms = terms("manage data quality and customer relations")
    kinds = [NodeKind.SKILL]
    assert embedded.term_frequencies(query_terms, kinds=kinds) == neo4j.term_frequencies(
        query_terms, kinds=kinds
    )
    assert embedded.concepts_with_terms(["forklift"], kinds=kinds) == neo4j.concepts_with_terms(
        ["forklift"], kinds=kinds
    )
    candidates = [h.uri for h in embedded.nearest_texts(vector, k=10, kinds=kinds)]
    a_scores = embedded.text_scores(vector, candidates)
    b_scores = neo4j.text_scores(vector, candidates)
    keys = [(h.uri, h.field, h.text) for h in a_scores]
    assert keys == [(h.uri, h.field, h.text) for h in b_scores]
    for x, y in zip(a_scores, b_scores, strict=True):
        assert (math.isnan(x.score) and math.isnan(y.score)) or math.isclose(
            x.score, y.score, abs_tol=1e-6
        )


@pytest.mark.parametrize("uri", NODES)
def test_graph_queries(embedded: GraphStore, neo4j: GraphStore, uri: str) -> None:
    for direction in Direction:
        assert embedded.relations(uri, direction=direction) == neo4j.relations(
            uri, direction=direction
        )
    neighbourhood = {uri} | {r.target for r in embedded.relations(uri)}
    a = embedded.subgraph(uris=neighbourhood)
    b = neo4j.subgraph(uris=neighbourhood)
    assert sorted(a.nodes(data="kind")) == sorted(b.nodes(data="kind"))
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))


def test_relation_listing(embedded: GraphStore, neo4j: GraphStore) -> None:
    for types, sources in (
        ([RelationType.BROADER], [NodeKind.OCCUPATION, NodeKind.ISCO_GROUP]),
        ([RelationType.HAS_ESSENTIAL_SKILL], [NodeKind.SKILL]),
    ):
        assert list(embedded.iter_relations(types=types, source_kinds=sources)) == list(
            neo4j.iter_relations(types=types, source_kinds=sources)
        )
