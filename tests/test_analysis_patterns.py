"""Each detector, the ranking and the metrics on small hand-built graphs with known answers."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph.analysis import patterns
from graph.analysis.evaluate import degree_baseline, evaluate
from graph.analysis.patterns import Node
from graph.analysis.ranking import rank, score
from graph.analysis.structures import structures


class World:
    """A tiny analysis graph, built the way projection.project builds one."""

    def __init__(self) -> None:
        self.g = nx.Graph()
        self.n = 0

    def person(self, ref: str, *, minor: bool = False, aliases: tuple[str, ...] = ()) -> Node:
        node = ("person", ref)
        self.g.add_node(node, kind="person", refs={ref, *aliases}, minor=minor,
                        adult_claimed=False)
        return node

    def incident(self, city: str = "Utrecht", day: date = date(2015, 5, 1),
                 country: str = "NL", **roles: list[Node]) -> Node:
        self.n += 1
        node = ("incident", f"I{self.n}")
        self.g.add_node(node, kind="incident", incident_kind="theft", day=day, city=city,
                        country=country)
        names = {"suspects": "SUSPECT_IN", "collectors": "COLLECTED_AFTER",
                 "present": "PRESENT_AT", "reporters": "REPORTED"}
        for key, people in roles.items():
            for p in people:
                self.g.add_edge(p, node, types={names[key]})
        return node

    def signal(self, kind: str, about: Node, names: Node | None = None,
               day: date = date(2015, 5, 1), city: str | None = None,
               by: tuple[str, ...] = ("police",)) -> Node:
        """A signal about ``about``, recorded by partners of the kinds ``by``."""
        self.n += 1
        node = ("signal", f"S{self.n}")
        self.g.add_node(node, kind="signal", signal_kind=kind, day=day, city=city, country=None,
                        partners={f"{kind}-x" for kind in by}, partner_kinds=set(by))
        self.g.add_edge(node, about, types={"ABOUT"})
        if names is not None:
            self.g.add_edge(node, names, types={"NAMES"})
        return node

    def uses(self, ident: str, *people: Node) -> Node:
        node = ("identifier", ident)
        self.g.add_node(node, kind="identifier", identifier_kind="phone")
        for p in people:
            self.g.add_edge(p, node, types={"USES"})
        return node

    def tie(self, a: Node, b: Node, kind: str) -> None:
        self.g.add_edge(a, b, types={kind})


@pytest.fixture
def w() -> World:
    return World()


def test_unrelated_collector_counts_minors_without_a_known_tie(w: World) -> None:
    boss, parent = w.person("BOSS"), w.person("PARENT")
    kids = [w.person(f"K{i}", minor=True) for i in range(3)]
    for kid in kids:
        w.incident(suspects=[kid], collectors=[boss])
    own = [w.person(f"OWN{i}", minor=True) for i in range(3)]
    for kid in own:
        w.tie(parent, kid, "PARENT_OF")
        w.incident(suspects=[kid], collectors=[parent])
    hits = patterns.unrelated_collector(w.g)
    assert hits[boss].value == 3.0 and len(hits[boss].evidence) == 3
    assert parent not in hits  # every link explained by a recorded family tie


def test_reporters_and_victims_make_no_link(w: World) -> None:
    detective = w.person("DET")
    for i in range(5):
        w.incident(suspects=[w.person(f"K{i}", minor=True)], reporters=[detective])
    assert detective not in patterns.shielded_hub(w.g)
    assert detective not in patterns.unrelated_collector(w.g)


def test_shielded_hub_is_minors_over_one_plus_own_arrests(w: World) -> None:
    hub = w.person("HUB")
    for i in range(4):
        w.incident(suspects=[w.person(f"K{i}", minor=True)], present=[hub])
    w.incident(suspects=[hub])
    assert patterns.shielded_hub(w.g)[hub].value == 2.0  # 4 / (1 + 1)


def test_mobile_minors_needs_cities_within_the_window_or_abroad(w: World) -> None:
    fast, slow, abroad = w.person("FAST"), w.person("SLOW"), w.person("ABROAD")
    for i, city in enumerate(["Utrecht", "Breda", "Zwolle"]):
        w.incident(city, date(2015, 5, 1 + 3 * i), suspects=[w.person(f"F{i}", minor=True)],
                   collectors=[fast])
        w.incident(city, date(2015, 1 + 4 * i, 1), suspects=[w.person(f"S{i}", minor=True)],
                   collectors=[slow])
    w.incident("Lille", country="FR", suspects=[w.person("A1", minor=True)], present=[abroad])
    hits = patterns.mobile_minors(w.g)
    assert hits[fast].value == 3.0
    assert slow not in hits
    assert hits[abroad].value == 2.0  # one city, one foreign country


def test_runaway_then_offence_elsewhere_within_the_window(w: World) -> None:
    adult = w.person("A")
    kid, local_kid, late_kid = (w.person(r, minor=True) for r in ("K", "L", "M"))
    runaways = {}
    for k in (kid, local_kid, late_kid):
        w.incident("Breda", date(2015, 1, 1), suspects=[k], collectors=[adult])
        runaways[k] = w.signal("runaway", k, day=date(2015, 3, 1), city="Utrecht")
    arrest = w.incident("Amsterdam", date(2015, 3, 4), suspects=[kid])
    w.incident("Utrecht", date(2015, 3, 4), suspects=[local_kid])    # same city: not elsewhere
    w.incident("Amsterdam", date(2015, 4, 20), suspects=[late_kid])  # 50 days later
    hit = patterns.runaway_then_offence(w.g)[adult]
    assert hit.value == 1.0 and hit.minors == {kid}
    assert hit.evidence == sorted([runaways[kid][1], arrest[1]])


def test_shared_means_ignores_family_but_not_profession(w: World) -> None:
    parent, worker = w.person("PARENT"), w.person("WORKER")
    child, client, other = (w.person(r, minor=True) for r in ("C", "CL", "O"))
    w.tie(parent, child, "PARENT_OF")
    w.tie(worker, client, "CASEWORKER_OF")
    w.uses("PHONE-1", parent, child)
    w.uses("PHONE-2", worker, client, other)
    hits = patterns.shared_means(w.g)
    assert parent not in hits
    assert hits[worker].value == 2.0 and hits[worker].evidence == ["PHONE-2"]


def test_handler_conduct_counts_minors_with_a_recorded_tie_too(w: World) -> None:
    worker, parent, bystander = w.person("WORKER"), w.person("PARENT"), w.person("B")
    client, child, other = (w.person(r, minor=True) for r in ("CL", "C", "O"))
    w.tie(worker, client, "CASEWORKER_OF")
    w.tie(parent, child, "PARENT_OF")
    watched = w.incident(suspects=[client], present=[worker])
    w.incident(suspects=[client], collectors=[worker])  # watched once, collected another time
    w.incident(suspects=[child], collectors=[parent])  # collecting alone is not this conduct
    w.signal("missing", other, day=date(2015, 5, 1), city="Zwolle")
    found = w.incident("Breda", date(2015, 5, 6), suspects=[other], collectors=[bystander])
    w.incident("Breda", date(2015, 8, 1), suspects=[other], present=[w.person("LATE")])
    hits = patterns.handler_conduct(w.g)
    assert set(hits) == {worker, bystander}  # the tie lowers the weight, it never hides
    assert hits[worker].value == 1.0 and watched[1] in hits[worker].evidence
    assert hits[bystander].evidence == [found[1]]  # with the missing child, days later


def test_claimed_relative_and_travels_with(w: World) -> None:
    adult, uncle = w.person("A"), w.person("UNCLE")
    kid, nephew = w.person("K", minor=True), w.person("N", minor=True)
    w.tie(uncle, nephew, "SIBLING_OF")
    sig = w.signal("claimed_relative", kid, names=adult)
    w.signal("claimed_relative", nephew, names=uncle)
    w.signal("unaccompanied_travel", kid, names=adult)
    assert patterns.claimed_relative(w.g)[adult].evidence == [sig[1]]
    assert uncle not in patterns.claimed_relative(w.g)  # the claim is borne out
    assert patterns.travels_with(w.g)[adult].value == 1.0


def test_alias_churn_and_broker(w: World) -> None:
    adult = w.person("A")
    a1 = w.person("K1", minor=True, aliases=("K1-alias", "K1-other"))
    a2, b1, b2 = (w.person(r, minor=True) for r in ("K2", "K3", "K4"))
    w.incident(suspects=[a1, a2], collectors=[adult])  # group one co-offends
    w.incident(suspects=[b1, b2], collectors=[adult])  # group two co-offends
    churn = patterns.alias_churn(w.g)[adult]
    assert churn.value == 1.0 and churn.evidence == ["K1-alias", "K1-other"]
    assert patterns.broker(w.g)[adult].value == 1.0  # two groups bridged
    w.incident(suspects=[a2, b1])  # the groups meet without the adult
    assert adult not in patterns.broker(w.g)


def test_structure_alone_ranks_below_corroborated_patterns(w: World) -> None:
    youth_worker, recruiter = w.person("YOUTH"), w.person("RECRUIT")
    for i in range(12):
        w.incident(suspects=[w.person(f"T{i}", minor=True)], present=[youth_worker])
    kids = [w.person(f"R{i}", minor=True) for i in range(3)]
    for kid in kids:
        w.incident(suspects=[kid], present=[recruiter])
    w.uses("PHONE", recruiter, *kids)
    w.signal("claimed_relative", kids[0], names=recruiter)
    ranked = rank(w.g)
    assert [c.node for c in ranked[:2]] == [recruiter, youth_worker]
    assert ranked[1].role is not None and ranked[1].role.kind == "professional_pattern"
    # the earlier pattern sum (anchored=False): structural patterns give their strongest
    before = {c.node: c for c in rank(w.g, anchored=False)}
    hits = before[youth_worker].hits
    assert set(hits) >= {"unrelated_collector", "shielded_hub"}
    assert before[youth_worker].score == pytest.approx(
        max(score({n: h}) for n, h in hits.items()))


def test_a_professional_sharing_a_phone_with_unrelated_children_still_shows(w: World) -> None:
    worker = w.person("WORKER")
    clients = [w.person(f"C{i}", minor=True) for i in range(4)]
    for kid in clients:
        w.tie(worker, kid, "CASEWORKER_OF")
        w.incident(suspects=[kid], collectors=[worker])
    plain = rank(w.g)
    assert all(c.node != worker for c in plain)  # every link explained: no finding
    w.uses("PHONE", worker, *[w.person(f"U{i}", minor=True) for i in range(2)])
    found = {c.node: c for c in rank(w.g)}
    assert "shared_means" in found[worker].hits


def test_structures_join_helpers_and_merge_two_handlers(w: World) -> None:
    boss, second, helper = w.person("BOSS"), w.person("SECOND"), w.person("HELPER")
    kids = [w.person(f"K{i}", minor=True) for i in range(4)]
    for kid in kids:
        w.incident(suspects=[kid], collectors=[boss], present=[helper])
        w.incident(suspects=[kid], collectors=[second])
    w.uses("PHONE", boss, *kids)
    w.uses("PHONE2", second, *kids)
    found = structures(w.g, rank(w.g), top=1)
    assert len(found) == 1
    assert found[0].core == {boss, second}
    assert found[0].minors == set(kids) and helper in found[0].helpers


def test_metrics_and_degree_baseline(w: World) -> None:
    perfect = evaluate("p", [{"a"}, {"b"}, {"x"}], {"a", "b"}, {"parent": {"x"}})
    assert (perfect.average_precision, perfect.precision_at_k, perfect.recall_at_2k) == \
        (1.0, 1.0, 1.0)
    assert perfect.decoys_in_top_k == {"parent": 0}
    reversed_ = evaluate("r", [{"x"}, {"y"}, {"a"}, {"b"}], {"a", "b"}, {"parent": {"x"}})
    assert reversed_.average_precision == pytest.approx((1 / 3 + 2 / 4) / 2)
    assert reversed_.precision_at_k == 0.0 and reversed_.decoys_in_top_k == {"parent": 1}
    missing = evaluate("m", [{"a"}], {"a", "b"}, {})
    assert missing.average_precision == 0.5 and missing.recall_at_2k == 0.5

    detective = w.person("DET")
    for i in range(3):
        w.incident(suspects=[w.person(f"K{i}", minor=True)], reporters=[detective])
    w.incident(suspects=[w.person("K9", minor=True)], collectors=[w.person("ONE")])
    assert degree_baseline(w.g)[0] == {"DET"}
