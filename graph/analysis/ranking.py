"""One score per adult, anchored on the signs of exploitation of the minors around them.

An adult's *evidence mass* is a sum over the minors linked to the adult (see
:func:`graph.analysis.patterns.minor_links`): for each minor, how strong the link is
(``LINK_WEIGHTS``: a claimed kinship or travelling together says more than sharing a
phone, which says more than being present at an arrest), times what counter-evidence
leaves of it (:mod:`graph.analysis.counter`: family, household, profession), times how
strongly the minor shows signs of exploitation (:mod:`graph.analysis.markers`; a minor
without any sign counts for ``BASE`` only). So an adult near many ordinary teenagers
stays low, and an adult near three children who run away, use aliases and steal in other
cities rises.

The mass is mapped to a score between 0 and 1 by a logistic curve fitted on tuning
worlds (``CALIBRATION``; its reliability on test worlds is in docs/analysis.md), and
read as a band: a strong, moderate or weak lead. Only adults with a pattern hit
(:mod:`graph.analysis.patterns`) are ranked: the hits are the reasons a person reads.
No input is an age, sex, nationality or ethnicity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

import networkx as nx

from graph.analysis import counter as counters
from graph.analysis.counter import Counter
from graph.analysis.markers import Markers, markers
from graph.analysis.patterns import (
    DETECTORS,
    Hit,
    Link,
    Node,
    arrested_minors,
    conduct_kinds,
    links_kept,
    minor_links,
)


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


# What each kind of link between an adult and a minor says (the strongest of a minor's
# links counts; several kinds add up as independent chances).
LINK_WEIGHTS: dict[str, float] = {
    "claimed_relative": 1.0, "unaccompanied_travel": 1.0, "signal": 0.4,
    "phone": 0.8, "vehicle": 0.8, "account": 0.8, "address": 0.5, "identifier": 0.5,
    "COLLECTED_AFTER": 0.7, "PRESENT_AT": 0.4, "SUSPECT_IN": 0.2,
    # present at the minor's offence, and (then, or another time) collecting the minor
    # afterwards: the handler who watches the children steal and claims them after an arrest
    "watched_and_collected": 0.6,
    # with the minor at an offence elsewhere, days after the minor was reported missing or
    # ran away: being found with a missing child (UK county-lines guidance)
    "with_a_missing_child": 0.6,
}
BASE = 0.02  # what a minor without any sign of exploitation counts for, by proximity
# The adult's own conduct towards a minor (claiming kinship, travelling together, watching
# and collecting, being found with a missing child) is a sign in itself: it counts for
# CONDUCT_BASE even when the minor shows nothing. Sharing a phone, vehicle or account
# (MEANS) is the adult's conduct too, but families share them as well: it counts for
# MEANS_BASE when the minor shows nothing.
MEANS = counters.MEANS  # the same kinds a household explains
CONDUCT = MEANS | {"claimed_relative", "unaccompanied_travel", "watched_and_collected",
                   "with_a_missing_child"}
CONDUCT_BASE = 0.5
MEANS_BASE = 0.05
# score = 1 / (1 + exp(-(slope * ln(mass) + offset))): a logistic fit of "a planted
# exploiter or helper" on the mass, over the ranked adults of tuning worlds 1000-1299
# (scenarios/worlds.py); its reliability on test worlds is in docs/analysis.md.
CALIBRATION = (4.28, 3.53)
BANDS = ((0.7, "strong"), (0.4, "moderate"), (0.0, "weak"))
# The counter-evidence of a profession (see caseload_sum): beyond the strongest, the i-th
# further case counts for this share of its weight, divided by i.
CASELOAD_KINDS = frozenset({"professional", "professional_pattern", "declared"})
CASELOAD = 0.25
COUNTER_KINDS = frozenset(counters.FACTORS)


@dataclass
class MinorLink:
    """How one minor weighs in an adult's score, and why."""

    minor: Node
    weight: float  # of the links by proximity (an incident, an address, a signal)
    markers: Markers
    counter: Counter | None
    kinds: tuple[str, ...]
    conduct: float = 0.0  # of the links by the adult's own conduct (CONDUCT but MEANS)
    records: tuple[str, ...] = ()  # the incidents, signals and identifiers that link them
    conduct_lowered: bool = True  # whether the counter-evidence lowers the conduct too
    means: float = 0.0  # of the phones, vehicles and accounts they share (MEANS)

    @property
    def mass(self) -> float:
        return self.weighed()

    def weighed(self, *, markers: bool = True) -> float:
        """The minor's part of the adult's mass (``markers=False``: as if every minor
        showed every sign, for the ablation)."""
        return self.by_proximity(markers=markers) + self.by_conduct(markers=markers)

    def by_proximity(self, *, markers: bool = True) -> float:
        factor = self.counter.factor if self.counter is not None else 1.0
        strength = self.markers.strength if markers else 1.0
        return factor * self.weight * (BASE + (1 - BASE) * strength)

    def by_conduct(self, *, markers: bool = True) -> float:
        factor = self.counter.factor if self.counter is not None and self.conduct_lowered \
            else 1.0
        strength = self.markers.strength if markers else 1.0
        return factor * (self.conduct * (CONDUCT_BASE + (1 - CONDUCT_BASE) * strength)
                         + self.means * (MEANS_BASE + (1 - MEANS_BASE) * strength))

    @property
    def in_caseload(self) -> bool:
        """Whether a profession explains this link: the minor is one of the adult's cases."""
        return self.counter is not None and self.counter.kind in CASELOAD_KINDS

    def conduct_in_caseload(self, large: bool) -> bool:
        """Whether the adult's conduct towards this minor is part of the case as well: the
        pattern of a professional (``professional_pattern``) explains being at a child's
        police contact and collecting it, the acts of the job; over a ``large`` caseload
        (``counter.CASELOAD_MINORS`` minors or more: an interpreter at the contacts of
        dozens of children) also being at the contact of a child found elsewhere days after
        it went missing, which over a few children (a drugs line's helper) it does not."""
        return (self.in_caseload and self.conduct_lowered and self.counter is not None
                and self.counter.kind == "professional_pattern"
                and (large or "with_a_missing_child" not in self.kinds))

    def case(self, large: bool, *, markers: bool = True) -> float:
        """This minor's part of the adult's caseload (:func:`evidence_mass`)."""
        conduct = self.by_conduct(markers=markers) if self.conduct_in_caseload(large) else 0.0
        return self.by_proximity(markers=markers) + conduct


def evidence_mass(links: Collection[MinorLink], *, markers: bool = True,
                  caseload: float | None = CASELOAD) -> float:
    """An adult's evidence mass: the sum of the minors' parts, except that of the links a
    profession explains (the adult's caseload) only the strongest counts whole and the
    i-th further one ``caseload / i`` of its own (:func:`caseload_sum`). A lawyer,
    interpreter or youth worker is near many children, marked ones among them, because of
    the job: the number of cases must not add up to a lead. Their own conduct (sharing a
    phone, being with a missing child elsewhere) is not part of the caseload and counts
    whole, except what the pattern of a professional explains
    (:meth:`MinorLink.conduct_in_caseload`): a street youth worker present at a
    teenager's arrest who collects the teenager afterwards; an interpreter at the police
    contacts of dozens of children.
    ``caseload=None`` counts every case whole (the ablation)."""
    if caseload is None:
        return sum(link.weighed(markers=markers) for link in links)
    large = sum(1 for link in links if link.in_caseload) >= counters.CASELOAD_MINORS
    cases = [link.case(large, markers=markers) for link in links if link.in_caseload]
    rest = sum(link.by_proximity(markers=markers) for link in links if not link.in_caseload)
    conduct = sum(link.by_conduct(markers=markers) for link in links
                  if not link.conduct_in_caseload(large))
    return rest + conduct + caseload_sum(cases, caseload)


def caseload_sum(cases: Collection[float], caseload: float = CASELOAD) -> float:
    """A caseload's part of the mass: the strongest case whole, the i-th further one
    (strongest first) ``caseload / i`` of its own. It grows with every case, ever more
    slowly: a hundred equal cases count for 2.3 times one.

    >>> round(caseload_sum([0.4, 0.2, 0.2, 0.2, 0.2]), 4)
    0.5042
    >>> round(caseload_sum([1.0] * 101), 2)
    2.3
    """
    ordered = sorted(cases, reverse=True)
    further = sum(case / i for i, case in enumerate(ordered[1:], start=1))
    return sum(ordered[:1]) + caseload * further


@dataclass
class Candidate:
    node: Node
    score: float
    hits: dict[str, Hit] = field(default_factory=dict)
    rank: int = 0
    mass: float = 0.0
    links: list[MinorLink] = field(default_factory=list)
    role: Counter | None = None  # the adult's own counter-evidence (a profession)
    # all its links are what a parent or guardian does too (counter.guardian_like)
    guardian_like: bool = False
    # counter-evidence that lowered the whole mass, not a link (counter.as_guardian)
    whole: Counter | None = None

    @property
    def minors(self) -> set[Node]:
        return set().union(*(h.minors for h in self.hits.values())) if self.hits else set()

    @property
    def band(self) -> str:
        return next(name for floor, name in BANDS if self.score >= floor)

    @property
    def counter_evidence(self) -> list[Counter]:
        """Every reason that lowered a link or the whole mass, once, strongest first."""
        seen: dict[str, Counter] = {}
        if self.whole is not None:
            seen[self.whole.reason] = self.whole
        for link in sorted(self.links, key=lambda li: -li.mass):
            if link.counter is not None:
                seen.setdefault(link.counter.reason, link.counter)
        return sorted(seen.values(), key=lambda c: c.factor)


def _kinds(g: nx.Graph, link: Link) -> list[str]:
    if link.how == "signal":
        named = link.roles & {"claimed_relative", "unaccompanied_travel"}
        return sorted(named) or ["signal"]
    if link.how == "identifier":
        return [g.nodes[link.via].get("identifier_kind") or "identifier"]
    return sorted(link.roles)


def link_weight(g: nx.Graph, links: Collection[Link], *, of: str = "proximity",
                shown: Collection[str] = ()) -> float:
    """How strongly ``links`` (all between one adult and one minor) tie the two, ``of``
    one side: by ``"proximity"``, by the adult's ``"conduct"`` (with the conduct the
    links have ``shown`` together, :func:`conduct_kinds`), or by the ``"means"`` they
    share. Each link counts by its kind (``LINK_WEIGHTS``), an incident's shared among
    the minors arrested there (an adult who comes for one of four children arrested
    together is not linked to each as to one alone), and several links add up as
    independent chances."""
    def side(kind: str) -> str:
        return "means" if kind in MEANS else "conduct" if kind in CONDUCT else "proximity"

    miss = 1.0
    if of == "conduct":
        for kind in shown:
            miss *= 1 - LINK_WEIGHTS[kind]
    for link in links:
        kinds = [k for k in _kinds(g, link) if side(k) == of]
        if not kinds:
            continue
        weight = max(LINK_WEIGHTS.get(kind, 0.4) for kind in kinds)
        if link.how == "incident":
            weight /= max(1, len(arrested_minors(g, link.via)))
        elif link.how == "identifier" and of == "means":
            # a phone the children of one family share with the adult is often the
            # family's; shared by children of several families it is the pattern of a
            # line or a ring
            weight *= min(1.0, counters.families_using(g, link.via) / 2)
        miss *= 1 - weight
    return 1 - miss


def calibrated(mass: float, calibration: tuple[float, float] = CALIBRATION) -> float:
    """The score (0-1) of an evidence mass."""
    if mass <= 0:
        return 0.0
    slope, offset = calibration
    return round(1 / (1 + math.exp(-(slope * math.log(mass) + offset))), 4)


def minor_weights(g: nx.Graph, adult: Node, *, counter_kinds: Collection[str] = COUNTER_KINDS,
                  cache: dict[Node, Markers] | None = None,
                  ) -> tuple[list[MinorLink], Counter | None, Counter | None]:
    """Each minor linked to ``adult`` with its weight and counter-evidence, the adult's
    own counter-evidence (a declared or inferred profession), and, when all its links are
    what a parent or guardian does too, the counter-evidence that says so
    (:func:`counter.as_guardian`; whatever ``counter_kinds``, as the finding's flag)."""
    cache = {} if cache is None else cache
    by_minor: dict[Node, list[Link]] = defaultdict(list)
    for link in minor_links(g, adult):
        by_minor[link.minor].append(link)
    all_links = [link for links in by_minor.values() for link in links]
    role = counters.declared(g, adult) or counters.professional_pattern(g, adult, all_links)
    if role is not None and role.kind not in counter_kinds:
        role = None
    career = counters.own_offending(g, adult) if "own_offending" in counter_kinds else None
    anchors = counters.accompanied(g, adult, all_links)  # explain keeps counter_kinds only
    parent_of_one = counters.one_child(g, all_links, anchors) if "one_child" in counter_kinds \
        else None
    weighed = []
    for minor, links in sorted(by_minor.items()):
        if minor not in cache:
            cache[minor] = markers(g, minor)
        shown = conduct_kinds(g, links)
        kinds = sorted({k for link in links for k in _kinds(g, link)}) + shown
        found = counters.explain(g, adult, minor, links, role, career, anchors,
                                 counter_kinds, parent_of_one)
        weighed.append(MinorLink(
            minor, link_weight(g, links), cache[minor], found, tuple(kinds),
            link_weight(g, links, of="conduct", shown=shown),
            tuple(sorted({link.via[1] for link in links})),
            counters.lowers_conduct(found, shown), link_weight(g, links, of="means")))
    return weighed, role, counters.as_guardian(g, all_links)


def all_hits(g: nx.Graph, disabled: Collection[str] = ()) -> dict[Node, dict[str, Hit]]:
    """Every enabled detector's hits, by adult."""
    by_adult: dict[Node, dict[str, Hit]] = defaultdict(dict)
    for name, detector in DETECTORS.items():
        if name in disabled:
            continue
        for adult, hit in detector(g).items():
            by_adult[adult][name] = hit
    return dict(by_adult)


def rank(g: nx.Graph, *, weights: dict[str, Weight] = WEIGHTS, disabled: Collection[str] = (),
         counter_kinds: Collection[str] = COUNTER_KINDS, anchored: bool = True,
         use_markers: bool = True, calibration: tuple[float, float] = CALIBRATION,
         caseload: float | None = CASELOAD) -> list[Candidate]:
    """Every adult with a pattern hit, best first (ties broken by reference).

    The options are for the ablation in docs/analysis.md: ``disabled`` patterns, only
    the counter-evidence kinds in ``counter_kinds``, ``use_markers=False`` to weigh
    every minor as fully marked, ``caseload=None`` to count every case of a professional
    whole, and ``anchored=False`` to rank by the pattern sum of earlier versions
    (:func:`score`) instead of the evidence mass.
    """
    cache: dict[Node, Markers] = {}
    candidates = []
    with links_kept(g):
        for adult, hits in all_hits(g, disabled).items():
            links, role, guardian = minor_weights(g, adult, counter_kinds=counter_kinds,
                                                  cache=cache)
            mass = evidence_mass(links, markers=use_markers, caseload=caseload)
            whole = guardian if guardian is not None and "guardian" in counter_kinds else None
            if whole is not None:
                mass *= whole.factor
            mass = round(mass, 4)
            value = calibrated(mass, calibration) if anchored else score(hits, weights)
            candidates.append(Candidate(adult, value, hits, 0, mass, links, role,
                                        guardian is not None, whole))
    candidates.sort(key=lambda c: (-c.score, -c.mass, c.node[1]))
    for i, candidate in enumerate(candidates, start=1):
        candidate.rank = i
    return candidates


