"""Data shown through Streamlit's Markdown (titles, captions, labels) as literal text,
times as people read them, and cells of the CSV files users download."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from graph.access import Role
from graph.explore import Paths
from graph.subgraph import Subgraph
from i18n import N_, NP_, _, ngettext, number

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# An ISO 8601 date-time as Neo4j, Python and the audit log write it: date, time, any
# fraction of a second (Neo4j writes nanoseconds), and an offset or none.
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def md(value: object) -> str:
    """``value`` with every Markdown and HTML special character escaped.

    >>> print(md("[x](javascript:go) <b>"))
    \\[x\\]\\(javascript\\:go\\) \\<b\\>
    """
    return _MARKDOWN.sub(r"\\\1", str(value))


def stamp(value: str | None) -> str:
    """An ISO date-time as ``2026-11-29 13:03:23 UTC``: to the second, in the zone it
    was written in (a partner's extract time keeps its own offset, ``+01:00``).

    Anything else (nothing, a bare date, text) is shown as it is.

    >>> stamp("2026-11-29T13:03:01.790000000+00:00")
    '2026-11-29 13:03:01 UTC'
    >>> stamp("2016-03-01T09:00:00+01:00")
    '2016-03-01 09:00:00 +01:00'
    """
    if not value:
        return ""
    found = _ISO.fullmatch(value)
    if found is None:
        return value
    day, time, zone = found.groups()
    if zone in ("Z", "+00:00", "-00:00"):
        zone = "UTC"
    return f"{day} {time} {zone}" if zone else f"{day} {time}"


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
    "person": NP_("person", "persons"),
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
