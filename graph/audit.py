"""The audit log: every read of personal data, append-only and tamper-evident.

One JSON object per line in ``$SCHAKEL_HOME/audit/audit.jsonl``: who (user, role,
partner), when, why (the session's purpose), what was asked (the action, the query and
its parameters, or the page and refs) and how many records came back, with the refs of
the persons among them. Each entry carries the SHA-256 of the entry before it, so an edit,
a deletion or a reordering breaks the chain; ``audit.head`` holds the last entry's number
and hash, so cutting entries off the end shows too. ``schakel audit verify`` checks both.

The log is a file outside Neo4j on purpose: the Cypher console can read anything in the
graph, and the log is not for it. Appends are serialised with an exclusive ``flock`` on
the file, so dashboard sessions and command-line runs can write at the same time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph.access import Purpose, Viewer

GENESIS = "0" * 64


def _digest(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False, default=str).encode()).hexdigest()


def _end_line(f: Any) -> None:
    """Before an append: if the file's last line was cut short (no newline), end it, so
    that the damaged fragment stays a line of its own and the new entry a whole one."""
    fd = f.fileno()  # below the text layer, which has neither read nor written yet
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")  # the file is opened O_APPEND: this lands at its end


def _entry(line: str) -> dict[str, Any] | None:
    """A line of the log as an entry, or ``None`` if it is not a JSON object."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return None
    return entry if isinstance(entry, dict) else None


def _number(value: Any, default: int) -> int:
    """An entry's ``seq`` as a number; ``default`` for one edited into something else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass(frozen=True)
class Selection:
    """Which entries to show: each field that is set must match. Days are UTC days, as
    the entries' times are written."""

    person: str | None = None  # the entry's results held this person (ref)
    aliases: tuple[str, ...] = ()  # or one of these refs of the same person
    user: str | None = None
    case: str | None = None  # the session's case or request number, in any case
    action: str | None = None  # the action starts with this: "explore.", "export."
    since: date | None = None
    until: date | None = None

    def __call__(self, entry: dict[str, Any]) -> bool:
        day = str(entry.get("at", ""))[:10]
        persons = entry.get("persons", ())
        return ((not self.person or self.person in persons
                 or any(a in persons for a in self.aliases))
                and (not self.user or entry.get("user") == self.user)
                and (not self.case
                     or str(entry.get("case") or "").casefold() == self.case.casefold())
                and (not self.action or str(entry.get("action", "")).startswith(self.action))
                and (self.since is None or day >= self.since.isoformat())
                and (self.until is None or day <= self.until.isoformat()))

    def logged(self) -> dict[str, Any]:
        """The selection as the audit entry of reading the log records it."""
        return {k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self).items() if v}


def by_user(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per user, what the privacy officer reviews first: how many entries, how many
    persons they read, under how many cases, how many files they took out (exports), how
    many console queries were refused, and when they first and last read. The users who
    read the most persons first."""
    rows: dict[str, dict[str, Any]] = {}
    persons: defaultdict[str, set[str]] = defaultdict(set)
    cases: defaultdict[str, set[str]] = defaultdict(set)
    for e in entries:
        user = str(e.get("user"))
        row = rows.setdefault(user, {"user": user, "role": e.get("role"), "entries": 0,
                                     "exports": 0, "refused": 0, "first": e.get("at")})
        action = str(e.get("action", ""))
        row.update(entries=row["entries"] + 1, last=e.get("at"),
                   exports=row["exports"] + action.startswith("export."),
                   refused=row["refused"] + (action == "console.refused"))
        persons[user].update(e.get("persons", ()))
        if e.get("case"):
            cases[user].add(str(e["case"]))
    return sorted(({**row, "persons": len(persons[u]), "cases": len(cases[u])}
                   for u, row in rows.items()),
                  key=lambda r: (-r["persons"], -r["entries"], r["user"]))


class AuditLog:
    """The audit log of one Schakel home."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "audit.jsonl"
        self.head_path = folder / "audit.head"

    @classmethod
    def of_home(cls, home: Path) -> AuditLog:
        return cls(home / "audit")

    def record(self, viewer: Viewer, action: str, what: dict[str, Any], *, records: int,
               persons: Sequence[str] = ()) -> dict[str, Any]:
        """Log one read by ``viewer``."""
        return self.append(user=viewer.user, role=viewer.role.value, partner=viewer.partner,
                           purpose=viewer.purpose, action=action, what=what, records=records,
                           persons=persons)

    def append(self, *, user: str, role: str, partner: str | None, purpose: Purpose | None,
               action: str, what: dict[str, Any], records: int,
               persons: Sequence[str] = ()) -> dict[str, Any]:
        """Write one entry and return it (with its number and hash)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                _end_line(f)
                seq, prev = self._head_locked()
                entry: dict[str, Any] = {
                    "seq": seq + 1,
                    "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "user": user, "role": role, "partner": partner,
                    "case": purpose.case if purpose else None,
                    "reason": purpose.reason if purpose else None,
                    "action": action, "what": what, "records": records,
                    "persons": sorted(set(persons)), "prev": prev,
                }
                entry["hash"] = _digest(entry)
                f.write(json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str) + "\n")
                f.flush()
                os.fsync(f.fileno())
                tmp = self.head_path.with_suffix(".tmp")
                tmp.write_text(json.dumps({"seq": entry["seq"], "hash": entry["hash"]}))
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.head_path)
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
        return entry

    def _head_locked(self) -> tuple[int, str]:
        """The number and hash of the last entry (read under the lock): from audit.head,
        or, when that is missing or cannot be read, from the last readable entry."""
        head = self.head()
        if head is not None:
            return int(head["seq"]), str(head["hash"])
        last: dict[str, Any] | None = None
        for entry in self.entries():  # the last one that can be read
            last = entry
        if last is None:
            return 0, GENESIS
        return int(last["seq"]), str(last["hash"])

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry that can be read. A line that cannot (damaged: a write cut short
        by a full disk, say) is left out here; :meth:`verify` reports it by number."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip() and (entry := _entry(line)) is not None:
                    yield entry

    def verify(self) -> tuple[int, list[Problem]]:
        """Check every link of the chain and the head; (entries, problems)."""
        problems: list[Problem] = []
        prev, seq, n, end = GENESIS, 0, 0, 0
        if self.path.exists():
            with self.path.open(encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, start=1):
                    end = number
                    if not line.strip():
                        continue
                    entry = _entry(line)
                    if entry is None:
                        # Not counted as an entry: if the next one follows the entry before
                        # this line, it was a write cut short and the chain holds across
                        # it; if not (an entry edited into this), the next one says so.
                        problems.append(Problem(number, "not a JSON entry (edited or damaged)"))
                        continue
                    n += 1
                    if entry.get("seq") != seq + 1:
                        problems.append(Problem(number, f"entry number {entry.get('seq')} where "
                                                        f"{seq + 1} was due (deleted or moved)"))
                    if entry.get("prev") != prev:
                        problems.append(Problem(number, "does not follow the entry before it "
                                                        "(an entry before it was deleted, "
                                                        "edited or moved)"))
                    if _digest(entry) != entry.get("hash"):
                        problems.append(Problem(number, "its contents do not match its hash "
                                                        "(edited)"))
                    prev, seq = entry.get("hash", "?"), _number(entry.get("seq"), seq + 1)
        head = self.head()
        if self.head_path.exists() and head is None:
            problems.append(Problem(end + 1, "audit.head cannot be read (edited or damaged)"))
        elif head is not None:
            if (head.get("seq"), head.get("hash")) != (seq, prev):
                problems.append(Problem(end + 1, f"the log ends at entry {seq}, but entry "
                                                 f"{head.get('seq')} was the last one written "
                                                 "(entries cut off the end)"))
        elif n:
            problems.append(Problem(end + 1, "audit.head is missing"))
        return n, problems

    def snapshot(self) -> tuple[bytes, bytes]:
        """The log and its head as they are between two entries (read under the lock
        that every entry is written under): for a backup."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                f.seek(0)
                log = f.read()
                head = self.head_path.read_bytes() if self.head_path.exists() else b""
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
        return log, head

    def head(self) -> dict[str, Any] | None:
        """audit.head as written (a number and a hash), or ``None``: missing or unreadable."""
        try:
            head = json.loads(self.head_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # missing; not UTF-8 or not JSON
            return None
        if not (isinstance(head, dict) and isinstance(head.get("seq"), int)
                and isinstance(head.get("hash"), str)):
            return None
        return head

    def select(self, selection: Selection) -> list[dict[str, Any]]:
        """The entries that match, oldest first."""
        return [e for e in self.entries() if selection(e)]

    def about(self, person_ref: str) -> list[dict[str, Any]]:
        """Every entry whose results held this person: who looked, when and why."""
        return self.select(Selection(person=person_ref))

    def history(self, viewer: Viewer, *, person: str | None = None,
                aliases: Sequence[str] = (), user: str | None = None
                ) -> tuple[list[dict[str, Any]], list[Problem]]:
        """Who looked at ``person`` (a ref, or one of its ``aliases``), or what ``user``
        read: the matching entries,
        oldest first, and the log's problems (entries that cannot be read are left out).
        Reading the log is itself a read of personal data, so it is recorded."""
        _, problems = self.verify()
        entries = self.select(Selection(person=person, aliases=tuple(aliases), user=user))
        self.record(viewer, "audit.show", {"person": person, "user": user},
                    records=len(entries), persons=[person, *aliases] if person else [])
        return entries, problems

