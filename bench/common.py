"""What the benchmarks share: a Neo4j to measure against, and peak memory."""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph import local_neo4j
from graph.audit import AuditLog
from graph.settings import Settings
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios.synth import generate

KEY = TeamKey("demo", DEMO_KEY)

# Retried deadlocks between the two ingest writers are expected; the driver's warning
# about each would bury the figures.
logging.getLogger("neo4j").setLevel(logging.ERROR)


@contextmanager
def neo4j(heap: str = "4g", pagecache: str = "2g") -> Iterator[Settings]:
    """``NEO4J_URI`` if set (its database is emptied!), else a fresh local server."""
    if os.environ.get("NEO4J_URI"):
        yield Settings.from_env()
        return
    with tempfile.TemporaryDirectory(prefix="schakel-bench-") as home:
        env = {**os.environ, "SCHAKEL_HOME": home,
               "SCHAKEL_NEO4J_PORT": str(local_neo4j.free_port()),
               "SCHAKEL_NEO4J_HEAP": heap, "SCHAKEL_NEO4J_PAGECACHE": pagecache}
        settings = Settings.from_env(env)
        with local_neo4j.serve(settings.local):
            yield settings


def peak_rss_mib() -> float:
    """Peak resident memory of this process, in MiB.

    From VmHWM, which starts afresh at exec; ``getrusage``'s ru_maxrss does not, so a
    child forked from a large parent would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def dashboard(settings: Settings, log: Path, **env: str) -> Iterator[str]:
    """``schakel dashboard`` for ``settings``' server on a free loopback port (``env``: more
    variables for it), its output in ``log``; its address once it answers, stopped after."""
    port = local_neo4j.free_port()
    schakel = Path(sys.executable).parent / "schakel"
    with log.open("w") as out:
        server = subprocess.Popen([str(schakel), "dashboard", "--port", str(port)],
                                  env={**settings.child_env(), **env}, stdout=out,
                                  stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(240):
                try:
                    with urllib.request.urlopen(url + "_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def repo() -> Path:
    return Path(__file__).resolve().parent.parent


def load_scenario(store: Store, folder: Path, *, seed: int, scale: float) -> int:
    """Empty the database, write a synthetic scenario to ``folder`` and ingest it; the
    number of input rows."""
    store.ensure_schema()
    store.reset()
    truth = generate(folder, seed=seed, scale=scale, key=KEY)
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        ingest_delivery(store, path, KEY)
    return sum(sum(files.values()) for files in truth["rows"].values())


def connect(settings: Settings) -> Store:
    """A store on ``settings``' server that logs to its home's audit log, as Schakel's own."""
    return Store.connect(settings, AuditLog.of_home(settings.home))
