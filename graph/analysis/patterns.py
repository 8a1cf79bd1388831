"""Pattern detectors: one function per pattern of DESIGN.md, each returning the adults
it fires on with a value and the evidence behind it.

Every detector takes the projected graph first (see :mod:`graph.analysis.projection`)
and its thresholds as keyword options, and returns ``{adult node: Hit}``. A hit names
the incidents, signals, identifiers and person references that support it, so a person
can check it. No detector reads age, sex, nationality or ethnicity: whether someone is
a minor decides who is linked to whom, never how much a link weighs.

Links between an adult and a minor (:func:`minor_links`):
- an incident where the adult collected the minor afterwards, was present, or was a
  co-suspect, and the minor was a suspect or present (reporters, witnesses and victims
  make no link: store detectives and bystanders are not behind the children);
- a signal about the minor that names the adult;
- an identifier (phone, address, vehicle, account) both use.
A link is *explained* when a family or professional tie between the two is recorded.
Explained links count for less (``explained_weight``); they are never hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx

from graph.schema import FAMILY_TIES, PROFESSIONAL_TIES, Rel

Node = tuple[str, str]

COLLECTING = frozenset({Rel.COLLECTED_AFTER.value, Rel.PRESENT_AT.value})
ADULT_LINK_ROLES = COLLECTING | {Rel.SUSPECT_IN.value}
MINOR_LINK_ROLES = frozenset({Rel.SUSPECT_IN.value, Rel.PRESENT_AT.value})
FAMILY = frozenset(r.value for r in FAMILY_TIES)
PROFESSIONAL = frozenset(r.value for r in PROFESSIONAL_TIES)
LEAVING = frozenset({"runaway", "missing"})
# The signals on which a care partner names the adult it reached about a child (the
# format's related_person_ref on a school absence, or on a care meeting or home visit
# recorded as 'other'): the child's contact, its parent or carer. That is no sign of
# anything between the two, so such a signal links no one (:func:`named_contact`). Only
# care partners: a police signal naming an adult may name a suspect.
CONTACTING = frozenset({"school_absence", "other"})
CARE_PARTNERS = frozenset({"youth_care", "municipality", "child_protection"})


@dataclass
class Hit:
    """One pattern found around one adult."""

    pattern: str
    value: float
    evidence: list[str] = field(default_factory=list)
    minors: set[Node] = field(default_factory=set)


@dataclass(frozen=True)
class Link:
    minor: Node
    via: Node  # the incident, signal or identifier that links them
    how: str  # "incident", "signal" or "identifier"
    roles: frozenset[str]


def named_contact(g: nx.Graph, signal: Node) -> bool:
    """Whether the adult ``signal`` names is the one a care partner reached about the child:
    a school absence or another care signal, recorded by care partners only (the
    projection keeps the kinds of the partners that recorded a signal).

    >>> g = nx.Graph()
    >>> g.add_node(("signal", "s1"), signal_kind="school_absence", partner_kinds={"youth_care"})
    >>> g.add_node(("signal", "s2"), signal_kind="other", partner_kinds={"police"})
    >>> g.add_node(("signal", "s3"), signal_kind="claimed_relative", partner_kinds={"youth_care"})
    >>> g.add_node(("signal", "s4"), signal_kind="other", partner_kinds={"police", "youth_care"})
    >>> [named_contact(g, ("signal", s)) for s in ("s1", "s2", "s3", "s4")]
    [True, False, False, False]
    """
    data = g.nodes[signal]
    kinds = data.get("partner_kinds") or set()
    return data.get("signal_kind") in CONTACTING and bool(kinds) and kinds <= CARE_PARTNERS


def named_as_contact(g: nx.Graph, adult: Node) -> dict[Node, list[Node]]:
    """The minors of whom a care partner named ``adult`` as the contact
    (:func:`named_contact`), each with those signals. This links no one and lowers
    nothing: a parent or carer is named so, and so is a ring's adult who poses as the
    children's guardian. A finding shows it, so the reader knows whom to ask.

    >>> g = nx.Graph()
    >>> g.add_node(("person", "a"), minor=False)
    >>> g.add_node(("person", "m"), minor=True)
    >>> for s, by in (("s1", "youth_care"), ("s2", "police")):
    ...     g.add_node(("signal", s), signal_kind="school_absence", partner_kinds={by})
    ...     g.add_edge(("signal", s), ("person", "m"), types={"ABOUT"})
    ...     g.add_edge(("signal", s), ("person", "a"), types={"NAMES"})
    >>> named_as_contact(g, ("person", "a"))
    {('person', 'm'): [('signal', 's1')]}
    """
    found: dict[Node, list[Node]] = {}
    for via, data in g.adj[adult].items():
        if via[0] != "signal" or Rel.NAMES.value not in data["types"] \
                or not named_contact(g, via):
            continue
        for other, odata in g.adj[via].items():
            if Rel.ABOUT.value in odata["types"] and other != adult and is_minor(g, other):
                found.setdefault(other, []).append(via)
    return found


def is_minor(g: nx.Graph, node: Node) -> bool:
    return node[0] == "person" and bool(g.nodes[node].get("minor"))


def adults(g: nx.Graph) -> Iterator[Node]:
    """Person nodes that are not minors and have any incident, signal or identifier."""
    for node, attrs in g.nodes(data=True):
        if attrs["kind"] == "person" and not attrs["minor"] \
                and any(n[0] != "person" for n in g.adj[node]):
            yield node


def tie(g: nx.Graph, a: Node, b: Node) -> str | None:
    """'family' or 'professional' when such a tie between a and b is recorded."""
    data = g.get_edge_data(a, b)
    if not data:
        return None
    if data["types"] & FAMILY:
        return "family"
    if data["types"] & PROFESSIONAL:
        return "professional"
    return None


def arrested_minors(g: nx.Graph, incident: Node) -> list[Node]:
    """The minors arrested at an incident: suspects, or present with the suspects."""
    return [other for other, data in g.adj[incident].items()
            if is_minor(g, other) and data["types"] & MINOR_LINK_ROLES]


def _ref(node: Node) -> str:
    return node[1]


@contextmanager
def links_kept(g: nx.Graph) -> Iterator[None]:
    """Within this, :func:`minor_links` finds each adult's links once and keeps them: every
    detector and the ranking ask for the same links. The graph must not change inside."""
    g.graph[_KEPT] = {}
    try:
        yield
    finally:
        g.graph.pop(_KEPT, None)


_KEPT = "schakel.minor_links"


def minor_links(g: nx.Graph, adult: Node) -> list[Link]:
    """Every link between ``adult`` and a minor, with what makes it."""
    kept = g.graph.get(_KEPT)
    if kept is None:
        return list(_minor_links(g, adult))
    if adult not in kept:
        kept[adult] = list(_minor_links(g, adult))
    return kept[adult]


def _minor_links(g: nx.Graph, adult: Node) -> Iterator[Link]:
    for via, data in g.adj[adult].items():
        kind = via[0]
        if kind == "incident":
            roles = data["types"] & ADULT_LINK_ROLES
            if not roles:
                continue
            for other in arrested_minors(g, via):
                if other != adult:
                    yield Link(other, via, "incident", frozenset(roles))
        elif kind == "signal" and Rel.NAMES.value in data["types"] \
                and not named_contact(g, via):
            for other, odata in g.adj[via].items():
                if Rel.ABOUT.value in odata["types"] and other != adult and is_minor(g, other):
                    yield Link(other, via, "signal", frozenset({g.nodes[via]["signal_kind"]}))
        elif kind == "identifier":
            for other in g.adj[via]:
                if other != adult and is_minor(g, other):
                    yield Link(other, via, "identifier", frozenset())


def adult_links(g: nx.Graph, minor: Node) -> Iterator[Node]:
    """The adults linked to ``minor`` (the reverse of :func:`minor_links`), once per link."""
    for via, data in g.adj[minor].items():
        kind = via[0]
        if kind == "incident" and data["types"] & MINOR_LINK_ROLES:
            for other, odata in g.adj[via].items():
                if other != minor and odata["types"] & ADULT_LINK_ROLES \
                        and not g.nodes[other]["minor"]:
                    yield other
        elif kind == "signal" and Rel.ABOUT.value in data["types"] \
                and not named_contact(g, via):
            for other, odata in g.adj[via].items():
                if Rel.NAMES.value in odata["types"] and not g.nodes[other]["minor"]:
                    yield other
        elif kind == "identifier":
            for other in g.adj[via]:
                if other != minor and not g.nodes[other]["minor"]:
                    yield other


def _weighted(g: nx.Graph, adult: Node, minors: set[Node], explained_weight: float) -> float:
    return sum(explained_weight if tie(g, adult, m) else 1.0 for m in minors)


def unrelated_collector(g: nx.Graph, *, min_minors: int = 2, explained_weight: float = 0.25
                        ) -> dict[Node, Hit]:
    """Adults who collected, or were present with, several minors with no known family or
    professional tie. Value: those minors, explained ones counting ``explained_weight``.

    >>> g = nx.Graph()
    >>> g.add_node(("person", "A"), kind="person", minor=False)
    >>> for m in "xy":
    ...     g.add_node(("person", m), kind="person", minor=True)
    ...     g.add_node(("incident", m), kind="incident")
    ...     g.add_edge(("person", m), ("incident", m), types={"SUSPECT_IN"})
    ...     g.add_edge(("person", "A"), ("incident", m), types={"COLLECTED_AFTER"})
    >>> unrelated_collector(g)[("person", "A")].value
    2.0
    """
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        minors: set[Node] = set()
        evidence: set[str] = set()
        for link in minor_links(g, adult):
            if link.how == "incident" and link.roles & COLLECTING:
                minors.add(link.minor)
                evidence.add(_ref(link.via))
        unexplained = [m for m in minors if not tie(g, adult, m)]
        if len(unexplained) >= min_minors:
            hits[adult] = Hit("unrelated_collector",
                              _weighted(g, adult, minors, explained_weight),
                              sorted(evidence), minors)
    return hits


def shielded_hub(g: nx.Graph, *, min_minors: int = 3, explained_weight: float = 0.25
                 ) -> dict[Node, Hit]:
    """Many minors linked, few own arrests: linked minors / (1 + own suspect roles)."""
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        minors: set[Node] = set()
        evidence: set[str] = set()
        for link in minor_links(g, adult):
            minors.add(link.minor)
            evidence.add(_ref(link.via))
        unexplained = sum(1 for m in minors if not tie(g, adult, m))
        if unexplained < min_minors:
            continue
        arrests = [_ref(i) for i, d in g.adj[adult].items()
                   if i[0] == "incident" and Rel.SUSPECT_IN.value in d["types"]]
        value = _weighted(g, adult, minors, explained_weight) / (1 + len(arrests))
        hits[adult] = Hit("shielded_hub", round(value, 3), sorted(evidence), minors)
    return hits


def linked_minors(g: nx.Graph, adult: Node) -> set[Node]:
    """The minors linked to ``adult`` with no family or professional tie to explain it."""
    return {link.minor for link in minor_links(g, adult) if not tie(g, adult, link.minor)}


def _offences(g: nx.Graph, minor: Node) -> Iterator[tuple[date, str, str, str]]:
    for incident, data in g.adj[minor].items():
        if incident[0] == "incident" and Rel.SUSPECT_IN.value in data["types"]:
            attrs = g.nodes[incident]
            if attrs.get("day") is not None and attrs.get("city"):
                yield attrs["day"], attrs["city"], attrs.get("country") or "", incident[1]


def mobile_minors(g: nx.Graph, *, window_days: int = 14, min_cities: int = 3,
                  home_country: str = "NL") -> dict[Node, Hit]:
    """The adult's minors offend in several cities within ``window_days``, or abroad.

    Value: the most cities the adult's (unexplained) minors offended in within one
    window, plus the number of foreign countries they offended in.
    """
    hits: dict[Node, Hit] = {}
    window = timedelta(days=window_days)
    for adult in adults(g):
        minors = linked_minors(g, adult)
        if not minors:
            continue
        offences = sorted(o for m in minors for o in _offences(g, m))
        best: set[str] = set()
        best_refs: list[str] = []
        start = 0
        for end in range(len(offences)):
            while offences[end][0] - offences[start][0] > window:
                start += 1
            cities = {o[1] for o in offences[start:end + 1]}
            if len(cities) > len(best):
                best, best_refs = cities, [o[3] for o in offences[start:end + 1]]
        abroad = {o[2] for o in offences if o[2] and o[2] != home_country}
        abroad_refs = [o[3] for o in offences if o[2] and o[2] != home_country]
        if len(best) >= min_cities or abroad:
            hits[adult] = Hit("mobile_minors", float(len(best) + len(abroad)),
                              sorted(set(best_refs + abroad_refs)), minors)
    return hits


def left_before(g: nx.Graph, minor: Node, day: date, city: str | None,
                window: timedelta) -> list[Node]:
    """The runaway or missing signals about ``minor`` from at most ``window`` before
    ``day``, observed in another city than ``city`` (or in none that was recorded)."""
    return [signal for signal in g.adj[minor]
            if signal[0] == "signal" and g.nodes[signal]["signal_kind"] in LEAVING
            and g.nodes[signal].get("day") is not None
            and timedelta(0) <= day - g.nodes[signal]["day"] <= window
            and (g.nodes[signal].get("city") is None or g.nodes[signal]["city"] != city)]


def runaway_then_offence(g: nx.Graph, *, window_days: int = 14) -> dict[Node, Hit]:
    """A minor of the adult runs away (or goes missing) and is arrested elsewhere within
    ``window_days``. Value: such episodes; evidence: each signal and arrest."""
    hits: dict[Node, Hit] = {}
    window = timedelta(days=window_days)
    for adult in adults(g):
        episodes: list[str] = []
        minors: set[Node] = set()
        for minor in linked_minors(g, adult):
            for day, city, _, ref in _offences(g, minor):
                for signal in left_before(g, minor, day, city, window):
                    episodes += [signal[1], ref]
                    minors.add(minor)
        if episodes:
            hits[adult] = Hit("runaway_then_offence", float(len(episodes) // 2),
                              sorted(set(episodes)), minors)
    return hits


MISSING_WINDOW = timedelta(days=14)


def with_a_missing_child(g: nx.Graph, links: Collection[Link]) -> list[str]:
    """The incidents where the adult was with the minor (present, or collecting them)
    within ``MISSING_WINDOW`` after the minor was reported missing or ran away, in another
    city than the report's (or the report names none)."""
    found = []
    for link in links:
        if link.how != "incident" or not link.roles & COLLECTING:
            continue
        incident = g.nodes[link.via]
        if incident.get("day") is not None and left_before(
                g, link.minor, incident["day"], incident.get("city"), MISSING_WINDOW):
            found.append(link.via[1])
    return found


def conduct_kinds(g: nx.Graph, links: Collection[Link]) -> list[str]:
    """What the adult's links to one minor show of the adult's conduct beyond each link:
    watching an offence and collecting the minor, being found with a missing child."""
    roles = {role for link in links if link.how == "incident" for role in link.roles}
    kinds = []
    if {Rel.PRESENT_AT.value, Rel.COLLECTED_AFTER.value} <= roles:
        kinds.append("watched_and_collected")
    if with_a_missing_child(g, links):
        kinds.append("with_a_missing_child")
    return kinds


def handler_conduct(g: nx.Graph) -> dict[Node, Hit]:
    """The adult watched a minor's offence and collected the minor (then, or another
    time), or was with a minor at an offence in another city days after the minor was
    reported missing or ran away. This is the adult's own conduct, so every minor counts,
    a recorded tie included: a tie lowers the link's weight in the ranking
    (:mod:`graph.analysis.counter`) and never hides the adult. Value: such minors;
    evidence: the incidents.

    >>> g = nx.Graph()
    >>> g.add_node(("person", "A"), kind="person", minor=False)
    >>> g.add_node(("person", "m"), kind="person", minor=True)
    >>> g.add_node(("incident", "i"), kind="incident")
    >>> g.add_edge(("person", "m"), ("incident", "i"), types={"SUSPECT_IN"})
    >>> g.add_edge(("person", "A"), ("incident", "i"), types={"PRESENT_AT", "COLLECTED_AFTER"})
    >>> g.add_edge(("person", "A"), ("person", "m"), types={"CASEWORKER_OF"})
    >>> handler_conduct(g)[("person", "A")].value
    1.0
    """
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        by_minor: dict[Node, list[Link]] = {}
        for link in minor_links(g, adult):
            by_minor.setdefault(link.minor, []).append(link)
        minors: set[Node] = set()
        evidence: set[str] = set()
        for minor, links in by_minor.items():
            if conduct_kinds(g, links):
                minors.add(minor)
                evidence |= {_ref(link.via) for link in links if link.how == "incident"
                             and link.roles & COLLECTING}
        if minors:
            hits[adult] = Hit("handler_conduct", float(len(minors)), sorted(evidence), minors)
    return hits


def shared_means(g: nx.Graph, *, min_minors: int = 1) -> dict[Node, Hit]:
    """Minors outside the adult's family share a phone, address, vehicle or account with
    the adult. A professional tie does not explain this. Value: such minors."""
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        minors: set[Node] = set()
        evidence: set[str] = set()
        for link in minor_links(g, adult):
            if link.how == "identifier" and tie(g, adult, link.minor) != "family":
                minors.add(link.minor)
                evidence.add(_ref(link.via))
        if len(minors) >= min_minors:
            hits[adult] = Hit("shared_means", float(len(minors)), sorted(evidence), minors)
    return hits


def _signals_naming(g: nx.Graph, kinds: frozenset[str], pattern: str) -> dict[Node, Hit]:
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        minors: set[Node] = set()
        evidence: set[str] = set()
        for link in minor_links(g, adult):
            if link.how == "signal" and link.roles & kinds \
                    and tie(g, adult, link.minor) != "family":
                minors.add(link.minor)
                evidence.add(_ref(link.via))
        if minors:
            hits[adult] = Hit(pattern, float(len(minors)), sorted(evidence), minors)
    return hits


def claimed_relative(g: nx.Graph) -> dict[Node, Hit]:
    """Care partners recorded that the adult claimed to be family of a minor, and no
    family tie is recorded. Value: such minors; evidence: the signals."""
    return _signals_naming(g, frozenset({"claimed_relative"}), "claimed_relative")


def travels_with(g: nx.Graph) -> dict[Node, Hit]:
    """The adult was seen travelling with minors who travel unaccompanied by family
    (``unaccompanied_travel`` signals naming the adult). Value: such minors."""
    return _signals_naming(g, frozenset({"unaccompanied_travel"}), "travels_with")


def alias_churn(g: nx.Graph, *, min_minors: int = 1) -> dict[Node, Hit]:
    """The adult's minors are known under several references (alias clusters).
    Value: such minors; evidence: their other references."""
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        minors = {m for m in linked_minors(g, adult) if len(g.nodes[m]["refs"]) > 1}
        if len(minors) >= min_minors:
            refs = sorted(r for m in minors for r in g.nodes[m]["refs"] if r != m[1])
            hits[adult] = Hit("alias_churn", float(len(minors)), refs, minors)
    return hits


def broker(g: nx.Graph, *, min_groups: int = 2) -> dict[Node, Hit]:
    """The adult bridges otherwise separate groups of minors: the adult's minors fall in
    several components of their co-offending network once the adult is taken out.
    Value: groups bridged minus one (Gould-Fernandez-style brokerage, measured locally).
    """
    hits: dict[Node, Hit] = {}
    for adult in adults(g):
        minors = linked_minors(g, adult)
        if len(minors) < min_groups:
            continue
        co = nx.Graph()
        co.add_nodes_from(minors)
        first_link: dict[Node, str] = {}
        for link in minor_links(g, adult):
            first_link.setdefault(link.minor, _ref(link.via))
        for minor in minors:
            for incident, data in g.adj[minor].items():
                if incident[0] != "incident" or not data["types"] & MINOR_LINK_ROLES:
                    continue
                for other in g.adj[incident]:
                    if other != minor and other in minors:
                        co.add_edge(minor, other)
        groups = list(nx.connected_components(co))
        if len(groups) >= min_groups:
            evidence = sorted({first_link[next(iter(sorted(group)))] for group in groups
                               if next(iter(sorted(group))) in first_link})
            hits[adult] = Hit("broker", float(len(groups) - 1), evidence, minors)
    return hits


DETECTORS: dict[str, Callable[[nx.Graph], dict[Node, Hit]]] = {
    "unrelated_collector": unrelated_collector,
    "shielded_hub": shielded_hub,
    "mobile_minors": mobile_minors,
    "runaway_then_offence": runaway_then_offence,
    "shared_means": shared_means,
    "claimed_relative": claimed_relative,
    "travels_with": travels_with,
    "alias_churn": alias_churn,
    "broker": broker,
    "handler_conduct": handler_conduct,
}
