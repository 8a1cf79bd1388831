"""Saved views: list, open, rename, delete, every version, and the share link."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import state
from dashboard.text import md, stamp
from graph.access import Capability
from graph.errors import GraphError
from graph.views import (
    Kind,
    SavedView,
    Visibility,
    delete,
    history,
    list_views,
    open_view,
    rename,
    save,
)

VISIBILITY_TEXT = {Visibility.PRIVATE: "only me", Visibility.TEAM: "my team(s)",
                   Visibility.EVERYONE: "everyone signed in"}


def share_link(view: SavedView, *, pinned: bool = False) -> str:
    """The link to the view on this dashboard: the address and the view's id, nothing else."""
    base = ""
    try:
        url = st.context.url or ""
        base = url.split("?", 1)[0].rsplit("/", 1)[0] if url else ""
    except Exception:
        base = ""
    return f"{base}/{view.link(pinned=pinned)}" if base else view.link(pinned=pinned)


def save_form(kind: Kind, view_state: dict[str, Any], *, key: str,
              opened: SavedView | None) -> None:
    """A form that saves ``view_state`` as a new view, or as a new version of ``opened``."""
    viewer = state.current()
    with st.expander("Save this view"), st.form(f"{key}_save"):
        mine = opened is not None and opened.owner == viewer.user
        as_version = False
        if opened is not None and mine:
            as_version = st.checkbox(f"As version {opened.versions + 1} of “{md(opened.name)}”",
                                     value=True, key=f"{key}_as_version")
        name = st.text_input("Name", value=opened.name if mine and opened else "",
                             key=f"{key}_name")
        description = st.text_area("Description", value=opened.description if mine and opened
                                   else "", key=f"{key}_description")
        visibility = st.radio("Who may open it", list(Visibility), horizontal=True,
                              format_func=lambda v: VISIBILITY_TEXT[Visibility(v)],
                              index=list(Visibility).index(opened.visibility) if mine and opened
                              else 0, key=f"{key}_visibility")
        teams = st.multiselect("Teams (for “my team(s)”)", list(viewer.teams),
                               default=list(viewer.teams), key=f"{key}_teams")
        if not st.form_submit_button("Save"):
            return
    try:
        saved = save(state.store(), viewer, name=name, kind=kind, state=view_state,
                     description=description,
                     visibility=Visibility(visibility or Visibility.PRIVATE),
                     teams=tuple(teams),
                     view_id=opened.id if as_version and opened else None)
    except GraphError as exc:
        st.error(str(exc))
        return
    st.session_state["explore_view" if kind is Kind.EXPLORE else "console_view"] = saved
    st.success(f"Saved “{md(saved.name)}”, version {saved.version}. Share link: "
               f"`{share_link(saved)}`")


def _open(view: SavedView) -> None:
    from dashboard.screens import console, explore  # the pages import this module

    if view.kind is Kind.EXPLORE:
        explore.load_view(view)
        state.go("explore")
    elif state.current().can(Capability.CONSOLE):
        console.load_view(view)
        state.go("console")
    else:
        st.error("This view is a Cypher query; only investigators can run the console.")


def render() -> None:
    viewer = state.current()
    store = state.store()
    st.title("Saved views")
    message = st.session_state.pop("sv_message", None)
    if message:
        st.success(message)
    found = list_views(store, viewer)
    if not found:
        st.info("No saved views yet. Save one from Explore or the Cypher console.")
        return
    st.dataframe([{"name": v.name, "kind": v.kind.value, "owner": v.owner,
                   "visible to": VISIBILITY_TEXT[v.visibility]
                   + (f" ({', '.join(v.teams)})" if v.visibility is Visibility.TEAM else ""),
                   "versions": v.versions, "saved": stamp(v.saved_at), "id": v.id}
                  for v in found], hide_index=True)
    by_id = {v.id: v for v in found}
    pick = st.selectbox("View", list(by_id), key="sv_pick",
                        format_func=lambda i: f"{by_id[i].name} · {by_id[i].owner} · {i}")
    view = by_id[pick]
    if view.description:
        st.text(view.description)
    st.markdown(f"Share link (latest version): `{share_link(view)}`  \n"
                f"This version only: `{share_link(view, pinned=True)}`")
    if st.button("Open", key="sv_open"):
        _open(view)
    versions = history(store, viewer, view.id)
    with st.expander(f"History ({len(versions)} versions)"):
        st.dataframe([{"version": v.version, "name": v.name, "saved": stamp(v.saved_at),
                       "visible to": VISIBILITY_TEXT[v.visibility]} for v in versions],
                      hide_index=True)
        number = st.selectbox("Version", [v.version for v in versions], key="sv_version")
        if st.button("Open this version", key="sv_open_version"):
            _open(open_view(store, viewer, view.id, number))
    if view.owner != viewer.user:
        return
    with st.expander("Rename or delete"):
        new_name = st.text_input("New name", value=view.name, key="sv_new_name")
        if st.button("Rename", key="sv_rename"):
            try:
                renamed = rename(store, viewer, view.id, new_name)
            except GraphError as exc:
                st.error(str(exc))
            else:
                st.session_state["sv_message"] = f"Renamed; that is version {renamed.version}."
                st.rerun()
        sure = st.checkbox("Yes, delete every version of this view", key="sv_sure")
        if st.button("Delete", key="sv_delete", disabled=not sure):
            n = delete(store, viewer, view.id)
            st.session_state.pop("sv_sure", None)
            st.session_state["sv_message"] = f"Deleted “{md(view.name)}” ({n} versions)."
            st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
