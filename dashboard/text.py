"""Data shown through Streamlit's Markdown (titles, captions, labels) as literal text,
times as people read them, and cells of the CSV files users download."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from graph.access import Role
from graph.explore import Paths
from graph.subgraph import Subgraph
from graph.words import word
from i18n import N_, NP_, _, ngettext, number

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# An ISO 8601 date-time as Neo4j, Python and the audit log write it: date, time, any
# fraction of a second (Neo4j writes nanoseconds), and an offset or none.
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def age_note() -> str:
    """What a finding on a person whose age no partner recorded says (Candidates page, case
    report): the person may be one of the children recorded without a birth year."""
    return _("No partner recorded this person's age: the person may be a minor "
             "themselves, one of the children recorded without a birth year. "
             "Check the age before acting on this lead.")


def guardian_note() -> str:
    """What a finding says whose links to the children are all what a parent or guardian
    does too (Candidates page, case report): collecting a child after an arrest, its
    address, the family's phone, its missing report. A parent whose tie no partner
    recorded looks like this."""
    return _("All that links this person to the children is what a parent or guardian "
             "does too: collecting a child from the police after an arrest, living at its "
             "address, the family's phone, reporting it missing. A parent whose tie no "
             "partner recorded looks like this. Ask the partners whether this is a parent "
             "or guardian of one of the children before acting on this lead.")


def contact_lines(named: Iterable[dict[str, Any]]) -> list[str]:
    """What a finding's contact note says (Candidates page, case report), one line per
    child: which partners named the person as the one they reached about the child, on how
    many signals. For a care partner's user the entries carry no child (``ref``) and no
    partner but its own (:func:`graph.overview.contacts_seen`), and the line names
    neither. Plain text: escape it for Markdown."""
    lines = []
    for entry in named:
        n = entry["signals"] if isinstance(entry["signals"], int) else len(entry["signals"])
        about = person(entry["ref"], entry.get("codename")) if entry.get("ref") else _("a child")
        lines.append(ngettext(
            "{partners} named this person as the one they reached about {about} ({n} signal)",
            "{partners} named this person as the one they reached about {about} ({n} signals)",
            n).format(partners=", ".join(entry["partners"]) or _("A care partner"),
                      about=about, n=number(n)))
    return lines


def contact_note() -> str:
    """What the contact note means, under its lines (Candidates page, case report)."""
    return _("Named as a child's contact by a care partner: a parent or carer is named so, "
             "and so is an adult who poses as the child's guardian. This lowers nothing "
             "and raises nothing; ask the partner who named the person.")


# Patterns of the analysis, by a short name a reader says (their meaning: candidates page).
PATTERN_NAMES: dict[str, str] = {
    "unrelated_collector": N_("Collects unrelated minors"),
    "shielded_hub": N_("Shielded hub"),
    "mobile_minors": N_("Mobile minors"),
    "runaway_then_offence": N_("Runaway, then offence"),
    "shared_means": N_("Shared means"),
    "claimed_relative": N_("Claimed relative"),
    "travels_with": N_("Travels with minors"),
    "alias_churn": N_("Alias churn"),
    "broker": N_("Broker between groups"),
    "handler_conduct": N_("Handler's conduct"),
}
# A minor's signs of exploitation (graph.analysis.markers), as a reader names them.
MARKER_NAMES: dict[str, str] = {
    "aliases": N_("known under several references"),
    "leaving": N_("reported runaway or missing"),
    "shelter_leaving": N_("ran away from a shelter or placement"),
    "two_cities": N_("offences in two cities within 30 days"),
    "three_cities": N_("offences in three cities within 30 days"),
    "abroad": N_("an offence abroad"),
    "group_theft": N_("theft or begging with other minors"),
    "no_id_documents": N_("no identity papers"),
    "carrying_cash": N_("cash or goods beyond their means"),
    "unaccompanied_travel": N_("travelled unaccompanied"),
    "claimed_relative": N_("an adult claimed to be family"),
    "partners": N_("signals from several partners"),
}
# Relationship types as a sentence says them.
RELATIONSHIP_NAMES: dict[str, str] = {
    "SUSPECT_IN": N_("suspect in"), "VICTIM_IN": N_("victim in"), "WITNESS_IN": N_("witness in"),
    "REPORTED": N_("reported"), "PRESENT_AT": N_("present at"),
    "COLLECTED_AFTER": N_("collected after"), "AT": N_("at"), "ABOUT": N_("about"),
    "NAMES": N_("names"), "STAYED_AT": N_("stayed at"), "USES": N_("uses"),
    "PARENT_OF": N_("parent of"), "SIBLING_OF": N_("sibling of"),
    "LEGAL_GUARDIAN_OF": N_("legal guardian of"), "SAME_HOUSEHOLD": N_("same household"),
    "PARTNER_OF": N_("partner of"), "CASEWORKER_OF": N_("caseworker of"),
    "ASSOCIATE_OF": N_("associate of"), "SAME_AS": N_("same person as"),
    "DECLARES": N_("declares"), "CONCERNS": N_("concerns"), "SUPPORTED_BY": N_("supported by"),
    "HAS_MEMBER": N_("has member"),
}
# The team's time zone for times shown (SCHAKEL_TIMEZONE; dashboard.state sets it).
_zone: list[ZoneInfo] = [ZoneInfo("Europe/Amsterdam")]


def use_zone(name: str) -> None:
    """Show times in the time zone ``name`` from now on."""
    _zone[0] = ZoneInfo(name)


def pattern_name(key: str) -> str:
    """A pattern as a reader says it, in the user's language.

    >>> pattern_name("alias_churn"), pattern_name("something_new")
    ('Alias churn', 'something_new')
    """
    return _(PATTERN_NAMES[key]) if key in PATTERN_NAMES else key


def marker_name(key: str) -> str:
    """A minor's sign of exploitation as a reader says it, in the user's language.

    >>> marker_name("two_cities"), marker_name("something_new")
    ('offences in two cities within 30 days', 'something_new')
    """
    return _(MARKER_NAMES[key]) if key in MARKER_NAMES else key


# What a person's timeline says of their part in a record, beside an incident's roles.
TIMELINE_ROLES: dict[str, str] = {
    "signal about": N_("signal about"), "named in signal": N_("named in signal"),
    "stays": N_("stays"), "stayed": N_("stayed"),
}


def timeline_role(role: str, until: object = None) -> str:
    """A timeline's role (graph.explore.timeline) in the reader's language; a stay with
    the day it ended (``until``).

    >>> timeline_role("collector"), timeline_role("stayed", "2016-03-01")
    ('collected', 'stayed until 2016-03-01')
    """
    if role == "stayed" and until:
        return _("stayed until {day}").format(day=str(until)[:10])
    return _(TIMELINE_ROLES[role]) if role in TIMELINE_ROLES else word(role)


def relationship_name(rel_type: str) -> str:
    """A relationship type as a sentence says it.

    >>> relationship_name("COLLECTED_AFTER")
    'collected after'
    """
    return _(RELATIONSHIP_NAMES[rel_type]) if rel_type in RELATIONSHIP_NAMES else rel_type


def md(value: object) -> str:
    """``value`` with every Markdown and HTML special character escaped.

    >>> print(md("[x](javascript:go) <b>"))
    \\[x\\]\\(javascript\\:go\\) \\<b\\>
    """
    return _MARKDOWN.sub(r"\\\1", str(value))


def stamp(value: str | None) -> str:
    """An ISO date-time as ``2026-11-29 14:03:01 CET``: to the second, in the team's
    time zone (:func:`use_zone`; Europe/Amsterdam unless set), summer time included.
    A time written without an offset is shown as written.

    Anything else (nothing, a bare date, text) is shown as it is.

    >>> stamp("2026-11-29T13:03:01.790000000+00:00")
    '2026-11-29 14:03:01 CET'
    >>> stamp("2016-07-01T09:00:00+01:00")
    '2016-07-01 10:00:00 CEST'
    >>> stamp("2016-07-01T09:00:00")
    '2016-07-01 09:00:00'
    """
    if not value:
        return ""
    found = _ISO.fullmatch(value)
    if found is None:
        return value
    day, time, zone = found.groups()
    if not zone:
        return f"{day} {time}"
    at = datetime.fromisoformat(f"{day}T{time}{'+00:00' if zone == 'Z' else zone}")
    local = at.astimezone(_zone[0])
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or "")


def stamped(rows: Iterable[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """``rows`` for a table, with the times under ``keys`` shown by :func:`stamp`."""
    return [{**row, **{k: stamp(row.get(k)) for k in keys}} for row in rows]


def person(ref: str, codename: str | None = None) -> str:
    """A person as the team says it, with the start of its ref to tell it by:
    "Blauwe Reiger 17 (3f9a0c1e…)"; the ref alone when the person has no codename.

    >>> person("3f9a0c1e55aa", "Blauwe Reiger 17"), person("M1")
    ('Blauwe Reiger 17 (3f9a0c1e…)', 'M1')
    """
    short = ref[:8] + ("…" if len(ref) > 8 else "")
    return f"{codename} ({short})" if codename else ref


def csv_cell(value: Any) -> str:
    """A cell that a spreadsheet will not run as a formula; a list joined with ``;``.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell(["a", "b"]), csv_cell(None)
    ("'=HYPERLINK(1)", 'a;b', '')
    """
    text = ";".join(map(str, value)) if isinstance(value, list | tuple) else (
        "" if value is None else str(value))
    return "'" + text if text.startswith(_CSV_RISKY) else text


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """``rows`` as a CSV file with a header of ``columns``, every cell by :func:`csv_cell`."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(columns)
    for row in rows:
        w.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


# The nouns :func:`counted` counts, singular and plural (marked for the catalog).
NOUNS: dict[str, tuple[str, str]] = {
    "node": NP_("node", "nodes"), "relationship": NP_("relationship", "relationships"),
    "path": NP_("path", "paths"), "shortest path": NP_("shortest path", "shortest paths"),
    "signal": NP_("signal", "signals"), "record": NP_("record", "records"),
    "row": NP_("row", "rows"), "finding": NP_("finding", "findings"),
    "incident": NP_("incident", "incidents"), "place": NP_("place", "places"),
    "route": NP_("route", "routes"), "stop": NP_("stop", "stops"), "ref": NP_("ref", "refs"),
    "hop": NP_("hop", "hops"), "entry": NP_("entry", "entries"),
    "person": NP_("person", "persons"), "minor": NP_("minor", "minors"),
    "sign": NP_("sign", "signs"),
}


ROLE_NAMES: dict[Role, str] = {
    Role.ADMIN: N_("administrator"), Role.INVESTIGATOR: N_("investigator"),
    Role.ANALYST: N_("analyst"), Role.PARTNER: N_("care partner"),
}


KIND_NAMES: dict[str, str] = {
    "minor": N_("minor"), "adult": N_("adult"), "incident": N_("incident"),
    "location": N_("location"), "signal": N_("signal"), "identifier": N_("identifier"),
    "other": N_("other"),
}


def kind_name(kind: str) -> str:
    """A node's kind as the reader's language names it."""
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def role_name(role: Role) -> str:
    """A role as the reader's language names it."""
    return _(ROLE_NAMES[role])


def counted(n: int, noun: str, *, more: bool = False) -> str:
    """``n`` and ``noun`` (one of :data:`NOUNS`), plural unless exactly one, in the
    reader's language: "1 node", "12 nodes", "100+ paths"; "1.204 knopen".

    >>> from i18n import speaking
    >>> with speaking("en"):
    ...     counted(1, "node"), counted(12, "node"), counted(100, "path", more=True)
    ('1 node', '12 nodes', '100+ paths')
    >>> from i18n import speaking
    >>> with speaking("nl"):
    ...     counted(1204, "node")
    '1.204 knopen'
    """
    singular, plural = NOUNS[noun]
    one = n == 1 and not more
    return f"{number(n)}{'+' if more else ''} {ngettext(singular, plural, 1 if one else 2)}"


def subgraph_summary(sub: Subgraph) -> str:
    """What a drawing shows of what is in reach: "showing 300 of 1,204 nodes …"."""
    shown = len(sub.nodes)
    edges = counted(len(sub.edges), "relationship")
    if not sub.truncated:
        return _("showing all {nodes} and {edges}").format(nodes=counted(shown, "node"),
                                                            edges=edges)
    more = "" if sub.exact else "+"
    return _("showing {shown} of {total} nodes (nearest first) and {edges}").format(
        shown=number(shown), total=number(sub.total) + more, edges=edges)


def paths_summary(found: Paths) -> str:
    """What a search for the shortest paths between two nodes found, in one sentence."""
    if found.missing:
        return _("Not in the graph, or not among the records you may see: {refs}.").format(
            refs=", ".join(found.missing))
    if found.timed_out:
        return _("The search for paths was stopped after {seconds} s. Lower the longest "
                 "path or narrow the filters.").format(seconds=number(found.timeout_s))
    if found.length is None:
        return _("No path of at most {length} between the two, with these filters.").format(
            length=counted(found.longest, "relationship"))
    if found.length == 0:
        return _("Both ends are the same node.")
    paths = counted(found.found, "shortest path", more=found.more)
    drawn = "" if found.drawn == found.found else _(", of which {n} within the cap").format(
        n=number(found.drawn))
    return _("{paths} of {length}{drawn}: {nodes} and {edges}").format(
        paths=paths, length=counted(found.length, "relationship"), drawn=drawn,
        nodes=counted(len(found.sub.nodes), "node"),
        edges=counted(len(found.sub.edges), "relationship"))
