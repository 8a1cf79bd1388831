"""The one exception family of ``graph``: errors that carry what went wrong as data."""

from __future__ import annotations


class GraphError(Exception):
    """Base of every error raised by ``graph``; ``str()`` is a message fit for a user."""


class SettingsError(GraphError):
    """An environment variable holds a value Schakel cannot use."""

    def __init__(self, variable: str, value: str, reason: str) -> None:
        self.variable = variable
        self.value = value
        self.reason = reason
        super().__init__(f"{variable}={value!r}: {reason}")


class LauncherError(GraphError):
    """The local Neo4j could not be built, started, stopped or reached."""

    def __init__(self, message: str, *, hint: str = "", log: str = "") -> None:
        self.hint = hint
        self.log = log
        super().__init__(message + (f"\n{hint}" if hint else ""))


class SchemaError(GraphError):
    """A name that is not in the schema was used where only schema names may go."""

    def __init__(self, kind: str, name: object) -> None:
        self.kind = kind
        self.name = name
        super().__init__(f"{name!r} is not a {kind} of the Schakel schema")


class DatabaseUnavailable(GraphError):
    """Neo4j did not answer at the configured address."""
