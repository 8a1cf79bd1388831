"""Reads for exploring the graph: search by ref, neighbourhoods, the details of a node.

A neighbourhood is found hop by hop from its seeds, fetching ids only; properties are
read for the nodes that are kept. When more nodes are in reach than the cap allows,
the nearest are kept (and, within the last hop, those with most links to what is
already shown), and the result says how many there were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, LiteralString, cast

import neo4j
from neo4j.exceptions import Neo4jError

from graph.access import Capability, Viewer
from graph.schema import FAMILY_TIES, INVOLVEMENT_ROLES, PROFESSIONAL_TIES, Label, Rel
from graph.store import Store, plain, timed_out
from graph.subgraph import PERSON_KINDS, Decided, GraphEdge, GraphNode, Subgraph, kind_of
from graph.words import word
from i18n import _

# Relationship types an exploration may follow: the data, not the analysis's own links.
DATA_RELS: tuple[str, ...] = tuple(
    r.value for r in Rel
    if r not in (Rel.CONCERNS, Rel.SUPPORTED_BY, Rel.HAS_MEMBER, Rel.DECLARES))
ROLE_RELS: tuple[str, ...] = tuple(r.value for r in INVOLVEMENT_ROLES.values())
TIE_RELS: tuple[str, ...] = tuple(
    r.value for r in Rel if r in FAMILY_TIES or r in PROFESSIONAL_TIES or r is Rel.ASSOCIATE_OF)
OTHER_RELS: tuple[str, ...] = tuple(r for r in DATA_RELS if r not in ROLE_RELS + TIE_RELS)

SEARCHABLE: tuple[Label, ...] = (Label.PERSON, Label.INCIDENT, Label.LOCATION, Label.SIGNAL,
                                 Label.IDENTIFIER)
MAX_CAP = 2000
MAX_HOPS = 3
MAX_PATH_LENGTH = 8  # relationships in a path between two nodes
MAX_PATHS = 100  # shortest paths fetched; the cap on nodes may keep fewer
PATH_TIMEOUT_S = 20.0

# $partner: a care partner's users see only records their own partner delivered.
_MINE = "($partner IS NULL OR $partner IN n.partners)"
# A finding `f` this viewer may see: every one, or for a care partner's user one an
# investigator shared with one of its teams ($teams).
SHARED_WITH_ME = "($partner IS NULL OR any(t IN coalesce(f.shared_with, []) WHERE t IN $teams))"
SEARCH: LiteralString = (
    "CALL () { MATCH (n:Person) WHERE (n.ref STARTS WITH $q "
    "OR toLower(n.codename) STARTS WITH $lower OR toLower(n.own_codename) STARTS WITH $lower) "
    "AND " + _MINE + " RETURN n LIMIT $limit "
    "UNION MATCH (n:Incident) WHERE n.ref STARTS WITH $q AND " + _MINE + " RETURN n LIMIT $limit "
    "UNION MATCH (n:Location) WHERE (n.ref STARTS WITH $q OR toLower(n.name) CONTAINS $lower "
    "OR toLower(n.city) STARTS WITH $lower) AND " + _MINE + " RETURN n LIMIT $limit "
    "UNION MATCH (n:Signal) WHERE n.ref STARTS WITH $q AND " + _MINE + " RETURN n LIMIT $limit "
    "UNION MATCH (n:Identifier) WHERE n.ref STARTS WITH $q AND " + _MINE + " "
    "RETURN n LIMIT $limit } "
    "RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props "
    "ORDER BY n.ref LIMIT $limit")
RESOLVE: LiteralString = (
    "UNWIND $refs AS ref CALL (ref) { "
    "MATCH (n:Person {ref: ref}) RETURN n UNION MATCH (n:Incident {ref: ref}) RETURN n "
    "UNION MATCH (n:Location {ref: ref}) RETURN n UNION MATCH (n:Signal {ref: ref}) RETURN n "
    "UNION MATCH (n:Identifier {ref: ref}) RETURN n } "
    "WITH n WHERE " + _MINE + " RETURN DISTINCT elementId(n) AS id")


def _by_partners(x: str) -> str:
    """Cypher: node or relationship ``x`` came from one of the partners the filters
    name ($partners), or they name none."""
    return f"($partners IS NULL OR any(x IN {x}.partners WHERE x IN $partners))"


def _in_window(at: str) -> str:
    """Cypher: the time ``at`` (an event's; null for what is not an event) is within the
    filters' window ($since, $until), or there is none."""
    return (f"({at} IS NULL OR (($since IS NULL OR date({at}) >= $since) "
            f"AND ($until IS NULL OR date({at}) <= $until)))")


# One hop: every link of the frontier that passes the filters, as ids; never to a node
# the user left out ($hidden).
HOP: LiteralString = (
    "UNWIND $frontier AS id MATCH (n) WHERE elementId(n) = id "
    "MATCH (n)-[r]-(m) WHERE type(r) IN $types "
    "AND " + _by_partners("r") + " AND " + _by_partners("m") + " "
    "AND NOT elementId(m) IN $hidden "
    "WITH n, m, coalesce(m.occurred_at, m.observed_at) AS at WHERE " + _in_window("at") + " "
    "RETURN elementId(n) AS n, elementId(m) AS m LIMIT $row_limit")
# Every shortest path between two nodes over links that pass the filters. The ends are
# the user's choice, so, as a seed in HOP, they need not pass the partner and time
# filters; every node between them must, and none may be one the user left out. (All
# predicates are on single nodes and relationships, so Neo4j checks them during its
# breadth-first search: a filter makes the search smaller, not a second pass.)
_PATHS = (
    "MATCH (a) WHERE elementId(a) = $a MATCH (b) WHERE elementId(b) = $b "
    "MATCH p = allShortestPaths((a)-[*..{length}]-(b)) "
    "WHERE all(r IN relationships(p) WHERE type(r) IN $types AND " + _by_partners("r") + ") "
    "AND all(n IN nodes(p) WHERE n = a OR n = b OR (" + _by_partners("n") + " AND "
    + _in_window("coalesce(n.occurred_at, n.observed_at)") + " "
    "AND NOT elementId(n) IN $hidden)) "
    "WITH p LIMIT $limit RETURN [n IN nodes(p) | elementId(n)] AS ids")
# A path's longest length cannot be a parameter: one query per length, from integers.
PATHS: dict[int, LiteralString] = {
    length: cast(LiteralString, _PATHS.replace("{length}", str(length)))
    for length in range(1, MAX_PATH_LENGTH + 1)}
NODES: LiteralString = (
    "MATCH (n) WHERE elementId(n) IN $ids "
    "RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props")
EDGES: LiteralString = (
    "MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids AND type(r) IN $types "
    "AND elementId(b) IN $ids AND " + _by_partners("r") + " "
    "RETURN elementId(r) AS id, elementId(a) AS source, elementId(b) AS target, "
    "type(r) AS type, properties(r) AS props")
# The persons ranked in the latest run, with the team's latest decision on each when the
# viewer may see decisions ($reviews; graph/reviews.py keeps them).
FLAGGED: LiteralString = (
    "MATCH (f:Finding) WITH f.run_id AS run, max(f.run_at) AS at ORDER BY at DESC LIMIT 1 "
    "MATCH (f:Finding {run_id: run})-[:CONCERNS]->(p:Person) "
    "WHERE " + SHARED_WITH_ME + " "
    "WITH p.ref AS ref, min(f.rank) AS rank, max(f.score) AS score "
    "RETURN ref, rank, score, COLLECT { MATCH (r:Review {person_ref: ref}) WHERE $reviews "
    "RETURN r {.decision, .by, .at} ORDER BY r.at DESC, r.ref LIMIT 1 } AS decided")
PARTNERS: LiteralString = "MATCH (d:Delivery) RETURN DISTINCT d.partner AS partner ORDER BY partner"
SPAN: LiteralString = (
    "MATCH (i:Incident) RETURN min(date(i.occurred_at)) AS first, max(date(i.occurred_at)) AS last")
DETAILS: LiteralString = (
    "MATCH (n) WHERE elementId(n) = $id AND " + _MINE + " "
    "OPTIONAL MATCH (d:Delivery) WHERE d.ref IN n.deliveries "
    "AND ($partner IS NULL OR d.partner = $partner) "
    "WITH n, collect(d {.ref, .partner, .partner_kind, .extracted_at, .loaded_at}) AS deliveries "
    "OPTIONAL MATCH (f:Finding)-[:CONCERNS]->(n) "
    "WHERE " + SHARED_WITH_ME + " "
    "WITH n, deliveries, collect(f {.run_id, .rank, .score, .patterns}) AS findings "
    "CALL (n) { MATCH (n)-[r]-() WHERE type(r) IN $types "
    "AND ($partner IS NULL OR $partner IN r.partners) RETURN collect(type(r)) AS types } "
    # a partner's declaration (format 1.1) that the person is one of its professionals
    "CALL (n) { MATCH (d:Delivery)-[r:DECLARES]->(n) "
    "WHERE $partner IS NULL OR d.partner = $partner "
    "RETURN collect(r {.role, .since, .until, partner: d.partner}) AS declared } "
    "RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props, deliveries, "
    "findings, types, declared")
# A stay `r` overlaps the filters' window: it began by $until and had not ended before
# $since (a stay with no end goes on).
_OVERLAPS: LiteralString = (
    "(($until IS NULL OR r.from IS NULL OR date(r.from) <= $until) "
    "AND ($since IS NULL OR r.until IS NULL OR date(r.until) >= $since))")
# A person's events in time: the incidents it was involved in (with its role), the
# signals about it or naming it, and its stays; each with its place. For a care
# partner's user, only what its own partner delivered (the link, the event and the place).
TIMELINE: LiteralString = (
    "MATCH (n:Person) WHERE elementId(n) = $id AND " + _MINE + " "
    "CALL (n) { MATCH (n)-[r]->(e:Incident) WHERE type(r) IN $roles RETURN r, e "
    "UNION MATCH (e:Signal)-[r:ABOUT|NAMES]->(n) RETURN r, e "
    "UNION MATCH (n)-[r:STAYED_AT]->(e:Location) RETURN r, e } "
    "WITH r, e WHERE $partner IS NULL OR ($partner IN r.partners AND $partner IN e.partners) "
    "OPTIONAL MATCH (e)-[:AT]->(l:Location) WHERE $partner IS NULL OR $partner IN l.partners "
    "WITH r, e, CASE WHEN e:Location THEN e ELSE l END AS place "
    "RETURN coalesce(e.occurred_at, e.observed_at, r.from) AS at, r.until AS until, "
    "type(r) AS link, e.kind AS kind, e.ref AS ref, place.name AS place, place.city AS city, "
    "place.country AS country, r.partners AS partners, "
    "CASE WHEN e:Location THEN " + _OVERLAPS + " ELSE "
    + _in_window("coalesce(e.occurred_at, e.observed_at)") + " END AS in_window "
    "ORDER BY toString(at), ref")
DESCRIBE: LiteralString = (
    "UNWIND $refs AS ref "
    "OPTIONAL MATCH (i:Incident {ref: ref}) WHERE $partner IS NULL OR $partner IN i.partners "
    "OPTIONAL MATCH (i)-[:AT]->(il:Location) "
    "OPTIONAL MATCH (s:Signal {ref: ref}) WHERE $partner IS NULL OR $partner IN s.partners "
    "OPTIONAL MATCH (s)-[:AT]->(sl:Location) "
    "OPTIONAL MATCH (x:Identifier {ref: ref}) WHERE $partner IS NULL OR $partner IN x.partners "
    "OPTIONAL MATCH (p:Person {ref: ref}) WHERE $partner IS NULL OR $partner IN p.partners "
    "RETURN ref, CASE WHEN i IS NOT NULL THEN 'incident' WHEN s IS NOT NULL THEN 'signal' "
    "WHEN x IS NOT NULL THEN 'identifier' WHEN p IS NOT NULL THEN 'person' END AS kind, "
    "coalesce(i.kind, s.kind, x.kind) AS what, coalesce(i.occurred_at, s.observed_at) AS at, "
    "coalesce(il.name, sl.name) AS place, coalesce(il.city, sl.city) AS city, "
    "coalesce(il.country, sl.country) AS country, "
    "coalesce(i.partners, s.partners, x.partners, p.partners) AS partners, "
    "p.codename AS codename")


@dataclass(frozen=True)
class Filters:
    """What an exploration follows and shows. ``None`` means no restriction."""

    types: tuple[str, ...] = DATA_RELS
    partners: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None

    def params(self) -> dict[str, Any]:
        types = [t for t in self.types if t in DATA_RELS]  # never the analysis's links
        return {"types": types, "since": self.since, "until": self.until,
                "partners": list(self.partners) if self.partners is not None else None}


def _own(props: dict[str, Any], partner: str | None) -> dict[str, Any]:
    """For a care partner's user, provenance shows its own partner only: that another
    partner also knows the person is not theirs to know."""
    if partner is None:
        return props
    props = dict(props)
    if "partners" in props:
        props["partners"] = [p for p in props["partners"] if p == partner]
    if "deliveries" in props:
        props["deliveries"] = [d for d in props["deliveries"] if d.startswith(partner + ":")]
    return props


def _node(row: dict[str, Any], hop: int = 0, partner: str | None = None) -> GraphNode:
    props = _own(plain(row["props"]), partner)
    return GraphNode(row["id"], str(props.get("ref", "")), kind_of(row["labels"]), props, hop)


def _persons(nodes: Iterable[GraphNode]) -> list[str]:
    return [n.ref for n in nodes if n.kind in PERSON_KINDS]


def search(store: Store, viewer: Viewer, text: str, *, limit: int = 25) -> list[GraphNode]:
    """Persons, incidents, locations, signals and identifiers whose ref starts with ``text``,
    persons whose codename (or an alias's own codename) starts with it, and the places
    whose name holds it or whose city starts with it (in any case):
    "centraal", "antw"."""
    viewer.require(Capability.EXPLORE)
    text = text.strip()
    if not text:
        return []
    rows = store.run(SEARCH, {"q": text, "lower": text.lower(), "limit": limit,
                              "partner": viewer.only_partner}, read_only=True)
    found = [_node(r, partner=viewer.only_partner) for r in rows]
    store.audit.record(viewer, "explore.search", {"text": text}, records=len(found),
                       persons=_persons(found))
    return found


def _ranked(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    return store.run(FLAGGED, {"partner": viewer.only_partner, "teams": list(viewer.teams),
                               "reviews": viewer.can(Capability.REVIEW)}, read_only=True)


def flagged(store: Store, viewer: Viewer) -> dict[str, tuple[int, float]]:
    """Person ref -> (rank, score) for everyone the latest analysis run ranked (for a care
    partner's user: only findings shared with its teams)."""
    return {r["ref"]: (r["rank"], r["score"]) for r in _ranked(store, viewer)}


def partners(store: Store, viewer: Viewer) -> list[str]:
    """The partners whose records this viewer may filter on."""
    if viewer.only_partner is not None:
        return [viewer.only_partner]
    return [r["partner"] for r in store.run(PARTNERS, read_only=True) if r["partner"]]


def incident_span(store: Store) -> tuple[date, date] | None:
    row = store.run(SPAN, read_only=True)[0]
    if row["first"] is None:
        return None
    return row["first"].to_native(), row["last"].to_native()


def _scoped(viewer: Viewer, filters: Filters | None) -> Filters:
    """The filters, with a care partner's users kept to their own partner's records
    whatever the filters ask."""
    filters = filters or Filters()
    mine = viewer.only_partner
    if mine is not None:
        return Filters(filters.types, (mine,), filters.since, filters.until)
    return filters


def _resolve(store: Store, viewer: Viewer, refs: Sequence[str]) -> list[str]:
    """Element ids of the nodes with these refs that the viewer may see."""
    return [r["id"] for r in store.run(RESOLVE, {"partner": viewer.only_partner,
                                                 "refs": list(refs)}, read_only=True)]


def _left_out(store: Store, viewer: Viewer, hidden: Sequence[str],
              chosen: Iterable[str]) -> list[str]:
    """Element ids of the nodes the user left out (refs ``hidden``), less the ones the
    user chose to start or end at (element ids ``chosen``): a seed is never left out."""
    keep = set(chosen)
    return [x for x in _resolve(store, viewer, hidden) if x not in keep] if hidden else []


def _hop(session: Any, frontier: list[str], params: dict[str, Any],
         row_limit: int) -> tuple[list[tuple[str, str]], bool]:
    """Every link of the frontier that passes the filters, as (from, to) ids, and whether
    that is all of them (False: cut short at ``row_limit``)."""
    if not frontier:
        return [], True
    result = session.run(HOP, {**params, "frontier": frontier, "row_limit": row_limit})
    pairs = [(r["n"], r["m"]) for r in result]
    return pairs, len(pairs) < row_limit


def _fetch(session: Any, viewer: Viewer, keep: list[str], distance: dict[str, int],
           params: dict[str, Any]) -> tuple[dict[str, GraphNode], list[GraphEdge]]:
    """The kept nodes with their properties, and every relationship between them that
    passes the filters."""
    mine = viewer.only_partner
    nodes = {r["id"]: _node(r.data(), distance[r["id"]], mine)
             for r in session.run(NODES, {"ids": keep})}
    edges = [GraphEdge(r["id"], r["source"], r["target"], r["type"], _own(plain(r["props"]), mine))
             for r in session.run(EDGES, {**params, "ids": keep})]
    return nodes, edges


def _mark(store: Store, viewer: Viewer, nodes: dict[str, GraphNode]) -> int:
    """Ring the persons ranked in the latest analysis run, each with the team's latest
    decision on it (none for a care partner's user); how many decisions were read."""
    ranked = {r["ref"]: r for r in _ranked(store, viewer)}
    decisions = 0
    for n in nodes.values():
        row = ranked.get(n.ref) if n.kind in PERSON_KINDS else None
        n.flagged = (row["rank"], row["score"]) if row else None
        n.decided = None
        if row and row["decided"]:
            last = plain(row["decided"][0])
            n.decided = Decided(str(last["decision"]), str(last["by"]), str(last["at"]))
            decisions += 1
    return decisions


def warm(store: Store) -> None:
    """Have Neo4j plan Explore's queries before anyone needs them: each is run once with
    parameters that match no node, so nothing is read (and there is nothing to audit).
    A first drawing after a server start otherwise waits about a second for the plans."""
    nothing = {"refs": [], "frontier": [], "ids": [], "id": "-", "partner": None,
               "partners": None, "since": None, "until": None, "hidden": [],
               "types": list(DATA_RELS), "roles": list(ROLE_RELS), "teams": [],
               "reviews": False, "row_limit": 1}
    for query in (RESOLVE, HOP, NODES, EDGES, DETAILS, TIMELINE, FLAGGED):
        store.run(query, nothing, read_only=True)


def neighbourhood(store: Store, viewer: Viewer, seeds: Sequence[str], *, hops: int = 2,
                  filters: Filters | None = None, cap: int = 300,
                  expanded: Sequence[str] = (), hidden: Sequence[str] = (),
                  row_limit: int = 200_000) -> Subgraph:
    """The nodes within ``hops`` of the seed refs (and one hop of each ``expanded`` ref).

    At most ``cap`` nodes are kept: seeds first, then by distance, then by the number of
    links to nodes already kept. ``total`` counts every node in reach. The nodes with
    ``hidden`` refs are left out, and so their links are not followed: what is only
    reached through them is not in reach. A seed is never left out.
    """
    viewer.require(Capability.EXPLORE)
    filters = _scoped(viewer, filters)
    hops = max(0, min(hops, MAX_HOPS))
    cap = max(1, min(cap, MAX_CAP))
    params = filters.params()
    seed_ids = _resolve(store, viewer, seeds)
    left_out = _left_out(store, viewer, hidden, seed_ids)
    extra_ids = [x for x in _resolve(store, viewer, expanded) if x not in left_out]
    query = {**params, "hidden": left_out}
    distance: dict[str, int] = dict.fromkeys(seed_ids, 0)
    links: Counter[str] = Counter()
    exact = True
    with store.session(read_only=True) as session:
        frontier = list(seed_ids)
        for depth in range(1, hops + 1):
            fresh: list[str] = []
            pairs, whole = _hop(session, frontier, query, row_limit)
            exact = exact and whole
            for _, m in pairs:
                links[m] += 1
                if m not in distance:
                    distance[m] = depth
                    fresh.append(m)
            frontier = fresh
        for x in extra_ids:
            distance.setdefault(x, 1)
        pairs, whole = _hop(session, extra_ids, query, row_limit)
        exact = exact and whole
        for _, m in pairs:
            links[m] += 1
            distance.setdefault(m, 2)
        order = sorted(distance, key=lambda i: (distance[i], -links[i], i))
        nodes, edges = _fetch(session, viewer, order[:cap], distance, params)
    decisions = _mark(store, viewer, nodes)
    sub = Subgraph(nodes, edges, len(distance), exact, tuple(seeds))
    store.audit.record(viewer, "explore.neighbourhood", {
        "seeds": list(seeds), "expanded": list(expanded), "hidden": list(hidden),
        "hops": hops, "cap": cap, "decisions": decisions,
        **{k: v for k, v in params.items() if k != "types"}, "types": params["types"]},
        records=len(nodes) + len(edges), persons=_persons(nodes.values()))
    return sub


@dataclass
class Paths:
    """The shortest paths between two nodes, as a subgraph to draw."""

    sub: Subgraph
    longest: int  # the longest path length that was searched for
    length: int | None = None  # relationships in each shortest path; None: none found
    found: int = 0  # shortest paths found, at most MAX_PATHS
    more: bool = False  # there are more than MAX_PATHS
    missing: tuple[str, ...] = ()  # ends not in the graph, or not the viewer's to see
    timed_out: bool = False
    timeout_s: float = PATH_TIMEOUT_S  # how long the search for paths may take
    routes: list[list[str]] = field(default_factory=list)  # node ids of each path drawn

    @property
    def drawn(self) -> int:
        """How many of the paths found are drawn (whole, within the node cap)."""
        return len(self.routes)


def paths(store: Store, viewer: Viewer, source: str, target: str, *, longest: int = 6,
          filters: Filters | None = None, cap: int = 300, expanded: Sequence[str] = (),
          hidden: Sequence[str] = (), row_limit: int = 200_000) -> Paths:
    """Every shortest path of at most ``longest`` relationships between the nodes with refs
    ``source`` and ``target``, over links that pass the filters and around the nodes with
    ``hidden`` refs (and one hop of each ``expanded`` ref). The ends are never left out.

    Paths are kept whole, in the order Neo4j finds them, while their nodes fit in ``cap``.
    Each node's ``hop`` is its place along the path from ``source``.
    """
    viewer.require(Capability.EXPLORE)
    filters = _scoped(viewer, filters)
    longest = max(1, min(longest, MAX_PATH_LENGTH))
    cap = max(2, min(cap, MAX_CAP))
    params = filters.params()
    ends = [_resolve(store, viewer, [ref]) for ref in (source, target)]
    result = Paths(Subgraph({}, [], 0, seeds=(source, target), layered=True), longest)
    result.missing = tuple(ref for ref, ids in zip((source, target), ends, strict=True)
                           if not ids)
    distance: dict[str, int] = {}
    decisions = 0
    if not result.missing:
        a, b = ends[0][0], ends[1][0]
        query = {**params, "hidden": _left_out(store, viewer, hidden, (a, b))}
        found: list[list[str]] = [[a]] if a == b else []
        with store.session(read_only=True) as session:
            if a != b:
                result.timeout_s = PATH_TIMEOUT_S
                search = neo4j.Query(PATHS[longest], timeout=result.timeout_s)
                try:
                    found = [r["ids"] for r in session.run(
                        search, {**query, "a": a, "b": b, "limit": MAX_PATHS + 1})]
                except Neo4jError as exc:
                    if not timed_out(exc):
                        raise
                    result.timed_out = True
            result.more = len(found) > MAX_PATHS
            found = found[:MAX_PATHS]
            result.found = len(found)
            result.length = len(found[0]) - 1 if found else None
            for path in found:
                if len(set(distance) | set(path)) > cap:
                    break
                result.routes.append(path)
                for place, node_id in enumerate(path):
                    distance[node_id] = min(place, distance.get(node_id, place))
            via: dict[str, str] = {}
            for ref in expanded if distance else ():
                # in the order expanded, as one may be a node the one before brought;
                # an expanded node's links are drawn around it, in its column
                extra = [x for x in _resolve(store, viewer, [ref]) if x in distance]
                pairs, _cut = _hop(session, extra, query, row_limit)
                for n, m in pairs:
                    if m not in distance and len(distance) < cap:
                        distance[m] = distance[n]
                        via[m] = n
            nodes, edges = _fetch(session, viewer, list(distance), distance, params)
            for node_id, parent in via.items():
                if node_id in nodes:
                    nodes[node_id].via = parent
        decisions = _mark(store, viewer, nodes)
        result.sub = Subgraph(nodes, edges, len(distance), True, (source, target), True)
    sub = result.sub
    store.audit.record(viewer, "explore.paths", {
        "from": source, "to": target, "longest": longest, "expanded": list(expanded),
        "hidden": list(hidden), "cap": cap, "decisions": decisions,
        **{k: v for k, v in params.items() if k != "types"},
        "types": params["types"]},
        records=len(sub.nodes) + len(sub.edges), persons=_persons(sub.nodes.values()))
    return result


def details(store: Store, viewer: Viewer, node_id: str, since: date | None = None,
            until: date | None = None) -> dict[str, Any] | None:
    """Properties, provenance (with its deliveries), findings and link counts of a node;
    for a person, its timeline, each event marked for the window from ``since`` to ``until``."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(DETAILS, {"id": node_id, "partner": viewer.only_partner,
                               "teams": list(viewer.teams), "types": list(DATA_RELS)},
                     read_only=True)
    if not rows:
        store.audit.record(viewer, "explore.details", {"id": node_id}, records=0)
        return None
    row = plain(rows[0])
    kind = kind_of(row["labels"])
    events = timeline(store, viewer, node_id, since, until) if kind in PERSON_KINDS else []
    store.audit.record(viewer, "explore.details", {"id": node_id, "ref": row["props"].get("ref")},
                       records=1 + len(events), persons=[row["props"]["ref"]]
                       if kind in PERSON_KINDS else [])
    return {"id": row["id"], "kind": kind, "labels": row["labels"],
            "props": _own(row["props"], viewer.only_partner), "deliveries": row["deliveries"],
            "findings": sorted(row["findings"], key=lambda f: f["run_id"] or "", reverse=True),
            "links": dict(Counter(row["types"]).most_common()), "timeline": events,
            "declared": sorted(row["declared"], key=lambda d: (d["partner"], d["role"]))}


# How each link of a person to an event reads in its timeline.
_TIMELINE_ROLES: dict[str, str] = {
    **{rel.value: role for role, rel in INVOLVEMENT_ROLES.items()},
    Rel.ABOUT.value: "signal about", Rel.NAMES.value: "named in signal",
    Rel.STAYED_AT.value: "stayed"}


def timeline(store: Store, viewer: Viewer, node_id: str, since: date | None = None,
             until: date | None = None) -> list[dict[str, Any]]:
    """A person's incidents, signals and stays in time, each with its role and place (a
    stay: ``stayed`` with the day it ``until`` ended, or ``stays`` when no end is recorded):
    where a child was, when, and with whom on record. ``in_window``: the event falls in
    the window from ``since`` to ``until`` (a stay: overlaps it; an undated event: always), as
    the drawing's filters do. Read as part of :func:`details`, whose audit entry counts
    them."""
    viewer.require(Capability.EXPLORE)
    rows = plain(store.run(TIMELINE, {"id": node_id, "partner": viewer.only_partner,
                                      "roles": list(ROLE_RELS), "since": since,
                                      "until": until}, read_only=True))
    events = []
    for r in rows:
        partners = r["partners"] or []
        if viewer.only_partner is not None:
            partners = [p for p in partners if p == viewer.only_partner]
        role = _TIMELINE_ROLES.get(r["link"], r["link"])
        ended = r["until"] if r["link"] == Rel.STAYED_AT.value else None
        if r["link"] == Rel.STAYED_AT.value and not ended:
            role = "stays"  # no end recorded: goes on
        place = ", ".join(str(x) for x in (r["place"], r["city"]) if x)
        events.append({"when": r["at"], "what": word(r["kind"]), "role": role,
                       "until": ended,
                       "place": f"{place} ({r['country'] or 'NL'})" if place else "",
                       "partners": ", ".join(partners), "ref": r["ref"],
                       "in_window": r["in_window"]})
    return events


def describe(store: Store, viewer: Viewer, refs: Sequence[str]) -> dict[str, str]:
    """A readable line for each ref of evidence: what, when, where, from whom."""
    viewer.require(Capability.EXPLORE)
    lines: dict[str, str] = {}
    persons: list[str] = []
    rows = plain(store.run(DESCRIBE, {"refs": list(refs), "partner": viewer.only_partner},
                           read_only=True))
    for r in rows:
        if r["kind"] is None:
            lines[r["ref"]] = (_("(a record of another partner)") if viewer.only_partner
                               else _("{ref} (no longer in the graph)").format(ref=r["ref"]))
            continue
        if r["kind"] == "person":
            persons.append(r["ref"])
        if viewer.only_partner:
            r["partners"] = [p for p in r["partners"] or [] if p == viewer.only_partner]
        parts = [word(r["what"]) or str(r["kind"])]
        if r["kind"] == "person" and r["codename"]:
            parts.append(f"{r['codename']} ({r['ref']})")
        elif r["kind"] in ("person", "identifier"):
            parts.append(r["ref"])
        if r["at"]:
            parts.append(_("on {day}").format(day=str(r["at"])[:10]))
        if r["city"]:
            place = f"{r['place']}, {r['city']}" if r["place"] else r["city"]
            parts.append(_("at {place} ({country})").format(place=place,
                                                            country=r["country"] or "NL"))
        if r["partners"]:
            parts.append(f"— {', '.join(r['partners'])}")
        lines[r["ref"]] = " ".join(parts)
    store.audit.record(viewer, "findings.evidence", {"refs": len(refs)},
                       records=len(rows) - sum(1 for r in rows if r["kind"] is None),
                       persons=persons)
    return lines


def record_export(store: Store, viewer: Viewer, sub: Subgraph, fmt: str) -> None:
    """Log that a view left the dashboard as a file."""
    viewer.require(Capability.EXPLORE)
    store.audit.record(viewer, f"export.{fmt}", {"seeds": list(sub.seeds)},
                       records=len(sub.nodes) + len(sub.edges),
                       persons=_persons(sub.nodes.values()))
