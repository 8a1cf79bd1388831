"""The local launcher, driven through the real ``schakel`` command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from graph import local_neo4j
from graph.errors import LauncherError
from graph.settings import LocalNeo4j, Settings
from graph.store import Store

SCHAKEL = str(Path(sys.executable).parent / "schakel")

pytestmark = pytest.mark.launcher


def run(local: LocalNeo4j, *args: str, path: str | None = None,
        extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SCHAKEL_"))}
    env.update({**local.env(), "COLUMNS": "200", "SCHAKEL_LANGUAGE": "en", **(extra or {})})
    if path is not None:
        env["PATH"] = path
    return subprocess.run([SCHAKEL, *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_start_status_second_start_stop(local_config: LocalNeo4j) -> None:
    started = run(local_config, "neo4j", "start")
    try:
        assert started.returncode == 0, started.stderr
        assert local_config.uri in started.stdout

        with GraphDatabase.driver(local_config.uri) as driver:
            records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions")
        assert records[0]["name"] == "Neo4j Kernel"
        assert records[0]["versions"][0].startswith("5.26.")

        status = run(local_config, "neo4j", "status")
        assert status.returncode == 0
        assert "5.26." in status.stdout and "runs at" in status.stdout

        again = run(local_config, "neo4j", "start")
        assert again.returncode == 2
        assert "already runs" in again.stderr
        assert "Traceback" not in again.stderr
    finally:
        stopped = run(local_config, "neo4j", "stop")
    assert stopped.returncode == 0 and "Stopped" in stopped.stdout
    assert local_neo4j.running(local_config) is None
    assert local_neo4j.port_free(local_config.port)

    after = run(local_config, "neo4j", "status")
    assert after.returncode == 3 and "not running" in after.stdout
    assert run(local_config, "neo4j", "stop").returncode == 0  # stopping twice is harmless


def test_taken_port_is_refused_clearly(local_config: LocalNeo4j) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", local_config.port))
        squatter.listen()
        result = run(local_config, "neo4j", "start")
    assert result.returncode == 2
    assert f"Port {local_config.port}" in result.stderr and "already in use" in result.stderr
    assert "SCHAKEL_NEO4J_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert local_neo4j.running(local_config) is None


def test_data_folder_that_is_a_file_is_refused(local_config: LocalNeo4j) -> None:
    local_config.data_dir.write_text("not a folder")
    result = run(local_config, "neo4j", "start")
    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr


def test_corrupt_data_folder_gets_a_message_not_a_hang(local_config: LocalNeo4j) -> None:
    local_neo4j.start(local_config)
    local_neo4j.stop(local_config)
    store_dir = local_config.data_dir / "data" / "databases" / "neo4j"
    damaged = sorted(store_dir.glob("neostore*"))
    assert damaged, "the first start must have created a store"
    for path in damaged:
        path.write_bytes(os.urandom(4096))
    result = run(local_config, "neo4j", "start")
    assert result.returncode == 2
    assert "could not be opened" in result.stderr
    assert "move it aside" in result.stderr
    assert "Traceback" not in result.stderr
    assert local_neo4j.running(local_config) is None


def test_missing_java_is_named(local_config: LocalNeo4j, tmp_path: Path) -> None:
    local_neo4j.build()  # built already: only `java` is missing now
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run(local_config, "neo4j", "start", path=str(empty))
    assert result.returncode == 2
    assert "`java` was not found" in result.stderr


def test_missing_maven_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LauncherError, match="`mvn` was not found"):
        local_neo4j.build(force=True)
    assert local_neo4j.is_built()  # nothing of the existing build was removed


def test_neo4j_uri_set_means_start_does_nothing(local_config: LocalNeo4j) -> None:
    result = run(local_config, "neo4j", "start",
                 extra={"NEO4J_URI": f"bolt://127.0.0.1:{local_config.port}"})
    assert result.returncode == 1
    assert "NEO4J_URI is set" in result.stderr
    assert not local_config.data_dir.exists()


def test_server_settings_keep_traffic_on_loopback(neo4j_settings: Settings,
                                                  session_store: Store) -> None:
    if not neo4j_settings.uses_local_neo4j:
        pytest.skip("these are the launcher's settings; NEO4J_URI points elsewhere")
    rows = session_store.run("SHOW SETTINGS YIELD name, value RETURN name, value",
                             read_only=True)
    settings = {r["name"]: r["value"] for r in rows}
    assert settings["dbms.usage_report.enabled"] == "false"
    assert settings["server.default_listen_address"] == "127.0.0.1"
    assert settings["server.bolt.listen_address"].startswith("127.0.0.1:")
    assert settings["server.http.enabled"] == "false"
    assert settings["server.https.enabled"] == "false"
    assert settings["dbms.security.allow_csv_import_from_file_urls"] == "false"
    assert settings["db.logs.query.enabled"] == "OFF"
    assert not any("fleet" in name for name in settings), "a fleet setting appeared: switch it off"
    for name, value in settings.items():
        if name.endswith("listen_address") and value:
            assert value.startswith("127.0.0.1"), (name, value)
