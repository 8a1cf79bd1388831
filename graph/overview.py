"""Reads for the overview and the candidates list: counts, deliveries, time, places, runs."""

from __future__ import annotations

import json
from typing import Any, LiteralString

from graph.access import Capability, Viewer
from graph.explore import plain
from graph.store import Store

DELIVERIES: LiteralString = (
    "MATCH (d:Delivery) RETURN d.ref AS delivery, d.partner AS partner, "
    "d.partner_kind AS kind, d.extracted_at AS extracted_at, d.loaded_at AS loaded_at, "
    "d.status AS status, d.rows_loaded AS rows_loaded, d.rows_rejected AS rows_rejected "
    "ORDER BY d.loaded_at")
BY_PARTNER: LiteralString = (
    "CALL () { MATCH (n:Person) UNWIND n.partners AS partner "
    "RETURN partner, 'Person' AS label, count(*) AS n "
    "UNION ALL MATCH (n:Incident) UNWIND n.partners AS partner "
    "RETURN partner, 'Incident' AS label, count(*) AS n "
    "UNION ALL MATCH (n:Signal) UNWIND n.partners AS partner "
    "RETURN partner, 'Signal' AS label, count(*) AS n } "
    "RETURN partner, label, n ORDER BY partner, label")
BY_MONTH: LiteralString = (
    "MATCH (i:Incident) "
    "RETURN toString(date.truncate('month', date(i.occurred_at))) AS month, i.kind AS kind, "
    "count(*) AS incidents ORDER BY month, kind")
BY_PLACE: LiteralString = (
    "MATCH (i:Incident)-[:AT]->(l:Location) "
    "RETURN l.city AS city, coalesce(l.country, 'NL') AS country, avg(l.lat) AS lat, "
    "avg(l.lon) AS lon, count(i) AS incidents ORDER BY incidents DESC")
RUNS: LiteralString = (
    "MATCH (f:Finding) WITH f.run_id AS run, f.run_at AS at, f.parameters AS parameters, "
    "count(f) AS findings "
    "OPTIONAL MATCH (s:Structure {run_id: run}) "
    "RETURN run, at, parameters, findings, count(s) AS structures ORDER BY at DESC LIMIT $n")
FINDINGS: LiteralString = (
    "MATCH (f:Finding {run_id: $run}) "
    "OPTIONAL MATCH (s:Structure {run_id: $run})"
    "-[:HAS_MEMBER {role: 'core'}]->(:Person {ref: f.person_ref}) "
    "WITH f, collect(s.ref)[0] AS structure "
    "RETURN f.ref AS finding, f.rank AS rank, f.score AS score, f.person_ref AS person_ref, "
    "f.aliases AS aliases, f.patterns AS patterns, f.indicators AS indicators, structure "
    "ORDER BY f.rank LIMIT $limit")
STRUCTURE: LiteralString = (
    "MATCH (s:Structure {ref: $ref})-[m:HAS_MEMBER]->(p:Person) "
    "RETURN p.ref AS ref, m.role AS role ORDER BY m.role, p.ref")


def counts(store: Store, viewer: Viewer) -> dict[str, int]:
    viewer.require(Capability.OVERVIEW)
    return store.count_nodes()


def deliveries(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return plain(store.run(DELIVERIES, read_only=True))


def by_partner(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_PARTNER, read_only=True)


def incidents_by_month(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_MONTH, read_only=True)


def incidents_by_place(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_PLACE, read_only=True)


def runs(store: Store, viewer: Viewer, *, n: int = 10) -> list[dict[str, Any]]:
    """The latest analysis runs, newest first, with their parameters."""
    viewer.require(Capability.OVERVIEW)
    rows = plain(store.run(RUNS, {"n": n}, read_only=True))
    for row in rows:
        row["parameters"] = json.loads(row["parameters"]) if row["parameters"] else {}
    return rows


def findings(store: Store, viewer: Viewer, run_id: str, *, limit: int = 200
             ) -> list[dict[str, Any]]:
    """The findings of a run, best first, with their pattern hits and evidence refs."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(FINDINGS, {"run": run_id, "limit": limit}, read_only=True)
    for row in rows:
        row["indicators"] = json.loads(row["indicators"]) if row["indicators"] else []
    return rows


def structure(store: Store, viewer: Viewer, ref: str) -> list[dict[str, Any]]:
    """The members of a structure with their role in it (core, minor, helper)."""
    viewer.require(Capability.EXPLORE)
    return store.run(STRUCTURE, {"ref": ref}, read_only=True)
