"""Write the demo ESCO slice (ontologies/demo/esco-slice.json) from an official ESCO pack.

The demo dataset is written for credwalk: the real ESCO concepts (with their URIs, labels and
relations) around a handful of occupations that the demo credentials and pathways use, so that
`scripts/dev serve` works on a fresh machine without the full ESCO download. Re-run it only to
change the selection:

    python scripts/make_demo.py ../shared/data/esco/v1.1.1
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from graph.model.concept_documents import concept_to_json
from graph.model.concepts import NodeKind
from ingest.frameworks.esco import read_esco

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "ontologies" / "demo" / "esco-slice.json"
OCCUPATIONS = (
    "software developer",
    "data analyst",
    "web developer",
    "nurse responsible for general care",
    "welder",
    "cook",
    "accountant",
)


def main(pack_dir: str) -> None:
    pack = read_esco([Path(pack_dir)], languages=["en", "fr"])
    by_label = {
        c.preferred_label(): uri
        for uri, c in pack.concepts.items()
        if c.kind is NodeKind.OCCUPATION
    }
    piece = pack.neighbourhood(by_label[name] for name in OCCUPATIONS)
    concepts = [json.loads(concept_to_json(c)) for _, c in sorted(piece.concepts.items())]
    relations = sorted([r.source, r.type.value, r.target] for r in piece.relations)
    document = {
        "about": "Demo slice of ESCO written for credwalk by scripts/make_demo.py; "
        "ESCO is (c) European Union, reused under Commission Decision 2011/833/EU. "
        "This service uses the ESCO classification of the European Commission.",
        "framework": "esco",
        "version": pack.version,
        "languages": list(pack.languages),
        "occupations": list(OCCUPATIONS),
        "concepts": concepts,
        "relations": relations,
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    sys.stdout.write(f"{OUTPUT}: {len(concepts)} concepts, {len(relations)} relations\n")


if __name__ == "__main__":
    main(sys.argv[1])
