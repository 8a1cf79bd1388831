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
from typing import Annotated, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from graph.errors import SettingsError
from i18n import DEFAULT as DEFAULT_LANGUAGE
from i18n import LANGUAGES

_SIZE = re.compile(r"^\d+[kmgKMG]?$")
_URI = re.compile(r"^(bolt|neo4j)(\+s|\+ssc)?://")


def _size(value: object) -> str:
    text = str(value).strip()
    if not _SIZE.match(text):
        raise ValueError("expected a size such as 512m or 4g")
    return text.lower()


def _port(value: object) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError("expected a TCP port between 1 and 65535")
    return int(text)


def _team(value: object) -> str:
    text = str(value).strip()
    if not re.match(r"^[a-z0-9][a-z0-9._-]{1,63}$", text):
        raise ValueError("expected a team name: 2-64 characters of a-z, 0-9, '.', '_', '-'")
    return text


def _language(value: object) -> str:
    text = str(value).strip().lower()
    if text not in LANGUAGES:
        raise ValueError(f"expected one of {', '.join(LANGUAGES)}")
    return text


def _positive(value: object) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError("expected a number, such as 8 or 0.5") from None
    if not 0 < number <= 24 * 365:
        raise ValueError("expected a number above 0")
    return number


def _timezone(value: object) -> str:
    text = str(value).strip()
    try:
        ZoneInfo(text)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise ValueError("expected a time zone such as Europe/Amsterdam or Europe/Brussels"
                         ) from None
    return text


def _security(value: object) -> str:
    text = str(value).strip().lower()
    if text not in ("starttls", "tls", "none"):
        raise ValueError("expected starttls, tls or none")
    return text


def _uri(value: object) -> str | None:
    text = str(value or "").strip()
    if text and not _URI.match(text):
        raise ValueError("expected bolt://, neo4j:// or their +s forms")
    return text or None


class Environment(BaseSettings):
    """The environment variables Schakel reads, checked: each field is one variable, with
    its default. A bad value is a :class:`SettingsError` naming the variable."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", env_ignore_empty=True,
                                      hide_input_in_errors=True)

    SCHAKEL_HOME: str = ""
    SCHAKEL_NEO4J_DATA: str = ""
    SCHAKEL_NEO4J_PORT: Annotated[int, BeforeValidator(_port)] = 7687
    SCHAKEL_NEO4J_HEAP: Annotated[str, BeforeValidator(_size)] = "4g"
    SCHAKEL_NEO4J_PAGECACHE: Annotated[str, BeforeValidator(_size)] = "4g"
    SCHAKEL_NEO4J_SECURE: bool = False
    NEO4J_URI: Annotated[str | None, BeforeValidator(_uri)] = None
    NEO4J_USER: str = "neo4j"
    NEO4J_PASSWORD: str = Field(default="", repr=False)
    NEO4J_DATABASE: str = "neo4j"
    NEO4J_TRUSTED_CA: str = ""
    SCHAKEL_KEY_ID: str = "demo"
    SCHAKEL_KEY: str = Field(default="", repr=False)
    SCHAKEL_KEY_FILE: str = ""
    SCHAKEL_KEY_PREVIOUS_FILE: str = ""
    SCHAKEL_KEY_PREVIOUS_ID: str = ""
    SCHAKEL_RETENTION: str = ""
    SCHAKEL_TEAM: Annotated[str, BeforeValidator(_team)] = "jit"
    SCHAKEL_LANGUAGE: Annotated[str, BeforeValidator(_language)] = DEFAULT_LANGUAGE
    SCHAKEL_DASHBOARD_URL: str = "http://127.0.0.1:8501/"
    SCHAKEL_TIMEZONE: Annotated[str, BeforeValidator(_timezone)] = "Europe/Amsterdam"
    SCHAKEL_SESSION_HOURS: Annotated[float, BeforeValidator(_positive)] = 8.0
    SCHAKEL_SESSION_IDLE_MINUTES: Annotated[float, BeforeValidator(_positive)] = 30.0
    SCHAKEL_SMTP_HOST: str = ""
    SCHAKEL_SMTP_PORT: Annotated[int, BeforeValidator(_port)] = 25
    SCHAKEL_SMTP_SECURITY: Annotated[str, BeforeValidator(_security)] = "starttls"
    SCHAKEL_SMTP_USER: str = ""
    SCHAKEL_SMTP_PASSWORD: str = Field(default="", repr=False)
    SCHAKEL_SMTP_FROM: str = "schakel@localhost"

    # Values that may be empty on purpose: an empty password means no authentication.
    KEEP_EMPTY: ClassVar[frozenset[str]] = frozenset({"NEO4J_PASSWORD"})

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None) -> Environment:
        """The variables of ``env``, or of this process's environment when ``None``."""
        try:
            if env is None:
                return cls()
            given = {k: v for k, v in env.items() if k in cls.model_fields
                     and (v != "" or k in cls.KEEP_EMPTY)}
            return _Given(**given)  # type: ignore[arg-type]  # text, checked by the fields
        except ValidationError as exc:
            first = exc.errors()[0]
            name = str(first["loc"][0])
            value = (env if env is not None else os.environ).get(name, "")
            reason = str(first.get("ctx", {}).get("error") or first["msg"])
            raise SettingsError(name, value, reason) from None


class _Given(Environment):
    """:class:`Environment` from a mapping given in code only (a child process's, a
    test's): this process's own variables must not fill its gaps."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@dataclass(frozen=True)
class LocalNeo4j:
    """How the local, embedded Neo4j is run when ``NEO4J_URI`` is not set."""

    data_dir: Path
    port: int = 7687
    heap: str = "4g"
    pagecache: str = "4g"
    # SCHAKEL_NEO4J_SECURE: authentication (NEO4J_PASSWORD) and TLS on Bolt, with a
    # self-signed certificate made at the first start, which Schakel alone trusts
    secure: bool = False
    password: str = field(default="", repr=False, compare=False)  # NEO4J_PASSWORD, if secure

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def tls_dir(self) -> Path:
        return self.data_dir / "tls"

    @property
    def certificate(self) -> Path | None:
        """The certificate to trust for this server (``None``: it takes no TLS)."""
        return self.tls_dir / "public.crt" if self.secure else None

    def env(self) -> dict[str, str]:
        """The ``SCHAKEL_NEO4J_*`` variables that name this server to another process
        (read back by :meth:`Settings.from_env`)."""
        return {"SCHAKEL_NEO4J_DATA": str(self.data_dir), "SCHAKEL_NEO4J_PORT": str(self.port),
                "SCHAKEL_NEO4J_HEAP": self.heap, "SCHAKEL_NEO4J_PAGECACHE": self.pagecache,
                "SCHAKEL_NEO4J_SECURE": "true" if self.secure else "false"}


@dataclass(frozen=True)
class Smtp:
    """Where the digests of new signals are sent from (``SCHAKEL_SMTP_*``); none is sent
    unless ``SCHAKEL_SMTP_HOST`` is set."""

    host: str
    port: int = 25
    security: str = "starttls"  # starttls | tls | none (a relay on this machine)
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = "schakel@localhost"


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
    trusted_ca: Path | None = None  # NEO4J_TRUSTED_CA: the CA that signed the server's TLS
    key: bytes | None = field(repr=False, default=None)
    key_file: Path | None = None
    # SCHAKEL_KEY_PREVIOUS_FILE and _ID: the key before the last rotation (`schakel key
    # rotate`): pseudonyms are chained through it, and deliveries made with it still load
    previous_key_file: Path | None = None
    previous_key_id: str = ""
    retention: str | None = None  # SCHAKEL_RETENTION: terms per partner (graph.retention)
    team: str = "jit"  # SCHAKEL_TEAM: the team that receives the team's signals
    smtp: Smtp | None = None  # SCHAKEL_SMTP_*: digests of new signals by e-mail
    dashboard_url: str = "http://127.0.0.1:8501/"  # named in those digests
    language: str = DEFAULT_LANGUAGE  # SCHAKEL_LANGUAGE: for users who have not chosen one
    timezone: str = "Europe/Amsterdam"  # SCHAKEL_TIMEZONE: the team's, for times shown
    session_hours: float = 8.0  # SCHAKEL_SESSION_HOURS: a dashboard sign-in lasts this long
    idle_minutes: float = 30.0  # SCHAKEL_SESSION_IDLE_MINUTES: or ends after this long idle

    @property
    def uses_local_neo4j(self) -> bool:
        return self.neo4j_uri is None

    @property
    def uri(self) -> str:
        return self.neo4j_uri or self.local.uri

    @property
    def certificate(self) -> Path | None:
        """The CA or certificate to trust for TLS to the server: the local secure one's
        own, or NEO4J_TRUSTED_CA (``None``: no TLS, or the system's CAs of a ``+s`` URI)."""
        return self.local.certificate if self.uses_local_neo4j else self.trusted_ca

    @property
    def auth(self) -> tuple[str, str] | None:
        """The driver's credentials: none when no password is set (the local launcher)."""
        return (self.neo4j_user, self.neo4j_password) if self.neo4j_password else None

    def child_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """An environment for a child ``schakel`` process that talks to this same server:
        ``base`` (default ``os.environ``) without its NEO4J_/SCHAKEL_ variables, plus
        this server's connection settings, home, language, team and team key. The local
        Neo4j stays the local one to the child (so its messages say how to start it, not
        to check NEO4J_URI)."""
        env = {k: v for k, v in (os.environ if base is None else base).items()
               if not k.startswith(("NEO4J_", "SCHAKEL_"))}
        env.update({"NEO4J_USER": self.neo4j_user, "NEO4J_PASSWORD": self.neo4j_password,
                    "NEO4J_DATABASE": self.neo4j_database, "SCHAKEL_HOME": str(self.home),
                    "SCHAKEL_LANGUAGE": self.language, "SCHAKEL_TIMEZONE": self.timezone,
                    "SCHAKEL_SESSION_HOURS": str(self.session_hours),
                    "SCHAKEL_SESSION_IDLE_MINUTES": str(self.idle_minutes),
                    # the team key (the dashboard's upload pseudonymises as ingest does)
                    # and the team that receives the signals of what is loaded
                    "SCHAKEL_KEY_ID": self.key_id, "SCHAKEL_TEAM": self.team})
        if self.key_file is not None:
            env["SCHAKEL_KEY_FILE"] = str(self.key_file)
        if self.previous_key_file is not None:
            env["SCHAKEL_KEY_PREVIOUS_FILE"] = str(self.previous_key_file)
            env["SCHAKEL_KEY_PREVIOUS_ID"] = self.previous_key_id
        if self.key is not None:
            env["SCHAKEL_KEY"] = self.key.decode()
        if self.uses_local_neo4j:
            env.update(self.local.env())
        else:
            env["NEO4J_URI"] = self.uri
            if self.trusted_ca is not None:
                env["NEO4J_TRUSTED_CA"] = str(self.trusted_ca)
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
        """The settings of ``env`` (default: this process's environment), with relative
        folders taken from ``cwd`` (default: the current folder)."""
        e = Environment.read(env)
        base = cwd or Path.cwd()
        home = Path(e.SCHAKEL_HOME or base / ".schakel")
        if not home.is_absolute():
            home = base / home
        data_dir = Path(e.SCHAKEL_NEO4J_DATA or home / "neo4j")
        if not data_dir.is_absolute():
            data_dir = base / data_dir
        return cls(
            home=home,
            neo4j_uri=e.NEO4J_URI,
            neo4j_user=e.NEO4J_USER,
            neo4j_password=e.NEO4J_PASSWORD,
            neo4j_database=e.NEO4J_DATABASE,
            local=LocalNeo4j(data_dir=data_dir, port=e.SCHAKEL_NEO4J_PORT,
                             heap=e.SCHAKEL_NEO4J_HEAP, pagecache=e.SCHAKEL_NEO4J_PAGECACHE,
                             secure=e.SCHAKEL_NEO4J_SECURE, password=e.NEO4J_PASSWORD),
            trusted_ca=Path(e.NEO4J_TRUSTED_CA) if e.NEO4J_TRUSTED_CA else None,
            key_id=e.SCHAKEL_KEY_ID,
            key=e.SCHAKEL_KEY.encode() if e.SCHAKEL_KEY else None,
            key_file=Path(e.SCHAKEL_KEY_FILE) if e.SCHAKEL_KEY_FILE else None,
            previous_key_file=Path(e.SCHAKEL_KEY_PREVIOUS_FILE)
            if e.SCHAKEL_KEY_PREVIOUS_FILE else None,
            previous_key_id=e.SCHAKEL_KEY_PREVIOUS_ID,
            retention=e.SCHAKEL_RETENTION or None,
            team=e.SCHAKEL_TEAM,
            smtp=Smtp(e.SCHAKEL_SMTP_HOST, e.SCHAKEL_SMTP_PORT, e.SCHAKEL_SMTP_SECURITY,
                      e.SCHAKEL_SMTP_USER, e.SCHAKEL_SMTP_PASSWORD, e.SCHAKEL_SMTP_FROM)
            if e.SCHAKEL_SMTP_HOST else None,
            dashboard_url=e.SCHAKEL_DASHBOARD_URL,
            language=e.SCHAKEL_LANGUAGE,
            timezone=e.SCHAKEL_TIMEZONE,
            session_hours=e.SCHAKEL_SESSION_HOURS,
            idle_minutes=e.SCHAKEL_SESSION_IDLE_MINUTES,
        )


def load() -> Settings:
    """The settings of this process, from ``os.environ``."""
    return Settings.from_env()
