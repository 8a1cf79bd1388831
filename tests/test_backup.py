"""Backup and restore (schakel/backup.py, graph/dump.py): a whole installation into one
archive, encrypted or not, and back into an empty one with the same counts, values, users
and an intact audit chain; damaged archives, wrong passphrases and full installations are
refused with their reason."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner, Result

from dashboard.auth import Users
from graph import dump
from graph.access import Role
from graph.audit import AuditLog
from graph.settings import Settings
from graph.store import Store
from schakel.cli import app
from tests.helpers import cli_env

runner = CliRunner()
PASSWORD = "correct horse battery"


def run(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def values(store: Store) -> list[tuple[str, object, object]]:
    """Typed values to compare to the nanosecond: each delivery's times."""
    return [(r["ref"], r["loaded"], r["extracted"]) for r in store.run(
        "MATCH (d:Delivery) RETURN d.ref AS ref, d.loaded_at AS loaded, "
        "d.extracted_at AS extracted ORDER BY ref")]


def test_backup_and_restore_into_an_empty_installation(neo4j_settings: Settings, store: Store,
                                                       tmp_path: Path) -> None:
    a = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "a"))
    b = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "b"))
    scenario = tmp_path / "scenario"
    assert run(a, "synth", str(scenario), "--seed", "5", "--scale", "0.05").exit_code == 0
    deliveries = sorted(str(p) for p in scenario.iterdir() if p.is_dir())
    assert run(a, "ingest", *deliveries).exit_code == 0
    assert run(a, "analyse", "--top", "5", "--case", "JIT-1").exit_code == 0
    Users.of_home(tmp_path / "a").add("ann", PASSWORD, role=Role.ANALYST, teams=("jit",))
    before, times = dump.count(store), values(store)
    assert before.labels["Finding"] and before.types["SUSPECT_IN"]

    secret = tmp_path / "secret.txt"
    secret.write_text("a long passphrase for the backup\n")
    archive = tmp_path / "schakel.backup"
    made = run(a, "backup", str(archive), "--passphrase-file", str(secret))
    assert made.exit_code == 0, made.output
    assert archive.read_bytes().startswith(b"age-encryption.org/v1")  # encrypted
    assert archive.stat().st_mode & 0o077 == 0  # owner-only
    assert run(a, "backup", str(archive)).exit_code == 2  # never overwrites

    refused = run(b, "restore", str(archive), "--passphrase-file", str(secret))
    assert refused.exit_code == 2 and "needs an empty one" in refused.output  # graph not empty
    store.reset()
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    bad = run(b, "restore", str(archive), "--passphrase-file", str(wrong))
    assert bad.exit_code == 2 and "passphrase does not open it" in bad.output
    assert "Traceback" not in bad.output

    restored = run(b, "restore", str(archive), "--passphrase-file", str(secret))
    assert restored.exit_code == 0, restored.output
    after = dump.count(store)
    assert (after.labels, after.types, after.nodes) == (before.labels, before.types, before.nodes)
    assert values(store) == times  # date-times to the nanosecond, and their type
    assert Users.of_home(tmp_path / "b").authenticate("ann", PASSWORD) is not None
    old = (tmp_path / "a" / "audit" / "audit.jsonl").read_text().splitlines()
    new = (tmp_path / "b" / "audit" / "audit.jsonl").read_text().splitlines()
    assert new[:len(old)] == old  # the chain as it was, backup.make its last entry
    assert json.loads(old[-1])["action"] == "backup.make"
    assert json.loads(new[-1])["action"] == "backup.restore" and len(new) == len(old) + 1
    entries, problems = AuditLog.of_home(tmp_path / "b").verify()
    assert problems == [] and entries == len(new)
    again = run(b, "restore", str(archive), "--passphrase-file", str(secret))
    assert again.exit_code == 2 and "not empty" in again.output  # this home is taken now


def test_a_damaged_or_foreign_archive_is_refused(neo4j_settings: Settings, store: Store,
                                                  tmp_path: Path) -> None:
    a = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "a"))
    b = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "b"))
    store.run("CREATE (:Location {ref: 'L1', city: 'Utrecht'})")
    archive = tmp_path / "plain.backup"
    assert run(a, "backup", str(archive)).exit_code == 0  # not encrypted
    store.reset()
    changed = tmp_path / "changed.backup"
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(changed, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == dump_nodes():
                data = data.replace(b"Utrecht", b"Utrekt")
            new.writestr(item, data)
    damaged = run(b, "restore", str(changed))
    assert damaged.exit_code == 2 and "does not match its digest" in damaged.output
    assert dump.count(store).nodes == 0  # nothing restored
    foreign = tmp_path / "notes.zip"
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("notes.txt", "hello")
    assert "not a Schakel backup" in run(b, "restore", str(foreign)).output
    assert run(b, "restore", str(archive)).exit_code == 0
    assert store.run("MATCH (l:Location) RETURN l.city AS c")[0]["c"] == "Utrecht"


def dump_nodes() -> str:
    from schakel.backup import NODES
    return NODES
