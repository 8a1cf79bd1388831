"""What every command module of ``schakel`` shares: the settings, the store, and how a
user's error is shown (one line, exit status 2, never a stack trace)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer

from dashboard.auth import UserError
from graph.audit import AuditLog
from graph.errors import GraphError
from graph.settings import Settings
from graph.store import Store
from ingest.errors import IngestError
from schakel.output import err

P = ParamSpec("P")
R = TypeVar("R")


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn Schakel's own errors into a message and exit status 2, never a stack trace."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (GraphError, IngestError, UserError) as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
            raise typer.Exit(2) from None

    return wrapper


def settings() -> Settings:
    return Settings.from_env()


def store(settings: Settings) -> Store:
    return Store.connect(settings, AuditLog.of_home(settings.home))
