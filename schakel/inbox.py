"""``schakel signals``, ``schakel watch`` and ``schakel rules``: the inbox from the command line.

Without ``--user`` a command acts as whoever runs it (an investigator of the team
``SCHAKEL_TEAM``, as the audit log records them); with ``--user NAME`` it acts as that
dashboard user, with their role, teams and partner: a care partner's user sees only its
partner's signals here as in the dashboard.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import replace
from typing import Annotated

import typer

from dashboard.auth import UserError, Users
from graph.access import Purpose, Viewer, command_line
from graph.inbox import alerts, team_rules, watchlist
from graph.inbox.alerts import Rule, Status
from graph.settings import Settings
from i18n import _
from schakel import output as show
from schakel.digest import send_digests
from schakel.wiring import settings as read_settings
from schakel.wiring import store as open_store
from schakel.wiring import user_errors

signals_app = typer.Typer(help="Signals: what deliveries and analysis runs mean for each "
                          "partner, team and user.", no_args_is_help=True)
watch_app = typer.Typer(help="Your watchlist: persons, structures, places and cities whose "
                        "new evidence comes to your inbox.", no_args_is_help=True)
rules_app = typer.Typer(help="Team rules: read-only Cypher queries run after every delivery; "
                        "their new rows become signals.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option(
    "--user", help="Act as this dashboard user (their role, teams and partner).")]
Case = Annotated[str, typer.Option(help="Case or request number, for the audit log.")]
Reason = Annotated[str, typer.Option(help="Why, for the audit log.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _viewer(settings: Settings, user: str | None, case: str, reason: str) -> Viewer:
    viewer = command_line(case, reason)
    if user is None:
        return replace(viewer, teams=(settings.team,))
    found = Users.of_home(settings.home).get(user)
    if found is None:
        raise UserError(f"no dashboard user {user!r} (schakel users list)")
    by = f"{reason} (command line, run by {getpass.getuser()})"
    return found.viewer().with_purpose(Purpose(case.strip() or "-", by))


# -- schakel signals --------------------------------------------------------------------


@signals_app.command("list")
@user_errors
def signals_list(
    partner: Annotated[str | None, typer.Option(help="The signals of this partner.")] = None,
    team: Annotated[str | None, typer.Option(help="The signals of this team.")] = None,
    user: AsUser = None,
    status: Annotated[Status | None, typer.Option(help="Only signals with this status.")] = None,
    rule: Annotated[Rule | None, typer.Option(help="Only signals of this rule.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    as_json: AsJson = False,
    case: Case = "-",
    reason: Reason = "reading signals",
) -> None:
    """Signals, newest first: a partner's or a team's, or (by default) your own inbox."""
    settings = read_settings()
    viewer = _viewer(settings, user, case, reason)
    chosen = [f"partner:{partner}"] if partner else []
    chosen += [f"team:{team}"] if team else []
    if viewer.only_partner is not None and partner and partner != viewer.only_partner:
        raise UserError(f"user {viewer.user!r} works for {viewer.partner!r} and may not read "
                        f"the signals of {partner!r}")
    with open_store(settings) as store:
        found = alerts.inbox(store, viewer, addressees=chosen or None, status=status,
                             rule=rule, limit=limit)
    if as_json:
        show.out.print_json(json.dumps([s.as_json() for s in found]))
    else:
        show.signals(found)


def _one(action: str, signal_id: str, user: str | None, case: str, reason: str,
         extra: str = "") -> None:
    settings = read_settings()
    viewer = _viewer(settings, user, case, reason)
    with open_store(settings) as store:
        if action == "show":
            signal = alerts.open_signal(store, viewer, signal_id)
        elif action == "ack":
            signal = alerts.acknowledge(store, viewer, signal_id)
        elif action == "assign":
            signal = alerts.assign(store, viewer, signal_id, extra)
        elif action == "comment":
            signal = alerts.comment(store, viewer, signal_id, extra)
        else:
            signal = alerts.close(store, viewer, signal_id, extra)
    show.signal(signal)


@signals_app.command("show")
@user_errors
def signals_show(signal_id: str, user: AsUser = None, as_json: AsJson = False,
                 case: Case = "-", reason: Reason = "reading a signal") -> None:
    """One signal with all its evidence."""
    if as_json:
        settings = read_settings()
        with open_store(settings) as store:
            found = alerts.open_signal(store, _viewer(settings, user, case, reason), signal_id)
        show.out.print_json(json.dumps(found.as_json()))
        return
    _one("show", signal_id, user, case, reason)


@signals_app.command("ack")
@user_errors
def signals_ack(signal_id: str, user: AsUser = None, case: Case = "-",
                reason: Reason = "acknowledging a signal") -> None:
    """Acknowledge a signal: seen, and no longer counted as new."""
    _one("ack", signal_id, user, case, reason)


@signals_app.command("assign")
@user_errors
def signals_assign(signal_id: str,
                   to: Annotated[str, typer.Option("--to", help="The user who follows it up.")],
                   user: AsUser = None, case: Case = "-",
                   reason: Reason = "assigning a signal") -> None:
    """Assign a signal to a user."""
    _one("assign", signal_id, user, case, reason, to)


@signals_app.command("comment")
@user_errors
def signals_comment(signal_id: str,
                    text: Annotated[str, typer.Option("--text", help="The comment.")],
                    user: AsUser = None, case: Case = "-",
                    reason: Reason = "commenting on a signal") -> None:
    """Add a comment to a signal."""
    _one("comment", signal_id, user, case, reason, text)


@signals_app.command("close")
@user_errors
def signals_close(signal_id: str,
                  why: Annotated[str, typer.Option("--reason", help="Why it is closed.")],
                  user: AsUser = None, case: Case = "-") -> None:
    """Close a signal with a reason; new evidence opens it again."""
    _one("close", signal_id, user, case, "closing a signal", why)


@signals_app.command("mail")
@user_errors
def signals_mail() -> None:
    """Send each user with an e-mail address a digest of their new signals now (ingest and
    analyse do this too). Needs SCHAKEL_SMTP_HOST."""
    settings = read_settings()
    with open_store(settings) as store:
        sent = send_digests(settings, store)
    show.digests(sent, quiet=False)
    if sent.failed:
        raise typer.Exit(1)


# -- schakel watch ----------------------------------------------------------------------


@watch_app.command("add")
@user_errors
def watch_add(
    target: Annotated[watchlist.Target, typer.Argument(help="What to watch.")],
    ref: Annotated[str, typer.Argument(help="Its ref (a city: its name).")],
    user: AsUser = None, case: Case = "-", reason: Reason = "watching",
) -> None:
    """Watch a person (and its aliases), a structure, a place or a city."""
    settings = read_settings()
    with open_store(settings) as store:
        found = watchlist.add(store, _viewer(settings, user, case, reason), target, ref)
    show.out.print(_("Watching {what} as {id}.").format(what=found.describe(), id=found.id),
                   highlight=False)


@watch_app.command("list")
@user_errors
def watch_list(user: AsUser = None, as_json: AsJson = False, case: Case = "-",
               reason: Reason = "watchlist") -> None:
    """What you watch."""
    settings = read_settings()
    with open_store(settings) as store:
        found = watchlist.mine(store, _viewer(settings, user, case, reason))
    if as_json:
        show.out.print_json(json.dumps([w.__dict__ for w in found], default=str))
    else:
        show.watches(found)


@watch_app.command("remove")
@user_errors
def watch_remove(watch_id: str, user: AsUser = None, case: Case = "-",
                 reason: Reason = "watchlist") -> None:
    """Stop watching."""
    settings = read_settings()
    with open_store(settings) as store:
        watchlist.remove(store, _viewer(settings, user, case, reason), watch_id)
    show.out.print(_("Removed {id}.").format(id=watch_id), highlight=False)


# -- schakel rules ----------------------------------------------------------------------


@rules_app.command("add")
@user_errors
def rules_add(
    name: Annotated[str, typer.Argument(help="What the rule looks for, in a few words.")],
    query: Annotated[str, typer.Option("--query", help="A read-only Cypher query.")],
    team: Annotated[str | None, typer.Option(
        help="The team its signals go to (one of yours); without it, to you.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds it may run.")] = 10.0,
    rows: Annotated[int, typer.Option(help="At most this many rows a run.")] = 100,
    user: AsUser = None, case: Case = "-", reason: Reason = "a team rule",
) -> None:
    """Save a team rule: checked read-only and run once now; its later new rows signal."""
    settings = read_settings()
    with open_store(settings) as store:
        rule = team_rules.add(store, _viewer(settings, user, case, reason), name=name,
                              query=query, team=team, timeout_s=timeout, row_cap=rows)
    show.out.print(_("Rule {id} saved; its {n} present rows are its baseline; new rows go to "
                     "{addressee}.").format(id=rule.id, n=len(rule.seen),
                                            addressee=rule.addressee), highlight=False)


@rules_app.command("list")
@user_errors
def rules_list(user: AsUser = None, as_json: AsJson = False, case: Case = "-",
               reason: Reason = "team rules") -> None:
    """The team rules, with when each last ran and why it last failed."""
    settings = read_settings()
    with open_store(settings) as store:
        found = team_rules.listing(store, _viewer(settings, user, case, reason))
    if as_json:
        show.out.print_json(json.dumps([r.as_json() for r in found]))
    else:
        show.rules(found)


@rules_app.command("remove")
@user_errors
def rules_remove(rule_id: str, user: AsUser = None, case: Case = "-",
                 reason: Reason = "team rules") -> None:
    """Remove a team rule (its owner, or an investigator of the team it signals)."""
    settings = read_settings()
    with open_store(settings) as store:
        team_rules.remove(store, _viewer(settings, user, case, reason), rule_id)
    show.out.print(_("Removed {id}.").format(id=rule_id), highlight=False)
