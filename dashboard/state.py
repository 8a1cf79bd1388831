"""What every page shares: the settings, the one Store, the signed-in user, the pages."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from dashboard.auth import Throttle, User, Users
from graph.access import Purpose, Viewer
from graph.audit import AuditLog
from graph.settings import Settings
from graph.store import Store

SESSION_HOURS = 8.0  # a sign-in lasts a working day; then the user signs in again
IDLE_MINUTES = 30.0  # and half an hour without a click ends it sooner


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


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
    st.session_state["viewer"] = user.viewer()
    st.session_state["account"] = user.mark
    st.session_state["signed_in_at"] = time.time()
    st.session_state["seen_at"] = time.time()


def state_purpose(purpose: Purpose) -> None:
    """The purpose of the rest of this session; every read from now on is logged with it."""
    v = st.session_state["viewer"]
    st.session_state["viewer"] = v.with_purpose(purpose)


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def viewer() -> Viewer | None:
    """The signed-in user, or ``None``: also when the session has expired, and when an
    administrator has since removed the account or changed its role, teams, partner or
    password (access ends at once, not when the session would have)."""
    v = st.session_state.get("viewer")
    if v is None:
        return None
    now = time.time()
    if (now - st.session_state.get("signed_in_at", 0) > SESSION_HOURS * 3600
            or now - st.session_state.get("seen_at", 0) > IDLE_MINUTES * 60):
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
