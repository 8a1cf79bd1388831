"""Audit log (admin, for the privacy officer): who read what, when and why; is it intact?
Entries by person, user, case, action and days; a review per user; the selection as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from dashboard import state
from dashboard.text import counted, csv_text, stamped
from graph import codenames
from graph.access import Capability
from graph.audit import AuditLog, Selection, by_user
from i18n import _, number

COLUMNS = ("#", "at", "user", "role", "partner", "case", "reason", "action", "records",
           "persons", "what")


def _selection() -> Selection:
    a, b, c = st.columns(3)
    person = a.text_input(_("Person (codename or ref)"), key="au_person",
                          placeholder=_("Blauwe Reiger 17")).strip()
    refs = codenames.refs_of(state.store(), person) if person else []
    if refs:
        a.caption(_("{person}: {refs} (aliases included)").format(
            person=person, refs=counted(len(refs), "ref")))
    user = b.text_input(_("User"), key="au_user").strip()
    case = c.text_input(_("Case or request number"), key="au_case").strip()
    d, e, f = st.columns(3)
    action = d.text_input(_("Action starts with"), key="au_action",
                          placeholder=_("explore., export., console.")).strip()
    since = e.date_input(_("From (UTC day)"), value=None, key="au_since")
    until = f.date_input(_("Until (UTC day)"), value=None, key="au_until")
    return Selection(person=refs[0] if refs else person or None, aliases=tuple(refs[1:]),
                     user=user or None, case=case or None,
                     action=action or None,
                     since=since if isinstance(since, date) else None,
                     until=until if isinstance(until, date) else None)


def _row(e: dict[str, Any]) -> dict[str, Any]:
    return {"#": e["seq"], "at": e["at"], "user": e["user"], "role": e["role"],
            "partner": e.get("partner") or "", "case": e.get("case") or "",
            "reason": e.get("reason") or "", "action": e["action"], "records": e["records"],
            "persons": len(e.get("persons", ())), "what": str(e.get("what", ""))}


def _exported(log: AuditLog, selection: Selection, rows: int) -> None:
    log.record(state.current(), "audit.export", selection.logged(), records=rows,
               persons=[selection.person, *selection.aliases] if selection.person else [])


def render() -> None:
    viewer = state.current()
    viewer.require(Capability.AUDIT)
    log = state.store().audit
    st.title(_("Audit log"))
    entries, problems = log.verify()
    if problems:
        st.error(_("The log is NOT intact: {n} problem(s). {problems}. Entries that cannot be "
                   "read are left out below.").format(
            n=number(len(problems)),
            problems="; ".join(_("line {line}: {reason}").format(line=p.line, reason=p.reason)
                               for p in problems[:5])))
    else:
        head = log.head() or {}
        st.success(_("Intact: {n} entries, each linked to the one before. Last entry {seq}, "
                     "hash {hash}…").format(n=number(entries), seq=head.get("seq", 0),
                                            hash=str(head.get("hash", ""))[:16]))
    selection = _selection()
    chosen = log.select(selection)
    # This page reads the log, which names persons: that read is logged too.
    log.record(viewer, "audit.read", selection.logged(), records=len(chosen),
               persons=[selection.person, *selection.aliases] if selection.person else [])
    entries_tab, users_tab = st.tabs([_("Entries"), _("By user")])
    with entries_tab:
        rows = [_row(e) for e in reversed(chosen)]
        st.caption(_("{entries}, newest first").format(entries=counted(len(rows), "entry"))
                   + (" " + _("(the newest 2,000 shown; the CSV has them all)")
                      if len(rows) > 2000 else ""))
        st.dataframe(stamped([{**r, "what": r["what"][:300]} for r in rows[:2000]], "at"),
                     hide_index=True)
        st.download_button(_("These entries as CSV"), csv_text(rows, COLUMNS),
                           "schakel-audit.csv", "text/csv", key="au_csv",
                           on_click=_exported, args=(log, selection, len(rows)))
    with users_tab:
        st.caption(_("Per user, within the selection: the users who read the most persons "
                   "first. Exports are files taken out of the dashboard; refused are console "
                   "queries the server turned down."))
        st.dataframe(stamped(by_user(chosen), "first", "last"), hide_index=True,
                     column_order=("user", "role", "entries", "persons", "cases", "exports",
                                   "refused", "first", "last"))


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
