"""A delivery parsed in a child process, as batches of query parameters.

Python runs one thread at a time. Parsing in a thread of the loader made the writer
threads wait for the interpreter lock at every message they exchange with Neo4j: the
database sat idle, waiting for its client (bench/ingest.py, docs/ingest.md). A forked
child parses, validates and pseudonymises; the loader only hands its batches to the
writers. The pipe between them holds about one batch, so the child is never more than a
few batches ahead and memory stays flat.

The child sends, in order:

- ``FileStarted(number, name, size)`` for each file;
- ``Batch(number, lines, params, rejects, chars)``: good rows as query parameters, the
  rejects found since the previous message, and how many characters were read;
- ``FileEnded(number, rejects, chars)``;
- ``Failed(reason)`` if parsing broke (the loader raises it), and always last ``Done()``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.delivery import DeliveryFile, open_delivery
from ingest.errors import IngestError
from ingest.pseudonymise import TeamKey
from ingest.rows import Reject, Row, read_rows, split_when

BATCH = 2500
_WHEN_COLUMNS = {"occurred_at": "occurred_time", "observed_at": "observed_time"}


@dataclass(frozen=True)
class FileStarted:
    number: int
    name: str
    size: int


@dataclass(frozen=True)
class Batch:
    number: int
    lines: list[int]
    params: list[dict[str, Any]]
    rejects: list[Reject]
    chars: int


@dataclass(frozen=True)
class FileEnded:
    number: int
    rejects: list[Reject]
    chars: int


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Done:
    pass


Message = FileStarted | Batch | FileEnded | Failed | Done
Parsed = FileStarted | Batch | FileEnded  # what the loader sees of the messages


def batches(items: Iterable[Row | Reject], size: int,
            rejects: list[Reject]) -> Iterator[list[Row]]:
    """Good rows in lists of ``size``; rejects are appended to ``rejects`` as they come."""
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


def prepare(file: DeliveryFile, rows: list[Row], key: TeamKey | None) -> list[dict[str, Any]]:
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


class ParserFailed(IngestError):
    """Parsing stopped in the child for a reason other than a bad row."""


def _parse(path: Path, checksum: str, key: TeamKey | None, send: Connection) -> None:
    with open_delivery(path) as delivery:
        if delivery.checksum != checksum:
            raise ParserFailed("the delivery changed on disk while it was being loaded")
        for number, file in enumerate(delivery.files):
            send.send(FileStarted(number, file.name, file.size))
            rejects: list[Reject] = []
            chars = 0

            def advance(n: int) -> None:
                nonlocal chars
                chars += n

            for rows in batches(read_rows(delivery, file, progress=advance), BATCH, rejects):
                send.send(Batch(number, [r.line for r in rows], prepare(file, rows, key),
                                list(rejects), chars))
                rejects.clear()  # in place: `batches` appends to this very list
                chars = 0
            send.send(FileEnded(number, rejects, chars))


def _child(path: Path, checksum: str, key: TeamKey | None, receive: Connection,
           send: Connection) -> None:
    receive.close()  # so that the loader's end is the only reader: if it dies, send fails
    try:
        try:
            _parse(path, checksum, key, send)
        except (BrokenPipeError, ConnectionResetError):
            return  # the loader is gone
        except IngestError as exc:  # a message fit for a user, never a cell value
            send.send(Failed(str(exc)))
        except Exception as exc:  # a bug; its message may quote a value, so only its kind
            send.send(Failed(f"parsing stopped on an unexpected {type(exc).__name__}"))
        send.send(Done())
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        send.close()


@contextmanager
def parsed(path: Path, checksum: str, key: TeamKey | None) -> Iterator[Iterator[Parsed]]:
    """The messages of a child that parses the delivery at ``path``, already checked by
    :func:`open_delivery` with this ``checksum``; leaving the block stops the child."""
    # fork: the child starts at once and inherits the key; it runs only this module's
    # code and ends with os._exit, so nothing of the parent (its Neo4j connections) is
    # touched or closed twice.
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(path, checksum, key, receive, send),
                            name="schakel-parser", daemon=True)
    child.start()
    send.close()

    def messages() -> Iterator[Parsed]:
        while True:
            try:
                message: Message = receive.recv()
            except EOFError:
                raise ParserFailed("the parser process ended without finishing") from None
            if isinstance(message, Failed):
                raise ParserFailed(message.reason)
            if isinstance(message, Done):
                return
            yield message

    try:
        yield messages()
    finally:
        receive.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            with suppress(Exception):
                child.join(timeout=5)
