"""The rejects report: one CSV row per rejected row or refused delivery."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from ingest.load import DeliveryReport

COLUMNS = ("delivery", "file", "line", "column", "reason")


def write_rejects(path: Path, reports: Iterable[DeliveryReport]) -> int:
    """Write every reject and refusal to ``path``; return how many rows were written.

    Reasons never hold a cell's value, so the report holds no raw identifier.
    """
    written = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for report in reports:
            for reason in report.refused:
                out.writerow([report.ref or report.source, "", "", "", reason])
                written += 1
            for r in report.rejects:
                out.writerow([r.delivery, r.file, r.line, r.column, r.reason])
                written += 1
    return written
