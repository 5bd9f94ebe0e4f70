"""The advisor API over HTTP: equivalence, equivalents, compare, recognition, crosswalk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.runtime import Runtime
from graph.backends.embedded import EmbeddedStore
from graph.model.accounts import Grant, Role
from graph.reference import load_reference_data
from graph.services.catalogue.credentials import save_catalogue
from graph.services.ingestion import import_concepts
from graph.settings import load_settings
from ingest.demo import read_demo_slice
from ingest.frameworks.onet import onet_import, read_onet
from tests.fixtures.accounts import user_with_key
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import ONTOLOGIES, read_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder

LIFFEY = "https://www.liffey-tu.example"
MAG_DE = "https://www.sla-ruhr.example/credentials/mag-schweissen-kehlnaehte"
MAG_SCT = "https://www.glenmore-college.example/credentials/mag-welding-fillet-welds"
PYTHON_IE = "https://www.liffey-tu.example/credentials/programming-fundamentals-python"
PYTHON_US = "https://www.greatlakes-cc.example/credentials/python-programming-1"
SQL_US = "https://www.greatlakes-cc.example/credentials/introduction-to-sql"
DATABASES_NL = "https://www.hogeschool-delta.example/credentials/databases-querying-analysts"
WELDER_ESCO = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"
#: O*NET occupations around the demo's ESCO occupations, read from the real files.
ONET_CODES = ("51-4121.06", "15-1132.00", "29-1141.00", "35-2014.00", "13-2011.01")


@pytest.fixture
def demo_runtime(tmp_path: Path) -> Iterator[Runtime]:
    settings = load_settings(store=f"sqlite:///{tmp_path / 'api.db'}", load_demo=False)
    store = EmbeddedStore(tmp_path / "api.db")
    store.open()
    embedder = HashingEmbedder()
    import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=None)
    catalogue = read_demo_catalogue()
    save_catalogue(
        store,
        actor=ADMIN,
        issuers=catalogue.issuers,
        credentials=catalogue.credentials,
        reference=catalogue.reference,
    )
    reference = load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)
    the_runtime = Runtime(settings=settings, store=store, embedder=embedder, reference=reference)
    yield the_runtime
    the_runtime.close()


@pytest.fixture
def api(demo_runtime: Runtime) -> Iterator[TestClient]:
    """An anonymous client: what advisors read is public."""
    with TestClient(create_app(runtime=demo_runtime)) as client:
        yield client


def key_of(runtime: Runtime, name: str, grant: Grant) -> dict[str, str]:
    """The Authorization header of a new user ``name`` holding ``grant``."""
    token = user_with_key(runtime.store, name, grant, base_iri=runtime.settings.base_iri)
    return {"Authorization": f"Bearer {token}"}


def test_equivalence_of_the_same_curriculum(api: TestClient) -> None:
    response = api.post("/v1/equivalence", json={"a": MAG_DE, "b": MAG_SCT})
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "equivalent" and body["score"] == 1.0
    assert body["thresholds"] == {"equivalent": 0.8, "partial": 0.4}
    assert body["a_covers_b"] == body["b_covers_a"] == 1.0
    assert body["level"]["difference"] == 0 and "EQF 4" in body["level"]["explanation"]
    assert {m["kind"] for m in body["matched"]} == {"exact"}
    assert body["a"]["issuer_name"] == "Schweißtechnische Lehranstalt Ruhr"


def test_a_subset_reads_in_both_directions(api: TestClient) -> None:
    body = api.post("/v1/equivalence", json={"a": SQL_US, "b": DATABASES_NL}).json()
    assert body["verdict"] == "partially_equivalent"
    assert body["b_covers_a"] == 1.0 and body["a_covers_b"] < 0.5
    assert body["explanation"][0].startswith("A (Introduction to SQL")


def test_unknown_credential_is_404_with_a_code(api: TestClient) -> None:
    response = api.post("/v1/equivalence", json={"a": MAG_DE, "b": "https://x.example/none"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    missing = api.get(f"/v1/credentials/{quote('https://x.example/none', safe='')}/equivalents")
    assert missing.status_code == 404


def test_equivalents_across_a_border(api: TestClient) -> None:
    response = api.get(
        f"/v1/credentials/{PYTHON_IE}/equivalents", params={"jurisdiction": "US", "top": 3}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["credential"]["id"] == PYTHON_IE and body["jurisdiction"] == "US"
    assert body["results"][0]["b"]["id"] == PYTHON_US
    assert all(r["b"]["jurisdiction"] == "US" for r in body["results"])
    assert all(r["explanation"] for r in body["results"])


def test_unknown_jurisdiction_is_404_naming_the_field(api: TestClient) -> None:
    response = api.get(f"/v1/credentials/{PYTHON_IE}/equivalents", params={"jurisdiction": "XQ"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["details"] == {"field": "jurisdiction", "value": "XQ"}


def test_a_level_outside_its_framework_is_422(api: TestClient, demo_runtime: Runtime) -> None:
    staff = key_of(demo_runtime, "registrar", Grant(Role.ISSUER, LIFFEY))
    document = {
        "id": f"{LIFFEY}/credentials/bad-level",
        "title": "A level the framework does not have",
        "issuer": LIFFEY,
        "level": {"framework": "ie-nfq", "value": "11"},
    }
    response = api.post("/v1/credentials", json=document, headers=staff)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "ie-nfq" in error["message"] and "levels[0]" in error["details"]["field"]


def test_compare(api: TestClient) -> None:
    response = api.get("/v1/compare", params=[("ids", DATABASES_NL), ("ids", SQL_US)])
    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body["credentials"]] == [DATABASES_NL, SQL_US]
    sql = next(r for r in body["skills"] if r["skill"]["label"] == "SQL")
    assert sql["status"] == ["full", "partial"] and sql["levels"] == [4, 3]
    assert body["pairs"][0]["verdict"] == "partially_equivalent"
    joined = api.get("/v1/compare", params={"ids": f"{DATABASES_NL},{SQL_US},{MAG_DE}"})
    assert len(joined.json()["credentials"]) == 3
    one = api.get("/v1/compare", params={"ids": SQL_US})
    assert one.status_code == 422 and one.json()["error"]["details"]["field"] == "ids"


def test_recognition_is_recorded_shown_and_exported(api: TestClient, demo_runtime: Runtime) -> None:
    advisor = key_of(demo_runtime, "committee", Grant(Role.ADVISOR, LIFFEY))
    decision = {
        "authority": LIFFEY,
        "authority_name": "Liffey Technological University",
        "credential": PYTHON_US,
        "target": PYTHON_IE,
        "outcome": "partial",
        "to_jurisdiction": "IE",
        "credits": {"value": 5, "unit": "ECTS"},
        "valid_from": "2025-09-01",
    }
    before = api.post("/v1/equivalence", json={"a": PYTHON_US, "b": PYTHON_IE}).json()
    anonymous = api.post("/v1/recognitions", json=decision)
    assert anonymous.status_code == 401
    created = api.post("/v1/recognitions", json=decision, headers=advisor)
    assert created.status_code == 201
    stored = created.json()
    assert stored["decided_by"].endswith("/user/committee")
    assert stored["from_jurisdiction"] == "US" and stored["id"].startswith("https://credwalk.org/")
    after = api.post("/v1/equivalence", json={"a": PYTHON_US, "b": PYTHON_IE}).json()
    assert (after["score"], after["verdict"]) == (before["score"], before["verdict"])
    assert [r["id"] for r in after["recognitions"]] == [stored["id"]]
    listed = api.get("/v1/recognitions", params={"credential": PYTHON_US}).json()
    assert listed["count"] == 1
    assert api.get(f"/v1/recognitions/{stored['id']}").json() == stored
    ctdl = api.get(f"/v1/recognitions/{stored['id']}/ctdl")
    assert ctdl.status_code == 200
    assert ctdl.headers["content-type"].startswith("application/ld+json")
    assert ctdl.json()["@type"] == "ceterms:TransferValueProfile"
    contradiction = api.post(
        "/v1/recognitions", json=decision | {"outcome": "full"}, headers=advisor
    )
    assert contradiction.status_code == 409
    error = contradiction.json()["error"]
    assert error["code"] == "conflict" and "contradicts" in error["message"]
    assert error["details"]["existing"] == stored["id"]
    bad = api.post("/v1/recognitions", json=decision | {"outcome": "conditional"}, headers=advisor)
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "conditions"


def test_crosswalk_over_http(api: TestClient, demo_runtime: Runtime, shared_data: Path) -> None:
    data = read_onet([shared_data / "onet"])
    wanted = {uri: c for uri, c in data.occupations.items() if c.code in ONET_CODES}
    assert len(wanted) == len(ONET_CODES)
    small = type(data)(wanted, data.rows, data.files, ())
    import_concepts(demo_runtime.store, onet_import(small), embedder=None)
    response = api.get("/v1/crosswalk", params={"from": "onet", "to": "esco", "top": 3})
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("onet", "esco")
    assert sorted(r["code"] for r in body["results"]) == sorted(ONET_CODES)
    for entry in body["results"]:
        scores = [m["score"] for m in entry["matches"]]
        assert len(scores) == 3 and scores == sorted(scores, reverse=True)
        assert all(m["explanation"].startswith("title ") for m in entry["matches"])
    welders = next(r for r in body["results"] if r["code"] == "51-4121.06")
    # O*NET lists "Welder" among the alternate titles: an identical label
    assert welders["matches"][0]["uri"] == WELDER_ESCO
    assert "'Welder' = 'welder'" in welders["matches"][0]["explanation"]
    one = api.get("/v1/crosswalk", params={"from": "onet", "to": "esco", "source": "15-1132.00"})
    assert [r["code"] for r in one.json()["results"]] == ["15-1132.00"]
    unknown = api.get("/v1/crosswalk", params={"from": "onet", "to": "isco"})
    assert unknown.status_code == 404
