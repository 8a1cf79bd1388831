"""The test session's Neo4j: the real one, started once.

With ``NEO4J_URI`` set the tests use that server (and empty its database before every
test: never point it at data you want to keep). Otherwise the session starts the local
launcher on a free port with a data folder of its own, so a developer's own
``.schakel/neo4j`` is never touched, and stops it at the end. The launcher watches its
stdin, so a test run that is killed takes its database with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph import local_neo4j
from graph.audit import AuditLog
from graph.settings import LocalNeo4j, Settings
from graph.store import Store

# The tests read the dashboard's and the command line's texts in English; Dutch, the
# default, is tested on its own (tests/test_i18n.py, and a browser test).
os.environ["SCHAKEL_LANGUAGE"] = "en"

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    home = tmp_path_factory.mktemp("schakel-home")
    env = {k: v for k, v in os.environ.items() if k.startswith(("NEO4J_", "SCHAKEL_"))}
    env.setdefault("SCHAKEL_HOME", str(home))
    if env.get("NEO4J_URI"):
        yield Settings.from_env(env)
        return
    env.update({
        "SCHAKEL_NEO4J_DATA": str(home / "neo4j"),
        "SCHAKEL_NEO4J_PORT": str(local_neo4j.free_port()),
        "SCHAKEL_NEO4J_HEAP": os.environ.get("SCHAKEL_TEST_NEO4J_HEAP", "2g"),
        "SCHAKEL_NEO4J_PAGECACHE": os.environ.get("SCHAKEL_TEST_NEO4J_PAGECACHE", "1g"),
    })
    settings = Settings.from_env(env)
    with local_neo4j.serve(settings.local):
        yield settings


@pytest.fixture(scope="session")
def session_store(neo4j_settings: Settings) -> Iterator[Store]:
    with Store.connect(neo4j_settings, AuditLog.of_home(neo4j_settings.home)) as store:
        store.ensure_schema()
        yield store


@pytest.fixture
def store(session_store: Store) -> Store:
    """The session's database, emptied (schema kept) before the test."""
    session_store.reset()
    return session_store


@pytest.fixture
def local_config(tmp_path: Path) -> LocalNeo4j:
    """A second local Neo4j's configuration: its own port and data folder, small memory."""
    return LocalNeo4j(data_dir=tmp_path / "neo4j", port=local_neo4j.free_port(), heap="1g",
                      pagecache="128m")


@dataclass
class Scenario:
    store: Store
    folder: Path
    run_id: str


@pytest.fixture(scope="module")
def scenario(session_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """A small synthetic scenario, ingested and analysed once for the module's tests.

    Tests that use it read only (or clean up what they add, such as saved views)."""
    from graph.analysis.run import analyse
    from ingest.load import ingest_delivery
    from ingest.pseudonymise import DEMO_KEY, TeamKey
    from scenarios.synth import generate

    session_store.reset()
    folder = tmp_path_factory.mktemp("scenario")
    key = TeamKey("demo", DEMO_KEY)
    generate(folder, seed=7, scale=0.3, key=key)
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        report = ingest_delivery(session_store, path, key)
        assert not report.refused
    result = analyse(session_store, top=10)
    return Scenario(session_store, folder, result.run["id"])
