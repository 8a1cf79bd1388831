"""Signs that a minor is being exploited, read from the minor's own records.

The score of an adult rests on these (see :mod:`graph.analysis.ranking`), not on how
many minors the adult is near: an adult near many ordinary teenagers does not rise, an
adult near three children who run away, use aliases and steal in other cities does.

The markers come from the signal lists of the Dutch Child Protection Board and care
partners, the UNODC indicators of trafficking in children and the UK county-lines
guidance (sources in docs/analysis.md):

| marker | read from |
| --- | --- |
| aliases | the minor is known under several references (an alias cluster) |
| leaving | runaway or missing signals (leaving a shelter or care placement counts twice) |
| cities | offences as a suspect in two cities within 30 days, and in three within 30 days |
| abroad | an offence outside the home country |
| group theft | pickpocketing, shoplifting, theft or begging together with other minors |
| no papers, cash | ``no_id_documents``, ``carrying_cash`` signals |
| travel | ``unaccompanied_travel`` signals |
| claimed | an adult claimed to be family without proof (``claimed_relative`` about the minor) |
| partners | two or more partners independently record signals about the minor |

No marker is an age, sex, nationality or ethnicity; whether someone is a minor only
decides who the markers are read for. "Abroad" is where an offence happened, never
where a person comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx

from graph.schema import Rel

Node = tuple[str, str]

# How much each marker says; ``strength`` saturates, so no single one decides.
WEIGHTS: dict[str, float] = {
    "aliases": 1.0,
    "leaving": 0.8,
    "shelter_leaving": 0.4,  # on top of "leaving", when it was a shelter's runaway signal
    "two_cities": 0.15,
    "three_cities": 0.8,  # on top of two
    "abroad": 1.0,
    "group_theft": 0.25,
    "no_id_documents": 0.7,
    "carrying_cash": 0.7,
    "unaccompanied_travel": 1.0,
    "claimed_relative": 1.0,
    "partners": 0.5,
}
WINDOW = timedelta(days=30)  # two cities count when within this of each other
HALF = 1.0  # the total at which a minor's strength is one half
GROUP_KINDS = frozenset({"pickpocketing", "shoplifting", "theft", "begging"})
SIGNAL_MARKERS = frozenset({"no_id_documents", "carrying_cash", "unaccompanied_travel",
                            "claimed_relative"})
LEAVING = frozenset({"runaway", "missing"})


@dataclass
class Markers:
    """A minor's markers: each one's name with the references that show it."""

    found: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(WEIGHTS[name] for name in self.found)

    @property
    def strength(self) -> float:
        """0 (no sign at all) to nearly 1 (many signs)."""
        total = self.total
        return total / (total + HALF)


def _moved(visits: list[tuple[date | None, str, str]], cities: int = 2,
           window: timedelta = WINDOW) -> list[str]:
    """Offences in ``cities`` different cities within ``window`` of the first: the refs of
    the first such run (one offence per city). Offences in three cities over the years
    are what any teenager who offends now and then can have; three within a month is
    being moved around.

    >>> d = date(2015, 1, 1)
    >>> _moved([(d, "A", "1"), (d + timedelta(days=40), "B", "2")])
    []
    >>> later = [d + timedelta(days=5), d + timedelta(days=9)]
    >>> _moved([(d, "A", "1"), (later[0], "A", "2"), (later[1], "B", "3")])
    ['1', '3']
    """
    dated = sorted((d, city, ref) for d, city, ref in visits if d is not None)
    for i, (day, _, _) in enumerate(dated):
        seen: dict[str, str] = {}
        for later, city, ref in dated[i:]:
            if later - day > window:
                break
            seen.setdefault(city, ref)
            if len(seen) >= cities:
                return sorted(seen.values())
    return []


def markers(g: nx.Graph, minor: Node, *, home_country: str = "NL") -> Markers:
    """The markers of ``minor`` in the projected graph.

    >>> g = nx.Graph()
    >>> g.add_node(("person", "m"), kind="person", minor=True, refs={"m", "m2"})
    >>> g.add_node(("signal", "s"), kind="signal", signal_kind="runaway", city="Utrecht")
    >>> g.add_edge(("signal", "s"), ("person", "m"), types={"ABOUT"})
    >>> sorted(markers(g, ("person", "m")).found)
    ['aliases', 'leaving', 'shelter_leaving']
    """
    found: dict[str, list[str]] = {}
    attrs = g.nodes[minor]
    refs = attrs.get("refs") or set()
    if len(refs) > 1:
        found["aliases"] = sorted(r for r in refs if r != minor[1])
    signal_partners: set[str] = set()
    visits: list[tuple[date | None, str, str]] = []
    for via, data in g.adj[minor].items():
        kind = via[0]
        if kind == "incident" and Rel.SUSPECT_IN.value in data["types"]:
            incident = g.nodes[via]
            if incident.get("city"):
                visits.append((incident.get("day"), incident["city"], via[1]))
            country = incident.get("country")
            if country and country != home_country:
                found.setdefault("abroad", []).append(via[1])
            if incident.get("incident_kind") in GROUP_KINDS and any(
                    other != minor and other[0] == "person" and g.nodes[other].get("minor")
                    and Rel.SUSPECT_IN.value in odata["types"]
                    for other, odata in g.adj[via].items()):
                found.setdefault("group_theft", []).append(via[1])
        elif kind == "signal" and Rel.ABOUT.value in data["types"]:
            signal_kind = g.nodes[via].get("signal_kind")
            signal_partners.update(g.nodes[via].get("partners") or ())
            if signal_kind in LEAVING:
                found.setdefault("leaving", []).append(via[1])
                if signal_kind == "runaway":
                    found.setdefault("shelter_leaving", []).append(via[1])
            elif signal_kind in SIGNAL_MARKERS:
                found.setdefault(signal_kind, []).append(via[1])
    for name, count in (("two_cities", 2), ("three_cities", 3)):
        moved = _moved(visits, count)
        if moved:
            found[name] = moved
    if len(signal_partners) >= 2:
        found["partners"] = sorted(signal_partners)
    return Markers(found)
