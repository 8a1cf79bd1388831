"""The parser process: what it sends, and how it fails without losing a value or itself."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from ingest import parser
from ingest.delivery import open_delivery
from ingest.parser import Batch, FileEnded, FileStarted, ParserFailed, parsed
from tests.helpers import basic_files, delivery


def _checksum(path: Path) -> str:
    with open_delivery(path) as opened:
        return opened.checksum


def test_every_file_arrives_in_order_with_its_rows_and_rejects(tmp_path: Path) -> None:
    files = basic_files(**{"persons.csv": "person_ref,birth_year\nP1,2004\nP2,20x4\nP1,2004\n"})
    path = delivery(tmp_path, files)
    with parsed(path, _checksum(path), None) as messages:
        got = list(messages)
    started = [m.name for m in got if isinstance(m, FileStarted)]
    assert started[:3] == ["locations.csv", "persons.csv", "incidents.csv"]
    number = started.index("persons.csv")
    rows = [line for m in got if isinstance(m, Batch) and m.number == number for line in m.lines]
    rejects = [(r.line, r.reason) for m in got if isinstance(m, Batch | FileEnded)
               and m.number == number for r in m.rejects]
    assert rows == [2]
    assert sorted(rejects) == [(3, "is not a four-digit year"), (4, "duplicate of line 2")]


def test_a_delivery_changed_on_disk_after_it_was_opened_is_not_mixed(tmp_path: Path) -> None:
    path = delivery(tmp_path, basic_files())
    with pytest.raises(ParserFailed, match="changed on disk"), \
            parsed(path, "0" * 64, None) as messages:
        list(messages)


def test_an_unexpected_error_names_its_kind_but_never_a_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ValueError("BSN-123456782")

    monkeypatch.setattr(parser, "prepare", broken)  # the forked child inherits it
    path = delivery(tmp_path, basic_files())
    with pytest.raises(ParserFailed) as failure, parsed(path, _checksum(path), None) as messages:
        list(messages)
    assert "ValueError" in str(failure.value)
    assert "BSN" not in str(failure.value)


def test_leaving_early_stops_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = delivery(tmp_path, basic_files())
    context = multiprocessing.get_context("fork")  # one shared object: parsed() gets it too
    children: list[Any] = []
    start = context.Process

    def recorded(*args: Any, **kwargs: Any) -> Any:
        children.append(start(*args, **kwargs))
        return children[-1]

    monkeypatch.setattr(context, "Process", recorded)
    with parsed(path, _checksum(path), None) as messages:
        next(messages)  # the first file begins; the rest is never read
    assert len(children) == 1 and not children[0].is_alive()
