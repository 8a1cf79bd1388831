"""A selection as FollowTheMoney entities (the model of Aleph and OpenAleph), one JSON
object per line: ``ftm import``/``aleph`` loads the file as it is.

How Schakel's records become entities:

- a person → ``Person``: the codename as its name, its refs (pseudonyms) as aliases,
  ``minor`` among its keywords when it is a minor; no sex, age or other attribute;
- an incident → ``Event``: kind and date, the place as its ``addressEntity``, the persons
  involved as ``involved``, and each one's role (suspect, collector, …) in its summary
  (FollowTheMoney has no role per involvement);
- a signal (a runaway or missing report, a claimed kinship) → ``Event`` too: its kind and
  date, the person it is about and the one it names as ``involved``;
- a place → ``Address``: name, city, country, coordinates;
- an identifier (a phone, an address, a vehicle, an account; its ref a pseudonym) →
  one ``Identification`` per person who uses it, with the pseudonym as ``number``, so
  Aleph's cross-referencing finds those who share one;
- a recorded family tie → ``Family``; a caseworker tie → ``Associate``; ``SAME_AS``
  merges the two refs into one person's aliases.

Every entity names its provenance: the partners as ``publisher``, and the deliveries in
``notes`` (an identification: its ``description``). Each is checked against
FollowTheMoney's own model before it is written (:func:`check`); the ids are stable (the
same record, the same id). Shelter stays are left out (FollowTheMoney has no fitting
schema): they are in the GraphML and the CSV set.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from followthemoney.schema import ValidationData

from graph.subgraph import PERSON_KINDS, GraphEdge, GraphNode, Subgraph

PREFIX = "schakel"
FAMILY = {"PARENT_OF": "parent", "SIBLING_OF": "sibling", "LEGAL_GUARDIAN_OF": "legal guardian",
          "HOUSEHOLD_MEMBER_OF": "household member", "PARTNER_OF": "partner"}
PROFESSIONAL = {"CASEWORKER_OF": "caseworker"}
# involvement and signal relationships as a role in an event's summary
ROLES = {"SUSPECT_IN": "suspect", "VICTIM_IN": "victim", "WITNESS_IN": "witness",
         "REPORTED": "reporter", "PRESENT_AT": "present", "COLLECTED_AFTER": "collector",
         "ABOUT": "about", "NAMES": "named"}


class InvalidEntity(ValueError):
    """An entity FollowTheMoney's model does not accept (a bug here, never user input)."""


def _id(*parts: str) -> str:
    proxy = model.make_entity("Thing")
    proxy.make_id(PREFIX, *parts)
    assert proxy.id is not None
    return proxy.id


def _provenance(proxy: EntityProxy, node: GraphNode) -> None:
    for partner in node.props.get("partners") or []:
        proxy.add("publisher", partner)
    deliveries = node.props.get("deliveries") or []
    if deliveries:  # Things keep notes; interval schemata (an identification) a description
        where = "notes" if "notes" in proxy.schema.properties else "description"
        proxy.add(where, "deliveries: " + ", ".join(map(str, deliveries)))


def _day(value: Any) -> str | None:
    return str(value)[:10] if value else None


def _country(value: Any) -> str | None:
    return str(value).lower() if value else None


def _entity(node: GraphNode, aliases: list[str]) -> EntityProxy | None:
    p = node.props
    if node.kind in PERSON_KINDS:
        proxy = model.make_entity("Person")
        proxy.add("name", p.get("codename") or node.ref)
        proxy.add("alias", sorted({node.ref, *aliases}))
        if node.kind == "minor":
            proxy.add("keywords", "minor")
    elif node.kind in ("incident", "signal"):
        proxy = model.make_entity("Event")
        kind = str(p.get("kind") or node.kind)
        proxy.add("name", f"{kind} {node.ref}")
        proxy.add("date", _day(p.get("occurred_at") or p.get("observed_at")))
        proxy.add("keywords", [node.kind, kind])
        proxy.add("recordId", node.ref)
        if p.get("status"):
            proxy.add("description", f"status: {p['status']}")
    elif node.kind == "location":
        proxy = model.make_entity("Address")
        proxy.add("name", p.get("name") or p.get("city") or node.ref)
        full = ", ".join(str(x) for x in (p.get("name"), p.get("city"), p.get("country")) if x)
        proxy.add("full", full or node.ref)
        proxy.add("city", p.get("city"))
        proxy.add("country", _country(p.get("country")))
        proxy.add("keywords", p.get("kind"))
        if p.get("lat") is not None and p.get("lon") is not None:
            proxy.add("latitude", str(p["lat"]))
            proxy.add("longitude", str(p["lon"]))
        proxy.add("remarks", f"ref {node.ref}")
    else:
        return None  # identifiers become identifications per holder; findings stay home
    proxy.id = _id(node.kind if node.kind not in PERSON_KINDS else "person", node.ref)
    _provenance(proxy, node)
    return proxy


def entities(sub: Subgraph) -> list[dict[str, Any]]:
    """The selection as FollowTheMoney entities (each a dict as ``EntityProxy.to_dict``)."""
    nodes = sub.nodes
    edges = [e for e in sub.edges if e.source in nodes and e.target in nodes]
    # SAME_AS: one person under several refs, as Schakel's analysis sees them
    root: dict[str, str] = {}

    def find(node_id: str) -> str:
        while root.get(node_id, node_id) != node_id:
            node_id = root[node_id]
        return node_id

    for e in edges:
        if e.type == "SAME_AS":
            a, b = sorted((find(e.source), find(e.target)))
            if a != b:
                root[b] = a
    merged = {node_id: find(node_id) for node_id in nodes if find(node_id) != node_id}
    aliases: dict[str, list[str]] = defaultdict(list)
    for other, keep in merged.items():
        aliases[keep].append(nodes[other].ref)
    made: dict[str, EntityProxy] = {}
    for node_id, node in nodes.items():
        if node_id in merged:
            continue
        proxy = _entity(node, aliases.get(node_id, []))
        if proxy is not None:
            made[node_id] = proxy
    for other, keep in merged.items():
        if keep in made:
            _provenance(made[keep], nodes[other])
    out = list(made.values())
    roles: dict[str, list[str]] = defaultdict(list)

    def holder(node_id: str) -> EntityProxy | None:
        return made.get(merged.get(node_id, node_id))

    for e in edges:
        source, target = holder(e.source), holder(e.target)
        if e.type in ROLES:
            person, event = (e.source, e.target) if nodes[e.source].kind in PERSON_KINDS \
                else (e.target, e.source)
            p, ev = holder(person), made.get(event)
            if p is not None and ev is not None:
                ev.add("involved", p.id)
                roles[event].append(f"{ROLES[e.type]}: {p.first('name')}")
        elif e.type == "AT" and source is not None and target is not None \
                and target.schema.name == "Address":
            source.add("addressEntity", target.id)
            source.add("location", target.first("name"))
        elif e.type in FAMILY or e.type in PROFESSIONAL:
            out.extend(_tie(e, source, target))
        elif e.type == "USES":
            out.extend(_identification(e, nodes, holder(e.source)))
    for event, said in roles.items():
        made[event].add("summary", "; ".join(sorted(said)))
    return [check(proxy) for proxy in out]


def _tie(edge: GraphEdge, source: EntityProxy | None, target: EntityProxy | None
         ) -> Iterator[EntityProxy]:
    if source is None or target is None:
        return
    family = edge.type in FAMILY
    proxy = model.make_entity("Family" if family else "Associate")
    proxy.id = _id("tie", edge.type, source.id or "", target.id or "")
    proxy.add("person", source.id)
    proxy.add("relative" if family else "associate", target.id)
    proxy.add("relationship", FAMILY.get(edge.type) or PROFESSIONAL[edge.type])
    for partner in edge.props.get("partners") or []:
        proxy.add("publisher", partner)
    yield proxy


def _identification(edge: GraphEdge, nodes: dict[str, GraphNode],
                    person: EntityProxy | None) -> Iterator[EntityProxy]:
    identifier = nodes[edge.target]
    if person is None or identifier.kind != "identifier":
        return
    proxy = model.make_entity("Identification")
    proxy.id = _id("identification", identifier.ref, person.id or "")
    proxy.add("holder", person.id)
    proxy.add("number", identifier.ref)
    proxy.add("type", identifier.props.get("kind") or "identifier")
    _provenance(proxy, identifier)
    yield proxy


def check(proxy: EntityProxy) -> dict[str, Any]:
    """``proxy`` as a dict, once FollowTheMoney's model accepts it: every value valid for
    its property's type, and every property its schema requires present."""
    data = proxy.to_dict()
    try:
        proxy.schema.validate(cast(ValidationData, data))
    except InvalidData as exc:
        raise InvalidEntity(f"{proxy.schema.name} {proxy.id}: {exc}") from None
    missing = sorted(name for name in proxy.schema.required if not proxy.get(name))
    if missing:
        raise InvalidEntity(f"{proxy.schema.name} {proxy.id}: missing {', '.join(missing)}")
    return data


def to_lines(sub: Subgraph) -> bytes:
    """The entities as JSON lines (``.ftm.json``), as ``ftm`` and Aleph read them."""
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n"
                   for e in entities(sub)).encode("utf-8")
