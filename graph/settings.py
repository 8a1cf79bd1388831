"""Settings, read once from the environment when a command starts.

Nothing here runs at import time: call :func:`load` (or :meth:`Settings.from_env`)
and pass the result on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import SettingsError

_SIZE = re.compile(r"^\d+[kmgKMG]?$")


def _size(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip()
    if not _SIZE.match(value):
        raise SettingsError(name, value, "expected a size such as 512m or 4g")
    return value.lower()


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(name, raw, "expected a TCP port between 1 and 65535")
    return int(raw)


@dataclass(frozen=True)
class LocalNeo4j:
    """How the local, embedded Neo4j is run when ``NEO4J_URI`` is not set."""

    data_dir: Path
    port: int = 7687
    heap: str = "4g"
    pagecache: str = "4g"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The ``SCHAKEL_NEO4J_*`` variables that name this server to another process
        (read back by :meth:`Settings.from_env`)."""
        return {"SCHAKEL_NEO4J_DATA": str(self.data_dir), "SCHAKEL_NEO4J_PORT": str(self.port),
                "SCHAKEL_NEO4J_HEAP": self.heap, "SCHAKEL_NEO4J_PAGECACHE": self.pagecache}


@dataclass(frozen=True)
class Settings:
    """Everything Schakel reads from the environment.

    ``neo4j_uri`` is ``None`` when the local launcher is to be used.
    """

    home: Path
    neo4j_uri: str | None
    neo4j_user: str
    neo4j_password: str = field(repr=False)
    neo4j_database: str
    local: LocalNeo4j
    key_id: str
    key: bytes | None = field(repr=False, default=None)
    key_file: Path | None = None
    retention: str | None = None  # SCHAKEL_RETENTION: terms per partner (graph.retention)

    @property
    def uses_local_neo4j(self) -> bool:
        return self.neo4j_uri is None

    @property
    def uri(self) -> str:
        return self.neo4j_uri or self.local.uri

    @property
    def auth(self) -> tuple[str, str] | None:
        """The driver's credentials: none when no password is set (the local launcher)."""
        return (self.neo4j_user, self.neo4j_password) if self.neo4j_password else None

    def child_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """An environment for a child ``schakel`` process that talks to this same server:
        ``base`` (default ``os.environ``) without its NEO4J_/SCHAKEL_ variables, plus
        this server's connection settings and home. The local Neo4j stays the local one
        to the child (so its messages say how to start it, not to check NEO4J_URI)."""
        env = {k: v for k, v in (os.environ if base is None else base).items()
               if not k.startswith(("NEO4J_", "SCHAKEL_"))}
        env.update({"NEO4J_USER": self.neo4j_user, "NEO4J_PASSWORD": self.neo4j_password,
                    "NEO4J_DATABASE": self.neo4j_database, "SCHAKEL_HOME": str(self.home)})
        if self.uses_local_neo4j:
            env.update(self.local.env())
        else:
            env["NEO4J_URI"] = self.uri
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
        env = os.environ if env is None else env
        base = cwd or Path.cwd()
        home = Path(env.get("SCHAKEL_HOME") or base / ".schakel")
        if not home.is_absolute():
            home = base / home
        data_dir = Path(env.get("SCHAKEL_NEO4J_DATA") or home / "neo4j")
        if not data_dir.is_absolute():
            data_dir = base / data_dir
        uri = (env.get("NEO4J_URI") or "").strip() or None
        if uri is not None and not re.match(r"^(bolt|neo4j)(\+s|\+ssc)?://", uri):
            raise SettingsError("NEO4J_URI", uri, "expected bolt://, neo4j:// or their +s forms")
        key_raw = env.get("SCHAKEL_KEY")
        key_file_raw = env.get("SCHAKEL_KEY_FILE")
        return cls(
            home=home,
            neo4j_uri=uri,
            neo4j_user=env.get("NEO4J_USER", "neo4j"),
            neo4j_password=env.get("NEO4J_PASSWORD", ""),
            neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
            local=LocalNeo4j(
                data_dir=data_dir,
                port=_port(env, "SCHAKEL_NEO4J_PORT", 7687),
                heap=_size(env, "SCHAKEL_NEO4J_HEAP", "4g"),
                pagecache=_size(env, "SCHAKEL_NEO4J_PAGECACHE", "4g"),
            ),
            key_id=env.get("SCHAKEL_KEY_ID", "demo"),
            key=key_raw.encode() if key_raw else None,
            key_file=Path(key_file_raw) if key_file_raw else None,
            retention=env.get("SCHAKEL_RETENTION") or None,
        )


def load() -> Settings:
    """The settings of this process, from ``os.environ``."""
    return Settings.from_env()
