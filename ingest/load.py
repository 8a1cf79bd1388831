"""Load a delivery into the graph: validate, pseudonymise, check references, MERGE.

Files are streamed in load order (places before what happens there, incidents before
who was involved), in batches: parsed in a child process (:mod:`ingest.parser`), written
by two threads here. Memory does not grow with a file; only the list of its rejects does.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import codenames
from graph.errors import DatabaseUnavailable
from graph.inbox.standing import STANDING, Outcome, Standing
from graph.store import Store
from graph.writes import DeliveryWriter, Missing
from ingest.delivery import Delivery, open_delivery
from ingest.errors import DeliveryRefused, KeyProblem
from ingest.parser import Batch, FileEnded, FileStarted, parsed
from ingest.placing import Placing, place_delivery
from ingest.pseudonymise import TeamKey
from ingest.rows import Reject

_WRITERS: dict[str, Callable[[DeliveryWriter, list[dict[str, Any]]], Missing]] = {
    "locations.csv": DeliveryWriter.locations,
    "persons.csv": DeliveryWriter.persons,
    "professionals.csv": DeliveryWriter.professionals,
    "incidents.csv": DeliveryWriter.incidents,
    "involvements.csv": DeliveryWriter.involvements,
    "signals.csv": DeliveryWriter.signals,
    "relations.csv": DeliveryWriter.relations,
    "stays.csv": DeliveryWriter.stays,
    "identifiers.csv": DeliveryWriter.identifiers,
    "aliases.csv": DeliveryWriter.aliases,
}


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
    signals: Outcome | None = None  # what the standing rules made of it (graph/inbox)
    places: Placing | None = None  # places given coordinates from the gazetteer, or not

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


def missing_reason(label: str) -> str:
    kind = label.lower()
    article = "an" if kind[0] in "aeiou" else "a"
    return f"names {article} {kind} that is in neither this delivery nor the graph"


class _Writers:
    """Writes a delivery's batches on two threads while the parser reads the next ones.

    Neo4j runs one transaction per core, so two writers use both cores of the machines
    this is built for (a third was slower: more lock waits). Two batches that lock the
    same nodes can deadlock; Neo4j then fails one with a transient error and the store's
    ``write`` tries it again, so every row still lands exactly once.

    A batch of file ``n`` waits until every batch of the files before it has landed: its
    rows may name what those files create. The parser meanwhile reads ahead (at most
    ``2 * threads`` batches queued here), so the wait at a file's end costs no parsing.
    :meth:`finish` waits for every write and re-raises the first error.
    """

    def __init__(self, threads: int = 2) -> None:
        self.queue: queue.Queue[tuple[int, Callable[[], None]] | None] = \
            queue.Queue(maxsize=2 * threads)
        self.landed = threading.Condition()
        self.pending: dict[int, int] = {}  # file number -> its batches not yet landed
        self.error: BaseException | None = None
        self.threads = [threading.Thread(target=self._run, name=f"schakel-writer-{i}",
                                         daemon=True) for i in range(threads)]
        for thread in self.threads:
            thread.start()

    def _earlier_landed(self, file: int) -> bool:
        return self.error is not None or not any(
            count for n, count in self.pending.items() if n < file)

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            file, write = item
            with self.landed:
                while not self._earlier_landed(file):
                    self.landed.wait()
            try:
                if self.error is None:
                    write()
            except BaseException as exc:  # handed to the caller in finish()
                self.error = exc
            finally:
                with self.landed:
                    self.pending[file] -= 1
                    self.landed.notify_all()

    def put(self, file: int, write: Callable[[], None]) -> None:
        if self.error is not None:
            raise self.error
        with self.landed:
            self.pending[file] = self.pending.get(file, 0) + 1
        self.queue.put((file, write))

    def finish(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.error is not None:
            raise self.error


@dataclass
class _FileLoad:
    """One file's counts and rejects, added to by the writer threads."""

    counts: FileReport
    rejects: list[Reject] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rejected(self, rejects: list[Reject]) -> None:
        with self.lock:
            self.rejects.extend(rejects)

    def landed(self, lines: list[int], params: list[dict[str, Any]], missing: Missing,
               delivery: str) -> None:
        """A batch was written, except the rows naming one of the ``missing`` refs (the
        writes say which column names them: each file's rows are checked on one)."""
        lost = [Reject(delivery, self.counts.file, line, column, missing_reason(label))
                for (label, column), refs in missing.items()
                for line, param in zip(lines, params, strict=True)
                if param.get(column) in refs]
        with self.lock:
            self.rejects.extend(lost)
            self.counts.loaded += len(lines) - len(lost)


def _write_batches(path: Path, delivery: Delivery, key: TeamKey | None,
                   writer: DeliveryWriter, loads: list[_FileLoad], progress: Progress) -> None:
    """Parse the delivery in a child process and write its batches as they come."""
    writers = _Writers()
    try:
        with parsed(path, delivery.checksum, key) as messages:
            for message in messages:
                if isinstance(message, FileStarted):
                    progress.file_started(delivery.ref, message.name, message.size)
                    continue
                load = loads[message.number]
                load.rejected(message.rejects)
                progress.advance(message.chars)
                if isinstance(message, FileEnded):
                    progress.file_done()
                elif isinstance(message, Batch):
                    writers.put(message.number, _lander(delivery, writer, load, message))
    finally:
        writers.finish()


def _lander(delivery: Delivery, writer: DeliveryWriter, load: _FileLoad,
            batch: Batch) -> Callable[[], None]:
    """What a writer thread does with ``batch``: write it, then count what landed."""
    file = delivery.files[batch.number]
    write = _WRITERS[file.name]

    def land() -> None:
        missing = write(writer, batch.params)
        load.landed(batch.lines, batch.params, missing, delivery.ref)

    return land


def rows_key(delivery: Delivery, key: TeamKey) -> TeamKey | None:
    """What makes the graph's refs of the delivery's identifying values (see
    :meth:`TeamKey.for_rows`); the delivery is refused when its key is not the team's."""
    try:
        return key.for_rows(delivery.manifest.key_id, delivery.manifest.pseudonymised)
    except KeyProblem as exc:
        raise DeliveryRefused(delivery.source, [str(exc)]) from None


def ingest_delivery(store: Store, path: Path, key: TeamKey,
                    progress: Progress | None = None, *,
                    standing: Standing | None = STANDING) -> DeliveryReport:
    """Load one delivery; a refused delivery stores nothing and says why in the report.
    Once it is complete, the ``standing`` rules (``None``: none) run on what it added."""
    progress = progress or Progress()
    report = DeliveryReport(source=str(path))
    try:
        with open_delivery(path) as delivery:
            manifest = delivery.manifest
            report.ref, report.partner = delivery.ref, manifest.partner
            row_key = rows_key(delivery, key)
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
            loads = [_FileLoad(FileReport(f.name)) for f in delivery.files]
            _write_batches(path, delivery, row_key, writer, loads, progress)
            for load in loads:
                load.rejects.sort(key=lambda r: r.line)
                load.counts.rejected = len(load.rejects)
                load.counts.read = load.counts.loaded + load.counts.rejected
                report.files.append(load.counts)
                report.rejects.extend(load.rejects)
            writer.complete({
                "rows_read": sum(f.read for f in report.files),
                "rows_loaded": report.loaded,
                "rows_rejected": report.rejected,
                **{f"{f.file.removesuffix('.csv')}_loaded": f.loaded for f in report.files},
                **{f"{f.file.removesuffix('.csv')}_rejected": f.rejected for f in report.files},
            })
            codenames.after_delivery(store, key.secret, delivery.ref)
            report.places = place_delivery(store, delivery.ref)
            if standing is not None:
                report.signals = standing.after_delivery(store, delivery.ref)
    except DeliveryRefused as exc:
        report.refused = [f"{exc.source}: {reason}" for reason in exc.reasons]
    return report


@dataclass
class Ingested:
    """What loading several deliveries in turn gave: a report for each one that was
    loaded, and, when Neo4j stopped answering, why the rest were not."""

    reports: list[DeliveryReport]
    stopped: DatabaseUnavailable | None = None

    @property
    def status(self) -> int:
        """0: every row loaded; 1: some rows rejected; 2: a delivery refused whole, or
        Neo4j stopped answering (the command line's exit status)."""
        if self.stopped is not None:
            return 2
        return max((r.status for r in self.reports), default=0)


def ingest_deliveries(store: Store, paths: Sequence[Path], key: TeamKey,
                      progress: Callable[[], Progress] = Progress, *,
                      standing: Standing | None = STANDING) -> Ingested:
    """Load ``paths`` in the order given, each with a fresh ``progress()``. When Neo4j stops
    answering, the deliveries after the one cut short are not started, and ``stopped``
    says which, and that loading them again completes them."""
    reports: list[DeliveryReport] = []
    for number, path in enumerate(paths):
        try:
            reports.append(ingest_delivery(store, path, key, progress(), standing=standing))
        except DatabaseUnavailable as exc:
            rest = len(paths) - number - 1
            after = ""
            if rest == 1:
                after = " The delivery after it was not started."
            elif rest > 1:
                after = f" The {rest} deliveries after it were not started."
            return Ingested(reports, DatabaseUnavailable(
                f"{exc} Delivery {path} did not complete: load it again once Neo4j "
                f"answers, and it completes; nothing is lost.{after}"))
    return Ingested(reports)
