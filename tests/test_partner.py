"""A care partner's user sees its own partner's records and the findings shared with its
team — and reaches nothing else by any route: search, neighbourhood, details, evidence,
a saved view or share link, filters that name other partners, an export, the overview."""

from __future__ import annotations

import pytest

from dashboard import graph_view
from graph import explore, overview, views
from graph.access import AccessDenied, Role, Viewer
from graph.console import run as console_run
from graph.explore import Filters
from tests.conftest import Scenario
from tests.helpers import PURPOSE, events_of

MINE = "youth-care"
CARE = Viewer("carla", Role.PARTNER, ("youth-care-utrecht",), partner=MINE, purpose=PURPOSE)
IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)


def person(s: Scenario, *, mine: bool) -> str:
    """A person in the latest run's findings, known (or not) to the partner."""
    query = ("MATCH (f:Finding)-[:CONCERNS]->(p:Person) WHERE ($mine = ($partner IN p.partners)) "
             "RETURN p.ref AS ref ORDER BY f.rank LIMIT 1")
    return s.store.run(query, {"mine": mine, "partner": MINE})[0]["ref"]


def others_only(s: Scenario) -> str:
    return s.store.run("MATCH (p:Person) WHERE NOT $partner IN p.partners "
                       "RETURN p.ref AS ref ORDER BY ref LIMIT 1", {"partner": MINE})[0]["ref"]


def test_search_finds_only_own_records(scenario: Scenario) -> None:
    theirs = others_only(scenario)
    assert explore.search(scenario.store, IVO, theirs)  # it exists
    assert explore.search(scenario.store, CARE, theirs) == []
    found = explore.search(scenario.store, CARE, "")
    assert found == []
    some = explore.search(scenario.store, CARE, "a")
    assert all(MINE in n.props["partners"] and n.props["partners"] == [MINE] for n in some)


def test_a_neighbourhood_holds_own_records_only_whatever_the_filters(scenario: Scenario
                                                                      ) -> None:
    store = scenario.store
    theirs = others_only(scenario)
    assert explore.neighbourhood(store, CARE, [theirs], hops=2).nodes == {}
    mine = person(scenario, mine=True)
    for filters in (Filters(), Filters(partners=("police-nl",)),
                    Filters(partners=("police-nl", MINE, "foreign-police"))):
        sub = explore.neighbourhood(store, CARE, [mine], hops=3, filters=filters, cap=2000)
        assert sub.nodes, filters
        for n in sub.nodes.values():
            full = store.run("MATCH (n) WHERE elementId(n) = $id RETURN n.partners AS p",
                             {"id": n.id})[0]["p"]
            assert MINE in full
            assert n.props["partners"] == [MINE]  # that others know them is not shown
            assert all(d.startswith(MINE + ":") for d in n.props["deliveries"])
        for e in sub.edges:
            assert e.props["partners"] == [MINE]
    full = explore.neighbourhood(store, IVO, [mine], hops=3, cap=2000)
    assert len(full.nodes) > len(sub.nodes)  # there was more to see for an investigator


def test_details_and_evidence_of_other_partners_stay_hidden(scenario: Scenario) -> None:
    store = scenario.store
    theirs = others_only(scenario)
    node_id = explore.neighbourhood(store, IVO, [theirs], hops=0).nodes.popitem()[0]
    assert explore.details(store, CARE, node_id) is None
    incidents = [r["ref"] for r in store.run(
        "MATCH (i:Incident) WHERE NOT $p IN i.partners RETURN i.ref AS ref LIMIT 3", {"p": MINE})]
    lines = explore.describe(store, CARE, incidents)
    assert set(lines.values()) == {"(a record of another partner)"}


def test_a_timeline_holds_own_events_only(scenario: Scenario) -> None:
    # a person of ours whom other partners also recorded in events
    ref = scenario.store.run(
        "MATCH (p:Person) WHERE $p IN p.partners AND EXISTS { (p)-[r:SUSPECT_IN|VICTIM_IN]->() "
        "WHERE NOT $p IN r.partners } AND (EXISTS { (p)-[r]->(:Incident) WHERE $p IN r.partners }"
        " OR EXISTS { (:Signal)-[r]->(p) WHERE $p IN r.partners } "
        " OR EXISTS { (p)-[r:STAYED_AT]->() WHERE $p IN r.partners }) "
        "RETURN p.ref AS ref ORDER BY ref LIMIT 1", {"p": MINE})[0]["ref"]
    node_id = scenario.store.run("MATCH (p:Person {ref: $ref}) RETURN elementId(p) AS id",
                                 {"ref": ref})[0]["id"]
    ours = explore.timeline(scenario.store, CARE, node_id)
    theirs = explore.timeline(scenario.store, IVO, node_id)
    assert ours and len(ours) < len(theirs)
    assert {e["ref"] for e in ours} == {r for r, _ in events_of(scenario.store, ref, MINE)}
    assert all(e["partners"] == MINE for e in ours)
    places = {r["ref"]: r["city"] for r in scenario.store.run(
        "MATCH (e)-[:AT]->(l) WHERE e.ref IN $refs AND $p IN l.partners "
        "RETURN e.ref AS ref, l.city AS city", {"refs": [e["ref"] for e in ours], "p": MINE})}
    # A place is shown when the partner delivered it too (a stay is at one). Ingest adds
    # the partner to every place its rows name, so here that is every place of ours.
    for e in ours:
        assert bool(e["place"]) == (e["ref"] in places or e["role"].startswith("stay"))


def test_findings_only_when_an_investigator_shares_them(scenario: Scenario) -> None:
    store = scenario.store
    assert overview.findings(store, CARE, scenario.run_id) == []
    assert explore.flagged(store, CARE) == {}
    top = overview.findings(store, IVO, scenario.run_id, limit=2)
    with pytest.raises(AccessDenied):
        overview.share(store, CARE, top[0]["finding"], ["youth-care-utrecht"])
    overview.share(store, IVO, top[0]["finding"], ["youth-care-utrecht"])
    try:
        shared = overview.findings(store, CARE, scenario.run_id)
        assert [f["finding"] for f in shared] == [top[0]["finding"]]
        assert top[0]["person_ref"] in explore.flagged(store, CARE)
        other_team = Viewer("pim", Role.PARTNER, ("shelter-team",), partner=MINE, purpose=PURPOSE)
        assert overview.findings(store, other_team, scenario.run_id) == []
    finally:
        overview.share(store, IVO, top[0]["finding"], [])


def test_a_saved_view_or_link_shows_only_own_records(scenario: Scenario) -> None:
    store = scenario.store
    theirs = others_only(scenario)
    view = views.save(store, IVO, name="everyone may open", kind=views.Kind.EXPLORE,
                      state={"seeds": [theirs], "hops": 2, "partners": ["police-nl"]},
                      visibility=views.Visibility.EVERYONE)
    opened = views.open_view(store, CARE, view.id)  # the link opens...
    sub = explore.neighbourhood(store, CARE, opened.state["seeds"], hops=opened.state["hops"],
                                filters=Filters(partners=tuple(opened.state["partners"])))
    assert sub.nodes == {}  # ...and shows nothing that is not theirs
    nodes_csv, edges_csv = graph_view.to_csv(sub)  # nor does an export
    assert theirs not in nodes_csv + edges_csv
    assert theirs not in graph_view.to_html(sub)


def test_the_overview_counts_own_records(scenario: Scenario) -> None:
    store = scenario.store
    counts = overview.counts(store, CARE)
    own = store.run("MATCH (p:Person) WHERE $p IN p.partners RETURN count(p) AS n",
                    {"p": MINE})[0]["n"]
    assert counts["Person"] == own < store.count_nodes()["Person"]
    assert {d["partner"] for d in overview.deliveries(store, CARE)} == {MINE}
    assert {r["partner"] for r in overview.by_partner(store, CARE)} <= {MINE}
    assert explore.partners(store, CARE) == [MINE]


def test_no_console_for_care_partners(scenario: Scenario) -> None:
    with pytest.raises(AccessDenied):
        console_run(scenario.store, CARE, "MATCH (n) RETURN n LIMIT 1")
