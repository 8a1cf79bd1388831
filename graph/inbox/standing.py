"""The standing rules, run after every delivery on what that delivery added.

A delivery's records are the involvements, partner signals and stays whose provenance
names it. Besides them, the rules read only the persons the delivery names, with their
aliases, the records of the minors among them, the runaway or missing reports about
those, and the watchlist. Reading both ways makes what is signalled independent of the
order in which deliveries arrive: the partner that knew a child first is told of the
later record, and the partner that names a child another already recorded is told of
that record; a report delivered after the sighting still tells the reporter. Loading a
delivery again finds only what was signalled already. Each rule runs on
its own: one that fails is reported with its reason and the others still run; none can
undo or hold up the ingest, which has completed before they start.

- **cross-partner match**: a minor another partner's records name (under any of its
  aliases) is in a record of this delivery → that partner, told when, where (city), in
  what kind of record and by what *kind* of partner. Minors only: a child known to one
  partner in another's record is what a partner needs to know (DESIGN.md); telling a
  municipality of every police record of every adult resident is neither needed nor
  proportionate (the synthetic demo would give it over a thousand signals);
- **missing child seen**: a minor reported runaway or missing is in a later record of
  this delivery, within ``missing_days`` of the report → the reporting partner and the
  team (the reporting partner is not told of its own records);
- **watchlist**: a record of this delivery names a watched person (or an alias), a member
  of a watched structure, a watched place or a place in a watched city → the watcher
  (a care partner's user only of its own partner's records);
- **team rules**: each team rule's query, for rows it has not given before
  (:mod:`graph.inbox.team_rules`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field
from datetime import date, timedelta

from graph.inbox import team_rules, watchlist
from graph.inbox.alerts import Addressee, AddresseeKind, Merged, Phrase, Raised, Rule, merge
from graph.inbox.records import Record, known, records
from graph.store import Store
from graph.words import WORDS
from i18n import N_

SEEN_ELSEWHERE = N_("A minor your records name was seen by another partner")
REPORTED_SEEN = N_("Reported {kind} on {at}, since seen")


def cross_partner(found: Iterable[Record], skip: Set[tuple[str, str, str]] = frozenset()
                  ) -> list[Raised]:
    """A signal to every other partner whose records name the minor (``skip``: the
    (partner, subject, record) that another rule tells that partner already)."""
    out = []
    for r in found:
        if not r.minor:
            continue
        for partner in sorted(r.partners() - {r.partner}):
            refs = r.known_to(partner)
            if (partner, refs[0], r.evidence.key) in skip:
                continue
            out.append(Raised(Rule.CROSS_PARTNER, Addressee(AddresseeKind.PARTNER, partner),
                              refs[0], (r.evidence,),
                              Phrase.of(SEEN_ELSEWHERE),
                              tuple(refs)))
    return out


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def missing_seen(found: Iterable[Record], team: str, days: int) -> list[Raised]:
    """Minors reported runaway or missing, in a record dated after the report and within
    ``days`` of it: the report's partner (not for its own records) and ``team``."""
    out = []
    for r in found:
        at = _day(r.evidence.at)
        if at is None:
            continue
        open_reports = [x for x in r.reports if (day := _day(x["at"])) is not None
                        and x["ref"] != r.evidence.ref
                        and day <= at <= day + timedelta(days=days)]
        if not open_reports:
            continue
        report = max(open_reports, key=lambda x: x["at"])
        kind = report["kind"]
        headline = Phrase.of(REPORTED_SEEN, ("kind",) if kind in WORDS else (),
                               kind=WORDS.get(kind, kind), at=report["at"])
        everyone = sorted(r.refs)
        out.append(Raised(Rule.MISSING_SEEN, Addressee(AddresseeKind.TEAM, team),
                          everyone[0], (r.evidence,), headline, tuple(everyone)))
        for partner in sorted({p for x in open_reports for p in x["partners"] or ()}):
            if partner == r.partner:
                continue
            refs = r.known_to(partner) or everyone
            out.append(Raised(Rule.MISSING_SEEN, Addressee(AddresseeKind.PARTNER, partner),
                              refs[0], (r.evidence,), headline, tuple(refs)))
    return out


@dataclass
class Outcome:
    """What the rules made of one delivery: per rule, signals made and signals with new
    evidence; the rules that failed, with why; and how long it took."""

    made: dict[str, Merged] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(m.created for m in self.made.values())

    @property
    def updated(self) -> int:
        return sum(m.updated for m in self.made.values())


@dataclass(frozen=True)
class Standing:
    """The standing rules as configured: which team receives the team's signals, and how
    long after a report a missing child counts as missing."""

    team: str = "jit"
    missing_days: int = 90

    def after_delivery(self, store: Store, delivery: str) -> Outcome:
        """Run every rule on what ``delivery`` added; never raises for a rule's failure."""
        started = time.perf_counter()
        outcome = Outcome()
        try:
            around = records(store, delivery) + known(store, delivery)
        except Exception as exc:  # reported, and the ingest stands
            outcome.failed["records"] = _why(exc)
            around = []
        if around:
            missing = missing_seen(around, self.team, self.missing_days)
            told = {(r.addressee.name, r.subject, e.key) for r in missing
                    if r.addressee.kind is AddresseeKind.PARTNER for e in r.evidence}
            _apply(store, outcome, Rule.MISSING_SEEN.value, lambda: missing)
            _apply(store, outcome, Rule.CROSS_PARTNER.value,
                   lambda: cross_partner(around, told))
        _apply(store, outcome, Rule.WATCH.value, lambda: watchlist.hits(store, delivery))
        try:
            saved = team_rules.all_rules(store)
        except Exception as exc:  # reported, and the ingest stands
            outcome.failed["team rules"] = _why(exc)
            saved = []
        for rule in saved:
            _apply(store, outcome, f"{Rule.TEAM_RULE.value}:{rule.id}",
                   lambda rule=rule: team_rules.new_rows(store, rule))  # type: ignore[misc]
        outcome.seconds = time.perf_counter() - started
        return outcome


def _why(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


def _apply(store: Store, outcome: Outcome, name: str, rule: Callable[[], list[Raised]]) -> None:
    try:
        outcome.made[name] = merge(store, rule())
    except Exception as exc:  # one rule's failure is its own
        outcome.failed[name] = _why(exc)


STANDING = Standing()  # the rules as they are unless configured otherwise
