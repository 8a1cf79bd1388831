"""Purpose: before any personal data, the user states why this session reads it."""

from __future__ import annotations

import re

import streamlit as st

from dashboard import state
from graph.access import Purpose
from i18n import _

CASE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_#-]{1,63}$")


def render() -> None:
    if state.current(needs_purpose=False).purpose is not None:
        st.switch_page("screens/overview.py")
    st.title(_("Purpose of this session"))
    st.caption(_("The law (LED art. 25, Wpg) requires that every consultation of these "
                 "records is logged with who, when and why. State the case or request and "
                 "the reason; every read from now on is logged with it."))
    with st.form("purpose"):
        case = st.text_input(_("Case or request number"), key="purpose_case",
                             placeholder=_("e.g. JIT-2026-014 or request 2026/331"))
        reason = st.text_area(_("Reason"), key="purpose_reason",
                              placeholder=_("e.g. prepare the case meeting on the Utrecht ring"))
        submitted = st.form_submit_button(_("Continue"))
    if not submitted:
        return
    case, reason = case.strip(), " ".join(reason.split())
    if not CASE.match(case):
        st.error(_("A case or request number: 2 to 64 letters, digits, spaces or . / _ # -"))
        return
    if len(reason) < 10 or len(reason) > 500:
        st.error(_("A reason of 10 to 500 characters, please."))
        return
    state.state_purpose(Purpose(case, reason))
    st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
