"""Data shown through Streamlit's Markdown (titles, captions, labels) as literal text,
times as people read them, and cells of the CSV files users download."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

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
