"""Dashboard benchmark: a two-hop neighbourhood fetched and turned into HTML, on the server.

    .venv/bin/python -m bench.dashboard [--scale 10] [--seed 1] [--samples 40]

Loads a synthetic scenario into an empty Neo4j and analyses it, then, for persons of
several kinds (the top candidates, and persons drawn at random), times what the Explore
page does for a two-hop neighbourhood capped at 500 nodes: ``graph.explore.neighbourhood``
(fetch) and ``dashboard.graph_view.to_html`` (layout and page). Next to it, in the same
run and on the same persons, the naive way: one variable-length Cypher query for the
nodes and relationships, and pyvis's own ``add_node``/``add_edge``/``generate_html``
with physics on. Prints medians, 90th percentiles and the ratio of the two.

Then the same for the shortest paths between two persons (pairs of top candidates, and
pairs drawn at random, some of which no path of six joins): ``graph.explore.paths`` of
at most six relationships and its HTML, next to one bare Cypher ``shortestPath`` (a
single path, no filters, no properties).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

from pyvis.network import Network

from bench.common import connect, load_scenario, neo4j
from dashboard.graph_view import to_html
from graph import explore
from graph.access import Purpose, Role, Viewer
from graph.analysis.run import analyse
from graph.store import Store

PURPOSE = Purpose("bench", "dashboard benchmark on synthetic data")
VIEWER = Viewer("bench", Role.ANALYST, ("bench",), purpose=PURPOSE)
CAP = 500
NAIVE = (
    "MATCH (p:Person {ref: $ref}) MATCH path = (p)-[rs*0..2]-(m) "
    "WHERE all(r IN rs WHERE type(r) IN $types) "
    "WITH DISTINCT m, path LIMIT 5000 "
    "UNWIND relationships(path) AS r "
    "RETURN collect(DISTINCT m) AS nodes, collect(DISTINCT r) AS rels")


def naive(store: Store, ref: str) -> tuple[float, float, int]:
    """The straightforward way: one path query, pyvis's own API, physics on."""
    started = time.perf_counter()
    row = store.run(NAIVE, {"ref": ref, "types": list(explore.DATA_RELS)}, read_only=True)[0]
    nodes = row["nodes"][:CAP]
    fetched = time.perf_counter()
    net = Network(directed=True, cdn_resources="remote")
    ids = set()
    for n in nodes:
        node_id = str(n.get("ref", id(n)))
        ids.add(node_id)
        net.add_node(node_id, label=node_id[:12], title=str(n))
    # record.data() gives a relationship as a (start, type, end) triple of property maps
    for start, _, end in row["rels"]:
        s, t = str(start.get("ref")), str(end.get("ref"))
        if s in ids and t in ids:
            net.add_edge(s, t)
    net.generate_html()
    done = time.perf_counter()
    return fetched - started, done - fetched, len(nodes)


def ours(store: Store, ref: str) -> tuple[float, float, int, int]:
    started = time.perf_counter()
    sub = explore.neighbourhood(store, VIEWER, [ref], hops=2, cap=CAP)
    fetched = time.perf_counter()
    to_html(sub)
    done = time.perf_counter()
    return fetched - started, done - fetched, len(sub.nodes), sub.total


BARE_PATH = ("MATCH (a:Person {ref: $a}), (b:Person {ref: $b}) "
             "MATCH p = shortestPath((a)-[*..6]-(b)) RETURN length(p) AS n")


def path_pair(store: Store, a: str, b: str) -> dict[str, float]:
    """``explore.paths`` and its page, then the bare query, for one pair."""
    started = time.perf_counter()
    found = explore.paths(store, VIEWER, a, b, longest=6, cap=CAP)
    fetched = time.perf_counter()
    to_html(found.sub)
    done = time.perf_counter()
    store.run(BARE_PATH, {"a": a, "b": b}, read_only=True)
    bare = time.perf_counter() - done
    return {"fetch": fetched - started, "total": done - started, "bare": bare,
            "linked": float(found.length is not None), "paths": found.found,
            "shown": len(found.sub.nodes)}


def paths(store: Store, top: list[str], persons: list[str], rng: random.Random,
          samples: int) -> None:
    pairs = list(pairwise(top))
    pairs += [(rng.choice(persons), rng.choice(persons)) for _ in range(samples - len(pairs))]
    for a, b in pairs[:3]:  # warm the plans
        path_pair(store, a, b)
    rows = [path_pair(store, a, b) for a, b in pairs]
    print(f"shortest paths of at most 6 between {len(pairs)} pairs of persons "
          f"({len(top) - 1} of top candidates, the rest at random):")
    for name, group in (("all", rows), ("linked", [r for r in rows if r["linked"]]),
                        ("not linked within 6", [r for r in rows if not r["linked"]])):
        if not group:
            continue
        med = {k: statistics.median(r[k] for r in group) for k in group[0]}
        p90 = pct([r["total"] for r in group], 0.9)
        print(f"  {name} ({len(group)} pairs; paths median {med['paths']:.0f}, nodes shown "
              f"median {med['shown']:.0f}, max {max(r['shown'] for r in group):.0f}): "
              f"schakel fetch {med['fetch'] * 1000:.1f} ms, total median "
              f"{med['total'] * 1000:.1f} ms, p90 {p90 * 1000:.1f}"
              f" ms, max {max(r['total'] for r in group) * 1000:.1f} ms | bare shortestPath "
              f"median {med['bare'] * 1000:.1f} ms | ratio schakel / bare "
              f"{med['total'] / med['bare']:.1f}x")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    with neo4j(heap="4g", pagecache="2g") as settings, connect(settings) as store, \
            tempfile.TemporaryDirectory(prefix="schakel-bench-") as tmp:
        load_scenario(store, Path(tmp) / "scenario", seed=args.seed, scale=args.scale)
        analyse(store, top=20)
        persons = [r["ref"] for r in store.run("MATCH (p:Person) RETURN p.ref AS ref "
                                               "ORDER BY ref", read_only=True)]
        top = [r["ref"] for r in store.run(
            "MATCH (f:Finding) WITH f ORDER BY f.run_at DESC, f.rank LIMIT 10 "
            "RETURN f.person_ref AS ref", read_only=True)]
        rng = random.Random(args.seed)
        sample = top + rng.sample(persons, max(0, args.samples - len(top)))
        print(f"scale {args.scale:g}: {len(persons):,} persons; {len(sample)} persons, "
              f"two hops, cap {CAP}")
        for ref in sample[:3]:  # warm the page cache and the query plans
            ours(store, ref)
            naive(store, ref)
        rows: list[dict[str, Any]] = []
        for ref in sample:
            f, h, shown, total = ours(store, ref)
            nf, nh, nshown = naive(store, ref)
            rows.append({"fetch": f, "html": h, "total": f + h, "shown": shown, "reach": total,
                         "naive_fetch": nf, "naive_html": nh, "naive_total": nf + nh,
                         "naive_shown": nshown})
        paths(store, top, persons, rng, len(sample) // 2)
    for name, group in (("all", rows), ("up to 500 in reach", [r for r in rows
                                                                if r["reach"] <= CAP]),
                        ("more than 500 in reach (capped)", [r for r in rows
                                                              if r["reach"] > CAP])):
        if not group:
            continue
        med = {k: statistics.median(r[k] for r in group) for k in group[0]}
        p90 = {k: pct([r[k] for r in group], 0.9) for k in group[0]}
        print(f"{name} ({len(group)} persons; nodes shown median {med['shown']:.0f}, "
              f"max {max(r['shown'] for r in group)}):")
        print(f"  schakel  fetch {med['fetch'] * 1000:7.1f} ms  html {med['html'] * 1000:7.1f} ms"
              f"  total median {med['total'] * 1000:7.1f} ms  p90 {p90['total'] * 1000:7.1f} ms"
              f"  max {max(r['total'] for r in group) * 1000:7.1f} ms")
        print(f"  naive    fetch {med['naive_fetch'] * 1000:7.1f} ms  html "
              f"{med['naive_html'] * 1000:7.1f} ms  total median "
              f"{med['naive_total'] * 1000:7.1f} ms  p90 {p90['naive_total'] * 1000:7.1f} ms")
        print(f"  ratio naive / schakel (median total): "
              f"{med['naive_total'] / med['total']:.1f}x; target: schakel median under 1 s: "
              f"{'met' if med['total'] < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
