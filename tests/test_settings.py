from pathlib import Path

import pytest

from graph.errors import SettingsError
from graph.settings import Settings


def test_defaults_use_the_local_launcher_under_dot_schakel(tmp_path: Path) -> None:
    s = Settings.from_env({}, cwd=tmp_path)
    assert s.uses_local_neo4j
    assert s.uri == "bolt://127.0.0.1:7687"
    assert s.local.data_dir == tmp_path / ".schakel" / "neo4j"
    assert (s.neo4j_user, s.neo4j_database, s.key_id) == ("neo4j", "neo4j", "demo")
    assert (s.local.heap, s.local.pagecache) == ("4g", "4g")


def test_neo4j_uri_means_no_local_server(tmp_path: Path) -> None:
    s = Settings.from_env(
        {"NEO4J_URI": "neo4j+s://db.example:7687", "NEO4J_USER": "u",
         "NEO4J_PASSWORD": "p", "NEO4J_DATABASE": "jit"}, cwd=tmp_path)
    assert not s.uses_local_neo4j
    assert s.uri == "neo4j+s://db.example:7687"
    assert (s.neo4j_user, s.neo4j_password, s.neo4j_database) == ("u", "p", "jit")


def test_password_and_key_never_show_in_repr(tmp_path: Path) -> None:
    s = Settings.from_env({"NEO4J_PASSWORD": "hunter2-secret", "SCHAKEL_KEY": "k-secret"},
                          cwd=tmp_path)
    assert "hunter2-secret" not in repr(s)
    assert "k-secret" not in repr(s)
    assert s.key == b"k-secret"


def test_schakel_variables_override_the_local_server(tmp_path: Path) -> None:
    s = Settings.from_env({"SCHAKEL_HOME": "h", "SCHAKEL_NEO4J_PORT": "7999",
                           "SCHAKEL_NEO4J_HEAP": "8G", "SCHAKEL_NEO4J_PAGECACHE": "512m",
                           "SCHAKEL_KEY_ID": "jit-2016-a"}, cwd=tmp_path)
    assert s.home == tmp_path / "h"
    assert s.local.data_dir == tmp_path / "h" / "neo4j"
    assert s.uri == "bolt://127.0.0.1:7999"
    assert (s.local.heap, s.local.pagecache, s.key_id) == ("8g", "512m", "jit-2016-a")


@pytest.mark.parametrize(("name", "value"), [
    ("SCHAKEL_NEO4J_PORT", "http"),
    ("SCHAKEL_NEO4J_PORT", "70000"),
    ("SCHAKEL_NEO4J_HEAP", "lots"),
    ("SCHAKEL_NEO4J_PAGECACHE", "-1g"),
    ("NEO4J_URI", "http://localhost:7474"),
    ("SCHAKEL_TIMEZONE", "Europe"),
    ("SCHAKEL_TIMEZONE", "../../etc/passwd"),
    ("SCHAKEL_SESSION_HOURS", "0"),
    ("SCHAKEL_SESSION_IDLE_MINUTES", "half an hour"),
])
def test_bad_values_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value}, cwd=tmp_path)
    assert info.value.variable == name
    assert name in str(info.value)


@pytest.mark.parametrize("env", [
    {"SCHAKEL_HOME": "h", "SCHAKEL_NEO4J_PORT": "7999", "SCHAKEL_NEO4J_HEAP": "8g",
     "SCHAKEL_NEO4J_DATA": "elsewhere", "SCHAKEL_NEO4J_PAGECACHE": "512m",
     "SCHAKEL_TIMEZONE": "Europe/Brussels", "SCHAKEL_SESSION_IDLE_MINUTES": "5",
     "SCHAKEL_KEY_ID": "jit-2026", "SCHAKEL_KEY_FILE": "/secure/team.key",
     "SCHAKEL_TEAM": "jit-noord"},
    {"NEO4J_URI": "neo4j+s://db.example:7687", "NEO4J_USER": "u", "NEO4J_PASSWORD": "p",
     "NEO4J_DATABASE": "jit", "SCHAKEL_KEY_ID": "jit-2026",
     "SCHAKEL_KEY": "a-team-key-of-32-bytes-or-more!!"},
], ids=["local", "NEO4J_URI"])
def test_a_child_process_gets_the_same_server_and_home(tmp_path: Path,
                                                      env: dict[str, str]) -> None:
    """A child ``schakel`` (the dashboard the demo serves, a benchmark's ingest) talks to
    the same server, and a local one stays local to it: the dashboard's message when
    that server stops says to start it, not to check a NEO4J_URI nobody set."""
    parent = Settings.from_env(env, cwd=tmp_path)
    child = Settings.from_env(parent.child_env({"PATH": "/bin", "SCHAKEL_KEY": "k"}),
                              cwd=tmp_path / "elsewhere")
    assert child.uses_local_neo4j == parent.uses_local_neo4j
    assert (child.uri, child.home, child.local, child.neo4j_user, child.neo4j_password,
            child.neo4j_database) == (parent.uri, parent.home, parent.local,
                                      parent.neo4j_user, parent.neo4j_password,
                                      parent.neo4j_database)
    assert (child.timezone, child.idle_minutes) == (parent.timezone, parent.idle_minutes)
    # the team key and team: the dashboard's upload pseudonymises and signals as ingest does
    assert (child.key_id, child.key, child.key_file, child.team) == \
        (parent.key_id, parent.key, parent.key_file, parent.team)
    if "SCHAKEL_KEY" not in env:
        assert child.key is None, "the base environment's SCHAKEL_ variables are not passed on"
