"""Rows of a delivery file: each becomes a typed row, or a reject with file, line and reason."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingest.delivery import Delivery, DeliveryFile
from ingest.records import MAX_CELL, CellError, check_row
from ingest.seen import SeenRows

csv.field_size_limit(1024 * 1024)  # larger cells are still read, then rejected as too long


@dataclass(frozen=True)
class Reject:
    delivery: str
    file: str
    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]


def _lines(stream: Iterable[str], progress: Callable[[int], None] | None) -> Iterator[str]:
    for line in stream:
        if progress is not None:
            progress(len(line))
        yield line


def _not_utf8(cell: str) -> bool:
    if cell.isascii():
        return False
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_rows(delivery: Delivery, file: DeliveryFile, *,
              progress: Callable[[int], None] | None = None) -> Iterator[Row | Reject]:
    """Every data row of ``file`` in order, parsed, or rejected with its reason."""
    spec = file.spec
    columns = [spec_col for name in file.header
               for spec_col in spec.columns if spec_col.name == name]
    absent = [c for c in spec.columns if c.name not in file.header]
    extracted = delivery.manifest.extracted_at.date()

    def reject(line: int, column: str, reason: str) -> Reject:
        return Reject(delivery.ref, file.name, line, column, reason)

    with delivery.open_text(file) as text, SeenRows() as seen:
        reader = csv.reader(_lines(text, progress), strict=True)
        last = 0
        try:
            next(reader)  # the header, checked when the delivery was opened
        except (StopIteration, csv.Error):
            return
        last = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    reason = (f"malformed CSV: a quote opened here is never closed, so lines "
                              f"{last + 1} to {reader.line_num} could not be read")
                else:
                    reason = f"malformed CSV: {exc}"
                yield reject(last + 1, "", reason)
                last = reader.line_num
                continue
            line, last = last + 1, reader.line_num
            if not cells or cells == [""]:
                continue  # a blank line is no row
            if len(cells) != len(columns):
                yield reject(line, "", f"has {len(cells)} fields where the header has "
                                       f"{len(columns)}")
                continue
            values: dict[str, Any] = {}
            problem: tuple[str, str] | None = None
            # Almost every row is short ASCII without NUL: one test of the joined row
            # spares three tests of each of its cells.
            whole = "".join(cells)
            suspect = "\x00" in whole or not whole.isascii() or len(whole) > MAX_CELL
            for column, cell in zip(columns, cells, strict=True):
                if suspect and "\x00" in cell:
                    problem = (column.name, "holds a NUL byte")
                elif suspect and _not_utf8(cell):
                    problem = (column.name, "holds bytes that are not UTF-8")
                elif suspect and len(cell) > MAX_CELL:
                    problem = (column.name, f"is longer than {MAX_CELL} characters")
                elif not cell.strip():
                    if column.required:
                        problem = (column.name, "is required but empty")
                    values[column.name] = column.default
                    continue
                else:
                    try:
                        values[column.name] = column.parse(cell)
                    except CellError as exc:
                        problem = (column.name, str(exc))
                if problem:
                    break
            if problem is not None:
                yield reject(line, *problem)
                continue
            for column in absent:
                values[column.name] = column.default
            broken = check_row(spec, values, extracted=extracted,
                               partner_kind=delivery.manifest.partner_kind)
            if broken is not None:
                yield reject(line, *broken)
                continue
            # the values in the file's column order, the same for every row of the file
            first = seen.first_line(tuple(values.values()), line)
            if first is not None:
                yield reject(line, "", f"duplicate of line {first}")
                continue
            yield Row(line, values)


def split_when(value: date | datetime | None) -> tuple[date | None, datetime | None]:
    """A date or date-time as (its day, the date-time if a time was given)."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.date(), value
    return value, None
