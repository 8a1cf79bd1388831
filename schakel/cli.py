"""``schakel``: the command line. It wires ``graph``, ``ingest`` and ``dashboard`` together."""

from __future__ import annotations

import getpass
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBar
from rich.table import Table

import dashboard as dashboard_app
from dashboard.auth import UserError, Users
from graph import local_neo4j, retention
from graph.access import Purpose, Role, Viewer
from graph.analysis.evaluate import betweenness_baseline, degree_baseline, evaluate
from graph.analysis.projection import project
from graph.analysis.run import Result as AnalysisResult
from graph.analysis.run import analyse as run_analysis
from graph.analysis.run import candidate_json, latest_findings, structure_json
from graph.audit import AuditLog, Selection
from graph.errors import DatabaseUnavailable, GraphError
from graph.retention import Policy
from graph.settings import Settings
from graph.store import Store
from ingest.errors import IngestError
from ingest.load import DeliveryReport, Progress, ingest_delivery
from ingest.pseudonymise import TeamKey, team_key
from ingest.report import write_rejects
from scenarios.synth import generate

app = typer.Typer(
    help="Schakel: a knowledge graph for joint investigation teams on the criminal "
    "exploitation of minors.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(help="Run the local Neo4j (used when NEO4J_URI is not set).",
                        no_args_is_help=True)
db_app = typer.Typer(help="The graph's schema and contents.", no_args_is_help=True)
users_app = typer.Typer(help="Dashboard users: who may sign in, with which role and teams.",
                        no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
audit_app = typer.Typer(help="The audit log: who read which personal data, when and why.",
                        no_args_is_help=True)
retention_app = typer.Typer(help="Retention: remove what is past its partner's term.",
                            no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")

out = Console()
err = Console(stderr=True)

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


def _settings() -> Settings:
    return Settings.from_env()


# -- schakel neo4j ----------------------------------------------------------------


@neo4j_app.command("start")
@user_errors
def neo4j_start() -> None:
    """Build (once) and start the local Neo4j in the background; print its Bolt URI."""
    settings = _settings()
    if not settings.uses_local_neo4j:
        err.print(f"NEO4J_URI is set ({settings.uri}): Schakel uses that server and starts none.")
        raise typer.Exit(1)
    if not local_neo4j.is_built():
        err.print("Building the local Neo4j launcher (Maven fetches the jars once)…")
    running, _ = local_neo4j.start(settings.local)
    out.print(f"Neo4j {running.version} runs at [bold]{running.uri}[/] (pid {running.pid}); "
              f"data in {settings.local.data_dir}")


@neo4j_app.command("stop")
@user_errors
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly."""
    settings = _settings()
    pid = local_neo4j.stop(settings.local)
    if pid is None:
        out.print(f"The local Neo4j for {settings.local.data_dir} was not running.")
    else:
        out.print(f"Stopped the local Neo4j (pid {pid}).")


@neo4j_app.command("status")
@user_errors
def neo4j_status() -> None:
    """Say whether Neo4j runs, where, and which version (exit 3 if it does not run)."""
    settings = _settings()
    if settings.uses_local_neo4j:
        info = local_neo4j.running(settings.local)
        if info is None:
            out.print(f"The local Neo4j is not running (data folder {settings.local.data_dir}).")
            raise typer.Exit(3)
        where = f"local, pid {info['pid']}"
    else:
        where = "NEO4J_URI"
    try:
        with Store.connect(settings) as store:
            server = store.server_info()
    except GraphError as exc:
        out.print(f"Neo4j ({where}) does not answer at {settings.uri}: {exc}")
        raise typer.Exit(3) from None
    out.print(f"{server.name} {server.version} ({server.edition}) runs at {settings.uri} "
              f"({where}).")


@neo4j_app.command("build")
@user_errors
def neo4j_build() -> None:
    """Compile the launcher and fetch the Neo4j jars through Maven (start does this too)."""
    target = local_neo4j.build()
    out.print(f"Launcher ready in {target}.")


# -- schakel db -------------------------------------------------------------------


@db_app.command("init")
@user_errors
def db_init() -> None:
    """Create the schema's constraints and indexes (safe to repeat)."""
    with Store.connect(_settings()) as store:
        store.ensure_schema()
        out.print(f"Schema ready: {len(store.constraints())} constraints, "
                  f"{len(store.indexes())} indexes.")


@db_app.command("reset")
@user_errors
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Really delete everything.")] = False,
) -> None:
    """Delete every node and relationship of the database (refuses without --yes)."""
    settings = _settings()
    if not yes:
        err.print(f"This deletes all data in database {settings.neo4j_database!r} at "
                  f"{settings.uri}. Run again with --yes to do it.")
        raise typer.Exit(1)
    with Store.connect(settings) as store:
        store.reset()
    out.print(f"Database {settings.neo4j_database!r} at {settings.uri} is empty.")


@db_app.command("counts")
@user_errors
def db_counts() -> None:
    """Nodes per label and relationships per type."""
    with Store.connect(_settings()) as store:
        table = Table("kind", "name", "count")
        for name, count in store.count_nodes().items():
            table.add_row("node", name, str(count))
        for name, count in store.count_relationships().items():
            if count:
                table.add_row("relationship", name, str(count))
        out.print(table)


# -- schakel ingest -------------------------------------------------------------------


class _RichProgress(Progress):
    def __init__(self, bar: RichBar) -> None:
        self.bar = bar
        self.task: TaskID | None = None
        self.size = 1

    def file_started(self, delivery: str, file: str, size: int) -> None:
        self.size = max(size, 1)
        self.task = self.bar.add_task(f"{delivery} {file}", total=self.size)

    def advance(self, chars: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, chars)

    def file_done(self) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=self.size)


def _ingest(store: Store, paths: list[Path], key: TeamKey
            ) -> tuple[list[DeliveryReport], DatabaseUnavailable | None]:
    """The reports of the deliveries loaded, and why the rest were not if Neo4j stopped."""
    reports = []
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with RichBar(*columns, console=err, transient=True) as bar:
        for number, path in enumerate(paths):
            try:
                reports.append(ingest_delivery(store, path, key, _RichProgress(bar)))
            except DatabaseUnavailable as exc:
                rest = len(paths) - number - 1
                after = ""
                if rest == 1:
                    after = " The delivery after it was not started."
                elif rest > 1:
                    after = f" The {rest} deliveries after it were not started."
                return reports, DatabaseUnavailable(
                    f"{exc} Delivery {path} did not complete: load it again once Neo4j "
                    f"answers, and it completes; nothing is lost.{after}")
    return reports, None


def _print_reports(reports: list[DeliveryReport]) -> None:
    for report in reports:
        if report.refused:
            err.print(f"[bold red]refused[/] {report.source} — nothing of it was stored:",
                      highlight=False)
            for reason in report.refused:
                err.print(f"  {reason}", highlight=False, markup=False)
            continue
        table = Table(title=f"{report.source} ({report.partner}, delivery {report.ref})",
                      title_justify="left")
        table.add_column("file")
        for name in ("read", "loaded", "rejected"):
            table.add_column(name, justify="right")
        for f in report.files:
            table.add_row(f.file, str(f.read), str(f.loaded), str(f.rejected))
        table.add_row("all", str(report.loaded + report.rejected), str(report.loaded),
                      str(report.rejected), style="bold")
        out.print(table)
        for r in report.rejects[:10]:
            err.print(f"  {r.file}:{r.line}: {r.column + ' ' if r.column else ''}{r.reason}",
                      highlight=False, markup=False)
        if len(report.rejects) > 10:
            err.print(f"  … and {len(report.rejects) - 10} more (write them all with --rejects)")


@app.command("ingest")
@user_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Delivery folders or .zip files, "
                                                "loaded in this order.")],
    rejects: Annotated[Path | None, typer.Option(
        "--rejects", help="Write every rejected row as CSV (delivery, file, line, column, "
        "reason).")] = None,
) -> None:
    """Load partner deliveries (exchange format v1), in the order given.

    Exit 0: all rows loaded; 1: some rows rejected, the rest loaded; 2: a delivery
    refused whole (nothing of it stored), or Neo4j did not answer (load again: a
    delivery cut short completes).
    """
    settings = _settings()
    key = team_key(settings)
    if key.is_demo:
        err.print("[yellow]Using the public demo key: fit for synthetic data only.[/]")
    with Store.connect(settings) as store:
        reports, stopped = _ingest(store, paths, key)
    _print_reports(reports)
    if rejects is not None:
        count = write_rejects(rejects, reports)
        err.print(f"{count} rejects written to {rejects}")
    if stopped is not None:
        raise stopped
    raise typer.Exit(max((r.status for r in reports), default=0))


# -- schakel synth ---------------------------------------------------------------------


@app.command("synth")
@user_errors
def synth(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the deliveries and truth.json")],
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    scale: Annotated[float, typer.Option(min=0.01, help="1: a few thousand persons; "
                                         "100: about a million rows.")] = 1.0,
) -> None:
    """Write a synthetic scenario: one delivery per partner, and truth.json (never ingest it)."""
    key = team_key(_settings())
    truth = generate(out_dir, seed=seed, scale=scale, key=key)
    table = Table("partner", "files", "rows", title=f"Scenario in {out_dir}", title_justify="left")
    for partner, counts in truth["rows"].items():
        table.add_row(partner, str(len(counts)), str(sum(counts.values())))
    out.print(table)
    out.print(f"{truth['persons']} persons; planted: {len(truth['exploiters'])} exploiters, "
              f"{len(truth['helpers'])} helpers in {len(truth['structures'])} structures; "
              f"{sum(len(v) for v in truth['decoys'].values())} decoys. "
              f"Truth (not to be ingested): {out_dir / 'truth.json'}")


# -- schakel analyse / evaluate ------------------------------------------------------


def _indicator_text(indicators: list[dict[str, Any]]) -> str:
    return ", ".join(f"{i['name']} {i['value']:g}" for i in indicators)


def _print_candidates(result: AnalysisResult, top: int) -> None:
    if not result.candidates:
        out.print("No adult has a pattern hit in this graph, so the run found nothing to "
                  "write back" + ("" if result.graph.number_of_nodes() else
                                  ": the graph holds no persons yet (load deliveries with "
                                  "`schakel ingest`)") + ".")
        return
    table = Table("rank", "person", "score", "patterns (value)", "minors",
                  title=f"Run {result.run['id']}: {result.run['candidates']} adults with a "
                  f"pattern hit (leads for human review, not verdicts)", title_justify="left")
    for c in result.candidates[:top]:
        data = candidate_json(result.graph, c)
        table.add_row(str(c.rank), data["person_ref"][:16], f"{c.score:.2f}",
                      _indicator_text(data["indicators"]), str(len(c.minors)))
    out.print(table)
    out.print(f"{len(result.structures)} structures; findings and structures written to the "
              f"graph under run id {result.run['id']}.")


@app.command("analyse")
@user_errors
def analyse(
    top: Annotated[int, typer.Option(min=1, help="How many candidates to print and to "
                                     "build structures for.")] = 20,
    json_file: Annotated[Path | None, typer.Option(
        "--json", help="Write the run, the candidates and the structures as JSON.")] = None,
    case: Annotated[str, typer.Option(help="Case or request number, for the audit log.")] = "-",
    reason: Annotated[str, typer.Option(help="Why, for the audit log.")] =
        "analysis run from the command line",
) -> None:
    """Rank adults by pattern hits and group them with the minors around them.

    The findings are written back to the graph. Results are leads for human review, not
    verdicts.
    """
    with Store.connect(_settings()) as store:
        result = run_analysis(store, top=top, viewer=_cli_viewer(case, reason))
    _print_candidates(result, top)
    g = result.graph
    if json_file is not None:
        document = {
            "run": result.run,
            "candidates": [candidate_json(g, c) for c in result.candidates],
            "structures": [structure_json(g, s, i, result.run["id"])
                           for i, s in enumerate(result.structures, start=1)],
        }
        json_file.write_text(json.dumps(document, indent=2, default=str) + "\n")
        out.print(f"JSON written to {json_file}")


@app.command("evaluate")
@user_errors
def evaluate_run(
    truth: Annotated[Path, typer.Option("--truth", help="truth.json of the scenario")],
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the figures as "
                                                   "JSON.")] = None,
) -> None:
    """Score the latest analysis run against a synthetic scenario's truth.

    Beside it, two baselines (degree to minors, betweenness) computed on the same graph.
    """
    try:
        known = json.loads(truth.read_text())
        positives = set(known["exploiters"]) | set(known["helpers"])
        decoys = {name: set(refs) for name, refs in known["decoys"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        err.print(f"[bold red]error:[/] {truth} is not a scenario's truth.json ({exc}).")
        raise typer.Exit(2) from None
    with Store.connect(_settings()) as store:
        run_id, findings = latest_findings(store)
        if run_id is None:
            err.print("[bold red]error:[/] no analysis run in the graph: run "
                      "`schakel analyse` first.")
            raise typer.Exit(2)
        g = project(store)
    ranked = [{f["person_ref"], *(f["aliases"] or [])} for f in findings]
    results = [evaluate("schakel", ranked, positives, decoys),
               evaluate("degree to minors", degree_baseline(g), positives, decoys),
               evaluate("betweenness", betweenness_baseline(g), positives, decoys)]
    table = Table("method", "AP", "P@k", "R@2k", "decoys in top k",
                  title=f"Run {run_id} against {truth} (k = {results[0].k})",
                  title_justify="left")
    for r in results:
        decoy_text = ", ".join(f"{n} {c}" for n, c in r.decoys_in_top_k.items() if c) or "none"
        table.add_row(r.method, f"{r.average_precision:.3f}", f"{r.precision_at_k:.3f}",
                      f"{r.recall_at_2k:.3f}", decoy_text)
    out.print(table)
    if json_file is not None:
        json_file.write_text(json.dumps({"run": run_id, "truth": str(truth),
                                         "results": [asdict(r) for r in results]}, indent=2)
                             + "\n")


# -- schakel demo -------------------------------------------------------------------


DEMO_USER = "demo"
DEMO_TEAM = "jit-demo"


@app.command("demo")
@user_errors
def demo(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic scenario.")] = 1,
    scale: Annotated[float, typer.Option(min=0.01, help="Size of the scenario.")] = 1.0,
    serve: Annotated[bool, typer.Option("--dashboard/--no-dashboard",
                                        help="End by serving the dashboard.")] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="The dashboard's port.")] = 8501,
) -> None:
    """The main job: local Neo4j, synthetic partner deliveries, ingest, analysis, dashboard."""
    settings = _settings()
    if settings.uses_local_neo4j:
        info = local_neo4j.running(settings.local)
        if info is None:
            out.print("Starting the local Neo4j…")
            running, _ = local_neo4j.start(settings.local)
            out.print(f"Neo4j {running.version} runs at {running.uri}.")
        else:
            out.print(f"The local Neo4j already runs at {info['uri']}.")
    key = team_key(settings)
    scenario = settings.home / "demo" / f"scenario-seed{seed}-scale{scale:g}"
    if not (scenario / "truth.json").is_file():
        out.print(f"Writing synthetic partner deliveries to {scenario}…")
        generate(scenario, seed=seed, scale=scale, key=key)
    deliveries = sorted(p for p in scenario.iterdir() if p.is_dir())
    with Store.connect(settings) as store:
        store.ensure_schema()
        server = store.server_info()
        reports, stopped = _ingest(store, deliveries, key)
        if stopped is not None:
            raise stopped
        nodes = store.count_nodes()
        rels = sum(store.count_relationships().values())
        result = (run_analysis(store, top=10, viewer=_cli_viewer("demo", "the demo's analysis"))
                  if not any(r.refused for r in reports) else None)
    loaded = sum(r.loaded for r in reports)
    rejected = sum(r.rejected for r in reports)
    refused = [r for r in reports if r.refused]
    if refused:
        _print_reports(refused)
        raise typer.Exit(2)
    out.print(f"Ingested {len(reports)} deliveries: {loaded} rows loaded, {rejected} rejected.")
    out.print(f"The graph: {nodes['Person']} persons ({nodes['Minor']} minors), "
              f"{nodes['Incident']} incidents, {nodes['Signal']} signals, "
              f"{nodes['Location']} locations, {rels} relationships.")
    if result is not None:
        _print_candidates(result, 10)
    out.print(f"[bold green]Ready:[/] {server.name} {server.version} at {settings.uri}. "
              f"The scenario's ground truth (never ingested) is {scenario / 'truth.json'}; "
              f"score the run with `schakel evaluate --truth {scenario / 'truth.json'}`.")
    # A fresh password for the demo user at every run: nothing to guess, nothing stored in
    # the repository.
    password = secrets.token_urlsafe(12)
    Users.of_home(settings.home).add(DEMO_USER, password, role=Role.INVESTIGATOR,
                                     teams=(DEMO_TEAM,), replace=True)
    out.print(f"[bold]Sign in[/] at http://127.0.0.1:{port}/ as [bold]{DEMO_USER}[/] with "
              f"password [bold]{password}[/] (investigator, team {DEMO_TEAM}; demo data only).",
              highlight=False)
    if serve:
        _run_dashboard(settings, port, "127.0.0.1")


def _cli_viewer(case: str, reason: str) -> Viewer:
    """Who runs this command, as the audit log records it."""
    return Viewer(f"cli:{getpass.getuser()}", Role.INVESTIGATOR,
                  purpose=Purpose(case.strip() or "-", reason.strip() or "-"))


# -- schakel audit / retention ---------------------------------------------------------


@audit_app.command("verify")
@user_errors
def audit_verify() -> None:
    """Check that no entry was edited, deleted, moved or cut off; exit 1 if one was."""
    log = AuditLog.of_home(_settings().home)
    entries, problems = log.verify()
    for p in problems:
        err.print(f"{log.path}:{p.line}: {p.reason}", highlight=False)
    if problems:
        err.print(f"[bold red]The audit log is not intact[/]: {len(problems)} problem(s) in "
                  f"{entries:,} entries.")
        raise typer.Exit(1)
    head = log.head() or {"seq": 0, "hash": "-"}
    out.print(f"Intact: {entries:,} entries, each linked to the one before. Last entry "
              f"{head['seq']}, hash {head['hash']} (note it elsewhere to detect a rewrite).")


@audit_app.command("show")
@user_errors
def audit_show(
    person: Annotated[str | None, typer.Option(help="A person's ref (pseudonym).")] = None,
    person_id: Annotated[str | None, typer.Option(
        "--person-id", help="A person's raw identifier: pseudonymised with the team key "
                            "first, never stored or logged.")] = None,
    user: Annotated[str | None, typer.Option(help="Only this user's reads.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    case: Annotated[str, typer.Option(help="Your case or request number (logged).")] = "-",
    reason: Annotated[str, typer.Option(help="Why you look (logged).")] = "audit review",
) -> None:
    """Who looked at this child, when and why: the entries whose results held the person."""
    settings = _settings()
    log = AuditLog.of_home(settings.home)
    _, problems = log.verify()
    if problems:
        err.print(f"[bold red]The audit log is not intact[/] ({len(problems)} problem(s): "
                  "`schakel audit verify` lists them); entries that cannot be read are left "
                  "out below.")
    ref = person
    if person_id is not None:
        ref = team_key(settings).pseudonym(person_id)
    entries = log.select(Selection(person=ref, user=user))
    viewer = _cli_viewer(case, reason)
    log.record(viewer, "audit.show", {"person": ref, "user": user}, records=len(entries),
               persons=[ref] if ref else [])
    table = Table("#", "at (UTC)", "user", "role", "partner", "case", "reason", "action",
                  "records")
    for e in reversed(entries[-limit:]):
        table.add_row(str(e["seq"]), e["at"][:19], e["user"], e["role"], e.get("partner") or "",
                      e.get("case") or "", e.get("reason") or "", e["action"],
                      str(e["records"]))
    out.print(table)
    out.print(f"{len(entries):,} entries" + (f" about {ref}" if ref else ""))


@retention_app.command("show")
@user_errors
def retention_show(
    today: Annotated[str | None, typer.Option(help="As if today were this date.")] = None,
) -> None:
    """Each delivery's term and when it expires."""
    settings = _settings()
    policy = Policy.from_text(settings.retention)
    day = _day(today)
    with Store.connect(settings) as store:
        due_now = {e["delivery"] for e in retention.due(store, policy, day)}
        rows = store.run(retention.DELIVERIES, read_only=True)
    table = Table("delivery", "partner", "kind", "extracted", "term (days)", "expires", "due")
    for r in rows:
        days = policy.days(r["partner"], r["kind"])
        extracted = retention.extracted_on(r["extracted_at"])
        table.add_row(r["delivery"], r["partner"], r["kind"] or "", extracted.isoformat(),
                      str(days), (extracted + timedelta(days=days)).isoformat(),
                      "yes" if r["delivery"] in due_now else "")
    out.print(table)


@retention_app.command("apply")
@user_errors
def retention_apply(
    dry_run: Annotated[bool, typer.Option(help="Count what would go; change nothing.")] = False,
    today: Annotated[str | None, typer.Option(help="As if today were this date.")] = None,
) -> None:
    """Remove the records of deliveries past their term, and what was derived from them."""
    settings = _settings()
    policy = Policy.from_text(settings.retention)
    with Store.connect(settings) as store:
        report = retention.apply(store, policy, today=_day(today), dry_run=dry_run)
        if report.applied and report.expired:
            store.audit.record(_cli_viewer("-", "retention"), "retention.apply", {
                "deliveries": [e["delivery"] for e in report.expired],
                "removed": report.removed, "kept": report.kept,
                "findings_removed": report.findings_removed,
                "structures_removed": report.structures_removed,
                "reviews_removed": report.reviews_removed}, records=0)
    if not report.expired:
        out.print(f"Nothing is past its term on {report.today}.")
        return
    verb = "Would remove" if dry_run else "Removed"
    for e in report.expired:
        out.print(f"{e['delivery']} ({e['partner']}, extracted {e['extracted_at']}, term "
                  f"{e['days']} days, expired {e['expired_on']})")
    table = Table("records", verb.lower(), "kept (another delivery supports them)")
    for name, n in report.removed.items():
        table.add_row(name, f"{n:,}", f"{report.kept.get(name, 0):,}")
    out.print(table)
    if not dry_run:
        out.print(f"Findings removed: {report.findings_removed}; structures removed: "
                  f"{report.structures_removed}; reviews of persons removed: "
                  f"{report.reviews_removed}. Run `schakel analyse` to rank what remains.")


def _day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


# -- schakel users / dashboard ---------------------------------------------------------


def _users() -> Users:
    return Users.of_home(_settings().home)


@users_app.command("add")
@user_errors
def users_add(
    name: Annotated[str, typer.Argument(help="The user name (a-z, 0-9, '.', '_', '-').")],
    team: Annotated[list[str], typer.Option("--team", "-t",
                                            help="A team the user belongs to (repeatable).")],
    role: Annotated[Role, typer.Option(help="What the user may do.")] = Role.ANALYST,
    partner: Annotated[str | None, typer.Option(
        help="The organisation the user works for, as named in its deliveries (required for "
             "--role partner: such a user sees that partner's records only).")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (for scripts).")] = False,
    replace: Annotated[bool, typer.Option(help="Replace a user of that name.")] = False,
) -> None:
    """Add a dashboard user; the password is asked for without echo."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _users().add(name, password, role=role, teams=tuple(team), partner=partner,
                        replace=replace)
    out.print(f"User {user.name} ({user.role.value}; teams {', '.join(user.teams)}"
              f"{'; partner ' + user.partner if user.partner else ''}) can sign in.")


@users_app.command("list")
@user_errors
def users_list() -> None:
    """The dashboard's users (never their password hashes)."""
    table = Table("user", "role", "teams", "partner", "created")
    for user in _users().all():
        table.add_row(user.name, user.role.value, ", ".join(user.teams), user.partner or "",
                      user.created_at)
    out.print(table)


@users_app.command("remove")
@user_errors
def users_remove(name: str) -> None:
    """Remove a dashboard user."""
    if not _users().remove(name):
        err.print(f"No user {name!r}.")
        raise typer.Exit(1)
    out.print(f"Removed {name}.")


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
            "--server.enableXsrfProtection", "true", "--theme.base", "light"]


def _run_dashboard(settings: Settings, port: int, address: str) -> None:
    with Store.connect(settings):
        pass  # fail here, with the reason, rather than on the first page
    if not Users.of_home(settings.home).all():
        err.print("No dashboard users yet: add one with `schakel users add NAME --team T`.")
    app_file = Path(dashboard_app.__file__).resolve().parent / "app.py"
    env = settings.child_env()
    # Streamlit signs its cookies with this; a new one per start, never stored.
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(32)
    command = streamlit_command(app_file, port, address)
    shown = "127.0.0.1" if address == "0.0.0.0" else address  # noqa: S104  (a comparison)
    out.print(f"Dashboard: http://{shown}:{port}/ "
              "(Ctrl-C stops it)")
    sys.stdout.flush()
    # Become Streamlit rather than wait for it: a signal to this process (Ctrl-C, a
    # service manager's TERM) then reaches the server itself, and none is left behind.
    os.execve(sys.executable, command, env)  # noqa: S606  (our own argv, no shell)


@app.command()
@user_errors
def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(
        help="Address to listen on; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
) -> None:
    """Serve the dashboard (Streamlit) on this machine."""
    _run_dashboard(_settings(), port, address)


def main() -> None:
    app()


@app.callback()
def _quiet_driver() -> None:
    # The driver logs each retried transaction (a deadlock between the two ingest writers
    # is retried by design) as a warning, and a server that stopped as an error on each
    # connection it had open; neither is news for the person at the terminal, who gets
    # the error itself (see graph/store.py, Store._answering) as one clear message.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
