"""Retention: a term per partner; past it, a delivery's records leave the graph.

A delivery expires when its extract is older than its partner's term. Applying the
policy takes each expired delivery out of the provenance of every node and relationship;
a record that no other delivery supports is deleted, one that another delivery still
supports stays (with that delivery as its only provenance). Findings and structures of
the analysis that lose any of their evidence, their person or a member are deleted with
it (run the analysis again to rank what remains), and so are the reviews of a person who
is deleted. The ``Delivery`` node stays, marked ``removed``, so that what was removed and
when can still be accounted for.

Terms, in days, by kind of partner unless a partner has a term of its own
(``SCHAKEL_RETENTION="police-nl=1095,shelter-jeugdzorg=365"``). The defaults and their
legal basis are in the README and ``docs/privacy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, LiteralString, cast

from graph import codenames, schema
from graph.access import SYSTEM, Viewer
from graph.errors import SettingsError
from graph.inbox import alerts
from graph.reviews import DROP_ORPHANS
from graph.store import Store
from graph.writes import REDECIDE_MINORS

DEFAULT_DAYS: dict[str, int] = {
    "police": 5 * 365,
    "foreign_police": 5 * 365,
    "prosecution": 5 * 365,
    "youth_care": 2 * 365,
    "child_protection": 2 * 365,
    "shelter": 2 * 365,
    "municipality": 2 * 365,
    "other": 365,
}
DATA_LABELS: tuple[schema.Label, ...] = (
    schema.Label.PERSON, schema.Label.INCIDENT, schema.Label.LOCATION, schema.Label.SIGNAL,
    schema.Label.IDENTIFIER)

def partners_of(deliveries: LiteralString) -> LiteralString:
    """Cypher for the partners of a list of deliveries, each once (``$partner_of``: map)."""
    return ("reduce(acc = [], x IN " + deliveries + " | "
            "CASE WHEN $partner_of[x] IN acc THEN acc ELSE acc + $partner_of[x] END)")


DELIVERIES: LiteralString = (
    "MATCH (d:Delivery) WHERE coalesce(d.status, '') <> 'removed' "
    "RETURN d.ref AS delivery, d.partner AS partner, d.partner_kind AS kind, "
    "d.extracted_at AS extracted_at ORDER BY d.extracted_at")
PARTNER_OF: LiteralString = "MATCH (d:Delivery) RETURN d.ref AS delivery, d.partner AS partner"
TRIM_RELS: LiteralString = (
    "MATCH ()-[r]->() WHERE any(x IN r.deliveries WHERE x IN $expired) "
    "CALL (r) { WITH r, [x IN r.deliveries WHERE NOT x IN $expired] AS left "
    "  FOREACH (_ IN CASE WHEN size(left) = 0 THEN [1] ELSE [] END | DELETE r) "
    "  FOREACH (_ IN CASE WHEN size(left) > 0 THEN [1] ELSE [] END | "
    "    SET r.deliveries = left, r.partners = " + partners_of("left") + ") "
    "} IN TRANSACTIONS OF 10000 ROWS")
COUNT_RELS: LiteralString = (
    "MATCH ()-[r]->() WHERE any(x IN r.deliveries WHERE x IN $expired) "
    "RETURN count(r) AS touched, "
    "count(CASE WHEN all(x IN r.deliveries WHERE x IN $expired) THEN 1 END) AS removed")
# Analysis results resting on a record that is about to go lose their evidence.
MARK_DERIVED = (
    "MATCH (n:{label}) WHERE all(x IN n.deliveries WHERE x IN $expired) "
    "MATCH (a)-[:CONCERNS|SUPPORTED_BY|HAS_MEMBER]->(n) WHERE a:Finding OR a:Structure "
    "SET a.retention_lost = true")
TRIM_NODES = (
    "MATCH (n:{label}) WHERE any(x IN n.deliveries WHERE x IN $expired) "
    "WITH n, [x IN n.deliveries WHERE NOT x IN $expired] AS left "
    "WITH n, left, size(left) = 0 AS gone "
    "CALL (n, left, gone) {{ "
    "  FOREACH (_ IN CASE WHEN gone THEN [1] ELSE [] END | DETACH DELETE n) "
    "  FOREACH (_ IN CASE WHEN gone THEN [] ELSE [1] END | "
    "    SET n.deliveries = left, n.partners = " + partners_of("left") + ") "
    "}} IN TRANSACTIONS OF 10000 ROWS")
COUNT_NODES = (
    "MATCH (n:{label}) WHERE any(x IN n.deliveries WHERE x IN $expired) "
    "RETURN count(n) AS touched, "
    "count(CASE WHEN all(x IN n.deliveries WHERE x IN $expired) THEN 1 END) AS removed, "
    "collect(CASE WHEN NOT all(x IN n.deliveries WHERE x IN $expired) THEN n.ref END) AS kept")
DROP_DERIVED: LiteralString = (
    "MATCH (a) WHERE (a:Finding OR a:Structure) AND a.retention_lost "
    "WITH a, labels(a) AS labels DETACH DELETE a "
    "RETURN sum(CASE WHEN 'Finding' IN labels THEN 1 ELSE 0 END) AS findings, "
    "sum(CASE WHEN 'Structure' IN labels THEN 1 ELSE 0 END) AS structures")
TRIM_DERIVED: LiteralString = (
    "MATCH (a) WHERE (a:Finding OR a:Structure) AND any(x IN a.deliveries WHERE x IN $expired) "
    "SET a.deliveries = [x IN a.deliveries WHERE NOT x IN $expired], "
    "a.partners = " + partners_of("[x IN a.deliveries WHERE NOT x IN $expired]"))
MARK_REMOVED: LiteralString = (
    "MATCH (d:Delivery) WHERE d.ref IN $expired "
    "SET d.status = 'removed', d.removed_at = datetime(), d.retention_days = $days[d.ref]")
@dataclass(frozen=True)
class Policy:
    """Terms in days: by kind of partner, and for named partners."""

    by_kind: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_DAYS))
    by_partner: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str | None) -> Policy:
        """``partner=days,kind:police=days,...``; empty or ``None``: the defaults."""
        by_kind, by_partner = dict(DEFAULT_DAYS), {}
        for item in (text or "").split(","):
            if not item.strip():
                continue
            name, _, days = item.partition("=")
            name = name.strip()
            if not name or not days.strip().isdigit() or int(days) < 1:
                raise SettingsError("SCHAKEL_RETENTION", text or "",
                                    f"{item.strip()!r}: expected partner=days or kind:KIND=days, "
                                    "days a whole number of at least 1")
            if name.startswith("kind:"):
                kind = name.removeprefix("kind:")
                if kind not in DEFAULT_DAYS:
                    raise SettingsError("SCHAKEL_RETENTION", text or "",
                                        f"unknown kind of partner {kind!r}")
                by_kind[kind] = int(days)
            else:
                by_partner[name] = int(days)
        return cls(by_kind, by_partner)

    def days(self, partner: str, kind: str | None) -> int:
        if partner in self.by_partner:
            return self.by_partner[partner]
        return self.by_kind.get(kind or "other", self.by_kind["other"])


@dataclass
class Report:
    today: date
    expired: list[dict[str, Any]]
    removed: dict[str, int] = field(default_factory=dict)  # per label and "relationships"
    kept: dict[str, int] = field(default_factory=dict)  # still supported by another delivery
    findings_removed: int = 0
    structures_removed: int = 0
    reviews_removed: int = 0  # of persons no longer in the graph
    signals_removed: int = 0  # inbox signals left without evidence
    applied: bool = False


def extracted_on(value: Any) -> date:
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).astimezone(UTC).date()


@dataclass(frozen=True)
class Term:
    """How long a delivery's records are kept, and when they expire."""

    delivery: str
    partner: str
    kind: str | None
    extracted: date
    days: int
    expires: date

    def due(self, today: date) -> bool:
        return self.expires <= today


def terms(store: Store, policy: Policy) -> list[Term]:
    """Every delivery's term under ``policy``, oldest first."""
    out = []
    for row in store.run(DELIVERIES, read_only=True):
        days = policy.days(row["partner"], row["kind"])
        extracted = extracted_on(row["extracted_at"])
        out.append(Term(row["delivery"], row["partner"], row["kind"], extracted, days,
                        extracted + timedelta(days=days)))
    return out


def due(store: Store, policy: Policy, today: date) -> list[dict[str, Any]]:
    """The deliveries whose term has passed on ``today``, oldest first."""
    return [{"delivery": t.delivery, "partner": t.partner, "kind": t.kind,
             "extracted_at": t.extracted, "days": t.days, "expired_on": t.expires}
            for t in terms(store, policy) if t.due(today)]


def counted(store: Store, deliveries: list[str], removed: dict[str, int],
            kept: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    """Count, per label and for relationships, the records that taking ``deliveries`` out
    of the graph's provenance would remove and those another delivery keeps (into
    ``removed`` and ``kept``); return the queries' parameters and the persons kept."""
    partner_of = {r["delivery"]: r["partner"] for r in store.run(PARTNER_OF, read_only=True)}
    params: dict[str, Any] = {"expired": deliveries, "partner_of": partner_of}
    kept_persons: list[str] = []
    for lab in DATA_LABELS:
        row = store.run(cast(LiteralString, COUNT_NODES.format(label=lab.value)), params,
                        read_only=True)[0]
        removed[lab.value] = row["removed"]
        kept[lab.value] = row["touched"] - row["removed"]
        if lab is schema.Label.PERSON:
            kept_persons = [r for r in row["kept"] if r is not None]
    row = store.run(COUNT_RELS, params, read_only=True)[0]
    removed["relationships"] = row["removed"]
    kept["relationships"] = row["touched"] - row["removed"]
    return params, kept_persons


def apply(store: Store, policy: Policy, *, today: date | None = None,
          dry_run: bool = False, viewer: Viewer | None = None) -> Report:
    """Remove what is past its term (or, with ``dry_run``, only count it). What was
    removed is recorded in the audit log, as done by ``viewer`` (default: the system)."""
    today = today or datetime.now(UTC).date()
    expired = due(store, policy, today)
    report = Report(today, expired)
    if not expired:
        report.applied = not dry_run
        return report
    refs = [e["delivery"] for e in expired]
    params, kept_persons = counted(store, refs, report.removed, report.kept)
    if dry_run:
        return report
    with store.session() as session:
        for lab in DATA_LABELS:
            session.run(cast(LiteralString, MARK_DERIVED.format(label=lab.value)),
                        params).consume()
        session.run(TRIM_RELS, params).consume()
        for lab in DATA_LABELS:
            session.run(cast(LiteralString, TRIM_NODES.format(label=lab.value)),
                        params).consume()
        dropped = session.run(DROP_DERIVED).single(strict=True)
        report.findings_removed = dropped["findings"] or 0
        report.structures_removed = dropped["structures"] or 0
        session.run(TRIM_DERIVED, params).consume()
        report.reviews_removed = session.run(DROP_ORPHANS).single(strict=True)["removed"]
        # Whoever stays may have lost the event that made them a minor: decide again.
        session.run(cast(LiteralString, REDECIDE_MINORS), {"refs": kept_persons}).consume()
        session.run(MARK_REMOVED, {"expired": refs,
                                   "days": {e["delivery"]: e["days"] for e in expired}}).consume()
    report.signals_removed = alerts.forget(store, refs)
    codenames.refresh(store)  # an alias link that went may have split a person in two
    report.applied = True
    store.audit.record(viewer or SYSTEM, "retention.apply", {
        "deliveries": refs, "removed": report.removed, "kept": report.kept,
        "findings_removed": report.findings_removed,
        "structures_removed": report.structures_removed,
        "reviews_removed": report.reviews_removed,
        "signals_removed": report.signals_removed}, records=0)
    return report
