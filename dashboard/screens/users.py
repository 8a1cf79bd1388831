"""Users (admin): who may sign in, with which role and teams; add and remove them."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.auth import UserError
from dashboard.text import md, stamp
from graph.access import Capability, Role


def _done(message: str) -> None:
    """Draw the page again, the table with the change, and say what was done."""
    st.session_state["users_done"] = message
    st.rerun()


def _add() -> None:
    users = state.users()
    with st.expander("Add a user"), st.form("add_user", clear_on_submit=True):
        name = st.text_input("Name")
        role = st.selectbox("Role", list(Role), format_func=lambda r: Role(r).value)
        teams = st.text_input("Teams (comma-separated)")
        partner = st.text_input("Partner (the organisation; required for role partner)")
        password = st.text_input("Initial password", type="password")
        if st.form_submit_button("Add"):
            try:
                users.add(name.strip(), password, role=Role(role or Role.ANALYST),
                          teams=tuple(teams.split(",")), partner=partner)
            except UserError as exc:
                st.error(str(exc))
            else:
                _done(f"Added {md(name.strip())}.")


def _remove(me: str) -> None:
    """Offboarding: a removed user's open sessions end at their next click."""
    users = state.users()
    others = [u.name for u in users.all() if u.name != me]
    with st.expander("Remove a user"):
        if not others:
            st.caption("There is no one else to remove (you cannot remove yourself).")
            return
        with st.form("remove_user", clear_on_submit=True):
            name = st.selectbox("User", others, index=None, placeholder="Choose a user")
            sure = st.checkbox("Yes: this user may no longer sign in, and any session of "
                               "theirs ends now")
            if st.form_submit_button("Remove"):
                if name is None or not sure:
                    st.error("Choose the user and tick the box to remove them.")
                elif users.remove(name):
                    _done(f"Removed {md(name)}.")
                else:
                    st.warning(f"{md(name)} had already been removed.")


def render() -> None:
    viewer = state.current()
    viewer.require(Capability.USERS)
    st.title("Users")
    if done := st.session_state.pop("users_done", None):
        st.success(done)
    st.dataframe([{"name": u.name, "role": u.role.value, "teams": ", ".join(u.teams),
                   "partner": u.partner or "", "created": stamp(u.created_at)}
                  for u in state.users().all()], hide_index=True)
    _add()
    _remove(viewer.user)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
