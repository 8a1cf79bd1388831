"""Signals in the inbox: raised by the rules, read and acted on by their addressees.

A signal is one ``Alert`` node per rule, addressee and subject (a person, a structure, a
rule's row). A rule that finds more evidence for the same subject adds it to that signal
and raises its count; it never makes a second one. Evidence is keyed by the record it
names, so the same delivery loaded twice adds nothing.

Who sees what (need-to-know, as for records):
- a care partner's user: only signals addressed to its own partner, and of their
  evidence only what its partner delivered in full; another partner's record shows as
  its kind, date, city and the *kind* of partner that made it, never its ref or name;
- everyone else who may explore (investigators, analysts): every signal, except the
  personal signals of other users (their watchlist's hits).

Every listing, opening and action is recorded in the audit log with the persons named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, LiteralString

from neo4j import Transaction

from graph import codenames
from graph.access import Capability, Viewer
from graph.errors import GraphError
from graph.store import Store, plain
from graph.words import band_name, word
from i18n import N_, _, number


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class Rule(StrEnum):
    """The standing rules (and the team rules, whose signals name their rule in ``source``)."""

    CROSS_PARTNER = "cross_partner"  # a person a partner knows, in another partner's record
    MISSING_SEEN = "missing_seen"  # a minor reported missing or runaway, in a later record
    WATCH = "watch"  # new evidence on what a user watches
    NEW_CANDIDATE = "new_candidate"  # an analysis run: a new name in the top N
    SCORE_ROSE = "score_rose"  # an analysis run: a finding's score rose by the margin
    STRUCTURE_GREW = "structure_grew"  # an analysis run: a structure gained minors
    TEAM_RULE = "team_rule"  # a team's saved query gave new rows


# Each rule and status as its addressee reads it (the inbox, the command line).
RULE_NAMES: dict[Rule, str] = {
    Rule.CROSS_PARTNER: N_("seen by another partner"),
    Rule.MISSING_SEEN: N_("missing child seen"),
    Rule.WATCH: N_("watchlist"),
    Rule.NEW_CANDIDATE: N_("new lead in the analysis"),
    Rule.SCORE_ROSE: N_("lead grew stronger"),
    Rule.STRUCTURE_GREW: N_("structure gained minors"),
    Rule.TEAM_RULE: N_("team rule"),
}
STATUS_NAMES: dict[Status, str] = {
    Status.NEW: N_("new"), Status.ACKNOWLEDGED: N_("acknowledged"),
    Status.ASSIGNED: N_("assigned"), Status.CLOSED: N_("closed")}


def rule_name(rule: Rule) -> str:
    """A rule in the reader's language.

    >>> rule_name(Rule.MISSING_SEEN)
    'missing child seen'
    """
    return _(RULE_NAMES[rule])


def status_name(status: Status) -> str:
    """A signal's status in the reader's language."""
    return _(STATUS_NAMES[status])


class AddresseeKind(StrEnum):
    PARTNER = "partner"
    TEAM = "team"
    USER = "user"


@dataclass(frozen=True)
class Addressee:
    kind: AddresseeKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"

    @classmethod
    def parse(cls, text: str) -> Addressee:
        """``partner:NAME``, ``team:NAME`` or ``user:NAME``.

        >>> str(Addressee.parse("partner:shelter-noord"))
        'partner:shelter-noord'
        """
        kind, _, name = text.partition(":")
        if kind not in AddresseeKind._value2member_map_ or not name:
            raise SignalError(f"{text!r} names no addressee: partner:NAME, team:NAME or "
                              "user:NAME")
        return cls(AddresseeKind(kind), name)


class SignalError(GraphError):
    """A request about signals that cannot be met (a bad addressee, a missing reason)."""


class SignalNotFound(GraphError):
    """No such signal that this user may see: a signal of another partner answers so too."""

    def __init__(self, signal_id: str) -> None:
        super().__init__(f"no signal {signal_id} that you may open")
        self.signal_id = signal_id


@dataclass(frozen=True)
class Evidence:
    """One record (or result) a signal rests on."""

    ref: str  # the record: an incident, a partner's signal, the place of a stay, a finding…
    record: str  # incident | signal | stay | finding | structure | row
    what: str = ""  # its kind: pickpocketing, runaway, shelter, …
    at: str | None = None  # its date
    city: str | None = None
    partner: str | None = None  # who delivered it
    partner_kind: str | None = None
    deliveries: tuple[str, ...] = ()  # what it rests on: retention takes it out with them
    note: str = ""  # the person's role in it, a score, a row as text
    note_said: str = ""  # the note as a Phrase (JSON), to say it in the reader's language

    @property
    def key(self) -> str:
        return f"{self.record}|{self.ref}|{self.at or ''}"

    def sentence(self) -> str:
        """The record in a few words: kind, date, place and the kind of partner.

        >>> from i18n import speaking
        >>> with speaking("en"):
        ...     Evidence("i-1", "incident", "pickpocketing", "2016-03-02", "Antwerpen",
        ...              "politie-be", "foreign_police").sentence()
        'incident (pickpocketing) on 2016-03-02 in Antwerpen, recorded by a foreign police partner'
        >>> from i18n import speaking
        >>> with speaking("nl"):
        ...     Evidence("i-1", "incident", "pickpocketing", "2016-03-02", "Utrecht",
        ...              "politie-nl", "police").sentence()
        'incident (zakkenrollerij) op 2016-03-02 in Utrecht, geregistreerd door de politie'
        """
        text = self.record_name()
        text += f" ({self.kind()})" if self.what else ""
        if self.at:
            text += " " + _("on {day}").format(day=self.at)
        if self.city:
            text += " " + _("in {city}").format(city=self.city)
        if self.partner_kind:
            text += ", " + _("recorded by {source}").format(source=self.source())
        if self.note and self.record not in CODED:
            text += ": " + self.detail()
        return text

    def record_name(self) -> str:
        """The kind of record, in the reader's language."""
        return _(RECORDS[self.record]) if self.record in RECORDS else self.record

    def detail(self) -> str:
        """The note, in the reader's language: the person's role in an incident, a
        finding's rank and score, what a structure gained, a team rule's row."""
        if self.record in CODED:
            return word(self.note)
        return Phrase.read_json(self.note_said, self.note)

    def kind(self) -> str:
        """What it is, in the reader's language: the kind of an incident, signal or place
        (the exchange format's code), the band of a finding, a team rule's name.

        >>> from i18n import speaking
        >>> with speaking("nl"):
        ...     Evidence("f", "finding", "strong").kind(), Evidence("r", "row", "theft").kind()
        ('sterk spoor', 'theft')
        """
        if self.record in CODED:
            return word(self.what)
        if self.record == "finding":
            return band_name(self.what)
        return self.what

    def source(self) -> str:
        """Who it comes from, as a care partner's user may read it: the analysis, a team
        rule, or a kind of partner (never the partner's name).

        >>> from i18n import speaking
        >>> with speaking("en"):
        ...     Evidence("x", "incident", partner_kind="youth_care").source()
        'a youth care partner'
        """
        if self.record in ("finding", "structure"):
            return _("the analysis")
        if self.record == "row":
            return _("a team rule")
        if self.partner_kind in PARTNER_KINDS:
            return _(PARTNER_KINDS[self.partner_kind])
        return _("another partner")

    def withheld(self) -> Evidence:
        """What a care partner's user may know of another partner's record: its kind,
        date, city and kind of partner, not its ref, partner, delivery or role."""
        return replace(self, ref="", partner=None, deliveries=(), note="", note_said="")


# The records whose ``what`` is a code of the exchange format (graph.words).
CODED = ("incident", "signal", "stay")
# A record's kind and a partner's kind, as a sentence names them.
RECORDS: dict[str, str] = {
    "incident": N_("incident"), "signal": N_("signal"), "stay": N_("stay"),
    "finding": N_("finding"), "structure": N_("structure"), "row": N_("row"),
}
PARTNER_KINDS: dict[str, str] = {
    "police": N_("a police partner"), "prosecution": N_("the prosecution service"),
    "youth_care": N_("a youth care partner"), "shelter": N_("a shelter"),
    "municipality": N_("a municipality"), "foreign_police": N_("a foreign police partner"),
    "child_protection": N_("the child protection board"), "other": N_("another partner"),
}


@dataclass(frozen=True)
class Phrase:
    """A text of a signal (its headline, a note of its evidence): a template marked for
    the catalog and its values, of which those named in ``said`` are texts of the catalog
    themselves (a kind of signal), and those named in ``numbers`` decimals (a score), which
    the reader's language writes its own way. Stored in English and as JSON, and read in
    the reader's language.

    >>> from i18n import speaking
    >>> h = Phrase.of(N_("Reported {kind} on {at}, since seen"), ("kind",),
    ...               kind=N_("missing"), at="2015-05-01")
    >>> h.english
    'Reported missing on 2015-05-01, since seen'
    >>> with speaking("nl"):
    ...     Phrase.read_json(h.json(), h.english)
    'Melding van vermissing op 2015-05-01, sindsdien gezien'
    >>> s = Phrase.of(N_("rank {rank}, score {score}"), numbers=("score",), rank=3,
    ...               score="0.41")
    >>> with speaking("nl"):
    ...     s.english, Phrase.read_json(s.json(), s.english)
    ('rank 3, score 0.41', 'rang 3, score 0,41')
    """

    template: str
    values: tuple[tuple[str, str], ...] = ()
    said: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()

    @classmethod
    def of(cls, template: str, said: tuple[str, ...] = (), *, numbers: tuple[str, ...] = (),
           **values: object) -> Phrase:
        return cls(template, tuple(sorted((k, str(v)) for k, v in values.items())), said,
                   numbers)

    @property
    def english(self) -> str:
        return self.template.format(**dict(self.values))

    def read(self) -> str:
        """The text in the reader's language."""
        return _(self.template).format(**{k: self._said(k, v) for k, v in self.values})

    def _said(self, key: str, value: str) -> str:
        if key in self.said:
            return _(value)
        if key in self.numbers:
            try:
                return number(float(value), len(value.partition(".")[2]))
            except ValueError:
                return value
        return value

    def json(self) -> str:
        return json.dumps({"template": self.template, "values": dict(self.values),
                           "said": list(self.said), "numbers": list(self.numbers)},
                          sort_keys=True)

    def stored(self) -> dict[str, str]:
        """The properties of a signal that keep it as its headline: the English text, and
        the template with its values to say it in another language."""
        return {"headline": self.english, "headline_said": self.json()}

    @staticmethod
    def read_json(text: str | None, stored: str) -> str:
        """A stored text in the reader's language; ``stored`` (its English) when it was
        stored without its template (before signals were translated), or the template is
        unreadable."""
        try:
            kept = json.loads(text or "")
            values = {str(k): str(v) for k, v in kept["values"].items()}
            return Phrase(str(kept["template"]), tuple(sorted(values.items())),
                          tuple(kept.get("said") or ()), tuple(kept.get("numbers") or ())
                          ).read()
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            return stored

    @staticmethod
    def loaded(props: dict[str, Any]) -> str:
        """A stored signal's headline in the reader's language."""
        return Phrase.read_json(props.get("headline_said"), str(props.get("headline") or ""))


@dataclass(frozen=True)
class Raised:
    """A rule's finding, before it is merged into the inbox."""

    rule: Rule
    addressee: Addressee
    subject: str  # what the signal is about: a person's ref, a structure's, a row's digest
    evidence: tuple[Evidence, ...]
    headline: Phrase  # the one-line text, without the evidence
    subjects: tuple[str, ...] = ()  # the persons it names (refs)
    source: str = ""  # a team rule's or a watch's id

    @property
    def id(self) -> str:
        """Stable: the same rule, addressee and subject give the same signal."""
        text = "\u0000".join((self.rule.value, self.source, str(self.addressee), self.subject))
        return "sig-" + hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Comment:
    user: str
    at: str
    text: str


@dataclass(frozen=True)
class Signal:
    id: str
    rule: Rule
    source: str
    addressee: Addressee
    subject: str
    subjects: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    headline: str
    status: Status
    count: int
    created_at: str
    updated_at: str
    assignee: str | None = None
    reason: str | None = None  # why it was closed
    comments: tuple[Comment, ...] = field(default=())
    names: dict[str, str] = field(default_factory=dict)  # subject ref -> its codename
    withdrawn: str | None = None  # a partner since withdrew data it rests on: who, when, why

    @property
    def text(self) -> str:
        """The one-line text: the headline and the latest evidence."""
        latest = self.evidence[-1].sentence() if self.evidence else ""
        more = " " + _("(+{n} more)").format(n=self.count - 1) if self.count > 1 else ""
        return f"{self.headline}: {latest}{more}" if latest else self.headline

    @property
    def evidence_refs(self) -> list[str]:
        return [e.ref for e in self.evidence if e.ref]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "rule": self.rule.value, "source": self.source,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "status": self.status.value, "count": self.count,
                "addressee": str(self.addressee), "subject": self.subject,
                "subject_refs": list(self.subjects),
                "subject_codenames": [self.names.get(r) for r in self.subjects],
                "evidence_refs": self.evidence_refs,
                "evidence": [asdict(e) for e in self.evidence], "text": self.text,
                "assignee": self.assignee, "reason": self.reason,
                "comments": [asdict(c) for c in self.comments], "withdrawn": self.withdrawn}


@dataclass
class Merged:
    """What raising gave: signals made, signals that got new evidence, and their ids."""

    created: int = 0
    updated: int = 0
    ids: list[str] = field(default_factory=list)

    def add(self, other: Merged) -> None:
        self.created += other.created
        self.updated += other.updated
        self.ids += other.ids


# A signal's evidence is a list of JSON texts, one per record, beside the list of their
# keys: new evidence is appended in the database, and what a signal holds already is
# found from its keys alone, without reading its evidence back.
EXISTING: LiteralString = (
    "UNWIND $ids AS id MATCH (a:Alert {ref: id}) RETURN a.ref AS id, a.keys AS keys")
CREATE: LiteralString = (
    "UNWIND $rows AS row CREATE (a:Alert {ref: row.id}) SET a += row.props, "
    "a.evidence = row.evidence, a.keys = row.keys, a.count = size(row.keys), "
    "a.deliveries = row.deliveries, a.subjects = row.subjects, a.partners = [], "
    "a.created_at = $now, a.updated_at = $now, a.status = 'new', a.comments = '[]'")
UPDATE: LiteralString = (  # one SET after the other: each reads what the one before set
    "UNWIND $rows AS row MATCH (a:Alert {ref: row.id}) "
    "SET a.reason = CASE a.status WHEN 'closed' THEN null ELSE a.reason END "
    "SET a.status = CASE a.status WHEN 'assigned' THEN 'assigned' ELSE 'new' END "
    "SET a += row.props, a.updated_at = $now, "
    "a.evidence = a.evidence + row.evidence, a.keys = a.keys + row.keys, "
    "a.deliveries = a.deliveries + [x IN row.deliveries WHERE NOT x IN a.deliveries], "
    "a.subjects = a.subjects + [x IN row.subjects WHERE NOT x IN a.subjects] "
    "SET a.count = size(a.keys)")
# Who may see a signal `a` ($partner: a care partner's user's partner; $user: the viewer).
_VISIBLE = ("CASE WHEN $partner IS NOT NULL THEN a.addressee = 'partner:' + $partner "
            "ELSE NOT (a.addressee STARTS WITH 'user:' AND a.addressee <> 'user:' + $user) END")
LIST: LiteralString = (
    "MATCH (a:Alert) WHERE " + _VISIBLE + " "
    "AND ($addressees IS NULL OR a.addressee IN $addressees) "
    "AND ($status IS NULL OR a.status = $status) AND ($rule IS NULL OR a.rule = $rule) "
    "RETURN properties(a) AS a ORDER BY a.updated_at DESC, a.ref LIMIT $limit")
COUNT_NEW: LiteralString = (
    "MATCH (a:Alert {status: 'new'}) WHERE " + _VISIBLE + " "
    "AND ($addressees IS NULL OR a.addressee IN $addressees) "
    "AND ($since IS NULL OR a.updated_at > $since) RETURN count(a) AS n")
OPEN: LiteralString = "MATCH (a:Alert {ref: $id}) WHERE " + _VISIBLE + " RETURN properties(a) AS a"
ACT: LiteralString = (
    "MATCH (a:Alert {ref: $id}) WHERE " + _VISIBLE + " "
    "SET a += $props, a.acted_at = $now RETURN properties(a) AS a")
ADDRESSEES: LiteralString = (
    "MATCH (a:Alert) WHERE " + _VISIBLE + " RETURN a.addressee AS addressee, count(*) AS n, "
    "count(CASE a.status WHEN 'new' THEN 1 END) AS new ORDER BY addressee")
WITH_DELIVERIES: LiteralString = (
    "MATCH (a:Alert) WHERE any(x IN a.deliveries WHERE x IN $expired) "
    "RETURN a.ref AS id, a.evidence AS evidence")
FORGET: LiteralString = (
    "UNWIND $rows AS row MATCH (a:Alert {ref: row.id}) "
    "FOREACH (_ IN CASE WHEN size(row.keys) = 0 THEN [1] ELSE [] END | DETACH DELETE a) "
    "FOREACH (_ IN CASE WHEN size(row.keys) > 0 THEN [1] ELSE [] END | "
    "  SET a.evidence = row.evidence, a.keys = row.keys, a.count = size(row.keys), "
    "  a.deliveries = row.deliveries)")


# After retention: a signal to a partner about a person that partner no longer knows
# (its records of them went), and a signal whose persons all went, go too.
UNKNOWN: LiteralString = (
    "MATCH (a:Alert) WHERE size(coalesce(a.subjects, [])) > 0 AND NOT EXISTS { "
    "  MATCH (p:Person) WHERE p.ref IN a.subjects AND (NOT a.addressee STARTS WITH 'partner:' "
    "  OR substring(a.addressee, 8) IN p.partners) } "
    "DETACH DELETE a RETURN count(*) AS n")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _evidence(texts: Sequence[str] | None) -> list[Evidence]:
    return [Evidence(**{**e, "deliveries": tuple(e.get("deliveries") or ())})
            for e in map(json.loads, texts or ())]


def _dump(evidence: Sequence[Evidence]) -> list[str]:
    return [json.dumps(asdict(e), sort_keys=True) for e in evidence]


def _deliveries(evidence: Iterable[Evidence]) -> list[str]:
    return sorted({d for e in evidence for d in e.deliveries})


def _grouped(raised: Iterable[Raised]) -> dict[str, tuple[Raised, list[Evidence]]]:
    """One entry per signal id, its evidence in order and each record once."""
    out: dict[str, tuple[Raised, list[Evidence]]] = {}
    for r in raised:
        _, evidence = out.setdefault(r.id, (r, []))
        keys = {e.key for e in evidence}
        evidence += [e for e in r.evidence if e.key not in keys]
    return out


def merge(store: Store, raised: Iterable[Raised]) -> Merged:
    """Put what the rules raised into the inbox: a new signal per new id; for a known one,
    only evidence it does not hold yet, which raises its count and makes it new again
    (an assigned signal stays assigned; a closed one opens again). Evidence it holds
    already changes nothing."""
    grouped = _grouped(raised)
    if not grouped:
        return Merged()

    def work(tx: Transaction) -> Merged:
        now = _now()
        existing = {r["id"]: set(r["keys"] or ())
                    for r in tx.run(EXISTING, {"ids": sorted(grouped)})}
        created: list[dict[str, Any]] = []
        updated: list[dict[str, Any]] = []
        for sid, (r, evidence) in grouped.items():
            new = [e for e in evidence if e.key not in existing.get(sid, ())]
            if not new:
                continue
            row = {"id": sid, "evidence": _dump(new), "keys": [e.key for e in new],
                   "deliveries": _deliveries(new), "subjects": list(r.subjects),
                   "props": {"rule": r.rule.value, "source": r.source,
                             "addressee": str(r.addressee), "subject": r.subject,
                             **r.headline.stored()}}
            (updated if sid in existing else created).append(row)
        if created:
            tx.run(CREATE, {"rows": created, "now": now}).consume()
        if updated:
            tx.run(UPDATE, {"rows": updated, "now": now}).consume()
        return Merged(len(created), len(updated), [r["id"] for r in created + updated])

    return store.write(work)


def _signal(props: dict[str, Any], viewer: Viewer) -> Signal:
    p = plain(props)
    evidence = _evidence(p.get("evidence"))
    mine = viewer.only_partner
    if mine is not None:
        evidence = [e if e.partner == mine else e.withheld() for e in evidence]
    return Signal(
        p["ref"], Rule(p["rule"]), p.get("source") or "", Addressee.parse(p["addressee"]),
        p["subject"], tuple(p.get("subjects") or ()), tuple(evidence), Phrase.loaded(p),
        Status(p["status"]), int(p.get("count") or len(evidence)), p["created_at"],
        p["updated_at"], p.get("assignee"), p.get("reason"),
        tuple(Comment(**c) for c in json.loads(p.get("comments") or "[]")),
        withdrawn=p.get("withdrawn"))


def _named(store: Store, signals: list[Signal]) -> list[Signal]:
    """``signals`` with the codenames of the persons they are about, as they stand now (a
    merge of aliases may since have changed them)."""
    names = codenames.lookup(store, _persons(signals))
    return [replace(s, names={r: names[r] for r in s.subjects if r in names}) for s in signals]


def _who(viewer: Viewer) -> dict[str, Any]:
    return {"partner": viewer.only_partner, "user": viewer.user}


def addressees_of(viewer: Viewer) -> list[str]:
    """The inbox of ``viewer`` when no addressee is chosen: a care partner's user its
    partner's; anyone else their own and their teams'."""
    if viewer.only_partner is not None:
        return [f"partner:{viewer.only_partner}"]
    return [f"user:{viewer.user}", *(f"team:{t}" for t in viewer.teams)]


def _persons(signals: Iterable[Signal]) -> list[str]:
    return sorted({ref for s in signals for ref in s.subjects})


def inbox(store: Store, viewer: Viewer, *, addressees: Sequence[str] | None = None,
          status: Status | None = None, rule: Rule | None = None,
          limit: int = 500) -> list[Signal]:
    """The signals ``viewer`` may see, newest first: of ``addressees`` (``partner:NAME``,
    ``team:NAME``, ``user:NAME``), or of the viewer's own inbox when ``None``; an
    addressee the viewer may not read gives nothing, as one without signals does."""
    viewer.require(Capability.EXPLORE)
    chosen = [str(Addressee.parse(a)) for a in addressees] if addressees else None
    rows = store.run(LIST, {**_who(viewer), "addressees": chosen or addressees_of(viewer),
                            "status": status.value if status else None,
                            "rule": rule.value if rule else None, "limit": limit},
                     read_only=True)
    found = _named(store, [_signal(r["a"], viewer) for r in rows])
    store.audit.record(viewer, "signals.list", {"addressees": chosen, "status": status,
                                                "rule": rule},
                       records=len(found), persons=_persons(found))
    return found


def new_count(store: Store, viewer: Viewer, *, since: str | None = None) -> int:
    """How many signals in the viewer's own inbox are new (the badge, the e-mail digest;
    ``since``: only those new or with new evidence after that time): a count, no person."""
    if not viewer.can(Capability.EXPLORE):
        return 0
    rows = store.run(COUNT_NEW, {**_who(viewer), "addressees": addressees_of(viewer),
                                 "since": since}, read_only=True)
    return int(rows[0]["n"])


def addressees(store: Store, viewer: Viewer) -> list[tuple[str, int, int]]:
    """The inboxes ``viewer`` may read: (addressee, signals, new ones); counts, no person."""
    viewer.require(Capability.EXPLORE)
    return [(r["addressee"], r["n"], r["new"])
            for r in store.run(ADDRESSEES, _who(viewer), read_only=True)]


def open_signal(store: Store, viewer: Viewer, signal_id: str) -> Signal:
    """One signal with its evidence; :class:`SignalNotFound` when the viewer may not see it."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(OPEN, {**_who(viewer), "id": signal_id}, read_only=True)
    found = _named(store, [_signal(rows[0]["a"], viewer)])[0] if rows else None
    store.audit.record(viewer, "signals.open", {"signal": signal_id}, records=len(rows),
                       persons=found.subjects if found else ())
    if found is None:
        raise SignalNotFound(signal_id)
    return found


def _act(store: Store, viewer: Viewer, signal_id: str, action: str,
         props: dict[str, Any]) -> Signal:
    viewer.require(Capability.EXPLORE)
    rows = store.run(ACT, {**_who(viewer), "id": signal_id, "props": props, "now": _now()})
    found = _named(store, [_signal(rows[0]["a"], viewer)])[0] if rows else None
    store.audit.record(viewer, f"signals.{action}", {"signal": signal_id, **props},
                       records=len(rows), persons=found.subjects if found else ())
    if found is None:
        raise SignalNotFound(signal_id)
    return found


def acknowledge(store: Store, viewer: Viewer, signal_id: str) -> Signal:
    """Seen and being looked at: no longer counted as new."""
    current = open_signal(store, viewer, signal_id)
    if current.status is Status.CLOSED:
        raise SignalError(f"signal {signal_id} is closed; it opens again when new evidence "
                          "comes")
    return _act(store, viewer, signal_id, "ack", {"status": Status.ACKNOWLEDGED.value})


def assign(store: Store, viewer: Viewer, signal_id: str, user: str) -> Signal:
    """Give the signal to ``user`` to follow up."""
    if not user.strip():
        raise SignalError("name the user to assign the signal to")
    open_signal(store, viewer, signal_id)
    return _act(store, viewer, signal_id, "assign",
                {"status": Status.ASSIGNED.value, "assignee": user.strip()})


def close(store: Store, viewer: Viewer, signal_id: str, reason: str) -> Signal:
    """Closed with a reason (followed up, not relevant, …); new evidence opens it again."""
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise SignalError("a signal is closed with a reason of 1 to 500 characters")
    open_signal(store, viewer, signal_id)
    return _act(store, viewer, signal_id, "close",
                {"status": Status.CLOSED.value, "reason": reason})


def comment(store: Store, viewer: Viewer, signal_id: str, text: str) -> Signal:
    """Add a comment (who and when are kept with it)."""
    text = text.strip()
    if not text or len(text) > 2000:
        raise SignalError("a comment is 1 to 2,000 characters")
    current = open_signal(store, viewer, signal_id)
    comments = [*map(asdict, current.comments), asdict(Comment(viewer.user, _now(), text))]
    return _act(store, viewer, signal_id, "comment", {"comments": json.dumps(comments)})


def forget(store: Store, expired: Sequence[str]) -> int:
    """Retention: take the evidence of ``expired`` deliveries out of every signal; a signal
    left without evidence goes, and so does one about persons who are gone or whom its
    partner no longer knows. How many signals went."""
    rows = store.run(WITH_DELIVERIES, {"expired": list(expired)}, read_only=True)
    out, gone = [], 0
    for row in rows:
        kept = [e for e in _evidence(row["evidence"])
                if not any(d in expired for d in e.deliveries)]
        gone += not kept
        out.append({"id": row["id"], "keys": [e.key for e in kept], "evidence": _dump(kept),
                    "deliveries": _deliveries(kept)})
    if out:
        store.run(FORGET, {"rows": out})
    return gone + int(store.run(UNKNOWN)[0]["n"])
