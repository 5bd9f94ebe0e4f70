"""The stable interfaces, byte for byte: OpenAPI, a fixed set of HTTP answers, CLI ``--json``.

A restructure must not change what users script against. Each case's answer is compared,
byte for byte, with the answer recorded in ``tests/fixtures/interface/`` (status and body of
every HTTP request; exit status and standard output of every command), except the digits of
computed scores past the sixth significant one: float32 dot products round differently on
another CPU (OpenBLAS picks its kernels by instruction set), so a JSON body or output whose
only differences are numbers within a relative 1e-6 is the same answer. A deliberate change of
an interface records the new answers with ``CREDWALK_RECORD_INTERFACE=1`` and says why in its
commit.

The store holds the demo ESCO slice (indexed with the hashing embedder) and the demo catalogue;
every command runs on a fresh copy of it, so the cases are independent of their order.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.main import create_app
from graph.backends.embedded import EmbeddedStore
from graph.services.catalogue.credentials import save_catalogue
from graph.services.ingestion import import_concepts
from graph.settings import Settings, load_settings
from ingest.demo import read_demo_slice
from tests.fixtures.accounts import bearer
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import ONTOLOGIES, read_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder
from tests.fixtures.runtimes import hashing_runtime

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "interface"
RECORD = os.environ.get("CREDWALK_RECORD_INTERFACE") == "1"

SKILL = "http://data.europa.eu/esco/skill/"
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
STATISTICS = SKILL + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
QUERY_LANGUAGES = SKILL + "9cf681c7-89ec-470c-b651-7fe03786f586"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
LIFFEY = "https://www.liffey-tu.example"
PYTHON_FUNDAMENTALS = LIFFEY + "/credentials/programming-fundamentals-python"
DATA_QUALITY_ALLIANCE = (
    "https://www.data-skills-alliance.example/credentials/data-quality-cleansing"
)
DATA_QUALITY_DELTA = "https://www.hogeschool-delta.example/credentials/data-quality-cleansing"
DATA_QUALITY_RUHR = "https://www.hs-niederrhein-ruhr.example/credentials/datenqualitaetsmanagement"
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
    ],
}
NEW_CREDENTIAL: dict[str, Any] = {
    "id": LIFFEY + "/credentials/snapshot-data-101",
    "type": "MicroCredential",
    "title": "Data analysis with Python",
    "language": "en",
    "issuer": LIFFEY,
    "jurisdiction": "IE",
    "level": {"framework": "EQF", "value": 5},
    "credits": {"value": 5, "unit": "ECTS"},
    "hours": 125,
    "cost": {"amount": 450, "currency": "EUR"},
    "learning_outcomes": ["Write Python scripts that clean and analyse data"],
    "skills": [{"uri": PYTHON, "level": 3, "status": "confirmed"}],
}

#: (name, method, path, query parameters, JSON body, set-up requests made first)
HttpCase = tuple[str, str, str, dict[str, Any] | None, Any, tuple[tuple[str, str, Any], ...]]
_WITH_LEARNER = (("POST", "/v1/learners", LEARNER),)
HTTP_CASES: tuple[HttpCase, ...] = (
    ("openapi", "GET", "/openapi.json", None, None, ()),
    ("healthz", "GET", "/healthz", None, None, ()),
    ("search-skills", "GET", "/v1/skills/search", {"q": "python programming", "top": 5}, None, ()),
    ("search-occupations", "GET", "/v1/occupations/search", {"q": "software developer"}, None, ()),
    (
        "match",
        "POST",
        "/v1/match",
        None,
        {"texts": ["Develop Python scripts to analyse data", "Weld steel plates"], "top": 3},
        (),
    ),
    ("match-empty", "POST", "/v1/match", None, {"texts": []}, ()),
    ("concept", "GET", f"/v1/concepts/{PYTHON}", None, None, ()),
    ("concept-missing", "GET", "/v1/concepts/http://example.org/nothing", None, None, ()),
    ("issuers", "GET", "/v1/issuers", None, None, ()),
    ("issuer", "GET", f"/v1/issuers/{LIFFEY}", None, None, ()),
    ("credentials", "GET", "/v1/credentials", None, None, ()),
    ("credentials-de", "GET", "/v1/credentials", {"jurisdiction": "DE"}, None, ()),
    ("credential", "GET", f"/v1/credentials/{PYTHON_FUNDAMENTALS}", None, None, ()),
    ("credential-missing", "GET", "/v1/credentials/https://nowhere.example/c", None, None, ()),
    ("create-credential", "POST", "/v1/credentials", None, NEW_CREDENTIAL, ()),
    ("create-credential-bad", "POST", "/v1/credentials", None, {"type": "MicroCredential"}, ()),
    *(
        (
            f"export-{format_}",
            "GET",
            f"/v1/credentials/{PYTHON_FUNDAMENTALS}/export",
            {"format": format_},
            None,
            (),
        )
        for format_ in ("credwalk", "ctdl", "ob3")
    ),
    (
        "mapping",
        "POST",
        f"/v1/credentials/{PYTHON_FUNDAMENTALS}/mapping",
        None,
        {"top": 3},
        (),
    ),
    (
        "equivalence",
        "POST",
        "/v1/equivalence",
        None,
        {"a": DATA_QUALITY_ALLIANCE, "b": DATA_QUALITY_DELTA},
        (),
    ),
    (
        "equivalents",
        "GET",
        f"/v1/credentials/{DATA_QUALITY_ALLIANCE}/equivalents",
        {"jurisdiction": "DE", "top": 3},
        None,
        (),
    ),
    (
        "compare",
        "GET",
        "/v1/compare",
        {"ids": f"{DATA_QUALITY_ALLIANCE},{DATA_QUALITY_DELTA},{DATA_QUALITY_RUHR}"},
        None,
        (),
    ),
    ("recognitions", "GET", "/v1/recognitions", None, None, ()),
    ("create-learner", "POST", "/v1/learners", None, LEARNER, ()),
    ("learner", "GET", f"/v1/learners/{LEARNER_ID}", None, None, _WITH_LEARNER),
    (
        "gaps",
        "GET",
        f"/v1/learners/{LEARNER_ID}/gaps",
        {"target": f"occupation:{DATA_ANALYST}"},
        None,
        _WITH_LEARNER,
    ),
    (
        "pathways",
        "POST",
        "/v1/pathways",
        None,
        {"learner": LEARNER_ID, "target": f"occupation:{DATA_ANALYST}", "alternatives": 2},
        _WITH_LEARNER,
    ),
    (
        "transitions",
        "GET",
        f"/v1/occupations/{SOFTWARE_DEVELOPER}/transitions",
        {"top": 3, "pathways": 1},
        None,
        (),
    ),
)

#: (name, arguments, files the arguments name: file name -> JSON content)
CliCase = tuple[str, tuple[str, ...], dict[str, Any]]
CLI_CASES: tuple[CliCase, ...] = (
    ("search-skills", ("search", "skills", "python programming", "--top", "5", "--json"), {}),
    ("search-occupations", ("search", "occupations", "software developer", "--json"), {}),
    (
        "map",
        (
            "map",
            "Develop Python scripts to analyse data",
            "Weld steel plates",
            "--top",
            "3",
            "--json",
        ),
        {},
    ),
    ("concept", ("concept", PYTHON, "--json"), {}),
    ("concept-missing", ("concept", "http://example.org/nothing", "--json"), {}),
    ("credentials-list", ("credentials", "list", "--json"), {}),
    ("credentials-show", ("credentials", "show", PYTHON_FUNDAMENTALS, "--json"), {}),
    *(
        (
            f"credentials-export-{format_}",
            ("credentials", "export", PYTHON_FUNDAMENTALS, "--format", format_),
            {},
        )
        for format_ in ("credwalk", "ctdl", "ob3")
    ),
    ("mapping-run", ("mapping", "run", PYTHON_FUNDAMENTALS, "--top", "3", "--json"), {}),
    (
        "equivalence",
        ("equivalence", DATA_QUALITY_ALLIANCE, DATA_QUALITY_DELTA, "--json"),
        {},
    ),
    (
        "equivalents",
        ("equivalents", DATA_QUALITY_ALLIANCE, "--jurisdiction", "DE", "--top", "3", "--json"),
        {},
    ),
    (
        "compare",
        ("compare", DATA_QUALITY_ALLIANCE, DATA_QUALITY_DELTA, DATA_QUALITY_RUHR, "--json"),
        {},
    ),
    ("recognition-list", ("recognition", "list", "--json"), {}),
    (
        "ingest-credentials",
        ("ingest", "credentials", "new.json", "--json"),
        {"new.json": NEW_CREDENTIAL},
    ),
    ("learner-save", ("learner", "save", "learner.json", "--json"), {"learner.json": LEARNER}),
    (
        "pathway",
        (
            "pathway",
            "--learner",
            "learner.json",
            "--target",
            f"occupation:{DATA_ANALYST}",
            "--alternatives",
            "2",
            "--json",
        ),
        {"learner.json": LEARNER},
    ),
    (
        "transitions",
        ("transitions", SOFTWARE_DEVELOPER, "--top", "3", "--pathways", "1", "--json"),
        {},
    ),
)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the demo slice and catalogue, built once and copied per case."""
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


def _settings(folder: Path) -> Settings:
    return load_settings(
        store=f"sqlite:///{folder / 'api.db'}",
        load_demo=False,
        key_dir=folder / "keys",
        context_cache=folder / "contexts",
        embedding_cache=folder / "embeddings.db",
    )


@pytest.fixture
def folder(tmp_path: Path, prepared: Path) -> Path:
    shutil.copyfile(prepared, tmp_path / "api.db")
    return tmp_path


@pytest.fixture
def client(folder: Path) -> Iterator[TestClient]:
    runtime = hashing_runtime(_settings(folder))
    runtime.store.open()
    headers = bearer(runtime.store, base_iri=runtime.settings.base_iri)
    with TestClient(create_app(runtime=runtime), headers=headers) as the_client:
        yield the_client
    runtime.close()


@pytest.fixture
def credwalk(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str]]:
    """Run the CLI in this process on the folder's store; return (exit status, stdout)."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("CREDWALK_STORE", f"sqlite:///{folder / 'api.db'}")
    monkeypatch.setenv("CREDWALK_KEY_DIR", str(folder / "keys"))
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(folder / "contexts"))
    monkeypatch.setattr("api.runtime.build_runtime", hashing_runtime)

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        try:
            main(list(args))
            status = 0
        except SystemExit as e:
            status = int(e.code or 0)
        return status, capsys.readouterr().out

    return run


#: How far a computed score may move between machines (float32 rounding: ~1e-7 relative).
SCORE_TOLERANCE = 1e-6


def _same_answer(recorded: Any, answer: Any) -> bool:
    """Equal, but for numbers within :data:`SCORE_TOLERANCE` (also inside a JSON body)."""
    if (
        isinstance(recorded, str)
        and isinstance(answer, str)
        and recorded != answer
        and recorded.lstrip()[:1] in ("{", "[")
    ):
        try:
            return _same_answer(json.loads(recorded), json.loads(answer))
        except ValueError:
            return False
    if isinstance(recorded, float) or isinstance(answer, float):
        numbers = (int, float)
        return (
            isinstance(recorded, numbers)
            and isinstance(answer, numbers)
            and not isinstance(recorded, bool)
            and not isinstance(answer, bool)
            and math.isclose(recorded, answer, rel_tol=SCORE_TOLERANCE, abs_tol=1e-12)
        )
    if isinstance(recorded, dict) and isinstance(answer, dict):
        return recorded.keys() == answer.keys() and all(
            _same_answer(recorded[k], answer[k]) for k in recorded
        )
    if isinstance(recorded, list) and isinstance(answer, list):
        return len(recorded) == len(answer) and all(map(_same_answer, recorded, answer))
    return bool(recorded == answer) and type(recorded) is type(answer)


def _compare(surface: str, name: str, answer: dict[str, Any]) -> None:
    path = RECORDED / surface / f"{name}.json"
    if RECORD:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(answer, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    assert path.is_file(), f"no recorded answer for {surface}/{name}: record it first"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    if not _same_answer(recorded, answer):
        diff = difflib.unified_diff(
            json.dumps(recorded, indent=1).splitlines(),
            json.dumps(answer, indent=1).splitlines(),
            "recorded",
            "now",
            lineterm="",
            n=2,
        )
        pytest.fail(f"{surface}/{name} changed:\n" + "\n".join(list(diff)[:80]))


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c[0] for c in HTTP_CASES])
def test_http_answers_are_unchanged(client: TestClient, case: HttpCase) -> None:
    name, method, path, params, body, setup = case
    for setup_method, setup_path, setup_body in setup:
        done = client.request(setup_method, setup_path, json=setup_body)
        assert done.status_code < 300, done.text
    response = client.request(method, path, params=params, json=body)
    answer = {
        "status": response.status_code,
        "content_type": response.headers.get("content-type"),
        "body": response.content.decode("utf-8"),
    }
    _compare("http", name, answer)


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_json_is_unchanged(
    credwalk: Callable[..., tuple[int, str]], folder: Path, case: CliCase
) -> None:
    name, args, files = case
    for file_name, content in files.items():
        (folder / file_name).write_text(json.dumps(content), encoding="utf-8")
    status, stdout = credwalk(*args)
    _compare("cli", name, {"exit": status, "stdout": stdout})
