"""The Schakel dashboard: ``schakel dashboard`` runs ``streamlit run`` on this file.

Signed out, the only page is the sign-in. Signed in, the pages a user's role allows.
A share link (``?view=<id>[&version=N]``) survives the sign-in and opens the view.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from dashboard import language, state
from dashboard.auth import UserError
from dashboard.language import language_choice
from dashboard.screens import views
from dashboard.text import md, role_name
from graph.access import Capability, Viewer
from graph.errors import DatabaseUnavailable
from graph.inbox.alerts import new_count
from graph.views import ViewNotFound, open_view
from i18n import N_, _, number

# Not "pages/": Streamlit runs a folder of that name beside app.py as the old multipage
# app, each file on its own without app.py (so without its sign-in check), until the
# process's first st.navigation call, and in every run of its AppTest.
PAGES = Path(__file__).parent / "screens"
ICON = Path(__file__).parent / "icon.png"
# name (file in screens/ and URL path), title, icon (Material icons are bundled), capability
PAGE_TABLE: tuple[tuple[str, str, str, Capability], ...] = (
    ("overview", N_("Overview"), ":material/dashboard:", Capability.OVERVIEW),
    ("inbox", N_("Inbox"), ":material/inbox:", Capability.EXPLORE),
    ("candidates", N_("Candidates"), ":material/flag:", Capability.EXPLORE),
    ("explore", N_("Explore"), ":material/hub:", Capability.EXPLORE),
    ("map", N_("Map"), ":material/map:", Capability.OVERVIEW),
    ("console", N_("Cypher console"), ":material/terminal:", Capability.CONSOLE),
    ("views", N_("Saved views"), ":material/bookmarks:", Capability.EXPLORE),
    ("upload", N_("Upload"), ":material/upload_file:", Capability.UPLOAD),
    ("users", N_("Users"), ":material/group:", Capability.USERS),
    ("audit", N_("Audit log"), ":material/policy:", Capability.AUDIT),
)  # Material icons are bundled with Streamlit


def _open_shared_view() -> None:
    """Open the view named in the URL, once, if this user may see it."""
    view_id = st.query_params.get("view")
    if not view_id or st.session_state.get("_opened_link") == st.query_params.to_dict():
        return
    st.session_state["_opened_link"] = st.query_params.to_dict()
    version_text = st.query_params.get("version")
    v = state.current()
    try:
        version = int(version_text) if version_text else None
        view = open_view(state.store(), v, view_id, version)
    except (ValueError, ViewNotFound):
        named = view_id + (_(", version {v}").format(v=version_text) if version_text else "")
        st.session_state["link_error"] = _(
            "The link names no saved view that you may open ({view}).").format(view=named)
        return
    refused = views.refusal(view)
    if refused:
        st.session_state["link_error"] = refused
        return
    st.query_params.clear()
    views.open_in_screen(view)


def _inbox_title(viewer: Viewer) -> str:
    """The inbox's name in the menu of every page, with the number of new signals: a
    count only, so reading it is not a read of personal data."""
    new = new_count(state.store(), viewer)
    return _("Inbox · {n} new").format(n=number(new)) if new else _("Inbox")


def _session_cookie() -> None:
    """Right after a sign-in: the page posts the session's one-time claim to the server,
    whose answer sets the HttpOnly cookie that a reload, a new tab or a link resumes the
    session with (dashboard.sessions). A script can send the claim, never read the cookie."""
    claim = state.pending_claim()
    if claim is None:
        return
    st.iframe(COOKIE_PAGE.replace("CLAIM", json.dumps({"claim": claim})), height=1)


# connect-src 'self': the claim goes to this server and nowhere else
COOKIE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; script-src 'unsafe-inline'; connect-src 'self'">
</head><body><script>
fetch("/api/session", {method: "POST", credentials: "same-origin",
  headers: {"Content-Type": "application/json"}, body: JSON.stringify(CLAIM)});
</script></body></html>"""


def _sidebar(viewer: Viewer) -> None:
    with st.sidebar:
        partner = _(" · partner {partner}").format(partner=viewer.partner) if viewer.partner else ""
        st.caption(_("Signed in as **{user}** ({role}) · teams: {teams}{partner}").format(
            user=viewer.user, role=role_name(viewer.role), teams=", ".join(viewer.teams),
            partner=partner))
        if viewer.purpose is not None:
            st.caption(_("Purpose: {case} — {reason}").format(
                case=md(viewer.purpose.case), reason=md(viewer.purpose.reason)))
            if st.button(_("Change purpose"), key="change_purpose"):
                state.state_purpose(None)
                st.rerun()
        if st.button(_("Sign out"), key="sign_out"):
            state.sign_out()
            st.rerun()
        language_choice()


@contextmanager
def _database_answers() -> Iterator[None]:
    """A page whose database stopped answering (Neo4j stopped, restarting, not started):
    say so and offer to try again, rather than Streamlit's "This app has encountered an
    error". The session stays signed in; the driver reconnects once Neo4j is back."""
    try:
        yield
    except DatabaseUnavailable as exc:
        st.error(_("The graph database does not answer, so this page cannot be shown. "
                   "Ask whoever runs Schakel to start it, then try again: you stay signed "
                   "in."), icon=":material/cloud_off:")
        st.text(str(exc))  # plain text: no Markdown is read in it
        if st.button(_("Try again"), key="database_try_again"):
            st.rerun()


@contextmanager
def _users_readable() -> Iterator[None]:
    """The users file could not be read (hand-edited into something else): no one is
    signed in or can sign in until it is mended. The page says so, not what is wrong
    with it (a visitor need not see the file's path); the server's log says that."""
    try:
        yield
    except UserError as exc:
        logging.getLogger("schakel.dashboard").error("%s", exc)
        st.error(_("No one can sign in now: the dashboard's users file cannot be read. "
                   "An administrator must mend or restore it; `schakel users list` says "
                   "what is wrong with it."), icon=":material/lock:")


def main() -> None:
    st.set_page_config(page_title="Schakel", page_icon=str(ICON), layout="wide")
    language.apply()
    with _database_answers(), _users_readable():
        _pages()


def _pages() -> None:
    viewer = state.viewer()
    if viewer is None:
        st.navigation([st.Page(PAGES / "signin.py", title=_("Sign in"), url_path="signin")],
                      position="hidden").run()
        return
    _session_cookie()
    if viewer.purpose is None:  # no personal data without a stated purpose
        _sidebar(viewer)
        st.navigation([st.Page(PAGES / "purpose.py", title=_("Purpose"), url_path="purpose")],
                      position="hidden").run()
        return
    # Every page reads the graph. Asking first takes a millisecond; without it, a page
    # whose Neo4j has stopped waits out the driver's retries (about 50 s) to say so.
    state.store().check_answers()
    titles = {"inbox": _inbox_title(viewer)}
    pages = {name: st.Page(PAGES / f"{name}.py", title=titles.get(name, _(title)), icon=icon,
                           url_path=name, default=name == "overview")
             for name, title, icon, needs in PAGE_TABLE if viewer.can(needs)}
    nav = st.navigation(list(pages.values()))
    _sidebar(viewer)
    if viewer.can(Capability.EXPLORE):
        _open_shared_view()
    error = st.session_state.pop("link_error", None)
    if error:
        st.error(error)
    nav.run()


main()
