"""What a delivery added, as the standing rules read it: each record (an involvement in
an incident, a partner's signal about a person, a stay) with the person it names, that
person's aliases and which partners name each, and the runaway or missing reports about
them.

Two reads: :func:`records`, the records of the delivery itself (found by their
provenance); :func:`known`, the records of other deliveries about the minors this
delivery names. Nothing else of the graph is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, cast

from graph import schema
from graph.inbox.alerts import Evidence
from graph.store import Store

MISSING_KINDS = ("runaway", "missing")
_INVOLVEMENTS = "|".join(schema.rel_type(r) for r in schema.INVOLVEMENT_ROLES.values())
_ROLES = {rel.value: role for role, rel in schema.INVOLVEMENT_ROLES.items()}

# What a record says, for each kind of record `r` of a person `c` (an incident's
# involvement, a partner's signal about them, a stay), bound as ref, record, what, at,
# city, place and role; `{where}` limits the records.
def _records_of(person: str, where: str) -> str:
    return (
        f"MATCH ({person})-[r:{_INVOLVEMENTS}]->(i:Incident) WHERE {where} "
        "OPTIONAL MATCH (i)-[:AT]->(l:Location) "
        "RETURN r, i.ref AS ref, 'incident' AS record, i.kind AS what, "
        "left(toString(i.occurred_at), 10) AS at, l.city AS city, l.ref AS place, "
        "type(r) AS role "
        f"UNION ALL MATCH (s:Signal)-[r:ABOUT]->({person}) WHERE {where} "
        "OPTIONAL MATCH (s)-[:AT]->(l:Location) "
        "RETURN r, s.ref AS ref, 'signal' AS record, s.kind AS what, "
        "left(toString(s.observed_at), 10) AS at, l.city AS city, l.ref AS place, "
        "'about' AS role "
        f"UNION ALL MATCH ({person})-[r:STAYED_AT]->(l:Location) WHERE {where} "
        "RETURN r, l.ref AS ref, 'stay' AS record, l.kind AS what, "
        "left(toString(r.from), 10) AS at, l.city AS city, l.ref AS place, 'stayed' AS role")


# A person's aliases `cluster` (and which partners name each), and the runaway or missing
# reports about any of them; found once per person, not per record.
_CLUSTER = (
    "OPTIONAL MATCH (p)-[:SAME_AS*1..4]-(q:Person) "
    "WITH *, [p] + collect(DISTINCT q) AS cluster ")
_MINOR = "any(c IN cluster WHERE c:Minor)"
_PARTNERS = "reduce(acc = [], c IN cluster | acc + [x IN c.partners WHERE NOT x IN acc])"
_REPORTS = (
    "CALL (cluster) { UNWIND cluster AS c "
    "  OPTIONAL MATCH (m:Signal)-[:ABOUT]->(c) WHERE c:Minor AND m.kind IN $missing "
    "  RETURN collect(DISTINCT {ref: m.ref, kind: m.kind, partners: m.partners, "
    "    at: left(toString(m.observed_at), 10)}) AS reports } ")
_FIELDS = ("ref", "record", "what", "at", "city", "place", "role")
_FOUND = ("collect({" + ", ".join(f"{f}: {f}" for f in _FIELDS)
          + ", delivery: d.ref, partner: d.partner, partner_kind: d.partner_kind}) AS found ")
_ROWS = (
    "RETURN p.ref AS person, found, "
    "[c IN cluster | {ref: c.ref, partners: coalesce(c.partners, []), minor: c:Minor}] "
    "AS cluster, reports")


def _of_delivery(persons: str = "p:Person") -> str:
    """Cypher: the records of the delivery about ``persons``, grouped by person (``p``,
    with the delivery ``d`` and its records ``found``)."""
    return ("MATCH (d:Delivery {ref: $delivery}) CALL () { "
            + _records_of(persons, "$delivery IN r.deliveries").replace("RETURN r,",
                                                                         "RETURN p, r,")
            + " } WITH d, p, " + _FOUND)


# The records of the delivery (what it added or changed) that the cross-partner and
# missing-child rules can use: about a minor (under any alias) whom another partner's
# records also name, or who was reported runaway or missing.
NEW: LiteralString = cast(LiteralString, (
    _of_delivery() + _CLUSTER + "WITH * WHERE " + _MINOR + " " + _REPORTS
    + "WITH * WHERE size(reports) > 0 OR size(" + _PARTNERS + ") > 1 " + _ROWS))
# Every record of another delivery about a minor (or an alias of one) this delivery names
# and other partners know — but only where there can be something its partner was not
# told yet: a minor its partner knows through this delivery alone (no earlier delivery
# of the partner names it), a minor this delivery reports runaway or missing, or a person
# this delivery gives an alias (new records join the cluster). What else the partner
# knows it was told of as each record came.
KNOWN: LiteralString = cast(LiteralString, (
    "MATCH (d:Delivery {ref: $delivery}) "
    "OPTIONAL MATCH (o:Delivery {partner: d.partner}) WHERE o.ref <> $delivery "
    "WITH collect(o.ref) AS earlier "
    "MATCH (p:Person) WHERE $delivery IN p.deliveries "
    + _CLUSTER + "WITH * WHERE " + _MINOR + " AND size(" + _PARTNERS + ") > 1 "
    "AND (none(c IN cluster WHERE any(x IN c.deliveries WHERE x IN earlier)) "
    "  OR EXISTS { MATCH (p)-[s:SAME_AS]-() WHERE $delivery IN s.deliveries } "
    "  OR any(c IN cluster WHERE EXISTS { MATCH (m:Signal)-[a:ABOUT]->(c) "
    "    WHERE m.kind IN $missing AND $delivery IN a.deliveries })) "
    + _REPORTS + "CALL (cluster) { UNWIND cluster AS c CALL (c) { "
    + _records_of("c", "true") + " } "
    "MATCH (d:Delivery) WHERE d.ref IN r.deliveries AND d.ref <> $delivery "
    "RETURN " + _FOUND + "} " + _ROWS))
# The records of the delivery about watched persons (or their aliases), members of
# watched structures, at watched places or in watched cities.
WATCHED: LiteralString = cast(LiteralString, (
    "CALL () { UNWIND $persons AS ref MATCH (:Person {ref: ref})-[:SAME_AS*0..4]-(p:Person) "
    "RETURN p UNION UNWIND $structures AS ref "
    "MATCH (:Structure {ref: ref})-[:HAS_MEMBER]->(p:Person) RETURN p "
    "UNION MATCH (l:Location) WHERE l.ref IN $places OR toLower(l.city) IN $cities "
    "CALL (l) { MATCH (p:Person)-[:" + _INVOLVEMENTS + "]->(:Incident)-[:AT]->(l) RETURN p "
    "UNION MATCH (p:Person)<-[:ABOUT]-(:Signal)-[:AT]->(l) RETURN p "
    "UNION MATCH (p:Person)-[:STAYED_AT]->(l) RETURN p } RETURN p } "
    "WITH DISTINCT p MATCH (d:Delivery {ref: $delivery}) CALL (p, d) { "
    + _records_of("p", "$delivery IN r.deliveries") + " } WITH d, p, " + _FOUND
    + _CLUSTER + "WITH *, [] AS reports " + _ROWS))


@dataclass(frozen=True)
class Record:
    """One record of the delivery, about one person, with that person's aliases."""

    person: str
    evidence: Evidence
    place: str | None
    cluster: tuple[dict[str, Any], ...]
    reports: tuple[dict[str, Any], ...]

    @property
    def partner(self) -> str:
        return self.evidence.partner or ""

    @property
    def refs(self) -> set[str]:
        return {c["ref"] for c in self.cluster}

    def known_to(self, partner: str) -> list[str]:
        """The refs (of this person and its aliases) that ``partner``'s records name."""
        return sorted(c["ref"] for c in self.cluster if partner in c["partners"])

    def partners(self) -> set[str]:
        return {p for c in self.cluster for p in c["partners"]}

    @property
    def minor(self) -> bool:
        """A minor under this ref or one of its aliases."""
        return any(c["minor"] for c in self.cluster)


def _read(store: Store, query: LiteralString, delivery: str,
          **params: Any) -> list[Record]:
    rows = store.run(query, {"delivery": delivery, "missing": list(MISSING_KINDS), **params},
                     read_only=True)
    out = []
    for r in rows:
        cluster = tuple(r["cluster"])
        reports = tuple(x for x in r["reports"] if x["ref"])
        out += [Record(r["person"], Evidence(
            x["ref"], x["record"], x["what"] or "", x["at"], x["city"], x["partner"],
            x["partner_kind"], (x["delivery"],), _ROLES.get(x["role"], x["role"])),
            x["place"], cluster, reports) for x in r["found"]]
    return out


def records(store: Store, delivery: str) -> list[Record]:
    """The delivery's records about minors whom other partners know too, or who were
    reported runaway or missing: what the cross-partner and missing-child rules use."""
    return _read(store, NEW, delivery)


def known(store: Store, delivery: str) -> list[Record]:
    """Every record of another delivery about a minor the delivery names and another
    partner knows."""
    return _read(store, KNOWN, delivery)


def watched(store: Store, delivery: str, *, persons: Sequence[str] = (),
            structures: Sequence[str] = (), places: Sequence[str] = (),
            cities: Sequence[str] = ()) -> list[Record]:
    """The delivery's records about the watched persons (and their aliases), the members
    of watched structures, and at watched places or in watched cities (by name)."""
    if not (persons or structures or places or cities):
        return []
    return _read(store, WATCHED, delivery, persons=list(persons), structures=list(structures),
                 places=list(places), cities=[c.casefold() for c in cities])
