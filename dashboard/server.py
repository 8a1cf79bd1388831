"""The dashboard's web server: Streamlit's own, plus the route that gives the browser its
session cookie (:mod:`dashboard.sessions`). ``schakel dashboard`` runs
``streamlit run`` on this file; Streamlit serves :mod:`dashboard.app` with it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard.sessions import COOKIE, SESSIONS

SESSION_PATH = "/api/session"
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def scheme(request: Request) -> str:
    """How the browser reached the dashboard: ``https`` behind a reverse proxy on this
    machine that terminates TLS and says so (``X-Forwarded-Proto``), else the request's own.
    A forwarded header from anywhere but this machine is not believed."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    client = request.client.host if request.client else ""
    return forwarded if forwarded in ("http", "https") and client in LOOPBACK \
        else request.url.scheme


async def session_cookie(request: Request) -> Response:
    """``POST /api/session`` with ``{"claim": …}`` from the page that signed in: the answer
    sets the session's cookie. A claim works once, within a minute, from this site only."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{scheme(request)}://{request.headers.get('host')}":
        return JSONResponse({"error": "not from this site"}, status_code=403)
    try:
        body = await request.json()
        claim = body["claim"] if isinstance(body, dict) else None
    except ValueError:
        claim = None
    token = SESSIONS.claim(claim) if isinstance(claim, str) else None
    if token is None:
        return JSONResponse({"error": "no such claim, or used, or out of time"},
                            status_code=403)
    answer = Response(status_code=204)
    answer.set_cookie(COOKIE, token, max_age=int(SESSIONS.hours * 3600), path="/",
                      secure=scheme(request) == "https", httponly=True, samesite="strict")
    return answer


app = st.App(Path(__file__).with_name("app.py"),
             routes=[Route(SESSION_PATH, session_cookie, methods=["POST"])])
