"""Load a delivery into the graph: validate, pseudonymise, check references, MERGE.

Files are streamed in load order (places before what happens there, incidents before
who was involved), in batches. What grows with a file is only its duplicate detection,
about 24 bytes a row (:mod:`ingest.seen`), and the list of its rejects.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.store import Store
from graph.writes import DeliveryWriter
from ingest.delivery import Delivery, DeliveryFile, open_delivery
from ingest.errors import DeliveryRefused
from ingest.pseudonymise import TeamKey
from ingest.rows import Reject, Row, read_rows, split_when

BATCH = 2500

_WRITERS: dict[str, Callable[[DeliveryWriter, list[dict[str, Any]]], None]] = {
    "locations.csv": DeliveryWriter.locations,
    "persons.csv": DeliveryWriter.persons,
    "incidents.csv": DeliveryWriter.incidents,
    "involvements.csv": DeliveryWriter.involvements,
    "signals.csv": DeliveryWriter.signals,
    "relations.csv": DeliveryWriter.relations,
    "stays.csv": DeliveryWriter.stays,
    "identifiers.csv": DeliveryWriter.identifiers,
    "aliases.csv": DeliveryWriter.aliases,
}
_WHEN_COLUMNS = {"occurred_at": "occurred_time", "observed_at": "observed_time"}


@dataclass
class FileReport:
    file: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0


@dataclass
class DeliveryReport:
    source: str
    ref: str = ""
    partner: str = ""
    refused: list[str] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def status(self) -> int:
        """0 all rows loaded, 1 some rows rejected, 2 refused whole."""
        return 2 if self.refused else 1 if self.rejected else 0


class Progress:
    """What the loader tells a progress display; the default shows nothing."""

    def file_started(self, delivery: str, file: str, size: int) -> None: ...
    def advance(self, chars: int) -> None: ...
    def file_done(self) -> None: ...


def _batches(items: Iterable[Row | Reject], size: int,
             rejects: list[Reject]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepare(file: DeliveryFile, rows: list[Row], key: TeamKey | None) -> list[dict[str, Any]]:
    """Rows as query parameters: pseudonyms for raw identifiers, dates split from times."""
    identifying = [c.name for c in file.spec.columns if c.identifying]
    out = []
    for row in rows:
        values = dict(row.values)
        if key is not None:
            for name in identifying:
                if values.get(name):
                    values[name] = key.pseudonym(values[name])
        for day_column, time_column in _WHEN_COLUMNS.items():
            if day_column in values:
                values[day_column], values[time_column] = split_when(values[day_column])
        out.append(values)
    return out


def _missing_reason(kind: str) -> str:
    article = "an" if kind[0] in "aeiou" else "a"
    return f"names {article} {kind} that is in neither this delivery nor the graph"


class _Writers:
    """Writes a file's batches on two threads while the caller parses the next ones.

    Neo4j runs one transaction per core, so two writers use both cores of the machines
    this is built for (bench/ingest.py: about 1.3x the throughput of one). Two batches
    that lock the same nodes can deadlock; Neo4j then fails one with a transient error
    and ``execute_query`` retries it, so every row still lands exactly once.
    :meth:`finish` waits for every write and re-raises the first error.
    """

    def __init__(self, write: Callable[[list[dict[str, Any]]], None], threads: int = 2) -> None:
        self.write = write
        self.queue: queue.Queue[list[dict[str, Any]] | None] = queue.Queue(maxsize=2 * threads)
        self.error: BaseException | None = None
        self.threads = [threading.Thread(target=self._run, name=f"schakel-writer-{i}",
                                         daemon=True) for i in range(threads)]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.write(batch)
                except BaseException as exc:  # handed to the caller in finish()
                    self.error = exc

    def put(self, batch: list[dict[str, Any]]) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.error is not None:
            raise self.error


def _load_file(delivery: Delivery, file: DeliveryFile, writer: DeliveryWriter,
               key: TeamKey | None, report: DeliveryReport, progress: Progress) -> None:
    counts = FileReport(file.name)
    report.files.append(counts)
    progress.file_started(delivery.ref, file.name, file.size)
    rejects: list[Reject] = []
    write = _WRITERS[file.name]
    writers = _Writers(lambda params: write(writer, params))
    try:
        _load_batches(delivery, file, writer, key, counts, rejects, progress, writers)
    finally:
        # Every write of this file lands before the next file is read: its rows may name
        # what this file creates.
        writers.finish()
    rejects.sort(key=lambda r: r.line)
    counts.rejected = len(rejects)
    counts.read = counts.loaded + counts.rejected
    report.rejects.extend(rejects)
    progress.file_done()


def _load_batches(delivery: Delivery, file: DeliveryFile, writer: DeliveryWriter,
                  key: TeamKey | None, counts: FileReport, rejects: list[Reject],
                  progress: Progress, writers: _Writers) -> None:
    for batch in _batches(read_rows(delivery, file, progress=progress.advance), BATCH, rejects):
        params = _prepare(file, batch, key)
        for column, kind in file.spec.references.items():
            refs = [p[column] for p in params if p.get(column)]
            missing = writer.missing(kind, refs) if refs else set()
            if missing:
                keep = []
                for row, param in zip(batch, params, strict=True):
                    if param.get(column) in missing:
                        rejects.append(Reject(delivery.ref, file.name, row.line, column,
                                              _missing_reason(kind)))
                    else:
                        keep.append((row, param))
                batch = [r for r, _ in keep]
                params = [p for _, p in keep]
        writers.put(params)
        counts.loaded += len(params)


def ingest_delivery(store: Store, path: Path, key: TeamKey,
                    progress: Progress | None = None) -> DeliveryReport:
    """Load one delivery; a refused delivery stores nothing and says why in the report."""
    progress = progress or Progress()
    report = DeliveryReport(source=str(path))
    try:
        with open_delivery(path) as delivery:
            manifest = delivery.manifest
            report.ref, report.partner = delivery.ref, manifest.partner
            if manifest.key_id != key.key_id:
                raise DeliveryRefused(str(path), [
                    f"key_id {manifest.key_id!r} is not the team key configured here "
                    f"({key.key_id!r}): its pseudonyms would not link"])
            store.ensure_schema()
            writer = DeliveryWriter(store, manifest.partner, delivery.ref)
            writer.begin({
                "partner": manifest.partner,
                "partner_kind": manifest.partner_kind,
                "extracted_at": manifest.extracted_at,
                "checksum": delivery.checksum,
                "key_id": manifest.key_id,
                "pseudonymised": manifest.pseudonymised,
                "format": manifest.format,
                "files": [f.name for f in delivery.files],
            })
            row_key = None if manifest.pseudonymised else key
            for file in delivery.files:
                _load_file(delivery, file, writer, row_key, report, progress)
            writer.derive_minors()
            writer.complete({
                "rows_read": sum(f.read for f in report.files),
                "rows_loaded": report.loaded,
                "rows_rejected": report.rejected,
                **{f"{f.file.removesuffix('.csv')}_loaded": f.loaded for f in report.files},
                **{f"{f.file.removesuffix('.csv')}_rejected": f.rejected for f in report.files},
            })
    except DeliveryRefused as exc:
        report.refused = [f"{exc.source}: {reason}" for reason in exc.reasons]
    return report
