"""How the command line shows things: the two consoles, a progress bar for ingest, and
the tables of its reports. Rendering only; the work is done by the packages."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBar
from rich.table import Table

from dashboard.auth import User
from dashboard.serve import shown_address
from graph.analysis.evaluate import Evaluation
from graph.analysis.run import Result, candidate_json
from graph.inbox.alerts import Signal, rule_name, status_name
from graph.inbox.team_rules import TeamRule
from graph.inbox.watchlist import Watch
from graph.retention import Report as RetentionReport
from graph.retention import Term
from graph.withdrawal import Report as WithdrawalReport
from graph.words import band_name
from i18n import _, ngettext, number
from ingest.check import Checked
from ingest.load import DeliveryReport, Progress
from scenarios.harness import Generalisation, WorldScore
from schakel import demo as demo_run
from schakel.backup import Made, Restored
from schakel.demo import Demo
from schakel.digest import Sent

out = Console()
err = Console(stderr=True)


class Bar(Progress):
    """Ingest's progress, one bar per file."""

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


def bar() -> RichBar:
    return RichBar(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn(), console=err, transient=True)


def _first_rejects(report: DeliveryReport) -> None:
    for r in report.rejects[:10]:
        err.print(f"  {r.file}:{r.line}: {r.column + ' ' if r.column else ''}{r.reason}",
                  highlight=False, markup=False)
    if len(report.rejects) > 10:
        err.print("  " + _("… and {n} more (write them all with --rejects)").format(
            n=len(report.rejects) - 10))


def reports(reports: list[DeliveryReport]) -> None:
    for report in reports:
        if report.refused:
            err.print(_("[bold red]refused[/] {source} — nothing of it was stored:").format(
                source=report.source), highlight=False)
            for reason in report.refused:
                err.print(f"  {reason}", highlight=False, markup=False)
            continue
        table = Table(title=_("{source} ({partner}, delivery {ref})").format(
            source=report.source, partner=report.partner, ref=report.ref),
            title_justify="left")
        table.add_column(_("file"))
        for name in (_("read"), _("loaded"), _("rejected")):
            table.add_column(name, justify="right")
        for f in report.files:
            table.add_row(f.file, str(f.read), str(f.loaded), str(f.rejected))
        table.add_row(_("all"), str(report.loaded + report.rejected), str(report.loaded),
                      str(report.rejected), style="bold")
        out.print(table)
        _first_rejects(report)
        if report.places is not None and (report.places.placed or report.places.unplaced):
            gone = report.places.unplaced
            out.print(_("Places without coordinates: {placed} placed from the gazetteer, "
                        "{unplaced} could not be placed (kept, and listed on the map "
                        "page)").format(placed=report.places.placed, unplaced=len(gone))
                      + (":" if gone else "."), highlight=False)
            for u in gone[:10]:
                err.print(f"  locations.csv: {u.ref} {u.city!r} ({u.country}): {u.reason}",
                          highlight=False, markup=False)
            if len(gone) > 10:
                err.print("  " + _("… and {n} more").format(n=len(gone) - 10))
        if report.signals is not None:
            made = report.signals
            out.print(_("Signals: {new} new, {updated} with new evidence ({seconds} s; "
                        "`schakel signals list`).").format(
                new=made.created, updated=made.updated, seconds=f"{made.seconds:.2f}"),
                highlight=False)
            for rule, why in made.failed.items():
                err.print("  " + _("[yellow]rule {rule} failed[/]: {why}").format(
                    rule=rule, why=why), highlight=False)


def checks(reports: list[Checked]) -> None:
    """Dry runs: per delivery, what would load and what is new, or why it is refused."""
    for report in reports:
        if report.refused:
            err.print(_("[bold red]refused[/] {source} — ingest would store nothing of it:")
                      .format(source=report.source), highlight=False)
            for reason in report.refused:
                err.print(f"  {reason}", highlight=False, markup=False)
            continue
        table = Table(title=_("{source} ({partner}, delivery {ref}): a dry run, nothing "
                              "stored").format(source=report.source, partner=report.partner,
                                               ref=report.ref), title_justify="left")
        table.add_column(_("file"))
        for name in (_("read"), _("would load"), _("rejected"), _("new"), _("known")):
            table.add_column(name, justify="right")

        def maybe(n: int | None) -> str:
            return "-" if n is None else number(n)

        for f in report.checks:
            table.add_row(f.file, number(f.read), number(f.loaded), number(f.rejected),
                          maybe(f.new), maybe(f.known))
        table.add_row(_("all"), number(report.loaded + report.rejected), number(report.loaded),
                      number(report.rejected), "", "", style="bold")
        out.print(table)
        before = report.loaded_before
        if before is not None:
            out.print(_("The same delivery was loaded before ({ref}, {status}, {when}): "
                        "loading it again changes nothing.").format(
                ref=before.ref, status=before.status,
                when=before.loaded_at.strftime("%Y-%m-%d %H:%M") if before.loaded_at else "?"),
                highlight=False)
        _first_rejects(report)


def withdrawn(report: WithdrawalReport, partner: str) -> None:
    """What a withdrawal took, or (dry run) would take."""
    done = _("Withdrawn") if report.applied else _("A dry run, nothing changed; it would take")
    out.print(_("{done} for {partner}: {deliveries} deliveries, {records} single records.")
              .format(done=done, partner=partner, deliveries=number(len(report.deliveries)),
                      records=number(report.records)), highlight=False)
    table = Table(title_justify="left")
    table.add_column(_("records of"))
    table.add_column(_("leave the graph"), justify="right")
    table.add_column(_("stay (other support)"), justify="right")
    for name in sorted(set(report.removed) | set(report.kept)):
        table.add_row(name, number(report.removed.get(name, 0)), number(report.kept.get(name, 0)))
    out.print(table)
    if report.applied:
        out.print(_("Marked out of date: {findings} findings, {structures} structures (the "
                    "next `schakel analyse` ranks what remains); marked withdrawn: {signals} "
                    "signals, {views} saved views.").format(
            findings=number(report.findings_out_of_date),
            structures=number(report.structures_out_of_date),
            signals=number(report.signals_marked), views=number(report.views_marked)),
            highlight=False)
    for e in report.exports:
        err.print("  " + _("exported earlier by {user} on {at} ({action}, case {case}): tell "
                           "them").format(user=e["user"], at=e["at"][:16], action=e["action"],
                                          case=e.get("case") or "-"),
                  highlight=False, markup=False)
    for name in report.missing:
        err.print("  " + _("{record}: not a record of this partner in the graph; left as it "
                           "is").format(record=name), highlight=False, markup=False)


def backup_made(made: Made) -> None:
    out.print(_("Backup written to {path}{encrypted}: {nodes} nodes, {rels} relationships, "
                "{files} files of the installation, audit chain to entry {seq}.").format(
        path=made.path, encrypted=_(" (encrypted)") if made.encrypted else "",
        nodes=number(made.counts.nodes), rels=number(made.counts.relationships),
        files=number(len(made.files)), seq=number(made.audit_entries)), highlight=False)
    out.print(_("Keep the team key apart from it: it is not in the backup."), highlight=False)


def backup_restored(restored: Restored) -> None:
    out.print(_("Restored the backup of {when}: {nodes} nodes, {rels} relationships, as "
                "counted in the backup; {files} files; the audit chain is intact ({n} "
                "entries, the restore the last).").format(
        when=restored.made_at, nodes=number(restored.counts.nodes),
        rels=number(restored.counts.relationships), files=number(len(restored.files)),
        n=number(restored.audit_entries)), highlight=False)


def _indicator_text(indicators: list[dict[str, Any]]) -> str:
    return ", ".join(f"{i['name']} {i['value']:g}" for i in indicators)


def candidates(result: Result, top: int) -> None:
    if not result.candidates:
        out.print(_("No adult has a pattern hit in this graph, so the run found nothing to "
                    "write back.") if result.graph.number_of_nodes() else
                  _("No adult has a pattern hit in this graph, so the run found nothing to "
                    "write back: the graph holds no persons yet (load deliveries with "
                    "`schakel ingest`)."))
        return
    table = Table(_("rank"), _("person"), _("score"), _("lead"), _("patterns (value)"),
                  _("minors"), _("lowered by"),
                  title=_("Run {run}: {n} adults with a pattern hit (leads for human review, "
                          "not verdicts)").format(run=result.run["id"],
                                                  n=result.run["candidates"]),
                  title_justify="left")
    for c in result.candidates[:top]:
        data = candidate_json(result.graph, c)
        who = data["person_ref"][:16]
        if data["codename"]:
            who = f"{data['codename']} ({data['person_ref'][:8]})"
        lead = band_name(c.band) + (" · " + _("parent or guardian?") if c.guardian_like else "") \
            + (" · " + _("named as a child's contact") if data["contact_of"] else "")
        table.add_row(str(c.rank), who, f"{c.score:.2f}", lead,
                      _indicator_text(data["indicators"]), str(len(c.minors)),
                      ", ".join(dict.fromkeys(k.kind for k in c.counter_evidence)) or "-")
    out.print(table)
    out.print(_("{n} structures; findings and structures written to the graph under run id "
                "{run}.").format(n=len(result.structures), run=result.run["id"]))


def evaluation(ev: Evaluation, truth: Path) -> None:
    run_id, results = ev.run_id, ev.results
    table = Table("method", "AP", "P@k", "R@2k", "decoys in top k",
                  title=f"Run {run_id} against {truth} (k = {results[0].k})",
                  title_justify="left")
    for r in results:
        decoy_text = ", ".join(f"{n} {c}" for n, c in r.decoys_in_top_k.items() if c) or "none"
        table.add_row(r.method, f"{r.average_precision:.3f}", f"{r.precision_at_k:.3f}",
                      f"{r.recall_at_2k:.3f}", decoy_text)
    out.print(table)


def audit_entries(entries: list[dict[str, Any]], total: int, ref: str | None) -> None:
    """The entries given, newest first, and how many there were in all."""
    table = Table("#", _("at (UTC)"), _("user"), _("role"), _("partner"), _("case"),
                  _("reason"), _("action"), _("records"))
    for e in reversed(entries):
        table.add_row(str(e["seq"]), e["at"][:19], e["user"], e["role"], e.get("partner") or "",
                      e.get("case") or "", e.get("reason") or "", e["action"],
                      str(e["records"]))
    out.print(table)
    out.print(_("{n} entries about {ref}").format(n=total, ref=ref) if ref
              else _("{n} entries").format(n=total))


def retention_report(report: RetentionReport, dry_run: bool) -> None:
    verb = _("would remove") if dry_run else _("removed")
    for e in report.expired:
        out.print(_("{delivery} ({partner}, extracted {extracted}, term {days} days, expired "
                    "{expired})").format(delivery=e["delivery"], partner=e["partner"],
                                         extracted=e["extracted_at"], days=e["days"],
                                         expired=e["expired_on"]))
    table = Table(_("records"), verb, _("kept (another delivery supports them)"))
    for name, n in report.removed.items():
        table.add_row(name, f"{n:,}", f"{report.kept.get(name, 0):,}")
    out.print(table)
    if not dry_run:
        out.print(_("Findings removed: {findings}; structures removed: {structures}; reviews "
                    "of persons removed: {reviews}; signals left without evidence removed: "
                    "{signals}. Run `schakel analyse` to rank what remains.").format(
            findings=report.findings_removed, structures=report.structures_removed,
            reviews=report.reviews_removed, signals=report.signals_removed))


def demo(done: Demo, port: int) -> None:
    reports = done.ingested.reports
    nodes = done.nodes
    out.print(_("Ingested {n} deliveries: {loaded} rows loaded, {rejected} rejected.").format(
        n=len(reports), loaded=sum(r.loaded for r in reports),
        rejected=sum(r.rejected for r in reports)))
    out.print(_("The graph: {persons} persons ({minors} minors), {incidents} incidents, "
                "{signals} signals, {locations} locations, {relationships} "
                "relationships.").format(
        persons=nodes["Person"], minors=nodes["Minor"], incidents=nodes["Incident"],
        signals=nodes["Signal"], locations=nodes["Location"], relationships=done.relationships))
    if done.result is not None:
        candidates(done.result, demo_run.TOP)
    out.print(_("The inbox holds {n} signals for the partners and the team (the dashboard's "
                "Inbox; `schakel signals list --team {team}`).").format(
        n=number(nodes.get("Alert", 0)), team=done.team), highlight=False)
    out.print(_("[bold green]Ready:[/] {server} {version} at {uri}. The scenario's ground truth "
                "(never ingested) is {truth}; score the run with `schakel evaluate --truth "
                "{truth}`.").format(server=done.server.name, version=done.server.version,
                                    uri=done.uri, truth=done.truth))
    out.print(_("[bold]Sign in[/] at {address} as [bold]{user}[/] with password "
                "[bold]{password}[/] (investigator, team {team}; demo data only).").format(
        address=shown_address("127.0.0.1", port), user=demo_run.USER, password=done.password,
        team=done.team), highlight=False)
    if done.local_neo4j:
        out.print(_("The local Neo4j keeps running after the demo (and after the dashboard); "
                    "stop it with `schakel neo4j stop`."), highlight=False)


def counts(nodes: dict[str, int], relationships: dict[str, int]) -> None:
    table = Table(_("kind"), _("name"), _("count"))
    for name, count in nodes.items():
        table.add_row(_("node"), name, str(count))
    for name, count in relationships.items():
        if count:
            table.add_row(_("relationship"), name, str(count))
    out.print(table)


def scenario(truth: dict[str, Any], folder: Path) -> None:
    table = Table(_("partner"), _("files"), _("rows"),
                  title=_("Scenario in {folder}").format(folder=folder), title_justify="left")
    for partner, rows in truth["rows"].items():
        table.add_row(partner, str(len(rows)), str(sum(rows.values())))
    out.print(table)
    out.print(_("{persons} persons; planted: {exploiters} exploiters, {helpers} helpers in "
                "{structures} structures; {decoys} decoys. Truth (not to be ingested): "
                "{truth}").format(persons=truth["persons"], exploiters=len(truth["exploiters"]),
                                  helpers=len(truth["helpers"]),
                                  structures=len(truth["structures"]),
                                  decoys=sum(len(v) for v in truth["decoys"].values()),
                                  truth=folder / "truth.json"))


def terms(found: list[Term], day: date) -> None:
    table = Table(_("delivery"), _("partner"), _("kind"), _("extracted"), _("term (days)"),
                  _("expires"), _("due"))
    for t in found:
        table.add_row(t.delivery, t.partner, t.kind or "", t.extracted.isoformat(), str(t.days),
                      t.expires.isoformat(), _("yes") if t.due(day) else "")
    out.print(table)


def users(found: list[User]) -> None:
    """The dashboard's users, never their password hashes."""
    table = Table(_("user"), _("role"), _("teams"), _("partner"), _("created"))
    for user in found:
        table.add_row(user.name, user.role.value, ", ".join(user.teams), user.partner or "",
                      user.created_at)
    out.print(table)


def world_progress(seed: int, score: WorldScore) -> None:
    if score.variant == "schakel":
        err.print(f"world {seed}: AP {score.average_precision:.3f}, P@k "
                  f"{score.precision_at_k:.3f}, innocent in top k {score.decoy_share:.0%}"
                  + (f", planted adults linked to no minor: {score.unreachable}"
                     if score.unreachable else ""), highlight=False)


def generalisation(found: Generalisation) -> None:
    seeds = found.seeds
    table = Table("method", "AP mean", "AP worst (seed)", "P@k mean", "innocent in top k: "
                  "mean / worst", "worst class share", "disguised R@2k",
                  "AP of the linked: mean / worst (seed)",
                  title=f"{len(seeds)} worlds, seeds {seeds[0]}-{seeds[-1]}"
                  + (f", under stress '{found.stress}'" if found.stress else ""),
                  title_justify="left")
    summaries = found.summary()
    for s in summaries:
        worst_class = max(s.worst_class_share.items(), key=lambda kv: kv[1],
                          default=("-", 0.0))
        table.add_row(s.variant, f"{s.mean_ap:.3f}", f"{s.worst_ap:.3f} ({s.worst_seed})",
                      f"{s.mean_precision_at_k:.3f}",
                      f"{s.mean_decoy_share:.1%} / {s.worst_decoy_share:.1%}",
                      f"{worst_class[0]} {worst_class[1]:.0%}", f"{s.disguised_recall_at_2k:.2f}",
                      "-" if s.reachable_mean_ap is None else
                      f"{s.reachable_mean_ap:.3f} / {s.reachable_worst_ap:.3f} "
                      f"({s.reachable_worst_seed})")
    out.print(table)
    unreachable = summaries[0].unreachable if summaries else 0
    out.print(f"Planted adults the data links to no minor (no method can rank them): "
              f"{unreachable}; 'AP of the linked' leaves them out. The targets are read on "
              f"all planted adults.", highlight=False)
    reliability = Table("score", "adults", "mean score", "planted", title="Calibration (schakel)",
                        title_justify="left")
    for row in found.reliability():
        reliability.add_row(f"{row['from']:.1f}-{row['to']:.1f}", str(row["adults"]),
                            "" if row["mean_score"] is None else f"{row['mean_score']:.2f}",
                            "" if row["planted"] is None else f"{row['planted']:.2f}")
    out.print(reliability)
    caution = found.guardian_caution()
    flagged, rest = caution["flagged"], caution["not_flagged"]
    out.print(f"Moderate and strong leads whose links are all what a parent or guardian does "
              f"too (flagged on the finding): {flagged['leads']}, of them planted "
              f"{flagged['planted']}; the others: {rest['leads']}, of them planted "
              f"{rest['planted']}.", highlight=False)
    named = found.contact_caution()
    flagged, rest = named["flagged"], named["not_flagged"]
    out.print(f"Moderate and strong leads a care partner named as a child's contact (noted on "
              f"the finding): {flagged['leads']}, of them planted {flagged['planted']}; the "
              f"others: {rest['leads']}, of them planted {rest['planted']}.", highlight=False)


def run_signals(result: Result) -> None:
    """What an analysis run told the team (or why it could not)."""
    if result.signals is not None:
        out.print(_("Signals for the team: {new} new, {updated} with new evidence.").format(
            new=result.signals.created, updated=result.signals.updated), highlight=False)
    elif result.signals_failed:
        err.print(_("[yellow]The run's signals failed[/]: {why}").format(
            why=result.signals_failed), highlight=False)


def signals(found: list[Signal]) -> None:
    if not found:
        out.print(_("No signals."))
        return
    table = Table(title=ngettext("{n} signal", "{n} signals", len(found)).format(n=len(found)),
                  title_justify="left")
    for column in ("id", _("rule"), _("updated"), _("status"), _("count"), _("to"), _("text")):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(s.id, rule_name(s.rule), s.updated_at[:16].replace("T", " "),
                      status_name(s.status),
                      str(s.count), str(s.addressee), s.text)
    out.print(table)


def signal(s: Signal) -> None:
    out.print(f"[bold]{s.id}[/] {rule_name(s.rule)} → {s.addressee} · {status_name(s.status)}"
              + (" " + _("(assigned to {user})").format(user=s.assignee) if s.assignee else "")
              + (" · " + _("closed: {reason}").format(reason=s.reason) if s.reason else ""),
              highlight=False)
    out.print(s.headline, highlight=False, markup=False)
    about = [f"{s.names[r]} ({r})" if r in s.names else r for r in s.subjects]
    out.print(_("About: {persons}").format(persons=", ".join(about) or s.subject),
              highlight=False, markup=False)
    for e in s.evidence:
        out.print(f"  - {e.sentence()}" + (f" [{e.ref}]" if e.ref else ""), highlight=False,
                  markup=False)
    for c in s.comments:
        out.print(f"  {c.at[:16]} {c.user}: {c.text}", highlight=False, markup=False)


def watches(found: list[Watch]) -> None:
    if not found:
        out.print(_("You watch nothing."))
        return
    table = Table(title=_("Watchlist"), title_justify="left")
    for column in ("id", _("what"), _("ref"), _("since")):
        table.add_column(column, overflow="fold")
    for w in found:
        table.add_row(w.id, w.target.value, w.ref, w.created_at[:10])
    out.print(table)


def rules(found: list[TeamRule]) -> None:
    if not found:
        out.print(_("No team rules."))
        return
    table = Table(title=_("Team rules"), title_justify="left")
    for column in ("id", _("name"), _("to"), _("owner"), _("last run"), _("last error"),
                   _("query")):
        table.add_column(column, overflow="fold")
    for r in found:
        table.add_row(r.id, r.name, str(r.addressee), r.owner, (r.last_run_at or "-")[:16],
                      r.last_error or "", r.query)
    out.print(table)


def digests(sent: Sent, *, quiet: bool = True) -> None:
    """What the e-mail digests did; ``quiet``: say nothing when none was configured."""
    if not sent.configured:
        if not quiet:
            err.print(_("No e-mail is sent: SCHAKEL_SMTP_HOST is not set."))
        return
    for name, count in sent.sent.items():
        out.print(ngettext("Digest sent to {user}: {n} new signal.",
                           "Digest sent to {user}: {n} new signals.", count).format(
            user=name, n=count), highlight=False)
    for name, why in sent.failed.items():
        err.print(_("[yellow]Digest to {user} not sent[/]: {why}").format(user=name, why=why),
                  highlight=False)
    if not quiet and not sent.sent and not sent.failed:
        out.print(_("No user has new signals since their last digest."))
