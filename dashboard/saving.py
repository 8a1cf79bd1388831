"""Saving what a page shows as a view, and the link that shares it: a form the Explore
and console pages put under their results."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import state
from dashboard.text import md
from graph.errors import GraphError
from graph.views import Kind, SavedView, Visibility, save
from i18n import N_, _

VISIBILITY_TEXT = {Visibility.PRIVATE: N_("only me"), Visibility.TEAM: N_("my team(s)"),
                   Visibility.EVERYONE: N_("everyone signed in")}


def opened_caption(view: SavedView) -> str:
    """The caption of a page that shows a saved view."""
    return _("Saved view “{name}”, version {version} of {versions}, by {owner}").format(
        name=md(view.name), version=view.version, versions=view.versions, owner=md(view.owner))


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
    with st.expander(_("Save this view")), st.form(f"{key}_save"):
        mine = opened is not None and opened.owner == viewer.user
        as_version = False
        if opened is not None and mine:
            as_version = st.checkbox(_("As version {version} of “{name}”").format(
                version=opened.versions + 1, name=md(opened.name)), value=True,
                key=f"{key}_as_version")
        name = st.text_input(_("Name"), value=opened.name if mine and opened else "",
                             key=f"{key}_name")
        description = st.text_area(_("Description"), value=opened.description if mine and opened
                                   else "", key=f"{key}_description")
        visibility = st.radio(_("Who may open it"), list(Visibility), horizontal=True,
                              format_func=lambda v: _(VISIBILITY_TEXT[Visibility(v)]),
                              index=list(Visibility).index(opened.visibility) if mine and opened
                              else 0, key=f"{key}_visibility")
        teams = st.multiselect(_("Teams (for “my team(s)”)"), list(viewer.teams),
                               default=list(viewer.teams), key=f"{key}_teams")
        if not st.form_submit_button(_("Save")):
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
    st.success(_("Saved “{name}”, version {version}. Share link: `{link}`").format(
        name=md(saved.name), version=saved.version, link=share_link(saved)))
