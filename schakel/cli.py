"""``schakel``: the command line. It wires ``graph``, ``ingest`` and ``dashboard`` together."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from dashboard import report as report_view
from dashboard import serve
from dashboard.auth import UserError, Users
from graph import case_report, codenames, local_neo4j, retention
from graph import withdrawal as withdrawals
from graph.access import Role, command_line
from graph.analysis.evaluate import Truth, evaluate_latest
from graph.analysis.run import analyse as run_analysis
from graph.analysis.run import document
from graph.audit import AuditLog
from graph.errors import GraphError
from graph.inbox.after_analysis import Changes
from graph.inbox.standing import Standing
from graph.rekey import rekey
from graph.retention import Policy
from graph.settings import Settings
from graph.store import quiet_driver_log
from i18n import _, number
from ingest.check import check_delivery
from ingest.check import document as check_document
from ingest.load import ingest_deliveries
from ingest.pseudonymise import TeamKey, team_key
from ingest.report import write_rejects
from ingest.withdrawals import read as read_withdrawal
from scenarios import harness
from scenarios.synth import generate
from scenarios.worlds import STRESS, TESTING, TUNING, generate_world
from schakel import backup as keeping
from schakel import demo as demo_run
from schakel import inbox, wiring
from schakel import output as show
from schakel.digest import send_digests
from schakel.output import Bar
from schakel.wiring import user_errors

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
app.add_typer(inbox.signals_app, name="signals")
app.add_typer(inbox.watch_app, name="watch")
app.add_typer(inbox.rules_app, name="rules")
key_app = typer.Typer(help="The team's pseudonymisation key.", no_args_is_help=True)
app.add_typer(key_app, name="key")

out, err = show.out, show.err

_settings, _store = wiring.settings, wiring.store


# -- schakel neo4j ----------------------------------------------------------------


@neo4j_app.command("start")
@user_errors
def neo4j_start() -> None:
    """Build (once) and start the local Neo4j in the background; print its Bolt URI."""
    settings = _settings()
    if not settings.uses_local_neo4j:
        err.print(_("NEO4J_URI is set ({uri}): Schakel uses that server and starts none.").format(
            uri=settings.uri))
        raise typer.Exit(1)
    if not local_neo4j.is_built():
        err.print(_("Building the local Neo4j launcher (Maven fetches the jars once)…"))
    running, _was_running = local_neo4j.start(settings.local)
    out.print(_("Neo4j {version} runs at [bold]{uri}[/] (pid {pid}); data in {folder}").format(
        version=running.version, uri=running.uri, pid=running.pid,
        folder=settings.local.data_dir))


@neo4j_app.command("stop")
@user_errors
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly."""
    settings = _settings()
    pid = local_neo4j.stop(settings.local)
    if pid is None:
        out.print(_("The local Neo4j for {folder} was not running.").format(
            folder=settings.local.data_dir))
    else:
        out.print(_("Stopped the local Neo4j (pid {pid}).").format(pid=pid))


@neo4j_app.command("status")
@user_errors
def neo4j_status() -> None:
    """Say whether Neo4j runs, where, and which version (exit 3 if it does not run)."""
    settings = _settings()
    if settings.uses_local_neo4j:
        info = local_neo4j.running(settings.local)
        if info is None:
            out.print(_("The local Neo4j is not running (data folder {folder}).").format(
                folder=settings.local.data_dir))
            raise typer.Exit(3)
        where = f"local, pid {info['pid']}"
    else:
        where = "NEO4J_URI"
    try:
        with _store(settings) as store:
            server = store.server_info()
    except GraphError as exc:
        out.print(_("Neo4j ({where}) does not answer at {uri}: {why}").format(
            where=where, uri=settings.uri, why=exc))
        raise typer.Exit(3) from None
    out.print(_("{server} {version} ({edition}) runs at {uri} ({where}).").format(
        server=server.name, version=server.version, edition=server.edition, uri=settings.uri,
        where=where))


@neo4j_app.command("build")
@user_errors
def neo4j_build() -> None:
    """Compile the launcher and fetch the Neo4j jars through Maven (start does this too)."""
    target = local_neo4j.build()
    out.print(_("Launcher ready in {folder}.").format(folder=target))


# -- schakel db -------------------------------------------------------------------


@db_app.command("init")
@user_errors
def db_init() -> None:
    """Create the schema's constraints and indexes (safe to repeat)."""
    with _store(_settings()) as store:
        store.ensure_schema()
        out.print(_("Schema ready: {constraints} constraints, {indexes} indexes.").format(
            constraints=len(store.constraints()), indexes=len(store.indexes())))


@db_app.command("reset")
@user_errors
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Really delete everything.")] = False,
) -> None:
    """Delete every node and relationship of the database (refuses without --yes)."""
    settings = _settings()
    if not yes:
        err.print(_("This deletes all data in database {name!r} at {uri}. Run again with "
                    "--yes to do it.").format(name=settings.neo4j_database, uri=settings.uri))
        raise typer.Exit(1)
    with _store(settings) as store:
        store.reset()
    out.print(_("Database {name!r} at {uri} is empty.").format(name=settings.neo4j_database,
                                                                uri=settings.uri))


@db_app.command("counts")
@user_errors
def db_counts() -> None:
    """Nodes per label and relationships per type."""
    with _store(_settings()) as store:
        show.counts(store.count_nodes(), store.count_relationships())


# -- schakel ingest -------------------------------------------------------------------


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
        err.print(_("[yellow]Using the public demo key: fit for synthetic data only.[/]"))
    with _store(settings) as store:
        with show.bar() as progress:
            ingested = ingest_deliveries(store, paths, key, lambda: Bar(progress),
                                         standing=Standing(team=settings.team))
        sent = send_digests(settings, store)
    show.reports(ingested.reports)
    show.digests(sent)
    if rejects is not None:
        count = write_rejects(rejects, ingested.reports)
        err.print(_("{n} rejects written to {file}").format(n=count, file=rejects))
    if ingested.stopped is not None:
        raise ingested.stopped
    raise typer.Exit(ingested.status)


@app.command("check")
@user_errors
def check(
    paths: Annotated[list[Path], typer.Argument(help="Delivery folders or .zip files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the dry run as JSON.")] = False,
    rejects: Annotated[Path | None, typer.Option(
        "--rejects", help="Write every rejected row as CSV (delivery, file, line, column, "
        "reason).")] = None,
) -> None:
    """Check deliveries as ingest would load them, and store nothing (a dry run).

    Per file: rows read, rows that would load, rows rejected (with file, line, column and
    reason), and how many places, persons, incidents and signals are new to the graph or
    already known. Exit 0: every row would load; 1: some rows would be rejected; 2: a
    delivery would be refused whole, or Neo4j did not answer.
    """
    settings = _settings()
    key = team_key(settings)
    with _store(settings) as store:
        checked = [check_delivery(store, path, key) for path in paths]
    if as_json:
        out.print_json(json.dumps([check_document(c) for c in checked]))
    else:
        show.checks(checked)
    if rejects is not None:
        count = write_rejects(rejects, checked)
        err.print(_("{n} rejects written to {file}").format(n=count, file=rejects))
    raise typer.Exit(max((c.status for c in checked), default=0))


@app.command("report")
@user_errors
def report(
    finding: Annotated[str, typer.Argument(help="The finding's ref (analyse --json, or the "
                                           "Candidates page).")],
    out_file: Annotated[Path, typer.Option("--out", help="The file to write: .pdf or .html.")],
    case: Annotated[str, typer.Option(help="Case or request number: printed on the report "
                                      "and logged.")],
    reason: Annotated[str, typer.Option(help="Why, for the report and the audit log.")] =
        "case report",
) -> None:
    """A case report on a finding, for a prosecutor or a care partner: HTML or PDF.

    The hits and counter-evidence as sentences, the evidence with its provenance, the
    timeline, the structure as a picture, the case number and who made it when; a lead,
    not a verdict. Logged as report.make.
    """
    suffix = out_file.suffix.lower()
    if suffix not in (".pdf", ".html"):
        raise typer.BadParameter(f"{out_file}: write a .pdf or an .html file")
    if not case.strip() or case.strip() == "-":
        raise typer.BadParameter("a report is made for a case: give its number with --case")
    settings = _settings()
    with _store(settings) as store:
        made = case_report.read(store, command_line(case, reason), finding)
    out_file.write_bytes(report_view.to_pdf(made) if suffix == ".pdf"
                         else report_view.to_html(made).encode("utf-8"))
    out.print(_("Report on {finding} written to {file}.").format(finding=finding,
                                                                 file=out_file))


@key_app.command("rotate")
@user_errors
def key_rotate(
    new_key_file: Annotated[Path, typer.Option(help="The new key: a file of 16 random bytes "
                                               "or more, kept apart like the current one.")],
    new_key_id: Annotated[str, typer.Option(help="The new key's id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Rewrite the graph now.")] = False,
) -> None:
    """Rotate the team key, keeping the links between old and new pseudonyms.

    Every pseudonym of the graph becomes HMAC(new key, old pseudonym); afterwards raw
    identifiers are pseudonymised through both keys, and deliveries of partners that still
    pseudonymise with the old key are re-keyed as they load. Make a backup first.
    """
    settings = _settings()
    current = team_key(settings)
    if current.previous is not None:
        raise UserError(_("The key was rotated before and SCHAKEL_KEY_PREVIOUS_FILE is set: "
                          "chain one rotation at a time (see docs/deployment.md)."))
    try:
        secret = new_key_file.read_bytes().strip()
    except OSError as exc:
        raise typer.BadParameter(f"{new_key_file}: {exc.strerror}") from None
    new = TeamKey(new_key_id, secret, previous=current)
    if len(secret) < 16 or secret == current.secret or new_key_id == current.key_id:
        raise typer.BadParameter(_("the new key must be 16 bytes or more, and differ from the "
                                   "current key and id"))
    if not yes:
        raise UserError(_("Rotating rewrites every pseudonym of the graph: make a backup "
                          "(`schakel backup`), then run this again with --yes."))
    with _store(settings) as store:
        done = rekey(store, new.rekey)
        store.audit.record(command_line("-", "key rotation"), "key.rotate", {
            "from": current.key_id, "to": new_key_id, "pseudonyms": done.pseudonyms},
            records=0)
    out.print(_("Rewrote {n} pseudonyms ({nodes} nodes, {rels} relationships) under key "
                "{id}. From now on run Schakel with:").format(
        n=number(done.pseudonyms), nodes=number(done.nodes),
        rels=number(done.relationships), id=new_key_id), highlight=False)
    old_file = settings.key_file or "<a file holding the current key>"
    out.print(f"  SCHAKEL_KEY_FILE={new_key_file} SCHAKEL_KEY_ID={new_key_id}\n"
              f"  SCHAKEL_KEY_PREVIOUS_FILE={old_file} SCHAKEL_KEY_PREVIOUS_ID={current.key_id}",
              highlight=False, markup=False)


@app.command("withdraw")
@user_errors
def withdraw(
    manifest: Annotated[Path, typer.Argument(help="A withdrawal manifest (JSON; "
                                             "docs/exchange-format-withdrawal.md).")],
    dry_run: Annotated[bool, typer.Option(help="Count what it would take; change "
                                          "nothing.")] = False,
    case: Annotated[str, typer.Option(help="Case or request number, for the audit log.")] = "-",
) -> None:
    """Take back a partner's deliveries or single records of its own.

    What rests only on them leaves the graph; findings and structures that used them are
    marked out of date with the reason (the next `analyse` ranks what remains); signals
    and saved views resting on them are marked; earlier exports that held a person
    concerned are listed. Exit 0: done; 1: some records named were not the partner's;
    2: refused (nothing changed).
    """
    settings = _settings()
    withdrawal = read_withdrawal(manifest, team_key(settings))
    with _store(settings) as store:
        report = withdrawals.apply(store, command_line(case, withdrawal.reason), withdrawal,
                                   dry_run=dry_run)
    show.withdrawn(report, withdrawal.partner)
    raise typer.Exit(1 if report.missing else 0)


def _passphrase(file: Path | None, *, ask: bool, twice: bool) -> str | None:
    """The passphrase from ``file`` (its first line), or asked for at the terminal."""
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise typer.BadParameter(f"{file}: {exc.strerror}") from None
        if not text or not text[0].strip():
            raise typer.BadParameter(f"{file} holds no passphrase on its first line")
        return text[0].strip()
    if not ask:
        return None
    return str(typer.prompt(_("Passphrase"), hide_input=True, confirmation_prompt=twice))


@app.command("backup")
@user_errors
def backup(
    path: Annotated[Path, typer.Argument(help="The archive to write (it must not exist).")],
    encrypt: Annotated[bool, typer.Option(help="Encrypt with a passphrase (asked for, "
                                          "twice; or --passphrase-file).")] = False,
    passphrase_file: Annotated[Path | None, typer.Option(
        help="Encrypt with the passphrase on this file's first line.")] = None,
    case: Annotated[str, typer.Option(help="Case or request number, for the audit log.")] = "-",
    reason: Annotated[str, typer.Option(help="Why, for the audit log.")] = "backup",
) -> None:
    """Write the graph, users, saved views, signals and the audit chain to one archive.

    Not in it: the team key (keep it apart) and Neo4j's own files. Owner-only; optionally
    encrypted (an age file: `age -d` opens it too). Restore with `schakel restore`.
    """
    settings = _settings()
    secret = _passphrase(passphrase_file, ask=encrypt, twice=True)
    with _store(settings) as store:
        made = keeping.make(store, settings, command_line(case, reason), path,
                            passphrase=secret)
    show.backup_made(made)


@app.command("restore")
@user_errors
def restore(
    path: Annotated[Path, typer.Argument(help="An archive of `schakel backup`.")],
    passphrase_file: Annotated[Path | None, typer.Option(
        help="The passphrase of an encrypted archive, on this file's first line.")] = None,
    case: Annotated[str, typer.Option(help="Case or request number, for the audit log.")] = "-",
    reason: Annotated[str, typer.Option(help="Why, for the audit log.")] = "restore",
) -> None:
    """Restore a backup into this empty installation (an empty database and SCHAKEL_HOME).

    Every file is checked against its digest, then the counts and the audit chain;
    the restore is the chain's next entry. Exit 2 if it cannot be done, with the reason.
    """
    settings = _settings()
    secret = _passphrase(passphrase_file, ask=path.is_file() and keeping.is_encrypted(path),
                         twice=False)
    with _store(settings) as store:
        restored = keeping.restore(store, settings, command_line(case, reason), path,
                                   passphrase=secret)
    show.backup_restored(restored)


# -- schakel synth ---------------------------------------------------------------------


@app.command("synth")
@user_errors
def synth(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the deliveries and truth.json")],
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 1,
    scale: Annotated[float, typer.Option(min=0.01, help="1: a few thousand persons; "
                                         "100: about a million rows.")] = 1.0,
    world: Annotated[bool, typer.Option(
        "--world", help="Write the random world of --seed instead (scenarios/worlds.py: its "
        "own size, recording rates, rings and innocent adults), as `evaluate --worlds` "
        "loads it.")] = False,
    stress: Annotated[str | None, typer.Option(
        help="With --world: draw it under this stress (" + ", ".join(STRESS) + "; one "
        "condition pushed beyond the draw, see docs/analysis.md).")] = None,
) -> None:
    """Write a synthetic scenario: one delivery per partner, and truth.json (never ingest it)."""
    key = team_key(_settings())
    if stress is not None and not world:
        raise typer.BadParameter("--stress is for a random world: add --world")
    _known_stress(stress)
    if world:
        show.scenario(generate_world(out_dir, seed=seed, key=key, stress=stress), out_dir)
    else:
        show.scenario(generate(out_dir, seed=seed, scale=scale, key=key), out_dir)


def _known_stress(stress: str | None) -> None:
    if stress is not None and stress not in STRESS:
        raise typer.BadParameter(f"no stress {stress!r}: one of {', '.join(STRESS)}")


# -- schakel analyse / evaluate ------------------------------------------------------


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
    settings = _settings()
    with _store(settings) as store:
        result = run_analysis(store, top=top, viewer=command_line(case, reason),
                              changes=Changes(team=settings.team))
        sent = send_digests(settings, store)
    show.candidates(result, top)
    show.run_signals(result)
    show.digests(sent)
    if json_file is not None:
        json_file.write_text(json.dumps(document(result), indent=2, default=str) + "\n")
        out.print(_("JSON written to {file}").format(file=json_file))


@app.command("evaluate")
@user_errors
def evaluate_run(
    truth: Annotated[Path | None, typer.Option(
        "--truth", help="truth.json of the scenario the latest run analysed.")] = None,
    worlds: Annotated[int | None, typer.Option(
        "--worlds", min=1, help="Instead: load this many random worlds one by one into an "
        "empty database, and score the method on each.")] = None,
    tuning: Annotated[bool, typer.Option(
        help="With --worlds: the tuning worlds' seeds, not the test worlds'.")] = False,
    ablation: Annotated[bool, typer.Option(
        help="With --worlds: also each part of the method switched off in turn.")] = False,
    first_seed: Annotated[int | None, typer.Option(
        help="With --worlds: the first world's seed (within the test seeds, or the tuning "
             "seeds with --tuning).")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the figures as "
                                                   "JSON.")] = None,
    stress: Annotated[str | None, typer.Option(
        help="With --worlds: draw the worlds under this stress: "
        + "; ".join(f"{k}: {v}" for k, v in STRESS.items()) + ".")] = None,
) -> None:
    """Score the analysis against synthetic ground truth.

    With --truth: the latest run against its scenario, beside two baselines (degree to
    minors, betweenness) on the same graph. With --worlds N: the method over N random
    worlds it was never tuned on (scenarios/worlds.py), with the mean and the worst world;
    with --stress, those worlds with one condition pushed beyond the draw.
    """
    if (truth is None) == (worlds is None):
        raise typer.BadParameter("give either --truth FILE or --worlds N")
    if stress is not None and worlds is None:
        raise typer.BadParameter("--stress is for --worlds N")
    _known_stress(stress)
    if worlds is not None:
        settings = _settings()
        seeds = TUNING if tuning else TESTING
        first = seeds.start if first_seed is None else first_seed
        if first not in seeds or first + worlds - 1 not in seeds:
            raise typer.BadParameter(
                f"the {'tuning' if tuning else 'test'} worlds' seeds are {seeds.start}-"
                f"{seeds.stop - 1}: tuning and test worlds are kept apart")
        with _store(settings) as store:
            found = harness.evaluate_worlds(
                store, range(first, first + worlds), team_key(settings),
                variants=harness.ablation() if ablation else None,
                progress=show.world_progress, stress=stress)
        show.generalisation(found)
        if json_file is not None:
            json_file.write_text(json.dumps(found.document(), indent=2) + "\n")
        return
    assert truth is not None
    known = Truth.load(truth)
    with _store(_settings()) as store:
        evaluation = evaluate_latest(store, known)
    run_id, results = evaluation.run_id, evaluation.results
    show.evaluation(evaluation, truth)
    if json_file is not None:
        json_file.write_text(json.dumps({"run": run_id, "truth": str(truth),
                                         "results": [asdict(r) for r in results]}, indent=2)
                             + "\n")


# -- schakel demo -------------------------------------------------------------------


@app.command("demo")
@user_errors
def demo(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic scenario.")] = 1,
    scale: Annotated[float, typer.Option(min=0.01, help="Size of the scenario.")] = 1.0,
    serve_it: Annotated[bool, typer.Option("--dashboard/--no-dashboard",
                                           help="End by serving the dashboard.")] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="The dashboard's port.")] = 8501,
) -> None:
    """The main job: local Neo4j, synthetic partner deliveries, ingest, analysis, dashboard."""
    settings = _settings()
    with show.bar() as progress:
        done = demo_run.run(settings, seed=seed, scale=scale,
                            say=lambda text: out.print(text, highlight=False),
                            progress=lambda: Bar(progress))
    reports = done.ingested.reports
    refused = [r for r in reports if r.refused]
    if refused:
        show.reports(refused)
        raise typer.Exit(2)
    show.demo(done, port)
    if serve_it:
        _serve(settings, port, "127.0.0.1")


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
        err.print(_("[bold red]The audit log is not intact[/]: {n} problem(s) in {entries} "
                    "entries.").format(n=len(problems), entries=number(entries)))
        raise typer.Exit(1)
    head = log.head() or {"seq": 0, "hash": "-"}
    out.print(_("Intact: {entries} entries, each linked to the one before. Last entry {seq}, "
                "hash {hash} (note it elsewhere to detect a rewrite).").format(
        entries=number(entries), seq=head["seq"], hash=head["hash"]))


@audit_app.command("show")
@user_errors
def audit_show(
    person: Annotated[str | None, typer.Option(help="A person's ref (pseudonym).")] = None,
    person_id: Annotated[str | None, typer.Option(
        "--person-id", help="A person's raw identifier: pseudonymised with the team key "
                            "first, never stored or logged.")] = None,
    codename: Annotated[str | None, typer.Option(
        help="A person's codename (\"Blauwe Reiger 17\"): all its refs, aliases included; "
             "needs the database.")] = None,
    user: Annotated[str | None, typer.Option(help="Only this user's reads.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    case: Annotated[str, typer.Option(help="Your case or request number (logged).")] = "-",
    reason: Annotated[str, typer.Option(help="Why you look (logged).")] = "audit review",
) -> None:
    """Who looked at this child, when and why: the entries whose results held the person."""
    settings = _settings()
    log = AuditLog.of_home(settings.home)
    ref = team_key(settings).pseudonym(person_id) if person_id is not None else person
    # the refs the person had under earlier keys, as older entries name it
    aliases: list[str] = team_key(settings).pseudonyms(person_id)[1:] \
        if person_id is not None else []
    if codename is not None:
        with _store(settings) as store:
            refs = codenames.refs_of(store, codename)
        if not refs:
            raise UserError(_("No person has the codename {name!r}.").format(name=codename))
        ref, aliases = refs[0], refs[1:]
    entries, problems = log.history(command_line(case, reason), person=ref, aliases=aliases,
                                    user=user)
    if problems:
        err.print(_("[bold red]The audit log is not intact[/] ({n} problem(s): `schakel audit "
                    "verify` lists them); entries that cannot be read are left out "
                    "below.").format(n=len(problems)))
    show.audit_entries(entries[-limit:], len(entries), ref)


@retention_app.command("show")
@user_errors
def retention_show(
    today: Annotated[str | None, typer.Option(help="As if today were this date.")] = None,
) -> None:
    """Each delivery's term and when it expires."""
    settings = _settings()
    policy = Policy.from_text(settings.retention)
    day = _day(today)
    with _store(settings) as store:
        terms = retention.terms(store, policy)
    show.terms(terms, day)


@retention_app.command("apply")
@user_errors
def retention_apply(
    dry_run: Annotated[bool, typer.Option(help="Count what would go; change nothing.")] = False,
    today: Annotated[str | None, typer.Option(help="As if today were this date.")] = None,
) -> None:
    """Remove the records of deliveries past their term, and what was derived from them."""
    settings = _settings()
    policy = Policy.from_text(settings.retention)
    with _store(settings) as store:
        report = retention.apply(store, policy, today=_day(today), dry_run=dry_run,
                                 viewer=command_line("-", "retention"))
    if not report.expired:
        out.print(_("Nothing is past its term on {day}.").format(day=report.today))
        return
    show.retention_report(report, dry_run)


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
    email: Annotated[str | None, typer.Option(
        help="Where digests of new signals go (\"3 new signals in Schakel\"); none without "
             "it.")] = None,
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
                        email=email, replace=replace)
    partner = _("; partner {partner}").format(partner=user.partner) if user.partner else ""
    out.print(_("User {user} ({role}; teams {teams}{partner}) can sign in.").format(
        user=user.name, role=user.role.value, teams=", ".join(user.teams), partner=partner))


@users_app.command("list")
@user_errors
def users_list() -> None:
    """The dashboard's users (never their password hashes)."""
    show.users(_users().all())


@users_app.command("remove")
@user_errors
def users_remove(name: str) -> None:
    """Remove a dashboard user."""
    if not _users().remove(name):
        err.print(_("No user {name!r}.").format(name=name))
        raise typer.Exit(1)
    out.print(_("Removed {user}.").format(user=name))


def _serve(settings: Settings, port: int, address: str) -> None:
    serve.serve(settings, port, address, say=lambda text: out.print(text, highlight=False),
                warn=lambda text: err.print(text, highlight=False))


@app.command()
@user_errors
def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(
        help="Address to listen on; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
) -> None:
    """Serve the dashboard (Streamlit) on this machine."""
    _serve(_settings(), port, address)


def main() -> None:
    app()


@app.callback()
def _quiet_driver() -> None:
    quiet_driver_log()
