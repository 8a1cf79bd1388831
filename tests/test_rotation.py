"""Rotating the team key (`schakel key rotate`, graph/rekey.py, ingest/pseudonymise.py):
every pseudonym of the graph is rewritten under the new key, wherever it stands; raw
identifiers and deliveries still made with the old key link to the same persons after;
the audit log's older entries are still found from a raw identifier."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from graph.analysis.run import analyse
from graph.settings import Settings
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import TeamKey
from schakel.cli import app
from tests.helpers import INCIDENTS, INVOLVEMENTS, basic_files, cli_env, delivery

OLD = b"the old team key, 32 bytes long.."
NEW = b"the new team key, also 32 bytes.."
runner = CliRunner()


def run(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def persons(store: Store) -> set[str]:
    return {r["ref"] for r in store.run("MATCH (p:Person) RETURN p.ref AS ref")}


def every_text(store: Store) -> str:
    rows = store.run("MATCH (n) RETURN properties(n) AS p UNION ALL "
                     "MATCH ()-[r]->() RETURN properties(r) AS p")
    return json.dumps([r["p"] for r in rows], default=str)


def test_rotation_keeps_every_link(neo4j_settings: Settings, store: Store,
                                   tmp_path: Path) -> None:
    (tmp_path / "old.key").write_bytes(OLD)
    (tmp_path / "new.key").write_bytes(NEW)
    home = str(tmp_path / "home")
    before = cli_env(neo4j_settings, SCHAKEL_HOME=home, SCHAKEL_KEY_ID="a",
                     SCHAKEL_KEY_FILE=str(tmp_path / "old.key"))
    old = TeamKey("a", OLD)
    # P2, an adult, collects the minors P1 and P3: a finding to rewrite
    collected = basic_files(**{"involvements.csv": INVOLVEMENTS + "I1,P3,suspect\n"
                                                                 "I2,P2,collector\n"})
    raw = delivery(tmp_path, collected, name="raw", pseudonymised=False, key_id="a")
    assert run(before, "ingest", str(raw)).exit_code == 0
    analyse(store, top=5)
    assert run(before, "audit", "show", "--person-id", "P1").exit_code == 0  # an old entry
    old_refs = persons(store)
    assert old.pseudonym("P1") in old_refs

    refused = run(before, "key", "rotate", "--new-key-file", str(tmp_path / "new.key"),
                  "--new-key-id", "b")
    assert refused.exit_code == 2 and "backup" in refused.output  # asks for --yes first
    rotated = run(before, "key", "rotate", "--new-key-file", str(tmp_path / "new.key"),
                  "--new-key-id", "b", "--yes")
    assert rotated.exit_code == 0, rotated.output
    assert "SCHAKEL_KEY_PREVIOUS_ID=a" in rotated.output

    new = TeamKey("b", NEW, previous=old)
    assert persons(store) == {new.rekey(ref) for ref in old_refs}
    text = every_text(store)
    assert not any(ref in text for ref in old_refs)  # no old pseudonym left anywhere
    assert new.pseudonym("P1") in text
    finding = store.run("MATCH (f:Finding) RETURN f.person_ref AS p, f.minors AS m")[0]
    assert finding["p"] == new.pseudonym("P2") and new.pseudonym("P1") in finding["m"]

    after = cli_env(neo4j_settings, SCHAKEL_HOME=home, SCHAKEL_KEY_ID="b",
                    SCHAKEL_KEY_FILE=str(tmp_path / "new.key"), SCHAKEL_KEY_PREVIOUS_ID="a",
                    SCHAKEL_KEY_PREVIOUS_FILE=str(tmp_path / "old.key"))
    count = len(persons(store))
    more = basic_files(**{"incidents.csv": INCIDENTS + "I3,theft,2016-03-01,L1,\n",
                          "involvements.csv": INVOLVEMENTS + "I3,P1,suspect\n"})
    again = delivery(tmp_path, more, name="raw-b", pseudonymised=False, key_id="b")
    assert run(after, "ingest", str(again)).exit_code == 0
    assert len(persons(store)) == count  # raw P1 is the same person
    # a partner that still pseudonymises with the old key: re-keyed as it loads
    theirs = basic_files(**{
        "persons.csv": f"person_ref,birth_year,sex,category\n{old.pseudonym('P1')},2004,,\n",
        "incidents.csv": "incident_ref,kind,occurred_at,location_ref,status\n"
                         "J1,theft,2016-02-25,L1,\n",
        "involvements.csv": f"incident_ref,person_ref,role\nJ1,{old.pseudonym('P1')},suspect\n"})
    loaded = ingest_delivery(store, delivery(tmp_path, theirs, name="pseudo-a", key_id="a"),
                             new, standing=None)
    assert not loaded.refused and not loaded.rejects, (loaded.refused, loaded.rejects)
    assert len(persons(store)) == count
    assert store.run("MATCH (:Person {ref: $p})-[:SUSPECT_IN]->(i:Incident {ref: 'J1'}) "
                     "RETURN count(i) AS n", {"p": new.pseudonym("P1")})[0]["n"] == 1
    other = ingest_delivery(store, delivery(tmp_path, theirs, name="pseudo-c", key_id="c"),
                            new, standing=None)
    assert other.refused and "'c' is not the team key" in other.refused[0]

    shown = run(after, "audit", "show", "--person-id", "P1")
    assert shown.exit_code == 0
    entries = [json.loads(line) for line in
               (tmp_path / "home" / "audit" / "audit.jsonl").read_text().splitlines()]
    assert any(old.pseudonym("P1") in e["persons"] for e in entries[:-1])
    last = entries[-1]
    assert last["action"] == "audit.show"
    assert set(last["persons"]) >= {new.pseudonym("P1"), old.pseudonym("P1")}
