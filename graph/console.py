"""The investigators' Cypher console: read-only, bounded in time and rows.

Three locks, each enough on its own for writes:
1. ``EXPLAIN`` the query first (nothing runs) and accept it only when the server says
   it is a read (``query_type`` ``"r"``);
2. run it in a READ-access transaction, which the server refuses to write in;
3. refuse what reads can still do harm with: ``LOAD CSV`` (files and URLs), procedures
   outside a short list, administration commands, ``USE`` of another database.
The server enforces the time-out: a query that runs longer is stopped there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, LiteralString, cast

import neo4j
from neo4j.exceptions import Neo4jError
from neo4j.graph import Node, Path, Relationship

from graph.access import Capability, Viewer
from graph.errors import GraphError
from graph.store import Store, plain, timed_out
from graph.subgraph import PERSON_KINDS, GraphEdge, GraphNode, Subgraph, kind_of

MAX_TIMEOUT_S = 120.0
MAX_ROWS = 10_000
FIRST_WORDS = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"})
PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "dbms.components",
})
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", re.S)
_PROCEDURE = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)\s*\(?", re.I)
# Starting points for an investigator: each a question the patterns of the analysis
# ask, as a query to read and change. Name -> (query, parameters). Tested on a synthetic
# scenario (tests/test_console.py), so that a change of the schema cannot leave one broken.
EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "Adults who collect minors they have no known family tie to": (
        "MATCH (a:Person)-[r:COLLECTED_AFTER]->(i:Incident)<-[:SUSPECT_IN]-(m:Minor)\n"
        "WHERE NOT (a)-[:PARENT_OF|LEGAL_GUARDIAN_OF]->(m)\n"
        "RETURN a, r, i, m LIMIT $limit", {"limit": 25}),
    "A runaway, then a suspect elsewhere within days": (
        "MATCH (s:Signal {kind: 'runaway'})-[:ABOUT]->(m:Minor)-[:SUSPECT_IN]->(i:Incident)\n"
        "      -[:AT]->(l:Location)\n"
        "WHERE date(s.observed_at) <= date(i.occurred_at)\n"
        "  AND date(i.occurred_at) <= date(s.observed_at) + duration({days: $days})\n"
        "OPTIONAL MATCH (s)-[:AT]->(left:Location)\n"
        "WITH s, m, i, l, left WHERE left IS NULL OR left.city <> l.city\n"
        "RETURN s, m, i, l LIMIT $limit", {"days": 14, "limit": 25}),
    "Minors who move between cities within days": (
        "MATCH (m:Minor)-[:SUSPECT_IN]->(i:Incident)-[:AT]->(l:Location)\n"
        "WITH m, i, l ORDER BY i.occurred_at\n"
        "WITH m, collect({at: date(i.occurred_at), city: l.city}) AS trail\n"
        "WITH m, [k IN range(1, size(trail) - 1)\n"
        "         WHERE trail[k].city <> trail[k - 1].city\n"
        "           AND duration.inDays(trail[k - 1].at, trail[k].at).days <= $days\n"
        "         | toString(trail[k - 1].at) + ' ' + trail[k - 1].city + ' -> '\n"
        "           + toString(trail[k].at) + ' ' + trail[k].city] AS moves\n"
        "WHERE size(moves) > 0\n"
        "RETURN m.ref AS minor, size(moves) AS moves, moves[..5] AS first_moves\n"
        "ORDER BY moves DESC, minor LIMIT $limit", {"days": 7, "limit": 25}),
    "Phones and addresses shared by minors who are not siblings": (
        "MATCH (m1:Minor)-[u1:USES]->(x:Identifier)<-[u2:USES]-(m2:Minor)\n"
        "WHERE elementId(m1) < elementId(m2) AND NOT (m1)-[:SIBLING_OF]-(m2)\n"
        "OPTIONAL MATCH (a:Person)-[u3:USES]->(x) WHERE NOT a:Minor\n"
        "RETURN m1, u1, x, u2, m2, a, u3 LIMIT $limit", {"limit": 25}),
    "Minors known under more than one ref (aliases)": (
        "MATCH (m:Minor)-[s:SAME_AS]-(o:Person)\n"
        "RETURN m, s, o LIMIT $limit", {"limit": 25}),
}
PERSON_REFS: LiteralString = "MATCH (p:Person) WHERE p.ref IN $texts RETURN p.ref AS ref"
ENDPOINTS: LiteralString = (
    "MATCH (n) WHERE elementId(n) IN $ids "
    "RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props")
# "Connect result nodes", as Neo4j Browser does: the relationships between the nodes a
# result drew that it did not return itself, up to MAX_CONNECTED.
MAX_CONNECTED = 5_000
CONNECTED: LiteralString = (
    "MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids AND elementId(b) IN $ids "
    "AND NOT elementId(r) IN $have "
    "RETURN elementId(r) AS id, elementId(a) AS source, elementId(b) AS target, "
    "type(r) AS type, properties(r) AS props LIMIT $max")


class QueryRefused(GraphError):
    """The console will not run this query; nothing was executed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class QueryFailed(GraphError):
    """The server refused or stopped the query (syntax, time-out, a write attempted)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]  # values as text or plain Python, ready for a table
    graph: Subgraph
    truncated: bool  # more rows than the limit
    elapsed_ms: float
    notes: list[str] = field(default_factory=list)
    connected: int = 0  # relationships drawn that the query did not return (``connect``)
    # the server's warnings on the query: a label, type or property that does not exist
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Schema:
    """What exists in the graph: labels and relationship types with their counts, and
    the property keys. Counts only, no record: reading it reads no personal data."""

    labels: dict[str, int]
    types: dict[str, int]
    properties: list[str]


def _name(value: str) -> str:
    """A label or type as Cypher names it: in backticks, any backtick in it doubled."""
    return "`" + value.replace("`", "``") + "`"


def schema(store: Store, viewer: Viewer) -> Schema:
    """The labels, relationship types and property keys that exist, with counts (from
    Neo4j's count store: a few milliseconds)."""
    viewer.require(Capability.CONSOLE)
    labels = [r["label"] for r in store.run("CALL db.labels() YIELD label RETURN label")]
    types = [r["t"] for r in store.run(
        "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t")]
    keys = sorted(r["k"] for r in store.run(
        "CALL db.propertyKeys() YIELD propertyKey AS k RETURN k"))
    label_counts = {lab: store.run(cast(LiteralString,
                                        f"MATCH (n:{_name(lab)}) RETURN count(n) AS n"))[0]["n"]
                    for lab in sorted(labels)}
    type_counts = {t: store.run(cast(LiteralString,
                                     f"MATCH ()-[r:{_name(t)}]->() RETURN count(r) AS n"))[0]["n"]
                   for t in sorted(types)}
    return Schema(label_counts, type_counts, keys)


def check(query: str) -> str:
    """The query stripped, or :class:`QueryRefused` naming what is not allowed."""
    text = query.strip().rstrip(";").strip()
    if not text:
        raise QueryRefused("the query is empty")
    code = _STRINGS.sub("''", _COMMENTS.sub(" ", text))  # what is left to run
    if ";" in code:
        raise QueryRefused("one statement at a time")
    if re.search(r"\bLOAD\s+CSV\b", code, re.I):
        raise QueryRefused("LOAD CSV reads files and URLs: not allowed in the console")
    first = code.split(None, 1)[0].upper() if code.split() else ""
    if first not in FIRST_WORDS:
        raise QueryRefused(
            f"a console query starts with one of {', '.join(sorted(FIRST_WORDS))}; "
            f"{first or 'nothing'} is not allowed (administration, USE and EXPLAIN/PROFILE "
            "prefixes are refused)")
    if re.search(r"(?<![.\w$])(USE|SHOW|TERMINATE)\s", code, re.I):
        raise QueryRefused("USE, SHOW and TERMINATE are not allowed in the console")
    for name in _PROCEDURE.findall(code):
        if name.lower() not in PROCEDURES:
            raise QueryRefused(f"procedure {name} is not allowed; allowed: "
                               f"{', '.join(sorted(PROCEDURES))}")
    return text


def cell(value: Any, nodes: dict[str, Any], rels: dict[str, Relationship]) -> Any:
    """A result's value as text or plain Python, for a table; the nodes and relationships
    it holds are added to ``nodes`` and ``rels`` (by element id)."""
    if isinstance(value, Node):
        nodes[value.element_id] = value
        return f"({':'.join(sorted(value.labels))} {value.get('ref', value.element_id)})"
    if isinstance(value, Relationship):
        rels[value.element_id] = value
        return f"[:{value.type}]"
    if isinstance(value, Path):
        for n in value.nodes:
            nodes[n.element_id] = n
        for r in value.relationships:
            rels[r.element_id] = r
        return f"path of {len(value):,} relationship{'' if len(value) == 1 else 's'}"
    if isinstance(value, list):
        return [cell(v, nodes, rels) for v in value]
    if isinstance(value, dict):
        return {k: cell(v, nodes, rels) for k, v in value.items()}
    return plain(value)


def run(store: Store, viewer: Viewer, query: str, params: Mapping[str, Any] | None = None, *,
        timeout_s: float = 30.0, row_limit: int = 1000, connect: bool = False) -> QueryResult:
    """Run an investigator's query read-only; :class:`QueryRefused` or :class:`QueryFailed`.

    ``connect``: draw the relationships between the result's nodes too, not only those
    it returned (the table shows only what it returned).
    """
    viewer.require(Capability.CONSOLE)
    params = dict(params or {})
    what: dict[str, Any] = {"query": query, "params": params}
    try:
        text = check(query)
    except QueryRefused as exc:
        store.audit.record(viewer, "console.refused", {**what, "reason": exc.reason}, records=0)
        raise
    timeout_s = max(0.1, min(float(timeout_s), MAX_TIMEOUT_S))
    row_limit = max(1, min(int(row_limit), MAX_ROWS))
    started = time.perf_counter()
    nodes: dict[str, Node] = {}
    rels: dict[str, Relationship] = {}
    rows: list[dict[str, Any]] = []
    truncated = False
    try:
        with store.session(read_only=True, warnings=True) as session:
            warnings = ensure_read(session, text, params)
            result = session.run(neo4j.Query(cast(LiteralString, text), timeout=timeout_s),
                                 params)
            columns = list(result.keys())
            for record in result:
                if len(rows) == row_limit:
                    truncated = True
                    break
                rows.append({k: cell(v, nodes, rels) for k, v in record.items()})
            result.consume()
    except QueryRefused as exc:
        store.audit.record(viewer, "console.refused", {**what, "reason": exc.reason}, records=0)
        raise
    except Neo4jError as exc:
        failed = QueryFailed(exc.code or "Neo.Error", exc.message or str(exc))
        store.audit.record(viewer, "console.failed", {**what, "error": failed.code}, records=0)
        raise failed from None
    graph = _graph(store, nodes, rels)
    notes: list[str] = []
    connected = _connect(store, graph, rels, timeout_s, notes) if connect else 0
    store.audit.record(viewer, "console.query", {**what, "timeout_s": timeout_s,
                                                 "row_limit": row_limit, "connect": connect},
                       records=len(rows), persons=_persons_in(store, rows, graph))
    return QueryResult(columns, rows, graph, truncated, (time.perf_counter() - started) * 1000,
                       notes, connected, warnings)


def ensure_read(session: neo4j.Session, text: str, params: Mapping[str, Any]) -> list[str]:
    """:class:`QueryRefused` unless the server's plan of ``text`` (``EXPLAIN``: nothing
    runs) says it only reads; the server's warnings on it (a label, relationship type or
    property that does not exist, say), so that an empty result is not taken for an
    answer."""
    plan = session.run(cast(LiteralString, "EXPLAIN " + text), dict(params)).consume()
    if plan.query_type != "r":
        raise QueryRefused(
            f"the server says this query would {_KINDS.get(plan.query_type or '', 'write')}"
            "; the console only reads")
    return [re.sub(r"^warn: [^.]*\.\s*", "", g.status_description)
            for g in plan.gql_status_objects
            if g.raw_severity == "WARNING" and g.status_description]


def _persons_in(store: Store, rows: list[dict[str, Any]], graph: Subgraph) -> list[str]:
    """The persons a result shows: the persons drawn (those it returned, and those at
    the ends of the relationships it returned), and any text in it that is a person's
    ref (``RETURN p.ref`` shows a person as much as ``RETURN p``)."""
    found = {n.ref for n in graph.nodes.values() if n.kind in PERSON_KINDS}
    texts: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and 0 < len(value) <= 200:
            texts.add(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    for row in rows:
        walk(row)
    if texts:
        found |= {r["ref"] for r in store.run(PERSON_REFS, {"texts": sorted(texts)},
                                              read_only=True)}
    return sorted(found)


_KINDS = {"rw": "read and write", "w": "write", "s": "change the schema"}


def _id(node: Node | None) -> str:
    return node.element_id if node is not None else ""


def _graph(store: Store, nodes: dict[str, Node], rels: dict[str, Relationship]) -> Subgraph:
    """The nodes and relationships of a result as a subgraph; endpoints are fetched."""
    shown = {i: GraphNode(i, str(n.get("ref", "")), kind_of(n.labels), plain(dict(n)))
             for i, n in nodes.items()}
    ends = {i: (_id(r.start_node), _id(r.end_node)) for i, r in rels.items()}
    missing = {e for pair in ends.values() for e in pair} - set(shown)
    if missing:
        for row in store.run(ENDPOINTS, {"ids": sorted(missing)}, read_only=True):
            props = plain(row["props"])
            shown[row["id"]] = GraphNode(row["id"], str(props.get("ref", "")),
                                         kind_of(row["labels"]), props)
    edges = [GraphEdge(i, *ends[i], r.type, plain(dict(r))) for i, r in rels.items()]
    return Subgraph(shown, edges, len(shown))


def _connect(store: Store, graph: Subgraph, rels: dict[str, Relationship], timeout_s: float,
             notes: list[str]) -> int:
    """Add to ``graph`` the relationships between its nodes that the result did not hold,
    within the query's time-out; how many were added."""
    if len(graph.nodes) < 2:
        return 0
    query = neo4j.Query(CONNECTED, timeout=timeout_s)
    try:
        with store.session(read_only=True) as session:
            rows = session.run(query, {"ids": sorted(graph.nodes), "have": sorted(rels),
                                       "max": MAX_CONNECTED}).data()
    except Neo4jError as exc:
        why = ("it took longer than the time-out" if timed_out(exc)
               else f"the server said {exc.code}")
        notes.append(f"The result's nodes were not connected ({why}): drawn with only the "
                     "relationships the query returned.")
        return 0
    graph.edges.extend(GraphEdge(r["id"], r["source"], r["target"], r["type"], plain(r["props"]))
                       for r in rows)
    return len(rows)
