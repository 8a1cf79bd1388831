"""Reviews of findings (graph/reviews.py): decisions kept in full, carried to the next
run's finding for the same person, audited; no care partner makes or sees them."""

from __future__ import annotations

import pytest

from graph import explore, overview, reviews
from graph.access import AccessDenied, Role, Viewer
from graph.reviews import Decision, ReviewRefused
from graph.subgraph import GraphNode
from tests.conftest import Scenario
from tests.helpers import PURPOSE

ANN = Viewer("ann", Role.ANALYST, ("jit",), purpose=PURPOSE)
IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)
CARE = Viewer("carla", Role.PARTNER, ("care",), partner="youth-care", purpose=PURPOSE)


def test_decisions_are_kept_newest_first_and_audited(scenario: Scenario) -> None:
    store = scenario.store
    first, second = overview.findings(store, ANN, scenario.run_id, limit=2)
    made = reviews.decide(store, ANN, first["finding"], Decision.WORK)
    assert (made.person_ref, made.run_id, made.by) == (first["person_ref"], scenario.run_id, "ann")
    assert made.patterns == tuple(first["patterns"]) and made.label.startswith("explained")
    entry = list(store.audit.entries())[-1]
    assert entry["action"] == "findings.review" and entry["persons"] == [first["person_ref"]]
    assert entry["what"] == {"finding": first["finding"], "decision": "explained_work"}
    reviews.decide(store, IVO, first["finding"], "pursue")  # a colleague decides otherwise

    found = reviews.of_persons(store, ANN, [first["person_ref"], second["person_ref"]])
    history = found[first["person_ref"]]
    assert [(r.by, r.decision) for r in history[:2]] == [("ivo", Decision.PURSUE),
                                                         ("ann", Decision.WORK)]
    assert history[0].at >= history[1].at
    assert second["person_ref"] not in found  # never reviewed
    entry = list(store.audit.entries())[-1]
    assert entry["action"] == "findings.reviews" and entry["persons"] == [first["person_ref"]]
    assert entry["records"] == len(history)


def test_a_review_is_shown_with_the_next_runs_finding_for_the_person(
        scenario: Scenario) -> None:
    store = scenario.store
    finding = overview.findings(store, ANN, scenario.run_id, limit=3)[2]
    reviews.decide(store, ANN, finding["finding"], Decision.FAMILY)
    # A later run's finding for the same person: as the analysis writes them.
    store.run("MATCH (f:Finding {ref: $ref}) CREATE (g) SET g = properties(f), "
              "g.ref = $ref + '-next', g.run_id = 'next-run' SET g:Finding",
              {"ref": finding["finding"]})
    try:
        later = reviews.of_persons(store, ANN, [finding["person_ref"]])[finding["person_ref"]]
        assert later[0].run_id == scenario.run_id and later[0].decision is Decision.FAMILY
        again = reviews.decide(store, ANN, finding["finding"] + "-next", Decision.OPEN)
        assert again.run_id == "next-run"
        assert reviews.of_persons(store, ANN, [finding["person_ref"]])[
            finding["person_ref"]][0].decision is Decision.OPEN
    finally:
        store.run("MATCH (g:Finding {run_id: 'next-run'}) DETACH DELETE g")


def test_no_decision_on_what_is_not_a_finding_or_not_a_decision(scenario: Scenario) -> None:
    store = scenario.store
    finding = overview.findings(store, ANN, scenario.run_id, limit=1)[0]["finding"]
    before = store.run("MATCH (r:Review) RETURN count(r) AS n")[0]["n"]
    with pytest.raises(ReviewRefused, match="no finding"):
        reviews.decide(store, ANN, "no-such-finding", Decision.PURSUE)
    with pytest.raises(ReviewRefused, match="not a decision"):
        reviews.decide(store, ANN, finding, "guilty")
    assert store.run("MATCH (r:Review) RETURN count(r) AS n")[0]["n"] == before


def test_care_partners_neither_make_nor_read_reviews(scenario: Scenario) -> None:
    finding = overview.findings(scenario.store, ANN, scenario.run_id, limit=1)[0]
    with pytest.raises(AccessDenied):
        reviews.decide(scenario.store, CARE, finding["finding"], Decision.PURSUE)
    with pytest.raises(AccessDenied):
        reviews.of_persons(scenario.store, CARE, [finding["person_ref"]])


def test_the_drawing_carries_the_latest_decision_on_a_ranked_person(
        scenario: Scenario) -> None:
    store = scenario.store
    finding = overview.findings(store, ANN, scenario.run_id, limit=4)[3]
    ref = finding["person_ref"]

    def drawn(viewer: Viewer) -> GraphNode:
        sub = explore.neighbourhood(store, viewer, [ref], hops=1)
        return next(n for n in sub.nodes.values() if n.ref == ref)

    assert drawn(ANN).flagged is not None and drawn(ANN).decided is None  # not reviewed yet
    reviews.decide(store, ANN, finding["finding"], Decision.FAMILY)
    node = drawn(IVO)
    assert node.decided is not None
    assert (node.decided.decision, node.decided.by) == ("explained_family", "ann")
    entry = list(store.audit.entries())[-1]
    assert entry["action"] == "explore.neighbourhood" and entry["what"]["decisions"] == 1
    # the latest decision wins, for every ranked person drawn
    reviews.decide(store, IVO, finding["finding"], Decision.PURSUE)
    sub = explore.neighbourhood(store, ANN, [ref], hops=2)
    ranked = [n.ref for n in sub.nodes.values() if n.flagged]
    latest = {p: r[0].decision.value for p, r in reviews.of_persons(store, ANN, ranked).items()}
    assert {n.ref: n.decided.decision for n in sub.nodes.values() if n.decided} == latest
    assert latest[ref] == "pursue"
    # a care partner's user sees the ranking an investigator shared, never the decision
    overview.share(store, IVO, finding["finding"], ["care"])
    try:
        nodes = {"x": GraphNode("x", ref, "adult", {})}
        explore._mark(store, CARE, nodes)
        assert nodes["x"].flagged is not None and nodes["x"].decided is None
    finally:
        overview.share(store, IVO, finding["finding"], [])
