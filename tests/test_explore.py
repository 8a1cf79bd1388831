"""graph.explore and graph.overview against the real Neo4j holding a small scenario."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from dashboard.text import subgraph_summary
from graph import explore, overview
from graph.access import AccessDenied, Role, Viewer
from graph.explore import DATA_RELS, Filters
from tests.conftest import Scenario
from tests.helpers import PURPOSE, events_of

ANALYST = Viewer("ann", Role.ANALYST, ("team-a",), purpose=PURPOSE)
ADMIN = Viewer("root", Role.ADMIN, ("ops",), purpose=PURPOSE)


def top_candidate(s: Scenario) -> str:
    return overview.findings(s.store, ANALYST, s.run_id, limit=1)[0]["person_ref"]


def reach(s: Scenario, ref: str, hops: int, types: list[str] | None = None,
          avoid: list[str] | None = None) -> int:
    """The nodes within ``hops`` of ``ref``, counted by Cypher alone (on walks through
    none of the nodes with refs ``avoid``)."""
    rows = s.store.run(
        "MATCH (p:Person {ref: $ref}) "
        f"MATCH w = (p)-[rs*0..{hops}]-(m) WHERE all(r IN rs WHERE type(r) IN $types) "
        "AND none(x IN nodes(w) WHERE x.ref IN $avoid) "
        "RETURN count(DISTINCT m) AS n",
        {"ref": ref, "types": types or list(DATA_RELS), "avoid": avoid or []}, read_only=True)
    return rows[0]["n"]


def test_search_finds_by_the_start_of_a_ref(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    found = explore.search(scenario.store, ANALYST, ref[:6])
    assert ref in [n.ref for n in found]
    assert all(n.ref.startswith(ref[:6]) for n in found)
    assert explore.search(scenario.store, ANALYST, "no-such-ref-prefix") == []


def test_search_finds_places_by_name_and_city(scenario: Scenario) -> None:
    place = scenario.store.run(
        "MATCH (l:Location) WHERE l.name IS NOT NULL AND size(l.name) > 6 "
        "RETURN l.ref AS ref, l.name AS name, l.city AS city ORDER BY l.ref LIMIT 1",
        read_only=True)[0]
    part = place["name"][2:-2].upper()  # a part of the name, in another case
    found = explore.search(scenario.store, ANALYST, part)
    assert place["ref"] in [n.ref for n in found]
    assert all(n.kind == "location" and part.lower() in n.props["name"].lower()
               for n in found)
    city = explore.search(scenario.store, ANALYST, place["city"][:4].lower(), limit=500)
    want = scenario.store.run(
        "MATCH (l:Location) WHERE toLower(l.city) STARTS WITH $c OR toLower(l.name) CONTAINS $c "
        "RETURN count(l) AS n", {"c": place["city"][:4].lower()}, read_only=True)[0]["n"]
    places = [n.ref for n in city if n.kind == "location"]  # (a hex ref may start so too)
    assert place["ref"] in places and len(places) == want


def test_a_neighbourhood_holds_what_cypher_says_is_in_reach(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    for hops in (1, 2):
        sub = explore.neighbourhood(scenario.store, ANALYST, [ref], hops=hops, cap=2000)
        assert sub.total == reach(scenario, ref, hops)
        assert len(sub.nodes) == sub.total and not sub.truncated
        seed = next(n for n in sub.nodes.values() if n.ref == ref)
        assert seed.hop == 0 and seed.flagged is not None and seed.flagged[0] == 1
        ids = set(sub.nodes)
        assert all(e.source in ids and e.target in ids for e in sub.edges)
        assert {e.type for e in sub.edges} <= set(DATA_RELS)  # never the analysis's links


def test_the_cap_keeps_the_nearest_and_says_how_many_there_were(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    full = explore.neighbourhood(scenario.store, ANALYST, [ref], hops=2, cap=2000)
    one_hop = sum(1 for n in full.nodes.values() if n.hop <= 1)
    cap = one_hop + 3
    assert full.total > cap
    sub = explore.neighbourhood(scenario.store, ANALYST, [ref], hops=2, cap=cap)
    assert len(sub.nodes) == cap and sub.total == full.total and sub.truncated
    assert sum(1 for n in sub.nodes.values() if n.hop <= 1) == one_hop
    assert f"showing {cap:,} of {full.total:,}" in subgraph_summary(sub)


def test_filters_limit_types_partners_and_time(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    store = scenario.store
    only = explore.neighbourhood(store, ANALYST, [ref], hops=2,
                                 filters=Filters(types=("COLLECTED_AFTER", "SUSPECT_IN")))
    assert {e.type for e in only.edges} <= {"COLLECTED_AFTER", "SUSPECT_IN"}
    assert only.total == reach(scenario, ref, 2, ["COLLECTED_AFTER", "SUSPECT_IN"])

    partner = "police-nl"
    mine = explore.neighbourhood(store, ANALYST, [ref], hops=2,
                                 filters=Filters(partners=(partner,)))
    assert all(partner in n.props["partners"] for n in mine.nodes.values() if n.hop > 0)
    assert all(partner in e.props["partners"] for e in mine.edges)

    full = explore.neighbourhood(store, ANALYST, [ref], hops=1, cap=2000)
    dates = sorted(str(n.props["occurred_at"])[:10] for n in full.nodes.values()
                   if n.kind == "incident")
    assert len(dates) >= 2
    since, until = date.fromisoformat(dates[1]), date.fromisoformat(dates[-1])
    window = explore.neighbourhood(store, ANALYST, [ref], hops=1, cap=2000,
                                   filters=Filters(since=since, until=until))
    kept = [str(n.props["occurred_at"])[:10] for n in window.nodes.values()
            if n.kind == "incident"]
    assert kept and all(since.isoformat() <= d <= until.isoformat() for d in kept)
    assert len(kept) < len(dates)


def test_expanding_a_node_adds_its_direct_links(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    store = scenario.store
    base = explore.neighbourhood(store, ANALYST, [ref], hops=1, cap=2000)
    incident = next(n for n in base.nodes.values() if n.kind == "incident")
    grown = explore.neighbourhood(store, ANALYST, [ref], hops=1, cap=2000,
                                  expanded=[incident.ref])
    around = store.run("MATCH (:Incident {ref: $ref})-[r]-(m) WHERE type(r) IN $types "
                       "RETURN collect(DISTINCT m.ref) AS r",
                       {"ref": incident.ref, "types": list(DATA_RELS)}, read_only=True)[0]["r"]
    shown = {n.ref for n in grown.nodes.values()}
    assert set(around) <= shown
    assert len(grown.nodes) >= len(base.nodes)


def test_a_node_left_out_is_not_drawn_nor_followed(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    store = scenario.store
    full = explore.neighbourhood(store, ANALYST, [ref], hops=2, cap=2000)
    # the node one hop out whose leaving out takes most of the two hops with it
    near = [n for n in full.nodes.values() if n.hop == 1]
    hub = max(near, key=lambda n: (full.total - reach(scenario, ref, 2, avoid=[n.ref]), n.ref))
    without = reach(scenario, ref, 2, avoid=[hub.ref])
    assert without < full.total - 1, "something should be reached only through it"
    sub = explore.neighbourhood(store, ANALYST, [ref], hops=2, cap=2000, hidden=[hub.ref])
    assert sub.total == len(sub.nodes) == without
    assert hub.id not in sub.nodes
    assert all(hub.id not in (e.source, e.target) for e in sub.edges)
    entry = list(store.audit.entries())[-1]
    assert entry["action"] == "explore.neighbourhood" and entry["what"]["hidden"] == [hub.ref]
    assert entry["records"] == len(sub.nodes) + len(sub.edges)
    # expanding it brings nothing back; a seed is never left out
    grown = explore.neighbourhood(store, ANALYST, [ref], hops=2, cap=2000, hidden=[hub.ref],
                                  expanded=[hub.ref])
    assert set(grown.nodes) == set(sub.nodes)
    seeded = explore.neighbourhood(store, ANALYST, [ref], hops=2, cap=2000, hidden=[ref])
    assert set(seeded.nodes) == set(full.nodes)


def test_details_show_provenance_and_findings(scenario: Scenario) -> None:
    ref = top_candidate(scenario)
    sub = explore.neighbourhood(scenario.store, ANALYST, [ref], hops=0)
    (node,) = sub.nodes.values()
    info = explore.details(scenario.store, ANALYST, node.id)
    assert info is not None
    assert info["props"]["ref"] == ref
    assert {d["partner"] for d in info["deliveries"]} == set(info["props"]["partners"])
    assert info["findings"][0]["rank"] == 1 and info["findings"][0]["run_id"] == scenario.run_id
    assert sum(info["links"].values()) > 0


def busiest_minor(s: Scenario) -> str:
    """The minor with the most kinds of event (incidents, signals, stays), then most events."""
    return s.store.run(
        "MATCH (p:Minor) WITH p, COUNT { (p)-[:SUSPECT_IN|VICTIM_IN]->() } AS i, "
        "COUNT { (:Signal)-[:ABOUT|NAMES]->(p) } AS g, COUNT { (p)-[:STAYED_AT]->() } AS t "
        "RETURN p.ref AS ref ORDER BY sign(i) + sign(g) + sign(t) DESC, i + g + t DESC, ref "
        "LIMIT 1", read_only=True)[0]["ref"]


def test_a_persons_timeline_lists_its_incidents_signals_and_stays_in_order(
        scenario: Scenario) -> None:
    ref = busiest_minor(scenario)
    (node,) = explore.neighbourhood(scenario.store, ANALYST, [ref], hops=0).nodes.values()
    info = explore.details(scenario.store, ANALYST, node.id)
    assert info is not None
    events = info["timeline"]
    roles = {v.value: k for k, v in explore.INVOLVEMENT_ROLES.items()}
    roles.update(ABOUT="signal about", NAMES="named in signal")
    links = {(e["ref"], "stay" if e["role"].startswith("stay") else e["role"]) for e in events}
    want = events_of(scenario.store, ref)
    assert len(events) == len(want) and {t for _, t in want} >= {"ABOUT", "STAYED_AT"}
    assert links == {(event_ref, roles.get(rel, "stay")) for event_ref, rel in want}
    days = [e["when"][:10] for e in events]
    assert days == sorted(days)
    for e in events:  # each incident at the place the graph says it happened
        if e["role"] in explore.INVOLVEMENT_ROLES:
            where = scenario.store.run(
                "MATCH (:Incident {ref: $ref})-[:AT]->(l) RETURN l.city AS city",
                {"ref": e["ref"]})[0]["city"]
            assert where in e["place"]
    entry = list(scenario.store.audit.entries())[-1]
    assert entry["action"] == "explore.details" and entry["records"] == 1 + len(events)
    # not for what is not a person
    incident = next(e["ref"] for e in events if e["role"] in explore.INVOLVEMENT_ROLES)
    (inc,) = explore.neighbourhood(scenario.store, ANALYST, [incident], hops=0).nodes.values()
    assert explore.details(scenario.store, ANALYST, inc.id)["timeline"] == []  # type: ignore[index]


def test_a_timeline_marks_the_events_in_the_time_window(scenario: Scenario) -> None:
    ref = busiest_minor(scenario)
    (node,) = explore.neighbourhood(scenario.store, ANALYST, [ref], hops=0).nodes.values()
    events = explore.timeline(scenario.store, ANALYST, node.id)
    assert events and all(e["in_window"] for e in events)  # no window: every event
    days = sorted({e["when"][:10] for e in events})
    since = date.fromisoformat(days[len(days) // 3])
    until = date.fromisoformat(days[2 * len(days) // 3])
    stays = {(r["ref"], r["from"]): r["until"] for r in scenario.store.run(
        "MATCH (:Person {ref: $ref})-[r:STAYED_AT]->(l) "
        "RETURN l.ref AS ref, toString(r.from) AS from, toString(r.until) AS until",
        {"ref": ref}, read_only=True)}
    marked = explore.timeline(scenario.store, ANALYST, node.id, since, until)
    assert [(e["ref"], e["when"]) for e in marked] == [(e["ref"], e["when"]) for e in events]
    # a stay carries the day it ended as data ("stayed", until), never inside its role
    ended = [e for e in events if e["role"].startswith("stay")]
    assert ended and all((e["role"], str(e["until"] or "")[:10] or None)
                         == (("stayed", stays[(e["ref"], e["when"])][:10])
                             if stays[(e["ref"], e["when"])] else ("stays", None))
                         for e in ended), ended
    for e in marked:
        day = date.fromisoformat(e["when"][:10])
        if e["role"].startswith("stay"):  # a stay overlaps the window
            end = stays[(e["ref"], e["when"])]
            want = day <= until and (end is None or date.fromisoformat(end[:10]) >= since)
        else:
            want = since <= day <= until
        assert e["in_window"] is want, e
    assert {e["in_window"] for e in marked} == {True, False}
    only_since = explore.timeline(scenario.store, ANALYST, node.id, since=since)
    assert [e["in_window"] for e in only_since if not e["role"].startswith("stay")] == [
        date.fromisoformat(e["when"][:10]) >= since
        for e in only_since if not e["role"].startswith("stay")]


def test_a_stay_is_in_the_time_window_when_it_overlaps_it(scenario: Scenario) -> None:
    def one_stay(ended: bool) -> dict[str, Any]:
        return scenario.store.run(
            "MATCH (p:Person)-[r:STAYED_AT]->(l) WHERE (r.until IS NOT NULL) = $ended "
            "AND (r.until IS NULL OR r.until >= r.from + duration('P2D')) "
            "RETURN p.ref AS person, l.ref AS place, r.from AS from, r.until AS until "
            "ORDER BY person, place, from LIMIT 1", {"ended": ended}, read_only=True)[0]

    def in_window(stay: dict[str, Any], since: date | None, until: date | None) -> bool:
        (node,) = explore.neighbourhood(scenario.store, ANALYST, [stay["person"]],
                                        hops=0).nodes.values()
        start = stay["from"].iso_format()
        (event,) = [e for e in explore.timeline(scenario.store, ANALYST, node.id, since, until)
                    if e["ref"] == stay["place"] and e["when"][:10] == start]
        return bool(event["in_window"])

    day = timedelta(days=1)
    going = one_stay(ended=False)  # no end: in any window that ends after it began
    start = going["from"].to_native()
    assert in_window(going, start + 1000 * day, None)
    assert in_window(going, start + day, start + 2 * day)
    assert not in_window(going, None, start - day)
    ended = one_stay(ended=True)  # a shelter placement that ended when the child ran away
    start, end = ended["from"].to_native(), ended["until"].to_native()
    assert in_window(ended, start + day, None)  # began before the window, went on into it
    assert in_window(ended, start - day, end + day)  # lies inside the window
    assert in_window(ended, end, None)  # its last day
    assert not in_window(ended, end + day, None)  # ended before the window began
    assert not in_window(ended, None, start - day)  # began after the window ended


def test_evidence_reads_as_sentences(scenario: Scenario) -> None:
    found = overview.findings(scenario.store, ANALYST, scenario.run_id, limit=1)[0]
    refs = [r for i in found["indicators"] for r in i["evidence"]]
    lines = explore.describe(scenario.store, ANALYST, refs)
    assert set(lines) == set(refs)
    incident_lines = [line for line in lines.values() if " on 20" in line and " at " in line]
    assert incident_lines, lines


def test_overview_counts_agree_with_the_graph(scenario: Scenario) -> None:
    store = scenario.store
    counts = overview.counts(store, ADMIN)
    incidents = store.run("MATCH (i:Incident) RETURN count(i) AS n", read_only=True)[0]["n"]
    assert counts["Incident"] == incidents
    assert sum(r["incidents"] for r in overview.incidents_by_month(store, ADMIN)) == incidents
    assert sum(r["incidents"] for r in overview.incidents_by_place(store, ADMIN)) == incidents
    deliveries = overview.deliveries(store, ADMIN)
    assert len(deliveries) == counts["Delivery"] == 5
    run = overview.runs(store, ADMIN)[0]
    assert run["run"] == scenario.run_id and run["parameters"]["top"] == 10


def test_roles_are_enforced_by_the_read_api(scenario: Scenario) -> None:
    with pytest.raises(AccessDenied):
        explore.search(scenario.store, ADMIN, "a")
    with pytest.raises(AccessDenied):
        explore.neighbourhood(scenario.store, ADMIN, ["x"])
    with pytest.raises(AccessDenied):
        overview.findings(scenario.store, ADMIN, scenario.run_id)


def test_warming_plans_explores_queries_and_reads_nothing(scenario: Scenario) -> None:
    store = scenario.store
    store.run("CALL db.clearQueryCaches()")
    logged = sum(1 for _ in store.audit.entries())
    explore.warm(store)
    (cleared,) = store.run("CALL db.clearQueryCaches() YIELD value RETURN value")
    planned = int("".join(c for c in cleared["value"] if c.isdigit()) or 0)
    assert planned >= 7, cleared  # Explore's seven queries, at least, were planned
    assert sum(1 for _ in store.audit.entries()) == logged  # nothing read, nothing logged
