"""A dry run of a delivery: everything :func:`ingest.load.ingest_delivery` would check,
and what it would add, with nothing stored.

It refuses what ``ingest`` refuses (a hostile or broken zip, the layout, the manifest, a
header, another team key), rejects the rows ``ingest`` would reject — each with file,
line, column and reason — including rows naming a place, incident or person that is in
neither the delivery nor the graph, and counts per file the rows read, the rows that
would load, and, for records with a ref of their own (places, persons, incidents,
signals), how many are new to the graph and how many it already knows. It says when the
same delivery (byte for byte) was loaded before. ``schakel check`` and the upload page's
preview show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.known import Loaded, existing, loaded_before
from graph.schema import Label
from graph.store import Store
from ingest.delivery import open_delivery
from ingest.errors import DeliveryRefused
from ingest.load import DeliveryReport, FileReport, missing_reason, rows_key
from ingest.parser import Batch, FileEnded, parsed
from ingest.pseudonymise import TeamKey
from ingest.rows import Reject

# The ref each file gives its records, and the label of those records.
OWN_REF: dict[str, tuple[str, Label]] = {
    "locations.csv": ("location_ref", Label.LOCATION),
    "persons.csv": ("person_ref", Label.PERSON),
    "incidents.csv": ("incident_ref", Label.INCIDENT),
    "signals.csv": ("signal_ref", Label.SIGNAL),
}
# What a file's rows name that must exist when they are written (graph.writes: the
# rows' check), with the file of this delivery that can define it.
NAMES: dict[str, tuple[str, Label, str]] = {
    "incidents.csv": ("location_ref", Label.LOCATION, "locations.csv"),
    "signals.csv": ("location_ref", Label.LOCATION, "locations.csv"),
    "stays.csv": ("location_ref", Label.LOCATION, "locations.csv"),
    "involvements.csv": ("incident_ref", Label.INCIDENT, "incidents.csv"),
    "professionals.csv": ("person_ref", Label.PERSON, "persons.csv"),
}


@dataclass
class FileCheck(FileReport):
    """A file's counts in a dry run: ``loaded`` is what would load."""

    new: int | None = None  # records with a ref the graph does not hold yet
    known: int | None = None  # records the graph already holds (they would be updated)


@dataclass
class Checked(DeliveryReport):
    """A delivery's dry run: the report ``ingest`` would give, and more."""

    loaded_before: Loaded | None = None

    @property
    def checks(self) -> list[FileCheck]:
        return [f for f in self.files if isinstance(f, FileCheck)]


def check_delivery(store: Store, path: Path, key: TeamKey, *,
                   partner: str | None = None) -> Checked:
    """Check ``path`` as ``ingest`` would load it into ``store``'s graph; store nothing.
    ``partner``: count as known only the records this partner delivered before (for a
    partner's user, who may not learn what other partners hold)."""
    report = Checked(source=str(path))
    try:
        with open_delivery(path) as delivery:
            manifest = delivery.manifest
            report.ref, report.partner = delivery.ref, manifest.partner
            row_key = rows_key(delivery, key)
            report.loaded_before = loaded_before(store, delivery.checksum)
            names = [f.name for f in delivery.files]
            rejects: list[list[Reject]] = [[] for _ in names]
            # of each good row, only what the checks below read: its own ref, what it names
            own: list[dict[int, str]] = [{} for _ in names]
            named: list[dict[int, str]] = [{} for _ in names]
            with parsed(path, delivery.checksum, row_key) as messages:
                for message in messages:
                    if isinstance(message, (Batch, FileEnded)):
                        rejects[message.number].extend(message.rejects)
                    if isinstance(message, Batch):
                        name = names[message.number]
                        for line, row in zip(message.lines, message.params, strict=True):
                            own[message.number][line] = str(row[OWN_REF[name][0]]) \
                                if name in OWN_REF else ""
                            if name in NAMES and row.get(NAMES[name][0]) is not None:
                                named[message.number][line] = str(row[NAMES[name][0]])
            defined: dict[str, set[str]] = {}  # the refs of the rows that would load
            for number, name in enumerate(names):  # in load order, as ingest writes them
                lost = _unnamed(store, delivery.ref, name, named[number], defined)
                defined[name] = {ref for line, ref in own[number].items() if line not in lost}
                rejects[number].extend(lost.values())
                counts = FileCheck(name, rejected=len(rejects[number]),
                                   loaded=len(own[number]) - len(lost))
                counts.read = counts.loaded + counts.rejected
                if name in OWN_REF:
                    counts.known = len(existing(store, OWN_REF[name][1], defined[name],
                                                partner=partner))
                    counts.new = len(defined[name]) - counts.known
                report.files.append(counts)
                report.rejects.extend(sorted(rejects[number], key=lambda r: r.line))
    except DeliveryRefused as exc:
        report.refused = [f"{exc.source}: {reason}" for reason in exc.reasons]
    return report


def _unnamed(store: Store, delivery: str, name: str, named: dict[int, str],
             defined: dict[str, set[str]]) -> dict[int, Reject]:
    """The rows of file ``name`` (by line, what they name) that name a record in neither
    the delivery nor the graph, each as the reject ``ingest`` would give it."""
    if name not in NAMES or not named:
        return {}
    column, label, defining = NAMES[name]
    wanted = set(named.values()) - defined.get(defining, set())
    absent = wanted - existing(store, label, wanted) if wanted else set()
    return {line: Reject(delivery, name, line, column, missing_reason(label))
            for line, ref in named.items() if ref in absent}


def document(report: Checked) -> dict[str, object]:
    """The dry run as JSON: the same counts and rejects as the tables (no cell value)."""
    before = report.loaded_before
    return {
        "source": report.source, "delivery": report.ref or None,
        "partner": report.partner or None, "status": report.status,
        "refused": report.refused,
        "loaded_before": None if before is None else {
            "delivery": before.ref, "status": before.status,
            "loaded_at": before.loaded_at.isoformat() if before.loaded_at else None},
        "files": [{"file": f.file, "read": f.read, "would_load": f.loaded,
                   "rejected": f.rejected, "new": f.new, "known": f.known}
                  for f in report.checks],
        "rejects": [{"file": r.file, "line": r.line, "column": r.column, "reason": r.reason}
                    for r in report.rejects],
    }
