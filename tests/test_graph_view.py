"""Subgraph -> HTML, GraphML and CSV: offline, escaped, laid out. Pure; no Streamlit."""

from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx

from dashboard import graph_view
from graph.exports import graphml
from graph.subgraph import Decided, GraphEdge, GraphNode, Subgraph

HOSTILE = "</script><script>alert('x')</script><img src=x onerror=alert(1)>"


def sample(n: int = 30) -> Subgraph:
    nodes = {f"id{i}": GraphNode(f"id{i}", f"ref{i}", kind, {"ref": f"ref{i}", "kind": HOSTILE,
                                                            "partners": ["police-nl"]},
                                 hop=min(i, 2), flagged=(1, 2.5) if i == 0 else None)
             for i, kind in zip(range(n), ["adult", "minor", "incident", "location", "signal",
                                          "identifier"] * n, strict=False)}
    edges = [GraphEdge(f"e{i}", f"id{i}", f"id{(i * 7 + 1) % n}", "SUSPECT_IN",
                       {"partners": ["police-nl"], "note": HOSTILE}) for i in range(n)]
    return Subgraph(nodes, edges, n + 5, seeds=("ref0",))


def embedded(html: str, name: str) -> list[dict]:
    match = re.search(rf"var {name} = new vis\.DataSet\((.*?)\);\n", html, re.S)
    assert match, name
    return json.loads(match.group(1))


def test_the_page_loads_nothing_from_anywhere() -> None:
    html = graph_view.to_html(sample())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "cdn" not in html.lower().replace("vis-network", "")[:5000]
    assert "bootstrap" not in html.lower()
    assert "default-src 'none'" in html  # the policy forbids every fetch
    assert "vis.Network" in html and len(html) > 400_000  # vis-network is inline


def test_data_cannot_break_out_of_the_script_or_into_markup() -> None:
    html = graph_view.to_html(sample())
    assert HOSTILE not in html
    assert "<img src=x" not in html
    benign = graph_view.to_html(Subgraph({}, [], 0))
    for tag in ("<script", "</script", "<img"):  # no more tags than with no data at all
        assert html.count(tag) == benign.count(tag), tag
    nodes = embedded(html, "nodes")
    edges = embedded(html, "edges")
    assert HOSTILE in nodes[0]["title"]  # the JSON carries it back intact, as text
    assert HOSTILE in edges[0]["title"]


def test_every_node_has_a_position_and_physics_is_off() -> None:
    sub = sample(600)
    html = graph_view.to_html(sub)
    nodes = embedded(html, "nodes")
    assert len(nodes) == 600
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == 600
    assert '"physics": {"enabled": false}' in html
    flagged = next(n for n in nodes if n["id"] == "id0")
    assert flagged["label"].startswith("#1 ") and flagged["borderWidth"] == 4


def test_layout_puts_the_seed_in_the_middle_and_rings_outside() -> None:
    sub = sample(60)
    pos = graph_view.layout(sub, polish_up_to=0)
    radius = {i: (x * x + y * y) ** 0.5 for i, (x, y) in pos.items()}
    assert radius["id0"] == 0
    assert max(radius[i] for i, n in sub.nodes.items() if n.hop == 1) < min(
        radius[i] for i, n in sub.nodes.items() if n.hop == 2)


def test_graphml_opens_in_networkx_with_every_node_and_edge() -> None:
    sub = sample()
    g = nx.read_graphml(io.BytesIO(graphml.to_graphml(sub)))
    assert g.number_of_nodes() == 30 and g.number_of_edges() == 30
    assert g.nodes["id0"]["partners"] == "police-nl" and g.nodes["id1"]["node_kind"] == "minor"


def test_csv_rows_cannot_run_as_spreadsheet_formulas() -> None:
    sub = sample(3)
    sub.nodes["id1"].props["name"] = "=HYPERLINK(\"http://evil\")"
    nodes_csv, edges_csv = graph_view.to_csv(sub)
    rows = list(csv.DictReader(io.StringIO(nodes_csv)))
    assert len(rows) == 3
    assert rows[1]["name"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["flagged_rank"] == "1" and rows[1]["node_type"] == "minor"
    assert len(list(csv.DictReader(io.StringIO(edges_csv)))) == 3


def test_a_person_reviewed_as_explained_keeps_its_rank_without_the_red_ring() -> None:
    sub = sample(3)
    sub.nodes["id1"].flagged = (2, 1.5)
    sub.nodes["id0"].decided = Decided("explained_work", "ann", "2026-12-03T08:00:00Z")
    sub.nodes["id1"].decided = Decided("pursue", "ivo", "2026-12-02T10:00:00Z")
    nodes = {n["id"]: n for n in embedded(graph_view.to_html(sub), "nodes")}
    explained, lead = nodes["id0"], nodes["id1"]
    assert explained["label"].startswith("#1 explained · ")
    assert explained["color"]["border"] == graph_view.EXPLAINED_RING
    assert explained["shapeProperties"] == {"borderDashes": [4, 3]}
    assert "decision: explained: their work" in explained["title"]
    assert "(ann, 2026-12-03)" in explained["title"]
    assert lead["label"].startswith("#2 ") and lead["color"]["border"] == graph_view.FLAG
    assert "shapeProperties" not in lead and "decision: a lead to pursue" in lead["title"]
    rows = list(csv.DictReader(io.StringIO(graph_view.to_csv(sub)[0])))
    assert [r["decision"] for r in rows] == ["explained_work", "pursue", ""]
