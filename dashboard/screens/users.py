"""Users (admin): who may sign in, with which role and teams."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.auth import UserError
from graph.access import Capability, Role


def render() -> None:
    viewer = state.current()
    viewer.require(Capability.USERS)
    st.title("Users")
    users = state.users()
    st.dataframe([{"name": u.name, "role": u.role.value, "teams": ", ".join(u.teams),
                   "partner": u.partner or "", "created": u.created_at} for u in users.all()],
                 hide_index=True)
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
                st.success(f"Added {name.strip()}.")


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
