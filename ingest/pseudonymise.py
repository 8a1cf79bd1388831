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
    key_id: str
    secret: bytes = field(repr=False)

    @property
    def is_demo(self) -> bool:
        return self.secret == DEMO_KEY

    def pseudonym(self, raw: str) -> str:
        return hmac.new(self.secret, raw.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def team_key(settings: Settings) -> TeamKey:
    """The configured team key; :class:`KeyProblem` if it is missing or unusable."""
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
