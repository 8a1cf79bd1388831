"""Row by row: every bad input becomes a reject with file, line, column and reason,
and never stops the good rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import Store
from ingest.load import DeliveryReport, ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.helpers import INCIDENTS, LOCATIONS, basic_files, delivery, minors

KEY = TeamKey("demo", DEMO_KEY)


def load(store: Store, folder: Path) -> DeliveryReport:
    report = ingest_delivery(store, folder, KEY)
    assert not report.refused, report.refused
    return report


def only_reject(report: DeliveryReport) -> tuple[str, int, str, str]:
    assert len(report.rejects) == 1, report.rejects
    r = report.rejects[0]
    return r.file, r.line, r.column, r.reason


def incident_count(store: Store) -> int:
    return int(store.run("MATCH (i:Incident) RETURN count(i) AS c")[0]["c"])


def test_a_clean_delivery_loads_every_row(store: Store, tmp_path: Path) -> None:
    report = load(store, delivery(tmp_path, basic_files()))
    assert report.status == 0
    assert [(f.file, f.read, f.loaded, f.rejected) for f in report.files] == [
        ("locations.csv", 2, 2, 0), ("persons.csv", 3, 3, 0),
        ("incidents.csv", 2, 2, 0), ("involvements.csv", 4, 4, 0)]
    counts = store.count_nodes()
    assert (counts["Location"], counts["Incident"], counts["Person"]) == (2, 2, 4)
    rels = store.count_relationships()
    assert (rels["SUSPECT_IN"], rels["COLLECTED_AFTER"], rels["VICTIM_IN"], rels["AT"]) == \
        (2, 1, 1, 2)
    loc = store.run("MATCH (l:Location {ref: 'L2'}) RETURN l.country AS c")[0]
    assert loc["c"] == "NL"  # the format's default
    t = store.run("MATCH (i:Incident {ref: 'I2'}) RETURN toString(i.occurred_at) AS d, "
                  "toString(i.occurred_time) AS t")[0]
    assert t == {"d": "2016-02-12", "t": "2016-02-12T14:05:00+01:00"}


BAD_INCIDENT_ROWS = [
    ("I3,pickpocketing,2016-02-30,L1,", "occurred_at", "not a date of the calendar"),
    ("I3,pickpocketing,11-02-2016,L1,", "occurred_at", "not an ISO 8601 date"),
    ("I3,pickpocket,2016-02-11,L1,", "kind", "is not one of: pickpocketing"),
    ("I3,theft,2016-02-11,L1,solved", "status", "is not one of"),
    ("I3,theft,2016-02-11,L9,", "location_ref", "names a location that is in neither"),
    ("I3,theft,2016-04-11,L1,", "occurred_at", "after the extract"),
    ("I3,theft,,L1,", "occurred_at", "required but empty"),
    ("I3,theft,2016-02-11", "", "has 3 fields where the header has 5"),
    ("I3,theft,2016-02-11,L1,,extra", "", "has 6 fields"),
    ("I3,theft,2016-02-11,L1,\"reported\"x", "", "malformed CSV: ',' expected after '\"'"),
    ("I" + "3" * 200 + ",theft,2016-02-11,L1,", "incident_ref", "longer than 128"),
    ("I1,pickpocketing,2016-02-11,L1,reported", "", "duplicate of line 2"),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD_INCIDENT_ROWS)
def test_bad_incident_row_is_rejected_and_the_rest_loads(
        store: Store, tmp_path: Path, row: str, column: str, reason: str) -> None:
    # the bad row stands between good ones: the one after it must load too
    incidents = INCIDENTS + row + "\nI4,theft,2016-02-13,L2,\n"
    report = load(store, delivery(tmp_path, basic_files(**{"incidents.csv": incidents})))
    file, line, col, why = only_reject(report)
    assert (file, line, col) == ("incidents.csv", 4, column)
    assert reason in why
    assert report.status == 1
    assert incident_count(store) == 3  # I1, I2 and I4
    assert store.run("MATCH (i:Incident {ref: 'I4'}) RETURN count(i) AS c")[0]["c"] == 1


def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed(
        store: Store, tmp_path: Path) -> None:
    incidents = INCIDENTS + 'I3,theft,2016-02-11,L1,"reported\nI4,theft,2016-02-13,L2,\n'
    report = load(store, delivery(tmp_path, basic_files(**{"incidents.csv": incidents})))
    assert only_reject(report) == (
        "incidents.csv", 4, "",
        "malformed CSV: a quote opened here is never closed, so lines 4 to 5 could not be read")
    assert incident_count(store) == 2


def test_non_utf8_bytes_reject_only_their_row(store: Store, tmp_path: Path) -> None:
    incidents = INCIDENTS.encode() + b"I3,theft,2016-02-11,L1,\xff\xfe\nI4,theft,2016-02-13,L2,\n"
    report = load(store, delivery(tmp_path, basic_files(**{"incidents.csv": incidents})))
    assert only_reject(report) == ("incidents.csv", 4, "status",
                                   "holds bytes that are not UTF-8")
    assert incident_count(store) == 3


def test_nul_byte_rejects_its_row(store: Store, tmp_path: Path) -> None:
    incidents = INCIDENTS + "I3,theft,2016-02-11,L1,rep\x00orted\nI4,theft,2016-02-13,L2,\n"
    report = load(store, delivery(tmp_path, basic_files(**{"incidents.csv": incidents})))
    assert only_reject(report) == ("incidents.csv", 4, "status", "holds a NUL byte")
    assert incident_count(store) == 3


def test_a_huge_cell_is_rejected_not_a_crash(store: Store, tmp_path: Path) -> None:
    huge = "x" * 200_000
    incidents = INCIDENTS + f"I3,theft,2016-02-11,L1,{huge}\nI4,theft,2016-02-13,L2,\n"
    report = load(store, delivery(tmp_path, basic_files(**{"incidents.csv": incidents})))
    file, line, column, reason = only_reject(report)
    assert (file, line, column) == ("incidents.csv", 4, "status")
    assert "longer than 1000" in reason
    assert incident_count(store) == 3


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_formula_prefix_in_free_text_is_rejected(store: Store, tmp_path: Path,
                                                 prefix: str) -> None:
    locations = LOCATIONS + f"L3,market,Leiden,NL,,,{prefix}HYPERLINK(\"http://x\")\n"
    report = load(store, delivery(tmp_path, basic_files(**{"locations.csv": locations})))
    file, line, column, reason = only_reject(report)
    assert (file, line, column) == ("locations.csv", 4, "name")
    assert "formula" in reason
    assert store.count_nodes()["Location"] == 2


def test_a_quoted_line_break_in_free_text_loads_and_later_lines_keep_their_numbers(
        store: Store, tmp_path: Path) -> None:
    """RFC 4180 quoting allows a line break in a cell; the spec names that quoting. Only
    the other control characters reject a name, and a rejected location would take
    every incident at it along."""
    locations = (LOCATIONS + 'L3,market,Leiden,NL,,,"Markt\r\n(noord)\tkraam 4"\n'
                 "L4,market,Delft,NL,,,Markt\x07\n")
    incidents = INCIDENTS + "I3,theft,2016-02-13,L3,\n"
    report = load(store, delivery(tmp_path, basic_files(**{"locations.csv": locations,
                                                           "incidents.csv": incidents})))
    file, line, column, reason = only_reject(report)
    assert (file, line, column) == ("locations.csv", 6, "name")  # L3 takes lines 4 and 5
    assert "control characters" in reason
    assert store.run("MATCH (:Incident {ref: 'I3'})-[:AT]->(l:Location {ref: 'L3'}) "
                     "RETURN l.name AS name") == [{"name": "Markt\r\n(noord)\tkraam 4"}]


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("P9,2017,m,", "birth_year", "birth year in the future"),
    ("P9,95,m,", "birth_year", "four-digit year"),
    ("P9,1985,male,", "sex", "is not one of: f, m, x"),
    ("P9,,,child", "category", "is not one of: minor, adult"),
    ("P\x019,1985,m,", "person_ref", "control characters"),
])
def test_bad_person_rows(store: Store, tmp_path: Path, row: str, column: str,
                         reason: str) -> None:
    persons = "person_ref,birth_year,sex,category\n" + row + "\nP8,1990,x,\n"
    report = load(store, delivery(tmp_path, {"persons.csv": persons}))
    file, line, col, why = only_reject(report)
    assert (file, line, col) == ("persons.csv", 2, column)
    assert reason in why
    assert store.run("MATCH (p:Person {ref: 'P8'}) RETURN count(p) AS c")[0]["c"] == 1


def test_coordinates_must_be_coarse(store: Store, tmp_path: Path) -> None:
    locations = LOCATIONS + "L3,market,Leiden,NL,52.16612,4.482,\n"
    report = load(store, delivery(tmp_path, {"locations.csv": locations}))
    assert only_reject(report)[2:] == ("lat", "has more than 3 decimals; coarsen coordinates "
                                              "to at most 3")


def test_involvement_of_unknown_incident_is_rejected_and_names_no_value(
        store: Store, tmp_path: Path) -> None:
    involvements = "incident_ref,person_ref,role\nI1,P1,suspect\nNOPE,P1,suspect\n"
    report = load(store, delivery(tmp_path, basic_files(**{"involvements.csv": involvements})))
    file, line, column, reason = only_reject(report)
    assert (file, line, column) == ("involvements.csv", 3, "incident_ref")
    assert reason == "names an incident that is in neither this delivery nor the graph"
    assert "NOPE" not in reason


def test_references_to_an_earlier_delivery_resolve(store: Store, tmp_path: Path) -> None:
    load(store, delivery(tmp_path, {"locations.csv": LOCATIONS}, name="first"))
    report = load(store, delivery(tmp_path, {"incidents.csv": INCIDENTS}, name="second",
                                  partner="police-utrecht"))
    assert report.status == 0 and incident_count(store) == 2


@pytest.mark.parametrize(("file", "rows"), [
    ("signals.csv", "signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
                    "S1,P1,runaway,2016-02-11,L1,\nS2,P2,runaway,2016-02-11,L9,\n"
                    "S3,P3,runaway,2016-02-11,,\n"),
    ("stays.csv", "person_ref,location_ref,from,until\nP1,L1,2016-01-01,\n"
                  "P2,L9,2016-01-01,\nP3,L2,2016-01-01,\n"),
])
def test_signal_or_stay_at_an_unknown_location_is_rejected(
        store: Store, tmp_path: Path, file: str, rows: str) -> None:
    report = load(store, delivery(tmp_path, basic_files(**{file: rows})))
    assert only_reject(report) == (
        file, 3, "location_ref", "names a location that is in neither this delivery nor the graph")
    # the rows around it landed: a signal with no location at all is no unknown location
    assert next(f for f in report.files if f.file == file).loaded == 2


def test_self_alias_and_reversed_periods_are_rejected(store: Store, tmp_path: Path) -> None:
    files = {
        "aliases.csv": "person_ref,other_ref,basis,established_at\nP1,P1,photo,\n"
                       "P1,P2,fingerprint,2015-05-01\n",
        "relations.csv": "person_ref,other_ref,kind,since,until\n"
                         "P2,P1,parent,2010-01-01,2009-01-01\nP2,P3,caseworker,2015-01-01,\n",
    }
    report = load(store, delivery(tmp_path, files))
    assert sorted((r.file, r.line, r.column) for r in report.rejects) == [
        ("aliases.csv", 2, "other_ref"), ("relations.csv", 2, "until")]
    assert store.count_relationships()["SAME_AS"] == 1
    assert store.count_relationships()["CASEWORKER_OF"] == 1


def test_every_file_of_the_format_loads_with_its_links(store: Store, tmp_path: Path) -> None:
    files = basic_files(**{
        "signals.csv": "signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
                       "S1,P1,claimed_relative,2016-02-11,L1,P2\nS2,P3,runaway,2016-01-03,,\n",
        "relations.csv": "person_ref,other_ref,kind,since,until\nP2,P1,parent,,\n",
        "stays.csv": "person_ref,location_ref,from,until\nP3,L2,2015-12-01,2016-01-03\n",
        "identifiers.csv": "person_ref,kind,identifier_ref,observed_at\n"
                           "P1,phone,T1,2016-02-11\nP2,phone,T1,2016-01-11\nP2,phone,T1,2016-02-20\n",
        "aliases.csv": "person_ref,other_ref,basis,established_at\nP1,P5,fingerprint,2016-02-12\n",
    })
    report = load(store, delivery(tmp_path, files))
    assert report.status == 0, report.rejects
    rels = store.count_relationships()
    assert (rels["ABOUT"], rels["NAMES"], rels["PARENT_OF"], rels["STAYED_AT"], rels["USES"],
            rels["SAME_AS"]) == (2, 1, 1, 1, 2, 1)
    assert rels["AT"] == 3  # two incidents, one signal
    uses = store.run("MATCH (:Person {ref: 'P2'})-[r:USES]->(:Identifier {ref: 'T1'}) "
                     "RETURN toString(r.first_seen) AS f, toString(r.last_seen) AS l")[0]
    assert uses == {"f": "2016-01-11", "l": "2016-02-20"}


def test_minors_are_decided_per_event(store: Store, tmp_path: Path) -> None:
    persons = ("person_ref,birth_year,sex,category\n"
               "KID,2004,m,\n"        # 12 at the incident
               "TEEN,1998,f,\n"       # 2016 - 1998 = 18: not certainly a minor
               "ADULT,1970,m,\n"
               "CAT,,,minor\n"        # no birth year, the partner says minor
               "OLD,1999,,\n"         # no event at all: undecided, so not marked
               "GREW,1981,,\n")       # an adult in 2016, a minor at the 1998 incident
    incidents = INCIDENTS + "I3,theft,1998-05-01,L1,\n"
    involvements = ("incident_ref,person_ref,role\nI1,KID,suspect\nI1,TEEN,suspect\n"
                    "I1,ADULT,collector\nI2,CAT,suspect\nI1,GREW,suspect\nI3,GREW,suspect\n")
    files = basic_files(**{"persons.csv": persons, "incidents.csv": incidents,
                           "involvements.csv": involvements})
    load(store, delivery(tmp_path, files))
    assert minors(store) == {"KID", "CAT", "GREW"}


def test_a_later_birth_year_can_also_unmark(store: Store, tmp_path: Path) -> None:
    """The partner said minor; a later delivery's birth year shows an adult at every event."""
    persons = "person_ref,birth_year,sex,category\nP1,,,minor\n"
    load(store, delivery(tmp_path, basic_files(**{"persons.csv": persons})))
    assert [r["ref"] for r in store.run("MATCH (p:Minor) RETURN p.ref AS ref")] == ["P1"]
    load(store, delivery(tmp_path, {"persons.csv": "person_ref,birth_year\nP1,1980\n"},
                         name="care", partner="youth-care", partner_kind="youth_care"))
    assert store.count_nodes()["Minor"] == 0


def test_a_birth_year_from_a_later_delivery_marks_the_minor(store: Store,
                                                            tmp_path: Path) -> None:
    load(store, delivery(tmp_path, basic_files(**{"persons.csv": "person_ref\nP1\n"})))
    assert store.count_nodes()["Minor"] == 0
    load(store, delivery(tmp_path, {"persons.csv": "person_ref,birth_year\nP1,2005\n"},
                         name="care", partner="youth-care", partner_kind="youth_care"))
    assert [r["ref"] for r in store.run("MATCH (p:Minor) RETURN p.ref AS ref")] == ["P1"]


def test_a_corrected_event_date_decides_again(store: Store, tmp_path: Path) -> None:
    """A later delivery moves an incident and a signal: who was a minor follows the dates."""
    persons = "person_ref,birth_year,sex,category\nA,1998,,\nB,1990,,\nC,1998,,\nD,1990,,\n"
    signals = "signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
    first = basic_files(**{
        "persons.csv": persons,
        # A is 17 at I1 (a minor), B is 26 at I2 (not)
        "incidents.csv": INCIDENTS.replace("2016-02-11", "2015-06-01").replace(
            "2016-02-12T14:05:00+01:00", "2016-02-12"),
        "involvements.csv": "incident_ref,person_ref,role\nI1,A,suspect\nI2,B,suspect\n",
        # C is 17 at S1, D is 26 at S2
        "signals.csv": signals + "S1,C,runaway,2015-06-01,L1,\nS2,D,runaway,2016-02-01,L1,\n"})
    load(store, delivery(tmp_path, first))
    assert minors(store) == {"A", "C"}
    # the corrections: I1 and S1 a year later (18: not counted), I2 and S2 years earlier
    corrected = {
        "locations.csv": LOCATIONS,
        "incidents.csv": ("incident_ref,kind,occurred_at,location_ref,status\n"
                          "I1,pickpocketing,2016-02-11,L1,\nI2,shoplifting,2004-05-01,L2,\n"),
        "signals.csv": signals + "S1,C,runaway,2016-02-11,L1,\nS2,D,runaway,2004-05-01,L1,\n"}
    load(store, delivery(tmp_path, corrected, name="fix"))
    assert minors(store) == {"B", "D"}


def test_provenance_lists_every_partner_and_delivery(store: Store, tmp_path: Path) -> None:
    first = load(store, delivery(tmp_path, basic_files()))
    second = load(store, delivery(tmp_path, {"persons.csv": "person_ref,birth_year\nP1,2004\n"},
                                  name="care", partner="youth-care", partner_kind="youth_care"))
    p1 = store.run("MATCH (p:Person {ref: 'P1'}) RETURN p.partners AS p, p.deliveries AS d")[0]
    assert sorted(p1["p"]) == ["police-amsterdam", "youth-care"]
    assert sorted(p1["d"]) == sorted([first.ref, second.ref])
    missing = store.run(
        "MATCH (n) WHERE n.partners IS NULL OR n.deliveries IS NULL RETURN count(n) AS c")[0]
    assert missing["c"] == 0
    missing_rel = store.run(
        "MATCH ()-[r]->() WHERE r.partners IS NULL OR r.deliveries IS NULL RETURN count(r) AS c")
    assert missing_rel[0]["c"] == 0
    d = store.run("MATCH (d:Delivery {ref: $ref}) RETURN d", {"ref": first.ref})[0]["d"]
    assert (d["partner"], d["partner_kind"], d["status"], d["rows_loaded"], d["rows_rejected"]) \
        == ("police-amsterdam", "police", "complete", 11, 0)
    assert len(d["checksum"]) == 64 and d["loaded_at"] is not None
