"""A delivery uploaded in the browser (ingest/upload.py): who may upload what, the preview
that stores nothing, the load once confirmed, and the audit entries of both."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from graph.access import Purpose, Role, Viewer
from graph.store import Store
from ingest import upload
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.helpers import MANIFEST, basic_files

KEY = TeamKey("demo", DEMO_KEY)
PURPOSE = Purpose("JIT-7", "monthly delivery")
SHELTER = Viewer("ans", Role.PARTNER, ("care",), "police-amsterdam", PURPOSE)
OTHER = Viewer("bo", Role.PARTNER, ("care",), "shelter-noord", PURPOSE)
ADMIN = Viewer("admin", Role.ADMIN, ("jit",), None, PURPOSE)
ANALYST = Viewer("ann", Role.ANALYST, ("jit",), None, PURPOSE)


def zipped(files: dict[str, str | bytes], **manifest: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("d/manifest.json", json.dumps({**MANIFEST, **manifest}))
        for name, content in files.items():
            archive.writestr(f"d/{name}", content)
    return buffer.getvalue()


def logged(store: Store, since: int) -> list[dict[str, Any]]:
    return [e for e in store.audit.entries() if e["seq"] > since
            and e["action"].startswith("upload.")]


def last_seq(store: Store) -> int:
    return max((e["seq"] for e in store.audit.entries()), default=0)


def test_preview_stores_nothing_then_the_load_and_both_are_logged(store: Store,
                                                                   tmp_path: Path) -> None:
    since = last_seq(store)
    got = upload.receive(tmp_path, SHELTER, "maart.zip", zipped(basic_files()))
    assert got.path.parent == tmp_path / "uploads" and got.path.stat().st_mode & 0o077 == 0
    preview = upload.check(store, KEY, SHELTER, got)
    assert preview.status == 0 and preview.source == "maart.zip"
    assert sum(store.count_nodes().values()) == 0  # the preview stores nothing
    assert {f.file: f.new for f in preview.checks}["persons.csv"] == 3

    loaded = upload.load(store, KEY, SHELTER, got, standing=None)
    assert loaded.status == 0 and loaded.loaded == preview.loaded
    assert store.count_nodes()["Incident"] == 2
    assert not got.path.exists()  # deleted once loaded
    entries = logged(store, since)
    assert [e["action"] for e in entries] == ["upload.check", "upload.load"]
    assert entries[1]["user"] == "ans" and entries[1]["case"] == "JIT-7"
    assert entries[1]["what"]["partner"] == "police-amsterdam"
    assert entries[1]["what"]["loaded"] == loaded.loaded == entries[1]["records"]


def test_a_partner_uploads_its_own_deliveries_and_an_admin_any(store: Store,
                                                               tmp_path: Path) -> None:
    data = zipped(basic_files())  # a delivery of police-amsterdam
    theirs = upload.receive(tmp_path, OTHER, "d.zip", data)
    refused = upload.check(store, KEY, OTHER, theirs)
    assert refused.status == 2
    assert any("you may upload deliveries of 'shelter-noord' only" in r
               for r in refused.refused)
    assert upload.load(store, KEY, OTHER, theirs, standing=None).status == 2
    assert sum(store.count_nodes().values()) == 0  # nothing of it stored
    on_behalf = upload.load(store, KEY, ADMIN, theirs, standing=None)
    assert on_behalf.status == 0 and store.count_nodes()["Incident"] == 2
    with pytest.raises(upload.UploadRefused, match="may not upload"):
        upload.receive(tmp_path, ANALYST, "d.zip", data)
    with pytest.raises(upload.UploadRefused, match="may not upload"):
        upload.receive(tmp_path, Viewer("x", Role.PARTNER, (), None, PURPOSE), "d.zip", data)


def test_a_partner_learns_what_its_own_partner_delivered_not_what_others_hold(
        store: Store, tmp_path: Path) -> None:
    upload.load(store, KEY, ADMIN, upload.receive(tmp_path, ADMIN, "a.zip", zipped(
        basic_files(), partner="shelter-noord")), standing=None)
    again = upload.receive(tmp_path, SHELTER, "b.zip", zipped(basic_files()))
    mine = upload.check(store, KEY, SHELTER, again)
    assert {f.file: (f.new, f.known) for f in mine.checks}["incidents.csv"] == (2, 0)
    everyone = upload.check(store, KEY, ADMIN, again)
    assert {f.file: (f.new, f.known) for f in everyone.checks}["incidents.csv"] == (0, 2)


def test_what_is_not_taken_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(upload.UploadRefused, match=r"one \.zip file"):
        upload.receive(tmp_path, SHELTER, "persons.csv", b"person_ref\nP1\n")
    monkeypatch.setattr(upload, "LIMIT_BYTES", 1000)
    with pytest.raises(upload.UploadRefused, match="more than the 200 MB"):
        upload.receive(tmp_path, SHELTER, "big.zip", b"x" * 1001)
    assert not list((tmp_path / "uploads").glob("*"))


def test_a_withdrawal_uploaded_by_its_own_partner(store: Store, tmp_path: Path) -> None:
    loaded = upload.load(store, KEY, SHELTER, upload.receive(
        tmp_path, SHELTER, "d.zip", zipped(basic_files())), standing=None)
    manifest = json.dumps({"format": "exchange/withdrawal-1", "partner": "police-amsterdam",
                           "key_id": "demo", "pseudonymised": True,
                           "reason": "sent to the wrong team",
                           "deliveries": [loaded.ref]}).encode()
    with pytest.raises(upload.UploadRefused, match="you may withdraw data of 'shelter-noord'"):
        upload.withdrawal(store, KEY, OTHER, "w.json", manifest)
    with pytest.raises(upload.UploadRefused, match=r"\.json manifest"):
        upload.withdrawal(store, KEY, SHELTER, "w.zip", manifest)
    taken, preview = upload.withdrawal(store, KEY, SHELTER, "w.json", manifest)
    assert taken.partner == "police-amsterdam" and not preview.applied
    assert preview.removed["Incident"] == 2 and store.count_nodes()["Incident"] == 2
    _, applied = upload.withdrawal(store, KEY, SHELTER, "w.json", manifest, apply=True)
    assert applied.applied and store.count_nodes()["Incident"] == 0
