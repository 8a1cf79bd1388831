"""A selection of the graph for other tools (graph/exports/): FollowTheMoney entities that
FollowTheMoney's own model accepts, GraphML that networkx and igraph read back with kinds,
types and provenance intact, and a CSV set that Neo4j's own import tool loads into a
database with the same nodes, labels, relationships and properties."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import igraph
import networkx as nx
import pytest
from followthemoney import model

from graph import explore, local_neo4j
from graph.access import Role, Viewer
from graph.exports import ftm, graphml, neo4j_csv
from graph.settings import LocalNeo4j
from graph.store import Store
from graph.subgraph import PERSON_KINDS, Subgraph
from tests.conftest import Scenario
from tests.helpers import PURPOSE

IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)


@pytest.fixture(scope="module")
def selection(scenario: Scenario) -> Subgraph:
    """The two-hop neighbourhood of the top candidate: persons, incidents, places,
    signals, identifiers and ties, as Explore draws it."""
    top = scenario.store.run("MATCH (f:Finding {run_id: $run, rank: 1}) RETURN f.person_ref AS p",
                             {"run": scenario.run_id})[0]["p"]
    sub = explore.neighbourhood(scenario.store, IVO, [top], hops=2, cap=400)
    assert {n.kind for n in sub.nodes.values()} >= {"minor", "adult", "incident", "location"}
    return sub


def test_followthemoney_entities_are_valid_and_keep_who_was_involved(
        selection: Subgraph) -> None:
    lines = ftm.to_lines(selection).decode().splitlines()
    entities = [json.loads(line) for line in lines]
    by_schema = Counter(e["schema"] for e in entities)
    persons = [n for n in selection.nodes.values() if n.kind in PERSON_KINDS]
    merged = sum(1 for e in selection.edges if e.type == "SAME_AS")
    assert by_schema["Person"] == len(persons) - merged
    assert by_schema["Event"] == sum(1 for n in selection.nodes.values()
                                     if n.kind in ("incident", "signal"))
    assert by_schema["Address"] == sum(1 for n in selection.nodes.values()
                                       if n.kind == "location")
    ids = {e["id"] for e in entities}
    for entity in entities:
        proxy = model.get_proxy(entity, cleaned=False)  # the library's own reading
        assert model.get_proxy(proxy.to_full_dict()) is not None
        assert proxy.schema.validate(entity) is None
        for prop in proxy.iterprops():  # every reference points at an exported entity
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids, (entity["schema"], prop.name)
    events = [e for e in entities if e["schema"] == "Event" and "incident" in
              e["properties"].get("keywords", [])]
    assert events and all(e["properties"].get("involved") for e in events)
    assert any("suspect:" in s for e in events for s in e["properties"].get("summary", []))
    persons_out = [e for e in entities if e["schema"] == "Person"]
    assert all(e["properties"].get("publisher") for e in persons_out)  # provenance
    assert not any(key in e["properties"] for e in persons_out
                   for key in ("gender", "birthDate", "nationality", "ethnicity"))
    # the same selection, the same ids: a second export merges in Aleph, not duplicates
    assert ftm.to_lines(selection) == ftm.to_lines(selection)


def test_graphml_reads_back_in_networkx_and_igraph(selection: Subgraph, tmp_path: Path) -> None:
    data = graphml.to_graphml(selection)
    g = nx.read_graphml(io.BytesIO(data))
    assert g.number_of_nodes() == len(selection.nodes)
    assert g.number_of_edges() == len(selection.edges)
    for node_id, node in selection.nodes.items():
        attrs = g.nodes[node_id]
        assert (attrs["ref"], attrs["node_kind"]) == (node.ref, node.kind)
        assert attrs.get("partners", "").split(";") == \
            [str(p) for p in node.props.get("partners") or []] or not node.props.get("partners")
    assert Counter(t for _, _, t in g.edges(data="type")) == \
        Counter(e.type for e in selection.edges)
    path = tmp_path / "view.graphml"
    path.write_bytes(data)
    ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.vcount() == len(selection.nodes) and ig.ecount() == len(selection.edges)
    assert Counter(ig.vs["node_kind"]) == Counter(n.kind for n in selection.nodes.values())
    assert Counter(ig.es["type"]) == Counter(e.type for e in selection.edges)
    delivered = {v["ref"]: v["deliveries"] for v in ig.vs if v["deliveries"]}
    assert delivered and all(d.split(";") == list(selection.nodes[n].props["deliveries"])
                             for n, node in selection.nodes.items()
                             if (d := delivered.get(node.ref)))


def test_the_csv_set_loads_with_neo4j_admin_import(selection: Subgraph, tmp_path: Path) -> None:
    archive = zipfile.ZipFile(io.BytesIO(neo4j_csv.to_zip(selection)))
    folder = tmp_path / "csv"
    archive.extractall(folder)
    command = (folder / "IMPORT.txt").read_text()
    assert "neo4j-admin database import full" in command
    home = tmp_path / "neo4j"
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "neo4j.conf").write_text("")
    home.mkdir()
    names = sorted(p.name for p in folder.glob("*.csv"))
    target = local_neo4j.LAUNCHER_DIR / "target"
    imported = subprocess.run(
        ["java", "-Xmx512m", *local_neo4j.JVM_FLAGS, "-cp", str(target / "lib" / "*"),
         "org.neo4j.cli.AdminTool", "database", "import", "full", "neo4j",
         *(f"--nodes={n}" for n in names if n.startswith("nodes_")),
         *(f"--relationships={n}" for n in names if n.startswith("relationships_"))],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(tmp_path / "conf")})
    assert imported.returncode == 0, imported.stdout[-2000:] + imported.stderr[-2000:]
    local = LocalNeo4j(data_dir=home, port=local_neo4j.free_port(), heap="512m",
                       pagecache="64m")
    with local_neo4j.serve(local):
        from graph.settings import Settings
        settings = Settings.from_env({"SCHAKEL_HOME": str(tmp_path / "home"),
                                      "SCHAKEL_NEO4J_DATA": str(home),
                                      "SCHAKEL_NEO4J_PORT": str(local.port)})
        with Store.connect(settings) as other:
            labels = Counter({r["label"]: r["n"] for r in other.run(
                "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")})
            types = Counter({r["type"]: r["n"] for r in other.run(
                "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")})
            sample = next(n for n in selection.nodes.values() if n.kind == "minor")
            row = other.run("MATCH (p:Minor {ref: $ref}) RETURN p.partners AS partners, "
                            "p.codename AS codename", {"ref": sample.ref})[0]
    kinds = Counter(n.kind for n in selection.nodes.values())
    assert labels["Person"] == kinds["minor"] + kinds["adult"] and labels["Minor"] == kinds["minor"]
    assert labels["Incident"] == kinds["incident"] and labels["Location"] == kinds["location"]
    assert types == Counter(e.type for e in selection.edges)
    assert row["partners"] == list(sample.props["partners"])
    assert row["codename"] == sample.props["codename"]
