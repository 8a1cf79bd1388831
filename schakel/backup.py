"""A whole installation in one archive, and back: ``schakel backup`` and ``schakel restore``.

The archive is a zip, optionally encrypted with a passphrase as an age file (scrypt;
``age -d`` or ``rage -d`` open it too), holding:

- ``graph/nodes.jsonl`` and ``graph/relationships.jsonl``: the graph, read in one
  transaction (:mod:`graph.dump`): records, findings, structures, reviews, saved views,
  signals, watches and rules;
- ``home/``: the dashboard's users (argon2 hashes), console histories, digest state, and
  the audit chain (``audit.jsonl`` and ``audit.head``), copied after the backup's own
  entry was written, so the chain in the archive ends with it;
- ``backup.json``: the format, when, the counts per label and type, the audit head, and
  the SHA-256 of every other file.

Not in it: the team key (keep it apart, as always: without it new deliveries do not link
with the old pseudonyms) and Neo4j's own files. A backup is refused while a delivery is
loading. A restore goes into an empty installation only, checks every file's digest,
then the counts and the audit chain, and logs itself at the end of the restored chain.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyrage

from graph import dump
from graph.access import Viewer
from graph.audit import AuditLog
from graph.errors import GraphError
from graph.files import write_private
from graph.settings import Settings
from graph.store import Store

FORMAT = "schakel-backup/1"
AGE = b"age-encryption.org/v1"
MANIFEST = "backup.json"
NODES, RELATIONSHIPS = "graph/nodes.jsonl", "graph/relationships.jsonl"
# what of SCHAKEL_HOME a backup holds (relative paths; folders by their files)
AUDIT = ("audit/audit.jsonl", "audit/audit.head")
HOME_FILES = ("users.json", "digests.json", *AUDIT)
HOME_FOLDERS = ("history",)


class BackupError(GraphError):
    """A backup or restore that cannot be made; the message says why and what to do."""


@dataclass
class Made:
    path: Path
    encrypted: bool
    counts: dump.Counts
    files: list[str] = field(default_factory=list)
    audit_entries: int = 0


@dataclass
class Restored:
    counts: dump.Counts
    files: list[str]
    audit_entries: int
    made_at: str


def _home_files(home: Path) -> list[str]:
    found = [name for name in HOME_FILES if (home / name).is_file()]
    for folder in HOME_FOLDERS:
        if (home / folder).is_dir():
            found += sorted(p.relative_to(home).as_posix() for p in (home / folder).rglob("*")
                            if p.is_file())
    return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make(store: Store, settings: Settings, viewer: Viewer, path: Path, *,
         passphrase: str | None = None) -> Made:
    """Write the installation's backup to ``path`` (owner-only)."""
    loading = store.run("MATCH (d:Delivery {status: 'loading'}) RETURN count(d) AS n",
                        read_only=True)[0]["n"]
    if loading:
        raise BackupError(f"{loading} delivery is loading (or was cut short): load it again "
                          "until it completes, then make the backup")
    if path.exists():
        raise BackupError(f"{path} exists already: a backup does not overwrite a file")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="schakel-backup-", dir=settings.home) as tmp:
        os.chmod(tmp, 0o700)
        nodes, rels = Path(tmp) / "nodes.jsonl", Path(tmp) / "relationships.jsonl"
        with nodes.open("w", encoding="utf-8") as n, rels.open("w", encoding="utf-8") as r:
            counts = dump.dump(store, n, r)
        # the backup's own entry first: the chain in the archive ends with it
        store.audit.record(viewer, "backup.make", {
            "file": path.name, "encrypted": passphrase is not None,
            "nodes": counts.nodes, "relationships": counts.relationships},
            records=counts.nodes + counts.relationships)
        home_files = _home_files(settings.home)
        digests: dict[str, str] = {}
        packed = Path(tmp) / "backup.zip"
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, source in ((NODES, nodes), (RELATIONSHIPS, rels)):
                archive.write(source, name)
                digests[name] = _file_digest(source)
            log = AuditLog.of_home(settings.home)
            chain = dict(zip(AUDIT, log.snapshot(), strict=True))  # both at one moment
            for name in home_files:
                data = chain[name] if name in chain else (settings.home / name).read_bytes()
                archive.writestr(f"home/{name}", data)
                digests[f"home/{name}"] = _digest(data)
            head = json.loads(chain["audit/audit.head"] or b'{"seq": 0, "hash": null}')
            archive.writestr(MANIFEST, json.dumps({
                "format": FORMAT, "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "made_by": viewer.user, "counts": asdict(counts),
                "audit_head": head, "files": digests,
            }, indent=1, sort_keys=True))
        data = packed.read_bytes()
    if passphrase is not None:
        data = pyrage.passphrase.encrypt(data, passphrase)
    write_private(path, data, new=True)
    return Made(path, passphrase is not None, counts, home_files, int(head["seq"]))


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(AGE)) == AGE


def _open(path: Path, passphrase: str | None) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    data = path.read_bytes()
    if data.startswith(AGE):
        if passphrase is None:
            raise BackupError(f"{path} is encrypted: give its passphrase")
        try:
            data = pyrage.passphrase.decrypt(data, passphrase)
        except pyrage.DecryptError:
            raise BackupError(f"{path}: the passphrase does not open it (or the file is "
                              "damaged)") from None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BackupError(f"{path} is not a Schakel backup (not a zip, or cut short)") from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (KeyError, json.JSONDecodeError):
        raise BackupError(f"{path} is not a Schakel backup (no readable {MANIFEST})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: format {manifest.get('format')!r}, this Schakel reads "
                          f"{FORMAT!r}")
    for name, digest in manifest["files"].items():
        try:
            found = _digest(archive.read(name))
        except KeyError:
            raise BackupError(f"{path}: {name} is missing from the backup") from None
        if found != digest:
            raise BackupError(f"{path}: {name} does not match its digest: the backup is "
                              "damaged or was changed")
    return manifest


def restore(store: Store, settings: Settings, viewer: Viewer, path: Path, *,
            passphrase: str | None = None) -> Restored:
    """Restore the backup at ``path`` into this empty installation."""
    with _open(path, passphrase) as archive:
        manifest = _manifest(archive, path)
        home = settings.home
        taken = [name for name in HOME_FILES if (home / name).exists()
                 and (home / name).stat().st_size > 0]
        if taken:
            raise BackupError(f"this installation is not empty ({', '.join(taken)} in "
                              f"{home}): restore into a new SCHAKEL_HOME")
        with archive.open(NODES) as n, archive.open(RELATIONSHIPS) as r:
            counts = dump.load(store, io.TextIOWrapper(n, encoding="utf-8"),
                               io.TextIOWrapper(r, encoding="utf-8"))
        files = [name.removeprefix("home/") for name in manifest["files"]
                 if name.startswith("home/")]
        for name in files:
            target = home / name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_private(target, archive.read(f"home/{name}"))
    wanted = dump.Counts(**manifest["counts"])
    found = dump.count(store)
    if (found.labels, found.types) != (wanted.labels, wanted.types):
        raise BackupError(f"{path}: the restored graph's counts differ from the backup's "
                          f"(nodes {found.nodes:,} of {wanted.nodes:,}, relationships "
                          f"{found.relationships:,} of {wanted.relationships:,})")
    log = AuditLog.of_home(home)
    entries, problems = log.verify()
    if problems:
        raise BackupError(f"{path}: the restored audit chain is not intact: "
                          + "; ".join(f"line {p.line}: {p.reason}" for p in problems[:3]))
    log.record(viewer, "backup.restore", {"file": path.name, "made_at": manifest["made_at"],
                                          "nodes": counts.nodes,
                                          "relationships": counts.relationships},
               records=counts.nodes + counts.relationships)
    return Restored(found, files, entries + 1, manifest["made_at"])
