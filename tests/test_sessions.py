"""Dashboard sessions on the server (dashboard.sessions): what resumes them and what ends them."""

from __future__ import annotations

from dashboard.sessions import CLAIM_SECONDS, Ended, Session, Sessions
from graph.access import Purpose, Role, Viewer

ANN = Viewer("ann", Role.ANALYST, ("jit",))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_claim_gives_the_token_once_and_only_in_its_minute() -> None:
    clock = Clock()
    sessions = Sessions(clock=clock)
    token, claim = sessions.open(ANN, "mark")
    assert sessions.unclaimed(claim)
    assert sessions.claim(claim) == token
    assert sessions.claim(claim) is None and not sessions.unclaimed(claim)
    _, late = sessions.open(ANN, "mark")
    clock.now += CLAIM_SECONDS + 1
    assert sessions.claim(late) is None
    assert sessions.claim("made-up") is None


def test_a_session_resumes_with_its_purpose_until_idle_or_too_old() -> None:
    clock = Clock()
    sessions = Sessions(hours=8, idle_minutes=30, clock=clock)
    token, _claim = sessions.open(ANN, "mark")
    purpose = Purpose("JIT-2026-014", "prepare the case meeting")
    sessions.state_purpose(token, purpose)
    for _step in range(20):  # a click every 29 minutes keeps it up to the 8 hours
        clock.now += 29 * 60
        found = sessions.resume(token)
        if clock.now - 1_000_000 > 8 * 3600:
            assert found is Ended.EXPIRED
            break
        assert isinstance(found, Session) and found.viewer.purpose == purpose
    else:
        raise AssertionError("the session outlived its 8 hours")
    idle_token, _claim = sessions.open(ANN, "mark")
    clock.now += 31 * 60
    assert sessions.resume(idle_token) is Ended.EXPIRED
    assert sessions.resume(idle_token) is Ended.EXPIRED  # and stays so


def test_signing_out_ends_it_and_an_unknown_or_altered_token_is_nothing() -> None:
    sessions = Sessions()
    token, _claim = sessions.open(ANN, "mark")
    assert sessions.resume(token[:-1] + ("A" if token[-1] != "A" else "B")) is Ended.UNKNOWN
    assert sessions.resume(None) is Ended.UNKNOWN
    sessions.end(token)
    assert sessions.resume(token) is Ended.SIGNED_OUT
    assert len(sessions) == 0


def test_the_server_keeps_no_token_only_its_digest() -> None:
    sessions = Sessions()
    token, claim = sessions.open(ANN, "mark")
    kept = repr(vars(sessions))
    assert token not in kept and claim not in kept


def test_what_the_user_works_on_is_kept_with_the_session_for_a_reload() -> None:
    sessions = Sessions()
    token, _claim = sessions.open(ANN, "mark")
    sessions.keep(token, "explore", '{"seeds": ["M-1"]}')
    sessions.keep(token, "explore", '{"seeds": ["M-2"]}')  # the latest counts
    found = sessions.resume(token)
    assert isinstance(found, Session) and found.work == (("explore", '{"seeds": ["M-2"]}'),)
    sessions.keep("another-token", "explore", "{}")  # no session: nothing kept, no error
    assert len(sessions) == 1


def test_https_behind_a_proxy_on_this_machine_only() -> None:
    """Behind a reverse proxy that terminates TLS on this machine, the cookie is Secure and
    the Origin check expects https; a forwarded header from elsewhere is not believed."""
    from starlette.requests import Request

    from dashboard.server import scheme

    def request(client: str, forwarded: str | None) -> Request:
        headers = [(b"host", b"schakel.jit.internal")]
        if forwarded is not None:
            headers.append((b"x-forwarded-proto", forwarded.encode()))
        return Request({"type": "http", "method": "POST", "scheme": "http", "path": "/",
                        "headers": headers, "client": (client, 50000), "query_string": b""})

    assert scheme(request("127.0.0.1", "https")) == "https"
    assert scheme(request("127.0.0.1", None)) == "http"
    assert scheme(request("10.0.0.7", "https")) == "http"  # not from this machine
    assert scheme(request("::1", "javascript")) == "http"  # not a scheme we take
