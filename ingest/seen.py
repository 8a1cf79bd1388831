"""Which rows of a file were seen before, in about 24 bytes a row.

A Python ``dict`` of fingerprint to line costs about 150 bytes a row; a delivery file of
a million rows would hold 150 MB for nothing but duplicate detection. This open-addressing
table keeps an 8-byte fingerprint and a 4-byte line number in two flat arrays, at most
half full.
"""

from __future__ import annotations

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


class SeenRows:
    """``first_line(values, line)``: the line that first held these values, or None (and
    remember ``line`` for them)."""

    def __init__(self, capacity: int = 1 << 12) -> None:
        self._keys = array("Q", bytes(8 * capacity))
        self._lines = array("I", bytes(4 * capacity))
        self._used = 0

    def __len__(self) -> int:
        return self._used

    def first_line(self, values: tuple[object, ...], line: int) -> int | None:
        key = fingerprint(values)
        slot = self._find(key)
        if self._keys[slot] == key:
            return int(self._lines[slot])
        self._keys[slot] = key
        self._lines[slot] = line
        self._used += 1
        if 2 * self._used > len(self._keys):
            self._grow()
        return None

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
