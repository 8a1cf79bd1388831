"""E-mail digests against a real SMTP server (aiosmtpd) on this machine: a count and the
dashboard's address, never a person, ref, partner or place; nothing when not configured,
nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from dashboard.auth import Users
from graph import local_neo4j
from graph.access import Role
from graph.settings import Settings
from graph.store import Store
from ingest.load import ingest_delivery
from schakel.digest import send_digests
from tests.test_signals import KEY, police, shelter, youth_care


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.mails: list[bytes] = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.mails.append(bytes(message))

    def prepare_message(self, session, envelope):  # type: ignore[no-untyped-def]
        return envelope.original_content


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = local_neo4j.free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield handler, port
    finally:
        server.stop()


def settings_with(neo4j_settings: Settings, home: Path, **extra: str) -> Settings:
    env = {**neo4j_settings.child_env(), "SCHAKEL_HOME": str(home), **extra}
    return Settings.from_env(env)


def test_a_digest_counts_new_signals_and_names_nothing(
        neo4j_settings: Settings, store: Store, tmp_path: Path,
        smtp: tuple[Inbox, int]) -> None:
    handler, port = smtp
    home = tmp_path / "home"
    users = Users.of_home(home)
    users.add("carla", "a long password", role=Role.PARTNER, teams=("care",),
              partner="jeugdzorg-utrecht", email="carla@jeugdzorg.example")
    users.add("ivo", "a long password", role=Role.INVESTIGATOR, teams=("jit",),
              email="ivo@politie.example")
    users.add("ann", "a long password", role=Role.ANALYST, teams=("jit",))  # no address
    for path in (youth_care(tmp_path), shelter(tmp_path), police(tmp_path)):
        assert ingest_delivery(store, path, KEY).status == 0

    quiet = settings_with(neo4j_settings, home)
    assert quiet.smtp is None
    assert not send_digests(quiet, store).configured and handler.mails == []

    configured = settings_with(neo4j_settings, home, SCHAKEL_SMTP_HOST="127.0.0.1",
                               SCHAKEL_SMTP_PORT=str(port), SCHAKEL_SMTP_SECURITY="none",
                               SCHAKEL_SMTP_FROM="schakel@jit.example",
                               SCHAKEL_DASHBOARD_URL="https://schakel.jit.example/")
    sent = send_digests(configured, store)
    assert sent.failed == {} and sent.sent == {"carla": 1, "ivo": 1}
    mails = {m["To"]: m for m in map(message_from_bytes, handler.mails)}
    assert set(mails) == {"carla@jeugdzorg.example", "ivo@politie.example"}
    carla = mails["carla@jeugdzorg.example"]
    assert carla["Subject"] == "1 new signal in Schakel"
    assert carla["From"] == "schakel@jit.example"
    payload = carla.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert "https://schakel.jit.example/" in body
    raw = b"".join(handler.mails).decode(errors="replace")
    for secret in ("M1", "M2", "I-AMS", "I-UTR", "Amsterdam", "Utrecht", "police",
                   "jeugdzorg-utrecht", "shelter", "cross_partner", "runaway"):
        assert secret not in raw.replace("jeugdzorg.example", ""), secret

    # Nothing new since: no second digest.
    assert send_digests(configured, store).sent == {}
    assert len(handler.mails) == 2


def test_an_smtp_server_that_does_not_answer_is_reported(
        neo4j_settings: Settings, store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    Users.of_home(home).add("ivo", "a long password", role=Role.INVESTIGATOR, teams=("jit",),
                            email="ivo@politie.example")
    for path in (shelter(tmp_path), police(tmp_path)):
        assert ingest_delivery(store, path, KEY).status == 0
    away = settings_with(neo4j_settings, home, SCHAKEL_SMTP_HOST="127.0.0.1",
                         SCHAKEL_SMTP_PORT=str(local_neo4j.free_port()),
                         SCHAKEL_SMTP_SECURITY="none")
    sent = send_digests(away, store)
    assert sent.sent == {} and "ivo" in sent.failed
    assert "ConnectionRefused" in sent.failed["ivo"]
