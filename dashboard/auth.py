"""Dashboard users: names, argon2 password hashes, roles and teams, in a local file.

The users file lives in ``SCHAKEL_HOME`` (``users.json``, mode 0600), outside the graph:
the Cypher console can read anything in Neo4j, and password hashes are not for it.
Writes replace the file atomically, so a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graph.access import Role, Viewer
from i18n import LANGUAGES

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9.-]{1,200}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Checked against when the user does not exist, so that a wrong name costs as much time
# as a wrong password and does not tell which one it was.
_DUMMY = _hasher.hash("schakel-no-such-user")
_lock = threading.Lock()


class UserError(ValueError):
    """A user cannot be added or changed as asked; the message says why."""


@dataclass
class User:
    name: str
    role: Role
    teams: tuple[str, ...]
    password_hash: str = field(repr=False)
    created_at: str = ""
    partner: str | None = None  # the organisation the user works for
    email: str | None = None  # where the digest of new signals goes (optional)
    language: str | None = None  # the dashboard's language the user chose (i18n.LANGUAGES)

    def viewer(self) -> Viewer:
        return Viewer(self.name, self.role, self.teams, self.partner)

    @property
    def mark(self) -> str:
        """A digest that changes with the account: its role, teams, partner or password.
        A session signed in under another mark (or whose user is gone) has ended."""
        text = json.dumps([self.name, self.role.value, list(self.teams), self.partner,
                           self.password_hash])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Throttle:
    """Wrong passwords slow down further attempts on the same name: after ``free``
    failures each attempt waits 1, 2, 4 … seconds (at most ``ceiling``) before it is
    checked. A right password clears the count. Kept in memory: one dashboard process."""

    def __init__(self, *, free: int = 3, ceiling: float = 30.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.free = free
        self.ceiling = ceiling
        self.clock = clock
        self.sleep = sleep
        self.failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def delay(self, name: str) -> float:
        over = self.failures.get(name, 0) - self.free
        return 0.0 if over < 0 else min(self.ceiling, 2.0 ** over)

    def wait(self, name: str) -> float:
        seconds = self.delay(name)
        if seconds:
            self.sleep(seconds)
        return seconds

    def failed(self, name: str) -> None:
        with self._lock:
            self.failures[name] = self.failures.get(name, 0) + 1

    def succeeded(self, name: str) -> None:
        with self._lock:
            self.failures.pop(name, None)


class Users:
    """The users file of one Schakel home."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of_home(cls, home: Path) -> Users:
        return cls(home / "users.json")

    def _read(self) -> dict[str, User]:
        """The users; :class:`UserError` naming the file, and the line when it is not JSON,
        if it cannot be read (hand-edited, say: Schakel's own writes are atomic)."""
        if not self.path.exists():
            return {}
        broken = f"{self.path}: the users file cannot be read, so no one can sign in"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"{broken} ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise UserError(f"{broken} (not UTF-8)") from None
        except json.JSONDecodeError as exc:
            raise UserError(f"{broken}: line {exc.lineno}, column {exc.colno}: not JSON "
                            f"({exc.msg})") from None
        try:
            return {name: User(name, Role(u["role"]), tuple(u["teams"]), u["password_hash"],
                               u.get("created_at", ""), u.get("partner"), u.get("email"),
                               u.get("language"))
                    for name, u in data["users"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UserError(f"{broken}: not the layout Schakel writes "
                            f"({type(exc).__name__}: {exc})") from None

    def _write(self, users: dict[str, User]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"users": {n: {k: v for k, v in asdict(u).items() if k != "name"}
                          for n, u in sorted(users.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2, default=str)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def all(self) -> list[User]:
        return sorted(self._read().values(), key=lambda u: u.name)

    def get(self, name: str) -> User | None:
        return self._read().get(name)

    def add(self, name: str, password: str, *, role: Role, teams: tuple[str, ...],
            partner: str | None = None, email: str | None = None,
            replace: bool = False) -> User:
        if not NAME.match(name):
            raise UserError(f"user name {name!r}: 2-64 characters of a-z, 0-9, '.', '_', '-', "
                            "starting with a letter or digit")
        teams = tuple(sorted({t.strip() for t in teams if t.strip()}))
        if not teams:
            raise UserError("a user belongs to at least one team (--team)")
        for team in teams:
            if not NAME.match(team):
                raise UserError(f"team name {team!r}: 2-64 characters of a-z, 0-9, '.', '_', '-'")
        partner = (partner or "").strip() or None
        if partner is not None and not NAME.match(partner):
            raise UserError(f"partner name {partner!r}: as in the deliveries' manifests, "
                            "2-64 characters of a-z, 0-9, '.', '_', '-'")
        if role is Role.PARTNER and partner is None:
            raise UserError("a care partner's user needs --partner: the partner whose "
                            "records they may see")
        email = (email or "").strip() or None
        if email is not None and not EMAIL.match(email):
            raise UserError(f"e-mail address {email!r}: expected name@domain")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"a password has at least {MIN_PASSWORD} characters")
        with _lock:
            users = self._read()
            if name in users and not replace:
                raise UserError(f"user {name!r} exists already")
            user = User(name, role, teams, _hasher.hash(password),
                        datetime.now(UTC).isoformat(timespec="seconds"), partner, email)
            users[name] = user
            self._write(users)
        return user

    def set_language(self, name: str, language: str) -> None:
        """Remember the language ``name`` chose (it does not end their session)."""
        if language not in LANGUAGES:
            raise UserError(f"language {language!r}: one of {', '.join(LANGUAGES)}")
        with _lock:
            users = self._read()
            if name in users:
                users[name] = replace(users[name], language=language)
                self._write(users)

    def remove(self, name: str) -> bool:
        with _lock:
            users = self._read()
            if users.pop(name, None) is None:
                return False
            self._write(users)
        return True

    def authenticate(self, name: str, password: str,
                     throttle: Throttle | None = None) -> User | None:
        """The user when the password is right; ``None`` (after the same work) otherwise.
        With a throttle, repeated failures on a name make each next attempt wait."""
        name = name.strip().lower()
        if throttle is not None:
            throttle.wait(name)
        user = self.get(name)
        try:
            _hasher.verify(user.password_hash if user else _DUMMY, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            if throttle is not None:
                throttle.failed(name)
            return None
        if throttle is not None:
            throttle.succeeded(name)
        return user
