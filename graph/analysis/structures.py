"""Structures: each top candidate with the minors and helper adults around them.

Method (seeded by the candidate, local, so it scales): the members are the minors the
candidate is linked to without a recorded family or professional tie, and the other
adults who are linked, again without such a tie, to at least ``min_shared`` of those
same minors or who share an identifier with the candidate. Helpers who are themselves
among the top candidates join the core. Structures whose cores overlap, or whose minors
mostly coincide, are one structure: two handlers of one network give one structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from graph.analysis.patterns import Node, adult_links, linked_minors, tie
from graph.analysis.ranking import Candidate


@dataclass
class Structure:
    core: set[Node]
    minors: set[Node] = field(default_factory=set)
    helpers: set[Node] = field(default_factory=set)

    @property
    def members(self) -> set[Node]:
        return self.minors | self.helpers


def _helpers(g: nx.Graph, candidate: Node, minors: set[Node], min_shared: int) -> set[Node]:
    shared: dict[Node, set[Node]] = {}
    for minor in minors:
        for adult in adult_links(g, minor):
            if adult != candidate and not tie(g, adult, minor):
                shared.setdefault(adult, set()).add(minor)
    helpers = {adult for adult, linked in shared.items() if len(linked) >= min_shared}
    for identifier in g.adj[candidate]:
        if identifier[0] == "identifier":
            helpers |= {p for p in g.adj[identifier]
                        if p != candidate and not g.nodes[p]["minor"]}
    return helpers


def structures(g: nx.Graph, candidates: list[Candidate], *, top: int = 20,
               min_shared: int = 2, overlap: float = 0.5) -> list[Structure]:
    """The structures around the first ``top`` candidates, merged where they coincide."""
    leading = {c.node for c in candidates[: 2 * top]}
    found: list[Structure] = []
    for candidate in candidates[:top]:
        minors = linked_minors(g, candidate.node)
        if not minors:
            continue
        helpers = _helpers(g, candidate.node, minors, min_shared)
        found.append(Structure({candidate.node} | (helpers & leading), minors,
                               helpers - leading))
    merged: list[Structure] = []
    for s in found:
        for m in merged:
            shared = len(s.minors & m.minors) / max(1, min(len(s.minors), len(m.minors)))
            if s.core & (m.core | m.helpers) or m.core & s.helpers or shared >= overlap:
                m.core |= s.core
                m.minors |= s.minors
                m.helpers |= s.helpers
                break
        else:
            merged.append(s)
    for m in merged:
        m.helpers -= m.core
    return merged
