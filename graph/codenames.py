"""Codenames: a name a team can say for every person, "Blauwe Reiger 17".

A codename is itself a pseudonym. It is derived from the person's reference (already a
keyed pseudonym) with a key of its own, drawn from the team key (HMAC-SHA-256 under
``HMAC(team key, "schakel codename v1")``): it reveals nothing of the raw identifier,
and another team key gives other codenames. Word lists are in ``graph/words/``.

Each ``Person`` node (one reference) gets its own codename, ``own_codename``, once, and
keeps it. A name already taken is skipped for the next candidate of the same reference
(attempt 1, 2, …): the result depends only on the references and the order in which they
were first loaded, and within one load on the references' order.

A person as the team sees it is an alias cluster (references joined by ``SAME_AS``). Its
``codename`` (on every member) is the own codename of the member named first; ties go to
the smallest reference. So a new alias joins under the codename the team already uses,
and when two clusters merge, the merged person keeps the older of the two codenames; the
other stays on its node as ``own_codename`` and is still found by search.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from graph.store import Store

WORDS = Path(__file__).parent / "words"
NUMBERS = range(2, 100)  # "17": two syllables at most in Dutch, and never "1"
DOMAIN = b"schakel codename v1"
BATCH = 5000


def _words(name: str) -> tuple[str, ...]:
    lines = (line.strip() for line in (WORDS / name).read_text("utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def adjectives() -> tuple[str, ...]:
    return _words("adjectives.txt")


@cache
def nouns() -> tuple[str, ...]:
    return _words("nouns.txt")


def space() -> int:
    """How many different codenames there are."""
    return len(adjectives()) * len(nouns()) * len(NUMBERS)


def codename_key(team_secret: bytes) -> bytes:
    """The key codenames are derived with: the team key's, for this purpose only."""
    return hmac.new(team_secret, DOMAIN, hashlib.sha256).digest()


def derive(key: bytes, ref: str, attempt: int = 0) -> str:
    """Candidate ``attempt`` of the codename of ``ref`` under ``key`` (a :func:`codename_key`).

    >>> key = codename_key(b"an example team key, 32 bytes..")
    >>> derive(key, "ab12") == derive(key, "ab12")
    True
    >>> derive(key, "ab12") != derive(key, "ab12", 1)
    True
    """
    digest = hmac.new(key, f"{attempt}\x00{ref}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big")
    adj, noun = adjectives(), nouns()
    value, a = divmod(value, len(adj))
    value, n = divmod(value, len(noun))
    number = NUMBERS[value % len(NUMBERS)]
    return f"{adj[a]} {noun[n]} {number}"


def allot(key: bytes, refs: Iterable[str], taken: set[str]) -> dict[str, str]:
    """A codename for each of ``refs`` (in sorted order) that is not in ``taken``; the new
    names are added to ``taken``."""
    names: dict[str, str] = {}
    for ref in sorted(set(refs)):
        attempt = 0
        name = derive(key, ref)
        while name in taken:
            attempt += 1
            name = derive(key, ref, attempt)
        taken.add(name)
        names[ref] = name
    return names


def chosen(members: Sequence[dict[str, Any]]) -> str | None:
    """The codename an alias cluster goes by: its earliest-named member's own codename
    (ties: the smallest reference)."""
    named = [m for m in members if m.get("own_codename")]
    if not named:
        return None
    first = min(named, key=lambda m: (m.get("named_at") or 0, m["ref"]))
    return str(first["own_codename"])


# -- in the graph ----------------------------------------------------------------------

_UNNAMED = ("MATCH (p:Person) WHERE p.own_codename IS NULL "
            "RETURN p.ref AS ref ORDER BY ref LIMIT $limit")
_TAKEN = ("UNWIND $names AS name MATCH (p:Person {own_codename: name}) "
          "RETURN p.own_codename AS name")
_NAME = ("UNWIND $rows AS row MATCH (p:Person {ref: row.ref}) WHERE p.own_codename IS NULL "
         "SET p.own_codename = row.name, p.named_at = $seq")
_SEQ = ("MATCH (p:Person) WHERE p.named_at IS NOT NULL "
        "RETURN coalesce(max(p.named_at), 0) AS seq")
_OF_DELIVERY = ("MATCH (p:Person) WHERE $delivery IN p.deliveries RETURN p.ref AS ref")
_CLUSTERS = (
    "UNWIND $refs AS ref MATCH (p:Person {ref: ref}) "
    "MATCH (p)-[:SAME_AS*0..]-(q:Person) "
    "WITH p, collect(DISTINCT {ref: q.ref, own_codename: q.own_codename, "
    "named_at: q.named_at, codename: q.codename}) AS members "
    "RETURN p.ref AS ref, members")
_SHOW = ("UNWIND $rows AS row MATCH (p:Person {ref: row.ref}) "
         "WHERE p.codename IS NULL OR p.codename <> row.name SET p.codename = row.name")


def _free(store: Store, names: dict[str, str]) -> set[str]:
    """Which of ``names``' values the graph already holds."""
    rows = store.run(_TAKEN, {"names": sorted(set(names.values()))})
    return {r["name"] for r in rows}


def name_new(store: Store, team_secret: bytes) -> int:
    """Give every person without one its own codename; how many were named. Each call is
    one step of the sequence that decides, in a merge, which codename is older."""
    key = codename_key(team_secret)
    seq = int(store.run(_SEQ, {})[0]["seq"]) + 1
    count = 0
    while True:
        refs = [r["ref"] for r in store.run(_UNNAMED, {"limit": BATCH})]
        if not refs:
            return count
        taken: set[str] = set()
        names = allot(key, refs, taken)
        clash = _free(store, names)
        while clash:  # names other persons already have: the next attempt, for those only
            taken |= clash
            retry = allot(key, [ref for ref, name in names.items() if name in clash], taken)
            names.update(retry)
            clash = _free(store, retry)
        store.run(_NAME, {"rows": [{"ref": r, "name": n} for r, n in names.items()],
                          "seq": seq})
        count += len(names)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def show(store: Store, refs: Sequence[str]) -> int:
    """Set the codename the team sees on the persons of ``refs``' alias clusters; how
    many persons changed."""
    changed = 0
    for chunk in _chunks(sorted(set(refs)), BATCH):
        rows: dict[str, str] = {}
        for r in store.run(_CLUSTERS, {"refs": list(chunk)}):
            name = chosen(r["members"])
            if name is None:
                continue
            for m in r["members"]:
                if m["codename"] != name:
                    rows[m["ref"]] = name
        if rows:
            store.run(_SHOW, {"rows": [{"ref": k, "name": v} for k, v in rows.items()]})
            changed += len(rows)
    return changed


def after_delivery(store: Store, team_secret: bytes, delivery: str) -> int:
    """Name the persons a delivery added, and show each of its persons' clusters under
    one codename; how many persons' codename changed."""
    name_new(store, team_secret)
    refs = [r["ref"] for r in store.run(_OF_DELIVERY, {"delivery": delivery})]
    return show(store, refs)


def refresh(store: Store) -> int:
    """Show every alias cluster under its codename again (after records were removed,
    a cluster may have split); how many persons' codename changed."""
    rows = store.run("MATCH (p:Person) WHERE p.own_codename IS NOT NULL AND "
                     "(p.codename IS NULL OR p.codename <> p.own_codename "
                     "OR EXISTS { (p)-[:SAME_AS]-() }) RETURN p.ref AS ref", read_only=True)
    return show(store, [r["ref"] for r in rows])


def refs_of(store: Store, name: str) -> list[str]:
    """The refs of the person a codename (the one the team sees, or an alias's own) is
    given to, in any case; none when no person has it."""
    rows = store.run("MATCH (p:Person) WHERE toLower(p.codename) = $n "
                     "OR toLower(p.own_codename) = $n "
                     "MATCH (p)-[:SAME_AS*0..]-(q:Person) RETURN DISTINCT q.ref AS ref "
                     "ORDER BY ref", {"n": name.strip().lower()}, read_only=True)
    return [r["ref"] for r in rows]


def lookup(store: Store, refs: Iterable[str]) -> dict[str, str]:
    """Ref -> the codename the team sees, for those of ``refs`` that have one."""
    rows = store.run("UNWIND $refs AS ref MATCH (p:Person {ref: ref}) "
                     "WHERE p.codename IS NOT NULL RETURN p.ref AS ref, p.codename AS name",
                     {"refs": sorted(set(refs))}, read_only=True)
    return {r["ref"]: r["name"] for r in rows}
