"""Saved views: list, open, rename, delete, every version, and the share link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import state
from dashboard.saving import VISIBILITY_TEXT, share_link
from dashboard.screens import console, explore
from dashboard.text import md, stamp
from graph.access import Capability
from graph.errors import GraphError
from graph.views import Kind, SavedView, Visibility, delete, history, list_views, open_view, rename
from i18n import N_, _


@dataclass(frozen=True)
class Opener:
    """The screen that opens a kind of saved view, and what a user needs to open it there."""

    page: str
    load: Callable[[SavedView], None]
    needs: Capability | None = None
    refusal: str = ""


# Which screen opens which kind of view: the one table the views page and share links use.
OPENS: dict[Kind, Opener] = {
    Kind.EXPLORE: Opener("explore", explore.load_view),
    Kind.QUERY: Opener("console", console.load_view, Capability.CONSOLE,
                       N_("“{name}” is a Cypher query; only investigators can run the "
                          "console.")),
}


def refusal(view: SavedView) -> str | None:
    """Why the signed-in user cannot open ``view`` in its screen, or ``None`` if they can."""
    opener = OPENS[view.kind]
    if opener.needs is not None and not state.current().can(opener.needs):
        return _(opener.refusal).format(name=view.name)
    return None


def open_in_screen(view: SavedView) -> None:
    """Load ``view`` into its screen and go there (after :func:`refusal` said yes)."""
    opener = OPENS[view.kind]
    opener.load(view)
    state.go(opener.page)


def _open(view: SavedView) -> None:
    refused = refusal(view)
    if refused:
        st.error(refused)
    else:
        open_in_screen(view)


def render() -> None:
    viewer = state.current()
    store = state.store()
    st.title(_("Saved views"))
    message = st.session_state.pop("sv_message", None)
    if message:
        st.success(message)
    found = list_views(store, viewer)
    if not found:
        st.info(_("No saved views yet. Save one from Explore or the Cypher console."))
        return
    st.dataframe([{_("name"): v.name, _("kind"): v.kind.value, _("owner"): v.owner,
                   _("visible to"): _(VISIBILITY_TEXT[v.visibility])
                   + (f" ({', '.join(v.teams)})" if v.visibility is Visibility.TEAM else ""),
                   _("versions"): v.versions, _("saved"): stamp(v.saved_at), "id": v.id}
                  for v in found], hide_index=True)
    by_id = {v.id: v for v in found}
    pick = st.selectbox(_("View"), list(by_id), key="sv_pick",
                        format_func=lambda i: f"{by_id[i].name} · {by_id[i].owner} · {i}")
    view = by_id[pick]
    if view.description:
        st.text(view.description)
    if view.withdrawn:  # graph/withdrawal.py: what it shows has changed since it was saved
        st.warning(_("Since saved, a partner withdrew data this view shows: it {why}.").format(
            why=md(view.withdrawn)), icon=":material/history_toggle_off:")
    st.markdown(_("Share link (latest version): `{link}`").format(link=share_link(view))
                + "  \n" + _("This version only: `{link}`").format(
                    link=share_link(view, pinned=True)))
    if st.button(_("Open"), key="sv_open"):
        _open(view)
    versions = history(store, viewer, view.id)
    with st.expander(_("History ({n} versions)").format(n=len(versions))):
        st.dataframe([{_("version"): v.version, _("name"): v.name, _("saved"): stamp(v.saved_at),
                       _("visible to"): _(VISIBILITY_TEXT[v.visibility])} for v in versions],
                      hide_index=True)
        number = st.selectbox(_("Version"), [v.version for v in versions], key="sv_version")
        if st.button(_("Open this version"), key="sv_open_version"):
            _open(open_view(store, viewer, view.id, number))
    if view.owner != viewer.user:
        return
    with st.expander(_("Rename or delete")):
        new_name = st.text_input(_("New name"), value=view.name, key="sv_new_name")
        if st.button(_("Rename"), key="sv_rename"):
            try:
                renamed = rename(store, viewer, view.id, new_name)
            except GraphError as exc:
                st.error(str(exc))
            else:
                st.session_state["sv_message"] = _("Renamed; that is version {v}.").format(
                    v=renamed.version)
                st.rerun()
        sure = st.checkbox(_("Yes, delete every version of this view"), key="sv_sure")
        if st.button(_("Delete"), key="sv_delete", disabled=not sure):
            n = delete(store, viewer, view.id)
            st.session_state.pop("sv_sure", None)
            st.session_state["sv_message"] = _("Deleted “{name}” ({n} versions).").format(
                name=md(view.name), n=n)
            st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
