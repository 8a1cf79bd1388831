"""A selection as the CSV set ``neo4j-admin database import full`` reads: one file of
nodes per kind and one of relationships per type, with typed headers, in one zip with
the command that imports it.

Headers follow the import tool's grammar: ``id:ID``, ``:LABEL`` (labels joined by
``;``), ``name:type`` for a property that is not text (``int``, ``float``, ``boolean``,
and ``string[]`` for a list, its items joined by ``;``), and ``:START_ID``,
``:END_ID``, ``:TYPE`` for relationships. Values are written as they are: these files
are for Neo4j, not for a spreadsheet (the dashboard's *Nodes CSV* and *Relationships
CSV* are, with formulas defused).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from typing import Any

from graph.subgraph import GraphEdge, GraphNode, Subgraph

ARRAY = ";"
LABELS = {"minor": "Person;Minor", "adult": "Person", "incident": "Incident",
          "location": "Location", "signal": "Signal", "identifier": "Identifier"}
COMMAND = "neo4j-admin database import full DATABASE \\\n  {nodes} \\\n  {relationships}\n"


def _type(values: list[Any]) -> str:
    """The import tool's type for a property with these (non-empty) values."""
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, list | tuple | set) for v in present):
        return "string[]"
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "long"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool)
                       for v in present):
        return "double"
    return "string"


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "string[]":
        return ARRAY.join(str(v).replace(ARRAY, ",") for v in value)
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _table(columns: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _nodes(kind: str, nodes: list[GraphNode]) -> bytes:
    keys = sorted({k for n in nodes for k, v in n.props.items() if v is not None} - {"ref"})
    types = {k: _type([n.props.get(k) for n in nodes]) for k in keys}
    header = ["id:ID", ":LABEL", "ref", *(k if types[k] == "string" else f"{k}:{types[k]}"
                                          for k in keys)]
    rows = [[n.id, LABELS.get(kind, kind.title()), n.ref,
             *(_cell(n.props.get(k), types[k]) for k in keys)] for n in nodes]
    return _table(header, rows)


def _relationships(edges: list[GraphEdge]) -> bytes:
    keys = sorted({k for e in edges for k, v in e.props.items() if v is not None})
    types = {k: _type([e.props.get(k) for e in edges]) for k in keys}
    header = [":START_ID", ":END_ID", ":TYPE",
              *(k if types[k] == "string" else f"{k}:{types[k]}" for k in keys)]
    rows = [[e.source, e.target, e.type, *(_cell(e.props.get(k), types[k]) for k in keys)]
            for e in edges]
    return _table(header, rows)


def files(sub: Subgraph) -> dict[str, bytes]:
    """The CSV files by name: ``nodes_<kind>.csv`` and ``relationships_<TYPE>.csv``."""
    by_kind: dict[str, list[GraphNode]] = defaultdict(list)
    for node in sub.nodes.values():
        by_kind[node.kind].append(node)
    by_type: dict[str, list[GraphEdge]] = defaultdict(list)
    for edge in sub.edges:
        if edge.source in sub.nodes and edge.target in sub.nodes:
            by_type[edge.type].append(edge)
    out = {f"nodes_{kind}.csv": _nodes(kind, nodes) for kind, nodes in sorted(by_kind.items())}
    out.update({f"relationships_{rel}.csv": _relationships(edges)
                for rel, edges in sorted(by_type.items())})
    return out


def to_zip(sub: Subgraph) -> bytes:
    """The CSV set and ``IMPORT.txt`` (the command, for an empty database) in one zip."""
    made = files(sub)
    nodes = " \\\n  ".join(f"--nodes={name}" for name in made if name.startswith("nodes_"))
    rels = " \\\n  ".join(f"--relationships={name}" for name in made
                          if name.startswith("relationships_"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in made.items():
            archive.writestr(name, content)
        archive.writestr("IMPORT.txt", (
            "A selection of Schakel's graph, for an empty Neo4j database:\n\n"
            + COMMAND.format(nodes=nodes, relationships=rels)
            + "\nRun it in this folder, with the database stopped.\n").encode("utf-8"))
    return buffer.getvalue()
