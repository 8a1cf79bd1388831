"""The watchlist: a user watches a person, a structure, a place or a city, and new
evidence on it reaches that user's inbox after every delivery.

A care partner's user watches only what its own partner's records name, and is told only
of its own partner's new records: a watch is no way around need-to-know.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, LiteralString

from graph.access import Capability, Viewer
from graph.errors import GraphError
from graph.inbox.alerts import Addressee, AddresseeKind, Phrase, Raised, Rule
from graph.inbox.records import Record, watched
from graph.store import Store, plain
from i18n import N_


class Target(StrEnum):
    PERSON = "person"  # a person's ref: it and its aliases
    STRUCTURE = "structure"  # a structure's ref (an analysis run's): its members
    PLACE = "place"  # a location's ref
    CITY = "city"  # every place in a city, by name (case does not matter)


# The headline of a watch's signal, by its target.
HEADLINES: dict[Target, str] = {
    Target.PERSON: N_("New on the person {ref} you watch"),
    Target.STRUCTURE: N_("New on the structure {ref} you watch"),
    Target.PLACE: N_("New on the place {ref} you watch"),
    Target.CITY: N_("New in the city {ref} you watch"),
}


class WatchRefused(GraphError):
    """The watch cannot be added or removed (unknown target, not one's own watch)."""


@dataclass(frozen=True)
class Watch:
    id: str
    user: str
    partner: str | None
    target: Target
    ref: str
    created_at: str

    def describe(self) -> str:
        return f"{self.target.value} {self.ref}"


_MINE = "($partner IS NULL OR $partner IN n.partners)"
EXISTS: dict[Target, LiteralString] = {
    Target.PERSON: "MATCH (n:Person {ref: $ref}) WHERE " + _MINE + " RETURN count(n) AS n",
    Target.STRUCTURE: "MATCH (n:Structure {ref: $ref}) WHERE $partner IS NULL "
                      "RETURN count(n) AS n",
    Target.PLACE: "MATCH (n:Location {ref: $ref}) WHERE " + _MINE + " RETURN count(n) AS n",
}
ADD: LiteralString = (
    "MERGE (w:Watch {user: $user, target: $target, target_ref: $ref}) "
    "ON CREATE SET w.ref = $id, w.partner = $partner, w.created_at = $now, "
    "w.partners = [], w.deliveries = [] "
    "RETURN properties(w) AS w")
MINE: LiteralString = (
    "MATCH (w:Watch {user: $user}) RETURN properties(w) AS w ORDER BY w.created_at, w.ref")
REMOVE: LiteralString = "MATCH (w:Watch {ref: $id, user: $user}) DELETE w RETURN count(*) AS n"
ALL: LiteralString = "MATCH (w:Watch) RETURN properties(w) AS w"
MEMBERS: LiteralString = (
    "UNWIND $refs AS ref MATCH (:Structure {ref: ref})-[:HAS_MEMBER]->(p:Person) "
    "RETURN ref, collect(p.ref) AS members")


def _watch(props: dict[str, Any]) -> Watch:
    p = plain(props)
    return Watch(p["ref"], p["user"], p.get("partner"), Target(p["target"]), p["target_ref"],
                 p["created_at"])


def add(store: Store, viewer: Viewer, target: Target, ref: str) -> Watch:
    """Watch ``ref``; watching it again is the same watch."""
    viewer.require(Capability.EXPLORE)
    ref = ref.strip()
    if not ref or len(ref) > 200:
        raise WatchRefused("name what to watch: 1 to 200 characters")
    # A city is watched before anything happens there: its name is no one's data.
    found = 1 if target is Target.CITY else store.run(
        EXISTS[target], {"ref": ref, "partner": viewer.only_partner}, read_only=True)[0]["n"]
    store.audit.record(viewer, "watch.add", {"target": target.value, "ref": ref},
                       records=found, persons=[ref] if target is Target.PERSON and found else [])
    if not found:
        raise WatchRefused(f"no {target.value} {ref!r} that you may watch")
    row = store.run(ADD, {"user": viewer.user, "target": target.value, "ref": ref,
                          "id": "w-" + secrets.token_hex(4), "partner": viewer.only_partner,
                          "now": datetime.now(UTC).isoformat(timespec="seconds")})
    return _watch(row[0]["w"])


def mine(store: Store, viewer: Viewer) -> list[Watch]:
    viewer.require(Capability.EXPLORE)
    return [_watch(r["w"]) for r in store.run(MINE, {"user": viewer.user}, read_only=True)]


def remove(store: Store, viewer: Viewer, watch_id: str) -> None:
    viewer.require(Capability.EXPLORE)
    if not store.run(REMOVE, {"id": watch_id, "user": viewer.user})[0]["n"]:
        raise WatchRefused(f"no watch {watch_id} of yours")
    store.audit.record(viewer, "watch.remove", {"watch": watch_id}, records=0)


def _hit(watch: Watch, record: Record, members: dict[str, set[str]]) -> bool:
    if watch.partner is not None and record.partner != watch.partner:
        return False
    if watch.target is Target.PERSON:
        return watch.ref in record.refs
    if watch.target is Target.STRUCTURE:
        return bool(record.refs & members.get(watch.ref, set()))
    if watch.target is Target.PLACE:
        return record.place == watch.ref
    return (record.evidence.city or "").casefold() == watch.ref.casefold()


def hits(store: Store, delivery: str) -> list[Raised]:
    """A signal to the watcher for every record of ``delivery`` on what they watch."""
    watches = [_watch(r["w"]) for r in store.run(ALL, read_only=True)]
    if not watches:
        return []

    def refs(target: Target) -> list[str]:
        return sorted({w.ref for w in watches if w.target is target})

    found = watched(store, delivery, persons=refs(Target.PERSON),
                    structures=refs(Target.STRUCTURE), places=refs(Target.PLACE),
                    cities=refs(Target.CITY))
    members = {r["ref"]: set(r["members"])
               for r in store.run(MEMBERS, {"refs": refs(Target.STRUCTURE)}, read_only=True)}
    out = []
    for record in found:
        for w in watches:
            if _hit(w, record, members):
                out.append(Raised(Rule.WATCH, Addressee(AddresseeKind.USER, w.user), w.ref,
                                  (record.evidence,),
                                  Phrase.of(HEADLINES[w.target], ref=w.ref),
                                  tuple(sorted(record.refs)), source=w.id))
    return out
