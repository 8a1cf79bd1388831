"""E-mail digests of new signals: "3 new signals in Schakel", nothing more.

A digest names no person, ref, partner, place or rule: only how many signals in the
user's inbox are new since the last digest, and where to sign in. Nothing is sent when
``SCHAKEL_SMTP_HOST`` is not set, to users without an e-mail address, or to users with
nothing new. When each user was last sent a digest is kept in
``$SCHAKEL_HOME/digests.json``, so a digest is never repeated.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from dashboard.auth import UserError, Users
from graph.inbox.alerts import new_count
from graph.settings import Settings, Smtp
from graph.store import Store


@dataclass
class Sent:
    """Who was sent a digest (name and count), and who could not be reached and why."""

    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    configured: bool = True


def message(smtp: Smtp, to: str, count: int, dashboard_url: str) -> EmailMessage:
    """The digest: a count and the dashboard's address, nothing of the signals themselves.

    >>> m = message(Smtp("mail"), "ann@example.org", 3, "https://schakel.local/")
    >>> m["Subject"]
    '3 new signals in Schakel'
    """
    mail = EmailMessage()
    noun = "signal" if count == 1 else "signals"
    mail["Subject"] = f"{count} new {noun} in Schakel"
    mail["From"] = smtp.sender
    mail["To"] = to
    mail.set_content(
        f"There {'is' if count == 1 else 'are'} {count} new {noun} in your Schakel inbox.\n\n"
        f"Sign in to read {'it' if count == 1 else 'them'}: {dashboard_url}\n\n"
        "This message holds no personal data on purpose: what the signals are about is "
        "only shown after you sign in, under the purpose you state there.\n")
    return mail


def _deliver(smtp: Smtp, mails: list[EmailMessage]) -> None:
    context = ssl.create_default_context()
    if smtp.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=30,
                                                context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.user:
            client.login(smtp.user, smtp.password)
        for mail in mails:
            client.send_message(mail)


class Ledger:
    """When each user was last sent a digest."""

    def __init__(self, home: Path) -> None:
        self.path = home / "digests.json"

    def read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def write(self, sent: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".digests-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(sent, f, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


def send_digests(settings: Settings, store: Store) -> Sent:
    """A digest to every user with an e-mail address and new signals since their last."""
    if settings.smtp is None:
        return Sent(configured=False)
    ledger = Ledger(settings.home)
    last = ledger.read()
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    result, mails, names = Sent(), [], []
    try:
        users = Users.of_home(settings.home).all()
    except UserError as exc:  # the ingest or run that called this stands; say why
        return Sent(failed={"(users file)": str(exc)})
    for user in users:
        if not user.email:
            continue
        count = new_count(store, user.viewer(), since=last.get(user.name))
        if count:
            mails.append(message(settings.smtp, user.email, count, settings.dashboard_url))
            names.append((user.name, count))
    if not mails:
        return result
    try:
        _deliver(settings.smtp, mails)
    except (OSError, smtplib.SMTPException) as exc:
        result.failed = {name: f"{type(exc).__name__}: {exc}" for name, _ in names}
        return result
    for name, count in names:
        result.sent[name] = count
        last[name] = now
    ledger.write(last)
    return result
