"""The command line itself, through typer's runner: every command's exit status as the
README documents it, ``--json`` parsed back, and a user error as one clear line without a
stack trace. The work behind each command is tested in its own package; here, that the
command reaches it and reports it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from graph import local_neo4j
from graph.settings import Settings
from graph.store import ServerInfo, Store
from i18n import speaking
from ingest.load import Ingested
from schakel import output
from schakel.cli import app
from schakel.demo import Demo
from tests.helpers import INCIDENTS, basic_files, cli_env, delivery

runner = CliRunner()


@pytest.fixture
def env(neo4j_settings: Settings, store: Store, tmp_path: Path) -> dict[str, str]:
    """The test server, an empty database, and a home of the test's own."""
    return cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "home"))


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), env=env, input=stdin, catch_exceptions=False)


def one_clear_line(result: Result, *words: str) -> None:
    """A user error: exit 2, one line that starts with ``error:`` and names ``words``."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert any(line.startswith("error:") for line in lines), result.output
    text = " ".join(result.output.split())
    assert all(w in text for w in words), result.output


def refused(result: Result, *words: str) -> None:
    """A bad option: exit 2, no stack trace, and the reason (in click's box) names ``words``."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.replace("│", " ").split())
    assert all(w in text for w in words), result.output


def test_no_command_shows_the_commands() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code in (0, 2)  # click's "no args is help" status
    for command in ("ingest", "check", "withdraw", "backup", "restore", "key", "synth",
                    "analyse", "evaluate", "demo", "dashboard", "neo4j", "db", "users",
                    "audit", "retention", "signals", "watch", "rules", "report"):
        assert command in result.output


def test_db_init_counts_and_reset(env: dict[str, str]) -> None:
    init = run(env, "db", "init")
    assert init.exit_code == 0 and "Schema ready:" in init.output
    counts = run(env, "db", "counts")
    assert counts.exit_code == 0 and "Person" in counts.output
    refused = run(env, "db", "reset")
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert run(env, "db", "reset", "--yes").exit_code == 0


def test_a_server_that_does_not_answer_is_one_line(env: dict[str, str]) -> None:
    away = {**env, "NEO4J_URI": f"bolt://127.0.0.1:{local_neo4j.free_port()}"}
    for args in (("db", "counts"), ("analyse",), ("dashboard", "--port", "8599"),
                 ("retention", "show")):
        one_clear_line(run(away, *args), "Neo4j does not answer")


def test_a_bad_setting_is_one_line(env: dict[str, str]) -> None:
    one_clear_line(run({**env, "SCHAKEL_NEO4J_PORT": "http"}, "db", "counts"),
                   "SCHAKEL_NEO4J_PORT")


def test_neo4j_commands(env: dict[str, str], tmp_path: Path) -> None:
    remote = {**env, "NEO4J_URI": "bolt://127.0.0.1:1"}
    started = run(remote, "neo4j", "start")
    assert started.exit_code == 1 and "NEO4J_URI is set" in started.output
    elsewhere = {**env, "SCHAKEL_NEO4J_DATA": str(tmp_path / "nothing"),
                 "SCHAKEL_NEO4J_PORT": str(local_neo4j.free_port())}
    status = run(elsewhere, "neo4j", "status")
    assert status.exit_code == 3 and "not running" in status.output
    stopped = run(elsewhere, "neo4j", "stop")
    assert stopped.exit_code == 0 and "was not running" in stopped.output
    assert run(env, "neo4j", "status").exit_code == 0
    built = run(env, "neo4j", "build")
    assert built.exit_code == 0 and "Launcher ready" in built.output


def test_ingest_exit_statuses_and_rejects(env: dict[str, str], tmp_path: Path) -> None:
    good = delivery(tmp_path / "good", basic_files())
    assert run(env, "ingest", str(good)).exit_code == 0
    files = basic_files(**{"incidents.csv": INCIDENTS + "I9,pickpocketing,not-a-date,L1,\n"})
    some_bad = delivery(tmp_path / "some-bad", files)
    rejects = tmp_path / "rejects.csv"
    partly = run(env, "ingest", str(some_bad), "--rejects", str(rejects))
    assert partly.exit_code == 1, partly.output
    assert "incidents.csv" in rejects.read_text()
    refused = delivery(tmp_path / "refused", basic_files(), manifest={"format": "exchange/9"})
    whole = run(env, "ingest", str(refused))
    assert whole.exit_code == 2 and "refused" in whole.output and "Traceback" not in whole.output
    missing = run(env, "ingest", str(tmp_path / "no-such-delivery"))
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_synth_analyse_and_evaluate_with_json(env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario"
    made = run(env, "synth", str(scenario), "--seed", "3", "--scale", "0.1")
    assert made.exit_code == 0 and "planted:" in made.output
    deliveries = sorted(str(p) for p in scenario.iterdir() if p.is_dir())
    ingested = run(env, "ingest", *deliveries)
    assert ingested.exit_code == 0 and "Signals: " in ingested.output
    out = tmp_path / "run.json"
    analysed = run(env, "analyse", "--top", "5", "--json", str(out))
    assert analysed.exit_code == 0, analysed.output
    document = json.loads(out.read_text())
    # a first run: each of its top 20 is new to the team, but the weak leads
    # (docs/signals.md)
    told = sum(1 for c in document["candidates"] if c["rank"] <= 20 and c["band"] != "weak")
    assert len(document["candidates"]) >= 20 and 0 < told < 20
    assert f"Signals for the team: {told} new" in " ".join(analysed.output.split())
    listed = run(env, "signals", "list", "--team", "jit", "--rule", "new_candidate")
    assert listed.exit_code == 0, listed.output
    said = " ".join(listed.output.split())
    assert f"{told} signals" in said and "new lead in the analysis" in said, said
    assert "new_candidate" not in said  # the rule by its name, not its code
    assert set(document) == {"run", "candidates", "structures"}
    assert document["candidates"] and document["candidates"][0]["rank"] == 1
    # the table names each lead's band as the reader says it
    assert document["candidates"][0]["band"] == "strong"
    assert "strong lead" in " ".join(analysed.output.split())
    assert {"person_ref", "rank", "score", "aliases", "indicators"} <= set(
        document["candidates"][0])
    figures = tmp_path / "evaluation.json"
    scored = run(env, "evaluate", "--truth", str(scenario / "truth.json"), "--json",
                 str(figures))
    assert scored.exit_code == 0, scored.output
    evaluation = json.loads(figures.read_text())
    assert evaluation["run"] == document["run"]["id"]
    methods = [r["method"] for r in evaluation["results"]]
    assert methods == ["schakel", "degree to minors", "betweenness"]
    assert 0.0 <= evaluation["results"][0]["average_precision"] <= 1.0
    one_clear_line(run(env, "evaluate", "--truth", str(out)), "is not a scenario's truth.json")


def test_synth_writes_a_random_world(env: dict[str, str], tmp_path: Path) -> None:
    made = run(env, "synth", str(tmp_path / "w"), "--world", "--seed", "5003")
    assert made.exit_code == 0, made.output
    truth = json.loads((tmp_path / "w" / "truth.json").read_text())
    assert truth["params"]["seed"] == 5003 and "disguised" in truth
    stressed = run(env, "synth", str(tmp_path / "s"), "--world", "--seed", "5003",
                   "--stress", "undated")
    assert stressed.exit_code == 0, stressed.output
    assert json.loads((tmp_path / "s" / "truth.json").read_text())["params"]["stress"] == \
        "undated"
    refused(run(env, "synth", str(tmp_path / "x"), "--world", "--stress", "dusk"),
            "no stress 'dusk': one of undated, no-family-ties, sparse, crowded")
    refused(run(env, "synth", str(tmp_path / "x"), "--stress", "sparse"),
            "--stress is for a random world: add --world")


def test_evaluate_over_random_worlds(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "worlds.json"
    done = run(env, "evaluate", "--worlds", "1", "--json", str(out))
    assert done.exit_code == 0, done.output
    assert "AP mean" in done.output and "Calibration" in done.output
    document = json.loads(out.read_text())
    assert document["seeds"] == [5000]
    assert document["summary"][0]["variant"] == "schakel"
    assert {"average_precision", "class_share", "disguised_recall_at_2k"} <= set(
        document["worlds"][0])
    stressed = run(env, "evaluate", "--worlds", "1", "--stress", "sparse", "--json", str(out))
    assert stressed.exit_code == 0, stressed.output
    assert "under stress 'sparse'" in stressed.output
    assert json.loads(out.read_text())["stress"] == "sparse"
    refused(run(env, "evaluate", "--truth", str(out), "--stress", "sparse"),
            "--stress is for --worlds N")
    neither = run(env, "evaluate")
    assert neither.exit_code == 2 and "give either --truth FILE or --worlds N" in neither.output
    assert "Traceback" not in neither.output
    assert run(env, "ingest", str(delivery(tmp_path / "d", basic_files()))).exit_code == 0
    one_clear_line(run(env, "evaluate", "--worlds", "1"), "needs an empty database")


def test_evaluate_without_a_run_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"exploiters": ["a"], "helpers": [], "decoys": {}}))
    one_clear_line(run(env, "evaluate", "--truth", str(truth)), "no analysis run")


def test_demo_without_the_dashboard(env: dict[str, str]) -> None:
    done = run(env, "demo", "--scale", "0.05", "--no-dashboard")
    assert done.exit_code == 0, done.output
    assert "Ingested" in done.output and "Sign in" in done.output
    assert "Dashboard:" not in done.output
    # a local Neo4j, which keeps running after the demo: it says how to stop it
    assert "schakel neo4j stop" in done.output


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_demo_says_how_to_stop_the_local_neo4j_it_leaves_running(
        language: str, capsys: pytest.CaptureFixture[str]) -> None:
    done = Demo(ServerInfo("Neo4j Kernel", "5.26.30", "community"), "bolt://127.0.0.1:7687",
                Path("scenario"), Ingested([]), {"Person": 0, "Minor": 0, "Incident": 0,
                                                 "Signal": 0, "Location": 0}, 0, None, "pw",
                local_neo4j=True)
    with speaking(language):
        output.demo(done, 8501)
        said = " ".join(capsys.readouterr().out.split())
    assert "`schakel neo4j stop`" in said
    assert ("keeps running" in said) == (language == "en")
    output.demo(replace(done, local_neo4j=False), 8501)
    assert "schakel neo4j stop" not in capsys.readouterr().out


def test_users_add_list_remove(env: dict[str, str]) -> None:
    added = run(env, "users", "add", "ann", "--team", "jit-a", "--password-stdin",
                stdin="a long enough password\n")
    assert added.exit_code == 0, added.output
    listed = run(env, "users", "list")
    assert "ann" in listed.output and "jit-a" in listed.output and "$argon2" not in listed.output
    one_clear_line(run(env, "users", "add", "bob", "--team", "jit-a", "--role", "partner",
                       "--password-stdin", stdin="a long enough password\n"), "partner")
    assert run(env, "users", "remove", "ann").exit_code == 0
    gone = run(env, "users", "remove", "ann")
    assert gone.exit_code == 1 and "No user" in gone.output


def test_audit_verify_and_show(env: dict[str, str], tmp_path: Path) -> None:
    empty = run(env, "audit", "verify")
    assert empty.exit_code == 0 and "Intact" in empty.output
    shown = run(env, "audit", "show", "--person", "p-1", "--case", "Z-1")
    assert shown.exit_code == 0 and "entries" in shown.output
    log = Path(env["SCHAKEL_HOME"]) / "audit" / "audit.jsonl"
    assert json.loads(log.read_text().splitlines()[-1])["action"] == "audit.show"
    log.write_text(log.read_text().replace("audit.show", "audit.gone"))
    broken = run(env, "audit", "verify")
    assert broken.exit_code == 1 and "not intact" in broken.output


def test_retention_show_and_apply(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "ingest", str(delivery(tmp_path / "d", basic_files()))).exit_code == 0
    shown = run(env, "retention", "show", "--today", "2040-01-01")
    assert shown.exit_code == 0 and "yes" in shown.output
    dry = run(env, "retention", "apply", "--dry-run", "--today", "2040-01-01")
    assert dry.exit_code == 0 and "would remove" in dry.output.lower()
    bad = run(env, "retention", "show", "--today", "tomorrow")
    assert bad.exit_code == 2 and "is not a date" in bad.output
    applied = run(env, "retention", "apply", "--today", "2040-01-01")
    assert applied.exit_code == 0 and "Findings removed" in applied.output
    again = run(env, "retention", "apply", "--today", "2040-01-01")
    assert "Nothing is past its term" in again.output
