"""The write API that ingest loads deliveries through. All of its Cypher is here.

Every write is a batched ``UNWIND $rows AS row MERGE …``, so loading the same rows twice
changes nothing, and records its provenance: the partner and delivery it came from are
added (once) to the ``partners`` and ``deliveries`` lists of every node and
relationship it touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, cast

from neo4j import Transaction

from graph import schema
from graph.schema import Label, Rel
from graph.store import Store

Row = dict[str, Any]

# Every write below seeks nodes through a unique index: no plan can beat that, whatever
# the graph's statistics. Without this, Neo4j re-plans a query each time the statistics
# of a young, fast-growing graph move, and the planning costs more than the writing
# (~120 ms for a 9-row batch, measured at synth scale 1).
REPLAN_SKIP = "CYPHER replan=skip "


def _prov(var: str) -> str:
    """Cypher that adds ``$partner`` and ``$delivery`` to ``var``'s provenance, once.

    A delivery has one partner, so when the delivery is listed the partner is too, and
    nothing is written: a person named in a thousand rows is updated once, and loading a
    delivery again writes nothing at all.
    """
    assert var.isidentifier()
    return (
        f" FOREACH (_ IN CASE WHEN $delivery IN coalesce({var}.deliveries, []) THEN [] "
        f"ELSE [1] END | SET {var}.deliveries = coalesce({var}.deliveries, []) + $delivery,"
        f" {var}.partners = CASE WHEN $partner IN coalesce({var}.partners, []) "
        f"THEN {var}.partners ELSE coalesce({var}.partners, []) + $partner END) "
    )


def _merge(pattern: str, var: str) -> str:
    """``MERGE pattern`` that records provenance on ``var``: set outright when created
    (the common case of a first load), added to when matched."""
    return (f" MERGE {pattern} ON CREATE SET {var}.partners = [$partner],"
            f" {var}.deliveries = [$delivery] {_prov(var)}")


def _person(var: str, column: str) -> str:
    return _merge(f"({var}:Person {{ref: row.{column}}})", var)


_INVOLVEMENT_TYPES = "|".join(schema.rel_type(r) for r in schema.INVOLVEMENT_ROLES.values())

# -- who is a minor -------------------------------------------------------------------
# Under 18 at an event, from the birth year alone: the year of the event minus the birth
# year is at most 17. (A difference of 18 may be 17 or 18 years old: not counted.)
# A person is labelled `Minor` when a minor at any recorded incident or signal, or, with
# no birth year, when a partner gave category `minor`. Decided in the writes themselves,
# for the rows they write, so no pass over the graph follows a delivery:
# - an involvement or signal only ever adds the label (`_minor_at`);
# - a person row decides again from all of the person's events (`_DECIDE`): its birth
#   year or category may arrive after the events it dates, from another partner, either way;
# - so does a corrected incident or signal date, for the persons it dates.
def _minor_on(when: str) -> str:
    """Cypher that is true when ``p`` was a minor at the event dated ``when``."""
    return f"{when}.year - p.birth_year <= 17"


_IS_MINOR = (
    "(p.birth_year IS NULL AND p.category = 'minor')"
    f" OR EXISTS {{ MATCH (p)-[:{_INVOLVEMENT_TYPES}]->(i:Incident)"
    f" WHERE {_minor_on('i.occurred_at')} }}"
    f" OR EXISTS {{ MATCH (s:Signal)-[:ABOUT]->(p) WHERE {_minor_on('s.observed_at')} }}"
)
_SET_OR_REMOVE = (
    " FOREACH (_ IN CASE WHEN minor THEN [1] ELSE [] END | SET p:Minor)"
    " FOREACH (_ IN CASE WHEN minor THEN [] ELSE [1] END | REMOVE p:Minor)"
)
# Each person `p` whose label is wrong, with `minor`, what it should be.
_WRONG = f" WITH p, {_IS_MINOR} AS minor WHERE minor <> (p:Minor)"
# Set or remove the label of each person `p` in the rows before it (drops the rows). The
# first WITH hides the rows' other variables from `_IS_MINOR`'s own `i` and `s`.
_DECIDE = " WITH p" + _WRONG + _SET_OR_REMOVE
# The same decision for named persons (retention: those who lost records but stay).
REDECIDE_MINORS = (
    "UNWIND $refs AS ref MATCH (p:Person {ref: ref})" + _WRONG
    + f" CALL (p, minor) {{{_SET_OR_REMOVE} }} IN TRANSACTIONS OF 10000 ROWS"
)


def _minor_at(when: str) -> str:
    """Cypher that labels ``p`` `Minor` if a minor at the event dated ``when``."""
    return (f" FOREACH (_ IN CASE WHEN {_minor_on(when)} AND NOT p:Minor"
            " THEN [1] ELSE [] END | SET p:Minor)")


def _dated(event: str, date: str) -> str:
    """Cypher that keeps ``event``'s ``date`` as ``dated``, before a SET may correct it
    (null for a new event): :func:`_redated` compares the two."""
    return f" WITH *, {event}.{date} AS dated"


def _redated(event: str, date: str, persons: str) -> str:
    """Cypher that decides again for the ``persons`` of ``event`` (a pattern binding
    ``p``) when the event's ``date`` was corrected since :func:`_dated` kept it."""
    return (f" WITH * CALL ({event}, dated) {{ WITH * WHERE dated <> {event}.{date}"
            f" MATCH {persons}{_DECIDE} }}")


# What a write's rows name that must exist: the label, and the column that names it.
Check = tuple[Label, str]
# What a batch named that exists nowhere: by check, the refs whose rows were not written.
Missing = dict[Check, set[str]]
AT_LOCATION: Check = (Label.LOCATION, "location_ref")
OF_INCIDENT: Check = (Label.INCIDENT, "incident_ref")
OF_PERSON: Check = (Label.PERSON, "person_ref")


def _checked(check: Check, var: str, body: str, *, optional: bool = False) -> str:
    """``body`` for the rows whose column names a node of the ``check``, bound to ``var``;
    the query returns how many rows it wrote. A row naming no such node is not written
    (``optional``: an empty ``column`` names nothing and is written).

    Rows whose node is missing are rare; :meth:`DeliveryWriter._write` looks them up
    only when the count falls short, rather than checking every batch beforehand.
    """
    label, column = check
    match = f"({var}:{schema.label(label)} {{ref: row.{column}}})"
    head = (f"UNWIND $rows AS row OPTIONAL MATCH {match}"
            f" WITH * WHERE {var} IS NOT NULL OR row.{column} IS NULL" if optional
            else f"UNWIND $rows AS row MATCH {match}")
    return f"{head}{body} RETURN count(*) AS written"


_MISSING = ("UNWIND $refs AS ref WITH ref WHERE NOT EXISTS {{ MATCH (:{label} {{ref: ref}}) }}"
            " RETURN collect(ref) AS missing")


LOCATIONS = (
    "UNWIND $rows AS row" + _merge("(l:Location {ref: row.location_ref})", "l") +
    " SET l.kind = row.kind, l.city = row.city, l.country = row.country,"
    " l.lat = coalesce(row.lat, l.lat), l.lon = coalesce(row.lon, l.lon),"
    " l.name = coalesce(row.name, l.name),"
    # where the coordinates come from: a partner's, or the gazetteer's (ingest/placing.py)
    " l.placed = CASE WHEN row.lat IS NOT NULL AND row.lon IS NOT NULL THEN 'delivery'"
    " ELSE l.placed END"
)

PERSONS = (
    "UNWIND $rows AS row" + _person("p", "person_ref") +
    " SET p.birth_year = coalesce(row.birth_year, p.birth_year),"
    " p.sex = coalesce(row.sex, p.sex), p.category = coalesce(row.category, p.category)"
    + _DECIDE
)

INCIDENTS = _checked(AT_LOCATION, "l",
    _merge("(i:Incident {ref: row.incident_ref})", "i") + _dated("i", "occurred_at") +
    " SET i.kind = row.kind, i.occurred_at = row.occurred_at,"
    " i.occurred_time = row.occurred_time, i.status = coalesce(row.status, i.status)"
    + _merge("(i)-[r:AT]->(l)", "r")
    + _redated("i", "occurred_at", f"(p:Person)-[:{_INVOLVEMENT_TYPES}]->(i)")
)


def _involvements(rel: Rel) -> str:
    return _checked(OF_INCIDENT, "i",
        _person("p", "person_ref") + _merge(f"(p)-[r:{schema.rel_type(rel)}]->(i)", "r")
        + _minor_at("i.occurred_at"))


SIGNALS = _checked(AT_LOCATION, "l",
    _person("p", "person_ref") +
    _merge("(s:Signal {ref: row.signal_ref})", "s") + _dated("s", "observed_at") +
    " SET s.kind = row.kind, s.observed_at = row.observed_at,"
    " s.observed_time = row.observed_time" + _merge("(s)-[a:ABOUT]->(p)", "a") +
    _minor_at("s.observed_at") + _redated("s", "observed_at", "(s)-[:ABOUT]->(p:Person)") +
    " WITH row, l, s"
    " CALL (s, l) { WITH * WHERE l IS NOT NULL" + _merge("(s)-[r:AT]->(l)", "r") + " }"
    " CALL (s, row) { WITH * WHERE row.related_person_ref IS NOT NULL"
    + _person("q", "related_person_ref") + _merge("(s)-[r:NAMES]->(q)", "r") + " }",
    optional=True)


def _relations(rel: Rel) -> str:
    return (
        "UNWIND $rows AS row" + _person("a", "person_ref") + _person("b", "other_ref")
        + _merge(f"(a)-[r:{schema.rel_type(rel)}]->(b)", "r")
        + " SET r.since = coalesce(row.since, r.since), r.until = coalesce(row.until, r.until)"
    )


STAYS = _checked(AT_LOCATION, "l",
    _person("p", "person_ref") +
    _merge("(p)-[r:STAYED_AT {from: row.from}]->(l)", "r") +
    " SET r.until = coalesce(row.until, r.until)"
)

# A partner's declaration (format 1.1) that a person is one of its professionals: only
# of a person already known (in this delivery or the graph); the delivery declares it.
PROFESSIONALS = _checked(OF_PERSON, "p",
    " MATCH (d:Delivery {ref: $delivery})" +
    _merge("(d)-[r:DECLARES {role: row.role}]->(p)", "r") +
    " SET r.since = coalesce(row.since, r.since), r.until = coalesce(row.until, r.until)"
)

IDENTIFIERS = (
    "UNWIND $rows AS row" + _person("p", "person_ref") +
    _merge("(x:Identifier {ref: row.identifier_ref})", "x") + " SET x.kind = row.kind" +
    _merge("(p)-[r:USES]->(x)", "r") +
    " SET r.first_seen = CASE WHEN row.observed_at IS NULL THEN r.first_seen"
    "   WHEN r.first_seen IS NULL OR row.observed_at < r.first_seen THEN row.observed_at"
    "   ELSE r.first_seen END,"
    " r.last_seen = CASE WHEN row.observed_at IS NULL THEN r.last_seen"
    "   WHEN r.last_seen IS NULL OR row.observed_at > r.last_seen THEN row.observed_at"
    "   ELSE r.last_seen END"
)

ALIASES = (
    "UNWIND $rows AS row" + _person("a", "person_ref") + _person("b", "other_ref") +
    _merge("(a)-[r:SAME_AS]->(b)", "r") +
    " SET r.basis = row.basis, r.established_at = coalesce(row.established_at, r.established_at)"
)

BEGIN_DELIVERY = (
    "MERGE (d:Delivery {ref: $delivery})"
    " ON CREATE SET d.loaded_at = datetime(), d.status = 'loading',"
    " d.partners = [$partner], d.deliveries = [$delivery]"
    " SET d += $props"
)
COMPLETE_DELIVERY = (
    "MATCH (d:Delivery {ref: $delivery})"
    " SET d += $counts,"
    " d.completed_at = CASE WHEN d.status = 'complete' THEN d.completed_at ELSE datetime() END,"
    " d.status = 'complete'"
)


@dataclass(frozen=True)
class DeliveryWriter:
    """Writes one delivery's rows, with its provenance, through ``store``."""

    store: Store
    partner: str
    delivery: str

    def _write(self, query: str, rows: Sequence[Row], check: Check | None = None) -> Missing:
        """Run a write over ``rows``. With ``check`` (label, column): the refs in that
        column that name no such node; their rows were not written (see ``_checked``)."""
        return self._write_parts([(query, rows, check)])

    def _write_parts(self, parts: Sequence[tuple[str, Sequence[Row], Check | None]]) -> Missing:
        """Several writes of one batch (one per relationship type) in one transaction:
        one commit, one flush of the transaction log, rather than one per type."""
        parts = [part for part in parts if part[1]]
        if not parts:
            return {}

        def work(tx: Transaction) -> Missing:
            missing: Missing = {}
            for query, rows, check in parts:
                sent = list(rows)
                try:
                    result = tx.run(cast(LiteralString, REPLAN_SKIP + query),
                                    {"rows": sent, "partner": self.partner,
                                     "delivery": self.delivery}).single()
                finally:
                    # The driver's result summary keeps the parameters, inside reference
                    # cycles that only Python's rare full collections free: every batch's
                    # rows stayed in memory long after it landed (120 MB at synth scale
                    # 100). Emptied, the list holds none of them.
                    sent.clear()
                if check is None or result is None or result["written"] == len(rows):
                    continue
                label, column = check
                refs = sorted({r[column] for r in rows if r.get(column)})
                found = tx.run(cast(LiteralString, _MISSING.format(label=schema.label(label))),
                               {"refs": refs}).single(strict=True)
                if found["missing"]:
                    missing.setdefault(check, set()).update(found["missing"])
            return missing

        return self.store.write(work)

    def begin(self, props: Row) -> None:
        self.store.run(BEGIN_DELIVERY, {"props": props, "partner": self.partner,
                                        "delivery": self.delivery})

    def complete(self, counts: Row) -> None:
        self.store.run(COMPLETE_DELIVERY, {"counts": counts, "delivery": self.delivery})

    # Each method below writes a batch of one file's rows and returns the refs to a
    # location or incident that is in neither the delivery nor the graph, with the
    # column that names them: the rows that name them are not written.

    def locations(self, rows: Sequence[Row]) -> Missing:
        return self._write(LOCATIONS, rows)

    def persons(self, rows: Sequence[Row]) -> Missing:
        return self._write(PERSONS, rows)

    def incidents(self, rows: Sequence[Row]) -> Missing:
        return self._write(INCIDENTS, rows, AT_LOCATION)

    def involvements(self, rows: Sequence[Row]) -> Missing:
        return self._write_parts([
            (_involvements(rel), [r for r in rows if r["role"] == role],
             OF_INCIDENT)
            for role, rel in schema.INVOLVEMENT_ROLES.items()])

    def signals(self, rows: Sequence[Row]) -> Missing:
        return self._write(SIGNALS, rows, AT_LOCATION)

    def relations(self, rows: Sequence[Row]) -> Missing:
        return self._write_parts([(_relations(rel), [r for r in rows if r["kind"] == kind], None)
                                  for kind, rel in schema.RELATION_KINDS.items()])

    def stays(self, rows: Sequence[Row]) -> Missing:
        return self._write(STAYS, rows, AT_LOCATION)

    def professionals(self, rows: Sequence[Row]) -> Missing:
        return self._write(PROFESSIONALS, rows, OF_PERSON)

    def identifiers(self, rows: Sequence[Row]) -> Missing:
        return self._write(IDENTIFIERS, rows)

    def aliases(self, rows: Sequence[Row]) -> Missing:
        return self._write(ALIASES, rows)
