"""Audit log (admin, for the privacy officer): who read what, when and why; is it intact?"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import state
from dashboard.text import stamp
from graph.access import Capability


def render() -> None:
    viewer = state.current()
    viewer.require(Capability.AUDIT)
    log = state.store().audit
    st.title("Audit log")
    entries, problems = log.verify()
    if problems:
        st.error(f"The log is NOT intact: {len(problems)} problem(s). "
                 + "; ".join(f"line {p.line}: {p.reason}" for p in problems[:5])
                 + ". Entries that cannot be read are left out below.")
    else:
        head = log.head() or {}
        st.success(f"Intact: {entries:,} entries, each linked to the one before. Last entry "
                   f"{head.get('seq', 0)}, hash {str(head.get('hash', ''))[:16]}…")
    a, b, c, d = st.columns(4)
    person = a.text_input("Person (ref)", key="au_person").strip()
    user = b.text_input("User", key="au_user").strip()
    action = c.text_input("Action starts with", key="au_action").strip()
    since = d.date_input("From", value=None, key="au_since")
    rows = []
    for e in log.entries():
        if person and person not in e.get("persons", ()):
            continue
        if user and e["user"] != user:
            continue
        if action and not e["action"].startswith(action):
            continue
        if isinstance(since, date) and e["at"][:10] < since.isoformat():
            continue
        rows.append({"#": e["seq"], "at": stamp(e["at"]), "user": e["user"], "role": e["role"],
                     "partner": e.get("partner") or "", "case": e.get("case") or "",
                     "reason": e.get("reason") or "", "action": e["action"],
                     "records": e["records"], "persons": len(e.get("persons", ())),
                     "what": str(e.get("what", ""))[:300]})
    rows.reverse()
    # This page reads the log, which names persons: that read is logged too.
    log.record(viewer, "audit.read", {"person": person, "user": user, "action": action,
                                      "since": str(since) if since else None},
               records=len(rows), persons=[person] if person else [])
    st.caption(f"{len(rows):,} entries, newest first")
    st.dataframe(rows[:2000], hide_index=True)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
