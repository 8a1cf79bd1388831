"""Sign in: the only page a signed-out visitor sees."""

from __future__ import annotations

import streamlit as st

from dashboard import language, state
from dashboard.language import language_choice
from i18n import _


def render() -> None:
    signed_in = state.viewer()
    if signed_in is not None:  # signed in already: the purpose, then the overview
        st.switch_page("screens/overview.py" if signed_in.purpose else "screens/purpose.py")
    st.title(_("Schakel"))
    st.caption(_("Knowledge graph for joint investigation teams. Authorised users only."))
    if st.session_state.pop("expired", False):
        st.info(_("Your session has expired. Please sign in again."))
    if st.session_state.pop("account_changed", False):
        st.info(_("An administrator has changed or removed your account, so your session "
                  "has ended. Sign in again if you still may."))
    if st.query_params.get("view"):
        st.info(_("Sign in to open the shared view."))
    language_choice()
    with st.form("signin"):
        name = st.text_input(_("User name"), key="signin_name")
        password = st.text_input(_("Password"), type="password", key="signin_password")
        submitted = st.form_submit_button(_("Sign in"))
    if submitted:
        user = state.users().authenticate(name, password, state.throttle())
        if user is None:
            st.error(_("Wrong user name or password."))
            return
        state.sign_in(user)
        language.signed_in(user)
        st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
