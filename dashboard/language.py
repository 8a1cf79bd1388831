"""The dashboard's language: the user's choice, remembered in the users file, else the
installation's default (``SCHAKEL_LANGUAGE``, Dutch unless set)."""

from __future__ import annotations

import streamlit as st

import i18n
from dashboard import state
from dashboard.auth import User
from i18n import LANGUAGES

KEY = "language"
CHOSEN = "language_chosen"  # chosen in this session, before or after signing in


def apply() -> None:
    """At the start of every run: texts in the session's language."""
    i18n.use(st.session_state.get(KEY))


def signed_in(user: User) -> None:
    """A user signed in: a language chosen on the sign-in page is theirs from now on;
    else the one they chose before, if any."""
    if st.session_state.get(CHOSEN) and st.session_state.get(KEY) in LANGUAGES:
        state.users().set_language(user.name, st.session_state[KEY])
    elif user.language in LANGUAGES:
        st.session_state[KEY] = user.language
    i18n.use(st.session_state.get(KEY))


def _chosen() -> None:
    language = st.session_state["language_choice"]
    if language not in LANGUAGES:  # the choice was clicked off: keep the language
        return
    st.session_state[KEY] = language
    st.session_state[CHOSEN] = True
    viewer = state.viewer()
    if viewer is not None:
        state.users().set_language(viewer.user, language)


def language_choice() -> None:
    """Taal / Language: a choice that holds for the session and, signed in, is
    remembered for the next."""
    current = i18n.current()
    st.session_state["language_choice"] = current
    st.segmented_control("Taal · Language", list(LANGUAGES), format_func=LANGUAGES.__getitem__,
                         key="language_choice", on_change=_chosen)
