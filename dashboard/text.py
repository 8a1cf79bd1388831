"""Data shown through Streamlit's Markdown (titles, captions, labels) as literal text,
and times as people read them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# An ISO 8601 date-time as Neo4j, Python and the audit log write it: date, time, any
# fraction of a second (Neo4j writes nanoseconds), and an offset or none.
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
