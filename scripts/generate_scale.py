"""Generate realistic data at scale into a store: ``scripts/dev generate --scale N --store URL``.

One unit of scale (``--scale 1``) is 1,000 credentials of 50 issuers, 20 recognition decisions,
1,000 learners with 10,000 competence rows and 10 Assembly questions; ``--scale 100`` is
100,000 credentials and 1,000,000 competence rows. (The demo catalogue in
``ontologies/demo/credentials.json`` holds 43 credentials of 14 issuers: a unit is ~23 demos,
rounded so that the scale benchmark's 100x is the 100,000 credentials of issue 20.)

Every credential certifies real ESCO skills: 3-8 essential and 0-3 optional skills of one
ESCO occupation read from the store (which must hold a framework; ``--esco`` imports one into
an empty store first: the shared ESCO pack, or ``demo`` for the demo slice), with a level in
its issuer's national framework (NFQ, DQR, CNCP, NLQF, PQF; EQF elsewhere), credits, hours,
cost, an industry code, and now and then a prerequisite or a stack into a certificate of its
occupation. Learners hold competences in the skills of one or two occupations, from assessments,
credentials or their own word, with dates. Everything derives from ``--seed``: two runs write
the same records (the Assembly's questions get fresh IRIs, as any question does).

Writes go through the services (``save_catalogue``, ``record_decision``, ``ask_question``, each
checking what it writes); learners, whose checks are the skills the generator read from the
store, are written in batches of records, the store's bulk path.

    scripts/dev generate --scale 10 --store sqlite:///scale.db
    scripts/dev generate --scale 1 --store 'neo4j://127.0.0.1:7687?namespace=scale' --esco demo
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.model.accounts import operator
from graph.model.concepts import NodeKind, RelationType
from graph.model.credentials import (
    Credential,
    CredentialSkill,
    Credits,
    Issuer,
    IssuerType,
    Money,
    Prerequisite,
    QualificationLevel,
)
from graph.model.learners import Competence, CompetenceSource, Learner
from graph.reference import ReferenceData, load_reference_data
from graph.registry import create_store
from graph.services.assembly.posts import ask_question
from graph.services.catalogue.credentials import save_catalogue
from graph.services.equivalence.recognition import (
    RecognitionDecision,
    RecognitionOutcome,
    record_decision,
)
from graph.services.ingestion import import_concepts
from graph.services.pathways.learners import learner_record
from graph.store import GraphBatch, GraphStore
from ingest.demo import read_demo_slice
from ingest.run import ingest_esco

ONTOLOGIES = ROOT / "ontologies"
ESCO_PACK = ROOT.parent / "shared" / "data" / "esco" / "v1.1.1"
ERRATA = ONTOLOGIES / "esco" / "errata.csv"
BASE_IRI = "https://scale.example/id"
ACTOR = operator("generate-scale")

#: Per unit of scale.
CREDENTIALS, ISSUERS, DECISIONS, LEARNERS, COMPETENCES, QUESTIONS = 1000, 50, 20, 1000, 10, 10
#: Rows per write: a save of the catalogue or a batch of learners.
CHUNK = 1000
#: (jurisdiction, currency, language, national framework) of the issuers' homes.
HOMES = (
    ("IE", "EUR", "en", "ie-nfq"),
    ("DE", "EUR", "de", "de-dqr"),
    ("FR", "EUR", "fr", "fr-cncp"),
    ("NL", "EUR", "nl", "nl-nlqf"),
    ("PL", "PLN", "pl", "pl-pqf"),
    ("ES", "EUR", "es", None),
    ("IT", "EUR", "it", None),
    ("AT", "EUR", "de", None),
    ("GB-SCT", "GBP", "en", None),
    ("US", "USD", "en", None),
)
#: Irish NFQ codes referenced to EQF 3..7 (the NFQ has two codes at EQF 4 and 6; the first).
NFQ = {3: "3", 4: "4", 5: "6", 6: "7", 7: "9"}
MEMBER_STATES = ("IE", "DE", "FR", "NL", "PL", "ES", "IT", "AT")
TYPES = ("MicroCredential", "MicroCredential", "MicroCredential", "Course", "Certification")
NACE = ("C25", "F43", "I56", "J62", "J63", "K64", "M69", "M70", "Q86", "Q87")
SOURCES = (
    CompetenceSource.ASSESSMENT,
    CompetenceSource.CREDENTIAL,
    CompetenceSource.SELF_DECLARED,
    CompetenceSource.ENDORSED,
)
#: The day the generated data is "as of": fixed, so that two runs write the same dates.
TODAY = dt.date(2026, 12, 1)


@dataclass
class Generated:
    """What a run wrote, and how long each part took (seconds)."""

    issuers: int = 0
    credentials: int = 0
    decisions: int = 0
    learners: int = 0
    competences: int = 0
    questions: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    credential_ids: list[str] = field(default_factory=list)
    learner_ids: list[str] = field(default_factory=list)
    occupations: list[str] = field(default_factory=list)
    #: (credential, the occupation whose skills it certifies), for every credential written.
    credential_occupations: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Skills:
    """Real occupations of the store and their essential and optional skills."""

    essential: dict[str, list[str]]
    optional: dict[str, list[str]]
    labels: dict[str, str]

    @property
    def occupations(self) -> list[str]:
        """Occupations with at least four essential skills, in IRI order."""
        return sorted(o for o, s in self.essential.items() if len(s) >= 4)


def occupation_skills(store: GraphStore) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Every occupation's essential and optional skills (each list in IRI order), in one read."""
    essential: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for r in store.iter_relations(
        types=[RelationType.HAS_ESSENTIAL_SKILL, RelationType.HAS_OPTIONAL_SKILL],
        source_kinds=[NodeKind.OCCUPATION],
        target_kinds=[NodeKind.SKILL],
    ):
        side = essential if r.type is RelationType.HAS_ESSENTIAL_SKILL else optional
        side.setdefault(r.source, []).append(r.target)
    for table in (essential, optional):
        for uris in table.values():
            uris.sort()
    return essential, optional


def read_skills(store: GraphStore) -> Skills:
    """The occupations of the store with their skills and labels."""
    essential, optional = occupation_skills(store)
    concepts = store.get_concepts(sorted(essential))
    labels = {uri: c.preferred_label() for uri, c in concepts.items()}
    return Skills(essential, optional, labels)


def make_issuers(count: int) -> list[Issuer]:
    """``count`` issuers spread over the homes and the issuer types."""
    types = list(IssuerType)
    return [
        Issuer(
            id=f"https://issuer-{i}.scale.example",
            name=f"Scale issuer {i}",
            type=types[i % len(types)],
            jurisdiction=HOMES[i % len(HOMES)][0],
        )
        for i in range(count)
    ]


def _level(home: tuple[str, str, str, str | None], eqf: int) -> tuple[QualificationLevel, ...]:
    code, _, _, framework = home
    if code == "US":
        return ()
    if framework == "ie-nfq":
        return (QualificationLevel("ie-nfq", NFQ[eqf]),)
    if framework is not None:
        return (QualificationLevel(framework, str(eqf)),)
    return (QualificationLevel("EQF", str(eqf)),)


def make_credential(
    rng: random.Random, n: str, issuer: Issuer, occupation: str, skills: Skills
) -> Credential:
    """Credential ``n`` of ``issuer`` over some skills of ``occupation``."""
    home = next(h for h in HOMES if h[0] == issuer.jurisdiction)
    own = skills.essential[occupation]
    extra = skills.optional.get(occupation, [])
    picked = rng.sample(own, min(len(own), rng.randint(3, 8)))
    picked += rng.sample(extra, min(len(extra), rng.randint(0, 3)))
    hours = float(rng.choice((24, 40, 60, 80, 125, 150, 200, 250)))
    rate = {"EUR": 1.0, "GBP": 0.85, "USD": 1.12, "PLN": 4.3}[home[1]]
    name = skills.labels.get(occupation, "occupation")
    return Credential(
        id=f"{issuer.id}/credentials/c{n}",
        type=rng.choice(TYPES),
        title=f"{name.capitalize()}: module {n}",
        issuer=issuer.id,
        language=home[2],
        jurisdiction=home[0],
        recognized_in=(home[0],) if home[0] == "US" else (home[0], "EU"),
        levels=_level(home, rng.choice((3, 4, 5, 5, 6, 6, 7))),
        credits=Credits(round(hours / 25, 1), "ECTS"),
        hours=hours,
        cost=Money(round(hours * rng.uniform(3, 9) * rate), home[1]),
        industry=f"nace:{rng.choice(NACE)}",
        skills=tuple(
            CredentialSkill(s, level=rng.choice((None, 3, 4, 5, 6))) for s in dict.fromkeys(picked)
        ),
    )


def make_catalogue(
    rng: random.Random, count: int, issuers: Sequence[Issuer], skills: Skills, tag: str = ""
) -> list[tuple[Credential, str]]:
    """``count`` credentials with their occupation; a tenth require an earlier one of it."""
    occupations = skills.occupations
    earlier: dict[str, list[str]] = {}
    credentials = []
    for n in range(count):
        occupation = rng.choice(occupations)
        credential = make_credential(
            rng, f"{tag}{n}", issuers[rng.randrange(len(issuers))], occupation, skills
        )
        before = earlier.setdefault(occupation, [])
        if before and rng.random() < 0.1:
            required = (Prerequisite(credential=rng.choice(before)),)
            credential = dataclasses.replace(credential, prerequisites=required)
        before.append(credential.id)
        credentials.append((credential, occupation))
    return credentials


def make_learner(rng: random.Random, n: str, skills: Skills, credentials: Sequence[str]) -> Learner:
    """Learner ``n`` with competences in the skills of one or two occupations."""
    occupations = rng.sample(skills.occupations, min(2, len(skills.occupations)))
    pool = sorted(
        {s for o in occupations for s in skills.essential[o] + skills.optional.get(o, [])}
    )
    count = min(len(pool), rng.randint(COMPETENCES // 2, COMPETENCES * 3 // 2))
    competences = tuple(
        Competence(
            skill,
            level=rng.randint(2, 6),
            source=rng.choice(SOURCES),
            date=TODAY - dt.timedelta(days=rng.randint(0, 3650)),
        )
        for skill in rng.sample(pool, count)
    )
    home = rng.choice(MEMBER_STATES)
    held = tuple(rng.sample(list(credentials), min(len(credentials), rng.randint(0, 2))))
    return Learner(
        id=f"https://learners.scale.example/l{n}",
        jurisdiction=home,
        target_jurisdiction=rng.choice(MEMBER_STATES),
        competences=competences,
        credentials=held,
    )


def _chunks(items: Sequence[object], size: int) -> Iterator[Sequence[object]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _timed(seconds: dict[str, float], name: str, call: Callable[[], None]) -> None:
    started = time.perf_counter()
    call()
    seconds[name] = round(time.perf_counter() - started, 2)


def save_credentials(
    store: GraphStore,
    issuers: Sequence[Issuer],
    credentials: Sequence[Credential],
    reference: ReferenceData,
) -> None:
    """Save the catalogue through the catalogue service, a chunk at a time, issuers first."""
    save_catalogue(store, actor=ACTOR, issuers=issuers, reference=reference)
    for chunk in _chunks(credentials, CHUNK):
        part = [c for c in chunk if isinstance(c, Credential)]
        save_catalogue(store, actor=ACTOR, credentials=part, reference=reference)


def save_learners(store: GraphStore, learners: Sequence[Learner]) -> None:
    """Write learners in batches of records (their skills were read from this store)."""
    for chunk in _chunks(learners, CHUNK):
        records = [learner_record(x) for x in chunk if isinstance(x, Learner)]
        store.write(GraphBatch(records=records))


def record_decisions(
    store: GraphStore,
    rng: random.Random,
    credentials: Sequence[Credential],
    count: int,
    reference: ReferenceData,
) -> int:
    """Recognition decisions of national authorities on credentials awarded elsewhere."""
    chosen = rng.sample(list(credentials), min(count, len(credentials)))
    for credential in chosen:
        to = rng.choice([m for m in MEMBER_STATES if m != credential.jurisdiction])
        outcome = rng.choice(list(RecognitionOutcome))
        conditions = (
            ("a supervised placement of 4 weeks",) if outcome.value == "conditional" else ()
        )
        decision = RecognitionDecision(
            id="",
            authority=f"https://recognition.scale.example/{to.lower()}",
            authority_name=f"Recognition office ({to})",
            credential=credential.id,
            outcome=outcome,
            to_jurisdiction=to,
            decided_by=ACTOR.user or "",
            decided_at=TODAY.isoformat(),
            conditions=conditions,
        )
        record_decision(store, decision, actor=ACTOR, reference=reference, base_iri=BASE_IRI)
    return len(chosen)


def ask_questions(
    store: GraphStore,
    rng: random.Random,
    credentials: Sequence[Credential],
    count: int,
    reference: ReferenceData,
) -> int:
    """Assembly questions about a credential and one of its skills, some in a jurisdiction."""
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    for n, credential in enumerate(rng.sample(list(credentials), min(count, len(credentials)))):
        skill = rng.choice(credential.skills).uri
        about = [credential.id, skill] + ([credential.jurisdiction] if n % 2 else [])
        ask_question(
            store,
            actor=ACTOR,
            title=f"Is '{credential.title}' enough for this skill? ({n})",
            body=f"Question {n}: does {credential.title} cover the skill at work level?",
            about=[a for a in about if a],
            reference=reference,
            base_iri=BASE_IRI,
            now=now,
        )
    return min(count, len(credentials))


def generate(
    store: GraphStore,
    *,
    scale: float,
    reference: ReferenceData,
    seed: int = 20261207,
    part: int = 0,
) -> Generated:
    """Write ``scale`` units of data into ``store`` (which holds a framework already).

    ``part`` > 0 adds to what earlier parts wrote (new IRIs, its own random stream), so that a
    store can grow from 1x to 10x without writing the first unit again.
    """
    rng = random.Random(seed + part)
    tag = f"p{part}-" if part else ""
    skills = read_skills(store)
    if not skills.occupations:
        raise SystemExit("generate: the store holds no occupation with 4 essential skills")
    out = Generated(occupations=skills.occupations)
    issuers = make_issuers(max(len(HOMES), round(ISSUERS * scale)))
    made = make_catalogue(rng, max(1, round(CREDENTIALS * scale)), issuers, skills, tag)
    credentials = [c for c, _ in made]
    out.credential_occupations = [(c.id, o) for c, o in made]
    ids = [c.id for c in credentials]
    learners = [make_learner(rng, f"{tag}{n}", skills, ids) for n in range(round(LEARNERS * scale))]
    s = out.seconds
    _timed(s, "credentials", lambda: save_credentials(store, issuers, credentials, reference))
    _timed(s, "learners", lambda: save_learners(store, learners))
    started = time.perf_counter()
    out.decisions = record_decisions(store, rng, credentials, round(DECISIONS * scale), reference)
    s["decisions"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    out.questions = ask_questions(store, rng, credentials, round(QUESTIONS * scale), reference)
    s["questions"] = round(time.perf_counter() - started, 2)
    out.issuers, out.credentials, out.learners = len(issuers), len(credentials), len(learners)
    out.competences = sum(len(x.competences) for x in learners)
    out.credential_ids, out.learner_ids = ids, [x.id for x in learners]
    return out


def open_store(url: str) -> GraphStore:
    """The store of ``url``; a Neo4j URL may name its namespace (``?namespace=NAME``)."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme.startswith(("neo4j", "bolt")):
        url = urlunsplit(parts._replace(query=""))
        return create_store(url, **{k: v for k, v in options.items() if k == "namespace"})
    return create_store(url)


def load_framework(store: GraphStore, source: str) -> float:
    """Import ESCO (a pack directory, or ``demo`` for the demo slice) without vectors."""
    started = time.perf_counter()
    if source == "demo":
        import_concepts(store, read_demo_slice(ONTOLOGIES), embedder=None)
    else:
        ingest_esco(store, [Path(source)], embedder=None, errata=ERRATA)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/dev generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=1.0, help="units of 1,000 credentials")
    parser.add_argument("--store", required=True, help="sqlite:///FILE or neo4j://...?namespace=")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument(
        "--esco",
        default=str(ESCO_PACK) if ESCO_PACK.is_dir() else "demo",
        help="framework to import into an empty store: an ESCO pack directory, or 'demo'",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1000:
        parser.error("--scale: expected a number above 0 and at most 1000")
    reference = load_reference_data(ONTOLOGIES, base_iri=BASE_IRI)
    store = open_store(args.store)
    store.open()
    try:
        if store.count_nodes([NodeKind.OCCUPATION]) == 0:
            print(f"importing {args.esco} ({load_framework(store, args.esco):.1f} s)")
        out = generate(store, scale=args.scale, reference=reference, seed=args.seed)
    finally:
        store.close()
    print(
        f"{out.issuers} issuers, {out.credentials} credentials, {out.decisions} recognition "
        f"decisions, {out.learners} learners with {out.competences} competences, "
        f"{out.questions} questions; seconds: {out.seconds}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
