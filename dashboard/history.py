"""Each user's console history: the queries they ran, newest first, in a file of their own."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.auth import NAME

KEEP = 200


class QueryHistory:
    def __init__(self, home: Path, user: str) -> None:
        if not NAME.match(user):
            raise ValueError(f"not a user name: {user!r}")
        self.path = home / "history" / f"{user}.jsonl"

    def add(self, query: str, params: dict[str, Any], *, rows: int | None,
            error: str | None = None) -> None:
        entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "query": query,
                 "params": params, "rows": rows, "error": error}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        entries = [*self.entries()[: KEEP - 1][::-1], entry]
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(e, default=str) + "\n" for e in entries)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def entries(self) -> list[dict[str, Any]]:
        """Newest first."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in reversed(lines) if line.strip()]
