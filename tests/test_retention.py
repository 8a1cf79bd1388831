"""Retention: past its term a delivery's records go, with what rests on them; what another
delivery still supports stays."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.errors import SettingsError
from graph.retention import Policy, apply, due
from graph.settings import Settings
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.helpers import basic_files, delivery, dump, schakel

KEY = TeamKey("demo", DEMO_KEY)
# A youth care delivery that shares P1 with the police, and adds P5, a shelter and a signal.
CARE = {
    "locations.csv": "location_ref,kind,city,country,lat,lon,name\nL9,shelter,Utrecht,,,,\n",
    "persons.csv": "person_ref,birth_year,sex,category\nP1,2004,m,\nP5,2003,f,\n",
    "signals.csv": ("signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"
                    "S1,P5,runaway,2016-03-02,L9,\nS2,P1,runaway,2016-03-03,L9,\n"),
}


def load(store: Store, tmp_path: Path) -> None:
    police = delivery(tmp_path, basic_files(), "police")
    care = delivery(tmp_path, CARE, "care", partner="youth-care-a", partner_kind="youth_care",
                    extracted_at="2016-03-10T09:00:00+01:00")
    for path in (police, care):
        report = ingest_delivery(store, path, KEY)
        assert not report.refused
    # Two analysis results: one resting on P5 (youth care only), one on I1 (police only).
    care_ref = store.run("MATCH (d:Delivery {partner: 'youth-care-a'}) RETURN d.ref AS r")[0]["r"]
    store.run("MATCH (p5:Person {ref: 'P5'}), (i1:Incident {ref: 'I1'}), (p2:Person {ref: 'P2'}) "
              "CREATE (f1:Finding {ref: 'F1', deliveries: [$care]})-[:CONCERNS]->(p5), "
              "(f2:Finding {ref: 'F2', deliveries: p2.deliveries})-[:SUPPORTED_BY]->(i1), "
              "(f2)-[:CONCERNS]->(p2)", {"care": care_ref})
    # An analyst's review of each of the two persons (graph/reviews.py).
    store.run("CREATE (:Review {ref: 'R5', person_ref: 'P5'}), "
              "(:Review {ref: 'R2', person_ref: 'P2'})")


def refs(store: Store, label: str) -> set[str]:
    return {r["ref"] for r in store.run(f"MATCH (n:{label}) RETURN n.ref AS ref")}


def test_terms_by_kind_and_partner() -> None:
    policy = Policy.from_text("police-amsterdam=30,kind:shelter=100")
    assert policy.days("police-amsterdam", "police") == 30
    assert policy.days("police-rotterdam", "police") == 5 * 365
    assert policy.days("any-shelter", "shelter") == 100
    assert policy.days("x", None) == 365
    for bad in ("police=abc", "=3", "kind:nonsense=3", "p=0"):
        with pytest.raises(SettingsError, match="SCHAKEL_RETENTION"):
            Policy.from_text(bad)


def test_a_dry_run_counts_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    before = dump(store)
    report = apply(store, Policy(), today=date(2019, 1, 1), dry_run=True)
    assert [e["partner"] for e in report.expired] == ["youth-care-a"]
    assert report.removed["Person"] == 1 and report.kept["Person"] == 1  # P5 goes, P1 stays
    assert report.removed["Signal"] == 2 and report.removed["Location"] == 1
    assert dump(store) == before and not report.applied


def test_expired_records_go_and_supported_ones_stay(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    assert due(store, Policy(), date(2018, 3, 9)) == []  # two years less a day
    report = apply(store, Policy(), today=date(2019, 1, 1))
    assert report.applied and report.findings_removed == 1
    assert refs(store, "Person") == {"P1", "P2", "P3", "P4"}
    assert refs(store, "Signal") == set() and "L9" not in refs(store, "Location")
    assert refs(store, "Finding") == {"F2"}  # F1 lost its person; F2's evidence is intact
    assert refs(store, "Review") == {"R2"} and report.reviews_removed == 1  # P5's went with P5
    p1 = store.run("MATCH (p:Person {ref: 'P1'}) RETURN p.partners AS p, p.deliveries AS d")[0]
    assert p1["p"] == ["police-amsterdam"] and len(p1["d"]) == 1
    rels = store.run("MATCH ()-[r]->() WHERE r.deliveries IS NOT NULL "
                     "RETURN collect(DISTINCT r.partners) AS p")[0]["p"]
    assert rels == [["police-amsterdam"]]
    status = {r["p"]: r["s"] for r in store.run(
        "MATCH (d:Delivery) RETURN d.partner AS p, d.status AS s")}
    assert status == {"police-amsterdam": "complete", "youth-care-a": "removed"}
    after = dump(store)
    again = apply(store, Policy(), today=date(2019, 1, 1))
    assert again.expired == [] and dump(store) == after  # nothing twice

    apply(store, Policy(), today=date(2021, 3, 2))  # five years on, the police's too
    assert refs(store, "Person") == set() and refs(store, "Finding") == set()
    assert store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == 0


def test_a_minor_label_is_decided_again_from_what_remains(store: Store, tmp_path: Path) -> None:
    # P5 is a minor only through the youth care signal; give P5 a police record too.
    police = delivery(tmp_path, basic_files(**{
        "persons.csv": "person_ref,birth_year,sex,category\nP1,2004,m,\nP2,1975,f,\nP5,2003,f,\n",
    }), "police")
    care = delivery(tmp_path, CARE, "care", partner="youth-care-a", partner_kind="youth_care",
                    extracted_at="2016-03-10T09:00:00+01:00")
    for path in (police, care):
        ingest_delivery(store, path, KEY)
    assert "P5" in refs(store, "Minor")
    apply(store, Policy(), today=date(2019, 1, 1))
    assert "P5" in refs(store, "Person") and "P5" not in refs(store, "Minor")
    assert "P1" in refs(store, "Minor")  # an incident at 12 still says so


def test_the_command_applies_and_logs(store: Store, tmp_path: Path,
                                      neo4j_settings: Settings) -> None:
    load(store, tmp_path)
    shown = schakel(neo4j_settings, "retention", "show", "--today", "2019-01-01")
    assert shown.returncode == 0 and "youth-care-a" in shown.stdout and "yes" in shown.stdout
    done = schakel(neo4j_settings, "retention", "apply", "--today", "2019-01-01",
                   SCHAKEL_RETENTION="kind:youth_care=400")
    assert done.returncode == 0, done.stderr
    assert "Removed" in done.stdout or "removed" in done.stdout
    entry = list(store.audit.__class__.of_home(neo4j_settings.home).entries())[-1]
    assert entry["action"] == "retention.apply" and entry["what"]["removed"]["Person"] == 1
    assert entry["what"]["reviews_removed"] == 1
    bad = schakel(neo4j_settings, "retention", "apply", SCHAKEL_RETENTION="police=soon")
    assert bad.returncode == 2 and "SCHAKEL_RETENTION" in bad.stderr
    assert "Traceback" not in bad.stderr
