"""Withdrawals: a partner takes back a whole delivery, or single records of its own.

What rests only on withdrawn data leaves the graph; a record that another delivery (or
another partner) still supports stays, with that support as its only provenance — as
retention does it (:mod:`graph.retention`), with three differences, because a
withdrawal corrects a mistake rather than ends a term:

- findings and structures that used withdrawn data are **kept and marked out of date**
  (``out_of_date``, ``out_of_date_reason``: who withdrew what, when and why); the next
  analysis run ranks what remains, and the old finding still says why it changed;
- inbox signals resting on withdrawn data are marked (``withdrawn``), not deleted, so the
  partner that received one reads that its ground was since withdrawn;
- saved views that name a record that left the graph are marked likewise, and the
  exports made earlier that held a person concerned are listed from the audit log (a
  file that left cannot be called back: whoever made it is named, to be told).

A partner withdraws only its own data: its deliveries, and its own support of a record.
Every withdrawal is written to the audit log (``withdrawal.apply``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString, cast

from graph import codenames, schema
from graph.access import Viewer
from graph.errors import GraphError
from graph.retention import DATA_LABELS, TRIM_NODES, TRIM_RELS, counted, partners_of
from graph.reviews import DROP_ORPHANS
from graph.store import Store
from graph.writes import REDECIDE_MINORS

# A single record, as the withdrawal manifest names it: the file, and its key columns.
RECORD_LABELS: dict[str, schema.Label] = {
    "persons.csv": schema.Label.PERSON, "incidents.csv": schema.Label.INCIDENT,
    "signals.csv": schema.Label.SIGNAL, "locations.csv": schema.Label.LOCATION,
}


class WithdrawalRefused(GraphError):
    """A withdrawal that may not be applied (another partner's delivery, an unknown one)."""


@dataclass(frozen=True)
class Record:
    """One record a partner takes back: a node by its ref, or an involvement."""

    file: str
    ref: str  # the node's ref; for an involvement, the person's
    incident: str | None = None  # an involvement's incident
    role: str | None = None  # an involvement's role (its relationship type by the schema)


@dataclass
class Withdrawal:
    partner: str
    reason: str
    deliveries: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


@dataclass
class Report:
    deliveries: list[str]
    records: int = 0
    removed: dict[str, int] = field(default_factory=dict)  # nodes by label, "relationships"
    kept: dict[str, int] = field(default_factory=dict)  # still supported by other data
    findings_out_of_date: int = 0
    structures_out_of_date: int = 0
    signals_marked: int = 0
    views_marked: int = 0
    exports: list[dict[str, Any]] = field(default_factory=list)  # earlier exports concerned
    missing: list[str] = field(default_factory=list)  # records the partner never supported
    applied: bool = False


OWN_DELIVERIES: LiteralString = (
    "MATCH (d:Delivery) WHERE d.partner = $partner AND coalesce(d.status, '') <> 'removed' "
    "RETURN d.ref AS ref, d.status AS status")
MARK_FINDINGS: LiteralString = (
    "MATCH (a) WHERE (a:Finding OR a:Structure) AND (any(x IN a.deliveries WHERE x IN $gone) "
    "  OR EXISTS { MATCH (a)-[:CONCERNS|SUPPORTED_BY|HAS_MEMBER]->(n) WHERE n.ref IN $refs }) "
    "SET a.out_of_date = true, "
    "a.out_of_date_reason = coalesce(a.out_of_date_reason + '; ', '') + $why "
    "RETURN sum(CASE WHEN a:Finding THEN 1 ELSE 0 END) AS findings, "
    "sum(CASE WHEN a:Structure THEN 1 ELSE 0 END) AS structures")
MARK_ALERTS: LiteralString = (
    "MATCH (s:Alert) WHERE any(x IN s.deliveries WHERE x IN $gone) "
    "OR any(r IN s.subjects WHERE r IN $removed_refs) "
    "SET s.withdrawn = coalesce(s.withdrawn + '; ', '') + $why RETURN count(s) AS n")
MARK_VIEWS: LiteralString = (
    "MATCH (v:SavedView) WHERE any(r IN $removed_refs WHERE v.state CONTAINS r) "
    "SET v.withdrawn = coalesce(v.withdrawn + '; ', '') + $why RETURN count(v) AS n")
MARK_WITHDRAWN: LiteralString = (
    "MATCH (d:Delivery) WHERE d.ref IN $gone "
    "SET d.status = 'withdrawn', d.withdrawn_at = datetime(), d.withdrawn_reason = $reason")
# single records: this partner's support of one node (``x``), or of one involvement
ONE_NODE = "MATCH (x:{label} {{ref: $ref}}) WHERE any(d IN x.deliveries WHERE d IN $mine) "
ONE_INVOLVEMENT = ("MATCH (:Person {{ref: $ref}})-[x:{rel}]->(:Incident {{ref: $incident}}) "
                   "WHERE any(d IN x.deliveries WHERE d IN $mine) ")
SUPPORTED = "RETURN count(x) AS n"
# taken out of the record's support; a record left with none goes
TRIM_ONE = (
    "WITH x, [d IN x.deliveries WHERE NOT d IN $mine] AS left "
    "CALL (x, left) { "
    "  FOREACH (_ IN CASE WHEN size(left) = 0 THEN [1] ELSE [] END | DETACH DELETE x) "
    "  FOREACH (_ IN CASE WHEN size(left) > 0 THEN [1] ELSE [] END | "
    "    SET x.deliveries = left, x.partners = " + partners_of("left") + ") "
    "} RETURN size(left) = 0 AS gone")


def _why(withdrawal: Withdrawal, viewer: Viewer) -> str:
    day = datetime.now(UTC).date().isoformat()
    return (f"rests on data that {withdrawal.partner} withdrew on {day} "
            f"({withdrawal.reason}; applied by {viewer.user})")


def _exports(store: Store, persons: set[str]) -> list[dict[str, Any]]:
    """The exports (files that left the dashboard) that held one of ``persons``."""
    if not persons:
        return []
    return [{"seq": e["seq"], "at": e["at"], "user": e["user"], "action": e["action"],
             "case": e.get("case")}
            for e in store.audit.entries() if str(e.get("action", "")).startswith("export.")
            and persons & set(e.get("persons") or [])]


def apply(store: Store, viewer: Viewer, withdrawal: Withdrawal, *,
          dry_run: bool = False) -> Report:
    """Take back ``withdrawal`` (or, with ``dry_run``, only count what it would take)."""
    own = {r["ref"]: r["status"] for r in store.run(OWN_DELIVERIES,
                                                     {"partner": withdrawal.partner},
                                                     read_only=True)}
    foreign = [d for d in withdrawal.deliveries if d not in own]
    if foreign:
        raise WithdrawalRefused(
            f"{', '.join(foreign)}: not a delivery of {withdrawal.partner} in the graph (a "
            "partner withdraws its own deliveries; `schakel ingest` printed each one's ref)")
    gone = list(withdrawal.deliveries)
    report = Report(gone, len(withdrawal.records))
    params, kept_persons = counted(store, gone, report.removed, report.kept)
    partner_of = params["partner_of"]
    removed_refs: set[str] = set()
    if gone:
        removed_refs |= {r["ref"] for r in store.run(
            "MATCH (n) WHERE n.deliveries IS NOT NULL AND size(n.deliveries) > 0 "
            "AND all(x IN n.deliveries WHERE x IN $expired) AND n.ref IS NOT NULL "
            "AND NOT n:Finding AND NOT n:Structure AND NOT n:Alert "
            "RETURN n.ref AS ref", params, read_only=True)}
    mine = list(own)
    records = []  # those the partner supports: the others are named, and left as they are
    for record in withdrawal.records:
        supported = store.run(_one(record) + SUPPORTED, {
            "ref": record.ref, "mine": mine, "incident": record.incident},
            read_only=True)[0]["n"]
        if supported:
            records.append(record)
        else:
            report.missing.append(_name(record))
    touched = {r.ref for r in records} | {r.incident for r in records if r.incident}
    persons = (removed_refs | touched) & {r["ref"] for r in store.run(
        "MATCH (p:Person) WHERE p.ref IN $refs RETURN p.ref AS ref",
        {"refs": sorted(removed_refs | touched)}, read_only=True)}
    report.exports = _exports(store, persons)
    if dry_run:
        return report
    why = _why(withdrawal, viewer)
    marked = store.run(MARK_FINDINGS, {"gone": gone, "refs": sorted(removed_refs | touched),
                                       "why": why})[0]
    report.findings_out_of_date = marked["findings"] or 0
    report.structures_out_of_date = marked["structures"] or 0
    with store.session() as session:
        if gone:
            session.run(TRIM_RELS, params).consume()
            for lab in DATA_LABELS:
                session.run(cast(LiteralString, TRIM_NODES.format(label=lab.value)),
                            params).consume()
    for record in records:
        rows = store.run(_one(record) + TRIM_ONE, {"ref": record.ref, "mine": mine,
                                                   "incident": record.incident,
                                                   "partner_of": partner_of})
        if rows and rows[0]["gone"] and record.incident is None:
            removed_refs.add(record.ref)
            report.removed[RECORD_LABELS[record.file].value] = \
                report.removed.get(RECORD_LABELS[record.file].value, 0) + 1
        elif rows and rows[0]["gone"]:
            report.removed["relationships"] = report.removed.get("relationships", 0) + 1
    report.signals_marked = store.run(MARK_ALERTS, {"gone": gone, "why": why,
                                                    "removed_refs": sorted(removed_refs)}
                                      )[0]["n"]
    report.views_marked = store.run(MARK_VIEWS, {"removed_refs": sorted(removed_refs),
                                                 "why": why})[0]["n"]
    store.run(DROP_ORPHANS)
    store.run(cast(LiteralString, REDECIDE_MINORS),
              {"refs": sorted(set(kept_persons) | persons)})
    if gone:
        store.run(MARK_WITHDRAWN, {"gone": gone, "reason": withdrawal.reason})
    codenames.refresh(store)  # an alias link that went may have split a person in two
    report.applied = True
    store.audit.record(viewer, "withdrawal.apply", {
        "partner": withdrawal.partner, "reason": withdrawal.reason, "deliveries": gone,
        "records": [_name(r) for r in withdrawal.records], "removed": report.removed,
        "findings_out_of_date": report.findings_out_of_date,
        "signals_marked": report.signals_marked, "views_marked": report.views_marked,
        "exports_concerned": len(report.exports)}, records=0,
        persons=sorted(persons))
    return report


def _name(record: Record) -> str:
    if record.incident is not None:
        return f"{record.file}: {record.ref} {record.role} in {record.incident}"
    return f"{record.file}: {record.ref}"


def _one(record: Record) -> LiteralString:
    """Cypher that binds ``x`` to the record (a node, or an involvement) if this partner
    (``$mine``: its deliveries) supports it."""
    if record.incident is not None:
        rel = schema.rel_type(schema.INVOLVEMENT_ROLES[record.role or ""].value)
        return cast(LiteralString, ONE_INVOLVEMENT.format(rel=rel))
    return cast(LiteralString, ONE_NODE.format(
        label=schema.label(RECORD_LABELS[record.file].value)))
