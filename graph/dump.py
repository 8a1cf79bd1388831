"""The whole graph as JSON lines, and back: the graph's part of a backup
(:mod:`schakel.backup`).

:func:`dump` reads every node and relationship in one read transaction, so the lines
hold one state of the graph, and writes each as one JSON object: a node's id, labels and
properties; a relationship's type, ends and properties. Values keep their type: a
date, a date-time or a duration is written as ``{"$type": ISO text}`` and read back as
the same Neo4j value, to the nanosecond (:func:`encode`, :func:`decode`).

:func:`load` writes them into an empty database in batches: nodes first (the dump's ids
mapped to the new ones), then relationships between them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any, LiteralString

import neo4j.time
from neo4j import Transaction
from neo4j.spatial import CartesianPoint, WGS84Point

from graph.errors import GraphError
from graph.store import Store

BATCH = 5000

_TEMPORAL: dict[str, Any] = {
    "date": neo4j.time.Date, "datetime": neo4j.time.DateTime, "time": neo4j.time.Time,
    "duration": neo4j.time.Duration,
}


def encode(value: Any) -> Any:
    """A property value as JSON, its Neo4j type kept.

    >>> encode(neo4j.time.Date(2015, 5, 1)), encode([1, "a"])
    ({'$date': '2015-05-01'}, [1, 'a'])
    """
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, neo4j.time.DateTime):
        return {"$datetime": value.iso_format()}
    if isinstance(value, neo4j.time.Date):
        return {"$date": value.iso_format()}
    if isinstance(value, neo4j.time.Time):
        return {"$time": value.iso_format()}
    if isinstance(value, neo4j.time.Duration):
        return {"$duration": value.iso_format()}
    if isinstance(value, WGS84Point | CartesianPoint):
        return {"$point": [value.srid, *value]}
    return value


def decode(value: Any) -> Any:
    """The Neo4j value of :func:`encode`'s JSON.

    >>> decode({"$datetime": "2026-11-29T13:03:01.790000123+00:00"}).nanosecond
    790000123
    """
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        kind = tag.removeprefix("$")
        if kind in _TEMPORAL:
            return _TEMPORAL[kind].from_iso_format(text)
        if kind == "point":
            srid, *coords = text
            return (WGS84Point if srid in (4326, 4979) else CartesianPoint)(coords)
    return value


DUMP_NODES = "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props"
DUMP_RELATIONSHIPS = ("MATCH (a)-[r]->(b) RETURN elementId(a) AS s, elementId(b) AS t, "
                      "type(r) AS type, properties(r) AS props")


@dataclass
class Counts:
    """Nodes by label and relationships by type: what a dump holds, or a database."""

    labels: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    nodes: int = 0
    relationships: int = 0

    def add_node(self, labels: Iterable[str]) -> None:
        self.nodes += 1
        for label in labels:
            self.labels[label] = self.labels.get(label, 0) + 1

    def add_relationship(self, rel_type: str) -> None:
        self.relationships += 1
        self.types[rel_type] = self.types.get(rel_type, 0) + 1


def dump(store: Store, nodes: IO[str], relationships: IO[str]) -> Counts:
    """Every node and relationship, in one read transaction, as JSON lines."""
    counts = Counts()
    with store.session(read_only=True, fetch_size=BATCH) as session, \
            session.begin_transaction() as tx:
        for record in tx.run(DUMP_NODES):
            counts.add_node(record["labels"])
            nodes.write(json.dumps({"id": record["id"], "labels": record["labels"],
                                    "props": encode_props(record["props"])},
                                   ensure_ascii=False) + "\n")
        for record in tx.run(DUMP_RELATIONSHIPS):
            counts.add_relationship(record["type"])
            relationships.write(json.dumps({"s": record["s"], "t": record["t"],
                                            "type": record["type"],
                                            "props": encode_props(record["props"])},
                                           ensure_ascii=False) + "\n")
    return counts


def encode_props(props: dict[str, Any]) -> dict[str, Any]:
    return {k: encode(v) for k, v in props.items()}


class NotEmpty(GraphError):
    """A restore needs an empty database: it adds, it does not merge."""


# Labels and types come from the dump; Cypher's dynamic labels and types ($(...)) take
# them as parameters, never as query text.
LOAD_NODES = ("UNWIND $rows AS row CREATE (n:$(row.labels)) SET n = row.props "
              "RETURN row.id AS old, elementId(n) AS new")
LOAD_RELATIONSHIPS = ("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.s "
                      "MATCH (b) WHERE elementId(b) = row.t "
                      "CREATE (a)-[r:$(row.type)]->(b) SET r = row.props RETURN count(r) AS n")


def _batches(lines: Iterable[str]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            row["props"] = {k: decode(v) for k, v in row["props"].items()}
            batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _create(query: LiteralString, rows: list[dict[str, Any]], tx: Transaction
            ) -> list[dict[str, Any]]:
    return tx.run(query, rows=rows).data()


def load(store: Store, nodes: Iterable[str], relationships: Iterable[str],
         progress: Callable[[int], None] | None = None) -> Counts:
    """Write a dump into ``store``'s database, which must hold no node."""
    held = store.run("MATCH (n) RETURN count(n) AS n", read_only=True)[0]["n"]
    if held:
        raise NotEmpty(f"the database holds {held:,} nodes: a restore needs an empty one "
                       "(a new installation, or `schakel db reset --yes`)")
    store.ensure_schema()  # the constraints and indexes first, as ingest has them
    counts = Counts()
    ids: dict[str, str] = {}
    for batch in _batches(nodes):
        rows = store.write(partial(_create, LOAD_NODES, batch))
        ids.update((r["old"], r["new"]) for r in rows)
        for row in batch:
            counts.add_node(row["labels"])
        if progress is not None:
            progress(len(batch))
    for batch in _batches(relationships):
        for row in batch:
            row["s"], row["t"] = ids[row["s"]], ids[row["t"]]
            counts.add_relationship(row["type"])
        store.write(partial(_create, LOAD_RELATIONSHIPS, batch))
        if progress is not None:
            progress(len(batch))
    return counts


def count(store: Store) -> Counts:
    """The database's nodes by label and relationships by type (any label or type, not
    only the schema's)."""
    found = Counts()
    for row in store.run("MATCH (n) UNWIND labels(n) AS label "
                         "RETURN label, count(*) AS n", read_only=True):
        found.labels[row["label"]] = row["n"]
    for row in store.run("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n",
                         read_only=True):
        found.types[row["type"]] = row["n"]
    found.nodes = store.run("MATCH (n) RETURN count(n) AS n", read_only=True)[0]["n"]
    found.relationships = sum(found.types.values())
    return found
