"""The timeline of what is drawn: incidents, signals and stays along a time axis, with a
brush that narrows the drawing (as Linkurious' timeline and Bloom's slicer do). Altair,
which Streamlit draws with its own bundled Vega: nothing is fetched."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import altair as alt
import pandas as pd

from dashboard import graph_view
from dashboard.text import kind_name
from graph.schema import Rel
from graph.subgraph import Subgraph
from i18n import _

BRUSH = "brush"
# which property dates a node or a relationship of each kind
_WHEN = {"incident": "occurred_at", "signal": "observed_at"}


def _day(value: object) -> date | None:
    """The date of a stored time (ISO text, or a date); ``None`` if it has none.

    >>> _day("2025-03-14T10:00:00"), _day("2025-03-14"), _day(None), _day("soon")
    (datetime.date(2025, 3, 14), datetime.date(2025, 3, 14), None, None)
    """
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def of_subgraph(sub: Subgraph) -> list[dict[str, Any]]:
    """Every dated thing on the drawing: its day, its kind and its label."""
    events = []
    for node in sub.nodes.values():
        key = _WHEN.get(node.kind)
        when = _day(node.props.get(key)) if key else None
        if when is not None:
            events.append({"when": when.isoformat(), "kind": kind_name(node.kind),
                           "label": node.caption, "style": node.kind})
    names = {n.id: n.caption for n in sub.nodes.values()}
    for edge in sub.edges:
        if edge.type == Rel.STAYED_AT.value and edge.source in names:
            when = _day(edge.props.get("from"))
            if when is not None:
                events.append({"when": when.isoformat(), "kind": _("stay"),
                               "label": f"{names[edge.source]} → {names.get(edge.target, '')}",
                               "style": "location"})
    return sorted(events, key=lambda e: e["when"])


def chart(events: list[dict[str, Any]]) -> alt.Chart:
    """Ticks per kind along time; dragging across the axis selects a span (``BRUSH``)."""
    kinds = sorted({e["kind"] for e in events})
    colours = {e["kind"]: graph_view.STYLE.get(e["style"], graph_view.STYLE["other"])["color"]
               for e in events}
    brush = alt.selection_interval(encodings=["x"], name=BRUSH)
    # a table, not inline values: Altair checks inline values one by one (0.1 s a thousand)
    return (alt.Chart(pd.DataFrame(events))
            .mark_tick(thickness=2, size=18)
            .encode(x=alt.X("when:T", title=None),
                    y=alt.Y("kind:N", title=None, sort=kinds),
                    color=alt.Color("kind:N", legend=None,
                                    scale=alt.Scale(domain=kinds,
                                                    range=[colours[k] for k in kinds])),
                    tooltip=[alt.Tooltip("when:T", title=_("date")),
                             alt.Tooltip("kind:N", title=_("kind")),
                             alt.Tooltip("label:N", title=_("label"))])
            .add_params(brush)
            .properties(height=40 + 28 * len(kinds)))


def brushed(selected: Any) -> tuple[date, date] | None:
    """The span brushed on the chart, as days; ``None`` when nothing is brushed.

    >>> brushed({"selection": {"brush": {"when": [1735689600000, 1738368000000]}}})
    (datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    >>> brushed({"selection": {"brush": {}}}) is None
    True
    """
    try:
        span = selected["selection"][BRUSH]["when"]
        lo, hi = (_instant(v) for v in span[:2])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if lo is None or hi is None:
        return None
    return (lo, hi) if lo <= hi else (hi, lo)


def _instant(value: object) -> date | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC).date()
    return _day(value)
