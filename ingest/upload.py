"""A delivery uploaded in the browser: received, checked (a dry run), then loaded once the
user confirms. The dashboard's upload page (``dashboard/screens/upload.py``) is a thin
face on this.

- **Who.** A partner's user uploads deliveries of its own partner only (the manifest's
  ``partner``); an administrator uploads on any partner's behalf. Others may not.
- **Received** into ``SCHAKEL_HOME/uploads`` (owner-only), named by its SHA-256, at most
  :data:`LIMIT_BYTES`, a ``.zip`` only; nothing is unpacked to disk (the zip's entries are
  read as streams, and hostile archives are refused by :mod:`ingest.delivery`).
- **Checked** by :func:`ingest.check.check_delivery`: nothing stored.
- **Loaded** by :func:`ingest.load.ingest_delivery`, exactly as ``schakel ingest`` does,
  then the upload is deleted. Uploads left unconfirmed are deleted after a day.

Every check and load is written to the audit log (``upload.check``, ``upload.load``) with
the partner, the delivery and its counts, like every other write. A withdrawal manifest
(``docs/exchange-format-withdrawal.md``) is uploaded the same way: first what it would
take, then, confirmed, taken (``withdrawal.apply``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from graph import withdrawal as withdrawals
from graph.access import Capability, Role, Viewer
from graph.files import write_private
from graph.inbox.standing import Standing
from graph.store import Store
from graph.withdrawal import Report as WithdrawalReport
from graph.withdrawal import Withdrawal
from ingest.check import Checked, check_delivery
from ingest.delivery import open_delivery
from ingest.errors import DeliveryRefused, IngestError
from ingest.load import DeliveryReport, ingest_delivery
from ingest.pseudonymise import TeamKey
from ingest.withdrawals import parse as parse_withdrawal

LIMIT_MB = 200  # the dashboard's server takes no larger file (server.maxUploadSize)
LIMIT_BYTES = LIMIT_MB * 1024 * 1024
KEPT_SECONDS = 24 * 3600  # an upload nobody confirmed is deleted after this long


class UploadRefused(IngestError):
    """The file is not taken at all (not a .zip, too large, not this user's to upload)."""


def may_upload(viewer: Viewer) -> bool:
    """Capability.UPLOAD, and a partner's user must belong to a partner."""
    return viewer.can(Capability.UPLOAD) and (viewer.role is not Role.PARTNER
                                              or bool(viewer.partner))


def _require(viewer: Viewer, what: str = "deliveries") -> None:
    if not may_upload(viewer):
        raise UploadRefused(f"user {viewer.user!r} may not upload {what}")


def _not_theirs(viewer: Viewer, partner: str, what: str, may: str) -> str | None:
    """Why a partner's user may not upload ``what`` of ``partner`` (``None``: it may)."""
    if viewer.role is Role.PARTNER and partner and partner != viewer.partner:
        return f"{what} of partner {partner!r}; you may {may} of {viewer.partner!r} only"
    return None


@dataclass(frozen=True)
class Upload:
    """A received file, by the name the user gave it."""

    path: Path
    name: str
    size: int


def folder(home: Path) -> Path:
    path = home / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def receive(home: Path, viewer: Viewer, name: str, data: bytes) -> Upload:
    """Keep ``data`` (the file ``name`` the user chose) for a check and a load;
    :class:`UploadRefused` if it may not be taken."""
    _require(viewer)
    if not name.lower().endswith(".zip"):
        raise UploadRefused(f"{name}: a delivery is uploaded as one .zip file")
    if len(data) > LIMIT_BYTES:
        raise UploadRefused(f"{name}: {len(data) / 1024**2:.0f} MB, more than the "
                            f"{LIMIT_MB} MB an upload may hold; ask for `schakel ingest`")
    where = folder(home)
    _clear_old(where)
    path = where / f"{hashlib.sha256(data).hexdigest()}.zip"
    write_private(path, data)
    return Upload(path, name, len(data))


def _clear_old(where: Path) -> None:
    cutoff = time.time() - KEPT_SECONDS
    for old in where.glob("*.zip"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def _own_partner(viewer: Viewer, report: DeliveryReport) -> None:
    """A partner's user may upload its own partner's deliveries only."""
    why = _not_theirs(viewer, report.partner, "this is a delivery", "upload deliveries")
    if why is not None:
        report.refused.append(f"{report.source}: {why}")


def _counts(report: DeliveryReport) -> dict[str, object]:
    return {"file": report.source, "delivery": report.ref or None,
            "partner": report.partner or None, "status": report.status,
            "read": report.loaded + report.rejected, "loaded": report.loaded,
            "rejected": report.rejected, "refused": len(report.refused)}


def check(store: Store, key: TeamKey, viewer: Viewer, upload: Upload) -> Checked:
    """The dry run of ``upload``, as the user may load it (logged as ``upload.check``)."""
    _require(viewer)
    report = check_delivery(store, upload.path, key, partner=viewer.only_partner)
    _named(report, upload)
    _own_partner(viewer, report)
    store.audit.record(viewer, "upload.check", _counts(report), records=0)
    return report


def load(store: Store, key: TeamKey, viewer: Viewer, upload: Upload, *,
         standing: Standing | None) -> DeliveryReport:
    """Load ``upload`` as ``schakel ingest`` would (logged as ``upload.load``), if the user
    may load this partner's delivery; the upload is deleted once it is loaded."""
    _require(viewer)
    try:
        with open_delivery(upload.path) as delivery:
            partner = delivery.manifest.partner
    except DeliveryRefused:
        partner = ""  # ingest refuses it, and says why
    mine = DeliveryReport(source=upload.name, partner=partner)
    _own_partner(viewer, mine)
    report = mine if mine.refused else ingest_delivery(store, upload.path, key,
                                                       standing=standing)
    _named(report, upload)
    if not report.refused:
        upload.path.unlink(missing_ok=True)
    store.audit.record(viewer, "upload.load", _counts(report), records=report.loaded)
    return report


def _named(report: DeliveryReport, upload: Upload) -> None:
    """The report in the user's words: the file by the name they chose, not where it is
    kept on the server."""
    report.source = upload.name
    report.refused = [r.replace(str(upload.path), upload.name) for r in report.refused]


def withdrawal(store: Store, key: TeamKey, viewer: Viewer, name: str, data: bytes, *,
               apply: bool = False) -> tuple[Withdrawal, WithdrawalReport]:
    """A withdrawal manifest uploaded in the browser: what it would take (``apply``: take
    it). A partner's user withdraws its own partner's data only; an administrator any."""
    _require(viewer, "withdrawals")
    if not name.lower().endswith(".json"):
        raise UploadRefused(f"{name}: a withdrawal is uploaded as its .json manifest")
    taken = parse_withdrawal(data, name, key)
    why = _not_theirs(viewer, taken.partner, "a withdrawal", "withdraw data")
    if why is not None:
        raise UploadRefused(f"{name}: {why}")
    return taken, withdrawals.apply(store, viewer, taken, dry_run=not apply)


def discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)
