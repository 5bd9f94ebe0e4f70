"""Learners, gaps, pathways and transitions over HTTP (and the ``pathway`` command).

The store holds the demo ESCO slice (indexed with the hashing embedder, so skill similarity is
on) and the demo catalogue of ontologies/demo/credentials.json.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.main import create_app
from api.runtime import Runtime
from graph.backends.embedded import EmbeddedStore
from graph.reference import load_reference_data
from graph.services.catalogue.credentials import save_catalogue
from graph.services.ingestion import import_concepts
from graph.settings import load_settings
from ingest.demo import read_demo_slice
from tests.fixtures.accounts import bearer
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import ONTOLOGIES, read_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder

DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
SKILL = "http://data.europa.eu/esco/skill/"
STATISTICS = SKILL + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
USE_DATABASES = SKILL + "4463a721-69f3-413d-8321-43e3af13a4f1"
QUERY_LANGUAGES = SKILL + "9cf681c7-89ec-470c-b651-7fe03786f586"
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
LEARNER_ID = "urn:example:learner:42"
LEARNER: dict[str, Any] = {
    "id": LEARNER_ID,
    "jurisdiction": "IE",
    "target_jurisdiction": "NL",
    "competences": [
        {"skill": QUERY_LANGUAGES, "level": 3, "source": "self_declared", "date": "2026-01-10"}
    ],
    "assessments": [
        {"skill": STATISTICS, "level": 3, "passed": True, "date": "2026-02-01"},
        {"skill": STATISTICS, "level": 4, "score": 0.75, "date": "2026-02-01"},
        {"skill": STATISTICS, "level": 5, "score": 0.2, "date": "2026-02-01"},
    ],
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the demo slice and catalogue, built once and copied per test."""
    path = tmp_path_factory.mktemp("prepared") / "api.db"
    store = EmbeddedStore(path)
    store.open()
    import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=HashingEmbedder())
    catalogue = read_demo_catalogue()
    save_catalogue(
        store,
        actor=ADMIN,
        issuers=catalogue.issuers,
        credentials=catalogue.credentials,
        reference=catalogue.reference,
    )
    store.close()
    return path


@pytest.fixture
def runtime(tmp_path: Path, prepared: Path) -> Iterator[Runtime]:
    shutil.copyfile(prepared, tmp_path / "api.db")
    settings = load_settings(store=f"sqlite:///{tmp_path / 'api.db'}", load_demo=False)
    store = EmbeddedStore(tmp_path / "api.db")
    store.open()
    reference = load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)
    the_runtime = Runtime(
        settings=settings, store=store, embedder=HashingEmbedder(), reference=reference
    )
    yield the_runtime
    the_runtime.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    headers = bearer(runtime.store, base_iri=runtime.settings.base_iri)
    with TestClient(create_app(runtime=runtime), headers=headers) as the_client:
        yield the_client


def learner_url(learner_id: str = LEARNER_ID, suffix: str = "") -> str:
    return f"/v1/learners/{learner_id}{suffix}"


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code
    return body


def test_learners_are_created_read_replaced_and_assessed(client: TestClient) -> None:
    created = client.post("/v1/learners", json=LEARNER)
    assert created.status_code == 201, created.text
    statistics = [c for c in created.json()["competences"] if c["skill"] == STATISTICS]
    assert [(c["level"], c["source"]) for c in statistics] == [(4, "assessment")]
    assert 0 < statistics[0]["score"] <= 4  # the level, decayed by the age of the evidence
    assert client.post("/v1/learners", json=LEARNER).status_code == 409
    read = client.get(learner_url()).json()
    assert read["target_jurisdiction"] == "NL" and len(read["assessments"]) == 3
    moved = client.put(learner_url(), json={**LEARNER, "target_jurisdiction": "DE"})
    assert moved.status_code == 200 and moved.json()["target_jurisdiction"] == "DE"
    results = {
        "results": [
            {"skill": USE_DATABASES, "level": 2, "passed": True, "date": "2026-03-01"},
            {"skill": USE_DATABASES, "level": 3, "passed": False, "date": "2026-03-01"},
        ]
    }
    assessed = client.post(learner_url(suffix="/assessments"), json=results)
    assert assessed.status_code == 200, assessed.text
    levels = {c["skill"]: c["level"] for c in assessed.json()["competences"]}
    assert levels[USE_DATABASES] == 2 and levels[STATISTICS] == 4


def test_the_gap_says_how_each_skill_is_covered(client: TestClient) -> None:
    client.post("/v1/learners", json=LEARNER)
    response = client.get(
        learner_url(suffix="/gaps"), params={"target": f"occupation:{DATA_ANALYST}"}
    )
    assert response.status_code == 200, response.text
    gap = response.json()
    assert gap["target"]["label"] == "data analyst"
    covered = {i["skill"]: i["evidence"][0]["source"] for i in gap["covered"]}
    assert covered[STATISTICS] == "assessment" and covered[QUERY_LANGUAGES] == "self_declared"
    essential = [i for i in gap["covered"] + gap["partial"] + gap["missing"] if i["required"]]
    assert len(essential) == 30
    for item in gap["partial"]:
        assert item["related"] and {r["basis"] for r in item["related"]} <= {
            "lower_level",
            "narrower",
            "broader",
            "sibling",
            "similar",
        }


def test_pathway_in_the_design_shape(client: TestClient) -> None:
    client.post("/v1/learners", json=LEARNER)
    response = client.post(
        "/v1/pathways",
        json={"learner": LEARNER_ID, "target": f"occupation:{DATA_ANALYST}", "alternatives": 2},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["jurisdiction"] == "NL" and body["currency"] == "EUR"
    best = body["pathways"][0]
    assert best["method"] == "exact" and best["bound"]["gap"] == 0.0
    assert [s["order"] for s in best["steps"]] == list(range(1, len(best["steps"]) + 1))
    assert best["cost"] == pytest.approx(sum(s["cost"] for s in best["steps"]))
    assert best["hours"] == pytest.approx(sum(s["hours"] for s in best["steps"]))
    assert STATISTICS not in best["covers"]  # assessed at level 4: not a gap
    assert best["missing"] == [] and isinstance(best["explanation"], str)
    covered = {skill for s in best["steps"] for skill in s["covers"]}
    assert covered == set(best["covers"])
    assert len(body["pathways"]) == 2 and body["pathways"][1]["cost"] >= best["cost"]


def test_an_inline_learner_and_weights(client: TestClient, runtime: Runtime) -> None:
    before = runtime.store.stats()
    response = client.post(
        "/v1/pathways",
        json={
            "learner": {"id": "urn:example:learner:visitor", "target_jurisdiction": "IE"},
            "target": {"kind": "skills", "skills": [{"uri": PYTHON, "level": 3}]},
            "objective": {"cost": 0, "hours": 1},
            "alternatives": 3,
        },
    )
    assert response.status_code == 200, response.text
    pathways = response.json()["pathways"]
    hours = [p["hours"] for p in pathways]
    assert hours == sorted(hours) and len(pathways) >= 2
    assert runtime.store.stats() == before  # an inline learner is not stored


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"target": "occupation:http://data.europa.eu/esco/occupation/nope"},
            404,
            "not_found",
            "target",
        ),
        ({"target": f"skills:{PYTHON}@9"}, 422, "invalid_input", "target"),
        ({"target": "degree:anything"}, 422, "invalid_input", "target"),
        ({"max_cost": -1}, 422, "invalid_input", "max_cost"),
        ({"max_hours": -10}, 422, "invalid_input", "max_hours"),
        ({"max_eqf_level": 9}, 422, "invalid_input", "max_eqf_level"),
        ({"max_eqf_level": 2}, 404, "no_pathway", "max_eqf_level"),
        ({"max_cost": 100}, 404, "no_pathway", "max_cost"),
        ({"jurisdiction": "XX"}, 422, "invalid_input", "jurisdiction"),
        ({"objective": {"cost": 0, "hours": 0}}, 422, "invalid_input", "objective"),
        ({"learner": "urn:example:learner:nobody"}, 404, "not_found", None),
    ],
    ids=[
        "unknown-target",
        "level-9",
        "target-kind",
        "negative-budget",
        "negative-hours",
        "eqf-9",
        "eqf-below-all",
        "tiny-budget",
        "jurisdiction",
        "zero-objective",
        "unknown-learner",
    ],
)
def test_bad_pathway_requests_name_the_field_and_change_nothing(
    client: TestClient,
    runtime: Runtime,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    client.post("/v1/learners", json=LEARNER)
    before = (runtime.store.stats(), client.get(learner_url()).json())
    request = {"learner": LEARNER_ID, "target": f"occupation:{DATA_ANALYST}", **body}
    found = error(client.post("/v1/pathways", json=request), status, code)
    if field is not None:
        assert found["details"]["field"] == field
    assert (runtime.store.stats(), client.get(learner_url()).json()) == before


def test_no_pathway_lists_the_uncovered_skills(client: TestClient) -> None:
    client.post("/v1/learners", json=LEARNER)
    request = {
        "learner": LEARNER_ID,
        "target": f"occupation:{DATA_ANALYST}",
        "jurisdiction": "US",
    }
    found = error(client.post("/v1/pathways", json=request), 404, "no_pathway")
    assert found["details"]["binding"] == ["jurisdiction"]
    assert SKILL + "25f0ea33-b4a2-4f31-b7b4-7d20e827b180" in found["details"]["uncovered_skills"]


@pytest.mark.parametrize(
    ("learner", "field"),
    [
        ({**LEARNER, "competences": [{"skill": PYTHON, "level": 9}]}, "competences.0.level"),
        ({**LEARNER, "competences": [{"skill": SKILL + "nope"}]}, "competences[0].skill"),
        ({**LEARNER, "jurisdiction": "XX"}, "jurisdiction"),
        (
            {**LEARNER, "assessments": [{"skill": PYTHON, "level": 0, "date": "2026-01-01"}]},
            "assessments.0.level",
        ),
    ],
    ids=["level-9", "unknown-skill", "jurisdiction", "assessment-level-0"],
)
def test_bad_learners_are_not_stored(
    client: TestClient, learner: dict[str, Any], field: str
) -> None:
    found = error(client.post("/v1/learners", json=learner), 422, "invalid_input")
    assert found["details"]["field"] == field
    error(client.get(learner_url()), 404, "not_found")


def test_bad_assessments_change_nothing(client: TestClient) -> None:
    client.post("/v1/learners", json=LEARNER)
    before = client.get(learner_url()).json()
    bad = {"results": [{"skill": PYTHON, "level": 3, "date": "2026-01-01"}]}  # no result
    found = error(client.post(learner_url(suffix="/assessments"), json=bad), 422, "invalid_input")
    assert found["details"]["field"] == "results[0].passed"
    unknown = {
        "results": [{"skill": SKILL + "nope", "level": 3, "passed": True, "date": "2026-01-01"}]
    }
    found = error(
        client.post(learner_url(suffix="/assessments"), json=unknown), 422, "invalid_input"
    )
    assert found["details"]["field"] == "results[0].skill"
    assert client.get(learner_url()).json() == before


def test_career_transitions(client: TestClient) -> None:
    response = client.get(f"/v1/occupations/{SOFTWARE_DEVELOPER}/transitions", params={"top": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["label"] == "software developer" and "Nesta" in body["method"]
    ranked = body["transitions"]
    assert ranked and ranked[0]["label"] == "web developer"
    scores = [t["score"] for t in ranked]
    assert scores == sorted(scores, reverse=True)
    web = ranked[0]
    assert web["matched"] and web["pathway"] is not None
    # the pathway closes the essential gap, or says which skills nothing covers
    closing = set(web["pathway"]["covers"]) | set(web["pathway"]["missing"])
    assert set(web["missing_essential"]) <= closing
    error(client.get(f"/v1/occupations/{SKILL}nope/transitions"), 404, "not_found")
    error(client.get(f"/v1/occupations/{PYTHON}/transitions"), 422, "invalid_input")


def test_the_pathway_command(
    tmp_path: Path,
    prepared: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREDWALK_EMBEDDING_CACHE", str(tmp_path / "embeddings.db"))
    monkeypatch.setenv("CREDWALK_LOAD_DEMO", "false")
    shutil.copyfile(prepared, tmp_path / "cli.db")
    learner_file = tmp_path / "learner.json"
    learner_file.write_text(json.dumps(LEARNER), encoding="utf-8")
    args = ["--store", f"sqlite:///{tmp_path / 'cli.db'}", "pathway", "--learner"]
    main([*args, str(learner_file), "--target", f"occupation:{DATA_ANALYST}", "--json"])
    body = json.loads(capsys.readouterr().out)
    assert body["pathways"][0]["steps"] and body["jurisdiction"] == "NL"
    with pytest.raises(SystemExit) as exit_status:
        main(
            [
                *args,
                str(learner_file),
                "--target",
                f"occupation:{DATA_ANALYST}",
                "--max-cost",
                "10",
                "--json",
            ]
        )
    assert exit_status.value.code == 3  # not found: no pathway
    assert json.loads(capsys.readouterr().out)["error"]["details"]["field"] == "max_cost"
