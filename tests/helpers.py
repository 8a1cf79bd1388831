"""Building small deliveries for tests, and reading the graph back whole."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph.access import Purpose
from graph.explore import ROLE_RELS
from graph.settings import Settings
from graph.store import Store

SCHAKEL = str(Path(sys.executable).parent / "schakel")

MANIFEST: dict[str, Any] = {
    "format": "exchange/1", "partner": "police-amsterdam", "partner_kind": "police",
    "extracted_at": "2016-03-01T09:00:00+01:00", "pseudonymised": True, "key_id": "demo",
}

LOCATIONS = ("location_ref,kind,city,country,lat,lon,name\n"
             "L1,station,Amsterdam,NL,52.379,4.900,Centraal Station\n"
             "L2,shop,Utrecht,,,,\n")
PERSONS = "person_ref,birth_year,sex,category\nP1,2004,m,\nP2,1975,f,\nP3,,,minor\n"
INCIDENTS = ("incident_ref,kind,occurred_at,location_ref,status\n"
             "I1,pickpocketing,2016-02-11,L1,reported\n"
             "I2,shoplifting,2016-02-12T14:05:00+01:00,L2,\n")
INVOLVEMENTS = ("incident_ref,person_ref,role\n"
                "I1,P1,suspect\nI1,P2,collector\nI2,P1,suspect\nI2,P4,victim\n")


PURPOSE = Purpose("T-1", "automated test of the read API")


def delivery(root: Path, files: Mapping[str, str | bytes], name: str = "d",
             **manifest: Any) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({**MANIFEST, **manifest}))
    for filename, content in files.items():
        path = folder / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def basic_files(**overrides: str | bytes) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"locations.csv": LOCATIONS, "persons.csv": PERSONS,
                                     "incidents.csv": INCIDENTS,
                                     "involvements.csv": INVOLVEMENTS}
    files.update(overrides)
    return files


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    # the tests read English; Dutch, the default, has tests of its own (test_i18n.py)
    return {**settings.child_env(), "COLUMNS": "200", "SCHAKEL_LANGUAGE": "en", **extra}


def schakel(settings: Settings, *args: str, _input: str | None = None,
            **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCHAKEL, *args], env=cli_env(settings, **extra), input=_input,
                          capture_output=True, text=True, timeout=900, check=False)


def dump(store: Store) -> dict[str, Any]:
    """Every node and relationship with all labels and properties, in a stable order."""
    nodes = store.run(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.ref",
        read_only=True)
    rels = store.run(
        "MATCH (a)-[r]->(b) RETURN a.ref AS a, type(r) AS type, b.ref AS b, "
        "properties(r) AS props ORDER BY a, type, b", read_only=True)
    for item in nodes + rels:
        item["props"] = {k: str(v) for k, v in sorted(item["props"].items())}
        if "labels" in item:
            item["labels"] = sorted(item["labels"])
    return {"nodes": nodes, "relationships": rels}


def minors(store: Store) -> set[str]:
    """The refs of the persons labelled `Minor`."""
    return {r["ref"] for r in store.run("MATCH (p:Minor) RETURN p.ref AS ref", read_only=True)}


def totals(store: Store) -> tuple[int, int]:
    row = store.run("MATCH (n) WITH count(n) AS n "
                    "OPTIONAL MATCH ()-[r]->() RETURN n, count(r) AS r", read_only=True)[0]
    return row["n"], row["r"]


def events_of(store: Store, ref: str, partner: str | None = None) -> set[tuple[str, str]]:
    """(event ref, link type) of every incident, signal and stay of a person, by Cypher
    alone (for ``partner``: only links and events it delivered)."""
    rows = store.run(
        "MATCH (p:Person {ref: $ref}) "
        "CALL (p) { MATCH (p)-[r]->(e:Incident) WHERE type(r) IN $roles RETURN r, e "
        "UNION MATCH (e:Signal)-[r]->(p) RETURN r, e "
        "UNION MATCH (p)-[r:STAYED_AT]->(e) RETURN r, e } "
        "WITH r, e WHERE $partner IS NULL OR ($partner IN r.partners AND $partner IN e.partners) "
        "RETURN e.ref AS ref, type(r) AS type",
        {"ref": ref, "roles": list(ROLE_RELS), "partner": partner}, read_only=True)
    return {(r["ref"], r["type"]) for r in rows}
