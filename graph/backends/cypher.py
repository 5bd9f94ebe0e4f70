"""Every Cypher statement of the Neo4j backend.

Values always travel as ``$parameters``; labels and relationship types come only from the
fixed tables below (built from :class:`~graph.model.NodeKind` and
:class:`~graph.model.RelationType`), never from input. Writes are ``UNWIND $rows`` batches.

Graph layout: every node has the label ``Node`` and a kind label (``Skill``, ``Occupation``, ...);
concepts also carry ``Concept``, records ``Record``. Searchable texts are ``Text`` nodes with a
label per kind *and namespace* (``SkillText_<namespace>``, :func:`vector_label`) so that each
kind of each namespace has its own vector index (:func:`vector_index`): a namespace's nearest
texts never come from another's. Every node has a namespace property ``ns``: tests share one
database and each gets its own namespace, deleted afterwards; uniqueness is on ``(ns, uri)``.
A namespace is letters, digits, ``_`` and ``-`` (:data:`NAMESPACE`), so a label or an index
name built from it (always back-quoted) cannot carry Cypher.
"""

from __future__ import annotations

import re

from graph.model.concepts import NodeKind, RelationType

__all__ = [
    "ADOPT_TEXTS",
    "CLAIM_BULK_LOAD",
    "CONCEPT_KINDS",
    "CONSTRAINTS",
    "CREATE_CONCEPTS",
    "CREATE_RECORDS",
    "DELETE_RECORDS",
    "FULLTEXT_INDEX",
    "KIND_LABEL",
    "LOCK_NODES",
    "LOCK_VERSIONS",
    "NAMESPACE",
    "POST_FULLTEXT_INDEX",
    "POST_KINDS",
    "POST_KIND_VALUES",
    "RELEASE_BULK_LOAD",
    "REL_TYPE",
    "RESTORE_RECORDS",
    "SEARCH_INPUTS",
    "TEXT_DIMENSION",
    "TEXT_KINDS",
    "TEXT_LABEL",
    "create_relations",
    "create_vector_index",
    "delete_relations",
    "drop_vector_index",
    "fulltext_indexes",
    "iter_relations",
    "merge_relations",
    "vector_index",
    "vector_label",
]

CONCEPT_KINDS = (NodeKind.SKILL, NodeKind.OCCUPATION, NodeKind.ISCO_GROUP, NodeKind.SKILL_GROUP)
#: The records with indexed texts (the Assembly's posts; see the block at the end).
POST_KINDS = (NodeKind.QUESTION, NodeKind.ANSWER)
#: Their ``kind`` values: a dump leaves their texts out (``$post_kinds``).
POST_KIND_VALUES = [kind.value for kind in POST_KINDS]
#: The kinds whose texts are indexed.
TEXT_KINDS = (*CONCEPT_KINDS, *POST_KINDS)

#: NodeKind -> Neo4j label (a fixed table; never built from input).
KIND_LABEL: dict[NodeKind, str] = {
    NodeKind.SKILL: "Skill",
    NodeKind.OCCUPATION: "Occupation",
    NodeKind.ISCO_GROUP: "IscoGroup",
    NodeKind.SKILL_GROUP: "SkillGroup",
    NodeKind.CREDENTIAL: "Credential",
    NodeKind.ISSUER: "Issuer",
    NodeKind.LEARNER: "Learner",
    NodeKind.RECOGNITION: "Recognition",
    NodeKind.SUBMISSION: "Submission",
    NodeKind.PROOF: "Proof",
    NodeKind.ACCOUNT: "Account",
    NodeKind.AUDIT: "Audit",
    NodeKind.GUARD: "Guard",
    NodeKind.ONBOARDING: "Onboarding",
    NodeKind.IMPACT: "Impact",
    NodeKind.QUESTION: "Question",
    NodeKind.ANSWER: "Answer",
    NodeKind.GROUP: "Group",
    NodeKind.RECOMMENDATION: "Recommendation",
}
#: Kind -> the stem of the label of its texts (one per namespace: :func:`vector_label`).
TEXT_LABEL: dict[NodeKind, str] = {kind: f"{KIND_LABEL[kind]}Text" for kind in TEXT_KINDS}
#: RelationType -> relationship type.
REL_TYPE: dict[RelationType, str] = {t: t.value.upper() for t in RelationType}
FULLTEXT_INDEX = "concept_terms"
#: What a namespace may be: it becomes part of labels and index names.
NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")


def _checked(namespace: str) -> str:
    if not NAMESPACE.match(namespace):
        raise ValueError(f"not a namespace: {namespace!r}")
    return namespace


def vector_label(kind: NodeKind, namespace: str) -> str:
    """The label of the texts of ``kind`` in ``namespace``, which its vector index covers."""
    return f"{TEXT_LABEL[kind]}_{_checked(namespace)}"


def vector_index(kind: NodeKind, namespace: str) -> str:
    """The name of the vector index over the texts of ``kind`` in ``namespace``."""
    return f"{kind.value}_text_embedding_{_checked(namespace)}"


CONSTRAINTS: tuple[str, ...] = (
    "CREATE CONSTRAINT node_uri IF NOT EXISTS FOR (n:Node) REQUIRE (n.ns, n.uri) IS UNIQUE",
    "CREATE CONSTRAINT scheme_uri IF NOT EXISTS FOR (s:Scheme) REQUIRE (s.ns, s.uri) IS UNIQUE",
    "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE (m.ns, m.key) IS UNIQUE",
    "CREATE INDEX text_by_uri IF NOT EXISTS FOR (t:Text) ON (t.ns, t.uri)",
    "CREATE INDEX node_by_kind IF NOT EXISTS FOR (n:Node) ON (n.ns, n.kind)",
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
    f"FOR (n:{'|'.join(KIND_LABEL[k] for k in CONCEPT_KINDS)}) ON EACH [n.terms] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
)


def create_vector_index(kind: NodeKind, namespace: str) -> str:
    """The statement creating the cosine vector index over the texts of ``kind`` in ``namespace``.

    Its one parameter is ``$dimensions``. Index and label names cannot be parameters; both are
    built from a fixed table and a checked namespace, and back-quoted.
    """
    return (
        f"CREATE VECTOR INDEX `{vector_index(kind, namespace)}` IF NOT EXISTS "
        f"FOR (t:`{vector_label(kind, namespace)}`) ON t.embedding "
        "OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, "
        "`vector.similarity_function`: 'cosine'}}"
    )


def drop_vector_index(kind: NodeKind, namespace: str) -> str:
    """The statement dropping the vector index of ``kind`` in ``namespace`` (if it exists)."""
    return f"DROP INDEX `{vector_index(kind, namespace)}` IF EXISTS"


# -- writes ------------------------------------------------------------------------------------

MERGE_SCHEMES = """
UNWIND $rows AS row
MERGE (s:Scheme {ns: $ns, uri: row.uri})
SET s.doc = row.doc
"""

#: Concepts: one statement per kind label (labels cannot be parameters).
MERGE_CONCEPTS = {
    kind: f"""
UNWIND $rows AS row
MERGE (n:Node {{ns: $ns, uri: row.uri}})
SET n:Concept:{KIND_LABEL[kind]}, n.kind = row.kind, n.framework = row.framework,
    n.doc = row.doc, n.status = row.status
"""
    for kind in CONCEPT_KINDS
}

#: A first load into an empty namespace (``neo4j_bulk``): concepts are created, not merged,
#: with their label terms at once.
CREATE_CONCEPTS = {
    kind: f"""
UNWIND $rows AS row
CREATE (n:Node:Concept:{KIND_LABEL[kind]} {{ns: $ns, uri: row.uri}})
SET n.kind = row.kind, n.framework = row.framework, n.doc = row.doc, n.status = row.status,
    n.terms = row.terms
"""
    for kind in CONCEPT_KINDS
}

#: The marker of a first load in progress, created (never merged) so that of two first loads
#: into one namespace the second fails on the (ns, key) constraint before writing anything.
CLAIM_BULK_LOAD = "CREATE (m:Meta {ns: $ns, key: 'bulk_load', value: 'incomplete'})"
RELEASE_BULK_LOAD = "MATCH (m:Meta {ns: $ns, key: 'bulk_load'}) DELETE m"

SET_CONCEPT_TERMS = """
UNWIND $rows AS row
MATCH (n:Node {ns: $ns, uri: row.uri})
SET n.terms = row.terms
"""

# A record's ``doc`` is its version, a space, then its JSON document (``versioned_doc``):
# reads see the version and the document of the same write. Neo4j reads take no locks, and a
# node's properties live in several property records: a read of ``n.doc`` and ``n.version``
# while another write committed saw the new version with the old document (2 reads in 5,000
# under three writers), and a read-modify-write based on it overwrote that write's change
# although its version matched (``tests/integration/backends/test_neo4j_consistent_reads.py``).
# One property is read whole. ``n.version`` stays for the checks of conditional writes.
MERGE_RECORDS = {
    kind: f"""
UNWIND $rows AS row
MERGE (n:Node {{ns: $ns, uri: row.uri}})
SET n:Record:{label}, n.kind = row.kind, n.idx = row.idx, n.version = coalesce(n.version, 0) + 1
SET n.doc = toString(n.version) + ' ' + row.doc
SET n += row.fields
"""
    for kind, label in KIND_LABEL.items()
    if kind not in CONCEPT_KINDS
}

#: Records expected not to exist yet: CREATE, so that the uniqueness constraint on (ns, uri)
#: refuses the second of two concurrent creations (MERGE would let both succeed).
CREATE_RECORDS = {
    kind: f"""
UNWIND $rows AS row
CREATE (n:Node:Record:{label} {{ns: $ns, uri: row.uri}})
SET n.kind = row.kind, n.doc = '1 ' + row.doc, n.idx = row.idx, n.version = 1
SET n += row.fields
"""
    for kind, label in KIND_LABEL.items()
    if kind not in CONCEPT_KINDS
}

#: Records written back from a backup: created (an existing one fails the uniqueness
#: constraint) with the version they had.
RESTORE_RECORDS = {
    kind: f"""
UNWIND $rows AS row
CREATE (n:Node:Record:{label} {{ns: $ns, uri: row.uri}})
SET n.kind = row.kind, n.doc = toString(row.version) + ' ' + row.doc, n.idx = row.idx,
    n.version = row.version
SET n += row.fields
"""
    for kind, label in KIND_LABEL.items()
    if kind not in CONCEPT_KINDS
}

#: Write-lock nodes, one after the other in the order given (sorted by the caller), without
#: changing them: a write locks every node it will touch first, in one global order, so that
#: two writes wait for each other instead of deadlocking (Neo4j locks both ends of a
#: relationship it creates or deletes, in whatever order the rows come).
LOCK_NODES = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
SET n._lock = true
REMOVE n._lock
"""

#: The versions of records a conditional write is based on, write-locked until it commits:
#: a concurrent writer of the same record waits here, then reads the version this one wrote.
LOCK_VERSIONS = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
WHERE n:Record
SET n.version = coalesce(n.version, 1)
RETURN n.uri AS uri, n.version AS version
"""

DELETE_RECORDS = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
WHERE n:Record
DETACH DELETE n
"""

DELETE_TEXTS = """
UNWIND $uris AS uri
MATCH (t:Text {ns: $ns, uri: uri})
DETACH DELETE t
"""

#: Vectors are stored with ``db.create.setNodeVectorProperty``, as 32-bit floats: the values
#: are float32 to begin with, so nothing is lost, and every cosine computed in Cypher reads half
#: the bytes that ``SET`` (which stores 64-bit floats) would leave. They arrive as integers and
#: the power of two they were scaled by (see ``neo4j._bolt_vector``): the server decodes a Bolt
#: list of integers several times faster than one of floats, and the division is exact.
#: ``$label`` is the texts' :func:`vector_label` (a dynamic label: a parameter, not Cypher).
CREATE_TEXTS = {
    kind: """
UNWIND $rows AS row
CREATE (t:Text {ns: $ns, uri: row.uri, kind: row.kind, field: row.field,
    lang: row.lang, text: row.text, terms: row.terms, seq: row.seq})
SET t:$($label)
WITH t, row
WHERE row.embedding IS NOT NULL
CALL db.create.setNodeVectorProperty(t, 'embedding', [x IN row.embedding | x / row.scale])
"""
    for kind in TEXT_KINDS
}


def merge_relations(relation_type: RelationType) -> str:
    """MERGE edges of one type between existing nodes, setting their properties."""
    return f"""
UNWIND $rows AS row
MATCH (a:Node {{ns: $ns, uri: row.source}})
MATCH (b:Node {{ns: $ns, uri: row.target}})
MERGE (a)-[e:{REL_TYPE[relation_type]}]->(b)
SET e.props = row.props
"""


def create_relations(relation_type: RelationType) -> str:
    """CREATE edges of one type between nodes that a first load has just created."""
    return f"""
UNWIND $rows AS row
MATCH (a:Node {{ns: $ns, uri: row.source}})
MATCH (b:Node {{ns: $ns, uri: row.target}})
CREATE (a)-[e:{REL_TYPE[relation_type]} {{props: row.props}}]->(b)
"""


def delete_relations(relation_type: RelationType) -> str:
    """Delete edges of one type by (source, target)."""
    return f"""
UNWIND $rows AS row
MATCH (a:Node {{ns: $ns, uri: row.source}})-[e:{REL_TYPE[relation_type]}]->
      (b:Node {{ns: $ns, uri: row.target}})
DELETE e
"""


SET_META = """
MERGE (m:Meta {ns: $ns, key: $key})
SET m.value = $value
"""

#: Texts written before vector indexes were per namespace lack their namespace's label: give it
#: to (at most ``$limit`` of) those of ``$kind``.
ADOPT_TEXTS = """
MATCH (t:Text {ns: $ns})
WHERE t.kind = $kind AND NOT $label IN labels(t)
WITH t LIMIT $limit
SET t:$($label)
RETURN count(*) AS adopted
"""

#: The length of a stored text vector of the namespace (none: no row).
TEXT_DIMENSION = """
MATCH (t:Text {ns: $ns})
WHERE t.embedding IS NOT NULL
RETURN size(t.embedding) AS dimension
LIMIT 1
"""

DROP_NAMESPACE_BATCH = """
MATCH (n {ns: $ns})
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
"""

# -- reads -------------------------------------------------------------------------------------

GET_META = "MATCH (m:Meta {ns: $ns, key: $key}) RETURN m.value AS value"

# Lookups by IRI match on :Node, whose (ns, uri) uniqueness constraint is the index; a kind
# label in the pattern would make the planner scan that label instead.
GET_CONCEPTS = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
WHERE n:Concept
RETURN n.doc AS doc
"""

ITER_CONCEPTS = """
MATCH (n:Node {ns: $ns})
WHERE n:Concept AND ($kind IS NULL OR n.kind = $kind)
  AND ($framework IS NULL OR n.framework = $framework)
RETURN n.doc AS doc
ORDER BY n.uri
"""

EXISTING_NODES = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
RETURN n.uri AS uri
"""

NODE_KINDS = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
RETURN n.uri AS uri, n.kind AS kind
"""

#: The edges of one node (outgoing, incoming or both, as ``$outgoing``/``$incoming`` ask), in one
#: round trip.
#: One record holding [source, type, target, props] lists: the driver's per-record cost is
#: several times the cost of the data for a few dozen small rows. A self-loop is listed once
#: per direction asked for, as two separate queries would list it.
RELATIONS = """
MATCH (n:Node {ns: $ns, uri: $uri})
CALL (n) {
  MATCH (n)-[e]->(b:Node {ns: $ns})
  WHERE $outgoing
  RETURN [n.uri, type(e), b.uri, e.props] AS edge
  UNION ALL
  MATCH (a:Node {ns: $ns})-[e]->(n)
  WHERE $incoming
  RETURN [a.uri, type(e), n.uri, e.props] AS edge
}
RETURN collect(edge) AS edges
"""


RELATIONS_OF_OUT = """
UNWIND $uris AS uri
MATCH (a:Node {ns: $ns, uri: uri})
OPTIONAL MATCH (a)-[e]->(b:Node {ns: $ns})
WHERE $types IS NULL OR type(e) IN $types
RETURN uri AS node, a.uri AS source, type(e) AS type, b.uri AS target, e.props AS props
"""

RELATIONS_OF_IN = """
UNWIND $uris AS uri
MATCH (b:Node {ns: $ns, uri: uri})
OPTIONAL MATCH (a:Node {ns: $ns})-[e]->(b)
WHERE $types IS NULL OR type(e) IN $types
RETURN uri AS node, a.uri AS source, type(e) AS type, b.uri AS target, e.props AS props
"""


def iter_relations(relation_type: RelationType) -> str:
    """Edges of one type, optionally restricted to endpoint kinds, in key order."""
    return f"""
MATCH (a:Node {{ns: $ns}})-[e:{REL_TYPE[relation_type]}]->(b:Node {{ns: $ns}})
WHERE ($source_kinds IS NULL OR a.kind IN $source_kinds)
  AND ($target_kinds IS NULL OR b.kind IN $target_kinds)
RETURN a.uri AS source, b.uri AS target, e.props AS props
ORDER BY source, target
"""


SUBGRAPH_NODES = """
MATCH (n:Node {ns: $ns})
WHERE ($kinds IS NULL OR n.kind IN $kinds) AND ($uris IS NULL OR n.uri IN $uris)
RETURN n.uri AS uri, n.kind AS kind
"""

SUBGRAPH_EDGES = """
MATCH (a:Node {ns: $ns})-[e]->(b:Node {ns: $ns})
WHERE a.uri IN $nodes AND b.uri IN $nodes
RETURN a.uri AS source, type(e) AS type, b.uri AS target, e.props AS props
"""

SUBGRAPH_ALL_EDGES = """
MATCH (a:Node {ns: $ns})-[e]->(b:Node {ns: $ns})
WHERE ($kinds IS NULL OR (a.kind IN $kinds AND b.kind IN $kinds))
RETURN a.uri AS source, type(e) AS type, b.uri AS target, e.props AS props
"""

SCHEMES = "MATCH (s:Scheme {ns: $ns}) RETURN s.doc AS doc"

COUNT_NODES = """
MATCH (n:Node {ns: $ns})
RETURN n.kind AS kind, count(*) AS n
"""

COUNT_NODES_OF_KINDS = """
MATCH (n:Node {ns: $ns})
WHERE n.kind IN $kinds
RETURN count(*) AS n
"""

COUNT_RELATIONS = """
MATCH (a:Node {ns: $ns})-[e]->(b:Node {ns: $ns})
RETURN type(e) AS type, a.kind AS source_kind, b.kind AS target_kind, count(*) AS n
"""

COUNT_TEXTS = "MATCH (t:Text {ns: $ns}) RETURN count(*) AS n"

GET_RECORDS = """
UNWIND $uris AS uri
MATCH (n:Node {ns: $ns, uri: uri})
WHERE n:Record AND n.kind = $kind
RETURN n.uri AS uri, n.doc AS doc, n.idx AS idx, coalesce(n.version, 1) AS version
"""

LIST_RECORDS = """
MATCH (n:Node {ns: $ns, kind: $kind})
WHERE n:Record
  AND all(key IN keys($where) WHERE n['i_' + key] = $where[key])
RETURN n.uri AS uri, n.doc AS doc, n.idx AS idx, coalesce(n.version, 1) AS version
ORDER BY n.uri
"""

# LIST_RECORDS for each of many queries ({kind, where}) at once; ``i`` says whose a row is.
LIST_RECORDS_MANY = """
UNWIND range(0, size($queries) - 1) AS i
WITH i, $queries[i] AS q
MATCH (n:Node {ns: $ns, kind: q.kind})
WHERE n:Record
  AND all(key IN keys(q.where) WHERE n['i_' + key] = q.where[key])
RETURN i, n.uri AS uri, n.doc AS doc, n.idx AS idx, coalesce(n.version, 1) AS version
ORDER BY i, n.uri
"""

# -- search ------------------------------------------------------------------------------------

# Search reads return one record of columns (a list per field) instead of a record per text:
# the driver spends about 50 microseconds per record, which for the thousands of texts of a
# search's candidates cost more than the query itself. ``collect`` drops nulls, so a missing
# cosine is NaN, never null, and every column keeps one entry per text.

#: Nearest texts through the native vector index ``$index`` (approximate, over-fetched),
#: re-scored exactly. ``vector.similarity.cosine`` returns (1 + cos) / 2.
NEAREST_TEXTS = """
CALL db.index.vector.queryNodes($index, $fetch, $vector) YIELD node
WHERE node.ns = $ns AND ($langs IS NULL OR node.lang IN $langs)
WITH node, 2 * vector.similarity.cosine(node.embedding, $vector) - 1 AS score
RETURN collect(node.uri) AS uri, collect(node.field) AS field, collect(node.lang) AS lang,
       collect(node.text) AS text, collect(score) AS score
"""

TEXT_SCORES = """
UNWIND $uris AS uri
MATCH (t:Text {ns: $ns, uri: uri})
WHERE $langs IS NULL OR t.lang IN $langs
WITH t, CASE WHEN $vector IS NULL OR t.embedding IS NULL THEN toFloat('NaN')
             ELSE 2 * vector.similarity.cosine(t.embedding, $vector) - 1 END AS score
RETURN collect(t.uri) AS uri, collect(t.field) AS field, collect(t.lang) AS lang,
       collect(t.text) AS text, collect(score) AS score
"""

#: Everything search scores each of ``$queries`` from (``GraphStore.search_inputs``), in one
#: round trip: the number of nodes of ``$kinds``; per query, each term's frequency (full-text
#: indexes ``$fulltext``: [{index, kinds}]), the rarest terms within the budget (sorted by
#: (frequency, term), as ``graph.store.rare_terms``) and their concepts, the ``$k`` nearest
#: texts through the vector indexes ``$indexes`` (when the store has a model and the query a
#: vector), and every text of those candidates as columns, with its exact cosine, its number of
#: distinct terms and which of the query's terms it holds (as indexes into ``q.terms``; both
#: for labels only). A query is {terms: [{term, query}], vector (null when not comparable),
#: given}.
SEARCH_INPUTS = """
CALL () { MATCH (n:Node {ns: $ns}) WHERE n.kind IN $kinds RETURN count(*) AS total }
CALL () {
  OPTIONAL MATCH (m:Meta {ns: $ns, key: 'embedding_model'})
  RETURN m IS NOT NULL AS has_model
}
UNWIND range(0, size($queries) - 1) AS i
WITH total, has_model, i, $queries[i] AS q
CALL (q) {
  UNWIND q.terms AS term
  CALL (term) {
    UNWIND $fulltext AS ft
    CALL db.index.fulltext.queryNodes(ft.index, term.query) YIELD node
    WHERE node.ns = $ns AND node.kind IN ft.kinds
    RETURN count(node) AS df
  }
  WITH term, df ORDER BY df, term.term
  RETURN collect({term: term.term, query: term.query, df: df}) AS frequencies
}
WITH total, has_model, i, q, frequencies,
     reduce(pick = {chosen: [], spent: 0, done: false},
            f IN [f IN frequencies WHERE f.df > 0 AND f.df <= $max_df] |
            CASE WHEN pick.done OR (pick.spent + f.df > $max_candidates AND size(pick.chosen) > 0)
                 THEN {chosen: pick.chosen, spent: pick.spent, done: true}
                 ELSE {chosen: pick.chosen + [f.query], spent: pick.spent + f.df, done: false}
            END).chosen AS chosen
CALL (chosen) {
  UNWIND chosen AS query
  UNWIND $fulltext AS ft
  CALL db.index.fulltext.queryNodes(ft.index, query) YIELD node
  WHERE node.ns = $ns AND node.kind IN ft.kinds
  RETURN collect(DISTINCT node.uri) AS lexical
}
CALL (q, has_model) {
  UNWIND CASE WHEN has_model AND q.vector IS NOT NULL THEN $indexes ELSE [] END AS index
  CALL db.index.vector.queryNodes(index, $fetch, q.vector) YIELD node
  WHERE node.ns = $ns AND ($langs IS NULL OR node.lang IN $langs)
  WITH node, 2 * vector.similarity.cosine(node.embedding, q.vector) - 1 AS score
  ORDER BY score DESC, node.uri, node.field, node.text
  LIMIT $k
  RETURN collect(node.uri) AS nearest
}
CALL (q, has_model, lexical, nearest) {
  UNWIND lexical + nearest AS uri
  WITH DISTINCT uri, q, has_model
  MATCH (t:Text {ns: $ns, uri: uri})
  WHERE $langs IS NULL OR t.lang IN $langs
  WITH q, t, CASE WHEN has_model AND q.vector IS NOT NULL AND t.embedding IS NOT NULL
                  THEN 2 * vector.similarity.cosine(t.embedding, q.vector) - 1
                  ELSE toFloat('NaN') END AS score,
       CASE WHEN t.field = 'description' THEN []
            ELSE [w IN split(t.terms, ' ') WHERE w <> ''] END AS words
  ORDER BY t.uri, t.field, t.lang, t.text
  RETURN collect(t.uri) AS uri, collect(t.field) AS field, collect(t.lang) AS lang,
         collect(t.text) AS text, collect(score) AS score,
         collect(size(reduce(seen = [], w IN words |
                 CASE WHEN w IN seen THEN seen ELSE seen + w END))) AS term_count,
         collect([j IN range(0, size(q.terms) - 1) WHERE q.terms[j].term IN words]) AS held
}
RETURN i, total, has_model AND q.given AS dense,
       [f IN frequencies | [f.term, f.df]] AS frequencies,
       uri, field, lang, text, score, term_count, held
ORDER BY i
"""

#: Concepts whose label terms hold ``term`` (an escaped Lucene term), by kind.
TERM_MATCHES = """
UNWIND $terms AS term
CALL (term) {
  CALL db.index.fulltext.queryNodes($index, term.query) YIELD node
  WHERE node.ns = $ns AND node.kind IN $kinds
  RETURN collect(node.uri) AS uris
}
RETURN term.term AS term, uris
"""

TERM_FREQUENCIES = """
UNWIND $terms AS term
CALL (term) {
  CALL db.index.fulltext.queryNodes($index, term.query) YIELD node
  WHERE node.ns = $ns AND node.kind IN $kinds
  RETURN count(node) AS df
}
RETURN term.term AS term, df
"""

# -- backup ------------------------------------------------------------------------------------

IS_EMPTY = """
RETURN NOT (EXISTS { MATCH (n:Node {ns: $ns}) } OR EXISTS { MATCH (s:Scheme {ns: $ns}) }
         OR EXISTS { MATCH (t:Text {ns: $ns}) } OR EXISTS { MATCH (m:Meta {ns: $ns}) }) AS empty
"""

#: What a dump is about to read: counts, and the stored vectors' model and length.
DUMP_CONTENTS = """
CALL () { MATCH (s:Scheme {ns: $ns}) RETURN count(s) AS schemes }
CALL () { MATCH (n:Node {ns: $ns}) WHERE n:Concept RETURN count(n) AS concepts }
CALL () { MATCH (t:Text {ns: $ns}) WHERE NOT t.kind IN $post_kinds
          RETURN count(t) AS texts }
CALL () { MATCH (n:Node {ns: $ns}) WHERE n:Record RETURN count(n) AS records }
CALL () { MATCH (:Node {ns: $ns})-[e]->(:Node {ns: $ns}) RETURN count(e) AS relations }
CALL () {
  OPTIONAL MATCH (t:Text {ns: $ns})
  WHERE t.embedding IS NOT NULL AND NOT t.kind IN $post_kinds
  RETURN size(t.embedding) AS dimension LIMIT 1
}
CALL () { OPTIONAL MATCH (m:Meta {ns: $ns, key: 'embedding_model'}) RETURN m.value AS model }
RETURN schemes, concepts, texts, records, relations, dimension, model
"""

DUMP_SCHEMES = "MATCH (s:Scheme {ns: $ns}) RETURN s.doc AS doc ORDER BY s.uri"

DUMP_CONCEPTS = """
MATCH (n:Node {ns: $ns})
WHERE n:Concept
RETURN n.doc AS doc
ORDER BY n.uri
"""

#: Texts by concept IRI; the backend orders the texts of one concept.
#: (The posts' texts are not dumped: a restore indexes the posts again from their records.)
DUMP_TEXTS = """
MATCH (t:Text {ns: $ns}) WHERE NOT t.kind IN $post_kinds
WITH t ORDER BY t.uri
RETURN t.uri AS uri, t.field AS field, t.lang AS lang, t.text AS text, t.terms AS terms,
       t.embedding AS embedding
"""

DUMP_RECORDS = """
MATCH (n:Node {ns: $ns})
WHERE n:Record
RETURN n.uri AS uri, n.kind AS kind, n.doc AS doc, n.idx AS idx,
       coalesce(n.version, 1) AS version
ORDER BY n.uri
"""

#: Relations by source IRI; the backend orders the edges of one source by (type, target), as
#: relationship type names are the types' values upper-cased, which sort otherwise.
DUMP_RELATIONS = """
MATCH (a:Node {ns: $ns})-[e]->(b:Node {ns: $ns})
WITH a, e, b ORDER BY a.uri
RETURN a.uri AS source, type(e) AS type, b.uri AS target, e.props AS props
"""

PING = "RETURN 1 AS ok"

VECTOR_INDEX_DIMENSIONS = """
SHOW VECTOR INDEXES YIELD name, options
WHERE name IN $names
RETURN name, options.indexConfig.`vector.dimensions` AS dimension
"""

# -- the Assembly's posts: searchable texts of records -----------------------------------------
# Questions and answers are records whose texts are indexed like concepts' (``TEXT_KINDS``, see
# ``graph.store.SEARCHABLE_RECORDS``): ``QuestionText_<ns>``/``AnswerText_<ns>`` nodes with a
# vector index per kind and namespace, and a full-text index of their own over the posts' terms
# (the concepts' index keeps its definition, which ``IF NOT EXISTS`` would not change in an
# existing database).

POST_FULLTEXT_INDEX = "post_terms"
CONSTRAINTS = (
    *CONSTRAINTS,
    f"CREATE FULLTEXT INDEX {POST_FULLTEXT_INDEX} IF NOT EXISTS "
    f"FOR (n:{'|'.join(KIND_LABEL[k] for k in POST_KINDS)}) ON EACH [n.terms] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
)


def fulltext_indexes(kinds: frozenset[NodeKind]) -> list[tuple[str, list[str]]]:
    """The full-text indexes that hold the terms of ``kinds``, each with the kinds it serves."""
    posts = sorted(k.value for k in kinds if k in POST_KINDS)
    others = sorted(k.value for k in kinds if k not in POST_KINDS)
    return [
        (index, values)
        for index, values in ((FULLTEXT_INDEX, others), (POST_FULLTEXT_INDEX, posts))
        if values
    ]
