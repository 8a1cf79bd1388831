"""The graph, projected from Neo4j into networkx for analysis.

Nodes are ``("person", cluster)``, ``("incident", ref)``, ``("signal", ref)`` and
``("identifier", ref)``. A person node stands for a whole alias cluster (references
joined by ``SAME_AS``): the cluster is named by its smallest reference and lists all of
them in ``refs``. Edges carry the relationship types between them in ``types``:
involvement roles (person-incident), ``ABOUT``/``NAMES`` (signal-person), ``USES``
(person-identifier), and known ties (person-person). Family and professional ties are
kept as edges so that the patterns can treat them as explanations. A person's shelter
placements are an attribute (``shelters``: location ref -> city), not nodes: a shelter
would tie together everyone ever placed there.

Records are streamed from Neo4j (the driver fetches in batches), so only the projection
itself is held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, LiteralString

import networkx as nx

from graph import schema
from graph.store import Store

Node = tuple[str, str]

_ROLE_TYPES = "|".join(schema.rel_type(r) for r in schema.INVOLVEMENT_ROLES.values())
_TIE_TYPES = "|".join(schema.rel_type(r) for r in schema.RELATION_KINDS.values())

ALIASES: LiteralString = "MATCH (a:Person)-[:SAME_AS]->(b:Person) RETURN a.ref AS a, b.ref AS b"
PERSONS: LiteralString = (
    "MATCH (p:Person) RETURN p.ref AS ref, p:Minor AS minor, p.category AS category, "
    "p.partners AS partners")
INVOLVEMENTS: LiteralString = (
    f"MATCH (p:Person)-[r:{_ROLE_TYPES}]->(i:Incident) "
    "OPTIONAL MATCH (i)-[:AT]->(l:Location) "
    "RETURN p.ref AS person, type(r) AS type, i.ref AS incident, i.kind AS kind, "
    "i.occurred_at AS day, l.city AS city, l.country AS country")
SIGNALS: LiteralString = (
    "MATCH (s:Signal)-[:ABOUT]->(p:Person) "
    "OPTIONAL MATCH (s)-[:NAMES]->(q:Person) OPTIONAL MATCH (s)-[:AT]->(l:Location) "
    "RETURN s.ref AS signal, s.kind AS kind, s.observed_at AS day, p.ref AS about, "
    "s.partners AS partners, "
    "q.ref AS names, l.city AS city, l.country AS country")
TIES: LiteralString = (
    f"MATCH (a:Person)-[r:{_TIE_TYPES}]->(b:Person) RETURN a.ref AS a, type(r) AS type, "
    "b.ref AS b")
DECLARED: LiteralString = (
    "MATCH (d:Delivery)-[r:DECLARES]->(p:Person) RETURN p.ref AS person, r.role AS role, "
    "d.partner AS partner")
STAYS: LiteralString = (
    "MATCH (p:Person)-[:STAYED_AT]->(l:Location) WHERE l.kind = 'shelter' "
    "RETURN p.ref AS person, l.ref AS location, l.city AS city")
IDENTIFIERS: LiteralString = (
    "MATCH (p:Person)-[r:USES]->(x:Identifier) RETURN p.ref AS person, x.ref AS identifier, "
    "x.kind AS kind, r.first_seen AS first_seen")


@dataclass
class Clusters:
    """Union-find over person references joined by SAME_AS."""

    parent: dict[str, str] = field(default_factory=dict)

    def find(self, ref: str) -> str:
        root = ref
        while (up := self.parent.get(root, root)) != root:
            root = up
        while (up := self.parent.get(ref, ref)) != root:  # path compression
            self.parent[ref] = root
            ref = up
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low


def _stream(store: Store, query: LiteralString) -> Iterator[dict[str, Any]]:
    with store.session(read_only=True) as session:
        for record in session.run(query):
            yield record.data()


def _day(value: Any) -> date | None:
    return value.to_native() if hasattr(value, "to_native") else value


def _add_edge(g: nx.Graph, a: Node, b: Node, rel: str) -> None:
    data = g.get_edge_data(a, b)
    if data is None:
        g.add_edge(a, b, types={rel})
    else:
        data["types"].add(rel)


def project(store: Store) -> nx.Graph:
    """The analysis graph of everything in ``store`` (see the module docstring)."""
    clusters = Clusters()
    for row in _stream(store, ALIASES):
        clusters.union(row["a"], row["b"])

    g = nx.Graph()

    def person(ref: str) -> Node:
        node = ("person", clusters.find(ref))
        if node not in g:
            g.add_node(node, kind="person", refs=set(), minor=False, adult_claimed=False,
                       partners=set(), shelters={}, declared_roles={})
        g.nodes[node]["refs"].add(ref)
        return node

    for row in _stream(store, PERSONS):
        node = person(row["ref"])
        attrs = g.nodes[node]
        attrs["minor"] = attrs["minor"] or bool(row["minor"])
        attrs["adult_claimed"] = attrs["adult_claimed"] or row["category"] == "adult"
        attrs["partners"].update(row["partners"] or ())
    for row in _stream(store, INVOLVEMENTS):
        incident = ("incident", row["incident"])
        if incident not in g:
            g.add_node(incident, kind="incident", incident_kind=row["kind"],
                       day=_day(row["day"]), city=row["city"], country=row["country"])
        _add_edge(g, person(row["person"]), incident, row["type"])
    for row in _stream(store, SIGNALS):
        signal = ("signal", row["signal"])
        g.add_node(signal, kind="signal", signal_kind=row["kind"], day=_day(row["day"]),
                   city=row["city"], country=row["country"], partners=set(row["partners"] or ()))
        _add_edge(g, signal, person(row["about"]), schema.Rel.ABOUT.value)
        if row["names"]:
            _add_edge(g, signal, person(row["names"]), schema.Rel.NAMES.value)
    for row in _stream(store, TIES):
        a, b = person(row["a"]), person(row["b"])
        if a != b:
            _add_edge(g, a, b, row["type"])
    for row in _stream(store, DECLARED):  # format 1.1: role -> the partners declaring it
        roles = g.nodes[person(row["person"])]["declared_roles"]
        roles.setdefault(row["role"], set()).add(row["partner"])
    for row in _stream(store, STAYS):  # a person's shelter placements: ref -> city
        g.nodes[person(row["person"])]["shelters"][row["location"]] = row["city"]
    for row in _stream(store, IDENTIFIERS):
        identifier = ("identifier", row["identifier"])
        if identifier not in g:
            g.add_node(identifier, kind="identifier", identifier_kind=row["kind"])
        who = person(row["person"])
        _add_edge(g, who, identifier, schema.Rel.USES.value)
        seen = _day(row["first_seen"])
        if seen is not None:  # the earliest any reference of the cluster was seen using it
            edge = g.edges[who, identifier]
            edge["first_seen"] = min(seen, edge.get("first_seen") or seen)
    return g
