"""Withdrawals (graph/withdrawal.py, ingest/withdrawals.py, `schakel withdraw`): a partner
takes back a delivery or single records; what rests only on them leaves the graph, the
findings that used them say why they are out of date, and the next run ranks without them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from graph.analysis.run import analyse
from graph.settings import Settings
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from schakel.cli import app
from tests.helpers import LOCATIONS, basic_files, cli_env, delivery

KEY = TeamKey("demo", DEMO_KEY)
runner = CliRunner()
# A second partner's delivery: adult A collects two minors of the first after arrests in
# Utrecht and Breda, days after each was reported missing elsewhere; only it makes A.
COLLECTOR = {
    "locations.csv": LOCATIONS + "L3,station,Breda,NL,,,\n",
    "persons.csv": "person_ref,birth_year,sex,category\nA,1980,,\nP1,2004,,\nP3,,,minor\n",
    "incidents.csv": ("incident_ref,kind,occurred_at,location_ref,status\n"
                      "U1,pickpocketing,2016-02-20,L2,\nU2,pickpocketing,2016-02-21,L3,\n"
                      "U3,shoplifting,2016-02-24,L3,\n"),
    "involvements.csv": ("incident_ref,person_ref,role\nU1,P1,suspect\nU1,A,collector\n"
                         "U2,P3,suspect\nU2,A,collector\nU3,P1,suspect\nU3,A,present\n"
                         "U3,P3,suspect\nU3,A,collector\n"),
    "signals.csv": ("signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
                    "S1,P1,missing,2016-02-18,L1,\nS2,P3,runaway,2016-02-19,L1,\n"),
}


def manifest(tmp_path: Path, name: str = "withdrawal.json", **fields: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"format": "exchange/withdrawal-1", "partner": "police-utrecht",
                                "key_id": "demo", "pseudonymised": True,
                                "reason": "wrong identification", **fields}))
    return path


def run(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def ranked(store: Store) -> set[str]:
    result = analyse(store, top=10)
    return {ref for c in result.candidates for ref in result.graph.nodes[c.node]["refs"]}


def test_withdrawing_the_delivery_that_made_a_candidate(neo4j_settings: Settings,
                                                       store: Store, tmp_path: Path) -> None:
    env = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "home"))
    first = ingest_delivery(store, delivery(tmp_path, basic_files(), name="first"), KEY,
                            standing=None)
    second = ingest_delivery(store, delivery(tmp_path, COLLECTOR, name="second",
                                             partner="police-utrecht"), KEY, standing=None)
    assert not first.refused and not second.refused, second.refused
    assert "A" in ranked(store)
    store.run("CREATE (:Alert {ref: 'x', deliveries: [$d], subjects: ['A'], status: 'new'})",
              {"d": second.ref})

    dry = run(env, "withdraw", str(manifest(tmp_path, deliveries=[second.ref])), "--dry-run")
    assert dry.exit_code == 0 and "A dry run, nothing changed" in dry.output
    assert store.run("MATCH (p:Person {ref: 'A'}) RETURN count(p) AS n")[0]["n"] == 1

    done = run(env, "withdraw", str(manifest(tmp_path, deliveries=[second.ref])))
    assert done.exit_code == 0, done.output
    assert store.run("MATCH (p:Person {ref: 'A'}) RETURN count(p) AS n")[0]["n"] == 0
    assert store.run("MATCH (p:Person {ref: 'P1'}) RETURN p.partners AS p")[0]["p"] == \
        ["police-amsterdam"]  # the first partner's record stays, with its own support
    old = store.run("MATCH (f:Finding {person_ref: 'A'}) RETURN f.out_of_date AS stale, "
                    "f.out_of_date_reason AS why")
    assert old and old[0]["stale"] is True
    assert "police-utrecht withdrew" in old[0]["why"] and "wrong identification" in old[0]["why"]
    assert store.run("MATCH (s:Alert {ref: 'x'}) RETURN s.withdrawn AS w")[0]["w"]
    status = store.run("MATCH (d:Delivery {ref: $r}) RETURN d.status AS s, "
                       "d.withdrawn_reason AS why", {"r": second.ref})[0]
    assert status == {"s": "withdrawn", "why": "wrong identification"}
    assert "A" not in ranked(store)  # the next run ranks what remains
    entry = [json.loads(line) for line in
             (tmp_path / "home" / "audit" / "audit.jsonl").read_text().splitlines()][-1]
    assert entry["action"] == "withdrawal.apply" and entry["what"]["deliveries"] == [second.ref]


def test_single_records_and_what_is_refused(neo4j_settings: Settings, store: Store,
                                            tmp_path: Path) -> None:
    env = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "home"))
    ingest_delivery(store, delivery(tmp_path, basic_files(), name="first"), KEY, standing=None)
    theirs = ingest_delivery(store, delivery(tmp_path, COLLECTOR, name="second",
                                             partner="police-utrecht"), KEY, standing=None)
    records = [{"file": "involvements.csv", "incident_ref": "U1", "person_ref": "A",
                "role": "collector"},
               {"file": "incidents.csv", "incident_ref": "U2"},
               {"file": "persons.csv", "person_ref": "P2"}]  # the other partner's person
    store.run("MATCH (p:Person {ref: 'P2'}) "
              "CREATE (:Finding {ref: 'F-P2', deliveries: []})-[:CONCERNS]->(p)")
    result = run(env, "withdraw", str(manifest(tmp_path, records=records)))
    assert result.exit_code == 1, result.output  # one record was not this partner's
    assert "persons.csv: P2: not a record of this partner" in " ".join(result.output.split())
    assert store.run("MATCH (:Person {ref: 'A'})-[r:COLLECTED_AFTER]->(:Incident {ref: 'U1'}) "
                     "RETURN count(r) AS n")[0]["n"] == 0
    assert store.run("MATCH (i:Incident {ref: 'U2'}) RETURN count(i) AS n")[0]["n"] == 0
    assert store.run("MATCH (:Person {ref: 'A'})-[r]->(:Incident {ref: 'U3'}) "
                     "RETURN count(r) AS n")[0]["n"] == 2  # the rest stays
    assert store.run("MATCH (p:Person {ref: 'P2'}) RETURN count(p) AS n")[0]["n"] == 1
    # nothing of P2 was taken, so what concerns P2 is not out of date
    assert store.run("MATCH (f:Finding {ref: 'F-P2'}) RETURN f.out_of_date AS o")[0]["o"] is None

    before = store.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
    foreign = run(env, "withdraw", str(manifest(tmp_path, "f.json", partner="police-amsterdam",
                                                deliveries=[theirs.ref])))
    assert foreign.exit_code == 2 and "not a delivery of police-amsterdam" in foreign.output
    bad = manifest(tmp_path, "bad.json", deliveries=[theirs.ref], when="now")
    refused = run(env, "withdraw", str(bad))
    assert refused.exit_code == 2 and "when" in refused.output and "Traceback" not in refused.output
    assert store.run("MATCH (n) RETURN count(n) AS n")[0]["n"] == before  # nothing changed
