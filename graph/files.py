"""Files only their owner may read: what Schakel writes that holds personal data or a
secret (an upload, a backup, a restored home, the local server's password file)."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes, *, new: bool = False) -> None:
    """Write ``data`` to ``path``, created owner-only (0600) — never readable by others,
    not even for a moment; ``new``: refuse (FileExistsError) to replace a file."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if new else os.O_TRUNC)
    with os.fdopen(os.open(path, flags, 0o600), "wb") as fh:
        fh.write(data)
