"""A delivery: one folder, or a ``.zip`` of one folder, holding ``manifest.json`` and
any of the exchange-format CSV files.

:func:`open_delivery` checks everything that refuses a delivery whole — the layout, the
zip's entries, the manifest, every file's header — before a single row is read, so a
refused delivery stores nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from ingest.errors import DeliveryRefused
from ingest.records import FORBIDDEN_COLUMNS, PARTNER_KINDS, SPECS, FileSpec

MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024
# A delivery of a million rows is about 60 MB of CSV; anything near this is not a delivery.
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_COMPRESSION_RATIO = 200
IGNORED_PREFIXES = (".", "__MACOSX")


def _ignored(name: str) -> bool:
    """Operating-system litter (hidden files, macOS resource forks), not delivery files."""
    return PurePosixPath(name).name.startswith(IGNORED_PREFIXES) or name.startswith("__MACOSX")

PartnerKind = Literal["police", "prosecution", "youth_care", "shelter", "municipality",
                      "child_protection", "foreign_police", "other"]
assert set(PartnerKind.__args__) == set(PARTNER_KINDS)  # type: ignore[attr-defined]


class Manifest(BaseModel):
    """``manifest.json`` of exchange format v1 (``exchange/1``) or 1.1 (``exchange/1.1``:
    v1 and ``professionals.csv``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["exchange/1", "exchange/1.1"]

    @property
    def version(self) -> str:
        return self.format.removeprefix("exchange/")
    partner: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
    partner_kind: PartnerKind
    extracted_at: datetime
    pseudonymised: StrictBool
    key_id: Annotated[str, Field(min_length=1, max_length=64)]

    @field_validator("extracted_at")
    @classmethod
    def _with_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs an offset, e.g. 2016-03-01T09:00:00+01:00")
        return value


@dataclass(frozen=True)
class DeliveryFile:
    spec: FileSpec
    name: str  # as found in the delivery, for messages
    header: tuple[str, ...]
    size: int


@dataclass
class Delivery:
    """An opened, checked delivery; read its rows with :meth:`open_text`."""

    source: str
    manifest: Manifest
    files: list[DeliveryFile]
    checksum: str
    _opener: _Opener

    @property
    def ref(self) -> str:
        return f"{self.manifest.partner}:{self.checksum[:16]}"

    @contextmanager
    def open_text(self, file: DeliveryFile) -> Iterator[IO[str]]:
        """The file as text; bytes that are not UTF-8 become surrogates, found per row."""
        with self._opener.open(file.name) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")


class _Opener:
    """Reads the members of a folder or a zip by their name inside the delivery."""

    def names(self) -> list[str]:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def is_symlink(self, name: str) -> bool:
        return False  # zip entries that are links are refused when the zip is checked


class _FolderOpener(_Opener):
    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if not p.is_dir() or p.is_symlink())

    def size(self, name: str) -> int:
        return (self.root / name).stat().st_size

    def open(self, name: str) -> IO[bytes]:
        return (self.root / name).open("rb")

    def is_symlink(self, name: str) -> bool:
        return (self.root / name).is_symlink()


class _ZipOpener(_Opener):
    def __init__(self, archive: zipfile.ZipFile, prefix: str) -> None:
        self.archive = archive
        self.prefix = prefix

    def names(self) -> list[str]:
        return sorted(i.filename[len(self.prefix):] for i in self.archive.infolist()
                      if not i.is_dir() and i.filename.startswith(self.prefix))

    def size(self, name: str) -> int:
        return self.archive.getinfo(self.prefix + name).file_size

    def open(self, name: str) -> IO[bytes]:
        return self.archive.open(self.prefix + name)


def _check_zip(archive: zipfile.ZipFile, source: str) -> str:
    """The folder prefix inside the zip that holds the delivery, after checking every entry."""
    total = 0
    problems: list[str] = []
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.filename.startswith("/") or "\\" in info.filename or ".." in path.parts \
                or (path.parts and ":" in path.parts[0]):
            problems.append(f"zip entry {info.filename!r} would land outside the delivery folder")
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(f"zip entry {info.filename!r} is a symbolic link")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                and info.file_size > 10 * 1024**2:
            problems.append(f"zip entry {info.filename!r} unpacks {info.file_size} bytes from "
                            f"{info.compress_size}: refused as a zip bomb")
    if total > MAX_UNPACKED_BYTES:
        problems.append(f"the zip unpacks to {total / 1024**3:.1f} GiB, more than the "
                        f"{MAX_UNPACKED_BYTES / 1024**3:.0f} GiB a delivery may hold")
    if problems:
        raise DeliveryRefused(source, problems)
    manifests = [i.filename for i in archive.infolist()
                 if PurePosixPath(i.filename).name == MANIFEST and not _ignored(i.filename)]
    if len(manifests) != 1:
        raise DeliveryRefused(source, [f"the zip must hold exactly one {MANIFEST} "
                                       f"(found {len(manifests)})"])
    parent = str(PurePosixPath(manifests[0]).parent)
    if parent != "." and len(PurePosixPath(parent).parts) > 1:
        raise DeliveryRefused(source, [f"{MANIFEST} must be at the top of the zip or in its "
                                       "one folder"])
    return "" if parent == "." else parent + "/"


def _read_manifest(opener: _Opener, source: str) -> tuple[Manifest, bytes]:
    if MANIFEST not in opener.names():
        raise DeliveryRefused(source, [f"no {MANIFEST}"])
    if opener.size(MANIFEST) > MAX_MANIFEST_BYTES:
        raise DeliveryRefused(f"{source}/{MANIFEST}", ["larger than 64 KiB"])
    with opener.open(MANIFEST) as fh:
        raw = fh.read(MAX_MANIFEST_BYTES + 1)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DeliveryRefused(f"{source}/{MANIFEST}", ["not UTF-8"]) from None
    except json.JSONDecodeError as exc:
        raise DeliveryRefused(f"{source}/{MANIFEST}",
                              [f"not valid JSON (line {exc.lineno}: {exc.msg})"]) from None
    if not isinstance(data, dict):
        raise DeliveryRefused(f"{source}/{MANIFEST}", ["must be a JSON object"])
    try:
        return Manifest.model_validate(data), raw
    except ValidationError as exc:
        reasons = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "manifest"
            reasons.append(f"{where}: {_manifest_reason(dict(error))}")
        raise DeliveryRefused(f"{source}/{MANIFEST}", reasons) from None


def _manifest_reason(error: dict[str, object]) -> str:
    kind = error.get("type")
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "not a field of exchange format v1"
    if kind == "literal_error":
        return str(error.get("msg", "not an allowed value"))
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def _read_header(opener: _Opener, name: str, spec: FileSpec, source: str) -> tuple[str, ...]:
    where = f"{source}/{name}"
    with opener.open(name) as raw:
        first = raw.readline(64 * 1024)
    if not first.strip():
        raise DeliveryRefused(where, ["empty: a header row is required"])
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        raise DeliveryRefused(where, ["the header row is not UTF-8"]) from None
    text = text.removeprefix(codecs.BOM_UTF8.decode("utf-8"))
    header = tuple(h.strip() for h in next(csv.reader([text])))
    reasons: list[str] = []
    seen: set[str] = set()
    for column in header:
        if column in seen:
            reasons.append(f"column {column!r} appears twice")
        seen.add(column)
        if column in spec.names:
            continue
        if column.lower() in FORBIDDEN_COLUMNS:
            reasons.append(
                f"column {column!r} may not be delivered: exchange format v1 takes no names, "
                "addresses, national numbers, dates of birth, ethnicity, religion or "
                "nationality (data minimisation)")
        else:
            reasons.append(f"unknown column {column!r} (expected: "
                           f"{', '.join(c.name for c in spec.columns)})")
    for spec_column in spec.columns:
        if spec_column.required and spec_column.name not in seen:
            reasons.append(f"required column {spec_column.name!r} is missing")
    if reasons:
        raise DeliveryRefused(where, reasons)
    return header


@contextmanager
def open_delivery(path: Path) -> Iterator[Delivery]:
    """Open and check a delivery folder or zip; :class:`DeliveryRefused` if it is not one."""
    source = str(path)
    if not path.exists():
        raise DeliveryRefused(source, ["no such file or folder"])
    if path.is_dir():
        opener: _Opener = _FolderOpener(path)
        yield _checked(opener, source)
        return
    if not zipfile.is_zipfile(path):
        raise DeliveryRefused(source, [
            "not a readable zip file (damaged, cut short, or not a zip)"
            if path.suffix.lower() == ".zip" else "neither a folder nor a .zip file"])
    try:
        with zipfile.ZipFile(path) as archive:
            prefix = _check_zip(archive, source)
            yield _checked(_ZipOpener(archive, prefix), source)
    except zipfile.BadZipFile as exc:
        raise DeliveryRefused(source, [f"damaged zip: {exc}"]) from None


def _checked(opener: _Opener, source: str) -> Delivery:
    manifest, manifest_bytes = _read_manifest(opener, source)
    reasons: list[str] = []
    files: list[DeliveryFile] = []
    names = opener.names()
    for name in names:
        if name == MANIFEST or _ignored(name):
            continue
        if opener.is_symlink(name):
            reasons.append(f"{name} is a symbolic link")
        elif name not in SPECS:
            known = [n for n, spec in SPECS.items() if spec.version <= manifest.version]
            reasons.append(f"{name} is not a file of exchange format v{manifest.version} "
                           f"(expected any of: {', '.join(known)})")
        elif SPECS[name].version > manifest.version:
            reasons.append(f"{name} is a file of exchange format v{SPECS[name].version}: set "
                           f"\"format\": \"exchange/{SPECS[name].version}\" in the manifest")
    if reasons:
        raise DeliveryRefused(source, reasons)
    for spec in SPECS.values():  # in load order
        if spec.filename in names:
            header = _read_header(opener, spec.filename, spec, source)
            files.append(DeliveryFile(spec, spec.filename, header, opener.size(spec.filename)))
    checksum = hashlib.sha256()
    checksum.update(manifest_bytes)
    for file in files:
        checksum.update(b"\0" + file.name.encode() + b"\0")
        with opener.open(file.name) as fh:
            while chunk := fh.read(1 << 20):
                checksum.update(chunk)
    return Delivery(source, manifest, files, checksum.hexdigest(), opener)
