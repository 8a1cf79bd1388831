"""A selection as GraphML, for Gephi, networkx and igraph.

Every node keeps its ref, its kind (``node_kind``: minor, adult, incident, location,
signal, identifier) and its properties; every relationship its type (``type``) and its
properties; provenance (``partners``, ``deliveries``) comes along as ``;``-joined text, a
list in networkx's and igraph's hands after ``value.split(";")`` (``tests/test_exports.py``
reads it back with both).
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from graph.subgraph import Subgraph

LIST_SEPARATOR = ";"


def flat(props: dict[str, Any]) -> dict[str, Any]:
    """Properties as GraphML holds them: lists as ``;``-joined text, maps as JSON."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            value = LIST_SEPARATOR.join(map(str, value))
        elif isinstance(value, dict):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        elif not isinstance(value, str | int | float | bool):
            value = str(value)
        out[key] = value
    return out


def to_graphml(sub: Subgraph) -> bytes:
    """The selection as GraphML (a directed multigraph: two persons may be tied twice)."""
    g = nx.MultiDiGraph()
    for node in sub.nodes.values():
        g.add_node(node.id, **flat({**node.props, "ref": node.ref, "node_kind": node.kind,
                                    "hop": node.hop}))
    for edge in sub.edges:
        if edge.source in sub.nodes and edge.target in sub.nodes:
            g.add_edge(edge.source, edge.target, key=edge.id,
                       **flat({**edge.props, "type": edge.type}))
    out = io.BytesIO()
    nx.write_graphml(g, out, encoding="utf-8")
    return out.getvalue()
