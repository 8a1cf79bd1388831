"""Users (admin): who may sign in, with which role and teams; add and remove them."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.auth import UserError
from dashboard.text import md, role_name, stamp
from graph.access import Capability, Role
from i18n import _


def _done(message: str) -> None:
    """Draw the page again, the table with the change, and say what was done."""
    st.session_state["users_done"] = message
    st.rerun()


def _add() -> None:
    users = state.users()
    with st.expander(_("Add a user")), st.form("add_user", clear_on_submit=True):
        name = st.text_input(_("Name"))
        role = st.selectbox(_("Role"), list(Role), format_func=lambda r: role_name(Role(r)))
        teams = st.text_input(_("Teams (comma-separated)"))
        partner = st.text_input(_("Partner (the organisation; required for role partner)"))
        password = st.text_input(_("Initial password"), type="password")
        if st.form_submit_button(_("Add")):
            try:
                users.add(name.strip(), password, role=Role(role or Role.ANALYST),
                          teams=tuple(teams.split(",")), partner=partner)
            except UserError as exc:
                st.error(str(exc))
            else:
                _done(_("Added {user}.").format(user=md(name.strip())))


def _remove(me: str) -> None:
    """Offboarding: a removed user's open sessions end at their next click."""
    users = state.users()
    others = [u.name for u in users.all() if u.name != me]
    with st.expander(_("Remove a user")):
        if not others:
            st.caption(_("There is no one else to remove (you cannot remove yourself)."))
            return
        with st.form("remove_user", clear_on_submit=True):
            name = st.selectbox(_("User"), others, index=None, placeholder=_("Choose a user"))
            sure = st.checkbox(_("Yes: this user may no longer sign in, and any session of "
                               "theirs ends now"))
            if st.form_submit_button(_("Remove")):
                if name is None or not sure:
                    st.error(_("Choose the user and tick the box to remove them."))
                elif users.remove(name):
                    _done(_("Removed {user}.").format(user=md(name)))
                else:
                    st.warning(_("{user} had already been removed.").format(user=md(name)))


def render() -> None:
    viewer = state.current()
    viewer.require(Capability.USERS)
    st.title(_("Users"))
    if done := st.session_state.pop("users_done", None):
        st.success(done)
    st.dataframe([{_("name"): u.name, _("role"): role_name(u.role),
                   _("teams"): ", ".join(u.teams), _("partner"): u.partner or "",
                   _("created"): stamp(u.created_at)}
                  for u in state.users().all()], hide_index=True)
    _add()
    _remove(viewer.user)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
