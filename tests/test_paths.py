"""Shortest paths between two nodes (graph.explore.paths), checked against networkx on the
same graph read whole from Neo4j, with the same filters applied by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from itertools import combinations
from typing import Any

import networkx as nx
import pytest

from dashboard import graph_view
from dashboard.text import paths_summary, subgraph_summary
from graph import explore
from graph.access import AccessDenied, Role, Viewer
from graph.explore import DATA_RELS, Filters
from graph.subgraph import GraphEdge, GraphNode, Subgraph
from tests.conftest import Scenario
from tests.helpers import PURPOSE

ANALYST = Viewer("ann", Role.ANALYST, ("team-a",), purpose=PURPOSE)
ADMIN = Viewer("root", Role.ADMIN, ("ops",), purpose=PURPOSE)
MINE = "youth-care"
CARE = Viewer("carla", Role.PARTNER, ("youth-care-utrecht",), partner=MINE, purpose=PURPOSE)

Keep = Callable[[dict[str, Any]], bool]


def everything(_: dict[str, Any]) -> bool:
    return True


def data_graph(s: Scenario, *, types: tuple[str, ...] = DATA_RELS, node: Keep = everything,
               rel: Keep = everything, ends: tuple[str, ...] = ()) -> nx.Graph:
    """The data graph as networkx sees it: the relationships of ``types`` that ``rel``
    keeps, between nodes that ``node`` keeps (or that are among ``ends``)."""
    g = nx.Graph()
    nodes = {r["id"]: r for r in s.store.run(
        "MATCH (n) RETURN elementId(n) AS id, n.partners AS partners, "
        "coalesce(n.occurred_at, n.observed_at) AS at", read_only=True)}
    kept = {i for i, r in nodes.items() if i in ends or node(r)}
    for r in s.store.run("MATCH (a)-[r]->(b) WHERE type(r) IN $types RETURN elementId(a) AS a, "
                         "elementId(b) AS b, r.partners AS partners",
                         {"types": list(types)}, read_only=True):
        if r["a"] in kept and r["b"] in kept and rel(r):
            g.add_edge(r["a"], r["b"])
    return g


def node_id(s: Scenario, ref: str) -> str:
    return s.store.run("MATCH (n {ref: $ref}) RETURN elementId(n) AS id", {"ref": ref})[0]["id"]


def ranked(s: Scenario, partner: str | None = None) -> list[str]:
    """The persons of the latest run's findings, best first (known to ``partner``)."""
    return [r["ref"] for r in s.store.run(
        "MATCH (f:Finding {run_id: $run})-[:CONCERNS]->(p:Person) "
        "WHERE $partner IS NULL OR $partner IN p.partners RETURN p.ref AS ref ORDER BY f.rank",
        {"run": s.run_id, "partner": partner}, read_only=True)]


def pairs(s: Scenario, g: nx.Graph, refs: list[str], *, shortest: int = 2, longest: int = 6,
          most: int = explore.MAX_PATHS) -> list[tuple[str, str]]:
    """Pairs of ``refs`` that networkx joins by at most ``most`` shortest paths of
    ``shortest`` to ``longest`` relationships."""
    found = []
    for a, b in combinations(refs, 2):
        x, y = node_id(s, a), node_id(s, b)
        if x in g and y in g and nx.has_path(g, x, y):
            n = nx.shortest_path_length(g, x, y)
            if shortest <= n <= longest and len(list(nx.all_shortest_paths(g, x, y))) <= most:
                found.append((a, b))
    return found


def same_paths(s: Scenario, g: nx.Graph, a: str, b: str, got: explore.Paths) -> None:
    """``got`` draws exactly the shortest paths networkx finds between ``a`` and ``b``."""
    x, y = node_id(s, a), node_id(s, b)
    want = {tuple(p) for p in nx.all_shortest_paths(g, x, y)}
    assert {tuple(p) for p in got.routes} == want
    assert got.length == nx.shortest_path_length(g, x, y)
    assert set(got.sub.nodes) == {n for p in want for n in p}
    for route in got.routes:
        assert [got.sub.nodes[n].hop for n in route] == list(range(len(route)))
    ids = set(got.sub.nodes)
    assert all(e.source in ids and e.target in ids for e in got.sub.edges)


def test_paths_are_the_shortest_paths_networkx_finds(scenario: Scenario) -> None:
    g = data_graph(scenario)
    checked = pairs(scenario, g, ranked(scenario)[:12])[:4]
    assert len(checked) >= 2, "the scenario should link some of its top candidates"
    for a, b in checked:
        got = explore.paths(scenario.store, ANALYST, a, b, cap=2000)
        same_paths(scenario, g, a, b, got)
        assert got.sub.layered and got.sub.seeds == (a, b)
        assert {e.type for e in got.sub.edges} <= set(DATA_RELS)  # never the analysis's links
        assert paths_summary(got).startswith(f"{got.found:,} shortest path")
        # the same paths from the other end, reversed
        back = explore.paths(scenario.store, ANALYST, b, a, cap=2000)
        assert {tuple(reversed(p)) for p in back.routes} == {tuple(p) for p in got.routes}
    a, b = checked[0]  # at least two relationships apart
    short = explore.paths(scenario.store, ANALYST, a, b, longest=1)
    assert short.length is None and not short.sub.nodes and not short.routes
    assert paths_summary(short) == ("No path of at most 1 relationship between the two, with "
                               "these filters.")


def test_filters_apply_to_every_step_of_a_path(scenario: Scenario) -> None:
    store = scenario.store
    refs = ranked(scenario)[:12]
    # no places: two persons are no longer linked by having been at the same station
    types = tuple(t for t in DATA_RELS if t != "AT")
    g = data_graph(scenario, types=types)
    for a, b in pairs(scenario, g, refs)[:2]:
        got = explore.paths(store, ANALYST, a, b, filters=Filters(types=types), cap=2000)
        same_paths(scenario, g, a, b, got)
        assert "AT" not in {e.type for e in got.sub.edges}
    # one partner's records between the ends (the ends are the user's choice)
    partner = "police-nl"
    def theirs(r: dict[str, Any]) -> bool:
        return partner in (r["partners"] or [])
    linked = 0
    for a, b in pairs(scenario, data_graph(scenario), refs)[:3]:
        x, y = node_id(scenario, a), node_id(scenario, b)
        g = data_graph(scenario, node=theirs, rel=theirs, ends=(x, y))
        got = explore.paths(store, ANALYST, a, b, filters=Filters(partners=(partner,)), cap=2000)
        if x in g and y in g and nx.has_path(g, x, y) and nx.shortest_path_length(g, x, y) <= 6:
            same_paths(scenario, g, a, b, got)
            linked += 1
        else:
            assert got.length is None
    assert linked

    # a time window: no incident or signal outside it on the way
    since, until = date(2015, 6, 1), date(2015, 12, 31)
    def within(r: dict[str, Any]) -> bool:
        if r["at"] is None:
            return True
        day = r["at"].to_native()
        return since <= (day.date() if isinstance(day, datetime) else day) <= until
    checked = pairs(scenario, data_graph(scenario, node=within), refs)[:2]
    assert checked
    for a, b in checked:
        g = data_graph(scenario, node=within, ends=(node_id(scenario, a), node_id(scenario, b)))
        got = explore.paths(store, ANALYST, a, b, filters=Filters(since=since, until=until),
                            cap=2000)
        same_paths(scenario, g, a, b, got)


def test_a_care_partner_finds_paths_over_its_own_records_only(scenario: Scenario) -> None:
    def mine(r: dict[str, Any]) -> bool:
        return MINE in (r["partners"] or [])
    g = data_graph(scenario, node=mine, rel=mine)
    refs = ranked(scenario, MINE)[:15]
    checked = pairs(scenario, g, refs, shortest=1)[:3]
    assert checked
    for a, b in checked:
        got = explore.paths(scenario.store, CARE, a, b, cap=2000)
        same_paths(scenario, g, a, b, got)
        assert all(n.props["partners"] == [MINE] for n in got.sub.nodes.values())
    # whatever the filters name, and an end that is not its partner's is not there at all
    a = checked[0][0]
    theirs = scenario.store.run("MATCH (p:Person) WHERE NOT $p IN p.partners "
                                "RETURN p.ref AS ref LIMIT 1", {"p": MINE})[0]["ref"]
    got = explore.paths(scenario.store, CARE, a, theirs,
                        filters=Filters(partners=("police-nl",)))
    assert got.missing == (theirs,) and not got.sub.nodes
    assert paths_summary(got).startswith("Not in the graph, or not among the records you may see")


def test_the_cap_keeps_whole_paths_and_says_so(scenario: Scenario) -> None:
    g = data_graph(scenario)
    many = [(a, b) for a, b in pairs(scenario, g, ranked(scenario)[:15])
            if len(list(nx.all_shortest_paths(g, node_id(scenario, a),
                                              node_id(scenario, b)))) > 2]
    assert many
    a, b = many[0]
    full = explore.paths(scenario.store, ANALYST, a, b, cap=2000)
    length = full.length or 0
    got = explore.paths(scenario.store, ANALYST, a, b, cap=length + 2)
    assert got.found == full.found > got.drawn >= 1
    assert len(got.sub.nodes) <= length + 2
    assert all(set(route) <= set(got.sub.nodes) for route in got.routes)  # whole paths
    assert f", of which {got.drawn:,} within the cap" in paths_summary(got)


def test_expanding_a_node_on_a_path_adds_its_links_in_its_column(scenario: Scenario) -> None:
    g = data_graph(scenario)
    a, b = pairs(scenario, g, ranked(scenario)[:12])[0]
    got = explore.paths(scenario.store, ANALYST, a, b, cap=2000)
    middle = got.sub.nodes[got.routes[0][1]]
    more = explore.paths(scenario.store, ANALYST, a, b, cap=2000, expanded=[middle.ref])
    added = set(more.sub.nodes) - set(got.sub.nodes)
    assert added == set(g[middle.id]) - set(got.sub.nodes)
    assert added and all(more.sub.nodes[n].hop == middle.hop for n in added)
    assert all(more.sub.nodes[n].via == middle.id for n in added)
    assert all(more.sub.nodes[n].via is None for n in got.sub.nodes)
    # drawn on a ring around the expanded node, every node on a spot of its own
    pos = graph_view.layout(more.sub)
    assert len(set(pos.values())) == len(pos)
    centre = pos[middle.id]
    radii = {round(math.dist(pos[n], centre)) for n in added}
    assert len(radii) == 1 and radii.pop() > 0


def test_paths_go_around_the_nodes_left_out(scenario: Scenario) -> None:
    g = data_graph(scenario)
    checked = 0
    for a, b in pairs(scenario, g, ranked(scenario)[:12])[:3]:
        x, y = node_id(scenario, a), node_id(scenario, b)
        full = explore.paths(scenario.store, ANALYST, a, b, cap=2000)
        middle = full.sub.nodes[full.routes[0][1]]
        around = g.copy()
        around.remove_node(middle.id)
        got = explore.paths(scenario.store, ANALYST, a, b, cap=2000, hidden=[middle.ref])
        assert middle.id not in got.sub.nodes
        if nx.has_path(around, x, y) and nx.shortest_path_length(around, x, y) <= 6:
            same_paths(scenario, around, a, b, got)
            checked += 1
        else:
            assert got.length is None and not got.sub.nodes
        assert list(scenario.store.audit.entries())[-1]["what"]["hidden"] == [middle.ref]
    assert checked
    # the ends are never left out
    a, b = pairs(scenario, g, ranked(scenario)[:12])[0]
    ends = explore.paths(scenario.store, ANALYST, a, b, cap=2000, hidden=[a, b])
    same_paths(scenario, g, a, b, ends)


def operators(plan: dict[str, Any]) -> list[str]:
    return [plan["operatorType"], *(op for child in plan.get("children", [])
                                    for op in operators(child))]


def test_the_search_for_paths_is_one_breadth_first_search(scenario: Scenario) -> None:
    """Every filter is checked during the search: Neo4j plans a fallback that walks every
    path up to the length when a predicate needs the whole path."""
    a, b = ranked(scenario)[:2]
    params = {**Filters(partners=("police-nl",), since=date(2015, 1, 1)).params(),
              "a": node_id(scenario, a), "b": node_id(scenario, b), "hidden": ["x"],
              "limit": 10}
    for length in (1, explore.MAX_PATH_LENGTH):
        with scenario.store.session(read_only=True) as session:
            plan = session.run("EXPLAIN " + explore.PATHS[length], params).consume().plan
        assert plan is not None
        ops = operators(plan)
        assert sum("ShortestPath" in op for op in ops) == 1, ops
        assert not any("VarLengthExpand" in op or "Anti" in op for op in ops), ops


def test_the_same_node_at_both_ends_is_a_path_of_nothing(scenario: Scenario) -> None:
    a = ranked(scenario)[0]
    got = explore.paths(scenario.store, ANALYST, a, a)
    assert got.length == 0 and [n.ref for n in got.sub.nodes.values()] == [a]
    assert paths_summary(got) == "Both ends are the same node."


def test_paths_are_audited_with_the_persons_drawn(scenario: Scenario) -> None:
    a, b = pairs(scenario, data_graph(scenario), ranked(scenario)[:12])[0]
    got = explore.paths(scenario.store, ANALYST, a, b, longest=5)
    entry = list(scenario.store.audit.entries())[-1]
    assert entry["action"] == "explore.paths" and entry["user"] == "ann"
    assert entry["what"]["from"] == a and entry["what"]["to"] == b
    assert entry["what"]["longest"] == 5
    persons = {n.ref for n in got.sub.nodes.values() if n.kind in ("minor", "adult")}
    assert {a, b} <= persons and set(entry["persons"]) == persons
    assert entry["records"] == len(got.sub.nodes) + len(got.sub.edges)


def test_a_search_that_runs_out_of_time_is_stopped_and_says_so(
        scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    # A search the server cannot finish within the time-out, in place of the real one
    # (which the small scenario answers at once).
    monkeypatch.setitem(explore.PATHS, 5, (
        "UNWIND range(1, 10000000000) AS x WITH x WHERE x < 0 AND $a <> $b "
        "RETURN [$a, $b] AS ids LIMIT $limit"))
    monkeypatch.setattr(explore, "PATH_TIMEOUT_S", 1.0)
    a, b = ranked(scenario)[:2]
    got = explore.paths(scenario.store, ANALYST, a, b, longest=5)
    assert got.timed_out and got.found == 0 and got.length is None and not got.routes
    assert paths_summary(got) == ("The search for paths was stopped after 1 s. Lower the longest "
                             "path or narrow the filters.")
    entry = list(scenario.store.audit.entries())[-1]
    assert entry["action"] == "explore.paths" and entry["what"]["from"] == a
    assert entry["records"] == len(got.sub.nodes) + len(got.sub.edges)
    # the session is still good for the next search
    monkeypatch.undo()
    assert not explore.paths(scenario.store, ANALYST, a, b, longest=5).timed_out


def test_only_roles_that_explore_find_paths(scenario: Scenario) -> None:
    a, b = ranked(scenario)[:2]
    with pytest.raises(AccessDenied):
        explore.paths(scenario.store, ADMIN, a, b)


def test_a_path_is_drawn_from_left_to_right(scenario: Scenario) -> None:
    g = data_graph(scenario)
    a, b = pairs(scenario, g, ranked(scenario)[:12])[0]
    got = explore.paths(scenario.store, ANALYST, a, b, cap=2000)
    pos = graph_view.layout(got.sub)
    first, last = got.routes[0][0], got.routes[0][-1]
    for route in got.routes:
        xs = [pos[n][0] for n in route]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)  # one column per step
    assert pos[first][0] < pos[last][0]
    column = [n for n in got.sub.nodes if got.sub.nodes[n].hop == 1]
    assert len({pos[n] for n in column}) == len(column)  # no two nodes on one spot


def test_the_summary_counts_in_words() -> None:
    a = GraphNode("a", "A", "adult", {})
    b = GraphNode("b", "B", "minor", {}, hop=1)
    one = Subgraph({"a": a, "b": b}, [GraphEdge("r", "a", "b", "PARENT_OF")], 2)
    found = explore.Paths(one, 6, length=1, found=1, routes=[["a", "b"]])
    assert paths_summary(found) == "1 shortest path of 1 relationship: 2 nodes and 1 relationship"
    many = explore.Paths(one, 6, length=3, found=100, more=True, routes=[["a", "b"]] * 40)
    assert paths_summary(many) == ("100+ shortest paths of 3 relationships, of which 40 within the "
                              "cap: 2 nodes and 1 relationship")
    # and a neighbourhood's
    assert subgraph_summary(one) == "showing all 2 nodes and 1 relationship"
    alone = Subgraph({"a": a}, [], 1)
    assert subgraph_summary(alone) == "showing all 1 node and 0 relationships"
    assert subgraph_summary(Subgraph({"a": a}, [], 5, exact=False)) == (
        "showing 1 of 5+ nodes (nearest first) and 0 relationships")
