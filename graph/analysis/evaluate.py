"""How good a ranking is, measured against a synthetic scenario's ground truth.

Positives are the planted exploiters and helpers. For a ranked list of persons (each a
set of references: an alias cluster) it gives average precision, precision at k
(k = number of positives), recall of the top 2k, and how many decoys of each class
reached the top k. Two baselines are ranked on the same graph: the number of minors an
adult is adjacent to (any role, any link), and betweenness on the person network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from graph.analysis.patterns import Node, adults, is_minor
from graph.analysis.projection import project
from graph.analysis.run import latest_findings
from graph.errors import GraphError
from graph.store import Store


@dataclass(frozen=True)
class Scores:
    method: str
    average_precision: float
    precision_at_k: float
    recall_at_2k: float
    k: int
    decoys_in_top_k: dict[str, int]


def evaluate(method: str, ranked: Sequence[Iterable[str]], positives: set[str],
             decoys: dict[str, set[str]]) -> Scores:
    """Score ``ranked`` (best first; each entry the refs of one person).

    >>> s = evaluate("x", [{"a"}, {"d"}, {"b"}], {"a", "b"}, {"parent": {"d"}})
    >>> round(s.average_precision, 3), s.precision_at_k, s.decoys_in_top_k["parent"]
    (0.833, 0.5, 1)
    """
    k = len(positives)
    hits_so_far = 0
    precisions: list[float] = []
    found: set[str] = set()
    top_k: list[set[str]] = []
    recall_hits = 0
    for position, refs in enumerate(ranked, start=1):
        refs = set(refs)
        if position <= k:
            top_k.append(refs)
        match = (refs & positives) - found
        if match:
            found |= match
            hits_so_far += 1
            precisions.append(hits_so_far / position)
            if position <= 2 * k:
                recall_hits += 1
    ap = sum(precisions) / k if k else 0.0
    in_top = sum(1 for refs in top_k if refs & positives)
    decoy_counts = {name: sum(1 for refs in top_k if refs & members)
                    for name, members in sorted(decoys.items())}
    return Scores(method, ap, in_top / k if k else 0.0, recall_hits / k if k else 0.0, k,
                  decoy_counts)


def _refs(g: nx.Graph, node: Node) -> set[str]:
    return set(g.nodes[node]["refs"]) or {node[1]}


def degree_baseline(g: nx.Graph) -> list[set[str]]:
    """Adults by the number of distinct minors within two steps (any incident, signal,
    identifier) or one (a tie)."""
    scored = []
    for adult in adults(g):
        minors = set()
        for via in g.adj[adult]:
            if is_minor(g, via):
                minors.add(via)
            elif via[0] != "person":
                minors |= {m for m in g.adj[via] if is_minor(g, m)}
        scored.append((-len(minors), adult[1], adult))
    return [_refs(g, node) for *_, node in sorted(scored)]


def person_network(g: nx.Graph) -> nx.Graph:
    """Persons linked when they share an incident, signal or identifier, or a tie."""
    p = nx.Graph()
    for node, attrs in g.nodes(data=True):
        if attrs["kind"] == "person":
            p.add_node(node)
        else:
            people = [n for n in g.adj[node] if n[0] == "person"]
            p.add_edges_from((a, b) for i, a in enumerate(people) for b in people[i + 1:])
    p.add_edges_from((a, b) for a, b in g.edges() if a[0] == b[0] == "person")
    return p


def betweenness_baseline(g: nx.Graph, *, samples: int = 128, seed: int = 1) -> list[set[str]]:
    """Adults by betweenness on the person network, estimated from ``samples`` sources."""
    p = person_network(g)
    k = min(samples, p.number_of_nodes())
    centrality = nx.betweenness_centrality(p, k=k, seed=seed) if k else {}
    scored = sorted((-centrality.get(a, 0.0), a[1], a) for a in adults(g))
    return [_refs(g, node) for *_, node in scored]


class TruthError(GraphError):
    """A file that is not a synthetic scenario's ``truth.json``."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a scenario's truth.json ({reason}).")


class NoRun(GraphError):
    """Nothing to score: the graph holds no analysis run."""

    def __init__(self) -> None:
        super().__init__("no analysis run in the graph: run `schakel analyse` first.")


@dataclass(frozen=True)
class Truth:
    """A synthetic scenario's ground truth: who was planted, and the labelled decoys."""

    positives: frozenset[str]
    decoys: dict[str, set[str]]

    @classmethod
    def load(cls, path: Path) -> Truth:
        """Read ``truth.json``; :class:`TruthError` when it is not one."""
        try:
            known = json.loads(path.read_text())
            positives = frozenset(known["exploiters"]) | frozenset(known["helpers"])
            decoys = {str(name): set(refs) for name, refs in known["decoys"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TruthError(path, str(exc)) from None
        return cls(positives, decoys)


@dataclass(frozen=True)
class Evaluation:
    run_id: str
    results: list[Scores]  # Schakel's ranking first, then the baselines


def evaluate_latest(store: Store, truth: Truth) -> Evaluation:
    """Score the latest analysis run against ``truth``, beside two baselines (degree to
    minors, betweenness) computed on the same graph; :class:`NoRun` if there is none."""
    run_id, findings = latest_findings(store)
    if run_id is None:
        raise NoRun()
    g = project(store)
    ranked = [{f["person_ref"], *(f["aliases"] or [])} for f in findings]
    positives = set(truth.positives)
    return Evaluation(run_id, [
        evaluate("schakel", ranked, positives, truth.decoys),
        evaluate("degree to minors", degree_baseline(g), positives, truth.decoys),
        evaluate("betweenness", betweenness_baseline(g), positives, truth.decoys)])
