"""A subgraph as a picture and as files: pyvis HTML, GraphML and CSV. Pure functions.

The layout is computed here, in Python, and vis-network's physics is off, so a large
neighbourhood is drawn at once instead of settling for minutes in the browser. The
HTML is rendered with a template of our own: vis-network comes inline from pyvis's
own copy, pyvis's Bootstrap and CDN links are not there, and a Content-Security-Policy
forbids the page to fetch anything at all. Tooltips are plain text.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from pyvis.network import Network

from dashboard.text import csv_cell, kind_name, relationship_name
from graph.reviews import EXPLAINED, label_of
from graph.subgraph import GraphNode, Subgraph
from i18n import N_, _, number

TEMPLATES = Path(__file__).parent / "templates"
PYVIS_TEMPLATES = Path(pyvis.__file__).parent / "templates"

# Colours from Okabe and Ito's palette, which readers with any common colour-vision
# deficiency tell apart; and a shape per kind, so that colour is never the only cue.
STYLE: dict[str, dict[str, Any]] = {
    "minor": {"shape": "dot", "color": "#E69F00", "size": 14, "name": N_("orange circle")},
    "adult": {"shape": "star", "color": "#0072B2", "size": 16, "name": N_("blue star")},
    "incident": {"shape": "square", "color": "#999999", "size": 9, "name": N_("grey square")},
    "location": {"shape": "triangle", "color": "#009E73", "size": 12,
                 "name": N_("green triangle")},
    "signal": {"shape": "diamond", "color": "#CC79A7", "size": 10, "name": N_("pink diamond")},
    "identifier": {"shape": "hexagon", "color": "#56B4E9", "size": 10,
                   "name": N_("light blue hexagon")},
    "other": {"shape": "dot", "color": "#cccccc", "size": 8, "name": N_("pale grey circle")},
}
FLAG = "#D55E00"  # vermillion: a thick ring, and "#rank" in the label
# A ranked person the team reviewed as explained (family, work): still ranked, no longer red.
EXPLAINED_RING = "#7f7f7f"
EDGE_COLOURS: dict[str, str] = {
    "SUSPECT_IN": "#D55E00", "VICTIM_IN": "#56B4E9", "WITNESS_IN": "#999999",
    "REPORTED": "#bbbbbb", "PRESENT_AT": "#E69F00", "COLLECTED_AFTER": "#D55E00",
    "SAME_AS": "#000000", "NAMES": "#CC79A7", "ABOUT": "#CC79A7", "USES": "#56B4E9",
}
OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    # keyboard: with the drawing focused (click it, or Tab to it), the arrow keys move it
    # and +/- zoom
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False,
                    "multiselect": True, "keyboard": {"enabled": True, "bindToWindow": False}},
    "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
              "font": {"size": 9, "align": "middle"}},
    "nodes": {"font": {"size": 11}, "borderWidth": 1},
    "layout": {"improvedLayout": False},
}
_TOOLTIP_SKIP = {"ref", "codename", "named_at"}
# One environment for the process: it keeps the compiled template (vis-network inline is
# half a megabyte to parse).
_ENV = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(PYVIS_TEMPLATES)]),
    autoescape=True)


def layout(sub: Subgraph, *, seed: int = 7, scale: float = 1000.0,
           polish_up_to: int = 300) -> dict[str, tuple[float, float]]:
    """Positions for every node: rings by distance from the seeds, each node placed next
    to the node it was reached from; small graphs are then relaxed by a spring model.

    Linear in the size of the subgraph up to ``polish_up_to`` nodes' worth of springs,
    so a neighbourhood of thousands is laid out in milliseconds.

    >>> from graph.explore import GraphNode, Subgraph
    >>> sub = Subgraph({"a": GraphNode("a", "a", "adult", {}, 0)}, [], 1)
    >>> layout(sub)["a"]
    (0.0, 0.0)
    """
    if not sub.nodes:
        return {}
    if len(sub.nodes) == 1:
        return dict.fromkeys(sub.nodes, (0.0, 0.0))
    neighbours: dict[str, list[str]] = {n: [] for n in sub.nodes}
    for e in sub.edges:
        if e.source in neighbours and e.target in neighbours:
            neighbours[e.source].append(e.target)
            neighbours[e.target].append(e.source)
    if sub.layered:
        return _columns(sub, neighbours, scale)
    rings: dict[int, list[str]] = {}
    for node in sorted(sub.nodes.values(), key=lambda n: (n.hop, n.id)):
        rings.setdefault(node.hop, []).append(node.id)
    angle: dict[str, float] = {}
    start: dict[str, tuple[float, float]] = {}
    depth = max(rings) + 1
    for hop in sorted(rings):
        ids = rings[hop]
        if angle:  # order this ring by the angle of the nodes it was reached from
            def parent_angle(i: str) -> float:
                seen = [angle[p] for p in neighbours[i] if p in angle]
                return sum(seen) / len(seen) if seen else 0.0
            ids = sorted(ids, key=parent_angle)
        single_centre = hop == min(rings) and len(ids) == 1
        radius = 0.0 if single_centre else (hop + 0.6) / (depth + 0.6)
        for i, node_id in enumerate(ids):
            angle[node_id] = 2 * math.pi * (i + 0.5) / len(ids)
            start[node_id] = (radius * math.cos(angle[node_id]),
                              radius * math.sin(angle[node_id]))
    pos = start
    if len(sub.nodes) <= polish_up_to:
        g = nx.Graph()
        g.add_nodes_from(sub.nodes)
        g.add_edges_from((a, b) for a, bs in neighbours.items() for b in bs)
        pos = nx.spring_layout(g, pos=start, k=1.2 / math.sqrt(len(g)), iterations=25,
                               seed=seed, method="force")
    return {n: (round(float(x) * scale, 1), round(float(y) * scale, 1))
            for n, (x, y) in pos.items()}


def _columns(sub: Subgraph, neighbours: dict[str, list[str]],
             scale: float) -> dict[str, tuple[float, float]]:
    """Paths from left to right: a column per ``hop``, the start on the left and the end
    on the right; within a column, each node beside the nodes it links to on its left.
    The links of an expanded node (``via``) go on a ring around it."""
    # Fixed steps, not the neighbourhood's span: the page zooms to fit, and a short path
    # stretched as wide as a neighbourhood was drawn with nodes a few pixels across.
    step, gap = scale * 0.25, scale * 0.12  # between columns, and within one
    columns: dict[int, list[str]] = {}
    around: dict[str, list[str]] = {}
    for node in sorted(sub.nodes.values(), key=lambda n: (n.hop, n.id)):
        if node.via in sub.nodes:
            around.setdefault(node.via, []).append(node.id)
        else:
            columns.setdefault(node.hop, []).append(node.id)
    pos: dict[str, tuple[float, float]] = {}
    for hop in sorted(columns):
        ids = columns[hop]
        if pos:
            def left(i: str) -> float:
                placed = [pos[p][1] for p in neighbours[i] if p in pos]
                return sum(placed) / len(placed) if placed else 0.0
            ids = sorted(ids, key=left)
        for i, node_id in enumerate(ids):
            pos[node_id] = (round(hop * step, 1), round((i - (len(ids) - 1) / 2) * gap, 1))
    pending = list(around)
    while pending:  # a ring's node may itself have been expanded: its parent first
        parent = next((p for p in pending if p in pos), pending[0])
        pending.remove(parent)
        x, y = pos.get(parent, (0.0, 0.0))
        ring = around[parent]
        radius = max(step * 0.5, len(ring) * gap * 0.5 / math.pi)
        for i, node_id in enumerate(ring):
            a = 2 * math.pi * i / len(ring) - math.pi / 2
            pos[node_id] = (round(x + radius * math.cos(a), 1), round(y + radius * math.sin(a), 1))
    return pos


def explained(node: GraphNode) -> bool:
    """Whether the team's latest decision on this ranked person is that its hits are
    explained (a family tie, its work)."""
    return node.decided is not None and node.decided.decision in EXPLAINED


def legend() -> str:
    """What each colour and shape stands for, in words."""
    return " · ".join(f"{_(STYLE[kind]['name'])} {kind_name(kind)}" for kind in STYLE
                      if kind != "other")


def table(sub: Subgraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The drawing as text: its nodes and its relationships, for who cannot see it."""
    nodes = [{_("kind"): kind_name(n.kind), _("label"): n.caption, _("ref"): n.ref,
              _("hop"): n.hop, _("rank"): n.flagged[0] if n.flagged else None}
             for n in sorted(sub.nodes.values(), key=lambda n: (n.hop, n.kind, n.caption))]
    names = {n.id: f"{kind_name(n.kind)} {n.caption}" for n in sub.nodes.values()}
    edges = [{_("from"): names[e.source], _("relationship"): relationship_name(e.type),
              _("to"): names[e.target]}
             for e in sub.edges if e.source in names and e.target in names]
    return nodes, edges


def tooltip(node: GraphNode) -> str:
    """Plain text for the node's tooltip: vis-network shows it as text, never as markup."""
    codename = node.props.get("codename")
    kind = kind_name(node.kind)
    lines = [f"{kind} {codename}", f"ref {node.ref}"] if codename else [f"{kind} {node.ref}"]
    if node.flagged:
        rank, score = node.flagged
        lines.append(_("ranked #{rank} in the latest analysis (score {score})").format(
            rank=rank, score=number(score, 2)))
    if node.decided:
        decided = node.decided
        lines.append(_("decision: {decision} ({by}, {at})").format(
            decision=label_of(decided.decision), by=decided.by, at=decided.at[:10]))
    for key, value in sorted(node.props.items()):
        if key in _TOOLTIP_SKIP or value in (None, "", []):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{key}: {text[:200]}")
    return "\n".join(lines)


def network(sub: Subgraph, *, height: str = "640px") -> Network:
    """The subgraph as a pyvis network, laid out, physics off; built without pyvis's
    quadratic ``add_node``/``add_edge``."""
    net = Network(height=height, width="100%", directed=True, bgcolor="#ffffff",
                  cdn_resources="in_line")
    pos = layout(sub)
    seeds = set(sub.seeds)
    for node in sub.nodes.values():
        style = STYLE.get(node.kind, STYLE["other"])
        label = node.caption
        entry: dict[str, Any] = {
            "id": node.id, "label": label, "title": tooltip(node), "shape": style["shape"],
            "color": style["color"], "size": style["size"], "x": pos[node.id][0],
            "y": pos[node.id][1], "group": node.kind,
        }
        if node.flagged:
            entry.update(label=f"#{node.flagged[0]} {label}", size=style["size"] + 8,
                         borderWidth=4, color={"background": style["color"], "border": FLAG})
            if explained(node):
                entry.update(label=f"#{node.flagged[0]} {_('explained')} · {label}",
                             color={"background": style["color"], "border": EXPLAINED_RING},
                             shapeProperties={"borderDashes": [4, 3]})
        if node.ref in seeds:
            entry["font"] = {"size": 14, "bold": True}
        net.nodes.append(entry)
        net.node_ids.append(node.id)
    show_labels = len(sub.edges) <= 150
    for edge in sub.edges:
        if edge.source not in sub.nodes or edge.target not in sub.nodes:
            continue
        props = "\n".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                          for k, v in sorted(edge.props.items()) if v not in (None, "", []))
        net.edges.append({
            "id": edge.id, "from": edge.source, "to": edge.target,
            "title": f"{relationship_name(edge.type)} ({edge.type})\n{props}".strip(),
            "color": EDGE_COLOURS.get(edge.type, "#9e9e9e"),
            "label": relationship_name(edge.type) if show_labels else "",
            "dashes": edge.type == "SAME_AS",
        })
    net.options = dict(OPTIONS)
    net.templateEnv = _ENV
    net.path = "graph.html"
    return net


def to_html(sub: Subgraph, *, height: str = "640px", heading: str = "Schakel") -> str:
    """A standalone HTML page of the subgraph that loads nothing from anywhere."""
    net = network(sub, height=height)
    net.heading = heading
    return net.generate_html()


def to_csv(sub: Subgraph) -> tuple[str, str]:
    """Two CSV files, nodes and relationships, with every property as a column."""
    node_keys = sorted({k for n in sub.nodes.values() for k in n.props} - {"ref"})
    nodes = io.StringIO()
    w = csv.writer(nodes)
    w.writerow(["id", "ref", "node_type", "hop", "flagged_rank", "decision", *node_keys])
    for n in sub.nodes.values():
        w.writerow([csv_cell(v) for v in (n.id, n.ref, n.kind, n.hop,
                                            n.flagged[0] if n.flagged else "",
                                            n.decided.decision if n.decided else "",
                                            *(n.props.get(k) for k in node_keys))])
    edge_keys = sorted({k for e in sub.edges for k in e.props})
    edges = io.StringIO()
    w = csv.writer(edges)
    w.writerow(["id", "source", "target", "relationship", *edge_keys])
    for e in sub.edges:
        if e.source in sub.nodes and e.target in sub.nodes:
            w.writerow([csv_cell(v) for v in (e.id, e.source, e.target, e.type,
                                                *(e.props.get(k) for k in edge_keys))])
    return nodes.getvalue(), edges.getvalue()
