"""Synthetic scenarios: realistic partner deliveries with planted ground truth.

A scenario is a world of persons, places and events, from which each partner writes
only what it would know, with the gaps real registers have (family ties and aliases
left unrecorded, birth years missing). Planted inside a much larger ordinary population:

- itinerant family networks of the 13Oceans kind: handlers and helpers who move 5-20
  minors aged 8-16 from several families through stations and shopping streets across
  cities and abroad, collect them after arrests while claiming to be family, and share
  phones and addresses with them; the minors are arrested under aliases and run away
  from shelters;
- county-line-type lines: an adult line holder, runners, older minors carrying drugs in
  other cities, missing episodes, one "line" phone;
- local recruiters: an adult who has a few local minors shoplift and steal for him.

Labelled decoys are linked to many minors for innocent reasons: parents of large
families, caseworkers, shelter staff, street youth workers, store detectives and prolific
adult offenders. ``truth.json`` (never ingested) lists the exploiters, helpers, decoys
and structures by the person refs the graph stores. Same seed, same files.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingest.pseudonymise import TeamKey

START = date(2015, 1, 1)
END = date(2016, 2, 27)
EXTRACTED_AT = "2016-03-01T09:00:00+01:00"

NL_CITIES = {
    "Amsterdam": (52.379, 4.900), "Rotterdam": (51.924, 4.469), "Den Haag": (52.080, 4.325),
    "Utrecht": (52.090, 5.110), "Eindhoven": (51.443, 5.481), "Groningen": (53.211, 6.564),
    "Arnhem": (51.985, 5.899), "Nijmegen": (51.843, 5.858), "Haarlem": (52.388, 4.638),
    "Leiden": (52.166, 4.482), "Zwolle": (52.505, 6.092), "Breda": (51.589, 4.776),
}
FOREIGN_CITIES = {
    "Antwerpen": ("BE", 51.217, 4.421), "Brussel": ("BE", 50.846, 4.352),
    "Köln": ("DE", 50.938, 6.960), "Düsseldorf": ("DE", 51.228, 6.774),
    "Lille": ("FR", 50.637, 3.063),
}
PUBLIC_KINDS = ("station", "shopping_street", "shop", "market", "public_transport")

def city_code(city: str) -> str:
    """The three letters a city's location references start with (``L-NL-UTR-…``)."""
    return "".join(c for c in city.upper() if c.isalpha())[:3]


PARTNERS = {
    "police-nl": "police",
    "foreign-police": "foreign_police",
    "shelter-jeugdzorg": "shelter",
    "youth-care": "youth_care",
    "municipality": "municipality",
}
# This partner delivers raw identifiers, so the ingester's pseudonymisation is exercised.
RAW_PARTNER = "shelter-jeugdzorg"


@dataclass
class Person:
    pid: int
    raw: str
    birth_year: int
    sex: str
    city: str
    role: str = "ordinary"  # truth label: exploiter, helper, decoy:<class>, minor, ordinary
    structure: str | None = None
    aliases: list[str] = field(default_factory=list)

    def age(self, when: date) -> int:
        return when.year - self.birth_year


@dataclass
class Location:
    ref: str
    kind: str
    city: str
    country: str
    lat: float
    lon: float
    name: str


class World:
    """Everything that happened; partners each see a part of it."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.persons: list[Person] = []
        self.locations: dict[str, Location] = {}
        self.by_city: dict[str, dict[str, list[Location]]] = defaultdict(lambda: defaultdict(list))
        # per partner, per file: rows as dicts (raw refs; pseudonymised on writing)
        self.rows: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
            lambda: defaultdict(list))
        self.counter: dict[str, int] = defaultdict(int)
        self.structures: list[dict[str, Any]] = []
        self.phones: int = 0
        # (carer, child): each child's parent or carer, whether any partner records it
        self.carers: list[tuple[Person, Person]] = []
        # How much of what happened the partners record (1: as in the project's own
        # scenarios; scenarios/worlds.py draws other values for its families of worlds).
        self.family_recording = 1.0
        self.alias_recording = 1.0
        self._places()

    # -- building blocks --------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        self.counter[prefix] += 1
        return f"{prefix}{self.counter[prefix]:07d}"

    def _places(self) -> None:
        for city, (lat, lon) in NL_CITIES.items():
            self._city(city, "NL", lat, lon, shelters=1)
        for city, (country, lat, lon) in FOREIGN_CITIES.items():
            self._city(city, country, lat, lon, shelters=0)

    def _city(self, city: str, country: str, lat: float, lon: float, shelters: int) -> None:
        plan = {"station": 2, "shopping_street": 3, "shop": 8, "market": 1,
                "public_transport": 2, "shelter": shelters, "school": 3,
                "residence": 0 if country != "NL" else 1}
        generic = {"station": "Centraal Station", "shopping_street": "Winkelstraat",
                   "shop": "Warenhuis", "market": "Markt", "public_transport": "Tramlijn",
                   "shelter": "Opvang", "school": "College", "residence": "Woonwijk"}
        code = city_code(city)
        for kind, n in plan.items():
            for i in range(n):
                ref = f"L-{country}-{code}-{kind[:4].upper()}-{i + 1}"
                loc = Location(ref, kind, city, country,
                               round(lat + self.rng.uniform(-0.02, 0.02), 3),
                               round(lon + self.rng.uniform(-0.02, 0.02), 3),
                               f"{generic[kind]} {i + 1}")
                self.locations[ref] = loc
                self.by_city[city][kind].append(loc)

    def place(self, city: str, kinds: tuple[str, ...] = PUBLIC_KINDS) -> Location:
        options = [loc for k in kinds for loc in self.by_city[city].get(k, [])]
        return self.rng.choice(options)

    def person(self, age_in_2015: int, city: str, role: str = "ordinary",
               structure: str | None = None) -> Person:
        p = Person(len(self.persons), self.next_id("NL"), 2015 - age_in_2015,
                   self.rng.choice("fm"), city, role, structure)
        self.persons.append(p)
        return p

    def day(self, start: date = START, end: date = END) -> date:
        return start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def ref_at_arrest(self, p: Person, alias_rate: float) -> str:
        if p.aliases and self.rng.random() < alias_rate:
            return self.rng.choice(p.aliases)
        return p.raw

    def incident(self, kind: str, when: date, loc: Location,
                 involved: list[tuple[Person, str]], alias_rate: float = 0.0) -> str:
        partner = "police-nl" if loc.country == "NL" else "foreign-police"
        ref = self.next_id("PNL-" if partner == "police-nl" else "FPO-")
        status = self.rng.choice(["reported", "suspect_identified", "prosecuted", "dismissed"])
        self.rows[partner]["incidents.csv"].append(
            {"incident_ref": ref, "kind": kind, "occurred_at": when.isoformat(),
             "location_ref": loc.ref, "status": status})
        seen: set[tuple[str, str]] = set()
        for p, role in involved:
            pref = self.ref_at_arrest(p, alias_rate) if role == "suspect" else p.raw
            if (pref, role) in seen:
                continue
            seen.add((pref, role))
            self.rows[partner]["involvements.csv"].append(
                {"incident_ref": ref, "person_ref": pref, "role": role})
            self.mention(partner, p, pref)
        return ref

    def mention(self, partner: str, p: Person, ref: str | None = None) -> None:
        self.rows[partner]["_persons"].append({"person": p, "ref": ref or p.raw})

    def signal(self, partner: str, p: Person, kind: str, when: date,
               loc: Location | None = None, related: Person | None = None) -> None:
        self.rows[partner]["signals.csv"].append(
            {"signal_ref": self.next_id("SIG-"), "person_ref": p.raw, "kind": kind,
             "observed_at": when.isoformat(), "location_ref": loc.ref if loc else "",
             "related_person_ref": related.raw if related else ""})
        self.mention(partner, p)
        if related:
            self.mention(partner, related)

    def relation(self, partner: str, a: Person, b: Person, kind: str,
                 since: date | None = None) -> None:
        self.rows[partner]["relations.csv"].append(
            {"person_ref": a.raw, "other_ref": b.raw, "kind": kind,
             "since": since.isoformat() if since else "", "until": ""})
        self.mention(partner, a)
        self.mention(partner, b)

    def stay(self, partner: str, p: Person, loc: Location, start: date,
             until: date | None = None) -> dict[str, str]:
        """A stay of ``p`` at ``loc``; its row, whose ``until`` a runaway may set later."""
        row = {"person_ref": p.raw, "location_ref": loc.ref, "from": start.isoformat(),
               "until": until.isoformat() if until else ""}
        self.rows[partner]["stays.csv"].append(row)
        self.mention(partner, p)
        return row

    def identifier(self, partner: str, p: Person, kind: str, ident: str, when: date) -> None:
        self.rows[partner]["identifiers.csv"].append(
            {"person_ref": p.raw, "kind": kind, "identifier_ref": ident,
             "observed_at": when.isoformat()})
        self.mention(partner, p)

    def new_phone(self) -> str:
        self.phones += 1
        return f"+316{self.rng.randrange(10**7, 10**8)}{self.phones % 10}"

    def give_aliases(self, p: Person, n: int, recorded: float) -> None:
        for _ in range(n):
            alias = self.next_id("AL")
            p.aliases.append(alias)
            if self.rng.random() < recorded * self.alias_recording:
                partner = self.rng.choice(["police-nl", "police-nl", "foreign-police"])
                self.rows[partner]["aliases.csv"].append(
                    {"person_ref": p.raw, "other_ref": alias,
                     "basis": self.rng.choice(["fingerprint", "fingerprint", "photo"]),
                     "established_at": self.day().isoformat()})
                self.mention(partner, p)
                self.rows[partner]["_persons"].append({"person": p, "ref": alias})

    def family(self, city: str, children: int, child_ages: tuple[int, int],
               parent_tie_recorded: float) -> tuple[Person, list[Person]]:
        parent = self.person(self.rng.randint(32, 50), city)
        kids = [self.person(self.rng.randint(*child_ages), city) for _ in range(children)]
        home = self.place(city, ("residence",)) if self.by_city[city].get("residence") else None
        for kid in kids:
            self.carers.append((parent, kid))
            if self.rng.random() < parent_tie_recorded * self.family_recording:
                self.relation(self.rng.choice(["municipality", "youth-care"]), parent, kid,
                              "parent")
            if home is not None:
                self.stay("municipality", kid, home, date(2010, 1, 1))
        if home is not None:
            self.stay("municipality", parent, home, date(2008, 1, 1))
        return parent, kids

    def recruit(self, city: str, count: tuple[int, int], ages: tuple[int, int],
                structure: str) -> list[Person]:
        """Minors drawn from ordinary local families into a structure."""
        minors = []
        for _ in range(self.rng.randint(*count)):
            _, kids = self.family(city, 1, ages, 0.8)
            kids[0].role, kids[0].structure = "minor", structure
            minors.append(kids[0])
        return minors


# -- the population --------------------------------------------------------------------


def _n(world: World, base: float) -> int:
    return max(1, round(base * world.scale))


def ordinary_population(w: World) -> None:
    rng = w.rng
    nl = list(NL_CITIES)
    # solo adult offenders, each with a one-off victim
    for _ in range(_n(w, 700)):
        p = w.person(rng.randint(19, 60), rng.choice(nl))
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
            kind = rng.choice(["shoplifting", "theft", "fraud", "burglary", "violence", "drugs"])
            involved = [(p, "suspect")]
            if kind in ("theft", "violence", "burglary") and rng.random() < 0.7:
                involved.append((w.person(rng.randint(18, 80), p.city), "victim"))
            city = p.city if rng.random() < 0.8 else rng.choice(nl)
            w.incident(kind, w.day(), w.place(city), involved)
    # adult crews
    for _ in range(_n(w, 50)):
        city = rng.choice(nl)
        crew = [w.person(rng.randint(19, 45), city) for _ in range(rng.randint(2, 5))]
        for _ in range(rng.randint(2, 6)):
            members = rng.sample(crew, rng.randint(2, len(crew)))
            w.incident(rng.choice(["burglary", "theft", "drugs", "fraud"]), w.day(),
                       w.place(rng.choice([city, city, rng.choice(nl)])),
                       [(m, "suspect") for m in members])
    # teen groups: local minors, sometimes with an 18-19 year old; parents collect them
    for _ in range(_n(w, 70)):
        city = rng.choice(nl)
        teens = []
        for _ in range(rng.randint(2, 5)):
            parent, kids = w.family(city, 1, (13, 17), 0.8)
            teens.append((kids[0], parent))
        older = w.person(rng.randint(18, 19), city) if rng.random() < 0.3 else None
        for _ in range(rng.randint(1, 5)):
            group = rng.sample(teens, rng.randint(1, len(teens)))
            involved = [(t, "suspect") for t, _ in group]
            if older is not None and rng.random() < 0.6:
                involved.append((older, "suspect"))
            involved += [(par, "collector") for _, par in group if rng.random() < 0.6]
            w.incident(rng.choice(["shoplifting", "theft", "shoplifting", "violence"]), w.day(),
                       w.place(city), involved)
    # solo minors; a parent collects; some run away from a shelter without offending after
    for _ in range(_n(w, 350)):
        city = rng.choice(nl)
        parent, kids = w.family(city, 1, (11, 17), 0.8)
        kid = kids[0]
        for _ in range(rng.choice([1, 1, 2])):
            involved = [(kid, "suspect")]
            if rng.random() < 0.6:
                involved.append((parent, "collector"))
            w.incident(rng.choice(["shoplifting", "theft", "begging", "violence"]), w.day(),
                       w.place(city), involved)
        if rng.random() < 0.15:
            shelter = w.place(city, ("shelter",))
            start = w.day()
            gone = min(END, start + timedelta(days=rng.randint(5, 60)))
            w.stay(RAW_PARTNER, kid, shelter, start, until=gone)  # the placement ends there
            w.signal(RAW_PARTNER, kid, "runaway", gone, shelter)
        if rng.random() < 0.1:
            w.signal("youth-care", kid, "school_absence", w.day())
    # minors as victims and witnesses of ordinary incidents
    for _ in range(_n(w, 150)):
        city = rng.choice(nl)
        w.incident(rng.choice(["violence", "theft"]), w.day(), w.place(city),
                   [(w.person(rng.randint(19, 40), city), "suspect"),
                    (w.person(rng.randint(10, 17), city), "victim"),
                    (w.person(rng.randint(18, 70), city), "witness")])


def decoys(w: World) -> None:
    rng = w.rng
    nl = list(NL_CITIES)
    # parents of large families with several offending children
    for _ in range(_n(w, 10)):
        city = rng.choice(nl)
        parent, kids = w.family(city, rng.randint(3, 6), (9, 17), 0.85)
        parent.role = "decoy:parent"
        for kid in kids:
            for _ in range(rng.randint(1, 3)):
                involved = [(kid, "suspect")]
                if rng.random() < 0.8:
                    involved.append((parent, "collector"))
                w.incident(rng.choice(["shoplifting", "theft", "begging"]), w.day(),
                           w.place(city if rng.random() < 0.9 else rng.choice(nl)), involved)
    # caseworkers assigned to many minors, who collect some of them after an arrest
    for _ in range(_n(w, 8)):
        city = rng.choice(nl)
        worker = w.person(rng.randint(25, 60), city, "decoy:caseworker")
        for _ in range(rng.randint(10, 25)):
            kid = w.person(rng.randint(10, 17), city)
            if rng.random() < 0.9:
                w.relation("youth-care", worker, kid, "caseworker", w.day(START, date(2015, 6, 1)))
            if rng.random() < 0.5:
                involved = [(kid, "suspect")]
                if rng.random() < 0.5:
                    involved.append((worker, "collector"))
                w.incident(rng.choice(["shoplifting", "theft", "violence"]), w.day(),
                           w.place(city), involved)
            if rng.random() < 0.2:
                w.signal("youth-care", kid, "school_absence", w.day())
    # shelter staff: collect the shelter's runaways after arrests
    for city in rng.sample(nl, min(len(nl), _n(w, 4))):
        staff = w.person(rng.randint(25, 60), city, "decoy:shelter_staff")
        shelter = w.place(city, ("shelter",))
        for _ in range(rng.randint(8, 18)):
            kid = w.person(rng.randint(12, 17), city)
            start = w.day(START, date(2015, 10, 1))
            stay = w.stay(RAW_PARTNER, kid, shelter, start)
            if rng.random() < 0.7:
                w.relation(RAW_PARTNER, staff, kid, "caseworker", start)
            if rng.random() < 0.5:
                left = start + timedelta(days=rng.randint(3, 90))
                stay["until"] = left.isoformat()
                w.signal(RAW_PARTNER, kid, "runaway", left, shelter)
                if rng.random() < 0.5:
                    w.incident("shoplifting", left + timedelta(days=rng.randint(1, 10)),
                               w.place(city), [(kid, "suspect"), (staff, "collector")])
    # street youth workers: present with many local teenagers, no recorded tie
    for _ in range(_n(w, 4)):
        city = rng.choice(nl)
        worker = w.person(rng.randint(24, 50), city, "decoy:street_worker")
        teens = [w.family(city, 1, (13, 17), 0.8)[1][0] for _ in range(rng.randint(8, 16))]
        for _ in range(rng.randint(6, 12)):
            group = rng.sample(teens, rng.randint(1, 3))
            w.incident(rng.choice(["violence", "theft", "shoplifting"]), w.day(),
                       w.place(city, ("shopping_street", "station", "market")),
                       [(t, "suspect") for t in group] + [(worker, "present")])
    # store detectives: report many shoplifters, minors among them
    for _ in range(_n(w, 6)):
        city = rng.choice(nl)
        detective = w.person(rng.randint(25, 55), city, "decoy:store_detective")
        shop = w.place(city, ("shop",))
        for _ in range(rng.randint(20, 50)):
            thief = w.person(rng.randint(11, 17) if rng.random() < 0.5 else rng.randint(18, 60),
                             city)
            w.incident("shoplifting", w.day(), shop, [(thief, "suspect"), (detective, "reporter")])
    # prolific adult offenders, sometimes with older teenagers
    for _ in range(_n(w, 10)):
        city = rng.choice(nl)
        offender = w.person(rng.randint(22, 45), city, "decoy:prolific_offender")
        teens = [w.person(rng.randint(15, 17), city) for _ in range(rng.randint(2, 5))]
        for _ in range(rng.randint(15, 35)):
            involved = [(offender, "suspect")]
            if rng.random() < 0.3:
                involved.append((rng.choice(teens), "suspect"))
            w.incident(rng.choice(["theft", "burglary", "shoplifting", "drugs", "fraud"]),
                       w.day(), w.place(city if rng.random() < 0.7 else rng.choice(nl)), involved)


# -- the planted structures ------------------------------------------------------------


def family_network(w: World, index: int) -> None:
    rng = w.rng
    sid = f"network-{index}"
    base = rng.choice(list(NL_CITIES))
    handlers = [w.person(rng.randint(30, 50), base, "exploiter", sid)
                for _ in range(rng.randint(1, 2))]
    helpers = [w.person(rng.randint(20, 45), base, "helper", sid)
               for _ in range(rng.randint(1, 3))]
    adults = handlers + helpers
    minors: list[Person] = []
    for _ in range(rng.randint(2, 5)):  # several families hand over their children
        _, kids = w.family(base, rng.randint(1, 4), (8, 16), 0.7)
        minors += kids
    minors = minors[:20]
    while len(minors) < 5:
        minors.append(w.person(rng.randint(8, 16), base))
    for m in minors:
        m.role, m.structure = "minor", sid
        if rng.random() < 0.6:
            w.give_aliases(m, rng.randint(1, 3), recorded=0.5)
    phones = [w.new_phone() for _ in range(rng.randint(1, 2))]
    for h in handlers:
        w.identifier("police-nl", h, "phone", phones[0], w.day())
    address = f"ADDR-{w.next_id('')}"
    for a in adults[:2]:
        w.identifier("municipality", a, "address", address, date(2014, 6, 1))
    cities = rng.sample(list(NL_CITIES), 5) + rng.sample(list(FOREIGN_CITIES), 2)
    for m in minors:
        if rng.random() < 0.5:
            w.identifier("police-nl", m, "phone", rng.choice(phones), w.day())
        if rng.random() < 0.3:
            w.identifier("municipality", m, "address", address, w.day())
    # tours: a few days in a city, minors in pairs and trios at stations and shopping streets
    for _ in range(rng.randint(10, 18)):
        city = rng.choice(cities)
        start = w.day()
        crew = rng.sample(minors, min(len(minors), rng.randint(2, 4)))
        watcher = rng.choice(adults)
        for d in range(rng.randint(1, 4)):
            when = start + timedelta(days=d)
            if when > END:
                break
            team = rng.sample(crew, rng.randint(1, min(3, len(crew))))
            involved = [(m, "suspect") for m in team]
            if rng.random() < 0.35:
                involved.append((watcher, "present"))
            collect = rng.random() < 0.6
            if collect:
                involved.append((rng.choice(adults), "collector"))
            if rng.random() < 0.4:
                involved.append((w.person(rng.randint(20, 80), city), "victim"))
            kind = rng.choice(["pickpocketing", "pickpocketing", "shoplifting", "theft"])
            loc = w.place(city, ("station", "public_transport", "shopping_street", "shop"))
            w.incident(kind, when, loc, involved, alias_rate=0.45)
            if collect and rng.random() < 0.5:
                w.signal(rng.choice(["police-nl", "youth-care"]), team[0], "claimed_relative",
                         when, loc, related=involved[-1][0] if involved[-1][1] == "collector"
                         else rng.choice(adults))
            for m in team:
                if rng.random() < 0.2:
                    w.signal("police-nl", m, rng.choice(["no_id_documents", "carrying_cash"]),
                             when, loc)
            if loc.country == "NL" and rng.random() < 0.25:
                m = team[0]
                shelter = w.place(loc.city, ("shelter",))
                gone = min(END, when + timedelta(days=rng.randint(1, 4)))
                w.stay(RAW_PARTNER, m, shelter, when, until=gone)
                w.signal(RAW_PARTNER, m, "runaway", gone, shelter)
                later = gone + timedelta(days=rng.randint(1, 6))
                if later <= END:
                    other = rng.choice([c for c in cities if c != loc.city])
                    w.incident("pickpocketing", later, w.place(other, ("station",)),
                               [(m, "suspect"), (rng.choice(adults), "collector")],
                               alias_rate=0.6)
        if rng.random() < 0.4:
            w.signal("police-nl", rng.choice(crew), "unaccompanied_travel", start,
                     related=rng.choice(adults))
    for m in minors:
        if rng.random() < 0.4:
            w.signal("youth-care", m, "school_absence", w.day())
    if rng.random() < 0.5:
        w.incident("fraud", w.day(), w.place(base), [(handlers[0], "suspect")])
    w.structures.append({"id": sid, "kind": "itinerant_family_network",
                         "core": handlers, "helpers": helpers, "minors": minors})


def county_line(w: World, index: int) -> None:
    rng = w.rng
    sid = f"line-{index}"
    home = rng.choice(list(NL_CITIES))
    holder = w.person(rng.randint(20, 32), home, "exploiter", sid)
    runners = [w.person(rng.randint(18, 24), home, "helper", sid)
               for _ in range(rng.randint(1, 2))]
    minors = w.recruit(home, (4, 8), (14, 17), sid)
    line_phone = w.new_phone()
    w.identifier("police-nl", holder, "phone", line_phone, w.day())
    vehicle = f"{rng.choice('GHJKLNPRSTXZ')}-{rng.randrange(100, 999)}-{rng.choice('BDFGHJ')}"
    w.identifier("police-nl", runners[0], "vehicle", vehicle, w.day())
    targets = rng.sample([c for c in NL_CITIES if c != home], 3)
    for kid in minors:
        if rng.random() < 0.7:
            w.identifier("police-nl", kid, "phone", line_phone, w.day())
        for _ in range(rng.randint(1, 3)):
            start = w.day()
            w.signal("youth-care", kid, "missing", start)
            when = start + timedelta(days=rng.randint(1, 7))
            if when > END:
                continue
            involved = [(kid, "suspect")]
            if rng.random() < 0.3:
                involved.append((rng.choice(runners), "present"))
            if rng.random() < 0.2:
                involved.append((holder, "collector"))
            w.incident("drugs", when, w.place(rng.choice(targets), ("station", "residence",
                                                                     "shopping_street")),
                       involved)
            if rng.random() < 0.3:
                w.signal("police-nl", kid, "carrying_cash", when)
        if rng.random() < 0.3:
            w.signal("police-nl", kid, "unaccompanied_travel", w.day(),
                     related=rng.choice(runners))
    w.structures.append({"id": sid, "kind": "county_line", "core": [holder],
                         "helpers": runners, "minors": minors})


def local_recruiter(w: World, index: int, professional: bool) -> None:
    rng = w.rng
    sid = f"recruiter-{index}"
    city = rng.choice(list(NL_CITIES))
    recruiter = w.person(rng.randint(22, 45), city, "exploiter", sid)
    minors = w.recruit(city, (3, 6), (12, 16), sid)
    phone = w.new_phone()
    w.identifier("police-nl", recruiter, "phone", phone, w.day())
    for kid in minors:
        if professional and rng.random() < 0.6:
            # a youth worker with a recorded professional tie: explained, yet the phone shows
            w.relation("youth-care", recruiter, kid, "caseworker", date(2014, 9, 1))
        if rng.random() < 0.6:
            w.identifier("police-nl", kid, "phone", phone, w.day())
        for _ in range(rng.randint(1, 4)):
            involved = [(kid, "suspect")]
            if rng.random() < 0.4:
                involved.append((recruiter, "present"))
            if rng.random() < 0.3:
                involved.append((recruiter, "collector"))
            w.incident(rng.choice(["shoplifting", "theft"]), w.day(), w.place(city), involved)
        if rng.random() < 0.3:
            w.signal(rng.choice(["police-nl", "youth-care"]), kid, "claimed_relative", w.day(),
                     related=recruiter)
        if rng.random() < 0.2:
            w.signal("police-nl", kid, "carrying_cash", w.day())
    w.structures.append({"id": sid, "kind": "local_recruiter", "core": [recruiter],
                         "helpers": [], "minors": minors, "professional": professional})


# -- writing the deliveries -----------------------------------------------------------------

COLUMNS = {
    "locations.csv": ["location_ref", "kind", "city", "country", "lat", "lon", "name"],
    "persons.csv": ["person_ref", "birth_year", "sex", "category"],
    "incidents.csv": ["incident_ref", "kind", "occurred_at", "location_ref", "status"],
    "involvements.csv": ["incident_ref", "person_ref", "role"],
    "signals.csv": ["signal_ref", "person_ref", "kind", "observed_at", "location_ref",
                    "related_person_ref"],
    "relations.csv": ["person_ref", "other_ref", "kind", "since", "until"],
    "stays.csv": ["person_ref", "location_ref", "from", "until"],
    "identifiers.csv": ["person_ref", "kind", "identifier_ref", "observed_at"],
    "aliases.csv": ["person_ref", "other_ref", "basis", "established_at"],
}
PERSON_COLUMNS = {"person_ref", "other_ref", "related_person_ref", "identifier_ref"}


def _write_partner(w: World, out: Path, partner: str, key: TeamKey) -> dict[str, int]:
    rows = w.rows[partner]
    raw = partner == RAW_PARTNER
    def pseudo(value: str) -> str:
        return value if raw or not value else key.pseudonym(value)

    folder = out / partner
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"format": "exchange/1", "partner": partner, "partner_kind": PARTNERS[partner],
                "extracted_at": EXTRACTED_AT, "pseudonymised": not raw, "key_id": key.key_id}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    # persons: every reference this partner mentions, with what it knows of the person
    persons: dict[str, dict[str, Any]] = {}
    for item in rows["_persons"]:
        ref, p = item["ref"], item["person"]
        if ref in persons:
            continue
        rng = random.Random(f"{w.seed}|{partner}|{ref}")  # stable across processes
        known = rng.random() < (0.85 if partner.startswith("police") else 0.7)
        birth = p.birth_year + (rng.choice([-1, 0, 0, 1]) if ref != p.raw else 0)
        category = ""
        if not known and rng.random() < 0.5:
            category = "minor" if p.age(START) < 18 else "adult"
        persons[ref] = {"person_ref": ref, "birth_year": str(birth) if known else "",
                        "sex": p.sex if rng.random() < 0.9 else "", "category": category}
    rows["persons.csv"] = list(persons.values())
    # locations: every place this partner's rows name
    named = {str(r["location_ref"]) for f in ("incidents.csv", "signals.csv", "stays.csv")
             for r in rows.get(f, []) if r.get("location_ref")}
    # care partners record the city only: Schakel places those from its gazetteer
    exact = PARTNERS[partner] in ("police", "foreign_police")
    rows["locations.csv"] = [
        {"location_ref": loc.ref, "kind": loc.kind, "city": loc.city, "country": loc.country,
         "lat": f"{loc.lat:.3f}" if exact else "", "lon": f"{loc.lon:.3f}" if exact else "",
         "name": loc.name}
        for ref in sorted(named) for loc in [w.locations[ref]]]
    counts = {}
    for filename, columns in COLUMNS.items():
        data = rows.get(filename, [])
        if not data:
            continue
        with (folder / filename).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, columns, lineterminator="\n")
            writer.writeheader()
            seen: set[tuple[str, ...]] = set()
            written = 0
            for row in data:
                row = {c: (pseudo(row[c]) if c in PERSON_COLUMNS else row[c]) for c in columns}
                identity = tuple(row.values())
                if identity in seen:
                    continue
                seen.add(identity)
                writer.writerow(row)
                written += 1
        counts[filename] = written
    return counts


def generate(out: Path, *, seed: int, scale: float, key: TeamKey) -> dict[str, Any]:
    """Write a scenario's deliveries and ``truth.json`` under ``out``; return the truth."""
    w = World(seed, scale)
    ordinary_population(w)
    decoys(w)
    for i in range(_n(w, 2)):
        family_network(w, i + 1)
    for i in range(_n(w, 2)):
        county_line(w, i + 1)
    for i in range(_n(w, 3)):
        local_recruiter(w, i + 1, professional=(i == 0))
    return write(w, out, key)


def write(w: World, out: Path, key: TeamKey, **extra: Any) -> dict[str, Any]:
    """Write the world's deliveries, one per partner, and ``truth.json`` (with ``extra``)
    under ``out``; return the truth."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {p: _write_partner(w, out, p, key) for p in PARTNERS}

    def stored(p: Person) -> str:
        return key.pseudonym(p.raw)

    def refs(people: list[Person]) -> list[str]:
        return [stored(p) for p in people]

    decoy_refs: dict[str, list[str]] = defaultdict(list)
    for p in w.persons:
        if p.role.startswith("decoy:"):
            decoy_refs[p.role.split(":", 1)[1]].append(stored(p))
    truth = {
        "seed": w.seed, "scale": w.scale, "key_id": key.key_id,
        "note": "Ground truth of a synthetic scenario. Never ingest this file.",
        "exploiters": sorted(stored(p) for p in w.persons if p.role == "exploiter"),
        "helpers": sorted(stored(p) for p in w.persons if p.role == "helper"),
        "decoys": {k: sorted(v) for k, v in sorted(decoy_refs.items())},
        "structures": [
            {"id": s["id"], "kind": s["kind"], "core": refs(s["core"]),
             "helpers": refs(s["helpers"]),
             "minors": refs(s["minors"]),
             "minor_aliases": [key.pseudonym(a) for m in s["minors"] for a in m.aliases],
             **({"professional": True} if s.get("professional") else {}),
             **({"disguised": True} if s.get("disguised") else {})}
            for s in w.structures],
        "rows": counts,
        "persons": len(w.persons),
        **extra,
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return truth
