"""The crosswalk over the store, on every backend: the demo ESCO slice and real O*NET rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidInputError, NotFoundError
from graph.model.concepts import Provenance, ProvenanceKind, Relation, RelationType
from graph.services.crosswalk.ranking import CrosswalkWeights, crosswalk, store_crosswalk
from graph.services.crosswalk.rerank import EXTRA_SIGNALS, FEATURES, RERANKER, Reranker
from graph.services.ingestion import import_concepts
from graph.store import GraphBatch, GraphStore
from ingest.demo import read_demo_slice
from ingest.frameworks.onet import OnetData, onet_import, onet_iri, read_onet
from tests.fixtures.demo_catalogue import ONTOLOGIES
from tests.fixtures.embedders import HashingEmbedder

ESCO = "http://data.europa.eu/esco/occupation/"
WELDER = ESCO + "7aedaa07-3884-4c5b-88f9-80997b2aa54b"
COOK = ESCO + "90f75f67-495d-49fa-ab57-2f320e251d7e"
#: O*NET occupations around the demo slice's seven ESCO occupations (2010 and 2019 codes).
CODES = ("51-4121.06", "51-4121.00", "15-1132.00", "29-1141.00", "35-2014.00", "13-2011.01")


@pytest.fixture(scope="module")
def onet_rows(shared_data: Path) -> OnetData:
    data = read_onet([shared_data / "onet"])
    wanted = {uri: c for uri, c in data.occupations.items() if c.code in CODES}
    return OnetData(wanted, data.rows, data.files, ())


@pytest.fixture
def both(store: GraphStore, onet_rows: OnetData) -> GraphStore:
    import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=None)
    import_concepts(store, onet_import(onet_rows), embedder=None)
    return store


def test_every_source_is_ranked_with_evidence(both: GraphStore) -> None:
    result = crosswalk(both, HashingEmbedder(), source="onet", target="esco", top=3)
    assert sorted(e.code or "" for e in result.results) == sorted(CODES)
    by_code = {e.code: e for e in result.results}
    assert by_code["51-4121.06"].matches[0].uri == WELDER
    assert by_code["35-2014.00"].matches[0].uri == COOK
    welders_2019 = by_code["51-4121.00"].matches[0]
    assert welders_2019.uri == WELDER
    assert welders_2019.signals["activities"] is not None  # tasks against essential skills
    assert "activities" in welders_2019.explanation
    for entry in result.results:
        assert [m.score for m in entry.matches] == sorted(
            (m.score for m in entry.matches), reverse=True
        )
    reverse = crosswalk(both, HashingEmbedder(), source="esco", target="onet", sources=[WELDER])
    assert [e.source for e in reverse.results] == [WELDER]
    assert reverse.results[0].matches[0].code in {"51-4121.06", "51-4121.00"}


def test_bad_requests(both: GraphStore) -> None:
    with pytest.raises(InvalidInputError):
        crosswalk(both, HashingEmbedder(), source="esco", target="esco")
    with pytest.raises(NotFoundError) as raised:
        crosswalk(both, HashingEmbedder(), source="onet", target="isco")
    assert raised.value.details["framework"] == "isco"
    with pytest.raises(NotFoundError):
        crosswalk(both, HashingEmbedder(), source="onet", target="esco", sources=["99-0000.00"])


def test_stored_top_matches_keep_declared_links(both: GraphStore) -> None:
    result = crosswalk(both, HashingEmbedder(), source="onet", target="esco", top=2)
    cook = onet_iri("35-2014.00")
    entry = next(e for e in result.results if e.source == cook)
    declared = Relation(
        cook,
        RelationType.CLOSE_MATCH,
        entry.matches[1].uri,
        provenance=Provenance(ProvenanceKind.DECLARED, agent="an expert", at="2026-01-01"),
    )
    both.write(GraphBatch(relations=[declared]))
    assert store_crosswalk(both, result) == len(CODES)
    links = {r.target: r for r in both.relations(cook, types=[RelationType.CLOSE_MATCH])}
    assert links[entry.matches[1].uri].provenance == declared.provenance
    computed = links[entry.matches[0].uri].provenance
    assert computed is not None and computed.kind is ProvenanceKind.COMPUTED
    assert computed.score == entry.matches[0].score
    assert store_crosswalk(both, result) == len(CODES)
    assert len(both.relations(cook, types=[RelationType.CLOSE_MATCH])) == 2


def test_a_target_another_source_fits_better_gives_way(both: GraphStore) -> None:
    # the hand-weighted score: the reranker reads the competition as one feature among others
    weights = CrosswalkWeights(competition=2.0, reranker=None)
    full = crosswalk(both, HashingEmbedder(), source="onet", target="esco", top=3, weights=weights)
    plain = crosswalk(
        both, HashingEmbedder(), source="onet", target="esco", top=3,
        weights=CrosswalkWeights(competition=0.0, reranker=None),
    )  # fmt: skip
    assert full.weights.competition == 2.0
    for with_competition, without in zip(full.results, plain.results, strict=True):
        for match in with_competition.matches:
            same = next((m for m in without.matches if m.uri == match.uri), None)
            if same is not None:
                assert match.score <= same.score + 1e-6  # competition only ever takes off
    contested = [m for e in full.results for m in e.matches if "fits it better" in m.explanation]
    assert contested, "some demo occupation is contested by a closer O*NET occupation"
    # The competition is read over every source occupation, named or not.
    named = crosswalk(
        both, HashingEmbedder(), source="onet", target="esco", top=3, weights=weights,
        sources=["35-2014.00"],
    )  # fmt: skip
    whole = next(e for e in full.results if e.code == "35-2014.00")
    assert [(m.uri, m.score) for m in named.results[0].matches] == [
        (m.uri, m.score) for m in whole.matches
    ]


def test_the_reranker_ranks_by_its_features_and_explains_them(both: GraphStore) -> None:
    served = crosswalk(both, HashingEmbedder(), source="onet", target="esco", top=7)
    assert served.weights.reranker is RERANKER
    for entry in served.results:
        for match in entry.matches:
            assert set(EXTRA_SIGNALS) <= set(match.signals)
            assert 0.0 <= match.score <= 1.0
    cook = next(e for e in served.results if e.code == "35-2014.00").matches[0]
    assert cook.uri == COOK
    assert f"of the best candidates are in isco:{cook.isco_group}" in cook.explanation
    # A reranker that reads one feature only ranks by it: here the candidate's own title.
    only = tuple(1.0 if name == "their_title" else 0.0 for name in FEATURES)
    weights = CrosswalkWeights(reranker=Reranker(only, 0.0))
    by_title = crosswalk(
        both, HashingEmbedder(), source="onet", target="esco", top=7, weights=weights
    )
    for entry in by_title.results:
        values = [m.signals["their_title"] or 0.0 for m in entry.matches]
        assert values == sorted(values, reverse=True)
    assert [e.matches for e in by_title.results] != [e.matches for e in served.results]
