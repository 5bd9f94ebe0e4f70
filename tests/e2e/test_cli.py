"""The command line at its edges, without a model: ``--json`` shapes and exit statuses.

Every command of DESIGN.md's stable interfaces is run in this process on real data (the demo
ESCO slice and catalogue, a small real ESCO pack, real O*NET files, a W3C test vector) with
the hashing embedder standing in for the model, and its ``--json`` output is checked against
the shape DESIGN.md fixes. Then each class of error is provoked through a real command and
its exit status checked, with usage errors printing the usage and one line, never a traceback.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.runtime import Runtime, build_runtime
from graph.backends.embedded import EmbeddedStore
from graph.reference import load_reference_data
from graph.services.catalogue.credentials import save_catalogue
from graph.services.ingestion import import_concepts
from graph.settings import Settings
from ingest.demo import read_demo_slice
from tests.fixtures.actors import ADMIN
from tests.fixtures.demo_catalogue import ONTOLOGIES, read_demo_catalogue
from tests.fixtures.embedders import HashingEmbedder

SKILL = "http://data.europa.eu/esco/skill/"
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
DATA_ANALYST = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
ALLIANCE = "https://www.data-skills-alliance.example/credentials/data-quality-cleansing"
DELTA = "https://www.hogeschool-delta.example/credentials/data-quality-cleansing"
LEARNER = {"id": "urn:example:learner:cli", "jurisdiction": "IE", "target_jurisdiction": "NL"}

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the demo slice (hashing vectors) and the demo catalogue."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with EmbeddedStore(path) as store:
        import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=HashingEmbedder())
        catalogue = read_demo_catalogue()
        save_catalogue(
            store,
            actor=ADMIN,
            issuers=catalogue.issuers,
            credentials=catalogue.credentials,
            reference=catalogue.reference,
        )
    return path


def _runtime(settings: Settings) -> Runtime:
    """The composition root's runtime with the hashing embedder instead of a model."""
    return Runtime(
        settings=settings,
        store=EmbeddedStore(Path(settings.store.removeprefix("sqlite:///"))),
        embedder=HashingEmbedder(),
        reference=load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri),
    )


@pytest.fixture
def credwalk(
    tmp_path: Path,
    demo_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Run]:
    """Run the CLI in this process on a copy of the demo store: (status, stdout, stderr)."""
    shutil.copyfile(demo_db, tmp_path / "store.db")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDWALK_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("CREDWALK_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(tmp_path / "contexts"))
    monkeypatch.setenv("CREDWALK_LOAD_DEMO", "false")
    monkeypatch.setattr("api.runtime.build_runtime", _runtime)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main(list(args))
            status = 0
        except SystemExit as e:
            status = int(e.code or 0)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    yield run


def _json(run: Run, *args: str) -> Any:
    status, stdout, stderr = run(*args, "--json")
    assert status == 0, stderr
    return json.loads(stdout)


def _mini_esco_pack(esco_dir: Path, folder: Path) -> Path:
    """The real ESCO rows of two occupations, their essential skills and their relations."""
    occupations = {DATA_ANALYST, SOFTWARE_DEVELOPER}
    relations = esco_dir / "relations" / "occupationSkillRelations.csv"
    with relations.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        kept = [r for r in reader if r["occupationUri"] in occupations]
        header = reader.fieldnames
    skills = {r["skillUri"] for r in kept}
    assert header is not None
    folder.mkdir()
    _write(folder / "occupationSkillRelations.csv", header, kept)
    for name, wanted in (("skills_en.csv", skills), ("occupations_en.csv", occupations)):
        with (esco_dir / "en" / name).open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = [r for r in reader if r["conceptUri"] in wanted]
            assert reader.fieldnames is not None
            _write(folder / name, reader.fieldnames, rows)
    return folder


def _write(path: Path, header: Any, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _is_score(value: object) -> bool:
    return isinstance(value, float | int) and 0 <= value <= 1


def test_ingest_esco_json(credwalk: Run, esco_dir: Path, tmp_path: Path) -> None:
    pack = _mini_esco_pack(esco_dir, tmp_path / "pack")
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    report = _json(credwalk, "--store", empty, "ingest", "esco", str(pack), "--no-embed")
    assert report["framework"] == "esco" and report["concepts_added"] > 20
    assert report["relations_added"] > 20 and report["texts_encoded"] == 0
    again = _json(credwalk, "--store", empty, "ingest", "esco", str(pack), "--no-embed")
    assert again["concepts_added"] == 0 and again["relations_added"] == 0


def test_ingest_onet_json(credwalk: Run, shared_data: Path) -> None:
    report = _json(credwalk, "ingest", "onet", str(shared_data / "onet"), "--no-embed")
    assert report["framework"] == "onet" and report["concepts_added"] > 900


def test_ingest_credentials_json(credwalk: Run, tmp_path: Path) -> None:
    file = tmp_path / "catalogue.json"
    shutil.copyfile(ONTOLOGIES / "demo" / "credentials.json", file)
    report = _json(credwalk, "ingest", "credentials", str(file))
    assert report["formats"] == ["credwalk"] and len(report["credentials"]) == 43
    assert {"files", "issuers", "unresolved", "skipped"} <= set(report)


def test_search_json(credwalk: Run) -> None:
    body = _json(credwalk, "search", "skills", "python programming", "--top", "3")
    assert body["kind"] == "skill" and len(body["results"]) == 3
    assert all({"uri", "label", "score"} <= set(r) for r in body["results"])


@pytest.mark.parametrize(
    ("uri", "lang"), [(PYTHON, None), (SOFTWARE_DEVELOPER, None), (DATA_ANALYST, "fr")]
)
def test_concept_text_says_what_its_json_says(credwalk: Run, uri: str, lang: str | None) -> None:
    # The text is printed from the concept, the JSON from the API schema: they must agree.
    options = () if lang is None else ("--lang", lang)
    body = _json(credwalk, "concept", uri, *options)
    status, stdout, stderr = credwalk("concept", uri, *options)
    assert status == 0, stderr
    descriptions = body["descriptions"]
    assert body["related"] and descriptions
    expected = [
        f"{body['label']} ({body['kind']}, {body['framework']} {body['framework_version'] or ''})",
        body["uri"],
        descriptions.get(lang or "en") or next(iter(descriptions.values())),
        *(
            f"{r['relation']} {'->' if r['direction'] == 'out' else '<-'} {r['label']}"
            for r in body["related"][:50]
        ),
    ]
    # rich wraps long lines at the console's width: compare the words.
    assert stdout.split() == " ".join(expected).split()


def test_map_json_has_the_design_shape(credwalk: Run) -> None:
    body = _json(credwalk, "map", "Develop Python scripts", "Weld steel", "--top", "4")
    assert [r["text"] for r in body["results"]] == ["Develop Python scripts", "Weld steel"]
    for result in body["results"]:
        assert len(result["matches"]) == 4
        scores = [m["score"] for m in result["matches"]]
        assert all(_is_score(s) for s in scores) and scores == sorted(scores, reverse=True)
        assert all({"uri", "label", "score"} <= set(m) for m in result["matches"])


def test_crosswalk_json_has_the_design_shape(credwalk: Run, shared_data: Path) -> None:
    _json(credwalk, "ingest", "onet", str(shared_data / "onet"), "--no-embed")
    body = _json(
        credwalk, "crosswalk", "--from", "onet", "--to", "esco", "--top", "2",
        "--source", "15-1252.00",
    )  # fmt: skip
    assert (body["from"], body["to"]) == ("onet", "esco")
    (result,) = body["results"]
    assert result["code"] == "15-1252.00" and isinstance(result["label"], str)
    assert result["source"].startswith("https://www.onetonline.org/link/summary/")
    assert len(result["matches"]) == 2
    for match in result["matches"]:
        assert {"uri", "code", "label", "score"} <= set(match) and _is_score(match["score"])


def test_equivalence_and_equivalents_json(credwalk: Run) -> None:
    pair = _json(credwalk, "equivalence", ALLIANCE, DELTA)
    assert pair["a"]["id"] == ALLIANCE and pair["b"]["id"] == DELTA
    assert _is_score(pair["score"]) and isinstance(pair["verdict"], str) and pair["explanation"]
    others = _json(credwalk, "equivalents", ALLIANCE, "--jurisdiction", "NL", "--top", "3")
    assert others["credential"]["id"] == ALLIANCE and 1 <= len(others["results"]) <= 3


def test_pathway_json_has_the_design_shape(credwalk: Run, tmp_path: Path) -> None:
    learner = tmp_path / "learner.json"
    learner.write_text(json.dumps(LEARNER), encoding="utf-8")
    body = _json(
        credwalk, "pathway", "--learner", str(learner), "--target", f"occupation:{DATA_ANALYST}",
        "--objective", "hours", "--alternatives", "2",
    )  # fmt: skip
    assert body["pathways"]
    for pathway in body["pathways"]:
        steps = pathway["steps"]
        assert [s["order"] for s in steps] == list(range(1, len(steps) + 1))
        assert all(isinstance(s["credential"], str) for s in steps)
        assert pathway["hours"] == pytest.approx(sum(s["hours"] for s in steps))
        assert isinstance(pathway["cost"], float | int)
        assert isinstance(pathway["covers"], list) and isinstance(pathway["missing"], list)
        assert pathway["method"] in {"exact", "heuristic"} and pathway["explanation"]


def test_verify_json(
    credwalk: Run, shared_data: Path, context_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(context_cache))
    vector = shared_data / "w3c-vc-di-eddsa" / "TestVectors" / "eddsa-rdfc-2022"
    status, stdout, _ = credwalk(
        "verify", str(vector / "signedDataInt.json"), "--trust", "any", "--json"
    )
    report = json.loads(stdout)
    assert status == 0 and report["verified"] is True and report["check"] is None
    assert all({"name", "status"} <= set(c) for c in report["checks"])
    assert {"issuer", "trust", "key_owner", "warnings"} <= set(report)
    # By default the key must be one the issuer registered: nobody did here.
    status, stdout, _ = credwalk("verify", str(vector / "signedDataInt.json"), "--json")
    assert (status, json.loads(stdout)["check"]) == (1, "key_resolution")


# --- exit statuses ---------------------------------------------------------------------------


def _error(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    status, stdout, _ = run(*args, "--json")
    return status, json.loads(stdout)["error"]


def test_not_found_exits_3(credwalk: Run) -> None:
    status, error = _error(credwalk, "concept", "http://example.org/nothing")
    assert (status, error["code"]) == (3, "not_found")


def test_invalid_input_exits_2(credwalk: Run) -> None:
    status, error = _error(credwalk, "map", "   ")
    assert (status, error["code"]) == (2, "invalid_input")


def test_a_conflict_exits_4(credwalk: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # The store's vectors come from the 384-dimension hashing embedder; this one is another.
    monkeypatch.setattr(
        "api.runtime.build_runtime",
        lambda s: Runtime(s, EmbeddedStore(Path(s.store[10:])), HashingEmbedder(64), _ref(s)),
    )
    status, error = _error(credwalk, "search", "skills", "python")
    assert (status, error["code"]) == (4, "conflict")


def test_a_refusal_exits_6(credwalk: Run) -> None:
    assert credwalk("users", "create", "reader", "--grant", "member", "--no-password")[0] == 0
    status, error = _error(credwalk, "--as", "reader", "users", "list")
    assert (status, error["code"]) == (6, "forbidden")
    assert credwalk("users", "disable", "reader")[0] == 0
    status, error = _error(credwalk, "--as", "reader", "users", "list")
    assert (status, error["code"]) == (6, "unauthenticated")
    status, error = _error(credwalk, "--as", "nobody", "users", "list")
    assert (status, error["code"]) == (3, "not_found") and "nobody" in error["message"]


def _ref(settings: Settings) -> Any:
    return load_reference_data(settings.ontologies_dir, base_iri=settings.base_iri)


def test_an_unreachable_backend_exits_5(credwalk: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real composition root: the registry picks the Neo4j backend for the URL.
    monkeypatch.setattr("api.runtime.build_runtime", build_runtime)
    status, stdout, _ = credwalk("--store", "neo4j://127.0.0.1:1", "concept", PYTHON, "--json")
    assert (status, json.loads(stdout)["error"]["code"]) == (5, "backend_unavailable")


def test_a_failed_verification_exits_1(
    credwalk: Run,
    shared_data: Path,
    tmp_path: Path,
    context_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREDWALK_CONTEXT_CACHE", str(context_cache))
    vector = shared_data / "w3c-vc-di-eddsa" / "TestVectors" / "eddsa-rdfc-2022"
    document = json.loads((vector / "signedDataInt.json").read_text(encoding="utf-8"))
    document["credentialSubject"]["name"] = "someone else"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    status, stdout, _ = credwalk("verify", str(tampered), "--json")
    assert status == 1 and json.loads(stdout)["verified"] is False


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("map", "--bogus", "x"), "unrecognized arguments: --bogus"),
        (("map", "x", "--top", "0"), "argument --top: 0 is not in the range 1-100"),
        (("map", "x", "--top", "many"), "argument --top: 'many' is not an integer"),
        (("credentials", "export", ALLIANCE, "--format", "pdf"), "invalid choice: 'pdf'"),
        (("equivalence", ALLIANCE), "the following arguments are required: CREDENTIAL_B"),
        (("search", "skills"), "the following arguments are required: query"),
        (("nonsense",), "invalid choice: 'nonsense'"),
    ],
    ids=[
        "unknown-option",
        "out-of-range",
        "not-a-number",
        "unknown-format",
        "missing",
        "missing-2",
        "unknown-command",
    ],
)
def test_a_usage_error_exits_2_with_the_usage_and_one_line(
    credwalk: Run, args: tuple[str, ...], says: str
) -> None:
    status, stdout, stderr = credwalk(*args)
    assert status == 2 and stdout == ""
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("usage: credwalk") and says in lines[-1]
    assert "Traceback" not in stderr


def test_texts_that_start_with_a_dash(credwalk: Run, tmp_path: Path) -> None:
    status, stdout, _ = credwalk("map", "--top", "1", "--json", "--", "-Ensure patient safety")
    after_dashes = json.loads(stdout)
    assert status == 0
    assert after_dashes["results"][0]["text"] == "-Ensure patient safety"
    spaced = _json(credwalk, "map", "- Ensure patient safety", "--top", "1")
    assert spaced["results"][0]["text"] == "- Ensure patient safety"
    syllabus = tmp_path / "syllabus.txt"
    syllabus.write_text("- Ensure patient safety\n-- Weld steel\n", encoding="utf-8")
    from_file = _json(credwalk, "map", "--file", str(syllabus), "--top", "1")
    assert [r["text"] for r in from_file["results"]] == ["Ensure patient safety", "Weld steel"]


def test_a_group_without_its_command_shows_what_it_offers(credwalk: Run) -> None:
    status, stdout, stderr = credwalk("proofs")
    assert status == 2 and stdout == "" and "status-list" in stderr and "crosswalk" not in stderr
