"""Team rules: an investigator's read-only Cypher query, saved as a standing rule.

At save time the query passes the console's checks (:func:`graph.console.check`, and the
server's own plan must say it only reads) and is run once within its time-out: a query
that would write, or that runs longer, is refused then and there. The rows of that first
run are what it "already gave". After every delivery it runs again, in a read-only
transaction with its time-out, and each row it did not give last time becomes a signal
to the rule's team (or its owner); at most ``row_cap`` rows a run are read. A rule that
fails (time-out, a changed schema) records why, is reported on its own, and leaves the
ingest as it was.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString, cast

import neo4j
from neo4j.exceptions import Neo4jError
from neo4j.graph import Node, Relationship

from graph.access import Capability, Viewer
from graph.console import QueryRefused, cell, check, ensure_read
from graph.errors import GraphError
from graph.inbox.alerts import Addressee, AddresseeKind, Evidence, Phrase, Raised, Rule
from graph.store import Store, plain, timed_out
from i18n import N_

MAX_TIMEOUT_S = 60.0
MAX_ROW_CAP = 1000
ROW_TEXT = 300  # characters of a row kept as the signal's evidence


class RuleRefused(GraphError):
    """The rule is not saved (or not removed): why, for the user."""


@dataclass(frozen=True)
class TeamRule:
    id: str
    name: str
    query: str
    owner: str
    addressee: Addressee
    timeout_s: float
    row_cap: int
    created_at: str
    last_run_at: str | None = None
    last_error: str | None = None
    seen: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "query": self.query, "owner": self.owner,
                "addressee": str(self.addressee), "timeout_s": self.timeout_s,
                "row_cap": self.row_cap, "created_at": self.created_at,
                "last_run_at": self.last_run_at, "last_error": self.last_error}


SAVE: LiteralString = "CREATE (r:Rule) SET r = $props, r.partners = [], r.deliveries = []"
ALL: LiteralString = "MATCH (r:Rule) RETURN properties(r) AS r ORDER BY r.created_at, r.ref"
REMOVE: LiteralString = "MATCH (r:Rule {ref: $id}) DELETE r RETURN count(*) AS n"
RAN: LiteralString = "MATCH (r:Rule {ref: $id}) SET r += $props"


def _rule(props: dict[str, Any]) -> TeamRule:
    p = plain(props)
    return TeamRule(p["ref"], p["name"], p["query"], p["owner"], Addressee.parse(p["addressee"]),
                    float(p["timeout_s"]), int(p["row_cap"]), p["created_at"],
                    p.get("last_run_at"), p.get("last_error"), tuple(p.get("seen") or ()))


@dataclass(frozen=True)
class Row:
    digest: str
    text: str
    persons: tuple[str, ...]
    deliveries: tuple[str, ...]


def _row(record: neo4j.Record) -> Row:
    nodes: dict[str, Node] = {}
    rels: dict[str, Relationship] = {}
    values = {k: cell(v, nodes, rels) for k, v in record.items()}
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    persons = sorted({str(n.get("ref")) for n in nodes.values() if "Person" in n.labels})
    deliveries = sorted({d for x in [*nodes.values(), *rels.values()]
                         for d in (x.get("deliveries") or ())})
    return Row(hashlib.sha256(text.encode()).hexdigest()[:16], text[:ROW_TEXT],
               tuple(persons), tuple(deliveries))


def _run(store: Store, query: str, timeout_s: float, row_cap: int) -> list[Row]:
    """The query's rows (at most ``row_cap``), read-only, stopped by the server at
    ``timeout_s``: :class:`RuleRefused` when it would write or took too long."""
    rows: list[Row] = []
    try:
        with store.session(read_only=True) as session:
            ensure_read(session, query, {})
            result = session.run(neo4j.Query(cast(LiteralString, query), timeout=timeout_s))
            for record in result:
                if len(rows) == row_cap:
                    break
                rows.append(_row(record))
            result.consume()
    except QueryRefused as exc:
        raise RuleRefused(exc.reason) from None
    except Neo4jError as exc:
        if timed_out(exc):
            raise RuleRefused(f"the query ran longer than its time-out of {timeout_s:g} s"
                              ) from None
        raise RuleRefused(f"the server refused the query: {exc.code}: "
                          f"{(exc.message or '').splitlines()[0][:200]}") from None
    return rows


def add(store: Store, viewer: Viewer, *, name: str, query: str, team: str | None = None,
        timeout_s: float = 10.0, row_cap: int = 100) -> TeamRule:
    """Save a rule, after checking it reads only and runs within ``timeout_s``; it signals
    ``team`` (one of the viewer's teams) or, without one, the viewer alone."""
    viewer.require(Capability.CONSOLE)
    name = name.strip()
    if not name or len(name) > 200:
        raise RuleRefused("a rule needs a name of 1 to 200 characters")
    if team is not None and team not in viewer.teams:
        raise RuleRefused(f"a rule can only signal a team you are a member of, not {team!r}")
    if not 0.1 <= timeout_s <= MAX_TIMEOUT_S:
        raise RuleRefused(f"the time-out is 0.1 to {MAX_TIMEOUT_S:g} seconds")
    if not 1 <= row_cap <= MAX_ROW_CAP:
        raise RuleRefused(f"the row cap is 1 to {MAX_ROW_CAP:,} rows")
    what = {"name": name, "query": query, "team": team}
    try:
        text = check(query)
        first = _run(store, text, timeout_s, row_cap)
    except (QueryRefused, RuleRefused) as exc:
        reason = exc.reason if isinstance(exc, QueryRefused) else str(exc)
        store.audit.record(viewer, "rules.refused", {**what, "reason": reason}, records=0)
        raise RuleRefused(reason) from None
    addressee = (Addressee(AddresseeKind.TEAM, team) if team
                 else Addressee(AddresseeKind.USER, viewer.user))
    props = {"ref": "rule-" + secrets.token_hex(4), "name": name, "query": text,
             "owner": viewer.user, "addressee": str(addressee), "timeout_s": timeout_s,
             "row_cap": row_cap, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "seen": [r.digest for r in first]}
    store.run(SAVE, {"props": props})
    store.audit.record(viewer, "rules.add", {**what, "rule": props["ref"]}, records=len(first),
                       persons=sorted({p for r in first for p in r.persons}))
    return _rule(props)


def all_rules(store: Store) -> list[TeamRule]:
    return [_rule(r["r"]) for r in store.run(ALL, read_only=True)]


def listing(store: Store, viewer: Viewer) -> list[TeamRule]:
    viewer.require(Capability.CONSOLE)
    return all_rules(store)


def remove(store: Store, viewer: Viewer, rule_id: str) -> None:
    """Remove a rule: its owner, or another investigator of the team it signals."""
    viewer.require(Capability.CONSOLE)
    rule = next((r for r in all_rules(store) if r.id == rule_id), None)
    if rule is None:
        raise RuleRefused(f"no rule {rule_id}")
    if rule.owner != viewer.user and not (rule.addressee.kind is AddresseeKind.TEAM
                                          and rule.addressee.name in viewer.teams):
        raise RuleRefused(f"rule {rule_id} is {rule.owner}'s; only they or its team remove it")
    store.run(REMOVE, {"id": rule_id})
    store.audit.record(viewer, "rules.remove", {"rule": rule_id}, records=0)


def new_rows(store: Store, rule: TeamRule) -> list[Raised]:
    """Run ``rule`` once more: a signal for each row it did not give last time. The rule
    remembers this run's rows, or why it failed (and then raises :class:`RuleRefused`)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        rows = _run(store, rule.query, rule.timeout_s, rule.row_cap)
    except RuleRefused as exc:
        store.run(RAN, {"id": rule.id, "props": {"last_run_at": now, "last_error": str(exc)}})
        raise
    store.run(RAN, {"id": rule.id, "props": {"last_run_at": now, "last_error": None,
                                             "seen": [r.digest for r in rows]}})
    seen = set(rule.seen)
    return [Raised(Rule.TEAM_RULE, rule.addressee, r.persons[0] if r.persons else r.digest,
                   (Evidence(r.digest, "row", rule.name, now[:10], deliveries=r.deliveries,
                             note=r.text),),
                   Phrase.of(N_("New row of the rule {name}"), name=repr(rule.name)),
                   r.persons, source=rule.id)
            for r in rows if r.digest not in seen]
