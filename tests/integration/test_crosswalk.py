"""The O*NET <-> ESCO crosswalk on the real data: full ESCO v1.1.1 and the shared O*NET files.

The store is built once for the module from the shared data, without vectors; the crosswalk
embeds through the default model behind the warm embedding cache (~/.cache/credwalk), so a run
after ``credwalk ingest esco`` and ``credwalk ingest onet`` encodes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.schemas.equivalence import CrosswalkPublic
from graph.embeddings import CachedEmbedder, EmbeddingCache, SentenceTransformerEmbedder
from graph.model.concepts import NodeKind, Provenance, ProvenanceKind, Relation, RelationType
from graph.registry import create_store
from graph.services.crosswalk.ranking import Crosswalk, crosswalk, store_crosswalk
from graph.services.ingestion import import_concepts
from graph.settings import DEFAULT_EMBEDDING_MODEL, load_settings
from graph.store import GraphBatch, GraphStore
from ingest.frameworks.esco import EscoPack, esco_import
from ingest.frameworks.onet import onet_iri
from ingest.run import ingest_onet

pytestmark = [pytest.mark.slow, pytest.mark.model]

ESCO = "http://data.europa.eu/esco/occupation/"
#: Pairs no expert would dispute (O*NET-SOC code -> ESCO occupation), judged by hand.
OBVIOUS = {
    "15-1132.00": ESCO + "f2b15a0e-e65a-438a-affb-29b9d50b77d1",  # software developer
    "29-1141.00": ESCO + "8d3e8aaa-791b-4c75-a465-f3f827028f50",  # nurse (general care)
    "51-4121.06": ESCO + "7aedaa07-3884-4c5b-88f9-80997b2aa54b",  # welder
    "35-2014.00": ESCO + "90f75f67-495d-49fa-ab57-2f320e251d7e",  # cook
    "13-2011.01": ESCO + "eda0d957-3c3c-4139-b89a-a18bc9e18897",  # accountant
    "15-1134.00": ESCO + "c40a2919-48a9-40ea-b506-1f34f693496d",  # web developer
}


@pytest.fixture(scope="session")
def crosswalk_store(
    tmp_path_factory: pytest.TempPathFactory, esco_pack: EscoPack, shared_data: Path
) -> Iterator[GraphStore]:
    store = create_store(f"sqlite:///{tmp_path_factory.mktemp('crosswalk') / 'store.db'}")
    store.open()
    import_concepts(store, esco_import(esco_pack), embedder=None)
    ingest_onet(store, [shared_data / "onet"], embedder=None)
    yield store
    store.close()


@pytest.fixture(scope="session")
def cached_embedder() -> Iterator[CachedEmbedder]:
    cache = EmbeddingCache(load_settings().embedding_cache)
    yield CachedEmbedder(SentenceTransformerEmbedder(DEFAULT_EMBEDDING_MODEL), cache)
    cache.close()


@pytest.fixture(scope="session")
def onet_to_esco(crosswalk_store: GraphStore, cached_embedder: CachedEmbedder) -> Crosswalk:
    return crosswalk(crosswalk_store, cached_embedder, source="onet", target="esco", top=5)


def test_every_onet_occupation_gets_ranked_esco_matches(
    onet_to_esco: Crosswalk, crosswalk_store: GraphStore
) -> None:
    onet = list(crosswalk_store.iter_concepts(kind=NodeKind.OCCUPATION, framework="onet"))
    assert sorted(e.source for e in onet_to_esco.results) == sorted(c.uri for c in onet)
    esco = {
        c.uri for c in crosswalk_store.iter_concepts(kind=NodeKind.OCCUPATION, framework="esco")
    }
    for entry in onet_to_esco.results:
        scores = [m.score for m in entry.matches]
        assert len(scores) == 5 and scores == sorted(scores, reverse=True), entry.code
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert {m.uri for m in entry.matches} <= esco
        assert all(m.explanation.startswith("title ") for m in entry.matches)
    described = [e for e in onet_to_esco.results if e.matches[0].signals["activities"] is not None]
    assert len(described) > 900  # tasks against essential skills count for most occupations


def test_obvious_pairs_rank_at_the_top(onet_to_esco: Crosswalk) -> None:
    by_code = {e.code: e for e in onet_to_esco.results}
    for code, esco in OBVIOUS.items():
        top3 = [m.uri for m in by_code[code].matches[:3]]
        assert esco in top3, (code, [m.label for m in by_code[code].matches])


def test_the_json_shape_of_design_md(onet_to_esco: Crosswalk) -> None:
    document = CrosswalkPublic.from_domain(onet_to_esco).model_dump(mode="json")
    assert (document["from"], document["to"]) == ("onet", "esco")
    first = document["results"][0]
    assert set(first) >= {"source", "code", "label", "matches"}
    assert set(first["matches"][0]) >= {"uri", "code", "label", "score"}


def test_the_reverse_direction(
    crosswalk_store: GraphStore, cached_embedder: CachedEmbedder
) -> None:
    result = crosswalk(
        crosswalk_store,
        cached_embedder,
        source="esco",
        target="onet",
        top=5,
        sources=[OBVIOUS["51-4121.06"], OBVIOUS["35-2014.00"]],
    )
    assert [e.source for e in result.results] == sorted(
        [OBVIOUS["51-4121.06"], OBVIOUS["35-2014.00"]]
    )
    welder = next(e for e in result.results if e.source == OBVIOUS["51-4121.06"])
    assert {m.code for m in welder.matches[:3]} & {"51-4121.06", "51-4121.00"}
    cook = next(e for e in result.results if e.source == OBVIOUS["35-2014.00"])
    assert any((m.code or "").startswith("35-201") for m in cook.matches[:3])


def test_stored_matches_never_replace_declared_ones(
    onet_to_esco: Crosswalk, crosswalk_store: GraphStore
) -> None:
    cook = onet_iri("35-2014.00")
    entry = next(e for e in onet_to_esco.results if e.source == cook)
    declared_target = entry.matches[1].uri
    declared = Relation(
        cook,
        RelationType.CLOSE_MATCH,
        declared_target,
        provenance=Provenance(ProvenanceKind.DECLARED, agent="an expert", at="2026-01-01"),
    )
    crosswalk_store.write(GraphBatch(relations=[declared]))
    written = store_crosswalk(crosswalk_store, onet_to_esco)
    assert written == len(onet_to_esco.results)
    links = {r.target: r for r in crosswalk_store.relations(cook, types=[RelationType.CLOSE_MATCH])}
    assert links[declared_target].provenance == declared.provenance
    computed = links[entry.matches[0].uri].provenance
    assert computed is not None and computed.kind is ProvenanceKind.COMPUTED
    assert computed.score == entry.matches[0].score and computed.model == onet_to_esco.model
    # recomputing replaces computed links only
    assert store_crosswalk(crosswalk_store, onet_to_esco) == len(onet_to_esco.results)
    assert len(crosswalk_store.relations(cook, types=[RelationType.CLOSE_MATCH])) == 2
