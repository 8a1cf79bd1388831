"""Every pseudonym of the graph rewritten under a new team key (``schakel key rotate``).

The pseudonyms are the refs of persons and identifiers (the values the team key made).
Each becomes ``new(old)``, computed from the old pseudonym alone (the raw values are not
kept, and are not needed). They are found wherever they stand: as a node's ref, and
inside every text or list of texts of every node and relationship — a finding's person
and minors, a signal's subjects and evidence, a saved view's state, a review, a watch —
as whole 64-hex-digit tokens, so nothing that names a person keeps the old name.

Codenames stay: each person keeps the name the team says. The audit log is not rewritten
(its entries are chained by hash); ``schakel audit show --person-id`` finds a person's
entries under every key (:meth:`ingest.pseudonymise.TeamKey.pseudonyms`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.store import Store

TOKEN = re.compile(r"\b[0-9a-f]{64}\b")
BATCH = 5000

PSEUDONYMS: LiteralString = ("MATCH (n) WHERE n:Person OR n:Identifier "
                             "RETURN n.ref AS ref")
NODES: LiteralString = ("MATCH (n) RETURN elementId(n) AS id, properties(n) AS props")
RELATIONSHIPS: LiteralString = ("MATCH ()-[r]->() RETURN elementId(r) AS id, "
                                "properties(r) AS props")
SET_NODES: LiteralString = ("UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.id "
                            "SET n += row.props")
SET_RELATIONSHIPS: LiteralString = ("UNWIND $rows AS row MATCH ()-[r]->() "
                                    "WHERE elementId(r) = row.id SET r += row.props")


@dataclass
class Rekeyed:
    pseudonyms: int = 0
    nodes: int = 0  # nodes with a property rewritten
    relationships: int = 0


def _rewrite(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return TOKEN.sub(lambda m: mapping.get(m.group(0), m.group(0)), value)
    if isinstance(value, list):
        return [_rewrite(v, mapping) for v in value]
    return value


def _changed(props: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, value in props.items():
        new = _rewrite(value, mapping)
        if new != value:
            out[key] = new
    return out


def rekey(store: Store, new: Callable[[str], str]) -> Rekeyed:
    """Rewrite every pseudonym ``p`` of the graph as ``new(p)``, wherever it stands."""
    refs = [r["ref"] for r in store.run(PSEUDONYMS, read_only=True) if r["ref"]]
    mapping = {ref: new(ref) for ref in refs if TOKEN.fullmatch(ref)}
    done = Rekeyed(len(mapping))
    for read, write, field in ((NODES, SET_NODES, "nodes"),
                               (RELATIONSHIPS, SET_RELATIONSHIPS, "relationships")):
        rows = []
        for row in store.run(read, read_only=True):
            changed = _changed(row["props"], mapping)
            if changed:
                rows.append({"id": row["id"], "props": changed})
        for start in range(0, len(rows), BATCH):
            store.run(write, {"rows": rows[start:start + BATCH]})
        setattr(done, field, len(rows))
    return done
