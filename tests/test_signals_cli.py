"""``schakel signals``, ``watch`` and ``rules`` through typer's runner, on a real Neo4j:
JSON parsed back, a care partner's user held to its own partner's signals, and refusals
as one clear line."""

from __future__ import annotations

import json
from pathlib import Path

from graph.settings import Settings
from graph.store import Store
from tests.helpers import cli_env
from tests.test_cli import one_clear_line, run
from tests.test_signals import police, youth_care


def test_signals_list_act_and_need_to_know(neo4j_settings: Settings, store: Store,
                                          tmp_path: Path) -> None:
    env = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "home"))
    assert run(env, "users", "add", "carla", "--team", "care", "--role", "partner",
               "--partner", "jeugdzorg-utrecht", "--password-stdin",
               stdin="a long password\n").exit_code == 0
    assert run(env, "users", "add", "sam", "--team", "care", "--role", "partner",
               "--partner", "shelter-noord", "--password-stdin",
               stdin="a long password\n").exit_code == 0
    assert run(env, "watch", "add", "city", "Amsterdam").exit_code == 0
    rule = run(env, "rules", "add", "pickpocketing", "--query",
               "MATCH (i:Incident {kind: 'pickpocketing'}) RETURN i.ref AS ref", "--team", "jit")
    assert rule.exit_code == 0 and "new rows go to team:jit" in rule.output
    loaded = run(env, "ingest", str(youth_care(tmp_path)), str(police(tmp_path)))
    assert loaded.exit_code == 0 and "Signals: " in loaded.output

    listed = run(env, "signals", "list", "--partner", "jeugdzorg-utrecht", "--json")
    assert listed.exit_code == 0, listed.output
    (signal,) = json.loads(listed.output)
    assert set(signal) >= {"id", "rule", "created_at", "status", "addressee", "subject_refs",
                           "evidence_refs", "text"}
    assert (signal["rule"], signal["addressee"], signal["subject_refs"],
            signal["evidence_refs"]) == ("cross_partner", "partner:jeugdzorg-utrecht", ["M2"],
                                         ["I-AMS"])
    mine = json.loads(run(env, "signals", "list", "--json").output)  # own: user + team jit
    assert {s["rule"] for s in mine} == {"watch", "team_rule"}
    watched = json.loads(run(env, "signals", "list", "--rule", "watch", "--json").output)
    assert [s["rule"] for s in watched] == ["watch"]

    # A care partner's user: its own partner's only, from the command line as well.
    as_carla = json.loads(run(env, "signals", "list", "--user", "carla", "--json").output)
    assert [s["id"] for s in as_carla] == [signal["id"]]
    assert as_carla[0]["evidence_refs"] == []  # the police's ref is not for them
    one_clear_line(run(env, "signals", "list", "--user", "sam", "--partner",
                       "jeugdzorg-utrecht"), "may not read")
    one_clear_line(run(env, "signals", "show", signal["id"], "--user", "sam"),
                   "no signal", signal["id"])
    one_clear_line(run(env, "signals", "ack", signal["id"], "--user", "sam"), "no signal")

    assert run(env, "signals", "ack", signal["id"], "--user", "carla").exit_code == 0
    closed = run(env, "signals", "close", signal["id"], "--reason", "placement informed",
                 "--user", "carla")
    assert closed.exit_code == 0 and "placement informed" in closed.output
    one_clear_line(run(env, "signals", "close", signal["id"], "--reason", " "), "reason")
    shown = json.loads(run(env, "signals", "show", signal["id"], "--json").output)
    assert (shown["status"], shown["reason"]) == ("closed", "placement informed")
    assert json.loads(run(env, "signals", "list", "--partner", "jeugdzorg-utrecht",
                          "--status", "new", "--json").output) == []


def test_watch_and_rules_commands(neo4j_settings: Settings, store: Store,
                                  tmp_path: Path) -> None:
    env = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "home"))
    assert run(env, "ingest", str(youth_care(tmp_path))).exit_code == 0
    added = run(env, "watch", "add", "person", "M2")
    assert added.exit_code == 0
    (watch,) = json.loads(run(env, "watch", "list", "--json").output)
    assert (watch["target"], watch["ref"]) == ("person", "M2")
    one_clear_line(run(env, "watch", "add", "person", "NOBODY"), "NOBODY")
    assert run(env, "watch", "remove", watch["id"]).exit_code == 0
    assert json.loads(run(env, "watch", "list", "--json").output) == []

    one_clear_line(run(env, "rules", "add", "writes", "--query",
                       "MATCH (n) DETACH DELETE n RETURN 1 AS x"), "only reads")
    one_clear_line(run(env, "rules", "add", "slow", "--timeout", "0.5", "--query",
                       "UNWIND range(1, 200000000) AS x RETURN count(x) AS n"), "time-out")
    assert run(env, "rules", "add", "persons", "--query",
               "MATCH (p:Person) RETURN p.ref AS ref").exit_code == 0
    (rule,) = json.loads(run(env, "rules", "list", "--json").output)
    assert rule["addressee"].startswith("user:cli:")
    assert run(env, "rules", "remove", rule["id"]).exit_code == 0
    assert json.loads(run(env, "rules", "list", "--json").output) == []
