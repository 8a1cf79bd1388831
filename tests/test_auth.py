"""Dashboard users: argon2 hashes in a private file, checked the same way for every name."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from dashboard.auth import Throttle, UserError, Users
from graph.access import Role
from graph.settings import Settings
from tests.helpers import schakel

PASSWORD = "correct horse battery"


def test_passwords_are_stored_only_as_argon2_hashes(tmp_path: Path) -> None:
    users = Users(tmp_path / "users.json")
    users.add("ann", PASSWORD, role=Role.ANALYST, teams=("team-a",))
    text = (tmp_path / "users.json").read_text()
    assert PASSWORD not in text
    assert json.loads(text)["users"]["ann"]["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600


def test_only_the_right_password_signs_in(tmp_path: Path) -> None:
    users = Users(tmp_path / "users.json")
    users.add("ann", PASSWORD, role=Role.INVESTIGATOR, teams=("team-b", "team-a"))
    user = users.authenticate("ann", PASSWORD)
    assert user is not None
    assert user.viewer().role is Role.INVESTIGATOR
    assert user.viewer().teams == ("team-a", "team-b")
    assert users.authenticate("ann", PASSWORD + "x") is None
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("ann", "") is None


@pytest.mark.parametrize(("name", "password", "teams", "reason"), [
    ("Ann Smith", PASSWORD, ("t1",), "user name"),
    ("../etc", PASSWORD, ("t1",), "user name"),
    ("ann", "short", ("t1",), "at least"),
    ("ann", PASSWORD, (), "team"),
    ("ann", PASSWORD, ("<b>team</b>",), "team name"),
])
def test_bad_users_are_refused_with_a_reason(tmp_path: Path, name: str, password: str,
                                             teams: tuple[str, ...], reason: str) -> None:
    with pytest.raises(UserError, match=reason):
        Users(tmp_path / "u.json").add(name, password, role=Role.ANALYST, teams=teams)
    assert not (tmp_path / "u.json").exists()


def test_a_name_is_taken_once_unless_replaced(tmp_path: Path) -> None:
    users = Users(tmp_path / "users.json")
    users.add("ann", PASSWORD, role=Role.ANALYST, teams=("t1",))
    with pytest.raises(UserError, match="exists"):
        users.add("ann", "another password", role=Role.ADMIN, teams=("t1",))
    users.add("ann", "another password", role=Role.ADMIN, teams=("t1",), replace=True)
    assert users.authenticate("ann", "another password") is not None
    assert users.remove("ann") and not users.remove("ann")


def test_the_cli_adds_users_without_echoing_the_password(neo4j_settings: Settings,
                                                         tmp_path: Path) -> None:
    home = str(tmp_path)
    done = schakel(neo4j_settings, "users", "add", "ivo", "--team", "jit", "--role",
                   "investigator", "--password-stdin", SCHAKEL_HOME=home,
                   _input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    listed = schakel(neo4j_settings, "users", "list", SCHAKEL_HOME=home)
    assert "ivo" in listed.stdout and "investigator" in listed.stdout
    assert "argon2" not in listed.stdout
    user = Users.of_home(tmp_path).authenticate("ivo", PASSWORD)
    assert user is not None and user.teams == ("jit",)
    bad = schakel(neo4j_settings, "users", "add", "Bad Name", "--team", "jit",
                  "--password-stdin", SCHAKEL_HOME=home, _input=PASSWORD + "\n")
    assert bad.returncode == 2 and "user name" in bad.stderr and "Traceback" not in bad.stderr


def test_wrong_passwords_slow_down_further_attempts(tmp_path: Path) -> None:
    users = Users(tmp_path / "users.json")
    users.add("ann", PASSWORD, role=Role.ANALYST, teams=("t1",))
    waited: list[float] = []
    throttle = Throttle(free=3, ceiling=30.0, sleep=waited.append)
    for _ in range(8):
        assert users.authenticate("ann", "wrong password", throttle) is None
    assert waited == [1.0, 2.0, 4.0, 8.0, 16.0]  # three free, then doubling
    for _ in range(3):
        users.authenticate("ann", "wrong password", throttle)
    assert throttle.delay("ann") == 30.0  # never more than the ceiling
    assert users.authenticate("ann", PASSWORD, throttle) is not None  # slow, but it works
    assert throttle.delay("ann") == 0.0  # and a right password clears the count
    for _ in range(4):
        users.authenticate("nobody", "x", throttle)  # unknown names are counted the same
    assert throttle.delay("nobody") == 2.0


def test_a_care_partners_user_needs_a_partner(tmp_path: Path) -> None:
    users = Users(tmp_path / "users.json")
    with pytest.raises(UserError, match="--partner"):
        users.add("carla", PASSWORD, role=Role.PARTNER, teams=("care",))
    user = users.add("carla", PASSWORD, role=Role.PARTNER, teams=("care",), partner="youth-care")
    assert user.viewer().only_partner == "youth-care"
    assert Users(tmp_path / "users.json").get("carla").partner == "youth-care"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "reason"), [
    ('{"users": {"ann": {"role": "analyst",}}}', "line 1, column 38: not JSON"),
    ('{"users": {"ann": {"role": "chief", "teams": [], "password_hash": "x"}}}',
     "not the layout Schakel writes (ValueError: 'chief' is not a valid Role)"),
    ('{"users": {"ann": {"role": "analyst"}}}', "not the layout Schakel writes (KeyError"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_a_broken_users_file_is_named_with_its_fault(neo4j_settings: Settings, tmp_path: Path,
                                                    text: str | bytes, reason: str) -> None:
    """A users file edited by hand into something else: a message with the file and what
    is wrong (the line, for JSON), no stack trace, and no one signs in."""
    path = tmp_path / "users.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(UserError, match="the users file cannot be read") as caught:
        Users.of_home(tmp_path).authenticate("ann", PASSWORD)
    assert str(caught.value).startswith(f"{path}: ") and reason in str(caught.value)
    listed = schakel(neo4j_settings, "users", "list", SCHAKEL_HOME=str(tmp_path))
    assert listed.returncode == 2 and "Traceback" not in listed.stderr
    assert reason in " ".join(listed.stderr.split())
