"""Markers and counter-evidence on small hand-built graphs where the answer is obvious."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.console import Console

from graph.analysis import counter, markers
from graph.analysis.patterns import Node, adult_links, minor_links
from graph.analysis.ranking import (
    BASE,
    CASELOAD,
    CONDUCT_BASE,
    COUNTER_KINDS,
    MEANS_BASE,
    calibrated,
    caseload_sum,
    conduct_kinds,
    evidence_mass,
    link_weight,
    rank,
)
from graph.analysis.run import Result
from graph.words import band_name
from i18n import speaking
from schakel import output
from tests.test_analysis_patterns import World


@pytest.fixture
def w() -> World:
    return World()


def found(w: World, minor: Node) -> set[str]:
    return set(markers.markers(w.g, minor).found)


# -- markers ---------------------------------------------------------------------------


def test_an_ordinary_child_shows_no_sign(w: World) -> None:
    kid = w.person("K", minor=True)
    w.incident(suspects=[kid])
    assert found(w, kid) == set()
    assert markers.markers(w.g, kid).strength == 0.0


def test_aliases_and_leaving(w: World) -> None:
    kid = w.person("K", minor=True, aliases=("K2",))
    w.signal("missing", kid)
    assert found(w, kid) == {"aliases", "leaving"}
    w.signal("runaway", kid)
    assert "shelter_leaving" in found(w, kid)


def test_cities_count_within_a_month(w: World) -> None:
    kid = w.person("K", minor=True)
    w.incident("Utrecht", date(2015, 1, 1), suspects=[kid])
    w.incident("Breda", date(2015, 6, 1), suspects=[kid])  # months apart: no sign
    assert found(w, kid) == set()
    breda = ("incident", "I2")
    utrecht = w.incident("Utrecht", date(2015, 6, 20), suspects=[kid])  # 19 days after Breda
    assert found(w, kid) == {"two_cities"}
    # a third city half a year later: three cities over the years are no sign of being
    # moved around
    w.incident("Zwolle", date(2015, 12, 1), suspects=[kid])
    assert found(w, kid) == {"two_cities"}
    zwolle = w.incident("Zwolle", date(2015, 6, 25), suspects=[kid])  # three within 24 days
    assert found(w, kid) == {"two_cities", "three_cities"}
    assert markers.markers(w.g, kid).found["three_cities"] == sorted(
        [breda[1], utrecht[1], zwolle[1]])


def test_abroad_is_where_the_offence_was(w: World) -> None:
    kid = w.person("K", minor=True)
    w.incident("Antwerpen", country="BE", suspects=[kid])
    assert found(w, kid) == {"abroad"}


def test_group_theft_needs_another_minor(w: World) -> None:
    kid, adult = w.person("K", minor=True), w.person("A")
    w.incident(suspects=[kid, adult])
    assert found(w, kid) == set()
    w.incident(suspects=[kid, w.person("L", minor=True)])
    assert found(w, kid) == {"group_theft"}


@pytest.mark.parametrize("kind", ["no_id_documents", "carrying_cash", "unaccompanied_travel",
                                  "claimed_relative"])
def test_each_signal_marker(w: World, kind: str) -> None:
    kid = w.person("K", minor=True)
    w.signal(kind, kid)
    assert found(w, kid) == {kind}
    w.signal("school_absence", kid)  # not a sign of exploitation
    assert found(w, kid) == {kind}


def test_signals_from_two_partners(w: World) -> None:
    kid = w.person("K", minor=True)
    w.g.nodes[w.signal("missing", kid)]["partners"] = {"police"}
    assert "partners" not in found(w, kid)
    w.g.nodes[w.signal("missing", kid)]["partners"] = {"shelter"}
    assert found(w, kid) >= {"partners"}


# -- counter-evidence --------------------------------------------------------------------


def explained(w: World, adult: Node, minor: Node) -> counter.Counter | None:
    links = [li for li in minor_links(w.g, adult) if li.minor == minor]
    return counter.explain(w.g, adult, minor, links, None)


def pattern_of(w: World, adult: Node) -> counter.Counter | None:
    """The adult's professional pattern, read from all its links to minors."""
    return counter.professional_pattern(w.g, adult, list(minor_links(w.g, adult)))


def test_a_recorded_family_tie(w: World) -> None:
    parent, kid = w.person("P"), w.person("K", minor=True)
    w.incident(suspects=[kid], collectors=[parent])
    assert explained(w, parent, kid) is None
    w.tie(parent, kid, "PARENT_OF")
    assert explained(w, parent, kid).kind == "family"  # type: ignore[union-attr]


def test_a_household_inferred_from_a_long_shared_address(w: World) -> None:
    parent, kid = w.person("P"), w.person("K", minor=True)
    w.incident(day=date(2015, 5, 1), suspects=[kid], collectors=[parent])
    home = w.uses("ADDR", parent, kid)
    w.g.nodes[home]["identifier_kind"] = "address"
    w.g.edges[kid, home]["first_seen"] = date(2015, 1, 1)  # months before: not yet a home
    assert explained(w, parent, kid) is None
    w.g.edges[kid, home]["first_seen"] = date(2010, 1, 1)
    found = explained(w, parent, kid)
    assert found is not None and found.kind == "household" and "since 2010-01-01" in found.reason


def test_a_shared_address_of_unrecorded_date_weighs_less_than_a_home_of_years(
        w: World) -> None:
    parent, kid = w.person("P"), w.person("K", minor=True)
    w.incident(day=date(2015, 5, 1), suspects=[kid], collectors=[parent])
    home = w.uses("ADDR", parent, kid)
    w.g.nodes[home]["identifier_kind"] = "address"
    found = explained(w, parent, kid)  # no partner recorded since when they share it
    assert found is not None and found.kind == "household"
    assert found.factor == counter.UNDATED_HOUSEHOLD > counter.FACTORS["household"]
    assert "no partner recorded" in found.reason
    w.g.edges[kid, home]["first_seen"] = date(2015, 1, 1)  # a recent registration says more
    assert explained(w, parent, kid) is None
    w.g.edges[kid, home]["first_seen"] = date(2010, 1, 1)
    assert explained(w, parent, kid).factor == counter.FACTORS["household"]  # type: ignore[union-attr]


def test_a_household_inferred_from_years_at_one_residence(w: World) -> None:
    # a partner that records where people live (stays.csv) rather than a registered address
    parent, kid = w.person("P"), w.person("K", minor=True)
    w.incident(day=date(2015, 5, 1), suspects=[kid], collectors=[parent])
    w.g.nodes[parent]["homes"] = {"H": (date(2008, 1, 1), None)}
    w.g.nodes[kid]["homes"] = {"H": (date(2015, 1, 1), None)}  # months before: not yet a home
    w.g.graph["residents"] = {"H": 4}
    assert explained(w, parent, kid) is None
    w.g.nodes[kid]["homes"]["H"] = (date(2010, 1, 1), None)
    found = explained(w, parent, kid)
    assert found is not None and found.kind == "household"
    assert found.factor == counter.FACTORS["household"]
    assert found.reason == "lived at the same residence as K since 2010-01-01"
    assert found.evidence == ("H", "K")
    # together only from when the later of the two moved in
    w.g.nodes[parent]["homes"]["H"] = (date(2014, 9, 1), None)
    assert explained(w, parent, kid) is None
    # not at the same time: the adult had left before the child came
    w.g.nodes[parent]["homes"]["H"] = (date(2001, 1, 1), date(2009, 1, 1))
    assert explained(w, parent, kid) is None
    # a residence where many lived is a block or a neighbourhood, not one household
    w.g.nodes[parent]["homes"]["H"] = (date(2008, 1, 1), None)
    assert explained(w, parent, kid) is not None
    w.g.graph["residents"]["H"] = counter.HOUSEHOLD_MOST + 1
    assert explained(w, parent, kid) is None


def test_a_child_placed_by_a_care_partner_where_the_adult_lives(w: World) -> None:
    # a crisis foster carer: the child placed with the carer months before the police
    # contact where the carer collects it; months are no household of years
    carer, kid = w.person("F"), w.person("K", minor=True)
    w.incident(day=date(2015, 5, 1), suspects=[kid], collectors=[carer])
    w.g.nodes[carer]["homes"] = {"H": (date(2009, 1, 1), None)}
    w.g.nodes[kid]["homes"] = {"H": (date(2015, 2, 1), None)}
    w.g.graph["residents"] = {"H": 5}
    assert explained(w, carer, kid) is None
    w.g.nodes[kid]["placed"] = {"H"}  # youth care recorded the stay: a placement
    found = explained(w, carer, kid)
    assert found is not None and found.kind == "placed"
    assert found.factor == counter.FACTORS["placed"] < 1
    assert found.reason == "lives at the residence where a care partner placed K, since 2015-02-01"
    assert found.evidence == ("H", "K")
    # placed only after the contact: it explains nothing of it
    w.g.nodes[kid]["homes"]["H"] = (date(2015, 6, 1), None)
    assert explained(w, carer, kid) is None
    # placed at a residence of many (a group home's block), or the carer living elsewhere
    w.g.nodes[kid]["homes"]["H"] = (date(2015, 2, 1), None)
    w.g.graph["residents"]["H"] = counter.HOUSEHOLD_MOST + 1
    assert explained(w, carer, kid) is None
    w.g.graph["residents"]["H"] = 5
    w.g.nodes[carer]["homes"] = {"H2": (date(2009, 1, 1), None)}
    assert explained(w, carer, kid) is None
    # the ablation without 'placed' leaves the link whole
    w.g.nodes[carer]["homes"] = {"H": (date(2009, 1, 1), None)}
    links = [li for li in minor_links(w.g, carer) if li.minor == kid]
    assert counter.explain(w.g, carer, kid, links, None,
                           kinds=set(counter.FACTORS) - {"placed"}) is None


def test_the_victim_of_the_childs_offence(w: World) -> None:
    # a resident whose home a drugs line took over: the line's child is registered at the
    # address, and deals there with the resident as the victim
    resident, kid = w.person("R"), w.person("K", minor=True)
    home = w.uses("ADDR", resident, kid)
    w.g.nodes[home]["identifier_kind"] = "address"
    deal = w.incident(suspects=[kid])
    assert explained(w, resident, kid).factor == counter.UNDATED_HOUSEHOLD  # type: ignore[union-attr]
    w.g.add_edge(resident, deal, types={"VICTIM_IN"})
    found = explained(w, resident, kid)
    assert found is not None and found.kind == "victim" and deal[1] in found.evidence
    # the ablation without 'victim' leaves the address, not nothing
    links = [li for li in minor_links(w.g, resident) if li.minor == kid]
    others = set(counter.FACTORS) - {"victim"}
    assert counter.explain(w.g, resident, kid, links, None, kinds=others).kind == "household"  # type: ignore[union-attr]
    # a victim of someone else's offence says nothing about this child
    other, child = w.person("O"), w.person("C", minor=True)
    w.incident(suspects=[child], collectors=[other])
    w.g.add_edge(other, w.incident(suspects=[w.person("X", minor=True)]), types={"VICTIM_IN"})
    assert explained(w, other, child) is None


def test_reporting_the_child_missing_or_as_a_victim(w: World) -> None:
    parent, kid = w.person("P"), w.person("K", minor=True)
    w.incident(suspects=[kid], collectors=[parent])
    w.signal("missing", kid, names=parent)
    assert explained(w, parent, kid).kind == "reported"  # type: ignore[union-attr]
    other, child = w.person("O"), w.person("C", minor=True)
    w.incident(suspects=[child], collectors=[other])
    w.incident(reporters=[other])  # reporting something else says nothing
    assert explained(w, other, child) is None
    victim = w.incident(reporters=[other])
    w.g.add_edge(child, victim, types={"VICTIM_IN"})
    assert explained(w, other, child).kind == "reported"  # type: ignore[union-attr]


def test_a_care_partners_contact_links_no_one(w: World) -> None:
    """A school absence or another care signal on which youth care, a municipality or child
    protection names the adult it reached about the child: the child's contact, its parent
    or carer. That links no one, so it neither raises the adult nor lowers anything (a
    ring's adult who poses as the guardian keeps every other link). The same signal from
    the police, or from the police and a care partner, and a claimed kinship, link them."""
    parent, kid = w.person("P"), w.person("K", minor=True)
    w.incident(day=date(2015, 5, 1), suspects=[kid], collectors=[parent])
    w.signal("missing", kid, day=date(2015, 4, 28))  # a sign, so that a link counts

    def mass() -> float:
        return next(c.mass for c in rank(w.g) if c.node == parent)

    # what the care partners record about the child counts among its signs (signals from
    # several partners) whether or not it names anyone: here before the naming, so that
    # only the naming is weighed
    for by in ("youth_care", "municipality", "child_protection"):
        w.signal("school_absence", kid, by=(by,))
    alone = mass()
    for kind, by in (("school_absence", "youth_care"), ("other", "municipality"),
                     ("school_absence", "child_protection")):
        reached = w.signal(kind, kid, names=parent, by=(by,))
        assert reached not in {link.via for link in minor_links(w.g, parent)}
        assert reached[1] not in next(li.records for c in rank(w.g) if c.node == parent
                                      for li in c.links)
    assert list(adult_links(w.g, kid)) == [parent]  # the collection only
    assert mass() == alone and guardian(w, parent)
    assert explained(w, parent, kid) is None  # and lowers nothing
    police = w.signal("school_absence", kid, names=parent, by=("police",))
    assert police in {link.via for link in minor_links(w.g, parent)}
    assert mass() > alone and not guardian(w, parent)
    w.g.nodes[police]["partner_kinds"] = {"police", "youth_care"}  # not care partners' alone
    assert police in {link.via for link in minor_links(w.g, parent)}
    claimed = w.signal("claimed_relative", kid, names=parent, by=("youth_care",))
    assert claimed in {link.via for link in minor_links(w.g, parent)}


def test_a_professional_pattern_and_its_limits(w: World) -> None:
    worker = w.person("W")
    kids = [w.person(f"K{i}", minor=True) for i in range(4)]
    for kid in kids[:3]:
        w.incident(suspects=[kid], present=[worker])
    assert pattern_of(w, worker) is None
    w.incident(suspects=[kids[3]], present=[worker])  # four minors: a professional's breadth
    links = list(minor_links(w.g, worker))
    role = counter.professional_pattern(w.g, worker, links)
    assert role is not None and role.kind == "professional_pattern"
    assert counter.explain(w.g, worker, kids[0], [li for li in links if li.minor == kids[0]],
                           role) == role
    # named by youth care as the one it reached about a child: no link, the pattern holds
    reached = w.signal("other", kids[2], names=worker, by=("youth_care",))
    assert pattern_of(w, worker) == role
    w.g.nodes[reached]["partner_kinds"] = {"police"}  # a police signal naming the adult
    assert pattern_of(w, worker) is None
    w.g.nodes[reached]["partner_kinds"] = {"youth_care"}
    w.uses("PHONE", worker, kids[1])  # shares a phone with one: no longer a pattern
    assert pattern_of(w, worker) is None


def test_a_youth_worker_who_collects_now_and_then(w: World) -> None:
    # present at the police contacts of six teenagers in one city, and collecting one at
    # two of the eight contacts (the parents could not come): the work of a caseload
    worker = w.person("W")
    kids = [w.person(f"K{i}", minor=True) for i in range(6)]
    for kid in kids:
        w.signal("missing", kid, day=date(2014, 1, 1))  # at risk, months before
        w.incident(suspects=[kid], present=[worker])
    for kid in kids[:2]:
        w.incident(suspects=[kid], collectors=[worker])

    found = pattern_of(w, worker)
    assert found is not None and found.kind == "professional_pattern"
    assert "6 minors in Utrecht" in found.reason and "2 of 8" in found.reason
    (ranked,) = [c for c in rank(w.g) if c.node == worker]
    assert all(li.in_caseload for li in ranked.links)
    # watching and collecting is part of each case, and the cases do not add up
    collected = [li for li in ranked.links if "watched_and_collected" in li.kinds]
    assert len(collected) == 2 and all(li.conduct_in_caseload(True) for li in collected)
    assert ranked.mass == pytest.approx(caseload_sum([li.case(True) for li in ranked.links]),
                                        abs=1e-4)
    (whole,) = [c for c in rank(w.g, counter_kinds=()) if c.node == worker]
    assert whole.band == "strong" and ranked.band == "weak"
    # named as the one who reported a teenager missing: still the pattern
    w.signal("missing", kids[2], names=worker, day=date(2014, 1, 1))
    assert pattern_of(w, worker) is not None
    # collecting at more than half of the contacts (7 of 13) is not a youth worker's
    for kid in kids[:5]:
        w.incident(suspects=[kid], collectors=[worker])
    assert pattern_of(w, worker) is None


def test_a_youth_worker_of_two_towns(w: World) -> None:
    # the teenagers of two neighbouring towns, twenty contacts, collecting at a third: the
    # caseload of a street youth worker (fifteenth version; the fourteenth wanted one city)
    worker = w.person("W")
    kids = [w.person(f"K{i}", minor=True) for i in range(20)]
    for i, kid in enumerate(kids):
        w.incident("Utrecht" if i % 2 else "Zeist", suspects=[kid],
                   **{"collectors" if i % 3 == 0 else "present": [worker]})

    found = pattern_of(w, worker)
    assert found is not None and found.kind == "professional_pattern"
    assert "20 minors in Utrecht and Zeist" in found.reason and "7 of 20" in found.reason
    (ranked,) = [c for c in rank(w.g) if c.node == worker]
    assert all(li.in_caseload for li in ranked.links)
    (whole,) = [c for c in rank(w.g, counter_kinds=()) if c.node == worker]
    assert ranked.mass < whole.mass / 4
    # a third town is no longer one area: a handler's children are moved from town to town
    w.incident("Amersfoort", suspects=[kids[0]], collectors=[worker])
    assert pattern_of(w, worker) is None


@pytest.mark.parametrize("change", ["five minors", "three cities", "two countries", "phone",
                                    "suspect"])
def test_what_a_collecting_youth_worker_never_does(w: World, change: str) -> None:
    worker = w.person("W")
    kids = [w.person(f"K{i}", minor=True) for i in range(5 if change == "five minors" else 6)]
    for i, kid in enumerate(kids):
        w.incident("Zeist" if change == "three cities" and i else "Utrecht", suspects=[kid],
                   present=[worker])
    where = {"three cities": ("Breda", "NL"), "two countries": ("Antwerpen", "BE")}
    city, country = where.get(change, ("Utrecht", "NL"))
    w.incident(city, country=country, suspects=[kids[0]], collectors=[worker])
    if change == "phone":
        w.uses("PHONE", worker, kids[1])
    if change == "suspect":
        w.incident(suspects=[kids[1], worker])
    assert pattern_of(w, worker) is None
    # never collecting, four minors suffice: a lawyer or an interpreter
    if change == "five minors":
        w.g.remove_node(("incident", "I6"))
        assert pattern_of(w, worker)


def test_a_declared_professional(w: World) -> None:
    lawyer = w.person("L")
    assert counter.declared(w.g, lawyer) is None
    w.g.nodes[lawyer]["declared_roles"] = {"interpreter": {"police-nl"}}
    role = counter.declared(w.g, lawyer)
    assert role is not None and "interpreter (declared by police-nl)" in role.reason


def test_shared_means_and_claimed_kinship_are_not_explained_by_a_profession(w: World) -> None:
    worker, kid = w.person("W"), w.person("K", minor=True)
    w.tie(worker, kid, "CASEWORKER_OF")
    w.incident(suspects=[kid], collectors=[worker])
    assert explained(w, worker, kid).kind == "professional"  # type: ignore[union-attr]
    w.uses("PHONE", worker, kid)
    assert explained(w, worker, kid) is None
    parent, child = w.person("P"), w.person("C", minor=True)
    w.tie(parent, child, "PARENT_OF")
    w.signal("claimed_relative", child, names=parent)
    assert explained(w, parent, child) is None  # a claimed kinship is never explained


def test_an_offender_in_their_own_right(w: World) -> None:
    thief, kid = w.person("T"), w.person("K", minor=True)
    w.incident(suspects=[thief, kid])
    for _ in range(10):
        w.incident(suspects=[thief])
    career = counter.own_offending(w.g, thief)
    assert career is not None and career.factor == pytest.approx(1 / 3, abs=1e-3)
    links = list(minor_links(w.g, thief))
    assert counter.explain(w.g, thief, kid, links, None, career) == career


def test_the_child_an_adult_comes_for(w: World) -> None:
    parent, own = w.person("P"), w.person("OWN", minor=True)
    friends = [w.person(f"F{i}", minor=True) for i in range(2)]
    w.incident(suspects=[own, friends[0]], collectors=[parent])
    w.incident(suspects=[own, friends[1]], collectors=[parent])
    links = list(minor_links(w.g, parent))
    anchors = counter.accompanied(w.g, parent, links)
    assert anchors == {own}
    mine = [li for li in links if li.minor == friends[0]]
    assert counter.explain(w.g, parent, friends[0], mine, None,
                           anchors=anchors).kind == "accompanies"  # type: ignore[union-attr]


def one_child(w: World, adult: Node) -> counter.Counter | None:
    links = list(minor_links(w.g, adult))
    return counter.one_child(w.g, links, counter.accompanied(w.g, adult, links))


def test_the_parent_of_the_one_child_an_adult_comes_for(w: World) -> None:
    """An adult who comes for the same child at every police contact, in other cities days
    after it went missing too, with a phone of the child's, and does nothing a parent would
    not: the child's parent, whose tie nobody recorded. That lowers the links to the child
    (the others arrested with it are lowered by ``accompanies``), conduct included."""
    parent, kid, friend = w.person("P"), w.person("K", minor=True), w.person("F", minor=True)
    w.signal("missing", kid, day=date(2015, 5, 1), city="Utrecht")
    w.incident("Breda", date(2015, 5, 3), suspects=[kid, friend], collectors=[parent])
    assert one_child(w, parent) is None  # once: anyone may come for a child once
    w.incident("Antwerpen", date(2015, 9, 1), country="BE", suspects=[kid],
               collectors=[parent])
    w.uses("PHONE", parent, kid)
    found = one_child(w, parent)
    assert found is not None and found.kind == "one_child" and found.evidence == ("K",)
    with speaking("en"):
        assert found.reason == ("came for K at each of 2 police contacts, and did nothing a "
                                "parent or guardian would not do")
    links = list(minor_links(w.g, parent))
    anchors = counter.accompanied(w.g, parent, links)
    mine = [li for li in links if li.minor == kid]
    assert counter.explain(w.g, parent, kid, mine, None, anchors=anchors,
                           parent_of_one=found) == found  # the family's phone among them
    theirs = [li for li in links if li.minor == friend]
    assert counter.explain(w.g, parent, friend, theirs, None, anchors=anchors,
                           parent_of_one=found).kind == "accompanies"  # type: ignore[union-attr]

    def mass(kinds: frozenset[str]) -> float:
        return next(c.mass for c in rank(w.g, counter_kinds=kinds) if c.node == parent)

    link = next(li for c in rank(w.g) if c.node == parent for li in c.links if li.minor == kid)
    assert link.counter == found and link.conduct_lowered
    assert mass(COUNTER_KINDS) < 0.5 * mass(COUNTER_KINDS - {"one_child"})


@pytest.mark.parametrize("change", ["present", "second_child", "two_families", "claims"])
def test_what_the_parent_of_one_child_never_does(w: World, change: str) -> None:
    """Watching the child's offence, coming for another child alone, sharing a phone with
    the children of two families, claiming to be family: a handler's acts, never lowered."""
    adult, kid = w.person("A"), w.person("K", minor=True)
    w.incident("Breda", date(2015, 5, 3), suspects=[kid], collectors=[adult])
    w.incident("Gent", date(2015, 9, 1), country="BE", suspects=[kid], collectors=[adult])
    assert one_child(w, adult) is not None
    other = w.person("O", minor=True)
    if change == "present":
        w.incident("Gent", date(2015, 9, 2), country="BE", suspects=[kid], present=[adult])
    elif change == "second_child":
        w.incident("Gent", date(2015, 9, 3), country="BE", suspects=[other], collectors=[adult])
    elif change == "two_families":
        w.uses("PHONE", adult, kid, other)
    else:
        w.signal("claimed_relative", kid, names=adult)
    assert one_child(w, adult) is None, change


def guardian(w: World, adult: Node) -> bool:
    return counter.guardian_like(w.g, list(minor_links(w.g, adult)))


def test_what_a_parent_or_guardian_does_too(w: World) -> None:
    """Collecting a child after an arrest (elsewhere, days after it went missing, too),
    its address, a phone of its family, its missing report: a parent does all of it, and a
    finding made of nothing else says so. Anything a parent does not do ends that."""
    adult, kid, friend = w.person("A"), w.person("K", minor=True), w.person("F", minor=True)
    assert not guardian(w, adult)  # linked to no child: nothing to say
    w.signal("missing", kid, day=date(2015, 5, 1), city="Utrecht", names=adult)
    w.incident("Breda", date(2015, 5, 3), suspects=[kid, friend], collectors=[adult])
    w.uses("ADDR", adult, kid)
    w.g.nodes[("identifier", "ADDR")]["identifier_kind"] = "address"
    w.uses("PHONE", adult, kid)
    assert guardian(w, adult)
    sister = w.person("S", minor=True)
    w.uses("PHONE", sister)  # the family's phone, as far as anyone knows: two families
    assert not guardian(w, adult)
    mother = w.person("M")
    w.tie(mother, kid, "PARENT_OF")
    w.tie(mother, sister, "PARENT_OF")  # sisters: one family's phone again
    assert guardian(w, adult)

    for doing in ("present", "suspects"):  # at the offence, or offending with a child
        other, child = w.person(f"O-{doing}"), w.person(f"C-{doing}", minor=True)
        w.incident(suspects=[child], collectors=[other])
        assert guardian(w, other)
        w.incident(**({"suspects": [child, other]} if doing == "suspects"
                      else {"suspects": [child], doing: [other]}))
        assert not guardian(w, other), doing
    claimer, child = w.person("CL"), w.person("CC", minor=True)
    w.incident(suspects=[child], collectors=[claimer])
    w.signal("claimed_relative", child, names=claimer)  # claims kinship: no parent's act
    assert not guardian(w, claimer)
    # the adult a care partner reached about the child is linked by it to nothing; the
    # adult a police signal names is, and that is no parent's act
    carer, ward = w.person("CA"), w.person("W", minor=True)
    w.incident(suspects=[ward], collectors=[carer])
    reached = w.signal("school_absence", ward, names=carer, by=("youth_care",))
    assert guardian(w, carer)
    w.g.nodes[reached]["partner_kinds"] = {"police"}
    assert not guardian(w, carer)


def test_a_finding_of_a_guardians_acts_is_flagged_and_counts_at_half(w: World) -> None:
    """An adult whose every link is what a parent or guardian does too is flagged, and the
    whole of its evidence counts at half, with the reason kept (fourteenth version): a
    parent whose tie no partner recorded looks like this, and so does a handler who only
    collects. Half, never nothing: three runaways collected abroad keep it a lead. The
    handler who was also present at an offence is not lowered."""
    parent, handler = w.person("P"), w.person("H")
    kids = [w.person(f"K{i}", minor=True) for i in range(3)]
    for kid in kids:
        w.signal("runaway", kid)
        w.incident("Antwerpen", country="BE", suspects=[kid], collectors=[parent])
        w.incident("Antwerpen", country="BE", suspects=[kid], collectors=[handler])
    w.incident("Antwerpen", country="BE", suspects=[kids[0]], present=[handler])
    ranked = {c.node: c for c in rank(w.g)}
    assert ranked[parent].guardian_like and not ranked[handler].guardian_like
    flagged, other = ranked[parent], ranked[handler]
    assert flagged.mass == pytest.approx(0.5 * evidence_mass(flagged.links), abs=1e-4)
    assert other.mass == pytest.approx(evidence_mass(other.links), abs=1e-4)
    assert other.whole is None and all(c.kind != "guardian" for c in other.counter_evidence)
    (why,) = [c for c in flagged.counter_evidence if c.kind == "guardian"]
    assert why.factor == 0.5 and why.evidence == tuple(sorted(k[1] for k in kids))
    assert "counted at half" in why.reason and "3 children" in why.reason
    assert flagged.score == calibrated(flagged.mass) > 0.4  # a lead still, moderate or more
    # the ablation without it: the flag stays, the mass is whole again
    whole = {c.node: c for c in rank(w.g, counter_kinds=COUNTER_KINDS - {"guardian"})}
    assert whole[parent].guardian_like and whole[parent].whole is None
    assert whole[parent].mass == pytest.approx(evidence_mass(flagged.links), abs=1e-4)
    assert whole[parent].score > flagged.score


def test_the_reason_of_a_guardians_acts_says_one_child_or_how_many(w: World) -> None:
    """The reason reads well for one child as for several, in English and in Dutch."""
    parent, carer = w.person("P"), w.person("C")
    kid = w.person("K", minor=True)
    w.signal("runaway", kid)
    w.incident("Antwerpen", country="BE", suspects=[kid], collectors=[parent])
    for i in range(2):
        w.incident(suspects=[w.person(f"F{i}", minor=True)], collectors=[carer])
    ranked = {c.node: c for c in rank(w.g)}
    one, two = ranked[parent].whole, ranked[carer].whole
    assert one is not None and two is not None
    assert one.reason.startswith("all that links this person to the child is what")
    assert two.reason.startswith("all that links this person to the 2 children is what")
    with speaking("nl"):
        assert counter.reason_text(one.said()).startswith(
            "alles wat deze persoon met het kind verbindt")
        assert counter.reason_text(two.said()).startswith(
            "alles wat deze persoon met de 2 kinderen verbindt")


# -- the adult's own conduct ----------------------------------------------------------------


def conduct(w: World, adult: Node, minor: Node, of: str = "conduct") -> float:
    links = [li for li in minor_links(w.g, adult) if li.minor == minor]
    return link_weight(w.g, links, of=of, shown=conduct_kinds(w.g, links))


def test_found_with_a_missing_child_elsewhere(w: World) -> None:
    adult, kid = w.person("A"), w.person("K", minor=True)
    w.signal("missing", kid, day=date(2015, 5, 1), city="Utrecht")
    w.incident("Utrecht", date(2015, 5, 3), suspects=[kid], collectors=[adult])
    assert conduct(w, adult, kid) == 0.0  # in the city it went missing from
    w.incident("Breda", date(2015, 6, 20), suspects=[kid], collectors=[adult])
    assert conduct(w, adult, kid) == 0.0  # seven weeks later
    w.incident("Breda", date(2015, 5, 8), suspects=[kid], present=[adult])
    assert conduct(w, adult, kid) > 0.5  # a week later, elsewhere: and watched and collected


def test_a_profession_does_not_explain_being_found_with_a_missing_child(w: World) -> None:
    def mass_of(adult: Node) -> float:
        return next(c.mass for c in rank(w.g) if c.node == adult)

    worker, parent = w.person("WORKER"), w.person("PARENT")
    client, child = w.person("CL", minor=True), w.person("C", minor=True)
    w.tie(worker, client, "CASEWORKER_OF")
    w.tie(parent, child, "PARENT_OF")
    for adult, kid in ((worker, client), (parent, child)):
        w.incident("Utrecht", date(2015, 1, 5), suspects=[kid], present=[adult])
        w.incident("Utrecht", date(2015, 2, 5), suspects=[kid], collectors=[adult])
    before = mass_of(worker), mass_of(parent)
    assert before[0] == pytest.approx(before[1])  # a tie each: both lowered alike
    for adult, kid in ((worker, client), (parent, child)):
        w.signal("missing", kid, day=date(2015, 5, 1), city="Utrecht")
        w.incident("Breda", date(2015, 5, 4), suspects=[kid], present=[adult])
    links = next(c.links for c in rank(w.g) if c.node == worker)
    assert links[0].counter is not None and links[0].counter.kind == "professional"
    assert not links[0].conduct_lowered  # kept, with the caseworker tie as its reason
    # the caseworker's conduct counts whole; the parent's stays lowered by the family tie
    assert mass_of(worker) > 2 * mass_of(parent)


def test_a_phone_shared_with_one_child_counts_half(w: World) -> None:
    adult, kid, other = w.person("A"), w.person("K", minor=True), w.person("L", minor=True)
    w.uses("PHONE", adult, kid)
    alone = conduct(w, adult, kid, "means")
    assert alone == pytest.approx(0.4) and conduct(w, adult, kid) == 0.0
    w.uses("PHONE", other)
    assert conduct(w, adult, kid, "means") == pytest.approx(2 * alone)


def test_a_phone_the_children_of_one_family_share_counts_as_the_familys(w: World) -> None:
    adult, kid, sister = w.person("A"), w.person("K", minor=True), w.person("S", minor=True)
    w.uses("PHONE", adult, kid, sister)
    assert conduct(w, adult, kid, "means") == pytest.approx(0.8)  # two families, as far as known
    mother = w.person("M")
    w.tie(mother, kid, "PARENT_OF")
    w.tie(mother, sister, "PARENT_OF")
    assert counter.families(w.g, [kid, sister]) == 1
    assert conduct(w, adult, kid, "means") == pytest.approx(0.4)  # the family's phone
    stranger = w.person("X", minor=True)
    w.uses("PHONE", stranger)
    assert conduct(w, adult, kid, "means") == pytest.approx(0.8)  # and a child of another


def test_sharing_means_with_unmarked_children_counts_less_than_conduct(w: World) -> None:
    sharer, watcher = w.person("SHARER"), w.person("WATCHER")
    kids = [w.person(f"K{i}", minor=True) for i in range(4)]
    w.uses("PHONE", sharer, kids[0], kids[1])
    for kid in kids[2:]:
        w.incident(suspects=[kid], present=[watcher])
        w.incident(suspects=[kid], collectors=[watcher])
    by = {c.node: c for c in rank(w.g)}
    assert by[sharer].mass == pytest.approx(2 * 0.8 * MEANS_BASE)  # no sign of exploitation
    assert by[watcher].mass > 2 * 0.6 * CONDUCT_BASE  # watching and collecting is a sign
    assert by[watcher].rank < by[sharer].rank
    for kid in kids[:2]:  # the children who share the phone run away and use aliases
        w.signal("runaway", kid)
        w.g.nodes[kid]["refs"].add(kid[1] + "-alias")
    by = {c.node: c for c in rank(w.g)}
    assert by[sharer].mass > 5 * 2 * 0.8 * MEANS_BASE


def test_a_professionals_caseload_does_not_add_up(w: World) -> None:
    interpreter = w.person("INTERPRETER")
    kids = [w.person(f"K{i}", minor=True) for i in range(8)]
    for kid in kids:
        w.signal("no_id_documents", kid)
        w.incident(suspects=[kid], present=[interpreter])
    (found,) = [c for c in rank(w.g) if c.node == interpreter]
    assert found.role is not None and found.role.kind == "professional_pattern"
    parts = sorted((li.by_proximity() for li in found.links), reverse=True)
    assert all(li.in_caseload for li in found.links)
    assert found.mass == pytest.approx(caseload_sum(parts), abs=1e-4)
    assert found.mass < 0.5 * sum(parts)
    # without the counter-evidence every case counts whole, and so in the ablation
    (whole,) = [c for c in rank(w.g, counter_kinds=()) if c.node == interpreter]
    assert whole.mass > 4 * found.mass
    (ablated,) = [c for c in rank(w.g, caseload=None) if c.node == interpreter]
    assert ablated.mass == pytest.approx(sum(parts), abs=1e-4)
    # every further case adds, and the more there are, the less
    w.incident(suspects=[w.person("K8", minor=True)], present=[interpreter])
    (more,) = [c for c in rank(w.g) if c.node == interpreter]
    assert found.mass < more.mass < found.mass + CASELOAD * min(parts) / 7


@pytest.mark.parametrize("caseload", [8, 4])
def test_at_the_contact_of_a_missing_child_as_a_caseload_or_as_a_lines_helper(
        w: World, caseload: int) -> None:
    # present at the police contact of a child found in Breda days after it went missing:
    # over a caseload of eight children it is the interpreter's job; with four (a drugs
    # line's helper, never collecting either) it counts whole, lowered by the pattern only
    adult = w.person("A")
    kids = [w.person(f"K{i}", minor=True) for i in range(caseload)]
    for kid in kids:
        w.incident(suspects=[kid], present=[adult])
    for kid in kids[:2]:
        w.signal("missing", kid, day=date(2015, 6, 1), city="Utrecht")
        w.incident("Breda", date(2015, 6, 4), suspects=[kid], present=[adult])
    (found,) = [c for c in rank(w.g) if c.node == adult]
    missing = [li for li in found.links if "with_a_missing_child" in li.kinds]
    assert len(missing) == 2 and all(li.in_caseload and li.conduct > 0 for li in missing)
    large = caseload >= counter.CASELOAD_MINORS
    assert all(li.conduct_in_caseload(large) is large for li in missing)

    folded = caseload_sum([li.case(True) for li in found.links])
    apart = (caseload_sum([li.by_proximity() for li in found.links])
             + sum(li.by_conduct() for li in missing))
    assert folded < apart
    assert found.mass == pytest.approx(folded if large else apart, abs=1e-4)


# -- the score ---------------------------------------------------------------------------


def test_an_adult_near_ordinary_teenagers_stays_below_one_near_marked_children(
        w: World) -> None:
    coach_like = w.person("NEAR")
    for i in range(12):  # twelve ordinary teenagers, each collected once
        w.incident(suspects=[w.person(f"T{i}", minor=True)], collectors=[coach_like])
    handler = w.person("HANDLER")
    for i in range(3):
        kid = w.person(f"M{i}", minor=True, aliases=(f"M{i}b",))
        w.signal("runaway", kid)
        w.incident("Utrecht", date(2015, 5, 1), suspects=[kid], collectors=[handler])
        w.incident("Breda", date(2015, 5, 3), suspects=[kid], collectors=[handler])
        w.incident("Antwerpen", date(2015, 5, 9), "BE", suspects=[kid])
    ranked = rank(w.g)
    assert [c.node for c in ranked[:2]] == [handler, coach_like]
    assert ranked[0].band == "strong" and ranked[1].band == "weak"
    near = ranked[1]
    # each ordinary teenager adds only BASE of its link; and all the adult did was collect
    # them, as a parent does too, so the whole counts at half (counter.as_guardian)
    assert near.guardian_like
    assert near.mass == pytest.approx(0.5 * 12 * 0.7 * BASE, rel=0.01)


def test_counter_evidence_lowers_but_never_hides(w: World) -> None:
    parent = w.person("PARENT")
    own = [w.person(f"OWN{i}", minor=True) for i in range(2)]
    for kid in own:
        w.tie(parent, kid, "PARENT_OF")
        w.incident(suspects=[kid], collectors=[parent])
    others = [w.person(f"X{i}", minor=True, aliases=(f"X{i}b",)) for i in range(3)]
    for kid in others:
        w.incident("Breda", suspects=[kid], collectors=[parent])
        w.signal("claimed_relative", kid, names=parent)
    (found,) = [c for c in rank(w.g) if c.node == parent]
    assert found.band in ("moderate", "strong")  # the unrelated children still count
    lowered = {li.minor for li in found.links if li.counter is not None}
    assert lowered == set(own)
    assert {c.kind for c in found.counter_evidence} == {"family"}


def test_the_score_is_a_calibrated_curve_of_the_mass() -> None:
    assert calibrated(0.0) == 0.0
    values = [calibrated(m) for m in (0.05, 0.2, 0.5, 1.0, 3.0)]
    assert values == sorted(values) and 0 < values[0] < 0.1 and values[-1] > 0.9


def test_the_analyse_table_asks_about_a_flagged_finding(
        w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """`schakel analyse` prints the lead of a finding of only a parent's acts as
    'parent or guardian?', as the Candidates page titles it, and says when a care partner
    named the person as a child's contact; a handler's lead as its band."""
    parent, handler = w.person("PARENT"), w.person("HANDLER")
    for i in range(3):
        kid = w.person(f"K{i}", minor=True)
        w.signal("runaway", kid)
        w.incident("Antwerpen", country="BE", suspects=[kid], collectors=[parent, handler])
        w.incident("Antwerpen", country="BE", suspects=[kid], present=[handler])
    w.signal("school_absence", kid, names=parent, by=("youth_care",))
    ranked = {c.node: c for c in rank(w.g)}
    assert ranked[parent].guardian_like and not ranked[handler].guardian_like
    result = Result({"id": "run-test", "candidates": len(ranked)}, w.g,
                    sorted(ranked.values(), key=lambda c: c.rank), [])
    for language, asked in (("en", "parent or guardian? · named as a child's contact"),
                            ("nl", "ouder of voogd? · genoemd als contactpersoon van een "
                                   "kind")):
        # a console of its own, one line a row (the module's is shared with other tests)
        console = Console(width=240, record=True, file=io.StringIO())
        monkeypatch.setattr(output, "out", console)
        with speaking(language):
            output.candidates(result, top=5)
            bands = {who: band_name(ranked[who].band) for who in (parent, handler)}
        assert bands[handler] == {"en": "strong lead", "nl": "sterk spoor"}[language]
        rows = {cells[2].strip(): cells[4].strip() for line in console.export_text().splitlines()
                if len(cells := line.split("│")) > 5}
        assert rows["PARENT"] == f"{bands[parent]} · {asked}", language
        assert rows["HANDLER"] == bands[handler], language
