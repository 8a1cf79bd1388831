"""Dashboard sessions that survive a reload, a second tab, a typed address and a share link.

Streamlit forgets everything when the browser opens a new connection (a reload, a new
tab, a link). So a sign-in also opens a session here, on the server, keyed by a random
token that only the browser's ``schakel_session`` cookie carries: HttpOnly (no script
reads it), SameSite=Strict (no other site sends it), Secure over HTTPS, never in a URL.
The server keeps a digest of the token, not the token.

How the cookie gets to the browser: the page that signed in holds a one-time *claim*
(useless after one use or a minute) and posts it from the page to ``/api/session``;
that answer sets the cookie (:mod:`dashboard.server`). A new connection that brings the
cookie resumes the session, with the purpose the user stated, until its idle or
absolute limit. Signing out, in any tab, ends it for every tab at their next click; so
does an administrator's change to the account (``mark``). Sessions live in the
dashboard's memory: a restart of the dashboard signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from graph.access import Purpose, Viewer

COOKIE = "schakel_session"
CLAIM_SECONDS = 60.0


class Ended(Enum):
    """Why a session is not there (any more)."""

    UNKNOWN = "unknown"  # never was, or a tampered cookie, or a restarted dashboard
    EXPIRED = "expired"  # its idle or absolute limit passed
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True)
class Session:
    viewer: Viewer  # with the purpose stated in it, once stated
    account: str  # the account's mark at sign-in (dashboard.auth.User.mark)
    signed_in_at: float
    seen_at: float
    # what the user was working on (Explore's state), so that a reload finds it again
    work: tuple[tuple[str, str], ...] = ()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    """The signed-in sessions of one dashboard process."""

    def __init__(self, *, hours: float = 8.0, idle_minutes: float = 30.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.hours = hours
        self.idle_minutes = idle_minutes
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._ended: dict[str, Ended] = {}
        self._claims: dict[str, float] = {}  # a claim's digest -> until when it may be used
        self._secret = secrets.token_bytes(32)  # this process's, never stored
        self._lock = threading.Lock()

    def limits(self, *, hours: float, idle_minutes: float) -> None:
        self.hours, self.idle_minutes = hours, idle_minutes

    def open(self, viewer: Viewer, account: str) -> tuple[str, str]:
        """A new session for ``viewer``: its token (for this connection's memory) and a
        one-time claim that the browser exchanges for the cookie."""
        claim = secrets.token_urlsafe(32)
        token = self._token(claim)
        now = self.clock()
        with self._lock:
            self._sessions[_digest(token)] = Session(viewer, account, now, now)
            self._claims = {c: until for c, until in self._claims.items() if until >= now}
            self._claims[_digest(claim)] = now + CLAIM_SECONDS
        return token, claim

    def _token(self, claim: str) -> str:
        """The token a claim stands for: derived, so that neither is kept here."""
        return hmac.new(self._secret, claim.encode("utf-8"), hashlib.sha256).hexdigest()

    def claim(self, claim: str) -> str | None:
        """The token a claim stands for, once, within its minute; else ``None``."""
        with self._lock:
            until = self._claims.pop(_digest(claim), None)
        if until is None or until < self.clock():
            return None
        return self._token(claim)

    def unclaimed(self, claim: str) -> bool:
        """Whether ``claim`` still waits for the browser (not used, not out of time)."""
        with self._lock:
            until = self._claims.get(_digest(claim))
        return until is not None and until >= self.clock()

    def resume(self, token: object) -> Session | Ended:
        """The session of ``token``, seen now; or why there is none."""
        if not isinstance(token, str) or not token:
            return Ended.UNKNOWN
        key = _digest(token)
        now = self.clock()
        with self._lock:
            found = self._sessions.get(key)
            if found is None:
                return self._ended.get(key, Ended.UNKNOWN)
            if (now - found.signed_in_at > self.hours * 3600
                    or now - found.seen_at > self.idle_minutes * 60):
                self._end(key, Ended.EXPIRED)
                return Ended.EXPIRED
            found = replace(found, seen_at=now)
            self._sessions[key] = found
            return found

    def state_purpose(self, token: str | None, purpose: Purpose | None) -> None:
        """The purpose of the rest of the session (``None``: to be stated again)."""
        self._change(token, lambda found: replace(found, viewer=replace(found.viewer,
                                                                        purpose=purpose)))

    def keep(self, token: str | None, key: str, value: str) -> None:
        """Keep ``value`` (JSON text) under ``key`` with the session, for a reload."""
        self._change(token, lambda found: replace(
            found, work=tuple(sorted({**dict(found.work), key: value}.items()))))

    def _change(self, token: str | None, change: Callable[[Session], Session]) -> None:
        """The session of ``token`` as ``change`` makes it; nothing if there is none."""
        if not token:
            return
        digest = _digest(token)
        with self._lock:
            found = self._sessions.get(digest)
            if found is not None:
                self._sessions[digest] = change(found)

    def end(self, token: str | None, why: Ended = Ended.SIGNED_OUT) -> None:
        if token:
            with self._lock:
                self._end(_digest(token), why)

    def _end(self, key: str, why: Ended) -> None:
        if self._sessions.pop(key, None) is not None:
            self._ended[key] = why
        if len(self._ended) > 10_000:  # remembered only to say why; the oldest go first
            for old in list(self._ended)[:5_000]:
                del self._ended[old]

    def __len__(self) -> int:
        return len(self._sessions)


# The one store of the dashboard's process: its routes (dashboard.server) and its pages
# (dashboard.state) share it.
SESSIONS = Sessions()
