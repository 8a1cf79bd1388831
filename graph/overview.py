"""Reads for the overview and the candidates list: counts, deliveries, time, places, runs."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, LiteralString

from graph import codenames
from graph.access import Capability, Viewer
from graph.explore import SHARED_WITH_ME
from graph.store import Store, plain

# $partner limits a care partner's users to their own partner's records.
COUNTS: LiteralString = (
    "CALL () { MATCH (n:Person) WHERE $partner IN n.partners RETURN 'Person' AS label, "
    "count(n) AS n UNION ALL MATCH (n:Minor) WHERE $partner IN n.partners "
    "RETURN 'Minor' AS label, count(n) AS n UNION ALL MATCH (n:Incident) "
    "WHERE $partner IN n.partners RETURN 'Incident' AS label, count(n) AS n "
    "UNION ALL MATCH (n:Signal) WHERE $partner IN n.partners RETURN 'Signal' AS label, "
    "count(n) AS n UNION ALL MATCH (n:Location) WHERE $partner IN n.partners "
    "RETURN 'Location' AS label, count(n) AS n UNION ALL MATCH (n:Identifier) "
    "WHERE $partner IN n.partners RETURN 'Identifier' AS label, count(n) AS n "
    "UNION ALL MATCH (n:Delivery {partner: $partner}) RETURN 'Delivery' AS label, "
    "count(n) AS n } RETURN label, n")
DELIVERIES: LiteralString = (
    "MATCH (d:Delivery) WHERE $partner IS NULL OR d.partner = $partner "
    "RETURN d.ref AS delivery, d.partner AS partner, "
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
    "WITH partner, label, n WHERE $partner IS NULL OR partner = $partner "
    "RETURN partner, label, n ORDER BY partner, label")
BY_MONTH: LiteralString = (
    "MATCH (i:Incident) WHERE $partner IS NULL OR $partner IN i.partners "
    "RETURN toString(date.truncate('month', date(i.occurred_at))) AS month, i.kind AS kind, "
    "count(*) AS incidents ORDER BY month, kind")
BY_PLACE: LiteralString = (
    "MATCH (i:Incident)-[:AT]->(l:Location) WHERE $partner IS NULL OR $partner IN i.partners "
    "RETURN l.city AS city, coalesce(l.country, 'NL') AS country, avg(l.lat) AS lat, "
    "avg(l.lon) AS lon, count(i) AS incidents ORDER BY incidents DESC")
RUNS: LiteralString = (
    "MATCH (f:Finding) WITH f.run_id AS run, f.run_at AS at, f.parameters AS parameters, "
    "count(CASE WHEN " + SHARED_WITH_ME + " THEN f END) AS findings "
    "OPTIONAL MATCH (s:Structure {run_id: run}) "
    "RETURN run, at, parameters, findings, count(s) AS structures ORDER BY at DESC LIMIT $n")
# $bands: the bands listed (None: all); a finding of a run before the bands has none and
# is always listed.
IN_BANDS = "($bands IS NULL OR f.band IS NULL OR f.band IN $bands)"
FINDINGS: LiteralString = (
    "MATCH (f:Finding {run_id: $run}) "
    "WHERE " + SHARED_WITH_ME + " AND " + IN_BANDS + " "
    "OPTIONAL MATCH (s:Structure {run_id: $run})"
    "-[:HAS_MEMBER {role: 'core'}]->(:Person {ref: f.person_ref}) "
    "WITH f, collect(s.ref)[0] AS structure "
    "RETURN f.ref AS finding, f.rank AS rank, f.score AS score, f.person_ref AS person_ref, "
    "f.aliases AS aliases, f.patterns AS patterns, f.indicators AS indicators, structure, "
    "coalesce(f.shared_with, []) AS shared_with, f.band AS band, "
    "f.counter_evidence AS counter_evidence, f.minors AS minors, "
    "f.out_of_date_reason AS out_of_date, f.age_recorded AS age_recorded, "
    "f.guardian_like AS guardian_like, f.contact_of AS contact_of, "
    "COLLECT { MATCH (p:Person {ref: f.person_ref}) RETURN p.codename }[0] AS codename "
    "ORDER BY f.rank LIMIT $limit")
BANDS: LiteralString = (
    "MATCH (f:Finding {run_id: $run}) WHERE " + SHARED_WITH_ME + " "
    "RETURN f.band AS band, count(*) AS n")
SHARE: LiteralString = (
    "MATCH (f:Finding {ref: $finding}) SET f.shared_with = $teams, "
    "f.shared_by = $user, f.shared_at = datetime() RETURN f.person_ref AS person")
STRUCTURE: LiteralString = (
    "MATCH (s:Structure {ref: $ref})-[m:HAS_MEMBER]->(p:Person) "
    "WHERE $partner IS NULL OR $partner IN p.partners "
    "RETURN p.ref AS ref, p.codename AS codename, m.role AS role ORDER BY m.role, p.ref")


def contacts_seen(named: list[dict[str, Any]], partner: str | None) -> list[dict[str, Any]]:
    """A finding's contact note (``contact_of``) as ``partner``'s user may read it: how many
    signals named the person about a child, by that partner or by another that goes
    unnamed; never the child. Everyone else reads it whole (``partner`` is ``None``)."""
    if partner is None:
        return named
    return [{"partners": [p for p in entry["partners"] if p == partner],
             "signals": len(entry["signals"])} for entry in named]


def _mine(viewer: Viewer) -> dict[str, Any]:
    return {"partner": viewer.only_partner}


def counts(store: Store, viewer: Viewer) -> dict[str, int]:
    """Nodes per label: all of them, or a care partner's own."""
    viewer.require(Capability.OVERVIEW)
    if viewer.only_partner is None:
        return store.count_nodes()
    return {r["label"]: r["n"] for r in store.run(COUNTS, _mine(viewer), read_only=True)}


def deliveries(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return plain(store.run(DELIVERIES, _mine(viewer), read_only=True))


def by_partner(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_PARTNER, _mine(viewer), read_only=True)


def incidents_by_month(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_MONTH, _mine(viewer), read_only=True)


def incidents_by_place(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_PLACE, _mine(viewer), read_only=True)


def runs(store: Store, viewer: Viewer, *, n: int = 10) -> list[dict[str, Any]]:
    """The latest analysis runs, newest first, with their parameters and how many
    findings the viewer may see: all of them, or for a care partner's user those an
    investigator shared with one of its teams (as :func:`findings` lists them)."""
    viewer.require(Capability.OVERVIEW)
    rows = plain(store.run(RUNS, {"n": n, "teams": list(viewer.teams), **_mine(viewer)},
                           read_only=True))
    for row in rows:
        row["parameters"] = json.loads(row["parameters"]) if row["parameters"] else {}
    return rows


def bands(store: Store, viewer: Viewer, run_id: str) -> dict[str | None, int]:
    """How many findings of a run the viewer may see, per band (``None``: a run before the
    bands). Counts only: no person is read."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(BANDS, {"run": run_id, "teams": list(viewer.teams), **_mine(viewer)},
                     read_only=True)
    return {r["band"]: r["n"] for r in rows}


def findings(store: Store, viewer: Viewer, run_id: str, *, limit: int = 200,
             bands: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The findings of a run, best first, with their pattern hits and evidence refs (for a
    care partner's user: only those an investigator shared with one of its teams); only
    those of ``bands`` when given (the persons of the others are not read)."""
    viewer.require(Capability.EXPLORE)
    chosen = None if bands is None else sorted(bands)
    rows = store.run(FINDINGS, {"run": run_id, "limit": limit, "teams": list(viewer.teams),
                                "bands": chosen, **_mine(viewer)}, read_only=True)
    for row in rows:
        for field in ("indicators", "counter_evidence", "minors", "contact_of"):
            row[field] = json.loads(row[field]) if row[field] else []
        row["contact_of"] = contacts_seen(row["contact_of"], viewer.only_partner)
    # the codenames the team says for the minors a score rests on and those a care partner
    # named the person the contact of (a person's aliases go by the person's own)
    named = [m for r in rows for m in (*r["minors"], *r["contact_of"]) if "ref" in m]
    names = codenames.lookup(store, [m["ref"] for m in named])
    for minor in named:
        minor["codename"] = names.get(minor["ref"])
    # The page names each finding's person, the refs merged into it as aliases, and the
    # minors its score rests on.
    store.audit.record(viewer, "candidates.findings",
                       {"run": run_id, "limit": limit}
                       | ({} if chosen is None else {"bands": chosen}),
                       records=len(rows),
                       persons=list(dict.fromkeys(
                           p for r in rows for p in (r["person_ref"], *(r["aliases"] or ()),
                                                     *(m["ref"] for m in r["minors"]),
                                                     *(m["ref"] for m in r["contact_of"]
                                                       if "ref" in m)))))
    return rows


def share(store: Store, viewer: Viewer, finding: str, teams: list[str]) -> None:
    """Share a finding with teams (care partners' users see only shared findings)."""
    viewer.require(Capability.SHARE)
    rows = store.run(SHARE, {"finding": finding, "teams": sorted(set(teams)),
                             "user": viewer.user})
    store.audit.record(viewer, "findings.share", {"finding": finding, "teams": sorted(teams)},
                       records=len(rows), persons=[r["person"] for r in rows])


def structure(store: Store, viewer: Viewer, ref: str) -> list[dict[str, Any]]:
    """The members of a structure with their role in it (core, minor, helper)."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(STRUCTURE, {"ref": ref, **_mine(viewer)}, read_only=True)
    store.audit.record(viewer, "candidates.structure", {"structure": ref}, records=len(rows),
                       persons=[r["ref"] for r in rows])
    return rows
