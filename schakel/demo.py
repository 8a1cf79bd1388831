"""The demo: the local Neo4j, a synthetic scenario's partner deliveries, ingest, analysis
and a dashboard user, in one go. Like the command line it knows all three parts."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.auth import Users
from graph import local_neo4j
from graph.access import Role, command_line
from graph.analysis.run import Result
from graph.analysis.run import analyse as run_analysis
from graph.audit import AuditLog
from graph.inbox.after_analysis import Changes
from graph.inbox.standing import Standing
from graph.settings import Settings
from graph.store import ServerInfo, Store
from i18n import _
from ingest.load import Ingested, ingest_deliveries
from ingest.load import Progress as LoadProgress
from ingest.pseudonymise import team_key
from scenarios.synth import generate

USER = "demo"
TOP = 10


@dataclass
class Demo:
    server: ServerInfo
    uri: str
    scenario: Path  # the folder of deliveries; its truth.json is never ingested
    ingested: Ingested
    nodes: dict[str, int]
    relationships: int
    result: Result | None  # None when a delivery was refused
    password: str  # the demo user's, new at every run (empty when a delivery was refused)
    team: str = "jit"  # the demo user's team, which the team's signals go to
    local_neo4j: bool = False  # whether it runs on the local Neo4j, which keeps running

    @property
    def truth(self) -> Path:
        return self.scenario / "truth.json"


def run(settings: Settings, *, seed: int = 1, scale: float = 1.0,
        say: Callable[[str], None] = print,
        progress: Callable[[], LoadProgress] = LoadProgress) -> Demo:
    """Start (or find) the local Neo4j, write the scenario once, load it, analyse it and
    (re)create the demo user with a fresh password. Raises what ingest raises when Neo4j
    stops answering."""
    if settings.uses_local_neo4j:
        info = local_neo4j.running(settings.local)
        if info is None:
            say(_("Starting the local Neo4j…"))
            running, _built = local_neo4j.start(settings.local)
            say(_("Neo4j {version} runs at {uri}.").format(version=running.version,
                                                          uri=running.uri))
        else:
            say(_("The local Neo4j already runs at {uri}.").format(uri=info["uri"]))
    key = team_key(settings)
    scenario = settings.home / "demo" / f"scenario-seed{seed}-scale{scale:g}"
    if not (scenario / "truth.json").is_file():
        say(_("Writing synthetic partner deliveries to {folder}…").format(folder=scenario))
        generate(scenario, seed=seed, scale=scale, key=key)
    deliveries = sorted(p for p in scenario.iterdir() if p.is_dir())
    with Store.connect(settings, AuditLog.of_home(settings.home)) as store:
        store.ensure_schema()
        server = store.server_info()
        ingested = ingest_deliveries(store, deliveries, key, progress,
                                     standing=Standing(team=settings.team))
        if ingested.stopped is not None:
            raise ingested.stopped
        nodes = store.count_nodes()
        relationships = sum(store.count_relationships().values())
        refused = any(r.refused for r in ingested.reports)
        result = None if refused else run_analysis(
            store, top=TOP, viewer=command_line("demo", "the demo's analysis"),
            changes=Changes(team=settings.team))
        nodes["Alert"] = store.count_nodes()["Alert"]  # with the run's signals
    # A fresh password for the demo user at every run: nothing to guess, nothing stored in
    # the repository. None while a delivery was refused: the demo stops there.
    password = ""
    if result is not None:
        password = secrets.token_urlsafe(12)
        Users.of_home(settings.home).add(USER, password, role=Role.INVESTIGATOR,
                                         teams=(settings.team,), replace=True)
    return Demo(server, settings.uri, scenario, ingested, nodes, relationships, result,
                password, settings.team, settings.uses_local_neo4j)
