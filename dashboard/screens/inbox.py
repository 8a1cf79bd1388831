"""The inbox: signals for the signed-in user, their teams or (for a care partner's user)
their partner; acknowledge, assign, comment, close, and open the evidence in Explore."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import state
from dashboard.screens import explore
from dashboard.text import counted, md, person, stamp
from graph.access import Capability, Viewer
from graph.errors import GraphError
from graph.inbox import alerts, team_rules, watchlist
from graph.inbox.alerts import Rule, Signal, Status, rule_name, status_name
from i18n import _, number

SHOWN = 500  # signals listed at once


def _inboxes(viewer: Viewer) -> dict[str, str]:
    """The inboxes to choose from: label -> addressee ('' for the viewer's own)."""
    found = {_("my inbox ({addressees})").format(
        addressees=", ".join(alerts.addressees_of(viewer))): ""}
    for addressee, n, new in alerts.addressees(state.store(), viewer):
        found[_("{addressee} · {signals}, {new} new").format(
            addressee=addressee, signals=counted(n, "signal"), new=number(new))] = addressee
    return found


def _open_in_explore(signal: Signal) -> None:
    """The signal's persons and the records it rests on, one hop around them."""
    records = [e.ref for e in signal.evidence
               if e.ref and e.record in ("incident", "signal", "stay")]
    seeds = list(dict.fromkeys([*signal.subjects, *records]))
    explore.load_state({"seeds": seeds[:50], "hops": 1})
    state.go("explore")


def _act(label: str, action: Callable[[], object]) -> None:
    try:
        action()
    except GraphError as exc:
        st.error(str(exc))
    else:
        st.session_state["inbox_message"] = label
        st.rerun()


def _details(signal: Signal, viewer: Viewer) -> None:
    store = state.store()
    st.subheader(f"{rule_name(signal.rule).capitalize()} · {status_name(signal.status)}")
    st.markdown(md(signal.headline) + "  \n" + _(
        "To **{addressee}** · {records} · first {first}, latest {latest}").format(
            addressee=md(signal.addressee), records=counted(signal.count, "record"),
            first=stamp(signal.created_at), latest=stamp(signal.updated_at))
        + (" · " + _("assigned to **{user}**").format(user=md(signal.assignee))
           if signal.assignee else "")
        + (" · " + _("closed: {reason}").format(reason=md(signal.reason))
           if signal.reason else ""))
    if signal.withdrawn:  # graph/withdrawal.py
        st.warning(_("Since withdrawn: this signal {why}.").format(why=md(signal.withdrawn)),
                   icon=":material/history_toggle_off:")
    st.markdown(_("About: {persons}").format(persons=", ".join(
        md(person(r, signal.names.get(r))) for r in signal.subjects[:20])))
    st.dataframe([{_("record"): e.record_name(), _("kind"): e.kind(), _("date"): e.at or "",
                   _("city"): e.city or "", _("from"): e.partner or e.source(),
                   _("ref"): e.ref or _("(another partner's record)"), _("detail"): e.detail()}
                  for e in signal.evidence], hide_index=True, key=f"inbox_ev_{signal.id}")
    if st.button(_("Open in Explore"), key="inbox_explore", icon=":material/hub:"):
        _open_in_explore(signal)
    for c in signal.comments:
        st.caption(f"{stamp(c.at)} · {md(c.user)}")
        st.text(c.text)
    left, middle, right = st.columns(3)
    with left:
        if signal.status is Status.NEW and st.button(_("Acknowledge"), key="inbox_ack"):
            _act(_("Acknowledged."), lambda: alerts.acknowledge(store, viewer, signal.id))
        names = sorted(u.name for u in state.users().all()
                       if viewer.only_partner is None or u.partner == viewer.partner)
        who = st.selectbox(_("Assign to"), names, key="inbox_assignee",
                           index=names.index(viewer.user) if viewer.user in names else 0)
        if st.button(_("Assign"), key="inbox_assign"):
            _act(_("Assigned to {user}.").format(user=who),
                 lambda: alerts.assign(store, viewer, signal.id, who))
    with middle, st.form("inbox_comment_form", border=False, clear_on_submit=True):
        # a form: the text goes with the click that adds it, never a step behind
        text = st.text_area(_("Comment"), key="inbox_comment", max_chars=2000)
        if st.form_submit_button(_("Add comment")):
            _act(_("Comment added."), lambda: alerts.comment(store, viewer, signal.id, text))
    with right, st.form("inbox_close_form", border=False):
        reason = st.text_input(_("Reason to close"), key="inbox_reason", max_chars=500)
        if st.form_submit_button(_("Close"), disabled=signal.status is Status.CLOSED):
            _act(_("Closed."), lambda: alerts.close(store, viewer, signal.id, reason))


def _watchlist(viewer: Viewer) -> None:
    """What the user watches: add a city (persons and places: the Watch button in
    Explore's details), stop watching."""
    store = state.store()
    mine = watchlist.mine(store, viewer)
    with st.expander(_("Your watchlist ({n})").format(n=len(mine))):
        if mine:
            st.dataframe([{_("what"): w.target.value, _("ref"): w.ref,
                           _("since"): w.created_at[:10], "id": w.id} for w in mine],
                         hide_index=True, key="inbox_watches")
            gone = st.selectbox(_("Stop watching"), [w.id for w in mine], key="inbox_unwatch",
                                format_func=lambda i: next(w.describe() for w in mine
                                                           if w.id == i))
            if st.button(_("Stop watching"), key="inbox_unwatch_go"):
                _act(_("No longer watched."), lambda: watchlist.remove(store, viewer, gone))
        else:
            st.caption(_("Nothing yet. Watch a person or a place with the Watch button in "
                       "Explore's details, or a city here."))
        with st.form("inbox_watch_city", border=False, clear_on_submit=True):
            city = st.text_input(_("Watch a city"), key="inbox_city", max_chars=200)
            if st.form_submit_button(_("Watch")):
                _act(_("Watching {what}.").format(what=city),
                     lambda: watchlist.add(store, viewer, watchlist.Target.CITY, city))


def _rules(viewer: Viewer) -> None:
    """The team rules whose new rows come here (investigators save them in the console)."""
    if not viewer.can(Capability.CONSOLE):
        return
    saved = team_rules.listing(state.store(), viewer)
    with st.expander(_("Team rules ({n})").format(n=len(saved))):
        if not saved:
            st.caption(_("None yet. Save a console query as a team rule on the Cypher console "
                       "page."))
            return
        st.dataframe([{_("name"): r.name, _("to"): str(r.addressee), _("owner"): r.owner,
                       _("last run"): stamp(r.last_run_at) if r.last_run_at else "",
                       _("last error"): r.last_error or "", _("query"): r.query, "id": r.id}
                      for r in saved], hide_index=True, key="inbox_rules")
        gone = st.selectbox(_("Remove"), [r.id for r in saved], key="inbox_rule_pick",
                            format_func=lambda i: next(r.name for r in saved if r.id == i))
        if st.button(_("Remove rule"), key="inbox_rule_remove"):
            _act(_("Rule removed."), lambda: team_rules.remove(state.store(), viewer, gone))


def render() -> None:
    viewer = state.current()
    st.title(_("Inbox"))
    st.caption(_("What other partners' records and the analysis mean for your partner: one "
                 "signal per person (or structure, or rule row) and rule, with a count. New "
                 "evidence makes a signal new again.") if viewer.only_partner else
               _("What other partners' records and the analysis mean for you and your team: "
                 "one signal per person (or structure, or rule row) and rule, with a count. "
                 "New evidence makes a signal new again."))
    message = st.session_state.pop("inbox_message", None)
    if message:
        st.success(message)
    _watchlist(viewer)
    _rules(viewer)
    inboxes = _inboxes(viewer)
    left, middle, right = st.columns([3, 1, 1])
    with left:
        chosen = inboxes[st.selectbox(_("Inbox"), list(inboxes), key="inbox_which")]
    with middle:
        status = st.selectbox(_("Status"), [None, *Status], key="inbox_status",
                              format_func=lambda s: status_name(s) if s else _("all"))
    with right:
        rule = st.selectbox(_("What"), [None, *Rule], key="inbox_rule",
                            format_func=lambda r: rule_name(r) if r else _("all"))
    found = alerts.inbox(state.store(), viewer, addressees=[chosen] if chosen else None,
                         status=status, rule=rule, limit=SHOWN + 1)
    if not found:
        st.info(_("No signals here."))
        return
    if len(found) > SHOWN:
        found = found[:SHOWN]
        st.caption(_("The {n} with the latest news; choose a status or a kind to see "
                     "others.").format(n=number(SHOWN)))
    st.dataframe([{_("status"): status_name(s.status), _("what"): rule_name(s.rule),
                   _("latest"): stamp(s.updated_at), _("records"): s.count,
                   _("to"): s.addressee.name, _("signal"): s.text, "id": s.id}
                  for s in found], hide_index=True, key="inbox_table")
    by_id = {s.id: s for s in found}
    pick = st.selectbox(_("Signal"), list(by_id), key="inbox_pick",
                        format_func=lambda i: f"{status_name(by_id[i].status)} · "
                                              f"{rule_name(by_id[i].rule)} · {by_id[i].text[:90]}")
    _details(alerts.open_signal(state.store(), viewer, pick), viewer)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
