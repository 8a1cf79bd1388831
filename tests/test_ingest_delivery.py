"""Whole deliveries: refusals that store nothing, zips, exit codes, idempotence."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from graph.settings import Settings
from graph.store import Store
from ingest import delivery as delivery_module
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.helpers import (
    INCIDENTS,
    MANIFEST,
    PERSONS,
    basic_files,
    delivery,
    dump,
    schakel,
    totals,
)

KEY = TeamKey("demo", DEMO_KEY)


def refused(store: Store, path: Path, key: TeamKey = KEY) -> list[str]:
    report = ingest_delivery(store, path, key)
    assert report.status == 2, report
    assert totals(store) == (0, 0), "a refused delivery must store nothing"
    return report.refused


@pytest.mark.parametrize(("column", "words"), [
    ("name", "may not be delivered"),
    ("nationality", "may not be delivered"),
    ("ethnicity", "may not be delivered"),
    ("date_of_birth", "may not be delivered"),
    ("shoe_size", "unknown column 'shoe_size'"),
])
def test_a_column_outside_the_format_refuses_the_delivery(
        store: Store, tmp_path: Path, column: str, words: str) -> None:
    persons = f"person_ref,birth_year,{column}\nP1,2004,x\n"
    reasons = refused(store, delivery(tmp_path, basic_files(**{"persons.csv": persons})))
    assert any("persons.csv" in r and words in r for r in reasons), reasons


def test_the_name_column_is_allowed_where_the_format_has_it(store: Store, tmp_path: Path) -> None:
    report = ingest_delivery(store, delivery(tmp_path, basic_files()), KEY)
    assert report.status == 0  # locations.csv has a generic `name`


@pytest.mark.parametrize(("filename", "content", "words"), [
    ("incidents.csv", "incident_ref,kind,location_ref\nI1,theft,L1\n",
     "required column 'occurred_at' is missing"),
    ("incidents.csv", "incident_ref,kind,kind,occurred_at,location_ref\n", "appears twice"),
    ("incidents.csv", "", "empty: a header row is required"),
    ("persons.csv", b"person_ref,birth_\xffyear\n", "header row is not UTF-8"),
    ("victims.csv", "person_ref\nP1\n", "victims.csv is not a file of exchange format v1"),
])
def test_a_bad_header_or_file_refuses_the_delivery(store: Store, tmp_path: Path, filename: str,
                                                   content: str | bytes, words: str) -> None:
    reasons = refused(store, delivery(tmp_path, basic_files(**{filename: content})))
    assert any(words in r for r in reasons), reasons


@pytest.mark.parametrize(("change", "words"), [
    ({"format": "exchange/2"}, "format"),
    ({"partner_kind": "bank"}, "partner_kind"),
    ({"extracted_at": "2016-03-01T09:00:00"}, "needs an offset"),
    ({"extracted_at": "yesterday"}, "extracted_at"),
    ({"pseudonymised": "yes"}, "pseudonymised"),
    ({"partner": "Police Amsterdam!"}, "partner"),
    ({"colour": "blue"}, "colour: not a field of exchange format v1"),
    ({"key_id": "jit-2016-b"}, "key_id 'jit-2016-b' is not the team key configured here"),
])
def test_a_bad_manifest_refuses_the_delivery(store: Store, tmp_path: Path,
                                             change: dict[str, Any], words: str) -> None:
    reasons = refused(store, delivery(tmp_path, basic_files(), **change))
    assert any(words in r for r in reasons), reasons


def test_missing_manifest_and_broken_json(store: Store, tmp_path: Path) -> None:
    folder = delivery(tmp_path, basic_files())
    (folder / "manifest.json").write_text("{not json")
    assert any("not valid JSON" in r for r in refused(store, folder))
    (folder / "manifest.json").unlink()
    assert any("no manifest.json" in r for r in refused(store, folder))
    missing = {k: v for k, v in MANIFEST.items() if k != "partner"}
    (folder / "manifest.json").write_text(json.dumps(missing))
    assert any("partner: missing" in r for r in refused(store, folder))


def zip_of(path: Path, entries: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def test_a_zip_of_one_folder_loads_like_the_folder(store: Store, tmp_path: Path) -> None:
    entries: dict[str, bytes | str] = {"police-2016/manifest.json": json.dumps(MANIFEST)}
    entries.update({f"police-2016/{k}": v for k, v in basic_files().items()})
    report = ingest_delivery(store, zip_of(tmp_path / "d.zip", entries), KEY)
    assert report.status == 0 and report.loaded == 11
    assert store.count_nodes()["Incident"] == 2


@pytest.mark.parametrize("evil", ["../evil.csv", "/etc/cron.d/evil", "d/../../evil.csv"])
def test_a_zip_entry_that_escapes_the_folder_refuses_it(store: Store, tmp_path: Path,
                                                        evil: str) -> None:
    entries: dict[str, bytes | str] = {"manifest.json": json.dumps(MANIFEST),
                                       "persons.csv": PERSONS, evil: "x"}
    reasons = refused(store, zip_of(tmp_path / "d.zip", entries))
    assert any("outside the delivery folder" in r for r in reasons), reasons


def test_a_zip_symlink_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(MANIFEST))
        link = zipfile.ZipInfo("persons.csv")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    assert any("symbolic link" in r for r in refused(store, path))


def test_a_symlink_in_a_folder_delivery_is_refused(store: Store, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(PERSONS)
    folder = delivery(tmp_path, {"locations.csv": "location_ref,kind,city\nL1,shop,Utrecht\n"})
    (folder / "persons.csv").symlink_to(outside)
    assert any("persons.csv is a symbolic link" in r for r in refused(store, folder))


def test_os_litter_beside_the_files_is_ignored(store: Store, tmp_path: Path) -> None:
    folder = delivery(tmp_path, basic_files(**{".DS_Store": "x", "__MACOSX/._persons.csv": "x"}))
    assert ingest_delivery(store, folder, KEY).status == 0


def test_a_zip_bomb_is_refused_before_unpacking(store: Store, tmp_path: Path) -> None:
    entries: dict[str, bytes | str] = {"manifest.json": json.dumps(MANIFEST),
                                       "persons.csv": b"person_ref\n" + b"\n" * 50_000_000}
    reasons = refused(store, zip_of(tmp_path / "d.zip", entries))
    assert any("zip bomb" in r for r in reasons), reasons


def test_a_zip_that_unpacks_past_the_limit_is_refused(store: Store, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery_module, "MAX_UNPACKED_BYTES", 1000)
    entries: dict[str, bytes | str] = {"manifest.json": json.dumps(MANIFEST),
                                       "incidents.csv": INCIDENTS * 20}
    reasons = refused(store, zip_of(tmp_path / "d.zip", entries))
    assert any("more than the" in r for r in reasons), reasons


def test_not_a_delivery_at_all(store: Store, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert any("neither a folder nor a .zip" in r for r in refused(store, tmp_path / "notes.txt"))
    assert any("no such file" in r for r in refused(store, tmp_path / "absent"))
    # A .zip that is not one (cut short in transfer): said so, not "not a .zip file".
    whole = zip_of(tmp_path / "whole.zip", {"manifest.json": json.dumps(MANIFEST)}).read_bytes()
    (tmp_path / "cut.zip").write_bytes(whole[: len(whole) // 2])
    assert refused(store, tmp_path / "cut.zip") == [
        f"{tmp_path / 'cut.zip'}: not a readable zip file (damaged, cut short, or not a zip)"]


def test_loading_the_same_delivery_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    folder = delivery(tmp_path, basic_files(**{"incidents.csv": INCIDENTS + "I9,theft,x,L1,\n"}))
    first = ingest_delivery(store, folder, KEY)
    before = dump(store)
    second = ingest_delivery(store, folder, KEY)
    assert dump(store) == before
    assert (first.status, second.status) == (1, 1)
    assert [(r.file, r.line, r.reason) for r in first.rejects] == \
        [(r.file, r.line, r.reason) for r in second.rejects]


def test_cli_exit_codes_summary_and_rejects_report(neo4j_settings: Settings, store: Store,
                                                   tmp_path: Path) -> None:
    good = delivery(tmp_path, basic_files(), name="good")
    bad_rows = delivery(tmp_path, basic_files(**{"incidents.csv": INCIDENTS + "I9,x,y,z,\n"}),
                        name="bad-rows", partner="police-utrecht")
    refused_one = delivery(tmp_path, basic_files(**{"persons.csv": "person_ref,ethnicity\n"}),
                           name="refused", partner="police-leiden")
    result = schakel(neo4j_settings, "ingest", str(good))
    assert result.returncode == 0, result.stderr
    assert "incidents.csv" in result.stdout and "loaded" in result.stdout

    rejects = tmp_path / "rejects.csv"
    result = schakel(neo4j_settings, "ingest", str(bad_rows), "--rejects", str(rejects))
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(rejects.read_text())))
    assert [(r["file"], r["line"], r["column"]) for r in rows] == [("incidents.csv", "4", "kind")]
    assert rows[0]["delivery"].startswith("police-utrecht:")
    assert "incidents.csv:4: kind is not one of" in result.stderr

    result = schakel(neo4j_settings, "ingest", str(refused_one), str(good))
    assert result.returncode == 2
    assert "refused" in result.stderr and "may not be delivered" in result.stderr
    assert "Traceback" not in result.stderr
    assert store.run("MATCH (d:Delivery {partner: 'police-leiden'}) RETURN count(d) AS c")[0][
        "c"] == 0
