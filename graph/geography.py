"""Reads for the map: incidents per place and per country, the places of persons over
time (incidents, signals, stays) and the places that could not be placed.

The dashboard draws them (``dashboard/map_view.py``). As everywhere, a care partner's user
reads only its own partner's records (``$partner``), and a read that names persons is
audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString, cast

from graph import schema
from graph.access import Capability, Viewer
from graph.store import Store, plain
from graph.words import word

# How a person takes part in an incident: the schema's involvement types, as analysis
# reads them too (graph/analysis/projection.py).
_ROLES = cast(LiteralString,
              "|".join(schema.rel_type(r) for r in schema.INVOLVEMENT_ROLES.values()))

BY_PLACE: LiteralString = (
    "MATCH (i:Incident)-[:AT]->(l:Location) "
    "WHERE ($partner IS NULL OR $partner IN i.partners) "
    "AND ($since IS NULL OR date(i.occurred_at) >= date($since)) "
    "AND ($until IS NULL OR date(i.occurred_at) <= date($until)) "
    "WITH l.city AS city, coalesce(l.country, 'NL') AS country, "
    "avg(l.lat) AS lat, avg(l.lon) AS lon, count(DISTINCT i) AS incidents "
    "RETURN city, country, lat, lon, incidents ORDER BY incidents DESC, city")
# Each ref's alias cluster: a person's places are those of all of its refs.
CLUSTERS: LiteralString = (
    "UNWIND $refs AS ref MATCH (p:Person {ref: ref}) "
    "MATCH (p)-[:SAME_AS*0..]-(q:Person) RETURN ref, collect(DISTINCT q.ref) AS members")
TRACKS: LiteralString = (
    "UNWIND $refs AS ref MATCH (p:Person {ref: ref}) "
    "CALL (p) { "
    "  MATCH (p)-[r:" + _ROLES + "]->(i:Incident)-[:AT]->(l:Location) "
    "  WHERE ($partner IS NULL OR $partner IN i.partners) "
    "  RETURN 'incident' AS record, i.ref AS rec, i.kind AS what, "
    "  toString(i.occurred_at) AS at, type(r) AS how, l "
    "  UNION "
    "  MATCH (s:Signal)-[:ABOUT]->(p) MATCH (s)-[:AT]->(l:Location) "
    "  WHERE ($partner IS NULL OR $partner IN s.partners) "
    "  RETURN 'signal' AS record, s.ref AS rec, s.kind AS what, "
    "  toString(s.observed_at) AS at, 'ABOUT' AS how, l "
    "  UNION "
    "  MATCH (p)-[st:STAYED_AT]->(l:Location) "
    "  WHERE ($partner IS NULL OR $partner IN st.partners) "
    "  RETURN 'stay' AS record, l.ref AS rec, l.kind AS what, "
    "  toString(st.from) AS at, 'STAYED_AT' AS how, l "
    "} "
    "WITH p, record, rec, what, at, how, l WHERE at IS NOT NULL "
    "AND ($since IS NULL OR date(left(at, 10)) >= date($since)) "
    "AND ($until IS NULL OR date(left(at, 10)) <= date($until)) "
    "RETURN p.ref AS ref, p.codename AS codename, p:Minor AS minor, record, rec, what, "
    "left(at, 10) AS at, how, l.ref AS place_ref, l.name AS place, l.city AS city, "
    "coalesce(l.country, 'NL') AS country, l.lat AS lat, l.lon AS lon, "
    "l.unplaced AS unplaced ORDER BY ref, at, record, rec")
# The minors an adult was at incidents with: whose routes the adult's map shows.
MINORS_WITH: LiteralString = (
    "MATCH (a:Person {ref: $ref})-[:" + _ROLES + "]->(i:Incident)<-[:" + _ROLES + "]-(m:Minor) "
    "WHERE m <> a AND ($partner IS NULL OR $partner IN i.partners) "
    "RETURN m.ref AS ref, count(DISTINCT i) AS together ORDER BY together DESC, ref LIMIT $n")
UNPLACED: LiteralString = (
    "MATCH (l:Location) WHERE l.unplaced IS NOT NULL "
    "AND ($partner IS NULL OR $partner IN l.partners) "
    "OPTIONAL MATCH (i:Incident)-[:AT]->(l) "
    "RETURN l.ref AS ref, l.city AS city, coalesce(l.country, 'NL') AS country, "
    "l.unplaced AS reason, count(i) AS incidents ORDER BY incidents DESC, ref")


@dataclass(frozen=True)
class Stop:
    """A person at a place on a day: an incident, a signal about them, or a stay."""

    at: str  # the day, ISO
    record: str  # incident, signal, stay
    ref: str  # the record's ref (a stay: the place's)
    what: str  # its kind
    how: str  # the relationship: SUSPECT_IN, ABOUT, STAYED_AT …
    place: str | None
    city: str
    country: str
    lat: float | None
    lon: float | None
    unplaced: str | None  # why the place has no coordinates


@dataclass(frozen=True)
class Track:
    """A person's stops in time order; a minor's is a route."""

    ref: str
    codename: str | None
    minor: bool
    stops: tuple[Stop, ...]

    @property
    def placed(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.lat is not None and s.lon is not None)


def _window(viewer: Viewer, since: date | None, until: date | None) -> dict[str, Any]:
    return {"partner": viewer.only_partner,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None}


def by_place(store: Store, viewer: Viewer, *, since: date | None = None,
             until: date | None = None) -> list[dict[str, Any]]:
    """Incidents per city (municipality) with its coordinates, most first: counts only."""
    viewer.require(Capability.OVERVIEW)
    return store.run(BY_PLACE, _window(viewer, since, until), read_only=True)


def by_country(places: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Incidents per country, from :func:`by_place`'s rows."""
    counts: dict[str, int] = {}
    for p in places:
        counts[p["country"]] = counts.get(p["country"], 0) + int(p["incidents"])
    return counts


def minors_with(store: Store, viewer: Viewer, ref: str, *, n: int = 25) -> list[str]:
    """The minors ``ref`` was at the same incidents with, most incidents first."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(MINORS_WITH, {"ref": ref, "n": n, "partner": viewer.only_partner},
                     read_only=True)
    return [r["ref"] for r in rows]


def tracks(store: Store, viewer: Viewer, refs: Sequence[str], *, since: date | None = None,
           until: date | None = None) -> list[Track]:
    """The stops of each of ``refs``' persons (alias clusters: a person once, under the
    first of its refs given) in time order, within the window: what the map draws for a
    person or a structure. Audited: it names the persons."""
    viewer.require(Capability.EXPLORE)
    person_of: dict[str, str] = {}  # member ref -> the ref its person is shown under
    for r in store.run(CLUSTERS, {"refs": list(dict.fromkeys(refs))}, read_only=True):
        if r["ref"] in person_of:
            continue  # an alias of a person already given
        for member in r["members"]:
            person_of.setdefault(member, r["ref"])
    rows = plain(store.run(TRACKS, {"refs": sorted(person_of), **_window(viewer, since, until)},
                           read_only=True))
    stops: dict[str, list[Stop]] = {}
    who: dict[str, tuple[str | None, bool]] = {}
    for r in rows:
        key = person_of[r["ref"]]
        codename, minor = who.get(key, (None, False))
        who[key] = (codename or r["codename"], minor or bool(r["minor"]))
        stops.setdefault(key, []).append(Stop(
            r["at"], r["record"], r["rec"], word(r["what"]) or r["record"], r["how"], r["place"],
            r["city"] or "", r["country"], r["lat"], r["lon"], r["unplaced"]))
    shown = list(dict.fromkeys(person_of.values()))
    found = [Track(ref, *who[ref], tuple(sorted(stops[ref], key=lambda s: (s.at, s.record,
                                                                           s.ref))))
             for ref in shown if ref in who]
    store.audit.record(viewer, "map.tracks", {"refs": len(refs), "since": since, "until": until},
                       records=len(rows), persons=sorted({r["ref"] for r in rows}))
    return found


def unplaced(store: Store, viewer: Viewer) -> list[dict[str, Any]]:
    """The places that could not be placed, with why and how many incidents they hold."""
    viewer.require(Capability.OVERVIEW)
    return store.run(UNPLACED, {"partner": viewer.only_partner}, read_only=True)
