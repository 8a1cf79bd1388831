"""The graph, projected from Neo4j into networkx for analysis.

Nodes are ``("person", cluster)``, ``("incident", ref)``, ``("signal", ref)`` and
``("identifier", ref)``. A person node stands for a whole alias cluster (references
joined by ``SAME_AS``): the cluster is named by its smallest reference and lists all of
them in ``refs``. Edges carry the relationship types between them in ``types``:
involvement roles (person-incident), ``ABOUT``/``NAMES`` (signal-person), ``USES``
(person-identifier), and known ties (person-person). Family and professional ties are
kept as edges so that the patterns can treat them as explanations. A person's shelter
placements are an attribute (``shelters``: location ref -> city), not nodes: a shelter
would tie together everyone ever placed there. Where a person lived (a stay at a
``residence``) is an attribute too (``homes``: location ref -> the first day and the last,
``None`` while still there), with the number of persons who ever stayed at each
residence in ``g.graph["residents"]``: a residence of a few is a household, one of many
a block or a neighbourhood (:func:`graph.analysis.counter.homes_shared` tells them apart).
The residences where youth care or child protection recorded a person's stay are kept in
``placed`` (only on the persons who have one): there the person was placed, a child with
a foster carer.
A signal keeps the kinds of the partners that recorded it (``partner_kinds``): an adult a
care partner names on a child's school absence is the one it reached, a parent or carer,
and that signal links no one (:func:`graph.analysis.patterns.named_contact`).

Records are streamed from Neo4j (the driver fetches in batches), so only the projection
itself is held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, LiteralString, cast

import networkx as nx

from graph import schema
from graph.store import Store

Node = tuple[str, str]

_ROLE_TYPES = "|".join(schema.rel_type(r) for r in schema.INVOLVEMENT_ROLES.values())
_TIE_TYPES = "|".join(schema.rel_type(r) for r in schema.RELATION_KINDS.values())

def _rows(match: str, *columns: str) -> LiteralString:
    """A query that returns the rows of ``match`` as lists of ``columns``, many rows to a
    record: the driver's cost is per record, and at a million rows one record per row
    was most of the projection's time."""
    return cast(LiteralString,
                f"{match} WITH [{', '.join(columns)}] AS row WITH collect(row) AS rows "
                "UNWIND range(0, size(rows) - 1, $chunk) AS i RETURN rows[i..i + $chunk]")


ALIASES = _rows("MATCH (a:Person)-[:SAME_AS]->(b:Person)", "a.ref", "b.ref")
PERSONS = _rows("MATCH (p:Person)", "p.ref", "p:Minor", "p.category", "p.partners",
                "p.codename", "p.birth_year IS NOT NULL OR p.category IS NOT NULL")
INVOLVEMENTS = _rows(
    f"MATCH (p:Person)-[r:{_ROLE_TYPES}]->(i:Incident) OPTIONAL MATCH (i)-[:AT]->(l:Location)",
    "p.ref", "type(r)", "i.ref", "i.kind", "i.occurred_at", "l.city", "l.country")
SIGNALS = _rows(
    "MATCH (s:Signal)-[:ABOUT]->(p:Person) "
    "OPTIONAL MATCH (s)-[:NAMES]->(q:Person) OPTIONAL MATCH (s)-[:AT]->(l:Location)",
    "s.ref", "s.kind", "s.observed_at", "p.ref", "s.partners", "q.ref", "l.city", "l.country",
    "l.ref", "l.kind")
PARTNER_KINDS = _rows("MATCH (d:Delivery) WITH DISTINCT d.partner AS partner, "
                      "d.partner_kind AS kind", "partner", "kind")
TIES = _rows(f"MATCH (a:Person)-[r:{_TIE_TYPES}]->(b:Person)", "a.ref", "type(r)", "b.ref")
DECLARED = _rows("MATCH (d:Delivery)-[r:DECLARES]->(p:Person)", "p.ref", "r.role", "d.partner")
STAYS = _rows("MATCH (p:Person)-[:STAYED_AT]->(l:Location) WHERE l.kind = 'shelter'",
              "p.ref", "l.ref", "l.city")
HOMES = _rows("MATCH (p:Person)-[s:STAYED_AT]->(l:Location) WHERE l.kind = 'residence'",
              "p.ref", "l.ref", "s.from", "s.until", "s.partners")
IDENTIFIERS = _rows("MATCH (p:Person)-[r:USES]->(x:Identifier)",
                    "p.ref", "x.ref", "x.kind", "r.first_seen")
CHUNK = 20_000  # rows to a record
# The partner kinds that place a child with a carer: a stay at a residence they recorded is
# a placement there (a foster home), not only where the child lived.
PLACING = frozenset({"youth_care", "child_protection"})


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


def _stream(store: Store, query: LiteralString) -> Iterator[list[Any]]:
    """The rows of one of the queries above, one at a time; the driver holds a couple of
    records (chunks of rows) at most."""
    with store.session(read_only=True, fetch_size=2) as session:
        for record in session.run(query, {"chunk": CHUNK}):
            yield from record[0]


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
    for a, b in _stream(store, ALIASES):
        clusters.union(a, b)

    g = nx.Graph()

    def person(ref: str) -> Node:
        node = ("person", clusters.find(ref))
        if node not in g:
            g.add_node(node, kind="person", refs=set(), minor=False, adult_claimed=False,
                       age_recorded=False, partners=set(), shelters={}, homes={},
                       declared_roles={})
        g.nodes[node]["refs"].add(ref)
        return node

    for ref, minor, category, partners, codename, aged in _stream(store, PERSONS):
        attrs = g.nodes[person(ref)]
        # a label for the reader (a person of unknown age may be a child), never a feature
        attrs["age_recorded"] = attrs["age_recorded"] or bool(aged)
        attrs["codename"] = attrs.get("codename") or codename  # a label, never a feature
        attrs["minor"] = attrs["minor"] or bool(minor)
        attrs["adult_claimed"] = attrs["adult_claimed"] or category == "adult"
        attrs["partners"].update(partners or ())
    for who, rel, ref, kind, day, city, country in _stream(store, INVOLVEMENTS):
        incident = ("incident", ref)
        if incident not in g:
            g.add_node(incident, kind="incident", incident_kind=kind, day=_day(day), city=city,
                       country=country)
        _add_edge(g, person(who), incident, rel)
    kind_of = dict(_stream(store, PARTNER_KINDS))  # partner -> its kind (police, youth_care)
    for ref, kind, day, about, partners, names, city, country, place, place_kind in _stream(
            store, SIGNALS):
        signal = ("signal", ref)
        g.add_node(signal, kind="signal", signal_kind=kind, day=_day(day), city=city,
                   country=country, partners=set(partners or ()),
                   partner_kinds={kind_of[p] for p in partners or () if p in kind_of},
                   shelter=place if place_kind == "shelter" else None)
        _add_edge(g, signal, person(about), schema.Rel.ABOUT.value)
        if names:
            _add_edge(g, signal, person(names), schema.Rel.NAMES.value)
    for a_ref, rel, b_ref in _stream(store, TIES):
        a, b = person(a_ref), person(b_ref)
        if a != b:
            _add_edge(g, a, b, rel)
    for ref, role, partner in _stream(store, DECLARED):  # format 1.1: role -> who declared
        g.nodes[person(ref)]["declared_roles"].setdefault(role, set()).add(partner)
    for ref, shelter, city in _stream(store, STAYS):  # shelter placements: ref -> city
        g.nodes[person(ref)]["shelters"][shelter] = city
    residents: dict[str, set[Node]] = {}
    for ref, home, start, until, partners in _stream(store, HOMES):  # where a person lived
        who = person(ref)
        if any(kind_of.get(p) in PLACING for p in partners or ()):
            # a care partner recorded the stay: a placement (kept only where there is one:
            # an empty set on each of a million persons is memory for nothing)
            g.nodes[who].setdefault("placed", set()).add(home)
        residents.setdefault(home, set()).add(who)
        stays = g.nodes[who]["homes"]
        first, last = _day(start), _day(until)
        if home in stays:  # several stays at one residence: from the first to the last
            was_first, was_last = stays[home]
            first = min(first, was_first)
            last = None if last is None or was_last is None else max(last, was_last)
        stays[home] = (first, last)
    g.graph["residents"] = {home: len(who) for home, who in residents.items()}
    for who_ref, ref, kind, first_seen in _stream(store, IDENTIFIERS):
        identifier = ("identifier", ref)
        if identifier not in g:
            g.add_node(identifier, kind="identifier", identifier_kind=kind)
        who = person(who_ref)
        _add_edge(g, who, identifier, schema.Rel.USES.value)
        seen = _day(first_seen)
        if seen is not None:  # the earliest any reference of the cluster was seen using it
            edge = g.edges[who, identifier]
            edge["first_seen"] = min(seen, edge.get("first_seen") or seen)
    return g
