"""A whole synthetic scenario: the graph holds exactly what the files say, a second
load changes nothing, a load killed half-way or cut short by Neo4j stopping completes on
the next run, and no raw identifier reaches the database, a log or the rejects report."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph import local_neo4j
from graph.settings import LocalNeo4j, Settings
from graph.store import Store
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios.synth import generate
from tests.helpers import SCHAKEL, cli_env, delivery, dump, minors, schakel, totals

PERSON_COLUMNS = ("person_ref", "other_ref", "related_person_ref")


def pseudonym(raw: str) -> str:
    return hmac.new(DEMO_KEY, raw.strip().encode(), hashlib.sha256).hexdigest()


def expected_counts(scenario: Path) -> tuple[Counter[str], Counter[str]]:
    """Nodes per label and relationships per type, worked out from the files alone."""
    sets: dict[str, set[object]] = {k: set() for k in (
        "Location", "Incident", "Signal", "Identifier", "Person", "Delivery")}
    rels: dict[str, set[object]] = {}

    def rel(kind: str, key: object) -> None:
        rels.setdefault(kind, set()).add(key)

    for folder in sorted(p for p in scenario.iterdir() if p.is_dir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        sets["Delivery"].add(folder.name)
        fix = (lambda v: v) if manifest["pseudonymised"] else pseudonym

        def rows(name: str, folder: Path = folder) -> list[dict[str, str]]:
            path = folder / name
            return list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []

        for r in rows("locations.csv"):
            sets["Location"].add(r["location_ref"])
        for name in ("persons.csv", "involvements.csv", "signals.csv", "relations.csv",
                     "stays.csv", "identifiers.csv", "aliases.csv"):
            for r in rows(name):
                for column in PERSON_COLUMNS:
                    if r.get(column):
                        sets["Person"].add(fix(r[column]))
        for r in rows("incidents.csv"):
            sets["Incident"].add(r["incident_ref"])
            rel("AT", ("incident", r["incident_ref"]))
        roles = {"suspect": "SUSPECT_IN", "victim": "VICTIM_IN", "witness": "WITNESS_IN",
                 "reporter": "REPORTED", "present": "PRESENT_AT", "collector": "COLLECTED_AFTER"}
        for r in rows("involvements.csv"):
            rel(roles[r["role"]], (fix(r["person_ref"]), r["incident_ref"]))
        for r in rows("signals.csv"):
            sets["Signal"].add(r["signal_ref"])
            rel("ABOUT", r["signal_ref"])
            if r["location_ref"]:
                rel("AT", ("signal", r["signal_ref"]))
            if r["related_person_ref"]:
                rel("NAMES", r["signal_ref"])
        kinds = {"parent": "PARENT_OF", "sibling": "SIBLING_OF", "household": "SAME_HOUSEHOLD",
                 "legal_guardian": "LEGAL_GUARDIAN_OF", "partner": "PARTNER_OF",
                 "caseworker": "CASEWORKER_OF", "associate": "ASSOCIATE_OF"}
        for r in rows("relations.csv"):
            rel(kinds[r["kind"]], (fix(r["person_ref"]), fix(r["other_ref"])))
        for r in rows("stays.csv"):
            rel("STAYED_AT", (fix(r["person_ref"]), r["location_ref"], r["from"]))
        for r in rows("identifiers.csv"):
            sets["Identifier"].add(fix(r["identifier_ref"]))
            rel("USES", (fix(r["person_ref"]), fix(r["identifier_ref"])))
        for r in rows("aliases.csv"):
            rel("SAME_AS", (fix(r["person_ref"]), fix(r["other_ref"])))
    return (Counter({k: len(v) for k, v in sets.items()}),
            Counter({k: len(v) for k, v in rels.items()}))


def graph_counts(store: Store) -> tuple[Counter[str], Counter[str]]:
    nodes = Counter({k: v for k, v in store.count_nodes().items()  # the files' records:
                     if v and k not in ("Minor", "Alert", "Watch", "Rule")})  # not the inbox
    rels = Counter({k: v for k, v in store.count_relationships().items() if v})
    return nodes, rels


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    generate(out, seed=7, scale=0.3, key=TeamKey("demo", DEMO_KEY))
    return out


def deliveries(scenario: Path) -> list[str]:
    return [str(p) for p in sorted(scenario.iterdir()) if p.is_dir()]


def test_synth_is_deterministic_and_the_seed_matters(tmp_path: Path) -> None:
    key = TeamKey("demo", DEMO_KEY)

    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
        return h.hexdigest()

    generate(tmp_path / "a", seed=3, scale=0.2, key=key)
    generate(tmp_path / "b", seed=3, scale=0.2, key=key)
    generate(tmp_path / "c", seed=4, scale=0.2, key=key)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    truth = json.loads((tmp_path / "a" / "truth.json").read_text())
    assert truth["exploiters"] and truth["helpers"]
    assert set(truth["decoys"]) == {"caseworker", "parent", "prolific_offender",
                                    "shelter_staff", "store_detective", "street_worker"}
    kinds = {s["kind"] for s in truth["structures"]}
    assert kinds == {"itinerant_family_network", "county_line", "local_recruiter"}


def test_scenario_loads_cleanly_twice_and_matches_the_files(
        neo4j_settings: Settings, store: Store, scenario: Path) -> None:
    first = schakel(neo4j_settings, "ingest", *deliveries(scenario))
    assert first.returncode == 0, first.stderr
    expected_nodes, expected_rels = expected_counts(scenario)
    assert graph_counts(store) == (expected_nodes, expected_rels)
    before = dump(store)
    second = schakel(neo4j_settings, "ingest", *deliveries(scenario))
    assert second.returncode == 0, second.stderr
    assert dump(store) == before
    truth = json.loads((scenario / "truth.json").read_text())
    planted = {m for s in truth["structures"] for m in s["minors"]}
    marked = minors(store)
    assert len(marked) > 0 and len(planted & marked) >= 0.8 * len(planted)


def _stable(d: dict[str, Any]) -> dict[str, Any]:
    """A dump without the load times of Delivery nodes, which differ from run to run."""
    for node in d["nodes"]:
        for key in ("loaded_at", "completed_at"):
            node["props"].pop(key, None)
    return d


def _big_police(settings: Settings, store: Store, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A scale-1 scenario, and the dump of its police delivery loaded whole into ``store``."""
    generate(tmp_path / "big", seed=11, scale=1.0, key=TeamKey("demo", DEMO_KEY))
    assert schakel(settings, "ingest", str(tmp_path / "big" / "police-nl")).returncode == 0
    return tmp_path / "big", _stable(dump(store))


def _until_persons_land(store: Store, proc: subprocess.Popen[str] | subprocess.Popen[bytes]
                        ) -> None:
    """Wait (at most 120 s) until ``proc``'s load has written a person to ``store``."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if store.run("MATCH (p:Person) RETURN count(p) AS c")[0]["c"] > 0:
            return
        time.sleep(0.05)


def test_a_load_killed_half_way_completes_with_the_right_counts(
        neo4j_settings: Settings, store: Store, tmp_path: Path) -> None:
    scenario, reference = _big_police(neo4j_settings, store, tmp_path)
    police = str(scenario / "police-nl")
    store.reset()

    proc = subprocess.Popen([SCHAKEL, "ingest", police], env=cli_env(neo4j_settings),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _until_persons_land(store, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The parser process the loader forked has the loader's command line; with the
    # loader gone its pipe breaks and it must end too, not linger as an orphan.
    for _ in range(100):
        leftover = subprocess.run(["pgrep", "-f", police], capture_output=True, text=True)
        if not leftover.stdout.strip():
            break
        time.sleep(0.1)
    assert not leftover.stdout.strip(), "the parser process outlived the killed loader"
    status = store.run("MATCH (d:Delivery) RETURN d.status AS s")
    assert status == [{"s": "loading"}], "the kill must land half-way through the load"
    assert totals(store)[0] < len(reference["nodes"])

    again = schakel(neo4j_settings, "ingest", police)
    assert again.returncode == 0, again.stderr
    assert _stable(dump(store)) == reference


@pytest.mark.launcher
def test_a_load_cut_short_by_neo4j_stopping_completes_with_the_right_counts(
        neo4j_settings: Settings, store: Store, local_config: LocalNeo4j,
        tmp_path: Path) -> None:
    """Neo4j stops mid-load: one clear message, no stack trace, exit 2; the next load,
    once Neo4j runs again, completes the delivery to exactly the graph of a whole load."""
    scenario, reference = _big_police(neo4j_settings, store, tmp_path)
    police, youth = (str(scenario / name) for name in ("police-nl", "youth-care"))

    second = Settings.from_env({"SCHAKEL_HOME": str(tmp_path / "home"), **local_config.env()})
    with local_neo4j.serve(second.local), Store.connect(second) as other:
        proc = subprocess.Popen([SCHAKEL, "ingest", police, youth], env=cli_env(second),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _until_persons_land(other, proc)
        local_neo4j.stop(second.local)
        output, errors = proc.communicate(timeout=300)
    assert proc.returncode == 2, output + errors
    message = " ".join(errors.split())
    assert "Neo4j stopped answering at " + second.uri in message
    assert f"Delivery {police} did not complete: load it again" in message
    assert "The delivery after it was not started." in message
    assert "Traceback" not in output + errors

    with local_neo4j.serve(second.local), Store.connect(second) as other:
        status = other.run("MATCH (d:Delivery) RETURN d.partner AS p, d.status AS s")
        assert status == [{"p": "police-nl", "s": "loading"}], "the stop must land half-way"
        assert totals(other)[0] < len(reference["nodes"])
        again = schakel(second, "ingest", police)
        assert again.returncode == 0, again.stderr
        assert _stable(dump(other)) == reference


RAW_PERSONS = ["BSN-123456782", "Jansen, Jan 12-03-2004", "NL-ID-XK12345", "Petrov-Ivanov 99"]
RAW_IDENTIFIERS = ["+31612345678", "GH-123-J", "NL91ABNA0417164300"]


def test_no_raw_identifier_reaches_the_database_logs_or_rejects(
        neo4j_settings: Settings, store: Store, tmp_path: Path) -> None:
    a, b, c, d = RAW_PERSONS
    phone, plate, account = RAW_IDENTIFIERS
    files = {
        "locations.csv": "location_ref,kind,city\nL1,shelter,Utrecht\n",
        "persons.csv": f'person_ref,birth_year\n{a},2004\n"{b}",2003\n{c},1970\n{d},2030\n',
        "incidents.csv": "incident_ref,kind,occurred_at,location_ref\nI1,theft,2016-01-02,L1\n",
        "involvements.csv": f'incident_ref,person_ref,role\nI1,{a},suspect\nI1,{c},collector\n'
                            f'I404,"{b}",suspect\nI1,{d},boss\n',
        "signals.csv": "signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
                       f"S1,{a},claimed_relative,2016-01-02,L1,{c}\n"
                       f"S2,{a},runaway,2016-13-40,L1,\n",
        "relations.csv": f'person_ref,other_ref,kind\n{c},{a},partner\n"{b}",{c},cousin\n',
        "identifiers.csv": f"person_ref,kind,identifier_ref\n{a},phone,{phone}\n"
                           f"{c},phone,{phone}\n{c},vehicle,{plate}\n{d},account,{account}\n"
                           f"{c},fax,{account}\n",
        "aliases.csv": f'person_ref,other_ref,basis\n{a},"{b}",fingerprint\n{a},{a},photo\n',
        "stays.csv": f"person_ref,location_ref,from\n{a},L1,2015-12-01\n{d},L404,2015-12-01\n",
    }
    folder = delivery(tmp_path, files, pseudonymised=False, partner="shelter-utrecht",
                      partner_kind="shelter")
    rejects = tmp_path / "rejects.csv"
    result = schakel(neo4j_settings, "ingest", str(folder), "--rejects", str(rejects))
    assert result.returncode == 1, result.stderr
    assert len(rejects.read_text().splitlines()) > 6  # the bad rows were reported

    stored = json.dumps(dump(store), ensure_ascii=False)
    # the pseudonyms are there, so the rows did load ...
    assert pseudonym(a) in stored and pseudonym(phone) in stored
    haystacks = {"database": stored, "stdout": result.stdout, "stderr": result.stderr,
                 "rejects": rejects.read_text()}
    if neo4j_settings.uses_local_neo4j:
        for path in neo4j_settings.local.data_dir.rglob("*"):
            if path.is_file() and (path.suffix == ".log" or "logs" in path.parts):
                haystacks[str(path)] = path.read_text(errors="replace")
    # ... and no raw value, nor a recognisable part of one, is anywhere
    for raw in RAW_PERSONS + RAW_IDENTIFIERS:
        needles = {raw, raw.split(",")[0], raw.replace("-", "")}
        for where, text in haystacks.items():
            for needle in needles:
                assert needle not in text, f"{needle!r} found in {where}"
