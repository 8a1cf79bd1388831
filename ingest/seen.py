"""Which rows of a file were seen before, in memory that does not grow with the file.

A Python ``dict`` of fingerprint to line costs about 150 bytes a row; a delivery file of
a million rows would hold 150 MB for nothing but duplicate detection. This open-addressing
table keeps an 8-byte fingerprint and a 4-byte line number in two flat arrays, at most
half full, up to ``limit`` rows (6 MiB at the default). Past that the fingerprints move to
an SQLite table in a temporary file with a fixed page cache, so a file of any length is
checked in the same memory; the file is deleted when the rows are done.

Fingerprints are salted hashes (see :func:`fingerprint`) whose salt dies with the
process: what reaches the disk cannot be turned back into a row.
"""

from __future__ import annotations

import sqlite3
import tempfile
from array import array

_EMPTY = 0


def fingerprint(values: tuple[object, ...]) -> int:
    """A 64-bit fingerprint of a row's values, never 0 (which marks an empty slot).

    Python's own hash: string hashes are salted per process, so a delivery cannot be
    crafted to make two different rows collide, and fingerprints only ever meet other
    fingerprints of the same file in the same process. Two different rows share one with
    a probability of about n^2 / 2^65 (1e-8 for a million rows).
    """
    return (hash(values) & 0xFFFF_FFFF_FFFF_FFFF) or 1


def _signed(key: int) -> int:
    """A 64-bit fingerprint as SQLite stores integers: signed."""
    return key - (1 << 64) if key >= 1 << 63 else key


LIMIT = 1 << 18  # rows kept in memory before the table moves to disk
_CACHE_KIB = 4096  # SQLite's page cache once on disk


class SeenRows:
    """``first_line(values, line)``: the line that first held these values, or None (and
    remember ``line`` for them). Use as a context manager, or :meth:`close` it."""

    def __init__(self, capacity: int = 1 << 12, limit: int = LIMIT) -> None:
        self._keys = array("Q", bytes(8 * capacity))
        self._lines = array("I", bytes(4 * capacity))
        self._used = 0
        self._limit = limit
        self._disk: sqlite3.Connection | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __len__(self) -> int:
        return self._used

    def __enter__(self) -> SeenRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def on_disk(self) -> bool:
        return self._disk is not None

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def first_line(self, values: tuple[object, ...], line: int) -> int | None:
        key = fingerprint(values)
        if self._disk is not None:
            return self._first_line_on_disk(key, line)
        slot = self._find(key)
        if self._keys[slot] == key:
            return int(self._lines[slot])
        self._keys[slot] = key
        self._lines[slot] = line
        self._used += 1
        if self._used > self._limit:
            self._move_to_disk()
        elif 2 * self._used > len(self._keys):
            self._grow()
        return None

    def _first_line_on_disk(self, key: int, line: int) -> int | None:
        assert self._disk is not None
        signed = _signed(key)
        inserted = self._disk.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (signed, line))
        if inserted.rowcount:
            self._used += 1
            return None
        row = self._disk.execute("SELECT line FROM seen WHERE key = ?", (signed,)).fetchone()
        return int(row[0])

    def _move_to_disk(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="schakel-seen-")
        disk = sqlite3.connect(f"{self._folder.name}/seen.db", isolation_level=None)
        # A scratch table: nothing to recover after a crash, so no journal and no fsync.
        disk.executescript(f"""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            PRAGMA cache_size = -{_CACHE_KIB};
            CREATE TABLE seen (key INTEGER PRIMARY KEY, line INTEGER NOT NULL);
            BEGIN;
        """)
        disk.executemany("INSERT INTO seen VALUES (?, ?)", (
            (_signed(key), line)
            for key, line in zip(self._keys, self._lines, strict=True) if key != _EMPTY))
        self._disk = disk
        self._keys, self._lines = array("Q"), array("I")

    def _find(self, key: int) -> int:
        mask = len(self._keys) - 1
        slot = key & mask
        while self._keys[slot] not in (_EMPTY, key):
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        keys, lines = self._keys, self._lines
        self._keys = array("Q", bytes(16 * len(keys)))
        self._lines = array("I", bytes(8 * len(keys)))
        for key, line in zip(keys, lines, strict=True):
            if key != _EMPTY:
                slot = self._find(key)
                self._keys[slot] = key
                self._lines[slot] = line
