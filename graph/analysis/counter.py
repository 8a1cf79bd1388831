"""Counter-evidence: what the data shows *against* a lead, with its reason.

A link between an adult and a minor is weighed down (never removed) when something
explains it:

- **family**: a family tie is recorded (parent, sibling, legal guardian, household,
  partner);
- **household** (inferred): the two are registered at the same address, the minor since
  at least a year before the first link between them (when no partner recorded since
  when, it counts, but for less); or they lived at one residence of a few persons
  (``stays.csv``), together since a year or more before that link; or the adult reported
  the minor missing, or reported an incident in which the minor was the victim;
- **placed** (inferred): youth care or child protection placed the minor at the residence
  of a few where the adult lives, before their first contact, however shortly before (a
  foster carer of short placements, sixteenth version);
- **victim**: the adult was the victim of an offence of which the minor was a suspect (a
  resident whose home a drugs line took over);
- **one child** (inferred): at every police contact, two or more, the adult came for the
  same child, and did nothing a parent would not do (the child's parent, whose tie no
  partner recorded);
- **professional**: a professional tie is recorded (caseworker); or a partner declared
  the adult one of its professionals or a foster parent (exchange format 1.1); or the
  adult has the pattern of one, inferred from how the adult is recorded: present at the
  police contacts of several minors (collecting none of them; or, in one city or two of
  one country, of many and collecting at no more than half of the contacts: a street
  youth worker), or
  assigned to several persons as their caseworker; and never offending with a minor,
  sharing a phone, address, vehicle or account with one, nor named in a signal about one
  but as the one who reported it missing.

An adult whom a care partner names as the one it reached about a child (a school absence,
a care meeting) is the child's contact: such a signal links no one
(:func:`graph.analysis.patterns.named_contact`), so it needs no counter-evidence, and a
ring's adult who poses as the children's guardian is not lowered by it.

What counter-evidence never explains: shared means (a phone, vehicle or account) are
weighed down only by a household or family, never by a profession; a claimed kinship
(``claimed_relative``) or travelling with a minor is never explained. So a parent who
also collects unrelated children, or a youth worker who shares phones with the minors,
still surfaces. No surname, age, sex, nationality or ethnicity is used.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx

from graph.analysis.patterns import (
    COLLECTING,
    FAMILY,
    PROFESSIONAL,
    Link,
    Node,
    arrested_minors,
)
from graph.schema import Rel
from graph.words import words
from i18n import N_, _

# What each kind of counter-evidence leaves of a link's weight.
FACTORS: dict[str, float] = {
    "family": 0.25,
    "household": 0.3,
    "placed": 0.3,  # placed by a care partner at the residence where the adult lives
    "reported": 0.15,  # the adult reported the minor missing, or as a victim
    "declared": 0.25,
    "professional": 0.25,
    "professional_pattern": 0.2,
    "own_offending": 1.0,  # the counter carries its own factor (see own_offending)
    "accompanies": 0.3,
    "victim": 0.2,  # the adult was the victim of an offence of the minor
    "one_child": 0.3,  # came for the same child each time, and did only what a parent does
    # all that links the adult to minors is what a parent does too: the whole mass, halved
    "guardian": 0.5,
}
LONG_TIME = timedelta(days=365)
# A shared address whose registration date no partner recorded: a household perhaps, but
# the date that tells a home of years from a recent registration is missing.
UNDATED_HOUSEHOLD = 0.5
# A residence where more persons ever stayed is a block or a neighbourhood, not one
# household: living there says nothing of a life shared with a child.
HOUSEHOLD_MOST = 12
MEANS = frozenset({"phone", "vehicle", "account"})
REPORTING = frozenset({"missing", "runaway"})


# Each kind as a care partner's user reads it (without the references of records that
# may be another partner's).
KINDS: dict[str, str] = {
    "family": N_("a recorded family tie"),
    "household": N_("registered or living at the same address for a long time, or "
                    "registered there since a date no partner recorded"),
    "reported": N_("reported the minor missing, or as a victim"),
    "placed": N_("lives where a care partner placed the minor"),
    # the twelfth version's, kept for the findings it stored (see EARLIER)
    "contact": N_("named by a care partner as the adult it reached about the minor"),
    "professional": N_("a professional tie (caseworker) is recorded"),
    "declared": N_("declared by a partner as one of its professionals or a foster parent"),
    "professional_pattern": N_("recorded as a professional is (present at the contacts of "
                               "many minors, seldom collecting one, never sharing means)"),
    "accompanies": N_("there, each time, for a child arrested with the others"),
    "own_offending": N_("an offender in their own right, mostly without minors"),
    "victim": N_("the victim of an offence of the minor"),
    "one_child": N_("came for this child at every police contact, and did nothing a parent "
                    "would not do"),
    "guardian": N_("all that links the person to the children is what a parent or guardian "
                   "does too"),
}


@dataclass(frozen=True)
class Counter:
    """One reason that explains links of an adult: its kind, a sentence, the references;
    and the sentence's ``template`` and ``values``, to say it in the reader's language."""

    kind: str
    reason: str
    evidence: tuple[str, ...] = ()
    weight: float | None = None  # this counter's own factor, where its kind has none fixed
    template: str = ""
    values: tuple[tuple[str, str], ...] = ()

    @property
    def factor(self) -> float:
        return self.weight if self.weight is not None else FACTORS[self.kind]

    def said(self) -> dict[str, object]:
        """The reason as a finding stores it: the sentence, its template and values."""
        return {"reason": self.reason, "template": self.template, "values": dict(self.values)}


def saying(kind: str, template: str, evidence: tuple[str, ...] = (),
           weight: float | None = None, **values: object) -> Counter:
    """A counter whose reason is ``template`` (marked for the catalog) with ``values``.

    >>> saying("own_offending", N_("arrested {n} times without any minor"), n=3).reason
    'arrested 3 times without any minor'
    """
    shown = {key: str(value) for key, value in values.items()}
    return Counter(kind, template.format(**shown), evidence, weight, template,
                   tuple(sorted(shown.items())))


def partner_text(item: Mapping[str, object]) -> str:
    """A stored reason as a care partner's user reads it: its kind, without references.

    >>> from i18n import speaking
    >>> with speaking("en"):
    ...     partner_text({"kind": "victim", "reason": "the victim of I1"})
    'the victim of an offence of the minor'
    """
    kind = str(item.get("kind") or "")
    return _(KINDS[kind]) if kind in KINDS else kind


def reason_text(item: Mapping[str, object]) -> str:
    """A stored reason (a finding's counter-evidence, or a minor's ``lowered_by``) in the
    reader's language; the English sentence when it was stored without its template (a
    run of an earlier version).

    >>> reason_text({"reason": "old", "template": "victim of {ref}", "values": {"ref": "I1"}})
    'victim of I1'
    >>> reason_text({"reason": "stored before templates"})
    'stored before templates'
    """
    template, values = item.get("template"), item.get("values")
    if not isinstance(template, str) or not template or not isinstance(values, Mapping):
        return str(item.get("reason") or "")
    return _(template).format(**{key: words(str(value)) for key, value in values.items()})


def lowered_text(minor: Mapping[str, object]) -> str:
    """What lowered one of a finding's minors (its ``lowered_by_said``), in the reader's
    language; a run stored before the templates has only the sentence (``lowered_by``).

    >>> lowered_text({"lowered_by": "stored before templates"})
    'stored before templates'
    >>> lowered_text({"lowered_by": None})
    ''
    """
    said = minor.get("lowered_by_said")
    return reason_text(said if isinstance(said, Mapping) else {"reason": minor.get("lowered_by")})


def recorded(g: nx.Graph, adult: Node, minor: Node) -> Counter | None:
    """A family or professional tie recorded between the two."""
    data = g.get_edge_data(adult, minor)
    if not data:
        return None
    if data["types"] & FAMILY:
        kinds = ", ".join(sorted(t.removesuffix("_OF").lower() for t in data["types"] & FAMILY))
        return saying("family", N_("recorded family tie ({kinds}) with {minor}"), (minor[1],),
                      kinds=kinds, minor=minor[1])
    if data["types"] & PROFESSIONAL:
        return saying("professional", N_("recorded caseworker of {minor}"), (minor[1],),
                      minor=minor[1])
    return None


def _first_day(g: nx.Graph, links: list[Link]) -> date | None:
    days = [g.nodes[link.via].get("day") for link in links if link.how != "identifier"]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def homes_shared(g: nx.Graph, adult: Node, minor: Node) -> list[tuple[str, date]]:
    """The residences where the two lived at the same time, each with the day from which
    both lived there; only residences where at most ``HOUSEHOLD_MOST`` persons ever stayed.

    >>> g = nx.Graph(residents={"R1": 3, "R2": 400})
    >>> g.add_node("a", homes={"R1": (date(2008, 1, 1), None), "R2": (date(2008, 1, 1), None)})
    >>> g.add_node("m", homes={"R1": (date(2010, 5, 1), None), "R2": (date(2009, 1, 1), None)})
    >>> homes_shared(g, "a", "m")
    [('R1', datetime.date(2010, 5, 1))]
    >>> g.nodes["a"]["homes"]["R1"] = (date(2006, 1, 1), date(2009, 1, 1))  # moved out before
    >>> homes_shared(g, "a", "m")
    []
    """
    residents = g.graph.get("residents") or {}
    mine = g.nodes[adult].get("homes") or {}
    theirs = g.nodes[minor].get("homes") or {}
    shared = []
    for home in sorted(mine.keys() & theirs.keys()):
        if residents.get(home, 0) > HOUSEHOLD_MOST:
            continue
        (a_from, a_until), (m_from, m_until) = mine[home], theirs[home]
        since = max(a_from, m_from)
        ends = [day for day in (a_until, m_until) if day is not None]
        if not ends or since <= min(ends):
            shared.append((home, since))
    return shared


def household(g: nx.Graph, adult: Node, minor: Node, links: list[Link]) -> Counter | None:
    """The strongest of :func:`shared_life`."""
    found = shared_life(g, adult, minor, links)
    return min(found, key=lambda c: c.factor) if found else None


def shared_life(g: nx.Graph, adult: Node, minor: Node, links: list[Link]) -> list[Counter]:
    """What the data shows of a life shared with the minor: the adult reported the minor
    missing or as a victim; the two are registered at one address, the minor since a
    year or more before their first contact (undated: weaker), or lived at one residence
    of a few (:func:`homes_shared`) since a year or more before it, or since less, when a
    care partner placed the minor there (``placed``: the projection keeps where youth care
    or child protection recorded a stay); or the adult was the victim of the minor's
    offence (a resident whose home a line took over)."""
    first = _first_day(g, links)
    found: list[Counter] = []
    placed = g.nodes[minor].get("placed") or set()
    for home, since in homes_shared(g, adult, minor):
        if first is None or since <= first - LONG_TIME:
            found.append(saying("household", N_("lived at the same residence as {minor} "
                                                "since {since}"),
                                (home, minor[1]), minor=minor[1], since=since.isoformat()))
        elif home in placed and since <= first:
            found.append(saying("placed", N_("lives at the residence where a care partner "
                                             "placed {minor}, since {since}"),
                                (home, minor[1]), minor=minor[1], since=since.isoformat()))
    for via, data in g.adj[minor].items():
        if via[0] == "identifier" and g.nodes[via].get("identifier_kind") == "address" \
                and g.has_edge(adult, via):
            since = data.get("first_seen")
            if since is None:
                found.append(saying("household", N_("registered at the same address as "
                                                    "{minor} (since when, no partner "
                                                    "recorded)"),
                                    (via[1], minor[1]), UNDATED_HOUSEHOLD, minor=minor[1]))
            elif first is None or since <= first - LONG_TIME:
                found.append(saying("household", N_("registered at the same address as "
                                                    "{minor} since {since}"),
                                    (via[1], minor[1]), minor=minor[1],
                                    since=since.isoformat()))
        elif via[0] == "signal" and Rel.ABOUT.value in data["types"] \
                and g.nodes[via].get("signal_kind") in REPORTING:
            named = g.get_edge_data(via, adult)
            if named and Rel.NAMES.value in named["types"]:
                found.append(saying("reported", N_("named in the {signal} report of {minor}"),
                                    (via[1], minor[1]), signal=g.nodes[via]["signal_kind"],
                                    minor=minor[1]))
        elif via[0] == "incident":
            own = g.get_edge_data(adult, via)
            if not own:
                continue
            if Rel.VICTIM_IN.value in data["types"] and Rel.REPORTED.value in own["types"]:
                found.append(saying("reported", N_("reported the incident of which {minor} "
                                                   "was the victim"),
                                    (via[1], minor[1]), minor=minor[1]))
            if Rel.SUSPECT_IN.value in data["types"] and Rel.VICTIM_IN.value in own["types"]:
                found.append(saying("victim", N_("the victim of an offence of which {minor} "
                                                 "was a suspect"),
                                    (via[1], minor[1]), minor=minor[1]))
    return found


def declared(g: nx.Graph, adult: Node) -> Counter | None:
    """A partner declared the adult one of its professionals or a foster parent."""
    roles = g.nodes[adult].get("declared_roles") or {}
    if not roles:
        return None
    (role, by), *more = sorted(roles.items())
    if more:
        others = "; ".join(f"{r} ({', '.join(sorted(b))})" for r, b in more)
        return saying("declared", N_("declared professional: {role} (declared by {partners}); "
                                     "also {others}"),
                      role=role, partners=", ".join(sorted(by)), others=others)
    return saying("declared", N_("declared professional: {role} (declared by {partners})"),
                  role=role, partners=", ".join(sorted(by)))


def _one_shelter(g: nx.Graph, minors: set[Node], cities: set[str | None], *,
                 min_minors: int = 2) -> str | None:
    """The shelter where at least ``min_minors`` of ``minors`` were placed, when every
    contact (``cities``) was in that shelter's city."""
    placed: dict[str, int] = {}
    where: dict[str, str] = {}
    for minor in minors:
        shelters = dict(g.nodes[minor].get("shelters") or {})
        for via in g.adj[minor]:  # where the minor ran away from, when its stay is unrecorded
            if via[0] == "signal" and g.nodes[via].get("shelter"):
                shelters.setdefault(g.nodes[via]["shelter"], g.nodes[via].get("city"))
        for ref, city in shelters.items():
            placed[ref] = placed.get(ref, 0) + 1
            where[ref] = city
    for ref, count in sorted(placed.items(), key=lambda x: -x[1]):
        if count >= min_minors and cities == {where[ref]}:
            return ref
    return None


# Reasons of earlier versions, kept in the catalog so that the findings those versions
# stored still read in the reader's language (counter.reason_text).
EARLIER = (
    N_("present at the police contacts of {n} minors, never collecting one, sharing means "
       "with one or named in a signal"),
    N_("named by a care partner as the adult it reached about {minor} (signals: {n})"),
)


# A professional who now and then collects a child (a street youth worker whom the police
# call when the parents cannot come) has the pattern of one when it is the work of a
# caseload in one area: at least this many minors, collecting at no more than this share
# of the contacts, all of them in one city, or two of one country (a youth worker of two
# towns; how far apart is not read. The fifteenth version; the fourteenth wanted one city).
CASELOAD_MINORS = 6
COLLECTING_SHARE = 0.5
AREA_CITIES = 2


def professional_pattern(g: nx.Graph, adult: Node, links: list[Link], *,
                         min_minors: int = 4) -> Counter | None:
    """The pattern of a professional: linked to several minors only by their police
    contacts (or assigned to several persons as caseworker), and never sharing means with
    one, offending with one, or named in a signal about one other than as the one who
    reported it missing. Present at the contacts of ``min_minors`` minors and never
    collecting one (a lawyer, an interpreter); or, in one area (:func:`one_area`), at the
    contacts of ``CASELOAD_MINORS`` and collecting at no more than ``COLLECTING_SHARE`` of
    them (a street youth worker)."""
    assigned = sum(1 for other, data in g.adj[adult].items()
                   if other[0] == "person" and data["types"] & PROFESSIONAL)
    contacts: dict[Node, frozenset[str]] = {}
    minors: set[Node] = set()
    for link in links:
        if link.how == "signal" and link.roles <= REPORTING:
            continue  # named in a missing or runaway report: what a carer is too
        if link.how != "incident" or Rel.SUSPECT_IN.value in link.roles:
            return None  # shared means, a signal about a minor, offending with one
        contacts[link.via] = contacts.get(link.via, frozenset()) | link.roles
        minors.add(link.minor)
    if assigned >= 2:
        return saying("professional", N_("recorded caseworker of {n} persons, with no shared "
                                         "means or signal linking a minor"), n=assigned)
    cities = {g.nodes[via].get("city") for via in contacts}
    shelter = _one_shelter(g, minors, cities)
    if shelter is not None:
        return saying("professional_pattern", N_(
            "collects children placed at one shelter ({shelter}), in its city only, with no "
            "shared means or signal linking a minor: the pattern of the shelter's staff"),
            (shelter,), shelter=shelter)
    collected = sum(1 for roles in contacts.values() if Rel.COLLECTED_AFTER.value in roles)
    if not collected and len(minors) >= min_minors:
        return saying("professional_pattern", N_(
            "present at the police contacts of {n} minors, never collecting one or sharing "
            "means with one"), n=len(minors))
    if not collected or len(minors) < CASELOAD_MINORS \
            or collected > COLLECTING_SHARE * len(contacts) or not one_area(g, contacts):
        return None
    city, *other = sorted(str(c) for c in cities)
    if other:
        return saying("professional_pattern", N_(
            "present at the police contacts of {n} minors in {city} and {other}, collecting "
            "one at {collected} of {contacts}, never sharing means with one: the pattern of a "
            "youth worker"), n=len(minors), city=city, other=other[0], collected=collected,
            contacts=len(contacts))
    return saying("professional_pattern", N_(
        "present at the police contacts of {n} minors in {city}, collecting one at "
        "{collected} of {contacts}, never sharing means with one: the pattern of a "
        "youth worker"), n=len(minors), city=city, collected=collected,
        contacts=len(contacts))


def one_area(g: nx.Graph, incidents: Collection[Node]) -> bool:
    """Whether ``incidents`` all took place in one area: one city (whatever country its
    places were given), or ``AREA_CITIES`` of one country, every city known. A handler's
    children are moved from city to city and abroad; a youth worker's teenagers are those
    of the neighbourhoods the worker works in.

    >>> g = nx.Graph()
    >>> g.add_node(("incident", "i1"), city="Utrecht", country="NL")
    >>> g.add_node(("incident", "i2"), city="Zeist", country="NL")
    >>> one_area(g, [("incident", "i1"), ("incident", "i2")])
    True
    >>> g.add_node(("incident", "i3"), city="Antwerpen", country="BE")
    >>> one_area(g, [("incident", "i1"), ("incident", "i3")])
    False
    >>> g.add_node(("incident", "i4"), city="Utrecht", country=None)  # a place without one
    >>> one_area(g, [("incident", "i1"), ("incident", "i4")])
    True
    """
    cities = {g.nodes[via].get("city") for via in incidents}
    if not cities or None in cities or len(cities) > AREA_CITIES:
        return False
    return len(cities) == 1 or len({g.nodes[via].get("country") for via in incidents}) == 1


def own_offending(g: nx.Graph, adult: Node, *, scale: float = 5.0) -> Counter | None:
    """An offender in their own right: arrests of the adult with no minor arrested with
    them. Exploiters keep out of sight (the *shielded hub* of the literature); an adult
    arrested again and again on their own, who now and then offends with a teenager, is
    not behind the teenager. Weighs down co-offending links only, by 1 / (1 + n / scale)."""
    alone = [inc[1] for inc, data in g.adj[adult].items()
             if inc[0] == "incident" and Rel.SUSPECT_IN.value in data["types"]
             and not any(g.nodes[o].get("minor") for o in g.adj[inc] if o[0] == "person")]
    if len(alone) < 2:
        return None
    return saying("own_offending", N_("arrested {n} times without any minor"),
                  tuple(sorted(alone)[:10]), round(1 / (1 + len(alone) / scale), 3),
                  n=len(alone))


def accompanied(g: nx.Graph, adult: Node, links: list[Link], *, min_contacts: int = 2
                ) -> set[Node]:
    """The minors the adult most likely came for, each time. At every contact where the
    adult collected a minor or was present, the same minors were arrested: the adult's
    own child among them (a recorded or inferred family tie), or, over ``min_contacts``
    contacts or more, the same one or the same small group each time. The other minors
    were arrested with them; a group shares the adult among its members."""
    contacts: dict[Node, set[Node]] = {}
    for link in links:
        if link.how == "incident" and link.roles & COLLECTING:
            contacts.setdefault(link.via, set()).add(link.minor)
    if not contacts:
        return set()
    common = set.intersection(*contacts.values())
    own = {m for m in common
           if ((tie := recorded(g, adult, m)) is not None and tie.kind == "family")
           or household(g, adult, m, [li for li in links if li.minor == m]) is not None}
    if own:
        return own
    return common if len(contacts) >= min_contacts else set()


def one_child(g: nx.Graph, links: Collection[Link], anchors: Collection[Node], *,
              min_contacts: int = 2) -> Counter | None:
    """The pattern of a child's parent or guardian whose tie no partner recorded: at each of
    ``min_contacts`` police contacts or more the adult came for the same one child
    (:func:`accompanied`), and all that links the adult to minors is what a parent does
    too (:func:`guardian_like`). Lowers the links to that child; the others arrested with
    it are lowered by ``accompanies``. A handler comes for several children, and is
    present at their offences: that is never lowered by this."""
    if len(anchors) != 1 or not guardian_like(g, links):
        return None
    contacts = {link.via for link in links if link.how == "incident"}
    if len(contacts) < min_contacts:
        return None
    (child,) = anchors
    return saying("one_child", N_("came for {minor} at each of {n} police contacts, and did "
                                  "nothing a parent or guardian would not do"),
                  (child[1],), minor=child[1], n=len(contacts))


def _relatives(g: nx.Graph, person: Node) -> set[Node]:
    """The person, the persons with a recorded family tie to them, and the addresses they
    are registered at. (Not the residences where they lived: children of one small
    neighbourhood, recorded as one residence, would count as one family, and a ring's
    phone shared among them as a family's.)"""
    near = {person}
    for other, data in g.adj[person].items():
        if other[0] == "person" and data["types"] & FAMILY:
            near.add(other)
        elif other[0] == "identifier" and g.nodes[other].get("identifier_kind") == "address":
            near.add(other)
    return near


def families(g: nx.Graph, persons: Collection[Node]) -> int:
    """How many families ``persons`` come from: two are of one family when a family tie
    between them is recorded, they have a recorded relative in common (a parent of both),
    or they are registered at one address. A person of whom none of this is recorded is a
    family of their own.

    >>> g = nx.Graph()
    >>> kids = [("person", k) for k in "abc"]
    >>> g.add_nodes_from(kids + [("person", "p")])
    >>> g.add_edge(("person", "p"), kids[0], types={"PARENT_OF"})
    >>> g.add_edge(("person", "p"), kids[1], types={"PARENT_OF"})
    >>> families(g, kids)
    2
    """
    groups: list[set[Node]] = []
    for person in persons:
        near = _relatives(g, person)
        joined = [group for group in groups if not group.isdisjoint(near)]
        for group in joined:
            groups.remove(group)
            near |= group
        groups.append(near)
    return len(groups)


def families_using(g: nx.Graph, identifier: Node) -> int:
    """How many families the minors using ``identifier`` come from (:func:`families`)."""
    return families(g, [p for p in g.adj[identifier]
                        if p[0] == "person" and g.nodes[p].get("minor")])


def guardian_like(g: nx.Graph, links: Collection[Link]) -> bool:
    """Whether all that links the adult to minors is what a parent or guardian does as
    well: collecting a child from the police after an arrest (a missing child found in
    another city among them), being registered at its address, sharing the family's phone,
    being named in its missing or runaway report. Never present at an offence, never a
    suspect with a child, never claiming kinship or travelling with one, never sharing a
    phone, vehicle or account with the children of several families.

    When no partner recorded the family tie, a parent who comes for their own child looks
    like this, and so does a handler who only ever collects: the children may well be
    exploited. So the finding says so, and the adult's whole mass counts at half
    (:func:`as_guardian`, fourteenth version): a lead still when the children show strong
    signs, never a strong one on a parent's acts alone. An adult who, besides, came for
    the same one child every time has that child's links lowered too (:func:`one_child`).
    """
    if not links:
        return False
    for link in links:
        if link.how == "incident":
            if link.roles != {Rel.COLLECTED_AFTER.value}:
                return False
        elif link.how == "signal":
            if not link.roles <= REPORTING:
                return False
        elif g.nodes[link.via].get("identifier_kind") in MEANS \
                and families_using(g, link.via) > 1:
            return False
    return True


def as_guardian(g: nx.Graph, links: Collection[Link]) -> Counter | None:
    """The counter-evidence of an adult whose every link to the children is what a parent or
    guardian does too (:func:`guardian_like`): it lowers the adult's whole evidence mass
    (``FACTORS["guardian"]``), not one link, since what is ambiguous is the whole picture.
    Its evidence is the children the adult is linked to. An adult present at an offence,
    a suspect with a child, claiming kinship, travelling with one or sharing means with
    the children of several families is never lowered by it."""
    if not guardian_like(g, links):
        return None
    children = tuple(sorted({link.minor[1] for link in links}))
    if len(children) == 1:
        return saying("guardian", N_("all that links this person to the child is what a "
                                     "parent or guardian does too (collecting it after an "
                                     "arrest, its address, the family's phone, its missing "
                                     "report), and no partner recorded whose parent the "
                                     "person is: counted at half"), children)
    return saying("guardian", N_("all that links this person to the {n} children is what a "
                                 "parent or guardian does too (collecting a child after an "
                                 "arrest, its address, the family's phone, its missing "
                                 "report), and no partner recorded whose parent the person "
                                 "is: counted at half"),
                  children, n=len(children))


def lowers_conduct(found: Counter | None, shown: Collection[str]) -> bool:
    """Whether ``found`` lowers the adult's own conduct towards a minor as well as the
    links by proximity. A recorded caseworker tie (``professional``) explains being at a
    client's police contact or collecting the client, not being with the client at an
    offence in another city days after the client went missing (``with_a_missing_child``:
    the recruiting youth worker). The pattern of a professional at police contacts
    (``professional_pattern``: an interpreter, a lawyer) and a partner's declaration do
    explain it, as do family and a household (a parent looks for a runaway child).

    >>> lowers_conduct(Counter("professional", "caseworker"), ["with_a_missing_child"])
    False
    >>> lowers_conduct(Counter("professional_pattern", "interpreter"), ["with_a_missing_child"])
    True
    >>> lowers_conduct(Counter("family", "parent"), ["with_a_missing_child"])
    True
    """
    return found is None or found.kind != "professional" or "with_a_missing_child" not in shown


def explain(g: nx.Graph, adult: Node, minor: Node, links: list[Link],
            role: Counter | None, career: Counter | None = None,
            anchors: set[Node] | frozenset[Node] = frozenset(),
            kinds: Collection[str] | None = None,
            parent_of_one: Counter | None = None) -> Counter | None:
    """What explains the links of ``adult`` to ``minor``, if anything (the strongest of
    the ``kinds`` of counter-evidence, all when not given: the ablation leaves kinds out).

    ``role`` is the adult's own counter-evidence (:func:`declared` or
    :func:`professional_pattern`), which explains contacts but not shared means;
    ``parent_of_one`` the pattern of the parent of the one child the adult came for each time
    (:func:`one_child`), which explains the links to that child, a phone of the family's
    among them."""
    tie = recorded(g, adult, minor)
    found = ([tie] if tie is not None else []) + shared_life(g, adult, minor, links)
    unexplainable = any(link.how == "signal" and link.roles & {"claimed_relative",
                                                              "unaccompanied_travel"}
                        for link in links)
    if unexplainable:
        return None
    means = any(link.how == "identifier" and g.nodes[link.via].get("identifier_kind") in MEANS
                for link in links)
    if role is not None and not means:
        found.append(role)
    if parent_of_one is not None and minor[1] in parent_of_one.evidence:
        found.append(parent_of_one)
    if means:
        found = [c for c in found
                 if c.kind in ("family", "household", "placed", "reported", "one_child")]
    if anchors and all(link.how == "incident" for link in links):
        if minor not in anchors and all(not anchors.isdisjoint(arrested_minors(g, link.via))
                                        for link in links):
            named = ", ".join(sorted(a[1] for a in anchors))
            found.append(saying("accompanies", N_("arrested together with {named}, arrested "
                                                  "at every contact of the adult"),
                                tuple(sorted(a[1] for a in anchors)), named=named))
        elif minor in anchors and len(anchors) > 1:
            found.append(saying("accompanies", N_("one of the same {n} minors arrested "
                                                  "together at every contact of the adult"),
                                (minor[1],), round(1 / len(anchors), 3), n=len(anchors)))
    if career is not None and all(link.how == "incident" and link.roles == {Rel.SUSPECT_IN.value}
                                  for link in links):
        found.append(career)
    if kinds is not None:
        found = [c for c in found if c.kind in kinds]
    return min(found, key=lambda c: c.factor) if found else None
