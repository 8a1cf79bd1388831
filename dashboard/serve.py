"""Serving the dashboard: the Streamlit process, started so that nothing reaches beyond
the machine."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from dashboard.auth import Users
from graph import explore
from graph.audit import AuditLog
from graph.settings import Settings
from graph.store import Store
from ingest.upload import LIMIT_MB as UPLOAD_LIMIT_MB

# Streamlit's server with our session route (dashboard/server.py), serving dashboard/app.py
APP = Path(__file__).resolve().parent / "server.py"


def streamlit_command(app_file: Path, port: int, address: str) -> list[str]:
    """The command that serves the dashboard: nothing in it may reach beyond the machine.

    No usage statistics; no error details (they could hold data); and no "Ask Google" and
    "Ask ChatGPT" links under an unexpected error, which Streamlit shows by default when
    the page is served from this machine (as it is) and which would send the error to
    those sites at a click.
    """
    return [sys.executable, "-m", "streamlit", "run", str(app_file),
            "--server.port", str(port), "--server.address", address,
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--global.developmentMode", "false", "--server.fileWatcherType", "none",
            "--server.runOnSave", "false", "--client.toolbarMode", "minimal",
            "--client.showErrorDetails", "none", "--client.showErrorLinks", "false",
            "--server.enableXsrfProtection", "true", "--theme.base", "light",
            # an upload larger than ingest.upload takes is refused by the server itself
            "--server.maxUploadSize", str(UPLOAD_LIMIT_MB)]


def shown_address(address: str, port: int) -> str:
    """The address a user opens in the browser for a server listening on ``address``."""
    host = "127.0.0.1" if address == "0.0.0.0" else address  # noqa: S104  (a comparison)
    return f"http://{host}:{port}/"


def serve(settings: Settings, port: int, address: str,
          say: Callable[[str], None] = print, warn: Callable[[str], None] = print) -> None:
    """Become the dashboard's server (this process is replaced; Ctrl-C stops it).

    Neo4j is asked first, so that a server that does not answer is reported here with
    the reason rather than on the first page (:class:`graph.errors.DatabaseUnavailable`).
    """
    with Store.connect(settings, AuditLog.of_home(settings.home)) as store:
        explore.warm(store)  # the first drawing need not wait for Neo4j's query plans
    if not Users.of_home(settings.home).all():
        warn("No dashboard users yet: add one with `schakel users add NAME --team T`.")
    env = settings.child_env()
    # Streamlit signs its cookies with this; a new one per start, never stored.
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(32)
    command = streamlit_command(APP, port, address)
    say(f"Dashboard: {shown_address(address, port)} (Ctrl-C stops it)")
    sys.stdout.flush()
    # Become Streamlit rather than wait for it: a signal to this process (Ctrl-C, a
    # service manager's TERM) then reaches the server itself, and none is left behind.
    os.execve(sys.executable, command, env)  # noqa: S606  (our own argv, no shell)
