"""What every page shares: the settings, the one Store, the signed-in user, the pages."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import streamlit as st

from dashboard import text
from dashboard.auth import Throttle, User, Users
from dashboard.sessions import COOKIE, SESSIONS, Ended, Session
from graph.access import Purpose, Viewer
from graph.audit import AuditLog
from graph.settings import Settings
from graph.store import Store


@st.cache_resource
def settings() -> Settings:
    found = Settings.from_env()
    # a sign-in lasts a working day (SCHAKEL_SESSION_HOURS), and half an hour without a
    # click (SCHAKEL_SESSION_IDLE_MINUTES) ends it sooner
    SESSIONS.limits(hours=found.session_hours, idle_minutes=found.idle_minutes)
    text.use_zone(found.timezone)  # times are shown in the team's time zone
    return found


def _close(store: Store) -> None:
    store.close()


@st.cache_resource(on_release=_close)
def store() -> Store:
    return Store.connect(settings(), AuditLog.of_home(settings().home))


def users() -> Users:
    return Users.of_home(settings().home)


@st.cache_resource
def throttle() -> Throttle:
    """Failed sign-ins per name, for the whole dashboard process."""
    return Throttle()


def sign_in(user: User) -> None:
    """Sign ``user`` in on this connection, and open the session that a reload, another
    tab or a link resumes once the browser has its cookie (:func:`pending_claim`)."""
    settings()  # the session limits of this installation
    token, claim = SESSIONS.open(user.viewer(), user.mark)
    st.session_state["viewer"] = user.viewer()
    st.session_state["account"] = user.mark
    st.session_state["signed_in_at"] = time.time()
    st.session_state["seen_at"] = time.time()
    st.session_state["session_token"] = token
    st.session_state["session_claim"] = claim


def pending_claim() -> str | None:
    """The one-time claim this page is to exchange for the session's cookie, while the
    browser has not yet done so (and the claim's minute lasts)."""
    claim = st.session_state.get("session_claim")
    if claim and SESSIONS.unclaimed(claim):
        return claim
    st.session_state.pop("session_claim", None)
    return None


def state_purpose(purpose: Purpose | None) -> None:
    """The purpose of the rest of this session (``None``: to be stated again); every read
    from now on is logged with it. Other tabs of the session have it at their next click."""
    v = st.session_state["viewer"]
    st.session_state["viewer"] = replace(v, purpose=purpose)
    SESSIONS.state_purpose(st.session_state.get("session_token"), purpose)


def sign_out() -> None:
    """End the session: in this tab now, in the others at their next click."""
    SESSIONS.end(st.session_state.get("session_token"))
    _forget()


def keep(key: str, value: object) -> None:
    """Keep ``value`` (JSON-able) with the session under the session-state ``key``: a
    reload, a new tab or a link of this session finds it there again."""
    SESSIONS.keep(st.session_state.get("session_token"), key,
                  json.dumps(value, sort_keys=True, default=str))


def _forget() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _resume() -> None:
    """A new connection (reload, tab, link) that brings a live session's cookie takes up
    that session: its user, and the purpose they stated."""
    settings()
    token = st.context.cookies.get(COOKIE)
    found = SESSIONS.resume(token)
    if isinstance(found, Session):
        st.session_state.update(viewer=found.viewer, account=found.account,
                                signed_in_at=found.signed_in_at, seen_at=found.seen_at,
                                session_token=token)
        for key, value in found.work:  # what the user was working on, before the reload
            st.session_state[key] = json.loads(value)
    elif found is Ended.EXPIRED:
        st.session_state["expired"] = True


def viewer() -> Viewer | None:
    """The signed-in user, or ``None``: also when the session has expired or was signed
    out in another tab, and when an administrator has since removed the account or
    changed its role, teams, partner or password (access ends at once, not when the
    session would have)."""
    if st.session_state.get("viewer") is None:
        _resume()
    v = st.session_state.get("viewer")
    if v is None:
        return None
    now = time.time()
    token = st.session_state.get("session_token")
    if token:  # the session all tabs share: its limits count the clicks in any of them
        shared = SESSIONS.resume(token)
        if not isinstance(shared, Session):  # expired, or signed out in another tab
            _forget()
            st.session_state["expired"] = shared is Ended.EXPIRED
            return None
        if shared.viewer.purpose != v.purpose:  # changed in another tab
            v = shared.viewer
            st.session_state["viewer"] = v
    else:
        limits = settings()
        if (now - st.session_state.get("signed_in_at", 0) > limits.session_hours * 3600
                or now - st.session_state.get("seen_at", 0) > limits.idle_minutes * 60):
            sign_out()
            st.session_state["expired"] = True
            return None
    account = users().get(v.user)
    if account is None or account.mark != st.session_state.get("account"):
        sign_out()
        st.session_state["account_changed"] = True
        return None
    st.session_state["seen_at"] = now
    return v


def current(*, needs_purpose: bool = True) -> Viewer:
    """The signed-in user, who has stated the session's purpose (else: to the purpose page)."""
    v = viewer()
    if v is None:
        st.stop()
    assert v is not None
    if needs_purpose and v.purpose is None:
        st.switch_page("screens/purpose.py")
    return v


def go(name: str, **state: Any) -> None:
    """Put ``state`` in the session and switch to page ``name`` (a file in ``screens/``)."""
    for key, value in state.items():
        st.session_state[key] = value
    st.switch_page(f"screens/{name}.py")
