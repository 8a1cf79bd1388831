"""Keyed pseudonyms: HMAC-SHA-256 under the team key (EDPB guidelines 01/2025).

A pseudonym is the lowercase hex HMAC-SHA-256 of the raw value (UTF-8, surrounding
white space removed) under the team key. Partners that pseudonymise themselves must
compute exactly this, with the same key, for their references to link with ours.
The key lives outside the graph and the repository: ``SCHAKEL_KEY`` or
``SCHAKEL_KEY_FILE``, identified by ``SCHAKEL_KEY_ID``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from graph.settings import Settings
from ingest.errors import KeyProblem

DEMO_KEY_ID = "demo"
# Public, and therefore no protection at all: for synthetic demo data only.
DEMO_KEY = b"schakel-demo-key-UNSAFE-for-real-data"
MIN_KEY_BYTES = 16


@dataclass(frozen=True)
class TeamKey:
    """The team key; after a rotation (``schakel key rotate``), with the key before it.

    A pseudonym is HMAC-SHA-256 under the key of the raw value; after a rotation it is
    chained: HMAC(new key, the pseudonym under the previous key). So every pseudonym in the
    graph could be rewritten without the raw values, and partners that pseudonymise
    themselves may go on with the previous key: their refs are re-keyed at ingest.

    >>> old = TeamKey("a", b"0" * 16)
    >>> new = TeamKey("b", b"1" * 16, previous=old)
    >>> new.pseudonym(" P1 ") == new.rekey(old.pseudonym("P1"))
    True
    """

    key_id: str
    secret: bytes = field(repr=False)
    previous: TeamKey | None = None

    @property
    def is_demo(self) -> bool:
        return self.secret == DEMO_KEY

    def rekey(self, value: str) -> str:
        """HMAC under this key alone: a raw value with no previous key, or a pseudonym
        under the previous key."""
        return hmac.new(self.secret, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()

    def pseudonym(self, raw: str) -> str:
        return self.rekey(self.previous.pseudonym(raw) if self.previous else raw)

    def pseudonyms(self, raw: str) -> list[str]:
        """The pseudonym of ``raw`` now and under each earlier key (for the audit log,
        whose entries keep the refs of their time)."""
        return [self.pseudonym(raw), *(self.previous.pseudonyms(raw) if self.previous else [])]

    def for_rows(self, key_id: str, pseudonymised: bool) -> TeamKey | None:
        """What turns a delivery's identifying values into the graph's refs: this key for
        raw values; nothing for refs made with this key; for refs made with the previous
        key, this key alone (re-keying). :class:`KeyProblem` for any other key id, raw
        values or not (the delivery was made for another team)."""
        previous = self.previous is not None and key_id == self.previous.key_id
        if key_id != self.key_id and not previous:
            raise KeyProblem(f"key_id {key_id!r} is not the team key configured here "
                             f"({self.key_id!r}): its pseudonyms would not link")
        if not pseudonymised:
            return self
        return TeamKey(self.key_id, self.secret) if previous else None  # rekey, or as is


def team_key(settings: Settings) -> TeamKey:
    """The configured team key (with the previous one, after a rotation);
    :class:`KeyProblem` if it is missing or unusable."""
    key = _current_key(settings)
    if settings.previous_key_file is None:
        return key
    if not settings.previous_key_id or settings.previous_key_id == key.key_id:
        raise KeyProblem("SCHAKEL_KEY_PREVIOUS_FILE needs SCHAKEL_KEY_PREVIOUS_ID, the "
                         "previous key's own id.")
    try:
        previous = Path(settings.previous_key_file).read_bytes().strip()
    except OSError as exc:
        raise KeyProblem(f"SCHAKEL_KEY_PREVIOUS_FILE {settings.previous_key_file} cannot be "
                         f"read: {exc.strerror}") from None
    return TeamKey(key.key_id, key.secret, TeamKey(settings.previous_key_id, previous))


def _current_key(settings: Settings) -> TeamKey:
    if settings.key is not None and settings.key_file is not None:
        raise KeyProblem("Set SCHAKEL_KEY or SCHAKEL_KEY_FILE, not both.")
    secret: bytes | None = settings.key
    if settings.key_file is not None:
        try:
            secret = Path(settings.key_file).read_bytes().strip()
        except OSError as exc:
            raise KeyProblem(f"SCHAKEL_KEY_FILE {settings.key_file} cannot be read: "
                             f"{exc.strerror}") from None
    if secret is None:
        if settings.key_id != DEMO_KEY_ID:
            raise KeyProblem(f"SCHAKEL_KEY_ID is {settings.key_id!r} but no key is set: "
                             "set SCHAKEL_KEY_FILE (or SCHAKEL_KEY) to the team key.")
        return TeamKey(DEMO_KEY_ID, DEMO_KEY)
    if len(secret) < MIN_KEY_BYTES:
        raise KeyProblem(f"The team key is shorter than {MIN_KEY_BYTES} bytes.")
    if secret == DEMO_KEY and settings.key_id != DEMO_KEY_ID:
        raise KeyProblem("The public demo key may only be used with SCHAKEL_KEY_ID=demo.")
    return TeamKey(settings.key_id, secret)
