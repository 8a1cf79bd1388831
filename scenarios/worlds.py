"""Families of random worlds, to measure whether the analysis holds on data it was not
tuned on.

Each world is drawn from its seed: how big it is, how much each partner records (30 % to
90 % of its signals, identifiers, stays and ties), how often family ties and aliases are
recorded, how many rings of each shape and how large, and which innocent adults live in
it. Beside the project's own decoys (parents, caseworkers, shelter staff, street youth
workers, store detectives, prolific offenders) a world holds innocent adults who are
often near children for good reasons:

- foster parents with several foster children from different families, who live with
  them, collect them after an arrest and report them missing when they run away;
- older siblings and cousins (18-23) who are arrested with, and live with, the younger
  ones;
- coaches and teachers, present at incidents of the teenagers they train or teach;
- lawyers and interpreters, present at the police contacts of many minors, in many
  cities, among them foreign minors without papers and the minors of exploitation rings;
- cuckooed residents, whose address a drugs line uses;
- adult-only crews;

and guilty adults who look innocent:

- a parent who makes their own and other children steal in other cities;
- a youth worker, recorded as caseworker of the minors, who recruits them.

Seeds are split: worlds for tuning the method come from ``TUNING`` and worlds for
measuring it from ``TESTING``; a figure in the docs comes from testing worlds only.

*Stress worlds* (``STRESS``) are the worlds of the same seeds with one condition pushed
beyond what the draw gives: no dates on identifiers, no family tie recorded, every partner
at its lowest recording rate, three times the innocent adults, the families of the
exploited children recorded around them, or homes recorded as stays at a residence
rather than as registered addresses. Another team's data differs from ours in such
ways; they show where the method gives way.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingest.pseudonymise import TeamKey
from scenarios.synth import (
    END,
    FOREIGN_CITIES,
    NL_CITIES,
    PARTNERS,
    RAW_PARTNER,
    START,
    Location,
    Person,
    World,
    city_code,
    county_line,
    decoys,
    family_network,
    local_recruiter,
    ordinary_population,
    write,
)

TUNING = range(1000, 2000)  # seeds of worlds the method may be tuned on
TESTING = range(5000, 7000)  # seeds of worlds it is measured on, never tuned on

# Stress worlds: one condition pushed beyond the draw (see Params.draw).
STRESS: dict[str, str] = {
    "undated": "no partner records when it saw a phone, address, vehicle or account",
    "no-family-ties": "no family tie is recorded, and three times as many parents",
    "sparse": "every partner records 30 % of the rows it may miss",
    "crowded": "three times as many innocent adults of every new class",
    "families": "the parents of the exploited minors are recorded with them: at their "
                "address, reporting them missing, collecting them after an arrest",
    "outreach": "street youth workers who, besides being present when their teenagers are "
                "arrested, collect one now and then and are named when one goes missing",
    "youth-work": "street youth workers of two cities, each at the arrests of 20 to 30 groups "
                  "of their teenagers and collecting one at about a third of them",
    "crisis-care": "crisis foster carers: children placed with them for months run away and "
                   "are found in other cities days later, and the carer collects them",
    "interpreters": "interpreters at many of the police contacts of the exploited minors",
    "homes": "partners record where a person lives as a stay at a residence of its own "
             "(stays.csv), never as a registered address",
    "contacts": "care partners name a child's parent or carer as the adult they reached on "
                "the child's school-absence and care signals, and the exploited minors' "
                "parents are recorded with them",
    "guardians": "as contacts, and each ring's adult, posing as the children's guardian, is "
                 "the one a care partner reached about half of the ring's children",
}
# The innocent classes of a world, as truth.json names them under "decoys".
INNOCENT = ("parent", "caseworker", "shelter_staff", "street_worker", "store_detective",
            "prolific_offender", "foster_parent", "older_sibling", "coach", "lawyer",
            "interpreter", "cuckooed_resident", "adult_crew", "exploited_childs_parent")
# Files a partner may under-record; police incidents and involvements stay whole.
RECORDED_FILES = ("signals.csv", "identifiers.csv", "stays.csv", "relations.csv")


@dataclass(frozen=True)
class Params:
    """What a world of one seed looks like."""

    seed: int
    scale: float
    recording: dict[str, float]  # per partner: the share of its rows it records
    family_recording: float
    alias_recording: float
    networks: int
    lines: int
    recruiters: int
    exploiting_parents: int
    recruiting_workers: int
    innocent: dict[str, int]  # how many of each new innocent class
    identifier_dates: bool = True  # whether partners record when they saw an identifier
    exploited_families: bool = False  # whether the exploited minors' parents are recorded
    outreach: int = 0  # street youth workers who collect their teenagers now and then
    youth_work: int = 0  # street youth workers of two cities with a large caseload
    crisis_carers: int = 0  # foster carers of short placements of runaway children
    interpreters: int = 0  # interpreters at many police contacts of the exploited minors
    homes: bool = False  # whether addresses are recorded as stays at a residence instead
    contacts: float = 0.0  # the share of children whose carer care partners name as contact
    guardians: float = 0.0  # the share of a ring's children whose contact is the ring's adult
    stress: str | None = None  # the stress (STRESS) the world was drawn under

    @classmethod
    def draw(cls, seed: int, stress: str | None = None) -> Params:
        """The world of ``seed``, under ``stress`` (a name of ``STRESS``) if given."""
        params = cls._draw(seed)
        if stress is None:
            return params
        if stress not in STRESS:
            raise ValueError(f"unknown stress {stress!r}; one of {', '.join(STRESS)}")
        if stress == "undated":
            return replace(params, identifier_dates=False, stress=stress)
        if stress == "no-family-ties":
            innocent = dict(params.innocent, parent=3 * params.innocent["parent"])
            return replace(params, family_recording=0.0, innocent=innocent, stress=stress)
        if stress == "sparse":
            low = {partner: 0.3 for partner in params.recording}
            return replace(params, recording=low, stress=stress)
        if stress == "families":
            return replace(params, exploited_families=True, stress=stress)
        if stress == "outreach":
            return replace(params, outreach=OUTREACH_WORKERS, stress=stress)
        if stress == "youth-work":
            return replace(params, youth_work=OUTREACH_WORKERS, stress=stress)
        if stress == "crisis-care":
            return replace(params, crisis_carers=CRISIS_CARERS, stress=stress)
        if stress == "interpreters":
            return replace(params, interpreters=INTERPRETERS, stress=stress)
        if stress == "homes":
            return replace(params, homes=True, stress=stress)
        if stress == "contacts":
            return replace(params, contacts=CONTACTS, exploited_families=True, stress=stress)
        if stress == "guardians":
            return replace(params, contacts=CONTACTS, guardians=GUARDIANS,
                           exploited_families=True, stress=stress)
        crowded = {name: 3 * n for name, n in params.innocent.items()}
        return replace(params, innocent=crowded, stress=stress)

    @classmethod
    def _draw(cls, seed: int) -> Params:
        rng = random.Random(f"world-params|{seed}")
        return cls(
            seed=seed,
            scale=round(rng.uniform(0.15, 0.35), 3),
            recording={p: round(rng.uniform(0.3, 0.9), 2) for p in PARTNERS},
            family_recording=round(rng.uniform(0.2, 1.0), 2),
            alias_recording=round(rng.uniform(0.3, 1.0), 2),
            networks=rng.randint(0, 2),
            lines=rng.randint(0, 2),
            recruiters=rng.randint(1, 3),
            exploiting_parents=rng.randint(1, 2),
            recruiting_workers=rng.randint(0, 1),
            innocent={"parent": rng.randint(3, 8), "foster_parent": rng.randint(2, 5),
                      "older_sibling": rng.randint(3, 8),
                      "coach": rng.randint(1, 4), "lawyer": rng.randint(1, 3),
                      "interpreter": rng.randint(1, 3), "cuckooed_resident": rng.randint(1, 3),
                      "adult_crew": rng.randint(1, 3)},
        )


# -- the new innocent classes ------------------------------------------------------------


def _nl(w: World) -> list[str]:
    return list(NL_CITIES)


def foster_parent(w: World) -> None:
    rng = w.rng
    city = rng.choice(_nl(w))
    carer = w.person(rng.randint(35, 60), city, "decoy:foster_parent")
    home = w.place(city, ("residence",))
    address = f"ADDR-{w.next_id('FP')}"
    w.stay("municipality", carer, home, date(2009, 1, 1))
    for _ in range(rng.randint(2, 5)):
        kid = w.person(rng.randint(9, 16), city)  # from another family
        w.carers.append((carer, kid))
        placed = w.day(date(2013, 1, 1), START)
        w.stay("youth-care", kid, home, placed)
        w.identifier("municipality", kid, "address", address, placed)
        if rng.random() < 0.3:
            w.relation("youth-care", carer, kid, "legal_guardian", placed)
        for _ in range(rng.randint(0, 3)):
            involved = [(kid, "suspect")]
            if rng.random() < 0.8:
                involved.append((carer, "collector"))
            w.incident(rng.choice(["shoplifting", "theft", "violence"]), w.day(),
                       w.place(city if rng.random() < 0.85 else rng.choice(_nl(w))), involved)
        if rng.random() < 0.35:
            gone = w.day()
            w.signal("youth-care", kid, "missing", gone, related=carer)
            w.incident("other", gone, home, [(carer, "reporter"), (kid, "victim")])
    w.identifier("municipality", carer, "address", address, date(2009, 1, 1))


def household_parent(w: World) -> None:
    """A parent registered at one address with the children for years, the tie itself
    often unrecorded; the parent collects them, shares a phone with one, reports them
    missing."""
    rng = w.rng
    city = rng.choice(_nl(w))
    parent, kids = w.family(city, rng.randint(2, 5), (9, 17), 0.85)
    parent.role = "decoy:parent"
    address = f"ADDR-{w.next_id('HH')}"
    w.identifier("municipality", parent, "address", address, date(2006, 1, 1))
    phone = w.new_phone()
    w.identifier("police-nl", parent, "phone", phone, w.day())
    for kid in kids:
        w.identifier("municipality", kid, "address", address,
                     date(2006 + rng.randint(0, 6), 1, 1))
        if rng.random() < 0.3:
            w.identifier("police-nl", kid, "phone", phone, w.day())
        for _ in range(rng.randint(1, 3)):
            involved = [(kid, "suspect")]
            if rng.random() < 0.8:
                involved.append((parent, "collector"))
            w.incident(rng.choice(["shoplifting", "theft", "begging", "violence"]), w.day(),
                       w.place(city if rng.random() < 0.85 else rng.choice(_nl(w))), involved)
        if rng.random() < 0.25:
            gone = w.day()
            w.signal("police-nl", kid, "missing", gone, related=parent)
            w.incident("other", gone, w.place(city, ("residence",)),
                       [(parent, "reporter"), (kid, "victim")])


def older_sibling(w: World) -> None:
    rng = w.rng
    city = rng.choice(_nl(w))
    parent, kids = w.family(city, rng.randint(2, 3), (11, 17), 0.8)
    elder = w.person(rng.randint(18, 23), city, "decoy:older_sibling")
    home = w.place(city, ("residence",))
    w.stay("municipality", elder, home, date(2008, 1, 1))
    phone = w.new_phone()
    w.identifier("police-nl", elder, "phone", phone, w.day())
    for kid in kids:
        if rng.random() < 0.6 * w.family_recording:
            w.relation("municipality", elder, kid, "sibling")
        if rng.random() < 0.3:
            w.identifier("police-nl", kid, "phone", phone, w.day())  # a hand-me-down phone
        for _ in range(rng.randint(1, 3)):
            involved = [(kid, "suspect"), (elder, rng.choice(["suspect", "present"]))]
            if rng.random() < 0.4:
                involved.append((parent, "collector"))
            w.incident(rng.choice(["shoplifting", "theft", "violence"]), w.day(), w.place(city),
                       involved)


def coach(w: World) -> None:
    rng = w.rng
    city = rng.choice(_nl(w))
    trainer = w.person(rng.randint(25, 60), city, "decoy:coach")
    team = [w.family(city, 1, (12, 17), 0.8)[1][0] for _ in range(rng.randint(8, 15))]
    for _ in range(rng.randint(4, 10)):
        group = rng.sample(team, rng.randint(1, 3))
        role = rng.choice(["present", "witness", "reporter"])
        w.incident(rng.choice(["violence", "theft", "shoplifting"]), w.day(),
                   w.place(city, ("school", "shopping_street", "market")),
                   [(t, "suspect") for t in group] + [(trainer, role)])


def counsel(w: World, kind: str, exploited: list[Person]) -> None:
    """A lawyer or interpreter at the police contacts of many minors in many cities."""
    rng = w.rng
    person = w.person(rng.randint(28, 65), rng.choice(_nl(w)), f"decoy:{kind}")
    clients = [w.person(rng.randint(12, 17), rng.choice(_nl(w)))
               for _ in range(rng.randint(6, 14))]
    for kid in clients:
        if kind == "interpreter" and rng.random() < 0.5:
            w.signal("police-nl", kid, "no_id_documents", w.day())
        w.incident(rng.choice(["pickpocketing", "shoplifting", "theft"]), w.day(),
                   w.place(rng.choice(_nl(w))), [(kid, "suspect"), (person, "present")])
    for kid in rng.sample(exploited, min(len(exploited), rng.randint(1, 3))):
        w.incident(rng.choice(["pickpocketing", "theft"]), w.day(), w.place(rng.choice(_nl(w))),
                   [(kid, "suspect"), (person, "present")])


def cuckooed_resident(w: World, line_minors: list[Person]) -> None:
    rng = w.rng
    city = rng.choice(_nl(w))
    resident = w.person(rng.randint(30, 75), city, "decoy:cuckooed_resident")
    address = f"ADDR-{w.next_id('CK')}"
    w.identifier("municipality", resident, "address", address, date(2012, 1, 1))
    for kid in rng.sample(line_minors, min(len(line_minors), rng.randint(1, 3))):
        w.identifier("police-nl", kid, "address", address, w.day())
        w.incident("drugs", w.day(), w.place(city, ("residence",)),
                   [(kid, "suspect"), (resident, "victim")])


def adult_crew(w: World) -> None:
    rng = w.rng
    city = rng.choice(_nl(w))
    crew = [w.person(rng.randint(20, 45), city, "decoy:adult_crew")
            for _ in range(rng.randint(2, 4))]
    for _ in range(rng.randint(5, 12)):
        w.incident(rng.choice(["pickpocketing", "theft", "burglary"]), w.day(),
                   w.place(rng.choice(_nl(w) + list(FOREIGN_CITIES))),
                   [(m, "suspect") for m in rng.sample(crew, rng.randint(2, len(crew)))])


def exploited_childs_parent(w: World, kid: Person) -> None:
    """The parent of an exploited minor, innocent of it: registered at the child's address
    for years, sharing a phone now and then, reporting the child missing, and collecting
    the child from the police after some of its arrests, in whatever city they were."""
    rng = w.rng
    city = kid.city if kid.city in NL_CITIES else rng.choice(_nl(w))
    parent = w.person(rng.randint(32, 55), city, "decoy:exploited_childs_parent")
    w.carers.append((parent, kid))
    w.stay("municipality", parent, w.place(city, ("residence",)), date(2005, 1, 1))
    address = f"ADDR-{w.next_id('EF')}"
    w.identifier("municipality", parent, "address", address, date(2005, 1, 1))
    w.identifier("municipality", kid, "address", address, date(2004 + rng.randint(2, 8), 1, 1))
    if rng.random() < 0.8 * w.family_recording:
        w.relation(rng.choice(["municipality", "youth-care"]), parent, kid, "parent")
    if rng.random() < 0.3:
        phone = w.new_phone()
        w.identifier("police-nl", parent, "phone", phone, w.day())
        w.identifier("police-nl", kid, "phone", phone, w.day())
    for _ in range(rng.choice([0, 1, 1, 2])):
        w.signal(rng.choice(["police-nl", "youth-care"]), kid, "missing", w.day(),
                 related=parent)
    refs = {kid.raw, *kid.aliases}
    for partner in ("police-nl", "foreign-police"):
        days = {row["incident_ref"]: row["occurred_at"]
                for row in w.rows[partner]["incidents.csv"]}
        arrests = [(row["incident_ref"], row["person_ref"])
                   for row in w.rows[partner]["involvements.csv"]
                   if row["person_ref"] in refs and row["role"] == "suspect"]
        for ref, named in arrests:
            if rng.random() >= 0.3:
                continue
            w.rows[partner]["involvements.csv"].append(
                {"incident_ref": ref, "person_ref": parent.raw, "role": "collector"})
            w.mention(partner, parent)
            if named != kid.raw and rng.random() < 0.7:
                # the parent who comes for the child tells the police who it is
                w.rows[partner]["aliases.csv"].append(
                    {"person_ref": kid.raw, "other_ref": named, "basis": "document",
                     "established_at": days[ref]})
                w.mention(partner, kid)
                w.rows[partner]["_persons"].append({"person": kid, "ref": named})


@contextmanager
def _drawn_apart(w: World, stress: str, seed: int) -> Iterator[None]:
    """What a stress adds to a world is drawn, inside this, from a random of its own: the
    rest of the world stays that of its seed."""
    kept = w.rng
    w.rng = random.Random(f"world-{stress}|{seed}")
    try:
        yield
    finally:
        w.rng = kept


OUTREACH_WORKERS = 3  # under the ``outreach`` stress


def outreach_worker(w: World, *, cities: int = 1, contacts: tuple[int, int] = (8, 16),
                    collecting: float = 0.25) -> None:
    """A street youth worker with the teenagers of a neighbourhood in each of ``cities``
    cities (8 to 16 in each), some of whom run away from home: present when they are
    arrested in groups (``contacts`` times), and now and then (``collecting``) the one who
    comes to collect a teenager, or whom a partner names when one goes missing. No tie
    between them is recorded. Under ``youth-work`` the worker has two cities, 20 to 30
    contacts and collects at about a third of them: the caseload of the independent
    generator's youth workers (issue 26: linked to more than 20 minors)."""
    rng = w.rng
    area = [rng.choice(_nl(w))] if cities == 1 else rng.sample(_nl(w), cities)
    worker = w.person(rng.randint(24, 50), area[0], "decoy:street_worker")
    teens_of = {city: [w.family(city, 1, (13, 17), 0.8)[1][0]
                       for _ in range(rng.randint(8, 16))] for city in area}
    teens = [teen for city in area for teen in teens_of[city]]
    for teen in teens:
        if rng.random() < 0.15:
            w.signal(rng.choice(["police-nl", "youth-care"]), teen, "missing", w.day())
    for _ in range(rng.randint(*contacts)):
        city = area[0] if cities == 1 else rng.choice(area)
        group = rng.sample(teens_of[city], rng.randint(1, 3))
        role = "collector" if rng.random() < collecting else "present"
        w.incident(rng.choice(["violence", "theft", "shoplifting"]), w.day(),
                   w.place(city, ("shopping_street", "station", "market")),
                   [(t, "suspect") for t in group] + [(worker, role)])
    if rng.random() < 0.4:
        w.signal("youth-care", rng.choice(teens), "missing", w.day(), related=worker)


CRISIS_CARERS = 3  # under the ``crisis-care`` stress


def crisis_carer(w: World) -> None:
    """A crisis foster carer: three to six children, from anywhere in the country, placed
    by youth care in the carer's own home for months, some of whom run away and are found
    days later at an offence in another city; the carer comes to collect them, and is
    named when one goes missing. Youth care records the placement as a stay at the home
    (``stays.csv``), the municipality the children's registration at its address now and
    then; the guardianship is seldom recorded."""
    rng = w.rng
    city = rng.choice(_nl(w))
    carer = w.person(rng.randint(35, 60), city, "decoy:foster_parent")
    ref = f"L-NL-{city_code(city)}-FOSTER-{w.next_id('FH')}"
    home = w.locations[ref] = Location(ref, "residence", city, "NL", *NL_CITIES[city], "Woning")
    address = f"ADDR-{w.next_id('FP')}"
    w.stay("municipality", carer, home, date(2009, 1, 1))
    w.identifier("municipality", carer, "address", address, date(2009, 1, 1))
    for _ in range(rng.randint(3, 6)):
        kid = w.person(rng.randint(12, 16), rng.choice(_nl(w)))
        w.carers.append((carer, kid))
        placed = w.day(START, END - timedelta(days=60))
        w.stay("youth-care", kid, home, placed)
        if rng.random() < 0.5:
            w.identifier("municipality", kid, "address", address, placed)
        if rng.random() < 0.2:
            w.relation("youth-care", carer, kid, "legal_guardian", placed)
        for _ in range(rng.randint(1, 2)):
            if rng.random() < 0.6:
                gone = w.day(placed, END)
                w.signal("youth-care", kid, "missing", gone,
                         related=carer if rng.random() < 0.5 else None)
                when = min(END, gone + timedelta(days=rng.randint(1, 10)))
                where = rng.choice([c for c in _nl(w) if c != city])
            else:
                when, where = w.day(placed, END), city
            involved = [(kid, "suspect")]
            if rng.random() < 0.8:
                involved.append((carer, "collector"))
            w.incident(rng.choice(["shoplifting", "pickpocketing", "theft"]), when,
                       w.place(where), involved)


INTERPRETERS = 2  # under the ``interpreters`` stress
INTERPRETED = 0.4  # the share of the exploited minors' Dutch police contacts each attends


def ring_interpreter(w: World, exploited: list[Person]) -> None:
    """An interpreter of the language the exploited children speak: present at many of
    their police contacts in the Netherlands, in every city, and at those of other
    children too."""
    rng = w.rng
    person = w.person(rng.randint(28, 65), rng.choice(_nl(w)), "decoy:interpreter")
    refs = {ref for kid in exploited for ref in (kid.raw, *kid.aliases)}
    rows = w.rows["police-nl"]["involvements.csv"]
    arrests = sorted({row["incident_ref"] for row in rows
                      if row["person_ref"] in refs and row["role"] == "suspect"})
    for ref in arrests:
        if rng.random() < INTERPRETED:
            rows.append({"incident_ref": ref, "person_ref": person.raw, "role": "present"})
            w.mention("police-nl", person)
    for _ in range(rng.randint(4, 10)):
        kid = w.person(rng.randint(12, 17), rng.choice(_nl(w)))
        w.incident(rng.choice(["pickpocketing", "shoplifting", "theft"]), w.day(),
                   w.place(rng.choice(_nl(w))), [(kid, "suspect"), (person, "present")])


# -- guilty adults who look innocent -----------------------------------------------------


def exploiting_parent(w: World, index: int) -> None:
    """A parent (the tie recorded) who makes own and other children steal elsewhere."""
    rng = w.rng
    sid = f"exploiting-parent-{index}"
    city = rng.choice(_nl(w))
    parent, own = w.family(city, rng.randint(2, 3), (9, 15), 1.0)
    parent.role, parent.structure = "exploiter", sid
    others = w.recruit(city, (2, 4), (9, 15), sid)
    minors = own + others
    for kid in own:
        kid.role, kid.structure = "minor", sid
    phone = w.new_phone()
    w.identifier("police-nl", parent, "phone", phone, w.day())
    abroad = rng.choice(list(FOREIGN_CITIES))
    targets = [*rng.sample([c for c in NL_CITIES if c != city], 3), abroad]
    for kid in minors:
        if rng.random() < 0.5:
            w.give_aliases(kid, rng.randint(1, 2), recorded=0.5)
        if kid in others and rng.random() < 0.5:
            w.identifier("police-nl", kid, "phone", phone, w.day())
        for _ in range(rng.randint(2, 4)):
            when = w.day()
            involved = [(kid, "suspect")]
            if rng.random() < 0.6:
                involved.append((parent, "collector"))
            w.incident(rng.choice(["pickpocketing", "shoplifting"]), when,
                       w.place(rng.choice(targets), ("station", "shopping_street", "shop")),
                       involved, alias_rate=0.4)
            if kid in others and rng.random() < 0.3:
                w.signal("police-nl", kid, "claimed_relative", when, related=parent)
            if rng.random() < 0.2:
                w.signal("police-nl", kid, rng.choice(["carrying_cash", "no_id_documents"]), when)
        if rng.random() < 0.4:
            w.signal("youth-care", kid, "school_absence", w.day())
    w.structures.append({"id": sid, "kind": "exploiting_parent", "core": [parent],
                         "helpers": [], "minors": minors, "disguised": True})


def recruiting_worker(w: World, index: int) -> None:
    """A youth worker, recorded as the minors' caseworker, who has them steal and deal."""
    rng = w.rng
    sid = f"recruiting-worker-{index}"
    city = rng.choice(_nl(w))
    worker = w.person(rng.randint(24, 45), city, "exploiter", sid)
    minors = w.recruit(city, (3, 6), (13, 17), sid)
    phone = w.new_phone()
    w.identifier("police-nl", worker, "phone", phone, w.day())
    elsewhere = rng.sample([c for c in NL_CITIES if c != city], 2)
    for kid in minors:
        w.relation("youth-care", worker, kid, "caseworker", date(2014, 9, 1))
        if rng.random() < 0.7:
            w.identifier("police-nl", kid, "phone", phone, w.day())
        for _ in range(rng.randint(1, 3)):
            start = w.day()
            if rng.random() < 0.5:
                w.signal("youth-care", kid, "missing", start)
            when = min(END, start + timedelta(days=rng.randint(1, 5)))
            involved = [(kid, "suspect")]
            if rng.random() < 0.4:
                involved.append((worker, rng.choice(["present", "collector"])))
            w.incident(rng.choice(["drugs", "shoplifting", "theft"]), when,
                       w.place(rng.choice(elsewhere)), involved)
            if rng.random() < 0.3:
                w.signal("police-nl", kid, "carrying_cash", when)
    w.structures.append({"id": sid, "kind": "recruiting_worker", "core": [worker],
                         "helpers": [], "minors": minors, "disguised": True})


CONTACTS = 0.6  # under the ``contacts`` stress


def _reached(w: World, kid: Person, adult: Person, recording: dict[str, float]) -> None:
    """Youth care or the municipality names ``adult`` as the one it reached about ``kid``
    on a school absence or another care signal, if that partner records it."""
    rng = w.rng
    partner = rng.choice(["youth-care", "municipality"])
    kind = rng.choice(["school_absence", "school_absence", "other"])
    when = w.day()
    if rng.random() < recording.get(partner, 1.0):
        w.signal(partner, kid, kind, when, related=adult)


def named_as_contact(w: World, share: float, recording: dict[str, float]) -> None:
    """Under the ``contacts`` stress: for ``share`` of the children, youth care or the
    municipality names the child's parent or carer as the adult it reached, on one to
    three signals about the child: a school absence, or another care signal (a care
    meeting, a home visit). Each partner records its ``recording`` share of them. Whether
    anyone recorded the tie itself is the world's."""
    rng = w.rng
    for carer, kid in w.carers:
        if rng.random() >= share:
            continue
        for _ in range(rng.randint(1, 3)):
            _reached(w, kid, carer, recording)


GUARDIANS = 0.5  # under the ``guardians`` stress


def posing_as_guardian(w: World, share: float, recording: dict[str, float]) -> None:
    """Under the ``guardians`` stress: the adult at the core of each ring poses as the
    guardian of its children, and for ``share`` of them youth care or the municipality
    names that adult as the one it reached, on one or two school-absence or care signals.
    Each partner records its ``recording`` share of them."""
    rng = w.rng
    for structure in w.structures:
        adult = structure["core"][0]
        for kid in structure["minors"]:
            if rng.random() >= share:
                continue
            for _ in range(rng.randint(1, 2)):
                _reached(w, kid, adult, recording)


# -- a whole world -----------------------------------------------------------------------


def _addresses_as_homes(w: World) -> None:
    """Under the ``homes`` stress: partners record where a person lives as a stay at a
    residence (``stays.csv``), not as a registered address. Each address becomes a
    residence of its own, in the city of the first person registered there; each
    recorded registration a stay there from the day it was seen; no address identifier is
    left. Drawn from no random, after the recording: the world, and what its partners
    recorded, stay those of its seed."""
    city_of = {ref: p.city for p in w.persons for ref in (p.raw, *p.aliases)}
    homes: dict[str, Location] = {}
    for files in w.rows.values():
        kept = []
        for row in files.get("identifiers.csv", []):
            if row["kind"] != "address":
                kept.append(row)
                continue
            home = homes.get(row["identifier_ref"])
            if home is None:
                city = city_of[row["person_ref"]]
                country, lat, lon = (("NL", *NL_CITIES[city]) if city in NL_CITIES
                                     else FOREIGN_CITIES[city])
                ref = f"L-{country}-{city_code(city)}-HOME-{len(homes) + 1}"
                home = homes[row["identifier_ref"]] = Location(
                    ref, "residence", city, country, lat, lon, "Woning")
                w.locations[ref] = home
            files["stays.csv"].append({"person_ref": row["person_ref"],
                                       "location_ref": home.ref,
                                       "from": row["observed_at"], "until": ""})
        files["identifiers.csv"] = kept


def _under_record(w: World, params: Params) -> None:
    """Each partner keeps only its recording share of the rows it may miss (and, in an
    undated world, no identifier's date: ``observed_at`` is optional)."""
    rng = random.Random(f"world-recording|{params.seed}")
    for partner, files in w.rows.items():
        share = params.recording.get(partner, 1.0)
        for name in RECORDED_FILES:
            if name in files:
                files[name] = [row for row in files[name] if rng.random() < share]
        if not params.identifier_dates:
            for row in files.get("identifiers.csv", []):
                row["observed_at"] = ""


def build(params: Params) -> World:
    """The world of ``params``, everything that happened in it (before recording)."""
    w = World(params.seed, params.scale)
    w.family_recording = params.family_recording
    w.alias_recording = params.alias_recording
    ordinary_population(w)
    decoys(w)
    for i in range(params.networks):
        family_network(w, i + 1)
    for i in range(params.lines):
        county_line(w, i + 1)
    for i in range(params.recruiters):
        local_recruiter(w, i + 1, professional=False)
    for i in range(params.exploiting_parents):
        exploiting_parent(w, i + 1)
    for i in range(params.recruiting_workers):
        recruiting_worker(w, i + 1)
    exploited = [p for p in w.persons if p.role == "minor"]
    line_minors = [m for s in w.structures if s["kind"] == "county_line" for m in s["minors"]]
    for _ in range(params.innocent["parent"]):
        household_parent(w)
    for _ in range(params.innocent["foster_parent"]):
        foster_parent(w)
    for _ in range(params.innocent["older_sibling"]):
        older_sibling(w)
    for _ in range(params.innocent["coach"]):
        coach(w)
    for kind in ("lawyer", "interpreter"):
        for _ in range(params.innocent[kind]):
            counsel(w, kind, exploited)
    for _ in range(params.innocent["cuckooed_resident"] if line_minors else 0):
        cuckooed_resident(w, line_minors)
    for _ in range(params.innocent["adult_crew"]):
        adult_crew(w)
    # the stresses that add people (families, outreach, youth work, crisis care, interpreters)
    if params.exploited_families:
        with _drawn_apart(w, "families", params.seed):
            for kid in exploited:
                exploited_childs_parent(w, kid)
    if params.outreach:
        with _drawn_apart(w, "outreach", params.seed):
            for _ in range(params.outreach):
                outreach_worker(w)
    if params.youth_work:
        with _drawn_apart(w, "youth-work", params.seed):
            for _ in range(params.youth_work):
                outreach_worker(w, cities=2, contacts=(20, 30), collecting=1 / 3)
    if params.crisis_carers:
        with _drawn_apart(w, "crisis-care", params.seed):
            for _ in range(params.crisis_carers):
                crisis_carer(w)
    if params.interpreters and exploited:
        with _drawn_apart(w, "interpreters", params.seed):
            for _ in range(params.interpreters):
                ring_interpreter(w, exploited)
    _under_record(w, params)
    if params.contacts:  # after the recording, so that the rest is recorded as drawn
        with _drawn_apart(w, "contacts", params.seed):
            named_as_contact(w, params.contacts, params.recording)
    if params.guardians:
        with _drawn_apart(w, "guardians", params.seed):
            posing_as_guardian(w, params.guardians, params.recording)
    if params.homes:  # after the recording: the same rows recorded, in another form
        _addresses_as_homes(w)
    return w


def generate_world(out: Path, *, seed: int, key: TeamKey,
                   stress: str | None = None) -> dict[str, Any]:
    """Write the world of ``seed``'s deliveries (under ``stress``, a name of ``STRESS``, if
    given) and ``truth.json`` under ``out``; return the truth, which also names the
    disguised guilty and the world's parameters."""
    params = Params.draw(seed, stress)
    w = build(params)
    disguised = sorted(key.pseudonym(p.raw) for s in w.structures if s.get("disguised")
                       for p in [*s["core"], *s["helpers"]])
    return write(w, out, key, disguised=disguised, params=asdict(params))


__all__ = ["INNOCENT", "RAW_PARTNER", "STRESS", "TESTING", "TUNING", "Params", "build",
           "generate_world"]
