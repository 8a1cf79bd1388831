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
from graph.inbox.alerts import Rule, Signal, Status

# Each rule as its addressee reads it.
RULES: dict[Rule, str] = {
    Rule.CROSS_PARTNER: "seen by another partner",
    Rule.MISSING_SEEN: "missing child seen",
    Rule.WATCH: "watchlist",
    Rule.NEW_CANDIDATE: "new lead in the analysis",
    Rule.SCORE_ROSE: "lead grew stronger",
    Rule.STRUCTURE_GREW: "structure gained minors",
    Rule.TEAM_RULE: "team rule",
}
STATUS: dict[Status, str] = {Status.NEW: "new", Status.ACKNOWLEDGED: "acknowledged",
                             Status.ASSIGNED: "assigned", Status.CLOSED: "closed"}
MINE = "my inbox"
SHOWN = 500  # signals listed at once


def _inboxes(viewer: Viewer) -> dict[str, str]:
    """The inboxes to choose from: label -> addressee ('' for the viewer's own)."""
    found = {f"{MINE} ({', '.join(alerts.addressees_of(viewer))})": ""}
    for addressee, n, new in alerts.addressees(state.store(), viewer):
        found[f"{addressee} · {counted(n, 'signal')}, {new} new"] = addressee
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
    st.subheader(f"{RULES[signal.rule].capitalize()} · {STATUS[signal.status]}")
    st.markdown(md(signal.headline) + f"  \nTo **{md(signal.addressee)}** · "
                f"{counted(signal.count, 'record')} · first {stamp(signal.created_at)}, "
                f"latest {stamp(signal.updated_at)}"
                + (f" · assigned to **{md(signal.assignee)}**" if signal.assignee else "")
                + (f" · closed: {md(signal.reason)}" if signal.reason else ""))
    st.markdown("About: " + ", ".join(md(person(r, signal.names.get(r)))
                                      for r in signal.subjects[:20]))
    st.dataframe([{"record": e.record, "kind": e.what, "date": e.at or "", "city": e.city or "",
                   "from": e.partner or e.source(),
                   "ref": e.ref or "(another partner's record)", "detail": e.note}
                  for e in signal.evidence], hide_index=True, key=f"inbox_ev_{signal.id}")
    if st.button("Open in Explore", key="inbox_explore", icon=":material/hub:"):
        _open_in_explore(signal)
    for c in signal.comments:
        st.caption(f"{stamp(c.at)} · {md(c.user)}")
        st.text(c.text)
    left, middle, right = st.columns(3)
    with left:
        if signal.status is Status.NEW and st.button("Acknowledge", key="inbox_ack"):
            _act("Acknowledged.", lambda: alerts.acknowledge(store, viewer, signal.id))
        names = sorted(u.name for u in state.users().all()
                       if viewer.only_partner is None or u.partner == viewer.partner)
        who = st.selectbox("Assign to", names, key="inbox_assignee",
                           index=names.index(viewer.user) if viewer.user in names else 0)
        if st.button("Assign", key="inbox_assign"):
            _act(f"Assigned to {who}.", lambda: alerts.assign(store, viewer, signal.id, who))
    with middle, st.form("inbox_comment_form", border=False, clear_on_submit=True):
        # a form: the text goes with the click that adds it, never a step behind
        text = st.text_area("Comment", key="inbox_comment", max_chars=2000)
        if st.form_submit_button("Add comment"):
            _act("Comment added.", lambda: alerts.comment(store, viewer, signal.id, text))
    with right, st.form("inbox_close_form", border=False):
        reason = st.text_input("Reason to close", key="inbox_reason", max_chars=500)
        if st.form_submit_button("Close", disabled=signal.status is Status.CLOSED):
            _act("Closed.", lambda: alerts.close(store, viewer, signal.id, reason))


def _watchlist(viewer: Viewer) -> None:
    """What the user watches: add a city (persons and places: the Watch button in
    Explore's details), stop watching."""
    store = state.store()
    mine = watchlist.mine(store, viewer)
    with st.expander(f"Your watchlist ({len(mine)})"):
        if mine:
            st.dataframe([{"what": w.target.value, "ref": w.ref, "since": w.created_at[:10],
                           "id": w.id} for w in mine], hide_index=True, key="inbox_watches")
            gone = st.selectbox("Stop watching", [w.id for w in mine], key="inbox_unwatch",
                                format_func=lambda i: next(w.describe() for w in mine
                                                           if w.id == i))
            if st.button("Stop watching", key="inbox_unwatch_go"):
                _act("No longer watched.", lambda: watchlist.remove(store, viewer, gone))
        else:
            st.caption("Nothing yet. Watch a person or a place with the Watch button in "
                       "Explore's details, or a city here.")
        with st.form("inbox_watch_city", border=False, clear_on_submit=True):
            city = st.text_input("Watch a city", key="inbox_city", max_chars=200)
            if st.form_submit_button("Watch"):
                _act(f"Watching {city}.",
                     lambda: watchlist.add(store, viewer, watchlist.Target.CITY, city))


def _rules(viewer: Viewer) -> None:
    """The team rules whose new rows come here (investigators save them in the console)."""
    if not viewer.can(Capability.CONSOLE):
        return
    saved = team_rules.listing(state.store(), viewer)
    with st.expander(f"Team rules ({len(saved)})"):
        if not saved:
            st.caption("None yet. Save a console query as a team rule on the Cypher console "
                       "page.")
            return
        st.dataframe([{"name": r.name, "to": str(r.addressee), "owner": r.owner,
                       "last run": stamp(r.last_run_at) if r.last_run_at else "",
                       "last error": r.last_error or "", "query": r.query, "id": r.id}
                      for r in saved], hide_index=True, key="inbox_rules")
        gone = st.selectbox("Remove", [r.id for r in saved], key="inbox_rule_pick",
                            format_func=lambda i: next(r.name for r in saved if r.id == i))
        if st.button("Remove rule", key="inbox_rule_remove"):
            _act("Rule removed.", lambda: team_rules.remove(state.store(), viewer, gone))


def render() -> None:
    viewer = state.current()
    st.title("Inbox")
    st.caption("What other partners' records and the analysis mean for "
               + ("your partner" if viewer.only_partner else "you and your team")
               + ": one signal per person (or structure, or rule row) and rule, with a "
                 "count. New evidence makes a signal new again.")
    message = st.session_state.pop("inbox_message", None)
    if message:
        st.success(message)
    _watchlist(viewer)
    _rules(viewer)
    inboxes = _inboxes(viewer)
    left, middle, right = st.columns([3, 1, 1])
    with left:
        chosen = inboxes[st.selectbox("Inbox", list(inboxes), key="inbox_which")]
    with middle:
        status_text = st.selectbox("Status", ["all", *STATUS.values()], key="inbox_status")
    with right:
        rule_text = st.selectbox("What", ["all", *RULES.values()], key="inbox_rule")
    status = next((s for s, t in STATUS.items() if t == status_text), None)
    rule = next((r for r, t in RULES.items() if t == rule_text), None)
    found = alerts.inbox(state.store(), viewer, addressees=[chosen] if chosen else None,
                         status=status, rule=rule, limit=SHOWN + 1)
    if not found:
        st.info("No signals here.")
        return
    if len(found) > SHOWN:
        found = found[:SHOWN]
        st.caption(f"The {SHOWN:,} with the latest news; choose a status or a kind to see "
                   "others.")
    st.dataframe([{"status": STATUS[s.status], "what": RULES[s.rule], "latest": stamp(s.updated_at),
                   "records": s.count, "to": s.addressee.name, "signal": s.text, "id": s.id}
                  for s in found], hide_index=True, key="inbox_table")
    by_id = {s.id: s for s in found}
    pick = st.selectbox("Signal", list(by_id), key="inbox_pick",
                        format_func=lambda i: f"{STATUS[by_id[i].status]} · "
                                              f"{RULES[by_id[i].rule]} · {by_id[i].text[:90]}")
    _details(alerts.open_signal(state.store(), viewer, pick), viewer)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
