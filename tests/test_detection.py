"""Detection end to end on the real Neo4j: counter-evidence from the partners' deliveries,
declared professionals (exchange format 1.1), and the harness over random worlds."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from graph import explore, overview
from graph.access import Role, Viewer
from graph.analysis.projection import project
from graph.analysis.run import analyse, candidate_json
from graph.store import Store
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from scenarios import harness
from scenarios.worlds import (
    CONTACTS,
    CRISIS_CARERS,
    GUARDIANS,
    INTERPRETERS,
    OUTREACH_WORKERS,
    TESTING,
    TUNING,
    Params,
    generate_world,
)
from tests.helpers import PURPOSE, delivery

ANALYST = Viewer("ann", Role.ANALYST, ("jit",), purpose=PURPOSE)

KEY = TeamKey("demo", DEMO_KEY)
LOCATIONS = ("location_ref,kind,city,country\nUT,station,Utrecht,NL\nBR,station,Breda,NL\n"
             "AN,station,Antwerpen,BE\n")


def police(root: Path) -> Path:
    """A parent who collects their own three children after arrests at home, and a
    collector of three children who are arrested in three cities, one abroad."""
    persons = ["person_ref,birth_year,sex,category", "PARENT,1975,,", "COLLECTOR,1980,,"]
    incidents = ["incident_ref,kind,occurred_at,location_ref"]
    involvements = ["incident_ref,person_ref,role"]
    n = 0
    for i in range(3):
        persons.append(f"OWN{i},2004,,")
        for _ in range(2):
            n += 1
            incidents.append(f"I{n},shoplifting,2015-0{n % 9 + 1}-10,UT")
            involvements += [f"I{n},OWN{i},suspect", f"I{n},PARENT,collector"]
    for i in range(3):
        persons.append(f"KID{i},2005,,")
        for place, day in (("UT", "2015-05-01"), ("BR", "2015-05-04"), ("AN", "2015-05-09")):
            n += 1
            incidents.append(f"I{n},pickpocketing,{day},{place}")
            involvements += [f"I{n},KID{i},suspect", f"I{n},COLLECTOR,collector"]
    return delivery(root, {"locations.csv": LOCATIONS, "persons.csv": "\n".join(persons) + "\n",
                           "incidents.csv": "\n".join(incidents) + "\n",
                           "involvements.csv": "\n".join(involvements) + "\n"}, name="police")


def municipality(root: Path) -> Path:
    """The parent and the children registered at one address for years (no tie recorded)."""
    rows = ["person_ref,kind,identifier_ref,observed_at", "PARENT,address,HOME-1,2003-01-01"]
    rows += [f"OWN{i},address,HOME-1,2006-0{i + 1}-01" for i in range(3)]
    return delivery(root, {"identifiers.csv": "\n".join(rows) + "\n"}, name="municipality",
                    partner="municipality", partner_kind="municipality")


def ranked(store: Store) -> dict[str, dict]:
    result = analyse(store, top=5)
    return {c["person_ref"]: c for c in (candidate_json(result.graph, c)
                                         for c in result.candidates)}


def before_and_after(store: Store, tmp_path: Path,
                     family: Callable[[Path], Path]) -> tuple[dict[str, dict], dict[str, dict]]:
    """The ranking of the police delivery alone, and with ``family``'s delivery loaded."""
    assert ingest_delivery(store, police(tmp_path), KEY).status == 0
    before = ranked(store)
    assert ingest_delivery(store, family(tmp_path), KEY).status == 0
    return before, ranked(store)


def test_a_parent_with_a_shared_address_ranks_below_a_planted_collector(
        store: Store, tmp_path: Path) -> None:
    before, after = before_and_after(store, tmp_path, municipality)
    collector, parent = after["COLLECTOR"], after["PARENT"]
    assert collector["rank"] == 1 and collector["band"] == "strong"
    assert parent["rank"] > collector["rank"]
    # the address lowered it (its mass: the score of a parent who only collects their own
    # ordinary children, counted at half, rounds to 0 before and after)...
    assert parent["evidence_mass"] < before["PARENT"]["evidence_mass"]
    assert parent["score"] <= before["PARENT"]["score"]
    # ...and hid no hit: the shared address even adds one (shared means), lowered too
    assert {i["name"] for i in before["PARENT"]["indicators"]} < {
        i["name"] for i in parent["indicators"]}
    reasons = [c["reason"] for c in parent["counter_evidence"]]
    assert any("registered at the same address" in r and "since 2006" in r for r in reasons)
    assert {m["ref"] for m in parent["minors"] if m["lowered_by"]} == {"OWN0", "OWN1", "OWN2"}
    finding = store.run("MATCH (f:Finding {person_ref: 'PARENT'}) RETURN f.counter_evidence AS c "
                        "ORDER BY f.run_at DESC LIMIT 1")
    assert json.loads(finding[0]["c"]) == parent["counter_evidence"]


def homes(root: Path) -> Path:
    """The same family, recorded where it lives (stays at a residence of its own), with no
    registered address: how another partner's export may say it."""
    stays = ["person_ref,location_ref,from,until", "PARENT,HOME-1,2003-01-01,"]
    stays += [f"OWN{i},HOME-1,2006-0{i + 1}-01," for i in range(3)]
    return delivery(root, {"locations.csv": "location_ref,kind,city,country\n"
                                            "HOME-1,residence,Utrecht,NL\n",
                           "stays.csv": "\n".join(stays) + "\n"},
                    name="homes", partner="municipality", partner_kind="municipality")


def test_a_parent_who_lives_with_the_children_ranks_below_a_planted_collector(
        store: Store, tmp_path: Path) -> None:
    before, after = before_and_after(store, tmp_path, homes)
    collector, parent = after["COLLECTOR"], after["PARENT"]
    assert collector["rank"] == 1 and collector["score"] == before["COLLECTOR"]["score"]
    # the years at one home lowered it (its mass, as above)
    assert parent["evidence_mass"] < before["PARENT"]["evidence_mass"]
    assert parent["score"] <= before["PARENT"]["score"]
    assert [i["name"] for i in parent["indicators"]] == [  # and hid no hit
        i["name"] for i in before["PARENT"]["indicators"]]
    reasons = [c["reason"] for c in parent["counter_evidence"]]
    assert "lived at the same residence as OWN0 since 2006-01-01" in reasons
    assert {m["ref"] for m in parent["minors"] if m["lowered_by"]} == {"OWN0", "OWN1", "OWN2"}


SIGNALS = "signal_ref,person_ref,kind,observed_at,location_ref,related_person_ref\n"


def care_contacts(root: Path, adult: str = "PARENT", minors: str = "OWN") -> Path:
    """Youth care names ``adult`` as the one it reached on each child's school absence (no
    tie, no address recorded): how a care partner's export may say who the child's contact
    is."""
    rows = [f"SA{adult}{i},{minors}{i},school_absence,2015-0{i + 2}-01,,{adult}"
            for i in range(3)]
    return delivery(root, {"signals.csv": SIGNALS + "\n".join(rows) + "\n"},
                    name=f"care-{adult}", partner="youth-care-x", partner_kind="youth_care")


def test_a_care_partners_contact_neither_raises_a_parent_nor_lowers_a_collector(
        store: Store, tmp_path: Path) -> None:
    before, after = before_and_after(store, tmp_path, care_contacts)
    parent = after["PARENT"]
    for field in ("score", "evidence_mass", "rank", "indicators", "minors", "counter_evidence"):
        assert parent[field] == before["PARENT"][field], field  # no link, no lowering
    assert after["COLLECTOR"]["rank"] == 1
    # the collector, posing as the children's guardian, named so by youth care: still all
    # of his links
    assert ingest_delivery(store, care_contacts(tmp_path, "COLLECTOR", "KID"), KEY).status == 0
    posing = ranked(store)["COLLECTOR"]
    assert posing["rank"] == 1 and posing["evidence_mass"] == before["COLLECTOR"]["evidence_mass"]
    assert posing["counter_evidence"] == before["COLLECTOR"]["counter_evidence"]
    # the police naming the parent on a signal about a child links them: it raises him
    g = project(store)
    assert g.nodes[("signal", "SAPARENT0")]["partner_kinds"] == {"youth_care"}
    police_signal = delivery(tmp_path, {"signals.csv": SIGNALS + "P1,OWN0,other,2015-05-02,,"
                                                                "PARENT\n"}, name="police-2")
    assert ingest_delivery(store, police_signal, KEY).status == 0
    linked = ranked(store)["PARENT"]
    assert linked["evidence_mass"] > parent["evidence_mass"]
    assert any("P1" in m["records"] for m in linked["minors"])


def test_a_finding_says_which_care_partner_named_the_person_a_childs_contact(
        store: Store, tmp_path: Path) -> None:
    # youth care names the parent on each child's school absence; the municipality names
    # him about a child he is linked to by nothing else; the police name him on a signal
    # about his son, which is no care partner's contact
    lone = delivery(tmp_path, {"persons.csv": "person_ref,birth_year,sex,category\nLONE,2007,,\n",
                               "signals.csv": SIGNALS + "SL,LONE,other,2015-06-01,,PARENT\n"},
                    name="care-lone", partner="municipality-x", partner_kind="municipality")
    police_signal = delivery(tmp_path, {"signals.csv": SIGNALS + "P1,OWN0,other,2015-05-02,,"
                                                                "PARENT\n"}, name="police-2")
    for d in (police(tmp_path), care_contacts(tmp_path), lone, police_signal):
        assert ingest_delivery(store, d, KEY).status == 0
    result = analyse(store, top=5)
    found = {c.node[1]: candidate_json(result.graph, c) for c in result.candidates}
    assert found["COLLECTOR"]["contact_of"] == []
    named = {n["ref"]: n for n in found["PARENT"]["contact_of"]}
    assert sorted(named) == ["LONE", "OWN0", "OWN1", "OWN2"]
    assert [(n["signals"], n["partners"]) for n in named.values()] == [
        (["SL"], ["municipality-x"])] + [([f"SAPARENT{i}"], ["youth-care-x"]) for i in range(3)]
    # the Finding keeps the note and rests on its signals, so that withdrawing or expiring
    # them reaches the finding as its evidence does
    (row,) = store.run(
        "MATCH (f:Finding {run_id: $run, person_ref: 'PARENT'}) "
        "OPTIONAL MATCH (f)-[r:SUPPORTED_BY]->(s:Signal) WHERE 'contact' IN r.patterns "
        "RETURN f.contact_of AS note, collect(s.ref) AS signals, f.deliveries AS deliveries",
        {"run": result.run["id"]})
    assert [n["ref"] for n in json.loads(row["note"])] == ["LONE", "OWN0", "OWN1", "OWN2"]
    assert sorted(row["signals"]) == ["SAPARENT0", "SAPARENT1", "SAPARENT2", "SL"]
    care = {r["ref"] for r in store.run("MATCH (d:Delivery) WHERE d.partner IN "
                                        "['youth-care-x', 'municipality-x'] RETURN d.ref AS ref")}
    assert len(care) == 2 and care <= set(row["deliveries"])
    # the Candidates page lists it, and logs the child it names
    listed = {f["person_ref"]: f for f in overview.findings(store, ANALYST, result.run["id"])}
    assert [n["ref"] for n in listed["PARENT"]["contact_of"]] == ["LONE", "OWN0", "OWN1", "OWN2"]
    assert "LONE" in list(store.audit.entries())[-1]["persons"]


def professionals(root: Path, rows: str, *, kind: str = "police", version: str = "1.1",
                  name: str = "declared") -> Path:
    return delivery(root, {"professionals.csv": "person_ref,role,since,until\n" + rows},
                    name=name, format=f"exchange/{version}", partner=f"{kind}-x",
                    partner_kind=kind)


def test_a_declared_professional_is_counter_evidence(store: Store, tmp_path: Path) -> None:
    assert ingest_delivery(store, police(tmp_path), KEY).status == 0
    report = ingest_delivery(store, professionals(tmp_path, "COLLECTOR,interpreter,2014-01-01,\n"),
                             KEY)
    assert report.status == 0 and report.loaded == 1
    g = project(store)
    assert g.nodes[("person", "COLLECTOR")]["declared_roles"] == {"interpreter": {"police-x"}}
    found = ranked(store)["COLLECTOR"]
    assert any(c["kind"] == "declared" and "interpreter (declared by police-x)" in c["reason"]
               for c in found["counter_evidence"])
    # Explore's details show the declaration, to whom may see it
    (node,) = explore.search(store, ANALYST, "COLLECTOR")
    info = explore.details(store, ANALYST, node.id)
    assert info is not None and [(d["partner"], d["role"]) for d in info["declared"]] == [
        ("police-x", "interpreter")]
    other = Viewer("carla", Role.PARTNER, ("care",), partner="police-amsterdam",
                   purpose=PURPOSE)  # the partner that delivered the person, not the declaration
    (theirs,) = explore.search(store, other, "COLLECTOR")
    assert explore.details(store, other, theirs.id)["declared"] == []  # type: ignore[index]


def test_bad_declarations_are_rejected_and_lose_nothing_else(store: Store,
                                                             tmp_path: Path) -> None:
    assert ingest_delivery(store, police(tmp_path), KEY).status == 0
    rows = ("PARENT,foster_parent,,\n"      # a police partner may not declare a foster parent
            "NOBODY,interpreter,,\n"        # a reference that is nowhere
            "COLLECTOR,astronaut,,\n"       # not a role
            "COLLECTOR,lawyer,2015-01-01,\n")  # fine
    report = ingest_delivery(store, professionals(tmp_path, rows), KEY)
    assert report.status == 1 and report.loaded == 1
    reasons = {r.line: (r.column, r.reason) for r in report.rejects}
    assert reasons[2][0] == "role" and "may not declare a foster_parent" in reasons[2][1]
    assert "in neither this delivery nor the graph" in reasons[3][1]
    assert reasons[4][0] == "role"
    assert all(r.file == "professionals.csv" for r in report.rejects)
    declared = store.run("MATCH (:Delivery)-[r:DECLARES]->(p:Person) "
                         "RETURN p.ref AS ref, r.role AS role")
    assert declared == [{"ref": "COLLECTOR", "role": "lawyer"}]


def test_a_v1_delivery_may_not_declare(store: Store, tmp_path: Path) -> None:
    report = ingest_delivery(store, professionals(tmp_path, "X,interpreter,,\n", version="1"),
                             KEY)
    assert report.refused and "exchange/1.1" in report.refused[0]
    assert store.count_nodes()["Delivery"] == 0


def test_world_seeds_are_kept_apart_and_each_world_is_its_own() -> None:
    assert not set(TUNING) & set(TESTING)
    a, b = Params.draw(TESTING.start), Params.draw(TESTING.start + 1)
    assert a != b and Params.draw(TESTING.start) == a


def test_a_world_plants_disguised_guilty_and_new_innocent_classes(tmp_path: Path) -> None:
    truth = generate_world(tmp_path / "w", seed=TESTING.start, key=KEY)
    assert truth["disguised"] and set(truth["disguised"]) <= set(truth["exploiters"])
    assert {"foster_parent", "interpreter", "lawyer", "coach"} <= set(truth["decoys"])
    assert truth["params"]["seed"] == TESTING.start


def test_a_stress_world_pushes_one_condition_and_keeps_the_rest_of_its_seed(
        tmp_path: Path) -> None:
    seed = TESTING.start
    drawn = Params.draw(seed)
    assert drawn.identifier_dates and drawn.stress is None
    undated = Params.draw(seed, "undated")
    assert not undated.identifier_dates and undated.stress == "undated"
    assert replace(undated, identifier_dates=True, stress=None) == drawn
    ties = Params.draw(seed, "no-family-ties")
    assert ties.family_recording == 0.0 and ties.innocent["parent"] == 3 * drawn.innocent["parent"]
    assert set(Params.draw(seed, "sparse").recording.values()) == {0.3}
    assert Params.draw(seed, "crowded").innocent == {k: 3 * n for k, n in drawn.innocent.items()}
    families = Params.draw(seed, "families")
    assert families.exploited_families and replace(
        families, exploited_families=False, stress=None) == drawn
    outreach = Params.draw(seed, "outreach")
    assert outreach.outreach == OUTREACH_WORKERS and replace(
        outreach, outreach=0, stress=None) == drawn
    crisis = Params.draw(seed, "crisis-care")
    assert crisis.crisis_carers == CRISIS_CARERS and replace(
        crisis, crisis_carers=0, stress=None) == drawn
    youth_work = Params.draw(seed, "youth-work")
    assert youth_work.youth_work == OUTREACH_WORKERS and replace(
        youth_work, youth_work=0, stress=None) == drawn
    interpreters = Params.draw(seed, "interpreters")
    assert interpreters.interpreters == INTERPRETERS and replace(
        interpreters, interpreters=0, stress=None) == drawn
    homes = Params.draw(seed, "homes")
    assert homes.homes and replace(homes, homes=False, stress=None) == drawn
    contacts = Params.draw(seed, "contacts")
    assert contacts.contacts == CONTACTS and replace(  # on the families of the exploited
        contacts, contacts=0.0, stress="families") == families
    guardians = Params.draw(seed, "guardians")
    assert guardians.guardians == GUARDIANS and replace(  # on the contacts
        guardians, guardians=0.0, stress="contacts") == contacts
    with pytest.raises(ValueError, match="unknown stress"):
        Params.draw(seed, "bogus")

    def dates(folder: Path) -> list[str]:
        return [row["observed_at"] for f in sorted(folder.glob("*/identifiers.csv"))
                for row in csv.DictReader(f.read_text(encoding="utf-8").splitlines())]

    plain = generate_world(tmp_path / "plain", seed=seed, key=KEY)
    truth = generate_world(tmp_path / "undated", seed=seed, key=KEY, stress="undated")
    assert truth["params"]["stress"] == "undated"
    assert all(dates(tmp_path / "plain")) and dates(tmp_path / "undated")
    assert not any(dates(tmp_path / "undated"))

    # the families of the exploited: a parent for each exploited minor, who collects it
    # after some arrests; every incident of the plain world is there, the same
    def rows(folder: Path, name: str) -> list[dict[str, str]]:
        return [row for f in sorted(folder.glob(f"*/{name}"))
                for row in csv.DictReader(f.read_text(encoding="utf-8").splitlines())]

    truth = generate_world(tmp_path / "families", seed=seed, key=KEY, stress="families")
    parents = set(truth["decoys"]["exploited_childs_parent"])
    exploited = {m for s in truth["structures"] for m in s["minors"]}
    assert len(parents) == len(exploited) > 0
    assert rows(tmp_path / "families", "incidents.csv") == rows(tmp_path / "plain",
                                                                "incidents.csv")
    collected = {r["person_ref"] for r in rows(tmp_path / "families", "involvements.csv")
                 if r["role"] == "collector"}
    assert parents & collected

    # street youth workers who collect their teenagers now and then: added to the world,
    # every incident of the plain world kept as it was
    truth = generate_world(tmp_path / "outreach", seed=seed, key=KEY, stress="outreach")
    workers = set(truth["decoys"]["street_worker"]) - set(plain["decoys"]["street_worker"])
    assert len(workers) == OUTREACH_WORKERS
    incidents = rows(tmp_path / "outreach", "incidents.csv")
    assert incidents[:len(rows(tmp_path / "plain", "incidents.csv"))] == rows(
        tmp_path / "plain", "incidents.csv")
    roles = {r["role"] for r in rows(tmp_path / "outreach", "involvements.csv")
             if r["person_ref"] in workers}
    assert roles == {"present", "collector"}

    # street youth workers of two towns, each at 20 to 30 arrests of their teenagers
    truth = generate_world(tmp_path / "youth-work", seed=seed, key=KEY, stress="youth-work")
    workers = set(truth["decoys"]["street_worker"]) - set(plain["decoys"]["street_worker"])
    assert len(workers) == OUTREACH_WORKERS
    plain_incidents = rows(tmp_path / "plain", "incidents.csv")
    assert rows(tmp_path / "youth-work", "incidents.csv")[:len(plain_incidents)] == \
        plain_incidents
    places = {r["location_ref"]: r["city"]
              for r in rows(tmp_path / "youth-work", "locations.csv")}
    at = {r["incident_ref"]: places[r["location_ref"]]
          for r in rows(tmp_path / "youth-work", "incidents.csv")}
    for worker in workers:
        mine = [r for r in rows(tmp_path / "youth-work", "involvements.csv")
                if r["person_ref"] == worker]
        assert 20 <= len(mine) <= 30 and len({at[r["incident_ref"]] for r in mine}) == 2

    # crisis foster carers: youth care records each placement as a stay at the carer's own
    # home, a residence of few; the carer collects the children after arrests
    truth = generate_world(tmp_path / "crisis", seed=seed, key=KEY, stress="crisis-care")
    carers = set(truth["decoys"]["foster_parent"]) - set(plain["decoys"]["foster_parent"])
    assert len(carers) == CRISIS_CARERS
    assert rows(tmp_path / "crisis", "incidents.csv")[:len(plain_incidents)] == plain_incidents
    def foster_stays(partner: str) -> list[dict[str, str]]:
        path = tmp_path / "crisis" / partner / "stays.csv"
        return [r for r in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
                if "-FOSTER-" in r["location_ref"] and r["person_ref"] not in carers]

    assert foster_stays("youth-care") and not foster_stays("municipality")
    assert {r["role"] for r in rows(tmp_path / "crisis", "involvements.csv")
            if r["person_ref"] in carers} == {"collector"}

    # homes recorded as stays at a residence of their own, never as a registered address;
    # the rest of the world as it was
    generate_world(tmp_path / "homes", seed=seed, key=KEY, stress="homes")
    assert rows(tmp_path / "homes", "incidents.csv") == rows(tmp_path / "plain",
                                                             "incidents.csv")
    assert not [r for r in rows(tmp_path / "homes", "identifiers.csv") if r["kind"] == "address"]
    registered = sorted((r["person_ref"], r["observed_at"])
                        for r in rows(tmp_path / "plain", "identifiers.csv")
                        if r["kind"] == "address")
    places = {r["location_ref"]: r["kind"] for r in rows(tmp_path / "homes", "locations.csv")}
    homed = sorted((r["person_ref"], r["from"]) for r in rows(tmp_path / "homes", "stays.csv")
                   if "-HOME-" in r["location_ref"] and places[r["location_ref"]] == "residence")
    assert registered and homed == registered  # each registration recorded as a stay
    assert [r for r in rows(tmp_path / "homes", "relations.csv")] == rows(
        tmp_path / "plain", "relations.csv")

    # care partners name the children's parents and carers as the adults they reached:
    # signals added to the families world, everything else recorded as it was
    generate_world(tmp_path / "contacts", seed=seed, key=KEY, stress="contacts")
    for name in ("incidents.csv", "involvements.csv", "identifiers.csv", "relations.csv",
                 "stays.csv"):
        assert rows(tmp_path / "contacts", name) == rows(tmp_path / "families", name), name

    def signals(world: str, partner: str) -> list[dict[str, str]]:
        path = tmp_path / world / partner / "signals.csv"
        return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines())) \
            if path.exists() else []

    def added_signals(before: str, after: str) -> list[tuple[str, dict[str, str]]]:
        """The signals ``after`` adds to ``before``'s, each partner's after its own."""
        added = []
        for folder in sorted(p for p in (tmp_path / before).iterdir() if p.is_dir()):
            was, now = signals(before, folder.name), signals(after, folder.name)
            assert now[:len(was)] == was
            added += [(folder.name, row) for row in now[len(was):]]
        return added

    added = added_signals("families", "contacts")
    assert added and {partner for partner, _ in added} <= {"youth-care", "municipality"}
    assert {row["kind"] for _, row in added} <= {"school_absence", "other"}
    assert {row["related_person_ref"] for _, row in added} & parents  # the exploited's too
    assert all(row["related_person_ref"] for _, row in added)

    # and the rings' adults, posing as the children's guardians, named so too
    truth = generate_world(tmp_path / "guardians", seed=seed, key=KEY, stress="guardians")
    for name in ("incidents.csv", "involvements.csv", "identifiers.csv"):
        assert rows(tmp_path / "guardians", name) == rows(tmp_path / "contacts", name), name
    posing = [row for _, row in added_signals("contacts", "guardians")]
    named = {row["related_person_ref"] for row in posing}
    assert posing and named <= set(truth["exploiters"])
    assert {row["kind"] for row in posing} <= {"school_absence", "other"}

    # interpreters at many of the exploited children's police contacts
    truth = generate_world(tmp_path / "interpreters", seed=seed, key=KEY, stress="interpreters")
    interpreters = set(truth["decoys"]["interpreter"]) - set(plain["decoys"]["interpreter"])
    assert len(interpreters) == INTERPRETERS
    involved = rows(tmp_path / "interpreters", "involvements.csv")
    at = {r["incident_ref"] for r in involved if r["person_ref"] in interpreters}
    assert {r["incident_ref"] for r in rows(tmp_path / "plain", "involvements.csv")
            if r["person_ref"] in exploited and r["role"] == "suspect"} & at


def test_planted_adults_the_data_links_to_no_minor_are_counted_apart() -> None:
    """A planted adult whom no recorded incident, signal or identifier links to a minor
    cannot be ranked: the harness counts them and gives the AP over the others beside
    (never instead of) the AP over all."""
    g = nx.Graph()
    for ref, minor in (("SEEN", False), ("UNSEEN", False), ("KID", True)):
        g.add_node(("person", ref), kind="person", minor=minor, refs={ref})
    g.add_node(("incident", "I1"), kind="incident")
    g.add_edge(("person", "KID"), ("incident", "I1"), types={"SUSPECT_IN"})
    g.add_edge(("person", "SEEN"), ("incident", "I1"), types={"COLLECTED_AFTER"})
    g.add_node(("incident", "I2"), kind="incident")  # UNSEEN: an offence of adults only
    g.add_edge(("person", "UNSEEN"), ("incident", "I2"), types={"SUSPECT_IN"})
    truth = {"exploiters": ["SEEN", "UNSEEN"], "helpers": [], "decoys": {}}
    shown = harness.reachable(g, {"SEEN", "UNSEEN"})
    assert shown == {"SEEN"}
    scored = harness.score_world(1, "x", [{"SEEN"}], truth, shown)
    assert scored.average_precision == 0.5 and scored.unreachable == 1
    assert scored.reachable_average_precision == 1.0
    whole = harness.score_world(1, "x", [{"SEEN"}], truth)
    assert whole.unreachable == 0 and whole.reachable_average_precision == 0.5
    summary = harness.Generalisation([1, 2], [scored, harness.score_world(
        2, "x", [{"OTHER"}, {"SEEN"}], truth, shown)]).summary()[0]
    assert summary.unreachable == 2
    assert (summary.reachable_mean_ap, summary.reachable_worst_ap,
            summary.reachable_worst_seed) == (0.75, 0.5, 2)


def test_the_harness_scores_worlds_and_leaves_the_database_empty(
        store: Store, tmp_path: Path) -> None:
    found = harness.evaluate_worlds(store, [TESTING.start], KEY, folder=tmp_path)
    assert sum(store.count_nodes().values()) == 0
    (ours, _before, degree) = found.summary()
    assert ours.variant == "schakel" and ours.worlds == 1
    assert 0 <= degree.mean_ap <= ours.mean_ap <= 1
    assert ours.reachable_mean_ap is not None and ours.reachable_mean_ap >= ours.mean_ap
    assert found.calibration and sum(r["adults"] for r in found.reliability()) == len(
        found.calibration)
    # the leads flagged as what a guardian does too, apart from the others: all moderate
    # and strong leads, once
    leads = sum(1 for score, _ in found.calibration if score >= 0.4)
    caution = found.document()["guardian_caution"]
    assert caution["flagged"]["leads"] + caution["not_flagged"]["leads"] == leads > 0
    assert caution["not_flagged"]["planted"] > 0
    named = found.document()["contact_caution"]
    assert named["flagged"]["leads"] + named["not_flagged"]["leads"] == leads
    # where care partners name the children's contacts, the rings' adults among them, the
    # leads so named are counted apart
    posing = harness.evaluate_worlds(store, [TESTING.start], KEY, folder=tmp_path,
                                     stress="guardians").contact_caution()
    assert posing["flagged"]["planted"] > 0 and posing["not_flagged"]["leads"] > 0
    store.run("CREATE (:Person {ref: 'someone'})")
    with pytest.raises(harness.NotEmpty):
        harness.evaluate_worlds(store, [TESTING.start], KEY)
