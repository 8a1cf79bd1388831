"""Give coordinates to the places of a delivery that came without them, from the bundled
gazetteer (:mod:`ingest.gazetteer`); list those that cannot be placed, never drop them.

A place keeps where its coordinates came from in ``placed``: ``delivery`` (the partner
gave them) or ``gazetteer``. A place the gazetteer placed is placed again when a later
delivery names it, as its city may have been corrected; a partner's coordinates are never
overwritten. A place that cannot be placed keeps no coordinates and says why in
``unplaced``; the map lists it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import LiteralString

from graph.store import Store
from ingest import gazetteer

TO_PLACE: LiteralString = (
    "MATCH (l:Location) WHERE $delivery IN l.deliveries "
    "AND (l.lat IS NULL OR l.lon IS NULL OR l.placed = 'gazetteer') "
    "RETURN l.ref AS ref, l.city AS city, l.country AS country ORDER BY ref")
PLACE: LiteralString = (
    "UNWIND $rows AS row MATCH (l:Location {ref: row.ref}) "
    "SET l.lat = row.lat, l.lon = row.lon, l.placed = 'gazetteer', "
    "l.geonameid = row.geonameid, l.unplaced = null")
UNPLACE: LiteralString = (
    "UNWIND $rows AS row MATCH (l:Location {ref: row.ref}) "
    "SET l.unplaced = row.reason, l.lat = null, l.lon = null, l.placed = null, "
    "l.geonameid = null")


@dataclass(frozen=True)
class Unplaced:
    ref: str
    city: str
    country: str
    reason: str


@dataclass
class Placing:
    """What placing a delivery's places gave."""

    placed: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)


def place_delivery(store: Store, delivery: str) -> Placing:
    """Place the delivery's places that have no coordinates of a partner."""
    result = Placing()
    rows = store.run(TO_PLACE, {"delivery": delivery}, read_only=True)
    placed, unplaced = [], []
    for r in rows:
        found = gazetteer.find(r["city"] or "", r["country"])
        if found is not None:
            placed.append({"ref": r["ref"], "lat": found.lat, "lon": found.lon,
                           "geonameid": found.geonameid})
        else:
            reason = gazetteer.why_not(r["city"] or "", r["country"])
            unplaced.append({"ref": r["ref"], "reason": reason})
            result.unplaced.append(Unplaced(r["ref"], r["city"] or "", r["country"] or "NL",
                                            reason))
    if placed:
        store.run(PLACE, {"rows": placed})
    if unplaced:
        store.run(UNPLACE, {"rows": unplaced})
    result.placed = len(placed)
    return result
