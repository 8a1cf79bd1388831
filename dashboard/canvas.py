"""The canvas: the drawn graph as a component that sends back what the analyst does.

A click selects (the details follow beside the graph), a double-click expands, the
context menu (right-click, or Enter on the focused drawing) expands, leaves out, pins
or finds paths for one node or a selection. Search in the drawing, fit, full screen and
readable labels need no round trip. The front end (``canvas/``) is our own, on the
vis-network that pyvis bundles, served from this folder with a policy that allows no
fetch at all. Events come back as ``{"action", "ids", "seq"}``; :func:`new_event` tells
a new one from the one the page has already acted on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from dashboard import graph_view
from dashboard.text import kind_name
from graph.subgraph import Subgraph
from i18n import _

FRONT_END = Path(__file__).parent / "canvas"
ACTIONS = frozenset({"select", "expand", "hide", "pin", "unpin", "paths", "undo"})
LABEL_CHARS = 22  # a label longer than this is cut; the tooltip has it whole

_component = components.declare_component("canvas", path=str(FRONT_END))


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label short enough to read on the drawing.

    >>> short("Groene Specht 42")
    'Groene Specht 42'
    >>> short("#3 pickpocketing · Utrecht Centraal, Stationsplein")
    '#3 pickpocketing · Ut…'
    """
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def texts() -> dict[str, str]:
    """The canvas's own words, in the user's language."""
    return {
        "find": _("Find in the drawing"), "found": _("{n} found"), "fit": _("Fit"),
        "undo": _("Undo expansion"), "full": _("Full screen"), "exit_full": _("Exit full screen"),
        "details": _("Details"), "expand": _("Expand"), "hide": _("Leave out"),
        "pin": _("Pin here"), "unpin": _("Unpin"), "paths": _("Paths from the start to here"),
        "selected": _("{n} selected"),
        "graph": _("The drawn graph: click a node for its details, double-click to expand it, "
                   "right-click (or Enter) for more"),
    }


def legend() -> list[dict[str, Any]]:
    entries = [{"text": f"{kind_name(kind)} ({_(style['name'])})", "color": style["color"],
                "round": style["shape"] == "dot"}
               for kind, style in graph_view.STYLE.items() if kind != "other"]
    entries.append({"text": _("ranked: thick ring and #rank"), "color": graph_view.FLAG})
    entries.append({"text": _("pinned: yellow label"), "color": "#fff3a6"})
    return entries


def drawing(sub: Subgraph, pinned: dict[str, list[float]], fixed: set[str]
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Nodes, edges and options for the canvas: short labels, pinned nodes where the
    analyst put them (``pinned``: ref -> position), ``fixed`` refs (starting points and
    path ends) marked so the menu does not offer to leave them out."""
    net = graph_view.network(sub)
    refs = {n.id: n.ref for n in sub.nodes.values()}
    seeds = set(sub.seeds)
    nodes = []
    for entry in net.nodes:
        ref = refs.get(entry["id"], "")
        full = entry["label"]
        size = entry.get("font", {}).get("size", 13)
        # the kind as "kind", not vis-network's "group": a node of a group loses its own
        # colour to the group's default colours at its first update (the label sizes)
        kind = entry.pop("group", "other")
        node = {**entry, "kind": kind, "label": short(full), "fullLabel": full, "ref": ref,
                "baseFont": max(13, size), "seed": ref in seeds,
                "fixedOnCanvas": ref in fixed}
        if ref in pinned:
            node.update(x=pinned[ref][0], y=pinned[ref][1], pinned=True)
        nodes.append(node)
    options = dict(net.options)
    options["nodes"] = {**options.get("nodes", {}), "font": {"size": 13}}
    return nodes, net.edges, options


def draw(sub: Subgraph, *, key: str, pinned: dict[str, list[float]], fixed: set[str],
         can_undo: bool, paths_from: str | None, selected: list[str],
         height: int = 640) -> dict[str, Any] | None:
    """Draw ``sub``; the analyst's last event on it (or ``None``)."""
    nodes, edges, options = drawing(sub, pinned, fixed)
    digest = hashlib.sha256(json.dumps([nodes, edges], sort_keys=True, default=str)
                            .encode("utf-8")).hexdigest()[:16]
    start = next((n.id for n in sub.nodes.values() if n.ref == paths_from), None)
    value = _component(nodes=nodes, edges=edges, options=options, legend=legend(),
                       texts=texts(), height=height, drawing=digest, can_undo=can_undo,
                       paths_from=start, selected=selected, keep_view=True, key=key,
                       default=None)
    return value if isinstance(value, dict) else None


def new_event(event: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    """``event`` if the page has not acted on it yet, and it is one the canvas sends."""
    if not event or event.get("action") not in ACTIONS:
        return None
    seen = f"{key}_seen"
    mark = (event.get("page"), event.get("seq"))
    if st.session_state.get(seen) == mark:
        return None
    st.session_state[seen] = mark
    ids = event.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    return event
