"""Saving what a page shows as a view, and the link that shares it: a form the Explore
and console pages put under their results."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import state
from dashboard.text import md
from graph.errors import GraphError
from graph.views import Kind, SavedView, Visibility, save

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
