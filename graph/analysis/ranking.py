"""One score per adult from the pattern hits, with the reasons behind it.

Each pattern contributes ``weight * value / (value + half)``: a first hit counts, more
of the same counts less and less, so no single pattern (least of all plain degree)
carries an adult to the top. The weights favour what corroborates exploitation beyond
being near children: shared means, claimed kinship, travelling with minors, minors who
run away and offend elsewhere, move between cities and use aliases. Being linked to
many minors (collector, hub, broker) counts, but a street youth worker who only shows
that shape stays below someone who also shares a phone with unrelated children. The
three structural patterns (collector, hub, broker) give their strongest, not their sum.
No input is an age, sex, nationality or ethnicity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from graph.analysis.patterns import Hit, Node, all_hits


@dataclass(frozen=True)
class Weight:
    weight: float
    half: float  # the value at which the pattern gives half its weight


WEIGHTS: dict[str, Weight] = {
    "unrelated_collector": Weight(1.0, 3.0),
    "shielded_hub": Weight(0.5, 3.0),
    "mobile_minors": Weight(1.0, 3.0),
    "runaway_then_offence": Weight(1.0, 1.0),
    "shared_means": Weight(1.5, 2.0),
    "claimed_relative": Weight(1.5, 1.0),
    "travels_with": Weight(1.0, 1.0),
    "alias_churn": Weight(1.0, 2.0),
    "broker": Weight(0.5, 2.0),
}


@dataclass
class Candidate:
    node: Node
    score: float
    hits: dict[str, Hit] = field(default_factory=dict)
    rank: int = 0

    @property
    def minors(self) -> set[Node]:
        return set().union(*(h.minors for h in self.hits.values())) if self.hits else set()


# These three measure one thing, how many minors an adult is linked to, each from another
# side: added up they would count degree three times. They give their strongest.
STRUCTURAL = frozenset({"unrelated_collector", "shielded_hub", "broker"})


def contribution(hit: Hit, weights: dict[str, Weight] = WEIGHTS) -> float:
    w = weights[hit.pattern]
    return w.weight * hit.value / (hit.value + w.half)


def score(hits: dict[str, Hit], weights: dict[str, Weight] = WEIGHTS) -> float:
    """The strongest structural pattern plus every corroborating one.

    >>> round(score({"shared_means": Hit("shared_means", 2.0)}), 3)
    0.75
    """
    structural = [contribution(h, weights) for n, h in hits.items() if n in STRUCTURAL]
    corroborating = [contribution(h, weights) for n, h in hits.items() if n not in STRUCTURAL]
    return round(max(structural, default=0.0) + sum(corroborating), 4)


def rank(g: nx.Graph, *, weights: dict[str, Weight] = WEIGHTS) -> list[Candidate]:
    """Every adult with a pattern hit, best first (ties broken by reference)."""
    candidates = [Candidate(adult, score(hits, weights), hits)
                  for adult, hits in all_hits(g).items()]
    candidates.sort(key=lambda c: (-c.score, c.node[1]))
    for i, candidate in enumerate(candidates, start=1):
        candidate.rank = i
    return candidates
