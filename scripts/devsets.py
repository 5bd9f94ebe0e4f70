"""The expert-labelled dev sets of ``../shared/data/dev-sets`` on a fixed tune / held-out split.

The split (``devsets_split.json``, seed 19, 60 % tune) holds ids only: the first 12 hex
characters of the SHA-1 of a sentence, and O*NET-SOC codes. Weights and thresholds are chosen
on ``tune``; figures are reported on ``heldout``. The files themselves are read from the shared
folder and never copied into the project (no licence to redistribute them).

Metrics: RP@5 per sentence (gold skills among the top five / min(5, gold count)) and MRR@10,
averaged over sentences with at least one gold skill; crosswalk hit@1 / hit@5 per O*NET code.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.model.concepts import Concept, NodeKind

SPLIT = Path(__file__).resolve().parent / "devsets_split.json"
NO_GOLD = ("LABEL NOT PRESENT", "UNDERSPECIFIED")
SETS = ("house", "tech")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A job-ad sentence and the ESCO skills experts linked it to."""

    id: str
    text: str
    gold: frozenset[str]


def sentence_id(text: str) -> str:
    """The sentence's id in the split file."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _split() -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = json.loads(SPLIT.read_text())
    return data


def _wanted(ids: dict[str, list[str]], part: str) -> set[str]:
    if part == "all":
        return set(ids["tune"]) | set(ids["heldout"])
    return set(ids[part])


def skill_label_index(shared: Path) -> dict[str, str]:
    """ESCO v1.1.0 and v1.1.1 English preferred labels (lower-case) -> skill IRI."""
    out: dict[str, str] = {}
    with gzip.open(shared / "esco/v1.1.0/en/skills_en.csv.gz", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out[row["preferredLabel"].strip().lower()] = row["conceptUri"]
    with open(shared / "esco/v1.1.1/en/skills_en.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out[row["preferredLabel"].strip().lower()] = row["conceptUri"]
    return out


def skill_sets(shared: Path, part: str) -> dict[str, list[Sentence]]:
    """``{'house': [...], 'tech': [...]}``: the sentences of ``part`` (tune, heldout, all)."""
    labels = skill_label_index(shared)
    split = _split()
    out: dict[str, list[Sentence]] = {}
    for name in SETS:
        gold: dict[str, set[str]] = {}
        texts: dict[str, str] = {}
        path = shared / "dev-sets" / f"skill-linking-{name}-dev.csv"
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                uri = labels.get(row["label"].strip().lower())
                if row["label"] in NO_GOLD or uri is None:
                    continue
                i = sentence_id(row["sentence"])
                texts[i] = row["sentence"]
                gold.setdefault(i, set()).add(uri)
        wanted = _wanted(split[name], part)
        out[name] = [Sentence(i, texts[i], frozenset(gold[i])) for i in sorted(gold) if i in wanted]
    return out


def crosswalk_gold(shared: Path, part: str) -> dict[str, set[str]]:
    """O*NET code -> the ESCO occupations experts matched it to (codes of ``part``)."""
    wanted = _wanted(_split()["crosswalk"], part)
    out: dict[str, set[str]] = {}
    path = shared / "dev-sets" / "onet-esco-crosswalk-dev.csv"
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["onet_code"] in wanted:
                out.setdefault(row["onet_code"], set()).add(row["concept_uri"])
    return out


def rp_at(ranked: Sequence[str], gold: frozenset[str] | set[str], k: int = 5) -> float:
    """Share of the gold found in the first ``k``, out of at most ``k``."""
    return len(set(ranked[:k]) & gold) / min(k, len(gold))


def mrr_at(ranked: Sequence[str], gold: frozenset[str] | set[str], k: int = 10) -> float:
    """Reciprocal rank of the first gold item in the first ``k`` (0 when none)."""
    return next((1.0 / r for r, u in enumerate(ranked[:k], 1) if u in gold), 0.0)


def linking_scores(
    rankings: Sequence[Sequence[str]], sentences: Sequence[Sentence]
) -> dict[str, float]:
    """RP@5 and MRR@10 (in %) of one system over ``sentences``."""
    n = max(len(sentences), 1)
    pairs = list(zip(rankings, sentences, strict=True))
    return {
        "n": len(sentences),
        "RP@5": 100 * sum(rp_at(r, s.gold) for r, s in pairs) / n,
        "MRR@10": 100 * sum(mrr_at(r, s.gold) for r, s in pairs) / n,
    }


def hits(rankings: dict[str, list[str]], gold: dict[str, set[str]]) -> dict[str, float]:
    """Crosswalk hit@1 and hit@5 (in %) per O*NET code of ``gold``."""
    n = max(len(gold), 1)
    return {
        "n": len(gold),
        "hit@1": 100
        * sum(bool(rankings.get(c)) and rankings[c][0] in g for c, g in gold.items())
        / n,
        "hit@5": 100 * sum(bool(set(rankings.get(c, [])[:5]) & g) for c, g in gold.items()) / n,
    }


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9(\"'«])")
#: Languages of the jurisdictions; those without files in the local ESCO pack are reported as
#: not measurable here.
JURISDICTION_LANGUAGES = ("fr", "de", "es", "nl", "pl")


def first_sentence(text: str) -> str:
    """The first sentence of a description."""
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]


@dataclass(frozen=True, slots=True)
class CrossItem:
    """One concept's description, first sentence, in English and in other languages."""

    uri: str
    kind: NodeKind
    texts: dict[str, str]


def pack_languages(pack: Path) -> list[str]:
    """The languages other than English with files in the ESCO pack folder."""
    return sorted(
        p.name for p in pack.iterdir() if p.is_dir() and p.name not in ("en", "relations")
    )


def crosslang_set(
    pack: Path, concepts: Mapping[str, Concept], *, seed: int = 19, n: int = 400
) -> list[CrossItem]:
    """The cross-language set: ESCO descriptions paired across languages, seeded.

    Concepts with a description in every other language of the pack (skills of its collection
    files, occupations) and in English: ``n`` skills and ``n`` occupations. They are left out
    of every training pair (``scripts/train_query_model.py``).
    """
    other: dict[str, dict[str, str]] = {}
    for lang in pack_languages(pack):
        files = [
            *sorted((pack / lang).glob(f"*Collection_{lang}.csv")),
            pack / lang / f"occupations_{lang}.csv",
        ]
        for path in files:
            with open(path, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if row.get("description") and row.get("conceptUri"):
                        other.setdefault(row["conceptUri"], {})[lang] = first_sentence(
                            row["description"]
                        )
    rng = random.Random(seed)
    items = []
    for kind in (NodeKind.SKILL, NodeKind.OCCUPATION):
        pool = sorted(
            u
            for u in other
            if u in concepts and concepts[u].kind is kind and concepts[u].description("en")
        )
        for u in rng.sample(pool, min(n, len(pool))):
            english = first_sentence(concepts[u].description("en") or "")
            items.append(CrossItem(u, kind, {"en": english, **other[u]}))
    return items
