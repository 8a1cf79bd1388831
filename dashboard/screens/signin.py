"""Sign in: the only page a signed-out visitor sees."""

from __future__ import annotations

import streamlit as st

from dashboard import state


def render() -> None:
    signed_in = state.viewer()
    if signed_in is not None:  # signed in already: the purpose, then the overview
        st.switch_page("screens/overview.py" if signed_in.purpose else "screens/purpose.py")
    st.title("Schakel")
    st.caption("Knowledge graph for joint investigation teams. Authorised users only.")
    if st.session_state.pop("expired", False):
        st.info("Your session has expired. Please sign in again.")
    if st.session_state.pop("account_changed", False):
        st.info("An administrator has changed or removed your account, so your session has "
                "ended. Sign in again if you still may.")
    if st.query_params.get("view"):
        st.info("Sign in to open the shared view.")
    with st.form("signin"):
        name = st.text_input("User name", key="signin_name")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        user = state.users().authenticate(name, password, state.throttle())
        if user is None:
            st.error("Wrong user name or password.")
            return
        state.sign_in(user)
        st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
