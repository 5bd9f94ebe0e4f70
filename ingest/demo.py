"""The bundled demo dataset: a real ESCO slice, and demo issuers and credentials over it.

The main command loads it into an empty store on first start, so the API and the pages have
something to show on a fresh machine. Real users load the full ESCO pack with
``credwalk ingest esco``.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from graph.embeddings import Embedder
from graph.model.account_documents import grant_from_text
from graph.model.accounts import Actor, ConsentScope, Role, operator
from graph.model.concept_documents import concept_from_json
from graph.model.concepts import NodeKind, Relation, RelationType
from graph.model.credentials import Credential, Issuer
from graph.model.imports import ConceptImport
from graph.model.learner_documents import assessment_result_from_document, learner_from_document
from graph.model.onboarding import ItemKind
from graph.model.submission_documents import evidence_from_document, panel_from_document
from graph.ontologies import credential_schemas
from graph.reference import ReferenceData
from graph.services.accounts import (
    actor_named,
    create_api_key,
    create_user,
    grant_consent,
    list_users,
    user_iri,
)
from graph.services.catalogue.credentials import SaveReport, save_catalogue
from graph.services.groups.groups import GroupSpec, create_group, set_sharing
from graph.services.ingestion import ImportReport, import_concepts
from graph.services.onboarding.items import ItemDraft, write_item
from graph.services.pathways.learners import create_learner, import_assessments
from graph.services.proofs.submissions import declare_panel, submit
from graph.store import GraphStore
from ingest.credentials.documents import DEFAULT_MAX_BYTES, read_source_documents
from ingest.credentials.own_format import load_credential_schemas, read_credwalk_documents
from ingest.errors import IngestError

__all__ = [
    "DemoReport",
    "DemoUser",
    "load_demo",
    "load_demo_if_empty",
    "load_demo_parties",
    "read_demo_catalogue",
    "read_demo_slice",
]

logger = logging.getLogger(__name__)

_CONCEPT_KINDS = (NodeKind.SKILL, NodeKind.OCCUPATION, NodeKind.SKILL_GROUP, NodeKind.ISCO_GROUP)


def read_demo_slice(ontologies_dir: Path) -> ConceptImport:
    """Read ``ontologies/demo/esco-slice.json`` as an import.

    Raises
    ------
    IngestError
        When the file is missing or malformed.
    """
    path = ontologies_dir / "demo" / "esco-slice.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        concepts = {
            c.uri: c for c in (concept_from_json(json.dumps(doc)) for doc in document["concepts"])
        }
        relations = [
            Relation(source, RelationType(type_), target)
            for source, type_, target in document["relations"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IngestError(f"cannot read the demo slice: {e}", source=str(path)) from e
    return ConceptImport(
        framework=document["framework"],
        languages=tuple(document["languages"]),
        concepts=concepts,
        relations=relations,
    )


def read_demo_catalogue(ontologies_dir: Path) -> tuple[list[Issuer], list[Credential]]:
    """Read ``ontologies/demo/credentials.json``: the demo issuers and micro-credentials.

    Raises
    ------
    IngestError
        When a record does not follow the project's credential schema.
    """
    path = ontologies_dir / "demo" / "credentials.json"
    read = read_credwalk_documents(
        read_source_documents(path, max_bytes=DEFAULT_MAX_BYTES),
        schemas=load_credential_schemas(credential_schemas(ontologies_dir)),
    )
    return [i.value for i in read.issuers], [c.value for c in read.credentials]


@dataclass(frozen=True, slots=True)
class DemoReport:
    """What loading the demo did."""

    concepts: ImportReport
    catalogue: SaveReport


def load_demo(
    store: GraphStore,
    embedder: Embedder | None,
    ontologies_dir: Path,
    *,
    reference: ReferenceData | None = None,
) -> DemoReport:
    """Import the demo ESCO slice, then the demo issuers and credentials (idempotent)."""
    concepts = import_concepts(store, read_demo_slice(ontologies_dir), embedder=embedder)
    issuers, credentials = read_demo_catalogue(ontologies_dir)
    # Loading the bundled demo is the operator's act (the server's first start).
    catalogue = save_catalogue(
        store,
        actor=operator("demo"),
        issuers=issuers,
        credentials=credentials,
        reference=reference,
    )
    logger.info(
        "demo dataset loaded: %d concepts, %d issuers, %d credentials",
        concepts.concepts_added,
        len(catalogue.issuers),
        len(catalogue.credentials),
    )
    return DemoReport(concepts=concepts, catalogue=catalogue)


def load_demo_if_empty(
    store: GraphStore,
    embedder: Embedder | None,
    ontologies_dir: Path,
    *,
    reference: ReferenceData | None = None,
) -> DemoReport | None:
    """Import the demo dataset when the store holds no concept yet; return what it did."""
    if store.count_nodes(_CONCEPT_KINDS) > 0:
        return None
    return load_demo(store, embedder, ontologies_dir, reference=reference)


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo user as made: its secrets are shown once, to the operator who started the demo."""

    name: str
    display_name: str
    grants: tuple[str, ...]
    password: str
    api_key: str


def _with_base(node: Any, base_iri: str) -> Any:
    """``node`` with ``{base}`` in every text replaced by the instance's base IRI."""
    if isinstance(node, str):
        return node.replace("{base}", base_iri)
    if isinstance(node, list):
        return [_with_base(item, base_iri) for item in node]
    if isinstance(node, dict):
        return {key: _with_base(value, base_iri) for key, value in node.items()}
    return node


def read_demo_parties(ontologies_dir: Path, *, base_iri: str) -> dict[str, Any]:
    """Read ``ontologies/demo/parties.json``: the demo users, learner, panel, submission, consent.

    Raises
    ------
    IngestError
        When the file is missing or not JSON.
    """
    path = ontologies_dir / "demo" / "parties.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise IngestError(f"cannot read the demo parties: {e}", source=str(path)) from e
    return cast(dict[str, Any], _with_base(document, base_iri))


def load_demo_parties(
    store: GraphStore, ontologies_dir: Path, *, base_iri: str, reference: ReferenceData
) -> list[DemoUser]:
    """Make the demo's users (one per role, random passwords and keys) and what they act on.

    Done once: when the store holds no user yet and holds the demo catalogue (a store that
    real data went into gets no demo user). Each party acts as itself: the learner creates
    their record, submits work and consents to their mentor; the issuer's staff declares the
    panel. Returns the users made, with their secrets (empty when nothing was done).
    """
    parties = read_demo_parties(ontologies_dir, base_iri=base_iri)
    demo_credentials = {panel["credential"] for panel in parties["panels"]}
    if list_users(store, actor=operator("demo")) or store.missing_nodes(demo_credentials):
        return []
    made = [_make_user(store, user, base_iri=base_iri) for user in parties["users"]]
    actors = {u.name: actor_named(store, u.name, base_iri=base_iri) for u in made}
    for document in parties["learners"]:
        learner = learner_from_document(document)
        create_learner(store, learner, actor=_owner(actors, learner.id), reference=reference)
    for document in parties["panels"]:
        panel = panel_from_document(document)
        declare_panel(
            store,
            actor=actors[document["declared_by"]],
            credential=panel.credential,
            assessors=panel.assessors,
            rule=panel.rule,
            base_iri=base_iri,
        )
    for document in parties["submissions"]:
        submit(
            store,
            actor=_owner(actors, document["learner"]),
            learner=document["learner"],
            credential=document["credential"],
            evidence=[evidence_from_document(e) for e in document["evidence"]],
            note=document.get("note"),
            base_iri=base_iri,
        )
    for document in parties.get("assessments", ()):
        # Results over the years, recorded by the assessor who made them.
        import_assessments(
            store,
            document["learner"],
            [
                assessment_result_from_document(r, field=f"assessments.results[{i}]")
                for i, r in enumerate(document["results"])
            ],
            actor=actors[document["recorded_by"]],
        )
    for document in parties["consents"]:
        grant_consent(
            store,
            actor=_owner(actors, document["learner"]),
            learner=document["learner"],
            grantee=user_iri(document["grantee"], base_iri=base_iri),
            scopes=[ConsentScope(scope) for scope in document["scopes"]],
            base_iri=base_iri,
        )
    _write_items(store, parties.get("onboarding_items", []), actors, base_iri=base_iri)
    for document in parties.get("groups", ()):
        _make_group(store, document, actors, base_iri=base_iri)
    logger.info("demo users made: %s", ", ".join(u.name for u in made))
    return made


def _write_items(
    store: GraphStore,
    documents: Sequence[Mapping[str, Any]],
    actors: Mapping[str, Actor],
    *,
    base_iri: str,
) -> None:
    """The demo's onboarding item bank, each item written by its author (the issuer's staff)."""
    for document in documents:
        draft = ItemDraft(
            skill=document["skill"],
            level=document["level"],
            kind=ItemKind(document["kind"]),
            prompt=document["prompt"],
            options=tuple(document.get("options", ())),
            answer=document.get("answer"),
            accepted=tuple(document.get("accepted", ())),
            rubric=document.get("rubric"),
        )
        write_item(store, draft, actor=actors[document["written_by"]], base_iri=base_iri)


def _make_user(store: GraphStore, document: Mapping[str, Any], *, base_iri: str) -> DemoUser:
    password = secrets.token_urlsafe(12)
    grants = tuple(document["grants"])
    create_user(
        store,
        actor=operator("demo"),
        name=document["name"],
        display_name=document["display_name"],
        password=password,
        grants=[grant_from_text(g) for g in grants],
        base_iri=base_iri,
    )
    _, token = create_api_key(
        store, actor=operator("demo"), user=document["name"], base_iri=base_iri
    )
    return DemoUser(document["name"], document["display_name"], grants, password, token)


def _make_group(
    store: GraphStore, document: Mapping[str, Any], actors: Mapping[str, Actor], *, base_iri: str
) -> None:
    """The demo group, made by its leader; its learners turn on sharing their progress."""
    spec = GroupSpec(
        name=document["name"],
        kind=document["kind"],
        mentors=document["mentors"],
        learners=document["learners"],
        links=[(link["mentor"], link["learner"]) for link in document["links"]],
        targets=document["targets"],
    )
    group = create_group(
        store, actor=actors[document["leader"]], slug=document["id"], spec=spec, base_iri=base_iri
    )
    for learner in document.get("sharing", ()):
        set_sharing(store, group.id, actor=_owner(actors, learner), learner=learner, shares=True)


def _owner(actors: Mapping[str, Actor], learner: str) -> Actor:
    """The demo user bound to the learner record ``learner``."""
    return next(a for a in actors.values() if a.holds(Role.LEARNER, learner))
