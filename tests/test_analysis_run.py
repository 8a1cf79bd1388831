"""The analysis against the real Neo4j: projection, `schakel analyse` and `evaluate`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from graph.analysis.projection import project
from graph.analysis.run import analyse
from graph.settings import Settings
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios.synth import generate
from tests.helpers import LOCATIONS, basic_files, delivery, schakel

KEY = TeamKey("demo", DEMO_KEY)


def test_projection_folds_aliases_and_keeps_ties(store: Store, tmp_path: Path) -> None:
    files = basic_files(**{
        "aliases.csv": "person_ref,other_ref,basis\nP1,P1B,fingerprint\nP1B,P1C,photo\n",
        "relations.csv": "person_ref,other_ref,kind\nP2,P1C,parent\n",
        "identifiers.csv": "person_ref,kind,identifier_ref\nP2,phone,T1\nP1B,phone,T1\n",
    })
    assert ingest_delivery(store, delivery(tmp_path, files), KEY).status == 0
    g = project(store)
    kid = ("person", "P1")
    assert g.nodes[kid]["refs"] == {"P1", "P1B", "P1C"}
    assert g.nodes[kid]["minor"] is True  # born 2004, suspect in 2016
    assert ("person", "P1B") not in g
    assert "PARENT_OF" in g.edges[("person", "P2"), kid]["types"]
    assert g.has_edge(kid, ("identifier", "T1"))
    assert g.edges[kid, ("incident", "I1")]["types"] == {"SUSPECT_IN"}
    assert g.nodes[("incident", "I1")]["city"] == "Amsterdam"
    # a birth year or a category on any reference records the age; P4 has neither
    assert g.nodes[kid]["age_recorded"] and g.nodes[("person", "P3")]["age_recorded"]
    assert g.nodes[("person", "P4")]["age_recorded"] is False


def test_projection_keeps_where_persons_lived_and_how_many_lived_there(
        store: Store, tmp_path: Path) -> None:
    files = basic_files(**{
        "locations.csv": LOCATIONS + "H1,residence,Utrecht,,,,\nS1,shelter,Utrecht,,,,\n",
        "aliases.csv": "person_ref,other_ref,basis\nP1,P1B,fingerprint\n",
        "stays.csv": ("person_ref,location_ref,from,until\n"
                      "P2,H1,2008-01-01,\nP1,H1,2010-03-01,2012-01-01\n"
                      "P1B,H1,2013-01-01,2014-06-01\nP1,S1,2015-01-01,\n"),
    })
    assert ingest_delivery(store, delivery(tmp_path, files), KEY).status == 0
    g = project(store)
    kid, parent = ("person", "P1"), ("person", "P2")
    # both stays of the alias cluster at H1, from the first day to the last
    assert g.nodes[kid]["homes"] == {"H1": (date(2010, 3, 1), date(2014, 6, 1))}
    assert g.nodes[parent]["homes"] == {"H1": (date(2008, 1, 1), None)}
    assert g.graph["residents"] == {"H1": 2}  # a shelter is no residence
    assert g.nodes[kid]["shelters"] == {"S1": "Utrecht"}
    assert "placed" not in g.nodes[kid]  # the police recorded the stays: no placement
    # youth care records a stay of the child at H1: a placement there, and only there
    placing = delivery(tmp_path, {"locations.csv": "location_ref,kind,city,country\n"
                                                   "H1,residence,Utrecht,NL\n",
                                  "stays.csv": "person_ref,location_ref,from,until\n"
                                               "P1B,H1,2015-06-01,\n"},
                       name="yc", partner="youth-care-utrecht", partner_kind="youth_care")
    assert ingest_delivery(store, placing, KEY).status == 0
    g = project(store)
    assert g.nodes[kid]["placed"] == {"H1"} and "placed" not in g.nodes[parent]


def test_analyse_reads_dates_and_date_times_alike(store: Store, tmp_path: Path) -> None:
    """The format allows an incident or a signal a date or a date-time; the analysis counts
    in days, and a partner that records the hour must not break it (nor one that records
    the hour for some rows only)."""
    files = basic_files(**{  # I1 on a date, I2 at a date-time; P2 collects P1 at both
        "involvements.csv": "incident_ref,person_ref,role\n"
                            "I1,P1,suspect\nI1,P2,collector\nI2,P1,suspect\nI2,P2,collector\n",
        "signals.csv": "signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
                       "S1,P1,missing,2016-02-10T22:30:00+01:00,,\n",
        "identifiers.csv": "person_ref,kind,identifier_ref,observed_at\n"
                           "P2,address,A1,2003-01-01\nP1,address,A1,2006-01-01\n",
    })
    assert ingest_delivery(store, delivery(tmp_path, files), KEY).status == 0
    g = project(store)
    days = [g.nodes[node]["day"] for node in (("incident", "I1"), ("incident", "I2"),
                                              ("signal", "S1"))]
    assert days == [date(2016, 2, 11), date(2016, 2, 12), date(2016, 2, 10)]
    result = analyse(store, top=5)
    (parent,) = [c for c in result.candidates if c.node == ("person", "P2")]
    # at home with the child since 2006; and collecting it is all P2 did, as a parent does
    assert [k.kind for k in parent.counter_evidence] == ["household", "guardian"]


def test_analyse_on_an_empty_graph_says_why_it_found_nothing(neo4j_settings: Settings,
                                                           store: Store) -> None:
    result = schakel(neo4j_settings, "analyse")
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "the graph holds no persons yet (load deliveries with `schakel ingest`)" in said
    assert "written to the graph" not in said and not store.count_nodes().get("Finding")


def test_analyse_writes_findings_and_evaluate_beats_the_baselines(
        neo4j_settings: Settings, store: Store, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario"
    truth = generate(scenario, seed=1, scale=1.0, key=KEY)
    loaded = schakel(neo4j_settings, "ingest", *[str(p) for p in sorted(scenario.iterdir())
                                                 if p.is_dir()])
    assert loaded.returncode == 0, loaded.stderr

    out = tmp_path / "run.json"
    result = schakel(neo4j_settings, "analyse", "--top", "10", "--json", str(out))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert set(doc) == {"run", "candidates", "structures"}
    first = doc["candidates"][0]
    # the fields of earlier versions stay; the reasons for and against are added
    assert set(first) >= {"person_ref", "rank", "score", "aliases", "indicators"}
    assert set(first) >= {"band", "evidence_mass", "minors", "counter_evidence"}
    assert 0 < first["score"] <= 1 and first["band"] == "strong"
    assert first["minors"] and all(set(m) >= {"ref", "weight", "markers", "lowered_by"}
                                   for m in first["minors"])
    assert first["rank"] == 1 and first["indicators"]
    assert all(set(i) == {"name", "value", "evidence"} for i in first["indicators"])
    assert [c["score"] for c in doc["candidates"]] == \
        sorted((c["score"] for c in doc["candidates"]), reverse=True)
    assert doc["structures"] and all(set(s) >= {"id", "core", "members"}
                                     for s in doc["structures"])
    # refs exactly as stored
    refs = [c["person_ref"] for c in doc["candidates"][:10]]
    found = store.run("UNWIND $refs AS r MATCH (p:Person {ref: r}) RETURN count(p) AS c",
                      {"refs": refs})
    assert found[0]["c"] == 10
    # whether a partner recorded the age, as the graph holds it (a note, not an input)
    aged = store.run("MATCH (p:Person) WHERE p.birth_year IS NOT NULL OR p.category IS NOT NULL "
                     "RETURN collect(p.ref) AS refs")
    with_age = set(aged[0]["refs"])
    assert {c["person_ref"]: c["age_recorded"] for c in doc["candidates"]} == {
        c["person_ref"]: bool({c["person_ref"], *c["aliases"]} & with_age)
        for c in doc["candidates"]}
    assert not all(c["age_recorded"] for c in doc["candidates"])  # the scenario has both
    # whether its links are all what a parent or guardian does too: the planted handler at
    # the top is not; the scenario's collecting parents are
    flags = [c["guardian_like"] for c in doc["candidates"]]
    assert flags[0] is False and any(flags)

    run_id = doc["run"]["id"]
    written = store.run(
        "MATCH (f:Finding {run_id: $run, rank: 1})-[:CONCERNS]->(p:Person) "
        "OPTIONAL MATCH (f)-[s:SUPPORTED_BY]->(e) "
        "RETURN p.ref AS ref, count(s) AS evidence, f.score AS score, f.parameters AS params, "
        "size(f.deliveries) AS deliveries, f.band AS band, f.counter_evidence AS against, "
        "f.minors AS minors", {"run": run_id})
    stored = store.run("MATCH (f:Finding {run_id: $run}) RETURN f.rank AS rank, "
                       "f.guardian_like AS flag ORDER BY rank", {"run": run_id})
    assert [r["flag"] for r in stored] == flags[:len(stored)]
    assert written[0]["ref"] == first["person_ref"]
    assert written[0]["band"] == first["band"]
    assert json.loads(written[0]["against"]) == first["counter_evidence"]
    assert json.loads(written[0]["minors"]) == first["minors"]
    assert written[0]["evidence"] > 0 and written[0]["deliveries"] > 0
    assert json.loads(written[0]["params"])["top"] == 10
    members = store.run("MATCH (s:Structure {run_id: $run})-[m:HAS_MEMBER]->(:Person) "
                        "RETURN count(m) AS c", {"run": run_id})
    assert members[0]["c"] >= sum(len(s["members"]) for s in doc["structures"])

    again = schakel(neo4j_settings, "analyse", "--top", "5")
    assert again.returncode == 0
    runs = store.run("MATCH (f:Finding) RETURN count(DISTINCT f.run_id) AS c")
    assert runs[0]["c"] == 2  # earlier runs are kept

    figures = tmp_path / "eval.json"
    evaluated = schakel(neo4j_settings, "evaluate", "--truth", str(scenario / "truth.json"),
                        "--json", str(figures))
    assert evaluated.returncode == 0, evaluated.stderr
    results = {r["method"]: r for r in json.loads(figures.read_text())["results"]}
    ours, degree = results["schakel"], results["degree to minors"]
    assert ours["k"] == len(truth["exploiters"]) + len(truth["helpers"])
    assert ours["average_precision"] >= 0.9
    assert ours["average_precision"] >= 2 * degree["average_precision"]
    assert sum(ours["decoys_in_top_k"].values()) == 0
    assert "betweenness" in results


def test_evaluate_without_a_run_or_with_a_bad_truth(neo4j_settings: Settings, store: Store,
                                                    tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"exploiters": [], "helpers": [], "decoys": {}}))
    result = schakel(neo4j_settings, "evaluate", "--truth", str(truth))
    assert result.returncode == 2 and "run `schakel analyse` first" in result.stderr
    truth.write_text("[1, 2]")
    result = schakel(neo4j_settings, "evaluate", "--truth", str(truth))
    assert result.returncode == 2 and "is not a scenario's truth.json" in result.stderr
    assert "Traceback" not in result.stderr
