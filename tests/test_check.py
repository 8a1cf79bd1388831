"""The dry run of a delivery (ingest/check.py, `schakel check`): it finds what ingest
would reject, says what is new and what is known, refuses what ingest refuses, and
stores nothing."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path

from typer.testing import CliRunner

from graph.settings import Settings
from graph.store import Store
from ingest.check import check_delivery
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from schakel.cli import app
from tests.helpers import INCIDENTS, INVOLVEMENTS, MANIFEST, basic_files, cli_env, delivery

KEY = TeamKey("demo", DEMO_KEY)

# Rows that only the graph can judge: an incident at a place that exists nowhere, an
# involvement in an incident that exists nowhere, and one in the incident that is lost.
MIXED = basic_files(**{
    "incidents.csv": INCIDENTS + "I3,theft,2016-02-13,L9,\nI4,theft,not-a-date,L1,\n",
    "involvements.csv": INVOLVEMENTS + "I9,P1,suspect\nI3,P2,suspect\nI1,P3,present\n",
})


def totals(store: Store) -> int:
    return sum(store.count_nodes().values())


def test_a_dry_run_rejects_what_ingest_rejects_and_stores_nothing(store: Store,
                                                                  tmp_path: Path) -> None:
    path = delivery(tmp_path, MIXED)
    checked = check_delivery(store, path, KEY)
    assert totals(store) == 0  # nothing stored, not even the Delivery node
    assert checked.status == 1 and checked.loaded_before is None
    found = {(r.file, r.line, r.column) for r in checked.rejects}
    assert ("incidents.csv", 4, "location_ref") in found  # L9 exists nowhere
    assert ("involvements.csv", 6, "incident_ref") in found  # I9 exists nowhere
    assert ("involvements.csv", 7, "incident_ref") in found  # I3 was itself rejected

    loaded = ingest_delivery(store, path, KEY, standing=None)
    # the same rejects, the same counts, file by file: the dry run is what ingest does
    assert [asdict(r) for r in checked.rejects] == [asdict(r) for r in loaded.rejects]
    assert [(f.file, f.read, f.loaded, f.rejected) for f in checked.checks] == \
        [(f.file, f.read, f.loaded, f.rejected) for f in loaded.files]
    incidents = next(f for f in checked.checks if f.file == "incidents.csv")
    assert (incidents.new, incidents.known) == (2, 0)


def test_new_and_known_and_a_delivery_loaded_before(store: Store, tmp_path: Path) -> None:
    first = delivery(tmp_path, basic_files(), name="first")
    assert ingest_delivery(store, first, KEY, standing=None).status == 0
    again = check_delivery(store, first, KEY)
    assert again.loaded_before is not None and again.loaded_before.status == "complete"
    assert again.loaded_before.ref == again.ref
    counts = {f.file: (f.new, f.known) for f in again.checks}
    assert counts["locations.csv"] == (0, 2) and counts["incidents.csv"] == (0, 2)
    assert counts["involvements.csv"] == (None, None)  # links have no ref of their own

    more = basic_files(**{"incidents.csv": INCIDENTS + "I5,theft,2016-02-14,L2,\n"})
    later = check_delivery(store, delivery(tmp_path, more, name="later"), KEY)
    assert later.loaded_before is None and later.status == 0
    assert {f.file: (f.new, f.known) for f in later.checks}["incidents.csv"] == (1, 2)


def test_hostile_archives_are_refused_as_ingest_refuses_them(store: Store,
                                                             tmp_path: Path) -> None:
    def zipped(name: str, entries: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, content in entries.items():
                archive.writestr(entry, content)
        return path

    manifest = json.dumps(MANIFEST).encode()
    inner = zipped("inner.zip", {"manifest.json": manifest})
    cases = {
        "escape.zip": ({"manifest.json": manifest, "../persons.csv": b"person_ref\nP1\n"},
                       "outside the delivery folder"),
        "nested.zip": ({"manifest.json": manifest, "more.zip": inner.read_bytes()},
                       "more.zip is not a file of exchange format"),
        "latin1.zip": ({"manifest.json": manifest,
                        "persons.csv": "person_ref\u00e9,birth_year\nP1,2004\n".encode("latin-1")},
                       "not UTF-8"),
    }
    for name, (entries, reason) in cases.items():
        checked = check_delivery(store, zipped(name, entries), KEY)
        assert checked.status == 2 and any(reason in r for r in checked.refused), checked.refused
    assert totals(store) == 0


def test_the_command_line(neo4j_settings: Settings, store: Store, tmp_path: Path) -> None:
    env = cli_env(neo4j_settings, SCHAKEL_HOME=str(tmp_path / "home"))
    runner = CliRunner()
    good = delivery(tmp_path, basic_files(), name="good")
    shown = runner.invoke(app, ["check", str(good)], env=env, catch_exceptions=False)
    assert shown.exit_code == 0, shown.output
    assert "a dry run, nothing stored" in " ".join(shown.output.split())
    mixed = delivery(tmp_path, MIXED, name="mixed")
    rejects = tmp_path / "rejects.csv"
    as_json = runner.invoke(app, ["check", str(mixed), str(tmp_path / "nothing"), "--json",
                                  "--rejects", str(rejects)], env=env, catch_exceptions=False)
    assert as_json.exit_code == 2, as_json.output  # the missing one is refused whole
    start = as_json.stdout.index("[")
    document = json.loads(as_json.stdout[start:as_json.stdout.rindex("]") + 1])
    assert [d["status"] for d in document] == [1, 2]
    assert {"file": "involvements.csv", "line": 6, "column": "incident_ref",
            "reason": "names an incident that is in neither this delivery nor the graph"} \
        in document[0]["rejects"]
    assert "involvements.csv,6,incident_ref" in rejects.read_text()
    assert totals(store) == 0
